// Shared helpers for the e2e suite. scripts/lib/run-e2e.mjs starts the Worker and passes
// its URL and secrets file through the environment.
import { defaultClaims, mintToken, readSigningKey, signToken } from "../../scripts/lib/mint.mjs";

export const BASE = process.env.AUTHSEC_E2E_URL;
export const VARS = process.env.AUTHSEC_E2E_VARS;
export const BROKEN = process.env.AUTHSEC_E2E_BROKEN_URL;
if (!BASE || !VARS) throw new Error("run the e2e suite through scripts/test (AUTHSEC_E2E_URL is unset)");

export const signingKey = () => readSigningKey(VARS);
export const claims = (overrides = {}) => ({ ...defaultClaims(BASE), ...overrides });
export const mint = (overrides = {}) => mintToken({ devVars: VARS, issuer: BASE, claims: overrides });
export const sign = (claimSet, header) => signToken(signingKey(), claimSet, header);

export async function call(method, path, { json, body, headers = {}, base = BASE } = {}) {
  const init = { method, headers: { ...headers } };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers["content-type"] = "application/json";
  } else if (body !== undefined) {
    init.body = body;
  }
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  return { status: res.status, headers: res.headers, text, data };
}

export const verify = (token) => call("POST", "/authsec/authmgr/token/verify", { json: { token } });

export const generate = (token, json = {}) =>
  call("POST", "/authsec/authmgr/token/generate", { json, headers: { authorization: `Bearer ${token}` } });

export const b64url = (buf) => Buffer.from(buf).toString("base64url");
export const fromB64url = (s) => Buffer.from(s, "base64url");
