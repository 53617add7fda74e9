//! The browser's connectivity: `navigator.onLine` (read before every attempt: `false` fails the call fast with
//! `offline`) and the global `online` event (an open circuit breaker probes at once). Where `navigator.onLine` does
//! not exist (Node, Cloudflare Workers) neither applies and nothing changes.

use super::convert::{get, name};
use super::{Client, JsRuntime, Listener};
use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

fn on_line() -> Option<bool> {
    get(&get(&js_sys::global(), "navigator"), "onLine").as_bool()
}

/// `navigator.onLine === false`: the platform knows it has no network.
pub fn known_offline() -> bool {
    on_line() == Some(false)
}

/// Tells `client` of every global `online` event while the returned listener lives; `None` where there is no
/// `navigator.onLine` (or no global `addEventListener`).
pub(super) fn listen_online(client: &Client<JsRuntime>) -> Option<Listener> {
    on_line()?;
    let global: JsValue = js_sys::global().into();
    let add: Function = get(&global, "addEventListener").dyn_into().ok()?;
    let remove: Function = get(&global, "removeEventListener").dyn_into().ok()?;
    let c = client.clone();
    let cb = Closure::<dyn FnMut()>::new(move || c.note_online());
    let ev = name("online");
    add.call2(&global, &ev, cb.as_ref()).ok()?;
    Some(Listener {
        signal: global,
        remove,
        ev,
        cb,
    })
}
