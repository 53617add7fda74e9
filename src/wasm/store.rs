//! Token stores for the browser and for user code: `sessionStorage`, and any `{get, set, remove}` object whose
//! methods may return promises. localStorage is never used.

use crate::error::{Error, ErrorKind};
use crate::token_store::TokenStore;
use futures_util::future::{ready, FutureExt, LocalBoxFuture};
use js_sys::{Function, Promise, Reflect};
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
