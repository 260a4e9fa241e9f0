// Tenant isolation and bad input, swept over every account route against the Worker:
// a token of tenant B reaches nothing of tenant A (403 on A's paths, 404 for A's ids on
// B's paths), and afterwards A's users, sessions, clients and projects are unchanged.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { call, verify } from "./helpers.mjs";
import { USER_PASSWORD, as, bearer, defaultClientId, latestCode, onboard } from "./accounts-helpers.mjs";

async function tenantWithEverything() {
  const admin = await onboard();
  const auth = bearer(admin.login.token);
  const clientId = await defaultClientId(admin);
  const app = await call("POST", `/authsec/clientms/tenants/${admin.tenantId}/clients/create`, { json: { name: "App" }, headers: auth });
  assert.equal(app.status, 201, app.text);
  const project = await call("POST", "/authsec/uflow/admin/projects", { json: { name: "Payments" }, headers: auth });
  assert.equal(project.status, 201, project.text);
  const email = `iso-${randomUUID().slice(0, 8)}@example.test`;
  const user = as(`10.220.${email.charCodeAt(4)}.${email.charCodeAt(5)}`);
  await user.post("/authsec/uflow/user/register/initiate", { client_id: clientId, email, password: USER_PASSWORD });
  const done = await user.post("/authsec/uflow/user/register/complete", { client_id: clientId, email, otp: await latestCode(email), password: USER_PASSWORD });
  const login = await user.post("/authsec/uflow/user/login", { client_id: clientId, email, password: USER_PASSWORD });
  assert.equal(login.status, 200, login.text);
  return { admin, auth, app: app.data, project: project.data, userId: done.data.user_id, userLogin: login.data };
}

test("a token of tenant B reaches nothing of tenant A", async () => {
  const a = await tenantWithEverything();
  const b = await onboard();
  const auth = bearer(b.login.token);
  const A = a.admin.tenantId;
  const B = b.tenantId;
  const app = a.app.client_id;
  const sweep = [
    ["GET", `/authsec/clientms/tenants/${A}/clients/getClients`, undefined, 403],
    ["GET", `/authsec/clientms/tenants/${A}/clients/${app}`, undefined, 403],
    ["PUT", `/authsec/clientms/tenants/${A}/clients/${app}`, { name: "pwned" }, 403],
    ["DELETE", `/authsec/clientms/tenants/${A}/clients/${app}`, undefined, 403],
    ["PATCH", `/authsec/clientms/tenants/${A}/clients/${app}/deactivate`, undefined, 403],
    ["POST", `/authsec/clientms/tenants/${A}/clients/create`, { name: "intruder" }, 403],
    ["GET", `/authsec/clientms/tenants/${B}/clients/${app}`, undefined, 404],
    ["PATCH", `/authsec/clientms/tenants/${B}/clients/${app}`, { name: "pwned" }, 404],
    ["DELETE", `/authsec/clientms/tenants/${B}/clients/${app}`, undefined, 404],
    ["PATCH", `/authsec/clientms/tenants/${B}/clients/${app}/soft-delete`, undefined, 404],
    ["PATCH", `/authsec/clientms/tenants/${B}/clients/${app}/deactivate`, undefined, 404],
    ["POST", `/authsec/clientms/tenants/${B}/clients/delete-complete`, { client_id: app }, 404],
    ["POST", `/authsec/clientms/tenants/${B}/clients/set-status`, { client_id: app, active: false }, 404],
    ["DELETE", `/authsec/uflow/admin/users/${a.userId}`, undefined, 404],
    ["PUT", `/authsec/uflow/user/enduser/${A}/${a.userId}/status`, { active: false }, 403],
    ["PUT", `/authsec/uflow/user/enduser/${B}/${a.userId}/status`, { active: false }, 404],
    ["POST", `/authsec/uflow/admin/users/${a.userId}/revoke-sessions`, {}, 404],
    ["DELETE", `/authsec/uflow/auth/sessions/${a.userLogin.session_id}`, undefined, 404],
    ["GET", `/authsec/uflow/admin/projects/${a.project.id}`, undefined, 404],
    ["PUT", `/authsec/uflow/admin/projects/${a.project.id}`, { name: "pwned" }, 404],
    ["DELETE", `/authsec/uflow/admin/projects/${a.project.id}`, undefined, 404],
  ];
  for (const [method, path, json, status] of sweep) {
    const res = await call(method, path, { json, headers: auth });
    assert.equal(res.status, status, `${method} ${path}: ${res.text}`);
  }
  // B's listings show none of A.
  const users = await call("GET", "/authsec/uflow/admin/enduser/list", { headers: auth });
  assert.equal(users.data.pagination.total, 0);
  const projects = await call("GET", "/authsec/uflow/admin/projects", { headers: auth });
  assert.ok(projects.data.projects.every((p) => p.tenant_id === B));
  // Nothing of A changed.
  assert.equal((await verify(a.userLogin.token)).status, 200, "A's user is still signed in");
  const stillApp = await call("GET", `/authsec/clientms/tenants/${A}/clients/${app}`, { headers: a.auth });
  assert.equal(stillApp.data.name, "App");
  assert.equal(stillApp.data.active, true);
  const stillProject = await call("GET", `/authsec/uflow/admin/projects/${a.project.id}`, { headers: a.auth });
  assert.equal(stillProject.data.name, "Payments");
  const stillUsers = await call("GET", "/authsec/uflow/admin/enduser/list", { headers: a.auth });
  assert.equal(stillUsers.data.users[0].active, true);
});

