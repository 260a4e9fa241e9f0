// The OAuth provider end to end without a browser: the sign-in and consent forms posted
// as a browser would (cookies, hidden fields), the token endpoint, userinfo,
// introspection, revocation and logout; and every refusal of issue 14's list, each its
// own case.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as jose from "jose";
import { BASE, call, verify } from "./helpers.mjs";
import { bearer, PASSWORD, USER_PASSWORD } from "./accounts-helpers.mjs";
import { enrolledTotp, roomInStep, stepNow, totp } from "./totp-helpers.mjs";
import {
  authorizeUrl, basic, callbackParams, codeFlowSetup, cookieJar, formFields, pkce, signInByForm, tokenCall,
} from "./oauth-helpers.mjs";

const JWKS = jose.createRemoteJWKSet(new URL(`${BASE}/.well-known/jwks.json`));

// Signs the user in by form and exchanges the code: the token response.
async function codeFlow(s, p = undefined, extra = {}) {
  p ??= await pkce();
  const browser = cookieJar();
  const { res } = await signInByForm(browser, authorizeUrl(s.clientId, s.app.redirectUri, p, extra), s.user.email, USER_PASSWORD);
  const params = callbackParams(res);
  assert.equal(params.get("state"), p.state);
  assert.equal(params.get("iss"), BASE, "RFC 9207 iss");
  const tokens = await tokenCall({ grant_type: "authorization_code", code: params.get("code"), redirect_uri: s.app.redirectUri,
    code_verifier: p.verifier }, basic(s.clientId, s.secret));
  assert.equal(tokens.status, 200, tokens.text);
  return { tokens: tokens.data, code: params.get("code"), browser, p };
}

