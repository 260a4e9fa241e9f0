// Issue 12 through the Worker: factor changes need a step-up ticket held in the
// ChallengeStore Durable Object (bound to its session, five minutes); email plus a TOTP
// code is a sign-in only where the tenant set totp_only_login, with one per-IP budget of
// failed codes; and the SDK's MFA status resolves the end user of the named tenant.
import { test } from "node:test";
import assert from "node:assert/strict";
import { call } from "./helpers.mjs";
import { PASSWORD, USER_PASSWORD, as, bearer, defaultClientId, onboard, registerEndUser } from "./accounts-helpers.mjs";
import { base32Decode, enrolledTotp, roomInStep, stepNow, totp } from "./totp-helpers.mjs";

const outbox = async (email) => (await call("GET", `/authsec/dev/outbox?to=${encodeURIComponent(email)}`)).data.messages;

test("a bearer token alone enrols no factor; a step-up ticket does, for its own session only", async () => {
  const who = await onboard();
  const auth = bearer(who.login.token);
  const bare = await who.client.post("/authsec/uflow/auth/totp/register", { device_name: "planted" }, auth);
  assert.equal(bare.status, 400, bare.text);
  assert.equal(bare.data.error, "step_up_required");
  const passkey = await who.client.post("/authsec/webauthn/admin/beginRegistration", {}, auth);
  assert.equal(passkey.data.error, "step_up_required", passkey.text);

  const stepUp = await who.client.post("/authsec/uflow/auth/step-up", { password: PASSWORD }, auth);
  assert.equal(stepUp.status, 200, stepUp.text);
  const ticket = stepUp.data.step_up_token;
  // Another session of the same user cannot use it.
  const second = await who.client.post("/authsec/uflow/auth/admin/login", { email: who.email, password: PASSWORD });
  const other = await who.client.post("/authsec/uflow/auth/totp/register",
    { device_name: "x", step_up_token: ticket }, bearer(second.data.token));
  assert.equal(other.status, 400, other.text);

  const reg = await who.client.post("/authsec/uflow/auth/totp/register", { device_name: "phone" },
    { ...auth, "x-step-up-token": ticket });
  assert.equal(reg.status, 200, reg.text);
  const secret = base32Decode(reg.data.secret);
  await roomInStep();
  const confirm = await who.client.post("/authsec/uflow/auth/totp/confirm",
    { device_id: reg.data.device_id, totp_code: totp(secret, stepNow()), step_up_token: ticket }, auth);
  assert.equal(confirm.status, 200, confirm.text);
  const mails = await outbox(who.email);
  assert.equal(mails[0].subject, "A second factor was added to your account");

  // The reset mail lists the factors after its code.
  await who.client.post("/authsec/uflow/auth/admin/forgot-password", { email: who.email });
  const reset = (await outbox(who.email))[0].body;
  assert.match(reset, /\b\d{6}\b[\s\S]*authenticator app "phone"/);
});

test("email plus a TOTP code is no sign-in until the tenant's admin sets totp_only_login", async () => {
  const who = await enrolledTotp();
  await roomInStep();
  const byEmail = () => who.client.post("/authsec/uflow/auth/totp/login", { email: who.email, totp_code: totp(who.secret, stepNow()) });
  const refused = await byEmail();
  assert.equal(refused.status, 400, refused.text);
  assert.match(refused.data.message, /totp_only_login/);
  const set = await call("PUT", `/authsec/uflow/admin/tenants/${who.tenantId}`,
    { json: { totp_only_login: true }, headers: who.auth });
  assert.equal(set.status, 200, set.text);
  assert.equal(set.data.totp_only_login, true);
  const signedIn = await byEmail();
  assert.equal(signedIn.status, 200, signedIn.text);
});

test("failed codes on unknown, unenrolled and enrolled emails spend one per-IP budget", async () => {
  const who = await enrolledTotp();
  const set = await call("PUT", `/authsec/uflow/admin/tenants/${who.tenantId}`, { json: { totp_only_login: true }, headers: who.auth });
  assert.equal(set.status, 200, set.text);
  await roomInStep();
  const right = totp(who.secret, stepNow());
  const wrong = right === "000000" ? "111111" : "000000";
  const sprayer = as(`10.240.${Math.floor(Math.random() * 250)}.9`);
  for (const email of ["ghost-1@example.test", "ghost-2@example.test", "ghost-3@example.test", who.email, "ghost-4@example.test"]) {
    const res = await sprayer.post("/authsec/uflow/auth/totp/login", { email, tenant_domain: who.domain, totp_code: wrong });
    assert.equal(res.status, 400, res.text);
  }
  const spent = await sprayer.post("/authsec/uflow/auth/totp/login", { email: who.email, tenant_domain: who.domain, totp_code: right });
  assert.equal(spent.status, 429, spent.text);
});

test("the SDK's MFA status resolves the end user of the named tenant, in every form", async () => {
  const admin = await onboard();
  const clientId = await defaultClientId(admin);
  const user = await registerEndUser(clientId);
  const login = await user.client.post("/authsec/uflow/user/login", { client_id: clientId, email: user.email, password: USER_PASSWORD });
  const auth = bearer(login.data.token);
  const reg = await user.client.post("/authsec/uflow/auth/totp/register", { device_name: "phone", password: USER_PASSWORD }, auth);
  assert.equal(reg.status, 200, reg.text);
  await roomInStep();
  const confirm = await user.client.post("/authsec/uflow/auth/totp/confirm", {
    device_id: reg.data.device_id, totp_code: totp(base32Decode(reg.data.secret), stepNow()), step_up_token: reg.data.step_up_token,
  }, auth);
  assert.equal(confirm.status, 200, confirm.text);
  const email = encodeURIComponent(user.email);
  for (const res of [
    await user.client.post("/authsec/webauthn/mfa/loginStatus", { email: user.email, workspace_id: admin.tenantId }),
    await user.client.post("/webauthn/mfa/loginStatus", { email: user.email, tenant_id: admin.tenantId }),
    await user.client.get(`/authsec/webauthn/mfa/loginStatus?email=${email}&tenant_id=${admin.tenantId}`),
    await user.client.get(`/authsec/webauthn/enduser/mfa/loginStatus?email=${email}&client_id=${clientId}`),
  ]) {
    assert.equal(res.status, 200, res.text);
    assert.deepEqual([res.data.mfa_required, res.data.totp_enabled, res.data.mfa_method], [true, true, "totp"], res.text);
  }
  const unknown = await user.client.post("/authsec/webauthn/mfa/loginStatus", { email: "nobody@example.test", tenant_id: admin.tenantId });
  assert.deepEqual(unknown.data, { mfa_required: false, methods: ["password"], mfa_method: null, webauthn_enabled: false, totp_enabled: false });
});
