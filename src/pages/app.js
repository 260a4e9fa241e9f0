// The sign-in pages of AuthSec Edge: password, TOTP and passkey sign-in, sign-up for end
// users (when the page is opened with ?client_id=), the account's second factors and
// passkey registration from a signed-in session after a step-up, and device activation. No
// dependencies besides webauthn.js (loaded first); the session lives in sessionStorage.
"use strict";

const params = new URLSearchParams(location.search);
const clientId = params.get("client_id");
const who = clientId ? "enduser" : "admin";
const $ = (id) => document.getElementById(id);
const session = {
  get token() { return sessionStorage.getItem("authsec.token"); },
  get email() { return sessionStorage.getItem("authsec.email"); },
  save(data, email) {
    sessionStorage.setItem("authsec.token", data.token);
    if (data.refresh_token) sessionStorage.setItem("authsec.refresh_token", data.refresh_token);
    sessionStorage.setItem("authsec.email", data.email || email || "");
  },
  clear() { sessionStorage.clear(); },
};
let mfaToken = null;

// The status line: information, or an error (styled as one, and the inputs it concerns
// marked aria-invalid and described by it, so a screen reader says why).
function say(message, kind = "info") {
  $("status").textContent = message;
  $("status").dataset.kind = kind;
  if (kind !== "error") flag([]);
}

function flag(ids) {
  for (const input of document.querySelectorAll("input[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
  }
  for (const id of ids) {
    const input = $(id);
    if (!input) continue;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", "status");
  }
}

// An error about particular inputs.
function fieldError(message, ...ids) {
  const err = new Error(message);
  err.fields = ids;
  return err;
}

async function api(path, body, token) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(path, { method: "POST", headers, body: JSON.stringify(body || {}) });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.message || data.error_description || data.error || `HTTP ${res.status}`);
  return data;
}

async function apiGet(path, token) {
  const res = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.message || data.error || `HTTP ${res.status}`);
  return data;
}

function show(section) {
  for (const id of ["signin", "signup", "mfa", "account"]) if ($(id)) $(id).hidden = id !== section;
  document.body.dataset.view = section;
  if (section === "account") {
    $("account-email").textContent = session.email;
    listFactors().catch((err) => say(err.message, "error"));
  }
  const heading = $(section)?.querySelector("h2");
  if (heading) { heading.tabIndex = -1; heading.focus(); }
}

const webauthn = (step) => `/authsec/webauthn/${who}/${step}`;

// The account's second factors, so that one the user did not add is seen (issue 12).
async function listFactors() {
  const list = $("factor-list");
  if (!list || !session.token) return;
  const [totp, passkeys] = await Promise.all([
    apiGet("/authsec/uflow/auth/totp/devices", session.token),
    apiGet(webauthn("credentials"), session.token),
  ]);
  const items = [
    ...totp.devices.filter((d) => d.confirmed).map((d) => `Authenticator app: ${d.device_name}`),
    ...passkeys.credentials.map((c) => `Passkey: ${c.name}${c.flagged ? " (flagged as possibly cloned)" : ""}`),
  ];
  list.replaceChildren(...(items.length ? items : ["None yet"]).map((text) => {
    const li = document.createElement("li");
    li.textContent = text;
    return li;
  }));
  document.body.dataset.factors = String(items.length);
  usablePasskeys = passkeys.credentials.filter((c) => !c.flagged).length;
}
let usablePasskeys = 0;

// Fresh proof before a factor changes (a step-up): the password while there is no
// factor, else a code, or a passkey when the field is left empty.
async function stepUp() {
  const proof = $("stepup-secret").value.trim();
  if (!proof) {
    if (!usablePasskeys) throw fieldError("Confirm it is you first: enter your password, or a code from your authenticator app.", "stepup-secret");
    const begin = await api("/authsec/uflow/auth/step-up/passkey", {}, session.token);
    const credential = await navigator.credentials.get({ publicKey: requestOptions(begin.publicKey) });
    const done = await api("/authsec/uflow/auth/step-up", { credential: credentialJson(credential) }, session.token);
    return done.step_up_token;
  }
  const isCode = /^\d{6}$/.test(proof) || /^[a-z0-9]{5}-[a-z0-9]{5}$/i.test(proof);
  const done = await api("/authsec/uflow/auth/step-up", isCode ? { totp_code: proof } : { password: proof }, session.token)
    .catch((err) => { throw fieldError(err.message, "stepup-secret"); });
  $("stepup-secret").value = "";
  return done.step_up_token;
}

async function passkeySignIn(email) {
  const begin = await api(webauthn("beginAuthentication"), { email, client_id: clientId, mfa_token: mfaToken });
  const credential = await navigator.credentials.get({ publicKey: requestOptions(begin.publicKey) });
  const done = await api(webauthn("finishAuthentication"), {
    credential: credentialJson(credential), client_id: clientId, mfa_token: mfaToken,
  });
  signedIn(done, email);
}

function signedIn(data, email) {
  session.save(data, email);
  mfaToken = null;
  say("Signed in.");
  show("account");
}