test("an end user's token is not an admin's", async () => {
  const a = await tenantWithEverything();
  const user = bearer(a.userLogin.token);
  for (const [method, path, json] of [
    ["GET", "/authsec/uflow/admin/users/list"],
    ["POST", "/authsec/uflow/admin/projects", { name: "x" }],
    ["POST", `/authsec/clientms/tenants/${a.admin.tenantId}/clients/create`, { name: "x" }],
    ["POST", `/authsec/uflow/admin/users/${a.userId}/revoke-sessions`, {}],
  ]) {
    const res = await call(method, path, { json, headers: user });
    assert.equal(res.status, 403, `${method} ${path}`);
  }
});

test("disabling an end user ends their session on the next request", async () => {
  const a = await tenantWithEverything();
  const res = await call("PUT", `/authsec/uflow/user/enduser/${a.admin.tenantId}/${a.userId}/status`, { json: { active: false }, headers: a.auth });
  assert.equal(res.status, 200, res.text);
  assert.equal((await verify(a.userLogin.token)).status, 401);
  const refreshed = await call("POST", "/authsec/uflow/auth/token/refresh", { json: { refresh_token: a.userLogin.refresh_token } });
  assert.equal(refreshed.status, 400);
});

test("administration routes answer bad input and missing auth with a clear 4xx", async () => {
  const a = await tenantWithEverything();
  const A = a.admin.tenantId;
  const routes = [
    ["POST", `/authsec/clientms/tenants/${A}/clients/create`],
    ["PUT", `/authsec/clientms/tenants/${A}/clients/${a.app.client_id}`],
    ["POST", `/authsec/clientms/tenants/${A}/clients/set-status`],
    ["POST", `/authsec/clientms/tenants/${A}/clients/delete-complete`],
    ["PUT", `/authsec/uflow/user/enduser/${A}/${a.userId}/status`],
    ["POST", "/authsec/uflow/admin/projects"],
    ["PUT", `/authsec/uflow/admin/projects/${a.project.id}`],
    ["POST", "/authsec/uflow/admin/users/list"],
  ];
  for (const [method, path] of routes) {
    const anonymous = await call(method, path, { json: {} });
    assert.equal(anonymous.status, 401, `${method} ${path}`);
    const broken = await call(method, path, { body: "{oops", headers: { ...a.auth, "content-type": "application/json" } });
    assert.equal(broken.status, 400, `${method} ${path}: ${broken.text}`);
    const wrong = await call(method, path, { json: { name: 7, client_id: 7, active: "yes", page: "x", redirect_uris: "x" }, headers: a.auth });
    assert.equal(wrong.status, 400, `${method} ${path}: ${wrong.text}`);
    const huge = await call(method, path, { json: { name: "x".repeat(70 * 1024) }, headers: a.auth });
    assert.equal(huge.status, 413, `${method} ${path}`);
  }
  const app = await call("GET", `/authsec/clientms/tenants/${A}/clients/${a.app.client_id}`, { headers: a.auth });
  assert.equal(app.data.name, "App", "no partial write from any of it");
});
