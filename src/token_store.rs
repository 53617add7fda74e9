//! Where the device token lives: [`TokenStore`]. The core ships [`MemoryStore`]; the wasm shell adds
//! sessionStorage and user-supplied async stores. Never localStorage, never a cookie, never a URL.

use crate::error::Error;
use futures_util::future::{ready, LocalBoxFuture};
use futures_util::FutureExt;
use std::cell::RefCell;
use std::rc::Rc;

/// An async key/value store for the device token, the device id and the logged-in customer id.
pub trait TokenStore {
    /// The value under `key`.
    fn get(&self, key: &str) -> LocalBoxFuture<'static, Result<Option<String>, Error>>;
    /// Stores `value` under `key`.
    fn set(&self, key: &str, value: &str) -> LocalBoxFuture<'static, Result<(), Error>>;
    /// Removes `key`.
    fn remove(&self, key: &str) -> LocalBoxFuture<'static, Result<(), Error>>;
}

/// The default store: process memory, gone with the page/worker.
#[derive(Clone, Default)]
pub struct MemoryStore(Rc<RefCell<Vec<(String, String)>>>);

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
    /// Number of keys held.
    pub fn len(&self) -> usize {
        self.0.borrow().len()
    }
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.0.borrow().is_empty()
    }
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MemoryStore({} keys)", self.len())
    }
}

impl TokenStore for MemoryStore {
    fn get(&self, key: &str) -> LocalBoxFuture<'static, Result<Option<String>, Error>> {
        let map = self.0.borrow();
        let value = map.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        ready(Ok(value)).boxed_local()
    }
    fn set(&self, key: &str, value: &str) -> LocalBoxFuture<'static, Result<(), Error>> {
        let mut map = self.0.borrow_mut();
        match map.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value.to_string(),
            None => map.push((key.to_string(), value.to_string())),
        }
        ready(Ok(())).boxed_local()
    }
    fn remove(&self, key: &str) -> LocalBoxFuture<'static, Result<(), Error>> {
        self.0.borrow_mut().retain(|(k, _)| k != key);
        ready(Ok(())).boxed_local()
    }
}
