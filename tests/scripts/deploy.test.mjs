// scripts/deploy against a stand-in Cloudflare account (fake-wrangler.mjs) in a sandbox
// copy of the repository: what a first deploy creates and records, that a second one
// creates and overwrites nothing, that wrangler's failures come back as one line, and
// the smoke check. The real `wrangler deploy --dry-run` runs in scripts/test's gates.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readVars } from "../../scripts/lib/secrets.mjs";
import { readStrings } from "../../scripts/lib/wrangler-toml.mjs";
import { sandbox } from "./sandbox.mjs";

const deployLines = (out) => out.split("\n").filter((l) => l.startsWith("deploy:"));

test("a first deploy creates the resources, records their ids, uploads generated secrets and smoke-checks", async () => {
  const box = await sandbox();
  try {
    const res = await box.run("deploy.mjs", ["--env", "staging"]);
    assert.equal(res.status, 0, res.output);
    const s = box.state();
    assert.deepEqual(s.d1.map((d) => d.name), ["authsec-edge-staging"]);
    assert.deepEqual(s.kv.map((k) => k.title), ["authsec-edge-staging-cache"]);
    const toml = box.toml();
    assert.equal(readStrings(toml, "env.staging.d1_databases").database_id, s.d1[0].uuid);
    assert.equal(readStrings(toml, "env.staging.kv_namespaces").id, s.kv[0].id);
    assert.equal(readStrings(toml, "env.production.d1_databases").database_id, "00000000-0000-0000-0000-000000000000", "production untouched");
    assert.equal(readStrings(toml, "env.staging.vars").BASE_URL, "https://authsec-edge-staging.fake-account.workers.dev", "learned from the first deploy");
    const worker = s.workers["authsec-edge-staging"];
    assert.equal(worker.deploys, 2, "deployed again once BASE_URL was known");
    assert.equal(worker.vars.BASE_URL, "https://authsec-edge-staging.fake-account.workers.dev");
    assert.equal(worker.vars.ENVIRONMENT, "production");
    assert.equal(worker.build, "d1", "the D1-only Worker is what deploys");
    assert.deepEqual(Object.keys(worker.secrets).sort(), ["ENCRYPTION_KEY", "KEK_KEYS", "SECRET_PEPPER", "SIGNING_KEYS", "SIGNING_KID"]);
    // The operator's copy holds exactly what was uploaded, readable only by them.
    const file = join(box.dir, ".deploy/staging.vars");
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const local = readVars(file);
    for (const [name, value] of Object.entries(worker.secrets)) assert.equal(local[name], value, name);
    assert.deepEqual(s.d1[0].migrations, s.migrationFiles, "every D1 migration applied remotely");
    assert.match(res.stdout, /smoke\s+health: ok/);
    assert.match(res.stdout, new RegExp(`smoke\\s+JWKS: ${local.SIGNING_KID}`));
    assert.ok(!res.output.includes(JSON.parse(local.SIGNING_KEYS)[0].d), "no private key is printed");
    assert.ok(!s.calls.some((c) => c.includes(local.SECRET_PEPPER)), "no secret travels as an argument");
  } finally {
    box.close();
  }
});

test("a second deploy creates nothing, uploads nothing and never overwrites a secret", async () => {
  const box = await sandbox();
  try {
    // Someone set SECRET_PEPPER by hand before the first deploy: it must survive.
    box.update({ workers: { "authsec-edge-staging": { secrets: { SECRET_PEPPER: "hand-made-pepper-value" }, deploys: 0 } } });
    assert.equal((await box.run("deploy.mjs", ["--env", "staging"])).status, 0);
    const first = box.state();
    assert.equal(first.workers["authsec-edge-staging"].secrets.SECRET_PEPPER, "hand-made-pepper-value");
    assert.ok(!("SECRET_PEPPER" in readVars(join(box.dir, ".deploy/staging.vars"))), "a secret not generated here is not claimed");
    box.update({ calls: [] });
    const res = await box.run("deploy.mjs", ["--env", "staging"]);
    assert.equal(res.status, 0, res.output);
    const second = box.state();
    assert.equal(second.d1.length, 1);
    assert.equal(second.kv.length, 1);
    assert.deepEqual(second.workers["authsec-edge-staging"].secrets, first.workers["authsec-edge-staging"].secrets);
    assert.ok(!second.calls.some((c) => /^(d1 create|kv namespace create|secret bulk)/.test(c)), second.calls.join("\n"));
    assert.equal(second.calls.filter((c) => c.startsWith("deploy")).length, 1, "BASE_URL is known: one deploy");
    assert.match(res.stdout, /secrets\s+nothing to upload; kept/);
    assert.match(res.stdout, /D1 is up to date/);
  } finally {
    box.close();
  }
});

test("a secret missing on Cloudflare is restored from the operator's file, not regenerated", async () => {
  const box = await sandbox();
  try {
    assert.equal((await box.run("deploy.mjs", ["--env", "production"])).status, 0);
    const before = box.state().workers["authsec-edge-production"].secrets;
    const workers = box.state().workers;
    delete workers["authsec-edge-production"].secrets.ENCRYPTION_KEY;
    box.update({ workers });
    const res = await box.run("deploy.mjs", ["--env", "production"]);
    assert.equal(res.status, 0, res.output);
    assert.equal(box.state().workers["authsec-edge-production"].secrets.ENCRYPTION_KEY, before.ENCRYPTION_KEY, "TOTP seeds stay readable");
    assert.match(res.stdout, /uploaded ENCRYPTION_KEY \(from \.deploy\/production\.vars\)/);
  } finally {
    box.close();
  }
});

