// The OAuth provider in real Chromium with openid-client (npm, OpenID Certified) as the
// application: the authorization code flow with PKCE through the Worker's own pages
// (password, consent), the callback, id_token validation, userinfo, refresh and
// RP-initiated logout; then the same flow with a passkey (a CDP virtual authenticator).
// Screenshots of each page go to test-output/e2e/oauth-<store>/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { chromium } from "playwright-core";
import * as oidc from "openid-client";
import { BASE, call } from "./helpers.mjs";
import { bearer, USER_PASSWORD } from "./accounts-helpers.mjs";
import { codeFlowSetup, discover } from "./oauth-helpers.mjs";

const CHROMIUM = process.env.AUTHSEC_CHROMIUM ?? "/usr/bin/chromium";
const shots = resolve(new URL("../..", import.meta.url).pathname, "test-output", "e2e", `oauth-${process.env.AUTHSEC_E2E_STORE ?? "d1"}`);

async function withBrowser(run) {
  assert.ok(existsSync(CHROMIUM), `Chromium is expected at ${CHROMIUM}`);
  mkdirSync(shots, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--headless=new"] });
  try {
    const context = await browser.newContext();
    await context.setExtraHTTPHeaders({ "cf-connecting-ip": `10.220.${Math.floor(Math.random() * 250)}.9` });
    const page = await context.newPage();
    return await run(page, context);
  } finally {
    await browser.close();
  }
}

const shot = (page, name) => page.screenshot({ path: resolve(shots, `${name}.png`), fullPage: true });

test("openid-client signs a user in through Chromium: password, consent, tokens, userinfo, refresh, logout", { timeout: 120_000 }, async () => {
  const s = await codeFlowSetup();
  const config = await discover(s.clientId, s.secret);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: s.app.redirectUri, scope: "openid email profile", state, nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: "S256",
  });
  await withBrowser(async (page) => {
    const signIn = await page.goto(url.href);
    assert.match(signIn.headers()["content-security-policy"], /script-src 'self'/);
    await page.waitForSelector("#password-form");
    await shot(page, "01-sign-in");
    await page.locator("#email").fill(s.user.email);
    await page.locator("#password").fill(USER_PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForSelector("#consent-form");
    assert.match(await page.locator("#scopes").innerText(), /See your email address/);
    await shot(page, "02-consent");
    await page.getByRole("button", { name: "Allow" }).click();
    await page.waitForURL((u) => u.pathname === "/cb");
    const callback = new URL(page.url());
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce,
    });
    const claims = tokens.claims();
    assert.equal(claims.sub, s.user.userId);
    assert.equal(claims.email, s.user.email);
    assert.deepEqual(claims.amr, ["pwd"]);
    const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.equal(info.email, s.user.email);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
    assert.ok(refreshed.access_token && refreshed.refresh_token !== tokens.refresh_token);
    assert.equal(refreshed.claims().sub, claims.sub);

    const logout = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token, post_logout_redirect_uri: s.app.logoutUri, state: "after-logout",
    });
    await page.goto(logout.href);
    await page.waitForURL((u) => u.pathname === "/bye");
    assert.equal(new URL(page.url()).searchParams.get("state"), "after-logout");
    const gone = await call("POST", "/authsec/authmgr/token/verify", { json: { token: refreshed.access_token, strict: true } });
    assert.equal(gone.status, 401, "the session ended with the logout");
  });
});

test("openid-client signs a user in through Chromium with a passkey alone", { timeout: 120_000 }, async () => {
  const s = await codeFlowSetup();
  const config = await discover(s.clientId, s.secret);
  // Browsers refuse IP addresses as relying parties: the pages are opened on localhost.
  const origin = BASE.replace("127.0.0.1", "localhost");
  await withBrowser(async (page, context) => {
    const cdp = await context.newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true,
        isUserVerified: true, automaticPresenceSimulation: true },
    });
    // The user registers a passkey on the account page (after a step-up with the password).
    const clientParam = encodeURIComponent((await call("POST", "/authsec/authmgr/token/verify",
      { json: { token: s.admin.login.token } })).data.client_id);
    await page.goto(`${origin}/authsec/login?client_id=${clientParam}`);
    await page.waitForSelector('body[data-view="signin"]');
    await page.locator("#signin-email").fill(s.user.email);
    await page.locator("#signin-password").fill(USER_PASSWORD);
    await page.locator("#signin-form button[type=submit]").click();
    await page.waitForSelector('body[data-view="account"]');
    await page.getByRole("button", { name: "Register a passkey" }).click();
    await page.waitForFunction(() => /confirm it is you/i.test(document.getElementById("status").textContent));
    await page.locator("#stepup-secret").fill(USER_PASSWORD);
    await page.getByRole("button", { name: "Register a passkey" }).click();
    await page.waitForSelector('body[data-passkeys="registered"]');

    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: s.app.redirectUri, scope: "openid email", state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: "S256",
    });
    await page.goto(url.href.replace(BASE, origin));
    await page.waitForSelector("#passkey-button, #consent-form");
    // The page may use the passkey through autofill (conditional mediation) on its own,
    // and the virtual authenticator answers at once: that can navigate to the consent
    // page at any moment, even while the button is being clicked. Either way the passkey
    // alone signs the user in.
    await page.getByRole("button", { name: "Sign in with a passkey" }).click({ timeout: 5_000 }).catch(() => {});
    await page.waitForSelector("#consent-form");
    await shot(page, "03-consent-after-passkey");
    await page.getByRole("button", { name: "Allow" }).click();
    await page.waitForURL((u) => u.pathname === "/cb");
    const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), {
      pkceCodeVerifier: verifier, expectedState: state, expectedIssuer: BASE,
    });
    const claims = tokens.claims();
    assert.equal(claims.sub, s.user.userId);
    assert.ok(["swk", "hwk"].includes(claims.amr[0]), `a passkey method: ${claims.amr}`);
    assert.equal(claims.acr, "urn:authsec:acr:mfa");
    const me = await call("GET", "/authsec/oauth/userinfo", { headers: bearer(tokens.access_token) });
    assert.equal(me.data.email, s.user.email);
  });
});
