//! One device per browser (the shell's side of `crate::tabs`): the device id persisted in `localStorage`, and the
//! device token shared in memory by the tabs and workers of one origin over a `BroadcastChannel`, with creation
//! and renewal made single-flight by the Web Locks API (`navigator.locks`).
//!
//! Sharing needs both APIs (Chromium, Firefox, Safari ≥ 15.4, in pages and dedicated workers). Where either is
//! missing (Node, which has `BroadcastChannel` but no `navigator.locks`; Cloudflare Workers; older Safari) and in
//! Cloudflare Workers always, a client keeps its own token, as it did before.
//!
//! Messages on the channel `{storagePrefix}:{externalApplicationId}:tabs` (same-origin by design, never logged):
//! `ask {id, device}` → every other client answers `state {id, device, token?, epoch, customer?}`;
//! `token {device, token, epoch, customer?}` after a creation or renewal; `customer {device, epoch, customer}`
//! after a login (`customer` a string) or logout (`null`); `forget {device, epoch}` when a token was dropped.
//! Each client holds the shared lock `…:tab` while it lives, so a question waits only for the clients there are.

use super::convert::{get, set};
use super::runtime::{timer, JsRuntime};
use crate::client::Client;
use crate::config::Config;
use crate::secret::Secret;
use crate::tabs::{TabLock, TabNews, TabShare, TabToken};
use futures_channel::oneshot;
use futures_util::future::{select, FutureExt, LocalBoxFuture};
use js_sys::{Array, Function, Object, Promise, Reflect};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};

/// Binds the client to this browser's other tabs (when `shareToken` and both APIs exist) and its device id to
/// `localStorage` (when `persistDeviceId` and this is a page). Nothing of this in Cloudflare Workers.
pub(super) fn attach(client: &Client<JsRuntime>, cfg: &Config, workers: bool) {
    if workers {
        return;
    }
    if cfg.persist_device_id {
        if let Some(store) = super::store::DeviceIdStore::open() {
            client.set_device_store(Rc::new(store));
        }
    }
    if cfg.share_token {
        if let Some(tabs) = BrowserTabs::open(client) {
            client.set_tab_share(Rc::new(tabs));
        }
    }
}

/// A question this client asked the other tabs, until their answers are in.
struct Ask {
    id: f64,
    device: String,
    /// Answers still expected.
    waiting: usize,
    best: Option<TabToken>,
    done: Option<oneshot::Sender<()>>,
}

type Asks = Rc<RefCell<Vec<Ask>>>;

struct BrowserTabs {
    channel: JsValue,
    locks: JsValue,
    lock_name: JsValue,
    presence_name: String,
    /// Whether this client's own `…:tab` lock is held (then it is one of the holders a query lists).
    present: Rc<Cell<bool>>,
    /// Releases the `…:tab` lock (set once it is granted; taken when this client goes away).
    leave: Rc<RefCell<Option<Function>>>,
    gone: Rc<Cell<bool>>,
    asks: Asks,
    _listener: Closure<dyn FnMut(JsValue)>,
}

