//! Client-side rate limiting: a [`TokenBucket`] (requests per second with a burst, queued by reservation) and a
//! [`Semaphore`] capping concurrent requests. The bucket is pure over caller-supplied time; the semaphore is a
//! single-threaded async queue (FIFO).

use crate::config::options::{Options, Switch};
use crate::error::Error;
use futures_channel::oneshot;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

/// Rate-limit settings (`rateLimit` in the JS options).
#[derive(Clone, Debug, PartialEq)]
pub struct RateLimitConfig {
    /// Sustained requests per second. Default 10.
    pub requests_per_second: f64,
    /// Requests allowed at once after a quiet period. Default 20.
    pub burst: u32,
    /// Requests on the wire at once. Default 6 (a browser's per-host connection limit).
    pub max_concurrent: u32,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            requests_per_second: 10.0,
            burst: 20,
            max_concurrent: 6,
        }
    }
}

impl RateLimitConfig {
    /// Reads the `rateLimit` section: `None` when switched off, missing members take the defaults.
    pub(crate) fn from_options(o: &Options) -> Result<Option<Self>, Error> {
        let Switch::On(o) = o.switch(
            "rateLimit",
            &["requestsPerSecond", "burst", "maxConcurrent"],
        )?
        else {
            return Ok(None);
        };
        let d = Self::default();
        Ok(Some(RateLimitConfig {
            requests_per_second: o.positive("requestsPerSecond", 10_000, d.requests_per_second)?,
            burst: o.int("burst", 1..=100_000, d.burst.into())? as u32,
            max_concurrent: o.int("maxConcurrent", 1..=10_000, d.max_concurrent.into())? as u32,
        }))
    }
}

/// A token bucket where each caller reserves the next free slot: the returned wait is how long that caller must
/// sleep before sending. Reservations queue callers in arrival order without a timer per waiter.
///
/// ```
/// use carecloud_customer::rate_limit::TokenBucket;
/// let mut b = TokenBucket::new(10.0, 2);
/// assert_eq!(b.reserve(0.0), 0);
/// assert_eq!(b.reserve(0.0), 0);
/// assert_eq!(b.reserve(0.0), 100); // the third waits one token's worth: 1/10 s
/// ```
#[derive(Debug)]
pub struct TokenBucket {
    per_ms: f64,
    burst: f64,
    tokens: f64,
    last: f64,
    paused_until: f64,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(requests_per_second: f64, burst: u32) -> Self {
        TokenBucket {
            per_ms: requests_per_second / 1000.0,
            burst: f64::from(burst),
            tokens: f64::from(burst),
            last: f64::NEG_INFINITY,
            paused_until: 0.0,
        }
    }

    fn refill(&mut self, now: f64) {
        if self.last.is_finite() && now > self.last {
            self.tokens = (self.tokens + (now - self.last) * self.per_ms).min(self.burst);
        }
        if !self.last.is_finite() || now > self.last {
            self.last = now;
        }
    }

    /// Takes one token and returns how many ms the caller must wait before sending.
    pub fn reserve(&mut self, now: f64) -> u64 {
        self.refill(now);
        self.tokens -= 1.0;
        let mut wait = if self.tokens >= 0.0 {
            0.0
        } else {
            -self.tokens / self.per_ms
        };
        if self.paused_until > now {
            wait = wait.max(self.paused_until - now);
        }
        wait.ceil() as u64
    }

    /// A bucket that never makes a caller wait, except for a server's pause (the rate limiter switched off).
    pub fn unlimited() -> Self {
        TokenBucket {
            per_ms: f64::INFINITY,
            burst: f64::INFINITY,
            tokens: f64::INFINITY,
            last: f64::NEG_INFINITY,
            paused_until: 0.0,
        }
    }

    /// A server said the window is exhausted: send nothing before `until` (ms). True when this makes the pause
    /// longer.
    pub fn pause_until(&mut self, until: f64) -> bool {
        let longer = until.is_finite() && until > self.paused_until;
        if longer {
            self.paused_until = until;
        }
        longer
    }

