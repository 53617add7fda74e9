//! The customer interface as `../shared/carecloud/CONTRACT.md` and `openapi.yaml` describe it: `{"data": …}`
//! envelopes, list keys with `total_items`, `count`/`offset`/`sort_*`, CareCloud error bodies, device tokens
//! that a newer token for the same device invalidates, and customer login on a token.

use crate::http::{parse_query, Response};
use crate::seed::{self, Customer};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

pub const BASE: &str = "/webservice/rest-api/customer-interface/v1.0";

pub struct Token {
    pub device_id: String,
    pub app_id: String,
    pub customer: Option<usize>,
}

pub struct Api {
    pub tokens: HashMap<String, Token>,
    pub by_device: HashMap<(String, String), String>,
    pub customers: Vec<Customer>,
    pub rewards: Vec<Value>,
    pub stores: Vec<Value>,
    pub products: Vec<Value>,
    rng: u64,
    next_voucher: u64,
}

/// A request as the API sees it.
pub struct Call<'a> {
    pub method: &'a str,
    /// Path relative to [`BASE`], e.g. `/rewards/r00001`.
    pub path: &'a str,
    pub query: Vec<(String, String)>,
    pub authorization: Option<&'a str>,
    pub body: &'a [u8],
}

impl Call<'_> {
    fn q(&self, k: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    }
}

type Res = Result<Response, Response>;

pub fn error(status: u16, exception: &str, title: &str, detail: &str, data: Value) -> Response {
    Response::json(
        status,
        &json!({"error": {"type": "about:blank", "exception": exception, "title": title, "detail": detail,
                          "error_data": data}}),
    )
}

fn invalid(name: &str, reason: &str, value: Value, message: &str) -> Response {
    error(
        400,
        "bad_request_exception",
        "Bad request",
        message,
        // The spec types `value` as a string: other values are stringified, a missing one is omitted.
        json!({"invalid_params": [match value {
            Value::Null => json!({"name": name, "reason": reason, "message": message}),
            Value::String(v) => json!({"name": name, "reason": reason, "value": v, "message": message}),
            v => json!({"name": name, "reason": reason, "value": v.to_string(), "message": message}),
        }]}),
    )
}

fn unauthorized() -> Response {
    error(
        401,
        "unauthorized_exception",
        "Unauthorized",
        "Missing, invalid or replaced token.",
        json!({}),
    )
}

fn forbidden(detail: &str) -> Response {
    error(403, "forbidden_exception", "Forbidden", detail, json!({}))
}

fn not_found(resource: &str, id: &str) -> Response {
    error(
        404,
        "not_found_exception",
        "Not found",
        &format!("Resource \"{resource}\" not found."),
        json!({"resource_name": resource, "resource_id": id}),
    )
}

fn method_not_allowed(method: &str) -> Response {
    error(
        405,
        "method_not_allowed_exception",
        "Method not allowed",
        "The method is not allowed for this resource.",
        json!({"http_method": method}),
    )
}

fn data(status: u16, v: Value) -> Res {
    Ok(Response::json(status, &json!({ "data": v })))
}

fn no_content() -> Res {
    Ok(Response::new(204))
}

fn body_json(call: &Call) -> Result<Map<String, Value>, Response> {
    if call.body.is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(call.body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(invalid(
            "body",
            "invalid_value_format",
            Value::Null,
            "The request body is not a JSON object.",
        )),
    }
}

fn req_str<'a>(m: &'a Map<String, Value>, k: &str, path: &str) -> Result<&'a str, Response> {
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

