// Benchmarks the built Worker against references under one harness: each Worker is
// served by Miniflare straight from workerd (no wrangler dev proxy, which caps even a
// hello-world near 500 req/s here), driven by wrk at fixed concurrency, one at a time.
// Prints req/s, p50/p99 and ratios, and the Worker's wasm size raw and gzipped.
// `--only oauth` times the OAuth token grants against @cloudflare/workers-oauth-provider
// with a fixed-count driver instead of wrk (codes are single use).
//
// Usage: taskset -c 0 node scripts/lib/bench.mjs [--duration 10] [--connections 16]
//        [--threads 1] [--load-core 1] [--only verify|rbac|login|trips|oauth]
//        [--oauth-requests 500] [--oauth-batch 250]
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { defaultClaims, readSigningKey, signToken } from "./mint.mjs";
import { freePort } from "./worker.mjs";
import { BACKENDS, measure } from "./call-counts.mjs";
import { basic, combineLoads, exchangeBody, FORM, mintCodes, oursOAuth, referenceOAuth, runLoad } from "./oauth-bench.mjs";
import {
  COMPATIBILITY_DATE, applyD1Migrations, onboardAdmin, ourModules, ourWorker, readSecrets, root, workerModules,
} from "./miniflare.mjs";

const out = join(root, "bench-output");
mkdirSync(out, { recursive: true });
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const duration = Number(option("--duration", "5"));
const rounds = Number(option("--rounds", "3"));
const connections = Number(option("--connections", "16"));
const threads = Number(option("--threads", "1"));
const loadCore = option("--load-core", "1");
const only = option("--only", "all"); // all | verify | rbac | login | trips | oauth
// The OAuth grants run a fixed number of requests (codes are single use; see
// scripts/lib/load.mjs), at the same concurrency as wrk, in batches: our codes live 60 s,
// so each batch is minted and then spent before the next is minted (both Workers alike).
const oauthRequests = Number(option("--oauth-requests", "500"));
const oauthBatch = Number(option("--oauth-batch", "250"));

