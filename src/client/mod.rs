//! [`Client`]: the request core. Every call goes: cache → in-flight dedupe → circuit breaker → rate limiter →
//! device token → fetch with timeout → classification → retry / token renewal → cache fill. Generic over
//! [`Runtime`], so the whole pipeline runs natively on simulated time in the tests.

use crate::cache::{Partition, ResponseCache};
use crate::circuit::{CircuitBreaker, CircuitState, Permit, Transition};
use crate::config::Config;
use crate::envelope::looks_like_json_object;
use crate::error::{Error, ErrorKind};
use crate::headers;
use crate::log::{mask_path, mask_query, Event, LogEntry};
use crate::rate_limit::{Semaphore, SemaphorePermit, TokenBucket};
use crate::retry::{Decision, Failure, RetryPolicy};
use crate::runtime::{HttpRequest, HttpResponse, Method, Runtime, TransportError};
use crate::secret::Secret;
use crate::token_store::TokenStore;
use futures_util::future::{select, Either, FutureExt, LocalBoxFuture, Shared};
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::{Rc, Weak};

mod auth;
mod url;

#[cfg(target_arch = "wasm32")]
pub(crate) use auth::parse_customer_id;
pub(crate) use url::{encode_component, normalize_path, normalize_query, uuid_v4};

/// Counters of what the client did and saved (`client.stats()` in JS).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    /// Calls made to `get/post/put/delete` (and the helpers).
    pub requests: u64,
    /// HTTP attempts that went to the network (retries and token calls included).
    pub network_requests: u64,
    /// Reads that joined an identical read already in flight.
    pub deduped_requests: u64,
    /// Reads answered from the cache.
    pub cache_hits: u64,
    /// Retries made.
    pub retries: u64,
    /// Device tokens renewed after a 401.
    pub token_renewals: u64,
    /// Entries in the cache now.
    pub cache_entries: u64,
    /// Reads in flight now (deduplication map size).
    pub in_flight: u64,
}

/// Per-call options.
#[derive(Clone, Debug, Default)]
pub struct CallOptions {
    /// Query parameters (order does not matter: they are normalised).
    pub query: Vec<(String, String)>,
    /// Skip the cache lookup (the result still refreshes the cache): JS `cache: "no-cache"`.
    pub no_cache: bool,
    /// Neither read nor fill the cache: JS `cache: "no-store"`.
    pub no_store: bool,
    /// Per-attempt timeout for this call, ms.
    pub timeout_ms: Option<u64>,
    /// Idempotency key for a write (generated when the header is on and this is `None`).
    pub idempotency_key: Option<String>,
}

/// A placeholder in a path that is replaced by the current device token on every attempt (CareCloud puts the token
/// in the path of its token actions; a renewed token must be used on the retry).
pub(crate) const TOKEN_PLACEHOLDER: &str = "{token}";

type SharedCall = Shared<LocalBoxFuture<'static, Result<Rc<str>, Error>>>;
type SharedRenewal = Shared<LocalBoxFuture<'static, Result<(), Error>>>;

#[derive(Default)]
struct Auth {
    token: Option<Secret>,
    loaded: bool,
    device_id: Option<String>,
    customer_id: Option<String>,
    generation: u64,
}

type LogHook = Box<dyn Fn(&LogEntry)>;
type EventHook = Box<dyn Fn(&Event)>;

struct Inner<R: Runtime> {
    rt: R,
    cfg: Config,
    policy: RetryPolicy,
    store: Box<dyn TokenStore>,
    auth: RefCell<Auth>,
    token_flight: RefCell<Option<SharedRenewal>>,
    breaker: Option<RefCell<CircuitBreaker>>,
    bucket: Option<RefCell<TokenBucket>>,
    sem: Option<Semaphore>,
    paused_until: Cell<f64>,
    cache: Option<RefCell<ResponseCache>>,
    inflight: RefCell<HashMap<String, SharedCall>>,
    stats: RefCell<Stats>,
    on_log: RefCell<Option<LogHook>>,
    on_event: RefCell<Option<EventHook>>,
    warned: RefCell<HashSet<String>>,
    seq: Cell<u64>,
}