fn req_bool(m: &Map<String, Value>, k: &str, path: &str) -> Result<bool, Response> {
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

const PAGING: &[&str] = &["count", "offset", "sort_field", "sort_direction", "mode"];

/// A list response: documented filters by first-level field equality (unknown parameters ignored), sorting, and
/// `count`/`offset` paging with `total_items` counting every match.
fn list(items: &[Value], key: &str, call: &Call, skip: &[&str]) -> Res {
    let count = match call.q("count") {
        None => 100,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if n >= 1 => n,
            _ => {
                return Err(invalid(
                    "count",
                    "invalid_value_format",
                    json!(v),
                    "count must be an integer >= 1.",
                ))
            }
        },
    };
    let offset = match call.q("offset") {
        None => 0,
        Some(v) => match v.parse::<usize>() {
            Ok(n) => n,
            _ => {
                return Err(invalid(
                    "offset",
                    "invalid_value_format",
                    json!(v),
                    "offset must be an integer >= 0.",
                ))
            }
        },
    };
    let desc = match call.q("sort_direction") {
        None => false,
        Some(v) if v.eq_ignore_ascii_case("asc") => false,
        Some(v) if v.eq_ignore_ascii_case("desc") => true,
        Some(v) => {
            return Err(invalid(
                "sort_direction",
                "not_allowed_value",
                json!(v),
                "sort_direction is ASC or DESC.",
            ))
        }
    };
    let mut matched: Vec<&Value> = items
        .iter()
        .filter(|item| {
            call.query.iter().all(|(k, v)| {
                let field = k.trim_end_matches("[]");
                if PAGING.contains(&field) || skip.contains(&field) {
                    return true;
                }
                match item.get(field) {
                    None => true, // not a field of this list: ignored, as CareCloud ignores unknown parameters
                    Some(Value::String(s)) if field == "name" => {
                        s.to_lowercase().contains(&v.to_lowercase())
                    }
                    Some(Value::String(s)) => call
                        .query
                        .iter()
                        .filter(|(k2, _)| k2 == k)
                        .any(|(_, v2)| s == v2),
                    Some(Value::Bool(b)) => (v == "true" || v == "1") == *b,
                    Some(Value::Number(n)) => n.to_string() == *v,
                    Some(_) => true,
                }
            })
        })
        .collect();
    if let Some(field) = call.q("sort_field") {
        let keyf = |v: &Value| -> (Option<f64>, String) {
            match v.get(field) {
                Some(Value::Number(n)) => (n.as_f64(), String::new()),
                Some(Value::String(s)) => (None, s.clone()),
                Some(o) => (None, o.to_string()),
                None => (None, String::new()),
            }
        };
        matched.sort_by(|a, b| {
            let (ka, kb) = (keyf(a), keyf(b));
            let o = match (ka.0, kb.0) {
                (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
                _ => ka.1.cmp(&kb.1),
            };
            if desc {
                o.reverse()
            } else {
                o
            }
        });
    } else if desc {
        matched.reverse();
    }
    let total = matched.len();
    let page: Vec<Value> = matched
        .into_iter()
        .skip(offset)
        .take(count)
        .cloned()
        .collect();
    data(200, json!({ key: page, "total_items": total }))
}

impl Api {
    pub fn new() -> Self {
        Api {
            tokens: HashMap::new(),
            by_device: HashMap::new(),
            customers: seed::customers(),
            rewards: seed::rewards(),
            stores: seed::stores(),
            products: seed::products(),
            rng: 0x9E37_79B9_7F4A_7C15
                ^ std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(1),
            next_voucher: 1,
        }
    }

    fn hex(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        while s.len() < n {
            // xorshift64*: not cryptographic, enough for sandbox ids.
            self.rng ^= self.rng >> 12;
            self.rng ^= self.rng << 25;
            self.rng ^= self.rng >> 27;
            s.push_str(&format!(
                "{:016x}",
                self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D)
            ));
        }
        s.truncate(n);
        s
    }

    /// The token id carried by `Authorization: Bearer <id>` (or the deprecated `Basic base64(user:id)`).
    fn token_of(&self, call: &Call) -> Option<String> {
        let h = call.authorization?.trim();
        let id = if let Some(t) = h.strip_prefix("Bearer ") {
            t.trim().to_string()
        } else if let Some(b) = h.strip_prefix("Basic ") {
            let decoded = base64_decode(b.trim())?;
            let s = String::from_utf8(decoded).ok()?;
            s.split_once(':')?.1.to_string()
        } else {
            return None;
        };
        self.tokens.contains_key(&id).then_some(id)
    }

    fn customer_of(&self, token: &str) -> Option<usize> {
        self.tokens.get(token).and_then(|t| t.customer)
    }

    /// Whether a write is an effect worth logging (it changed state).
    pub fn handle(&mut self, call: &Call) -> Response {
        match self.route(call) {
            Ok(r) | Err(r) => r,
        }
    }

    fn route(&mut self, call: &Call) -> Res {
        let segs: Vec<&str> = call
            .path
            .trim_matches('/')
            .split('/')
            .filter(|s| !s.is_empty())
            .collect();
        let m = call.method;
        // Endpoints that need no token.
        match (m, segs.as_slice()) {
            ("GET", ["tests", "connection"]) => {
                return data(
                    200,
                    json!({"test_string": call.q("test_string").unwrap_or("")}),
                );
            }
            ("GET", ["languages"]) => return list(&seed::languages(), "languages", call, &[]),
            ("POST", ["tokens"]) => return self.create_token(call),
            (_, ["tests", "connection"]) | (_, ["languages"]) | (_, ["tokens"]) => {
                return Err(method_not_allowed(m))
            }
            _ => {}
        }
        let token = self.token_of(call).ok_or_else(unauthorized)?;
        let me = self.customer_of(&token);
        let login = || me.ok_or_else(|| forbidden("This resource needs a logged-in customer."));
        let own =
            |id: &str, me: Option<usize>, customers: &[Customer]| -> Result<usize, Response> {
                let me =
                    me.ok_or_else(|| forbidden("This resource needs a logged-in customer."))?;
                if customers.get(me).is_some_and(|c| c.id == id) {
                    Ok(me)
                } else if customers.iter().any(|c| c.id == id) {
                    Err(invalid(
                        "customer_id",
                        "not_belong_to_logged_in_customer",
                        json!(id),
                        "The customer does not belong to the logged-in customer.",
                    ))
                } else {
                    Err(not_found("customers", id))
                }
            };
        match (m, segs.as_slice()) {
            ("PUT", ["tokens", id]) => {
                if *id != token {
                    return Err(forbidden("A token can only update itself."));
                }
                let b = body_json(call)?;
                match b.get("setup") {
                    Some(Value::Object(s)) => {
                        req_str(s, "language_id", "setup.language_id")?;
                        req_bool(s, "allowed_gps", "setup.allowed_gps")?;
                        req_bool(s, "allowed_notifications", "setup.allowed_notifications")?;
                    }
                    _ => {
                        return Err(invalid(
                            "setup",
                            "required",
                            Value::Null,
                            "setup is required.",
                        ))
                    }
                }
                no_content()
            }
            ("POST", ["tokens", id, "actions", action]) => {
                if *id != token {
                    return Err(forbidden("The token in the path must be the token in use."));
                }
                let b = body_json(call)?;
                match *action {
                    "login" => {
                        let kind = req_str(&b, "login_type", "login_type")?;
                        let value = req_str(&b, "login_value", "login_value")?;
                        let pw = req_str(&b, "password", "password")?;
                        let found = self.customers.iter().position(|c| match kind {
                            "email" => c.email.eq_ignore_ascii_case(value),
                            "card" => c.card == value,
                            "phone" => c.phone == value,
                            _ => false,
                        });
                        if !["email", "card", "phone"].contains(&kind) {
                            return Err(invalid(
                                "login_type",
                                "not_allowed_value",
                                json!(kind),
                                "login_type is email, card or phone.",
                            ));
                        }
                        match found {
                            Some(i) if self.customers[i].password == pw => {
                                if let Some(t) = self.tokens.get_mut(&token) {
                                    t.customer = Some(i);
                                }
                                data(200, json!({"customer_id": self.customers[i].id}))
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
                    "logout" => {
                        if let Some(t) = self.tokens.get_mut(&token) {
                            t.customer = None;
                        }
                        no_content()
                    }
                    "send-password-setup-email" => {
                        if b.get("recipient").is_none() && b.get("email").is_none() {
                            return Err(invalid(
                                "recipient",
                                "required",
                                Value::Null,
                                "recipient is required.",
                            ));
                        }
                        no_content()
                    }
                    _ => Err(not_found("actions", action)),
                }
            }
            ("GET", ["tokens", id, "actions", "auth-token"]) => {
                if *id != token {
                    return Err(forbidden("The token in the path must be the token in use."));
                }
                login()?;
                if call.q("external_application_id").is_none() {
                    return Err(invalid(
                        "external_application_id",
                        "required",
                        Value::Null,
                        "external_application_id is required.",
                    ));
                }
                let (a, r) = (self.hex(40), self.hex(24));
                data(
                    200,
                    json!({"authentication_token": a, "token_request_id": r,
                                 "valid_to": "2026-12-31 23:59:59"}),
                )
            }
            ("GET", ["customers"]) => {
                let i = login()?;
                list(
                    std::slice::from_ref(&self.customers[i].record),
                    "customers",
                    call,
                    &[],
                )
            }
            ("POST", ["customers"]) => self.register(call, &token),
            ("GET", ["customers", id]) => {
                let i = own(id, me, &self.customers)?;
                data(200, self.customers[i].record.clone())
            }
            ("PUT", ["customers", id]) => {
                let i = own(id, me, &self.customers)?;
                let b = body_json(call)?;
                let Some(Value::Object(c)) = b.get("customer") else {
                    return Err(invalid(
                        "customer",
                        "required",
                        Value::Null,
                        "customer is required.",
                    ));
                };
                // PUT replaces the whole record: omitted fields are cleared (the id and state are kept).
                let mut rec = Value::Object(c.clone());
                rec["customer_id"] = json!(self.customers[i].id);
                rec["state"] = json!(1);
                if let Some(e) = rec
                    .pointer("/personal_information/email")
                    .and_then(Value::as_str)
                {
                    self.customers[i].email = e.to_string();
                }
                if let Some(Value::String(pw)) = b.get("password") {
                    check_password(pw)?;
                    self.customers[i].password = pw.clone();
                }
                self.customers[i].record = rec;
                no_content()
            }
            ("GET", ["customers", id, "points"]) => {
                let i = own(id, me, &self.customers)?;
                list(
                    &seed::points(&self.customers[i].id, i, self.customers[i].points),
                    "points",
                    call,
                    &[],
                )
            }
            ("GET", ["customers", id, "vouchers"]) => {
                let i = own(id, me, &self.customers)?;
                // `is_valid` / `is_applied` are filters, not fields: derived from the dates.
                let want_valid = call.q("is_valid").map(|v| v == "true" || v == "1");
                let want_applied = call.q("is_applied").map(|v| v == "true" || v == "1");
                let matching: Vec<Value> = self.customers[i]
                    .vouchers
                    .iter()
                    .filter(|v| {
                        let applied = v.get("applied_date").is_some();
                        let valid =
                            !applied && v["valid_to"].as_str().is_some_and(|t| t > seed::TODAY);
                        want_valid.is_none_or(|w| w == valid)
                            && want_applied.is_none_or(|w| w == applied)
                    })
                    .cloned()
                    .collect();
                list(&matching, "vouchers", call, &["is_valid", "is_applied"])
            }
            ("GET", ["customers", id, "purchases"]) => {
                let i = own(id, me, &self.customers)?;
                list(&self.customers[i].purchases, "purchases", call, &[])
            }
            ("GET", ["wallet", "actions", "points-overview"]) => {
                let id = call.q("customer_id").ok_or_else(|| {
                    invalid(
                        "customer_id",
                        "required",
                        Value::Null,
                        "customer_id is required.",
                    )
                })?;
                let i = own(id, me, &self.customers)?;
                let c = &self.customers[i];
                data(
                    200,
                    json!({"earned_points": c.earned, "redeemed_points": c.redeemed,
                                 "available_points": c.points,
                                 "available_points_money_value": [{"currency_id": "CZK", "value": c.points as f64 / 10.0}]}),
                )
            }
            ("GET", ["vouchers", id]) => {
                let i = login()?;
                match self.customers[i]
                    .vouchers
                    .iter()
                    .find(|v| v["voucher_id"] == **id)
                {
                    Some(v) => data(200, v.clone()),
                    None if self
                        .customers
                        .iter()
                        .any(|c| c.vouchers.iter().any(|v| v["voucher_id"] == **id)) =>
                    {
                        Err(invalid(
                            "voucher_id",
                            "not_belong_to_logged_in_customer",
                            json!(id),
                            "The voucher does not belong to the logged-in customer.",
                        ))
                    }
                    None => Err(not_found("vouchers", id)),
                }
            }
            ("GET", ["rewards"]) => match call.q("is_valid").map(|v| v == "true" || v == "1") {
                // `is_valid` is a filter, not a field: derived from the validity dates.
                Some(want) => {
                    let matching: Vec<Value> = self
                        .rewards
                        .iter()
                        .filter(|r| reward_is_valid(r) == want)
                        .cloned()
                        .collect();
                    list(&matching, "rewards", call, &["is_valid"])
                }
                None => list(&self.rewards, "rewards", call, &[]),
            },
            ("GET", ["rewards", id]) => {
                match self.rewards.iter().find(|r| r["reward_id"] == **id) {
                    Some(r) => data(200, r.clone()),
                    None => Err(not_found("rewards", id)),
                }
            }
            ("POST", ["rewards", id, "actions", "create-voucher"]) => {
                let i = login()?;
                let b = body_json(call)?;
                if let Some(Value::String(cid)) = b.get("customer_id") {
                    own(cid, me, &self.customers)?;
                }
                let reward = self
                    .rewards
                    .iter()
                    .find(|r| r["reward_id"] == **id)
                    .cloned();
                let Some(reward) = reward else {
                    return Err(not_found("rewards", id));
                };
                if !reward_is_valid(&reward) {
                    return Err(invalid(
                        "reward_id",
                        "not_allowed_value",
                        json!(id),
                        "The reward is not valid.",
                    ));
                }
                let cost = reward["points_cost"].as_i64().unwrap_or(0);
                let c = &mut self.customers[i];
                if c.points < cost {
                    return Err(invalid(
                        "reward_id",
                        "not_enough_points_for_voucher",
                        json!(id),
                        "Not enough points for this voucher.",
                    ));
                }
                c.points -= cost;
                c.redeemed += cost;
                let vid = format!("vn{:06}", self.next_voucher);
                self.next_voucher += 1;
                let code = b
                    .get("code")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("NEW{}", vid.to_uppercase()));
                let customer_id = self.customers[i].id.clone();
                let voucher = seed::voucher(
                    &customer_id,
                    &vid,
                    &code,
                    cost as f64,
                    seed::TODAY,
                    &reward,
                    None,
                );
                self.customers[i].vouchers.insert(0, voucher);
                data(201, json!({"voucher_id": vid}))
            }
            ("GET", ["stores"]) => list(&self.stores, "stores", call, &[]),
            ("GET", ["stores", id]) => match self.stores.iter().find(|r| r["store_id"] == **id) {
                Some(r) => data(200, r.clone()),
                None => Err(not_found("stores", id)),
            },
            ("GET", ["products"]) => list(&self.products, "products", call, &[]),
            ("GET", ["products", id]) => {
                match self.products.iter().find(|r| r["product_id"] == **id) {
                    Some(r) => data(200, r.clone()),
                    None => Err(not_found("products", id)),
                }
            }
            ("GET", ["messages"]) => {
                let i = login()?;
                if let Some(cid) = call.q("customer_id") {
                    own(cid, me, &self.customers)?;
                }
                list(
                    &self.customers[i].messages,
                    "messages",
                    call,
                    &["customer_id"],
                )
            }
            (_, ["tokens", ..])
            | (_, ["customers", ..])
            | (_, ["rewards", ..])
            | (_, ["vouchers", _])
            | (_, ["stores", ..])
            | (_, ["products", ..])
            | (_, ["messages"])
            | (_, ["wallet", ..]) => Err(method_not_allowed(m)),
            _ => Err(not_found("resource", call.path)),
        }
    }

    fn create_token(&mut self, call: &Call) -> Res {
        let b = body_json(call)?;
        let Some(Value::Object(device)) = b.get("device") else {
            return Err(invalid(
                "device",
                "required",
                Value::Null,
                "device is required.",
            ));
        };
        let device_id = req_str(device, "device_id", "device.device_id")?.to_string();
        for f in ["device_system", "device_name", "device_type"] {
            req_str(device, f, &format!("device.{f}"))?;
        }
        let Some(Value::Object(setup)) = b.get("setup") else {
            return Err(invalid(
                "setup",
                "required",
                Value::Null,
                "setup is required.",
            ));
        };
        req_str(setup, "language_id", "setup.language_id")?;
        req_bool(setup, "allowed_gps", "setup.allowed_gps")?;
        req_bool(
            setup,
            "allowed_notifications",
            "setup.allowed_notifications",
        )?;
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
        let id = self.hex(72);
        // A new token for the same device + application invalidates the old one.
        if let Some(old) = self
            .by_device
            .insert((device_id.clone(), app.clone()), id.clone())
        {
            self.tokens.remove(&old);
        }
        self.tokens.insert(
            id.clone(),
            Token {
                device_id,
                app_id: app,
                customer: None,
            },
        );
        data(201, json!({"token_id": id}))
    }

    fn register(&mut self, call: &Call, token: &str) -> Res {
        let b = body_json(call)?;
        let autologin = req_bool(&b, "autologin", "autologin")?;
        let Some(Value::Object(c)) = b.get("customer") else {
            return Err(invalid(
                "customer",
                "required",
                Value::Null,
                "customer is required.",
            ));
        };
        let email = c
            .get("personal_information")
            .and_then(|p| p.get("email"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if email.is_empty() {
            return Err(invalid(
                "customer.personal_information.email",
                "required",
                Value::Null,
                "email is required.",
            ));
        }
        if self
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
            _ if autologin => {
                return Err(invalid(
                    "password",
                    "required",
                    Value::Null,
                    "password is required with autologin.",
                ))
            }
            _ => String::new(),
        };
        let id = self.hex(26);
        let mut record = Value::Object(c.clone());
        record["customer_id"] = json!(id);
        record["state"] = json!(1);
        self.customers.push(Customer {
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
        });
        if autologin {
            let idx = self.customers.len() - 1;
            if let Some(t) = self.tokens.get_mut(token) {
                t.customer = Some(idx);
            }
        }
        data(201, json!({"customer_id": id}))
    }
}

fn reward_is_valid(r: &Value) -> bool {
    r["valid_time_to"].as_str().is_some_and(|t| t > seed::TODAY)
        && r["valid_time_from"]
            .as_str()
            .is_none_or(|f| f <= "2027-12-31 23:59:59")
}

fn check_password(p: &str) -> Result<(), Response> {
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

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        } as u32)
    };
    let bytes: Vec<u8> = s.bytes().filter(|&c| c != b'=').collect();
    let mut out = Vec::new();
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= val(c)? << (18 - 6 * i);
        }
        let n = chunk.len();
        if n < 2 {
            return None;
        }
        out.push((acc >> 16) as u8);
        if n > 2 {
            out.push((acc >> 8) as u8);
        }
        if n > 3 {
            out.push(acc as u8);
        }
    }
    Some(out)
}

/// Parses a query string into pairs (re-exported for the control plane).
pub fn query(q: &str) -> Vec<(String, String)> {
    parse_query(q)
}
