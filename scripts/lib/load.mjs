// A fixed-count load driver, for requests that cannot repeat: every request of the job
// is sent exactly once (a code is single use), `concurrency` at a time over keep-alive
// connections, and the run is timed from the first send to the last answer. wrk runs for a
// duration and repeats its requests, so the single-use grants use this instead; scripts/lib/bench.mjs
// runs it in its own process, pinned to the load core as wrk is.
//
// Usage: node scripts/lib/load.mjs job.json
// Prints one JSON line: { seconds, latencies (ms, one per request), statuses, resent }.
// job.json: { url, concurrency, headers, bodies: [string, ...] } — one POST per body.
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";

const job = JSON.parse(readFileSync(process.argv[2], "utf8"));
const target = new URL(job.url);
const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });

// A keep-alive socket the server closed just as a request went out on it fails with
// ECONNRESET before the server saw the request: sent again once, on a new socket (the
// pattern of Node's `request.reusedSocket` documentation). Any other failure ends the run.
let resent = 0;
function post(body, started = performance.now(), retry = true) {
  return new Promise((resolve, reject) => {
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
    req.on("error", (error) => {
      if (retry && req.reusedSocket && error.code === "ECONNRESET") {
        resent += 1;
        resolve(post(body, started, false));
      } else {
        reject(error);
      }
    });
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
console.log(JSON.stringify({ seconds: elapsed / 1000, latencies, statuses, resent }));
