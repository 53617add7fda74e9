//! [`JsRuntime`]: the core's [`Runtime`] over the global `fetch`, `setTimeout`/`clearTimeout`, `crypto` and
//! `JSON`, bound from the global object so one code path serves pages, workers, Node and Cloudflare Workers.

use super::convert::name;
use crate::error::{Error, ErrorKind};
use crate::runtime::{HttpRequest, HttpResponse, Runtime, TransportError, READ_HEADERS};
use futures_channel::oneshot;
use futures_util::future::{FutureExt, LocalBoxFuture};
use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(cb: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(url: &str, init: &Object) -> Promise;
    #[wasm_bindgen(js_name = AbortController)]
    type AbortController;
    #[wasm_bindgen(constructor, js_class = "AbortController")]
    fn new() -> AbortController;
    #[wasm_bindgen(method, getter)]
    fn signal(this: &AbortController) -> JsValue;
    #[wasm_bindgen(method)]
    fn abort(this: &AbortController);
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn json_parse(text: &JsValue) -> Result<JsValue, JsValue>;
    /// `Headers`, bound to take the name as a JS value (interned names cross the boundary once).
    #[wasm_bindgen(js_name = Headers)]
    type JsHeaders;
    #[wasm_bindgen(method, js_name = get)]
    fn get_js(this: &JsHeaders, name: &JsValue) -> JsValue;
}

/// A timer that resolves after `ms`; dropping it clears the timer.
pub struct Timer {
    id: JsValue,
    rx: oneshot::Receiver<()>,
    _cb: Closure<dyn FnMut()>,
}

impl Timer {
    /// Starts a timer.
    pub fn new(ms: u64) -> Timer {
        let (tx, rx) = oneshot::channel();
        let mut tx = Some(tx);
        let cb = Closure::<dyn FnMut()>::new(move || {
            if let Some(tx) = tx.take() {
                let _ = tx.send(());
            }
        });
        let id = set_timeout(cb.as_ref().unchecked_ref(), ms.min(2_147_483_647) as f64);
        Timer { id, rx, _cb: cb }
    }
}

impl std::future::Future for Timer {
    type Output = ();
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        self.rx.poll_unpin(cx).map(|_| ())
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        clear_timeout(&self.id);
    }
}

/// Aborts an in-flight fetch when dropped before completion.
struct AbortGuard {
    controller: Option<AbortController>,
}

impl Drop for AbortGuard {
    fn drop(&mut self) {
        if let Some(c) = self.controller.take() {
            c.abort();
        }
    }
}

/// The last decoded body and its JS string (see [`JsRuntime::last_body`]).
pub type LastBody = std::rc::Rc<std::cell::RefCell<Option<(std::rc::Rc<str>, JsValue)>>>;

/// The runtime the wasm shell gives the core.
#[derive(Clone, Default)]
pub struct JsRuntime {
    /// A user-supplied `fetch` (option `fetch`), else the global one.
    pub fetch: Option<Function>,
    /// The last body converted to a JS string, reused while the same shared body is decoded again (every caller of
    /// a deduplicated read, repeated hits of one cache entry): one UTF-8 → JS conversion instead of one per caller.
    pub last_body: LastBody,
    /// Send `cache: "no-store"` so the platform's HTTP cache never answers in place of the client's own
    /// (which honours max-age, invalidates on writes and partitions by customer). Off in Workers, whose
    /// `fetch` has its own rules for `cache`.
    pub bypass_http_cache: bool,
}

fn js_text(v: &JsValue) -> String {
    // A platform error's message, never the URL (fetch errors do not carry it; messages are cut anyway).
    let msg = Reflect::get(v, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string());
    let name = Reflect::get(v, &JsValue::from_str("name"))
        .ok()
        .and_then(|m| m.as_string());
    let s = match (name, msg) {
        (Some(n), Some(m)) => format!("{n}: {m}"),
        (_, Some(m)) => m,
        _ => "fetch failed".to_string(),
    };
    s.split("http")
        .next()
        .unwrap_or("")
        .chars()
        .take(160)
        .collect()
}

