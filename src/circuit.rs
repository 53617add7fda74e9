//! [`CircuitBreaker`]: closed → open after N consecutive failures → half-open single probe → closed or open again.
//! Pure state machine over caller-supplied time.

use crate::config::options::{Options, Switch};
use crate::error::Error;

/// Breaker settings (`circuitBreaker` in the JS options).
#[derive(Clone, Debug, PartialEq)]
pub struct BreakerConfig {
    /// Consecutive failed attempts (network, timeout, 5xx) that open the circuit. Default 5.
    pub failure_threshold: u32,
    /// How long the circuit stays open before one probe is let through, in ms. Default 30 000.
    pub open_ms: u64,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig {
            failure_threshold: 5,
            open_ms: 30_000,
        }
    }
}

impl BreakerConfig {
    /// Reads the `circuitBreaker` section: `None` when switched off, missing members take the defaults.
    pub(crate) fn from_options(o: &Options) -> Result<Option<Self>, Error> {
        let Switch::On(o) = o.switch("circuitBreaker", &["failureThreshold", "openMs"])? else {
            return Ok(None);
        };
        let d = Self::default();
        Ok(Some(BreakerConfig {
            failure_threshold: o.int("failureThreshold", 1..=1000, d.failure_threshold.into())?
                as u32,
            open_ms: o.int("openMs", 1..=3_600_000, d.open_ms)?,
        }))
    }
}

/// The breaker's state, as `stats().circuitState` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CircuitState {
    /// Calls flow.
    Closed,
    /// Calls fail fast with `circuit_open`.
    Open,
    /// One probe call is allowed through; its result closes or re-opens the circuit.
    HalfOpen,
}

impl CircuitState {
    /// `"closed"`, `"open"` or `"half_open"`.
    pub fn as_str(self) -> &'static str {
        match self {
            CircuitState::Closed => "closed",
            CircuitState::Open => "open",
            CircuitState::HalfOpen => "half_open",
        }
    }
}

/// What an attempt may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permit {
    /// A normal attempt.
    Normal,
    /// The half-open probe: report its result, or [`CircuitBreaker::abandon`] it.
    Probe,
}

/// A transition worth an event (`circuit_open` / `circuit_closed`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    /// The circuit opened.
    Opened,
    /// The circuit closed again.
    Closed,
}

/// The circuit breaker.
///
/// ```
/// use carecloud_customer::circuit::{BreakerConfig, CircuitBreaker, CircuitState, Permit};
/// let mut b = CircuitBreaker::new(BreakerConfig { failure_threshold: 2, open_ms: 1000 });
/// b.on_failure(0.0);
/// b.on_failure(0.0);
/// assert_eq!(b.state(0.0), CircuitState::Open);
/// assert!(b.allow(10.0).is_err());
/// assert_eq!(b.allow(1000.0), Ok(Permit::Probe));
/// ```
#[derive(Debug)]
pub struct CircuitBreaker {
    config: BreakerConfig,
    failures: u32,
    /// Outcomes of the last [`WINDOW`] attempts, newest in bit 0 (1 = failure).
    window: u32,
    seen: u32,
    opened_at: Option<f64>,
    probing: bool,
}

/// Attempts remembered for the failure-ratio check.
pub const WINDOW: u32 = 20;

impl CircuitBreaker {
    /// A closed breaker.
    pub fn new(config: BreakerConfig) -> Self {
        CircuitBreaker {
            config,
            failures: 0,
            window: 0,
            seen: 0,
            opened_at: None,
            probing: false,
        }
    }

    /// The state at `now` (ms).
    pub fn state(&self, now: f64) -> CircuitState {
        match self.opened_at {
            None => CircuitState::Closed,
            Some(t) if now - t >= self.config.open_ms as f64 => CircuitState::HalfOpen,
            Some(_) => CircuitState::Open,
        }
    }

    /// May an attempt start at `now`? `Err(retry_in_ms)` when the circuit is open (or the probe is out).
    pub fn allow(&mut self, now: f64) -> Result<Permit, u64> {
        match self.state(now) {
            CircuitState::Closed => Ok(Permit::Normal),
            CircuitState::Open => {
                let t = self.opened_at.unwrap_or(now);
                Err((self.config.open_ms as f64 - (now - t)).max(0.0) as u64)
            }
            CircuitState::HalfOpen if self.probing => Err(self.config.open_ms.min(1000)),
            CircuitState::HalfOpen => {
                self.probing = true;
                Ok(Permit::Probe)
            }
        }
    }

    fn remember(&mut self, failed: bool) {
        self.window = ((self.window << 1) | u32::from(failed)) & ((1 << WINDOW) - 1);
        self.seen = (self.seen + 1).min(WINDOW);
    }

