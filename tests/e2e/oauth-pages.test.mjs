// The pages as a product (issue 14) in real Chromium: every page — the OAuth sign-in
// (and its error state), second factor, consent, error and signed-out pages, the account
// page and device activation — passes axe-core (npm) with no serious or critical
// violation in the light and the dark theme, and is screenshotted in both to
// test-output/e2e/pages-<store>/ (with axe.json, the violations by impact per page).
// A tenant's branding (name, accent, logo) shows on its own sign-in page and on no other
// tenant's; ui_locales and Accept-Language choose German.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { chromium } from "playwright-core";
import * as oidc from "openid-client";
import { BASE, call } from "./helpers.mjs";
import { bearer, deviceClientId, defaultClientId, PASSWORD, USER_PASSWORD } from "./accounts-helpers.mjs";
import { enrolledTotp } from "./totp-helpers.mjs";
import { codeFlowSetup } from "./oauth-helpers.mjs";

const CHROMIUM = process.env.AUTHSEC_CHROMIUM ?? "/usr/bin/chromium";
const shots = resolve(new URL("../..", import.meta.url).pathname, "test-output", "e2e", `pages-${process.env.AUTHSEC_E2E_STORE ?? "d1"}`);
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const LOGO_ORIGIN = "https://logo.example.test";
const LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><rect width="40" height="40" rx="10" fill="#0a7d5a"/><path d="M12 28 20 10l8 18h-5l-3-7-3 7z" fill="#fff"/></svg>`;
const THEMES = ["light", "dark"];
const IMPACTS = ["critical", "serious", "moderate", "minor"];

// page name -> theme -> { critical, serious, moderate, minor, rules }
const report = {};

async function withBrowser(run, contextOptions = {}) {
  assert.ok(existsSync(CHROMIUM), `Chromium is expected at ${CHROMIUM}`);
  mkdirSync(shots, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--headless=new"] });
  try {
    const context = await browser.newContext({ viewport: { width: 960, height: 820 }, ...contextOptions });
    await context.setExtraHTTPHeaders({ "cf-connecting-ip": `10.230.${Math.floor(Math.random() * 250)}.9` });
    // The tenant's logo host, answered here (the machine has no internet): the page's
    // CSP must still allow its origin for the image to load.
    await context.route(`${LOGO_ORIGIN}/**`, (route) => route.fulfill({ contentType: "image/svg+xml", body: LOGO_SVG }));
    const page = await context.newPage();
    return await run(page, context);
  } finally {
    await browser.close();
  }
}

// axe-core in the page, in each theme, and a screenshot of each. The pages' CSP forbids
// injecting a script tag; page.evaluate runs in the page without the CSP applying to it.
async function audit(page, name) {
  await page.waitForLoadState("load");
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE);
  report[name] = {};
  for (const colorScheme of THEMES) {
    await page.emulateMedia({ colorScheme, reducedMotion: "reduce" });
    const { violations, passed, incomplete } = await page.evaluate(async () => {
      const results = await window.axe.run(document, { resultTypes: ["violations"] });
      return {
        violations: results.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) })),
        passed: results.passes.map((r) => r.id),
        incomplete: results.incomplete.map((r) => r.id),
      };
    });
    const counts = Object.fromEntries(IMPACTS.map((impact) => [impact, violations.filter((v) => v.impact === impact).length]));
    report[name][colorScheme] = { ...counts, rules: violations, passed, incomplete };
    assert.ok(passed.includes("color-contrast") || incomplete.includes("color-contrast"), `${name}: contrast was checked`);
    await page.screenshot({ path: resolve(shots, `${name}-${colorScheme}.png`), fullPage: true });
    const grave = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    assert.deepEqual(grave, [], `${name} (${colorScheme}): serious or critical axe violations`);
  }
  await page.emulateMedia({ colorScheme: "light" });
}

after(() => {
  if (!Object.keys(report).length) return;
  mkdirSync(shots, { recursive: true });
  writeFileSync(resolve(shots, "axe.json"), `${JSON.stringify(report, null, 2)}\n`);
  for (const [name, themes] of Object.entries(report)) {
    for (const [theme, r] of Object.entries(themes)) {
      const rules = r.rules.map((v) => `${v.id}(${v.impact})`).join(" ") || "none";
      console.log(`axe ${name} ${theme}: critical ${r.critical}, serious ${r.serious}, moderate ${r.moderate}, minor ${r.minor}: ${rules}; ${r.passed.length} rules passed, incomplete: ${r.incomplete.join(" ") || "none"}`);
    }
  }
});

async function authorizeUrl(s, extra = {}) {
  const config = await oidc.discovery(new URL(BASE), s.clientId, s.secret, oidc.ClientSecretBasic(s.secret), { execute: [oidc.allowInsecureRequests] });
  return oidc.buildAuthorizationUrl(config, {
    redirect_uri: s.app.redirectUri, scope: "openid email profile", state: oidc.randomState(), nonce: oidc.randomNonce(),
    code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: "S256", ...extra,
  }).href;
}

const buttonColour = (page, selector) => page.locator(selector).evaluate((b) => getComputedStyle(b).backgroundColor);

test("a tenant's branding shows on its sign-in page and no other; every step passes axe in both themes", { timeout: 180_000 }, async () => {
  const acme = await codeFlowSetup();
  const globex = await codeFlowSetup();
  const branded = await call("PUT", `/authsec/uflow/admin/tenants/${acme.admin.tenantId}`, {
    json: { branding: { display_name: "Acme Rockets", logo_url: `${LOGO_ORIGIN}/brand/logo.svg`, accent_color: "#0a7d5a" } },
    headers: bearer(acme.admin.login.token),
  });
  assert.equal(branded.status, 200, branded.text);

  await withBrowser(async (page) => {
    const res = await page.goto(await authorizeUrl(acme));
    assert.match(res.headers()["content-security-policy"], new RegExp(`img-src 'self' data: ${LOGO_ORIGIN};`));
    await page.waitForSelector("#password-form");
    assert.equal(await page.locator(".brand-name").innerText(), "Acme Rockets");
    assert.equal(await buttonColour(page, "#password-form button[type=submit]"), "rgb(10, 125, 90)", "the accent");
    await page.waitForFunction(() => document.querySelector(".brand-logo")?.complete);
    assert.ok(await page.locator(".brand-logo").evaluate((img) => img.naturalWidth > 0), "the logo loaded under the CSP");
    assert.equal(await page.getAttribute("#email", "autocomplete"), "username webauthn", "passkey autofill");
    await page.waitForLoadState("networkidle");
    assert.equal(await page.locator("#status").innerText(), "", "autofill offers passkeys without a word until one is picked");
    await audit(page, "sign-in-branded");
    // Responsive: the card becomes the page on a phone.
    await page.setViewportSize({ width: 390, height: 780 });
    await page.screenshot({ path: resolve(shots, "sign-in-branded-phone-light.png"), fullPage: true });
    await page.setViewportSize({ width: 960, height: 820 });

    await page.locator("#email").fill(acme.user.email);
    await page.locator("#password").fill("not the password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForSelector("#status.alert");
    await page.waitForLoadState("load");
    assert.equal(await page.getAttribute("#password", "aria-invalid"), "true");
    assert.equal(await page.getAttribute("#password", "aria-describedby"), "status");
    assert.match(await page.locator("#status").innerText(), /4 attempts left/);
    assert.equal(await page.locator("#status").evaluate((e) => getComputedStyle(e).backgroundColor), "rgb(254, 243, 242)", "styled as an error");
    await audit(page, "sign-in-error");

    await page.locator("#password").fill(USER_PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForSelector("#consent-form");
    assert.equal(await page.locator(".brand-name").innerText(), "Acme Rockets", "the consent page is branded too");
    await audit(page, "consent");
    await page.getByRole("button", { name: "Allow" }).click();
    await page.waitForURL((u) => u.pathname === "/cb");

    await page.goto(`${BASE}/authsec/oauth/logout`);
    await page.waitForSelector("#status");
    assert.equal(await page.locator("h1").innerText(), "You are signed out");
    await audit(page, "signed-out");

    const unknown = await page.goto(`${BASE}/authsec/oauth/authorize?client_id=no-such-client&response_type=code`);
    assert.equal(unknown.status(), 400);
    assert.equal(await page.locator("#error-code").textContent(), "invalid_client");
    await audit(page, "error");

    // Another tenant's sign-in page: the service's own look, none of Acme's.
    const other = await page.goto(await authorizeUrl(globex));
    assert.doesNotMatch(other.headers()["content-security-policy"], /logo\.example\.test/);
    await page.waitForSelector("#password-form");
    assert.equal(await page.locator(".brand-name").innerText(), "AuthSec");
    assert.equal(await page.locator(".brand-logo").count(), 0);
    assert.doesNotMatch(await page.content(), /Acme Rockets|accent\/0a7d5a/);
    assert.equal(await buttonColour(page, "#password-form button[type=submit]"), "rgb(47, 91, 211)", "the default accent");
    await audit(page, "sign-in");
  });
});

test("the second-factor page passes axe in both themes, with and without an error", { timeout: 120_000 }, async () => {
  const admin = await enrolledTotp();
  const s = await codeFlowSetup();
  const created = await admin.client.post(`/authsec/clientms/tenants/${admin.tenantId}/clients/create`, {
    name: "Second", client_type: "confidential", grant_types: ["authorization_code"], redirect_uris: [s.app.redirectUri],
  }, admin.auth);
  assert.equal(created.status, 201, created.text);
  const app = { ...s, clientId: created.data.client_id, secret: created.data.client_secret };
  await withBrowser(async (page) => {
    await page.goto(await authorizeUrl(app));
    await page.locator("#email").fill(admin.email);
    await page.locator("#password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForSelector("#otp-form");
    await audit(page, "second-factor");
    await page.locator("#totp_code").fill("000000");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForSelector("#status.alert");
    assert.equal(await page.getAttribute("#totp_code", "aria-invalid"), "true");
    await audit(page, "second-factor-error");
  });
});

test("the account and activation pages pass axe in both themes", { timeout: 120_000 }, async () => {
  const s = await codeFlowSetup();
  const clientId = await defaultClientId(s.admin);
  await withBrowser(async (page) => {
    await page.goto(`${BASE}/authsec/login?client_id=${encodeURIComponent(clientId)}`);
    await page.waitForSelector('body[data-view="signin"]');
    await audit(page, "account-sign-in");
    await page.locator("#signin-email").fill(s.user.email);
    await page.locator("#signin-password").fill(USER_PASSWORD);
    await page.locator("#signin-form button[type=submit]").click();
    await page.waitForSelector('body[data-view="account"]');
    await page.getByRole("button", { name: "Register a passkey" }).click();
    await page.waitForSelector('#status[data-kind="error"]');
    assert.equal(await page.getAttribute("#stepup-secret", "aria-invalid"), "true", "the step-up field is in error");
    await audit(page, "account");
  });
  // Device activation, as the tenant's admin.
  const device = await call("POST", "/authsec/uflow/auth/device/code", {
    json: { client_id: await deviceClientId(s.admin), scopes: ["tv:watch"], device_info: { name: "Living-room TV" } },
    headers: { "cf-connecting-ip": "10.231.0.7" },
  });
  assert.equal(device.status, 200, device.text);
  await withBrowser(async (page) => {
    await page.goto(`${BASE}/authsec/login`);
    await page.locator("#signin-email").fill(s.admin.email);
    await page.locator("#signin-password").fill(PASSWORD);
    await page.locator("#signin-form button[type=submit]").click();
    await page.waitForSelector('body[data-view="account"]');
    await page.goto(device.data.verification_uri_complete);
    await page.waitForSelector("#device-details:not([hidden])");
    await audit(page, "activate");
  });
});

test("ui_locales and Accept-Language choose German, with <html lang>", { timeout: 120_000 }, async () => {
  const s = await codeFlowSetup();
  await withBrowser(async (page) => {
    await page.goto(await authorizeUrl(s, { ui_locales: "fr de" }));
    await page.waitForSelector("#password-form");
    assert.equal(await page.getAttribute("html", "lang"), "de");
    assert.equal(await page.locator("h1").innerText(), "Anmelden");
    assert.ok(await page.getByRole("button", { name: "Mit einem Passkey anmelden" }).count());
    await audit(page, "sign-in-de");
  });
  await withBrowser(async (page) => {
    await page.goto(await authorizeUrl(s));
    await page.waitForSelector("#password-form");
    assert.equal(await page.getAttribute("html", "lang"), "de", "from Accept-Language");
    assert.equal(await page.getByLabel("E-Mail-Adresse").count(), 1);
  }, { locale: "de-DE" });
});
