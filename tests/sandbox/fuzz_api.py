"""API fuzzing of the sandbox with Schemathesis, against CareCloud's customer-interface.json.

Gets a device token, logs alice in, and runs `st run` on the operations the sandbox serves with
`Authorization: Bearer <token>`, checking: no 5xx, negative (spec-invalid) data rejected with a 4xx, status codes,
content types and bodies as the spec declares them (also after the generated writes: customer updates, vouchers
created and applied). Positive data is not required to be accepted: spec-valid requests may still meet the
sandbox's business rules (an e-mail already registered, an unknown gift card, a customer id that is not the logged-in
customer's), which answer 4xx as CareCloud would.

    SANDBOX_URL=http://127.0.0.1:PORT target/py/bin/python tests/sandbox/fuzz_api.py [--long]

The short form (default; about a minute on 2 cores; tier 1c of `make test`) runs a few examples per operation;
`--long` or FUZZ_LONG=1 (`make fuzz-api`) runs many more. Exit code 0 on pass, 1 on failure; the last line is a one-line summary.
"""
import json
import os
import subprocess
import sys
import tempfile
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = os.path.join(HERE, "spec", "customer-interface.json")
BASE = "/webservice/rest-api/customer-interface/v1.0"
ALICE = "8ea6abece4cd0a4ded0a29f0a1"

# What the sandbox serves (tests/sandbox/src/routes). Token actions that would end the session under test
# (logout, logging in as someone else, a new token for the device) are left out.
OPERATIONS = """
getTestsConnection getLanguages getCountries getCommunicationChannels getCommunicationChannel getConsents getConsent
getCustomers getCustomer putCustomer postCustomer postCustomersCheckRegistrationAbility postCustomersValidateCustomerData
getSubCustomerPoints getSubCustomerVouchers getSubCustomerPurchases getSubCustomerCards getWalletPoints getPointHistory
getCards getCard postGenerateDigitalCard getVouchers getVoucher postVoucherApply postVoucherGiftCardBalance
getRewards getReward getSubRewardTags getSubRewardStores getSubRewardProducts postRewardCreateVoucher
getStores getStore getProducts getProduct getMessages getMessage getSubMessageDetail getPurchase getSubPurchaseItems
getTokenAuthentication postTokenSendPasswordSetup
""".split()

CHECKS = ",".join([
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
])


def post(url, body, token=None):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"null")


def main():
    sandbox = os.environ.get("SANDBOX_URL") or (sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] != "--long" else "")
    if not sandbox:
        print("usage: SANDBOX_URL=… fuzz_api.py [--long]", file=sys.stderr)
        return 2
    long_form = "--long" in sys.argv or os.environ.get("FUZZ_LONG") == "1"
    api = sandbox.rstrip("/") + BASE
    token = post(api + "/tokens", {
        "device": {"device_id": "fuzz", "device_system": "fuzz", "device_name": "schemathesis", "device_type": "test"},
        "setup": {"language_id": "en", "allowed_gps": False, "allowed_notifications": False},
        "external_application_id": "sandbox-app"})["data"]["token_id"]
    post(api + f"/tokens/{token}/actions/login",
         {"login_type": "email", "login_value": "alice@example.com", "password": "Passw0rd1"}, token)
    # Path parameters pinned to alice's records, so generated requests reach the handlers rather than 404s.
    config = f"""
[parameters]
"path.customer_id" = "{ALICE}"
"path.token_id" = "{token}"
"path.reward_id" = "r00001"
"path.card_id" = "c00001"
"path.message_id" = "m000001"
"path.purchase_id" = "pu000001"
"path.store_id" = "s0001"
"path.product_id" = "p00001"
"path.agreement_id" = "ag01"
"path.communication_channel_id" = "cch01"
"""
    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
        f.write(config)
        config_path = f.name
    st = os.path.join(os.path.dirname(sys.executable), "st")
    cmd = [st, "--config-file", config_path, "run", SPEC, "--url", api, "-H", f"Authorization: Bearer {token}",
           "--checks", CHECKS, "--phases", "examples,coverage,fuzzing", "--workers", "1",
           "--max-examples", "60" if long_form else "8", "--seed", "7", "--no-color",
           "--generation-database", "none", "--suppress-health-check", "all", "--request-timeout", "10"]
    for op in OPERATIONS:
        cmd += ["--include-operation-id", op]
    if not long_form:
        cmd += ["--max-time", "90"]
    try:
        rc = subprocess.run(cmd, check=False).returncode
    finally:
        os.unlink(config_path)
    # The negative cases were refused on purpose: take them off the violation log the tiers are checked against.
    req = urllib.request.Request(sandbox.rstrip("/") + "/__sandbox/violations?path=/", method="DELETE")
    with urllib.request.urlopen(req, timeout=10) as r:
        refused = len(json.loads(r.read()))
    print(f"# {refused} generated requests were refused as spec violations (expected: the negative cases)")
    form = "long" if long_form else "short"
    print(f"# fuzz_api ({form}, {len(OPERATIONS)} operations): {'PASS' if rc == 0 else f'FAIL (schemathesis exit {rc})'}")
    return 0 if rc == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
