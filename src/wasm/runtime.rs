//! [`JsRuntime`]: the core's [`Runtime`] over the global `fetch`, `setTimeout`/`clearTimeout`, `crypto` and
//! `JSON`, bound from the global object so one code path serves pages, workers, Node and Cloudflare Workers.
//! A response body is parsed by the host (`JSON.parse`) and deeply frozen once ([`JsBody`]); it never enters
//! linear memory, and every caller of that response gets the same object.

use super::convert::name;
use crate::error::{Error, ErrorKind};
use crate::runtime::{
    BodySize, Fetched, HttpRequest, HttpResponse, Payload, Runtime, TransportError, READ_HEADERS,
};
use futures_util::future::{FutureExt, LocalBoxFuture};
use js_sys::{Array, Function, JsString, Object, Promise, Reflect};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
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
    #[wasm_bindgen(js_name = structuredClone, catch)]
    fn structured_clone(v: &JsValue) -> Result<JsValue, JsValue>;
    /// `Headers`, bound to take the name as a JS value (interned names cross the boundary once).
    #[wasm_bindgen(js_name = Headers)]
    type JsHeaders;
    #[wasm_bindgen(method, js_name = get)]
    fn get_js(this: &JsHeaders, name: &JsValue) -> JsValue;
}

/// A timer that resolves after `ms` (clamped to `setTimeout`'s 2^31 - 1); dropping it clears the timer.
pub fn timer(ms: u64) -> gloo_timers::future::TimeoutFuture {
    gloo_timers::future::TimeoutFuture::new(ms.min(2_147_483_647) as u32)
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

/// A parsed response body: the deeply frozen object `JSON.parse` made of it, its `data`, and its length (for the
/// cache's byte budget). Cloning shares it.
#[derive(Clone)]
pub struct JsBody(Rc<Parsed>);

struct Parsed {
    root: JsValue,
    data: JsValue,
    size: usize,
}

impl JsBody {
    /// Parses a body given as a JS string: empty → a body whose `data` is `null`; a JSON object → that object,
    /// deeply frozen; anything else (cut short, an HTML page, an array) → `None`.
    pub fn parse(text: &JsValue) -> Option<JsBody> {
        let text: &JsString = text.dyn_ref()?;
        let size = text.length() as usize;
        if text.trim().length() == 0 {
            return Some(JsBody::of(JsValue::NULL, JsValue::NULL, 0));
        }
        let root = json_parse(text).ok()?;
        if !root.is_object() || Array::is_array(&root) {
            return None;
        }
        deep_freeze(&root);
        let data = Reflect::get(&root, &name("data")).unwrap_or(JsValue::NULL);
        let data = if data.is_undefined() {
            JsValue::NULL
        } else {
            data
        };
        Some(JsBody::of(root, data, size))
    }

    fn of(root: JsValue, data: JsValue, size: usize) -> JsBody {
        JsBody(Rc::new(Parsed { root, data, size }))
    }

    /// The body as a JS string (`JSON.stringify`; empty for an empty body), for a shared cache.
    pub fn js_text(&self) -> JsValue {
        if self.0.root.is_null() {
            return JsValue::from_str("");
        }
        js_sys::JSON::stringify(&self.0.root).map_or(JsValue::UNDEFINED, Into::into)
    }
}

impl BodySize for JsBody {
    fn size(&self) -> usize {
        self.0.size
    }
}

/// `Object.freeze` on an object and everything inside it, so no caller can change what other callers see.
fn deep_freeze(root: &JsValue) {
    let mut stack = vec![root.clone()];
    while let Some(v) = stack.pop() {
        let o: &Object = v.unchecked_ref();
        for child in Object::values(o).iter() {
            if child.is_object() {
                stack.push(child);
            }
        }
        Object::freeze(o);
    }
}

/// A private, mutable deep copy of a (frozen) result: `structuredClone`, or a JSON round trip where that is
/// missing.
pub fn private_copy(v: &JsValue) -> JsValue {
    if !v.is_object() {
        return v.clone();
    }
    structured_clone(v).unwrap_or_else(|_| {
        js_sys::JSON::stringify(v)
            .ok()
            .and_then(|t| json_parse(&t).ok())
            .unwrap_or(JsValue::NULL)
    })
}

/// The runtime the wasm shell gives the core.
#[derive(Clone, Default)]
pub struct JsRuntime {
    /// A user-supplied `fetch` (option `fetch`), else the global one.
    pub fetch: Option<Function>,
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
) -> Result<(HttpResponse, Payload<JsBody>), TransportError> {
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
                             // A 2xx body is parsed here, by the host; only an error body (CareCloud's small error envelope) crosses.
    let payload = if (200..300).contains(&status) {
        JsBody::parse(&body).map_or(Payload::Malformed, Payload::Parsed)
    } else {
        Payload::Text(body.as_string().unwrap_or_default())
    };
    Ok((HttpResponse { status, headers }, payload))
}

/// Fills `buf` from `crypto.getRandomValues` of the global object (getrandom's `wasm_js` backend).
pub fn crypto_fill(buf: &mut [u8]) -> Result<(), Error> {
    getrandom::fill(buf).map_err(|_| {
        Error::new(
            ErrorKind::Config,
            "crypto.getRandomValues is unavailable here (or at module scope in Workers)",
        )
    })
}

impl Runtime for JsRuntime {
    type Value = JsValue;
    type Body = JsBody;

    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    fn sleep(&self, ms: u64) -> LocalBoxFuture<'static, ()> {
        timer(ms).boxed_local()
    }

    fn fill_random(&self, buf: &mut [u8]) -> Result<(), Error> {
        crypto_fill(buf)
    }

    fn offline(&self) -> bool {
        super::online::known_offline() // offline: navigator.onLine === false (online.rs)
    }

    fn fetch(&self, req: HttpRequest) -> LocalBoxFuture<'static, Fetched<JsBody>> {
        do_fetch(self.fetch.clone(), self.bypass_http_cache, req).boxed_local()
    }

    fn data(&self, body: &JsBody) -> JsValue {
        body.0.data.clone()
    }

    fn body_text(&self, body: &JsBody) -> Rc<str> {
        body.js_text().as_string().unwrap_or_default().into()
    }
}