    /// Tokens available at `now` (negative when callers are queued).
    pub fn available(&mut self, now: f64) -> f64 {
        self.refill(now);
        self.tokens
    }
}

/// A FIFO async semaphore for one thread (wasm has one). Permits release on drop.
#[derive(Clone, Debug)]
pub struct Semaphore(Rc<RefCell<SemState>>);

#[derive(Debug)]
struct SemState {
    free: u32,
    waiters: VecDeque<oneshot::Sender<()>>,
}

/// A held slot; dropping it lets the next waiter in.
#[derive(Debug)]
pub struct SemaphorePermit(Semaphore);

impl Semaphore {
    /// A semaphore with `n` slots.
    pub fn new(n: u32) -> Self {
        Semaphore(Rc::new(RefCell::new(SemState {
            free: n,
            waiters: VecDeque::new(),
        })))
    }

    /// Waits for a slot. Cancel-safe: a waiter dropped while queued takes no slot, and a slot handed to a waiter
    /// that was dropped meanwhile is passed on.
    pub async fn acquire(&self) -> SemaphorePermit {
        let rx = {
            let mut s = self.0.borrow_mut();
            if s.free > 0 && s.waiters.is_empty() {
                s.free -= 1;
                return SemaphorePermit(self.clone());
            }
            let (tx, rx) = oneshot::channel();
            s.waiters.push_back(tx);
            rx
        };
        // The sender is only dropped by `release` after a successful hand-over, or never; a cancelled channel
        // cannot happen while `self` is alive, but treat it as a granted slot rather than panic.
        let _ = rx.await;
        SemaphorePermit(self.clone())
    }

    fn release(&self) {
        let mut s = self.0.borrow_mut();
        while let Some(tx) = s.waiters.pop_front() {
            if tx.send(()).is_ok() {
                return; // the slot moves to that waiter
            }
        }
        s.free += 1;
    }

    /// Slots free right now.
    pub fn available(&self) -> u32 {
        self.0.borrow().free
    }

    /// Callers queued.
    pub fn queued(&self) -> usize {
        self.0.borrow().waiters.len()
    }
}

