// Runs the e2e suite: starts the built Worker under wrangler dev (plus a deliberately
// misconfigured one), runs every tests/e2e/*.test.mjs with node's test runner, stops the
// Workers whatever happens, and writes "passed failed" to the file named by argv[2].
// With `--store postgres` the Worker keeps its relational data in a throwaway PostgreSQL
// database (through Hyperdrive's local connection string), created and dropped here.
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startWorker } from "./worker.mjs";

const root = resolve(new URL("../..", import.meta.url).pathname);
const countsFile = process.argv[2];
const store = process.argv.includes("--store") ? process.argv[process.argv.indexOf("--store") + 1] : "d1";
const PG_SERVER = process.env.AUTHSEC_TEST_POSTGRES_URL ?? "postgres://postgres:trust@127.0.0.1:5432";
const pgDatabase = `authsec_e2e_${process.pid}`;
const psql = (db, args) => {
  const res = spawnSync("psql", [`${PG_SERVER}/${db}`, "-v", "ON_ERROR_STOP=1", "-q", ...args], { encoding: "utf8" });
  if (res.status !== 0) throw new Error(`psql ${args.join(" ")}: ${res.stderr || res.error}`);
};
const logDir = resolve(root, "test-output", "e2e");
const secrets = mkdtempSync(join(tmpdir(), "authsec-e2e-secrets-"));
const varsFile = join(secrets, "e2e.vars");
const emptyVars = join(secrets, "no-secrets.vars");
spawnSync(process.execPath, [join(root, "scripts/lib/dev-vars.mjs"), varsFile], { stdio: "inherit" });
writeFileSync(emptyVars, "# deliberately no SIGNING_KEYS\n");

// A stand-in for an HTTP mail API: it records what the Worker posts (and the bearer it
// used) and lists it at GET /received, so tests can check real delivery.
const MAIL_API_KEY = `e2e-mail-key-${process.pid}`;
appendFileSync(varsFile, `MAIL_API_KEY=${MAIL_API_KEY}\n`);
const received = [];
const mailServer = createServer((req, res) => {
  if (req.method === "GET" && req.url === "/received") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(received));
    return;
  }
  let body = "";
  req.on("data", (chunk) => (body += chunk));
  req.on("end", () => {
    try {
      received.push({ authorization: req.headers.authorization ?? null, mail: JSON.parse(body) });
      res.writeHead(202).end();
    } catch {
      res.writeHead(400).end();
    }
  });
});
await new Promise((r) => mailServer.listen(0, "127.0.0.1", r));
const mailUrl = `http://127.0.0.1:${mailServer.address().port}`;

const workers = [];
const stopAll = () => {
  workers.forEach((w) => w.stop());
  mailServer.close();
  if (store === "postgres") {
    spawnSync("psql", [`${PG_SERVER}/postgres`, "-q", "-c", `DROP DATABASE IF EXISTS ${pgDatabase} WITH (FORCE)`]);
  }
};
process.on("SIGINT", () => {
  stopAll();
  process.exit(130);
});

// The Python clients against the same Worker (tests/sdk/: AuthSec's SDK, authlib), from
// the virtualenv scripts/test creates (AUTHSEC_SDK_PYTHON overrides it). Each script's
// "<label>: N passed, M failed" line is added to the counts; a missing virtualenv counts
// as one failure per script.
async function runPythonTests(url) {
  const total = { passed: 0, failed: 0 };
  for (const script of ["test_authsec_sdk.py", "test_authlib.py"]) {
    const result = await runPythonScript(url, script);
    total.passed += result.passed;
    total.failed += result.failed;
  }
  return total;
}

