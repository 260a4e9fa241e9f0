// The reference for the OAuth token endpoint: Cloudflare's @cloudflare/workers-oauth-provider
// (npm) as an authorization server in one Worker, its grants and records in KV
// (OAUTH_KV). It serves authorization_code and refresh_token; it has no
// client_credentials grant (its token endpoint answers unsupported_grant_type), so only
// the code exchange has a like-for-like comparison.
//
// The library leaves /authorize to the application ("the provider is not an identity
// provider"): here it approves every request for one fixed user, which is what a bench
// needs to mint codes. Routes:
//   GET  /authorize      parseAuthRequest + completeAuthorization, 303 to the client
//   POST /oauth/token    the library's token endpoint (timed by the bench)
//   POST /bench/client   creates a confidential client (bench setup only)
// With the binding COUNT_KV=1 (never in a timed run) every answer carries
// `x-bench-kv: {"calls":n,"depth":d}`: its KV calls and how many it waited for in
// sequence, counted as our Worker counts its own (a call sits one level above the
// highest level among the calls that had finished when it started).
import { OAuthAuthorizationServer } from "@cloudflare/workers-oauth-provider";

const SCOPES = ["openid", "email", "profile", "offline_access"];
let server;

function serverFor(env) {
  server ??= new OAuthAuthorizationServer({
    issuer: env.ISSUER,
    resources: [env.RESOURCE],
    scopesSupported: SCOPES,
  });
  return server;
}

// A KV namespace whose calls are logged with their critical-path level.
function countingKv(kv, log) {
  const wrap = (method) => async (...args) => {
    const level = 1 + Math.max(0, ...log.finished);
    log.calls += 1;
    try {
      return await kv[method](...args);
    } finally {
      log.finished.push(level);
    }
  };
  return { get: wrap("get"), put: wrap("put"), delete: wrap("delete"), list: wrap("list"), getWithMetadata: wrap("getWithMetadata") };
}

async function route(request, env, ctx) {
  const as = serverFor(env);
  const url = new URL(request.url);
  if (url.pathname === "/authorize") {
    const api = as.getOAuthApi(env);
    const authRequest = await api.parseAuthRequest(request);
    const { redirectTo } = await api.completeAuthorization({
      request: authRequest,
      userId: env.BENCH_USER,
      metadata: {},
      scope: authRequest.scope,
      props: { userId: env.BENCH_USER, email: "bench-user@example.test", tenantId: "bench" },
      // Every code of the batch stays valid: the default revokes the user's earlier grant
      // to the same client at each new authorization.
      revokeExistingGrants: false,
    });
    return new Response(null, { status: 303, headers: { location: redirectTo } });
  }
  if (url.pathname === "/bench/client" && request.method === "POST") {
    const { redirectUri } = await request.json();
    const client = await as.getOAuthApi(env).createClient({
      clientName: "bench",
      redirectUris: [redirectUri],
      tokenEndpointAuthMethod: "client_secret_basic",
      grantTypes: ["authorization_code", "refresh_token"],
      responseTypes: ["code"],
    });
    return Response.json({ client_id: client.clientId, client_secret: client.clientSecret });
  }
  return as.fetch(request, env, ctx);
}

export default {
  async fetch(request, env, ctx) {
    if (env.COUNT_KV !== "1") return route(request, env, ctx);
    const log = { calls: 0, finished: [] };
    const response = await route(request, { ...env, OAUTH_KV: countingKv(env.OAUTH_KV, log) }, ctx);
    const answer = new Response(response.body, response);
    answer.headers.set("x-bench-kv", JSON.stringify({ calls: log.calls, depth: Math.max(0, ...log.finished) }));
    return answer;
  },
};
