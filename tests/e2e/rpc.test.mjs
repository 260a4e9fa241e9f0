// The service-binding entry point (issue 13, section 5) with three Workers in ONE
// workerd (Miniflare): A is this Worker; B is a second instance of the same script
// sharing A's KV namespace, D1 database and Durable Objects (another colo, in effect:
// its own isolate memory) with a short REVOCATION_MAX_STALENESS_SECS; C is the example
// consumer (examples/consumer) bound to A's `AuthsecVerifier` entrypoint. The suite's
// own Worker (scripts/lib/run-e2e.mjs) is not used: only its generated secrets.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { VARS } from "./helpers.mjs";
import {
  COMPATIBILITY_DATE, PASSWORD, applyD1Migrations, mailedCode, onboardAdmin, ourModules, ourWorker, readSecrets, root,
} from "../../scripts/lib/miniflare.mjs";
import { freePort } from "../../scripts/lib/worker.mjs";
import { parseMetrics } from "../../scripts/lib/call-counts.mjs";

// These Workers keep their data in D1 whatever the suite's store: the RPC path is the
// same Rust code on either, so the PostgreSQL run does not repeat it.
const skip = (process.env.AUTHSEC_E2E_STORE ?? "d1") !== "d1" && "runs its own Workers on D1 (covered by the D1 run)";

const ORIGIN = "http://authsec.rpc.test"; // BASE_URL (the issuer) of A and B alike
const BOUND_SECS = 2; // B's REVOCATION_MAX_STALENESS_SECS
const MARGIN_MS = 3_000; // scheduling slack on a loaded 2-core machine, not a latency claim

let mf;
let A; // { send, call } on worker A
let B;
let C;
let stub; // env.AUTHSEC of the consumer, through Miniflare's proxy into workerd
// The consumer's RPC stub, called from Node: results come back as plain data (the proxy
// adds an inspect hook); a call the stub refuses throws synchronously, so each call runs
// in an async function and every failure is a rejection.
const plain = (value) => JSON.parse(JSON.stringify(value));
const rpc = {
  verify: async (...args) => plain(await stub.verify(...args)),
  check: async (...args) => plain(await stub.check(...args)),
};
let admin;

