"""Spec conformance of the sandbox: every route it serves is called for real, and each response (status code,
content type, body schema) is validated against CareCloud's own openapi.yaml with openapi-core.

Run by `make test` (tier 1b) with SANDBOX_URL set; prints `ok N - ...` / `not ok N - ...` lines.
"""
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

import yaml
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

SANDBOX = os.environ["SANDBOX_URL"]
BASE = "/webservice/rest-api/customer-interface/v1.0"
SPEC = os.environ.get("CARECLOUD_SPEC", os.path.join(os.path.dirname(__file__), "spec/openapi.yaml"))

spec = OpenAPI.from_dict(yaml.safe_load(open(SPEC, encoding="utf-8")))
results = []


def call(method, path, query=None, body=None, token=None, basic=None):
    url = SANDBOX + BASE + path
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if basic:
        import base64
        req.add_header("Authorization", "Basic " + base64.b64encode(f"customer_interface:{basic}".encode()).decode())
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def check(name, method, path, expect, query=None, body=None, token=None, spec_path=None, basic=None):
    """Calls the sandbox and validates the response against the spec; returns the parsed body."""
    status, ctype, raw = call(method, path, query, body, token, basic)
    ok = status == expect
    detail = f"status {status}, expected {expect}"
    if ok and expect == 405:
        # The spec has no operation for an unsupported method: check the BasicError envelope it documents for 405.
        try:
            err = json.loads(raw)["error"]
            ok = all(isinstance(err.get(k), str) for k in ("type", "exception", "title", "detail")) \
                and isinstance(err.get("error_data", {}).get("http_method"), str)
            detail = "405 body is not a BasicError with error_data.http_method"
        except (ValueError, KeyError, TypeError, AttributeError):
            ok, detail = False, "405 body is not JSON"
    elif ok:
        request = MockRequest("https://sandbox.crmcarecloud.com", method.lower(), BASE + (spec_path or path),
                              args=query or {}, data=json.dumps(body).encode() if body is not None else None,
                              headers={"Authorization": f"Bearer {token}"} if token else {},
                              content_type="application/json")
        mime = ctype.split(";")[0].strip() or "application/json"
        response = MockResponse(data=raw, status_code=status, content_type=mime)
        try:
            spec.validate_response(request, response)
        except Exception as e:  # the validator's own error types; their text names the failing field
            ok = False
            cause = e.__cause__ or e
            text = f"{type(e).__name__}: {cause}"
            detail = text if len(text) < 700 else text[:200] + " … " + text[-450:]
    results.append((ok, f"{method} {spec_path or path} -> {expect}: {name}", detail))
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def control(method, what, query=""):
    req = urllib.request.Request(SANDBOX + "/__sandbox/" + what + query, method=method)
    with urllib.request.urlopen(req, timeout=10) as r:
        raw = r.read()
    return json.loads(raw) if raw else None


def strict(name, method, path, reasons, query=None, body=None, token=None, spec_path=None):
    """A spec-invalid request: 400 in CareCloud's shape (validated like any response), naming exactly the expected
    `name: reason` pairs, and logged as a violation (which this takes off the log)."""
    got = check(name, method, path, 400, query=query, body=body, token=token, spec_path=spec_path)
    params = ((got or {}).get("error", {}).get("error_data", {}) or {}).get("invalid_params", [])
    seen = sorted(f"{p.get('name')}: {p.get('reason')}" for p in params)
    # The log masks token ids in paths: those are found by their template.
    prefix = spec_path if spec_path and "{token_id}" in spec_path else path
    logged = control("DELETE", "violations", "?path=" + urllib.parse.quote(prefix))
    logged_params = sorted(f"{p['name']}: {p['reason']}" for v in logged for p in v["invalid_params"])
    ok = seen == sorted(reasons) and logged_params == seen
    results.append((ok, f"  {name}: invalid_params and the violation log",
                    f"answered {seen}, logged {logged_params}, expected {sorted(reasons)}"))


def token_for(device):
    body = {"device": {"device_id": device, "device_system": "test", "device_name": "conformance", "device_type": "test"},
            "setup": {"language_id": "en", "allowed_gps": False, "allowed_notifications": False},
            "external_application_id": "sandbox-app"}
    return check("create a device token", "POST", "/tokens", 201, body=body)["data"]["token_id"]


