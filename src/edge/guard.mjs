// The Worker's entry module: the Rust Worker built by worker-build, wrapped so that a
// request that fails outside Rust's own error handling (a panic, a thrown JS error)
// still gets the contract's JSON error body instead of workerd's plain-text 500.
// Durable Object classes are re-exported unchanged. `AuthsecVerifier` is the named
// entrypoint other Workers reach through a service binding (issue 13, section 5).
import { WorkerEntrypoint } from "cloudflare:workers";
import RustWorker from "../../build/index.js";

export * from "../../build/index.js";

const INTERNAL_ERROR = JSON.stringify({ error: "internal_error", message: "internal error" });

export default class GuardedWorker extends RustWorker {
  async fetch(request) {
    try {
      return await super.fetch(request);
    } catch (error) {
      console.error("unhandled error in the Worker", error && error.stack ? error.stack : error);
      return new Response(INTERNAL_ERROR, {
        status: 500,
        headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
      });
    }
  }
}

// The HTTP routes the RPC methods run. The origin is never resolved: the request goes
// straight into this isolate's Rust fetch handler, not onto the network.
const INTERNAL_ORIGIN = "https://authsec.internal";
const VERIFY_PATH = "/authsec/authmgr/token/verify";
const CHECK_PATH = "/authsec/authmgr/user/check/permission";
const CHECK_SCOPED_PATH = "/authsec/authmgr/user/check/permission-scoped";

/**
 * Verification for Workers of the same account, through a service binding:
 *
 *   [[services]]
 *   binding = "AUTHSEC"
 *   service = "authsec-edge"
 *   entrypoint = "AuthsecVerifier"
 *
 * `verify(token, options?)`, options `{strict?: boolean}`: `POST token/verify`.
 *   → `{valid: true, claims: {tenant_id, workspace_id, project_id, client_id, email_id,
 *      user_id, scopes, roles, groups, token_type, grant, delegated, session_id,
 *      issued_at, expires_at, issuer}}` (the route's 200 body without `valid`)
 *   | `{valid: false, status, error, message}` (the route's error: 401 `invalid_token`,
 *      400 `invalid_request`, 5xx when a backing service is down).
 *
 * `check(token, resource, action, options?)`, options `{scope?: {type, id}}`:
 *   `GET authmgr/user/check/permission` (`check/permission-scoped` with a scope).
 *   → `{allowed, resource, action, user_id, tenant_id[, scope]}` when the token is good:
 *      `allowed` is the RBAC answer (a delegated token is bounded by its scopes)
 *   | `{allowed: false, status, error, message[, field]}` when it was refused before any
 *      decision (401 bad or revoked token, 400 an empty or over-long resource or action).
 *
 * Same semantics and tiers as the HTTP routes, because each call runs the route's own
 * Rust handler in this isolate: `verify` is the edge tier unless `strict: true` (then the
 * session's shard and the tenant's object decide); `check` is always the edge tier, as
 * its route is (call `verify(token, {strict: true})` first when a check must see a
 * revocation at once everywhere). Calls count in `/metrics` under the route they run, like HTTP requests.
 *
 * Refusals are values, never exceptions, and carry only what the HTTP route would
 * answer (internals go to the log). A wrong argument type is a programming error: a
 * `TypeError` naming the argument and its type, never its value.
 */
export class AuthsecVerifier extends WorkerEntrypoint {
  async verify(token, options) {
    requireString("verify", "token", token);
    const { strict } = readOptions("verify", options, {
      strict: (v) => typeof v === "boolean" || "a boolean",
    });
    const body = strict === undefined ? { token } : { token, strict };
    const request = new Request(INTERNAL_ORIGIN + VERIFY_PATH, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const { status, data } = await runRoute(this, request);
    if (status === 200 && data.valid === true) {
      const { valid, ...claims } = data;
      return { valid, claims };
    }
    return { valid: false, ...refusal(status, data) };
  }

  async check(token, resource, action, options) {
    requireString("check", "token", token);
    requireString("check", "resource", resource);
    requireString("check", "action", action);
    const { scope } = readOptions("check", options, {
      scope: (v) =>
        (isPlainObject(v) && typeof v.type === "string" && typeof v.id === "string") ||
        "an object {type: string, id: string}",
    });
    const query = new URLSearchParams({ resource, action });
    if (scope) {
      query.set("scope_type", scope.type);
      query.set("scope_id", scope.id);
    }
    let request;
    try {
      request = new Request(`${INTERNAL_ORIGIN}${scope ? CHECK_SCOPED_PATH : CHECK_PATH}?${query}`, {
        headers: { authorization: `Bearer ${token}` },
      });
    } catch {
      // Only a token with characters no header may carry (line breaks, NUL, non-Latin-1)
      // gets here: no HTTP client could send it, and it cannot be a JWT.
      return { allowed: false, status: 401, error: "invalid_token", message: "the token is malformed" };
    }
    const { status, data } = await runRoute(this, request);
    if (status === 200 && typeof data.has_permission === "boolean") {
      const decision = {
        allowed: data.has_permission,
        resource: data.resource,
        action: data.action,
        user_id: data.user_id,
        tenant_id: data.tenant_id,
      };
      if (scope) decision.scope = { type: data.scope_type, id: data.scope_id };
      return decision;
    }
    return { allowed: false, ...refusal(status, data) };
  }
}

/** Runs one request through the same guarded Rust handler HTTP requests reach. */
async function runRoute(entrypoint, request) {
  try {
    const response = await new GuardedWorker(entrypoint.ctx, entrypoint.env).fetch(request);
    const text = await response.text();
    let data;
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
    return { status: response.status, data: isPlainObject(data) ? data : {} };
  } catch (error) {
    console.error("AuthsecVerifier: the route failed", error && error.stack ? error.stack : error);
    return { status: 500, data: JSON.parse(INTERNAL_ERROR) };
  }
}

/** The public part of an error answer: what the HTTP route would have said. */
function refusal(status, data) {
  const known = typeof data.error === "string";
  const out = {
    status,
    error: known ? data.error : "internal_error",
    message: typeof data.message === "string" ? data.message : known ? data.error : "internal error",
  };
  if (typeof data.field === "string") out.field = data.field;
  return out;
}

function isPlainObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function typeName(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function requireString(method, name, value) {
  if (typeof value !== "string") {
    throw new TypeError(`AuthsecVerifier.${method}: ${name} must be a string, not ${typeName(value)}`);
  }
}

/**
 * The options object of `method`: undefined or null for none, otherwise a plain object
 * whose keys are all known (a misspelt `strict` must not silently mean "edge tier") and
 * whose values pass their check (`true`, or a description of what was expected).
 */
function readOptions(method, options, checks) {
  if (options === undefined || options === null) return {};
  if (!isPlainObject(options)) {
    throw new TypeError(`AuthsecVerifier.${method}: options must be an object, not ${typeName(options)}`);
  }
  const out = {};
  for (const [key, value] of Object.entries(options)) {
    const check = checks[key];
    if (!check) {
      const known = Object.keys(checks).join(", ");
      const shown = JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
      throw new TypeError(`AuthsecVerifier.${method}: unknown option ${shown} (known: ${known})`);
    }
    if (value === undefined) continue;
    const verdict = check(value);
    if (verdict !== true) {
      throw new TypeError(`AuthsecVerifier.${method}: options.${key} must be ${verdict}, not ${typeName(value)}`);
    }
    out[key] = value;
  }
  return out;
}
