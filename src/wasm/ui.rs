//! UI helpers on the client: `guard` (disabled + `aria-busy` until an action settles, a second press joins the
//! first), its keyed form, and `afterPush` (a uniform random delay before an action, clamped in service workers).

use super::convert::{error_to_js, get, set};
use super::{promise, reject, timer, with_signal, CustomerClient};
use crate::error::Error;
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

fn in_service_worker() -> bool {
    let ctor = get(&js_sys::global(), "constructor");
    get(&ctor, "name").as_string().as_deref() == Some("ServiceWorkerGlobalScope")
}

/// The longest `afterPush` delay used inside a service worker, ms: browsers end a push event's `waitUntil` after
/// about 30 s (Firefox) to 5 min (Chrome), and Chrome stops an idle worker after 30 s.
pub const SERVICE_WORKER_MAX_DELAY_MS: u64 = 25_000;

#[wasm_bindgen(js_class = WasmCustomerClient)]
impl CustomerClient {
    /// A uniformly random delay in `[0, maxDelayMs)` from the CSPRNG (what `afterPush` waits).
    #[wasm_bindgen(js_name = pushDelayMs)]
    pub fn push_delay_ms(&self, max_delay_ms: f64) -> f64 {
        let max = if max_delay_ms.is_finite() {
            max_delay_ms.clamp(0.0, 3_600_000.0)
        } else {
            60_000.0
        };
        self.client.jitter_ms(max as u64) as f64
    }

    /// Runs `action` after a uniformly random delay (default 0–60 s; inside a service worker at most 25 s), so a
    /// push to 50,000 devices does not arrive as one spike. The returned promise has a `delayMs` property.
    /// Options: `{maxDelayMs, signal}`.
    #[wasm_bindgen(js_name = afterPush)]
    pub fn after_push(&self, action: JsValue, options: JsValue) -> Promise {
        let Some(action) = action.dyn_ref::<Function>().cloned() else {
            return reject(Error::config("afterPush needs a function to run"));
        };
        let m = get(&options, "maxDelayMs");
        let mut max = if m.is_undefined() {
            60_000.0
        } else {
            m.as_f64().unwrap_or(f64::NAN)
        };
        if !(max.is_finite() && (0.0..=3_600_000.0).contains(&max)) {
            return reject(Error::config("maxDelayMs must be between 0 and 3600000"));
        }
        if in_service_worker() {
            max = max.min(SERVICE_WORKER_MAX_DELAY_MS as f64);
        }
        let delay = self.client.jitter_ms(max as u64);
        let signal = get(&options, "signal");
        let p = promise(async move {
            with_signal(signal, async move {
                timer(delay).await;
                Ok(())
            })
            .await
            .map_err(|e| error_to_js(&e))?;
            let r = action.call0(&JsValue::UNDEFINED)?;
            JsFuture::from(Promise::resolve(&r)).await
        });
        let _ = Reflect::set(
            &p,
            &JsValue::from_str("delayMs"),
            &JsValue::from_f64(delay as f64),
        );
        p
    }

    /// Disables `element` (and sets `aria-busy`) until `action()` settles, and for at least `minBusyMs` (default
    /// 500 ms, the usual double-click interval) after the press; any activation in that time joins the first
    /// instead of running `action` again. Resolves/rejects like `action`, as soon as it settles.
    /// Options: `{minBusyMs}`.
    pub fn guard(&self, element: JsValue, action: JsValue, options: JsValue) -> Promise {
        let Some(action) = action.dyn_ref::<Function>().cloned() else {
            return reject(Error::config("guard needs a function to run"));
        };
        if !element.is_object() {
            return reject(Error::config(
                "guard needs an element (or any object) as its key",
            ));
        }
        let min_busy = match min_busy_ms(&options) {
            Ok(ms) => ms,
            Err(e) => return reject(e),
        };
        let key: &Object = element.unchecked_ref();
        if let Ok(p) = self.guards.get(key).dyn_into::<Promise>() {
            return p;
        }
        let was_disabled = get(&element, "disabled");
        let has_disabled = was_disabled.as_bool().is_some();
        if has_disabled {
            set(key, "disabled", true);
        }
        if let Ok(f) = get(&element, "setAttribute").dyn_into::<Function>() {
            let _ = f.call2(
                &element,
                &JsValue::from_str("aria-busy"),
                &JsValue::from_str("true"),
            );
        }
        let p = settle(action.call0(&JsValue::UNDEFINED));
        self.guards.set(key, &p);
        let (guards, el) = (self.guards.clone(), element.clone());
        release_after(p.clone(), min_busy, move || {
            if has_disabled {
                let _ = Reflect::set(&el, &JsValue::from_str("disabled"), &was_disabled);
            }
            if let Ok(f) = get(&el, "removeAttribute").dyn_into::<Function>() {
                let _ = f.call1(&el, &JsValue::from_str("aria-busy"));
            }
            guards.delete(el.unchecked_ref());
        });
        p
    }

    /// The keyed form of [`guard`](Self::guard) for non-DOM code: one pending `action` per `key` (joined for
    /// `minBusyMs` too).
    #[wasm_bindgen(js_name = guardKey)]
    pub fn guard_key(&self, key: JsValue, action: JsValue, options: JsValue) -> Promise {
        let Some(key) = key.as_string() else {
            return reject(Error::config("guardKey needs a string key"));
        };
        let Some(action) = action.dyn_ref::<Function>().cloned() else {
            return reject(Error::config("guardKey needs a function to run"));
        };
        let min_busy = match min_busy_ms(&options) {
            Ok(ms) => ms,
            Err(e) => return reject(e),
        };
        let k = JsValue::from_str(&key);
        if let Ok(p) = self.keyed.get(&k).dyn_into::<Promise>() {
            return p;
        }
        let p = settle(action.call0(&JsValue::UNDEFINED));
        self.keyed.set(&k, &p);
        let keyed = self.keyed.clone();
        release_after(p.clone(), min_busy, move || {
            keyed.delete(&k);
        });
        p
    }
}

/// Runs `release` once `done` settles and at least `min_busy` ms have passed since the press (now).
fn release_after(done: Promise, min_busy: u64, release: impl FnOnce() + 'static) {
    let started = js_sys::Date::now();
    wasm_bindgen_futures::spawn_local(async move {
        let _ = JsFuture::from(done).await;
        let left = min_busy as f64 - (js_sys::Date::now() - started);
        if left > 0.0 {
            timer(left as u64).await;
        }
        release();
    });
}

/// The promise of an action's result, whether it returned a value, a promise, or threw.
fn settle(started: Result<JsValue, JsValue>) -> Promise {
    match started {
        Ok(v) => Promise::resolve(&v),
        Err(e) => Promise::reject(&e),
    }
}

fn min_busy_ms(options: &JsValue) -> Result<u64, Error> {
    let v = get(options, "minBusyMs");
    if v.is_undefined() {
        return Ok(DEFAULT_MIN_BUSY_MS);
    }
    match v.as_f64() {
        Some(ms) if (0.0..=60_000.0).contains(&ms) => Ok(ms as u64),
        _ => Err(Error::config("minBusyMs must be between 0 and 60000")),
    }
}

/// How long `guard` keeps an element busy at least: the common OS double-click interval.
pub const DEFAULT_MIN_BUSY_MS: u64 = 500;
