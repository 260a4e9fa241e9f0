"""The OAuth provider driven by authlib (PyPI), an independent OAuth/OIDC client, with no
browser: the sign-in and consent forms are posted as a browser would (a requests session
keeps the provider's cookies), and authlib does the rest — the authorization URL with
PKCE S256, the code exchange with client_secret_basic, the id_token check against the
published JWKS, userinfo, a refresh, and a revocation.

Run by scripts/lib/run-e2e.mjs from .venv-sdk; ends with "authlib: N passed, M failed".
"""

import os
import re

import requests

from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from harness import BASE, RUN, USER_PASSWORD, api, check, finish, latest_code, onboard

# The Worker listens on loopback http; authlib refuses http unless told it is local.
os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
REDIRECT_URI = "http://127.0.0.1:9/callback"  # never reached: the redirect is read, not followed
state = {}


def hidden(html, name):
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no {name} field in the page"
    return match.group(1)


@check("authlib: a tenant registers a confidential client and an end user")
def setup():
    tenant_id, admin_token = onboard("authlib")
    status, client = api("POST", f"/authsec/clientms/tenants/{tenant_id}/clients/create", {
        "name": "Python app", "client_type": "confidential", "redirect_uris": [REDIRECT_URI],
        "grant_types": ["authorization_code", "refresh_token"],
    }, admin_token)
    assert status == 201, client
    status, verified = api("POST", "/authsec/authmgr/token/verify", {"token": admin_token})
    default_client = verified["client_id"]
    email = f"authlib-user-{RUN}@example.test"
    status, data = api("POST", "/authsec/uflow/user/register/initiate",
                       {"client_id": default_client, "email": email, "password": USER_PASSWORD})
    assert status == 200, data
    status, data = api("POST", "/authsec/uflow/user/register/complete",
                       {"client_id": default_client, "email": email, "otp": latest_code(email), "password": USER_PASSWORD})
    assert status == 201, data
    discovery = requests.get(f"{BASE}/.well-known/openid-configuration", timeout=10).json()
    state.update(client=client, email=email, user_id=data["user_id"], discovery=discovery)


@check("authlib: the code flow with PKCE by posting the sign-in and consent forms")
def code_flow():
    d, client = state["discovery"], state["client"]
    session = OAuth2Session(client["client_id"], client["client_secret"], scope="openid email profile",
                            redirect_uri=REDIRECT_URI, code_challenge_method="S256",
                            token_endpoint_auth_method="client_secret_basic")
    verifier = os.urandom(40).hex()
    nonce = os.urandom(16).hex()
    url, sent_state = session.create_authorization_url(d["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
    browser = requests.Session()
    page = browser.get(url, allow_redirects=False, timeout=10)
    assert page.status_code == 200, page.text
    form = {"tx": hidden(page.text, "tx"), "csrf": hidden(page.text, "csrf"), "email": state["email"], "password": USER_PASSWORD}
    consent = browser.post(f"{BASE}/authsec/oauth/authorize/password", data=form, allow_redirects=False, timeout=10)
    assert consent.status_code == 200 and 'name="decision"' in consent.text, consent.text
    answer = {"tx": hidden(consent.text, "tx"), "csrf": hidden(consent.text, "csrf"), "decision": "allow"}
    back = browser.post(f"{BASE}/authsec/oauth/authorize/consent", data=answer, allow_redirects=False, timeout=10)
    assert back.status_code == 303, back.text
    token = session.fetch_token(d["token_endpoint"], authorization_response=back.headers["location"],
                                code_verifier=verifier, state=sent_state)
    assert token["token_type"] == "Bearer" and token["refresh_token"], token
    jwks = JsonWebKey.import_key_set(requests.get(d["jwks_uri"], timeout=10).json())
    claims = jwt.decode(token["id_token"], jwks, claims_options={
        "iss": {"essential": True, "value": d["issuer"]}, "aud": {"essential": True, "value": client["client_id"]},
        "nonce": {"essential": True, "value": nonce},
    })
    claims.validate()
    assert claims["sub"] == state["user_id"], claims
    assert claims["email"] == state["email"], claims
    state.update(session=session, token=token)


@check("authlib: userinfo, a refresh, and a revocation the provider honours at once")
def userinfo_refresh_revoke():
    d, session = state["discovery"], state["session"]
    info = session.get(d["userinfo_endpoint"], timeout=10).json()
    assert info["sub"] == state["user_id"] and info["email"] == state["email"], info
    old = state["token"]["refresh_token"]
    refreshed = session.refresh_token(d["token_endpoint"], refresh_token=old)
    assert refreshed["refresh_token"] != old, refreshed
    session.revoke_token(d["revocation_endpoint"], refreshed["refresh_token"], token_type_hint="refresh_token")
    status, verdict = api("POST", "/authsec/authmgr/token/verify", {"token": refreshed["access_token"], "strict": True})
    assert status == 401, verdict


finish("authlib")
