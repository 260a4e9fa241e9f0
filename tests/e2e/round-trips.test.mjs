// Round-trip depth as facts of the design (design.md, "Optimise round-trip depth"): what
// each main route waits for, read from /metrics (authsec_backend_calls_total and
// authsec_critical_path_depth) around one request. Counts, never timings. When a
// design change moves a number, the assertion here moves with it, on purpose.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BASE, call, mint, verify } from "./helpers.mjs";
import { PASSWORD, USER_PASSWORD, bearer, onboard } from "./accounts-helpers.mjs";
import { authorizeUrl, basic, callbackParams, codeFlowSetup, cookieJar, pkce, signInByForm, tokenCall } from "./oauth-helpers.mjs";
import { measure } from "../../scripts/lib/call-counts.mjs";

const VERIFY = "/authsec/authmgr/token/verify";
const JWKS = "/.well-known/jwks.json";
const ADMIN_LOGIN = "/authsec/uflow/auth/admin/login";

const CHECK_ROUTE = "/authsec/authmgr/user/check/permission";
const none = { durable_object: 0, d1: 0, kv: 0, hyperdrive: 0, fetch: 0 };
// The relational store the Worker runs on (scripts/test runs the suite on both); the
// same SqlStore statements go to D1 or through Hyperdrive.
const SQL = (process.env.AUTHSEC_E2E_STORE ?? "d1") === "postgres" ? "hyperdrive" : "d1";
// An admin login makes ten calls (three Durable Object calls and seven SQL statements)
// but waits for five in turn: the two rate limits together; the admin; the tenant; then
// the success record, both factor lists and the token's claim sources (roles, tenant
// defaults) together; then the new session, while its token is signed.
const ADMIN_LOGIN_CALLS = { ...none, durable_object: 3, [SQL]: 7 };
const ADMIN_LOGIN_DEPTH = 5;
// A warm check takes the permission set, session liveness and the RBAC version from the
// isolate (the edge tier): no backend call at all.
const CHECK_CALLS = none;
const CHECK_DEPTH = 0;
// The OAuth token endpoint (issue 14). client_credentials, warm: the client (SQL), the
// tenant's RBAC version (DO), then the tenant's scopes (SQL) beside the client's
// permission set, which the isolate holds for that version: three calls, one after another.
const OAUTH_TOKEN = "/authsec/oauth/token";
const CLIENT_CREDENTIALS_CALLS = { ...none, durable_object: 1, [SQL]: 2 };
const CLIENT_CREDENTIALS_DEPTH = 3;
// The code exchange: the client (SQL), taking the code (DO), the user (SQL), then the new
// session (DO) with the token's claim sources (two SQL) and the replay marker (DO), all
// at once: seven calls, four waits.
const CODE_EXCHANGE_CALLS = { ...none, durable_object: 3, [SQL]: 4 };
const CODE_EXCHANGE_DEPTH = 4;
const ok = (res) => assert.equal(res.status, 200, res.text);

test("a warm JWKS answer makes no backend call", async () => {
  ok(await call("GET", JWKS)); // warms the isolate's cache (it may read KV)
  const cost = await measure(BASE, JWKS, async () => ok(await call("GET", JWKS)));
  assert.deepEqual(cost.calls, none);
  assert.equal(cost.depth, 0);
});

test("a warm verify of a session-less token makes no Durable Object, D1 or Hyperdrive call", async () => {
  const token = await mint();
  ok(await verify(token));
  const cost = await measure(BASE, VERIFY, async () => ok(await verify(token)));
  assert.equal(cost.calls.durable_object, 0);
  assert.equal(cost.calls.d1, 0);
  assert.equal(cost.calls.hyperdrive, 0);
  assert.deepEqual(cost.calls, none, "nor anything else: signature and claims are checked in the isolate");
  assert.equal(cost.depth, 0);
});

test("a warm verify of a session-bound token makes no Durable Object, D1 or Hyperdrive call", async () => {
  // The edge tier: session liveness comes from isolate memory backed by KV; the first
  // verify of a session may read one KV key, a warm one reads nothing.
  const admin = await onboard();
  ok(await verify(admin.login.token));
  const cost = await measure(BASE, VERIFY, async () => ok(await verify(admin.login.token)));
  assert.deepEqual(cost.calls, none, JSON.stringify(cost));
  assert.equal(cost.depth, 0);
});

