//! [`Client`]: the request core. A call goes through the read path (cache → in-flight dedupe, `read_path.rs`), then
//! per attempt: admission (circuit breaker → rate limiter, `admission.rs`) → device token → the attempt (request,
//! fetch with timeout, classification, `attempt.rs`) → retry / token renewal → cache fill; every step is observed
//! (`observe.rs`). Generic over [`Runtime`], so the whole pipeline runs natively on simulated time in the tests.

use crate::circuit::CircuitState;
use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::log::{Event, LogEntry};
use crate::retry::RetryPolicy;
use crate::runtime::{Method, Runtime};
use crate::secret::Secret;
use crate::token_store::TokenStore;
use admission::Gate;
use attempt::{Outcome, Progress};
use call::Call;
use futures_util::future::{LocalBoxFuture, Shared};
use observe::Observers;
use read_path::Reads;
use std::cell::RefCell;
use std::rc::Rc;

mod account;
mod admission;
mod attempt;
mod auth;
mod call;
mod observe;
mod offline; // offline: stale answers, `offline` fast fail, `online` probe
mod read_path;
pub(crate) mod url;

use url::{normalize_path, uuid_v4};

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
    /// Told when this read is answered with a stale response (JS `onStale`; see [`crate::stale`]).
    pub on_stale: Option<crate::stale::OnStale>,
}

/// A placeholder in a path that is replaced by the current device token on every attempt (CareCloud puts the token
/// in the path of its token actions; a renewed token must be used on the retry).
pub(crate) const TOKEN_PLACEHOLDER: &str = "{token}";

type SharedRenewal = Shared<LocalBoxFuture<'static, Result<(), Error>>>;

/// The token request in flight, and who drives it: the task that awaits it holds the `Rc` whose `Weak` is here.
/// In isolate-safe mode other tasks do not await it (its completion would wake them from the owner's context);
/// they wait on their own timers while the owner is alive, and take the flight over when it is gone.
#[derive(Clone)]
struct TokenFlight {
    shared: SharedRenewal,
    owner: std::rc::Weak<()>,
}

#[derive(Default)]
struct Auth {
    token: Option<Secret>,
    loaded: bool,
    device_id: Option<String>,
    customer_id: Option<String>,
    /// Local generation: one higher for every token change (cached reads and renewals key on it).
    generation: u64,
    /// Cross-tab generation of the token held (see `crate::tabs`); 0 when unknown.
    epoch: u64,
}

