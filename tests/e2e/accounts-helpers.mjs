// Account scenarios shared by the e2e files: people, their addresses, their mail.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { call, verify } from "./helpers.mjs";

export const PASSWORD = "correct horse battery staple";
export const MAIL = process.env.AUTHSEC_E2E_MAIL_URL;
export const MAIL_KEY = process.env.AUTHSEC_E2E_MAIL_KEY;

// Each scenario comes from its own address, as separate people would; rate limits are
// per IP and per email.
export const as = (ip) => ({
  post: (path, json, headers = {}) => call("POST", path, { json, headers: { "cf-connecting-ip": ip, ...headers } }),
  get: (path, headers = {}) => call("GET", path, { headers: { "cf-connecting-ip": ip, ...headers } }),
  del: (path, headers = {}) => call("DELETE", path, { headers: { "cf-connecting-ip": ip, ...headers } }),
});
export const fresh = () => {
  const id = randomUUID().slice(0, 8);
  return { email: `admin-${id}@example.test`, domain: `t-${id}`, ip: `10.${id.charCodeAt(0)}.${id.charCodeAt(1)}.${id.charCodeAt(2)}` };
};
export const bearer = (token) => ({ authorization: `Bearer ${token}` });

export async function latestCode(email) {
  const res = await call("GET", `/authsec/dev/outbox?to=${encodeURIComponent(email)}`);
  assert.equal(res.status, 200, res.text);
  const match = /\b(\d{6})\b/.exec(res.data.messages[0]?.body ?? "");
  assert.ok(match, "a code was mailed");
  return match[1];
}

export async function onboard(email) {
  const who = { ...fresh(), ...(email ? { email } : {}) };
  const client = as(who.ip);
  const started = await client.post("/authsec/uflow/auth/admin/login/bootstrap", {
    email: who.email, password: PASSWORD, confirm_password: PASSWORD, tenant_domain: who.domain, name: "Ada",
    biometric_verified: true,
  });
  assert.equal(started.status, 201, started.text);
  const code = await latestCode(who.email);
  const done = await client.post("/authsec/uflow/auth/admin/complete-registration", { email: who.email, otp: code, password: PASSWORD });
  assert.equal(done.status, 201, done.text);
  const login = await client.post("/authsec/uflow/auth/admin/login", { email: who.email, password: PASSWORD });
  assert.equal(login.status, 200, login.text);
  return { ...who, client, tenantId: done.data.tenant_id, userId: done.data.user_id, login: login.data };
}


export const USER_PASSWORD = "a long and private passphrase";

// The default client a tenant gets at registration (its id is in the admin's token).
export const defaultClientId = async (admin) => (await verify(admin.login.token)).data.client_id;

export const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
export const CIBA_GRANT = "urn:openid:params:grant-type:ciba";

// Sets a client's grant_types as its tenant's admin (every grant checks them).
export async function setGrantTypes(admin, clientId, grantTypes) {
  const res = await call("PUT", `/authsec/clientms/tenants/${admin.tenantId}/clients/${clientId}`,
    { json: { grant_types: grantTypes }, headers: bearer(admin.login.token) });
  assert.equal(res.status, 200, res.text);
  return res.data;
}

// The default client, which an admin has registered for the device grant (a tenant's
// default client does not offer it until then).
export async function deviceClientId(admin) {
  const clientId = await defaultClientId(admin);
  await setGrantTypes(admin, clientId, [DEVICE_GRANT]);
  return clientId;
}

// Registers an end user through `clientId`, from an address of its own.
export async function registerEndUser(clientId, prefix = "user") {
  const email = `${prefix}-${randomUUID().slice(0, 8)}@example.test`;
  const client = as(`10.210.${email.charCodeAt(prefix.length + 1)}.${email.charCodeAt(prefix.length + 2)}`);
  const started = await client.post("/authsec/uflow/user/register/initiate", { client_id: clientId, email, password: USER_PASSWORD });
  assert.equal(started.status, 200, started.text);
  const code = await latestCode(email);
  const done = await client.post("/authsec/uflow/user/register/complete", { client_id: clientId, email, otp: code, password: USER_PASSWORD });
  assert.equal(done.status, 201, done.text);
  return { email, client, userId: done.data.user_id };
}