function median(values) {
  return values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

function fmtNumber(n, digits = 0) {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

const BASE_URL = "http://bench.authsec.test";
const varsFile = join(out, "bench.vars");
spawnSync(process.execPath, [join(root, "scripts/lib/dev-vars.mjs"), varsFile], { stdio: "inherit" });
const { SIGNING_KEYS, SECRET_PEPPER, ENCRYPTION_KEY } = readSecrets(varsFile);
const jwk = readSigningKey(varsFile);
const { d, ...publicJwk } = jwk;
void d;
const JWKS = JSON.stringify({ keys: [{ ...publicJwk, alg: "ES256", use: "sig" }] });
const mintOne = () => signToken(jwk, { ...defaultClaims(BASE_URL), exp: Math.floor(Date.now() / 1000) + 3600 });
const token = await mintOne();
const verifyBody = JSON.stringify({ token });
// More distinct tokens than our verification cache holds (4096), cycled in order, so
// every request of the "unique tokens" runs misses the cache: the cold path.
const UNIQUE = 6000;
const uniqueTokens = [];
for (let i = 0; i < UNIQUE; i++) uniqueTokens.push(await mintOne());

const referenceBundle = join(out, "reference-verify.js");
await build({
  entryPoints: [join(root, "scripts/bench-workers/reference-verify.mjs")],
  bundle: true,
  format: "esm",
  platform: "neutral",
  outfile: referenceBundle,
  logLevel: "warning",
});

// Our entry (guard + worker-build's output), bundled once for every Miniflare below, and
// the workers-rs hello-world (scripts/bench builds it with the same toolchain).
const oursModules = await ourModules();
const helloRsDir = join(root, "scripts/bench-workers/hello-rs/build");
const helloRsModules = await workerModules(join(helloRsDir, "index.js"), helloRsDir);

const esm = (path, extra = []) => ({
  modulesRoot: resolve(path, ".."),
  modules: [{ type: "ESModule", path }, ...extra],
});
const common = { compatibilityDate: COMPATIBILITY_DATE, host: "127.0.0.1" };
const oursWith = async (bindings) => ({ ...common, ...(await ourWorker({ modules: oursModules, bindings })) });
const workers = {
  ours: () => oursWith({ BASE_URL, SIGNING_KEYS, SECRET_PEPPER, ENVIRONMENT: "production" }),
  reference: () => ({ ...common, ...esm(referenceBundle), bindings: { BASE_URL, JWKS } }),
  hello: () => ({ ...common, ...esm(join(root, "scripts/bench-workers/hello.mjs")) }),
  helloRs: () => ({ ...common, ...helloRsModules }),
};

// A wrk script that POSTs {"token": token} with a fixed body (the cheapest for wrk): every
// same-token run, ours and the reference alike, uses one of these.
function fixedVerifyScript(file, oneToken) {
  const path = join(out, file);
  writeFileSync(
    path,
    `wrk.method = "POST"\nwrk.headers["content-type"] = "application/json"\nwrk.body = ${JSON.stringify(JSON.stringify({ token: oneToken }))}\n`,
  );
  return path;
}
const luaPost = fixedVerifyScript("post-verify.lua", token);
// A wrk script that POSTs {"token": t} for each of `tokens` in turn.
function verifyScript(file, tokens) {
  const path = join(out, file);
  writeFileSync(
    path,
    `local tokens = {\n${tokens.map((t) => `"${t}",`).join("\n")}\n}\n` +
      `local i = 0\nlocal headers = { ["content-type"] = "application/json" }\n` +
      `request = function()\n  i = i % #tokens + 1\n  return wrk.format("POST", nil, headers, '{"token":"' .. tokens[i] .. '"}')\nend\n`,
  );
  return path;
}
const luaUnique = verifyScript("post-verify-unique.lua", uniqueTokens);

function runWrk(url, script) {
  const wrkArgs = ["-t", String(threads), "-c", String(connections), "-d", `${duration}s`, "--latency"];
  if (script) wrkArgs.push("-s", script);
  // With two cores, workerd (this process's child, pinned by scripts/bench to core 0) and
  // wrk (core 1) would otherwise steal each other's time and make the ratios noise.
  const res = spawnSync("taskset", ["-c", loadCore, "wrk", ...wrkArgs, url], { encoding: "utf8" });
  if (res.status !== 0) throw new Error(`wrk failed: ${res.stderr}`);
  const text = res.stdout;
  const toMs = (value, unit) => Number(value) * { us: 0.001, ms: 1, s: 1000 }[unit];
  const pct = (p) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)`, "m").exec(text);
    return m ? toMs(m[1], m[2]) : NaN;
  };
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(text)[1]), p50: pct(50), p99: pct(99), non2xx, raw: text };
}

async function bench(name, path, script, warmBody = verifyBody) {
  const port = await freePort();
  const mf = new Miniflare({ ...(await workers[name]()), port });
  try {
    const url = (await mf.ready).toString().replace(/\/$/, "") + path;
    // Warm up: instantiate the isolate, import keys, fill caches, and check the answer.
    for (let i = 0; i < 50; i++) {
      const res = await fetch(url, script ? { method: "POST", body: warmBody, headers: { "content-type": "application/json" } } : {});
      const body = await res.text();
      if (res.status !== 200) throw new Error(`${name} ${path} answered ${res.status}: ${body}`);
    }
    const result = runWrk(url, script);
    if (result.non2xx > 0) throw new Error(`${name}: ${result.non2xx} non-2xx responses under load`);
    return result;
  } finally {
    await mf.dispose();
  }
}

// A Miniflare serving our Worker with the D1 schema applied and one onboarded admin;
// returns { mf, url, post, email, password, token } (a session-bound admin token).
async function onboardedWorker(extraBindings = {}) {
  const port = await freePort();
  const mf = new Miniflare({
    ...(await oursWith({
      BASE_URL, SIGNING_KEYS, SECRET_PEPPER, ENVIRONMENT: "development", ADMIN_AUTH_PER_MINUTE: "1000", ...extraBindings,
    })),
    port,
  });
  await applyD1Migrations(await mf.getD1Database("DB"));
  const url = (await mf.ready).toString().replace(/\/$/, "");
  const post = (path, body, headers = {}) =>
    fetch(url + path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  const admin = await onboardAdmin((path, init) => fetch(url + path, init), { email: "bench@example.test", domain: "bench" });
  const { email, password, token, refreshToken, tenantId } = admin;
  return { mf, url, post, email, password, token, refreshToken, tenantId };
}

// RBAC: a permission check (token verification + session and RBAC version from the
// tenant's Durable Object + the cached permission set) against token/verify with the same
// session-bound token (verification + the session check): the floor a check can reach.
async function rbacBenchmark() {
  const { mf, url, post, token } = await onboardedWorker();
  try {
    const auth = { authorization: `Bearer ${token}` };
    const role = await (await post("/authsec/uflow/admin/roles", { name: "reader", permission_strings: ["docs:read"] }, auth)).json();
    const me = await (await post("/authsec/authmgr/token/verify", { token })).json();
    await post("/authsec/uflow/admin/bindings", { user_id: me.user_id, role_id: role.id }, auth);
    const verifyLua = fixedVerifyScript("post-verify-session.lua", token);
    const checkLua = join(out, "get-check.lua");
    writeFileSync(checkLua, `wrk.method = "GET"\nwrk.headers["authorization"] = "Bearer ${token}"\n`);
    const variants = {
      verify: [`${url}/authsec/authmgr/token/verify`, verifyLua],
      check: [`${url}/authsec/authmgr/user/check/permission?resource=docs&action=read`, checkLua],
    };
    const check = await fetch(variants.check[0], { headers: auth });
    const answer = await check.json();
    if (answer.has_permission !== true) throw new Error(`check answered ${JSON.stringify(answer)}`);
    const samples = { verify: [], check: [] };
    for (let round = 1; round <= rounds; round++) {
      for (const [key, [target, script]] of Object.entries(variants)) {
        const r = runWrk(target, script);
        if (r.non2xx > 0) throw new Error(`${key}: ${r.non2xx} non-2xx responses under load`);
        samples[key].push(r);
        console.log(`round ${round}/${rounds} ${key.padEnd(16)} ${fmt(r.rps)} req/s`);
      }
    }
    const med = (rs) => ({ rps: median(rs.map((r) => r.rps)), p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)) });
    const results = { verify: med(samples.verify), check: med(samples.check) };
    console.log("\nsession-bound token, one Worker, medians of rounds      req/s      p50 ms   p99 ms");
    for (const [key, label] of [["verify", "floor: token/verify"], ["check", "authmgr/user/check/permission"]]) {
      const r = results[key];
      console.log(`${label.padEnd(54)} ${fmt(r.rps).padStart(8)} ${fmt(r.p50, 2).padStart(10)} ${fmt(r.p99, 2).padStart(8)}`);
    }
    const ratio = results.check.rps / results.verify.rps;
    console.log(`\ncheck/permission vs token/verify: ${ratio.toFixed(2)}x req/s  (target >= ${TARGETS.checkVsVerify})`);
    return { results, ratio };
  } finally {
    await mf.dispose();
  }
}

// Login: sequential requests with the correct password, for the configured Argon2id
// parameters and for a near-free floor; the difference is what hashing costs per login
// inside workerd (wall time; workerd's clock only advances across I/O, so it is measured
// from the client).
async function benchLogin(memoryKib, iterations, logins = 25) {
  const { mf, post, email, password } = await onboardedWorker({
    ARGON2_MEMORY_KIB: String(memoryKib), ARGON2_ITERATIONS: String(iterations),
  });
  try {
    const times = [];
    for (let i = 0; i < logins + 3; i++) {
      const started = performance.now();
      const res = await post("/authsec/uflow/auth/admin/login", { email, password });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`login answered ${res.status}`);
      if (i >= 3) times.push(performance.now() - started);
    }
    return median(times);
  } finally {
    await mf.dispose();
  }
}

// Round trips: per main route, the remote calls one warm request waits for (from the
// Worker's /metrics: authsec_backend_calls_total and authsec_critical_path_depth), and
// what its critical-path depth costs at typical round-trip times to the data.
const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
const CIBA_GRANT = "urn:openid:params:grant-type:ciba";

function base32Decode(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0, value = 0;
  const bytes = [];
  for (const c of text) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

async function totpCode(secret, step) {
  const { createHmac } = await import("node:crypto");
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", secret).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

async function tripsBenchmark() {
  // Factor enrolment (TOTP) needs the encryption key.
  const { mf, url, post, email, password, token, refreshToken, tenantId } = await onboardedWorker({ ENCRYPTION_KEY });
  const json = async (res, ...ok) => {
    const text = await res.text();
    if (ok.length && !ok.includes(res.status)) throw new Error(`${res.url} answered ${res.status}: ${text}`);
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  };
  const get = (path, headers = {}) => fetch(url + path, { headers });
  const auth = (t) => ({ authorization: `Bearer ${t}` });
  const code = async (to) => {
    const outbox = await json(await get(`/authsec/dev/outbox?to=${encodeURIComponent(to)}`), 200);
    return /\b(\d{6})\b/.exec(outbox.messages[0].body)[1];
  };
  const rows = [];
  const skipped = [];
  const row = async (label, route, action, warm) => {
    try {
      if (warm) await warm();
      rows.push({ label, ...(await measure(url, route, action)) });
    } catch (error) {
      skipped.push(`${label}: ${error.message}`);
    }
  };
  try {
    const minted = await mintOne();
    const verify = (t) => async () => json(await post("/authsec/authmgr/token/verify", { token: t }), 200);
    await row("token/verify, session-less token", "/authsec/authmgr/token/verify", verify(minted), verify(minted));
    await row("token/verify, session-bound token", "/authsec/authmgr/token/verify", verify(token), verify(token));
    const check = async () =>
      json(await get("/authsec/authmgr/user/check/permission?resource=docs&action=read", auth(token)), 200);
    await row("authmgr/user/check/permission", "/authsec/authmgr/user/check/permission", check, check);
    const jwks = async () => json(await get("/.well-known/jwks.json"), 200);
    await row("JWKS", "/.well-known/jwks.json", jwks, jwks);
    const adminLogin = async () => json(await post("/authsec/uflow/auth/admin/login", { email, password }), 200);
    await row("admin login (password)", "/authsec/uflow/auth/admin/login", adminLogin, adminLogin);
    let refresh = refreshToken;
    await row("refresh", "/authsec/uflow/auth/token/refresh", async () => {
      refresh = (await json(await post("/authsec/uflow/auth/token/refresh", { refresh_token: refresh }), 200)).refresh_token;
    });

    // The OAuth token endpoint: client_credentials and the code exchange (a service
    // client bound to a role; an end user signed in once through the forms).
    try {
      rows.push(...(await oauthTripRows(url, await oursOAuth(url, { token, tenantId }))));
    } catch (error) {
      skipped.push(`OAuth token endpoint: ${error.message}`);
    }

    // An end user of the tenant's default client (its id is in the admin's token).
    const clientId = (await json(await post("/authsec/authmgr/token/verify", { token }), 200)).client_id;
    const userEmail = "bench-user@example.test";
    const userPassword = "a long and private passphrase";
    await json(await post("/authsec/uflow/user/register/initiate", { client_id: clientId, email: userEmail, password: userPassword }), 200);
    await json(await post("/authsec/uflow/user/register/complete", {
      client_id: clientId, email: userEmail, otp: await code(userEmail), password: userPassword,
    }), 201);
    const userLogin = async () =>
      json(await post("/authsec/uflow/user/login", { client_id: clientId, email: userEmail, password: userPassword }), 200);
    await row("end-user login (password)", "/authsec/uflow/user/login", userLogin, userLogin);

    // Client create (the admin's), then a confidential CIBA client and the device grant.
    let n = 0;
    const createClient = async (body) =>
      json(await post(`/authsec/clientms/tenants/${tenantId}/clients/create`, body, auth(token)), 201);
    await row("client create", /\/clients\/create$/, async () => createClient({ name: `bench-${++n}`, client_type: "public" }));
    const ciba = await createClient({ name: "bench-ciba", client_type: "confidential", grant_types: [CIBA_GRANT] });
    await row("CIBA poll (pending)", "/authsec/uflow/auth/ciba/token", async () => {
      const started = await json(await post("/authsec/uflow/auth/ciba/initiate", {
        login_hint: email, binding_message: "bench", client_id: ciba.client_id, client_secret: ciba.client_secret,
      }), 200);
      await json(await post("/authsec/uflow/auth/ciba/token", {
        auth_req_id: started.auth_req_id, client_id: ciba.client_id, client_secret: ciba.client_secret,
      }));
    });
    const put = await fetch(`${url}/authsec/clientms/tenants/${tenantId}/clients/${clientId}`, {
      method: "PUT", headers: { "content-type": "application/json", ...auth(token) }, body: JSON.stringify({ grant_types: [DEVICE_GRANT] }),
    });
    await json(put, 200);
    await row("device poll (pending)", "/authsec/uflow/auth/device/token", async () => {
      const started = await json(await post("/authsec/uflow/auth/device/code", { client_id: clientId }), 200);
      await json(await post("/authsec/uflow/auth/device/token", { device_code: started.device_code }));
    });

    // TOTP: enrol the admin (a step-up with the password), then log in with the code.
    const reg = await json(await post("/authsec/uflow/auth/totp/register", { device_name: "bench", password }, auth(token)), 200);
    const secret = base32Decode(reg.secret);
    const left = 30 - ((Date.now() / 1000) % 30);
    if (left < 10) await new Promise((r) => setTimeout(r, left * 1000 + 200));
    const step = Math.floor(Date.now() / 30_000);
    await json(await post("/authsec/uflow/auth/totp/confirm", {
      device_id: reg.device_id, totp_code: await totpCode(secret, step - 1), step_up_token: reg.step_up_token,
    }, auth(token)), 200);
    await row("TOTP login (second step)", "/authsec/uflow/auth/totp/login", async () => {
      const pending = await json(await post("/authsec/uflow/auth/admin/login", { email, password }), 200);
      await json(await post("/authsec/uflow/auth/totp/login", { mfa_token: pending.mfa_token, totp_code: await totpCode(secret, step) }), 200);
    }, undefined);
    skipped.push("passkey finish: needs an authenticator (the e2e suite drives one in a browser); not measured here");
  } finally {
    await mf.dispose();
  }
  const short = { durable_object: "DO", d1: "D1", kv: "KV", hyperdrive: "PG", fetch: "fetch" };
  const header = `${"route (warm Worker, D1 store)".padEnd(36)}${BACKENDS.map((b) => short[b].padStart(6)).join("")}  depth   @30ms   @80ms  @150ms`;
  console.log(`\nround trips per request: calls per backend and critical-path depth (calls waited for one after another)\n`);
  console.log(header);
  for (const r of rows) {
    const ms = [30, 80, 150].map((rtt) => `${r.depth * rtt}`.padStart(8)).join("");
    console.log(`${r.label.padEnd(36)}${BACKENDS.map((b) => String(r.calls[b]).padStart(6)).join("")}  ${String(r.depth).padStart(5)}${ms}`);
  }
  console.log("\n@N ms: depth x N ms, the waiting a deployed request adds at that round trip to the data.");
  for (const s of skipped) console.log(`skipped ${s}`);
  return { rows, skipped };
}

// OAuth token endpoint: our two grants against @cloudflare/workers-oauth-provider serving
// the same grant in the same harness. The library has no client_credentials grant, so
// that row has no reference: the bench asks the reference for it and prints its refusal.
const OAUTH_TOKEN = "/authsec/oauth/token";
const REFERENCE_TOKEN = "/oauth/token";
const CODE_SCOPE = "email profile"; // plain OAuth: an access and a refresh token, as the reference issues
const OIDC_SCOPE = "openid email profile"; // ours also signs an id_token (the reference is no OpenID provider)
const CC_BODY = new URLSearchParams({ grant_type: "client_credentials", scope: "documents:read" }).toString();
const WARM = 50;

const referenceOAuthBundle = join(out, "reference-oauth.js");
let referenceOAuthBuilt;
async function referenceOAuthWorker(port, extraBindings = {}) {
  referenceOAuthBuilt ??= build({
    entryPoints: [join(root, "scripts/bench-workers/reference-oauth.mjs")],
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    external: ["cloudflare:*"],
    outfile: referenceOAuthBundle,
    logLevel: "error",
  });
  await referenceOAuthBuilt;
  return {
    ...common,
    ...esm(referenceOAuthBundle),
    kvNamespaces: ["OAUTH_KV"],
    bindings: { ISSUER: `http://127.0.0.1:${port}`, RESOURCE: "https://api.bench.test/", BENCH_USER: "bench-user", ...extraBindings },
  };
}
const referenceVersion = () =>
  JSON.parse(readFileSync(join(root, "node_modules/@cloudflare/workers-oauth-provider/package.json"), "utf8")).version;