// `fields`: the inputs an error of this handler is about (unless the error names its own).
function on(id, event, handler, fields = []) {
  const element = $(id);
  if (!element) return;
  element.addEventListener(event, async (e) => {
    e.preventDefault();
    try {
      await handler(e);
    } catch (err) {
      const cancelled = err.name === "NotAllowedError";
      say(cancelled ? "The passkey request was cancelled or timed out." : err.message, "error");
      flag(cancelled ? [] : err.fields || fields);
    }
  });
}

on("signin-form", "submit", async () => {
  const email = $("signin-email").value.trim();
  const path = who === "admin" ? "/authsec/uflow/auth/admin/login" : "/authsec/uflow/auth/enduser/login";
  const data = await api(path, { email, password: $("signin-password").value, client_id: clientId });
  if (data.mfa_required) {
    mfaToken = data.mfa_token;
    $("totp-form").hidden = !data.otp_required;
    $("mfa-passkey").hidden = !data.webauthn_required;
    say("One more step.");
    show("mfa");
  } else {
    signedIn(data, email);
  }
}, ["signin-email", "signin-password"]);
on("passkey-signin", "click", () => passkeySignIn(undefined));
on("mfa-passkey", "click", () => passkeySignIn(undefined));
on("totp-form", "submit", async () => {
  const data = await api("/authsec/uflow/auth/totp/login", { mfa_token: mfaToken, totp_code: $("totp-code").value });
  signedIn(data);
}, ["totp-code"]);
on("show-signup", "click", () => show("signup"));
on("show-signin", "click", () => show("signin"));
on("signup-form", "submit", async () => {
  await api("/authsec/uflow/user/register/initiate", {
    client_id: clientId, email: $("signup-email").value.trim(), password: $("signup-password").value,
  });
  $("signup-verify-form").hidden = false;
  say("We sent a code to your email.");
  $("signup-code").focus();
}, ["signup-email", "signup-password"]);
on("signup-verify-form", "submit", async () => {
  const email = $("signup-email").value.trim();
  // The password binds the completion to this sign-up (a rival request cannot finish it).
  await api("/authsec/uflow/user/register/complete", {
    client_id: clientId, email, otp: $("signup-code").value, password: $("signup-password").value,
  });
  $("signin-email").value = email;
  say("Account created. Sign in to continue.");
  show("signin");
}, ["signup-code"]);
on("register-passkey", "click", async () => {
  const stepUpToken = await stepUp();
  const begin = await api(webauthn("beginRegistration"), { client_id: clientId, step_up_token: stepUpToken }, session.token);
  const credential = await navigator.credentials.create({ publicKey: creationOptions(begin.publicKey) });
  await api(webauthn("finishRegistration"), {
    credential: credentialJson(credential), name: $("passkey-name").value, client_id: clientId, step_up_token: stepUpToken,
  }, session.token);
  say("Passkey registered.");
  await listFactors();
  document.body.dataset.passkeys = "registered";
});
on("signout", "click", async () => {
  await api("/authsec/uflow/auth/logout", {}, session.token).catch(() => {});
  session.clear();
  say("Signed out.");
  show("signin");
});
async function showDeviceRequest() {
  const code = $("user-code").value.trim();
  if (!code) return;
  const res = await fetch(`/authsec/uflow/auth/device/activate/info?user_code=${encodeURIComponent(code)}`);
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw fieldError(res.status === 404 ? "No such code, or it expired." : data.message || `HTTP ${res.status}`, "user-code");
  $("device-client").textContent = data.client_name || data.client_id;
  $("device-name").textContent = (data.device_info && data.device_info.name) || "a device";
  $("device-scopes").textContent = data.scopes.length ? data.scopes.join(", ") : "no specific permissions";
  const words = $("device-scope-words");
  words.replaceChildren(...(data.scope_descriptions || []).map((s) => {
    const item = document.createElement("li");
    item.textContent = s.description;
    item.title = s.scope;
    return item;
  }));
  $("device-network-warning").textContent = data.network_warning || "";
  $("device-network-warning").hidden = !data.network_warning;
  $("device-details").hidden = false;
  // Deciding is possible only once the user has seen what they decide on (RFC 8628 §5.4).
  for (const button of document.querySelectorAll(".decision")) button.disabled = false;
}
on("activate-form", "submit", async (e) => {
  // Enter in the code field submits with the first button: it shows the request.
  if (!e.submitter || e.submitter.value === "lookup") return showDeviceRequest();
  if (!session.token) throw new Error("Sign in first.");
  const approve = e.submitter.value === "true";
  const data = await api("/authsec/uflow/auth/device/verify", { user_code: $("user-code").value, approve }, session.token);
  say(data.message || (approve ? "Device approved." : "Device denied."));
});

if (clientId) document.body.classList.add("enduser");
for (const el of document.querySelectorAll(".enduser-only")) el.hidden = !clientId;
if ($("signin-hint")) $("signin-hint").hidden = Boolean(session.token);
if ($("user-code") && params.get("user_code")) {
  $("user-code").value = params.get("user_code");
  showDeviceRequest().catch((err) => { say(err.message, "error"); flag(err.fields || []); });
}
if ($("signin")) show(session.token ? "account" : "signin");
