//! In a browser's service worker: `afterPush` clamps its random delay to what a push event's `waitUntil` can
//! outlive (25 s), and the client is constructible there (no `window`, no `sessionStorage`).
#![cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_service_worker);

use carecloud_customer::wasm::{CustomerClient, SERVICE_WORKER_MAX_DELAY_MS};
use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

fn client() -> CustomerClient {
    let o = js_sys::JSON::parse(
        r#"{"projectUrl": "https://sandbox.crmcarecloud.com", "externalApplicationId": "a"}"#,
    )
    .unwrap();
    CustomerClient::new(o).unwrap()
}

#[wasm_bindgen_test]
async fn after_push_delay_is_clamped_in_a_service_worker() {
    let c = client();
    let mut max_seen = 0.0f64;
    for _ in 0..200 {
        let ctrl = web_sys::AbortController::new().unwrap();
        let opts = Object::new();
        Reflect::set(&opts, &"maxDelayMs".into(), &JsValue::from_f64(3_600_000.0)).unwrap();
        Reflect::set(&opts, &"signal".into(), &ctrl.signal()).unwrap();
        let action: Function = Closure::once_into_js(|| JsValue::NULL).unchecked_into();
        let p = c.after_push(action.into(), opts.into());
        let d = Reflect::get(&p, &"delayMs".into())
            .unwrap()
            .as_f64()
            .unwrap();
        max_seen = max_seen.max(d);
        ctrl.abort();
        let e = JsFuture::from(p).await.expect_err("aborted");
        assert_eq!(
            Reflect::get(&e, &"kind".into())
                .unwrap()
                .as_string()
                .as_deref(),
            Some("aborted")
        );
    }
    assert!(
        max_seen < SERVICE_WORKER_MAX_DELAY_MS as f64,
        "clamped: {max_seen}"
    );
    assert!(
        max_seen > SERVICE_WORKER_MAX_DELAY_MS as f64 / 2.0,
        "still spread over the window: {max_seen}"
    );
}

#[wasm_bindgen_test]
fn session_storage_is_a_clear_config_error_here() {
    let o = js_sys::JSON::parse(r#"{"projectUrl": "https://x.example", "externalApplicationId": "a", "tokenStore": "session"}"#).unwrap();
    let e = CustomerClient::new(o).err().expect("refused");
    assert_eq!(
        Reflect::get(&e, &"kind".into())
            .unwrap()
            .as_string()
            .as_deref(),
        Some("config")
    );
}