urllib.request.urlopen(urllib.request.Request(SANDBOX + "/__sandbox/reset", method="POST"), timeout=10).read()
t = token_for("conf-1")
check("echo", "GET", "/tests/connection", 200, query={"test_string": "hello"})
check("deprecated Basic customer_interface:<token> still answers", "GET", "/stores", 200, query={"count": 1}, basic=t)
check("languages", "GET", "/languages", 200)
channels = check("communication channels", "GET", "/communication-channels", 200)["data"]["communication_channels"]
email_channel = next(c["communication_channel_id"] for c in channels if c["text_id"] == "email")
check("one communication channel", "GET", f"/communication-channels/{email_channel}", 200,
      spec_path="/communication-channels/{communication_channel_id}")
strict("missing device is 400 required", "POST", "/tokens", ["device: required"],
       body={"setup": {"language_id": "en", "allowed_gps": False, "allowed_notifications": False}, "external_application_id": "sandbox-app"})
check("update setup", "PUT", f"/tokens/{t}", 204, token=t, spec_path="/tokens/{token_id}",
      body={"setup": {"language_id": "cs", "allowed_gps": True, "allowed_notifications": False}})
check("wrong password is 400", "POST", f"/tokens/{t}/actions/login", 400, token=t, spec_path="/tokens/{token_id}/actions/login",
      body={"login_type": "email", "login_value": "alice@example.com", "password": "nope"})
check("customers need a login: 403", "GET", "/customers", 403, token=t)
login = check("login by e-mail", "POST", f"/tokens/{t}/actions/login", 200, token=t, spec_path="/tokens/{token_id}/actions/login",
              body={"login_type": "email", "login_value": "alice@example.com", "password": "Passw0rd1"})
cid = login["data"]["customer_id"]
check("the logged-in customer", "GET", "/customers", 200, token=t)
check("one customer", "GET", f"/customers/{cid}", 200, token=t, spec_path="/customers/{customer_id}")
check("another customer's id is 400", "GET", "/customers/8ea6abece4cd0a4ded0a29f0b2", 400, token=t, spec_path="/customers/{customer_id}")
me = check("one customer (again, for PUT)", "GET", f"/customers/{cid}", 200, token=t, spec_path="/customers/{customer_id}")["data"]
for read_only in ("customer_id", "doi_email", "doi_phone", "last_change", "state"):
    me.pop(read_only, None)
strict("a read-only field in PUT is refused", "PUT", f"/customers/{cid}", ["customer.last_change: not_allowed_value"],
       token=t, spec_path="/customers/{customer_id}", body={"customer": {**me, "last_change": "2026-01-01 00:00:00"}})
check("PUT replaces the record", "PUT", f"/customers/{cid}", 204, token=t, spec_path="/customers/{customer_id}", body={"customer": me})
check("points", "GET", f"/customers/{cid}/points", 200, token=t, spec_path="/customers/{customer_id}/points")
check("points overview", "GET", "/wallet/actions/points-overview", 200, token=t, query={"customer_id": cid})
check("rewards page", "GET", "/rewards", 200, token=t, query={"count": 5, "offset": 10, "sort_field": "points_cost", "sort_direction": "DESC"})
strict("count=0 is 400", "GET", "/rewards", ["count: not_allowed_value"], token=t, query={"count": 0})
strict("count must be an integer", "GET", "/rewards", ["count: invalid_value_format"], token=t, query={"count": "ten"})
strict("without_stores is true or false", "GET", "/rewards", ["without_stores: invalid_value_format"], token=t,
       query={"without_stores": "maybe"})
strict("language_list_type is an enum", "GET", "/languages", ["language_list_type: not_allowed_value"],
       query={"language_list_type": "klingon"})
strict("create-voucher needs customer_id", "POST", "/rewards/r00001/actions/create-voucher", ["customer_id: required"],
       token=t, spec_path="/rewards/{reward_id}/actions/create-voucher", body={"note": "no customer"})
