// The device-activation page in real Chromium: a device asks for a code through the API,
// an admin signs in on /authsec/login, opens the verification_uri_complete, sees the
// client and scopes, approves, and the device's next poll receives tokens. Screenshots
// go to test-output/e2e/browser-<store>/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { chromium } from "playwright-core";
import { BASE, call, verify } from "./helpers.mjs";
import { PASSWORD, deviceClientId, onboard } from "./accounts-helpers.mjs";

const CHROMIUM = process.env.AUTHSEC_CHROMIUM ?? "/usr/bin/chromium";
const shots = resolve(new URL("../..", import.meta.url).pathname, "test-output", "e2e", `browser-${process.env.AUTHSEC_E2E_STORE ?? "d1"}`);

test("a signed-in admin approves a device on the activation page", { timeout: 120_000 }, async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium is expected at ${CHROMIUM} (scripts/test installs Debian's package)`);
  mkdirSync(shots, { recursive: true });
  const admin = await onboard();
  const clientId = await deviceClientId(admin);
  const network = `10.201.${Math.floor(Math.random() * 250)}`;
  const device = await call("POST", "/authsec/uflow/auth/device/code", {
    json: { client_id: clientId, scopes: ["tv:watch"], device_info: { name: "Living-room TV" } },
    headers: { "cf-connecting-ip": `${network}.7` },
  });
  assert.equal(device.status, 200, device.text);
  const origin = BASE.replace("127.0.0.1", "localhost");
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--headless=new"] });
  try {
    const context = await browser.newContext();
    await context.setExtraHTTPHeaders({ "cf-connecting-ip": `${network}.9` });
    const page = await context.newPage();
    await page.goto(`${origin}/authsec/login`);
    await page.locator("#signin-email").fill(admin.email);
    await page.locator("#signin-password").fill(PASSWORD);
    await page.locator("#signin-form button[type=submit]").click();
    await page.waitForSelector('body[data-view="account"]');
    await page.screenshot({ path: resolve(shots, "activate-1-signed-in.png") });

    const complete = device.data.verification_uri_complete.replace(BASE, origin);
    const response = await page.goto(complete);
    assert.match(response.headers()["content-security-policy"], /default-src 'none'/);
    await page.waitForSelector("#device-details:not([hidden])");
    assert.equal(await page.locator("#device-name").textContent(), "Living-room TV");
    assert.equal(await page.locator("#device-scopes").textContent(), "tv:watch");
    assert.equal(await page.locator("#device-client").textContent(), "Default client");
    assert.equal(await page.locator("#device-scope-words li").textContent(), "“watch” on “tv”");
    assert.equal(await page.locator("#device-network-warning").isHidden(), true, "same network: no warning");
    await page.screenshot({ path: resolve(shots, "activate-2-request-shown.png") });
    await page.getByRole("button", { name: "Approve" }).click();
    await page.waitForFunction(() => document.getElementById("status").textContent === "device approved");
    await page.screenshot({ path: resolve(shots, "activate-3-approved.png") });
  } finally {
    await browser.close();
  }
  const tokens = await call("POST", "/authsec/uflow/auth/device/token", { json: { device_code: device.data.device_code } });
  assert.equal(tokens.status, 200, tokens.text);
  assert.equal((await verify(tokens.data.access_token)).data.token_type, "device");
});
