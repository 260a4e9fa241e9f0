// The secrets this Worker needs, generated in one place (scripts/lib/dev-vars.mjs for
// local development, scripts/deploy for a deployed environment, and
// scripts/rotate-signing-key), and the .dev.vars-style files that hold them.
//
// A signing key entry is a private P-256 JWK with a `kid` (src/tokens/keys.rs reads it)
// plus rotation metadata the Worker ignores: `published_at` (Unix seconds, when the key
// was first put in SIGNING_KEYS) and `signing_from` (when it became the signer). The
// metadata travels with the key, so the secret itself is the state of a rotation.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";

/** Secrets the Worker refuses to start without, or needs for a feature it serves. */
export const GENERATED_SECRETS = ["SIGNING_KEYS", "SIGNING_KID", "SECRET_PEPPER", "ENCRYPTION_KEY", "KEK_KEYS"];

const isoDay = (unixSecs) => new Date(unixSecs * 1000).toISOString().slice(0, 10).replaceAll("-", "");

/** A new ES256 key entry; `kid` is `<prefix>-<yyyymmdd>-<8 hex>` (src/tokens/keys.rs: ≤ 64 of [A-Za-z0-9-_.]). */
export function newSigningKey(prefix, nowSecs, { signing = false } = {}) {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = privateKey.export({ format: "jwk" });
  const kid = `${prefix}-${isoDay(nowSecs)}-${randomBytes(4).toString("hex")}`;
  const entry = { kid, kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, d: jwk.d, published_at: nowSecs };
  if (signing) entry.signing_from = nowSecs;
  return entry;
}

/** 32 random bytes, base64url: SECRET_PEPPER, ENCRYPTION_KEY, METRICS_TOKEN. */
export const randomKey = () => randomBytes(32).toString("base64url");

/**
 * KEK_KEYS: a key ring of key-encryption keys for the credential vault of issue 17
 * (workloads), as JWKs `{kty: "oct", kid, k, alg: "A256GCM"}`. The Worker does not read
 * it yet; deploying it now means that feature finds a ring in every environment.
 */
export function newKekRing(prefix, nowSecs) {
  return JSON.stringify([{ kty: "oct", kid: `${prefix}-kek-${isoDay(nowSecs)}-${randomBytes(4).toString("hex")}`, k: randomKey(), alg: "A256GCM" }]);
}

/**
 * Every generated secret for a fresh environment, by name. `prefix` starts the kids
 * (`local`, `staging`, `production`).
 */
export function freshSecrets(prefix, nowSecs = Math.floor(Date.now() / 1000)) {
  const key = newSigningKey(prefix, nowSecs, { signing: true });
  return {
    SIGNING_KEYS: JSON.stringify([key]),
    SIGNING_KID: key.kid,
    SECRET_PEPPER: randomKey(),
    ENCRYPTION_KEY: randomKey(),
    KEK_KEYS: newKekRing(prefix, nowSecs),
  };
}

// --- .dev.vars-style files: NAME=value lines, values optionally in single quotes. ---

/** The variables of a .dev.vars-style file (empty if it does not exist). */
export function readVars(path) {
  const vars = {};
  if (!existsSync(path)) return vars;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) vars[m[1]] = m[2].replace(/^'(.*)'$/, "$1").replace(/^"(.*)"$/, "$1");
  }
  return vars;
}

const quote = (value) => (/^[A-Za-z0-9._~+\/=-]*$/.test(value) ? value : `'${value}'`);

/**
 * Sets `updates` (name -> value) in the file, keeping every other line, and writes it
 * atomically with mode 0600 (a rename, so a reader never sees half a key ring). Values
 * must not contain a single quote or a newline (JSON and base64url never do here).
 */
export function writeVars(path, updates, header = "# Secrets. Never commit this file.") {
  const lines = existsSync(path) ? readFileSync(path, "utf8").replace(/\n$/, "").split("\n") : [header];
  const pending = new Map(Object.entries(updates));
  for (const [name, value] of pending) {
    if (/['\n]/.test(value)) throw new Error(`${name}: a value with a quote or newline cannot be written`);
  }
  const out = lines.map((line) => {
    const name = /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1];
    if (!name || !pending.has(name)) return line;
    const value = pending.get(name);
    pending.delete(name);
    return `${name}=${quote(value)}`;
  });
  for (const [name, value] of pending) out.push(`${name}=${quote(value)}`);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${out.join("\n")}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
