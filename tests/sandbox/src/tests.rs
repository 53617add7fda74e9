//! The API driven in-process: authentication, the strict validation against the spec (400 in CareCloud's shape,
//! logged without secrets), and the routes.

use crate::api::{Api, Call};
use crate::{spec, validate};
use serde_json::{json, Value};

const ALICE: &str = "8ea6abece4cd0a4ded0a29f0a1";

struct Client {
    api: Api,
    token: String,
}

impl Client {
    /// A device token with alice logged in.
    fn alice() -> Client {
        let mut c = Client {
            api: Api::new(),
            token: String::new(),
        };
        let device = json!({"device": {"device_id": "t", "device_system": "s", "device_name": "n", "device_type": "t"},
                            "setup": {"language_id": "en", "allowed_gps": false, "allowed_notifications": false},
                            "external_application_id": "sandbox-app"});
        let (status, body) = c.send("POST", "/tokens", "", Some(&device));
        assert_eq!(status, 201, "{body}");
        c.token = body["data"]["token_id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let login = json!({"login_type": "email", "login_value": "alice@example.com", "password": "Passw0rd1"});
        let path = format!("/tokens/{}/actions/login", c.token);
        assert_eq!(c.send("POST", &path, "", Some(&login)).0, 200);
        c
    }

    fn send(
        &mut self,
        method: &str,
        path: &str,
        query: &str,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let auth = format!("Bearer {}", self.token);
        let raw = body.map(Value::to_string).unwrap_or_default();
        let call = Call {
            method,
            path,
            query: crate::http::parse_query(query),
            authorization: (!self.token.is_empty()).then_some(auth.as_str()),
            headers: &[],
            body: raw.as_bytes(),
        };
        let r = self.api.handle(&call);
        (
            r.status,
            serde_json::from_slice(&r.body).unwrap_or(Value::Null),
        )
    }

    fn violations(&self) -> Value {
        self.api.violations.all()
    }
}

/// The `name: reason` pairs of a 400, after checking the body is the spec's `BadRequestErrorBody`.
fn reasons(status: u16, body: &Value) -> Vec<String> {
    assert_eq!(status, 400, "{body}");
    let spec = spec::get();
    let shape = validate::value(spec, spec.schema("BadRequestErrorBody"), body);
    assert!(shape.is_empty(), "400 body off the spec: {body}");
    for k in ["type", "exception", "title", "detail"] {
        assert!(body["error"][k].is_string(), "error.{k} in {body}");
    }
    body["error"]["error_data"]["invalid_params"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            format!(
                "{}: {}",
                p["name"].as_str().unwrap_or("?"),
                p["reason"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

#[test]
fn a_body_without_a_required_property_is_400_and_logged() {
    let mut c = Client::alice();
    let (s, b) = c.send(
        "POST",
        "/rewards/r00001/actions/create-voucher",
        "",
        Some(&json!({"note": "x"})),
    );
    assert_eq!(reasons(s, &b), ["customer_id: required"]);
    let log = c.violations();
    assert_eq!(log[0]["path"], "/rewards/r00001/actions/create-voucher");
    assert_eq!(
        log[0]["invalid_params"],
        json!([{"name": "customer_id", "reason": "required"}])
    );
}

#[test]
fn a_valid_request_passes_and_logs_nothing() {
    let mut c = Client::alice();
    let body = json!({"customer_id": ALICE, "note": "x", "not_in_the_spec": "tolerated"});
    let (s, b) = c.send(
        "POST",
        "/rewards/r00001/actions/create-voucher",
        "",
        Some(&body),
    );
    assert_eq!(s, 201, "{b}");
    assert_eq!(
        c.send(
            "GET",
            "/rewards",
            "count=2&sort_direction=DESC&without_stores=true",
            None
        )
        .0,
        200
    );
    assert_eq!(c.violations(), json!([]));
}

#[test]
fn a_non_string_password_is_refused_without_echoing_it() {
    let mut c = Client::alice();
    let body = json!({"customer": {"personal_information": {"language_id": "en", "email": "n@example.com"}},
                      "customer_source": {"customer_source_id": "web"}, "autologin": true, "password": 12345678});
    let (s, b) = c.send("POST", "/customers", "", Some(&body));
    assert_eq!(reasons(s, &b), ["password: invalid_value_format"]);
    assert!(
        b["error"]["error_data"]["invalid_params"][0]
            .get("value")
            .is_none(),
        "{b}"
    );
}

#[test]
fn a_read_only_property_in_a_body_is_refused() {
    let mut c = Client::alice();
    let body = json!({"customer": {"personal_information": {"language_id": "en"}, "last_change": "2026-01-01 00:00:00"}});
    let (s, b) = c.send("PUT", &format!("/customers/{ALICE}"), "", Some(&body));
    assert_eq!(reasons(s, &b), ["customer.last_change: not_allowed_value"]);
}

#[test]
fn a_date_that_is_not_a_calendar_day_is_refused() {
    // Stored as sent, "2024-13-01" would make every later GET /customers violate the spec (Schemathesis found it).
    let mut c = Client::alice();
    for bad in [
        "2024-13-01",
        "2023-02-29",
        "2024-1-01",
        "01.02.2024",
        "2024-04-31",
    ] {
        let body =
            json!({"customer": {"personal_information": {"language_id": "en", "birthdate": bad}}});
        let (s, b) = c.send("PUT", &format!("/customers/{ALICE}"), "", Some(&body));
        assert_eq!(
            reasons(s, &b),
            ["customer.personal_information.birthdate: invalid_value_format"],
            "{bad}"
        );
    }
    let body = json!({"customer": {"personal_information": {"language_id": "en", "birthdate": "2024-02-29"}}});
    assert_eq!(
        c.send("PUT", &format!("/customers/{ALICE}"), "", Some(&body))
            .0,
        204
    );
}

#[test]
fn a_string_against_its_pattern_is_refused() {
    // Stored as sent, a phone "30*" would make every later GET /customers violate the spec (Schemathesis found it).
    let mut c = Client::alice();
    for (field, bad) in [
        ("phone", "30*"),
        ("phone", "0420"),
        ("email", "no-at-sign.example"),
    ] {
        let body = json!({"customer": {"personal_information": {"language_id": "en", field: bad}}});
        let (s, b) = c.send("PUT", &format!("/customers/{ALICE}"), "", Some(&body));
        assert_eq!(
            reasons(s, &b),
            [format!(
                "customer.personal_information.{field}: invalid_value_format"
            )],
            "{bad}"
        );
    }
    let body = json!({"customer": {"personal_information": {"language_id": "en", "phone": "420123456",
                                                            "email": "alice@example.com"}}});
    assert_eq!(
        c.send("PUT", &format!("/customers/{ALICE}"), "", Some(&body))
            .0,
        204
    );
}

#[test]
fn query_parameters_are_checked_for_type_enum_and_minimum() {
    let mut c = Client::alice();
    for (path, query, want) in [
        (
            "/rewards",
            "without_stores=maybe",
            "without_stores: invalid_value_format",
        ),
        (
            "/languages",
            "language_list_type=klingon",
            "language_list_type: not_allowed_value",
        ),
        ("/rewards", "count=0", "count: not_allowed_value"),
        ("/rewards", "count=ten", "count: invalid_value_format"),
        ("/rewards", "offset=-1", "offset: not_allowed_value"),
        (
            "/rewards",
            "sort_direction=sideways",
            "sort_direction: not_allowed_value",
        ),
    ] {
        let (s, b) = c.send("GET", path, query, None);
        assert_eq!(reasons(s, &b), [want], "{path}?{query}");
    }
}

#[test]
fn an_empty_path_parameter_is_400() {
    let mut c = Client::alice();
    let body = json!({"customer_id": ALICE});
    let (s, b) = c.send("POST", "/rewards//actions/create-voucher", "", Some(&body));
    assert_eq!(reasons(s, &b), ["reward_id: required"]);
}

#[test]
fn the_log_masks_tokens_and_keeps_no_values() {
    let mut c = Client::alice();
    let path = format!("/tokens/{}/actions/login", c.token);
    let body = json!({"login_type": "email", "login_value": "alice@example.com", "password": 1234});
    let (s, b) = c.send("POST", &path, "", Some(&body));
    assert_eq!(reasons(s, &b), ["password: invalid_value_format"]);
    let log = c.violations().to_string();
    assert!(log.contains("/tokens/{token_id}/actions/login"), "{log}");
    assert!(!log.contains(&c.token) && !log.contains("1234"), "{log}");
    assert_eq!(
        c.api.violations.take("/tokens/").as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(c.violations(), json!([]));
}

#[test]
fn authentication_comes_before_validation() {
    let mut c = Client::alice();
    c.token = "not-a-token".into();
    assert_eq!(c.send("GET", "/rewards", "count=0", None).0, 401);
    c.token.clear();
    // Public operations need no token and are still validated.
    let (s, b) = c.send("GET", "/languages", "language_list_type=x", None);
    assert_eq!(reasons(s, &b), ["language_list_type: not_allowed_value"]);
}

#[test]
fn a_customer_put_is_stored_as_the_spec_declares_it() {
    let mut c = Client::alice();
    let body = json!({"customer": {"personal_information": {"language_id": "cs", "first_name": "Al", "nickname": "x"},
                                   "not_in_the_spec": 1}});
    assert_eq!(
        c.send("PUT", &format!("/customers/{ALICE}"), "", Some(&body))
            .0,
        204
    );
    let (s, b) = c.send("GET", &format!("/customers/{ALICE}"), "", None);
    assert_eq!(s, 200);
    let record = &b["data"];
    assert_eq!(record["personal_information"]["first_name"], "Al");
    assert!(record.get("not_in_the_spec").is_none(), "{record}");
    assert!(
        record["personal_information"].get("nickname").is_none(),
        "{record}"
    );
    assert_eq!(record["customer_id"], ALICE);
    assert!(
        record["last_change"].is_string() && record["state"].is_number(),
        "{record}"
    );
}

#[test]
fn operations_are_found_by_method_and_template() {
    let spec = spec::get();
    let find = |m: &str, p: &str| spec.find(m, p).map(|(op, _)| op.template.clone());
    assert_eq!(
        find("GET", "/rewards/tags").as_deref(),
        Some("/rewards/tags")
    );
    assert_eq!(
        find("GET", "/rewards/r1").as_deref(),
        Some("/rewards/{reward_id}")
    );
    assert_eq!(find("DELETE", "/rewards"), None);
    assert!(spec.is_public("/languages") && spec.is_public("/tokens"));
    assert!(!spec.is_public("/rewards") && !spec.is_public("/tokens/abc"));
}

#[test]
fn one_of_needs_a_matching_branch_and_accepts_overlapping_ones() {
    let spec = spec::get();
    let schema = json!({"oneOf": [{"type": "string"}, {"type": "number"}, {"type": "integer"}], "nullable": true});
    assert!(validate::value(spec, &schema, &json!(7)).is_empty());
    assert!(validate::value(spec, &schema, &json!(null)).is_empty());
    let bad = validate::value(spec, &schema, &json!(true));
    assert_eq!(
        bad.first().map(|p| p.reason.as_str()),
        Some("invalid_value_format")
    );
}

#[test]
fn items_belong_to_the_logged_in_customer() {
    let mut c = Client::alice();
    for (mine, bobs, missing) in [
        ("/cards/c00001", "/cards/c10001", "/cards/nope"),
        (
            "/purchases/pu000001",
            "/purchases/pu100001",
            "/purchases/nope",
        ),
        (
            "/messages/m000001/detail",
            "/messages/m100001/detail",
            "/messages/nope/detail",
        ),
    ] {
        assert_eq!(c.send("GET", mine, "", None).0, 200, "{mine}");
        let (s, b) = c.send("GET", bobs, "", None);
        assert_eq!(reasons(s, &b).len(), 1, "{bobs}");
        assert!(
            b.to_string().contains("not_belong_to_logged_in_customer"),
            "{b}"
        );
        assert_eq!(c.send("GET", missing, "", None).0, 404, "{missing}");
    }
}

#[test]
fn a_voucher_applies_once() {
    let mut c = Client::alice();
    let body = json!({"date_applied": "2026-11-27 10:00:00"});
    let path = "/vouchers/v000001/actions/apply-voucher";
    assert_eq!(c.send("POST", path, "", Some(&body)).0, 204);
    let (s, b) = c.send("POST", path, "", Some(&body));
    assert_eq!(reasons(s, &b), ["voucher_id: voucher_already_used"]);
    let (s, b) = c.send(
        "POST",
        "/vouchers/actions/gift-card-balance",
        "",
        Some(&json!({"voucher_id": "v000001"})),
    );
    assert_eq!((s, b["data"]["current_balance"].as_f64()), (200, Some(0.0)));
}

#[test]
fn requests_no_operation_matches_are_logged_and_answered_404_or_405() {
    let mut c = Client::alice();
    // Enterprise-only, misspelt, a method the path lacks; a token-long segment is masked.
    let long = "f".repeat(40);
    for (method, path, status) in [
        ("GET", "/audiences".to_string(), 404),
        ("GET", "/reward".to_string(), 404),
        ("DELETE", "/rewards".to_string(), 405),
        ("GET", format!("/nothing/{long}"), 404),
    ] {
        assert_eq!(c.send(method, &path, "", None).0, status, "{method} {path}");
    }
    let log = c.violations();
    let seen: Vec<(String, String, String)> = log
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| {
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            (
                s("method"),
                s("path"),
                v["invalid_params"][0]["reason"]
                    .as_str()
                    .unwrap_or_default()
                    .into(),
            )
        })
        .collect();
    let no_path = "no operation of the customer interface has this path".to_string();
    assert_eq!(
        seen,
        [
            ("GET".into(), "/audiences".into(), no_path.clone()),
            ("GET".into(), "/reward".into(), no_path.clone()),
            (
                "DELETE".into(),
                "/rewards".into(),
                "the customer interface has no operation with this method on this path".into()
            ),
            ("GET".into(), "/nothing/***".into(), no_path),
        ]
    );
    // A request the spec knows adds nothing.
    assert_eq!(c.send("GET", "/rewards", "count=1", None).0, 200);
    assert_eq!(c.violations().as_array().map(Vec::len), Some(4));
}
