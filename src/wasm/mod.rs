//! The wasm shell: `CustomerClient` for JavaScript over the core [`Client`], plus the UI helpers.
//! Every method returns a `Promise` that rejects with a `CareCloudError`; nothing here panics on any input.

/// The heap allocator: talc, a few kilobytes smaller in the wasm than the standard dlmalloc.
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

mod convert;
mod online;
mod pages;
mod runtime;
mod shared_cache;
mod store;
mod tabs;
mod ui;

pub use pages::Pages;
/// A sleep on the host's timers (for the wasm test binaries; not part of the API).
#[doc(hidden)]
pub use runtime::timer;
pub use runtime::{JsBody, JsRuntime};
use shared_cache::{shared_read, SharedCache, SHARED_PATHS};
use store::JsCopies;
pub use store::{JsStore, SessionStore};
pub use ui::{DEFAULT_MIN_BUSY_MS, SERVICE_WORKER_MAX_DELAY_MS};

use crate::client::{CallOptions, Client};
use crate::config::{Config, Setup};
use crate::error::{Error, ErrorKind};
use crate::paginate::Paginator;
use crate::runtime::{Method, Runtime};
use crate::secret::Secret;
use crate::token_store::{MemoryStore, TokenStore};
use convert::{call_options, error_to_js, event_to_js, get, log_to_js, set, stats_to_js};
use futures_util::future::LocalBoxFuture;
use futures_util::future::{select, Either};
use js_sys::{Array, Function, Object, Promise};
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;

/// Every promise the client hands out goes through here: boxing first means `future_to_promise` (and its task
/// machinery) is instantiated once instead of once per method, which keeps the wasm smaller.
fn promise(fut: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> Promise {
    let boxed: LocalBoxFuture<'static, Result<JsValue, JsValue>> = Box::pin(fut);
    future_to_promise(boxed)
}

/// A promise of `undefined` (or a `CareCloudError`) for a call with no result.
fn unit_promise(fut: impl Future<Output = Result<(), Error>> + 'static) -> Promise {
    promise(async move {
        fut.await
            .map(|()| JsValue::UNDEFINED)
            .map_err(|e| error_to_js(&e))
    })
}

fn reject(e: Error) -> Promise {
    Promise::reject(&error_to_js(&e))
}

fn aborted() -> Error {
    Error::new(
        ErrorKind::Aborted,
        "the call was aborted by its AbortSignal",
    )
}

/// Runs `fut` until it completes or `signal` aborts; on abort the future is dropped (its fetch aborted, its timers
/// cleared) and the call rejects with `aborted`.
async fn with_signal<T>(
    signal: JsValue,
    fut: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    if signal.is_undefined() || signal.is_null() {
        return fut.await;
    }
    if get(&signal, "aborted").as_bool() == Some(true) {
        return Err(aborted());
    }
    let add: Option<Function> = get(&signal, "addEventListener").dyn_into().ok();
    let remove: Option<Function> = get(&signal, "removeEventListener").dyn_into().ok();
    let (Some(add), Some(remove)) = (add, remove) else {
        return Err(Error::config("signal must be an AbortSignal"));
    };
    let (tx, rx) = futures_channel::oneshot::channel::<()>();
    let mut tx = Some(tx);
    let cb = Closure::<dyn FnMut()>::new(move || {
        if let Some(tx) = tx.take() {
            let _ = tx.send(());
        }
    });
    let ev = convert::name("abort");
    let _ = add.call2(&signal, &ev, cb.as_ref());
    // Unregisters the listener before the closure is freed, however this future ends (completion or drop).
    let _listener = Listener {
        signal,
        remove,
        ev,
        cb,
    };
    match select(Box::pin(fut), rx).await {
        Either::Left((r, _)) => r,
        Either::Right(_) => Err(aborted()),
    }
}

/// An event listener (`abort` on a signal, `online` on the global) that is removed from its target when dropped
/// (then its closure is freed).
struct Listener {
    signal: JsValue,
    remove: Function,
    ev: JsValue,
    cb: Closure<dyn FnMut()>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.remove.call2(&self.signal, &self.ev, self.cb.as_ref());
    }
}

