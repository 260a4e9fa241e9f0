// Round-trip depth as facts of the design (design.md, "Optimise round-trip depth"): what
// each main route waits for, read from /metrics (authsec_backend_calls_total and
// authsec_critical_path_depth) around one request. Counts, never timings. When a
// design change moves a number, the assertion here moves with it, on purpose.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BASE, call, mint, verify } from "./helpers.mjs";
import { PASSWORD, bearer, onboard } from "./accounts-helpers.mjs";
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
