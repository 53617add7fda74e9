//! Paths, queries and ids as the client sends them: percent-encoding, path checks, normalised query strings
//! (the dedupe and cache key), UUID v4 device ids.

use crate::error::Error;

/// Percent-encodes a query component or path segment (RFC 3986 unreserved kept).
pub fn encode_component(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || keep.contains(&b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[(b >> 4) as usize]));
            out.push(char::from(b"0123456789ABCDEF"[(b & 15) as usize]));
        }
    }
    out
}

/// Checks and normalises a caller's path: must start with `/`, no scheme, query, fragment or `..`, and only
/// the customer interface (no way to reach another host or interface through the path).
pub fn normalize_path(path: &str) -> Result<String, Error> {
    if !path.starts_with('/') || path.starts_with("//") || path.len() > 2048 {
        return Err(Error::config(
            "path must start with a single / and be relative to the API base",
        ));
    }
    if path.contains('?') || path.contains('#') {
        return Err(Error::config(
            "pass query parameters in `query`, not in the path",
        ));
    }
    if path.split('/').any(|s| s == ".." || s == ".")
        || path.contains('\\')
        || path.chars().any(char::is_control)
    {
        return Err(Error::config(
            "path must not contain dot segments, backslashes or control characters",
        ));
    }
    Ok(encode_component(path, b"/!$&'()*+,;=:@%{}"))
}

/// Builds a normalised query string: keys sorted (stable for repeated keys), components percent-encoded.
pub fn normalize_query(query: &[(String, String)]) -> String {
    // Stable insertion sort by key: queries have a handful of parameters, and it keeps the general-purpose sort
    // out of the wasm. Repeated keys (`a[]=1&a[]=2`) keep their order.
    let mut q: Vec<&(String, String)> = Vec::with_capacity(query.len());
    for pair in query {
        let at = q.iter().position(|p| p.0 > pair.0).unwrap_or(q.len());
        q.insert(at, pair);
    }
    let mut out = String::new();
    for (i, (k, v)) in q.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&encode_component(k, b"[]"));
        out.push('=');
        out.push_str(&encode_component(v, b""));
    }
    out
}

/// A UUID v4 from 16 random bytes.
pub fn uuid_v4(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}
