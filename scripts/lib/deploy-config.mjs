// What scripts/deploy needs to know about an environment of wrangler.toml, read through
// wrangler's own parser (so inheritance works exactly as `wrangler deploy` sees it), and
// the checks that make `--dry-run` a real validation: wrangler does not inherit bindings
// or vars into an environment, so an environment that misses one the top level has would
// deploy a Worker without it.
import { createRequire } from "node:module";
import { join } from "node:path";
import { root } from "./wrangler-cli.mjs";
import { isPlaceholderId } from "./wrangler-toml.mjs";

export const ENVIRONMENTS = ["staging", "production"];
/** Secrets scripts/deploy generates when missing (SIGNING_KID only with SIGNING_KEYS). */
export const DEPLOY_SECRETS = ["SIGNING_KEYS", "SIGNING_KID", "SECRET_PEPPER", "ENCRYPTION_KEY", "KEK_KEYS"];
/** Secrets the Worker cannot serve without: scripts/deploy refuses to deploy while one is missing. */
export const WORKER_NEEDS = ["SIGNING_KEYS", "SECRET_PEPPER", "ENCRYPTION_KEY"];

function readConfig(env) {
  const require = createRequire(join(root, "package.json"));
  const { unstable_readConfig } = require("wrangler");
  return unstable_readConfig({ config: join(root, "wrangler.toml"), env }, { hideWarnings: true });
}

const names = (list, key) => (list ?? []).map((b) => b[key]).sort();

/**
 * The environment as scripts/deploy uses it, and every problem found (empty when it may
 * be deployed). Throws only if wrangler cannot read the file at all.
 */
export function loadEnvironment(env) {
  const top = readConfig(undefined);
  const cfg = readConfig(env);
  const problems = [];
  const need = (ok, message) => ok || problems.push(`[env.${env}] ${message}`);
  const vars = cfg.vars ?? {};

  need(cfg.name && cfg.name !== top.name, `must deploy as its own Worker (name ${cfg.name})`);
  need(vars.ENVIRONMENT === "production", `vars: ENVIRONMENT must be "production" (the dev outbox must never be deployed), not ${JSON.stringify(vars.ENVIRONMENT)}`);
  need(vars.BASE_URL === "" || /^https:\/\/[^/?#\s]+$/.test(vars.BASE_URL ?? ""), `vars: BASE_URL must be an https origin, or "" until the first deploy learns it (is ${JSON.stringify(vars.BASE_URL)})`);
  for (const key of Object.keys(top.vars ?? {})) need(key in vars, `vars: ${key} is missing (the top level has it; environments do not inherit vars)`);
  need(!("CLIENT_IP_HEADER" in vars), "vars: CLIENT_IP_HEADER is for development only");

  const d1 = cfg.d1_databases.find((d) => d.binding === "DB");
  const kv = cfg.kv_namespaces.find((k) => k.binding === "CACHE");
  for (const b of top.d1_databases) need(cfg.d1_databases.some((d) => d.binding === b.binding), `d1_databases: binding ${b.binding} is missing`);
  for (const b of top.kv_namespaces) need(cfg.kv_namespaces.some((k) => k.binding === b.binding), `kv_namespaces: binding ${b.binding} is missing`);
  need(!d1 || d1.migrations_dir === "migrations/d1", `d1_databases: DB must keep migrations_dir = "migrations/d1"`);
  need(!d1 || d1.database_name !== top.d1_databases[0]?.database_name, `d1_databases: DB needs a database_name of its own`);
  const topObjects = top.durable_objects?.bindings ?? [];
  const objects = cfg.durable_objects?.bindings ?? [];
  for (const b of topObjects) {
    const mine = objects.find((o) => o.name === b.name);
    need(mine && mine.class_name === b.class_name && !mine.script_name, `durable_objects: ${b.name} (class ${b.class_name}) is missing or differs`);
  }
  need(JSON.stringify(names(objects, "name")) === JSON.stringify(names(topObjects, "name")), `durable_objects: must list exactly the top level's bindings`);

  const store = vars.STORE || "d1";
  const hyperdrive = cfg.hyperdrive.find((h) => h.binding === "HYPERDRIVE");
  need(["d1", "postgres"].includes(store), `vars: STORE must be d1 or postgres`);
  need(store !== "postgres" || hyperdrive, `STORE is postgres but there is no HYPERDRIVE binding (scripts/deploy --hyperdrive-url creates it)`);
  need(!hyperdrive || !hyperdrive.localConnectionString, `hyperdrive: localConnectionString belongs to local development only`);

  // Environments must not share a database or namespace with each other.
  for (const other of ENVIRONMENTS.filter((e) => e !== env)) {
    const o = readConfig(other);
    const od1 = o.d1_databases.find((d) => d.binding === "DB");
    const okv = o.kv_namespaces.find((k) => k.binding === "CACHE");
    need(!d1 || !od1 || d1.database_name !== od1.database_name, `shares its D1 database name with ${other}`);
    need(!d1 || !od1 || isPlaceholderId(d1.database_id) || d1.database_id !== od1.database_id, `shares its D1 database id with ${other}`);
    need(!kv || !okv || isPlaceholderId(kv.id) || kv.id !== okv.id, `shares its KV namespace id with ${other}`);
  }

  return {
    env,
    name: cfg.name,
    vars,
    store,
    accountId: cfg.account_id,
    d1: d1 && { name: d1.database_name, id: isPlaceholderId(d1.database_id) ? undefined : d1.database_id },
    kv: kv && { title: `${cfg.name}-cache`, id: isPlaceholderId(kv.id) ? undefined : kv.id },
    hyperdrive: hyperdrive && { name: cfg.name, id: isPlaceholderId(hyperdrive.id) ? undefined : hyperdrive.id },
    durableObjects: names(objects, "class_name"),
    problems,
  };
}

/**
 * The secrets to upload: each one Cloudflare lacks, from the local file or generated
 * into it first, so a generated secret is never uploaded without the operator's copy.
 */
export function secretsToUpload(env, existing, local, fresh) {
  const missing = DEPLOY_SECRETS.filter((n) => !existing.includes(n));
  const upload = {};
  const generated = {};
  for (const name of missing) {
    if (name === "SIGNING_KID") continue; // travels with its ring, below
    if (name === "SIGNING_KEYS" && existing.includes("SIGNING_KID")) {
      throw new Error(`${env} has SIGNING_KID but no SIGNING_KEYS: delete SIGNING_KID (npx wrangler secret delete SIGNING_KID --env ${env}) or upload the ring it names`);
    }
    const source = name in local ? local : fresh;
    // A ring and its signer come from the same place, or the kid would name nothing.
    const group = name === "SIGNING_KEYS" ? ["SIGNING_KEYS", "SIGNING_KID"] : [name];
    for (const n of group) {
      if (source[n] === undefined) continue;
      upload[n] = source[n];
      if (source === fresh) generated[n] = fresh[n];
    }
  }
  return { upload, generated };
}
