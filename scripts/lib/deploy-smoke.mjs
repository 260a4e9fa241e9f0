// The smoke check that ends scripts/deploy: the deployed Worker answers health, serves a
// discovery document naming itself as the issuer, and publishes its signing key. A new
// version reaches every colo within seconds, so each probe is retried for a while:
// AUTHSEC_SMOKE_TIMEOUT_SECS, a minute by default.
export const smokeTimeoutMs = () => Number(process.env.AUTHSEC_SMOKE_TIMEOUT_SECS ?? 60) * 1000;
const PAUSE_MS = 2000;

async function probe(url, check, init) {
  let last = "no answer";
  const deadline = Date.now() + smokeTimeoutMs();
  for (let first = true; first || Date.now() < deadline; first = false) {
    try {
      const res = await fetch(url, { ...init, headers: { "cache-control": "no-cache", ...init?.headers } });
      const text = await res.text();
      const verdict = check(res, text);
      if (verdict === true) return;
      last = verdict;
    } catch (e) {
      last = e.cause?.code ?? e.message;
    }
    await new Promise((r) => setTimeout(r, PAUSE_MS));
  }
  throw new Error(`smoke check failed: ${url}: ${last}`);
}

const json = (text) => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/**
 * Checks the deployment at `baseUrl`. `signingKid`, when known, must be published;
 * `metricsProtected` says METRICS_TOKEN is set, so an anonymous scrape must be refused.
 */
export async function smokeCheck(baseUrl, { signingKid, metricsProtected = false, say = () => {} } = {}) {
  await probe(`${baseUrl}/authsec/uflow/health`, (res, text) => {
    const body = json(text);
    return (res.status === 200 && body?.status === "ok") || `${res.status} ${text.slice(0, 200)}`;
  });
  say("smoke", "health: ok");
  await probe(`${baseUrl}/.well-known/openid-configuration`, (res, text) => {
    const body = json(text);
    if (res.status !== 200 || !body) return `${res.status} ${text.slice(0, 200)}`;
    if (body.issuer !== baseUrl) return `issuer is ${body.issuer}, not ${baseUrl} (BASE_URL)`;
    return body.jwks_uri === `${baseUrl}/.well-known/jwks.json` || `jwks_uri is ${body.jwks_uri}`;
  });
  say("smoke", `discovery: issuer ${baseUrl}`);
  let kids = [];
  await probe(`${baseUrl}/.well-known/jwks.json`, (res, text) => {
    const keys = json(text)?.keys;
    if (res.status !== 200 || !Array.isArray(keys) || keys.length === 0) return `${res.status} ${text.slice(0, 200)}`;
    if (keys.some((k) => k.alg !== "ES256" || k.kty !== "EC" || "d" in k)) return "a published key is not a public ES256 key";
    kids = keys.map((k) => k.kid);
    return !signingKid || kids.includes(signingKid) || `the signer ${signingKid} is not published (${kids.join(", ")})`;
  });
  say("smoke", `JWKS: ${kids.join(", ")}`);
  if (metricsProtected) {
    await probe(`${baseUrl}/metrics`, (res) => res.status === 401 || `anonymous scrape answered ${res.status}, not 401`);
    say("smoke", "metrics: refused without METRICS_TOKEN");
  }
}
