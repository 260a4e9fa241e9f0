// A tiny resource server protected by AuthSec Edge through its `AuthsecVerifier`
// service binding (env.AUTHSEC): no JWKS, no keys, no network hop of its own.
//
//   GET /whoami     any valid token          → 200 {user_id, tenant_id, email}
//   GET /docs/:id   the `docs:read` permission → 200 {id, title}; 403 without it
//
// 401 for a missing, bad or revoked token; 503 when AuthSec cannot answer.

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (request.method !== "GET") return json(405, { error: "method_not_allowed" }, { allow: "GET" });
    const doc = /^\/docs\/([\w-]{1,64})$/.exec(pathname);
    if (pathname !== "/whoami" && !doc) return json(404, { error: "not_found" });

    const token = bearerToken(request);
    if (!token) return unauthorized("a bearer token is required");

    if (pathname === "/whoami") {
      const result = await env.AUTHSEC.verify(token);
      if (!result.valid) return refused(result);
      const { user_id, tenant_id, email_id } = result.claims;
      return json(200, { user_id, tenant_id, email: email_id });
    }

    const decision = await env.AUTHSEC.check(token, "docs", "read");
    if (decision.error) return refused(decision);
    if (!decision.allowed) return json(403, { error: "forbidden", message: "docs:read is required" });
    return json(200, { id: doc[1], title: `Document ${doc[1]}` });
  },
};

function bearerToken(request) {
  const m = /^Bearer +(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "");
  return m ? m[1] : null;
}

// AuthSec's refusal as this server's answer: 401 is the token's fault; anything else
// (5xx, or a 400 for arguments this code got wrong) means no decision was made.
function refused({ status }) {
  if (status === 401) return unauthorized("the token is not valid");
  return json(503, { error: "unavailable", message: "the identity service cannot answer" });
}

function unauthorized(message) {
  return json(401, { error: "unauthorized", message }, { "www-authenticate": 'Bearer realm="example"' });
}

function json(status, body, headers = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}
