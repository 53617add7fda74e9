//! The customer interface as `docs/contract.md` and the vendored spec (`tests/sandbox/spec/`) describe it: the sandbox's
//! in-memory state, authentication (Bearer, and the deprecated Basic), and the dispatch of a request to the
//! resource modules in [`crate::routes`].

use crate::http::{parse_query, Response};
use crate::reply::{bad_request, forbidden, invalid, not_found, unauthorized, Res};
use crate::seed::{self, Customer};
use crate::violations::Violations;
use crate::{spec, validate};
use serde_json::{json, Value};
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
    pub next_voucher: u64,
    pub violations: Violations,
}

/// A request as the API sees it.
pub struct Call<'a> {
    pub method: &'a str,
    /// Path relative to [`BASE`], e.g. `/rewards/r00001`.
    pub path: &'a str,
    pub query: Vec<(String, String)>,
    pub authorization: Option<&'a str>,
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

impl Call<'_> {
    /// The first value of a query parameter.
    pub fn q(&self, k: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    }

    /// A boolean query filter (`true`/`1` or anything else), `None` when absent.
    pub fn flag(&self, k: &str) -> Option<bool> {
        self.q(k).map(|v| v == "true" || v == "1")
    }
}

/// A request with who is calling: the token in use and the customer logged in on it.
pub struct Ctx<'a> {
    pub call: &'a Call<'a>,
    pub token: Option<String>,
    pub me: Option<usize>,
}

impl Ctx<'_> {
    pub fn method(&self) -> &str {
        self.call.method
    }

    /// The token in use; every route that is not public needs one.
    pub fn token(&self) -> Result<&str, Response> {
        self.token.as_deref().ok_or_else(unauthorized)
    }

    /// The logged-in customer.
    pub fn login(&self) -> Result<usize, Response> {
        self.me
            .ok_or_else(|| forbidden("This resource needs a logged-in customer."))
    }
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
            violations: Violations::default(),
        }
    }

    /// `n` random hex digits (ids and tokens).
    pub fn hex(&mut self, n: usize) -> String {
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

    /// The index of customer `id` when it is the logged-in customer; a 400 for another customer, 404 for none.
    pub fn own(&self, cx: &Ctx, id: &str) -> Result<usize, Response> {
        let me = cx.login()?;
        if self.customers.get(me).is_some_and(|c| c.id == id) {
            Ok(me)
        } else if self.customers.iter().any(|c| c.id == id) {
            Err(invalid(
                "customer_id",
                "not_belong_to_logged_in_customer",
                json!(id),
                "The customer does not belong to the logged-in customer.",
            ))
        } else {
            Err(not_found("customers", id))
        }
    }

    /// The customer a `customer_id` query parameter names (it must be the logged-in one), else the logged-in one.
    pub fn customer_param(&self, cx: &Ctx) -> Result<usize, Response> {
        match cx.call.q("customer_id") {
            Some(id) => self.own(cx, id),
            None => cx.login(),
        }
    }

    /// The logged-in customer's item whose `key` is `id`, as (customer, item) indexes: 400
    /// `not_belong_to_logged_in_customer` when it is another customer's, 404 when nobody's.
    pub fn owned(
        &self,
        cx: &Ctx,
        items: fn(&Customer) -> &[Value],
        key: &str,
        id: &str,
        resource: &str,
    ) -> Result<(usize, usize), Response> {
        let me = cx.login()?;
        let find = |c: &Customer| items(c).iter().position(|v| v[key] == id);
        if let Some(j) = self.customers.get(me).and_then(find) {
            return Ok((me, j));
        }
        if self.customers.iter().any(|c| find(c).is_some()) {
            Err(invalid(
                key,
                "not_belong_to_logged_in_customer",
                json!(id),
                &format!("The {resource} item does not belong to the logged-in customer."),
            ))
        } else {
            Err(not_found(resource, id))
        }
    }

    pub fn handle(&mut self, call: &Call) -> Response {
        match self.route(call) {
            Ok(r) | Err(r) => r,
        }
    }

    /// Authentication (401), then the request against the spec (400, logged), then the route. A request no
    /// operation of the spec matches is logged too (the real API has no such operation for it), then routed (to
    /// its 404 or 405).
    fn route(&mut self, call: &Call) -> Res {
        let spec = spec::get();
        if let Some(reason) = spec.mismatch(call.method, call.path) {
            self.violations
                .record_mismatch(call.method, call.path, reason);
        }
        let token = self.token_of(call);
        if token.is_none() && !spec.is_public(call.path) {
            return Err(unauthorized());
        }
        if let Some((op, path_params)) = spec.find(call.method, call.path) {
            let request = validate::Request {
                path_params: &path_params,
                query: &call.query,
                headers: call.headers,
                body: call.body,
            };
            let bad = validate::request(spec, op, &request);
            if !bad.is_empty() {
                self.violations
                    .record(call.method, call.path, &call.query, op, &bad);
                return Err(bad_request(&bad));
            }
        }
        let segs: Vec<&str> = call
            .path
            .trim_matches('/')
            .split('/')
            .filter(|s| !s.is_empty())
            .collect();
        let me = token
            .as_ref()
            .and_then(|t| self.tokens.get(t))
            .and_then(|t| t.customer);
        let cx = Ctx { call, token, me };
        crate::routes::dispatch(self, &cx, &segs)
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