check("one reward", "GET", "/rewards/r00001", 200, token=t, spec_path="/rewards/{reward_id}")
check("missing reward is 404", "GET", "/rewards/nope", 404, token=t, spec_path="/rewards/{reward_id}")
v = check("redeem", "POST", "/rewards/r00001/actions/create-voucher", 201, token=t,
          spec_path="/rewards/{reward_id}/actions/create-voucher", body={"customer_id": cid, "note": "conformance"})
check("vouchers", "GET", f"/customers/{cid}/vouchers", 200, token=t, spec_path="/customers/{customer_id}/vouchers")
check("one voucher", "GET", f"/vouchers/{v['data']['voucher_id']}", 200, token=t, spec_path="/vouchers/{voucher_id}")
check("purchases", "GET", f"/customers/{cid}/purchases", 200, token=t, spec_path="/customers/{customer_id}/purchases")
check("stores", "GET", "/stores", 200, token=t, query={"count": 5})
check("one store", "GET", "/stores/s0001", 200, token=t, spec_path="/stores/{store_id}")
check("products", "GET", "/products", 200, token=t, query={"count": 5})
check("messages", "GET", "/messages", 200, token=t)
# Cards, point history, vouchers, messages, purchases, reward details and reference data (portals and kiosks).
cards = check("cards of the logged-in customer", "GET", "/cards", 200, token=t, query={"customer_id": cid})["data"]["cards"]
check("cards as a customer sub-resource", "GET", f"/customers/{cid}/cards", 200, token=t, spec_path="/customers/{customer_id}/cards",
      query={"is_valid": "true"})
check("one card", "GET", f"/cards/{cards[0]['card_id']}", 200, token=t, spec_path="/cards/{card_id}")
check("bob's card is not alice's: 400", "GET", "/cards/c10001", 400, token=t, spec_path="/cards/{card_id}")
check("a digital card file", "POST", "/cards/actions/generate-digital-card-file", 200, token=t,
      body={"card_id": cards[0]["card_id"], "file_type": "wallet"})
strict("a digital card file of an unknown type", "POST", "/cards/actions/generate-digital-card-file",
       ["file_type: not_allowed_value"], token=t, body={"card_id": cards[0]["card_id"], "file_type": "gif"})
check("point history", "GET", "/point-history", 200, token=t, query={"customer_id": cid, "count": 5})
strict("point history needs customer_id", "GET", "/point-history", ["customer_id: required"], token=t)
vouchers = check("vouchers by customer", "GET", "/vouchers", 200, token=t, query={"customer_id": cid, "is_applied": "false"})["data"]["vouchers"]
check("gift-card balance", "POST", "/vouchers/actions/gift-card-balance", 200, token=t, body={"code": vouchers[0]["code"]})
check("apply a voucher", "POST", f"/vouchers/{vouchers[0]['voucher_id']}/actions/apply-voucher", 204, token=t,
      spec_path="/vouchers/{voucher_id}/actions/apply-voucher", body={"date_applied": "2026-11-27 10:00:00", "store_id": "s0001"})
check("an applied voucher cannot be applied again", "POST", f"/vouchers/{vouchers[0]['voucher_id']}/actions/apply-voucher", 400,
      token=t, spec_path="/vouchers/{voucher_id}/actions/apply-voucher", body={"date_applied": "2026-11-27 10:00:00"})
check("the applied voucher", "GET", f"/vouchers/{vouchers[0]['voucher_id']}", 200, token=t, spec_path="/vouchers/{voucher_id}")
check("one message", "GET", "/messages/m000001", 200, token=t, spec_path="/messages/{message_id}")
check("a message's bodies", "GET", "/messages/m000001/detail", 200, token=t, spec_path="/messages/{message_id}/detail")
check("one purchase", "GET", "/purchases/pu000001", 200, token=t, spec_path="/purchases/{purchase_id}")
check("a purchase's items", "GET", "/purchases/pu000002/purchase-items", 200, token=t, spec_path="/purchases/{purchase_id}/purchase-items")
check("bob's purchase is not alice's: 400", "GET", "/purchases/pu100001", 400, token=t, spec_path="/purchases/{purchase_id}")
check("reward tags", "GET", "/rewards/tags", 200, token=t)
check("a reward's stores", "GET", "/rewards/r00005/stores", 200, token=t, spec_path="/rewards/{reward_id}/stores")
check("a reward's products", "GET", "/rewards/r00001/products", 200, token=t, spec_path="/rewards/{reward_id}/products")
check("agreements", "GET", "/agreements", 200, token=t)
check("one agreement", "GET", "/agreements/ag01", 200, token=t, spec_path="/agreements/{agreement_id}")
check("countries", "GET", "/countries", 200, token=t)
check("registration ability of a known e-mail", "POST", "/customers/actions/check-registration-ability", 200, token=t,
      body={"type": "email", "value": "alice@example.com"})