/// The CareCloud customer-interface client.
pub struct Client<R: Runtime> {
    inner: Rc<Inner<R>>,
}

impl<R: Runtime> Clone for Client<R> {
    fn clone(&self) -> Self {
        Client {
            inner: self.inner.clone(),
        }
    }
}

enum AttemptResult {
    Response(HttpResponse),
    Network(String),
    Timeout,
}

/// Releases a half-open probe slot if the attempt is dropped before reporting.
struct ProbeGuard<'a> {
    breaker: Option<&'a RefCell<CircuitBreaker>>,
    permit: Option<Permit>,
}

impl Drop for ProbeGuard<'_> {
    fn drop(&mut self) {
        if let (Some(b), Some(p)) = (self.breaker, self.permit) {
            b.borrow_mut().abandon(p);
        }
    }
}

/// Removes a dedupe entry when its last waiter leaves (completion or abort), so the map never grows.
struct JoinGuard<R: Runtime> {
    inner: Weak<Inner<R>>,
    key: String,
    shared: SharedCall,
}

impl<R: Runtime> Drop for JoinGuard<R> {
    fn drop(&mut self) {
        let Some(inner) = self.inner.upgrade() else {
            return;
        };
        let mut map = inner.inflight.borrow_mut();
        let same = map.get(&self.key).is_some_and(|s| s.ptr_eq(&self.shared));
        // Counts: the map's clone + ours (+ other waiters). None once the result is out.
        let only_us_left = self.shared.strong_count().is_none_or(|n| n <= 2);
        if same && only_us_left {
            map.remove(&self.key);
        }
    }
}

impl<R: Runtime> Client<R> {
    /// A client over a validated [`Config`], a runtime and a token store. Touches no timer, randomness or network
    /// (a Cloudflare Worker may construct it at module scope).
    pub fn new(cfg: Config, rt: R, store: Box<dyn TokenStore>) -> Self {
        let policy = RetryPolicy::new(cfg.retry.clone());
        let breaker = cfg
            .circuit_breaker
            .clone()
            .map(|b| RefCell::new(CircuitBreaker::new(b)));
        let bucket = cfg
            .rate_limit
            .as_ref()
            .map(|r| RefCell::new(TokenBucket::new(r.requests_per_second, r.burst)));
        let sem = cfg
            .rate_limit
            .as_ref()
            .map(|r| Semaphore::new(r.max_concurrent));
        let cache = cfg
            .cache
            .clone()
            .map(|c| RefCell::new(ResponseCache::new(c)));
        let device_id = cfg.device.device_id.clone();
        Client {
            inner: Rc::new(Inner {
                rt,
                cfg,
                policy,
                store,
                auth: RefCell::new(Auth {
                    device_id,
                    ..Auth::default()
                }),
                token_flight: RefCell::new(None),
                breaker,
                bucket,
                sem,
                paused_until: Cell::new(0.0),
                cache,
                inflight: RefCell::new(HashMap::new()),
                stats: RefCell::new(Stats::default()),
                on_log: RefCell::new(None),
                on_event: RefCell::new(None),
                warned: RefCell::new(HashSet::new()),
                seq: Cell::new(0),
            }),
        }
    }

    /// The runtime.
    pub fn runtime(&self) -> &R {
        &self.inner.rt
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.cfg
    }

    /// Receives one [`LogEntry`] per attempt, cache hit and joined read.
    pub fn set_on_log(&self, f: impl Fn(&LogEntry) + 'static) {
        *self.inner.on_log.borrow_mut() = Some(Box::new(f));
    }

    /// Receives [`Event`]s.
    pub fn set_on_event(&self, f: impl Fn(&Event) + 'static) {
        *self.inner.on_event.borrow_mut() = Some(Box::new(f));
    }

    /// Counters so far.
    pub fn stats(&self) -> Stats {
        let mut s = self.inner.stats.borrow().clone();
        s.cache_entries = self
            .inner
            .cache
            .as_ref()
            .map_or(0, |c| c.borrow().len() as u64);
        s.in_flight = self.inner.inflight.borrow().len() as u64;
        s
    }

