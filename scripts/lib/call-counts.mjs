// Reads the Worker's per-route remote-call counters from /metrics
// (authsec_backend_calls_total{route,backend} and authsec_critical_path_depth{route}) and
// measures what one request on one route cost, as a difference of two scrapes. Shared by
// the e2e round-trip tests and `scripts/bench --only trips`.

export const BACKENDS = ["durable_object", "d1", "kv", "hyperdrive", "fetch"];

/** Every sample line of a Prometheus text scrape, keyed by `name{labels}`. */
export function parseMetrics(text) {
  const samples = new Map();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

/** The route labels (templates) with a depth count, in a scrape. */
export function routes(samples) {
  const found = [];
  for (const key of samples.keys()) {
    const m = /^authsec_critical_path_depth_count\{route="(.*)"\}$/.exec(key);
    if (m) found.push(m[1]);
  }
  return found;
}

/** What happened on `route` between two scrapes: requests, depth sum, calls by backend. */
export function routeDelta(before, after, route) {
  const diff = (key) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
  const calls = {};
  for (const backend of BACKENDS) calls[backend] = diff(`authsec_backend_calls_total{route="${route}",backend="${backend}"}`);
  return {
    requests: diff(`authsec_critical_path_depth_count{route="${route}"}`),
    depth: diff(`authsec_critical_path_depth_sum{route="${route}"}`),
    calls,
  };
}

export async function scrape(base) {
  const res = await fetch(`${base}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return parseMetrics(await res.text());
}

/**
 * The cost of the one request `action` makes on `route`: `{ route, depth, calls, requests: 1 }`.
 * `route` is a route template, or a RegExp matching exactly one template that saw
 * requests (for templates with parameters, e.g. `/clients/create` under a tenant).
 * The Worker may be serving other requests on the same route at the same time (other
 * test files run in parallel), so a measurement counts only when exactly one request on
 * `route` finished between the two scrapes; otherwise `action` runs again (it must be
 * repeatable). Metrics are recorded after each request without an await in between, so a
 * delta of one request is that request's own cost.
 */
export async function measure(base, route, action, { attempts = 8 } = {}) {
  let last;
  for (let i = 0; i < attempts; i++) {
    const before = await scrape(base);
    await action();
    const after = await scrape(base);
    let label = route;
    if (route instanceof RegExp) {
      const seen = routes(after).filter((r) => route.test(r) && routeDelta(before, after, r).requests > 0);
      if (seen.length !== 1) throw new Error(`${route} matched the routes [${seen.join(", ")}], not exactly one`);
      label = seen[0];
    }
    last = { route: label, ...routeDelta(before, after, label) };
    if (last.requests === 1) return last;
    if (last.requests === 0) throw new Error(`no request on ${route} was recorded; is the route label right?`);
  }
  throw new Error(`${route}: never measured one request alone in ${attempts} attempts (last: ${JSON.stringify(last)})`);
}
