//! Structured per-attempt log entries ([`LogEntry`]) and client events ([`Event`]), with PII masking: no token,
//! password, e-mail address, phone number or card number reaches a log line.

/// One entry per network attempt (and one per cache hit or joined in-flight request).
#[derive(Clone, Debug, PartialEq)]
pub struct LogEntry {
    /// `GET`, `POST`, …
    pub method: &'static str,
    /// The path relative to the API base, with ids of tokens and PII in it masked.
    pub path: String,
    /// The query string with PII values masked (empty when none).
    pub query: String,
    /// The HTTP status, or 0 when no response arrived (or the entry is a cache hit / dedupe).
    pub status: u16,
    /// Milliseconds the attempt took.
    pub ms: f64,
    /// 1 for the first attempt, 2 for the first retry, …; 0 for cache hits and joined requests.
    pub attempt: u32,
    /// The client-generated correlation id of the call (also sent in `correlationHeader`, when set).
    pub correlation_id: String,
    /// `network`, `cache`, `dedupe`, `shared-cache`, or `stale` (a failed catalogue read answered stale).
    pub source: &'static str,
    /// `ok`, `retry` (will retry), `renew` (401, renewing the token) or `error`.
    pub outcome: &'static str,
    /// The error kind when the attempt failed.
    pub error_kind: Option<&'static str>,
    /// The server's `X-Request-Id`, when sent.
    pub request_id: Option<String>,
    /// CareCloud's reason for a failed attempt (`invalid_params[].reason` or the exception), when one came.
    pub reason: Option<String>,
    /// The failure's message, with e-mail addresses, phone and card numbers masked.
    pub detail: Option<String>,
    /// The error body's `type` (masked, at most 64 characters), when the server sent one.
    pub error_type: Option<String>,
    /// The error body's `invalid_params`: names and reasons only, never the values (which can hold personal data);
    /// at most 10 of them.
    pub invalid_params: Vec<ParamIssue>,
}

/// At most this many `invalid_params` reach a log entry.
pub(crate) const MAX_LOGGED_PARAMS: usize = 10;
/// At most this many characters of an error `type`, a parameter name or a reason reach a log entry.
pub(crate) const MAX_LOGGED_TEXT: usize = 64;

/// One `invalid_params` entry as a log entry carries it: which parameter, and why. Never its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamIssue {
    /// The parameter, masked and cut to 64 characters.
    pub name: String,
    /// CareCloud's reason (`required`, `invalid_value_format`, …), masked and cut to 64 characters.
    pub reason: String,
}

/// Server text bounded for a log entry: masked ([`mask_text`]) first, so a cut cannot split what it would mask,
/// then cut to [`MAX_LOGGED_TEXT`] characters.
pub(crate) fn log_text(text: &str) -> String {
    mask_text(text).chars().take(MAX_LOGGED_TEXT).collect()
}

/// The structure of an error body as a log entry carries it: its `type`, and its `invalid_params` names and
/// reasons, bounded.
pub(crate) fn error_structure(
    error_type: Option<&str>,
    params: &[crate::error::InvalidParam],
) -> (Option<String>, Vec<ParamIssue>) {
    let issues = params
        .iter()
        .take(MAX_LOGGED_PARAMS)
        .map(|p| ParamIssue {
            name: log_text(&p.name),
            reason: log_text(&p.reason),
        })
        .collect();
    (error_type.map(log_text), issues)
}

/// Something a UI or monitoring may want to react to.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// The server sent `Deprecation` (and maybe `Sunset`) on this path: plan the migration.
    Deprecation {
        /// Masked path.
        path: String,
        /// When it was deprecated (epoch ms), if the header carried a date.
        deprecated_at: Option<f64>,
        /// When it will be removed (epoch ms), from `Sunset`.
        sunset_at: Option<f64>,
    },
    /// The circuit breaker opened: calls fail fast for `openMs`.
    CircuitOpen,
    /// The circuit breaker closed again.
    CircuitClosed,
    /// A new device token was obtained after a 401.
    TokenRenewed,
    /// The logged-in customer's token was replaced or became invalid: the customer must log in again.
    SessionExpired,
    /// The server sent `Sunset` without `Deprecation` on this path (RFC 8594 allows it alone): the path goes
    /// away at `sunset_at`.
    Sunset {
        /// Masked path.
        path: String,
        /// When it will be removed (epoch ms).
        sunset_at: f64,
    },
    /// A rate limit was met: the server refused a call, its window is exhausted, or the client's own limiter held
    /// a call back.
    RateLimited(RateLimit),
    /// A catalogue read failed and was answered with its last good response (`stale` options).
    Stale(crate::stale::StaleAnswer),
}