    /// The circuit breaker's state now (`closed` when disabled).
    pub fn circuit_state(&self) -> CircuitState {
        let now = self.inner.rt.now_ms();
        self.inner
            .breaker
            .as_ref()
            .map_or(CircuitState::Closed, |b| b.borrow().state(now))
    }

    /// The cache TTL configured for `path` (longest prefix), in ms; `None` when the cache is off or has no rule.
    pub fn ttl_for(&self, path: &str) -> Option<u64> {
        self.inner
            .cache
            .as_ref()
            .and_then(|c| c.borrow().ttl_for(path))
    }

    /// Counts a read answered by a shared (cross-instance) cache as a call and a cache hit.
    pub fn note_shared_hit(&self, path: &str) {
        {
            let mut s = self.inner.stats.borrow_mut();
            s.requests += 1;
            s.cache_hits += 1;
        }
        self.log_local(path, "", "shared-cache");
    }

    /// Drops every cached response.
    pub fn clear_cache(&self) {
        if let Some(c) = &self.inner.cache {
            c.borrow_mut().clear();
        }
    }

    /// The logged-in customer's id, if any.
    pub fn customer_id(&self) -> Option<String> {
        self.inner.auth.borrow().customer_id.clone()
    }

    /// Whether a device token is held (its value is never exposed).
    pub fn has_token(&self) -> bool {
        self.inner.auth.borrow().token.is_some()
    }

    /// A uniformly random delay in `[0, max_ms)` from the CSPRNG, for [`after_push`](crate) style jitter.
    pub fn jitter_ms(&self, max_ms: u64) -> u64 {
        (self.inner.rt.random_unit() * max_ms as f64) as u64
    }

