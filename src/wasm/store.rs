//! Token stores for the browser and for user code: `sessionStorage`, and any `{get, set, remove}` object whose
//! methods may return promises. localStorage holds the device id ([`DeviceIdStore`]) and, with `stale.persist`, the
//! offline catalogue's copies (through [`JsCopies`]); never a token or a customer's data.

use super::convert::set;
use super::runtime::JsBody;
use crate::error::{Error, ErrorKind};
use crate::stale::{CopyStore, StaleConfig};
use crate::token_store::TokenStore;
use futures_util::future::{ready, FutureExt, LocalBoxFuture};
use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// `sessionStorage` of the global object (pages and their iframes; not workers, Node or Workers).
pub struct SessionStore {
    storage: web_sys::Storage,
}

impl SessionStore {
    /// The session store, or a `config` error where there is none.
    pub fn open() -> Result<SessionStore, Error> {
        let none = || {
            Error::config("tokenStore \"session\" needs sessionStorage, which this runtime lacks (workers, Node, Cloudflare Workers): use \"memory\" or a custom store")
        };
        let v = Reflect::get(&js_sys::global(), &JsValue::from_str("sessionStorage"))
            .map_err(|_| none())?;
        let storage: web_sys::Storage = v.dyn_into().map_err(|_| none())?;
        Ok(SessionStore { storage })
    }
}

fn storage_error() -> Error {
    Error::new(ErrorKind::Config, "the token store failed")
}

impl TokenStore for SessionStore {
    fn get(&self, key: &str) -> LocalBoxFuture<'static, Result<Option<String>, Error>> {
        ready(self.storage.get_item(key).map_err(|_| storage_error())).boxed_local()
    }
    fn set(&self, key: &str, value: &str) -> LocalBoxFuture<'static, Result<(), Error>> {
        ready(
            self.storage
                .set_item(key, value)
                .map_err(|_| storage_error()),
        )
        .boxed_local()
    }
    fn remove(&self, key: &str) -> LocalBoxFuture<'static, Result<(), Error>> {
        ready(self.storage.remove_item(key).map_err(|_| storage_error())).boxed_local()
    }
}

/// `localStorage` for the device id, which is not a secret (CareCloud invalidates a device's token only by a newer
/// token for the same device id, so a reload must keep it). Only keys ending in `:device` are read or written:
/// the token and the customer id never reach localStorage. Only in a page (workers have no localStorage, and Node's
/// would be a file).
pub struct DeviceIdStore {
    storage: web_sys::Storage,
}

impl DeviceIdStore {
    /// `localStorage`, or `None` where there is none or it refuses access (sandboxed frames, blocked storage).
    pub fn open() -> Option<DeviceIdStore> {
        let global = js_sys::global();
        if !Reflect::has(&global, &JsValue::from_str("document")).unwrap_or(false) {
            return None;
        }
        let v = Reflect::get(&global, &JsValue::from_str("localStorage")).ok()?;
        Some(DeviceIdStore {
            storage: v.dyn_into().ok()?,
        })
    }
}

fn device_key(key: &str) -> Result<&str, Error> {
    if key.ends_with(":device") {
        Ok(key)
    } else {
        Err(Error::config("only the device id is kept in localStorage"))
    }
}

impl TokenStore for DeviceIdStore {
    fn get(&self, key: &str) -> LocalBoxFuture<'static, Result<Option<String>, Error>> {
        let r = device_key(key).and_then(|k| self.storage.get_item(k).map_err(|_| storage_error()));
        ready(r).boxed_local()
    }
    fn set(&self, key: &str, value: &str) -> LocalBoxFuture<'static, Result<(), Error>> {
        let r = device_key(key)
            .and_then(|k| self.storage.set_item(k, value).map_err(|_| storage_error()));
        ready(r).boxed_local()
    }
    fn remove(&self, key: &str) -> LocalBoxFuture<'static, Result<(), Error>> {
        let r =
            device_key(key).and_then(|k| self.storage.remove_item(k).map_err(|_| storage_error()));
        ready(r).boxed_local()
    }
}

/// A user-supplied store: an object with `get(key)`, `set(key, value)` and `remove(key)`, sync or async.
pub struct JsStore {
    obj: JsValue,
    get: Function,
    set: Function,
    remove: Function,
}