impl BrowserTabs {
    /// The channel and locks, or `None` where either API is missing.
    fn open(client: &Client<JsRuntime>) -> Option<BrowserTabs> {
        let global = js_sys::global();
        let locks = get(&get(&global, "navigator"), "locks");
        let ctor: Function = get(&global, "BroadcastChannel").dyn_into().ok()?;
        if !get(&locks, "request").is_function() || !get(&locks, "query").is_function() {
            return None;
        }
        let name = JsValue::from_str(&client.key("tabs"));
        let channel = Reflect::construct(&ctor, &Array::of1(&name)).ok()?;
        let asks: Asks = Rc::default();
        let listener = {
            let (weak, asks, channel) = (client.downgrade(), asks.clone(), channel.clone());
            Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
                if let Some(client) = weak.upgrade() {
                    on_message(&client, &asks, &channel, &get(&event, "data"));
                }
            })
        };
        let _ = Reflect::set(&channel, &"onmessage".into(), listener.as_ref());
        let tabs = BrowserTabs {
            lock_name: JsValue::from_str(&client.key("token-lock")),
            presence_name: client.key("tab"),
            present: Rc::default(),
            leave: Rc::default(),
            gone: Rc::default(),
            channel,
            locks,
            asks,
            _listener: listener,
        };
        tabs.hold_presence();
        Some(tabs)
    }

    /// Takes the shared `…:tab` lock for as long as this client lives.
    fn hold_presence(&self) {
        let (present, leave, gone) = (self.present.clone(), self.leave.clone(), self.gone.clone());
        let granted = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
            let Some((promise, release)) = pending_promise() else {
                return JsValue::UNDEFINED;
            };
            if gone.get() {
                let _ = release.call0(&JsValue::UNDEFINED);
            } else {
                present.set(true);
                *leave.borrow_mut() = Some(release);
            }
            promise.into()
        });
        let options = Object::new();
        set(&options, "mode", "shared");
        self.request(&JsValue::from_str(&self.presence_name), &options, &granted);
    }

    /// `navigator.locks.request(name, options, granted)`; a refused request (an opaque origin) is ignored.
    fn request(&self, name: &JsValue, options: &Object, granted: &JsValue) {
        let request: Option<Function> = get(&self.locks, "request").dyn_into().ok();
        let p = request.and_then(|f| {
            f.call3(&self.locks, name, options, granted)
                .ok()?
                .dyn_into::<Promise>()
                .ok()
        });
        if let Some(p) = p {
            let ignore = Closure::<dyn FnMut(JsValue)>::new(|_| {});
            let _ = p.catch(&ignore);
            ignore.forget();
        }
    }

    /// How many other clients hold the `…:tab` lock now.
    fn others(&self) -> LocalBoxFuture<'static, usize> {
        let query: Option<Function> = get(&self.locks, "query").dyn_into().ok();
        let snapshot = query.and_then(|f| f.call0(&self.locks).ok()?.dyn_into::<Promise>().ok());
        let (name, present) = (self.presence_name.clone(), self.present.get());
        async move {
            let Some(snapshot) = snapshot else { return 0 };
            let Ok(snapshot) = JsFuture::from(snapshot).await else {
                return 0;
            };
            let held: Array = get(&snapshot, "held").dyn_into().unwrap_or_default();
            let holders = held
                .iter()
                .filter(|l| get(l, "name").as_string().as_deref() == Some(name.as_str()))
                .count();
            holders.saturating_sub(usize::from(present))
        }
        .boxed_local()
    }

    fn post(&self, message: &Object) {
        post(&self.channel, message);
    }
}

impl Drop for BrowserTabs {
    fn drop(&mut self) {
        self.gone.set(true);
        if let Some(release) = self.leave.borrow_mut().take() {
            let _ = release.call0(&JsValue::UNDEFINED);
        }
        let _ = Reflect::set(&self.channel, &"onmessage".into(), &JsValue::NULL);
        if let Ok(close) = get(&self.channel, "close").dyn_into::<Function>() {
            let _ = close.call0(&self.channel);
        }
    }
}

impl TabShare for BrowserTabs {
    fn lock(&self) -> LocalBoxFuture<'static, TabLock> {
        let (tx, rx) = oneshot::channel::<Function>();
        let granted = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
            let Some((promise, release)) = pending_promise() else {
                return JsValue::UNDEFINED; // the lock is released at once; the waiter goes on alone
            };
            if let Err(release) = tx.send(release) {
                let _ = release.call0(&JsValue::UNDEFINED); // the waiter went away: let the lock go at once
            }
            promise.into()
        });
        self.request(&self.lock_name, &Object::new(), &granted);
        async move {
            match rx.await {
                Ok(release) => TabLock::new(move || {
                    let _ = release.call0(&JsValue::UNDEFINED);
                }),
                Err(_) => TabLock::new(|| ()), // refused: go on alone
            }
        }
        .boxed_local()
    }

    fn newest(&self, device_id: &str, wait_ms: u64) -> LocalBoxFuture<'static, Option<TabToken>> {
        let others = self.others();
        let (asks, channel, device) = (
            self.asks.clone(),
            self.channel.clone(),
            device_id.to_string(),
        );
        async move {
            let waiting = others.await;
            if waiting == 0 {
                return None;
            }
            let id = js_sys::Math::random();
            let (tx, rx) = oneshot::channel();
            asks.borrow_mut().push(Ask {
                id,
                device: device.clone(),
                waiting,
                best: None,
                done: Some(tx),
            });
            let question = Object::new();
            set(&question, "type", "ask");
            set(&question, "id", id);
            set(&question, "device", device.as_str());
            post(&channel, &question);
            let _ = select(rx, timer(wait_ms)).await;
            let mut all = asks.borrow_mut();
            let i = all.iter().position(|a| a.id == id)?;
            all.swap_remove(i).best
        }
        .boxed_local()
    }

    fn tell(&self, news: &TabNews) {
        let m = Object::new();
        set(&m, "device", news.device_id());
        match news {
            TabNews::Token(t) => {
                set(&m, "type", "token");
                set(&m, "token", t.token.expose());
                set(&m, "epoch", t.epoch as f64);
                set(&m, "customer", opt(t.customer_id.as_deref()));
            }
            TabNews::Customer {
                epoch, customer_id, ..
            } => {
                set(&m, "type", "customer");
                set(&m, "epoch", *epoch as f64);
                let customer = customer_id
                    .as_deref()
                    .map_or(JsValue::NULL, JsValue::from_str);
                set(&m, "customer", customer);
            }
            TabNews::Forget { epoch, .. } => {
                set(&m, "type", "forget");
                set(&m, "epoch", *epoch as f64);
            }
        }
        self.post(&m);
    }
}

