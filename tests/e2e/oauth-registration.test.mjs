// Dynamic client registration (RFC 7591) and its management (RFC 7592): closed unless a
// tenant admin mints an initial access token or opens registration; the registration
// access token manages exactly its own client; metadata the provider would not honour is
// refused. A registered client then signs a user in.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BASE, call } from "./helpers.mjs";
import { bearer, defaultClientId, USER_PASSWORD } from "./accounts-helpers.mjs";
import { authorizeUrl, basic, callbackParams, codeFlowSetup, cookieJar, pkce, signInByForm, tokenCall } from "./oauth-helpers.mjs";

const register = (json, headers = {}, query = "") => call("POST", `/authsec/oauth/register${query}`, { json, headers });

test("refused: registration while the tenant keeps it closed", async () => {
  const s = await codeFlowSetup();
  const closed = await register({ redirect_uris: [s.app.redirectUri] });
  assert.equal(closed.status, 403, closed.text);
  const named = await register({ redirect_uris: [s.app.redirectUri] }, {}, `?tenant_id=${s.admin.tenantId}`);
  assert.equal(named.status, 403, "open registration is off by default");
  const forged = await register({ redirect_uris: [s.app.redirectUri] }, bearer("not-a-real-initial-token"));
  assert.equal(forged.status, 401);
});

test("an initial access token registers one client, whose registration token manages it", async () => {
  const s = await codeFlowSetup();
  const minted = await call("POST", "/authsec/uflow/admin/oauth/initial-access-tokens", { headers: bearer(s.admin.login.token) });
  assert.equal(minted.status, 201, minted.text);
  const iat = bearer(minted.data.initial_access_token);
  const made = await register({ client_name: "Registered app", redirect_uris: [s.app.redirectUri], grant_types: ["authorization_code", "refresh_token"],
    post_logout_redirect_uris: [s.app.logoutUri], software_id: "ignored-extension" }, iat);
  assert.equal(made.status, 201, made.text);
  const c = made.data;
  assert.ok(c.client_id && c.client_secret && c.registration_access_token);
  assert.equal(c.registration_client_uri, `${BASE}/authsec/oauth/register/${c.client_id}`);
  assert.equal(c.token_endpoint_auth_method, "client_secret_basic");
  assert.deepEqual(c.redirect_uris, [s.app.redirectUri]);
  const again = await register({ redirect_uris: [s.app.redirectUri] }, iat);
  assert.equal(again.status, 401, "an initial access token is single use");

  const manage = bearer(c.registration_access_token);
  const path = `/authsec/oauth/register/${c.client_id}`;
  const read = await call("GET", path, { headers: manage });
  assert.equal(read.status, 200, read.text);
  assert.equal(read.data.client_secret, undefined, "the secret is shown once");
  assert.equal((await call("GET", path, { headers: bearer("wrong") })).status, 401);
  const other = await call("GET", `/authsec/oauth/register/${s.clientId}`, { headers: manage });
  assert.equal(other.status, 401, "the token manages its own client only (and never an admin's)");
  const renamed = await call("PUT", path, { headers: manage, json: { client_id: c.client_id, client_name: "Renamed",
    redirect_uris: [s.app.redirectUri], grant_types: ["authorization_code"] } });
  assert.equal(renamed.status, 200, renamed.text);
  assert.equal(renamed.data.client_name, "Renamed");

  // The registered client signs a user in.
  const p = await pkce();
  const { res } = await signInByForm(cookieJar(), authorizeUrl(c.client_id, s.app.redirectUri, p), s.user.email, USER_PASSWORD);
  const tokens = await tokenCall({ grant_type: "authorization_code", code: callbackParams(res).get("code"), code_verifier: p.verifier },
    basic(c.client_id, c.client_secret));
  assert.equal(tokens.status, 200, tokens.text);

  assert.equal((await call("DELETE", path, { headers: manage })).status, 204);
  assert.equal((await call("GET", path, { headers: manage })).status, 401, "deleted");
});

test("open registration: anyone registers in a tenant whose admin opened it", async () => {
  const s = await codeFlowSetup();
  const opened = await call("PUT", "/authsec/uflow/admin/oauth/settings", { json: { open_registration: true }, headers: bearer(s.admin.login.token) });
  assert.equal(opened.status, 200, opened.text);
  const made = await register({ redirect_uris: [s.app.redirectUri], token_endpoint_auth_method: "none" }, {}, `?tenant_id=${s.admin.tenantId}`);
  assert.equal(made.status, 201, made.text);
  assert.equal(made.data.client_secret, undefined, "a public client has no secret");
  const login = await s.user.client.post("/authsec/uflow/user/login",
    { client_id: await defaultClientId(s.admin), email: s.user.email, password: USER_PASSWORD });
  assert.equal(login.status, 200, login.text);
  const user = await call("PUT", "/authsec/uflow/admin/oauth/settings", { json: { open_registration: false }, headers: bearer(login.data.token) });
  assert.equal(user.status, 403, "only the tenant's admin changes it");
});

test("refused: metadata the provider would not honour", async () => {
  const s = await codeFlowSetup();
  await call("PUT", "/authsec/uflow/admin/oauth/settings", { json: { open_registration: true }, headers: bearer(s.admin.login.token) });
  const q = `?tenant_id=${s.admin.tenantId}`;
  for (const [body, error] of [
    [{ redirect_uris: ["http://app.example/cb"] }, "invalid_redirect_uri"],
    [{ redirect_uris: ["https://app.example/cb#frag"] }, "invalid_redirect_uri"],
    [{ grant_types: ["authorization_code"] }, "invalid_redirect_uri"],
    [{ redirect_uris: [s.app.redirectUri], grant_types: ["urn:ietf:params:oauth:grant-type:device_code"] }, "invalid_client_metadata"],
    [{ redirect_uris: [s.app.redirectUri], response_types: ["token"] }, "invalid_client_metadata"],
    [{ redirect_uris: [s.app.redirectUri], jwks_uri: "https://app.example/jwks" }, "invalid_client_metadata"],
    [{ redirect_uris: [s.app.redirectUri], token_endpoint_auth_method: "private_key_jwt" }, "invalid_client_metadata"],
    [{ redirect_uris: [s.app.redirectUri], introspection: true }, "invalid_client_metadata"],
  ]) {
    const res = await register(body, {}, q);
    assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
    assert.equal(res.data.error, error, JSON.stringify(body));
  }
});
