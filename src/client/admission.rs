//! Admission: whether and when an attempt may go out. The circuit breaker lets it through (or fails fast), the token
//! bucket spaces it (and holds everything back while a server's rate-limit window is exhausted), the semaphore caps
//! requests on the wire. Every attempt's result reaches the breaker through [`Client::report`], and only there.

use super::call::Call;
use super::Client;
use crate::circuit::{CircuitBreaker, Permit, Transition};
use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::headers;
use crate::log::{Event, RateLimit};
use crate::rate_limit::{Semaphore, SemaphorePermit, TokenBucket};
use crate::runtime::{HttpResponse, Runtime};
use std::cell::{Cell, RefCell};

/// The breaker and the limiter of one client.
pub(super) struct Gate {
    pub(super) breaker: Option<RefCell<CircuitBreaker>>,
    /// Always present: with the rate limiter off it only holds the server's pauses.
    bucket: RefCell<TokenBucket>,
    sem: Option<Semaphore>,
    /// Calls waiting for the bucket now.
    queued: Cell<u32>,
}

impl Gate {
    pub(super) fn new(cfg: &Config) -> Gate {
        let bucket = match &cfg.rate_limit {
            Some(r) => TokenBucket::new(r.requests_per_second, r.burst),
            None => TokenBucket::unlimited(),
        };
        Gate {
            breaker: cfg
                .circuit_breaker
                .clone()
                .map(|b| RefCell::new(CircuitBreaker::new(b))),
            bucket: RefCell::new(bucket),
            sem: cfg
                .rate_limit
                .as_ref()
                .map(|r| Semaphore::new(r.max_concurrent)),
            queued: Cell::new(0),
        }
    }
}

/// An admitted attempt: the breaker's permit and a concurrency slot. Dropped before it reports (the caller went
/// away), it gives a half-open probe slot back.
pub(super) struct Admission<'a> {
    breaker: Option<&'a RefCell<CircuitBreaker>>,
    permit: Option<Permit>,
    slot: Option<SemaphorePermit>,
}

/// A call's place in the bucket's queue: counted while it waits, also when its caller goes away.
struct InQueue<'a>(&'a Cell<u32>);

impl<'a> InQueue<'a> {
    fn join(queued: &'a Cell<u32>) -> InQueue<'a> {
        queued.set(queued.get().saturating_add(1));
        InQueue(queued)
    }
}

impl Drop for InQueue<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get().saturating_sub(1));
    }
}

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        if let (Some(b), Some(p)) = (self.breaker, self.permit.take()) {
            b.borrow_mut().abandon(p);
        }
    }
}

impl<R: Runtime> Client<R> {
    /// Waits until attempt `attempt` may go out, or fails fast with `offline` or `circuit_open`.
    pub(super) async fn admit(&self, now: f64, attempt: u32) -> Result<Admission<'_>, Error> {
        self.check_online(attempt)?; // offline: fail fast, no request, no retry (offline.rs)
        let gate = &self.inner.gate;
        let permit = match &gate.breaker {
            Some(b) => {
                let allowed = b.borrow_mut().allow(now);
                Some(allowed.map_err(|retry_in| {
                    Error::new(
                        ErrorKind::CircuitOpen,
                        format!(
                            "circuit open after repeated failures; next probe in {retry_in} ms"
                        ),
                    )
                    .with_attempts(attempt - 1)
                })?)
            }
            None => None,
        };
        let mut admission = Admission {
            breaker: gate.breaker.as_ref(),
            permit,
            slot: None,
        };
        let wait = gate.bucket.borrow_mut().reserve(now);
        if wait > 0 {
            let _in_queue = InQueue::join(&gate.queued);
            self.emit(&Event::RateLimited(RateLimit::Queued {
                queue_length: gate.queued.get(),
                wait_ms: wait,
            }));
            self.inner.rt.sleep(wait).await;
        }
        admission.slot = match &gate.sem {
            Some(s) if !self.inner.cfg.isolate_safe => Some(s.acquire().await),
            _ => None,
        };
        Ok(admission)
    }

    /// The one place an attempt's result reaches the breaker. `failed`: network error, timeout or 5xx.
    pub(super) fn report(&self, admission: &mut Admission, failed: bool, now: f64) {
        let Some(b) = &self.inner.gate.breaker else {
            return;
        };
        admission.permit = None;
        // The borrow ends before user callbacks run (they may call back into the client).
        let t = {
            let mut b = b.borrow_mut();
            if failed {
                b.on_failure(now)
            } else {
                b.on_success()
            }
        };
        match t {
            Some(Transition::Opened) => self.emit(&Event::CircuitOpen),
            Some(Transition::Closed) => self.emit(&Event::CircuitClosed),
            None => {}
        }
    }

    /// A server's rate-limit hint with nothing left: send nothing until its window resets.
    pub(super) fn note_rate_limit(&self, call: &Call, resp: &HttpResponse, now: f64) {
        let Some(h) = headers::rate_limit(|n| resp.header(n), now) else {
            return;
        };
        if h.remaining == 0 && h.reset_ms > 0 {
            let longer = self
                .inner
                .gate
                .bucket
                .borrow_mut()
                .pause_until(now + h.reset_ms as f64);
            if longer {
                self.emit(&Event::RateLimited(RateLimit::Window {
                    pause_ms: h.reset_ms,
                    path: call.masked_path().to_string(),
                }));
            }
        }
    }
}
