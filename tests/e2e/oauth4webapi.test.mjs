// The provider's machine-to-machine side through oauth4webapi (npm, OpenID Certified):
// client_credentials with scopes from RBAC, token exchange (RFC 8693), introspection
// (RFC 7662) and revocation (RFC 7009).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as oauth from "oauth4webapi";
import { BASE, call } from "./helpers.mjs";
import { bearer, onboard } from "./accounts-helpers.mjs";

const insecure = { [oauth.allowInsecureRequests]: true };
const EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS = "urn:ietf:params:oauth:token-type:access_token";

async function authorizationServer() {
  const issuer = new URL(BASE);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
}

// A tenant with a service client bound to a role `reader` (documents:read).
async function serviceClient(grants) {
  const admin = await onboard();
  const auth = bearer(admin.login.token);
  const created = await admin.client.post(`/authsec/clientms/tenants/${admin.tenantId}/clients/create`,
    { name: "service", client_type: "confidential", grant_types: grants }, auth);
  assert.equal(created.status, 201, created.text);
  const role = await admin.client.post("/authsec/uflow/admin/roles", { name: "reader", permission_strings: ["documents:read"] }, auth);
  assert.equal(role.status, 201, role.text);
  const bound = await admin.client.post("/authsec/uflow/admin/bindings", { client_id: created.data.client_id, role_id: role.data.id }, auth);
  assert.equal(bound.status, 201, bound.text);
  return { admin, client: { client_id: created.data.client_id }, auth: oauth.ClientSecretBasic(created.data.client_secret) };
}

test("oauth4webapi: client_credentials, introspection and revocation", async () => {
  const as = await authorizationServer();
  const s = await serviceClient(["client_credentials"]);
  const res = await oauth.clientCredentialsGrantRequest(as, s.client, s.auth, new URLSearchParams({ scope: "documents:read" }), insecure);
  const tokens = await oauth.processClientCredentialsResponse(as, s.client, res);
  assert.equal(tokens.scope, "documents:read");
  const refused = await oauth.clientCredentialsGrantRequest(as, s.client, s.auth, new URLSearchParams({ scope: "documents:delete" }), insecure);
  await assert.rejects(oauth.processClientCredentialsResponse(as, s.client, refused), (e) => e.error === "invalid_scope");
  const introspected = await oauth.processIntrospectionResponse(as, s.client,
    await oauth.introspectionRequest(as, s.client, s.auth, tokens.access_token, insecure));
  assert.equal(introspected.active, true);
  assert.equal(introspected.client_id, s.client.client_id);
  assert.equal(introspected.sub, s.client.client_id, "the client acts as itself");
  await oauth.processRevocationResponse(await oauth.revocationRequest(as, s.client, s.auth, tokens.access_token, insecure));
  // A sessionless client token cannot be ended early: it stays valid until exp (documented).
  const again = await oauth.processIntrospectionResponse(as, s.client,
    await oauth.introspectionRequest(as, s.client, s.auth, tokens.access_token, insecure));
  assert.equal(again.active, true);
});

test("oauth4webapi: token exchange narrows a user's token and names the actor", async () => {
  const as = await authorizationServer();
  const s = await serviceClient([EXCHANGE]);
  const subject = s.admin.login.token;
  const params = new URLSearchParams({ subject_token: subject, subject_token_type: ACCESS, scope: "documents:read",
    actor_token: subject, actor_token_type: ACCESS });
  const res = await oauth.genericTokenEndpointRequest(as, s.client, s.auth, EXCHANGE, params, insecure);
  const exchanged = await oauth.processGenericTokenEndpointResponse(as, s.client, res);
  assert.equal(exchanged.issued_token_type, ACCESS);
  assert.equal(exchanged.scope, "documents:read");
  const claims = JSON.parse(Buffer.from(exchanged.access_token.split(".")[1], "base64url"));
  assert.equal(claims.act.sub, s.admin.userId);
  assert.equal(claims.client_id, s.client.client_id);
  const introspected = await oauth.processIntrospectionResponse(as, s.client,
    await oauth.introspectionRequest(as, s.client, s.auth, exchanged.access_token, insecure));
  assert.equal(introspected.active, true);
  // The exchanged token rides on the user's session, which is not the client's to end:
  // revoking it leaves the user signed in (it expires on its own).
  await oauth.processRevocationResponse(await oauth.revocationRequest(as, s.client, s.auth, exchanged.access_token, insecure));
  const subjectNow = await call("POST", "/authsec/authmgr/token/verify", { json: { token: subject, strict: true } });
  assert.equal(subjectNow.status, 200, "the user's own session stands");
});
