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
#[path = "wasm/tabs.rs"]
mod tabs;

use carecloud_customer::wasm::CustomerClient;
use harness::{field, json, obj, ok, sandbox, unique};
use wasm_bindgen_test::*;

/// localStorage holds the device id and nothing else: no token, no customer id, nothing another tab's or the
/// session's token could be read from. A second client with the same storage (a reload) is the same device.
#[wasm_bindgen_test]
async fn local_storage_holds_the_device_id_and_no_token() {
    let sb = sandbox!();
    let window = web_sys::window().unwrap();
    let local = window.local_storage().unwrap().unwrap();
    local.clear().unwrap();
    let prefix = unique("hygiene-");
    // No device.deviceId: the id is generated and persisted; shareToken off so the second client is a reload.
    let opts = format!(
        r#"{{"baseUrl": "{}", "externalApplicationId": "sandbox-app", "tokenStore": "session",
            "storagePrefix": "{prefix}", "shareToken": false}}"#,
        sb.api()
    );
    let c = CustomerClient::new(json(&opts)).unwrap();
    ok(c.connect()).await;
    let session = window.session_storage().unwrap().unwrap();
    let token = session
        .get_item(&format!("{prefix}:sandbox-app:token"))
        .unwrap()
        .expect("the token lives in sessionStorage");
    let login = obj(&[
        ("loginType", "email".into()),
        ("loginValue", "alice@example.com".into()),
        ("password", "Passw0rd1".into()),
    ]);
    ok(c.login(login.into())).await;
    let device_key = format!("{prefix}:sandbox-app:device");
    let only_the_device_id = |when: &str| {
        assert_eq!(
            local.length().unwrap(),
            1,
            "{when}: one key in localStorage"
        );
        assert_eq!(
            local.key(0).unwrap().as_deref(),
            Some(device_key.as_str()),
            "{when}"
        );
        let id = local.get_item(&device_key).unwrap().unwrap_or_default();
        assert_eq!(id.len(), 36, "{when}: a UUID");
        assert!(
            !id.contains(&token) && !token.contains(&id),
            "{when}: not the token"
        );
    };
    only_the_device_id("logged in");
    let tokens_before = sb.control("GET", "tokens", None).await;
    // A reload: same device id, so its new token replaces the old one server-side instead of adding one.
    session.clear().unwrap();
    let reloaded = CustomerClient::new(json(&opts)).unwrap();
    ok(reloaded.connect()).await;
    let tokens_after = sb.control("GET", "tokens", None).await;
    assert_eq!(
        field(&tokens_after, "live").as_f64(),
        field(&tokens_before, "live").as_f64(),
        "the reload's token replaced the old one"
    );
    ok(reloaded.logout()).await;
    only_the_device_id("after a reload and a logout");
    for i in 0..session.length().unwrap() {
        let k = session.key(i).unwrap().unwrap();
        assert!(!k.ends_with(":customer"), "logout removed the customer id");
    }
    local.clear().unwrap();
}