/// A message from another client of this origin.
fn on_message(client: &Client<JsRuntime>, asks: &Asks, channel: &JsValue, data: &JsValue) {
    let Some(device) = text(data, "device", 256) else {
        return;
    };
    match get(data, "type").as_string().as_deref() {
        Some("ask") => {
            let Some(id) = get(data, "id").as_f64() else {
                return;
            };
            let answer = Object::new();
            set(&answer, "type", "state");
            set(&answer, "id", id);
            set(&answer, "device", device.as_str());
            if let Some(t) = client.tab_token(&device) {
                set(&answer, "token", t.token.expose());
                set(&answer, "epoch", t.epoch as f64);
                set(&answer, "customer", opt(t.customer_id.as_deref()));
            }
            post(channel, &answer);
        }
        Some("state") => {
            let id = get(data, "id").as_f64();
            let mut all = asks.borrow_mut();
            let Some(ask) = all.iter_mut().find(|a| Some(a.id) == id) else {
                return;
            };
            ask.waiting = ask.waiting.saturating_sub(1);
            if let Some(t) = token_of(data, device).filter(|t| t.device_id == ask.device) {
                if ask.best.as_ref().is_none_or(|b| t.epoch > b.epoch) {
                    ask.best = Some(t);
                }
            }
            if ask.waiting == 0 {
                if let Some(done) = ask.done.take() {
                    let _ = done.send(());
                }
            }
        }
        Some(kind) => {
            if let Some(news) = news_of(kind, data, device) {
                let client = client.clone();
                spawn_local(async move { client.receive(news).await });
            }
        }
        None => {}
    }
}

fn news_of(kind: &str, data: &JsValue, device_id: String) -> Option<TabNews> {
    let epoch = epoch(data)?;
    match kind {
        "token" => token_of(data, device_id).map(TabNews::Token),
        "customer" => {
            let customer = get(data, "customer");
            let customer_id = if customer.is_null() {
                None
            } else {
                Some(text(data, "customer", 256)?)
            };
            Some(TabNews::Customer {
                device_id,
                epoch,
                customer_id,
            })
        }
        "forget" => Some(TabNews::Forget { device_id, epoch }),
        _ => None,
    }
}

/// The token a `token` or `state` message carries, validated as a stored token is.
fn token_of(data: &JsValue, device_id: String) -> Option<TabToken> {
    Some(TabToken {
        device_id,
        token: Secret::new(text(data, "token", 512)?),
        epoch: epoch(data)?,
        customer_id: text(data, "customer", 256),
    })
}

/// A non-empty string member of at most `max` bytes.
fn text(data: &JsValue, key: &'static str, max: usize) -> Option<String> {
    get(data, key)
        .as_string()
        .filter(|s| !s.is_empty() && s.len() <= max)
}

/// `epoch`: a whole number in `0..=2^53`.
fn epoch(data: &JsValue) -> Option<u64> {
    get(data, "epoch")
        .as_f64()
        .filter(|e| e.fract() == 0.0 && (0.0..=9_007_199_254_740_992.0).contains(e))
        .map(|e| e as u64)
}

fn opt(v: Option<&str>) -> JsValue {
    v.map_or(JsValue::UNDEFINED, JsValue::from_str)
}

fn post(channel: &JsValue, message: &Object) {
    if let Ok(f) = get(channel, "postMessage").dyn_into::<Function>() {
        let _ = f.call1(channel, message); // a closed channel throws: nothing to tell then
    }
}

/// A promise and the function that resolves it (a Web Lock is held until the promise its callback returned
/// settles). `Promise` runs its executor at once, so the function is always there.
fn pending_promise() -> Option<(Promise, Function)> {
    let mut resolve = None;
    let promise = Promise::new(&mut |res, _rej| resolve = Some(res));
    resolve.map(|release| (promise, release))
}
