//! A small, lenient JSON reader and string quoting for what the client itself parses and writes (options, error
//! bodies, token and customer ids, request bodies). It keeps `serde_json` — with its float parsing and printing and
//! `BTreeMap` — out of the wasm the package ships. Rust callers who want typed data use [`crate::models`] (serde).
//!
//! Lenient where the network is concerned: depth-limited (64), never panics, `None` for anything that is not one
//! complete JSON value. Numbers are read to `f64` by hand (exact for integers up to 2⁵³, within an ulp or two
//! otherwise, which is all options and ids need).

/// A parsed JSON value. Objects keep their members in order (duplicates: the first wins on lookup).
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number.
    Num(f64),
    /// A string.
    Str(String),
    /// An array.
    Arr(Vec<Json>),
    /// An object.
    Obj(Vec<(String, Json)>),
}

const MAX_DEPTH: u32 = 64;

impl Json {
    /// Parses one complete JSON value (surrounding whitespace allowed).
    pub fn parse(text: &str) -> Option<Json> {
        let mut p = Parser {
            b: text.as_bytes(),
            i: 0,
        };
        let v = p.value(0)?;
        p.ws();
        (p.i == p.b.len()).then_some(v)
    }

    /// Reads a string that is exactly one JSON number (no whitespace around it), such as a count sent as text.
    /// Keeps the standard library's float parser (code and tables) out of the wasm.
    #[cfg(any(test, target_arch = "wasm32"))]
    pub fn number(text: &str) -> Option<f64> {
        let mut p = Parser {
            b: text.as_bytes(),
            i: 0,
        };
        let n = p.number()?;
        (p.i == p.b.len()).then_some(n)
    }

    /// A member of an object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }
    /// The number, if this is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Num(n) => Some(*n),
            _ => None,
        }
    }
    /// A non-negative integral number.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Num(n) if *n >= 0.0 && n.fract() == 0.0 && *n < 1.8e19 => Some(*n as u64),
            _ => None,
        }
    }
    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }
    /// The items, if this is an array.
    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Arr(a) => Some(a),
            _ => None,
        }
    }
    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&[(String, Json)]> {
        match self {
            Json::Obj(m) => Some(m),
            _ => None,
        }
    }
    /// True for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// Compact JSON text (numbers as integers when integral, else with up to 6 decimals).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Num(n) => write_number(*n, out),
            Json::Str(s) => quote(s, out),
            Json::Arr(a) => {
                out.push('[');
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write(out);
                }
                out.push(']');
            }
            Json::Obj(m) => {
                out.push('{');
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    quote(k, out);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

fn write_u64(mut n: u64, out: &mut String) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf[i..].iter().for_each(|&b| out.push(char::from(b)));
}

fn write_number(n: f64, out: &mut String) {
    if !n.is_finite() {
        out.push_str("null");
        return;
    }
    if n < 0.0 {
        out.push('-');
    }
    let a = n.abs();
    if a >= 1.8e19 {
        out.push_str("1e19"); // beyond what options or ids carry; keeps float printing out of the binary
        return;
    }
    write_u64(a.trunc() as u64, out);
    let frac = ((a.fract() * 1e6).round() as u64).min(999_999);
    if frac > 0 {
        out.push('.');
        let mut digits = String::new();
        write_u64(frac, &mut digits);
        (digits.len()..6).for_each(|_| out.push('0'));
        out.push_str(digits.trim_end_matches('0'));
    }
}

