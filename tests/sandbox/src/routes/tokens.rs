//! Device tokens (a newer token for the same device and application replaces the older one), customer login and
//! logout on a token, the password-setup e-mail and the authentication-token handoff.

use crate::api::{Api, Ctx, Token};
use crate::reply::{
    body_json, data, error, forbidden, invalid, method_not_allowed, no_content, not_found,
    req_bool, req_str, Res,
};
use crate::seed;
use serde_json::{json, Map, Value};

pub fn route(api: &mut Api, cx: &Ctx, segs: &[&str]) -> Option<Res> {
    Some(match (cx.method(), segs) {
        ("POST", ["tokens"]) => create(api, cx),
        ("PUT", ["tokens", id]) => {
            same_token(cx, id, "A token can only update itself.").and_then(|_| update_setup(cx))
        }
        ("POST", ["tokens", id, "actions", action]) => {
            same_token(cx, id, "The token in the path must be the token in use.")
                .and_then(|token| act(api, cx, &token, action))
        }
        ("GET", ["tokens", id, "actions", "auth-token"]) => {
            same_token(cx, id, "The token in the path must be the token in use.")
                .and_then(|_| auth_token(api, cx))
        }
        (m, ["tokens", ..]) => Err(method_not_allowed(m)),
        _ => return None,
    })
}

/// The token in use, which must be the one in the path.
fn same_token(cx: &Ctx, id: &str, why: &str) -> Result<String, crate::http::Response> {
    let token = cx.token()?;
    if id == token {
        Ok(token.to_string())
    } else {
        Err(forbidden(why))
    }
}

fn check_setup(setup: &Map<String, Value>) -> Result<(), crate::http::Response> {
    req_str(setup, "language_id", "setup.language_id")?;
    req_bool(setup, "allowed_gps", "setup.allowed_gps")?;
    req_bool(
        setup,
        "allowed_notifications",
        "setup.allowed_notifications",
    )?;
    Ok(())
}

fn required(name: &str) -> crate::http::Response {
    invalid(
        name,
        "required",
        Value::Null,
        &format!("{name} is required."),
    )
}

fn create(api: &mut Api, cx: &Ctx) -> Res {
    let b = body_json(cx.call.body)?;
    let Some(Value::Object(device)) = b.get("device") else {
        return Err(required("device"));
    };
    let device_id = req_str(device, "device_id", "device.device_id")?.to_string();
    for f in ["device_system", "device_name", "device_type"] {
        req_str(device, f, &format!("device.{f}"))?;
    }
    let Some(Value::Object(setup)) = b.get("setup") else {
        return Err(required("setup"));
    };
    check_setup(setup)?;
    let app = req_str(&b, "external_application_id", "external_application_id")?.to_string();
    if app != seed::APP_ID {
        return Err(error(
            403,
            "forbidden_exception",
            "Forbidden",
            "The external application does not exist or is not a customer application.",
            json!({"external_application_id": app}),
        ));
    }
    let id = api.hex(72);
    // A new token for the same device + application invalidates the old one.
    if let Some(old) = api
        .by_device
        .insert((device_id.clone(), app.clone()), id.clone())
    {
        api.tokens.remove(&old);
    }
    api.tokens.insert(
        id.clone(),
        Token {
            device_id,
            app_id: app,
            customer: None,
        },
    );
    data(201, json!({"token_id": id}))
}

fn update_setup(cx: &Ctx) -> Res {
    let b = body_json(cx.call.body)?;
    match b.get("setup") {
        Some(Value::Object(s)) => check_setup(s)?,
        _ => return Err(required("setup")),
    }
    no_content()
}

fn act(api: &mut Api, cx: &Ctx, token: &str, action: &str) -> Res {
    let b = body_json(cx.call.body)?;
    match action {
        "login" => login(api, token, &b),
        "logout" => {
            if let Some(t) = api.tokens.get_mut(token) {
                t.customer = None;
            }
            no_content()
        }
        "send-password-setup-email" => {
            if b.get("recipient").is_none() && b.get("email").is_none() {
                return Err(required("recipient"));
            }
            // The channel is an id from GET /communication-channels, not its text_id.
            if let Some(channel) = b.get("communication_channel_id").and_then(Value::as_str) {
                let known = seed::communication_channels()
                    .iter()
                    .any(|c| c["communication_channel_id"] == channel);
                if !known {
                    return Err(invalid(
                        "communication_channel_id",
                        "not_found",
                        json!(channel),
                        "No communication channel with this id.",
                    ));
                }
            }
            no_content()
        }
        _ => Err(not_found("actions", action)),
    }
}

fn login(api: &mut Api, token: &str, b: &Map<String, Value>) -> Res {
    let kind = req_str(b, "login_type", "login_type")?;
    let value = req_str(b, "login_value", "login_value")?;
    let pw = req_str(b, "password", "password")?;
    if !["email", "card", "phone"].contains(&kind) {
        return Err(invalid(
            "login_type",
            "not_allowed_value",
            json!(kind),
            "login_type is email, card or phone.",
        ));
    }
    let found = api.customers.iter().position(|c| match kind {
        "email" => c.email.eq_ignore_ascii_case(value),
        "card" => c.card == value,
        _ => c.phone == value,
    });
    match found {
        Some(i) if api.customers[i].password == pw => {
            if let Some(t) = api.tokens.get_mut(token) {
                t.customer = Some(i);
            }
            data(200, json!({"customer_id": api.customers[i].id}))
        }
        // One answer for "no such customer" and "wrong password": no account enumeration.
        _ => Err(invalid(
            "login_value",
            "not_found",
            Value::Null,
            "No customer with these credentials.",
        )),
    }
}

fn auth_token(api: &mut Api, cx: &Ctx) -> Res {
    cx.login()?;
    if cx.call.q("external_application_id").is_none() {
        return Err(required("external_application_id"));
    }
    let (a, r) = (api.hex(40), api.hex(24));
    data(
        200,
        json!({"authentication_token": a, "token_request_id": r, "valid_to": "2026-12-31 23:59:59"}),
    )
}