// Our Worker or the reference in a fresh Miniflare, set up for the grants:
// { mf, url, tokenUrl, code: {id, secret}, service?: {id, secret}, mintCode(scope) }.
async function oauthWorker(worker, extraBindings = {}) {
  if (worker === "ours") {
    const w = await onboardedWorker();
    try {
      return { mf: w.mf, url: w.url, tokenUrl: w.url + OAUTH_TOKEN, ...(await oursOAuth(w.url, w)) };
    } catch (error) {
      await w.mf.dispose();
      throw error;
    }
  }
  const port = await freePort();
  const mf = new Miniflare({ ...(await referenceOAuthWorker(port, extraBindings)), port });
  const url = (await mf.ready).toString().replace(/\/$/, "");
  try {
    return { mf, url, tokenUrl: url + REFERENCE_TOKEN, ...(await referenceOAuth(url)) };
  } catch (error) {
    await mf.dispose();
    throw error;
  }
}

const formPost = (url, body, authorization) =>
  fetch(url, { method: "POST", headers: { "content-type": FORM, authorization }, body });
async function expectOk(res, what) {
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${what} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

// One timed run of a variant in a fresh Miniflare: set up, warm the isolate with WARM
// requests, then time `oauthRequests` requests in batches of `oauthBatch`; for the code
// exchange each batch's codes are minted (untimed) just before it.
async function oauthRun({ worker, grant, scope }) {
  const w = await oauthWorker(worker);
  try {
    const isCode = grant === "code";
    const authorization = isCode ? basic(w.code.id, w.code.secret) : basic(w.service.id, w.service.secret);
    const bodiesOf = async (count) => (isCode ? (await mintCodes(w.mintCode, count, scope)).map(exchangeBody) : Array(count).fill(CC_BODY));
    for (const body of await bodiesOf(WARM)) await expectOk(await formPost(w.tokenUrl, body, authorization), `${worker} ${grant} warm-up`);
    const runs = [];
    for (let done = 0; done < oauthRequests; done += oauthBatch) {
      const bodies = await bodiesOf(Math.min(oauthBatch, oauthRequests - done));
      runs.push(await runLoad(w.tokenUrl, bodies, { authorization, concurrency: connections, loadCore }));
    }
    const result = combineLoads(runs);
    if (result.statuses["200"] !== oauthRequests) {
      const hint = isCode ? " (codes live 60 s: a smaller --oauth-batch spends each batch sooner)" : "";
      throw new Error(`${worker} ${grant}: answers under load ${JSON.stringify(result.statuses)}${hint}`);
    }
    return result;
  } finally {
    await w.mf.dispose();
  }
}

// Our two grants' calls per backend and critical-path depth, one warm request each, on
// a Worker `oursOAuth` set up (shared with the trips mode).
async function oauthTripRows(url, ready) {
  const rows = [];
  const cc = basic(ready.service.id, ready.service.secret);
  const clientCredentials = async () => expectOk(await formPost(url + OAUTH_TOKEN, CC_BODY, cc), "client_credentials");
  await clientCredentials();
  rows.push({ label: "OAuth client_credentials", ...(await measure(url, OAUTH_TOKEN, clientCredentials)) });
  for (const [label, scope] of [["OAuth code exchange", CODE_SCOPE], ["OAuth code exchange (openid)", OIDC_SCOPE]]) {
    const codes = await mintCodes(ready.mintCode, 10, scope, 1);
    const auth = basic(ready.code.id, ready.code.secret);
    const exchange = async () => expectOk(await formPost(url + OAUTH_TOKEN, exchangeBody(codes.pop()), auth), label);
    await exchange();
    rows.push({ label, ...(await measure(url, OAUTH_TOKEN, exchange)) });
  }
  return rows;
}

// The reference's KV calls and depth on one warm code exchange (its Worker counts them
// when COUNT_KV=1: see scripts/bench-workers/reference-oauth.mjs), and its answer to
// client_credentials.
async function referenceTrips() {
  const w = await oauthWorker("reference", { COUNT_KV: "1" });
  try {
    const [warm, one] = await mintCodes(w.mintCode, 2, CODE_SCOPE, 1);
    const auth = basic(w.code.id, w.code.secret);
    await expectOk(await formPost(w.tokenUrl, exchangeBody(warm), auth), "reference exchange");
    const res = await formPost(w.tokenUrl, exchangeBody(one), auth);
    await expectOk(res.clone(), "reference exchange");
    const exchange = JSON.parse(res.headers.get("x-bench-kv"));
    const refused = await formPost(w.tokenUrl, CC_BODY, auth);
    const clientCredentials = { status: refused.status, error: (await refused.json()).error };
    return { exchange, clientCredentials };
  } finally {
    await w.mf.dispose();
  }
}

async function oauthBenchmark() {
  const allVariants = {
    oursCode: { worker: "ours", grant: "code", scope: CODE_SCOPE },
    oursCodeOidc: { worker: "ours", grant: "code", scope: OIDC_SCOPE },
    referenceCode: { worker: "reference", grant: "code", scope: CODE_SCOPE },
    oursClientCredentials: { worker: "ours", grant: "client_credentials" },
  };
  const wanted = process.env.BENCH_VARIANTS?.split(",");
  const variants = Object.fromEntries(Object.entries(allVariants).filter(([k]) => !wanted || wanted.includes(k)));
  const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const [key, variant] of Object.entries(variants)) {
      const r = await oauthRun(variant);
      samples[key].push(r);
      console.log(`round ${round}/${rounds} ${key.padEnd(22)} ${fmt(r.rps)} req/s`);
    }
  }
  const results = Object.fromEntries(
    Object.entries(samples).map(([k, rs]) => [
      k,
      {
        rps: median(rs.map((r) => r.rps)), p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)),
        resent: rs.reduce((sum, r) => sum + r.resent, 0),
      },
    ]),
  );
  const version = referenceVersion();
  const ref = await referenceTrips();
  const gap = `not served: the reference answers ${ref.clientCredentials.status} ${ref.clientCredentials.error}`;
  console.log(`\nOAuth token endpoint: ${fmt(oauthRequests)} requests per run in batches of ${oauthBatch}, ${connections} at a time ` +
    `(a fixed count: codes are single use), medians of ${rounds} rounds; each Worker alone in Miniflare/workerd on 127.0.0.1\n`);
  console.log(`${"worker".padEnd(72)}    req/s      p50 ms   p99 ms`);
  const reference = `reference (workers-oauth-provider ${version})`;
  for (const [name, label] of [
    ["oursCode", "ours: authorization_code exchange"],
    ["oursCodeOidc", "ours: authorization_code exchange, openid (+ id_token)"],
    ["referenceCode", `${reference}: authorization_code exchange`],
    ["oursClientCredentials", "ours: client_credentials"],
  ]) {
    const r = results[name];
    if (!r) continue;
    console.log(`${label.padEnd(72)} ${fmt(r.rps).padStart(8)} ${fmt(r.p50, 2).padStart(10)} ${fmt(r.p99, 2).padStart(8)}`);
  }
  console.log(`${`${reference}: client_credentials`.padEnd(72)} ${gap}`);
  for (const [name, r] of Object.entries(results)) {
    if (r.resent) console.log(`(${name}: ${r.resent} requests sent again after the server closed their keep-alive socket)`);
  }
  const rps = (key) => results[key]?.rps ?? NaN;
  const ratios = {
    codeVsReference: rps("oursCode") / rps("referenceCode"),
    codeOidcVsReference: rps("oursCodeOidc") / rps("referenceCode"),
    clientCredentialsVsReference: null,
  };
  // Each round's own ratio too: on a shared machine their spread is the error bar.
  const perRound = (key) =>
    (samples[key] ?? []).map((r, i) => (r.rps / (samples.referenceCode?.[i]?.rps ?? NaN)).toFixed(2)).join(", ");
  console.log(`\nauthorization_code exchange, ours / reference: ${ratios.codeVsReference.toFixed(2)}x req/s (rounds: ${perRound("oursCode")})`);
  console.log(`authorization_code exchange with openid (ours also signs an id_token) / reference: ` +
    `${ratios.codeOidcVsReference.toFixed(2)}x req/s (rounds: ${perRound("oursCodeOidc")})`);
  console.log(`client_credentials, ours / reference: no ratio, the reference has no client_credentials grant (${ref.clientCredentials.error})`);

  // Critical-path depth: ours from /metrics, the reference's KV calls as its Worker counts them.
  const w = await oauthWorker("ours");
  let rows;
  try {
    rows = await oauthTripRows(w.url, w);
  } finally {
    await w.mf.dispose();
  }
  const short = { durable_object: "DO", d1: "D1", kv: "KV", hyperdrive: "PG", fetch: "fetch" };
  console.log(`\ncritical path, one warm request: calls per backend and depth (calls waited for one after another)\n`);
  console.log(`${"".padEnd(40)}${BACKENDS.map((b) => short[b].padStart(6)).join("")}  depth   @30ms   @80ms  @150ms`);
  const line = (label, calls, depth) =>
    console.log(`${label.padEnd(40)}${BACKENDS.map((b) => String(calls[b] ?? 0).padStart(6)).join("")}  ${String(depth).padStart(5)}` +
      [30, 80, 150].map((rtt) => `${depth * rtt}`.padStart(8)).join(""));
  for (const r of rows) line(`ours: ${r.label}`, r.calls, r.depth);
  line("reference: OAuth code exchange", { kv: ref.exchange.calls }, ref.exchange.depth);
  console.log(`reference: client_credentials: ${gap}`);
  return { requests: oauthRequests, batch: oauthBatch, results, ratios, referenceVersion: version, reference: ref, depths: rows };
}

