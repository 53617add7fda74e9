//! The sandbox's state around the API: scripted faults, the request log, write effects, extra response headers,
//! and the fault injection every API call goes through.

use crate::api::{self, Api, Call};
use crate::http::{Reply, Request, Response};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One scripted fault: the next `times` matching requests get it.
pub struct Fault {
    pub method: Option<String>,
    pub path: String,
    pub times: u64,
    pub kind: String,
    pub status: u16,
    pub body: Option<Value>,
    pub retry_after: Option<String>,
    pub delay_ms: u64,
    pub headers: Vec<(String, String)>,
    /// Chance that a matching request gets the fault (1.0: always); `times` counts only the faults dealt.
    pub probability: f64,
}

impl Fault {
    fn matches(&self, method: &str, path: &str) -> bool {
        let m = self
            .method
            .as_deref()
            .is_none_or(|m| m == "*" || m.eq_ignore_ascii_case(method));
        let p = match self.path.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => self.path == path,
        };
        m && p && self.times > 0
    }
}

pub struct Sandbox {
    pub api: Api,
    pub faults: Vec<Fault>,
    pub requests: Vec<Value>,
    pub effects: Vec<(String, String, u64)>,
    pub cache_control: HashMap<String, String>,
    pub extra_headers: HashMap<String, Vec<(String, String)>>,
    started: Instant,
    rng: u64,
}

impl Sandbox {
    /// A uniform number in [0, 1) (xorshift; fault probabilities only).
    fn roll(&mut self) -> f64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        (self.rng >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn new() -> Self {
        Sandbox {
            api: Api::new(),
            faults: Vec::new(),
            requests: Vec::new(),
            effects: Vec::new(),
            cache_control: HashMap::new(),
            extra_headers: HashMap::new(),
            started: Instant::now(),
            rng: 0x2545_F491_4F6C_DD1D,
        }
    }
}

pub fn lock(state: &Mutex<Sandbox>) -> std::sync::MutexGuard<'_, Sandbox> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

pub fn api_call(state: &Mutex<Sandbox>, req: &Request, rel: &str) -> Reply {
    let mut s = lock(state);
    let roll = s.roll();
    let fault_idx = s
        .faults
        .iter()
        .position(|f| f.matches(&req.method, rel) && roll < f.probability);
    let fault = fault_idx.map(|i| {
        let f = &mut s.faults[i];
        f.times -= 1;
        (
            f.kind.clone(),
            f.status,
            f.body.clone(),
            f.retry_after.clone(),
            f.delay_ms,
            f.headers.clone(),
        )
    });
    let ts = s.started.elapsed().as_millis() as u64;
    let mut entry = json!({
        "method": req.method, "path": rel, "query": req.query,
        "status": 0, "authorization": req.header("authorization").is_some(),
        "idempotencyKey": req.header("idempotency-key"),
        "correlationId": req.header("x-correlation-id"),
        "acceptLanguage": req.header("accept-language"),
        "ts": ts
    });
    let execute = |s: &mut Sandbox| -> Response {
        let call = Call {
            method: &req.method,
            path: rel,
            query: api::query(&req.query),
            authorization: req.header("authorization"),
            headers: &req.headers,
            body: &req.body,
        };
        let mut r = s.api.handle(&call);
        if r.status < 300 && req.method != "GET" {
            let (m, p) = (req.method.clone(), rel.to_string());
            match s.effects.iter_mut().find(|e| e.0 == m && e.1 == p) {
                Some(e) => e.2 += 1,
                None => s.effects.push((m, p, 1)),
            }
        }
        if req.method == "GET" && r.status == 200 {
            if let Some(v) = lookup_prefix(&s.cache_control, rel) {
                r.headers.push(("Cache-Control".into(), v.clone()));
            }
        }
        if let Some(hs) = lookup_prefix(&s.extra_headers, rel) {
            r.headers.extend(hs.iter().cloned());
        }
        r.headers.push((
            "X-Request-Id".into(),
            format!("sbx-{ts}-{}", s.requests.len()),
        ));
        r
    };
    let Some((kind, status, body, retry_after, delay_ms, headers)) = fault else {
        let r = execute(&mut s);
        entry["status"] = json!(r.status);
        s.requests.push(entry);
        return Reply::Send(crate::cors(r));
    };
    let reply = match kind.as_str() {
        "status" => {
            let mut r = match body {
                Some(Value::String(text)) => {
                    let mut r = Response::new(status);
                    r.body = text.into_bytes();
                    r.header("Content-Type", "application/json")
                }
                Some(v) => Response::json(status, &v),
                None if status == 429 || status == 503 => Response::new(status),
                None => crate::reply::error(
                    status,
                    "server_exception",
                    "Injected fault",
                    "Injected by the sandbox.",
                    json!({}),
                ),
            };
            if let Some(ra) = retry_after {
                r = r.header("Retry-After", &ra);
            }
            r.headers.extend(headers);
            Reply::Send(crate::cors(r))
        }
        "html" => {
            let mut r = Response::new(if status == 0 { 502 } else { status });
            r.body = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>".to_vec();
            Reply::Send(crate::cors(r.header("Content-Type", "text/html")))
        }
        "truncate" => {
            let mut r = execute(&mut s);
            let cut = r.body.len() / 2;
            r.body.truncate(cut);
            Reply::Send(crate::cors(r))
        }
        "drop" => Reply::Drop,
        "hang" => Reply::Hang(Duration::from_millis(if delay_ms > 0 {
            delay_ms
        } else {
            120_000
        })),
        "commit_then_drop" => {
            let r = execute(&mut s);
            entry["committed"] = json!(r.status < 300);
            Reply::Drop
        }
        "delay" => {
            drop(s);
            std::thread::sleep(Duration::from_millis(delay_ms));
            let mut s = lock(state);
            let r = execute(&mut s);
            entry["status"] = json!(r.status);
            s.requests.push(entry);
            return Reply::Send(crate::cors(r));
        }
        other => Reply::Send(crate::cors(Response::json(
            500,
            &json!({"error": format!("unknown fault kind {other}")}),
        ))),
    };
    entry["status"] = json!(match &reply {
        Reply::Send(r) => r.status,
        _ => 0,
    });
    entry["fault"] = json!(kind);
    s.requests.push(entry);
    reply
}

fn lookup_prefix<'a, V>(map: &'a HashMap<String, V>, path: &str) -> Option<&'a V> {
    map.iter()
        .filter(|(k, _)| match k.strip_suffix('*') {
            Some(p) => path.starts_with(p),
            None => k.as_str() == path,
        })
        .max_by_key(|(k, _)| k.len())
        .map(|(_, v)| v)
}
