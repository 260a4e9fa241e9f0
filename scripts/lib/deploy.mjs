// scripts/deploy: from a Cloudflare account to a running, smoke-checked environment, in
// one idempotent command. Each step looks before it acts:
//   1. preflight   wrangler is logged in and knows which account (one clear line if not);
//   2. resources   the D1 database, the KV namespace and (with --hyperdrive-url) the
//                  Hyperdrive config are found by name or created; their ids are written
//                  into the environment's section of wrangler.toml;
//   3. secrets     those missing on Cloudflare are uploaded in one `secret bulk`, taken
//                  from .deploy/<env>.vars or generated there first; an existing secret
//                  is never overwritten (Cloudflare never reveals one, so the file is the
//                  copy the operator keeps, and what scripts/rotate-signing-key reads);
//   4. migrations  `wrangler d1 migrations apply --remote` (and migrations/postgres
//                  through psql for a Postgres environment);
//   5. deploy      `wrangler deploy --env`; a first deploy without BASE_URL learns the
//                  workers.dev URL, records it and deploys again;
//   6. smoke       health, discovery and JWKS at the deployed URL.
// --dry-run does only what needs no account: validates wrangler.toml, builds, runs
// `wrangler deploy --dry-run --outdir`, and prints the plan.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { DEPLOY_SECRETS, ENVIRONMENTS, WORKER_NEEDS, loadEnvironment, secretsToUpload } from "./deploy-config.mjs";
import { applyPostgresMigrations, requirePsql } from "./deploy-postgres.mjs";
import { smokeCheck } from "./deploy-smoke.mjs";
import { freshSecrets, readVars, writeVars } from "./secrets.mjs";
import { WranglerError, explain, parseJsonOutput, root, wrangler, wranglerPath } from "./wrangler-cli.mjs";
import { readToml, setString, writeToml } from "./wrangler-toml.mjs";

const USAGE = `usage: scripts/deploy [--env staging|production] [--dry-run] [--outdir DIR]
                      [--base-url https://id.example.com] [--hyperdrive-url postgres://...]
  --env             the environment of wrangler.toml to deploy (default staging)
  --dry-run         validate, build and bundle only; nothing is sent to Cloudflare
  --outdir          where --dry-run leaves the upload (default build/deploy/<env>)
  --base-url        the issuer, when the environment is served on your own domain
  --hyperdrive-url  keep users and tenants in PostgreSQL through Hyperdrive (created once
                    from this connection string; also AUTHSEC_HYPERDRIVE_URL)`;

