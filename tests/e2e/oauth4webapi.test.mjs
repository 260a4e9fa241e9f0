// The provider through oauth4webapi (npm, OpenID Certified): client_credentials with
// scopes from RBAC, token exchange (RFC 8693), introspection (RFC 7662), revocation
// (RFC 7009), and a private_key_jwt client running PAR and the code flow with DPoP
// (RFC 9449) and its server nonce.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as oauth from "oauth4webapi";
import { BASE, call } from "./helpers.mjs";
import { bearer, onboard, USER_PASSWORD } from "./accounts-helpers.mjs";
import { codeFlowSetup, cookieJar, signInByForm } from "./oauth-helpers.mjs";

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

test("oauth4webapi: private_key_jwt, PAR, the code flow with DPoP and a server nonce, userinfo, refresh", { timeout: 60_000 }, async () => {
  const as = await authorizationServer();
  const s = await codeFlowSetup({ confidential: true });
  // A second client of the tenant that proves itself with a key, not a secret.
  const signing = await oauth.generateKeyPair("ES256");
  const publicJwk = { ...(await crypto.subtle.exportKey("jwk", signing.publicKey)), kid: "app-key-1" };
  const created = await s.admin.client.post(`/authsec/clientms/tenants/${s.admin.tenantId}/clients/create`, {
    name: "Key client", token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [publicJwk] },
    grant_types: ["authorization_code", "refresh_token"], redirect_uris: [s.app.redirectUri],
  }, bearer(s.admin.login.token));
  assert.equal(created.status, 201, created.text);
  const client = { client_id: created.data.client_id };
  const clientAuth = oauth.PrivateKeyJwt({ key: signing.privateKey, kid: "app-key-1" });
  const DPoP = oauth.DPoP(client, await oauth.generateKeyPair("ES256"));
  const retryOnNonce = async (attempt) => {
    try {
      return await attempt();
    } catch (err) {
      if (oauth.isDPoPNonceError(err)) return attempt();
      throw err;
    }
  };

  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const pushed = await oauth.processPushedAuthorizationResponse(as, client, await oauth.pushedAuthorizationRequest(as, client, clientAuth,
    new URLSearchParams({ response_type: "code", redirect_uri: s.app.redirectUri, scope: "openid email", state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: "S256" }), insecure));
  const start = `${BASE}/authsec/oauth/authorize?${new URLSearchParams({ client_id: client.client_id, request_uri: pushed.request_uri })}`;
  const { res } = await signInByForm(cookieJar(), start, s.user.email, USER_PASSWORD);
  const params = oauth.validateAuthResponse(as, client, new URL(res.headers.get("location")), state);
  const tokens = await retryOnNonce(async () => oauth.processAuthorizationCodeResponse(as, client,
    await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, s.app.redirectUri, verifier, { DPoP, ...insecure })));
  assert.equal(tokens.token_type, "dpop");
  const claims = oauth.getValidatedIdTokenClaims(tokens);
  assert.equal(claims.sub, s.user.userId);

  const userinfo = await retryOnNonce(async () => oauth.processUserInfoResponse(as, client, claims.sub,
    await oauth.userInfoRequest(as, client, tokens.access_token, { DPoP, ...insecure })));
  assert.equal(userinfo.email, s.user.email);
  const asBearer = await call("GET", "/authsec/oauth/userinfo", { headers: bearer(tokens.access_token) });
  assert.equal(asBearer.status, 401, "a DPoP-bound token is no bearer token");

  const refreshed = await retryOnNonce(async () => oauth.processRefreshTokenResponse(as, client,
    await oauth.refreshTokenGrantRequest(as, client, clientAuth, tokens.refresh_token, { DPoP, ...insecure })));
  assert.equal(refreshed.token_type, "dpop");
  // The refresh token is bound to the DPoP key: another key ends the session.
  const thief = oauth.DPoP(client, await oauth.generateKeyPair("ES256"));
  await assert.rejects(retryOnNonce(async () => oauth.processRefreshTokenResponse(as, client,
    await oauth.refreshTokenGrantRequest(as, client, clientAuth, refreshed.refresh_token, { DPoP: thief, ...insecure }))),
    (e) => e.error === "invalid_grant");
  const introspected = await oauth.processIntrospectionResponse(as, client,
    await oauth.introspectionRequest(as, client, clientAuth, refreshed.access_token, insecure));
  assert.equal(introspected.active, false, "the session ended with the wrong-key refresh");
});
