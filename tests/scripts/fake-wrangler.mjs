#!/usr/bin/env node
// A stand-in for wrangler's account commands, for the tests of scripts/deploy and
// scripts/rotate-signing-key (AUTHSEC_WRANGLER points at it): nothing here may reach
// Cloudflare. It keeps an account in the JSON file FAKE_WRANGLER_STATE (databases,
// namespaces, Hyperdrive configs, each Worker's secrets, deploys, calls) and answers in
// wrangler's own output formats, which the scripts parse.
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readStrings } from "../../scripts/lib/wrangler-toml.mjs";

const statePath = process.env.FAKE_WRANGLER_STATE;
const state = JSON.parse(readFileSync(statePath, "utf8"));
const args = process.argv.slice(2);
state.calls.push(args.join(" "));
const save = () => writeFileSync(statePath, JSON.stringify(state, null, 2));
const flag = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const fail = (message) => {
  save();
  console.error(`✘ [ERROR] ${message}`);
  process.exit(1);
};
// The environment's section of wrangler.toml, read the way scripts/deploy writes it (the
// real wrangler's parser takes a second to load, and the fake runs many times per test).
const config = (env) => {
  const text = readFileSync(join(process.cwd(), "wrangler.toml"), "utf8");
  const hyperdrive = readStrings(text, `env.${env}.hyperdrive`);
  return {
    name: `${readStrings(text, "").name}-${env}`,
    vars: readStrings(text, `env.${env}.vars`),
    d1_databases: [readStrings(text, `env.${env}.d1_databases`)],
    hyperdrive: hyperdrive.id ? [hyperdrive] : [],
  };
};
const stdin = () => readFileSync(0, "utf8");

const [a, b, c] = args;
if (a === "whoami") {
  if (state.offline) fail("fetch failed: getaddrinfo ENOTFOUND api.cloudflare.com");
  console.log(JSON.stringify(state.loggedIn ? { loggedIn: true, email: "ops@example.test", accounts: state.accounts } : { loggedIn: false }));
  process.exit(state.loggedIn ? 0 : 1);
}
if (!state.loggedIn) fail("You are not authenticated. Please run `wrangler login`.");
if (state.accounts.length > 1 && !process.env.CLOUDFLARE_ACCOUNT_ID) {
  fail("More than one account available but unable to select one in non-interactive mode. Please set the appropriate `account_id` in your Wrangler configuration file or assign it to the `CLOUDFLARE_ACCOUNT_ID` environment variable.");
}
if (a === "d1" && b === "list") {
  console.log(JSON.stringify(state.d1.map((d) => ({ uuid: d.uuid, name: d.name, version: "production" }))));
} else if (a === "d1" && b === "create") {
  const db = { uuid: randomUUID(), name: c, migrations: [] };
  state.d1.push(db);
  console.log(`✅ Successfully created DB '${c}'\nCreated your new D1 database.\n\n[[d1_databases]]\nbinding = "${c.replace(/-/g, "_")}"\ndatabase_name = "${c}"\ndatabase_id = "${db.uuid}"`);
} else if (a === "d1" && b === "migrations") {
  const cfg = config(flag("--env"));
  const db = state.d1.find((d) => d.uuid === cfg.d1_databases[0].database_id);
  if (!db) fail(`Couldn't find a D1 DB with the name or binding 'DB'`);
  const all = state.migrationFiles.filter((f) => !db.migrations.includes(f));
  db.migrations.push(...all);
  console.log(all.length ? `Migrations to be applied:\n${all.map((f) => `│ ${f} │`).join("\n")}\n${all.map((f) => `│ ${f} │ ✅ │`).join("\n")}` : "✅ No migrations to apply!");
} else if (a === "kv" && b === "namespace" && c === "list") {
  console.log(JSON.stringify(state.kv));
} else if (a === "kv" && b === "namespace" && c === "create") {
  const ns = { id: randomBytes(16).toString("hex"), title: args[3] };
  state.kv.push(ns);
  console.log(`🌀 Creating namespace with title "${ns.title}"\n✨ Success!\n[[kv_namespaces]]\nbinding = "x"\nid = "${ns.id}"`);
} else if (a === "hyperdrive" && b === "list") {
  console.log(`📋 Listing Hyperdrive configs\n┌──┬──┐\n│ id │ name │ user │\n├──┼──┤\n${state.hyperdrive.map((h) => `│ ${h.id} │ ${h.name} │ app │`).join("\n")}\n└──┴──┘`);
} else if (a === "hyperdrive" && b === "create") {
  const h = { id: randomBytes(16).toString("hex"), name: c, caching: !args.includes("--caching-disabled") };
  state.hyperdrive.push(h);
  console.log(`🚧 Creating '${c}'\n✅ Created new Hyperdrive PostgreSQL config: ${h.id}\n[[hyperdrive]]\nbinding = "HYPERDRIVE"\nid = "${h.id}"`);
} else if (a === "secret" && b === "list") {
  const worker = state.workers[config(flag("--env")).name];
  if (!worker) fail(`Worker "${config(flag("--env")).name}" (env: ${flag("--env")}) not found.`);
  console.log(JSON.stringify(Object.keys(worker.secrets).map((name) => ({ name, type: "secret_text" }))));
} else if (a === "secret" && b === "bulk") {
  const name = config(flag("--env")).name;
  state.workers[name] ??= { secrets: {}, deploys: 0, draft: true };
  const content = JSON.parse(stdin());
  Object.assign(state.workers[name].secrets, content);
  console.log(`Finished processing secrets file:\n✨ ${Object.keys(content).length} secrets successfully uploaded`);
} else if (a === "deploy") {
  const cfg = config(flag("--env"));
  const worker = state.workers[cfg.name];
  // A deploy before any secret would create the Worker; the scripts never do that.
  if (!worker) fail(`deploy before any secret: ${cfg.name} has none`);
  worker.deploys += 1;
  worker.draft = false;
  worker.vars = cfg.vars;
  worker.build = process.env.AUTHSEC_POSTGRES === "1" ? "postgres" : "d1";
  worker.hyperdrive = cfg.hyperdrive.map((h) => h.id);
  console.log(`Total Upload: 2143.61 KiB / gzip: 661.34 KiB\nUploaded ${cfg.name}\nDeployed ${cfg.name} triggers\n  https://${cfg.name}.fake-account.workers.dev\nCurrent Version ID: ${randomUUID()}`);
} else {
  fail(`the fake wrangler does not know \`wrangler ${args.join(" ")}\``);
}
save();
