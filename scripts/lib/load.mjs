// A fixed-count load driver, for requests that cannot repeat: every request of the job
// is sent exactly once (a code is single use), `concurrency` at a time over keep-alive
// connections, and the run is timed from the first send to the last answer. wrk runs for a
// duration and repeats its requests, so the single-use grants use this instead; scripts/lib/bench.mjs
// runs it in its own process, pinned to the load core as wrk is.
//
// Usage: node scripts/lib/load.mjs job.json   (prints one JSON line: rps, p50, p99, statuses)
// job.json: { url, concurrency, headers, bodies: [string, ...] } — one POST per body.
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";

const job = JSON.parse(readFileSync(process.argv[2], "utf8"));
const target = new URL(job.url);
const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });

function post(body) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      {
        agent, host: target.hostname, port: target.port, path: target.pathname + target.search, method: "POST",
        headers: { ...job.headers, "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        res.on("data", () => {});
        res.on("end", () => resolve({ status: res.statusCode, ms: performance.now() - started }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const latencies = [];
const statuses = {};
let next = 0;
async function lane() {
  while (next < job.bodies.length) {
    const { status, ms } = await post(job.bodies[next++]);
    latencies.push(ms);
    statuses[status] = (statuses[status] ?? 0) + 1;
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: job.concurrency }, lane));
const elapsed = performance.now() - started;
agent.destroy();
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
console.log(JSON.stringify({
  requests: latencies.length, seconds: elapsed / 1000, rps: latencies.length / (elapsed / 1000), p50: pct(50), p99: pct(99), statuses,
}));