strict("registration ability by fax", "POST", "/customers/actions/check-registration-ability", ["type: not_allowed_value"],
       token=t, body={"type": "fax", "value": "1"})
check("validate a password", "POST", "/customers/actions/validate-customer-data", 200, body={"type": "password", "value": "Str0ngPassw"})
check("auth-token handoff", "GET", f"/tokens/{t}/actions/auth-token", 200, token=t, spec_path="/tokens/{token_id}/actions/auth-token",
      query={"external_application_id": "other-app", "token_type": 1})
check("password setup e-mail", "POST", f"/tokens/{t}/actions/send-password-setup-email", 204, token=t,
      spec_path="/tokens/{token_id}/actions/send-password-setup-email", body={"communication_channel_id": email_channel, "recipient": "alice@example.com"})
check("an unknown channel id is 400", "POST", f"/tokens/{t}/actions/send-password-setup-email", 400, token=t,
      spec_path="/tokens/{token_id}/actions/send-password-setup-email", body={"communication_channel_id": "email", "recipient": "a@b.c"})
check("logout", "POST", f"/tokens/{t}/actions/logout", 204, token=t, spec_path="/tokens/{token_id}/actions/logout")
t2 = token_for("conf-2")
strict("a non-string password is refused", "POST", "/customers", ["password: invalid_value_format"], token=t2,
       body={"customer": {"personal_information": {"language_id": "en", "email": "cleo@example.com"}},
             "customer_source": {"customer_source_id": "src-web"}, "autologin": True, "password": 12345678})
cleo = check("registration with autologin", "POST", "/customers", 201, token=t2,
             body={"customer": {"personal_information": {"first_name": "Cleo", "last_name": "Test", "email": "cleo@example.com",
                                                         "language_id": "en"}, "unknown_field": "tolerated"},
                   "customer_source": {"customer_source_id": "src-web"}, "autologin": True, "password": "Str0ngPassw"})
check("the registered customer reads back spec-valid", "GET", f"/customers/{cleo['data']['customer_id']}", 200, token=t2,
      spec_path="/customers/{customer_id}")
check("not enough points is 400", "POST", "/rewards/r00100/actions/create-voucher", 400, token=t2,
      spec_path="/rewards/{reward_id}/actions/create-voucher", body={"customer_id": cleo["data"]["customer_id"]})
token_for("conf-1")  # replaces the first token
check("a replaced token is 401", "GET", "/rewards", 401, token=t)
check("no token is 401", "GET", "/stores", 401)
check("unsupported method is 405", "DELETE", "/rewards", 405, token=t2)
logged = [v["invalid_params"] for v in control("DELETE", "violations", "?path=/rewards")]
results.append((logged == [[{"name": "path", "reason": "the customer interface has no operation with this method on this path"}]],
                "  unsupported method: logged as a violation (no operation matches)", json.dumps(logged)[:300]))
status = call("GET", "/audiences", token=t2)[0]  # enterprise-only: not in the customer interface's spec
logged = [v["invalid_params"] for v in control("DELETE", "violations", "?path=/audiences")]
results.append((status == 404 and logged == [[{"name": "path", "reason": "no operation of the customer interface has this path"}]],
                "GET /audiences (enterprise-only) -> 404, logged as a violation", f"status {status}, logged {json.dumps(logged)[:300]}"))

left = control("GET", "violations")
results.append((not left, "no request of this test was refused by the strict sandbox", json.dumps(left)[:700]))

failed = 0
for i, (ok, name, detail) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    if not ok:
        failed += 1
        print(f"# {detail}")
print(f"# {len(results) - failed}/{len(results)} routes conform to openapi.yaml")
sys.exit(1 if failed else 0)