async fn do_fetch(
    fetch: Option<Function>,
    bypass_http_cache: bool,
    req: HttpRequest,
) -> Result<HttpResponse, TransportError> {
    let init = Object::new();
    let set = |k: &'static str, v: &JsValue| {
        let _ = Reflect::set(&init, &name(k), v);
    };
    set("method", &name(req.method.as_str()));
    let headers = Object::new();
    for (k, v) in &req.headers {
        // Header names are constants (or the configured idempotency header): interned.
        let key = match k {
            std::borrow::Cow::Borrowed(k) => name(k),
            std::borrow::Cow::Owned(k) => JsValue::from_str(k),
        };
        let value = if v == "application/json" {
            name("application/json")
        } else {
            JsValue::from_str(v)
        };
        let _ = Reflect::set(&headers, &key, &value);
    }
    set("headers", &headers);
    if let Some(b) = &req.body {
        set("body", &JsValue::from_str(b));
    }
    if bypass_http_cache {
        set("cache", &name("no-store"));
    }
    let controller = AbortController::new();
    set("signal", &controller.signal());
    let mut guard = AbortGuard {
        controller: Some(controller),
    };
    let promise = match &fetch {
        Some(f) => match f.call2(&JsValue::UNDEFINED, &JsValue::from_str(&req.url), &init) {
            Ok(p) => Promise::resolve(&p),
            Err(e) => return Err(TransportError::Network(js_text(&e))),
        },
        None => global_fetch(&req.url, &init),
    };
    let resp = JsFuture::from(promise)
        .await
        .map_err(|e| TransportError::Network(js_text(&e)))?;
    let resp: web_sys::Response = resp
        .dyn_into()
        .map_err(|_| TransportError::Network("fetch returned no Response".into()))?;
    let status = resp.status();
    let h = resp.headers();
    let mut headers = Vec::new();
    for header in READ_HEADERS {
        let v = h.unchecked_ref::<JsHeaders>().get_js(&name(header));
        if let Some(v) = v.as_string() {
            headers.push((*header, v));
        }
    }
    let body = match resp.text() {
        Ok(p) => JsFuture::from(p)
            .await
            .map_err(|e| TransportError::Network(js_text(&e)))?,
        Err(e) => return Err(TransportError::Network(js_text(&e))),
    };
    guard.controller = None; // completed: nothing to abort
    Ok(HttpResponse {
        status,
        headers,
        body: body.as_string().unwrap_or_default(),
    })
}

/// Fills `buf` from `crypto.getRandomValues` of the global object.
pub fn crypto_fill(buf: &mut [u8]) -> Result<(), Error> {
    let unavailable = || {
        Error::new(
            ErrorKind::Config,
            "crypto.getRandomValues is unavailable here (or at module scope in Workers)",
        )
    };
    let crypto =
        Reflect::get(&js_sys::global(), &JsValue::from_str("crypto")).map_err(|_| unavailable())?;
    let f: Function = Reflect::get(&crypto, &JsValue::from_str("getRandomValues"))
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(unavailable)?;
    for chunk in buf.chunks_mut(65_536) {
        let arr = Uint8Array::new_with_length(chunk.len() as u32);
        f.call1(&crypto, &arr).map_err(|_| unavailable())?;
        arr.copy_to(chunk);
    }
    Ok(())
}

impl Runtime for JsRuntime {
    type Value = JsValue;

    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    fn sleep(&self, ms: u64) -> LocalBoxFuture<'static, ()> {
        Timer::new(ms).boxed_local()
    }

    fn fill_random(&self, buf: &mut [u8]) -> Result<(), Error> {
        crypto_fill(buf)
    }

    fn offline(&self) -> bool {
        super::online::known_offline() // offline: navigator.onLine === false (online.rs)
    }

    fn fetch(
        &self,
        req: HttpRequest,
    ) -> LocalBoxFuture<'static, Result<HttpResponse, TransportError>> {
        do_fetch(self.fetch.clone(), self.bypass_http_cache, req).boxed_local()
    }

    fn decode(&self, body: &std::rc::Rc<str>) -> Result<JsValue, Error> {
        if body.trim().is_empty() {
            return Ok(JsValue::NULL);
        }
        let text = {
            let mut slot = self.last_body.borrow_mut();
            match &*slot {
                Some((b, s)) if std::rc::Rc::ptr_eq(b, body) => s.clone(),
                _ => {
                    let s = JsValue::from_str(body);
                    *slot = Some((body.clone(), s.clone()));
                    s
                }
            }
        };
        let v = json_parse(&text)
            .map_err(|_| Error::new(ErrorKind::Decode, "the response body is not valid JSON"))?;
        if !v.is_object() {
            return Err(Error::new(
                ErrorKind::Decode,
                "the response body is not a JSON object",
            ));
        }
        let data = Reflect::get(&v, &super::convert::name("data")).unwrap_or(JsValue::NULL);
        Ok(if data.is_undefined() {
            JsValue::NULL
        } else {
            data
        })
    }
}
