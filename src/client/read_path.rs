//! The read path: a GET is answered from the cache, joins an identical read in flight, or goes out (and fills the
//! cache); a write invalidates what it may have changed. One key names a read everywhere: [`Call::url_key`]. Every
//! caller of one response gets the same parsed body ([`Runtime::Body`]).

use super::call::Call;
use super::url::normalize_path;
use super::{CallOptions, Client, Inner};
use crate::cache::{Partition, ResponseCache};
use crate::error::Error;
use crate::headers;
use crate::runtime::{Method, Runtime};
use futures_util::future::{FutureExt, LocalBoxFuture, Shared};
use std::cell::RefCell;
use std::future::Future;
use std::rc::{Rc, Weak};

type SharedCall<R> = Shared<LocalBoxFuture<'static, Result<<R as Runtime>::Body, Error>>>;

/// The cache and the reads in flight.
pub(super) struct Reads<R: Runtime> {
    pub(super) cache: Option<RefCell<ResponseCache<R::Body>>>,
    /// The reads in flight by key, each key once: a short list (a hash map costs the wasm kilobytes).
    pub(super) inflight: RefCell<Vec<(String, SharedCall<R>)>>,
    /// Counts changes of who reads: the token (its generation) or the customer. Part of [`Client::read_epoch`].
    pub(super) identity: std::cell::Cell<u64>,
}

/// The read in flight under `key`.
fn in_flight<'a, R: Runtime>(
    map: &'a [(String, SharedCall<R>)],
    key: &str,
) -> Option<&'a SharedCall<R>> {
    map.iter().find(|(k, _)| k == key).map(|(_, s)| s)
}

/// Removes a dedupe entry when its last waiter leaves (completion or abort), so the map never grows.
struct JoinGuard<R: Runtime> {
    inner: Weak<Inner<R>>,
    key: String,
    shared: SharedCall<R>,
}

impl<R: Runtime> Drop for JoinGuard<R> {
    fn drop(&mut self) {
        let Some(inner) = self.inner.upgrade() else {
            return;
        };
        let mut map = inner.reads.inflight.borrow_mut();
        let same = in_flight::<R>(&map, &self.key).is_some_and(|s| s.ptr_eq(&self.shared));
        // Counts: the map's clone + ours (+ other waiters). None once the result is out.
        let only_us_left = self.shared.strong_count().is_none_or(|n| n <= 2);
        if same && only_us_left {
            map.retain(|(k, _)| *k != self.key);
        }
    }
}

impl<R: Runtime> Client<R> {
    /// A read: cache, then dedupe, then the network.
    pub(super) async fn read(&self, call: Call, opts: CallOptions) -> Result<R::Body, Error> {
        if let Some((body, _)) = self.cache_lookup(&call, &opts) {
            return Ok(body);
        }
        if !self.inner.cfg.dedupe {
            return self.exchange(&call, None, &opts, true).await;
        }
        let key = self.dedupe_key(&call, &opts);
        if let Some(joined) = self.join(&call, &key) {
            return joined.await;
        }
        let me = self.clone();
        let shared = async move { me.exchange(&call, None, &opts, true).await }
            .boxed_local()
            .shared();
        {
            let mut map = self.inner.reads.inflight.borrow_mut();
            map.retain(|(k, _)| *k != key);
            map.push((key.clone(), shared.clone()));
        }
        self.wait(key, shared).await
    }

