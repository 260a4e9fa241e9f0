// A deployment without its signing-key secret: clear 500s naming the variable, a 503
// health, and no panic.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BROKEN, call } from "./helpers.mjs";

test("a missing SIGNING_KEYS secret yields 500 JSON naming it, and an unhealthy health check", { skip: !BROKEN }, async () => {
  for (const path of ["/.well-known/jwks.json", "/.well-known/openid-configuration"]) {
    const res = await call("GET", path, { base: BROKEN });
    assert.equal(res.status, 500, path);
    assert.equal(res.data.error, "configuration_error");
    assert.match(res.data.message, /SIGNING_KEYS/);
  }
  const verify = await call("POST", "/authsec/authmgr/token/verify", { base: BROKEN, json: { token: "a.b.c" } });
  assert.equal(verify.status, 500);
  assert.match(verify.data.message, /SIGNING_KEYS/);
  const health = await call("GET", "/authsec/uflow/health", { base: BROKEN });
  assert.equal(health.status, 503);
  assert.equal(health.data.status, "error");
  assert.match(health.data.checks.config, /SIGNING_KEYS/);
  assert.equal(health.data.checks.d1, "ok");
});

test("a Postgres that cannot be reached yields a 503 naming it, and no panic", { skip: !process.env.AUTHSEC_E2E_BAD_POSTGRES_URL }, async () => {
  const base = process.env.AUTHSEC_E2E_BAD_POSTGRES_URL;
  const health = await call("GET", "/authsec/uflow/health", { base });
  assert.equal(health.status, 503);
  assert.equal(health.data.checks.postgres, "error");
  assert.equal(health.data.checks.kv, "ok");
  const precheck = await call("POST", "/authsec/uflow/auth/admin/login/precheck", { base, json: { email: "a@b.test" } });
  assert.equal(precheck.status, 503);
  assert.equal(precheck.data.error, "service_unavailable");
  assert.doesNotMatch(precheck.text, /127\.0\.0\.1|postgres:/, "no connection details leak");
  const jwks = await call("GET", "/.well-known/jwks.json", { base });
  assert.equal(jwks.status, 200, "token verification keeps working without the database");
});
