// TOTP scenarios shared by e2e files: an independent RFC 6238 implementation (Node's
// HMAC) and an enrolled account.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { PASSWORD, bearer, onboard } from "./accounts-helpers.mjs";

const STEP = 30;

export function base32Decode(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0, value = 0;
  const out = [];
  for (const c of text) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

export function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", secret).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1_000_000).padStart(6, "0");
}

export const stepNow = () => Math.floor(Date.now() / 1000 / STEP);

// Waits, if needed, so that the current step has at least `secs` seconds left: each test
// then uses steps now-1, now and now+1 while all three are inside the drift window.
export async function roomInStep(secs = 12) {
  const left = STEP - ((Date.now() / 1000) % STEP);
  if (left < secs) await new Promise((r) => setTimeout(r, left * 1000 + 200));
}

export async function enrolledTotp() {
  const who = await onboard();
  const auth = bearer(who.login.token);
  // The first factor needs fresh proof: the password (a step-up, issue 12).
  const reg = await who.client.post("/authsec/uflow/auth/totp/register", { device_name: "phone", password: PASSWORD }, auth);
  assert.equal(reg.status, 200, reg.text);
  assert.equal(reg.data.backup_codes.length, 10);
  assert.match(reg.data.qr_code_url, /^otpauth:\/\/totp\//);
  const secret = base32Decode(reg.data.secret);
  await roomInStep();
  const confirm = await who.client.post(
    "/authsec/uflow/auth/totp/confirm",
    { device_id: reg.data.device_id, totp_code: totp(secret, stepNow() - 1), step_up_token: reg.data.step_up_token }, auth,
  );
  assert.equal(confirm.status, 200, confirm.text);
  return { ...who, auth, secret, backupCodes: reg.data.backup_codes, stepUpToken: reg.data.step_up_token };
}