    /// A call, resolving to the decoded `data` of the response.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
        opts: CallOptions,
    ) -> Result<R::Value, Error> {
        let text = self.request_text(method, path, body, opts).await?;
        self.inner.rt.decode(&text)
    }

    /// `GET path` decoded into a typed model (see [`crate::models`]). With the `serde` feature.
    ///
    /// ```no_run
    /// # async fn f<R: carecloud_customer::Runtime>(client: carecloud_customer::Client<R>) -> Result<(), carecloud_customer::Error> {
    /// use carecloud_customer::models::PointsOverview;
    /// let o: PointsOverview = client.get_as("/wallet/actions/points-overview", Default::default()).await?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "serde")]
    pub async fn get_as<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        opts: CallOptions,
    ) -> Result<T, Error> {
        let text = self.request_text(Method::Get, path, None, opts).await?;
        crate::models::data_of(&text)
    }

    /// One page of a list, typed: `client.list_as::<Reward>("/rewards", "rewards", opts)`. With the `serde`
    /// feature.
    #[cfg(feature = "serde")]
    pub async fn list_as<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        list_key: &str,
        opts: CallOptions,
    ) -> Result<crate::models::ListPage<T>, Error> {
        let data: serde_json::Value = self.get_as(path, opts).await?;
        crate::models::ListPage::from_data(&data, list_key)
    }

    /// A call, resolving to the raw response body (shared, not copied).
    pub async fn request_text(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
        opts: CallOptions,
    ) -> Result<Rc<str>, Error> {
        self.inner.stats.borrow_mut().requests += 1;
        let path = normalize_path(path)?;
        if body.as_ref().is_some_and(|b| b.len() > 8 * 1024 * 1024) {
            return Err(Error::config("request body larger than 8 MiB"));
        }
        self.ensure_token().await?;
        if method != Method::Get {
            let r = self.send(method, &path, body, opts, true).await;
            self.invalidate_after_write(&path);
            return r;
        }
        let qs = normalize_query(&opts.query);
        let url_key = if qs.is_empty() {
            path.clone()
        } else {
            format!("{path}?{qs}")
        };
        if let Some(body) = self.cache_lookup(&path, &qs, &url_key, &opts) {
            return Ok(body);
        }
        let partition = self.partition();
        if !self.inner.cfg.dedupe {
            return self.send(method, &path, None, opts, true).await;
        }
        let gen = self.inner.auth.borrow().generation;
        let key = format!(
            "{gen}|{}|{}|{url_key}",
            partition_key(&partition),
            opts.no_store
        );
        let existing = self.inner.inflight.borrow().get(&key).cloned();
        let shared = match existing {
            Some(s) => {
                self.inner.stats.borrow_mut().deduped_requests += 1;
                self.log_local(&path, &qs, "dedupe");
                s
            }
            None => {
                let me = self.clone();
                let p = path.clone();
                let s = async move { me.send(Method::Get, &p, None, opts, true).await }
                    .boxed_local()
                    .shared();
                self.inner
                    .inflight
                    .borrow_mut()
                    .insert(key.clone(), s.clone());
                s
            }
        };
        let guard = JoinGuard {
            inner: Rc::downgrade(&self.inner),
            key,
            shared: shared.clone(),
        };
        let r = shared.await;
        drop(guard);
        r
    }

    /// A fresh cached body for `GET path` with these options, counted as a cache hit; `None` when the cache is off,
    /// bypassed by the options, or has nothing fresh. Synchronous: the wasm shell answers hits without a task.
    pub fn cached(&self, path: &str, opts: &CallOptions) -> Option<Rc<str>> {
        if opts.no_cache
            || opts.no_store
            || self.inner.cache.is_none()
            || !self.inner.auth.borrow().loaded
        {
            return None;
        }
        let path = normalize_path(path).ok()?;
        let qs = normalize_query(&opts.query);
        let url_key = if qs.is_empty() {
            path.clone()
        } else {
            format!("{path}?{qs}")
        };
        let body = self.cache_lookup(&path, &qs, &url_key, opts)?;
        self.inner.stats.borrow_mut().requests += 1;
        Some(body)
    }

    fn cache_lookup(
        &self,
        path: &str,
        qs: &str,
        url_key: &str,
        opts: &CallOptions,
    ) -> Option<Rc<str>> {
        if opts.no_cache || opts.no_store {
            return None;
        }
        let cache = self.inner.cache.as_ref()?;
        let now = self.inner.rt.now_ms();
        let body = cache.borrow_mut().get(&self.partition(), url_key, now)?;
        self.inner.stats.borrow_mut().cache_hits += 1;
        self.log_local(path, qs, "cache");
        Some(body)
    }

    fn partition(&self) -> Partition {
        match &self.inner.auth.borrow().customer_id {
            Some(c) => Partition::Customer(c.clone()),
            None => Partition::Anonymous,
        }
    }

    fn invalidate_after_write(&self, path: &str) {
        if let Some(c) = &self.inner.cache {
            let first = path.split('/').nth(1).unwrap_or("");
            let mut c = c.borrow_mut();
            c.invalidate_prefix(&format!("/{first}"));
            if self.inner.auth.borrow().customer_id.is_some() {
                c.drop_customer_entries();
            }
        }
    }

    fn emit(&self, e: &Event) {
        if let Some(f) = self.inner.on_event.borrow().as_ref() {
            f(e);
        }
    }

    fn log(&self, entry: LogEntry) {
        if let Some(f) = self.inner.on_log.borrow().as_ref() {
            f(&entry);
        }
    }

    fn log_local(&self, path: &str, qs: &str, source: &'static str) {
        // `source`: "cache", "dedupe" or "shared-cache".
        if self.inner.on_log.borrow().is_none() {
            return;
        }
        let id = self.next_correlation_id();
        self.log(LogEntry {
            method: "GET",
            path: mask_path(path),
            query: mask_query(qs),
            status: 0,
            ms: 0.0,
            attempt: 0,
            correlation_id: id,
            source,
            outcome: "ok",
            error_kind: None,
            request_id: None,
            reason: None,
            detail: None,
        });
    }

    fn next_correlation_id(&self) -> String {
        let n = self.inner.seq.get() + 1;
        self.inner.seq.set(n);
        let device = self
            .inner
            .auth
            .borrow()
            .device_id
            .clone()
            .unwrap_or_default();
        let tag: String = device
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(8)
            .collect();
        format!("cc-{tag}-{n}")
    }

    async fn throttle(&self) -> Option<SemaphorePermit> {
        let now = self.inner.rt.now_ms();
        let mut wait = (self.inner.paused_until.get() - now).max(0.0) as u64;
        if let Some(b) = &self.inner.bucket {
            wait = wait.max(b.borrow_mut().reserve(now));
        }
        if wait > 0 {
            self.inner.rt.sleep(wait).await;
        }
        match &self.inner.sem {
            Some(s) if !self.inner.cfg.isolate_safe => Some(s.acquire().await),
            _ => None,
        }
    }

    /// The attempt loop for one call (no cache, no dedupe). `auth`: send the device token.
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
        opts: CallOptions,
        auth: bool,
    ) -> Result<Rc<str>, Error> {
        let inner = &self.inner;
        let cfg = &inner.cfg;
        let start = inner.rt.now_ms();
        let deadline = start + cfg.total_timeout_ms as f64;
        let correlation = self.next_correlation_id();
        let qs = normalize_query(&opts.query);
        let write = method.is_write();
        let idem_key = match (&cfg.idempotency_header, write) {
            (Some(_), true) => Some(match opts.idempotency_key.clone() {
                Some(k) => k,
                None => {
                    let mut b = [0u8; 16];
                    inner.rt.fill_random(&mut b)?;
                    uuid_v4(b)
                }
            }),
            _ => None,
        };
        let customer_at_start = inner.auth.borrow().customer_id.is_some();
        // Masked copies for log entries, computed only when someone listens.
        let (masked_path, masked_query) = if self.inner.on_log.borrow().is_some() {
            (mask_path(path), mask_query(&qs))
        } else {
            (String::new(), String::new())
        };
        let mut retries = 0u32;
        let mut attempt = 0u32;
        let mut renewed = false;
        loop {
            attempt += 1;
            let now = inner.rt.now_ms();
            if now >= deadline {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    format!("call exceeded totalTimeoutMs ({} ms)", cfg.total_timeout_ms),
                )
                .with_attempts(attempt - 1));
            }
            let permit = match &inner.breaker {
                Some(b) => {
                    let allowed = b.borrow_mut().allow(now);
                    match allowed {
                        Ok(p) => Some(p),
                        Err(retry_in) => {
                            return Err(Error::new(
                                ErrorKind::CircuitOpen,
                                format!(
                                "circuit open after repeated failures; next probe in {retry_in} ms"
                            ),
                            )
                            .with_attempts(attempt - 1))
                        }
                    }
                }
                None => None,
            };
            let mut probe = ProbeGuard {
                breaker: inner.breaker.as_ref(),
                permit,
            };
            let slot = self.throttle().await;
            let (token, generation) = {
                let a = inner.auth.borrow();
                (a.token.clone(), a.generation)
            };
            if auth && token.is_none() {
                drop(slot);
                drop(probe);
                self.obtain_token(generation, false).await?;
                attempt -= 1;
                continue;
            }
            let url_path = match (&token, path.contains(TOKEN_PLACEHOLDER)) {
                (Some(t), true) => {
                    path.replace(TOKEN_PLACEHOLDER, &encode_component(t.expose(), b""))
                }
                _ => path.to_string(),
            };
            let url = if qs.is_empty() {
                format!("{}{url_path}", cfg.base_url)
            } else {
                format!("{}{url_path}?{qs}", cfg.base_url)
            };
            let mut headers: Vec<(Cow<'static, str>, String)> =
                vec![("Accept".into(), "application/json".into())];
            if auth {
                if let Some(t) = &token {
                    headers.push(("Authorization".into(), format!("Bearer {}", t.expose())));
                }
            }
            if body.is_some() {
                headers.push(("Content-Type".into(), "application/json".into()));
            }
            if let Some(l) = &cfg.accept_language {
                headers.push(("Accept-Language".into(), l.clone()));
            }
            if let Some(h) = &cfg.correlation_header {
                headers.push((Cow::Owned(h.clone()), correlation.clone()));
            }
            if let (Some(h), Some(k)) = (&cfg.idempotency_header, &idem_key) {
                headers.push((Cow::Owned(h.clone()), k.clone()));
            }
            let req = HttpRequest {
                method,
                url,
                headers,
                body: body.clone(),
            };
            let per_attempt = opts
                .timeout_ms
                .unwrap_or(cfg.timeout_ms)
                .min((deadline - now).max(1.0) as u64);
            inner.stats.borrow_mut().network_requests += 1;
            let t0 = inner.rt.now_ms();
            let result = match select(inner.rt.fetch(req), inner.rt.sleep(per_attempt)).await {
                Either::Left((Ok(r), _)) => AttemptResult::Response(r),
                Either::Left((Err(TransportError::Network(m)), _)) => AttemptResult::Network(m),
                Either::Right(_) => AttemptResult::Timeout,
            };
            drop(slot);
            let t1 = inner.rt.now_ms();
            let mut entry = LogEntry {
                method: method.as_str(),
                path: masked_path.clone(),
                query: masked_query.clone(),
                status: 0,
                ms: t1 - t0,
                attempt,
                correlation_id: correlation.clone(),
                source: "network",
                outcome: "ok",
                error_kind: None,
                request_id: None,
                reason: None,
                detail: None,
            };
            let (failure, error, retry_after) = match result {
                AttemptResult::Response(resp) => {
                    entry.status = resp.status;
                    entry.request_id = resp.header("x-request-id").map(clean_request_id);
                    self.read_hints(&resp, path, t1);
                    let status = resp.status;
                    if (200..300).contains(&status) {
                        if let (Some(b), Some(_)) = (&inner.breaker, probe.permit.take()) {
                            {
                                // Release the borrow before user callbacks run (they may call back into the client).
                                let t = b.borrow_mut().on_success();
                                self.breaker_transition(t);
                            }
                        } else if let Some(b) = &inner.breaker {
                            {
                                // Release the borrow before user callbacks run (they may call back into the client).
                                let t = b.borrow_mut().on_success();
                                self.breaker_transition(t);
                            }
                        }
                        let text = resp.body;
                        if !text.trim().is_empty() && !looks_like_json_object(&text) {
                            entry.outcome = "error";
                            entry.error_kind = Some("decode");
                            self.log(entry);
                            return Err(Error::new(
                                ErrorKind::Decode,
                                format!("HTTP {status} with a body that is not a JSON object"),
                            )
                            .with_attempts(attempt));
                        }
                        self.log(entry);
                        let body: Rc<str> = Rc::from(text);
                        if method == Method::Get && !opts.no_store {
                            self.fill_cache(path, &qs, &resp.headers, body.clone(), t1);
                        }
                        return Ok(body);
                    }
                    let request_id = entry.request_id.clone();
                    let err = Error::from_response(status, &resp.body, request_id);
                    if status >= 500 {
                        if let Some(b) = &inner.breaker {
                            probe.permit = None;
                            {
                                // Release the borrow before user callbacks run (they may call back into the client).
                                let t = b.borrow_mut().on_failure(t1);
                                self.breaker_transition(t);
                            }
                        }
                    } else if let Some(b) = &inner.breaker {
                        probe.permit = None;
                        {
                            // Release the borrow before user callbacks run (they may call back into the client).
                            let t = b.borrow_mut().on_success();
                            self.breaker_transition(t);
                        }
                    }
                    if status == 401 && auth && !renewed {
                        renewed = true;
                        entry.outcome = "renew";
                        entry.error_kind = Some("unauthorized");
                        self.log(entry);
                        self.obtain_token(generation, true).await?;
                        if customer_at_start {
                            return Err(Error::new(
                                ErrorKind::Unauthorized,
                                "the customer's session ended (token replaced or invalid): log in again",
                            )
                            .with_reason("session_expired")
                            .with_attempts(attempt));
                        }
                        continue;
                    }
                    let ra = resp
                        .header("retry-after")
                        .and_then(|v| headers::retry_after_ms(v, t1));
                    (Failure::Status(status), err, ra)
                }
                AttemptResult::Network(m) => {
                    if let Some(b) = &inner.breaker {
                        probe.permit = None;
                        {
                            // Release the borrow before user callbacks run (they may call back into the client).
                            let t = b.borrow_mut().on_failure(t1);
                            self.breaker_transition(t);
                        }
                    }
                    let m: String = m.chars().filter(|c| !c.is_control()).take(200).collect();
                    (
                        Failure::Network,
                        Error::new(ErrorKind::Network, format!("no response: {m}")),
                        None,
                    )
                }
                AttemptResult::Timeout => {
                    if let Some(b) = &inner.breaker {
                        probe.permit = None;
                        {
                            // Release the borrow before user callbacks run (they may call back into the client).
                            let t = b.borrow_mut().on_failure(t1);
                            self.breaker_transition(t);
                        }
                    }
                    (
                        Failure::Timeout,
                        Error::new(
                            ErrorKind::Timeout,
                            format!("attempt timed out after {per_attempt} ms"),
                        ),
                        None,
                    )
                }
            };
            drop(probe);
            let decision = inner.policy.decide(
                retries,
                failure,
                write,
                idem_key.is_some(),
                retry_after,
                inner.rt.random_unit(),
            );
            entry.error_kind = Some(error.kind().as_str());
            if self.inner.on_log.borrow().is_some() {
                entry.reason = error.reason().map(str::to_string);
                entry.detail = Some(error.message().to_string());
            }
            match decision {
                Decision::Retry(delay) if inner.rt.now_ms() + (delay as f64) < deadline => {
                    entry.outcome = "retry";
                    self.log(entry);
                    retries += 1;
                    inner.stats.borrow_mut().retries += 1;
                    if delay > 0 {
                        inner.rt.sleep(delay).await;
                    }
                }
                Decision::Retry(_) => {
                    entry.outcome = "error";
                    self.log(entry);
                    return Err(error.with_attempts(attempt));
                }
                Decision::GiveUp { outcome_unknown } => {
                    entry.outcome = "error";
                    self.log(entry);
                    let e = error.with_attempts(attempt);
                    return Err(if outcome_unknown {
                        e.with_outcome_unknown()
                    } else {
                        e
                    });
                }
            }
        }
    }

    fn breaker_transition(&self, t: Option<Transition>) {
        match t {
            Some(Transition::Opened) => self.emit(&Event::CircuitOpen),
            Some(Transition::Closed) => self.emit(&Event::CircuitClosed),
            None => {}
        }
    }

    fn read_hints(&self, resp: &HttpResponse, path: &str, now: f64) {
        if let Some(d) = resp.header("deprecation").and_then(headers::deprecation) {
            let first = self.inner.warned.borrow_mut().insert(mask_path(path));
            if first && self.inner.warned.borrow().len() <= 256 {
                let sunset_at = resp.header("sunset").and_then(headers::sunset);
                self.emit(&Event::Deprecation {
                    path: mask_path(path),
                    deprecated_at: d,
                    sunset_at,
                });
            }
        }
        let hint = headers::rate_limit(|n| resp.header(n), now);
        if let Some(h) = hint {
            if h.remaining == 0 && h.reset_ms > 0 {
                let until = now + h.reset_ms as f64;
                if until > self.inner.paused_until.get() {
                    self.inner.paused_until.set(until);
                    self.emit(&Event::RateLimited {
                        pause_ms: h.reset_ms,
                    });
                }
            }
        }
    }

    fn fill_cache(
        &self,
        path: &str,
        qs: &str,
        hdrs: &[(&'static str, String)],
        body: Rc<str>,
        now: f64,
    ) {
        let Some(cache) = &self.inner.cache else {
            return;
        };
        let cc = hdrs
            .iter()
            .find(|(k, _)| *k == "cache-control")
            .map(|(_, v)| headers::cache_control(v))
            .unwrap_or_default();
        if cc.no_store || cc.no_cache {
            return;
        }
        let mut c = cache.borrow_mut();
        let configured = c.ttl_for(path).unwrap_or(0);
        let ttl = configured.max(cc.max_age.unwrap_or(0).saturating_mul(1000));
        if ttl == 0 {
            return;
        }
        let url_key = if qs.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{qs}")
        };
        c.put(&self.partition(), path, &url_key, body, ttl as f64, now);
    }
}

fn clean_request_id(v: &str) -> String {
    v.chars()
        .filter(|c| c.is_ascii_graphic())
        .take(128)
        .collect()
}

fn partition_key(p: &Partition) -> String {
    match p {
        Partition::Anonymous => "-".into(),
        Partition::Customer(c) => format!("c:{c}"),
    }
}
