// RBAC and ABAC through the Worker: an admin builds permissions, roles, groups and
// bindings over HTTP, and the checks answer accordingly for several users — at once
// after each change, although permission sets are cached per isolate. Cross-tenant
// attempts fail and bad input is a clear 4xx.
import { test } from "node:test";
import assert from "node:assert/strict";
import { call } from "./helpers.mjs";
import { USER_PASSWORD, bearer, defaultClientId, onboard, registerEndUser } from "./accounts-helpers.mjs";

async function tenant() {
  const admin = await onboard();
  const clientId = await defaultClientId(admin);
  const api = (method, path, json) => call(method, path, { json, headers: bearer(admin.login.token) });
  return { admin, clientId, api };
}

async function endUser(clientId) {
  const { email, client, userId } = await registerEndUser(clientId, "rbac");
  const login = await client.post("/authsec/uflow/user/login", { client_id: clientId, email, password: USER_PASSWORD });
  const check = async (query) => {
    const res = await call("GET", `/authsec/authmgr/user/check/${query}`, { headers: bearer(login.data.token) });
    assert.equal(res.status, 200, res.text);
    return res.data.has_permission ?? res.data.has_role;
  };
  return { userId, token: login.data.token, check };
}

test("roles, groups and bindings decide the checks, and every change shows on the next check", async () => {
  const { clientId, api } = await tenant();
  const [alice, bob, carol] = [await endUser(clientId), await endUser(clientId), await endUser(clientId)];
  const permission = await api("POST", "/authsec/uflow/admin/permissions", { resource: "invoices", action: "approve", description: "approve" });
  assert.equal(permission.status, 201, permission.text);
  const role = await api("POST", "/authsec/uflow/admin/roles", {
    name: "accountant", description: "books", permission_ids: [permission.data.id], permission_strings: ["invoices:read"],
  });
  assert.equal(role.status, 201, role.text);
  assert.equal(role.data.permissions_count, 2);
  const listed = await api("GET", "/authsec/uflow/admin/roles?resource=invoices");
  assert.ok(listed.data.some((r) => r.id === role.data.id && r.permissions_count === 2), listed.text);

  assert.equal(await alice.check("permission?resource=invoices&scope=approve"), false);
  const binding = await api("POST", "/authsec/uflow/admin/bindings", { user_id: alice.userId, role_id: role.data.id });
  assert.equal(binding.status, 201, binding.text);
  assert.equal(await alice.check("permission?resource=invoices&scope=approve"), true, "visible on the next check");
  assert.equal(await alice.check("permission?resource=invoices&action=delete"), false);
  assert.equal(await alice.check("role?role=accountant"), true);
  assert.equal(await bob.check("permission?resource=invoices&action=read"), false);

  const scoped = await api("POST", "/authsec/uflow/admin/bindings", {
    user_id: bob.userId, role_id: role.data.id, scope: { type: "account", id: "acme-books" },
  });
  assert.equal(scoped.status, 201, scoped.text);
  assert.equal(await bob.check("permission-scoped?resource=invoices&action=read&scope_type=account&scope_id=acme-books"), true);
  assert.equal(await bob.check("permission-scoped?resource=invoices&action=read&scope_type=account&scope_id=other"), false);

  const group = await api("POST", "/authsec/uflow/admin/groups", { name: "finance" });
  await api("POST", "/authsec/uflow/admin/bindings", { group_id: group.data.id, role_id: role.data.id });
  assert.equal(await carol.check("permission?resource=invoices&action=read"), false);
  const joined = await api("POST", `/authsec/authmgr/admin/groups/${group.data.id}/members`, { user_ids: [carol.userId] });
  assert.equal(joined.status, 200, joined.text);
  assert.equal(await carol.check("permission?resource=invoices&action=read"), true, "a group binding grants its members");
  const left = await api("DELETE", `/authsec/uflow/admin/groups/${group.data.id}/members/${carol.userId}`);
  assert.equal(left.status, 200, left.text);
  assert.equal(await carol.check("permission?resource=invoices&action=read"), false);

  assert.equal((await api("DELETE", `/authsec/uflow/admin/bindings/${binding.data.id}`)).status, 200);
  assert.equal(await alice.check("permission?resource=invoices&scope=approve"), false, "a deleted binding grants nothing at once");
  assert.equal((await api("DELETE", `/authsec/uflow/admin/roles/${role.data.id}`)).status, 200);
  assert.equal(await bob.check("permission-scoped?resource=invoices&action=read&scope_type=account&scope_id=acme-books"), false);
  const mine = await call("GET", "/authsec/uflow/user/permissions/check?resource=invoices&scope=read", { headers: bearer(bob.token) });
  assert.deepEqual([mine.status, mine.data.has_permission, mine.data.scope], [200, false, "read"]);
});

