// The service skeleton over HTTP, against the real Worker in workerd: health with real
// D1/KV/Durable Object checks, discovery, JWKS, the error model, metrics.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BASE, call, mint, verify } from "./helpers.mjs";

test("health checks the relational store, KV and a Durable Object for real", async () => {
  const res = await call("GET", "/authsec/uflow/health");
  assert.equal(res.status, 200);
  assert.equal(res.data.status, "ok");
  const store = process.env.AUTHSEC_E2E_STORE ?? "d1";
  assert.deepEqual(res.data.checks, { [store]: "ok", kv: "ok", durable_objects: "ok" });
  assert.match(res.data.version, /^\d+\.\d+\.\d+$/);
});

test("discovery names this issuer and a JWKS that resolves", async () => {
  const res = await call("GET", "/.well-known/openid-configuration");
  assert.equal(res.status, 200);
  assert.equal(res.data.issuer, BASE);
  assert.equal(res.data.jwks_uri, `${BASE}/.well-known/jwks.json`);
  assert.match(res.headers.get("cache-control"), /max-age=\d+/);
  assert.equal(res.data.authorization_endpoint, `${BASE}/authsec/oauth/authorize`);
  assert.equal(res.data.request_object_signing_alg_values_supported, undefined, "not served, so not advertised");
  const jwks = await fetch(res.data.jwks_uri);
  assert.equal(jwks.status, 200);
  const meta = await call("GET", "/.well-known/oauth-authorization-server");
  assert.equal(meta.data.issuer, BASE);
});

test("the JWKS publishes public ES256 keys only, cacheably", async () => {
  const res = await call("GET", "/.well-known/jwks.json");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("cache-control"), /public, max-age=\d+/);
  assert.ok(res.data.keys.length >= 1);
  for (const key of res.data.keys) {
    assert.deepEqual(Object.keys(key).sort(), ["alg", "crv", "kid", "kty", "use", "x", "y"]);
    assert.equal(key.alg, "ES256");
  }
  const again = await call("GET", "/.well-known/jwks.json");
  assert.equal(again.text, res.text, "served from cache, byte-identical");
});

test("unknown routes are 404, wrong methods 405 with Allow, unserved capabilities 501", async () => {
  const missing = await call("GET", "/authsec/does-not-exist");
  assert.equal(missing.status, 404);
  assert.equal(missing.data.error, "not_found");
  const wrong = await call("DELETE", "/authsec/authmgr/token/verify");
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get("allow"), "POST");
  const later = await call("POST", "/authsec/uflow/auth/enduser/webauthn-callback", { json: {} });
  assert.equal(later.status, 501);
  assert.equal(later.data.error, "not_implemented");
});

test("bad input gets a clear 4xx, never a crash", async () => {
  const path = "/authsec/authmgr/token/verify";
  const broken = await call("POST", path, { body: "{not json", headers: { "content-type": "application/json" } });
  assert.equal(broken.status, 400);
  assert.equal(broken.data.error, "invalid_request");
  const wrongType = await call("POST", path, { json: { token: 12345 } });
  assert.equal(wrongType.status, 400);
  assert.equal(wrongType.data.field, "token");
  const missing = await call("POST", path, { json: { unrelated: true } });
  assert.equal(missing.status, 400);
  assert.equal(missing.data.field, "token");
  const array = await call("POST", path, { json: ["token"] });
  assert.equal(array.status, 400);
  const form = await call("POST", path, { body: "token=x", headers: { "content-type": "application/x-www-form-urlencoded" } });
  assert.equal(form.status, 415);
  const huge = await call("POST", path, { json: { token: "x", padding: "a".repeat(70 * 1024) } });
  assert.equal(huge.status, 413);
  assert.equal(huge.data.error, "payload_too_large");
  const health = await call("GET", "/authsec/uflow/health");
  assert.equal(health.status, 200, "still healthy after the abuse");
});

test("responses carry no-store and nosniff", async () => {
  const res = await call("POST", "/authsec/authmgr/token/verify", { json: { token: "x" } });
  assert.equal(res.headers.get("cache-control"), "no-store");
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
});

test("metrics expose per-route counts, a latency histogram and verification results", async () => {
  await verify(await mint());
  await verify("not.a.token");
  const res = await call("GET", "/metrics");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type"), /^text\/plain/);
  assert.match(res.text, /authsec_http_requests_total\{route="\/authsec\/authmgr\/token\/verify",method="POST",status="200",class="2xx"\} \d+/);
  assert.match(res.text, /authsec_http_request_duration_ms_bucket\{route="\/authsec\/authmgr\/token\/verify",le="\+Inf"\} \d+/);
  assert.match(res.text, /authsec_token_verifications_total\{result="valid"\} \d+/);
  assert.match(res.text, /authsec_token_verifications_total\{result="malformed"\} \d+/);
  assert.doesNotMatch(res.text, /does-not-exist/, "raw paths never become labels");
});

test("CORS: an allowed console origin is answered, others are not", async () => {
  const preflight = (origin) =>
    fetch(`${BASE}/authsec/uflow/auth/admin/login`, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
  const ok = await preflight("https://console.example.test");
  assert.equal(ok.status, 204);
  assert.equal(ok.headers.get("access-control-allow-origin"), "https://console.example.test");
  assert.match(ok.headers.get("access-control-allow-methods"), /POST/);
  const evil = await preflight("https://evil.example.test");
  assert.equal(evil.status, 403);
  assert.equal(evil.headers.get("access-control-allow-origin"), null);
  const answer = await fetch(`${BASE}/authsec/uflow/health`, { headers: { origin: "https://console.example.test" } });
  assert.equal(answer.headers.get("access-control-allow-origin"), "https://console.example.test");
});

