//! The logged-in customer: read, registration and update.

use crate::api::{Api, Ctx};
use crate::paging::list;
use crate::reply::{body_json, data, invalid, method_not_allowed, no_content, req_bool, Res};
use crate::seed::{self, Customer};
use crate::spec;
use serde_json::{json, Map, Value};

pub fn route(api: &mut Api, cx: &Ctx, segs: &[&str]) -> Option<Res> {
    Some(match (cx.method(), segs) {
        ("GET", ["customers"]) => cx.login().and_then(|i| {
            list(
                std::slice::from_ref(&api.customers[i].record),
                "customers",
                cx.call,
                &[],
            )
        }),
        ("POST", ["customers"]) => register(api, cx),
        ("POST", ["customers", "actions", "check-registration-ability"]) => ability(api, cx),
        ("POST", ["customers", "actions", "validate-customer-data"]) => validate_data(cx),
        ("GET", ["customers", id]) => api
            .own(cx, id)
            .and_then(|i| data(200, api.customers[i].record.clone())),
        ("PUT", ["customers", id]) => update(api, cx, id),
        (m, ["customers", ..]) => Err(method_not_allowed(m)),
        _ => return None,
    })
}

/// The record kept for a customer sent in a request: what the `Customer` schema declares (unknown fields
/// dropped, so a later read is spec-valid) plus the server-owned fields.
fn stored(sent: &Map<String, Value>, id: &str) -> Value {
    let spec = spec::get();
    let mut rec = spec.project(spec.schema("Customer"), &Value::Object(sent.clone()));
    rec["customer_id"] = json!(id);
    rec["last_change"] = json!(seed::TODAY);
    rec["state"] = json!(1);
    rec
}

/// Whether a new customer could register with this e-mail or phone (no customer has it yet).
fn ability(api: &Api, cx: &Ctx) -> Res {
    let b = body_json(cx.call.body)?;
    let value = b.get("value").and_then(Value::as_str).unwrap_or("");
    let taken = api
        .customers
        .iter()
        .any(|c| match b.get("type").and_then(Value::as_str) {
            Some("phone") => c.phone == value,
            _ => c.email.eq_ignore_ascii_case(value),
        });
    data(200, json!({"registration_ability": !taken}))
}

/// A proposed password against the password rule, or a referral code (the sandbox knows `FRIEND2024`).
fn validate_data(cx: &Ctx) -> Res {
    let b = body_json(cx.call.body)?;
    let value = b.get("value").and_then(Value::as_str).unwrap_or("");
    let valid = match b.get("type").and_then(Value::as_str) {
        Some("password") => check_password(value).is_ok(),
        _ => value == "FRIEND2024",
    };
    data(200, json!({"is_valid": valid}))
}

fn required(name: &str, message: &str) -> crate::http::Response {
    invalid(name, "required", Value::Null, message)
}

fn update(api: &mut Api, cx: &Ctx, id: &str) -> Res {
    let i = api.own(cx, id)?;
    let b = body_json(cx.call.body)?;
    let Some(Value::Object(c)) = b.get("customer") else {
        return Err(required("customer", "customer is required."));
    };
    // PUT replaces the whole record: omitted fields are cleared; the server-owned ones are kept.
    let old = &api.customers[i].record;
    let mut rec = stored(c, &api.customers[i].id);
    for kept in ["doi_email", "doi_phone"] {
        rec[kept] = old.get(kept).cloned().unwrap_or(json!(""));
    }
    if let Some(e) = rec
        .pointer("/personal_information/email")
        .and_then(Value::as_str)
    {
        api.customers[i].email = e.to_string();
    }
    if let Some(Value::String(pw)) = b.get("password") {
        check_password(pw)?;
        api.customers[i].password = pw.clone();
    }
    api.customers[i].record = rec;
    no_content()
}

fn register(api: &mut Api, cx: &Ctx) -> Res {
    let token = cx.token()?.to_string();
    let b = body_json(cx.call.body)?;
    let autologin = req_bool(&b, "autologin", "autologin")?;
    let Some(Value::Object(c)) = b.get("customer") else {
        return Err(required("customer", "customer is required."));
    };
    let email = c
        .get("personal_information")
        .and_then(|p| p.get("email"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if email.is_empty() {
        return Err(required(
            "customer.personal_information.email",
            "email is required.",
        ));
    }
    if api
        .customers
        .iter()
        .any(|x| x.email.eq_ignore_ascii_case(&email))
    {
        return Err(invalid(
            "customer.personal_information.email",
            "already_exists",
            json!(email),
            "A customer with this e-mail already exists.",
        ));
    }
    let password = match b.get("password") {
        Some(Value::String(p)) => {
            check_password(p)?;
            p.clone()
        }
        _ if autologin => return Err(required("password", "password is required with autologin.")),
        _ => String::new(),
    };
    let id = api.hex(26);
    let record = stored(c, &id);
    api.customers.push(Customer {
        id: id.clone(),
        email,
        phone: String::new(),
        card: String::new(),
        password,
        record,
        points: 0,
        earned: 0,
        redeemed: 0,
        vouchers: Vec::new(),
        purchases: Vec::new(),
        messages: Vec::new(),
        cards: Vec::new(),
    });
    if autologin {
        let idx = api.customers.len() - 1;
        if let Some(t) = api.tokens.get_mut(&token) {
            t.customer = Some(idx);
        }
    }
    data(201, json!({"customer_id": id}))
}

/// CareCloud's password rule: 8+ characters, a digit and an uppercase letter, not a common password.
pub fn check_password(p: &str) -> Result<(), crate::http::Response> {
    let ok = p.chars().count() >= 8
        && p.chars().any(|c| c.is_ascii_digit())
        && p.chars().any(|c| c.is_uppercase())
        && !["Password1", "Passw0rd", "Qwerty123"].contains(&p);
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "password",
            "invalid_value_format",
            Value::Null,
            "At least 8 characters, 1 digit and 1 uppercase letter, not a common password.",
        ))
    }
}
