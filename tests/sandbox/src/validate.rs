//! A strict reading of each request against the operation the spec declares for it: path, query and header
//! parameters (type, enum, minimum/maximum, required; arrays as `name[]=a&name[]=b`) and the JSON body against its
//! schema (required properties, types, enums, nested objects and arrays, `$ref`, `allOf`, `oneOf`, `nullable`).
//!
//! Unknown query parameters and unknown body properties are tolerated: CareCloud asks clients to be lenient and
//! the spec never sets `additionalProperties: false`. `pattern` is checked with the `regex` crate (a pattern it
//! cannot compile is not checked); of `format`, `date` (YYYY-MM-DD) is checked.
//!
//! A `readOnly` property in a request body is refused (reason `not_allowed_value`, the closest of the spec's
//! generic reason codes): CareCloud would ignore it, but a client that sends server-owned fields (`customer_id`,
//! `last_change`, `state`, …) back is relying on behaviour the contract does not promise, and the sandbox is
//! strict so that such a client is caught in tests.

use crate::reply::InvalidParam;
use crate::spec::{In, Operation, Spec};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// What a request carries, as the validator needs it.
pub struct Request<'a> {
    pub path_params: &'a [(&'a str, String)],
    pub query: &'a [(String, String)],
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

/// Every violation of `op` in `req` (empty: the request is valid).
pub fn request(spec: &Spec, op: &Operation, req: &Request) -> Vec<InvalidParam> {
    let mut out = Vec::new();
    for p in &op.params {
        let values: Vec<&str> = match p.place {
            In::Path => req
                .path_params
                .iter()
                .filter(|(n, v)| *n == p.name && !v.is_empty())
                .map(|(_, v)| v.as_str())
                .collect(),
            In::Query => req
                .query
                .iter()
                .filter(|(n, _)| *n == p.name || n.strip_suffix("[]") == Some(p.name.as_str()))
                .map(|(_, v)| v.as_str())
                .collect(),
            In::Header => req
                .headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(&p.name))
                .map(|(_, v)| v.as_str())
                .collect(),
        };
        parameter(spec, &p.name, &p.schema, p.required, &values, &mut out);
    }
    if let Some((schema, required)) = &op.body {
        body(spec, schema, *required, req.body, &mut out);
    }
    out
}

/// Every violation of `schema` by a JSON value (read as a request: `readOnly` properties refused).
pub fn value(spec: &Spec, schema: &Value, v: &Value) -> Vec<InvalidParam> {
    let mut out = Vec::new();
    Check {
        spec,
        out: &mut out,
    }
    .value(schema, v, "");
    out
}

fn parameter(
    spec: &Spec,
    name: &str,
    schema: &Value,
    required: bool,
    values: &[&str],
    out: &mut Vec<InvalidParam>,
) {
    let schema = spec.resolve(schema);
    if values.is_empty() {
        if required {
            out.push(InvalidParam::new(
                name,
                "required",
                None,
                &format!("{name} is required."),
            ));
        }
        return;
    }
    let value = if schema.get("type").and_then(Value::as_str) == Some("array") {
        let item = schema
            .get("items")
            .map(|i| spec.resolve(i))
            .unwrap_or(&Value::Null);
        Value::Array(values.iter().map(|v| from_text(item, v)).collect())
    } else {
        from_text(schema, values.first().copied().unwrap_or(""))
    };
    Check { spec, out }.value(schema, &value, name);
}

/// A parameter's text as the JSON value its schema types it as (left a string when it does not parse, so the type
/// check reports it).
fn from_text(schema: &Value, text: &str) -> Value {
    let parsed = match schema.get("type").and_then(Value::as_str) {
        Some("integer") => text.parse::<i64>().ok().map(Value::from),
        Some("number") => text
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Value::from),
        Some("boolean") => match text {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        _ => None,
    };
    parsed.unwrap_or_else(|| Value::String(text.to_string()))
}

