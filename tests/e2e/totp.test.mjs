// TOTP through the Worker: enrolment, MFA-pending login finished by a code, single use
// under concurrency (the guard lives in a Durable Object), lockout, and a seed sealed at
// rest. Codes are computed here with Node's HMAC (RFC 6238), independently of the Worker.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PASSWORD } from "./accounts-helpers.mjs";
import { enrolledTotp as enrolled, stepNow, totp } from "./totp-helpers.mjs";

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