test("wrangler's failures come back as one clear line, before anything is created", async () => {
  const box = await sandbox({ accounts: [{ id: "1".repeat(32), name: "A" }, { id: "2".repeat(32), name: "B" }] });
  try {
    const cases = [
      [{ loggedIn: false }, {}, /not logged in to Cloudflare: run `npx wrangler login`, or export CLOUDFLARE_API_TOKEN/],
      [{ loggedIn: true, offline: true }, {}, /cannot reach the Cloudflare API/],
      [{ loggedIn: true, offline: false }, {}, /cannot tell which Cloudflare account to use: export CLOUDFLARE_ACCOUNT_ID/],
    ];
    for (const [change, env, pattern] of cases) {
      box.update(change);
      const res = await box.run("deploy.mjs", ["--env", "staging"], env);
      assert.equal(res.status, 1, res.output);
      const lines = deployLines(res.stderr);
      assert.equal(lines.length, 1, res.stderr);
      assert.match(lines[0], pattern);
      assert.equal(res.stderr.trim().split("\n").length, 1, `one line only:\n${res.stderr}`);
    }
    assert.equal(box.state().d1.length, 0, "nothing was created");
    // With the account named, the same login deploys.
    const res = await box.run("deploy.mjs", ["--env", "staging"], { CLOUDFLARE_ACCOUNT_ID: "2".repeat(32) });
    assert.equal(res.status, 0, res.output);
  } finally {
    box.close();
  }
});

test("the real wrangler, logged out, also fails in one line", async () => {
  const box = await sandbox();
  try {
    const home = join(box.dir, "home");
    const res = await box.run("deploy.mjs", ["--env", "staging"], {
      AUTHSEC_WRANGLER: join(box.dir, "node_modules/.bin/wrangler"), HOME: home, XDG_CONFIG_HOME: join(home, ".config"),
      CLOUDFLARE_API_TOKEN: "", CLOUDFLARE_ACCOUNT_ID: "",
    });
    assert.equal(res.status, 1, res.output);
    assert.equal(res.stderr.trim().split("\n").length, 1, res.stderr);
    assert.match(res.stderr, /^deploy: wrangler whoami: wrangler is not logged in to Cloudflare/);
  } finally {
    box.close();
  }
});

test("a deployment that names another issuer fails the smoke check", async () => {
  const box = await sandbox();
  try {
    box.update({ stub: "wrong-issuer" });
    const res = await box.run("deploy.mjs", ["--env", "staging"]);
    assert.equal(res.status, 1);
    assert.match(res.stderr, /smoke check failed: .*openid-configuration: issuer is https:\/\/someone-else\.example, not https:\/\/authsec-edge-staging/);
  } finally {
    box.close();
  }
});

test("an environment that misses a binding of the top level is refused before anything runs", async () => {
  const box = await sandbox();
  try {
    const toml = box.toml().replace(/  \{ name = "FLOWS", class_name = "FlowStore" \},\n\]\n\n\[env\.production\]/, "]\n\n[env.production]");
    assert.notEqual(toml, box.toml());
    writeFileSync(join(box.dir, "wrangler.toml"), toml.replace('[env.staging.vars]\nENVIRONMENT = "production"', '[env.staging.vars]\nENVIRONMENT = "development"'));
    const res = await box.run("deploy.mjs", ["--env", "staging", "--dry-run"]);
    assert.equal(res.status, 1);
    assert.match(res.stderr, /durable_objects: FLOWS \(class FlowStore\) is missing/);
    assert.match(res.stderr, /ENVIRONMENT must be "production"/);
    assert.equal(box.state().calls.length, 0, "wrangler never ran");
  } finally {
    box.close();
  }
});

const pgUp = spawnSync("pg_isready", ["-q", "-h", "127.0.0.1", "-p", "5432"]).status === 0;

test("--hyperdrive-url creates the config, records it with STORE=postgres and applies migrations/postgres once", { skip: !pgUp && "no PostgreSQL on 127.0.0.1:5432" }, async () => {
  const db = `authsec_deploy_test_${process.pid}`;
  // As the e2e suite reaches the machine's PostgreSQL (trust auth ignores the password,
  // which still travels the way a real one would: in psql's environment).
  const server = process.env.AUTHSEC_TEST_POSTGRES_URL ?? "postgres://postgres:trust@127.0.0.1:5432";
  const psql = (args, db = "postgres") => spawnSync("psql", [`${server}/${db}`, "-q", "-X", ...args], { encoding: "utf8" });
  assert.equal(psql(["-c", `CREATE DATABASE ${db}`]).status, 0);
  const box = await sandbox();
  try {
    const url = `${server}/${db}`;
    const res = await box.run("deploy.mjs", ["--env", "staging", "--hyperdrive-url", url]);
    assert.equal(res.status, 0, res.output);
    const s = box.state();
    assert.equal(s.hyperdrive.length, 1);
    assert.equal(s.hyperdrive[0].caching, false, "caching disabled");
    assert.equal(readStrings(box.toml(), "env.staging.hyperdrive").id, s.hyperdrive[0].id);
    assert.equal(readStrings(box.toml(), "env.staging.vars").STORE, "postgres");
    assert.equal(s.workers["authsec-edge-staging"].build, "postgres", "built with the Postgres store");
    const files = readdirSync(join(box.dir, "migrations/postgres")).sort();
    const applied = psql(["-t", "-A", "-c", "SELECT name FROM schema_migrations ORDER BY name"], db);
    assert.deepEqual(applied.stdout.trim().split("\n"), files);
    const again = await box.run("deploy.mjs", ["--env", "staging", "--hyperdrive-url", url]);
    assert.equal(again.status, 0, again.output);
    assert.equal(box.state().hyperdrive.length, 1, "found by name, not created twice");
    assert.match(again.stdout, /PostgreSQL is up to date/);
  } finally {
    box.close();
    psql(["-c", `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`]);
  }
});
