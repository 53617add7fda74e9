//! Paths, queries and ids as the client sends them: percent-encoding, path checks, normalised query strings
//! (the dedupe and cache key), UUID v4 device ids.

use crate::error::Error;

/// Percent-encodes a query component or path segment (RFC 3986 unreserved kept).
pub(crate) fn encode_component(s: &str, keep: &[u8]) -> String {
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
pub(crate) fn normalize_path(path: &str) -> Result<String, Error> {
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
    // A backslash anywhere is caught per segment (`is_dot_or_hidden_separator`), encoded or not.
    if path.split('/').any(is_dot_or_hidden_separator) || path.chars().any(char::is_control) {
        return Err(Error::config(
            "path must not contain dot segments (also percent-encoded), encoded slashes, backslashes or control characters",
        ));
    }
    Ok(encode_component(path, b"/!$&'()*+,;=:@%{}"))
}

/// True for a path segment that a URL parser or a server could resolve as `.`/`..` or split further: the WHATWG
/// URL parser (what `fetch` uses) treats `%2e` as `.`, so `/%2e%2e/` climbs like `/../`; an encoded `/` or `\\`
/// may be decoded into a separator by a server. Decodes up to three times (double encoding) before checking.
fn is_dot_or_hidden_separator(segment: &str) -> bool {
    let mut s = segment.as_bytes().to_vec();
    for _ in 0..4 {
        if s == b"." || s == b".." || s.contains(&b'/') || s.contains(&b'\\') {
            return true;
        }
        let decoded = percent_decode(&s);
        if decoded == s {
            return false;
        }
        s = decoded;
    }
    true // still encoded after three rounds: nobody legitimate sends that
}

/// Decodes `%XX` escapes (invalid escapes are kept as they are).
fn percent_decode(s: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let escaped = match (s.get(i), s.get(i + 1), s.get(i + 2)) {
            (Some(b'%'), Some(&h), Some(&l)) => hex(h).zip(hex(l)).map(|(h, l)| h << 4 | l),
            _ => None,
        };
        match escaped {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.extend(s.get(i));
                i += 1;
            }
        }
    }
    out
}

/// Builds a normalised query string: keys sorted (stable for repeated keys), components percent-encoded.
pub(crate) fn normalize_query(query: &[(String, String)]) -> String {
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
pub(crate) fn uuid_v4(mut b: [u8; 16]) -> String {
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

#[cfg(test)]
mod tests {
    use super::uuid_v4;

    #[test]
    fn uuid_v4_sets_the_version_and_variant_bits_whatever_the_random_bytes() {
        assert_eq!(uuid_v4([0; 16]), "00000000-0000-4000-8000-000000000000");
        assert_eq!(uuid_v4([0xff; 16]), "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert_eq!(uuid_v4([0x5a; 16]), "5a5a5a5a-5a5a-4a5a-9a5a-5a5a5a5a5a5a");
    }
}
