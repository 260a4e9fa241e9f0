// Admin accounts against the Worker in workerd: onboarding through an emailed code (dev
// outbox and the HTTP mail API), login and lockout, rate limits, refresh rotation with
// reuse detection in the SessionStore Durable Object, logout, revocation and isolation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { call, verify } from "./helpers.mjs";
import { MAIL, MAIL_KEY, PASSWORD, as, bearer, onboard } from "./accounts-helpers.mjs";

test("an admin onboards through the emailed code and signs in", async () => {
  const a = await onboard();
  assert.equal(a.login.tenant_id, a.tenantId);
  assert.equal(a.login.tenant_domain, a.domain);
  assert.equal(a.login.mfa_required, false);
  assert.match(a.login.refresh_token, /^rt2\./);
  const verified = await verify(a.login.token);
  assert.equal(verified.status, 200);
  assert.deepEqual(verified.data.roles, ["admin"]);
  assert.equal(verified.data.user_id, a.userId);
  assert.equal(verified.data.session_id, a.login.session_id);
  // The same code went out through the HTTP mail API, with its bearer key.
  const received = await (await fetch(`${MAIL}/received`)).json();
  const mine = received.filter((r) => r.mail.to === a.email);
  assert.equal(mine.length, 1);
  assert.equal(mine[0].authorization, `Bearer ${MAIL_KEY}`);
  assert.match(mine[0].mail.text, /\b\d{6}\b/);
  // A duplicate registration is refused.
  const again = await as("10.200.0.1").post("/authsec/uflow/auth/admin/login/bootstrap", {
    email: a.email, password: PASSWORD, tenant_domain: `${a.domain}-2`,
  });
  assert.equal(again.status, 409);
  const precheck = await as("10.200.0.2").post("/authsec/uflow/auth/admin/login/precheck", { email: a.email });
  assert.equal(precheck.data.exists, true);
  assert.equal(precheck.data.next_step, "login");
});

test("refresh rotates, and replaying a used refresh token ends the session", async () => {
  const a = await onboard();
  const first = a.login.refresh_token;
  const rotated = await a.client.post("/authsec/uflow/auth/token/refresh", { refresh_token: first });
  assert.equal(rotated.status, 200, rotated.text);
  assert.notEqual(rotated.data.refresh_token, first);
  assert.equal((await verify(rotated.data.token)).status, 200);
  const replay = await a.client.post("/authsec/uflow/auth/token/refresh", { refresh_token: first });
  assert.equal(replay.status, 400);
  assert.equal(replay.data.error, "invalid_grant");
  assert.equal((await a.client.post("/authsec/uflow/auth/token/refresh", { refresh_token: rotated.data.refresh_token })).status, 400);
  assert.equal((await verify(rotated.data.token)).status, 401, "revoked at once, before the token expires");
  assert.equal((await verify(a.login.token)).status, 401);
});

test("concurrent refreshes of one token: exactly one succeeds", async () => {
  const a = await onboard();
  const results = await Promise.all(
    Array.from({ length: 8 }, () => a.client.post("/authsec/uflow/auth/token/refresh", { refresh_token: a.login.refresh_token })),
  );
  const statuses = results.map((r) => r.status).sort();
  assert.deepEqual(statuses, [200, 400, 400, 400, 400, 400, 400, 400]);
});

test("logout and session revocation take effect on the next request", async () => {
  const a = await onboard();
  const second = await a.client.post("/authsec/uflow/auth/admin/login", { email: a.email, password: PASSWORD });
  const list = await a.client.get("/authsec/uflow/auth/sessions", bearer(a.login.token));
  assert.equal(list.status, 200);
  assert.equal(list.data.sessions.length, 2);
  const revoke = await a.client.del(`/authsec/uflow/auth/sessions/${second.data.session_id}`, bearer(a.login.token));
  assert.equal(revoke.status, 200);
  assert.equal((await verify(second.data.token)).status, 401);
  const out = await a.client.post("/authsec/uflow/auth/logout", {}, bearer(a.login.token));
  assert.equal(out.status, 200);
  assert.equal((await verify(a.login.token)).status, 401);
  const after = await a.client.get("/authsec/uflow/auth/sessions", bearer(a.login.token));
  assert.equal(after.status, 401);
  assert.match(after.headers.get("www-authenticate"), /^Bearer/);
});

