//! The client without a network. A catalogue read that fails the way RFC 5861's `stale-if-error` covers is answered
//! with its last good response (policy and store in `src/stale.rs`), visibly: a `stale` event, a `stale` log entry
//! and the call's `onStale`. While the platform reports no network every attempt fails fast with `offline` (no
//! request, no retry); when the network comes back, an open circuit breaker probes at once.
//!
//! Hooks elsewhere, each marked `offline:`: `Client::request_text` (reads go through [`Client::read_or_stale`]),
//! `Client::send` (a success is kept by [`Client::keep_last_good`]), `Client::admit` ([`Client::check_online`]),
//! `Client::clear_cache`.

use super::call::Call;
use super::{CallOptions, Client};
use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::log::Event;
use crate::runtime::Runtime;
use crate::stale::{answers_stale, CopyStore, OnStale, StaleAnswer, StaleStore};
use std::cell::RefCell;

/// The last good catalogue responses of one client (`None` with `stale: false`), and where they outlive it.
pub(super) struct Offline<R: Runtime> {
    store: Option<RefCell<StaleStore<R::Body>>>,
    copies: RefCell<Option<Box<dyn CopyStore<R::Body>>>>,
}

impl<R: Runtime> Offline<R> {
    pub(super) fn new(cfg: &Config) -> Offline<R> {
        Offline {
            store: cfg.stale.clone().map(|c| RefCell::new(StaleStore::new(c))),
            copies: RefCell::new(None),
        }
    }
}

impl<R: Runtime> Client<R> {
    /// A read (device token, then cache → dedupe → network), answered stale when it fails with a network error, a
    /// timeout, a 5xx, the circuit open or the platform offline, and a last good response no older than
    /// `maxStaleMs` was kept for it (never for a customer: see `src/stale.rs`).
    pub(super) async fn read_or_stale(
        &self,
        call: Call,
        opts: CallOptions,
    ) -> Result<R::Body, Error> {
        let fallback = self.stale_fallback(&call, &opts);
        let r = async {
            self.ensure_token().await?;
            self.read(call, opts).await
        }
        .await;
        match (r, fallback) {
            (Err(e), Some((call, on_stale))) if answers_stale(e.kind()) => {
                self.answer_stale(&call, e, on_stale)
            }
            (r, _) => r,
        }
    }

    /// What a stale answer of this read needs, when one may be given: its call and its `onStale`.
    fn stale_fallback(&self, call: &Call, opts: &CallOptions) -> Option<(Call, Option<OnStale>)> {
        let store = self.inner.offline.store.as_ref()?;
        (!opts.no_store && store.borrow().keeps(&call.path))
            .then(|| (call.clone(), opts.on_stale.clone()))
    }

    /// The kept response for `call` in the caller's partition, announced; else the call's own error.
    fn answer_stale(
        &self,
        call: &Call,
        error: Error,
        on_stale: Option<OnStale>,
    ) -> Result<R::Body, Error> {
        let now = self.inner.rt.now_ms();
        let found = self.inner.offline.store.as_ref().and_then(|s| {
            s.borrow_mut()
                .recall(&self.partition(), &call.url_key(), now)
        });
        let Some((body, age_ms)) = found else {
            return Err(error);
        };
        let answer = StaleAnswer {
            path: call.masked_path().to_string(),
            age_ms,
            reason: error.kind().as_str(),
        };
        // No borrow is held here: the hooks may call back into the client.
        self.log_local(call, "stale");
        if let Some(f) = on_stale {
            (f.0)(&answer);
        }
        self.emit(&Event::Stale(answer));
        Ok(body)
    }

    /// Keeps a successful catalogue read as its last good response (and in the [`CopyStore`], if any); called
    /// with every storable network success (see `storable` in read_path.rs: a GET that neither the caller nor the
    /// server marked `no-store`).
    pub(super) fn keep_last_good(&self, call: &Call, body: &R::Body, now: f64) {
        let Some(store) = &self.inner.offline.store else {
            return;
        };
        let key = call.url_key();
        let kept =
            store
                .borrow_mut()
                .remember(&self.partition(), &call.path, &key, body.clone(), now);
        if kept {
            if let Some(copies) = self.inner.offline.copies.borrow().as_ref() {
                copies.save(&key, body, now);
            }
        }
    }

    /// With `stale.persist`: takes back the copies `copies` kept (those still within `maxStaleMs`) and keeps every
    /// new one there too, so a reload still has them. The wasm shell passes a page's `localStorage`; without
    /// `stale.persist` (or with `stale: false`) this does nothing.
    pub fn keep_copies_in(&self, copies: Box<dyn CopyStore<R::Body>>) {
        let Some(store) = &self.inner.offline.store else {
            return;
        };
        if !self.inner.cfg.stale.as_ref().is_some_and(|s| s.persist) {
            return;
        }
        let now = self.inner.rt.now_ms();
        {
            let mut store = store.borrow_mut();
            for (key, body, at) in copies.load() {
                store.restore(&key, body, at, now);
            }
        }
        *self.inner.offline.copies.borrow_mut() = Some(copies);
    }

    /// Fails attempt `attempt` fast with `offline` while the platform reports no network: nothing is sent, nothing
    /// is retried, the circuit breaker hears nothing.
    pub(super) fn check_online(&self, attempt: u32) -> Result<(), Error> {
        if !self.inner.rt.offline() {
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::Offline,
            "the device is offline (navigator.onLine is false): nothing was sent",
        )
        .with_attempts(attempt.saturating_sub(1)))
    }

    /// The platform reports the network is back (a browser's `online` event): an open circuit breaker turns
    /// half-open, so the next call probes at once instead of waiting out `openMs`.
    pub fn note_online(&self) {
        if let Some(b) = &self.inner.gate.breaker {
            b.borrow_mut().half_open_now(self.inner.rt.now_ms());
        }
    }

    /// Forgets every kept response (`clearCache()`).
    pub(super) fn clear_stale(&self) {
        if let Some(s) = &self.inner.offline.store {
            s.borrow_mut().clear();
        }
        if let Some(copies) = self.inner.offline.copies.borrow().as_ref() {
            copies.clear();
        }
    }
}
