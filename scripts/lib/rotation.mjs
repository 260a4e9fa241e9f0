// The signing-key rotation as a pure state machine over the secrets themselves
// (SIGNING_KEYS, SIGNING_KID): no clock, no files, no wrangler; the caller passes `now`.
//
//   add      a new key is published in the JWKS, not signing;
//   promote  after `wait` ≥ the JWKS cache age, the new key signs;
//   retire   after `wait` ≥ the longest token lifetime, the old key is removed.
//
// Every step is safe to re-run: a step that has already happened answers `done` and
// changes nothing; a step that may not happen yet answers `refused` with the reason and
// when it will be allowed. The state is read from each entry's `published_at` and
// `signing_from` (scripts/lib/secrets.mjs):
//   the signer   the entry SIGNING_KID names;
//   next         an entry that is not the signer and never signed (added, not promoted);
//   previous     an entry that is not the signer and signed before (promoted away from).
import { newSigningKey } from "./secrets.mjs";

export const STEPS = ["add", "promote", "retire"];
/** Token verification accepts `exp` up to this late (src/tokens/verify.rs LEEWAY_SECS). */
export const VERIFY_LEEWAY_SECS = 60;
/** The longest-lived JWT the Worker signs besides access tokens: a login's mfa_token. */
export const MFA_TOKEN_SECS = 300;

/** The shortest waits each step allows, from the deployment's settings. */
export function minimumWaits({ jwksMaxAgeSecs, accessTokenTtlSecs }) {
  return {
    promote: jwksMaxAgeSecs,
    retire: Math.max(accessTokenTtlSecs, MFA_TOKEN_SECS) + VERIFY_LEEWAY_SECS,
  };
}

/** The default waits: the minimum plus a minute for a secret change to reach every colo. */
export function defaultWaits(settings) {
  const min = minimumWaits(settings);
  return { promote: min.promote + 60, retire: min.retire + 60 };
}

/** Reads the ring: `{ keys, signer }`, or throws naming what is wrong. */
export function readRing(secrets) {
  if (!secrets.SIGNING_KEYS) throw new Error("SIGNING_KEYS is missing");
  let keys;
  try {
    keys = JSON.parse(secrets.SIGNING_KEYS);
  } catch {
    throw new Error("SIGNING_KEYS is not JSON");
  }
  if (!Array.isArray(keys)) keys = keys?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new Error("SIGNING_KEYS holds no keys");
  const signer = secrets.SIGNING_KID || (keys.length === 1 ? keys[0].kid : undefined);
  if (!signer) throw new Error("SIGNING_KEYS holds several keys and SIGNING_KID names none");
  if (!keys.some((k) => k.kid === signer)) throw new Error(`SIGNING_KID ${signer} names no key in SIGNING_KEYS`);
  return { keys, signer };
}

function roles({ keys, signer }) {
  const others = keys.filter((k) => k.kid !== signer);
  return {
    signer: keys.find((k) => k.kid === signer),
    next: others.filter((k) => k.signing_from === undefined),
    previous: others.filter((k) => k.signing_from !== undefined),
  };
}

/** A one-line description of the ring, for the operator. */
export function describe(ring) {
  const { signer, next, previous } = roles(ring);
  const when = (t) => (t === undefined ? "unknown" : new Date(t * 1000).toISOString());
  const parts = [`signing: ${signer.kid} (since ${when(signer.signing_from)})`];
  for (const k of next) parts.push(`next: ${k.kid} (published ${when(k.published_at)})`);
  for (const k of previous) parts.push(`retiring: ${k.kid}`);
  return parts.join("; ");
}

const iso = (t) => new Date(t * 1000).toISOString();
const done = (message) => ({ outcome: "done", message });
const refused = (message, notBefore) => ({ outcome: "refused", message, ...(notBefore ? { notBefore } : {}) });
const changed = (message, ring) => ({
  outcome: "changed",
  message,
  secrets: { SIGNING_KEYS: JSON.stringify(ring.keys), SIGNING_KID: ring.signer },
});

