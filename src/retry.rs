//! When to retry and how long to wait: [`RetryPolicy`] decides, it owns no timer (the caller sleeps).
//!
//! **Backoff formula**: the wait before retry *n* (0-based) depends on what failed.
//!
//! * A server's `Retry-After` (seconds or HTTP-date) takes precedence, clamped to `maxRetryAfterMs`.
//! * A 429 without `Retry-After` is never retried at once: CareCloud's guide (§7) and the Team-Connect guide (§04)
//!   say to start backing off at 1–2 s. The wait is `min(maxDelayMs, uniform(baseDelayMs · 2ⁿ, baseDelayMs · 2ⁿ⁺¹))`,
//!   so never below `baseDelayMs` (default 1 s) and spread over the window above the floor.
//! * Every other retryable failure (network, timeout, 408, 5xx) uses AWS "full jitter":
//!   `uniform(0, min(maxDelayMs, baseDelayMs · 2ⁿ))`. CareCloud's guide suggests 1 s → 2 s → 4 s with ±20 % jitter;
//!   with ±20 % a fleet that failed together retries together, in a window only 40 % wide. Full jitter spreads the
//!   same fleet over the whole window, which in AWS's measurements gives the fewest total calls and close to the
//!   shortest completion time under contention.
//!
//! **What is retried**: network errors and timeouts of reads, and 408, 429, 500, 502, 503, 504. Never 400, 401
//! (handled by token renewal), 403, 404, 405, 409, 422. A write (POST/PUT/DELETE) is retried only when the failure
//! proves the server did not act (408, 429, 503) or when an idempotency header is on; otherwise a lost response
//! ends the call with `outcome_unknown`.

use crate::config::options::{Options, Switch};
use crate::error::Error;

/// Retry settings (`retry` in the JS options).
#[derive(Clone, Debug, PartialEq)]
pub struct RetryConfig {
    /// Retries after the first attempt (0 disables retrying). Default 3; at most 10.
    pub max_retries: u32,
    /// First backoff window in ms. Default 1000.
    pub base_delay_ms: u64,
    /// Largest backoff window in ms. Default 30 000.
    pub max_delay_ms: u64,
    /// Largest `Retry-After` honoured, in ms. Default 120 000.
    pub max_retry_after_ms: u64,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_retries: 3,
            base_delay_ms: 1000,
            max_delay_ms: 30_000,
            max_retry_after_ms: 120_000,
        }
    }
}

impl RetryConfig {
    /// No retries at all (`retry: false`).
    pub fn disabled() -> Self {
        RetryConfig {
            max_retries: 0,
            ..Default::default()
        }
    }

    /// Reads the `retry` section: `false` disables retrying, missing members take the defaults.
    pub(crate) fn from_options(o: &Options) -> Result<Self, Error> {
        let o = match o.switch(
            "retry",
            &["maxRetries", "baseDelayMs", "maxDelayMs", "maxRetryAfterMs"],
        )? {
            Switch::Off => return Ok(Self::disabled()),
            Switch::On(o) => o,
        };
        let d = Self::default();
        let c = RetryConfig {
            max_retries: o.int("maxRetries", 0..=10, d.max_retries.into())? as u32,
            base_delay_ms: o.int("baseDelayMs", 1..=60_000, d.base_delay_ms)?,
            max_delay_ms: o.int("maxDelayMs", 1..=600_000, d.max_delay_ms)?,
            max_retry_after_ms: o.int("maxRetryAfterMs", 0..=3_600_000, d.max_retry_after_ms)?,
        };
        if c.max_delay_ms < c.base_delay_ms {
            return Err(o.error("maxDelayMs", "must be at least baseDelayMs"));
        }
        Ok(c)
    }
}

/// How an attempt failed, as the policy needs to know it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// No response: connection refused/reset, DNS, CORS, offline.
    Network,
    /// The attempt ran past `timeoutMs`.
    Timeout,
    /// An HTTP error status.
    Status(u16),
}

/// The policy's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Wait this many ms, then try again.
    Retry(u64),
    /// Stop. `outcome_unknown` is true for a write that may have been applied.
    GiveUp {
        /// The write may have happened.
        outcome_unknown: bool,
    },
}

/// Decides retries for one call. Pure: the random draw is a parameter.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    config: RetryConfig,
}

