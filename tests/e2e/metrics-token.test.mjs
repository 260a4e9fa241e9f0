// /metrics behind METRICS_TOKEN in the built Worker (workerd through Miniflare): the
// secret is read from the environment like any other, and compared before anything is
// rendered. The suite's own Worker keeps /metrics public (round-trips.test.mjs reads it).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Miniflare } from "miniflare";
import { VARS } from "./helpers.mjs";
import { ourWorker, readSecrets } from "../../scripts/lib/miniflare.mjs";

const skip = (process.env.AUTHSEC_E2E_STORE ?? "d1") !== "d1" && "runs its own Worker on D1 (covered by the D1 run)";
const TOKEN = "e2e-metrics-token-0123456789abcdefghijkl";
let mf;

before(async () => {
  if (skip) return;
  const bindings = { BASE_URL: "http://authsec.metrics.test", ...readSecrets(VARS) };
  mf = new Miniflare({
    workers: [
      await ourWorker({ name: "protected", bindings: { ...bindings, METRICS_TOKEN: TOKEN } }),
      await ourWorker({ name: "public", bindings, d1: "public-db", kv: "public-cache", durableObjectsOf: "protected" }),
    ],
  });
  await mf.ready;
});

after(async () => mf?.dispose());

const scrape = async (worker, authorization) => {
  const res = await (await mf.getWorker(worker)).fetch("http://authsec.metrics.test/metrics", { headers: authorization ? { authorization } : {} });
  return { status: res.status, text: await res.text(), challenge: res.headers.get("www-authenticate") };
};

test("with METRICS_TOKEN set, /metrics answers only its bearer", { skip }, async () => {
  for (const authorization of [undefined, "Bearer nope", `Bearer ${TOKEN}x`, `Basic ${TOKEN}`]) {
    const res = await scrape("protected", authorization);
    assert.equal(res.status, 401, String(authorization));
    assert.match(res.challenge, /^Bearer/);
    assert.doesNotMatch(res.text, /authsec_http_requests_total/);
  }
  const ok = await scrape("protected", `Bearer ${TOKEN}`);
  assert.equal(ok.status, 200);
  assert.match(ok.text, /authsec_http_requests_total\{route="\/metrics",method="GET",status="401"/, "the refused scrapes were counted");
});

test("without METRICS_TOKEN, /metrics stays public", { skip }, async () => {
  const res = await scrape("public");
  assert.equal(res.status, 200);
  assert.match(res.text, /# TYPE authsec_http_requests_total counter/);
});