impl JsStore {
    /// Checks the object has the three methods.
    pub fn new(obj: JsValue) -> Result<JsStore, Error> {
        let m = |name: &str| -> Result<Function, Error> {
            Reflect::get(&obj, &JsValue::from_str(name))
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
                .ok_or_else(|| Error::config(format!("tokenStore must have a {name}() method")))
        };
        Ok(JsStore {
            get: m("get")?,
            set: m("set")?,
            remove: m("remove")?,
            obj,
        })
    }

    fn call(
        &self,
        f: &Function,
        args: &[&JsValue],
    ) -> LocalBoxFuture<'static, Result<JsValue, Error>> {
        let r = match args {
            [a] => f.call1(&self.obj, a),
            [a, b] => f.call2(&self.obj, a, b),
            _ => f.call0(&self.obj),
        };
        async move {
            let v = r.map_err(|_| storage_error())?;
            JsFuture::from(Promise::resolve(&v))
                .await
                .map_err(|_| storage_error())
        }
        .boxed_local()
    }
}

impl TokenStore for JsStore {
    fn get(&self, key: &str) -> LocalBoxFuture<'static, Result<Option<String>, Error>> {
        let f = self.call(&self.get, &[&JsValue::from_str(key)]);
        async move { Ok(f.await?.as_string()) }.boxed_local()
    }
    fn set(&self, key: &str, value: &str) -> LocalBoxFuture<'static, Result<(), Error>> {
        let f = self.call(
            &self.set,
            &[&JsValue::from_str(key), &JsValue::from_str(value)],
        );
        async move { f.await.map(|_| ()) }.boxed_local()
    }
    fn remove(&self, key: &str) -> LocalBoxFuture<'static, Result<(), Error>> {
        let f = self.call(&self.remove, &[&JsValue::from_str(key)]);
        async move { f.await.map(|_| ()) }.boxed_local()
    }
}

/// The offline catalogue's copies in a JS object `{load() → [[key, text, at]], save(key, text, at), clear()}`: the
/// package's facade passes one over `localStorage` with `stale.persist` (`keepCopiesIn`). Before `load` the client
/// sets on it where the copies live (`prefix`: `{storagePrefix}:{externalApplicationId}:copy:` and the API base URL,
/// so two projects never share a copy) and how many to keep (`maxStaleMs`, `maxEntries`, `maxBytes`); a copy that
/// does not parse is skipped.
pub(crate) struct JsCopies {
    obj: JsValue,
    load: Function,
    save: Function,
    clear: Function,
}

impl JsCopies {
    /// `None` unless `obj` has the three methods.
    pub(crate) fn new(obj: JsValue, prefix: String, config: &StaleConfig) -> Option<JsCopies> {
        let m = |name: &str| {
            Reflect::get(&obj, &JsValue::from_str(name))
                .ok()?
                .dyn_into()
                .ok()
        };
        let copies = JsCopies {
            load: m("load")?,
            save: m("save")?,
            clear: m("clear")?,
            obj,
        };
        let o: &js_sys::Object = copies.obj.unchecked_ref();
        set(o, "prefix", prefix);
        set(o, "maxStaleMs", config.max_stale_ms as f64);
        set(o, "maxEntries", config.max_entries as f64);
        set(o, "maxBytes", config.max_bytes as f64);
        Some(copies)
    }
}

impl CopyStore<JsBody> for JsCopies {
    fn load(&self) -> Vec<(String, JsBody, f64)> {
        let Ok(list) = self.load.call0(&self.obj) else {
            return Vec::new();
        };
        let list: Array = list.dyn_into().unwrap_or_default();
        list.iter()
            .filter_map(|e| {
                let key = Reflect::get_u32(&e, 0).ok()?.as_string()?;
                let body = JsBody::parse(&Reflect::get_u32(&e, 1).ok()?)?;
                Some((key, body, Reflect::get_u32(&e, 2).ok()?.as_f64()?))
            })
            .collect()
    }
    fn save(&self, url_key: &str, body: &JsBody, at: f64) {
        let _ = self
            .save
            .call3(&self.obj, &url_key.into(), &body.js_text(), &at.into());
    }
    fn clear(&self) {
        let _ = self.clear.call0(&self.obj);
    }
}