/**
 * Applies `step` at `now` (Unix seconds). `wait` is the step's wait in seconds (promote,
 * retire), at least `minimumWaits(settings)[step]`. `prefix` starts a new kid.
 * Returns `{outcome: "changed", message, secrets}` (the new SIGNING_KEYS and SIGNING_KID),
 * `{outcome: "done", message}` or `{outcome: "refused", message, notBefore?}`.
 */
export function applyStep(step, secrets, { now, wait, settings, prefix = "key" }) {
  const ring = readRing(secrets);
  const { signer, next, previous } = roles(ring);
  const min = minimumWaits(settings);
  if (step !== "add" && wait < min[step]) {
    const what = step === "promote" ? "the JWKS cache age (JWKS_MAX_AGE_SECS)" : "the longest token lifetime plus leeway";
    return refused(`a ${step} wait of ${wait} s is shorter than ${what}, ${min[step]} s`);
  }
  if (step === "add") {
    if (next.length) return done(`${next[0].kid} is already published (since ${iso(next[0].published_at)}); promote it next`);
    if (previous.length) {
      return refused(`the last rotation is not finished: retire ${previous.map((k) => k.kid).join(", ")} first`);
    }
    const key = newSigningKey(prefix, now);
    // The signer keeps signing; naming it explicitly is required once there are two keys.
    // A signer from before rotation metadata existed signed from its publication on.
    const keys = ring.keys.map((k) => (k.kid === signer.kid && k.signing_from === undefined ? { ...k, signing_from: k.published_at ?? 0 } : k));
    return changed(`added ${key.kid}: published in the JWKS, not signing; ${signer.kid} still signs`, {
      keys: [...keys, key],
      signer: signer.kid,
    });
  }
  if (step === "promote") {
    if (next.length === 0) {
      if (previous.length) return done(`${signer.kid} already signs (since ${iso(signer.signing_from)}); retire the old key next`);
      return refused(`there is no new key to promote: run "add" first`);
    }
    if (next.length > 1) return refused(`several unpromoted keys (${next.map((k) => k.kid).join(", ")}): remove all but one`);
    const candidate = next[0];
    if (typeof candidate.published_at !== "number") {
      return refused(`${candidate.kid} has no published_at: it was not added by this script, so its wait cannot be known`);
    }
    const notBefore = candidate.published_at + wait;
    if (now < notBefore) {
      return refused(`too early: ${candidate.kid} was published at ${iso(candidate.published_at)}; verifiers may cache the JWKS without it until ${iso(notBefore)} (${notBefore - now} s from now)`, notBefore);
    }
    const keys = ring.keys.map((k) => (k.kid === candidate.kid ? { ...k, signing_from: now } : k));
    return changed(`${candidate.kid} signs from now on; ${signer.kid} is still published for tokens it signed`, {
      keys,
      signer: candidate.kid,
    });
  }
  if (step === "retire") {
    if (previous.length === 0) return done(`nothing to retire: ${ring.keys.map((k) => k.kid).join(", ")} ${ring.keys.length === 1 ? "is the only key" : "are all current"}`);
    if (typeof signer.signing_from !== "number") return refused(`${signer.kid} has no signing_from: when it began signing is unknown`);
    const notBefore = signer.signing_from + wait;
    if (now < notBefore) {
      return refused(`too early: tokens signed by ${previous.map((k) => k.kid).join(", ")} until ${iso(signer.signing_from)} may be in use until ${iso(notBefore)} (${notBefore - now} s from now)`, notBefore);
    }
    const gone = new Set(previous.map((k) => k.kid));
    return changed(`retired ${[...gone].join(", ")}: tokens it signed no longer verify; ${signer.kid} signs`, {
      keys: ring.keys.filter((k) => !gone.has(k.kid)),
      signer: signer.kid,
    });
  }
  throw new Error(`unknown step ${step}: one of ${STEPS.join(", ")}`);
}