const fmt = fmtNumber;
const summary = { duration, rounds, connections, threads };

// Session-bound tokens from a real login: one, and more than the verification cache
// holds, from a chain of refreshes of that session (each refresh mints a new token of the
// same session). Made once in a throwaway Worker: the edge tier needs no session record
// to accept them (no revocation published), so every bench Worker below verifies them.
async function sessionTokens(count) {
  const { mf, post, token, refreshToken } = await onboardedWorker();
  try {
    const tokens = [];
    let refresh = refreshToken;
    while (tokens.length < count) {
      const res = await post("/authsec/uflow/auth/token/refresh", { refresh_token: refresh });
      if (res.status !== 200) throw new Error(`refresh answered ${res.status}: ${await res.text()}`);
      const body = await res.json();
      tokens.push(body.access_token);
      refresh = body.refresh_token;
    }
    return { token, tokens };
  } finally {
    await mf.dispose();
  }
}

// Start-up: a Worker's first answer after Miniflare reports ready (workerd creates the
// isolate and compiles and instantiates the module on that first request), median of 3.
// (Node 20's V8 cannot compile our module alone: it uses reference types Node gates.)
async function startup() {
  const firstAnswer = async (name, path) => {
    const times = [];
    for (let i = 0; i < 3; i++) {
      const mf = new Miniflare({ ...(await workers[name]()), port: await freePort() });
      try {
        const url = (await mf.ready).toString().replace(/\/$/, "") + path;
        const started = performance.now();
        await (await fetch(url)).arrayBuffer();
        times.push(performance.now() - started);
      } finally {
        await mf.dispose();
      }
    }
    return median(times);
  };
  return {
    firstAnswerMs: {
      ours: await firstAnswer("ours", "/authsec/start-up-probe"), // a 404: no backend call
      helloRs: await firstAnswer("helloRs", "/"),
      hello: await firstAnswer("hello", "/"),
    },
  };
}

