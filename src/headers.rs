//! Parsers for the response headers the client acts on: `Retry-After`, `Cache-Control`, `RateLimit` /
//! `X-RateLimit-*`, `Deprecation` and `Sunset`. Every parser takes hostile input (huge numbers, garbage, control
//! characters) and returns `None` or a clamped value; none panics.

/// Longest header value looked at; longer values are ignored as hostile.
const MAX_LEN: usize = 256;

/// `Retry-After`: delay-seconds or an HTTP-date, as milliseconds from `now_ms` (Unix epoch ms). A date in the past
/// gives 0. `None` when the value is neither.
pub fn retry_after_ms(value: &str, now_ms: f64) -> Option<u64> {
    let v = value.trim();
    if v.is_empty() || v.len() > MAX_LEN {
        return None;
    }
    if v.bytes().all(|b| b.is_ascii_digit()) {
        // Saturate absurd values; the caller clamps by `maxRetryAfterMs`.
        let secs: u64 = v.parse().unwrap_or(u64::MAX);
        return Some(secs.saturating_mul(1000));
    }
    let at = http_date_ms(v)?;
    let delta = at - now_ms;
    Some(if delta.is_finite() && delta > 0.0 {
        delta as u64
    } else {
        0
    })
}

/// What `Cache-Control` says about reuse.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheControl {
    /// `max-age` in seconds (`s-maxage` is for shared caches and ignored).
    pub max_age: Option<u64>,
    /// `no-store`: never keep the response.
    pub no_store: bool,
    /// `no-cache`: may keep, but must revalidate before reuse (treated as "do not reuse").
    pub no_cache: bool,
}

/// Parses `Cache-Control`. Unknown directives are ignored; a malformed `max-age` is ignored.
pub fn cache_control(value: &str) -> CacheControl {
    let mut cc = CacheControl::default();
    if value.len() > MAX_LEN * 4 {
        return cc;
    }
    for d in value.split(',') {
        let d = d.trim();
        let (name, arg) = match d.split_once('=') {
            Some((n, a)) => (n.trim(), Some(a.trim().trim_matches('"'))),
            None => (d, None),
        };
        if name.eq_ignore_ascii_case("max-age") {
            if let Some(a) = arg.filter(|a| !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()))
            {
                // Clamp to one year; absurd values must not pin data forever.
                cc.max_age = Some(a.parse::<u64>().unwrap_or(u64::MAX).min(31_536_000));
            }
        } else if name.eq_ignore_ascii_case("no-store") {
            cc.no_store = true;
        } else if name.eq_ignore_ascii_case("no-cache") {
            cc.no_cache = true;
        }
    }
    cc
}

/// A server's rate-limit hint: how many requests remain and when the window resets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimitHint {
    /// Requests left in the current window.
    pub remaining: u64,
    /// Milliseconds until the window resets.
    pub reset_ms: u64,
}

/// Reads `RateLimit: limit=…, remaining=…, reset=…` (IETF draft), or the separate `RateLimit-Remaining` /
/// `RateLimit-Reset` or `X-RateLimit-Remaining` / `X-RateLimit-Reset` pairs. `get` looks a header up by
/// lowercase name. A reset larger than a day is read as a Unix timestamp in seconds.
pub fn rate_limit<'a>(get: impl Fn(&str) -> Option<&'a str>, now_ms: f64) -> Option<RateLimitHint> {
    let num = |s: &str| -> Option<u64> {
        let s = s.trim();
        (!s.is_empty() && s.len() < 20 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())?
    };
    let (mut remaining, mut reset) = (None, None);
    if let Some(v) = get("ratelimit").filter(|v| v.len() <= MAX_LEN) {
        for part in v.split([',', ';']) {
            if let Some((k, val)) = part.split_once('=') {
                match k.trim().to_ascii_lowercase().as_str() {
                    "remaining" | "r" => remaining = num(val),
                    "reset" | "t" => reset = num(val),
                    _ => {}
                }
            }
        }
    }
    for prefix in ["ratelimit-", "x-ratelimit-"] {
        if remaining.is_none() {
            remaining = get(&format!("{prefix}remaining")).and_then(num);
        }
        if reset.is_none() {
            reset = get(&format!("{prefix}reset")).and_then(num);
        }
    }
    let remaining = remaining?;
    let reset = reset.unwrap_or(1);
    let reset_ms = if reset > 86_400 {
        // A Unix timestamp (seconds).
        let at = reset as f64 * 1000.0;
        if at > now_ms {
            (at - now_ms) as u64
        } else {
            0
        }
    } else {
        reset * 1000
    };
    Some(RateLimitHint {
        remaining,
        reset_ms: reset_ms.min(3_600_000),
    })
}