test("five failed logins lock the account; unknown emails answer alike", async () => {
  const a = await onboard();
  const ghost = `ghost-${randomUUID().slice(0, 8)}@example.test`;
  for (const email of [a.email, ghost]) {
    const client = as(`10.201.${email.length}.${email.charCodeAt(0)}`);
    const bodies = [];
    for (let n = 0; n < 4; n++) {
      const res = await client.post("/authsec/uflow/auth/admin/login", { email, password: "not the password" });
      assert.equal(res.status, 401, `${email}: ${res.text}`);
      bodies.push(res.data);
    }
    assert.deepEqual(bodies.map((b) => b.remaining_attempts), [4, 3, 2, 1]);
    assert.deepEqual(Object.keys(bodies[0]).sort(), ["error", "message", "remaining_attempts"]);
    const locked = await client.post("/authsec/uflow/auth/admin/login", { email, password: "not the password" });
    assert.equal(locked.status, 423, email);
    assert.ok(Number(locked.headers.get("retry-after")) > 0);
  }
  const right = await as("10.202.0.1").post("/authsec/uflow/auth/admin/login", { email: a.email, password: PASSWORD });
  assert.equal(right.status, 423, "locked even with the right password");
});

test("admin auth is rate limited per email with Retry-After", async () => {
  const email = `burst-${randomUUID().slice(0, 8)}@example.test`;
  const statuses = [];
  for (let n = 0; n < 21; n++) {
    statuses.push((await as(`10.203.0.${n}`).post("/authsec/uflow/auth/admin/login/precheck", { email })).status);
  }
  // The e2e Worker allows 20 per minute (ADMIN_AUTH_PER_MINUTE).
  assert.deepEqual(statuses.slice(0, 20), Array(20).fill(200));
  const limited = await as("10.203.1.1").post("/authsec/uflow/auth/admin/login/precheck", { email });
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get("retry-after")) >= 1);
});

test("a tenant's admin cannot touch another tenant's users", async () => {
  const a = await onboard();
  const b = await onboard();
  const cross = await a.client.post(`/authsec/uflow/admin/users/${b.userId}/revoke-sessions`, {}, bearer(a.login.token));
  assert.equal(cross.status, 404);
  assert.equal((await verify(b.login.token)).status, 200, "nothing changed");
  const crossSession = await a.client.del(`/authsec/uflow/auth/sessions/${b.login.session_id}`, bearer(a.login.token));
  assert.equal(crossSession.status, 404);
  assert.equal((await verify(b.login.token)).status, 200);
  const own = await b.client.post(`/authsec/uflow/admin/users/${b.userId}/revoke-sessions`, {}, bearer(b.login.token));
  assert.equal(own.status, 200);
  assert.equal(own.data.revoked, 1);
  assert.equal((await verify(b.login.token)).status, 401);
});

test("challenges are single use", async () => {
  const a = await onboard();
  const challenge = await a.client.get("/authsec/uflow/auth/admin/challenge");
  assert.equal(challenge.status, 200);
  const body = { email: a.email, password: PASSWORD, challenge: challenge.data.challenge };
  assert.equal((await a.client.post("/authsec/uflow/auth/admin/login", body)).status, 200);
  assert.equal((await a.client.post("/authsec/uflow/auth/admin/login", body)).status, 400);
});