impl Drop for SemaphorePermit {
    fn drop(&mut self) {
        self.0.release();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_executor::LocalPool;
    use futures_util::task::LocalSpawnExt;
    use std::cell::Cell;

    #[test]
    fn bucket_spaces_requests_after_the_burst() {
        let mut b = TokenBucket::new(10.0, 3);
        let waits: Vec<u64> = (0..6).map(|_| b.reserve(0.0)).collect();
        assert_eq!(waits, vec![0, 0, 0, 100, 200, 300]);
        // After a quiet second the bucket refills (up to the burst only).
        assert_eq!(b.available(10_000.0), 3.0);
    }

    #[test]
    fn bucket_refills_continuously_at_the_rate() {
        // 10 per second, burst 1: a token every 100 ms, earned in fractions in between.
        let mut b = TokenBucket::new(10.0, 1);
        assert_eq!(b.reserve(0.0), 0);
        assert_eq!(b.reserve(100.0), 0, "a whole token after 100 ms");
        assert_eq!(
            b.reserve(150.0),
            50,
            "half a token earned, half to wait for"
        );
        assert!(b.available(200.0).abs() < 1e-9, "paid back by 200 ms");
        assert!((b.available(250.0) - 0.5).abs() < 1e-9);
        assert_eq!(b.available(1000.0), 1.0, "never more than the burst");
    }

    #[test]
    fn a_clock_stepping_back_neither_takes_nor_gives_tokens() {
        let mut b = TokenBucket::new(10.0, 5);
        assert_eq!(b.reserve(1000.0), 0);
        assert_eq!(b.available(400.0), 4.0);
        // Time resumes from the latest instant seen, not from the step back: 50 ms later, half a token.
        assert!((b.available(1050.0) - 4.5).abs() < 1e-9);
    }

    #[test]
    fn bucket_honours_server_pause() {
        let mut b = TokenBucket::new(100.0, 10);
        assert!(b.pause_until(5000.0));
        assert!(!b.pause_until(4000.0), "a shorter pause changes nothing");
        assert_eq!(b.reserve(1000.0), 4000);
        assert_eq!(b.reserve(6000.0), 0);
    }

    #[test]
    fn unlimited_bucket_waits_only_for_a_server_pause() {
        let mut b = TokenBucket::unlimited();
        assert!((0..10_000).all(|_| b.reserve(0.0) == 0));
        assert_eq!(b.reserve(1.0), 0);
        b.pause_until(500.0);
        assert_eq!(b.reserve(100.0), 400);
    }

    #[test]
    fn semaphore_caps_concurrency_in_fifo_order() {
        let mut pool = LocalPool::new();
        let sem = Semaphore::new(2);
        let running = Rc::new(Cell::new(0));
        let peak = Rc::new(Cell::new(0));
        let order = Rc::new(RefCell::new(Vec::new()));
        let (gate_tx, gate_rx) = futures_channel::oneshot::channel::<()>();
        let gate = futures_util::future::FutureExt::shared(gate_rx);
        for i in 0..5 {
            let (sem, running, peak, order, gate) = (
                sem.clone(),
                running.clone(),
                peak.clone(),
                order.clone(),
                gate.clone(),
            );
            pool.spawner()
                .spawn_local(async move {
                    let _p = sem.acquire().await;
                    running.set(running.get() + 1);
                    peak.set(peak.get().max(running.get()));
                    order.borrow_mut().push(i);
                    let _ = gate.await;
                    running.set(running.get() - 1);
                })
                .unwrap();
        }
        pool.run_until_stalled();
        assert_eq!(running.get(), 2);
        assert_eq!(sem.queued(), 3);
        gate_tx.send(()).unwrap();
        // Every caller gets its turn; a semaphore that loses a slot leaves callers stalled (not hung: the pool
        // stops when nothing can make progress).
        pool.run_until_stalled();
        assert_eq!(running.get(), 0);
        assert_eq!(sem.queued(), 0);
        assert_eq!(peak.get(), 2);
        assert_eq!(*order.borrow(), vec![0, 1, 2, 3, 4]);
        assert_eq!(sem.available(), 2);
    }

    #[test]
    fn dropped_waiter_takes_no_slot() {
        use std::future::Future;
        let sem = Semaphore::new(1);
        let waker = futures_util::task::noop_waker();
        let mut cx = std::task::Context::from_waker(&waker);
        let std::task::Poll::Ready(held) = Box::pin(sem.acquire()).as_mut().poll(&mut cx) else {
            panic!("a free slot is taken at once");
        };
        let mut waiting = Box::pin(sem.acquire());
        assert!(waiting.as_mut().poll(&mut cx).is_pending());
        assert_eq!(sem.queued(), 1);
        drop(waiting);
        drop(held);
        assert_eq!(
            sem.available(),
            1,
            "the slot returns to the pool, not to the dropped waiter"
        );
    }

    #[test]
    fn bad_config_is_a_config_error_naming_the_option() {
        use crate::config::options::read;
        for (bad, name) in [
            (
                r#"{"rateLimit":{"requestsPerSecond":0}}"#,
                "rateLimit.requestsPerSecond",
            ),
            (
                r#"{"rateLimit":{"requestsPerSecond":"fast"}}"#,
                "rateLimit.requestsPerSecond",
            ),
            (r#"{"rateLimit":{"burst":0}}"#, "rateLimit.burst"),
            (
                r#"{"rateLimit":{"maxConcurrent":0}}"#,
                "rateLimit.maxConcurrent",
            ),
        ] {
            let e = read(bad, RateLimitConfig::from_options).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Config);
            assert!(e.message().starts_with(name), "{bad}: {}", e.message());
        }
        assert_eq!(
            read("{}", RateLimitConfig::from_options).unwrap(),
            Some(RateLimitConfig::default())
        );
        assert_eq!(
            read(r#"{"rateLimit":false}"#, RateLimitConfig::from_options).unwrap(),
            None
        );
    }
}