/// A `Deprecation` header: `true`, a structured date `@<unix seconds>`, or (older drafts) an HTTP-date.
/// Returns `Some(None)` for "deprecated, no date", `Some(Some(ms))` with a date, `None` when absent or not a
/// recognised value (`false`, garbage).
pub fn deprecation(value: &str) -> Option<Option<f64>> {
    let v = value.trim();
    if v.is_empty() || v.len() > MAX_LEN {
        return None;
    }
    if v.eq_ignore_ascii_case("true") || v == "?1" {
        return Some(None);
    }
    if let Some(secs) = v.strip_prefix('@') {
        let s: i64 = secs.parse().ok()?;
        return Some(Some(s as f64 * 1000.0));
    }
    http_date_ms(v).map(Some)
}

/// `Sunset` (RFC 8594): an HTTP-date, as Unix epoch ms. It stands on its own: a server may announce a sunset
/// without `Deprecation`.
pub fn sunset(value: &str) -> Option<f64> {
    http_date_ms(value.trim())
}

/// Parses an HTTP-date in IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`)
/// or asctime (`Sun Nov  6 08:49:37 1994`) form, to Unix epoch milliseconds.
pub fn http_date_ms(v: &str) -> Option<f64> {
    if v.len() > 64 {
        return None;
    }
    let tokens: Vec<&str> = v.split([' ', ',', '-']).filter(|t| !t.is_empty()).collect();
    let month = |t: &str| -> Option<u32> {
        const M: [&str; 12] = [
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ];
        let l = t.to_ascii_lowercase();
        M.iter().position(|m| *m == l).map(|p| p as u32 + 1)
    };
    let (day, mon, year, time) = match tokens.as_slice() {
        // IMF-fixdate / RFC 850: weekday, day, month, year, time, GMT
        [_, d, m, y, t, ..] if month(m).is_some() => (
            d.parse::<u32>().ok()?,
            month(m)?,
            y.parse::<i64>().ok()?,
            *t,
        ),
        // asctime: weekday, month, day, time, year
        [_, m, d, t, y] if month(m).is_some() => (
            d.parse::<u32>().ok()?,
            month(m)?,
            y.parse::<i64>().ok()?,
            *t,
        ),
        _ => return None,
    };
    let year = if year < 100 {
        if year < 70 {
            2000 + year
        } else {
            1900 + year
        }
    } else {
        year
    };
    if !(1..=31).contains(&day) || !(1970..=9999).contains(&year) {
        return None;
    }
    let mut hms = time.split(':').map(|p| p.parse::<u32>().ok());
    let (h, mi, s) = (hms.next()??, hms.next()??, hms.next()??);
    if h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let days = days_from_civil(year, mon, day);
    Some(((days * 86_400) + i64::from(h * 3600 + mi * 60 + s)) as f64 * 1000.0)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_date_and_garbage() {
        assert_eq!(retry_after_ms("3", 0.0), Some(3000));
        assert_eq!(retry_after_ms(" 0 ", 0.0), Some(0));
        assert_eq!(
            retry_after_ms("99999999999999999999999", 0.0),
            Some(u64::MAX)
        );
        let now = http_date_ms("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(now, 784_111_777_000.0);
        assert_eq!(
            retry_after_ms("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(10_000)
        );
        assert_eq!(
            retry_after_ms("Sun, 06 Nov 1994 08:49:27 GMT", now),
            Some(0)
        );
        for bad in [
            "",
            "-1",
            "1.5",
            "soon",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "\u{0}\u{7f}",
            &"9".repeat(300),
        ] {
            assert_eq!(retry_after_ms(bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn other_http_date_forms() {
        let a = http_date_ms("Sunday, 06-Nov-94 08:49:37 GMT");
        let b = http_date_ms("Sun Nov  6 08:49:37 1994");
        assert_eq!(a, Some(784_111_777_000.0));
        assert_eq!(b, a);
    }

    #[test]
    fn cache_control_directives() {
        assert_eq!(cache_control("max-age=3600").max_age, Some(3600));
        let cc = cache_control("private, no-cache, MAX-AGE=\"60\"");
        assert_eq!(
            (cc.max_age, cc.no_cache, cc.no_store),
            (Some(60), true, false)
        );
        assert!(cache_control("no-store").no_store);
        assert_eq!(cache_control("max-age=-5, max-age=abc").max_age, None);
        assert_eq!(
            cache_control("max-age=999999999999999999999999").max_age,
            Some(31_536_000)
        );
    }

    #[test]
    fn rate_limit_forms() {
        let h = |name: &str| match name {
            "ratelimit" => Some("limit=100, remaining=0, reset=7"),
            _ => None,
        };
        assert_eq!(
            rate_limit(h, 0.0),
            Some(RateLimitHint {
                remaining: 0,
                reset_ms: 7000
            })
        );
        let x = |name: &str| match name {
            "x-ratelimit-remaining" => Some("3"),
            "x-ratelimit-reset" => Some("1000030"),
            _ => None,
        };
        assert_eq!(
            rate_limit(x, 1_000_000_000.0),
            Some(RateLimitHint {
                remaining: 3,
                reset_ms: 30_000
            })
        );
        assert_eq!(rate_limit(|_| Some("garbage"), 0.0), None);
    }

    #[test]
    fn deprecation_and_sunset() {
        assert_eq!(deprecation("true"), Some(None));
        assert_eq!(deprecation("@1688169599"), Some(Some(1_688_169_599_000.0)));
        assert_eq!(deprecation("false"), None);
        assert_eq!(deprecation("@not-a-number"), None);
        assert_eq!(
            sunset("Wed, 11 Nov 2026 11:11:11 GMT").map(|v| v > 1.7e12),
            Some(true)
        );
        assert_eq!(sunset("tomorrow"), None);
    }

    #[test]
    fn values_up_to_the_length_limit_are_read_longer_ones_ignored() {
        // Leading zeros keep the value small, so only the length decides.
        let padded = |len: usize, tail: &str| format!("{}{tail}", "0".repeat(len - tail.len()));
        assert_eq!(retry_after_ms(&padded(MAX_LEN, "3"), 0.0), Some(3000));
        assert_eq!(retry_after_ms(&padded(MAX_LEN + 1, "3"), 0.0), None);
        let at = |len: usize| format!("@{}", padded(len - 1, "5"));
        assert_eq!(deprecation(&at(MAX_LEN)), Some(Some(5000.0)));
        assert_eq!(deprecation(&at(MAX_LEN + 1)), None);
        // Cache-Control may carry several directives: four times the limit.
        let cc = |len: usize| format!("max-age=60{}", ",".repeat(len - 10));
        assert_eq!(cache_control(&cc(4 * MAX_LEN)).max_age, Some(60));
        assert_eq!(cache_control(&cc(4 * MAX_LEN + 1)).max_age, None);
        // A rate-limit number of 20 digits or more is ignored, even when it would fit.
        let remaining = |v: &'static str| {
            rate_limit(move |n| (n == "ratelimit-remaining").then_some(v), 0.0).map(|h| h.remaining)
        };
        assert_eq!(remaining("0000000000000000007"), Some(7));
        assert_eq!(remaining("00000000000000000007"), None);
    }

    #[test]
    fn a_reset_of_up_to_a_day_is_seconds_beyond_it_a_timestamp() {
        let reset = |v: &'static str, now: f64| {
            rate_limit(
                move |n| match n {
                    "ratelimit-remaining" => Some("0"),
                    "ratelimit-reset" => Some(v),
                    _ => None,
                },
                now,
            )
            .map(|h| h.reset_ms)
        };
        // A day in seconds, read relative to now (2023 here) and clamped to the one-hour ceiling.
        assert_eq!(reset("86400", 1_700_000_000_000.0), Some(3_600_000));
        // One more is a Unix time (1970-01-02T00:00:01Z), here 30 s ahead; a time already past is 0.
        assert_eq!(reset("86401", 86_371_000.0), Some(30_000));
        assert_eq!(reset("86401", 90_000_000.0), Some(0));
        // Without a reset the window is taken to end in a second.
        assert_eq!(
            rate_limit(|n| (n == "x-ratelimit-remaining").then_some("0"), 0.0),
            Some(RateLimitHint {
                remaining: 0,
                reset_ms: 1000
            })
        );
    }

    #[test]
    fn http_date_edges() {
        let ms = |v: &str| http_date_ms(v);
        assert_eq!(ms("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0.0));
        assert_eq!(
            ms("Thu, 29 Feb 2024 12:00:00 GMT"),
            Some(1_709_208_000_000.0)
        );
        assert_eq!(
            ms("Mon, 01 Mar 2100 00:00:00 GMT"),
            Some(4_107_542_400_000.0)
        );
        // A leap second at the very end of the range.
        assert_eq!(
            ms("Fri, 31 Dec 9999 23:59:60 GMT"),
            Some(253_402_300_800_000.0)
        );
        // RFC 850 two-digit years: 70-99 are 19xx, 00-69 are 20xx.
        assert_eq!(ms("Thursday, 01-Jan-70 00:00:00 GMT"), Some(0.0));
        assert_eq!(
            ms("Saturday, 01-Jan-00 00:00:00 GMT"),
            Some(946_684_800_000.0)
        );
        assert_eq!(
            ms("Tuesday, 31-Dec-69 23:59:59 GMT"),
            Some(3_155_759_999_000.0)
        );
        for bad in [
            "Wed, 31 Dec 1969 23:59:59 GMT",
            "Sat, 01 Jan 10000 00:00:00 GMT",
            "Sat, 01 Jan 100 00:00:00 GMT",
            "Sun, 00 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:60:00 GMT",
            "Sun, 06 Nov 1994 08:49:61 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
        ] {
            assert_eq!(ms(bad), None, "{bad}");
        }
        // Longer than any HTTP-date form: ignored.
        let spaced = |n: usize| format!("Sun,{}06 Nov 1994 08:49:37 GMT", " ".repeat(n));
        assert_eq!(ms(&spaced(64 - 28)), Some(784_111_777_000.0));
        assert_eq!(ms(&spaced(65 - 28)), None);
    }
}
