// End users and password recovery against the Worker: the tenant comes from the client,
// codes arrive by mail, and a reset ends every session at once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { verify } from "./helpers.mjs";
import { PASSWORD, USER_PASSWORD, as, defaultClientId, latestCode, onboard, registerEndUser } from "./accounts-helpers.mjs";

async function tenantWithClient() {
  const admin = await onboard();
  return { admin, clientId: await defaultClientId(admin) };
}

test("an end user registers through a client, signs in, and gets an enduser token", async () => {
  const { admin, clientId } = await tenantWithClient();
  const user = await registerEndUser(clientId);
  const login = await user.client.post("/authsec/uflow/auth/enduser/login", { client_id: clientId, email: user.email, password: USER_PASSWORD });
  assert.equal(login.status, 200, login.text);
  const verified = await verify(login.data.token);
  assert.equal(verified.data.token_type, "enduser");
  assert.equal(verified.data.tenant_id, admin.tenantId);
  assert.equal(verified.data.user_id, user.userId);
  const precheck = await user.client.post("/authsec/uflow/auth/enduser/login/precheck", { client_id: clientId, email: user.email });
  assert.equal(precheck.data.exists, true);
  assert.equal(precheck.data.tenant_id, admin.tenantId);
  const unknownClient = await user.client.post("/authsec/uflow/user/login", { client_id: randomUUID(), email: user.email, password: USER_PASSWORD });
  assert.equal(unknownClient.status, 400);
  assert.equal(unknownClient.data.field, "client_id");
});

test("a forgotten password is reset by emailed code and every old session ends", async () => {
  const { clientId } = await tenantWithClient();
  const user = await registerEndUser(clientId);
  const before = await user.client.post("/authsec/uflow/user/login", { client_id: clientId, email: user.email, password: USER_PASSWORD });
  assert.equal(before.status, 200);
  const forgot = await user.client.post("/authsec/uflow/user/forgot-password", { client_id: clientId, email: user.email });
  assert.equal(forgot.status, 200);
  const code = await latestCode(user.email);
  const checked = await user.client.post("/authsec/uflow/user/forgot-password/verify-otp", { client_id: clientId, email: user.email, otp: code });
  assert.equal(checked.status, 200, checked.text);
  const reset = await user.client.post("/authsec/uflow/user/forgot-password/reset", {
    client_id: clientId, email: user.email, otp: code, new_password: "a fresh and private passphrase",
  });
  assert.equal(reset.status, 200, reset.text);
  assert.equal((await verify(before.data.token)).status, 401, "the old session ended");
  const refreshed = await user.client.post("/authsec/uflow/auth/token/refresh", { refresh_token: before.data.refresh_token });
  assert.equal(refreshed.status, 400);
  const after = await user.client.post("/authsec/uflow/user/login", { client_id: clientId, email: user.email, password: "a fresh and private passphrase" });
  assert.equal(after.status, 200);
});

test("forgot-password answers alike for unknown admins", async () => {
  const { admin } = await tenantWithClient();
  const client = as("10.211.0.1");
  const known = await client.post("/authsec/uflow/auth/admin/forgot-password", { email: admin.email });
  const unknown = await as("10.211.0.2").post("/authsec/uflow/auth/admin/forgot-password", { email: `ghost-${randomUUID().slice(0, 6)}@example.test` });
  assert.equal(known.status, 200);
  assert.equal(unknown.status, 200);
  assert.deepEqual(known.data, unknown.data);
  const code = await latestCode(admin.email);
  const reset = await client.post("/authsec/uflow/auth/admin/forgot-password/reset", { email: admin.email, otp: code, new_password: "a new admin passphrase here" });
  assert.equal(reset.status, 200, reset.text);
  assert.equal((await verify(admin.login.token)).status, 401);
  const old = await client.post("/authsec/uflow/auth/admin/login", { email: admin.email, password: PASSWORD });
  assert.equal(old.status, 401);
});
