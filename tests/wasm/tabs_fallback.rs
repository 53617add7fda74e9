//! Where the Web Locks API is missing (Node has `BroadcastChannel` but no `navigator.locks`), clients do not share
//! a token: each keeps its own, as before, and a second client of the same device id replaces the first's token.

use crate::harness::*;
use carecloud_customer::wasm::CustomerClient;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

#[wasm_bindgen_test]
async fn without_web_locks_each_client_keeps_its_own_token() {
    let sb = sandbox!();
    let global = js_sys::global();
    assert!(
        field(&global, "BroadcastChannel").is_function(),
        "the channel exists here"
    );
    assert!(
        field(&field(&global, "navigator"), "locks").is_undefined(),
        "navigator.locks does not"
    );
    let device = unique("alone-");
    let mk = || {
        CustomerClient::new(json(&format!(
            r#"{{"baseUrl": "{}", "externalApplicationId": "sandbox-app", "cache": false,
                "device": {{"deviceId": "{device}"}}}}"#,
            sb.api()
        )))
        .unwrap()
    };
    let before = sb.logged("/tokens", "").await.len();
    let (a, b) = (mk(), mk());
    ok(a.connect()).await;
    ok(b.connect()).await;
    assert_eq!(
        sb.logged("/tokens", "").await.len() - before,
        2,
        "one token each"
    );
    ok(a.get("/stores/s0001".into(), JsValue::UNDEFINED)).await;
    assert_eq!(
        field(&a.stats(), "tokenRenewals").as_f64(),
        Some(1.0),
        "b's token replaced a's"
    );
}
