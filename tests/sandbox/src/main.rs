//! `carecloud-sandbox`: a faithful, fault-injecting stand-in for the CareCloud customer interface.
//!
//! `carecloud-sandbox --addr 127.0.0.1:0 [--static DIR] [--mount /prefix=DIR]` prints
//! `listening on http://127.0.0.1:PORT` as its first line. See `../shared/API.md` for the control endpoints.

mod api;
mod http;
mod seed;

use api::{Api, Call, BASE};
use http::{Reply, Request, Response};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One scripted fault: the next `times` matching requests get it.
struct Fault {
    method: Option<String>,
    path: String,
    times: u64,
    kind: String,
    status: u16,
    body: Option<Value>,
    retry_after: Option<String>,
    delay_ms: u64,
    headers: Vec<(String, String)>,
    /// Chance that a matching request gets the fault (1.0: always); `times` counts only the faults dealt.
    probability: f64,
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

struct Sandbox {
    api: Api,
    faults: Vec<Fault>,
    requests: Vec<Value>,
    effects: Vec<(String, String, u64)>,
    cache_control: HashMap<String, String>,
    extra_headers: HashMap<String, Vec<(String, String)>>,
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

    fn new() -> Self {
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

struct Statics {
    mounts: Vec<(String, PathBuf)>,
}

const EXPOSE: &str =
    "Retry-After, Cache-Control, Deprecation, Sunset, Link, RateLimit, RateLimit-Policy, \
X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, X-Request-Id";

fn cors(mut r: Response) -> Response {
    r.headers
        .push(("Access-Control-Allow-Origin".into(), "*".into()));
    r.headers
        .push(("Access-Control-Expose-Headers".into(), EXPOSE.into()));
    r
}

fn main() {
    let mut addr = "127.0.0.1:0".to_string();
    let mut mounts = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--addr" => addr = args.next().unwrap_or(addr),
            "--static" => {
                if let Some(d) = args.next() {
                    mounts.push(("/".to_string(), PathBuf::from(d)));
                }
            }
            "--mount" => {
                if let Some((p, d)) = args.next().as_deref().and_then(|s| s.split_once('=')) {
                    mounts.push((format!("{}/", p.trim_end_matches('/')), PathBuf::from(d)));
                }
            }
            "-h" | "--help" => {
                println!(
                    "carecloud-sandbox --addr 127.0.0.1:0 [--static DIR] [--mount /prefix=DIR]"
                );
                return;
            }
            other => {
                eprintln!("unknown argument: {other}");
                std::process::exit(2);
            }
        }
    }
    // Longest prefix first.
    mounts.sort_by_key(|m| std::cmp::Reverse(m.0.len()));
    let listener = match std::net::TcpListener::bind(&addr) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    };
    let local = listener.local_addr().map(|a| a.to_string()).unwrap_or(addr);
    println!("listening on http://{local}");
    let _ = std::io::stdout().flush();
    let state = Arc::new(Mutex::new(Sandbox::new()));
    let statics = Arc::new(Statics { mounts });
    http::serve(listener, move |req| handle(&state, &statics, req));
}

fn handle(state: &Mutex<Sandbox>, statics: &Statics, req: Request) -> Reply {
    if req.method == "OPTIONS" {
        let allow_headers = req
            .header("access-control-request-headers")
            .unwrap_or(
                "Authorization, Content-Type, Accept-Language, Idempotency-Key, X-Correlation-Id",
            )
            .to_string();
        return Reply::Send(cors(
            Response::new(204)
                .header(
                    "Access-Control-Allow-Methods",
                    "GET, POST, PUT, DELETE, OPTIONS",
                )
                .header("Access-Control-Allow-Headers", &allow_headers)
                .header("Access-Control-Max-Age", "600"),
        ));
    }
    if let Some(rest) = req.path.strip_prefix("/__sandbox/") {
        return Reply::Send(cors(control(state, &req, rest)));
    }
    if let Some(rel) = req.path.strip_prefix(BASE) {
        return api_call(state, &req, if rel.is_empty() { "/" } else { rel });
    }
    Reply::Send(static_file(statics, &req.path))
}

fn lock(state: &Mutex<Sandbox>) -> std::sync::MutexGuard<'_, Sandbox> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

fn api_call(state: &Mutex<Sandbox>, req: &Request, rel: &str) -> Reply {
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
        return Reply::Send(cors(r));
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
                None => api::error(
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
            Reply::Send(cors(r))
        }
        "html" => {
            let mut r = Response::new(if status == 0 { 502 } else { status });
            r.body = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>".to_vec();
            Reply::Send(cors(r.header("Content-Type", "text/html")))
        }
        "truncate" => {
            let mut r = execute(&mut s);
            let cut = r.body.len() / 2;
            r.body.truncate(cut);
            Reply::Send(cors(r))
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
            return Reply::Send(cors(r));
        }
        other => Reply::Send(cors(Response::json(
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

fn control(state: &Mutex<Sandbox>, req: &Request, what: &str) -> Response {
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
                let headers = f
                    .get("headers")
                    .and_then(Value::as_object)
                    .map(|m| {
                        m.iter()
                            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                            .collect()
                    })
                    .unwrap_or_default();
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
            let hs: Vec<(String, String)> = body
                .get("headers")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                        .collect()
                })
                .unwrap_or_default();
            if hs.is_empty() {
                s.extra_headers.remove(&path);
            } else {
                s.extra_headers.insert(path, hs);
            }
            Response::new(204)
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

fn static_file(statics: &Statics, path: &str) -> Response {
    let Some((prefix, dir)) = statics
        .mounts
        .iter()
        .find(|(p, _)| path.starts_with(p.as_str()) || format!("{path}/") == *p)
    else {
        return Response::json(404, &json!({"error": "not found"}));
    };
    let rel = path.strip_prefix(prefix.as_str()).unwrap_or("");
    let rel = http::percent_decode(rel);
    if rel.split('/').any(|s| s == "..") {
        return Response::json(403, &json!({"error": "forbidden"}));
    }
    let mut file = dir.join(&rel);
    if file.is_dir() || rel.is_empty() {
        file = file.join("index.html");
    }
    match std::fs::read(&file) {
        Ok(bytes) => {
            let mut r = Response::new(200);
            r.body = bytes;
            r.header("Content-Type", content_type(&file))
                .header("Cache-Control", "no-cache")
        }
        Err(_) => Response::json(404, &json!({"error": "not found"})),
    }
}

fn content_type(p: &Path) -> &'static str {
    match p.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ts" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
