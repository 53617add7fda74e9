//! CareCloud's response envelopes: `{"data": …}` for success and the `BasicError` / `BadRequestErrorBody` shapes
//! for errors, plus the small body readers the handlers share.

use crate::http::Response;
use serde_json::{json, Map, Value};

/// What a handler answers: `Ok` for success, `Err` for a CareCloud error (both are sent as they are).
pub type Res = Result<Response, Response>;

pub fn error(status: u16, exception: &str, title: &str, detail: &str, data: Value) -> Response {
    Response::json(
        status,
        &json!({"error": {"type": "about:blank", "exception": exception, "title": title, "detail": detail,
                          "error_data": data}}),
    )
}

/// One entry of `error.error_data.invalid_params[]`.
pub struct InvalidParam {
    pub name: String,
    pub reason: String,
    /// The value as sent, when it is safe to echo (never a password or a token).
    pub value: Option<String>,
    pub message: String,
}

impl InvalidParam {
    pub fn new(name: &str, reason: &str, value: Option<String>, message: &str) -> Self {
        InvalidParam {
            name: name.to_string(),
            reason: reason.to_string(),
            value,
            message: message.to_string(),
        }
    }

    fn to_json(&self) -> Value {
        let mut v = json!({"name": self.name, "reason": self.reason, "message": self.message});
        if let Some(value) = &self.value {
            v["value"] = json!(value);
        }
        v
    }
}

/// A 400 listing every invalid parameter, as CareCloud answers a bad request.
pub fn bad_request(params: &[InvalidParam]) -> Response {
    let detail = params
        .first()
        .map(|p| p.message.as_str())
        .unwrap_or("Bad request.");
    error(
        400,
        "bad_request_exception",
        "Bad request",
        detail,
        json!({"invalid_params": params.iter().map(InvalidParam::to_json).collect::<Vec<_>>()}),
    )
}

/// The spec types `value` as a string: strings are echoed, numbers and booleans stringified, others omitted.
pub fn echo(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A 400 for one invalid parameter.
pub fn invalid(name: &str, reason: &str, value: Value, message: &str) -> Response {
    bad_request(&[InvalidParam::new(name, reason, echo(&value), message)])
}

pub fn unauthorized() -> Response {
    error(
        401,
        "unauthorized_exception",
        "Unauthorized",
        "Missing, invalid or replaced token.",
        json!({}),
    )
}

pub fn forbidden(detail: &str) -> Response {
    error(403, "forbidden_exception", "Forbidden", detail, json!({}))
}

pub fn not_found(resource: &str, id: &str) -> Response {
    error(
        404,
        "not_found_exception",
        "Not found",
        &format!("Resource \"{resource}\" not found."),
        json!({"resource_name": resource, "resource_id": id}),
    )
}

pub fn method_not_allowed(method: &str) -> Response {
    error(
        405,
        "method_not_allowed_exception",
        "Method not allowed",
        "The method is not allowed for this resource.",
        json!({"http_method": method}),
    )
}

pub fn data(status: u16, v: Value) -> Res {
    Ok(Response::json(status, &json!({ "data": v })))
}

pub fn no_content() -> Res {
    Ok(Response::new(204))
}

/// The request body as a JSON object (an empty body is an empty object).
pub fn body_json(body: &[u8]) -> Result<Map<String, Value>, Response> {
    if body.is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(invalid(
            "body",
            "invalid_value_format",
            Value::Null,
            "The request body is not a JSON object.",
        )),
    }
}

pub fn req_str<'a>(m: &'a Map<String, Value>, k: &str, path: &str) -> Result<&'a str, Response> {
    match m.get(k) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        Some(Value::String(_)) => Err(invalid(
            path,
            "empty",
            json!(""),
            &format!("{path} must not be empty."),
        )),
        Some(v) => Err(invalid(
            path,
            "invalid_value_format",
            v.clone(),
            &format!("{path} must be a string."),
        )),
        None => Err(invalid(
            path,
            "required",
            Value::Null,
            &format!("{path} is required."),
        )),
    }
}

pub fn req_bool(m: &Map<String, Value>, k: &str, path: &str) -> Result<bool, Response> {
    match m.get(k) {
        Some(Value::Bool(b)) => Ok(*b),
        Some(v) => Err(invalid(
            path,
            "invalid_value_format",
            v.clone(),
            &format!("{path} must be a boolean."),
        )),
        None => Err(invalid(
            path,
            "required",
            Value::Null,
            &format!("{path} is required."),
        )),
    }
}
