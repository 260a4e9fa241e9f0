// Starts the built Worker under `wrangler dev` (workerd + Miniflare's local D1, KV and
// Durable Objects) on a free port with throwaway state, for the e2e suite and scripts.
// The caller must call stop(); it kills the whole process group.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, openSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(new URL("../..", import.meta.url).pathname);
const wrangler = join(root, "node_modules", ".bin", "wrangler");

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * @param {object} options
 * @param {string} options.envFile   a .dev.vars-style file with the secrets to use
 * @param {object} [options.vars]    extra `--var` values
 * @param {string} [options.logDir]  where wrangler's output goes
 * @param {object} [options.env]     extra environment for wrangler (e.g. Hyperdrive's
 *                                   CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE)
 */
export async function startWorker({ envFile, vars = {}, logDir, env = {} }) {
  const port = await freePort();
  const inspectorPort = await freePort();
  const state = mkdtempSync(join(tmpdir(), "authsec-e2e-state-"));
  const logs = logDir ?? mkdtempSync(join(tmpdir(), "authsec-e2e-logs-"));
  mkdirSync(logs, { recursive: true });
  const url = `http://127.0.0.1:${port}`;
  const migrate = spawnSync(wrangler, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, CI: "true" },
  });
  if (migrate.status !== 0) {
    throw new Error(`migrations failed:\n${migrate.stdout}\n${migrate.stderr}`);
  }
  const allVars = { BASE_URL: url, ENVIRONMENT: "development", ...vars };
  const args = ["dev", "--port", String(port), "--ip", "127.0.0.1", "--inspector-port", String(inspectorPort),
    "--persist-to", state, "--env-file", envFile, "--show-interactive-dev-session=false"];
  for (const [k, v] of Object.entries(allVars)) args.push("--var", `${k}:${v}`);
  const logFile = join(logs, `wrangler-${port}.log`);
  const out = openSync(logFile, "a");
  const child = spawn(wrangler, args, {
    cwd: root,
    detached: true,
    stdio: ["ignore", out, out],
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", ...env },
  });
  const stop = () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      /* already gone */
    }
  };
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${url}/authsec/uflow/health`);
      await res.arrayBuffer();
      return { url, port, state, logFile, stop };
    } catch {
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  stop();
  throw new Error(`the Worker did not start; see ${logFile}`);
}