const introspect = (s, token, id = s.clientId, secret = s.secret) =>
  call("POST", "/authsec/oauth/introspect", { body: new URLSearchParams({ token }).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", ...basic(id, secret) } });

test("the code flow by forms: sign-in, consent, code, tokens, id_token, userinfo, refresh", { timeout: 60_000 }, async () => {
  const s = await codeFlowSetup();
  const { tokens, p } = await codeFlow(s);
  assert.equal(tokens.token_type, "Bearer");
  assert.equal(tokens.scope, "openid email profile");
  const { payload: id } = await jose.jwtVerify(tokens.id_token, JWKS, { issuer: BASE, audience: s.clientId, algorithms: ["ES256"] });
  assert.equal(id.nonce, p.nonce);
  assert.equal(id.sub, s.user.userId, "sub is the user's stable id");
  assert.deepEqual(id.amr, ["pwd"]);
  assert.equal(id.email, s.user.email);
  assert.ok(id.auth_time > 0 && id.sid && id.at_hash);
  const info = await call("GET", "/authsec/oauth/userinfo", { headers: bearer(tokens.access_token) });
  assert.equal(info.status, 200, info.text);
  assert.equal(info.data.sub, s.user.userId);
  assert.equal(info.data.email, s.user.email);
  const verified = await verify(tokens.access_token);
  assert.equal(verified.data.client_id, s.clientId);
  assert.equal(verified.data.delegated, true, "a client's token is delegated");
  const refreshed = await tokenCall({ grant_type: "refresh_token", refresh_token: tokens.refresh_token }, basic(s.clientId, s.secret));
  assert.equal(refreshed.status, 200, refreshed.text);
  assert.notEqual(refreshed.data.refresh_token, tokens.refresh_token, "rotated");
  const { payload: again } = await jose.jwtVerify(refreshed.data.id_token, JWKS, { issuer: BASE, audience: s.clientId });
  assert.equal(again.sub, id.sub);
  assert.equal(again.auth_time, id.auth_time, "the sign-in time survives a refresh");
  // A delegated token cannot act as the user on admin or account routes.
  const sessions = await call("GET", "/authsec/uflow/auth/sessions", { headers: bearer(tokens.access_token) });
  assert.equal(sessions.status, 403, sessions.text);
});

test("a second authorization reuses the sign-in and the remembered consent; prompt and max_age ask again", { timeout: 60_000 }, async () => {
  const s = await codeFlowSetup();
  const { browser } = await codeFlow(s);
  const p = await pkce();
  const direct = await browser.get(authorizeUrl(s.clientId, s.app.redirectUri, p));
  assert.ok(callbackParams(direct).get("code"), "no page at all: signed in, consent remembered");
  const silent = await browser.get(authorizeUrl(s.clientId, s.app.redirectUri, p, { prompt: "none" }));
  assert.ok(callbackParams(silent).get("code"));
  const wider = await browser.get(authorizeUrl(s.clientId, s.app.redirectUri, p, { prompt: "none", scope: "openid email profile roles" }));
  assert.equal(callbackParams(wider).get("error"), "consent_required", "a new scope needs consent");
  for (const extra of [{ prompt: "login" }, { max_age: "0" }]) {
    const asked = await browser.get(authorizeUrl(s.clientId, s.app.redirectUri, p, extra));
    assert.equal(asked.status, 200, JSON.stringify(extra));
    assert.match(await asked.text(), /name="password"/);
  }
  const stranger = await cookieJar().get(authorizeUrl(s.clientId, s.app.redirectUri, p, { prompt: "none" }));
  assert.equal(callbackParams(stranger).get("error"), "login_required");
});

test("form_post sends the code in a self-submitting form to the registered origin only", async () => {
  const s = await codeFlowSetup();
  const { browser } = await codeFlow(s);
  const res = await browser.get(authorizeUrl(s.clientId, s.app.redirectUri, await pkce(), { response_mode: "form_post" }));
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-security-policy"), new RegExp(`form-action 'self' ${s.app.origin};`));
  const html = await res.text();
  assert.match(html, new RegExp(`action="${s.app.redirectUri}"`));
  assert.match(html, /name="code" value="[^"]+"/);
  assert.doesNotMatch(html, /<script>/, "no inline script");
});

test("a second factor: TOTP after the password, and amr says so", { timeout: 60_000 }, async () => {
  const admin = await enrolledTotp();
  const s = await codeFlowSetup();
  // The admin with TOTP signs in at a client of their own tenant.
  const created = await admin.client.post(`/authsec/clientms/tenants/${admin.tenantId}/clients/create`, {
    name: "Second", client_type: "confidential", grant_types: ["authorization_code"], redirect_uris: [s.app.redirectUri],
  }, admin.auth);
  assert.equal(created.status, 201, created.text);
  const p = await pkce();
  const browser = cookieJar();
  const { res, html } = await signInByForm(browser, authorizeUrl(created.data.client_id, s.app.redirectUri, p), admin.email, PASSWORD);
  assert.equal(res.status, 200);
  assert.match(html, /name="totp_code"/, "the second step");
  const wrong = await browser.post(`${BASE}/authsec/oauth/authorize/otp`, { ...formFields(html), totp_code: "000000" });
  assert.equal(wrong.status, 401);
  await roomInStep();
  const ok = await browser.post(`${BASE}/authsec/oauth/authorize/otp`, { ...formFields(html), totp_code: totp(admin.secret, stepNow()) });
  assert.equal(ok.status, 200, "then the consent screen");
  const consentHtml = await ok.text();
  const back = await browser.post(`${BASE}/authsec/oauth/authorize/consent`, { ...formFields(consentHtml), decision: "allow" });
  const tokens = await tokenCall({ grant_type: "authorization_code", code: callbackParams(back).get("code"),
    code_verifier: p.verifier }, basic(created.data.client_id, created.data.client_secret));
  assert.equal(tokens.status, 200, tokens.text);
  const { payload } = await jose.jwtVerify(tokens.data.id_token, JWKS, { issuer: BASE });
  assert.deepEqual(payload.amr, ["pwd", "otp", "mfa"]);
  assert.equal(payload.acr, "urn:authsec:acr:mfa");
});

test("a public client exchanges its code with PKCE alone", async () => {
  const s = await codeFlowSetup({ confidential: false });
  const p = await pkce();
  const { res } = await signInByForm(cookieJar(), authorizeUrl(s.clientId, s.app.redirectUri, p), s.user.email, USER_PASSWORD);
  const tokens = await tokenCall({ grant_type: "authorization_code", client_id: s.clientId, code: callbackParams(res).get("code"),
    redirect_uri: s.app.redirectUri, code_verifier: p.verifier });
  assert.equal(tokens.status, 200, tokens.text);
});

test("logout with id_token_hint ends the session and returns only to a registered URI", { timeout: 60_000 }, async () => {
  const s = await codeFlowSetup();
  const { tokens, browser } = await codeFlow(s);
  const elsewhere = await browser.get(`${BASE}/authsec/oauth/logout?${new URLSearchParams({
    id_token_hint: tokens.id_token, post_logout_redirect_uri: `${s.app.origin}/elsewhere` })}`);
  assert.equal(elsewhere.status, 400, "an unregistered post_logout_redirect_uri is refused");
  const out = await browser.get(`${BASE}/authsec/oauth/logout?${new URLSearchParams({
    id_token_hint: tokens.id_token, post_logout_redirect_uri: s.app.logoutUri, state: "bye-1" })}`);
  assert.equal(out.status, 303);
  assert.equal(out.headers.get("location"), `${s.app.logoutUri}?state=bye-1`);
  assert.equal((await introspect(s, tokens.access_token)).data.active, false, "the tokens' session ended");
  const refresh = await tokenCall({ grant_type: "refresh_token", refresh_token: tokens.refresh_token }, basic(s.clientId, s.secret));
  assert.equal(refresh.status, 400);
  const silent = await browser.get(authorizeUrl(s.clientId, s.app.redirectUri, await pkce(), { prompt: "none" }));
  assert.equal(callbackParams(silent).get("error"), "login_required", "the browser's sign-in ended too");
});

test("introspection reflects revocation at once; revoke ends the refresh family", { timeout: 60_000 }, async () => {
  const s = await codeFlowSetup();
  const { tokens } = await codeFlow(s);
  const live = await introspect(s, tokens.access_token);
  assert.equal(live.data.active, true, live.text);
  assert.equal(live.data.client_id, s.clientId);
  assert.equal(live.data.scope, "openid email profile");
  const revoked = await call("POST", "/authsec/oauth/revoke", { body: new URLSearchParams({ token: tokens.refresh_token }).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", ...basic(s.clientId, s.secret) } });
  assert.equal(revoked.status, 200, revoked.text);
  assert.equal((await introspect(s, tokens.access_token)).data.active, false, "the family's access token too");
  const strict = await call("POST", "/authsec/authmgr/token/verify", { json: { token: tokens.access_token, strict: true } });
  assert.equal(strict.status, 401);
});

// Refusals (issue 14, "Negative tests"), each a separate case.

test("refused: a wrong, mixed-case or extended redirect URI is an error page, never a redirect", async () => {
  const s = await codeFlowSetup();
  const p = await pkce();
  const variants = [`${s.app.origin}/other`, s.app.redirectUri.replace("/cb", "/CB"),
    s.app.redirectUri.replace("http://", "HTTP://"), `${s.app.redirectUri}/extra`, "https://evil.example/cb"];
  for (const uri of variants) {
    const res = await cookieJar().get(authorizeUrl(s.clientId, uri, p));
    assert.equal(res.status, 400, uri);
    assert.equal(res.headers.get("location"), null, `${uri}: no redirect`);
    assert.match(await res.text(), /not registered/);
  }
  const unknown = await cookieJar().get(authorizeUrl("no-such-client", s.app.redirectUri, p));
  assert.equal(unknown.status, 400);
  assert.equal(unknown.headers.get("location"), null);
});

test("refused: a missing or plain PKCE challenge", async () => {
  const s = await codeFlowSetup();
  const p = await pkce();
  for (const extra of [{ code_challenge: "" }, { code_challenge_method: "plain", code_challenge: p.verifier }, { code_challenge_method: "" }]) {
    const params = callbackParams(await cookieJar().get(authorizeUrl(s.clientId, s.app.redirectUri, p, extra)));
    assert.equal(params.get("error"), "invalid_request", JSON.stringify(extra));
    assert.equal(params.get("state"), p.state);
    assert.equal(params.get("iss"), BASE);
  }
});

test("refused: a wrong code_verifier", async () => {
  const s = await codeFlowSetup();
  const p = await pkce();
  const { res } = await signInByForm(cookieJar(), authorizeUrl(s.clientId, s.app.redirectUri, p), s.user.email, USER_PASSWORD);
  const wrong = await tokenCall({ grant_type: "authorization_code", code: callbackParams(res).get("code"),
    code_verifier: (await pkce()).verifier }, basic(s.clientId, s.secret));
  assert.equal(wrong.status, 400);
  assert.equal(wrong.data.error, "invalid_grant");
});

test("refused: a replayed code, and the tokens issued from it are revoked", async () => {
  const s = await codeFlowSetup();
  const { tokens, code, p } = await codeFlow(s);
  const replay = await tokenCall({ grant_type: "authorization_code", code, code_verifier: p.verifier }, basic(s.clientId, s.secret));
  assert.equal(replay.status, 400);
  assert.equal(replay.data.error, "invalid_grant");
  assert.equal((await introspect(s, tokens.access_token)).data.active, false);
  const refresh = await tokenCall({ grant_type: "refresh_token", refresh_token: tokens.refresh_token }, basic(s.clientId, s.secret));
  assert.equal(refresh.status, 400, "the refresh token died with its session");
});

test("refused: a code presented by another client", async () => {
  const s = await codeFlowSetup();
  const other = await s.admin.client.post(`/authsec/clientms/tenants/${s.admin.tenantId}/clients/create`, {
    name: "Other", client_type: "confidential", grant_types: ["authorization_code"], redirect_uris: [s.app.redirectUri],
  }, bearer(s.admin.login.token));
  const p = await pkce();
  const { res } = await signInByForm(cookieJar(), authorizeUrl(s.clientId, s.app.redirectUri, p), s.user.email, USER_PASSWORD);
  const stolen = await tokenCall({ grant_type: "authorization_code", code: callbackParams(res).get("code"),
    code_verifier: p.verifier }, basic(other.data.client_id, other.data.client_secret));
  assert.equal(stolen.status, 400);
  assert.equal(stolen.data.error, "invalid_grant");
});

test("refused: an expired code (codes live 60 seconds)", { timeout: 120_000 }, async () => {
  const s = await codeFlowSetup();
  const p = await pkce();
  const { res } = await signInByForm(cookieJar(), authorizeUrl(s.clientId, s.app.redirectUri, p), s.user.email, USER_PASSWORD);
  const code = callbackParams(res).get("code");
  await new Promise((r) => setTimeout(r, 61_000));
  const late = await tokenCall({ grant_type: "authorization_code", code, code_verifier: p.verifier }, basic(s.clientId, s.secret));
  assert.equal(late.status, 400);
  assert.equal(late.data.error, "invalid_grant");
});

test("refused: a consent form without its csrf field, or from another browser", async () => {
  const s = await codeFlowSetup();
  const browser = cookieJar();
  const url = authorizeUrl(s.clientId, s.app.redirectUri, await pkce());
  const page = await (await browser.get(url)).text();
  const consent = await browser.post(`${BASE}/authsec/oauth/authorize/password`, { ...formFields(page), email: s.user.email, password: USER_PASSWORD });
  const fields = formFields(await consent.text());
  const forged = await browser.post(`${BASE}/authsec/oauth/authorize/consent`, { tx: fields.tx, decision: "allow" });
  assert.equal(forged.status, 403, "no csrf field");
  assert.equal(forged.headers.get("location"), null);
  const otherBrowser = await cookieJar().post(`${BASE}/authsec/oauth/authorize/consent`, { ...fields, decision: "allow" });
  assert.equal(otherBrowser.status, 403, "the cookie of the browser that began it is missing");
  const genuine = await browser.post(`${BASE}/authsec/oauth/authorize/consent`, { ...fields, decision: "allow" });
  assert.ok(callbackParams(genuine).get("code"), "the real form still works");
});

test("refused: a reused refresh token ends the family", async () => {
  const s = await codeFlowSetup();
  const { tokens } = await codeFlow(s);
  const first = await tokenCall({ grant_type: "refresh_token", refresh_token: tokens.refresh_token }, basic(s.clientId, s.secret));
  assert.equal(first.status, 200, first.text);
  const reuse = await tokenCall({ grant_type: "refresh_token", refresh_token: tokens.refresh_token }, basic(s.clientId, s.secret));
  assert.equal(reuse.status, 400);
  assert.equal(reuse.data.error, "invalid_grant");
  const next = await tokenCall({ grant_type: "refresh_token", refresh_token: first.data.refresh_token }, basic(s.clientId, s.secret));
  assert.equal(next.status, 400, "the rotated token died with the family");
});

test("refused: introspection by a foreign client says inactive", async () => {
  const s = await codeFlowSetup();
  const { tokens } = await codeFlow(s);
  const other = await codeFlowSetup();
  const foreign = await introspect(s, tokens.access_token, other.clientId, other.secret);
  assert.equal(foreign.status, 200);
  assert.deepEqual(foreign.data, { active: false });
  const unauthenticated = await call("POST", "/authsec/oauth/introspect", { body: `token=${tokens.access_token}`,
    headers: { "content-type": "application/x-www-form-urlencoded" } });
  assert.equal(unauthenticated.status, 401);
});

test("refused: the consent screen's deny returns access_denied", async () => {
  const s = await codeFlowSetup();
  const p = await pkce();
  const { res } = await signInByForm(cookieJar(), authorizeUrl(s.clientId, s.app.redirectUri, p), s.user.email, USER_PASSWORD, { consent: "deny" });
  assert.equal(callbackParams(res).get("error"), "access_denied");
});

test("refused: a wrong password stays on the sign-in page and counts towards the lock", async () => {
  const s = await codeFlowSetup();
  const browser = cookieJar();
  const page = await (await browser.get(authorizeUrl(s.clientId, s.app.redirectUri, await pkce()))).text();
  const wrong = await browser.post(`${BASE}/authsec/oauth/authorize/password`, { ...formFields(page), email: s.user.email, password: "nope nope nope" });
  assert.equal(wrong.status, 401);
  assert.match(await wrong.text(), /4 attempts left/);
});

test("discovery lists exactly the provider's endpoints", async () => {
  const doc = (await call("GET", "/.well-known/openid-configuration")).data;
  for (const [field, path] of [["authorization_endpoint", "/authsec/oauth/authorize"], ["token_endpoint", "/authsec/oauth/token"],
    ["userinfo_endpoint", "/authsec/oauth/userinfo"], ["introspection_endpoint", "/authsec/oauth/introspect"],
    ["revocation_endpoint", "/authsec/oauth/revoke"], ["end_session_endpoint", "/authsec/oauth/logout"],
    ["pushed_authorization_request_endpoint", "/authsec/oauth/par"]]) {
    assert.equal(doc[field], `${BASE}${path}`);
    const res = await call(field === "authorization_endpoint" || field === "end_session_endpoint" || field === "userinfo_endpoint" ? "GET" : "POST", path);
    assert.notEqual(res.status, 404, `${path} is served`);
    assert.notEqual(res.status, 501, `${path} is served`);
  }
  assert.equal(doc.registration_endpoint, `${BASE}/authsec/oauth/register`);
  assert.equal(doc.request_parameter_supported, false, "request objects are not served, and say so");
});

test("PAR: a pushed request starts the flow by reference, once, for its own client only", async () => {
  const s = await codeFlowSetup();
  const p = await pkce();
  const pushed = await call("POST", "/authsec/oauth/par", {
    body: new URLSearchParams({ response_type: "code", redirect_uri: s.app.redirectUri, scope: "openid",
      state: p.state, code_challenge: p.challenge, code_challenge_method: "S256" }).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", ...basic(s.clientId, s.secret) } });
  assert.equal(pushed.status, 201, pushed.text);
  assert.match(pushed.data.request_uri, /^urn:ietf:params:oauth:request_uri:/);
  const url = `${BASE}/authsec/oauth/authorize?${new URLSearchParams({ client_id: s.clientId, request_uri: pushed.data.request_uri })}`;
  const browser = cookieJar();
  const { res } = await signInByForm(browser, url, s.user.email, USER_PASSWORD);
  const params = callbackParams(res);
  assert.equal(params.get("state"), p.state, "the pushed state came back");
  const tokens = await tokenCall({ grant_type: "authorization_code", code: params.get("code"), code_verifier: p.verifier }, basic(s.clientId, s.secret));
  assert.equal(tokens.status, 200, tokens.text);
  const reused = await cookieJar().get(url);
  assert.equal(reused.status, 400, "a request_uri is single use");
  const other = await codeFlowSetup();
  const foreign = await cookieJar().get(`${BASE}/authsec/oauth/authorize?${new URLSearchParams({ client_id: other.clientId, request_uri: pushed.data.request_uri })}`);
  assert.equal(foreign.status, 400);
  const unauthenticated = await call("POST", "/authsec/oauth/par", { body: `client_id=${s.clientId}&response_type=code`,
    headers: { "content-type": "application/x-www-form-urlencoded" } });
  assert.equal(unauthenticated.status, 401, "a confidential client must authenticate to push");
});

test("PAR: a client that requires it cannot start in the front channel", async () => {
  const s = await codeFlowSetup();
  const path = `/authsec/clientms/tenants/${s.admin.tenantId}/clients/${s.clientId}`;
  const set = await call("PATCH", path, { json: { require_pushed_authorization_requests: true }, headers: bearer(s.admin.login.token) });
  assert.equal(set.status, 200, set.text);
  const front = await cookieJar().get(authorizeUrl(s.clientId, s.app.redirectUri, await pkce()));
  assert.equal(callbackParams(front).get("error"), "invalid_request");
});