/// Which rate limit was met (JS: the `source` of a `rate_limited` event).
#[derive(Clone, Debug, PartialEq)]
pub enum RateLimit {
    /// `server`: the server answered 429.
    Refused {
        /// The HTTP status (429).
        status: u16,
        /// The server's `Retry-After`, in ms, when it sent one.
        retry_after_ms: Option<u64>,
        /// Masked path.
        path: String,
    },
    /// `window`: the server's `RateLimit` / `X-RateLimit-*` headers said nothing remains; sending pauses until the
    /// window resets.
    Window {
        /// How long sending pauses, in ms.
        pause_ms: u64,
        /// Masked path of the response that carried the headers.
        path: String,
    },
    /// `limiter`: the client's rate limiter (or a server window) queued a call before sending it.
    Queued {
        /// Calls waiting for the limiter now, this one included.
        queue_length: u32,
        /// How long this call waits, in ms.
        wait_ms: u64,
    },
}

impl RateLimit {
    /// The `source` string in JS.
    pub fn source(&self) -> &'static str {
        match self {
            RateLimit::Refused { .. } => "server",
            RateLimit::Window { .. } => "window",
            RateLimit::Queued { .. } => "limiter",
        }
    }
}

impl Event {
    /// The event's `type` string in JS.
    pub fn name(&self) -> &'static str {
        match self {
            Event::Deprecation { .. } => "deprecation",
            Event::CircuitOpen => "circuit_open",
            Event::CircuitClosed => "circuit_closed",
            Event::TokenRenewed => "token_renewed",
            Event::SessionExpired => "session_expired",
            Event::Sunset { .. } => "sunset",
            Event::RateLimited(_) => "rate_limited",
            Event::Stale(_) => "stale",
        }
    }
}

const PII_KEYS: &[&str] = &[
    "email",
    "phone",
    "login_value",
    "password",
    "first_name",
    "last_name",
    "birthdate",
    "recipient",
    "contact",
    "code",
    "card",
    "card_number",
    "email_list",
    "token",
    "push_token",
    "authentication_token",
];

/// Masks free text from a server (error titles, details, messages): e-mail addresses and runs of 7 or more
/// digits (phone and card numbers, possibly with spaces, dashes or a leading +) become `***`.
pub(crate) fn mask_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_inclusive(|c: char| {
        c.is_whitespace() || c == ',' || c == ';' || c == '"' || c == '\''
    }) {
        let (core, tail) = match word.char_indices().last() {
            Some((i, c)) if c.is_whitespace() || ",;\"'".contains(c) => (&word[..i], &word[i..]),
            _ => (word, ""),
        };
        if core.contains('@') && core.contains('.') {
            out.push_str("***");
        } else {
            out.push_str(core);
        }
        out.push_str(tail);
    }
    mask_digit_runs(&out)
}

/// Replaces runs of ≥ 7 digits (allowing single spaces, dashes, dots or a leading `+` between them) with `***`;
/// a run that starts with a `YYYY-MM-DD` date is kept.
fn mask_digit_runs(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit()
            || (chars[i] == '+' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let mut j = i;
            let mut digits = 0;
            while j < chars.len() {
                let c = chars[j];
                if c.is_ascii_digit() {
                    digits += 1;
                } else if !(matches!(c, ' ' | '-' | '.' | '+')
                    && chars.get(j + 1).is_some_and(char::is_ascii_digit))
                {
                    break;
                }
                j += 1;
            }
            let run: String = chars[i..j].iter().collect();
            let is_date = run.len() >= 10
                && run.as_bytes()[4] == b'-'
                && run.as_bytes()[7] == b'-'
                && run[..4]
                    .bytes()
                    .chain(run[5..7].bytes())
                    .chain(run[8..10].bytes())
                    .all(|b| b.is_ascii_digit());
            if digits >= 7 && !is_date {
                out.push_str("***");
            } else {
                out.extend(&chars[i..j]);
            }
            i = j.max(i + 1);
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Masks a path: the segment after `tokens` (the device token, which CareCloud puts in token action paths) and any
/// segment that looks like an e-mail address or a long run of digits (phone, card).
pub(crate) fn mask_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut after_tokens = false;
    for (i, seg) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        if after_tokens && !seg.is_empty() {
            out.push_str("***");
        } else {
            out.push_str(&mask_value(seg));
        }
        after_tokens = seg == "tokens";
    }
    out
}