const client = (fetcher) => {
  const send = (path, init = {}) => fetcher.fetch(ORIGIN + path, init);
  const call = async (method, path, { json, token } = {}) => {
    const headers = {};
    if (json !== undefined) headers["content-type"] = "application/json";
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await send(path, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
    const text = await res.text();
    let data;
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
    return { status: res.status, text, data };
  };
  return { send, call };
};

const verifyHttp = (worker, token, strict) =>
  worker.call("POST", "/authsec/authmgr/token/verify", { json: strict ? { token, strict } : { token } });

async function newSession() {
  const res = await A.call("POST", "/authsec/uflow/auth/admin/login", { json: { email: admin.email, password: PASSWORD } });
  assert.equal(res.status, 200, res.text);
  return res.data.token;
}

before(async () => {
  if (skip) return;
  const modules = await ourModules();
  const bindings = {
    BASE_URL: ORIGIN,
    ...readSecrets(VARS),
    ENVIRONMENT: "development",
    ADMIN_AUTH_PER_MINUTE: "1000",
    ENDUSER_AUTH_PER_MINUTE: "1000",
  };
  mf = new Miniflare({
    host: "127.0.0.1",
    port: await freePort(),
    workers: [
      await ourWorker({ name: "authsec", modules, bindings }),
      await ourWorker({
        name: "authsec-b",
        modules,
        bindings: { ...bindings, REVOCATION_MAX_STALENESS_SECS: String(BOUND_SECS) },
        durableObjectsOf: "authsec",
      }),
      {
        name: "consumer",
        compatibilityDate: COMPATIBILITY_DATE,
        modules: true,
        scriptPath: join(root, "examples/consumer/src/index.js"),
        serviceBindings: { AUTHSEC: { name: "authsec", entrypoint: "AuthsecVerifier" } },
      },
    ],
  });
  await applyD1Migrations(await mf.getD1Database("DB", "authsec"));
  A = client(await mf.getWorker("authsec"));
  B = client(await mf.getWorker("authsec-b"));
  C = client(await mf.getWorker("consumer"));
  stub = (await mf.getBindings("consumer")).AUTHSEC;
  admin = await onboardAdmin(A.send, { email: "rpc-admin@example.test", domain: "rpc" });
});

after(async () => {
  await mf?.dispose();
});

test("B shares A's D1, KV and Durable Objects", { skip }, async () => {
  // A token A issued for a session A's SessionStore holds: B's strict tier asks the same
  // object, and B's D1 sees the admin A onboarded.
  const token = await newSession();
  const strict = await verifyHttp(B, token, true);
  assert.equal(strict.status, 200, strict.text);
  const check = await B.call("GET", "/authsec/authmgr/user/check/permission?resource=docs&action=read", { token });
  assert.equal(check.status, 200, check.text);
  assert.equal(check.data.has_permission, true, "B compiled the admin's bindings from A's D1");
});

test("the consumer Worker answers 200, 401 and 403 through the service binding", { skip }, async () => {
  const token = await newSession();
  const whoami = await C.call("GET", "/whoami", { token });
  assert.equal(whoami.status, 200, whoami.text);
  assert.equal(whoami.data.user_id, admin.userId);
  assert.equal(whoami.data.tenant_id, admin.tenantId);
  const doc = await C.call("GET", "/docs/42", { token });
  assert.equal(doc.status, 200, doc.text);
  assert.equal(doc.data.id, "42");

  assert.equal((await C.call("GET", "/whoami")).status, 401, "no token");
  assert.equal((await C.call("GET", "/whoami", { token: "not.a.jwt" })).status, 401, "a bad token");
  assert.equal((await C.call("GET", "/docs/42", { token: `${token}x` })).status, 401, "a tampered token");

  const user = await endUserToken();
  assert.equal((await C.call("GET", "/whoami", { token: user })).status, 200, "an end user is signed in");
  const denied = await C.call("GET", "/docs/42", { token: user });
  assert.equal(denied.status, 403, `an end user without docs:read: ${denied.text}`);
});

// An end user of the tenant's default client, with no role: every check denies.
async function endUserToken() {
  const clientId = (await verifyHttp(A, admin.token)).data.client_id;
  const email = `rpc-user-${Date.now()}@example.test`;
  const password = "a long and private passphrase";
  const started = await A.call("POST", "/authsec/uflow/user/register/initiate", { json: { client_id: clientId, email, password } });
  assert.equal(started.status, 200, started.text);
  const otp = await mailedCode(A.send, email);
  const done = await A.call("POST", "/authsec/uflow/user/register/complete", { json: { client_id: clientId, email, otp, password } });
  assert.equal(done.status, 201, done.text);
  const login = await A.call("POST", "/authsec/uflow/user/login", { json: { client_id: clientId, email, password } });
  assert.equal(login.status, 200, login.text);
  return login.data.token;
}

test("verify by RPC answers what the HTTP route answers, as {valid, claims}", { skip }, async () => {
  const token = await newSession();
  const http = await verifyHttp(A, token);
  assert.equal(http.status, 200, http.text);
  const { valid, ...claims } = http.data;
  assert.deepEqual(await rpc.verify(token), { valid, claims });
  assert.deepEqual(await rpc.verify(token, { strict: true }), { valid, claims });
  assert.deepEqual(await rpc.verify(token, { strict: false }), { valid, claims });
  assert.deepEqual(await rpc.verify(token, null), { valid, claims });

  const bad = await rpc.verify("not.a.jwt");
  assert.equal(bad.valid, false);
  assert.equal(bad.status, 401);
  assert.equal(bad.error, "invalid_token");
  assert.equal(typeof bad.message, "string");
  assert.deepEqual(Object.keys(bad).sort(), ["error", "message", "status", "valid"], "no claims, nothing else");
  const empty = await rpc.verify("");
  assert.deepEqual([empty.valid, empty.status, empty.error], [false, 400, "invalid_request"], JSON.stringify(empty));
});

test("check by RPC: allowed, denied, scoped, and refusals as values", { skip }, async () => {
  const token = await newSession();
  assert.deepEqual(await rpc.check(token, "docs", "read"), {
    allowed: true, resource: "docs", action: "read", user_id: admin.userId, tenant_id: admin.tenantId,
  });
  const scoped = await rpc.check(token, "docs", "read", { scope: { type: "project", id: "p1" } });
  assert.equal(scoped.allowed, true, JSON.stringify(scoped));
  assert.deepEqual(scoped.scope, { type: "project", id: "p1" });

  const user = await endUserToken();
  const denied = await rpc.check(user, "docs", "read");
  assert.equal(denied.allowed, false, JSON.stringify(denied));
  assert.equal(denied.error, undefined, "a denial is a decision, not an error");
  assert.equal(typeof denied.user_id, "string");

  const bad = await rpc.check("not.a.jwt", "docs", "read");
  assert.deepEqual([bad.allowed, bad.status, bad.error], [false, 401, "invalid_token"]);
  const badHeader = await rpc.check("line\nbreak", "docs", "read");
  assert.deepEqual([badHeader.allowed, badHeader.status, badHeader.error], [false, 401, "invalid_token"]);
  const noResource = await rpc.check(token, " ", "read");
  assert.deepEqual([noResource.allowed, noResource.status, noResource.field], [false, 400, "resource"], JSON.stringify(noResource));
});

test("wrong argument types are a TypeError naming the argument, never its value", { skip }, async () => {
  const token = await newSession();
  const cases = [
    [() => rpc.verify(), /verify: token must be a string, not undefined/],
    [() => rpc.verify(42), /verify: token must be a string, not number/],
    [() => rpc.verify({ token }), /verify: token must be a string, not object/],
    [() => rpc.verify(token, "strict"), /verify: options must be an object, not string/],
    [() => rpc.verify(token, { strict: "yes" }), /verify: options\.strict must be a boolean, not string/],
    [() => rpc.verify(token, { stirct: true }), /verify: unknown option "stirct"/],
    [() => rpc.check(token), /check: resource must be a string, not undefined/],
    [() => rpc.check(token, "docs", 7), /check: action must be a string, not number/],
    [() => rpc.check(null, "docs", "read"), /check: token must be a string, not null/],
    [() => rpc.check(token, "docs", "read", { strict: true }), /check: unknown option "strict"/],
    [() => rpc.check(token, "docs", "read", { scope: "project" }), /check: options\.scope must be an object/],
  ];
  for (const [run, message] of cases) {
    await assert.rejects(run, (error) => {
      assert.equal(error.name, "TypeError", String(error));
      assert.match(error.message, message);
      assert.ok(!error.message.includes(token), "the token is never echoed");
      return true;
    });
  }
});

test("an RPC call counts in A's /metrics under the route it runs", { skip }, async () => {
  const token = await newSession();
  const scrape = async () => parseMetrics((await A.call("GET", "/metrics")).text);
  const requests = 'authsec_http_requests_total{route="/authsec/authmgr/token/verify",method="POST",status="200",class="2xx"}';
  const valid = 'authsec_token_verifications_total{result="valid"}';
  const before = await scrape();
  assert.equal((await rpc.verify(token)).valid, true);
  const after = await scrape();
  assert.equal((after.get(requests) ?? 0) - (before.get(requests) ?? 0), 1);
  assert.equal((after.get(valid) ?? 0) - (before.get(valid) ?? 0), 1);
});

test("a revoked session: strict at once in A and B, edge at once in A and by RPC, edge in B within the bound", { skip }, async (t) => {
  const token = await newSession();
  // Every tier accepts the live session, and B's edge tier remembers it as live.
  assert.equal((await C.call("GET", "/whoami", { token })).status, 200);
  assert.equal((await rpc.verify(token)).valid, true);
  assert.equal((await verifyHttp(A, token)).status, 200);
  assert.equal((await verifyHttp(B, token)).status, 200, "warms B's isolate");
  assert.equal((await verifyHttp(B, token, true)).status, 200);

  const out = await A.call("POST", "/authsec/uflow/auth/logout", { json: {}, token });
  assert.equal(out.status, 200, out.text);
  const revokedAt = Date.now();

  assert.equal((await verifyHttp(A, token, true)).status, 401, "strict in A: at once");
  assert.equal((await verifyHttp(B, token, true)).status, 401, "strict in B: at once (the same SessionStore)");
  assert.equal((await verifyHttp(A, token)).status, 401, "edge in A: at once (A revoked it)");
  const byRpc = await rpc.verify(token);
  assert.deepEqual([byRpc.valid, byRpc.status, byRpc.error], [false, 401, "invalid_token"], "edge by RPC: at once");
  assert.equal((await rpc.verify(token, { strict: true })).valid, false, "strict by RPC: at once");
  assert.deepEqual((await rpc.check(token, "docs", "read")).status, 401, "check by RPC: at once");
  assert.equal((await C.call("GET", "/whoami", { token })).status, 401, "the consumer: at once");
  assert.equal((await C.call("GET", "/docs/1", { token })).status, 401, "the consumer's check: at once");

  // B learns of it from KV once its remembered view is older than the bound.
  let accepted = 0;
  let status;
  const deadline = revokedAt + BOUND_SECS * 1000 + MARGIN_MS;
  while (Date.now() < deadline) {
    status = (await verifyHttp(B, token)).status;
    if (status === 401) break;
    assert.equal(status, 200);
    accepted += 1;
    await new Promise((r) => setTimeout(r, 100));
  }
  const waited = Date.now() - revokedAt;
  assert.equal(status, 401, `edge in B still accepted the token ${waited} ms after the revocation`);
  t.diagnostic(`edge in B refused ${waited} ms after the revocation (accepted ${accepted} polls; bound ${BOUND_SECS} s)`);
});