/// `undefined`/`null`, or something with `aborted` and `addEventListener` (an `AbortSignal`).
fn check_signal(signal: &JsValue) -> Result<(), Error> {
    if signal.is_undefined() || signal.is_null() || get(signal, "addEventListener").is_function() {
        Ok(())
    } else {
        Err(Error::config("signal must be an AbortSignal"))
    }
}

/// `JSON.stringify(v)` (`undefined` → `null`), or a `config` error naming the argument.
fn json_text(v: &JsValue, name: &str) -> Result<String, Error> {
    if v.is_undefined() {
        return Ok("null".into());
    }
    js_sys::JSON::stringify(v)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| Error::config(format!("{name} must be JSON-serialisable")))
}

fn is_workers() -> bool {
    let nav = get(&js_sys::global(), "navigator");
    get(&nav, "userAgent").as_string().as_deref() == Some("Cloudflare-Workers")
}

/// The client for JavaScript. See the package's TypeScript types (`index.d.ts`) for the options.
/// Exported to JavaScript as `WasmCustomerClient`; the package's facade (`client.js`) is the `CustomerClient` users see.
#[wasm_bindgen(js_name = WasmCustomerClient)]
pub struct CustomerClient {
    client: Client<JsRuntime>,
    guards: js_sys::WeakMap,
    keyed: js_sys::Map,
    shared: Option<SharedCache>,
    /// offline: the `online` listener (browsers only), removed when the client is freed.
    _online: Option<Listener>,
}

