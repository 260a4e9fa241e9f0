// The rotation's state machine (scripts/lib/rotation.mjs) and scripts/rotate-signing-key
// against a deployed environment through the stand-in account. The walk through real
// Workers, with verifiers, is tests/e2e/key-rotation.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { applyStep, defaultWaits, minimumWaits, readRing } from "../../scripts/lib/rotation.mjs";
import { freshSecrets, readVars } from "../../scripts/lib/secrets.mjs";
import { sandbox } from "./sandbox.mjs";

const settings = { jwksMaxAgeSecs: 300, accessTokenTtlSecs: 900 };
const waits = defaultWaits(settings);
const T0 = 1_800_000_000;

function walk() {
  let secrets = freshSecrets("t", T0);
  const step = (name, now, wait = waits[name]) => {
    const r = applyStep(name, secrets, { now, wait, settings });
    if (r.secrets) secrets = { ...secrets, ...r.secrets };
    return r;
  };
  return { step, secrets: () => secrets, ring: () => readRing(secrets) };
}

test("the minimum waits are the JWKS cache age and the longest token lifetime plus leeway", () => {
  assert.deepEqual(minimumWaits(settings), { promote: 300, retire: 960 });
  assert.deepEqual(minimumWaits({ jwksMaxAgeSecs: 60, accessTokenTtlSecs: 60 }), { promote: 60, retire: 360 }, "an mfa_token lives 300 s");
});

test("add publishes a second key without changing the signer, once", () => {
  const w = walk();
  const signer = w.ring().signer;
  assert.equal(w.step("add", T0 + 10).outcome, "changed");
  assert.equal(w.ring().keys.length, 2);
  assert.equal(w.ring().signer, signer);
  assert.equal(w.ring().keys[1].published_at, T0 + 10);
  const again = w.step("add", T0 + 20);
  assert.equal(again.outcome, "done");
  assert.equal(w.ring().keys.length, 2, "re-running adds nothing");
});

test("promote waits for the JWKS cache age, then switches the signer, once", () => {
  const w = walk();
  w.step("add", T0);
  const [old, next] = w.ring().keys;
  const early = w.step("promote", T0 + waits.promote - 1);
  assert.equal(early.outcome, "refused");
  assert.equal(early.notBefore, T0 + waits.promote);
  assert.equal(w.ring().signer, old.kid);
  assert.equal(w.step("promote", T0 + 400, 299).outcome, "refused", "a wait below the cache age is refused");
  assert.match(w.step("promote", T0 + 400, 299).message, /shorter than the JWKS cache age/);
  assert.equal(w.step("promote", T0 + waits.promote).outcome, "changed");
  assert.equal(w.ring().signer, next.kid);
  assert.equal(w.ring().keys.length, 2, "the old key stays published");
  assert.equal(w.step("promote", T0 + waits.promote + 5).outcome, "done");
  assert.equal(w.ring().signer, next.kid);
});

test("retire waits out the longest token lifetime after the switch, then removes the old key, once", () => {
  const w = walk();
  w.step("add", T0);
  const promotedAt = T0 + waits.promote;
  w.step("promote", promotedAt);
  const signer = w.ring().signer;
  assert.equal(w.step("retire", promotedAt + waits.retire - 1).outcome, "refused");
  assert.equal(w.ring().keys.length, 2);
  assert.equal(w.step("retire", promotedAt + 2000, 959).outcome, "refused", "a wait below the token lifetime is refused");
  assert.equal(w.step("retire", promotedAt + waits.retire).outcome, "changed");
  assert.deepEqual(w.ring().keys.map((k) => k.kid), [signer]);
  assert.equal(w.step("retire", promotedAt + waits.retire + 1).outcome, "done");
  assert.equal(w.step("add", promotedAt + waits.retire + 2).outcome, "changed", "the next rotation can begin");
});

test("steps out of order are refused or do nothing, and never lose the signer", () => {
  const w = walk();
  assert.equal(w.step("promote", T0).outcome, "refused");
  assert.equal(w.step("retire", T0).outcome, "done");
  w.step("add", T0);
  assert.equal(w.step("retire", T0 + 99999).outcome, "done", "nothing is retiring before the promotion");
  assert.equal(w.ring().keys.length, 2);
  w.step("promote", T0 + waits.promote);
  assert.equal(w.step("add", T0 + 99999).outcome, "refused", "one rotation at a time");
  assert.ok(w.ring().keys.some((k) => k.kid === w.ring().signer));
});

test("a hand-added key without publication time is never promoted on a guess", () => {
  const secrets = freshSecrets("t", T0);
  const keys = JSON.parse(secrets.SIGNING_KEYS);
  const stranger = JSON.parse(freshSecrets("x", T0).SIGNING_KEYS)[0];
  delete stranger.published_at;
  delete stranger.signing_from;
  const r = applyStep("promote", { ...secrets, SIGNING_KEYS: JSON.stringify([...keys, stranger]) }, { now: T0 + 99999, wait: waits.promote, settings });
  assert.equal(r.outcome, "refused");
  assert.match(r.message, /no published_at/);
});

test("rotate-signing-key --env uploads the ring and its signer together and checks the deployed JWKS", async () => {
  const box = await sandbox();
  try {
    assert.equal((await box.run("deploy.mjs", ["--env", "staging"])).status, 0);
    box.update({ calls: [] });
    const res = await box.run("rotate.mjs", ["add", "--env", "staging"]);
    assert.equal(res.status, 0, res.output);
    const local = readVars(join(box.dir, ".deploy/staging.vars"));
    const remote = box.state().workers["authsec-edge-staging"].secrets;
    assert.equal(remote.SIGNING_KEYS, local.SIGNING_KEYS);
    assert.equal(remote.SIGNING_KID, local.SIGNING_KID);
    assert.equal(JSON.parse(remote.SIGNING_KEYS).length, 2);
    assert.deepEqual(box.state().calls, ["secret bulk --env staging"], "one upload, secrets on stdin");
    assert.match(res.stdout, /jwks\.json publishes signing: staging-.*; next: staging-/);
    // Re-running uploads the same ring again (an interrupted run converges) and adds nothing.
    const again = await box.run("rotate.mjs", ["add", "--env", "staging"]);
    assert.equal(again.status, 0, again.output);
    assert.equal(box.state().workers["authsec-edge-staging"].secrets.SIGNING_KEYS, local.SIGNING_KEYS);
    // Too early to promote: refused, nothing uploaded.
    box.update({ calls: [] });
    const early = await box.run("rotate.mjs", ["promote", "--env", "staging"]);
    assert.equal(early.status, 1);
    assert.match(early.stderr, /promote: too early/);
    assert.deepEqual(box.state().calls, []);
    assert.match((await box.run("rotate.mjs", ["promote", "--env", "staging", "--now", "9999999999"])).stderr, /--now is for rehearsals/);
  } finally {
    box.close();
  }
});