const TARGETS = { sessionVsJose: 1.5, coldVsJose: 1.0, sessionVsHelloRs: 0.8, checkVsVerify: 0.9 };

async function verifyBenchmark() {
  const session = await sessionTokens(UNIQUE);
  const sessionBody = JSON.stringify({ token: session.token });
  const luaSession = fixedVerifyScript("post-verify-login-token.lua", session.token);
  const luaSessionUnique = verifyScript("post-verify-login-tokens.lua", session.tokens);
  const allVariants = {
    oursSession: ["ours", "/authsec/authmgr/token/verify", luaSession, sessionBody],
    oursSessionUnique: ["ours", "/authsec/authmgr/token/verify", luaSessionUnique, sessionBody],
    ours: ["ours", "/authsec/authmgr/token/verify", luaPost],
    oursUnique: ["ours", "/authsec/authmgr/token/verify", luaUnique],
    reference: ["reference", "/verify", luaPost],
    referenceUnique: ["reference", "/verify", luaUnique],
    helloRs: ["helloRs", "/", null],
    hello: ["hello", "/", null],
  };
  // BENCH_VARIANTS=oursSession,reference,helloRs narrows a quick comparison (ratios that
  // need a missing variant print as NaN).
  const wanted = process.env.BENCH_VARIANTS?.split(",");
  const variants = Object.fromEntries(Object.entries(allVariants).filter(([k]) => !wanted || wanted.includes(k)));
  // Rounds interleave the variants so that drift on the machine hits all of them alike;
  // each figure is the median over rounds.
  const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const [key, [name, path, script, warmBody]] of Object.entries(variants)) {
      const r = await bench(name, path, script, warmBody);
      samples[key].push(r);
      console.log(`round ${round}/${rounds} ${key.padEnd(18)} ${fmt(r.rps)} req/s`);
    }
  }
  const results = Object.fromEntries(
    Object.entries(samples).map(([k, rs]) => [
      k,
      { rps: median(rs.map((r) => r.rps)), p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)) },
    ]),
  );
  console.log(`\nwrk -t${threads} -c${connections} -d${duration}s, medians of ${rounds} rounds; each Worker alone in Miniflare/workerd on 127.0.0.1\n`);
  console.log("worker                                          req/s      p50 ms   p99 ms");
  for (const [name, label] of [
    ["oursSession", "ours: verify, session-bound, same token"],
    ["oursSessionUnique", "ours: verify, session-bound, unique tokens"],
    ["ours", "ours: verify, session-less, same token"],
    ["oursUnique", "ours: verify, session-less, unique tokens"],
    ["reference", "reference (jose), same token"],
    ["referenceUnique", "reference (jose), unique tokens"],
    ["helloRs", "floor: hello-world (workers-rs)"],
    ["hello", "floor: hello-world (JavaScript)"],
  ]) {
    const r = results[name];
    if (!r) continue;
    console.log(`${label.padEnd(46)} ${fmt(r.rps).padStart(8)} ${fmt(r.p50, 2).padStart(10)} ${fmt(r.p99, 2).padStart(8)}`);
  }
  const rps = (key) => results[key]?.rps ?? NaN;
  const ratios = {
    sessionVsJose: rps("oursSession") / rps("reference"),
    coldVsJose: rps("oursSessionUnique") / rps("referenceUnique"),
    sessionLessVsJose: rps("ours") / rps("reference"),
    sessionLessColdVsJose: rps("oursUnique") / rps("referenceUnique"),
    sessionVsHelloRs: rps("oursSession") / rps("helloRs"),
    helloRsVsHello: rps("helloRs") / rps("hello"),
  };
  const mark = (value, target) => `${value.toFixed(2)}x  (target >= ${target}: ${value >= target ? "met" : "missed"})`;
  console.log(`\nwarm verify, session-bound / jose, same token: ${mark(ratios.sessionVsJose, TARGETS.sessionVsJose)}`);
  console.log(`cold verify, session-bound unique tokens / jose unique: ${mark(ratios.coldVsJose, TARGETS.coldVsJose)}`);
  console.log(`warm verify, session-bound / workers-rs hello-world: ${mark(ratios.sessionVsHelloRs, TARGETS.sessionVsHelloRs)}`);
  console.log(`session-less: ${ratios.sessionLessVsJose.toFixed(2)}x jose same token, ${ratios.sessionLessColdVsJose.toFixed(2)}x jose unique`);
  console.log(`workers-rs hello-world / JavaScript hello-world: ${ratios.helloRsVsHello.toFixed(2)}x (the Rust platform's own floor)`);
  const size = (file) => {
    const bytes = readFileSync(file);
    return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  };
  const wasm = size(join(root, "build/index_bg.wasm"));
  const helloWasm = size(join(helloRsDir, "index_bg.wasm"));
  const start = await startup();
  console.log(`\nwasm: ours ${fmt(wasm.raw)} bytes raw, ${fmt(wasm.gzip)} gzipped (target < 800,000); hello-rs ${fmt(helloWasm.raw)} raw, ${fmt(helloWasm.gzip)} gzipped`);
  console.log(`first answer after start (isolate + module + request): ours ${fmt(start.firstAnswerMs.ours, 1)} ms, ` +
    `hello-rs ${fmt(start.firstAnswerMs.helloRs, 1)} ms, JavaScript hello ${fmt(start.firstAnswerMs.hello, 1)} ms`);
  return { results, ratios, wasmBytes: wasm.raw, wasmGzipBytes: wasm.gzip, helloRsWasm: helloWasm, startup: start };
}

async function loginBenchmark() {
  const sets = [[19_456, 2], [12_288, 3], [1_024, 1]];
  const ms = {};
  for (const [m, t] of sets) ms[`m=${m},t=${t}`] = await benchLogin(m, t);
  const floor = ms["m=1024,t=1"];
  console.log("\nadmin login, median wall time of sequential requests (Argon2id, p=1):");
  for (const [m, t] of sets) {
    const value = ms[`m=${m},t=${t}`];
    const note = m === 1_024 ? "floor: everything but hashing" : `hashing ~ ${fmt(value - floor, 1)} ms`;
    console.log(`  m=${String(m).padStart(6)} KiB t=${t}: ${fmt(value, 1).padStart(6)} ms   (${note})`);
  }
  return ms;
}

if (only === "all" || only === "verify") summary.verify = await verifyBenchmark();
if (only === "all" || only === "rbac") summary.rbac = await rbacBenchmark();
if (only === "all" || only === "login") summary.loginMs = await loginBenchmark();
if (only === "all" || only === "trips") summary.trips = await tripsBenchmark();
if (only === "all" || only === "oauth") summary.oauth = await oauthBenchmark();
writeFileSync(join(out, "results.json"), JSON.stringify(summary, null, 2));
