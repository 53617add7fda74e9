//! Wasm tests in a headless browser page (`wasm-pack test --headless --chrome`; `make test` also runs them in
//! Firefox and WebKit).
#![cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
/// A browser's network stack (not the client) may re-send a request on a dropped keep-alive connection.
const BROWSER_TRANSPORT: bool = true;
#[path = "wasm/harness.rs"]
mod harness;
#[path = "wasm/suite.rs"]
mod suite;

use harness::{obj, ok, sandbox};
use wasm_bindgen_test::*;

#[wasm_bindgen_test]
async fn session_token_store_never_touches_local_storage() {
    let sb = sandbox!();
    let window = web_sys::window().unwrap();
    let local = window.local_storage().unwrap().unwrap();
    local.clear().unwrap();
    let c = sb.client_with(r#", "tokenStore": "session""#);
    ok(c.connect()).await;
    let session = window.session_storage().unwrap().unwrap();
    assert!(
        session
            .get_item("carecloud:sandbox-app:token")
            .unwrap()
            .is_some(),
        "the token lives in sessionStorage"
    );
    assert_eq!(local.length().unwrap(), 0, "localStorage untouched");
    let login = obj(&[
        ("loginType", "email".into()),
        ("loginValue", "alice@example.com".into()),
        ("password", "Passw0rd1".into()),
    ]);
    ok(c.login(login.into())).await;
    ok(c.logout()).await;
    assert_eq!(local.length().unwrap(), 0);
    for i in 0..session.length().unwrap() {
        let k = session.key(i).unwrap().unwrap();
        assert!(!k.ends_with(":customer"), "logout removed the customer id");
    }
}
