//! The control plane, `/__sandbox/*`: scripted faults, the request log, effects, cache-control and extra
//! headers per path, reset, and live-token counts. Tests drive the sandbox through it; it is not CareCloud's API.

use crate::http::{Request, Response};
use crate::sandbox::{lock, Fault, Sandbox};
use serde_json::{json, Value};
use std::sync::Mutex;

pub fn control(state: &Mutex<Sandbox>, req: &Request, what: &str) -> Response {
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let mut s = lock(state);
    match (req.method.as_str(), what) {
        ("POST", "faults") => {
            let list = match body {
                Value::Array(a) => a,
                v => vec![v],
            };
            for f in list {
                let st = |k: &str| f.get(k).and_then(Value::as_str).map(str::to_string);
                let headers = header_pairs(&f);
                s.faults.push(Fault {
                    method: st("method"),
                    path: st("path").unwrap_or_else(|| "*".into()),
                    times: f.get("times").and_then(Value::as_u64).unwrap_or(1),
                    kind: st("kind").unwrap_or_else(|| "status".into()),
                    status: f.get("status").and_then(Value::as_u64).unwrap_or(503) as u16,
                    body: f.get("body").cloned(),
                    retry_after: st("retryAfter"),
                    delay_ms: f.get("delayMs").and_then(Value::as_u64).unwrap_or(0),
                    headers,
                    probability: f
                        .get("probability")
                        .and_then(Value::as_f64)
                        .unwrap_or(1.0)
                        .clamp(0.0, 1.0),
                });
            }
            Response::json(
                200,
                &json!({"faults": s.faults.iter().filter(|f| f.times > 0).count()}),
            )
        }
        ("DELETE", "faults") => {
            s.faults.clear();
            Response::new(204)
        }
        ("GET", "requests") => Response::json(200, &Value::Array(s.requests.clone())),
        ("DELETE", "requests") => {
            s.requests.clear();
            Response::new(204)
        }
        ("GET", "effects") => Response::json(
            200,
            &Value::Array(
                s.effects
                    .iter()
                    .map(|(m, p, c)| json!({"method": m, "path": p, "count": c}))
                    .collect(),
            ),
        ),
        ("PUT", "cache-control") => {
            let path = body
                .get("path")
                .and_then(Value::as_str)
                .unwrap_or("/")
                .to_string();
            let value = match (body.get("maxAge"), body.get("value")) {
                (_, Some(Value::String(v))) => Some(v.clone()),
                (Some(Value::Number(n)), _) => Some(format!("max-age={n}")),
                _ => None,
            };
            match value {
                Some(v) => s.cache_control.insert(path, v),
                None => s.cache_control.remove(&path),
            };
            Response::new(204)
        }
        ("PUT", "headers") => {
            // Extra response headers on a path (prefix with `*`): e.g. Deprecation / Sunset, or hostile values.
            let path = body
                .get("path")
                .and_then(Value::as_str)
                .unwrap_or("/")
                .to_string();
            let hs = header_pairs(&body);
            if hs.is_empty() {
                s.extra_headers.remove(&path);
            } else {
                s.extra_headers.insert(path, hs);
            }
            Response::new(204)
        }
        ("GET", "violations") => Response::json(200, &s.api.violations.all()),
        ("DELETE", "violations") => {
            let prefix = crate::http::parse_query(&req.query)
                .into_iter()
                .find(|(k, _)| k == "path")
                .map(|(_, v)| v)
                .unwrap_or_default();
            Response::json(200, &s.api.violations.take(&prefix))
        }
        ("POST", "reset") => {
            *s = Sandbox::new();
            Response::new(204)
        }
        ("GET", "tokens") => {
            // How many live tokens exist (tokens themselves are never listed).
            let mut devices: Vec<String> = s
                .api
                .tokens
                .values()
                .map(|t| format!("{}/{}", t.app_id, t.device_id))
                .collect();
            devices.sort();
            devices.dedup();
            Response::json(
                200,
                &json!({"live": s.api.tokens.len(), "devices": devices.len()}),
            )
        }
        _ => Response::json(404, &json!({"error": "unknown control endpoint"})),
    }
}

/// The `headers` member of a control body as name/value pairs (non-string values read as empty).
fn header_pairs(body: &Value) -> Vec<(String, String)> {
    body.get("headers")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default()
}
