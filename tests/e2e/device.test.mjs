// The device grant and CIBA through the Worker, driven by an independent, certified
// client: openid-client (npm) does discovery, device authorization / backchannel
// initiation and polling, while the test approves through the AuthSec API. Plus the
// single-use race, the guessing limit, TOTP approval and bad input.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as oidc from "openid-client";
import { BASE, call, verify } from "./helpers.mjs";
import { CIBA_GRANT, bearer, defaultClientId, deviceClientId, onboard, setGrantTypes } from "./accounts-helpers.mjs";
import { enrolledTotp, totp, stepNow } from "./totp-helpers.mjs";

const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

async function tenantWithClient() {
  const admin = await onboard();
  const clientId = await deviceClientId(admin);
  const config = await oidc.discovery(new URL(BASE), clientId, undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
  return { admin, clientId, config };
}

test("openid-client completes the device flow while the user approves through the API", { timeout: 60_000 }, async () => {
  const { admin, config } = await tenantWithClient();
  assert.equal(config.serverMetadata().device_authorization_endpoint, `${BASE}/authsec/uflow/auth/device/code`);
  const authorization = await oidc.initiateDeviceAuthorization(config, { scope: "read write" });
  assert.match(authorization.user_code, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
  const approve = (async () => {
    await new Promise((r) => setTimeout(r, 1500));
    const info = await call("GET", `/authsec/uflow/auth/device/activate/info?user_code=${authorization.user_code}`);
    assert.equal(info.status, 200, info.text);
    const res = await admin.client.post("/authsec/uflow/auth/device/verify", { user_code: authorization.user_code, approve: true }, bearer(admin.login.token));
    assert.equal(res.status, 200, res.text);
  })();
  const tokens = await oidc.pollDeviceAuthorizationGrant(config, authorization);
  await approve;
  assert.equal(tokens.token_type.toLowerCase(), "bearer");
  assert.equal(tokens.scope, "read write");
  const claims = await verify(tokens.access_token);
  assert.equal(claims.data.valid, true, claims.text);
  assert.equal(claims.data.token_type, "device");
});

test("a denial reaches openid-client as access_denied", { timeout: 60_000 }, async () => {
  const { admin, config } = await tenantWithClient();
  const authorization = await oidc.initiateDeviceAuthorization(config, {});
  const res = await admin.client.post("/authsec/uflow/auth/device/verify", { user_code: authorization.user_code, approve: false }, bearer(admin.login.token));
  assert.equal(res.status, 200, res.text);
  await assert.rejects(oidc.pollDeviceAuthorizationGrant(config, authorization), (err) => err.error === "access_denied");
});

test("of parallel polls after approval exactly one receives the tokens", async () => {
  const { admin, clientId } = await tenantWithClient();
  const started = await call("POST", "/authsec/uflow/auth/device/code", { json: { client_id: clientId } });
  assert.equal(started.status, 200, started.text);
  const approved = await admin.client.post("/authsec/uflow/auth/device/verify", { user_code: started.data.user_code, approve: true }, bearer(admin.login.token));
  assert.equal(approved.status, 200, approved.text);
  const form = new URLSearchParams({ grant_type: DEVICE_GRANT, device_code: started.data.device_code, client_id: clientId });
  const polls = await Promise.all(Array.from({ length: 10 }, () =>
    call("POST", "/authsec/oauth/token", { body: form.toString(), headers: { "content-type": "application/x-www-form-urlencoded" } })));
  const winners = polls.filter((r) => r.status === 200);
  assert.equal(winners.length, 1, polls.map((r) => r.text).join("\n"));
  assert.ok(polls.filter((r) => r.status !== 200).every((r) => r.status === 400 && r.data.error === "invalid_grant"));
});

test("a burst of wrong user codes is throttled with 429", async () => {
  const statuses = [];
  for (let n = 0; n < 24; n++) {
    const res = await call("GET", `/authsec/uflow/auth/device/activate/info?user_code=BCDF-GH${"JKLMNPQRSTVWXZBCDFGHJKLM"[n]}K`, {
      headers: { "cf-connecting-ip": "10.250.1.1" },
    });
    statuses.push(res.status);
  }
  assert.ok(statuses.slice(0, 20).every((s) => s === 404), statuses.join(","));
  assert.ok(statuses.slice(20).every((s) => s === 429), statuses.join(","));
});

test("TOTP approves a device code for the signed-in user whose code it is", async () => {
  const who = await enrolledTotp();
  const clientId = await deviceClientId(who);
  const started = await call("POST", "/authsec/uflow/auth/device/code", { json: { client_id: clientId } });
  // Email plus a code is no approval unless the tenant set totp_only_login (issue 12).
  const anonymous = await who.client.post("/authsec/uflow/auth/totp/device-approve", {
    user_code: started.data.user_code, email: who.email, totp_code: totp(who.secret, stepNow()),
  });
  assert.equal(anonymous.status, 401, anonymous.text);
  const wrong = await who.client.post("/authsec/uflow/auth/totp/device-approve", {
    user_code: started.data.user_code, email: who.email, totp_code: totp(who.secret, stepNow()) === "000000" ? "111111" : "000000",
  }, who.auth);
  assert.equal(wrong.status, 400, wrong.text);
  const right = await who.client.post("/authsec/uflow/auth/totp/device-approve", {
    user_code: started.data.user_code, email: who.email, totp_code: totp(who.secret, stepNow()),
  }, who.auth);
  assert.equal(right.status, 200, right.text);
  const poll = await call("POST", "/authsec/uflow/auth/device/token", { json: { device_code: started.data.device_code } });
  assert.equal(poll.status, 200, poll.text);
});

test("openid-client completes CIBA as a confidential client: initiate, the user approves, the client polls", { timeout: 60_000 }, async () => {
  const admin = await onboard();
  const created = await admin.client.post(`/authsec/clientms/tenants/${admin.tenantId}/clients/create`,
    { name: "backchannel", client_type: "confidential", grant_types: [CIBA_GRANT] }, bearer(admin.login.token));
  assert.equal(created.status, 201, created.text);
  const { client_id: clientId, client_secret: secret } = created.data;
  const config = await oidc.discovery(new URL(BASE), clientId, secret, oidc.ClientSecretPost(secret), {
    execute: [oidc.allowInsecureRequests],
  });
  const publicClient = await defaultClientId(admin);
  const refused = await call("POST", "/authsec/uflow/auth/ciba/initiate", { json: { login_hint: admin.email, client_id: publicClient } });
  assert.equal(refused.status, 401, "a public client cannot start CIBA");
  const registered = await admin.client.post("/authsec/uflow/auth/ciba/register-device",
    { device_token: "ExponentPushToken[e2e]", platform: "android" }, bearer(admin.login.token));
  assert.equal(registered.status, 201, registered.text);
  const started = await oidc.initiateBackchannelAuthentication(config, { login_hint: admin.email, binding_message: "e2e-42", scope: "read" });
  const respond = (async () => {
    await new Promise((r) => setTimeout(r, 1500));
    const requests = await call("GET", "/authsec/uflow/auth/workspace/ciba/requests", { headers: bearer(admin.login.token) });
    assert.equal(requests.data.requests.length, 1, requests.text);
    const res = await admin.client.post("/authsec/uflow/auth/ciba/respond", { request_id: requests.data.requests[0].request_id, approved: true }, bearer(admin.login.token));
    assert.equal(res.status, 200, res.text);
  })();
  const tokens = await oidc.pollBackchannelAuthenticationGrant(config, started);
  await respond;
  assert.equal((await verify(tokens.access_token)).data.valid, true);
  const pushed = await (await fetch(`${process.env.AUTHSEC_E2E_MAIL_URL}/received`)).json();
  const push = pushed.find((r) => Array.isArray(r.mail) && r.mail[0].to === "ExponentPushToken[e2e]" && r.mail[0].body === "e2e-42");
  assert.ok(push, "the request was pushed to the registered device");
  assert.ok(!JSON.stringify(push).includes(started.auth_req_id), "the push never carries the auth_req_id");
});

test("device and CIBA routes refuse bad input", async () => {
  const { admin, clientId } = await tenantWithClient();
  const auth = bearer(admin.login.token);
  const cases = [
    ["POST", "/authsec/uflow/auth/device/code", {}, {}, 400],
    ["POST", "/authsec/uflow/auth/device/code", { client_id: clientId, scopes: 7 }, {}, 400],
    ["POST", "/authsec/uflow/auth/device/code", { client_id: clientId, device_info: "tv" }, {}, 400],
    ["POST", "/authsec/uflow/auth/device/token", {}, {}, 400],
    ["POST", "/authsec/uflow/auth/device/verify", { user_code: "AEIO-UAEI" }, auth, 400],
    ["POST", "/authsec/uflow/auth/device/verify", { user_code: "BCDF-GHJK", approve: "yes" }, auth, 400],
    ["POST", "/authsec/uflow/auth/ciba/initiate", { client_id: clientId }, {}, 400],
    ["POST", "/authsec/uflow/auth/ciba/respond", { auth_req_id: "x" }, auth, 400],
    ["POST", "/authsec/uflow/auth/ciba/register-device", { platform: "ios" }, auth, 400],
    ["POST", "/authsec/uflow/auth/ciba/register-device", { device_token: "t", platform: "ios" }, {}, 401],
    ["DELETE", "/authsec/uflow/auth/ciba/devices/not-mine", undefined, auth, 404],
    ["POST", "/authsec/oauth/token", undefined, {}, 400],
  ];
  for (const [method, path, json, headers, status] of cases) {
    const res = await call(method, path, { json, headers: { "cf-connecting-ip": "10.251.0.1", ...headers } });
    assert.equal(res.status, status, `${method} ${path} ${JSON.stringify(json)}: ${res.text}`);
  }
});

test("a device token is refused on admin, factor and account routes and bounded by its scopes", async () => {
  const { admin, clientId } = await tenantWithClient();
  const started = await call("POST", "/authsec/uflow/auth/device/code", { json: { client_id: clientId, scopes: ["docs:read"] } });
  assert.equal(started.status, 200, started.text);
  const approved = await admin.client.post("/authsec/uflow/auth/device/verify", { user_code: started.data.user_code, approve: true }, bearer(admin.login.token));
  assert.equal(approved.status, 200, approved.text);
  const issued = await call("POST", "/authsec/uflow/auth/device/token", { json: { device_code: started.data.device_code } });
  assert.equal(issued.status, 200, issued.text);
  const auth = bearer(issued.data.access_token);
  assert.deepEqual((await verify(issued.data.access_token)).data.roles, [], "an admin's device token carries no roles");
  for (const [method, path, json] of [
    ["GET", "/authsec/uflow/admin/roles"],
    ["GET", `/authsec/clientms/tenants/${admin.tenantId}/clients/getClients`],
    ["POST", "/authsec/uflow/auth/totp/register", { device_name: "phone" }],
    ["POST", "/authsec/webauthn/admin/beginRegistration", {}],
    ["GET", "/authsec/uflow/auth/sessions"],
  ]) {
    const res = await call(method, path, { json, headers: auth });
    assert.equal(res.status, 403, `${path}: ${res.text}`);
  }
  const check = (q) => call("GET", `/authsec/authmgr/user/check/permission?${q}`, { headers: auth });
  assert.equal((await check("resource=docs&action=read")).data.has_permission, true);
  assert.equal((await check("resource=docs&action=write")).data.has_permission, false);
  // Withdrawing the grant stops the client at once, refresh included.
  await setGrantTypes(admin, clientId, []);
  const refresh = await call("POST", "/authsec/uflow/auth/token/refresh", { json: { refresh_token: issued.data.refresh_token } });
  assert.equal(refresh.status, 400, refresh.text);
  const again = await call("POST", "/authsec/uflow/auth/device/code", { json: { client_id: clientId } });
  assert.equal(again.data.error, "unauthorized_client", again.text);
});

test("a tenant's default client offers no device grant until an admin enables it; CIBA can be registered", async () => {
  const admin = await onboard();
  const clientId = await defaultClientId(admin);
  const refused = await call("POST", "/authsec/uflow/auth/device/code", { json: { client_id: clientId } });
  assert.equal(refused.status, 400, refused.text);
  assert.equal(refused.data.error, "unauthorized_client");
  const updated = await setGrantTypes(admin, clientId, [CIBA_GRANT]);
  assert.deepEqual(updated.grant_types, [CIBA_GRANT]);
});

test("the activation info warns when the approver is on another network than the device", async () => {
  const { clientId } = await tenantWithClient();
  const started = await call("POST", "/authsec/uflow/auth/device/code", {
    json: { client_id: clientId, scopes: ["email"] }, headers: { "cf-connecting-ip": "192.0.2.10" },
  });
  const info = (ip) => call("GET", `/authsec/uflow/auth/device/activate/info?user_code=${started.data.user_code}`, { headers: { "cf-connecting-ip": ip } });
  const same = await info("192.0.2.77");
  assert.equal(same.data.same_network, true, same.text);
  assert.equal(same.data.network_warning, null);
  assert.equal(same.data.client_name, "Default client");
  assert.deepEqual(same.data.scope_descriptions, [{ scope: "email", description: "See your email address" }]);
  const other = await info("198.51.100.1");
  assert.equal(other.data.same_network, false);
  assert.match(other.data.network_warning, /another network/);
});