impl RetryPolicy {
    /// A policy over validated settings.
    pub fn new(config: RetryConfig) -> Self {
        RetryPolicy { config }
    }

    /// The settings.
    pub fn config(&self) -> &RetryConfig {
        &self.config
    }

    /// The full-jitter backoff window for retry `n` (0-based): `min(max, base · 2ⁿ)`.
    pub fn window_ms(&self, n: u32) -> u64 {
        self.exponential_ms(n).min(self.config.max_delay_ms)
    }

    /// `base · 2ⁿ`, uncapped (saturating; `n` beyond 30 counts as 30).
    fn exponential_ms(&self, n: u32) -> u64 {
        self.config.base_delay_ms.saturating_mul(1u64 << n.min(30))
    }

    /// The wait before retry `n` when nothing says how long: after a 429, `min(max, uniform(base · 2ⁿ, base · 2ⁿ⁺¹))`
    /// (never sooner than the floor); after any other failure, `uniform(0, window_ms(n))`.
    fn backoff_ms(&self, n: u32, failure: Failure, unit: f64) -> u64 {
        let u = if unit.is_finite() {
            unit.clamp(0.0, 1.0)
        } else {
            0.5
        };
        match failure {
            Failure::Status(429) => {
                let floor = self.exponential_ms(n) as f64;
                (floor * (1.0 + u)).min(self.config.max_delay_ms as f64) as u64
            }
            _ => (self.window_ms(n) as f64 * u) as u64,
        }
    }

    /// Decides after a failed attempt.
    ///
    /// * `retries_done`: retries already made for this call.
    /// * `write`: POST/PUT/DELETE.
    /// * `idempotent`: the call carries an idempotency key (same on every attempt).
    /// * `retry_after_ms`: the server's `Retry-After`, parsed.
    /// * `unit`: a uniform random number in `[0, 1)` for the jitter (a value that is not finite counts as 0.5).
    pub fn decide(
        &self,
        retries_done: u32,
        failure: Failure,
        write: bool,
        idempotent: bool,
        retry_after_ms: Option<u64>,
        unit: f64,
    ) -> Decision {
        // Did the server certainly not act on this request?
        let server_did_not_act = matches!(failure, Failure::Status(408 | 429 | 503));
        let retryable = match failure {
            Failure::Network | Failure::Timeout => true,
            Failure::Status(s) => matches!(s, 408 | 429 | 500 | 502 | 503 | 504),
        };
        // A write that failed in a way that may have reached the server, without an idempotency key.
        let unsafe_write = write && !idempotent && !server_did_not_act;
        let outcome_unknown = write
            && !idempotent
            && matches!(
                failure,
                Failure::Network | Failure::Timeout | Failure::Status(500 | 502 | 504)
            );
        if !retryable || unsafe_write || retries_done >= self.config.max_retries {
            return Decision::GiveUp { outcome_unknown };
        }
        let delay = match retry_after_ms {
            Some(ra) => ra.min(self.config.max_retry_after_ms),
            None => self.backoff_ms(retries_done, failure, unit),
        };
        Decision::Retry(delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> RetryPolicy {
        RetryPolicy::new(RetryConfig::default())
    }

    /// `n` uniform draws in `[0, 1)` from a seeded xorshift generator.
    fn units(n: usize) -> impl Iterator<Item = f64> {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        (0..n).map(move |_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 11) as f64 / (1u64 << 53) as f64
        })
    }

    /// The wait `p` decides for a read that failed with `failure` after `n` retries, without `Retry-After`.
    fn wait(p: &RetryPolicy, n: u32, failure: Failure, unit: f64) -> u64 {
        match p.decide(n, failure, false, false, None, unit) {
            Decision::Retry(d) => d,
            other => panic!("{failure:?} on a read after {n} retries is retried, got {other:?}"),
        }
    }

    /// Draws 20,000 waits and checks each tenth of `[lo, hi)` gets 10 % ± 1.5 % of them.
    fn assert_uniform(lo: u64, hi: u64, mut draw: impl FnMut(f64) -> u64) {
        let width = hi - lo;
        let mut bins = [0u32; 10];
        for unit in units(20_000) {
            let d = draw(unit);
            assert!((lo..hi).contains(&d), "within [{lo}, {hi}): {d}");
            bins[((d - lo) * 10 / width) as usize] += 1;
        }
        for (i, n) in bins.iter().enumerate() {
            assert!((1700..=2300).contains(n), "bin {i}: {n}");
        }
    }

