//! The log of requests the strict sandbox refused (spec violations), for the test tiers to assert on and to
//! fail on: `GET /__sandbox/violations`, `DELETE /__sandbox/violations?path=<prefix>`. Secrets are never kept:
//! token path segments and password/token query values are masked, and no parameter values are recorded.

use crate::reply::InvalidParam;
use crate::spec::Operation;
use serde_json::{json, Value};

#[derive(Default)]
pub struct Violations {
    entries: Vec<Value>,
}

impl Violations {
    pub fn record(
        &mut self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        op: &Operation,
        params: &[InvalidParam],
    ) {
        let query: Vec<String> = query
            .iter()
            .map(|(k, v)| match is_secret(k) {
                true => format!("{k}=***"),
                false => format!("{k}={v}"),
            })
            .collect();
        self.entries.push(json!({
            "method": method,
            "path": op.redact(path, is_secret),
            "query": query.join("&"),
            "operation": format!("{} {}", op.method, op.template),
            "invalid_params": params.iter().map(|p| json!({"name": p.name, "reason": p.reason})).collect::<Vec<_>>(),
        }));
    }

    /// A request no operation of the spec matches (answered 404 or 405 by the routes).
    pub fn record_mismatch(&mut self, method: &str, path: &str, reason: &str) {
        // No template names the segments: anything as long as a token is masked.
        let path: Vec<&str> = path
            .split('/')
            .map(|s| if s.len() >= 32 { "***" } else { s })
            .collect();
        self.entries.push(json!({
            "method": method,
            "path": path.join("/"),
            "query": "",
            "operation": "none",
            "invalid_params": [{"name": "path", "reason": reason}],
        }));
    }

    pub fn all(&self) -> Value {
        Value::Array(self.entries.clone())
    }

    /// Removes and returns the violations whose path starts with `prefix`.
    pub fn take(&mut self, prefix: &str) -> Value {
        let (taken, kept) = std::mem::take(&mut self.entries)
            .into_iter()
            .partition(|v| v["path"].as_str().is_some_and(|p| p.starts_with(prefix)));
        self.entries = kept;
        Value::Array(taken)
    }
}

fn is_secret(name: &str) -> bool {
    name.contains("password") || name.contains("token")
}
