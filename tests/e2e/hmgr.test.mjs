// Upstream's Hydra manager and OIDC config manager against the real Worker: a Hydra
// challenge is the interaction handle of a sign-in, the hooks lead the browser to its
// own pages (nothing is accepted by visiting them), and oocmgr answers from the tenant's
// clients and the provider's settings, to the tenant's admin only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BASE, call } from "./helpers.mjs";
import { bearer, onboard, USER_PASSWORD } from "./accounts-helpers.mjs";
import { authorizeUrl, callbackParams, codeFlowSetup, cookieJar, formFields, pkce, tokenCall, basic } from "./oauth-helpers.mjs";

const challenge = (path, param, tx, token) =>
  call("GET", `/authsec/hmgr/${path}?${param}=${encodeURIComponent(tx)}`, { headers: token ? bearer(token) : {} });

test("a challenge is the sign-in's handle: the admin reads its client, the hooks lead to its pages", { timeout: 60_000 }, async () => {
  const s = await codeFlowSetup();
  const p = await pkce();
  const browser = cookieJar();
  const first = await browser.get(authorizeUrl(s.clientId, s.app.redirectUri, p));
  assert.equal(first.status, 200);
  const { tx } = formFields(await first.text());
  assert.ok(tx, "the sign-in page names its interaction");

  const read = await challenge("challenge", "login_challenge", tx, s.admin.login.token);
  assert.equal(read.status, 200, read.text);
  assert.equal(read.data.client_id, s.clientId);
  assert.deepEqual(read.data.redirect_uris, [s.app.redirectUri]);
  assert.equal(read.data.scope, "openid email profile");
  const page = await challenge("login/page-data", "login_challenge", tx, s.admin.login.token);
  assert.equal(page.data.client_name, "Example App");
  assert.equal(page.data.local_login_enabled, true);
  const other = await onboard();
  assert.equal((await challenge("challenge", "login_challenge", tx, other.login.token)).status, 404, "another tenant's");
  assert.equal((await challenge("challenge", "login_challenge", tx)).status, 401);

  // Hydra's login hook: on to the interaction's sign-in page, in the browser that began it.
  const hook = await browser.get(`${BASE}/authsec/hmgr/login?login_challenge=${encodeURIComponent(tx)}`);
  assert.equal(hook.status, 303);
  const signIn = await browser.get(new URL(hook.headers.get("location"), BASE).href);
  assert.equal(signIn.status, 200);
  const signInPage = await signIn.text();
  assert.equal(formFields(signInPage).tx, tx);
  const consent = await browser.post(`${BASE}/authsec/oauth/authorize/password`,
    { ...formFields(signInPage), email: s.user.email, password: USER_PASSWORD });
  assert.equal(consent.status, 200);
  assert.match(await consent.text(), /name="decision"/);

  // Hydra's consent hook: the consent page again; visiting it grants nothing.
  const consentHook = await browser.get(`${BASE}/authsec/hmgr/consent?consent_challenge=${encodeURIComponent(tx)}`);
  assert.equal(consentHook.status, 303);
  const asked = await browser.get(new URL(consentHook.headers.get("location"), BASE).href);
  const askedPage = await asked.text();
  assert.match(askedPage, /name="decision"/, "still asking: nothing was accepted");
  assert.equal(s.app.hits.length, 0, "the app has heard nothing yet");
  const done = await browser.post(`${BASE}/authsec/oauth/authorize/consent`, { ...formFields(askedPage), decision: "allow" });
  const code = callbackParams(done).get("code");
  const tokens = await tokenCall({ grant_type: "authorization_code", code, redirect_uri: s.app.redirectUri, code_verifier: p.verifier },
    basic(s.clientId, s.secret));
  assert.equal(tokens.status, 200, tokens.text);
  assert.equal((await challenge("challenge", "login_challenge", tx, s.admin.login.token)).status, 404, "finished");
});

test("oocmgr answers from the tenant's clients and the provider's settings, to its admin", { timeout: 60_000 }, async () => {
  const s = await codeFlowSetup();
  const admin = bearer(s.admin.login.token);
  const listed = await call("POST", "/authsec/oocmgr/hydra-clients/list", { json: {}, headers: admin });
  assert.equal(listed.status, 200, listed.text);
  const app = listed.data.data.find((c) => c.hydra_client_id === s.clientId);
  assert.deepEqual(app.redirect_uris, [s.app.redirectUri]);
  assert.ok(listed.data.data.some((c) => c.client_type === "main"));
  assert.ok(!listed.text.includes(s.secret), "never a secret");
  const config = await call("POST", "/authsec/oocmgr/oidc/get-config", { json: { tenant_id: s.admin.tenantId, client_id: s.clientId }, headers: admin });
  assert.equal(config.status, 200, config.text);
  assert.equal(config.data.data.provider_settings.issuer, BASE);
  assert.equal(config.data.data.provider_settings.authorization_endpoint, `${BASE}/authsec/oauth/authorize`);
  assert.deepEqual(config.data.data.tenant_client.redirect_uris, [s.app.redirectUri]);
  const updated = await call("POST", "/authsec/oocmgr/tenant/update-complete",
    { json: { client_id: s.clientId, tenant_client: { redirect_uris: [s.app.redirectUri, `${s.app.origin}/other`] } }, headers: admin });
  assert.equal(updated.status, 200, updated.text);
  const client = await call("GET", `/authsec/clientms/tenants/${s.admin.tenantId}/clients/${s.clientId}`, { headers: admin });
  assert.deepEqual(client.data.redirect_uris, [s.app.redirectUri, `${s.app.origin}/other`]);

  const other = await onboard();
  const foreign = await call("POST", "/authsec/oocmgr/hydra-clients/list", { json: { tenant_id: s.admin.tenantId }, headers: bearer(other.login.token) });
  assert.equal(foreign.status, 404, foreign.text);
  assert.equal((await call("POST", "/authsec/oocmgr/oidc/raw-hydra-dump", { json: { tenant_id: s.admin.tenantId } })).status, 401);
});

test("what has no counterpart answers 501 with the reason", async () => {
  for (const [path, names] of [
    ["/authsec/hmgr/login/complete-local", "access token"],
    ["/authsec/hmgr/saml/acs", "SAML"],
    ["/authsec/oocmgr/oidc/add-provider", "federation"],
    ["/authsec/hmgr/auth/exchange-token", "/authsec/oauth/token"],
  ]) {
    const res = await call("POST", path, { json: { login_challenge: "x" } });
    assert.equal(res.status, 501, `${path}: ${res.text}`);
    assert.equal(res.data.error, "not_implemented");
    assert.ok(res.data.message.includes(names), `${path}: ${res.data.message}`);
  }
});
