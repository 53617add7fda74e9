//! Wasm tests in a headless browser's dedicated worker (no `window`: fetch and timers come from the global scope).
#![cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_dedicated_worker);
/// A browser's network stack (not the client) may re-send a request on a dropped keep-alive connection.
const BROWSER_TRANSPORT: bool = true;
#[path = "wasm/harness.rs"]
mod harness;
#[path = "wasm/suite.rs"]
mod suite;
#[path = "wasm/tabs.rs"]
mod tabs;

use carecloud_customer::wasm::CustomerClient;
use harness::{field, json};
use wasm_bindgen_test::*;

#[wasm_bindgen_test]
fn session_store_is_a_clear_config_error_in_a_worker() {
    let e = CustomerClient::new(json(
        r#"{"projectUrl": "https://x.example", "externalApplicationId": "a", "tokenStore": "session"}"#,
    ))
    .err()
    .expect("refused");
    assert_eq!(field(&e, "kind").as_string().as_deref(), Some("config"));
}