test("account routes answer bad input with a clear 4xx", async () => {
  const client = as("10.204.0.1");
  const routes = [
    "/authsec/uflow/auth/admin/login/bootstrap",
    "/authsec/uflow/auth/admin/register",
    "/authsec/uflow/auth/admin/complete-registration",
    "/authsec/uflow/auth/admin/login/precheck",
    "/authsec/uflow/auth/admin/login",
    "/authsec/uflow/auth/token/refresh",
    "/authsec/uflow/auth/admin/forgot-password",
    "/authsec/uflow/auth/admin/forgot-password/verify-otp",
    "/authsec/uflow/auth/admin/forgot-password/reset",
    "/authsec/uflow/user/register/initiate",
    "/authsec/uflow/auth/enduser/initiate-registration",
    "/authsec/uflow/user/register/complete",
    "/authsec/uflow/auth/enduser/verify-otp",
    "/authsec/uflow/user/login",
    "/authsec/uflow/auth/enduser/login",
    "/authsec/uflow/auth/enduser/login/precheck",
    "/authsec/uflow/user/forgot-password",
    "/authsec/uflow/user/forgot-password/verify-otp",
    "/authsec/uflow/user/forgot-password/reset",
    "/authsec/uflow/auth/admin/invite/accept",
  ];
  for (const path of routes) {
    const broken = await call("POST", path, { body: "{nope", headers: { "content-type": "application/json", "cf-connecting-ip": "10.204.0.2" } });
    assert.equal(broken.status, 400, `${path}: ${broken.text}`);
    const wrongType = await client.post(path, { email: 42, password: ["x"], refresh_token: 7, otp: 123456, token: 5, client_id: 9 });
    assert.equal(wrongType.status, 400, `${path}: ${wrongType.text}`);
    assert.ok(wrongType.data.field, path);
    const huge = await client.post(path, { email: "a@b.test", padding: "x".repeat(70 * 1024) });
    assert.equal(huge.status, 413, path);
  }
  for (const [method, path] of [["POST", "/authsec/uflow/auth/logout"], ["GET", "/authsec/uflow/auth/sessions"],
    ["DELETE", "/authsec/uflow/auth/sessions/abc"], ["POST", "/authsec/uflow/admin/users/abc/revoke-sessions"],
    ["GET", "/authsec/uflow/admin/users/list"], ["GET", "/authsec/uflow/admin/enduser/list"],
    ["DELETE", "/authsec/uflow/admin/users/abc"], ["GET", "/authsec/uflow/admin/projects"],
    ["GET", "/authsec/uflow/admin/tenants"], ["POST", "/authsec/uflow/admin/invite"],
    ["GET", "/authsec/uflow/admin/invite/pending"], ["POST", "/authsec/uflow/admin/invite/cancel"],
    ["GET", "/authsec/clientms/tenants/abc/clients/getClients"]]) {
    const res = await call(method, path, { json: method === "POST" ? {} : undefined });
    assert.equal(res.status, 401, `${method} ${path}`);
  }
  const badOtp = await client.post("/authsec/uflow/auth/admin/complete-registration", { email: "a@b.test", otp: "12ab56" });
  assert.equal(badOtp.data.field, "otp");
});

test("a validly signed token naming a session that does not exist is refused by the strict tier", async () => {
  // The edge tier trusts our own signature for a session's existence and learns only of
  // revocations (README "Two tiers"); the session store knows every session.
  const { mint } = await import("./helpers.mjs");
  const token = await mint({ sid: randomUUID() });
  const res = await call("POST", "/authsec/authmgr/token/verify", { json: { token, strict: true } });
  assert.equal(res.status, 401);
  assert.match(res.data.message, /session/);
  const route = await call("GET", "/authsec/uflow/auth/sessions", { headers: bearer(token) });
  assert.equal(route.status, 401, "every strict-tier route refuses it");
});

test("an invited admin accepts once through the emailed token", async () => {
  const a = await onboard();
  const email = `invitee-${randomUUID().slice(0, 8)}@example.test`;
  const invited = await a.client.post("/authsec/uflow/admin/invite", { email, role: "admin" }, bearer(a.login.token));
  assert.equal(invited.status, 201, invited.text);
  const outbox = await call("GET", `/authsec/dev/outbox?to=${encodeURIComponent(email)}`);
  const token = /with this token: (\S+)/.exec(outbox.data.messages[0].body)[1];
  const accept = (body) => as("10.230.0.1").post("/authsec/uflow/auth/admin/invite/accept", body);
  const accepted = await accept({ token, password: "an invitee's long passphrase" });
  assert.equal(accepted.status, 201, accepted.text);
  assert.equal(accepted.data.tenant_id, a.tenantId);
  assert.equal((await accept({ token, password: "an invitee's long passphrase" })).status, 400, "single use");
  const login = await as("10.230.0.2").post("/authsec/uflow/auth/admin/login", { email, password: "an invitee's long passphrase" });
  assert.equal(login.status, 200, login.text);
  assert.deepEqual((await verify(login.data.token)).data.roles, ["admin"]);
});
