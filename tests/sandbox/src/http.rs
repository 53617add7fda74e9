//! A small HTTP/1.1 server on std threads: keep-alive, Content-Length bodies, and the raw control over the
//! connection that fault injection needs (close without a response, hang, cut a body short).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

/// One parsed request.
pub struct Request {
    pub method: String,
    /// Path without the query string, percent-decoding not applied.
    pub path: String,
    /// Raw query string (without `?`), empty when absent.
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first header with this (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What to do with the connection after routing.
pub enum Reply {
    /// Send this response.
    Send(Response),
    /// Close the connection without a response.
    Drop,
    /// Keep the connection open without answering, then close it.
    Hang(Duration),
}

/// A response to send.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Send only the first this-many bytes of the body, then close (a response cut mid-stream).
    pub cut_at: Option<usize>,
}

impl Response {
    pub fn new(status: u16) -> Self {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            cut_at: None,
        }
    }
    pub fn json(status: u16, body: &serde_json::Value) -> Self {
        let mut r = Response::new(status);
        r.body = body.to_string().into_bytes();
        r.header("Content-Type", "application/json; charset=utf-8")
    }
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.to_string(), v.to_string()));
        self
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// Accepts connections forever, one thread each, calling `route` for every request.
pub fn serve<F>(listener: TcpListener, route: F)
where
    F: Fn(Request) -> Reply + Send + Sync + 'static,
{
    let route = std::sync::Arc::new(route);
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let route = route.clone();
        std::thread::spawn(move || {
            let _ = connection(stream, &*route);
        });
    }
}

fn connection(stream: TcpStream, route: &dyn Fn(Request) -> Reply) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    loop {
        let Some(req) = read_request(&mut reader)? else {
            return Ok(());
        };
        let close = req
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        match route(req) {
            Reply::Drop => {
                let _ = writer.shutdown(std::net::Shutdown::Both);
                return Ok(());
            }
            Reply::Hang(d) => {
                std::thread::sleep(d);
                let _ = writer.shutdown(std::net::Shutdown::Both);
                return Ok(());
            }
            Reply::Send(resp) => {
                write_response(&mut writer, &resp)?;
                if resp.cut_at.is_some() {
                    let _ = writer.shutdown(std::net::Shutdown::Both);
                    return Ok(());
                }
            }
        }
        if close {
            return Ok(());
        }
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> std::io::Result<Option<Request>> {
    let mut line = String::new();
    // Skip blank lines between requests.
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        if !line.trim().is_empty() {
            break;
        }
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("/").to_string();
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target, String::new()),
    };
    let mut headers = Vec::new();
    let mut total = 0usize;
    loop {
        line.clear();
        let n = reader.read_line(&mut line)?;
        total += n;
        if n == 0 || total > 64 * 1024 {
            return Ok(None);
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let len = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0)
        .min(16 * 1024 * 1024);
    let mut body = vec![0; len];
    reader.read_exact(&mut body)?;
    Ok(Some(Request {
        method,
        path,
        query,
        headers,
        body,
    }))
}

fn write_response(w: &mut TcpStream, r: &Response) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", r.status, reason(r.status));
    for (k, v) in &r.headers {
        head.push_str(k);
        head.push_str(": ");
        head.push_str(v);
        head.push_str("\r\n");
    }
    if r.status != 204 && r.status != 304 {
        head.push_str(&format!("Content-Length: {}\r\n", r.body.len()));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    let body = match r.cut_at {
        Some(n) => &r.body[..n.min(r.body.len())],
        None => &r.body[..],
    };
    out.extend_from_slice(body);
    w.write_all(&out)?;
    w.flush()
}

/// Decodes `application/x-www-form-urlencoded`-style query strings: `a=1&b[]=x&b[]=y`.
pub fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
