//! `Pages`: the page walker behind `paginate`.

use super::convert::{error_to_js, get};
use super::{promise, with_signal, CallOptions, Client, JsRuntime};
use crate::error::ErrorKind;
use crate::json::Json;
use crate::paginate::Paginator;
use crate::runtime::Method;
use js_sys::{Array, Object, Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Walks a list page by page (`count`/`offset`), stopping on `total_items` without an extra request.
/// Exported to JavaScript as `WasmPages`; the package's facade (`client.js`) is the `Pages` users see.
#[wasm_bindgen(js_name = WasmPages)]
pub struct Pages {
    pub(super) client: Client<JsRuntime>,
    pub(super) path: String,
    pub(super) base: CallOptions,
    pub(super) list_key: Option<String>,
    pub(super) state: Rc<RefCell<Paginator>>,
    pub(super) signal: JsValue,
}

fn items_of(data: &JsValue, list_key: Option<&str>) -> (Array, Option<f64>) {
    let list = match list_key {
        Some(k) if data.is_object() => {
            Reflect::get(data, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
        }
        Some(_) => JsValue::UNDEFINED,
        None if data.is_object() => Object::values(data.unchecked_ref())
            .iter()
            .find(Array::is_array)
            .unwrap_or(JsValue::UNDEFINED),
        None => JsValue::UNDEFINED,
    };
    let items = if Array::is_array(&list) {
        Array::from(&list)
    } else {
        Array::new()
    };
    let total = get(data, "total_items");
    let total = total
        .as_f64()
        .or_else(|| total.as_string().and_then(|s| Json::number(&s)));
    (items, total.filter(|t| t.is_finite() && *t >= 0.0))
}

#[wasm_bindgen(js_class = WasmPages)]
impl Pages {
    /// The next page's items, or `undefined` when the list is exhausted.
    pub fn next(&self) -> Promise {
        let Some((count, offset)) = self.state.borrow().next_page() else {
            return Promise::resolve(&JsValue::UNDEFINED);
        };
        let mut opts = self.base.clone();
        opts.query.retain(|(k, _)| k != "count" && k != "offset");
        opts.query.push(("count".into(), count.to_string()));
        opts.query.push(("offset".into(), offset.to_string()));
        let (client, path, key, state, signal) = (
            self.client.clone(),
            self.path.clone(),
            self.list_key.clone(),
            self.state.clone(),
            self.signal.clone(),
        );
        promise(async move {
            let r = with_signal(signal, client.request(Method::Get, &path, None, opts)).await;
            let data = match r {
                Ok(d) => d,
                Err(e) => {
                    if e.kind() == ErrorKind::Aborted {
                        state.borrow_mut().stop();
                    }
                    return Err(error_to_js(&e));
                }
            };
            let (items, total) = items_of(&data, key.as_deref());
            state
                .borrow_mut()
                .advance(u64::from(items.length()), total.map(|t| t as u64));
            Ok(items.into())
        })
    }
}
