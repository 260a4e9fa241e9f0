// The OAuth grants under the bench: setting up our Worker and the reference
// (@cloudflare/workers-oauth-provider, scripts/bench-workers/reference-oauth.mjs) for the
// code exchange and client_credentials, minting batches of single-use codes before a
// timed run, and the fixed-count load driver (scripts/lib/load.mjs) that times them.
//
// Our codes come the way a browser gets them (tests/e2e/oauth-helpers.mjs does the same
// against the e2e Worker): one sign-in through the Worker's own forms, consent once,
// then each further authorize request answers at once with a code (the sign-in cookie
// is reused and the consent remembered). The reference's come from its /authorize,
// which approves every request (the library leaves sign-in to the application).
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { mailedCode, root } from "./miniflare.mjs";

/** Registered on both sides and never followed: the code is read from the redirect. */
export const REDIRECT_URI = "http://127.0.0.1:9/cb";
export const FORM = "application/x-www-form-urlencoded";
export const CODE_GRANTS = ["authorization_code", "refresh_token"];
const USER_PASSWORD = "a long and private passphrase";

export const basic = (id, secret) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`;

/** A fresh PKCE S256 pair (RFC 7636). */
export function pkcePair() {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

/** The form body of one code exchange. */
export const exchangeBody = ({ code, verifier }) =>
  new URLSearchParams({ grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: REDIRECT_URI }).toString();

function authorizeQuery(clientId, challenge, scope) {
  return new URLSearchParams({
    response_type: "code", client_id: clientId, redirect_uri: REDIRECT_URI, scope,
    state: randomBytes(8).toString("hex"), code_challenge: challenge, code_challenge_method: "S256",
  });
}

const codeOf = async (res, who) => {
  const location = res.headers.get("location");
  const code = location && new URL(location).searchParams.get("code");
  if (res.status !== 303 || !code) throw new Error(`${who} authorize answered ${res.status} ${location ?? (await res.text()).slice(0, 300)}`);
  return code;
};

// A browser without a browser: keeps cookies, never follows redirects.
function cookieJar() {
  const jar = new Map();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const keep = (res) => {
    for (const line of res.headers.getSetCookie()) {
      const [name, value] = line.split(";")[0].split("=");
      if (/Max-Age=0/.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  };
  return {
    get: async (url) => keep(await fetch(url, { redirect: "manual", headers: { cookie: cookie() } })),
    post: async (url, form) => keep(await fetch(url, {
      method: "POST", redirect: "manual", body: new URLSearchParams(form), headers: { cookie: cookie(), "content-type": FORM },
    })),
  };
}

const hidden = (html) => {
  const value = (name) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
  return { tx: value("tx"), csrf: value("csrf") };
};

/**
 * Our Worker (`url`, with an onboarded admin: `token`, `tenantId`) made ready for both
 * grants: a confidential client for the code flow, an end user signed in once through
 * the forms with consent given, and a confidential service client bound to a role
 * (`reader`: documents:read) for client_credentials.
 * Returns { code: {id, secret}, service: {id, secret}, mintCode(scope) }.
 */
export async function oursOAuth(url, { token, tenantId }) {
  const json = async (res, status) => {
    const text = await res.text();
    if (res.status !== status) throw new Error(`${res.url} answered ${res.status}: ${text}`);
    return JSON.parse(text);
  };
  const post = (path, body) => fetch(url + path, {
    method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify(body),
  });
  const createClient = (body) => post(`/authsec/clientms/tenants/${tenantId}/clients/create`, body).then((r) => json(r, 201));
  const app = await createClient({
    name: "Bench App", client_type: "confidential", grant_types: CODE_GRANTS, redirect_uris: [REDIRECT_URI],
  });
  const service = await createClient({ name: "bench-service", client_type: "confidential", grant_types: ["client_credentials"] });
  const role = await json(await post("/authsec/uflow/admin/roles", { name: "reader", permission_strings: ["documents:read"] }), 201);
  await json(await post("/authsec/uflow/admin/bindings", { client_id: service.client_id, role_id: role.id }), 201);

  // An end user of the tenant (registered through its default client), signed in once.
  const defaultClient = (await json(await post("/authsec/authmgr/token/verify", { token }), 200)).client_id;
  const email = "bench-oauth-user@example.test";
  const send = (path, init) => fetch(url + path, init);
  const register = (path, body) => send(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  await json(await register("/authsec/uflow/user/register/initiate", { client_id: defaultClient, email, password: USER_PASSWORD }), 200);
  const otp = await mailedCode(send, email);
  await json(await register("/authsec/uflow/user/register/complete", { client_id: defaultClient, email, otp, password: USER_PASSWORD }), 201);

  const browser = cookieJar();
  const authorize = (scope) => {
    const pair = pkcePair();
    return { pair, url: `${url}/authsec/oauth/authorize?${authorizeQuery(app.client_id, pair.challenge, scope)}` };
  };
  // The first time: the sign-in page, then consent (for every scope the bench asks).
  const first = authorize("openid email profile");
  let res = await browser.get(first.url);
  if (res.status !== 200) throw new Error(`authorize answered ${res.status}, not the sign-in page`);
  res = await browser.post(`${url}/authsec/oauth/authorize/password`, { ...hidden(await res.text()), email, password: USER_PASSWORD });
  if (res.status !== 200) throw new Error(`sign-in answered ${res.status}, not the consent page`);
  res = await browser.post(`${url}/authsec/oauth/authorize/consent`, { ...hidden(await res.text()), decision: "allow" });
  await codeOf(res, "ours (first sign-in)");
  return {
    code: { id: app.client_id, secret: app.client_secret },
    service: { id: service.client_id, secret: service.client_secret },
    // Signed in and consent remembered: one request, straight back with a code.
    mintCode: async (scope) => {
      const { pair, url: target } = authorize(scope);
      return { code: await codeOf(await browser.get(target), "ours"), verifier: pair.verifier };
    },
  };
}

/**
 * The reference Worker (`url`) with one confidential client for the code flow.
 * Returns { code: {id, secret}, mintCode(scope) }.
 */
export async function referenceOAuth(url) {
  const res = await fetch(`${url}/bench/client`, { method: "POST", body: JSON.stringify({ redirectUri: REDIRECT_URI }) });
  if (res.status !== 200) throw new Error(`reference client setup answered ${res.status}: ${await res.text()}`);
  const client = await res.json();
  return {
    code: { id: client.client_id, secret: client.client_secret },
    mintCode: async (scope) => {
      const pair = pkcePair();
      const answer = await fetch(`${url}/authorize?${authorizeQuery(client.client_id, pair.challenge, scope)}`, { redirect: "manual" });
      return { code: await codeOf(answer, "reference"), verifier: pair.verifier };
    },
  };
}

/** `count` codes from `mintCode(scope)`, `concurrency` at a time. */
export async function mintCodes(mintCode, count, scope, concurrency = 8) {
  const codes = [];
  const lane = async () => {
    while (codes.length < count) {
      const i = codes.push(null) - 1;
      codes[i] = await mintCode(scope);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return codes;
}

const execFileAsync = promisify(execFile);
let jobs;
let jobNumber = 0;

/**
 * POSTs each of `bodies` once to `url` (`concurrency` at a time, form-encoded, with
 * `authorization`), from a process pinned to `loadCore`: { seconds, latencies, statuses, resent }.
 */
export async function runLoad(url, bodies, { authorization, concurrency, loadCore }) {
  jobs ??= mkdtempSync(join(tmpdir(), "authsec-bench-load-"));
  const file = join(jobs, `job-${++jobNumber}.json`);
  writeFileSync(file, JSON.stringify({ url, concurrency, headers: { "content-type": FORM, authorization }, bodies }));
  // Not spawnSync: this process keeps serving its own idle keep-alive connections to the
  // Worker meanwhile (blocked, it would reuse one the server closed: ECONNRESET).
  const { stdout } = await execFileAsync("taskset", ["-c", loadCore, process.execPath, join(root, "scripts/lib/load.mjs"), file], {
    encoding: "utf8", maxBuffer: 64 << 20,
  });
  rmSync(file);
  return JSON.parse(stdout);
}

/** Several runs of the driver as one: req/s over their summed time, p50 and p99 over all. */
export function combineLoads(runs) {
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const seconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  const statuses = {};
  for (const r of runs) for (const [status, n] of Object.entries(r.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  const resent = runs.reduce((sum, r) => sum + r.resent, 0);
  return { requests: latencies.length, seconds, rps: latencies.length / seconds, p50: pct(50), p99: pct(99), statuses, resent };
}
