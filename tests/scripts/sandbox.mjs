// A throwaway copy of the repository's deploy inputs (wrangler.toml, scripts/, migrations/)
// for the tests of scripts/deploy and scripts/rotate-signing-key: they write wrangler.toml
// and .deploy/, which must never be the repository's own. wrangler is the stand-in of
// fake-wrangler.mjs, and a local HTTP server plays the deployed Worker for the smoke
// checks: it serves health, discovery naming the host it was asked for, and the public
// halves of the signing keys the fake account holds for that Worker.
import { spawn } from "node:child_process";
import { createPublicKey } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const repo = resolve(new URL("../..", import.meta.url).pathname);

export async function sandbox({ accounts = [{ id: "a".repeat(32), name: "Ops" }] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "authsec-deploy-test-"));
  for (const part of ["wrangler.toml", "package.json", "scripts", "migrations"]) cpSync(join(repo, part), join(dir, part), { recursive: true });
  mkdirSync(join(dir, "src/edge"), { recursive: true });
  cpSync(join(repo, "src/edge/guard.mjs"), join(dir, "src/edge/guard.mjs"));
  symlinkSync(join(repo, "node_modules"), join(dir, "node_modules"));
  const statePath = join(dir, "fake-account.json");
  const initial = {
    loggedIn: true, offline: false, accounts, d1: [], kv: [], hyperdrive: [], workers: {}, calls: [],
    migrationFiles: readdirSync(join(repo, "migrations/d1")).sort(), stub: "ok",
  };
  writeFileSync(statePath, JSON.stringify(initial));
  const state = () => JSON.parse(readFileSync(statePath, "utf8"));
  const update = (change) => writeFileSync(statePath, JSON.stringify({ ...state(), ...change }));

  const server = createServer((req, res) => {
    const host = req.headers["x-meant-for"] ?? "";
    const s = state();
    const worker = s.workers[host.split(".")[0]] ?? Object.values(s.workers).find((w) => w.deploys > 0);
    const send = (status, body) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    if (!worker || worker.deploys === 0) return send(404, { error: "no such Worker" });
    const issuer = s.stub === "wrong-issuer" ? "https://someone-else.example" : `https://${host}`;
    if (req.url === "/authsec/uflow/health") return send(200, { status: "ok" });
    if (req.url === "/.well-known/openid-configuration") return send(200, { issuer, jwks_uri: `${issuer}/.well-known/jwks.json` });
    if (req.url === "/.well-known/jwks.json") {
      const keys = JSON.parse(worker.secrets.SIGNING_KEYS ?? "[]").map(({ kid, crv, x, y, d }) => {
        const jwk = createPublicKey({ key: { kty: "EC", crv, x, y, d }, format: "jwk" }).export({ format: "jwk" });
        return { ...jwk, kid, alg: "ES256", use: "sig" };
      });
      return send(200, { keys });
    }
    if (req.url === "/metrics") return res.writeHead(worker.secrets.METRICS_TOKEN ? 401 : 200).end();
    return send(404, { error: "not_found" });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const stubUrl = `http://127.0.0.1:${server.address().port}`;

  /**
   * Runs a script of scripts/lib in the sandbox: `{status, stdout, stderr, output}`.
   * Asynchronous, so that this process's stand-in Worker can answer its smoke checks.
   */
  const run = (script, args = [], env = {}) =>
    new Promise((resolvePromise) => {
      const child = spawn(process.execPath, ["--import", join(repo, "tests/scripts/redirect-fetch.mjs"), join(dir, "scripts/lib", script), ...args], {
        cwd: dir,
        env: {
          ...process.env,
          AUTHSEC_WRANGLER: join(repo, "tests/scripts/fake-wrangler.mjs"),
          FAKE_WRANGLER_STATE: statePath,
          AUTHSEC_TEST_REDIRECT: stubUrl,
          AUTHSEC_SMOKE_TIMEOUT_SECS: "2",
          AUTHSEC_HYPERDRIVE_URL: "",
          ...env,
        },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c) => (stdout += c));
      child.stderr.on("data", (c) => (stderr += c));
      child.on("close", (status) => resolvePromise({ status, stdout, stderr, output: `${stdout}\n${stderr}` }));
    });
  const close = () => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, state, update, run, close, toml: () => readFileSync(join(dir, "wrangler.toml"), "utf8") };
}