async function runPythonScript(url, script) {
  const python = process.env.AUTHSEC_SDK_PYTHON ?? join(root, ".venv-sdk/bin/python");
  if (!existsSync(python)) {
    console.error(`e2e: no ${python}; run scripts/test (it creates .venv-sdk with authsec-sdk)`);
    return { passed: 0, failed: 1 };
  }
  const child = spawn(python, [join(root, "tests/sdk", script)], {
    cwd: root,
    env: { ...process.env, AUTHSEC_E2E_URL: url, PYTHONDONTWRITEBYTECODE: "1" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
    process.stdout.write(chunk);
  });
  const code = await new Promise((r) => child.on("close", r));
  const counts = /^[\w-]+: (\d+) passed, (\d+) failed/m.exec(output);
  const result = { passed: Number(counts?.[1] ?? 0), failed: Number(counts?.[2] ?? 0) };
  if (code !== 0 && result.failed === 0) result.failed = 1;
  return result;
}

let passed = 0;
let failed = 0;
try {
  const vars = {
    TOKEN_GENERATE_PER_MINUTE: "5",
    ADMIN_AUTH_PER_MINUTE: "20",
    MAIL_API_URL: `${mailUrl}/mail`,
    CIBA_PUSH_URL: `${mailUrl}/push`,
    PLATFORM_ADMIN_EMAILS: "platform-admin@example.test",
    CORS_ALLOWED_ORIGINS: "https://console.example.test",
  };
  const extra = {};
  let broken;
  let main;
  if (store === "postgres") {
    psql("postgres", ["-c", `CREATE DATABASE ${pgDatabase}`]);
    for (const file of readdirSync(join(root, "migrations/postgres")).sort()) {
      psql(pgDatabase, ["-f", join(root, "migrations/postgres", file)]);
    }
    const hyperdrive = (db) => ({ CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE: db });
    main = await startWorker({ envFile: varsFile, vars: { ...vars, STORE: "postgres" }, logDir, env: hyperdrive(`${PG_SERVER}/${pgDatabase}`) });
    workers.push(main);
    // A database that is not there (the server refuses it): checks name it, with a clear 503.
    broken = await startWorker({ envFile: varsFile, vars: { STORE: "postgres" }, logDir, env: hyperdrive(`${PG_SERVER}/authsec_no_such_database`) });
    workers.push(broken);
    extra.AUTHSEC_E2E_BAD_POSTGRES_URL = broken.url;
  } else {
    main = await startWorker({ envFile: varsFile, vars, logDir });
    workers.push(main);
    broken = await startWorker({ envFile: emptyVars, logDir });
    workers.push(broken);
    extra.AUTHSEC_E2E_BROKEN_URL = broken.url;
  }
  console.log(`e2e (${store}): Worker at ${main.url}, misconfigured Worker at ${broken.url}; logs in ${logDir}`);
  const files = readdirSync(join(root, "tests/e2e"))
    .filter((f) => f.endsWith(".test.mjs"))
    // AUTHSEC_E2E_ONLY=foundation,tokens runs the files whose names contain one of them
    // (while iterating).
    .filter((f) => !process.env.AUTHSEC_E2E_ONLY || process.env.AUTHSEC_E2E_ONLY.split(",").some((s) => f.includes(s)))
    .sort()
    .map((f) => join(root, "tests/e2e", f));
  const child = spawn(process.execPath, ["--test", "--test-reporter=tap", ...files], {
    cwd: root,
    env: {
      ...process.env,
      AUTHSEC_E2E_URL: main.url,
      AUTHSEC_E2E_VARS: varsFile,
      AUTHSEC_E2E_STORE: store,
      AUTHSEC_E2E_MAIL_URL: mailUrl,
      ...extra,
      AUTHSEC_E2E_MAIL_KEY: MAIL_API_KEY,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
    process.stdout.write(chunk);
  });
  const code = await new Promise((r) => child.on("close", r));
  passed = Number(/^# pass (\d+)/m.exec(output)?.[1] ?? 0);
  failed = Number(/^# fail (\d+)/m.exec(output)?.[1] ?? 0);
  if (code !== 0 && failed === 0) failed = 1;
  const sdk = await runPythonTests(main.url);
  passed += sdk.passed;
  failed += sdk.failed;
} catch (error) {
  console.error(`e2e: ${error.message}`);
  failed += 1;
} finally {
  stopAll();
}
if (countsFile) writeFileSync(countsFile, `${passed} ${failed}\n`);
console.log(`e2e (${store}): ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
