// The OAuth provider's e2e scenarios: a client registered by a tenant admin, a loopback
// callback server standing in for the application, and the sign-in driven without a
// browser (fetch with a cookie jar, posting the provider's own forms), as a script or a
// Python client would.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import * as oidc from "openid-client";
import { BASE, call } from "./helpers.mjs";
import { bearer, onboard, registerEndUser, defaultClientId } from "./accounts-helpers.mjs";

export const CODE_GRANTS = ["authorization_code", "refresh_token"];

// An application's callback: records every request to it.
export async function callbackServer() {
  const hits = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      hits.push({ method: req.method, url: new URL(req.url, "http://127.0.0.1"), body });
      res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>app</title><p>back at the app</p>");
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  // The test file ends when its tests do, whatever servers they left open.
  server.unref();
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, redirectUri: `${origin}/cb`, logoutUri: `${origin}/bye`, hits, close: () => server.close() };
}

// A tenant with an end user and a client registered for the code flow.
export async function codeFlowSetup({ confidential = true, grants = CODE_GRANTS } = {}) {
  const admin = await onboard();
  const app = await callbackServer();
  const created = await admin.client.post(`/authsec/clientms/tenants/${admin.tenantId}/clients/create`, {
    name: "Example App", client_type: confidential ? "confidential" : "public", grant_types: grants,
    redirect_uris: [app.redirectUri], post_logout_redirect_uris: [app.logoutUri],
  }, bearer(admin.login.token));
  assert.equal(created.status, 201, created.text);
  const user = await registerEndUser(await defaultClientId(admin), "oauth");
  return { admin, app, user, clientId: created.data.client_id, secret: created.data.client_secret };
}

export async function discover(clientId, secret) {
  const auth = secret ? oidc.ClientSecretBasic(secret) : oidc.None();
  return oidc.discovery(new URL(BASE), clientId, secret, auth, { execute: [oidc.allowInsecureRequests] });
}

// A fresh PKCE pair, state and nonce.
export async function pkce() {
  const verifier = oidc.randomPKCECodeVerifier();
  return { verifier, challenge: await oidc.calculatePKCECodeChallenge(verifier), state: oidc.randomState(), nonce: oidc.randomNonce() };
}

export function authorizeUrl(clientId, redirectUri, p, extra = {}) {
  const params = new URLSearchParams({
    response_type: "code", client_id: clientId, redirect_uri: redirectUri, scope: "openid email profile",
    state: p.state, nonce: p.nonce, code_challenge: p.challenge, code_challenge_method: "S256", ...extra,
  });
  return `${BASE}/authsec/oauth/authorize?${params}`;
}

// A browser without a browser: keeps cookies, never follows redirects by itself.
export function cookieJar() {
  const jar = new Map();
  const header = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const keep = (res) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, value] = pair.split("=");
      if (/Max-Age=0/.test(line)) jar.delete(name); else jar.set(name, value);
    }
    return res;
  };
  return {
    jar,
    get: async (url) => keep(await fetch(url, { redirect: "manual", headers: { cookie: header() } })),
    post: async (url, form, headers = {}) => keep(await fetch(url, {
      method: "POST", redirect: "manual", body: new URLSearchParams(form),
      headers: { cookie: header(), "content-type": "application/x-www-form-urlencoded", ...headers },
    })),
  };
}

// The hidden fields of the page's form.
export function formFields(html) {
  const value = (name) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
  return { tx: value("tx"), csrf: value("csrf") };
}

// Signs in through the provider's forms; returns the final response (a 303 to the app,
// or the page the flow stopped at) and the pages seen.
export async function signInByForm(browser, url, email, password, { consent = "allow" } = {}) {
  let res = await browser.get(url);
  const seen = [];
  if (res.status === 200) {
    const html = await res.text();
    seen.push("sign-in");
    res = await browser.post(`${BASE}/authsec/oauth/authorize/password`, { ...formFields(html), email, password });
  }
  if (res.status === 200) {
    const html = await res.text();
    if (/name="decision"/.test(html)) {
      seen.push("consent");
      res = await browser.post(`${BASE}/authsec/oauth/authorize/consent`, { ...formFields(html), decision: consent });
    } else {
      return { res, seen, html };
    }
  }
  return { res, seen };
}

// The code a redirect carries back to the app, with its state and iss.
export function callbackParams(res) {
  assert.equal(res.status, 303, `a redirect back to the app, got ${res.status}`);
  return new URL(res.headers.get("location")).searchParams;
}

export const tokenCall = (form, headers = {}) =>
  call("POST", "/authsec/oauth/token", { body: new URLSearchParams(form).toString(), headers: { "content-type": "application/x-www-form-urlencoded", ...headers } });

export const basic = (id, secret) => ({ authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}` });
