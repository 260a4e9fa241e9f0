// Sessions sharded by user (issue 13, section 3), against the real Durable Objects: a
// session made as the release before sharding made it (in the tenant's object, with an
// rt1 refresh token) still refreshes; a tenant-wide revocation is one epoch that ends
// every session of the tenant, old and new, and no other tenant's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { call } from "./helpers.mjs";
import { bearer, onboard } from "./accounts-helpers.mjs";

const VERIFY = "/authsec/authmgr/token/verify";
const REFRESH = "/authsec/uflow/auth/token/refresh";
const verify = (token, strict) => call("POST", VERIFY, { json: { token, strict } });
const refresh = (refreshToken) => call("POST", REFRESH, { json: { refresh_token: refreshToken } });

test("new sessions get refresh tokens that name their user's shard", async () => {
  const admin = await onboard();
  assert.match(admin.login.refresh_token, new RegExp(`^rt2\\.${admin.tenantId}\\.${admin.userId}\\.`));
  const renewed = await refresh(admin.login.refresh_token);
  assert.equal(renewed.status, 200, renewed.text);
  assert.equal((await refresh(admin.login.refresh_token)).status, 400, "reuse is still detected in the shard");
  assert.equal((await verify(renewed.data.access_token, true)).status, 401, "and it ends the session");
});

test("a session from before sharding still refreshes, verifies and ends", async () => {
  const admin = await onboard();
  const made = await call("POST", "/authsec/dev/legacy-session", { json: {}, headers: bearer(admin.login.token) });
  assert.equal(made.status, 201, made.text);
  assert.match(made.data.refresh_token, /^rt1\./);
  const renewed = await refresh(made.data.refresh_token);
  assert.equal(renewed.status, 200, renewed.text);
  assert.equal(renewed.data.session_id, made.data.session_id);
  assert.match(renewed.data.refresh_token, /^rt1\./, "it keeps routing to the tenant's object");
  assert.equal((await verify(renewed.data.access_token, true)).status, 200, renewed.text);
  const again = await refresh(renewed.data.refresh_token);
  assert.equal(again.status, 200, again.text);
  assert.equal((await refresh(renewed.data.refresh_token)).status, 400, "reuse detection holds there too");
  assert.equal((await verify(again.data.access_token, true)).status, 401);
});

test("ending a tenant's sessions: one epoch, strict and edge refuse at once, other tenants untouched", async () => {
  const admin = await onboard();
  const other = await onboard();
  const legacy = await call("POST", "/authsec/dev/legacy-session", { json: {}, headers: bearer(admin.login.token) });
  const legacyAccess = (await refresh(legacy.data.refresh_token)).data.access_token;
  for (const token of [admin.login.token, legacyAccess]) {
    assert.equal((await verify(token)).status, 200, "the edge has seen it live");
  }
  const path = `/authsec/uflow/admin/tenants/${admin.tenantId}/revoke-sessions`;
  const refused = await call("POST", path, { json: {}, headers: bearer(other.login.token) });
  assert.equal(refused.status, 404, "another tenant's admin");
  const ended = await call("POST", path, { json: {}, headers: bearer(admin.login.token) });
  assert.equal(ended.status, 200, ended.text);
  assert.equal(typeof ended.data.sessions_revoked_through, "number");
  for (const token of [admin.login.token, legacyAccess]) {
    assert.equal((await verify(token, true)).status, 401, "strict: at once");
    assert.equal((await verify(token)).status, 401, "edge, same Worker: at once");
  }
  assert.equal((await refresh(admin.login.refresh_token)).status, 400, "nor can it refresh");
  assert.equal((await verify(other.login.token, true)).status, 200, "another tenant keeps its sessions");
});
