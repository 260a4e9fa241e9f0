// scripts/rotate-signing-key walked through real Workers (issue 18): the Worker is
// restarted on the new secrets after each step, keeping its D1, KV and Durable Objects,
// at one URL. Tokens the old key signed verify until it is retired, and no verifier that
// caches the JWKS sees an unknown kid: neither a copy fetched right after "add" and kept
// for good, nor one fetched before "add" that honours the JWKS's Cache-Control max-age.
// The steps run on a simulated clock (--now), the Workers on the real one: the script's
// waits are checked as refusals, and tokens stay within their real lifetime.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { PASSWORD, applyD1Migrations, onboardAdmin, ourModules, ourWorker, readSecrets, root } from "../../scripts/lib/miniflare.mjs";
import { defaultWaits } from "../../scripts/lib/rotation.mjs";
import { freePort } from "../../scripts/lib/worker.mjs";
import { readStrings, readToml } from "../../scripts/lib/wrangler-toml.mjs";

const skip = (process.env.AUTHSEC_E2E_STORE ?? "d1") !== "d1" && "runs its own Workers on D1 (covered by the D1 run)";
// The script takes its waits from wrangler.toml's local settings; the Worker runs with them.
const localVars = readStrings(readToml(join(root, "wrangler.toml")), "vars");
const JWKS_MAX_AGE = Number(localVars.JWKS_MAX_AGE_SECS);
const WAITS = defaultWaits({ jwksMaxAgeSecs: JWKS_MAX_AGE, accessTokenTtlSecs: Number(localVars.ACCESS_TOKEN_TTL_SECS) });

let dir;
let varsFile;
let port;
let origin;
let modules;
let mf;
let clock; // the simulated time the steps run at (Unix seconds)

const kids = (file = varsFile) => JSON.parse(readSecrets(file).SIGNING_KEYS).map((k) => k.kid);
const signer = () => readSecrets(varsFile).SIGNING_KID;

/** Runs one step of scripts/rotate-signing-key on the vars file at the simulated clock. */
function rotate(step) {
  const res = spawnSync(join(root, "scripts/rotate-signing-key"), [step, "--file", varsFile, "--now", String(clock)], { encoding: "utf8" });
  return { status: res.status, output: `${res.stdout}${res.stderr}` };
}

/** (Re)starts the Worker on the vars file's current secrets, with the same state and URL. */
async function restart() {
  if (mf) await mf.dispose();
  const state = (name) => join(dir, "state", name);
  mf = new Miniflare({
    ...(await ourWorker({
      modules,
      bindings: { BASE_URL: origin, ENVIRONMENT: "development", ADMIN_AUTH_PER_MINUTE: "1000", JWKS_MAX_AGE_SECS: String(JWKS_MAX_AGE), ...readSecrets(varsFile) },
    })),
    host: "127.0.0.1",
    port,
    d1Persist: state("d1"),
    kvPersist: state("kv"),
    durableObjectsPersist: state("do"),
  });
  await mf.ready;
}

const call = async (method, path, json) => {
  const res = await fetch(origin + path, { method, headers: json ? { "content-type": "application/json" } : {}, body: json && JSON.stringify(json) });
  return { status: res.status, headers: res.headers, data: await res.json().catch(() => undefined) };
};
const verifiedByWorker = async (token) => (await call("POST", "/authsec/authmgr/token/verify", { token })).status === 200;
const login = async () => {
  const res = await call("POST", "/authsec/uflow/auth/admin/login", { email: "rotation@example.test", password: PASSWORD });
  assert.equal(res.status, 200, JSON.stringify(res.data));
  return res.data.token;
};
const kidOf = (token) => decodeProtectedHeader(token).kid;

/** A verifier that fetched the JWKS once and keeps that copy for good. */
async function pinnedVerifier() {
  const jwks = (await call("GET", "/.well-known/jwks.json")).data;
  const keys = createLocalJWKSet(jwks);
  return { kids: jwks.keys.map((k) => k.kid), verify: (token) => jwtVerify(token, keys, { issuer: origin, audience: "authsec-api" }) };
}

/** A verifier that caches the JWKS for its Cache-Control max-age, on the simulated clock. */
function maxAgeVerifier() {
  let cached;
  return {
    refreshes: 0,
    async verify(token) {
      if (!cached || clock >= cached.until) {
        const res = await call("GET", "/.well-known/jwks.json");
        const maxAge = Number(/max-age=(\d+)/.exec(res.headers.get("cache-control"))?.[1]);
        assert.ok(maxAge > 0, "the JWKS says how long it may be cached");
        cached = { keys: createLocalJWKSet(res.data), until: clock + maxAge };
        this.refreshes += 1;
      }
      return jwtVerify(token, cached.keys, { issuer: origin, audience: "authsec-api" });
    },
  };
}

