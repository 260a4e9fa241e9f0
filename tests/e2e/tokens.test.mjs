// Tokens against the real Worker: every verification rule through Web Crypto inside
// workerd, generate's narrowing rules, and interop with an independent library (jose).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac, generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { BASE, b64url, call, claims, fromB64url, generate, mint, sign, signingKey, verify } from "./helpers.mjs";

const now = () => Math.floor(Date.now() / 1000);

async function refused(token, message) {
  const res = await verify(token);
  assert.equal(res.status, 401, `${message}: ${res.text}`);
  assert.equal(res.data.valid, false);
  assert.equal(res.data.error, "invalid_token");
  assert.match(res.headers.get("www-authenticate"), /^Bearer /);
  return res.data.message;
}

test("a valid token verifies with the contract's fields", async () => {
  const c = claims({ scope: ["docs:read"], roles: ["viewer"] });
  const res = await verify(await sign(c));
  assert.equal(res.status, 200, res.text);
  assert.equal(res.data.valid, true);
  for (const field of ["tenant_id", "project_id", "client_id", "email_id", "user_id", "token_type"]) {
    assert.equal(res.data[field], c[field], field);
  }
  assert.deepEqual(res.data.scopes, ["docs:read"]);
  assert.deepEqual(res.data.roles, ["viewer"]);
  assert.deepEqual(res.data.groups, []);
  assert.equal(res.data.issued_at, c.iat);
  assert.equal(res.data.expires_at, c.exp);
  assert.equal(res.data.issuer, BASE);
});

test("alg none is refused in every capitalisation", async () => {
  for (const alg of ["none", "None", "NONE", "nOnE"]) {
    const header = b64url(JSON.stringify({ alg, typ: "JWT", kid: signingKey().kid }));
    const payload = b64url(JSON.stringify(claims()));
    assert.match(await refused(`${header}.${payload}.`, alg), /algorithm/);
  }
});

test("HS256 signed with the public key is refused", async () => {
  const jwk = signingKey();
  const { d, ...publicJwk } = jwk;
  void d;
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT", kid: jwk.kid }));
  const payload = b64url(JSON.stringify(claims()));
  for (const secret of [JSON.stringify(publicJwk), fromB64url(jwk.x)]) {
    const mac = createHmac("sha256", secret).update(`${header}.${payload}`).digest();
    assert.match(await refused(`${header}.${payload}.${b64url(mac)}`, "HS256"), /algorithm/);
  }
});

test("unknown kid, foreign key, tampering, issuer, audience, time and size rules", async () => {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const foreign = { ...privateKey.export({ format: "jwk" }), kid: signingKey().kid };
  const { signToken } = await import("../../scripts/lib/mint.mjs");
  assert.match(await refused(await sign(claims(), { kid: "no-such-key" }), "unknown kid"), /unknown key/);
  assert.match(await refused(await signToken(foreign, claims()), "impostor key"), /signature/);

  const good = await sign(claims());
  const [h, p, s] = good.split(".");
  const escalated = b64url(JSON.stringify({ ...claims(), roles: ["platform-admin"] }));
  assert.match(await refused(`${h}.${escalated}.${s}`, "tampered payload"), /signature/);
  const sig = fromB64url(s);
  sig[5] ^= 1;
  assert.match(await refused(`${h}.${p}.${b64url(sig)}`, "tampered signature"), /signature/);

  assert.match(await refused(await sign(claims({ iss: "https://evil.example" })), "iss"), /issuer/);
  assert.match(await refused(await sign(claims({ aud: "other-api" })), "aud"), /audience/);
  assert.match(await refused(await sign(claims({ exp: now() - 120 })), "expired"), /expired/);
  const withinLeeway = await verify(await sign(claims({ exp: now() - 20 })));
  assert.equal(withinLeeway.status, 200, "60 s leeway");
  assert.match(await refused(await sign(claims({ nbf: now() + 600 })), "nbf"), /not valid yet/);

  assert.match(await refused("abc.def", "two parts"), /malformed/);
  assert.match(await refused(`${h}.${p}.${s}=`, "padding"), /malformed/);
  assert.match(await refused(`${b64url("{oops")}.${p}.${s}`, "header json"), /malformed/);
  assert.match(await refused(`${h}.${p}!.${s}`, "payload base64"), /malformed/);
  assert.match(await refused("a".repeat(9000), "oversized"), /too large/);
});

test("claims of the wrong shape are refused after a valid signature", async () => {
  const res = await refused(await sign({ iss: BASE, aud: "authsec-api", exp: now() + 60 }), "shape");
  assert.match(res, /claims/);
});