    /// `GET path` joined to an identical read already in flight, without the call pipeline (the leader already
    /// holds the token and passed the cache): counted as a call and a joined read. `None` when nothing identical
    /// is in flight (or dedupe is off, or the stored token is not loaded yet): the caller takes the full path.
    pub fn join_in_flight(
        &self,
        path: &str,
        opts: &CallOptions,
    ) -> Option<impl Future<Output = Result<R::Body, Error>> + 'static> {
        if !self.inner.cfg.dedupe || !self.inner.auth.borrow().loaded {
            return None;
        }
        let call = Call::new(Method::Get, normalize_path(path).ok()?, &opts.query);
        let joined = self.join(&call, &self.dedupe_key(&call, opts))?;
        self.inner.stats.borrow_mut().requests += 1;
        Some(joined)
    }

    /// The dedupe key of a read: who asks (token generation, customer), whether it may be stored, and the URL.
    fn dedupe_key(&self, call: &Call, opts: &CallOptions) -> String {
        format!(
            "{}|{}|{}|{}",
            self.inner.auth.borrow().generation,
            partition_key(&self.partition()),
            opts.no_store,
            call.url_key()
        )
    }

    /// Joins the read in flight under `key`, if any (counted and logged as a joined read).
    fn join(
        &self,
        call: &Call,
        key: &str,
    ) -> Option<impl Future<Output = Result<R::Body, Error>> + 'static> {
        let shared = in_flight::<R>(&self.inner.reads.inflight.borrow(), key).cloned()?;
        self.inner.stats.borrow_mut().deduped_requests += 1;
        self.log_local(call, "dedupe");
        Some(self.wait(key.to_string(), shared))
    }

    /// Waits for a shared read; the entry leaves the map with its last waiter.
    fn wait(
        &self,
        key: String,
        shared: SharedCall<R>,
    ) -> impl Future<Output = Result<R::Body, Error>> + 'static {
        let guard = JoinGuard {
            inner: Rc::downgrade(&self.inner),
            key,
            shared: shared.clone(),
        };
        async move {
            let r = shared.await;
            drop(guard);
            r
        }
    }

    /// A fresh cached body for the read and its expiry, counted and logged as a cache hit.
    pub(super) fn cache_lookup(&self, call: &Call, opts: &CallOptions) -> Option<(R::Body, f64)> {
        if opts.no_cache || opts.no_store {
            return None;
        }
        let cache = self.inner.reads.cache.as_ref()?;
        let now = self.inner.rt.now_ms();
        let hit = cache
            .borrow_mut()
            .get_until(&self.partition(), &call.url_key(), now)?;
        self.inner.stats.borrow_mut().cache_hits += 1;
        self.log_local(call, "cache");
        Some(hit)
    }

    /// Keeps a successful read for its configured TTL or the server's `max-age` (whichever is longer), unless the
    /// server or the caller said not to store it.
    /// A successful response's `Cache-Control`, when the response may be kept at all (by the cache or as a last
    /// good response): a GET that neither the caller nor the server marked `no-store`. Read once per response.
    pub(super) fn storable(
        call: &Call,
        opts: &CallOptions,
        resp_headers: &[(&'static str, String)],
    ) -> Option<headers::CacheControl> {
        if call.method != Method::Get || opts.no_store {
            return None;
        }
        let cc = resp_headers
            .iter()
            .find(|(k, _)| *k == "cache-control")
            .map(|(_, v)| headers::cache_control(v))
            .unwrap_or_default();
        (!cc.no_store).then_some(cc)
    }

    /// Keeps a storable read (see [`storable`](Self::storable)) for its configured TTL or the server's `max-age`
    /// (whichever is longer), unless the server said `no-cache`.
    pub(super) fn fill_cache(
        &self,
        call: &Call,
        cc: &headers::CacheControl,
        body: &R::Body,
        now: f64,
    ) {
        let Some(cache) = &self.inner.reads.cache else {
            return;
        };
        if cc.no_cache {
            return;
        }
        let mut c = cache.borrow_mut();
        let configured = c.ttl_for(&call.path).unwrap_or(0);
        let ttl = configured.max(cc.max_age.unwrap_or(0).saturating_mul(1000));
        if ttl > 0 {
            c.put(
                &self.partition(),
                &call.path,
                &call.url_key(),
                body.clone(),
                ttl as f64,
                now,
            );
        }
    }

    /// After a write: drops cached reads under the same top-level collection, and everything customer-specific
    /// when a customer is logged in.
    pub(super) fn invalidate_after_write(&self, call: &Call) {
        if let Some(c) = &self.inner.reads.cache {
            let first = call.path.split('/').nth(1).unwrap_or("");
            c.borrow_mut().invalidate_prefix(&format!("/{first}"));
        }
        if self.inner.auth.borrow().customer_id.is_some() {
            self.drop_customer_entries();
        }
    }

    /// Who reads changed (a new token, another customer or none): reads already answered or in flight may not be
    /// this caller's answer any more.
    pub(super) fn identity_changed(&self) {
        let id = &self.inner.reads.identity;
        id.set(id.get() + 1);
    }

    /// A number that changes whenever a read could be answered differently than before: the cache stored or dropped
    /// an entry, or the token or the customer changed. A cached answer stays valid while it is the same (until its
    /// expiry), and so does joining a read in flight. The wasm facade keeps answers for plain reads on that basis.
    pub fn read_epoch(&self) -> u64 {
        let cache = self.inner.reads.cache.as_ref();
        self.inner.reads.identity.get() + cache.map_or(0, |c| c.borrow().version())
    }

    /// [`cached`](Self::cached), with the entry's expiry (ms, `Runtime::now_ms`'s clock).
    pub fn cached_until(&self, path: &str, opts: &CallOptions) -> Option<(R::Body, f64)> {
        self.inner.reads.cache.as_ref()?; // no cache: not even the path is looked at
        let call = Call::new(Method::Get, normalize_path(path).ok()?, &opts.query);
        let hit = self.cache_lookup(&call, opts)?;
        self.inner.stats.borrow_mut().requests += 1;
        Some(hit)
    }

    /// Forgets every response cached for a customer.
    pub(super) fn drop_customer_entries(&self) {
        if let Some(c) = &self.inner.reads.cache {
            c.borrow_mut().drop_customer_entries();
        }
    }

    pub(super) fn partition(&self) -> Partition {
        match &self.inner.auth.borrow().customer_id {
            Some(c) => Partition::Customer(c.clone()),
            None => Partition::Anonymous,
        }
    }
}

fn partition_key(p: &Partition) -> String {
    match p {
        Partition::Anonymous => "-".into(),
        Partition::Customer(c) => format!("c:{c}"),
    }
}
