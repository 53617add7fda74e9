//! The optional cache shared beyond one client (`sharedCache`), for catalogue reads made with no customer logged in.

use super::convert::get;
use super::{CallOptions, Client, JsBody, JsRuntime};
use crate::error::Error;
use crate::runtime::{Method, Runtime};
use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Catalogue paths a shared cache may hold: data that is the same for every customer of a project.
pub(super) const SHARED_PATHS: &[&str] = &["/rewards", "/stores", "/products", "/languages"];

/// A cache shared beyond one client (option `sharedCache`): any object with `match(key)` → string | undefined and
/// `put(key, text, ttlSeconds)`, sync or async — e.g. the package's `workersSharedCache()` over `caches.default`.
/// Only catalogue reads made with no customer logged in go there; its failures are treated as misses.
#[derive(Clone)]
pub(super) struct SharedCache {
    obj: JsValue,
    match_fn: Function,
    put_fn: Function,
}

impl SharedCache {
    pub(super) fn from_js(v: JsValue) -> Result<Option<SharedCache>, Error> {
        if v.is_undefined() || v.is_null() || v.as_bool() == Some(false) {
            return Ok(None);
        }
        let m = |n: &'static str| -> Result<Function, Error> {
            get(&v, n).dyn_into::<Function>().map_err(|_| {
                Error::config("sharedCache must have match(key) and put(key, text, ttlSeconds)")
            })
        };
        Ok(Some(SharedCache {
            match_fn: m("match")?,
            put_fn: m("put")?,
            obj: v,
        }))
    }

    /// A stored body, parsed (the text stays in JS).
    async fn lookup(&self, key: &str) -> Option<JsBody> {
        let r = self
            .match_fn
            .call1(&self.obj, &JsValue::from_str(key))
            .ok()?;
        JsBody::parse(&JsFuture::from(Promise::resolve(&r)).await.ok()?)
    }

    async fn store(&self, key: &str, body: &JsBody, ttl_s: u64) {
        let (k, ttl) = (JsValue::from_str(key), JsValue::from_f64(ttl_s as f64));
        if let Ok(r) = self.put_fn.call3(&self.obj, &k, &body.js_text(), &ttl) {
            let _ = JsFuture::from(Promise::resolve(&r)).await;
        }
    }
}

/// A catalogue read through the shared cache: only with no customer logged in (after the stored state is loaded);
/// a hit is decoded like a network answer; a miss goes to the network and fills the shared cache.
pub(super) async fn shared_read(
    client: Client<JsRuntime>,
    shared: SharedCache,
    path: String,
    options: CallOptions,
) -> Result<JsValue, Error> {
    client.connect().await?;
    if client.customer_id().is_some() {
        return client.request(Method::Get, &path, None, options).await;
    }
    let normalized = crate::client::url::normalize_path(&path)?;
    let qs = crate::client::url::normalize_query(&options.query);
    let cfg = client.config();
    let key = format!(
        "https://carecloud-shared-cache.invalid/{}{normalized}?{qs}&accept-language={}",
        crate::client::url::encode_component(&cfg.base_url, b""),
        crate::client::url::encode_component(cfg.accept_language.as_deref().unwrap_or(""), b""),
    );
    if !options.no_cache {
        if let Some(body) = shared.lookup(&key).await {
            client.note_shared_hit(&normalized);
            return Ok(client.runtime().data(&body));
        }
    }
    let body = client
        .request_body(Method::Get, &path, None, options)
        .await?;
    let ttl_s = client.ttl_for(&normalized).unwrap_or(60_000) / 1000;
    if ttl_s > 0 {
        shared.store(&key, &body, ttl_s).await;
    }
    Ok(client.runtime().data(&body))
}
