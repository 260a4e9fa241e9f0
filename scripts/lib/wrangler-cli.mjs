// Runs wrangler for scripts/deploy and scripts/rotate-signing-key, and turns its
// failures into one clear line each (not logged in, no account chosen, no network, a
// token without the permission). AUTHSEC_WRANGLER names another executable: the tests
// use a stand-in that records calls, since nothing here may reach Cloudflare.
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";

export const root = resolve(new URL("../..", import.meta.url).pathname);

/** A wrangler failure, already explained in `message` (one line). */
export class WranglerError extends Error {
  constructor(message, output) {
    super(message);
    this.output = output;
  }
}

// Order matters: the first match explains the failure.
const EXPLANATIONS = [
  [/not authenticated|wrangler login|CLOUDFLARE_API_TOKEN environment variable|Not logged in|\[code: 9109\]/i,
    "wrangler is not logged in to Cloudflare: run `npx wrangler login`, or export CLOUDFLARE_API_TOKEN (a token with Workers, D1, KV and Hyperdrive edit rights)"],
  [/More than one account|account_id|CLOUDFLARE_ACCOUNT_ID|No account id found/i,
    "wrangler cannot tell which Cloudflare account to use: export CLOUDFLARE_ACCOUNT_ID=<your account id> (npx wrangler whoami lists them)"],
  [/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|fetch failed|getaddrinfo|network/i,
    "cannot reach the Cloudflare API (api.cloudflare.com): check the network or proxy"],
  [/\[code: 10042\]|workers\.dev subdomain|register a workers\.dev subdomain/i,
    "this account has no workers.dev subdomain yet: open Workers & Pages in the Cloudflare dashboard once, or add a custom-domain route to the environment"],
  [/\[code: 7403\]|\[code: 10000\]|Authentication error|not authorized to access|permission/i,
    "the Cloudflare API refused the credentials for this step: the token is invalid or lacks a permission it needs (Workers Scripts, D1, Workers KV Storage, Hyperdrive: Edit)"],
];

/** The one-line explanation of a wrangler failure. */
export function explain(output) {
  for (const [pattern, line] of EXPLANATIONS) if (pattern.test(output)) return line;
  // Otherwise wrangler's own error line, without its decoration.
  const lines = output.split("\n").map((l) => l.replace(/\x1b\[[0-9;]*m/g, "").trim()).filter(Boolean);
  const error = lines.find((l) => /^(✘|X|\[ERROR\])/.test(l) || /\[ERROR\]/.test(l));
  return (error ?? lines[lines.length - 1] ?? "wrangler failed without output").replace(/^✘\s*/, "").replace(/^\[ERROR\]\s*/, "");
}

export function wranglerPath() {
  return process.env.AUTHSEC_WRANGLER ?? join(root, "node_modules", ".bin", "wrangler");
}

/**
 * Runs `wrangler ...args` from the repository root and returns `{stdout, stderr}`, or
 * throws a WranglerError whose message is one line. `input` is written to its stdin
 * (secrets travel only that way, never in arguments). `allowFailure` returns the result
 * with `status` instead of throwing.
 */
export function wrangler(args, { input, env = {}, allowFailure = false, inherit = false } = {}) {
  const res = spawnSync(wranglerPath(), args, {
    cwd: root,
    input,
    encoding: "utf8",
    stdio: inherit ? ["pipe", "inherit", "pipe"] : "pipe",
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", FORCE_COLOR: "0", ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.error) throw new WranglerError(`cannot run wrangler (${wranglerPath()}): ${res.error.message}; run npm ci`, "");
  const output = `${res.stdout ?? ""}\n${res.stderr ?? ""}`;
  if (res.status !== 0 && !allowFailure) throw new WranglerError(`wrangler ${args[0]} ${args[1] ?? ""}: ${explain(output)}`.replace(/\s+:/, ":"), output);
  return { status: res.status, stdout: res.stdout ?? "", stderr: res.stderr ?? "", output };
}

/** The first JSON value (array or object) in wrangler's stdout, which may carry banners. */
export function parseJsonOutput(stdout) {
  const start = stdout.search(/^\s*[[{]/m);
  if (start < 0) throw new WranglerError(`wrangler printed no JSON: ${stdout.slice(0, 200)}`, stdout);
  return JSON.parse(stdout.slice(start));
}
