//! `carecloud-sandbox`: a faithful, fault-injecting stand-in for the CareCloud customer interface.
//!
//! `carecloud-sandbox --addr 127.0.0.1:0 [--static DIR] [--mount /prefix=DIR]` prints
//! `listening on http://127.0.0.1:PORT` as its first line. See `docs/sandbox.md` for the control endpoints.

mod api;
mod control;
mod http;
mod paging;
mod reply;
mod routes;
mod sandbox;
mod seed;
mod spec;
#[cfg(test)]
mod tests;
mod validate;
mod violations;

use api::BASE;
use http::{Reply, Request, Response};
use sandbox::Sandbox;
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

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
    spec::get(); // parse and compile the contract before the first request
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
        return Reply::Send(cors(control::control(state, &req, rest)));
    }
    if let Some(rel) = req.path.strip_prefix(BASE) {
        return sandbox::api_call(state, &req, if rel.is_empty() { "/" } else { rel });
    }
    Reply::Send(static_file(statics, &req.path))
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
