//! Property tests ("fuzzing" on stable Rust) over every parser that sees network bytes or user options: the
//! envelope and error-body parsers, Retry-After, Cache-Control, RateLimit, Deprecation/Sunset, HTTP dates, path and
//! query normalisation, log masking, and option validation. They assert no panic and the documented bounds.
//! `make test` runs `PROPTEST_CASES` (default 2,000) cases per property; the long form in the README runs millions.

use crate::client::url::{normalize_path, normalize_query};
use crate::envelope::{ErrorBody, Page};
use crate::headers;
use crate::log::{mask_path, mask_query, mask_text};
use crate::Config;
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

/// Arbitrary JSON-ish text: real JSON values (nested), truncated, or raw bytes.
fn json_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        any::<f64>().prop_map(|f| serde_json::json!(f)),
        ".{0,40}".prop_map(serde_json::Value::String),
    ];
    let value = leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("error".to_string()),
                        Just("data".to_string()),
                        Just("invalid_params".to_string()),
                        Just("error_data".to_string()),
                        Just("reason".to_string()),
                        Just("total_items".to_string()),
                        "[a-z_]{1,12}"
                    ],
                    inner
                ),
                0..8
            )
            .prop_map(|kv| serde_json::Value::Object(kv.into_iter().collect())),
        ]
    });
    prop_oneof![
        value.clone().prop_map(|v| v.to_string()),
        (value, any::<prop::sample::Index>()).prop_map(|(v, i)| {
            let s = v.to_string();
            let cut = i.index(s.len() + 1);
            s.char_indices()
                .map(|(p, _)| p)
                .take_while(|p| *p <= cut)
                .last()
                .map_or(String::new(), |p| s[..p].to_string())
        }),
        ".{0,200}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn error_bodies_never_panic_and_stay_bounded(body in json_text()) {
        let e = ErrorBody::parse(&body);
        prop_assert!(e.invalid_params.len() <= 1000);
        prop_assert!(e.title.as_ref().is_none_or(|t| t.chars().count() <= 300 && !t.chars().any(char::is_control)));
        let err = crate::Error::from_response(400, &body, None);
        prop_assert_eq!(err.kind(), crate::ErrorKind::BadRequest);
    }

    #[test]
    fn the_json_reader_accepts_all_valid_json_and_never_panics(body in json_text()) {
        let ours = crate::json::Json::parse(&body);
        if serde_json::from_str::<serde_json::Value>(&body).is_ok() {
            prop_assert!(ours.is_some(), "valid JSON rejected: {}", body);
        }
        if let Some(v) = ours {
            // What we write back reads the same.
            prop_assert!(crate::json::Json::parse(&v.to_text()).is_some());
        }
    }

    #[test]
    fn pages_never_panic(body in json_text(), key in prop::option::of("[a-z_]{1,10}")) {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&body) {
            let p = Page::from_data(&v, key.as_deref());
            prop_assert!(p.total_items.is_none_or(|t| t < u64::MAX));
        }
    }

    #[test]
    fn header_parsers_never_panic(v in ".{0,300}", now in 0.0f64..4e12) {
        if let Some(ms) = headers::retry_after_ms(&v, now) {
            let _ = ms;
        }
        let cc = headers::cache_control(&v);
        prop_assert!(cc.max_age.is_none_or(|a| a <= 31_536_000));
        let _ = headers::deprecation(&v);
        let _ = headers::sunset(&v);
        let _ = headers::http_date_ms(&v);
        let masked = mask_text(&v);
        // No word that looks like an e-mail address survives.
        prop_assert!(masked
            .split(|c: char| c.is_whitespace() || ",;\"'".contains(c))
            .all(|w| !(w.contains('@') && w.contains('.'))));
        let hint = headers::rate_limit(|n| if n.contains("remaining") || n == "ratelimit" { Some(v.as_str()) } else { None }, now);
        prop_assert!(hint.is_none_or(|h| h.reset_ms <= 3_600_000));
    }

    #[test]
    fn retry_after_dates_round_trip(secs in 0u64..253_402_300_799) {
        // Any IMF-fixdate the server may send parses to the same instant.
        let days = (secs / 86_400) as i64;
        let (y, m, d) = civil_from_days(days);
        let wd = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][(days % 7) as usize];
        let mon = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][(m - 1) as usize];
        let t = secs % 86_400;
        let s = format!("{wd}, {d:02} {mon} {y} {:02}:{:02}:{:02} GMT", t / 3600, t / 60 % 60, t % 60);
        prop_assert_eq!(headers::http_date_ms(&s), Some(secs as f64 * 1000.0), "{}", s);
    }

    #[test]
    fn paths_and_queries_normalise_safely(p in ".{0,80}", q in prop::collection::vec((".{0,12}", ".{0,12}"), 0..6)) {
        if let Ok(n) = normalize_path(&p) {
            prop_assert!(n.starts_with('/') && !n.starts_with("//"));
            prop_assert!(!n.contains('?') && !n.contains('#') && !n.contains(' '));
            prop_assert!(!n.split('/').any(|s| s == ".."));
        }
        let qs = normalize_query(&q);
        prop_assert!(!qs.contains('#') && !qs.contains(' '));
        let _ = mask_query(&qs);
        let _ = mask_path(&p);
    }

    #[test]
    fn accepted_paths_never_climb_out_of_the_base(parts in prop::collection::vec(
        prop::sample::select(vec![".", "..", "%2e", "%2E", "%2e%2E", ".%2e", "%2e.", "%252e", "/", "%2f", "%2F",
            "\\", "%5c", "%", "%zz", "a", "rewards", "é", "\u{FF0E}", "~", "%25"]), 0..12)) {
        // Resolves an accepted path the way the WHATWG URL parser (fetch) does: a segment that is `.`/`..` once
        // `%2e` is read as `.` is a dot segment. None may remain, so the request stays under the base.
        let p = format!("/{}", parts.concat());
        if let Ok(n) = normalize_path(&p) {
            for seg in n.split('/') {
                let dots = seg.to_ascii_lowercase().replace("%2e", ".");
                prop_assert!(dots != "." && dots != "..", "{} -> {}", p, n);
                prop_assert!(!seg.eq_ignore_ascii_case("%2f") && !seg.contains('\\'), "{} -> {}", p, n);
            }
        }
    }

    #[test]
    fn options_never_panic(body in json_text()) {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&body) {
            if let Err(e) = Config::from_json(&v) {
                prop_assert_eq!(e.kind(), crate::ErrorKind::Config);
            }
        }
    }

    #[test]
    fn tokens_in_paths_never_reach_masked_logs(token in "[0-9a-f]{72}", tail in "[a-z/-]{0,20}") {
        let path = format!("/tokens/{token}/actions/{tail}");
        prop_assert!(!mask_path(&path).contains(&token));
    }
}

/// Inverse of the days-from-civil conversion (Howard Hinnant), for the round-trip property.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}