fn mask_value(v: &str) -> String {
    let digits = v.bytes().filter(u8::is_ascii_digit).count();
    if v.contains('@') || v.contains("%40") || (digits >= 7 && digits * 10 >= v.len() * 7) {
        "***".to_string()
    } else {
        v.to_string()
    }
}

/// Masks the values of PII query parameters (and anything that looks like an e-mail or phone number).
pub(crate) fn mask_query(query: &str) -> String {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => {
                let name = k
                    .trim_end_matches("%5B%5D")
                    .trim_end_matches("[]")
                    .to_ascii_lowercase();
                if PII_KEYS.contains(&name.as_str()) {
                    format!("{k}=***")
                } else {
                    format!("{k}={}", mask_value(v))
                }
            }
            None => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_in_path_is_masked() {
        let t = "a".repeat(72);
        assert_eq!(
            mask_path(&format!("/tokens/{t}/actions/login")),
            "/tokens/***/actions/login"
        );
        assert_eq!(mask_path("/rewards/r00001"), "/rewards/r00001");
    }

    #[test]
    fn free_text_pii_is_masked() {
        assert_eq!(
            mask_text("Customer alice@example.com (card 9000 0000 0000 1, tel +420 600 100 200) not found; code 404"),
            "Customer *** (card ***, tel ***) not found; code 404"
        );
        assert_eq!(mask_text("2026-11-27 10:00:00"), "2026-11-27 10:00:00");
    }

    #[test]
    fn pii_is_masked() {
        assert_eq!(mask_path("/customers/alice@example.com"), "/customers/***");
        assert_eq!(
            mask_query("email=alice%40example.com&count=20"),
            "email=***&count=20"
        );
        assert_eq!(
            mask_query("q=%2B420600100200&is_valid=true"),
            "q=***&is_valid=true"
        );
        assert_eq!(
            mask_query("email_list[]=a&count=1"),
            "email_list[]=***&count=1"
        );
    }

    #[test]
    fn masked_text_keeps_its_punctuation_and_spacing() {
        assert_eq!(
            mask_text(
                "to alice@example.com, bob; carol@example.org; \"dave@example.net\" 'e@x.io'"
            ),
            "to ***, bob; ***; \"***\" '***'"
        );
        assert_eq!(mask_text("mail alice@example.com"), "mail ***");
        assert_eq!(mask_text("order 1234567 ok"), "order *** ok");
    }

    #[test]
    fn text_without_pii_is_kept() {
        for text in ["version 1.2 at @home", "room 101, floor 3", "+ 42 - 7"] {
            assert_eq!(mask_text(text), text);
        }
    }

    #[test]
    fn encoded_email_and_digit_heavy_values_are_masked_but_ids_are_not() {
        assert_eq!(mask_query("q=alice%40example.com"), "q=***");
        assert_eq!(mask_path("/customers/555123456"), "/customers/***");
        let id = "/rewards/reward-1234567-spring-collection";
        assert_eq!(mask_path(id), id);
    }

    #[test]
    fn rate_limit_sources_are_the_js_names() {
        let refused = RateLimit::Refused {
            status: 429,
            retry_after_ms: None,
            path: String::new(),
        };
        let window = RateLimit::Window {
            pause_ms: 1,
            path: String::new(),
        };
        let queued = RateLimit::Queued {
            queue_length: 1,
            wait_ms: 1,
        };
        assert_eq!(
            [refused.source(), window.source(), queued.source()],
            ["server", "window", "limiter"]
        );
    }
}
