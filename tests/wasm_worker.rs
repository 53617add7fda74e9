//! Wasm tests in a headless Chromium dedicated worker (no `window`: fetch and timers come from the global scope).
#![cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_dedicated_worker);
/// Chromium's network stack (not the client) may re-send a request on a dropped keep-alive connection.
const BROWSER_TRANSPORT: bool = true;
include!("wasm/common.rs");

#[wasm_bindgen_test]
fn session_store_is_a_clear_config_error_in_a_worker() {
    let base = format!("{}{API}", sandbox());
    let e = CustomerClient::new(json(&format!(
        r#"{{"baseUrl": "{base}", "externalApplicationId": "sandbox-app", "tokenStore": "session"}}"#
    )))
    .err()
    .expect("refused");
    assert_eq!(field(&e, "kind").as_string().as_deref(), Some("config"));
}