#[wasm_bindgen(js_class = WasmCustomerClient)]
impl CustomerClient {
    /// Validates the options and builds the client. Touches no network, timer or randomness (a Worker may call it
    /// at module scope). Throws a `CareCloudError` of kind `config` on a bad option.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<CustomerClient, JsValue> {
        #[cfg(feature = "debug")]
        console_error_panic_hook::set_once(); // the `carecloud-customer/debug` build: panics print their message
        Self::build(options).map_err(|e| error_to_js(&e))
    }

    fn build(options: JsValue) -> Result<CustomerClient, Error> {
        if !options.is_object() {
            return Err(Error::config("options must be an object"));
        }
        let json = js_sys::JSON::stringify(&options)
            .ok()
            .and_then(|s| s.as_string())
            .ok_or_else(|| {
                Error::config("options must be JSON-serialisable apart from functions")
            })?;
        let mut cfg = Config::from_json_str(&json)?;
        let workers = is_workers();
        if workers && get(&options, "isolateSafe").is_undefined() {
            cfg.isolate_safe = true;
        }
        if workers && get(&options, "dedupe").is_undefined() {
            // One isolate serves many requests: a pending fetch must not be shared across them.
            cfg.dedupe = false;
        }
        if workers {
            if let Some(c) = cfg.cache.as_mut() {
                // Never keep one customer's data where another request can read it.
                c.customer_data = false;
            }
        }
        let store: Box<dyn TokenStore> = match get(&options, "tokenStore") {
            v if v.is_undefined() || v.is_null() => Box::new(MemoryStore::new()),
            v => match v.as_string().as_deref() {
                Some("memory") => Box::new(MemoryStore::new()),
                Some("session") => Box::new(SessionStore::open()?),
                Some("local") | Some("localStorage") => {
                    return Err(Error::config(
                        "tokenStore \"local\" is refused: tokens never go to localStorage",
                    ))
                }
                Some(_) => {
                    return Err(Error::config(
                        "tokenStore must be \"memory\", \"session\" or {get, set, remove}",
                    ))
                }
                None => Box::new(JsStore::new(v)?),
            },
        };
        let fetch = match get(&options, "fetch") {
            f if f.is_undefined() || f.is_null() => None,
            f => Some(
                f.dyn_into::<Function>()
                    .map_err(|_| Error::config("fetch must be a function"))?,
            ),
        };
        let client = Client::new(
            cfg,
            JsRuntime {
                fetch,
                bypass_http_cache: !workers,
            },
            store,
        );
        tabs::attach(&client, client.config(), workers);
        if let Ok(f) = get(&options, "onLog").dyn_into::<Function>() {
            client.set_on_log(move |e| {
                let _ = f.call1(&JsValue::UNDEFINED, &log_to_js(e));
            });
        }
        if let Ok(f) = get(&options, "onEvent").dyn_into::<Function>() {
            client.set_on_event(move |e| {
                let _ = f.call1(&JsValue::UNDEFINED, &event_to_js(e));
            });
        }
        let shared = SharedCache::from_js(get(&options, "sharedCache"))?;
        Ok(CustomerClient {
            _online: online::listen_online(&client),
            client,
            guards: js_sys::WeakMap::new(),
            keyed: js_sys::Map::new(),
            shared,
        })
    }

    fn call(&self, method: Method, path: JsValue, body: JsValue, opts: JsValue) -> Promise {
        // Arguments arrive as JS values and are checked here: a non-string handed to a `String` parameter would
        // reach the wasm as a bogus pointer.
        let Some(path) = path.as_string() else {
            return reject(Error::config("path must be a string such as \"/rewards\""));
        };
        if let Err(e) = check_signal(&get(&opts, "signal")) {
            return reject(e);
        }
        let options = match call_options(&opts) {
            Ok(o) => o,
            Err(e) => return reject(e),
        };
        let body = if body.is_undefined() {
            None
        } else {
            match js_sys::JSON::stringify(&body)
                .ok()
                .and_then(|s| s.as_string())
            {
                Some(s) => Some(s),
                None => return reject(Error::config("body must be JSON-serialisable")),
            }
        };
        let signal = get(&opts, "signal");
        // Results are shared and deeply frozen; `{mutable: true}` asks for a private copy.
        let mutable = get(&opts, "mutable").is_truthy();
        let own = move |v: JsValue| {
            if mutable {
                runtime::private_copy(&v)
            } else {
                v
            }
        };
        let client = self.client.clone();
        if method == Method::Get
            && (signal.is_undefined() || get(&signal, "aborted").as_bool() != Some(true))
        {
            // Cache hits are answered synchronously, without spawning a task.
            if let Some(body) = client.cached(&path, &options) {
                return Promise::resolve(&own(client.runtime().data(&body)));
            }
        }
        if let (Method::Get, Some(shared)) = (method, &self.shared) {
            if !options.no_store
                && SHARED_PATHS
                    .iter()
                    .any(|p| path == *p || path.starts_with(&format!("{p}/")))
            {
                let shared = shared.clone();
                return promise(async move {
                    with_signal(signal, shared_read(client, shared, path, options))
                        .await
                        .map(own)
                        .map_err(|e| error_to_js(&e))
                });
            }
        }
        if method == Method::Get {
            // A read identical to one in flight waits for it, past the call pipeline.
            if let Some(joined) = client.join_in_flight(&path, &options) {
                return promise(async move {
                    with_signal(signal, joined)
                        .await
                        .map(|body| own(client.runtime().data(&body)))
                        .map_err(|e| error_to_js(&e))
                });
            }
        }
        promise(async move {
            with_signal(signal, client.request(method, &path, body, options))
                .await
                .map(own)
                .map_err(|e| error_to_js(&e))
        })
    }

    /// `GET path` → the response's `data`. Options: `{query, signal, cache, timeoutMs}`.
    pub fn get(&self, path: JsValue, options: JsValue) -> Promise {
        self.call(Method::Get, path, JsValue::UNDEFINED, options)
    }

    /// `POST path` with a JSON body → `data` (or `null` for 204).
    pub fn post(&self, path: JsValue, body: JsValue, options: JsValue) -> Promise {
        self.call(Method::Post, path, body, options)
    }

    /// `PUT path` with a JSON body. CareCloud's PUT replaces the whole record: omitted fields are cleared.
    pub fn put(&self, path: JsValue, body: JsValue, options: JsValue) -> Promise {
        self.call(Method::Put, path, body, options)
    }

    /// `DELETE path`.
    pub fn delete(&self, path: JsValue, options: JsValue) -> Promise {
        self.call(Method::Delete, path, JsValue::UNDEFINED, options)
    }

    /// Device token: reuse the stored one or `POST /tokens`.
    pub fn connect(&self) -> Promise {
        let c = self.client.clone();
        unit_promise(async move { c.connect().await })
    }

    /// `{loginType: "email"|"card"|"phone", loginValue, password}` → `{customerId}`. The password is not kept.
    pub fn login(&self, args: JsValue) -> Promise {
        let login_type = get(&args, "loginType")
            .as_string()
            .unwrap_or_else(|| "email".into());
        let (Some(value), Some(password)) = (
            get(&args, "loginValue").as_string(),
            get(&args, "password").as_string(),
        ) else {
            return reject(Error::config(
                "login needs {loginType, loginValue, password} as strings",
            ));
        };
        let password = Secret::new(password);
        let c = self.client.clone();
        let signal = get(&args, "signal");
        promise(async move {
            let id = with_signal(signal, c.login(&login_type, &value, &password))
                .await
                .map_err(|e| error_to_js(&e))?;
            let o = Object::new();
            set(&o, "customerId", id.as_str());
            Ok(o.into())
        })
    }

    /// Logs the customer out and forgets every customer-specific cached response.
    pub fn logout(&self) -> Promise {
        let c = self.client.clone();
        unit_promise(async move { c.logout().await })
    }

    /// Registration (`POST /customers`): `{customer, customerSource, autologin, password, propertyRecords,
    /// referralCode}` → `{customerId}`. `customerSource` is required; with `autologin: true` (which needs the
    /// password) the customer is logged in.
    pub fn register(&self, args: JsValue) -> Promise {
        let args = match json_text(&args, "register") {
            Ok(a) => a,
            Err(e) => return reject(e),
        };
        let c = self.client.clone();
        promise(async move {
            let id = c.register(&args).await.map_err(|e| error_to_js(&e))?;
            let o = Object::new();
            set(&o, "customerId", id.as_str());
            Ok(o.into())
        })
    }

    /// Asks CareCloud to send a password-setup message: `{recipient, communicationChannelId}` or
    /// `{recipient, channel}` (a channel's `text_id`, default `"email"`, resolved with `GET /communication-channels`).
    #[wasm_bindgen(js_name = sendPasswordSetupEmail)]
    pub fn send_password_setup_email(&self, args: JsValue) -> Promise {
        let args = match json_text(&args, "sendPasswordSetupEmail") {
            Ok(a) => a,
            Err(e) => return reject(e),
        };
        let c = self.client.clone();
        promise(async move {
            c.send_password_setup_email(&args)
                .await
                .map(|()| JsValue::NULL)
                .map_err(|e| error_to_js(&e))
        })
    }

    /// `PUT /tokens/{id}`: `{setup: {languageId, allowedGps, allowedNotifications}, pushToken}`.
    #[wasm_bindgen(js_name = updateToken)]
    pub fn update_token(&self, args: JsValue) -> Promise {
        // The same parser (and error names) as the `setup` option.
        let setup = match json_text(&get(&args, "setup"), "setup") {
            Ok(text) => Setup::from_json_str(&text),
            Err(e) => Err(e),
        };
        let setup = match setup {
            Ok(s) => s,
            Err(e) => return reject(e),
        };
        let push = get(&args, "pushToken").as_string();
        let c = self.client.clone();
        unit_promise(async move { c.update_token(&setup, push.as_deref()).await })
    }

    /// Hands the logged-in customer to another application: `{externalApplicationId, tokenType}` →
    /// `{authentication_token, token_request_id, valid_to}`.
    #[wasm_bindgen(js_name = authToken)]
    pub fn auth_token(&self, args: JsValue) -> Promise {
        let args = match json_text(&args, "authToken") {
            Ok(a) => a,
            Err(e) => return reject(e),
        };
        let c = self.client.clone();
        promise(async move { c.auth_token(&args).await.map_err(|e| error_to_js(&e)) })
    }

    /// A page walker for `paginate`: `{listKey, pageSize, query, signal, offset}`.
    pub fn pages(&self, path: JsValue, options: JsValue) -> Result<Pages, JsValue> {
        let path = path.as_string().ok_or_else(|| {
            error_to_js(&Error::config("path must be a string such as \"/rewards\""))
        })?;
        let base = call_options(&options).map_err(|e| error_to_js(&e))?;
        check_signal(&get(&options, "signal")).map_err(|e| error_to_js(&e))?;
        let size = match get(&options, "pageSize") {
            v if v.is_undefined() => 100.0,
            v => v.as_f64().unwrap_or(f64::NAN),
        };
        if !(size.is_finite() && (1.0..=1000.0).contains(&size)) {
            return Err(error_to_js(&Error::config(
                "pageSize must be between 1 and 1000",
            )));
        }
        let offset = get(&options, "offset").as_f64().unwrap_or(0.0).max(0.0);
        Ok(Pages {
            client: self.client.clone(),
            path,
            base,
            list_key: get(&options, "listKey").as_string(),
            state: Rc::new(RefCell::new(Paginator::new(size as u64, offset as u64))),
            signal: get(&options, "signal"),
        })
    }

    /// `{requests, networkRequests, dedupedRequests, cacheHits, retries, tokenRenewals, cacheEntries, inFlight,
    /// circuitState}`.
    pub fn stats(&self) -> JsValue {
        stats_to_js(&self.client.stats(), self.client.circuit_state().as_str())
    }

    /// With `stale.persist`: keeps the offline catalogue's copies in `store` too (`{load, save, clear}`, see
    /// `JsCopies` in store.rs) and takes back those it has. The package's facade calls this with a `localStorage` store in
    /// browser pages; without `stale.persist`, or with an object lacking the methods, nothing happens.
    #[wasm_bindgen(js_name = keepCopiesIn)]
    pub fn keep_copies_in(&self, store: JsValue) {
        let Some(config) = self.client.config().stale.as_ref() else {
            return;
        };
        let mut prefix = self.client.key("copy:");
        prefix.push_str(&self.client.config().base_url);
        if let Some(copies) = JsCopies::new(store, prefix, config) {
            self.client.keep_copies_in(Box::new(copies));
        }
    }

    /// Drops every cached response (and the offline catalogue's copies).
    #[wasm_bindgen(js_name = clearCache)]
    pub fn clear_cache(&self) {
        self.client.clear_cache();
    }

    /// The logged-in customer's id, or `undefined`.
    #[wasm_bindgen(getter, js_name = customerId)]
    pub fn customer_id(&self) -> Option<String> {
        self.client.customer_id()
    }

    /// For the package's facade: which plain reads (no options but `query`/`path`) it may answer itself while
    /// [`read_epoch`](Self::read_epoch) stays the same. Bit 1: a cache hit it saw, until the entry's expiry; bit 2:
    /// a read in flight, joined (dedupe on, not isolate-safe). 0 when an `onLog` handler wants every call.
    #[wasm_bindgen(getter, js_name = memoFlags)]
    pub fn memo_flags(&self) -> u32 {
        let cfg = self.client.config();
        if self.client.listening() {
            return 0;
        }
        u32::from(cfg.cache.is_some()) | (u32::from(cfg.dedupe && !cfg.isolate_safe) << 1)
    }

    /// Changes whenever a read could be answered differently (the core's `Client::read_epoch`).
    #[wasm_bindgen(js_name = readEpoch)]
    pub fn read_epoch(&self) -> f64 {
        self.client.read_epoch() as f64
    }

    /// A read answered from the cache now, counted and logged as a hit: `[data, expiresAtMs]`; `undefined` on a
    /// miss (or options the cache does not answer).
    pub fn hit(&self, path: JsValue, options: JsValue) -> JsValue {
        let (Some(path), Ok(options)) = (path.as_string(), call_options(&options)) else {
            return JsValue::UNDEFINED;
        };
        match self.client.cached_until(&path, &options) {
            Some((body, until)) => Array::of2(
                &self.client.runtime().data(&body),
                &JsValue::from_f64(until),
            )
            .into(),
            None => JsValue::UNDEFINED,
        }
    }
}