fn body(spec: &Spec, schema: &Value, required: bool, raw: &[u8], out: &mut Vec<InvalidParam>) {
    if raw.iter().all(u8::is_ascii_whitespace) {
        if required {
            out.push(InvalidParam::new(
                "body",
                "required",
                None,
                "A JSON request body is required.",
            ));
        }
        return;
    }
    match serde_json::from_slice::<Value>(raw) {
        Ok(v) => Check { spec, out }.value(schema, &v, ""),
        Err(_) => out.push(InvalidParam::new(
            "body",
            "invalid_value_format",
            None,
            "The request body is not JSON.",
        )),
    }
}

/// One walk of a value against a schema, collecting violations.
struct Check<'a> {
    spec: &'a Spec,
    out: &'a mut Vec<InvalidParam>,
}

impl Check<'_> {
    fn fail(&mut self, name: &str, reason: &str, schema: &Value, value: &Value, message: String) {
        let name = if name.is_empty() { "body" } else { name };
        self.out.push(InvalidParam::new(
            name,
            reason,
            safe_echo(name, schema, value),
            &message,
        ));
    }

    fn value(&mut self, schema: &Value, v: &Value, name: &str) {
        let schema = self.spec.resolve(schema);
        if v.is_null() {
            if schema.get("nullable").and_then(Value::as_bool) != Some(true) && !schema.is_null() {
                self.fail(
                    name,
                    "invalid_value_format",
                    schema,
                    v,
                    format!("{} must not be null.", label(name)),
                );
            }
            return;
        }
        for branch in schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.value(branch, v, name);
        }
        if let Some(branches) = schema.get("oneOf").and_then(Value::as_array) {
            // At least one branch: the spec's `oneOf`s overlap (`number` and `integer`), so "exactly one" would
            // refuse every integer.
            if !branches.iter().any(|b| self.passes(b, v)) {
                self.fail(
                    name,
                    "invalid_value_format",
                    schema,
                    v,
                    format!("{} has none of the allowed shapes.", label(name)),
                );
            }
        }
        if let Some(t) = schema.get("type").and_then(Value::as_str) {
            if !has_type(v, t) {
                self.fail(
                    name,
                    "invalid_value_format",
                    schema,
                    v,
                    format!("{} must be of type {t}.", label(name)),
                );
                return;
            }
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
            if !allowed.iter().any(|a| same(a, v)) {
                self.fail(
                    name,
                    "not_allowed_value",
                    schema,
                    v,
                    format!("{} is not one of the allowed values.", label(name)),
                );
            }
        }
        if let (Some("date" | "YYYY-MM-DD"), Some(text)) =
            (schema.get("format").and_then(Value::as_str), v.as_str())
        {
            if !is_date(text) {
                self.fail(
                    name,
                    "invalid_value_format",
                    schema,
                    v,
                    format!("{} must be a date (YYYY-MM-DD).", label(name)),
                );
            }
        }
        if let (Some(pattern), Some(text)) =
            (schema.get("pattern").and_then(Value::as_str), v.as_str())
        {
            if !matches_pattern(pattern, text) {
                self.fail(
                    name,
                    "invalid_value_format",
                    schema,
                    v,
                    format!("{} does not have the required format.", label(name)),
                );
            }
        }
        self.bounds(schema, v, name);
        match v {
            Value::Object(m) => self.object(schema, m, name),
            Value::Array(items) => self.array(schema, items, name),
            _ => {}
        }
    }

    fn passes(&self, schema: &Value, v: &Value) -> bool {
        value(self.spec, schema, v).is_empty()
    }

    fn bounds(&mut self, schema: &Value, v: &Value, name: &str) {
        let Some(n) = v.as_f64() else { return };
        if let Some(min) = schema.get("minimum").and_then(Value::as_f64) {
            if n < min {
                self.fail(
                    name,
                    "not_allowed_value",
                    schema,
                    v,
                    format!("{} must be at least {min}.", label(name)),
                );
            }
        }
        if let Some(max) = schema.get("maximum").and_then(Value::as_f64) {
            if n > max {
                self.fail(
                    name,
                    "not_allowed_value",
                    schema,
                    v,
                    format!("{} must be at most {max}.", label(name)),
                );
            }
        }
    }

    fn object(&mut self, schema: &Value, m: &serde_json::Map<String, Value>, name: &str) {
        let mut props = serde_json::Map::new();
        self.spec.properties(schema, &mut props);
        let required = schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        for key in required.filter_map(Value::as_str) {
            let read_only = props.get(key).is_some_and(|p| self.read_only(p));
            if !m.contains_key(key) && !read_only {
                let field = join(name, key);
                self.out.push(InvalidParam::new(
                    &field,
                    "required",
                    None,
                    &format!("{field} is required."),
                ));
            }
        }
        // Only this schema's own properties: `allOf` branches check theirs in their own walk.
        let own = schema.get("properties").and_then(Value::as_object);
        for (key, prop) in own.into_iter().flatten() {
            let Some(v) = m.get(key) else { continue };
            let field = join(name, key);
            if self.read_only(prop) {
                self.fail(
                    &field,
                    "not_allowed_value",
                    prop,
                    v,
                    format!("{field} is read-only: the server sets it."),
                );
            } else {
                self.value(prop, v, &field);
            }
        }
    }

    fn read_only(&self, prop: &Value) -> bool {
        self.spec
            .resolve(prop)
            .get("readOnly")
            .and_then(Value::as_bool)
            == Some(true)
    }

    fn array(&mut self, schema: &Value, items: &[Value], name: &str) {
        if let Some(max) = schema.get("maxItems").and_then(Value::as_u64) {
            if items.len() as u64 > max {
                self.fail(
                    name,
                    "not_allowed_value",
                    schema,
                    &Value::Null,
                    format!("{} has more than {max} items.", label(name)),
                );
            }
        }
        if let Some(item) = schema.get("items") {
            for (i, v) in items.iter().enumerate() {
                self.value(item, v, &format!("{name}[{i}]"));
            }
        }
    }
}

