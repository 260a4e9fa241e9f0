// CI gates on what scripts/deploy uploads (the bundle `wrangler deploy --dry-run --outdir`
// leaves; scripts/test makes it with `scripts/deploy --dry-run`):
//   size DIR     the gzip size of the upload, computed as wrangler computes it (one gzip
//                stream over every module, the entry last), is within bundle-budget.json;
//   startup DIR  the upload starts in workerd (Miniflare) within the platform's start-up
//                limit. workerd runs a Worker's global scope (for us: compiling and
//                instantiating the wasm) before it reports ready, so a cold start is
//                measured from creating Miniflare to ready, less a JavaScript
//                hello-world's time for the same (workerd's own start), plus the first
//                answer after ready (first-use work); medians of five each, interleaved.
// Both print what they measured. Usage: node scripts/lib/bundle-gate.mjs size|startup DIR
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Miniflare } from "miniflare";
import { COMPATIBILITY_DATE, durableObjects } from "./miniflare.mjs";
import { freshSecrets } from "./secrets.mjs";
import { freePort } from "./worker.mjs";
import { root } from "./wrangler-cli.mjs";

export const budget = () => JSON.parse(readFileSync(join(root, "bundle-budget.json"), "utf8"));

/** The upload's modules, entry last (wrangler's order), from an --outdir. */
export function uploadModules(dir) {
  const files = readdirSync(dir).filter((f) => /\.(m?js|wasm)$/.test(f)).sort();
  const entry = files.find((f) => /\.m?js$/.test(f));
  if (!entry) throw new Error(`${dir} holds no bundled entry module: run scripts/deploy --dry-run first`);
  return [...files.filter((f) => f !== entry), entry].map((f) => ({ name: f, path: join(dir, f), bytes: readFileSync(join(dir, f)) }));
}

export function measureSize(dir) {
  const modules = uploadModules(dir);
  const all = Buffer.concat(modules.map((m) => m.bytes));
  return { raw: all.length, gzip: gzipSync(all).length, modules: modules.map((m) => `${m.name} ${m.bytes.length}`) };
}

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

function sizeGate(dir) {
  const { gzip_bytes_max: max } = budget();
  const { raw, gzip, modules } = measureSize(dir);
  const used = ((gzip / max) * 100).toFixed(1);
  console.log(`upload: ${modules.join(", ")}; raw ${raw} bytes (${kib(raw)}), gzip ${gzip} bytes (${kib(gzip)})`);
  console.log(`budget: ${max} bytes gzip (bundle-budget.json): ${used}% used`);
  if (gzip > max) {
    console.error(`the upload is ${gzip - max} bytes over budget: shrink it, or raise gzip_bytes_max in bundle-budget.json in a commit that says why`);
    return false;
  }
  return true;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * One cold start in a fresh workerd: `ready` (from creating Miniflare to workerd serving:
 * the process, compiling the modules, running their global scope, which for us
 * instantiates the wasm) and `first` (the first answer after that: first-use work).
 */
async function coldStart(options, path) {
  const created = performance.now();
  const mf = new Miniflare({ ...options, host: "127.0.0.1", port: await freePort() });
  try {
    const url = (await mf.ready).toString().replace(/\/$/, "") + path;
    const served = performance.now();
    const res = await fetch(url);
    await res.arrayBuffer();
    if (res.status >= 500) throw new Error(`the Worker answered ${path} with ${res.status}`);
    return { ready: served - created, first: performance.now() - served };
  } finally {
    await mf.dispose();
  }
}

/** Medians of `runs` cold starts of each Worker, interleaved so both see the same load. */
async function coldStarts(workers, runs = 5) {
  const samples = Object.fromEntries(Object.keys(workers).map((k) => [k, { ready: [], first: [] }]));
  for (let i = 0; i < runs; i++) {
    for (const [name, [options, path]] of Object.entries(workers)) {
      const { ready, first } = await coldStart(options, path);
      samples[name].ready.push(ready);
      samples[name].first.push(first);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, { ready: median(v.ready), first: median(v.first) }]));
}

async function startupGate(dir) {
  const { startup_ms_max: max } = budget();
  const modules = uploadModules(dir);
  // The same bindings for both Workers, so that Miniflare's services for D1, KV and the
  // Durable Objects cost the same on both sides of the subtraction.
  const bindings = {
    compatibilityDate: COMPATIBILITY_DATE,
    d1Databases: { DB: "startup-db" },
    kvNamespaces: { CACHE: "startup-cache" },
    durableObjects: durableObjects(),
  };
  const oursOptions = {
    ...bindings,
    // Miniflare takes the entry first (the main module); wrangler's gzip puts it last.
    modules: [modules[modules.length - 1], ...modules.slice(0, -1)].map((m) => ({
      type: m.name.endsWith(".wasm") ? "CompiledWasm" : "ESModule",
      path: m.path,
      contents: m.bytes,
    })),
    modulesRoot: dir,
    bindings: { BASE_URL: "http://127.0.0.1", ENVIRONMENT: "production", ...freshSecrets("startup") },
  };
  const classes = Object.values(durableObjects()).map((o) => `export class ${o.className} { fetch() { return new Response(); } }`);
  const helloOptions = { ...bindings, modules: true, script: `${classes.join("\n")}\nexport default { fetch: () => new Response("hi") };` };
  const { ours, hello } = await coldStarts({
    hello: [helloOptions, "/"],
    ours: [oursOptions, "/authsec/start-up-probe"], // a 404 from the router: no backend call
  });
  // The hello-world's ready time is workerd's own start (and Miniflare's): what is left
  // of ours is compiling our modules and running their global scope.
  const startup = Math.max(0, ours.ready - hello.ready) + ours.first;
  const ms = (x) => `${x.toFixed(0)} ms`;
  console.log(`start-up in workerd (medians of 5 cold starts): ${ms(startup)} = ready ${ms(ours.ready)} - hello-world's ready ${ms(hello.ready)} + first answer ${ms(ours.first)}; limit ${max} ms`);
  if (startup > max) {
    console.error(`the Worker takes ${ms(startup)} to start, over the platform's ${max} ms: deployed, it would be refused`);
    return false;
  }
  return true;
}

const [mode, dir] = process.argv.slice(2);
if (!dir || !["size", "startup"].includes(mode)) {
  console.error("usage: node scripts/lib/bundle-gate.mjs size|startup <wrangler --outdir>");
  process.exit(2);
}
const ok = mode === "size" ? sizeGate(dir) : await startupGate(dir);
process.exit(ok ? 0 : 1);