test("policy/check combines RBAC with an ABAC deny, and policies can be tested before saving", async () => {
  const { clientId, api } = await tenant();
  const user = await endUser(clientId);
  const role = await api("POST", "/authsec/uflow/admin/roles", { name: "viewer", permission_strings: ["reports:view"] });
  await api("POST", "/authsec/uflow/admin/bindings", { user_id: user.userId, role_id: role.data.id });
  const policy = {
    name: "office-hours-only",
    rules: [{
      name: "deny-night", effect: "deny", priority: 5, subjects: [{ type: "*", value: "*" }],
      resources: [{ type: "reports", value: "*" }], actions: ["view"],
      conditions: [{ type: "attribute", operator: "eq", key: "shift", value: "night" }],
    }],
  };
  const tested = await api("POST", "/authsec/spire/policy/test", {
    policy, request: { subject: "user:x", resource: "reports:r1", action: "view", context: { shift: "night" } },
  });
  assert.equal(tested.data.decision, "deny", tested.text);
  assert.equal((await api("POST", "/authsec/spire/policy", policy)).status, 201);
  const check = (shift) => api("POST", "/authsec/uflow/admin/policy/check", {
    principal_id: user.userId, resource: "reports", action: "view", context: { shift },
  });
  assert.equal((await check("day")).data.allowed, true);
  const night = await check("night");
  assert.deepEqual([night.data.allowed, night.data.abac.matched_rule], [false, "deny-night"], night.text);
  const batch = await api("POST", "/authsec/spire/policy/batch-evaluate", { requests: [
    { subject: "user:a", resource: "reports:r", action: "view", context: { shift: "night" } },
    { subject: "user:a", resource: "reports:r", action: "view", context: { shift: "day" } },
  ] });
  assert.deepEqual(batch.data.results.map((r) => r.decision), ["deny", "deny"], "default deny without an allow rule");
});

test("another tenant's admin sees and changes none of it; bad input is a clear 4xx", async () => {
  const a = await tenant();
  const b = await tenant();
  const role = await a.api("POST", "/authsec/uflow/admin/roles", { name: "private", permission_strings: ["x:y"] });
  const user = await endUser(a.clientId);
  assert.equal((await b.api("GET", `/authsec/uflow/admin/roles/${role.data.id}`)).status, 404);
  assert.equal((await b.api("DELETE", `/authsec/uflow/admin/roles/${role.data.id}`)).status, 404);
  assert.equal((await b.api("POST", "/authsec/uflow/admin/bindings", { user_id: user.userId, role_id: role.data.id })).status, 400);
  assert.equal((await a.api("GET", `/authsec/uflow/admin/roles/${role.data.id}`)).status, 200, "still there");
  const asUser = await call("POST", "/authsec/uflow/admin/roles", { json: { name: "x" }, headers: bearer(user.token) });
  assert.equal(asUser.status, 403);
  const cases = [
    ["POST", "/authsec/uflow/admin/roles", { name: ["x"] }],
    ["POST", "/authsec/uflow/admin/roles", { name: "x", permission_ids: ["not-a-permission"] }],
    ["POST", "/authsec/uflow/admin/permissions", { resource: "", action: "read" }],
    ["POST", "/authsec/uflow/admin/bindings", { user_id: user.userId }],
    ["POST", "/authsec/uflow/admin/bindings", { user_id: user.userId, role_id: role.data.id, scope: "everything" }],
    ["POST", "/authsec/uflow/admin/groups", {}],
    ["POST", "/authsec/spire/policy", { name: "p", rules: [{ name: "r", effect: "allow", priority: 1, subjects: [{ type: "*", value: "(a+)+(", pattern: "regex" }], resources: [{ type: "*", value: "*" }], actions: ["*"] }] }],
    ["POST", "/authsec/spire/policy/batch-evaluate", { requests: [] }],
  ];
  for (const [method, path, json] of cases) {
    const res = await a.api(method, path, json);
    assert.equal(res.status, 400, `${method} ${path} ${JSON.stringify(json)}: ${res.text}`);
  }
  const unauthenticated = await call("GET", "/authsec/authmgr/user/check/permission?resource=a&action=b");
  assert.equal(unauthenticated.status, 401);
});
