// Our built Worker served by Miniflare straight from workerd (no wrangler dev), for the
// benchmark and for e2e tests that need several Workers in one workerd (service
// bindings, shared KV/D1/Durable Objects): the bundled entry module and wasm, the
// bindings of wrangler.toml, secrets from a generated .dev.vars-style file, the D1
// schema, and an onboarded admin.
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";

export const root = resolve(new URL("../..", import.meta.url).pathname);
export const COMPATIBILITY_DATE = "2026-04-20";
export const PASSWORD = "correct horse battery staple";

/**
 * The modules of our Worker: src/edge/guard.mjs and worker-build's output bundled the
 * way wrangler bundles them, with the wasm left as a separate CompiledWasm module.
 * Bundled in memory; build/ only has to hold a fresh `scripts/build-worker` output.
 */
export async function ourModules() {
  return workerModules(join(root, "src/edge/guard.mjs"), join(root, "build"));
}

/** Any worker-build output (`buildDir` holds index.js and index_bg.wasm) from `entry`. */
export async function workerModules(entry, buildDir) {
  const bundle = await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "neutral",
    write: false,
    outfile: join(buildDir, "miniflare-worker.mjs"),
    external: ["cloudflare:workers", "cloudflare:sockets", "*.wasm"],
    logLevel: "warning",
  });
  return {
    modulesRoot: buildDir,
    modules: [
      { type: "ESModule", path: join(buildDir, "miniflare-worker.mjs"), contents: bundle.outputFiles[0].text },
      { type: "CompiledWasm", path: join(buildDir, "index_bg.wasm") },
    ],
  };
}

/** The Durable Object bindings of wrangler.toml; `scriptName` binds another Worker's. */
export function durableObjects(scriptName) {
  const binding = (className) => ({ className, useSQLite: true, ...(scriptName ? { scriptName } : {}) });
  return {
    RATE_LIMITER: binding("RateLimiter"),
    SESSIONS: binding("SessionStore"),
    CHALLENGES: binding("ChallengeStore"),
    FLOWS: binding("FlowStore"),
  };
}

/**
 * Miniflare worker options for our Worker. Workers given the same `d1`/`kv` ids share
 * that database and namespace; `durableObjectsOf` names the Worker whose objects to use.
 */
export async function ourWorker({ name, bindings, d1 = "authsec-db", kv = "authsec-cache", durableObjectsOf, modules }) {
  return {
    ...(name ? { name } : {}),
    compatibilityDate: COMPATIBILITY_DATE,
    ...(modules ?? (await ourModules())),
    d1Databases: { DB: d1 },
    kvNamespaces: { CACHE: kv },
    durableObjects: durableObjects(durableObjectsOf),
    bindings,
  };
}

/** The secrets of a .dev.vars-style file (scripts/lib/dev-vars.mjs writes one). */
export function readSecrets(varsFile) {
  const text = readFileSync(varsFile, "utf8");
  const secrets = {};
  for (const name of ["SIGNING_KEYS", "SIGNING_KID", "SECRET_PEPPER", "ENCRYPTION_KEY"]) {
    const m = new RegExp(`^${name}=(.*)$`, "m").exec(text);
    if (m) secrets[name] = m[1].replace(/^'(.*)'$/, "$1");
  }
  return secrets;
}

/** Applies migrations/d1 in order to a D1 database from `mf.getD1Database`. */
export async function applyD1Migrations(db) {
  for (const file of readdirSync(join(root, "migrations/d1")).sort()) {
    const sql = readFileSync(join(root, "migrations/d1", file), "utf8").replace(/^--.*$/gm, "");
    for (const statement of sql.split(";").map((x) => x.trim()).filter(Boolean)) await db.prepare(statement).run();
  }
}

/**
 * Onboards an admin through the public routes (bootstrap, the code from the dev outbox,
 * complete-registration, login). `send(path, init)` reaches the Worker (a `fetch` on its
 * URL, or a Miniflare `getWorker(...).fetch`); the Worker needs ENVIRONMENT=development.
 * Returns the login's session-bound `token` and `refreshToken`, `tenantId`, `userId`.
 */
export async function onboardAdmin(send, { email, password = PASSWORD, domain, headers = {} }) {
  const post = (path, body) =>
    send(path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  const started = await post("/authsec/uflow/auth/admin/login/bootstrap", {
    email, password, confirm_password: password, tenant_domain: domain, name: "Ada", biometric_verified: true,
  });
  if (started.status !== 201) throw new Error(`bootstrap answered ${started.status}: ${await started.text()}`);
  const otp = await mailedCode(send, email);
  const done = await post("/authsec/uflow/auth/admin/complete-registration", { email, otp, password });
  if (done.status !== 201) throw new Error(`registration failed: ${await done.text()}`);
  const registered = await done.json();
  const res = await post("/authsec/uflow/auth/admin/login", { email, password });
  if (res.status !== 200) throw new Error(`login answered ${res.status}: ${await res.text()}`);
  const login = await res.json();
  return {
    email, password, token: login.token, refreshToken: login.refresh_token,
    tenantId: registered.tenant_id, userId: registered.user_id, sessionId: login.session_id,
  };
}

/** The latest 6-digit code the dev outbox holds for `email`. */
export async function mailedCode(send, email) {
  const res = await send(`/authsec/dev/outbox?to=${encodeURIComponent(email)}`, {});
  if (res.status !== 200) throw new Error(`dev outbox answered ${res.status}: ${await res.text()}`);
  const outbox = await res.json();
  const m = /\b(\d{6})\b/.exec(outbox.messages[0]?.body ?? "");
  if (!m) throw new Error(`no code was mailed to ${email}`);
  return m[1];
}
