"""What the Python e2e scripts share: the Worker's URL, per-run addresses, one counted
check per decorated function, JSON calls, and the development outbox.

Each script ends with `finish(label)`, printing "<label>: N passed, M failed", the line
scripts/lib/run-e2e.mjs adds into its counts.
"""

import os
import re
import sys
import traceback
import uuid

import requests

BASE = os.environ["AUTHSEC_E2E_URL"].rstrip("/")
ADMIN_PASSWORD = "correct horse battery staple"
USER_PASSWORD = "a long and private passphrase"
RUN = uuid.uuid4().hex[:8]
# Our own calls come from an address of this run (rate limits are per IP).
IP = {"cf-connecting-ip": f"10.230.{int(RUN[:2], 16)}.{int(RUN[2:4], 16)}"}

results = {"passed": 0, "failed": 0}


def check(name):
    def run(fn):
        try:
            fn()
        except Exception:  # noqa: BLE001 - every failure is reported and counted
            results["failed"] += 1
            print(f"not ok - {name}\n{traceback.format_exc()}", flush=True)
        else:
            results["passed"] += 1
            print(f"ok - {name}", flush=True)
        return fn

    return run


def api(method, path, body=None, token=None):
    headers = dict(IP)
    if token:
        headers["authorization"] = f"Bearer {token}"
    res = requests.request(method, f"{BASE}{path}", json=body, headers=headers, timeout=15)
    try:
        data = res.json()
    except ValueError:
        data = {}
    return res.status_code, data


def latest_code(email):
    status, data = api("GET", f"/authsec/dev/outbox?to={email}")
    assert status == 200, data
    match = re.search(r"\b(\d{6})\b", data["messages"][0]["body"])
    assert match, data
    return match.group(1)


def onboard(prefix):
    """A new tenant and its signed-in admin: (tenant_id, admin token)."""
    admin = f"{prefix}-admin-{RUN}@example.test"
    status, data = api("POST", "/authsec/uflow/auth/admin/login/bootstrap",
                       {"email": admin, "password": ADMIN_PASSWORD, "tenant_domain": f"{prefix}-{RUN}"})
    assert status == 201, data
    status, done = api("POST", "/authsec/uflow/auth/admin/complete-registration",
                       {"email": admin, "otp": latest_code(admin), "password": ADMIN_PASSWORD})
    assert status == 201, done
    status, login = api("POST", "/authsec/uflow/auth/admin/login", {"email": admin, "password": ADMIN_PASSWORD})
    assert status == 200, login
    return done["tenant_id"], login["token"]


def finish(label):
    print(f"{label}: {results['passed']} passed, {results['failed']} failed", flush=True)
    sys.exit(1 if results["failed"] else 0)
