// Issue 12, finding 4: two registrations of one email racing through the real Worker and
// its ChallengeStore object. Exactly one becomes pending, exactly one code is mailed, and
// only that request's password completes it; the rival can neither replace it nor
// finish it with the mailed code.
import assert from "node:assert/strict";
import { test } from "node:test";
import { call } from "./helpers.mjs";
import { as, fresh, latestCode } from "./accounts-helpers.mjs";

test("rival registrations of one email: one pending, one mail, only its password completes", async () => {
  const who = fresh();
  const passwords = ["first rival passphrase", "second rival passphrase"];
  const started = await Promise.all(
    passwords.map((password, n) =>
      as(`10.230.${n}.${who.ip.split(".")[3]}`).post("/authsec/uflow/auth/admin/login/bootstrap", {
        email: who.email, password, tenant_domain: `${who.domain}-${n}`,
      }),
    ),
  );
  for (const res of started) assert.equal(res.status, 201, res.text);
  const mails = async () => (await call("GET", `/authsec/dev/outbox?to=${encodeURIComponent(who.email)}`)).data.messages.length;
  assert.equal(await mails(), 1, "exactly one code went out");
  // Which request won is up to the race. Asking again with the first password re-issues
  // (a second mail) only if it holds the pending registration.
  const again = await as(who.ip).post("/authsec/uflow/auth/admin/login/bootstrap", {
    email: who.email, password: passwords[0], tenant_domain: `${who.domain}-0`,
  });
  assert.equal(again.status, 201, again.text);
  const winner = (await mails()) === 2 ? passwords[0] : passwords[1];
  const loser = passwords.find((p) => p !== winner);
  const code = await latestCode(who.email);
  const complete = (password) =>
    as(who.ip).post("/authsec/uflow/auth/admin/complete-registration", { email: who.email, otp: code, password });
  const stolen = await complete(loser);
  assert.equal(stolen.status, 400, `the rival cannot finish it: ${stolen.text}`);
  assert.equal(stolen.data.error, "invalid_otp");
  const done = await complete(winner);
  assert.equal(done.status, 201, done.text);
  const login = await as(who.ip).post("/authsec/uflow/auth/admin/login", { email: who.email, password: winner });
  assert.equal(login.status, 200, login.text);
  const rival = await as(who.ip).post("/authsec/uflow/auth/admin/login", { email: who.email, password: loser });
  assert.equal(rival.status, 401, "the account has the winner's password only");
});
