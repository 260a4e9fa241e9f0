// Mints access tokens with a signing key from a .dev.vars-style file, the way the Worker
// would. Used by scripts/mint-token and by the e2e suite to bootstrap callers before
// accounts exist: it needs the private key, i.e. the deployment's own secret.
import { readFileSync } from "node:fs";
import { randomBytes, randomUUID } from "node:crypto";
import { SignJWT, importJWK } from "jose";

export function readSigningKey(devVarsPath) {
  const text = readFileSync(devVarsPath, "utf8");
  const keys = JSON.parse(/^SIGNING_KEYS='(.*)'$/m.exec(text)[1]);
  const activeKid = /^SIGNING_KID=(.*)$/m.exec(text)?.[1] ?? keys[0].kid;
  return keys.find((k) => k.kid === activeKid);
}

export function defaultClaims(issuer) {
  const now = Math.floor(Date.now() / 1000);
  const userId = randomUUID();
  return {
    iss: issuer,
    sub: userId,
    user_id: userId,
    tenant_id: randomUUID(),
    project_id: randomUUID(),
    client_id: randomUUID(),
    email_id: `admin-${userId.slice(0, 8)}@example.test`,
    token_type: "admin",
    aud: "authsec-api",
    scope: ["users:read", "users:write"],
    roles: ["admin"],
    groups: [],
    iat: now,
    nbf: now,
    exp: now + 900,
    jti: randomBytes(16).toString("base64url"),
    // No `sid`: a minted token is not bound to a session (the Worker checks the session
    // of every token that names one, so a made-up sid would be refused).
  };
}

/** Signs `claims` with `jwk` (a private P-256 JWK with kid); `header` overrides header fields. */
export async function signToken(jwk, claims, header = {}) {
  const key = await importJWK({ ...jwk, alg: "ES256" }, "ES256");
  return new SignJWT(claims).setProtectedHeader({ alg: "ES256", typ: "JWT", kid: jwk.kid, ...header }).sign(key);
}

export async function mintToken({ devVars, issuer, claims = {} }) {
  const jwk = readSigningKey(devVars);
  return signToken(jwk, { ...defaultClaims(issuer), ...claims });
}
