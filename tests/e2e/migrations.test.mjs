// Migrations of the active backend through the Worker: D1's were applied by wrangler
// (and are recorded where wrangler records them); the Postgres database was built with
// psql, so the Worker's runner records them, idempotently, on first run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { call } from "./helpers.mjs";
import { bearer, onboard } from "./accounts-helpers.mjs";

test("a platform admin sees the schema current after a run; a tenant admin may not", async () => {
  const platform = await onboard("platform-admin@example.test");
  const tenant = await onboard();
  const auth = bearer(platform.login.token);
  const forbidden = await call("GET", "/authsec/migration/migrations/master/status", { headers: bearer(tenant.login.token) });
  assert.equal(forbidden.status, 403);
  const store = process.env.AUTHSEC_E2E_STORE ?? "d1";
  const before = await call("GET", "/authsec/migration/migrations/master/status", { headers: auth });
  assert.equal(before.status, 200, before.text);
  assert.equal(before.data.backend, store);
  const run = await call("POST", "/authsec/migration/migrations/master/run", { json: {}, headers: auth });
  assert.equal(run.status, 200, run.text);
  assert.deepEqual(run.data.pending, []);
  assert.deepEqual(run.data.applied_now, before.data.pending, "exactly what was pending was applied");
  const again = await call("POST", "/authsec/migration/migrations/master/run", { json: {}, headers: auth });
  assert.deepEqual(again.data.applied_now, [], "a second run has nothing to do");
  assert.equal(again.data.applied.length, readdirSync(new URL("../../migrations/d1/", import.meta.url)).length);
});
