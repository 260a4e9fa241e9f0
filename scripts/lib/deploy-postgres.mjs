// migrations/postgres applied to a deployment's own PostgreSQL (the one behind its
// Hyperdrive config) with psql, recorded in `schema_migrations` exactly as the Worker's
// migration runner records them (src/store/sql/mod.rs), so the two agree on what is
// applied. Each file runs in one transaction with its record.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { root } from "./wrangler-cli.mjs";

const TRACKING = "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)";

/** psql's connection settings from a URL, as environment variables: the password never appears in `ps`. */
function connectionEnv(url) {
  const u = new URL(url);
  const env = {
    PGHOST: decodeURIComponent(u.hostname),
    PGPORT: u.port || "5432",
    PGUSER: decodeURIComponent(u.username),
    PGDATABASE: decodeURIComponent(u.pathname.replace(/^\//, "")),
  };
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  const sslmode = u.searchParams.get("sslmode");
  if (sslmode) env.PGSSLMODE = sslmode;
  return env;
}

function psql(url, args) {
  const res = spawnSync("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", ...args], {
    encoding: "utf8",
    env: { ...process.env, ...connectionEnv(url) },
  });
  if (res.error) throw new Error(`cannot run psql (${res.error.message}): install the PostgreSQL client`);
  if (res.status !== 0) throw new Error(`psql: ${res.stderr.trim().split("\n")[0]}`);
  return res.stdout;
}

/** Throws one clear line when psql is not installed. */
export function requirePsql() {
  const res = spawnSync("psql", ["--version"], { encoding: "utf8" });
  if (res.error || res.status !== 0) throw new Error("a PostgreSQL environment needs psql to apply migrations/postgres: install the PostgreSQL client");
}

/** Applies every file of migrations/postgres not yet recorded; returns their names. */
export function applyPostgresMigrations(url) {
  psql(url, ["-c", TRACKING]);
  const applied = new Set(psql(url, ["-t", "-A", "-c", "SELECT name FROM schema_migrations"]).split("\n").filter(Boolean));
  const dir = join(root, "migrations/postgres");
  const done = [];
  for (const name of readdirSync(dir).filter((f) => f.endsWith(".sql")).sort()) {
    if (applied.has(name)) continue;
    const record = `INSERT INTO schema_migrations (name, applied_at) VALUES ('${name.replace(/'/g, "''")}', CAST(EXTRACT(EPOCH FROM now()) AS BIGINT))`;
    psql(url, ["--single-transaction", "-f", join(dir, name), "-c", record]);
    done.push(name);
  }
  return done;
}