test("signature mutation vectors get the same verdicts through Web Crypto", async () => {
  const vectors = JSON.parse(readFileSync(new URL("../vectors/es256-mutations.json", import.meta.url)));
  const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
  const toBig = (bytes) => BigInt(`0x${Buffer.from(bytes).toString("hex") || "0"}`);
  const toBytes = (big) => Buffer.from(big.toString(16).padStart(64, "0").slice(-64), "hex");
  const derInt = (bytes) => {
    let b = Buffer.from(bytes);
    while (b.length > 1 && b[0] === 0) b = b.subarray(1);
    if (b[0] & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
    return Buffer.concat([Buffer.from([2, b.length]), b]);
  };
  const mutate = (sig, op) => {
    let r = sig.subarray(0, 32);
    let s = sig.subarray(32);
    switch (op) {
      case "none": break;
      case "negate_s": s = toBytes(n - toBig(s)); break;
      case "r_zero": r = Buffer.alloc(32); break;
      case "s_zero": s = Buffer.alloc(32); break;
      case "r_n": r = toBytes(n); break;
      case "s_n": s = toBytes(n); break;
      case "r_plus_n_low": r = toBytes((toBig(r) + n) % (1n << 256n)); break;
      case "all_zero": r = Buffer.alloc(32); s = Buffer.alloc(32); break;
      case "all_ff": r = Buffer.alloc(32, 0xff); s = Buffer.alloc(32, 0xff); break;
      case "flip_r": r = Buffer.from(r); r[0] ^= 0x80; break;
      case "flip_s": s = Buffer.from(s); s[31] ^= 0x01; break;
      case "swap": [r, s] = [s, r]; break;
      case "truncate": return sig.subarray(0, 63);
      case "extend": return Buffer.concat([sig, Buffer.from([0])]);
      case "empty": return Buffer.alloc(0);
      case "der": {
        const body = Buffer.concat([derInt(r), derInt(s)]);
        return Buffer.concat([Buffer.from([0x30, body.length]), body]);
      }
      default: throw new Error(`unknown op ${op}`);
    }
    return Buffer.concat([r, s]);
  };
  for (let round = 0; round < 3; round++) {
    const token = await sign(claims());
    const [h, p, s] = token.split(".");
    for (const c of vectors.cases) {
      const res = await verify(`${h}.${p}.${b64url(mutate(fromB64url(s), c.op))}`);
      assert.equal(res.status, c.valid ? 200 : 401, `${c.name}: ${res.text}`);
    }
  }
});

test("generate needs a bearer token and issues a Worker-signed token that jose verifies from the JWKS", async () => {
  const anonymous = await call("POST", "/authsec/authmgr/token/generate", { json: {} });
  assert.equal(anonymous.status, 401);
  assert.match(anonymous.headers.get("www-authenticate"), /^Bearer/);

  const caller = claims({ scope: ["docs:read", "docs:write"] });
  const res = await generate(await sign(caller), { scopes: ["docs:read"], tenant_id: caller.tenant_id });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.data.token_type, "Bearer");
  assert.ok(res.data.expires_in > 0 && res.data.expires_in <= 900);
  const token = res.data.access_token;
  assert.equal(decodeProtectedHeader(token).kid, signingKey().kid);

  // Independent verification: jose fetches our JWKS and checks signature, iss, aud, time.
  const discovery = await (await fetch(`${BASE}/.well-known/openid-configuration`)).json();
  const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
  const { payload, protectedHeader } = await jwtVerify(token, jwks, {
    issuer: discovery.issuer,
    audience: "authsec-api",
    algorithms: ["ES256"],
  });
  assert.equal(protectedHeader.alg, "ES256");
  assert.equal(payload.sub, caller.sub);
  assert.equal(payload.tenant_id, caller.tenant_id);
  assert.deepEqual(payload.scope, ["docs:read"]);
  assert.ok(payload.exp <= caller.exp, "never outlives the presented token");
  assert.notEqual(payload.jti, caller.jti);

  const back = await verify(token);
  assert.equal(back.status, 200);
  assert.deepEqual(back.data.scopes, ["docs:read"]);
});

test("generate refuses to widen scope or change identity", async () => {
  const caller = claims({ scope: ["docs:read"] });
  const cases = [
    [{ scopes: ["docs:read", "billing:write"] }, 403],
    [{ tenant_id: "someone-elses-tenant" }, 403],
    [{ email_id: "eve@example.test" }, 403],
    [{ roles: ["admin"] }, 403],
    [{ scopes: 7 }, 400],
  ];
  for (const [body, status] of cases) {
    // A fresh subject per case keeps the per-subject rate limit out of the way.
    const subject = crypto.randomUUID();
    const token = await sign({ ...caller, sub: subject, user_id: subject });
    const res = await generate(token, body);
    assert.equal(res.status, status, `${JSON.stringify(body)}: ${res.text}`);
  }
});

test("generate is rate limited per subject through the Durable Object", async () => {
  const token = await mint();
  const statuses = [];
  for (let i = 0; i < 7; i++) statuses.push((await generate(token, {})).status);
  // The e2e Worker runs with TOKEN_GENERATE_PER_MINUTE=5.
  assert.deepEqual(statuses.slice(0, 5), [200, 200, 200, 200, 200]);
  const limited = await generate(token, {});
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get("retry-after")) >= 1);
  assert.equal((await generate(await mint(), {})).status, 200, "another subject is unaffected");
});
