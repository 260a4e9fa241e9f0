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
