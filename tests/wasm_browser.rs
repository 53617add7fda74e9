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
use harness::{field, json, kind, obj, ok, q, sandbox, unique, Sandbox};
use js_sys::{Array, Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
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

/// A `fetch` for the `fetch` option: the global one, after noting in `sent` the device id of each `POST /tokens`
/// body (the sandbox's request log keeps no bodies).
fn device_id_recording_fetch(sent: &Array) -> JsValue {
    let make = Function::new_with_args(
        "sent",
        "return (url, init) => { \
           if (init && init.method === 'POST' && String(url).endsWith('/tokens')) \
             sent.push(JSON.parse(init.body).device.device_id); \
           return fetch(url, init); }",
    );
    make.call1(&JsValue::UNDEFINED, sent).unwrap()
}

/// The sandbox's live tokens and the distinct devices they belong to.
async fn live_tokens_and_devices(sb: Sandbox) -> (f64, f64) {
    let t = sb.control("GET", "tokens", None).await;
    let n = |k| field(&t, k).as_f64().unwrap_or(-1.0);
    (n("live"), n("devices"))
}

/// `persistDeviceId: false`: the generated device id stays in the client's memory, so localStorage gets no key
/// under the prefix and every such client is a new device. By default, clients of one prefix read and keep the id
/// in localStorage and are one device. (`shareToken` off, so each client asks for its own token and its
/// `POST /tokens` body shows the device id it uses.)
#[wasm_bindgen_test]
async fn persist_device_id_false_keeps_the_device_id_out_of_local_storage() {
    let sb = sandbox!();
    let local = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    local.clear().unwrap();
    let sent = Array::new();
    let fetch = device_id_recording_fetch(&sent);
    let client = |prefix: &str, extra: &str| {
        let o = json(&format!(
            r#"{{"baseUrl": "{}", "externalApplicationId": "sandbox-app", "storagePrefix": "{prefix}",
                "shareToken": false {extra}}}"#,
            sb.api()
        ));
        Reflect::set(&o, &"fetch".into(), &fetch).unwrap();
        CustomerClient::new(o).unwrap()
    };
    let keys_under = |prefix: &str| keys_starting(&local, &format!("{prefix}:"));
    let ids = |sent: &Array| -> Vec<String> {
        sent.iter()
            .map(|v| v.as_string().unwrap_or_default())
            .collect()
    };

    // Not persisted: two clients of one prefix, two generated device ids, nothing in localStorage.
    let prefix = unique("ephemeral-");
    let (live0, devices0) = live_tokens_and_devices(sb).await;
    let (a, b) = (
        client(&prefix, r#", "persistDeviceId": false"#),
        client(&prefix, r#", "persistDeviceId": false"#),
    );
    ok(a.connect()).await;
    ok(b.connect()).await;
    let not_kept = ids(&sent);
    assert_eq!(not_kept.len(), 2, "one POST /tokens each: {not_kept:?}");
    assert!(
        not_kept.iter().all(|id| id.len() == 36),
        "generated UUIDs: {not_kept:?}"
    );
    assert_ne!(not_kept[0], not_kept[1], "each client is a new device");
    assert_eq!(
        keys_under(&prefix),
        Vec::<String>::new(),
        "nothing under the prefix in localStorage"
    );
    let (live1, devices1) = live_tokens_and_devices(sb).await;
    assert_eq!(
        (live1 - live0, devices1 - devices0),
        (2.0, 2.0),
        "two devices on the server, each with its token"
    );

    // Persisted (the default): the second client of the prefix reads the first's id and is the same device.
    sent.set_length(0);
    let prefix = unique("kept-");
    let (c, d) = (client(&prefix, ""), client(&prefix, ""));
    ok(c.connect()).await;
    ok(d.connect()).await;
    let kept = ids(&sent);
    assert_eq!(kept.len(), 2, "one POST /tokens each: {kept:?}");
    assert_eq!(kept[0].len(), 36, "a generated UUID: {kept:?}");
    assert_eq!(kept[0], kept[1], "one device id for both clients");
    let device_key = format!("{prefix}:sandbox-app:device");
    assert_eq!(keys_under(&prefix), vec![device_key.clone()]);
    assert_eq!(
        local.get_item(&device_key).unwrap().as_deref(),
        Some(kept[0].as_str()),
        "the id in localStorage is the one sent"
    );
    let (live2, devices2) = live_tokens_and_devices(sb).await;
    assert_eq!(
        (live2 - live1, devices2 - devices1),
        (1.0, 1.0),
        "one device on the server: the second token replaced the first"
    );
    local.clear().unwrap();
}

#[wasm_bindgen(module = "/pkg-templates/copies.js")]
extern "C" {
    /// The package's localStorage copy store (what the facade passes with `stale.persist`).
    #[wasm_bindgen(js_name = localCopies)]
    fn local_copies(options: &JsValue) -> JsValue;
}

/// The package's own localStorage store for `stale: {persist: true}` (pkg-templates/copies.js) under the wasm
/// client: copies go under the client's prefix and API base, the newest `maxEntries` stay, one older than
/// `maxStaleMs` is dropped when the next page loads, the next client answers a failing read from them, and
/// `clearCache()` removes them. Run in Chromium, Firefox and WebKit.
#[wasm_bindgen_test]
async fn the_packages_local_storage_copies_stay_within_their_bounds() {
    let sb = sandbox!();
    let local = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let prefix = unique("lc-");
    let opts = json(&format!(
        r#"{{"baseUrl": "{}", "externalApplicationId": "sandbox-app", "storagePrefix": "{prefix}",
            "shareToken": false, "retry": false, "circuitBreaker": false, "cache": false,
            "stale": {{"persist": true, "maxEntries": 2}}}}"#,
        sb.api()
    ));
    let client = || {
        let c = CustomerClient::new(opts.clone()).unwrap();
        c.keep_copies_in(local_copies(&opts));
        c
    };
    let base = format!("{prefix}:sandbox-app:copy:{}", sb.api());
    let keys = || -> Vec<String> {
        let all = keys_starting(&local, &base);
        all.iter().map(|k| k[base.len()..].to_string()).collect()
    };
    let page = |n: u32| q(&[("count", n.into())]);

    let first = client();
    for n in 1..=3 {
        ok(first.get("/rewards".into(), page(n))).await;
    }
    let after_three = keys();
    drop(first);
    // A copy saved long ago (received at 1970-01-01T00:00:01Z): older than maxStaleMs.
    local
        .set_item(&format!("{base}/rewards?count=9"), "1000\n{\"data\":{}}")
        .unwrap();
    sb.control(
        "POST",
        "faults",
        Some(r#"{"method":"GET","path":"/rewards","times":100,"kind":"drop"}"#),
    )
    .await;
    let second = client();
    let after_load = keys();
    let newest = JsFuture::from(second.get("/rewards".into(), page(3))).await;
    let evicted = JsFuture::from(second.get("/rewards".into(), page(1))).await;
    second.clear_cache();
    let after_clear = keys();
    sb.control("DELETE", "faults", None).await;

    // Assertions only now: a failed one must not leave the fault on for the next test.
    assert_eq!(
        after_three,
        ["/rewards?count=2", "/rewards?count=3"],
        "the newest two"
    );
    assert_eq!(
        after_load,
        ["/rewards?count=2", "/rewards?count=3"],
        "the expired copy removed on load"
    );
    assert!(newest.is_ok(), "answered from its copy");
    assert_eq!(
        kind(&evicted.expect_err("no copy is left of the oldest")),
        "network"
    );
    assert!(
        after_clear.is_empty(),
        "clearCache() removes them: {after_clear:?}"
    );
}

/// The keys in `local` that start with `start`, sorted.
fn keys_starting(local: &web_sys::Storage, start: &str) -> Vec<String> {
    let mut keys: Vec<String> = (0..local.length().unwrap_or(0))
        .filter_map(|i| local.key(i).ok().flatten())
        .filter(|k| k.starts_with(start))
        .collect();
    keys.sort();
    keys
}
