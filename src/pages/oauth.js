// The OAuth provider's pages (src/api/oauth/pages.rs): passkey sign-in, with autofill
// (conditional mediation) where the browser offers it, and the form_post response that
// submits itself. Forms work without script; this adds only what needs it. Needs
// webauthn.js (loaded first). The words it shows come from the page (data-msg-*), in
// the page's language.
"use strict";

const hooks = document.getElementById("oauth-passkey");
const statusLine = document.getElementById("status");
// An error on the status line, styled and announced as one.
const say = (message) => {
  if (!statusLine) return;
  statusLine.textContent = message;
  statusLine.dataset.kind = "error";
};

async function post(path, body) {
  const res = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.message || data.error_description || data.error || `HTTP ${res.status}`);
  return data;
}

// The autofill request waiting in the background, aborted when the user clicks the
// button (a browser runs one WebAuthn request at a time).
let waiting = null;

// One passkey ceremony for this interaction; `mediation` "conditional" waits for the
// user to pick a passkey from the email field's autofill.
async function passkey(mediation) {
  const ids = { tx: hooks.dataset.tx, csrf: hooks.dataset.csrf };
  let credential;
  try {
    const begin = await post("/authsec/oauth/authorize/passkey/options", ids);
    const request = { publicKey: requestOptions(begin.publicKey) };
    if (mediation) {
      waiting = new AbortController();
      request.mediation = mediation;
      request.signal = waiting.signal;
    }
    credential = await navigator.credentials.get(request);
  } catch (err) {
    // Autofill is an offer, not a step: until the user picks a passkey from it, its
    // failures (aborted, unsupported here) say nothing, and the button still works.
    if (mediation) return;
    throw err;
  }
  const done = await post("/authsec/oauth/authorize/passkey", { ...ids, credential: credentialJson(credential) });
  location.assign(done.next);
}

function failed(err) {
  say(err.name === "NotAllowedError" ? hooks.dataset.msgCancelled : hooks.dataset.msgFailed);
}

const button = document.getElementById("passkey-button");
if (button && hooks) {
  button.addEventListener("click", () => {
    if (waiting) waiting.abort();
    waiting = null;
    passkey().catch(failed);
  });
}
// Autofill: only on the first step, where the email field asks for "username webauthn".
const email = document.querySelector('input[autocomplete~="webauthn"]');
if (email && hooks && window.PublicKeyCredential?.isConditionalMediationAvailable) {
  PublicKeyCredential.isConditionalMediationAvailable()
    .then((available) => available && passkey("conditional"))
    .catch(failed);
}

const formPost = document.getElementById("form-post");
if (formPost) formPost.submit();
