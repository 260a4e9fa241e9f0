// The sign-in page in real Chromium (Debian's package, driven by playwright-core) with a
// CDP virtual authenticator (ctap2, internal transport, resident keys, user
// verification): sign up, sign in with the password, register a passkey, sign out, sign
// in with the passkey alone — and the page ends holding a token that token/verify
// accepts. A screenshot of each step goes to test-output/e2e/browser-<store>/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { chromium } from "playwright-core";
import { BASE, call, verify } from "./helpers.mjs";
import { defaultClientId, latestCode, onboard } from "./accounts-helpers.mjs";

const CHROMIUM = process.env.AUTHSEC_CHROMIUM ?? "/usr/bin/chromium";
const shots = resolve(new URL("../..", import.meta.url).pathname, "test-output", "e2e", `browser-${process.env.AUTHSEC_E2E_STORE ?? "d1"}`);

test("a passkey registered in Chromium signs its owner in without a password", { timeout: 120_000 }, async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium is expected at ${CHROMIUM} (scripts/test installs Debian's package)`);
  mkdirSync(shots, { recursive: true });
  const admin = await onboard();
  const clientId = await defaultClientId(admin);
  // Browsers refuse IP addresses as relying parties: the page is opened on localhost.
  const origin = BASE.replace("127.0.0.1", "localhost");
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--headless=new"] });
  try {
    const context = await browser.newContext();
    await context.setExtraHTTPHeaders({ "cf-connecting-ip": `10.200.${Math.floor(Math.random() * 250)}.7` });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: {
        protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true,
        isUserVerified: true, automaticPresenceSimulation: true,
      },
    });
    let step = 0;
    const shot = async (name) => page.screenshot({ path: resolve(shots, `${String(++step).padStart(2, "0")}-${name}.png`) });
    const view = (name) => page.waitForSelector(`body[data-view="${name}"]`);

    const response = await page.goto(`${origin}/authsec/login?client_id=${encodeURIComponent(clientId)}`);
    assert.match(response.headers()["content-security-policy"], /frame-ancestors 'none'/);
    await view("signin");
    await shot("sign-in-page");

    const email = `browser-${Date.now()}@example.test`;
    const password = "a browser-typed passphrase";
    await page.getByRole("button", { name: "Create an account" }).click();
    await page.locator("#signup-email").fill(email);
    await page.locator("#signup-password").fill(password);
    await page.getByRole("button", { name: "Send me a code" }).click();
    await page.waitForSelector("#signup-verify-form:not([hidden])");
    await page.locator("#signup-code").fill(await latestCode(email));
    await shot("sign-up-code");
    await page.getByRole("button", { name: "Verify" }).click();
    await view("signin");

    await page.locator("#signin-password").fill(password);
    await page.locator("#signin-form button[type=submit]").click();
    await view("account");
    await shot("signed-in-with-password");

    // Registering a factor needs fresh proof: the page asks for the password first.
    await page.getByRole("button", { name: "Register a passkey" }).click();
    await page.waitForFunction(() => /confirm it is you/i.test(document.getElementById("status").textContent));
    await page.locator("#stepup-secret").fill(password);
    await page.getByRole("button", { name: "Register a passkey" }).click();
    await page.waitForSelector('body[data-passkeys="registered"]');
    await page.waitForSelector('body[data-factors="1"]');
    assert.match(await page.locator("#factor-list").innerText(), /Passkey: This device/);
    const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
    assert.equal(credentials.length, 1, "one resident credential on the authenticator");
    assert.equal(credentials[0].isResidentCredential, true);
    await shot("passkey-registered");

    // The API behind the page: the owner's passkeys, without key material; removing one
    // needs a step-up (and the only factor stays).
    const pageToken = await page.evaluate(() => sessionStorage.getItem("authsec.token"));
    const auth = { authorization: `Bearer ${pageToken}`, "cf-connecting-ip": "10.201.0.1" };
    const listed = await call("GET", `/authsec/webauthn/enduser/credentials`, { headers: auth });
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(Object.keys(listed.data.credentials[0]).sort(),
      ["backup_eligible", "created_at", "credential_id", "flagged", "id", "last_used_at", "name"]);
    const path = `/authsec/webauthn/enduser/credentials/${listed.data.credentials[0].id}`;
    const renamed = await call("PATCH", path, { json: { name: "Chromium" }, headers: auth });
    assert.equal(renamed.status, 200, renamed.text);
    const bare = await call("DELETE", path, { headers: auth });
    assert.equal(bare.status, 400, bare.text);
    assert.equal(bare.data.error, "step_up_required");

    await page.getByRole("button", { name: "Sign out" }).click();
    await view("signin");
    assert.equal(await page.evaluate(() => sessionStorage.getItem("authsec.token")), null);
    await shot("signed-out");

    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await view("account");
    await shot("signed-in-with-passkey");
    const token = await page.evaluate(() => sessionStorage.getItem("authsec.token"));
    const verified = await verify(token);
    assert.equal(verified.status, 200, verified.text);
    assert.equal(verified.data.valid, true);
    assert.equal(verified.data.email_id, email);
  } finally {
    await browser.close();
  }
});