    #[test]
    fn full_jitter_window_doubles_and_caps() {
        let p = p();
        assert_eq!(
            [p.window_ms(0), p.window_ms(1), p.window_ms(2)],
            [1000, 2000, 4000]
        );
        assert_eq!(p.window_ms(10), 30_000);
        assert_eq!(p.window_ms(u32::MAX), 30_000);
        assert_eq!(wait(&p, 1, Failure::Status(503), 0.5), 1000);
        // A 5xx may be retried at once: full jitter starts at 0.
        assert_eq!(wait(&p, 0, Failure::Status(503), 0.0), 0);
    }

    #[test]
    fn full_jitter_spreads_uniformly_over_the_window() {
        // Every tenth of the 4 s window of retry 2 gets its share.
        let p = p();
        assert_uniform(0, 4000, |u| wait(&p, 2, Failure::Status(503), u));
    }

    #[test]
    fn a_429_without_retry_after_is_never_retried_at_once() {
        // The guides: start backing off at 1-2 s. The first wait is in [base, 2 base], for every draw.
        let p = p();
        assert_eq!(wait(&p, 0, Failure::Status(429), 0.0), 1000);
        assert_eq!(wait(&p, 0, Failure::Status(429), 0.5), 1500);
        assert_eq!(wait(&p, 0, Failure::Status(429), f64::NAN), 1500);
        // Writes too: a 429 proves the server did not act, and the floor holds for them as well.
        assert_eq!(
            p.decide(0, Failure::Status(429), true, false, None, 0.0),
            Decision::Retry(1000)
        );
    }

    #[test]
    fn the_429_floor_holds_for_every_retry_and_draw() {
        // Up to 10 retries, so the floor passes the 30 s cap on the way; draws over all of [0, 1).
        for config in [
            RetryConfig::default(),
            RetryConfig {
                base_delay_ms: 250,
                max_delay_ms: 600_000,
                ..RetryConfig::default()
            },
        ] {
            let p = RetryPolicy::new(RetryConfig {
                max_retries: 10,
                ..config.clone()
            });
            for n in 0..10 {
                let floor = (config.base_delay_ms << n).min(config.max_delay_ms);
                let ceiling = (config.base_delay_ms << (n + 1)).min(config.max_delay_ms);
                for unit in units(500).chain([0.0, 1.0 - f64::EPSILON]) {
                    let d = wait(&p, n, Failure::Status(429), unit);
                    assert!(d >= config.base_delay_ms, "n={n} unit={unit}: {d}");
                    assert!((floor..=ceiling).contains(&d), "n={n} unit={unit}: {d}");
                }
            }
        }
    }

    #[test]
    fn the_429_wait_spreads_uniformly_above_the_floor() {
        // Retry 1 after a 429: every tenth of [2 s, 4 s) gets its share.
        let p = p();
        assert_uniform(2000, 4000, |u| wait(&p, 1, Failure::Status(429), u));
    }

    #[test]
    fn the_429_wait_is_capped() {
        let p = RetryPolicy::new(RetryConfig {
            max_retries: 10,
            ..RetryConfig::default()
        });
        // Retry 4: the window [16 s, 32 s] reaches past the 30 s cap; the top of it is cut to the cap.
        assert_eq!(wait(&p, 4, Failure::Status(429), 0.0), 16_000);
        assert_eq!(wait(&p, 4, Failure::Status(429), 0.999), 30_000);
        // Retry 9: the floor itself is past the cap.
        assert_eq!(wait(&p, 9, Failure::Status(429), 0.0), 30_000);
    }

