// scripts/rotate-signing-key: one step of a signing-key rotation (scripts/lib/rotation.mjs)
// against a .dev.vars-style secrets file, and with --env also against that deployed
// environment (wrangler secret bulk, then a check that its JWKS publishes the new ring).
//
// Cloudflare never hands a secret back, so the file is the source of truth: for an
// environment it is .deploy/<env>.vars, which scripts/deploy writes when it generates the
// secrets. A step writes the file first (atomically) and then uploads; re-running a step
// that already happened uploads the file's ring again, so an interrupted run converges.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { STEPS, applyStep, defaultWaits, describe, minimumWaits, readRing } from "./rotation.mjs";
import { smokeTimeoutMs } from "./deploy-smoke.mjs";
import { readVars, writeVars } from "./secrets.mjs";
import { WranglerError, root, wrangler } from "./wrangler-cli.mjs";
import { readStrings, readToml } from "./wrangler-toml.mjs";

const USAGE = `usage: scripts/rotate-signing-key <add|promote|retire|status> [--env staging|production]
                                  [--file PATH] [--wait SECONDS] [--now UNIX_SECONDS]
  add      publish a new ES256 key in the JWKS (the current key keeps signing)
  promote  make it the signer, once --wait (default JWKS_MAX_AGE_SECS + 60) has passed
  retire   remove the old key, once --wait (default the longest token lifetime + 120) has passed
  status   print the ring and what each step would do now
  --env    also upload to that deployed environment (file: .deploy/<env>.vars)
  --file   the secrets file (default .dev.vars, or .deploy/<env>.vars with --env)
  --now    the time to act at (rehearsals and tests; default: the clock)`;

function parseArgs(argv) {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE);
    process.exit(0);
  }
  const opts = { step: argv[0] };
  for (let i = 1; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (!["--env", "--file", "--wait", "--now"].includes(flag) || value === undefined) throw new Error(`unknown or incomplete option ${flag}\n${USAGE}`);
    opts[flag.slice(2)] = value;
    i++;
  }
  if (![...STEPS, "status"].includes(opts.step)) throw new Error(USAGE);
  if (opts.env && !["staging", "production"].includes(opts.env)) throw new Error(`--env is staging or production, not ${opts.env}`);
  // A deployment acts at the real time: the waits protect its verifiers.
  if (opts.env && opts.now) throw new Error("--now is for rehearsals against a file; a deployment rotates at the real time");
  for (const n of ["wait", "now"]) {
    if (opts[n] !== undefined && !/^\d+$/.test(opts[n])) throw new Error(`--${n} takes whole seconds`);
  }
  return opts;
}

/** The settings the waits derive from, as the environment (or local development) has them. */
function settingsOf(env) {
  const vars = readStrings(readToml(join(root, "wrangler.toml")), env ? `env.${env}.vars` : "vars");
  const number = (name, fallback) => (vars[name] ? Number(vars[name]) : fallback);
  return {
    settings: { jwksMaxAgeSecs: number("JWKS_MAX_AGE_SECS", 300), accessTokenTtlSecs: number("ACCESS_TOKEN_TTL_SECS", 900) },
    baseUrl: vars.BASE_URL,
  };
}

/**
 * Uploads SIGNING_KEYS and SIGNING_KID together, so the Worker never sees a ring without
 * its signer (one new version); through stdin, so no key touches `ps` or a temp file.
 */
function upload(env, secrets) {
  wrangler(["secret", "bulk", "--env", env], { input: JSON.stringify({ SIGNING_KEYS: secrets.SIGNING_KEYS, SIGNING_KID: secrets.SIGNING_KID }) });
}

/** Waits until the deployed JWKS publishes exactly `kids` (a secret reaches every colo within seconds). */
async function confirmPublished(baseUrl, kids) {
  const want = [...kids].sort().join(",");
  let seen = "";
  const deadline = Date.now() + smokeTimeoutMs();
  for (let first = true; first || Date.now() < deadline; first = false) {
    try {
      const res = await fetch(`${baseUrl}/.well-known/jwks.json`, { headers: { "cache-control": "no-cache" } });
      if (res.ok) seen = ((await res.json()).keys ?? []).map((k) => k.kid).sort().join(",");
      if (seen === want) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
  throw new Error(`${baseUrl}/.well-known/jwks.json publishes [${seen}], not [${want}]: check the deployment (npx wrangler deployments list)`);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const file = opts.file ?? (opts.env ? join(root, ".deploy", `${opts.env}.vars`) : join(root, ".dev.vars"));
  if (!existsSync(file)) {
    throw new Error(`${file} does not exist: ${opts.env ? `scripts/deploy --env ${opts.env} writes it when it generates the secrets; if they were made elsewhere, put SIGNING_KEYS and SIGNING_KID there` : "run scripts/dev once"}`);
  }
  const { settings, baseUrl } = settingsOf(opts.env);
  const now = opts.now ? Number(opts.now) : Math.floor(Date.now() / 1000);
  const secrets = readVars(file);
  const ring = readRing(secrets);
  const prefix = opts.env ?? "local";
  if (opts.step === "status") {
    console.log(`${file}: ${describe(ring)}`);
    const waits = defaultWaits(settings);
    for (const step of STEPS) {
      const r = applyStep(step, secrets, { now, wait: waits[step], settings, prefix });
      console.log(`  ${step.padEnd(8)} ${r.outcome === "changed" ? "would run now" : r.outcome}: ${r.outcome === "changed" ? r.message.replace(/^added \S+/, "adds a new key") : r.message}`);
    }
    return;
  }
  const wait = opts.wait ? Number(opts.wait) : defaultWaits(settings)[opts.step];
  const result = applyStep(opts.step, secrets, { now, wait, settings, prefix });
  if (result.outcome === "refused") {
    const min = minimumWaits(settings)[opts.step];
    throw new Error(`${opts.step}: ${result.message}${min ? ` (minimum wait ${min} s)` : ""}`);
  }
  if (result.outcome === "changed") {
    writeVars(file, result.secrets);
    console.log(`${opts.step}: ${result.message}`);
  } else {
    console.log(`${opts.step}: already done: ${result.message}`);
  }
  const current = readVars(file);
  if (!opts.env) {
    console.log(`${file}: ${describe(readRing(current))}\nrestart the Worker to load it (scripts/dev)`);
    return;
  }
  upload(opts.env, current);
  console.log(`uploaded SIGNING_KEYS and SIGNING_KID to ${opts.env}`);
  if (baseUrl) {
    await confirmPublished(baseUrl, readRing(current).keys.map((k) => k.kid));
    console.log(`${baseUrl}/.well-known/jwks.json publishes ${describe(readRing(current))}`);
  }
}

main().catch((error) => {
  console.error(`rotate-signing-key: ${error instanceof WranglerError ? error.message : error.message}`);
  process.exit(1);
});