/** Every token verifies with every verifier: none sees an unknown kid. */
async function allVerify(verifiers, tokens) {
  for (const [name, v] of Object.entries(verifiers)) {
    for (const [label, token] of Object.entries(tokens)) {
      await assert.doesNotReject(v.verify(token), `${name} verifies the ${label} token (kid ${kidOf(token)})`);
    }
  }
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), "authsec-rotation-"));
  varsFile = join(dir, "rotation.vars");
  spawnSync(process.execPath, [join(root, "scripts/lib/dev-vars.mjs"), varsFile], { encoding: "utf8" });
  port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  modules = await ourModules();
  clock = Math.floor(Date.now() / 1000);
  await restart();
  await applyD1Migrations(await mf.getD1Database("DB"));
  await onboardAdmin((path, init) => fetch(origin + path, init), { email: "rotation@example.test", domain: "rotation" });
});

after(async () => {
  if (mf) await mf.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("add, promote, retire: old tokens verify until retirement and no cached JWKS meets an unknown kid", { skip }, async () => {
  const [oldKid] = kids();
  const oldToken = await login();
  assert.equal(kidOf(oldToken), oldKid);
  const beforeAdd = maxAgeVerifier();
  await beforeAdd.verify(oldToken); // caches the one-key JWKS
  // The control: a copy from before "add" kept beyond its max-age, as no verifier may.
  const overstayed = await pinnedVerifier();
  const remote = createRemoteJWKSet(new URL(`${origin}/.well-known/jwks.json`));
  const remoteVerifier = { verify: (t) => jwtVerify(t, remote, { issuer: origin, audience: "authsec-api" }) };

  // 1. add: the new key is published, the old one still signs.
  clock += 10;
  const added = rotate("add");
  assert.equal(added.status, 0, added.output);
  const [, newKid] = kids();
  assert.ok(newKid && newKid !== oldKid);
  assert.equal(signer(), oldKid);
  assert.equal(rotate("add").status, 0, "re-running add is harmless");
  assert.deepEqual(kids(), [oldKid, newKid], "and adds nothing");
  await restart();
  const pinned = await pinnedVerifier();
  assert.deepEqual(pinned.kids.sort(), [oldKid, newKid].sort(), "the JWKS publishes both");
  const addedToken = await login();
  assert.equal(kidOf(addedToken), oldKid, "the old key still signs");
  assert.ok(await verifiedByWorker(oldToken));
  await allVerify({ pinned, beforeAdd, remoteVerifier }, { old: oldToken, "after add": addedToken });

  // 2. promote: refused until the JWKS cache age has passed since add, then the new key signs.
  const addedAt = clock;
  clock = addedAt + WAITS.promote - 1;
  const early = rotate("promote");
  assert.notEqual(early.status, 0, "promote before the wait is refused");
  assert.match(early.output, /too early/);
  assert.equal(signer(), oldKid, "and changes nothing");
  clock += 1;
  const promoted = rotate("promote");
  assert.equal(promoted.status, 0, promoted.output);
  assert.equal(signer(), newKid);
  assert.equal(rotate("promote").status, 0, "re-running promote is harmless");
  assert.equal(signer(), newKid);
  await restart();
  const newToken = await login();
  assert.equal(kidOf(newToken), newKid, "the new key signs");
  for (const token of [oldToken, addedToken, newToken]) assert.ok(await verifiedByWorker(token), `the Worker verifies kid ${kidOf(token)}`);
  // The pinned copy from step 1 already knows the new kid; the max-age verifier's copy
  // from before step 1 has expired by now, so it refetches instead of failing.
  await allVerify({ pinned, beforeAdd, remoteVerifier }, { old: oldToken, "after add": addedToken, new: newToken });
  assert.equal(beforeAdd.refreshes, 2, "the max-age verifier refreshed once its copy expired");
  await assert.rejects(overstayed.verify(newToken), { code: "ERR_JWKS_NO_MATCHING_KEY" }, "only a copy kept beyond its max-age meets the unknown kid");

  // 3. retire: refused until the longest token lifetime has passed since promote.
  const promotedAt = clock;
  clock = promotedAt + WAITS.retire - 1;
  const tooSoon = rotate("retire");
  assert.notEqual(tooSoon.status, 0);
  assert.match(tooSoon.output, /too early/);
  assert.deepEqual(kids(), [oldKid, newKid]);
  assert.ok(await verifiedByWorker(oldToken), "until retirement, the old key's tokens verify");
  clock += 1;
  const retired = rotate("retire");
  assert.equal(retired.status, 0, retired.output);
  assert.deepEqual(kids(), [newKid]);
  assert.equal(rotate("retire").status, 0, "re-running retire is harmless");
  await restart();
  const jwks = (await call("GET", "/.well-known/jwks.json")).data;
  assert.deepEqual(jwks.keys.map((k) => k.kid), [newKid], "the old key is no longer published");
  assert.equal(await verifiedByWorker(oldToken), false, "after retirement the old key's tokens are refused");
  assert.equal(await verifiedByWorker(addedToken), false);
  assert.ok(await verifiedByWorker(newToken));
  await allVerify({ pinned, beforeAdd, remoteVerifier }, { new: newToken, "after retire": await login() });
});
