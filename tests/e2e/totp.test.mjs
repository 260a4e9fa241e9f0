// TOTP through the Worker: enrolment, MFA-pending login finished by a code, single use
// under concurrency (the guard lives in a Durable Object), lockout, and a seed sealed at
// rest. Codes are computed here with Node's HMAC (RFC 6238), independently of the Worker.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { PASSWORD, bearer, onboard } from "./accounts-helpers.mjs";

const STEP = 30;

function base32Decode(text) {
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

const stepNow = () => Math.floor(Date.now() / 1000 / STEP);

// Waits, if needed, so that the current step has at least `secs` seconds left: each test
// then uses steps now-1, now and now+1 while all three are inside the drift window.
async function roomInStep(secs = 12) {
  const left = STEP - ((Date.now() / 1000) % STEP);
  if (left < secs) await new Promise((r) => setTimeout(r, left * 1000 + 200));
}

async function enrolled() {
  const who = await onboard();
  const auth = bearer(who.login.token);
  const reg = await who.client.post("/authsec/uflow/auth/totp/register", { device_name: "phone" }, auth);
  assert.equal(reg.status, 200, reg.text);
  assert.equal(reg.data.backup_codes.length, 10);
  assert.match(reg.data.qr_code_url, /^otpauth:\/\/totp\//);
  const secret = base32Decode(reg.data.secret);
  await roomInStep();
  const confirm = await who.client.post(
    "/authsec/uflow/auth/totp/confirm", { device_id: reg.data.device_id, totp_code: totp(secret, stepNow() - 1) }, auth,
  );
  assert.equal(confirm.status, 200, confirm.text);
  return { ...who, auth, secret, backupCodes: reg.data.backup_codes };
}

test("a password login with TOTP enrolled waits for a code, then yields a verifiable session", async () => {
  const who = await enrolled();
  const pending = await who.client.post("/authsec/uflow/auth/admin/login", { email: who.email, password: PASSWORD });
  assert.equal(pending.status, 200, pending.text);
  assert.equal(pending.data.mfa_required, true);
  assert.equal(pending.data.token, undefined, "no token before the second factor");
  const done = await who.client.post("/authsec/uflow/auth/totp/login", {
    mfa_token: pending.data.mfa_token, totp_code: totp(who.secret, stepNow()),
  });
  assert.equal(done.status, 200, done.text);
  const verified = await who.client.post("/authsec/authmgr/token/verify", { token: done.data.token });
  assert.equal(verified.data.valid, true, verified.text);
  const replay = await who.client.post("/authsec/uflow/auth/totp/login", {
    mfa_token: pending.data.mfa_token, totp_code: totp(who.secret, stepNow() + 1),
  });
  assert.equal(replay.status, 400, "the mfa_token is spent");
});

test("of parallel requests with one code exactly one succeeds", async () => {
  const who = await enrolled();
  const code = totp(who.secret, stepNow());
  const results = await Promise.all(
    Array.from({ length: 8 }, () => who.client.post("/authsec/uflow/auth/totp/verify", { totp_code: code }, who.auth)),
  );
  const texts = results.map((r) => r.text).join("\n");
  assert.equal(results.filter((r) => r.status === 200).length, 1, texts);
  // The losers are replays, which count as failures: past five the factor locks (423).
  assert.ok(results.every((r) => [200, 400, 423].includes(r.status)), texts);
});

test("a backup code works once; five wrong codes lock the factor", async () => {
  const who = await enrolled();
  const verify = (code) => who.client.post("/authsec/uflow/auth/totp/verify", { totp_code: code }, who.auth);
  assert.equal((await verify(who.backupCodes[0])).status, 200);
  assert.equal((await verify(who.backupCodes[0])).status, 400, "spent");
  const right = totp(who.secret, stepNow());
  const wrong = right === "000000" ? "111111" : "000000";
  // The spent backup code was the first failure; three more leave one attempt.
  for (let i = 0; i < 3; i++) assert.equal((await verify(wrong)).status, 400);
  const locked = await verify(wrong);
  assert.equal(locked.status, 423, locked.text);
  assert.ok(Number(locked.headers.get("retry-after")) > 0);
  assert.equal((await verify(right)).status, 423, "even the right code waits out the lock");
});

test("TOTP routes refuse bad input and strangers", async () => {
  const who = await enrolled();
  const cases = [
    ["/authsec/uflow/auth/totp/register", { device_name: "x" }, {}, 401],
    ["/authsec/uflow/auth/totp/register", { device_name: ["x"] }, who.auth, 400],
    ["/authsec/uflow/auth/totp/verify", { totp_code: "12" }, who.auth, 400],
    ["/authsec/uflow/auth/totp/device/delete", { device_id: "not-mine" }, who.auth, 404],
    ["/authsec/uflow/auth/tenant/totp/login", { mfa_token: "mfa1.x", totp_code: "123456" }, {}, 400],
  ];
  for (const [path, body, headers, status] of cases) {
    const res = await who.client.post(path, body, headers);
    assert.equal(res.status, status, `${path}: ${res.text}`);
  }
});