    #[test]
    fn reads_retry_transient_failures_only() {
        let p = p();
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(
                matches!(
                    p.decide(0, Failure::Status(s), false, false, None, 0.1),
                    Decision::Retry(_)
                ),
                "{s}"
            );
        }
        for s in [400, 401, 403, 404, 405, 409, 422] {
            assert_eq!(
                p.decide(0, Failure::Status(s), false, false, None, 0.1),
                Decision::GiveUp {
                    outcome_unknown: false
                },
                "{s}"
            );
        }
        assert!(matches!(
            p.decide(0, Failure::Network, false, false, None, 0.1),
            Decision::Retry(_)
        ));
        assert!(matches!(
            p.decide(0, Failure::Timeout, false, false, None, 0.1),
            Decision::Retry(_)
        ));
    }

    #[test]
    fn attempts_are_capped() {
        let p = p();
        assert!(matches!(
            p.decide(2, Failure::Status(503), false, false, None, 0.1),
            Decision::Retry(_)
        ));
        assert_eq!(
            p.decide(3, Failure::Status(503), false, false, None, 0.1),
            Decision::GiveUp {
                outcome_unknown: false
            }
        );
        let off = RetryPolicy::new(RetryConfig::disabled());
        assert!(matches!(
            off.decide(0, Failure::Network, false, false, None, 0.1),
            Decision::GiveUp { .. }
        ));
    }

    #[test]
    fn writes_retry_only_when_safe() {
        let p = p();
        // The server certainly did not act.
        assert!(matches!(
            p.decide(0, Failure::Status(503), true, false, None, 0.1),
            Decision::Retry(_)
        ));
        assert!(matches!(
            p.decide(0, Failure::Status(429), true, false, None, 0.1),
            Decision::Retry(_)
        ));
        // It may have acted: no retry, outcome unknown.
        for f in [
            Failure::Network,
            Failure::Timeout,
            Failure::Status(500),
            Failure::Status(502),
            Failure::Status(504),
        ] {
            assert_eq!(
                p.decide(0, f, true, false, None, 0.1),
                Decision::GiveUp {
                    outcome_unknown: true
                },
                "{f:?}"
            );
        }
        // With an idempotency key the same failures are retried.
        assert!(matches!(
            p.decide(0, Failure::Network, true, true, None, 0.1),
            Decision::Retry(_)
        ));
        // A 400 on a write is a known outcome.
        assert_eq!(
            p.decide(0, Failure::Status(400), true, false, None, 0.1),
            Decision::GiveUp {
                outcome_unknown: false
            }
        );
        // Out of retries with an idempotency key: the write's outcome is known only to the server, but a key makes
        // a later retry by the caller safe; not marked unknown.
        assert_eq!(
            p.decide(3, Failure::Network, true, true, None, 0.1),
            Decision::GiveUp {
                outcome_unknown: false
            }
        );
    }

    #[test]
    fn retry_after_wins_and_is_clamped() {
        let p = p();
        assert_eq!(
            p.decide(0, Failure::Status(429), false, false, Some(7000), 0.9),
            Decision::Retry(7000)
        );
        assert_eq!(
            p.decide(0, Failure::Status(429), false, false, Some(u64::MAX), 0.9),
            Decision::Retry(120_000)
        );
        // The server's word wins over the 429 floor, in both directions.
        for ra in [0, 300, 45_000] {
            assert_eq!(
                p.decide(0, Failure::Status(429), false, false, Some(ra), 0.9),
                Decision::Retry(ra)
            );
        }
    }

    #[test]
    fn the_policy_reports_the_settings_it_was_made_with() {
        let config = RetryConfig {
            max_retries: 7,
            base_delay_ms: 250,
            max_delay_ms: 9000,
            max_retry_after_ms: 60_000,
        };
        assert_eq!(RetryPolicy::new(config.clone()).config(), &config);
    }

    #[test]
    fn options_are_read_with_ranges_and_defaults() {
        use crate::config::options::read;
        for bad in [
            r#"{"retry":{"maxRetries":11}}"#,
            r#"{"retry":{"baseDelayMs":0}}"#,
            r#"{"retry":{"baseDelayMs":100,"maxDelayMs":10}}"#,
            r#"{"retry":{"maxRetryAfterMs":3600001}}"#,
            r#"{"retry":"often"}"#,
        ] {
            let e = read(bad, RetryConfig::from_options).unwrap_err();
            assert!(e.message().starts_with("retry"), "{bad}: {}", e.message());
        }
        assert_eq!(
            read("{}", RetryConfig::from_options).unwrap(),
            RetryConfig::default()
        );
        assert_eq!(
            read(r#"{"retry":false}"#, RetryConfig::from_options).unwrap(),
            RetryConfig::disabled()
        );
        let c = read(
            r#"{"retry":{"maxRetries":0,"maxDelayMs":5000}}"#,
            RetryConfig::from_options,
        )
        .unwrap();
        assert_eq!(
            (c.max_retries, c.max_delay_ms, c.base_delay_ms),
            (0, 5000, 1000)
        );
    }
}