    /// An attempt got a response that is not a server failure.
    pub fn on_success(&mut self) -> Option<Transition> {
        self.remember(false);
        self.failures = 0;
        self.probing = false;
        self.opened_at.take().map(|_| Transition::Closed)
    }

    /// An attempt failed (network, timeout, 5xx). The circuit opens after `failure_threshold` consecutive failures
    /// when at least 80 % of the last [`WINDOW`] attempts failed too: a full outage opens it after the threshold
    /// (after at most 16 attempts following healthy traffic), while a brownout with a minority of random failures,
    /// which retries ride out, practically never does (at 30 % failures: P(16 of 20) ≈ 5·10⁻⁶ per window).
    pub fn on_failure(&mut self, now: f64) -> Option<Transition> {
        self.remember(true);
        self.failures = self.failures.saturating_add(1);
        let was_probe = std::mem::take(&mut self.probing);
        let mostly_failing = self.window.count_ones() * 5 >= self.seen * 4;
        if was_probe
            || (self.opened_at.is_none()
                && self.failures >= self.config.failure_threshold
                && mostly_failing)
        {
            let newly = self.opened_at.is_none();
            self.opened_at = Some(now);
            return newly.then_some(Transition::Opened);
        }
        None
    }

    /// The network is back (the browser's `online` event): an open circuit turns half-open now, so the next
    /// attempt probes at once instead of waiting out `open_ms`.
    pub fn half_open_now(&mut self, now: f64) {
        if self.state(now) == CircuitState::Open {
            self.opened_at = Some(now - self.config.open_ms as f64);
        }
    }

    /// The probe was cancelled before it had a result: let another one through.
    pub fn abandon(&mut self, permit: Permit) {
        if permit == Permit::Probe {
            self.probing = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b() -> CircuitBreaker {
        CircuitBreaker::new(BreakerConfig {
            failure_threshold: 3,
            open_ms: 1000,
        })
    }

    #[test]
    fn opens_after_consecutive_failures_only() {
        let mut b = b();
        b.on_failure(0.0);
        b.on_failure(0.0);
        b.on_success();
        b.on_failure(0.0);
        b.on_failure(0.0);
        assert_eq!(b.state(0.0), CircuitState::Closed);
        assert_eq!(b.on_failure(5.0), Some(Transition::Opened));
        assert_eq!(b.state(5.0), CircuitState::Open);
        assert_eq!(b.allow(505.0), Err(500));
    }

    #[test]
    fn a_minority_of_failures_does_not_open_it() {
        let mut b = CircuitBreaker::new(BreakerConfig {
            failure_threshold: 5,
            open_ms: 1000,
        });
        for _ in 0..14 {
            b.on_success();
        }
        for _ in 0..15 {
            assert_eq!(
                b.on_failure(0.0),
                None,
                "at most 15 of the last 20 failed: not yet an outage"
            );
        }
        assert_eq!(
            b.on_failure(0.0),
            Some(Transition::Opened),
            "16 of 20 (80 %), and 16 in a row"
        );
    }

    #[test]
    fn half_open_lets_exactly_one_probe_through() {
        let mut b = b();
        for _ in 0..3 {
            b.on_failure(0.0);
        }
        assert_eq!(b.allow(1000.0), Ok(Permit::Probe));
        assert!(
            b.allow(1000.0).is_err(),
            "second caller during the probe fails fast"
        );
        assert_eq!(b.on_success(), Some(Transition::Closed));
        assert_eq!(b.allow(1001.0), Ok(Permit::Normal));
    }

    #[test]
    fn failed_probe_reopens_for_another_window() {
        let mut b = b();
        for _ in 0..3 {
            b.on_failure(0.0);
        }
        assert_eq!(b.allow(1000.0), Ok(Permit::Probe));
        assert_eq!(b.on_failure(1000.0), None, "already open: no new event");
        assert_eq!(b.state(1500.0), CircuitState::Open);
        assert_eq!(b.allow(2000.0), Ok(Permit::Probe));
    }

    #[test]
    fn abandoned_probe_frees_the_slot() {
        let mut b = b();
        for _ in 0..3 {
            b.on_failure(0.0);
        }
        let p = b.allow(1000.0).unwrap();
        b.abandon(p);
        assert_eq!(b.allow(1000.0), Ok(Permit::Probe));
    }

    #[test]
    fn half_open_now_lets_a_probe_through_at_once() {
        let mut b = b();
        b.half_open_now(0.0);
        assert_eq!(
            b.state(0.0),
            CircuitState::Closed,
            "a closed circuit stays closed"
        );
        for _ in 0..3 {
            b.on_failure(0.0);
        }
        assert!(b.allow(10.0).is_err());
        b.half_open_now(10.0);
        assert_eq!(b.state(10.0), CircuitState::HalfOpen);
        assert_eq!(b.allow(10.0), Ok(Permit::Probe));
        assert_eq!(b.on_success(), Some(Transition::Closed));
    }
}
