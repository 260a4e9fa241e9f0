"""AuthSec's own Python SDK (authsec-sdk 4.7.3, unmodified) against the Worker.

Run by scripts/lib/run-e2e.mjs with the e2e Worker's URL in AUTHSEC_E2E_URL, from the
virtualenv scripts/test creates (.venv-sdk). Plain asserts; prints one line per check
and ends with "SDK: N passed, M failed" (the harness adds both into its counts).

Covers (issue 12, "The AuthSec SDK must work unmodified"): CIBAClient TOTP login, CIBA
approve and deny against a public client an admin opted in, refusals the SDK's poller
stops on at once, end-user MFA status (both SDK probes), and the SDK's token validator
accepting our token.
"""

import asyncio
import base64
import hashlib
import hmac
import struct
import time

import requests

from authsec_sdk import CIBAClient, Config, new_validator
from harness import BASE, RUN, USER_PASSWORD, api, check, finish, latest_code, onboard

CIBA_GRANT = "urn:openid:params:grant-type:ciba"
state = {}


def totp(secret, step):
    """RFC 6238: HMAC-SHA1, 6 digits, 30 s steps."""
    digest = hmac.new(secret, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def step_now():
    return int(time.time()) // 30


def room_in_step():
    """Waits past a step boundary if fewer than 5 s of this step remain."""
    left = 30 - time.time() % 30
    if left < 5:
        time.sleep(left + 0.5)


@check("an admin onboards a tenant and opts a public client into CIBA")
def setup_tenant():
    tenant_id, admin_token = onboard("sdk")
    state.update(tenant_id=tenant_id, admin_token=admin_token)
    status, client = api("POST", f"/authsec/clientms/tenants/{tenant_id}/clients/create",
                         {"name": "Voice SDK", "token_endpoint_auth_method": "none", "grant_types": [CIBA_GRANT]},
                         admin_token)
    assert status == 201, client
    assert "client_secret" not in client, client
    state["client_id"] = client["client_id"]


@check("the tenant enables email+TOTP sign-in (totp_only_login)")
def enable_totp_only_login():
    status, data = api("PUT", f"/authsec/uflow/admin/tenants/{state['tenant_id']}",
                       {"totp_only_login": True}, state["admin_token"])
    assert status == 200, (status, data)


@check("an end user signs up, signs in through CIBAClient.login_end_user and enrolls TOTP")
def setup_user():
    email = f"sdk-user-{RUN}@example.test"
    client_id = state["client_id"]
    status, data = api("POST", "/authsec/uflow/user/register/initiate",
                       {"client_id": client_id, "email": email, "password": USER_PASSWORD})
    assert status == 200, data
    status, data = api("POST", "/authsec/uflow/user/register/complete",
                       {"client_id": client_id, "email": email, "otp": latest_code(email), "password": USER_PASSWORD})
    assert status == 201, data
    sdk = CIBAClient(client_id=client_id, base_url=BASE)
    login = sdk.login_end_user(email, USER_PASSWORD)
    assert login.get("token"), login
    # The first factor needs fresh proof: the password, inline (a step-up).
    status, reg = api("POST", "/authsec/uflow/auth/totp/register",
                      {"device_name": "phone", "password": USER_PASSWORD}, login["token"])
    assert status == 200, reg
    secret = base64.b32decode(reg["secret"] + "=" * (-len(reg["secret"]) % 8))
    room_in_step()
    status, confirmed = api("POST", "/authsec/uflow/auth/totp/confirm",
                            {"device_id": reg["device_id"], "totp_code": totp(secret, step_now() - 1),
                             "step_up_token": reg["step_up_token"]}, login["token"])
    assert status == 200, confirmed
    state.update(email=email, user_token=login["token"], secret=secret)


@check("CIBAClient.verify_totp signs the end user in with a TOTP code")
def totp_login():
    sdk = CIBAClient(client_id=state["client_id"], base_url=BASE)
    result = sdk.verify_totp(state["email"], totp(state["secret"], step_now()))
    assert result["success"] is True and result["token"], result
    state["totp_token"] = result["token"]


@check("get_end_user_mfa_status_by_client reports the end user's TOTP")
def mfa_status_by_client():
    status = CIBAClient(client_id=state["client_id"], base_url=BASE).get_end_user_mfa_status_by_client(state["email"])
    assert status.get("mfa_required") is True, status
    assert "totp" in status.get("methods", []), status


@check("get_end_user_mfa_status (workspace_id) resolves the tenant's end user")
def mfa_status_by_workspace():
    sdk = CIBAClient(client_id=state["client_id"], base_url=BASE)
    status = sdk.get_end_user_mfa_status(state["email"], workspace_id=state["tenant_id"])
    assert status.get("mfa_required") is True, status


def initiate():
    sdk = CIBAClient(client_id=state["client_id"], base_url=BASE)
    started = sdk.initiate_app_approval(state["email"])
    assert started.get("auth_req_id"), started
    return sdk, started["auth_req_id"]


@check("CIBA: the user approves (the prompt names the client) and the SDK's poller gets a token")
def ciba_approve():
    sdk, rid = initiate()
    listed = sdk.list_pending_requests(state["user_token"])
    mine = [r for r in listed["requests"] if r["client_name"] == "Voice SDK"]
    assert mine and mine[0]["binding_message"], listed
    answered = sdk.respond_to_request(state["user_token"], rid, approved=True)
    assert answered.get("success") is True, answered
    result = sdk.poll_for_approval(state["email"], rid, interval=1, timeout=10)
    assert result["status"] == "approved" and result["token"], result
    state["ciba_token"] = result["token"]


@check("CIBA: the user denies and the SDK's poller stops with access_denied")
def ciba_deny():
    sdk, rid = initiate()
    answered = sdk.respond_to_request(state["user_token"], rid, approved=False)
    assert answered.get("success") is True, answered
    result = sdk.poll_for_approval(state["email"], rid, interval=1, timeout=10)
    assert result == {"status": "access_denied"}, result


@check("refused CIBA polls stop the SDK at once: no client (admin route), unknown request")
def ciba_refusals_stop_the_poller():
    _, rid = initiate()
    admin_mode = CIBAClient(base_url=BASE)  # the admin route: no client_id, no secret
    started = time.time()
    assert admin_mode.poll_for_approval(state["email"], rid, interval=1, timeout=10) == {"status": "access_denied"}
    unknown = CIBAClient(client_id=state["client_id"], base_url=BASE)
    assert unknown.poll_for_approval(state["email"], "ciba1.unknown", interval=1, timeout=10) == {
        "status": "expired_token"
    }
    assert time.time() - started < 5, "the poller stopped on the first answer"
    refused = admin_mode.initiate_app_approval(state["email"])
    assert "auth_req_id" not in refused, refused


@check("the SDK's token validator accepts our CIBA and TOTP tokens")
def validator_accepts():
    issuer = requests.get(f"{BASE}/.well-known/openid-configuration", timeout=10).json()["issuer"]
    validator = new_validator(Config(issuer=issuer, jwks_url=BASE + "/.well-known/jwks.json",
                                     resource_uri="https://resource.example/mcp"))

    async def validate_all():
        try:
            return [await validator.validate(state[k]) for k in ("ciba_token", "totp_token")]
        finally:
            await validator.aclose()

    for principal in asyncio.run(validate_all()):
        assert principal.subject and principal.issuer == issuer, principal
        assert principal.claims["tenant_id"] == state["tenant_id"], principal.claims


finish("SDK")