/// Appends `s` as a JSON string literal.
pub fn quote(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                let hex = b"0123456789abcdef";
                out.push(char::from(hex[(c as usize) >> 4]));
                out.push(char::from(hex[(c as usize) & 15]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `s` as a JSON string literal.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    quote(s, &mut out);
    out
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self
            .b
            .get(self.i)
            .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.i += 1;
        }
    }

    fn eat(&mut self, lit: &[u8]) -> bool {
        let end = self.i + lit.len();
        if self.b.get(self.i..end) == Some(lit) {
            self.i = end;
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: u32) -> Option<Json> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        match *self.b.get(self.i)? {
            b'n' => self.eat(b"null").then_some(Json::Null),
            b't' => self.eat(b"true").then_some(Json::Bool(true)),
            b'f' => self.eat(b"false").then_some(Json::Bool(false)),
            b'"' => self.string().map(Json::Str),
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.eat(b"]") {
                    return Some(Json::Arr(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    if self.eat(b",") {
                        continue;
                    }
                    return self.eat(b"]").then_some(Json::Arr(items));
                }
            }
            b'{' => {
                self.i += 1;
                let mut members = Vec::new();
                self.ws();
                if self.eat(b"}") {
                    return Some(Json::Obj(members));
                }
                loop {
                    self.ws();
                    if self.b.get(self.i) != Some(&b'"') {
                        return None;
                    }
                    let k = self.string()?;
                    self.ws();
                    if !self.eat(b":") {
                        return None;
                    }
                    members.push((k, self.value(depth + 1)?));
                    self.ws();
                    if self.eat(b",") {
                        continue;
                    }
                    return self.eat(b"}").then_some(Json::Obj(members));
                }
            }
            b'-' | b'0'..=b'9' => self.number().map(Json::Num),
            _ => None,
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let s = self.b.get(self.i..self.i + 4)?;
        let mut v = 0u32;
        for &c in s {
            v = v * 16 + char::from(c).to_digit(16)?;
        }
        self.i += 4;
        Some(v)
    }

    fn string(&mut self) -> Option<String> {
        self.i += 1; // the opening quote
        let mut out = Vec::new();
        loop {
            let c = *self.b.get(self.i)?;
            self.i += 1;
            match c {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let e = *self.b.get(self.i)?;
                    self.i += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) && self.eat(b"\\u") {
                                let lo = self.hex4()?;
                                0x10000 + ((hi - 0xD800) << 10) + lo.checked_sub(0xDC00)?
                            } else {
                                hi
                            };
                            char::from_u32(code).unwrap_or('\u{FFFD}')
                        }
                        _ => return None,
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                c if c < 0x20 => return None,
                c => out.push(c),
            }
        }
    }

    fn number(&mut self) -> Option<f64> {
        let neg = self.eat(b"-");
        let mut mantissa: u64 = 0;
        let mut exp: i32 = 0;
        let mut digits = 0;
        while let Some(d) = self.b.get(self.i).filter(|c| c.is_ascii_digit()) {
            if mantissa < 1_000_000_000_000_000_000 {
                mantissa = mantissa * 10 + u64::from(d - b'0');
            } else {
                exp = exp.saturating_add(1);
            }
            digits += 1;
            self.i += 1;
        }
        if digits == 0 {
            return None;
        }
        if self.eat(b".") {
            let mut frac = 0;
            while let Some(d) = self.b.get(self.i).filter(|c| c.is_ascii_digit()) {
                if mantissa < 1_000_000_000_000_000_000 {
                    mantissa = mantissa * 10 + u64::from(d - b'0');
                    exp = exp.saturating_sub(1);
                }
                frac += 1;
                self.i += 1;
            }
            if frac == 0 {
                return None;
            }
        }
        if self.b.get(self.i).is_some_and(|c| *c == b'e' || *c == b'E') {
            self.i += 1;
            let eneg = self.eat(b"-");
            if !eneg {
                self.eat(b"+");
            }
            let mut e: i32 = 0;
            let mut n = 0;
            while let Some(d) = self.b.get(self.i).filter(|c| c.is_ascii_digit()) {
                e = e.saturating_mul(10).saturating_add(i32::from(d - b'0'));
                n += 1;
                self.i += 1;
            }
            if n == 0 {
                return None;
            }
            exp = exp.saturating_add(if eneg { -e } else { e });
        }
        let m = mantissa as f64;
        let v = if exp == 0 {
            m
        } else if exp > 0 {
            m * 10f64.powi(exp.min(400))
        } else {
            m / 10f64.powi((-exp).min(400))
        };
        Some(if neg { -v } else { v })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(v: Json) -> Json {
        match v {
            Json::Obj(mut m) => {
                m.sort_by(|a, b| a.0.cmp(&b.0));
                Json::Obj(m.into_iter().map(|(k, v)| (k, sorted(v))).collect())
            }
            Json::Arr(a) => Json::Arr(a.into_iter().map(sorted).collect()),
            v => v,
        }
    }

    #[test]
    fn parses_what_serde_json_parses() {
        for text in [
            r#"{"data":{"token_id":"abc","n":[1,2.5,-3e2,0.001],"t":true,"f":false,"z":null}}"#,
            r#" [ "a\"b\\c\n\u00e9\ud83d\ude00" , {} , [] ] "#,
            "12345678901234567",
            "-0.5",
        ] {
            // Same value as serde_json reads (compared with members sorted: serde_json sorts them).
            let ours = sorted(Json::parse(text).unwrap());
            let theirs: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(
                sorted(Json::parse(&theirs.to_string()).unwrap()),
                ours,
                "{text}"
            );
        }
        let v = Json::parse(r#"{"a":{"b":[1,"x"]}}"#).unwrap();
        assert_eq!(
            v.get("a")
                .and_then(|a| a.get("b"))
                .and_then(Json::as_array)
                .map(<[Json]>::len),
            Some(2)
        );
        assert_eq!(Json::parse("1.5e3").and_then(|n| n.as_f64()), Some(1500.0));
        assert_eq!(
            Json::parse("9007199254740993").and_then(|n| n.as_u64()),
            Some(9007199254740992)
        );
    }

    #[test]
    fn rejects_what_is_not_one_complete_value() {
        for bad in [
            "",
            "{",
            "[1,",
            r#"{"a"}"#,
            r#"{"a":1,}"#,
            "01x",
            "1.",
            "-",
            "tru",
            "\"\u{1}\"",
            "[1] 2",
            "{\"a\":1}}",
        ] {
            assert_eq!(Json::parse(bad), None, "{bad:?}");
        }
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert_eq!(Json::parse(&deep), None, "depth-limited, no stack overflow");
    }

    #[test]
    fn number_reads_exactly_one_number() {
        assert_eq!(Json::number("260"), Some(260.0));
        assert_eq!(Json::number("-1.5e3"), Some(-1500.0));
        for bad in ["", " 1", "1 ", "1x", "1.", "\"1\"", "[1]"] {
            assert_eq!(Json::number(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn quoting_round_trips() {
        for s in [
            "plain",
            "quote \" backslash \\ newline \n tab \t",
            "\u{1}\u{1f}",
            "émoji 😀",
        ] {
            assert_eq!(Json::parse(&quoted(s)), Some(Json::Str(s.to_string())));
        }
        assert_eq!(Json::Num(-12.25).to_text(), "-12.25");
        assert_eq!(Json::Num(3.0).to_text(), "3");
        assert_eq!(
            Json::parse(r#"{"a":[1,"b",null,true]}"#).unwrap().to_text(),
            r#"{"a":[1,"b",null,true]}"#
        );
    }
}
