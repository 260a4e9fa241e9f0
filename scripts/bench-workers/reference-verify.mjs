// The reference for `token/verify`: a JavaScript Worker verifying the same ES256 token
// against the same JWKS with npm `jose` (Web Crypto underneath), answering the same
// body shape as ours. The JWKS is a binding, imported once per isolate.
import { createLocalJWKSet, jwtVerify } from "jose";

let jwks;

export default {
  async fetch(request, env) {
    if (request.method !== "POST") return new Response("method not allowed", { status: 405 });
    jwks ??= createLocalJWKSet(JSON.parse(env.JWKS));
    let token;
    try {
      ({ token } = await request.json());
    } catch {
      return Response.json({ error: "invalid_request" }, { status: 400 });
    }
    try {
      const { payload: c } = await jwtVerify(token, jwks, {
        issuer: env.BASE_URL,
        audience: "authsec-api",
        algorithms: ["ES256"],
        clockTolerance: 60,
      });
      return Response.json({
        valid: true,
        tenant_id: c.tenant_id,
        workspace_id: c.tenant_id,
        project_id: c.project_id,
        client_id: c.client_id,
        email_id: c.email_id,
        user_id: c.user_id,
        scopes: c.scope,
        roles: c.roles,
        groups: c.groups,
        token_type: c.token_type,
        session_id: c.sid,
        issued_at: c.iat,
        expires_at: c.exp,
        issuer: c.iss,
      });
    } catch (error) {
      return Response.json({ valid: false, error: "invalid_token", message: error.code }, { status: 401 });
    }
  },
};