function parseArgs(argv) {
  const opts = { env: "staging", dryRun: false, hyperdriveUrl: process.env.AUTHSEC_HYPERDRIVE_URL || undefined };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--help" || flag === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else if (flag === "--dry-run") {
      opts.dryRun = true;
    } else if (["--env", "--outdir", "--base-url", "--hyperdrive-url"].includes(flag) && argv[i + 1] !== undefined) {
      opts[flag.slice(2).replace(/-(.)/g, (_, c) => c.toUpperCase())] = argv[++i];
    } else {
      throw new Error(`unknown or incomplete option ${flag}\n${USAGE}`);
    }
  }
  if (!ENVIRONMENTS.includes(opts.env)) throw new Error(`--env is one of ${ENVIRONMENTS.join(", ")}, not ${opts.env} (development is local: scripts/dev)`);
  if (opts.baseUrl && !/^https:\/\/[^/?#\s]+$/.test(opts.baseUrl)) throw new Error(`--base-url must be a bare https origin, not ${opts.baseUrl}`);
  if (opts.hyperdriveUrl && !/^postgres(ql)?:\/\//.test(opts.hyperdriveUrl)) throw new Error("--hyperdrive-url must be a postgres:// connection string");
  opts.outdir ??= join(root, "build", "deploy", opts.env);
  return opts;
}

const say = (step, message) => console.log(`  ${step.padEnd(11)} ${message}`);
const tomlPath = join(root, "wrangler.toml");
const secretsFile = (env) => join(root, ".deploy", `${env}.vars`);

function setInToml(section, key, value, options) {
  writeToml(tomlPath, setString(readToml(tomlPath), section, key, value, options));
}

/** The Worker is built with the Postgres store only when the environment uses it. */
function buildEnv(store) {
  const env = { ...process.env };
  if (store === "postgres") env.AUTHSEC_POSTGRES = "1";
  else delete env.AUTHSEC_POSTGRES;
  delete env.STORE;
  return env;
}

/** Runs wrangler with its output shown as it comes (builds take minutes) and returns it. */
function wranglerStreaming(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(wranglerPath(), args, {
      cwd: root,
      env: { ...env, CI: "true", WRANGLER_SEND_METRICS: "false", FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const relay = (stream) => (chunk) => {
      output += chunk;
      stream.write(chunk);
    };
    child.stdout.on("data", relay(process.stdout));
    child.stderr.on("data", relay(process.stderr));
    child.on("error", (e) => reject(new WranglerError(`cannot run wrangler: ${e.message}; run npm ci`, "")));
    child.on("close", (code) =>
      code === 0 ? resolve(output) : reject(new WranglerError(`wrangler ${args.slice(0, 2).join(" ")}: ${explain(output)}`, output)),
    );
  });
}

/** Files of the upload `wrangler deploy --dry-run --outdir` left, for the record. */
const uploadFiles = (dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => !f.endsWith(".map") && f !== "README.md") : []);

/** Empties an --outdir of a previous bundle (a new build's wasm has a new name); refuses a directory holding anything else. */
function prepareOutdir(dir) {
  mkdirSync(dir, { recursive: true });
  const files = readdirSync(dir);
  const foreign = files.filter((f) => !/\.(m?js|wasm|map)$/.test(f) && f !== "README.md");
  if (foreign.length) throw new Error(`--outdir ${dir} holds other files (${foreign.slice(0, 3).join(", ")}): choose an empty directory`);
  for (const f of files) rmSync(join(dir, f), { force: true });
}

async function dryRun(opts, cfg) {
  prepareOutdir(opts.outdir);
  // --hyperdrive-url makes the environment a Postgres one: bundle what that deploy would.
  const store = opts.hyperdriveUrl ? "postgres" : cfg.store;
  const output = await wranglerStreaming(["deploy", "--dry-run", "--outdir", opts.outdir, "--env", opts.env], buildEnv(store));
  const upload = /Total Upload: ([^\n]+)/.exec(output)?.[1]?.trim();
  const local = readVars(secretsFile(opts.env));
  const d1Files = readdirSync(join(root, "migrations/d1")).filter((f) => f.endsWith(".sql")).sort();
  const idNote = (what, r) => (r?.id ? `${what} (id ${r.id} recorded): would check it exists` : `${what}: no id recorded yet: would find it by name or create it, and record its id in wrangler.toml`);
  console.log(`\nPlan for ${opts.env} (${cfg.name}). Dry run: nothing was sent to Cloudflare.`);
  say("config", `wrangler.toml [env.${opts.env}] is complete: ${["DB", "CACHE", ...cfg.durableObjects].join(", ")}; ENVIRONMENT=production; store ${store}`);
  say("build", `${store === "postgres" ? "with the Postgres store" : "D1 only"}; upload ${upload ?? "(size not printed)"}; bundle in ${opts.outdir} (${uploadFiles(opts.outdir).join(", ")})`);
  say("preflight", "wrangler whoami: logged in, and one account (or CLOUDFLARE_ACCOUNT_ID)");
  say("D1", idNote(`database ${cfg.d1.name}`, cfg.d1));
  say("KV", idNote(`namespace ${cfg.kv.title}`, cfg.kv));
  say("Hyperdrive", opts.hyperdriveUrl || cfg.hyperdrive ? idNote(`config ${cfg.name}`, cfg.hyperdrive) : "not used (D1); --hyperdrive-url would create one and set STORE=postgres");
  const fromFile = DEPLOY_SECRETS.filter((n) => n in local);
  say("secrets", `would upload whichever of ${DEPLOY_SECRETS.join(", ")} Cloudflare lacks (${fromFile.length ? `${fromFile.join(", ")} from .deploy/${opts.env}.vars, the rest generated` : `generated into .deploy/${opts.env}.vars first`}); never overwrites one`);
  say("migrations", `would apply the pending of migrations/d1 (${d1Files.length}: ${d1Files[0]} … ${d1Files[d1Files.length - 1]}) with wrangler d1 migrations apply --remote${store === "postgres" ? ", and migrations/postgres through psql" : ""}`);
  say("deploy", `wrangler deploy --env ${opts.env}; BASE_URL ${cfg.vars.BASE_URL || opts.baseUrl || "learned from the workers.dev URL on the first deploy"}`);
  say("smoke", "GET /authsec/uflow/health, /.well-known/openid-configuration, /.well-known/jwks.json at BASE_URL");
}

function preflight(cfg) {
  const res = wrangler(["whoami", "--json"], { allowFailure: true });
  let who;
  try {
    who = parseJsonOutput(res.stdout);
  } catch {
    throw new WranglerError(`wrangler whoami: ${explain(res.output)}`, res.output);
  }
  if (!who.loggedIn) throw new WranglerError(`wrangler whoami: ${explain("not authenticated")}`, res.output);
  const accounts = who.accounts ?? [];
  const chosen = process.env.CLOUDFLARE_ACCOUNT_ID || cfg.accountId;
  if (!chosen && accounts.length !== 1) {
    throw new WranglerError(`wrangler whoami: ${explain("CLOUDFLARE_ACCOUNT_ID")} (this login sees ${accounts.length} accounts)`, res.output);
  }
  const account = accounts.find((a) => a.id === chosen) ?? accounts[0];
  say("preflight", `logged in${who.email ? ` as ${who.email}` : ""}; account ${account?.name ?? chosen} (${account?.id ?? chosen})`);
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
const HEX32 = /\b[0-9a-f]{32}\b/;

function ensureD1(cfg) {
  const section = `env.${cfg.env}.d1_databases`;
  const all = parseJsonOutput(wrangler(["d1", "list", "--json"]).stdout);
  let id = all.find((d) => d.name === cfg.d1.name)?.uuid;
  if (id) {
    say("D1", `database ${cfg.d1.name} exists (${id})`);
  } else {
    const out = wrangler(["d1", "create", cfg.d1.name]).output;
    id = /database_id["\s:=]+"?([0-9a-f-]{36})/.exec(out)?.[1] ?? UUID.exec(out)?.[0];
    if (!id) throw new WranglerError(`wrangler d1 create printed no database id`, out);
    say("D1", `created database ${cfg.d1.name} (${id})`);
  }
  if (cfg.d1.id !== id) setInToml(section, "database_id", id);
}

function ensureKv(cfg) {
  const section = `env.${cfg.env}.kv_namespaces`;
  const all = parseJsonOutput(wrangler(["kv", "namespace", "list"]).stdout);
  let id = all.find((n) => n.title === cfg.kv.title)?.id;
  if (id) {
    say("KV", `namespace ${cfg.kv.title} exists (${id})`);
  } else {
    // Without --env: wrangler would prefix the title with the environment's name.
    const out = wrangler(["kv", "namespace", "create", cfg.kv.title]).output;
    id = /\bid["\s:=]+"?([0-9a-f]{32})/.exec(out)?.[1] ?? HEX32.exec(out)?.[0];
    if (!id) throw new WranglerError(`wrangler kv namespace create printed no id`, out);
    say("KV", `created namespace ${cfg.kv.title} (${id})`);
  }
  if (cfg.kv.id !== id) setInToml(section, "id", id);
}

function ensureHyperdrive(cfg, url) {
  // `hyperdrive list` prints a table: find the row of our config by its name.
  const table = wrangler(["hyperdrive", "list"]).stdout;
  let id = table.split("\n").find((line) => line.split(/[│|]/).some((cell) => cell.trim() === cfg.name))?.match(HEX32)?.[0];
  if (id) {
    say("Hyperdrive", `config ${cfg.name} exists (${id})`);
  } else {
    // Caching stays off: a cached read could be up to 60 s old, and a permission set
    // compiled from it could outlive the change it missed (README, Storage backends).
    const out = wrangler(["hyperdrive", "create", cfg.name, `--connection-string=${url}`, "--caching-disabled"]).output;
    id = /\bid["\s:=]+"?([0-9a-f]{32})/.exec(out)?.[1] ?? HEX32.exec(out)?.[0];
    if (!id) throw new WranglerError(`wrangler hyperdrive create printed no id`, out);
    say("Hyperdrive", `created config ${cfg.name} (${id}), caching disabled`);
  }
  if (cfg.hyperdrive?.id !== id) {
    const section = `env.${cfg.env}.hyperdrive`;
    if (!cfg.hyperdrive) setInToml(section, "binding", "HYPERDRIVE", { create: true, arrayTable: true });
    setInToml(section, "id", id);
  }
  if (cfg.vars.STORE !== "postgres") setInToml(`env.${cfg.env}.vars`, "STORE", "postgres");
}

/** Names of the secrets the deployed Worker has; none for a Worker not created yet. */
function remoteSecrets(env) {
  const res = wrangler(["secret", "list", "--env", env], { allowFailure: true });
  if (res.status !== 0) {
    if (/not found|does not exist|\[code: 10007\]/i.test(res.output)) return [];
    throw new WranglerError(`wrangler secret list: ${explain(res.output)}`, res.output);
  }
  return parseJsonOutput(res.stdout).map((s) => s.name);
}

function ensureSecrets(cfg) {
  const file = secretsFile(cfg.env);
  const existing = remoteSecrets(cfg.env);
  // METRICS_TOKEN is the operator's choice (off by default); it is only reported.
  const { upload, generated } = secretsToUpload(cfg.env, existing, readVars(file), freshSecrets(cfg.env));
  const kept = DEPLOY_SECRETS.filter((n) => existing.includes(n));
  if (Object.keys(generated).length) {
    mkdirSync(join(root, ".deploy"), { recursive: true, mode: 0o700 });
    writeVars(file, generated, `# Secrets of the ${cfg.env} environment, written by scripts/deploy. Never commit this file;\n# keep a copy in your vault: Cloudflare never reveals a secret, and without ENCRYPTION_KEY\n# no TOTP seed can be opened. scripts/rotate-signing-key --env ${cfg.env} reads it.`);
  }
  if (Object.keys(upload).length) {
    // stdin, never arguments or a temporary file: secrets stay out of `ps` and the disk.
    wrangler(["secret", "bulk", "--env", cfg.env], { input: JSON.stringify(upload) });
  }
  const present = [...existing, ...Object.keys(upload)];
  const lacking = WORKER_NEEDS.filter((n) => !present.includes(n));
  if (lacking.length) throw new Error(`${cfg.env} still lacks ${lacking.join(", ")}: not deploying a Worker that cannot serve`);
  const uploaded = Object.keys(upload).map((n) => (n in generated ? `${n} (generated)` : `${n} (from .deploy/${cfg.env}.vars)`));
  say("secrets", `${uploaded.length ? `uploaded ${uploaded.join(", ")}` : "nothing to upload"}${kept.length ? `; kept ${kept.join(", ")} (never overwritten)` : ""}`);
  return present;
}

function applyMigrations(cfg, opts) {
  const out = wrangler(["d1", "migrations", "apply", "DB", "--remote", "--env", cfg.env]).output;
  const applied = out.match(/\b\d{4}_[a-z0-9_]+\.sql\b/g) ?? [];
  say("migrations", /No migrations to apply/i.test(out) ? "D1 is up to date" : `D1: applied ${[...new Set(applied)].join(", ") || "pending migrations"}`);
  if (cfg.store === "postgres") {
    if (!opts.hyperdriveUrl) {
      say("migrations", "PostgreSQL: skipped, pass --hyperdrive-url (or AUTHSEC_HYPERDRIVE_URL) to apply migrations/postgres");
      return;
    }
    const done = applyPostgresMigrations(opts.hyperdriveUrl);
    say("migrations", done.length ? `PostgreSQL: applied ${done.join(", ")}` : "PostgreSQL is up to date");
  }
}

async function deploy(cfg, opts) {
  let baseUrl = cfg.vars.BASE_URL || opts.baseUrl;
  if (opts.baseUrl && cfg.vars.BASE_URL !== opts.baseUrl) setInToml(`env.${cfg.env}.vars`, "BASE_URL", opts.baseUrl);
  const args = ["deploy", "--env", cfg.env];
  const output = await wranglerStreaming(args, buildEnv(cfg.store));
  const url = /https:\/\/[a-z0-9.-]+\.workers\.dev\b/.exec(output)?.[0];
  if (!baseUrl) {
    if (!url) throw new Error(`wrangler deploy printed no workers.dev URL: set --base-url to the environment's own domain`);
    // The issuer must be the URL the Worker is reached at: record it and deploy again.
    setInToml(`env.${cfg.env}.vars`, "BASE_URL", url);
    baseUrl = url;
    say("deploy", `BASE_URL learned: ${url}; deploying again with it`);
    await wranglerStreaming(args, buildEnv(cfg.store));
  }
  say("deploy", `deployed ${cfg.name} at ${baseUrl}`);
  return baseUrl;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  let cfg = loadEnvironment(opts.env);
  if (cfg.problems.length) {
    throw new Error(`wrangler.toml cannot be deployed as ${opts.env}:\n${cfg.problems.map((p) => `  - ${p}`).join("\n")}`);
  }
  if (opts.dryRun) return dryRun(opts, cfg);
  if (opts.hyperdriveUrl) requirePsql();
  console.log(`Deploying ${opts.env} (${cfg.name})`);
  preflight(cfg);
  ensureD1(cfg);
  ensureKv(cfg);
  if (opts.hyperdriveUrl) ensureHyperdrive(cfg, opts.hyperdriveUrl);
  else if (cfg.hyperdrive) say("Hyperdrive", `config ${cfg.hyperdrive.id ?? "(no id)"} recorded; pass --hyperdrive-url to check or create it`);
  cfg = loadEnvironment(opts.env); // with the ids just recorded
  if (cfg.problems.length) throw new Error(`wrangler.toml after recording ids:\n${cfg.problems.join("\n")}`);
  const secrets = ensureSecrets(cfg);
  applyMigrations(cfg, opts);
  const baseUrl = await deploy(cfg, opts);
  await smokeCheck(baseUrl, { signingKid: readVars(secretsFile(cfg.env)).SIGNING_KID, metricsProtected: secrets.includes("METRICS_TOKEN"), say });
  console.log(`\n${opts.env} is up: ${baseUrl}`);
}

main().catch((error) => {
  console.error(`deploy: ${error.message}`);
  process.exit(1);
});