fn label(name: &str) -> &str {
    if name.is_empty() {
        "The body"
    } else {
        name
    }
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

fn has_type(v: &Value, t: &str) -> bool {
    match t {
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64() || v.as_f64().is_some_and(|f| f.fract() == 0.0),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => true,
    }
}

/// Enum membership; numbers compare by value (`1` and `1.0` are the same number).
fn same(a: &Value, v: &Value) -> bool {
    match (a.as_f64(), v.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == v,
    }
}

/// The value to echo in the 400: never for a password or a token.
fn safe_echo(name: &str, schema: &Value, value: &Value) -> Option<String> {
    let secret = schema.get("format").and_then(Value::as_str) == Some("password")
        || name.contains("password")
        || name.contains("token");
    if secret {
        None
    } else {
        crate::reply::echo(value)
    }
}

/// An RFC 3339 `full-date` (the spec's `format: date`): `YYYY-MM-DD`, a real day of a real month.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b.get(r.clone())
            .filter(|d| d.iter().all(u8::is_ascii_digit))
            .and_then(|_| s.get(r)?.parse::<u32>().ok())
    };
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return false;
    };
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// Whether `text` matches the spec's `pattern` (compiled once per pattern; one the regex engine cannot compile is
/// not checked).
fn matches_pattern(pattern: &str, text: &str) -> bool {
    static COMPILED: OnceLock<Mutex<HashMap<String, Option<regex::Regex>>>> = OnceLock::new();
    let mut compiled = COMPILED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    compiled
        .entry(pattern.to_string())
        .or_insert_with(|| regex::Regex::new(pattern).ok())
        .as_ref()
        .is_none_or(|re| re.is_match(text))
}