struct Inner<R: Runtime> {
    rt: R,
    cfg: Config,
    policy: RetryPolicy,
    store: Box<dyn TokenStore>,
    auth: RefCell<Auth>,
    token_flight: RefCell<Option<TokenFlight>>,
    /// Where the device id is kept when not in `store` (localStorage in browsers); see `auth.rs`.
    device_store: RefCell<Option<Rc<dyn TokenStore>>>,
    /// The other tabs of this browser, when they share the token (`crate::tabs`).
    tabs: RefCell<Option<Rc<dyn crate::tabs::TabShare>>>,
    gate: Gate,
    reads: Reads<R>,
    offline: offline::Offline<R>,
    observers: Observers,
    stats: RefCell<Stats>,
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

impl<R: Runtime> Client<R> {
    /// A client over a validated [`Config`], a runtime and a token store. Touches no timer, randomness or network
    /// (a Cloudflare Worker may construct it at module scope).
    pub fn new(cfg: Config, rt: R, store: Box<dyn TokenStore>) -> Self {
        let auth = Auth {
            device_id: cfg.device.device_id.clone(),
            ..Auth::default()
        };
        Client {
            inner: Rc::new(Inner {
                rt,
                policy: RetryPolicy::new(cfg.retry.clone()),
                store,
                auth: RefCell::new(auth),
                token_flight: RefCell::new(None),
                device_store: RefCell::new(None),
                tabs: RefCell::new(None),
                gate: Gate::new(&cfg),
                reads: Reads {
                    cache: cfg
                        .cache
                        .clone()
                        .map(|c| RefCell::new(crate::cache::ResponseCache::new(c))),
                    inflight: RefCell::default(),
                    identity: std::cell::Cell::new(0),
                },
                offline: offline::Offline::new(&cfg),
                observers: Observers::default(),
                stats: RefCell::default(),
                cfg,
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
        *self.inner.observers.on_log.borrow_mut() = Some(Box::new(f));
    }

    /// Receives [`Event`]s.
    pub fn set_on_event(&self, f: impl Fn(&Event) + 'static) {
        *self.inner.observers.on_event.borrow_mut() = Some(Box::new(f));
    }

    /// Counters so far.
    pub fn stats(&self) -> Stats {
        let mut s = self.inner.stats.borrow().clone();
        s.cache_entries = self
            .inner
            .reads
            .cache
            .as_ref()
            .map_or(0, |c| c.borrow().len() as u64);
        s.in_flight = self.inner.reads.inflight.borrow().len() as u64;
        s
    }

    /// The circuit breaker's state now (`closed` when disabled).
    pub fn circuit_state(&self) -> CircuitState {
        let now = self.inner.rt.now_ms();
        self.inner
            .gate
            .breaker
            .as_ref()
            .map_or(CircuitState::Closed, |b| b.borrow().state(now))
    }

    /// The cache TTL configured for `path` (longest prefix), in ms; `None` when the cache is off or has no rule.
    pub fn ttl_for(&self, path: &str) -> Option<u64> {
        self.inner
            .reads
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
        self.log_local(
            &Call::new(Method::Get, path.to_string(), &[]),
            "shared-cache",
        );
    }

    /// Drops every cached response, and every response kept for stale answers.
    pub fn clear_cache(&self) {
        if let Some(c) = &self.inner.reads.cache {
            c.borrow_mut().clear();
        }
        self.clear_stale(); // offline: kept responses go too
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

    /// A call, resolving to the `data` of the response (the same value for every caller of one response).
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
        opts: CallOptions,
    ) -> Result<R::Value, Error> {
        let body = self.request_body(method, path, body, opts).await?;
        Ok(self.inner.rt.data(&body))
    }

    /// `GET path` decoded into a typed model (see [`crate::models`]). With the `serde` feature.
    ///
    /// ```no_run
    /// # async fn f<R: carecloud_customer::Runtime>(client: carecloud_customer::Client<R>) -> Result<(), carecloud_customer::Error> {
    /// use carecloud_customer::{models::PointsOverview, CallOptions};
    /// let query = vec![("customer_id".to_string(), "8ea6abece4cd0a4ded0a29f0a1".to_string())]; // required
    /// let opts = CallOptions { query, ..Default::default() };
    /// let o: PointsOverview = client.get_as("/wallet/actions/points-overview", opts).await?;
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

    /// A call, resolving to the response body as JSON text.
    pub async fn request_text(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
        opts: CallOptions,
    ) -> Result<Rc<str>, Error> {
        let body = self.request_body(method, path, body, opts).await?;
        Ok(self.inner.rt.body_text(&body))
    }

    /// A call, resolving to the parsed response body (shared, not copied).
    pub async fn request_body(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
        opts: CallOptions,
    ) -> Result<R::Body, Error> {
        self.inner.stats.borrow_mut().requests += 1;
        let call = Call::new(method, normalize_path(path)?, &opts.query);
        if body.as_ref().is_some_and(|b| b.len() > 8 * 1024 * 1024) {
            return Err(Error::config("request body larger than 8 MiB"));
        }
        if method == Method::Get {
            return self.read_or_stale(call, opts).await; // offline: token + read, stale-if-error (offline.rs)
        }
        self.ensure_token().await?;
        let r = self.exchange(&call, body, &opts, true).await;
        self.invalidate_after_write(&call);
        r
    }

    /// A fresh cached body for `GET path` with these options, counted as a cache hit; `None` when the cache is off,
    /// bypassed by the options, or has nothing fresh. Synchronous: the wasm shell answers hits without a task.
    pub fn cached(&self, path: &str, opts: &CallOptions) -> Option<R::Body> {
        self.cached_until(path, opts).map(|(body, _)| body)
    }

    /// [`exchange`](Self::exchange)'s body as JSON text, for the session calls that read a field of it.
    async fn send(
        &self,
        call: &Call,
        body: Option<String>,
        opts: &CallOptions,
        auth: bool,
    ) -> Result<Rc<str>, Error> {
        let body = self.exchange(call, body, opts, auth).await?;
        Ok(self.inner.rt.body_text(&body))
    }

    /// The attempt loop of one call (no cache lookup, no dedupe): admission, the attempt and its classification,
    /// the breaker's report, then the result, a token renewal or a retry. `auth`: send the device token.
    async fn exchange(
        &self,
        call: &Call,
        body: Option<String>,
        opts: &CallOptions,
        auth: bool,
    ) -> Result<R::Body, Error> {
        let inner = &self.inner;
        let correlation = self.next_correlation_id();
        let idempotency_key = self.idempotency_key(call, opts)?;
        let customer_at_start = inner.auth.borrow().customer_id.is_some();
        // Whose answer this is: a read still in flight when its customer leaves (or another arrives) is kept
        // nowhere, so it can never be shown to whoever reads next.
        let partition = self.partition();
        let mut progress = Progress {
            attempt: 0,
            retries: 0,
            renewed: false,
            deadline: inner.rt.now_ms() + inner.cfg.total_timeout_ms as f64,
            idempotent: idempotency_key.is_some(),
        };
        loop {
            progress.attempt += 1;
            let now = inner.rt.now_ms();
            if now >= progress.deadline {
                return Err(self.total_timeout().with_attempts(progress.attempt - 1));
            }
            let mut admission = self.admit(now, progress.attempt).await?;
            let (token, generation) = self.current_token();
            if auth && token.is_none() {
                drop(admission);
                self.obtain_token(generation, false).await?;
                progress.attempt -= 1;
                continue;
            }
            let req = self.build_request(
                call,
                &body,
                token.as_ref(),
                auth,
                &correlation,
                idempotency_key.as_deref(),
            );
            let timeout_ms = opts
                .timeout_ms
                .unwrap_or(inner.cfg.timeout_ms)
                .min((progress.deadline - now).max(1.0) as u64);
            let (attempted, ms) = self.run(req, timeout_ms).await;
            let t1 = inner.rt.now_ms();
            let mut entry = self.entry(call, "network", progress.attempt, correlation.clone());
            entry.ms = ms;
            let outcome = self.classify(call, attempted, timeout_ms, t1, &mut entry);
            self.report(&mut admission, outcome.breaker_failure(), t1);
            drop(admission);
            let failed = match outcome {
                Outcome::Success(resp, body) => {
                    self.log(entry);
                    let storable = Self::storable(call, opts, &resp.headers);
                    if let Some(cc) = storable.filter(|_| self.partition() == partition) {
                        self.fill_cache(call, &cc, &body, t1);
                        self.keep_last_good(call, &body, t1); // offline
                    }
                    return Ok(body);
                }
                Outcome::Undecodable(e) => {
                    self.note_failure(&mut entry, "error", &e);
                    self.log(entry);
                    return Err(e.with_attempts(progress.attempt));
                }
                Outcome::Unauthorized(f) if auth && !progress.renewed => {
                    progress.renewed = true;
                    self.note_failure(&mut entry, "renew", &f.error);
                    self.log(entry);
                    self.obtain_token(generation, true).await?;
                    if customer_at_start {
                        return Err(session_ended().with_attempts(progress.attempt));
                    }
                    continue;
                }
                Outcome::Unauthorized(f) | Outcome::Failed(f) => f,
            };
            let delay = self.retry_or_fail(call, failed, &progress, entry)?;
            progress.retries += 1;
            inner.stats.borrow_mut().retries += 1;
            if delay > 0 {
                inner.rt.sleep(delay).await;
            }
        }
    }

    fn current_token(&self) -> (Option<Secret>, u64) {
        let a = self.inner.auth.borrow();
        (a.token.clone(), a.generation)
    }

    fn total_timeout(&self) -> Error {
        Error::new(
            ErrorKind::Timeout,
            format!(
                "call exceeded totalTimeoutMs ({} ms)",
                self.inner.cfg.total_timeout_ms
            ),
        )
    }
}

fn session_ended() -> Error {
    Error::new(
        ErrorKind::Unauthorized,
        "the customer's session ended (token replaced or invalid): log in again",
    )
    .with_reason("session_expired")
}