test("a strict verify asks the session's shard and the tenant's object together", async () => {
  // The user's shard for the session, the tenant's object for its epoch: concurrently.
  const admin = await onboard();
  const strict = () => call("POST", VERIFY, { json: { token: admin.login.token, strict: true } });
  ok(await strict());
  const cost = await measure(BASE, VERIFY, async () => ok(await strict()));
  assert.deepEqual(cost.calls, { ...none, durable_object: 2 }, JSON.stringify(cost));
  assert.equal(cost.depth, 1);
});

test("a revoked session: strict and edge verification in the revoking Worker refuse at once", async () => {
  const admin = await onboard();
  const token = admin.login.token;
  ok(await verify(token)); // the edge has seen it live
  const out = await admin.client.post("/authsec/uflow/auth/logout", {}, bearer(token));
  assert.equal(out.status, 200, out.text);
  assert.equal((await verify(token)).status, 401, "edge tier, same Worker: at once");
  const strict = await call("POST", VERIFY, { json: { token, strict: true } });
  assert.equal(strict.status, 401, "strict: at once");
});

test("an admin login: its calls per backend and its critical-path depth today", async () => {
  const admin = await onboard();
  const cost = await measure(BASE, ADMIN_LOGIN, async () =>
    ok(await admin.client.post(ADMIN_LOGIN, { email: admin.email, password: PASSWORD })),
  );
  assert.deepEqual(cost.calls, ADMIN_LOGIN_CALLS, JSON.stringify(cost));
  assert.equal(cost.depth, ADMIN_LOGIN_DEPTH, JSON.stringify(cost));
});

test("a warm permission check: its calls and depth today", async () => {
  const admin = await onboard();
  const check = () =>
    call("GET", "/authsec/authmgr/user/check/permission?resource=docs&action=read", { headers: bearer(admin.login.token) });
  ok(await check());
  const cost = await measure(BASE, CHECK_ROUTE, async () => ok(await check()));
  assert.deepEqual(cost.calls, CHECK_CALLS, JSON.stringify(cost));
  assert.equal(cost.depth, CHECK_DEPTH, JSON.stringify(cost));
});

test("OAuth client_credentials: its calls per backend and its critical-path depth today", async () => {
  const admin = await onboard();
  const auth = bearer(admin.login.token);
  const created = await admin.client.post(`/authsec/clientms/tenants/${admin.tenantId}/clients/create`,
    { name: "service", client_type: "confidential", grant_types: ["client_credentials"] }, auth);
  assert.equal(created.status, 201, created.text);
  const role = await admin.client.post("/authsec/uflow/admin/roles", { name: "reader", permission_strings: ["documents:read"] }, auth);
  assert.equal(role.status, 201, role.text);
  const bound = await admin.client.post("/authsec/uflow/admin/bindings", { client_id: created.data.client_id, role_id: role.data.id }, auth);
  assert.equal(bound.status, 201, bound.text);
  const grant = () => tokenCall({ grant_type: "client_credentials", scope: "documents:read" },
    basic(created.data.client_id, created.data.client_secret));
  ok(await grant());
  const cost = await measure(BASE, OAUTH_TOKEN, async () => ok(await grant()));
  assert.deepEqual(cost.calls, CLIENT_CREDENTIALS_CALLS, JSON.stringify(cost));
  assert.equal(cost.depth, CLIENT_CREDENTIALS_DEPTH, JSON.stringify(cost));
});

test("OAuth authorization_code exchange: its calls per backend and its critical-path depth today", { timeout: 60_000 }, async () => {
  const s = await codeFlowSetup();
  const browser = cookieJar();
  const first = await pkce();
  const { res } = await signInByForm(browser, authorizeUrl(s.clientId, s.app.redirectUri, first), s.user.email, USER_PASSWORD);
  const exchange = (code, p) => tokenCall({ grant_type: "authorization_code", code, redirect_uri: s.app.redirectUri, code_verifier: p.verifier },
    basic(s.clientId, s.secret));
  ok(await exchange(callbackParams(res).get("code"), first));
  // Each attempt needs a fresh code: signed in and consent given, authorize answers with one.
  const cost = await measure(BASE, OAUTH_TOKEN, async () => {
    const p = await pkce();
    const code = callbackParams(await browser.get(authorizeUrl(s.clientId, s.app.redirectUri, p))).get("code");
    ok(await exchange(code, p));
  });
  assert.deepEqual(cost.calls, CODE_EXCHANGE_CALLS, JSON.stringify(cost));
  assert.equal(cost.depth, CODE_EXCHANGE_DEPTH, JSON.stringify(cost));
});
