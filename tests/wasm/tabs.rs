//! One device per browser, where `BroadcastChannel` and `navigator.locks` both exist (a Chromium page and a
//! dedicated worker): clients of one device id in one origin share one token, renew it once for all, and see each
//! other's login and logout. Two clients in one context talk over the channel as two tabs do. Where a test hides
//! one of the APIs (as in Safari before 15.4), each client keeps its own token.

use crate::harness::*;
use carecloud_customer::wasm::CustomerClient;
use futures_util::future::{select, Either};
use js_sys::{Array, Function, Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

/// The options of a client of `device` on the sandbox; `extra` is spliced in.
fn tab_options(sb: Sandbox, device: &str, extra: &str) -> JsValue {
    json(&format!(
        r#"{{"baseUrl": "{}", "externalApplicationId": "sandbox-app", "cache": false, "rateLimit": false,
            "device": {{"deviceId": "{device}"}} {extra}}}"#,
        sb.api()
    ))
}

/// A client of `device` on the sandbox; `extra` is spliced into the options.
fn tab(sb: Sandbox, device: &str, extra: &str) -> CustomerClient {
    CustomerClient::new(tab_options(sb, device, extra)).unwrap()
}

/// `POST /tokens` requests in the sandbox's log so far.
async fn tokens_posted(sb: Sandbox) -> usize {
    sb.logged("/tokens", "").await.len()
}

fn renewals(c: &CustomerClient) -> f64 {
    field(&c.stats(), "tokenRenewals").as_f64().unwrap_or(-1.0)
}

/// Waits up to 2 s for `done` (news between clients arrives as a message task).
async fn eventually(what: &str, done: impl Fn() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        sleep(10).await;
    }
    panic!("timed out waiting for: {what}");
}

#[wasm_bindgen_test]
async fn clients_of_one_device_share_one_token() {
    let sb = sandbox!();
    let device = unique("tabs-");
    let before = tokens_posted(sb).await;
    let (a, b) = (tab(sb, &device, ""), tab(sb, &device, ""));
    ok(a.connect()).await;
    ok(b.connect()).await; // takes a's token instead of creating one (which would invalidate a's)
    assert_eq!(
        tokens_posted(sb).await - before,
        1,
        "one POST /tokens for both"
    );
    ok(a.get("/stores/s0001".into(), JsValue::UNDEFINED)).await;
    ok(b.get("/stores/s0002".into(), JsValue::UNDEFINED)).await;
    assert_eq!(
        (renewals(&a), renewals(&b)),
        (0.0, 0.0),
        "both tokens valid"
    );
}

#[wasm_bindgen_test]
async fn a_replaced_token_is_renewed_once_for_every_client_of_the_device() {
    let sb = sandbox!();
    let device = unique("tabs-");
    let (a, b) = (tab(sb, &device, ""), tab(sb, &device, ""));
    ok(a.connect()).await;
    ok(b.connect()).await;
    // Another client of the same device id that does not share (think: another browser profile) replaces it.
    ok(tab(sb, &device, r#", "shareToken": false"#).connect()).await;
    let before = tokens_posted(sb).await;
    let calls = Array::new();
    for i in 0..20 {
        let c = if i % 2 == 0 { &a } else { &b };
        calls.push(&c.get(
            format!("/stores/s{:04}", 1 + i % 40).into(),
            q(&[("n", i.into())]),
        ));
    }
    let all: Array = ok(Promise::all(&calls)).await.unchecked_into();
    assert_eq!(all.length(), 20);
    assert_eq!(
        tokens_posted(sb).await - before,
        1,
        "one renewal for both clients"
    );
    assert_eq!(renewals(&a) + renewals(&b), 1.0);
    // Neither invalidated the other's token: more calls need no renewal.
    ok(a.get("/stores/s0003".into(), JsValue::UNDEFINED)).await;
    ok(b.get("/stores/s0004".into(), JsValue::UNDEFINED)).await;
    assert_eq!(tokens_posted(sb).await - before, 1);
}

#[wasm_bindgen_test]
async fn login_and_logout_in_one_client_reach_the_others() {
    let sb = sandbox!();
    let device = unique("tabs-");
    let events = Rc::new(RefCell::new(Vec::<String>::new()));
    let seen = events.clone();
    let on_event = Closure::<dyn Fn(JsValue)>::new(move |e: JsValue| {
        seen.borrow_mut()
            .push(field(&e, "type").as_string().unwrap_or_default());
    });
    let (a, b) = (tab(sb, &device, ""), tab(sb, &device, ""));
    let c_opts = json(&format!(
        r#"{{"baseUrl": "{}", "externalApplicationId": "sandbox-app", "device": {{"deviceId": "{device}"}}}}"#,
        sb.api()
    ));
    Reflect::set(&c_opts, &"onEvent".into(), on_event.as_ref()).unwrap();
    let c = CustomerClient::new(c_opts).unwrap();
    ok(a.connect()).await;
    ok(b.connect()).await;
    ok(c.connect()).await;
    let id = login_as(&a, "bob").await;
    eventually("the login reaches the other clients", || {
        b.customer_id().as_deref() == Some(id.as_str())
            && c.customer_id().as_deref() == Some(id.as_str())
    })
    .await;
    // The other client acts as the customer on the shared token.
    ok(c.get("/customers".into(), JsValue::UNDEFINED)).await;
    ok(a.logout()).await;
    eventually("the logout reaches the other clients", || {
        b.customer_id().is_none() && c.customer_id().is_none()
    })
    .await;
    assert_eq!(*events.borrow(), vec!["session_expired".to_string()]);
    let e = err(c.get("/customers".into(), JsValue::UNDEFINED)).await;
    assert_eq!(
        field(&e, "status").as_f64(),
        Some(403.0),
        "logged out on the server"
    );
    drop(on_event);
}

#[wasm_bindgen_test]
async fn clients_of_other_devices_or_without_sharing_keep_their_own_tokens() {
    let sb = sandbox!();
    let before = tokens_posted(sb).await;
    let device = unique("tabs-");
    let a = tab(sb, &unique("tabs-"), "");
    let b = tab(sb, &unique("tabs-"), "");
    let c = tab(sb, &device, r#", "shareToken": false"#);
    let d = tab(sb, &device, "");
    for x in [&a, &b, &c, &d] {
        ok(x.connect()).await;
    }
    assert_eq!(tokens_posted(sb).await - before, 4);
}

/// Runs `make` while `target[name]` reads `undefined`, then puts back what was there: the own property, or none
/// (`navigator.locks` is a getter on the prototype, `BroadcastChannel` an own property of the global). The putting
/// back is a JS `finally`: a panic in `make` (in the client's constructor) does not unwind Rust frames, and the test
/// runner goes on to the next test at once, which must not find the API hidden.
fn while_hidden<T: 'static>(target: &JsValue, name: &str, make: impl FnOnce() -> T + 'static) -> T {
    let made = Rc::new(RefCell::new(None));
    let slot = made.clone();
    let make = Closure::once_into_js(move || {
        let m = make();
        *slot.borrow_mut() = Some(m);
    });
    let run = Function::new_with_args(
        "target, key, make",
        "const own = Object.getOwnPropertyDescriptor(target, key); \
         Object.defineProperty(target, key, { value: undefined, writable: true, configurable: true }); \
         try { make(); } finally { if (own) Object.defineProperty(target, key, own); else delete target[key]; }",
    );
    if let Err(e) = run.call3(&JsValue::UNDEFINED, target, &JsValue::from_str(name), &make) {
        wasm_bindgen::throw_val(e); // `make` panicked: its error, now that the API is back
    }
    let m = made.borrow_mut().take();
    m.expect("make ran")
}

/// Names of the Web Locks held or requested in this origin that start with `prefix`.
async fn web_locks_under(prefix: &str) -> Vec<String> {
    let locks = field(&field(&js_sys::global(), "navigator"), "locks");
    let query: Function = field(&locks, "query").unchecked_into();
    let snapshot = ok(query.call0(&locks).unwrap().unchecked_into()).await;
    ["held", "pending"]
        .iter()
        .flat_map(|k| Array::from(&field(&snapshot, k)).to_vec())
        .filter_map(|l| field(&l, "name").as_string())
        .filter(|n| n.starts_with(prefix))
        .collect()
}

/// Awaits a call that must succeed within `ms`.
async fn ok_within(ms: u64, what: &str, p: Promise) -> JsValue {
    match select(Box::pin(ok(p)), Box::pin(sleep(ms))).await {
        Either::Left((v, _)) => v,
        Either::Right(_) => panic!("{what}: no answer within {ms} ms"),
    }
}

/// Two clients of one device created while `target[name]` is hidden: each keeps its own token. Each `connect`
/// posts its own `POST /tokens` at once (no wait for a lock nobody grants: that would take `totalTimeoutMs`,
/// 60 s), without an error; neither holds or waits for a Web Lock of its prefix (the other API, where it is
/// there, is left alone); and the second token replaces the first server-side, so the first client renews.
async fn without_api_each_client_keeps_its_own_token(
    sb: Sandbox,
    target: &JsValue,
    name: &'static str,
) {
    let device = unique("unshared-");
    let prefix = unique("unshared-");
    let extra = format!(r#", "storagePrefix": "{prefix}""#);
    let (opts_a, opts_b) = (
        tab_options(sb, &device, &extra),
        tab_options(sb, &device, &extra),
    );
    let present = !field(target, name).is_undefined();
    let before = tokens_posted(sb).await;
    // Only what cannot panic while the API is hidden: the clients read it when they are built.
    let seen = target.clone();
    let (hidden, a, b) = while_hidden(target, name, move || {
        let hidden = field(&seen, name).is_undefined();
        (
            hidden,
            CustomerClient::new(opts_a),
            CustomerClient::new(opts_b),
        )
    });
    assert!(present, "{name} exists here before the test hides it");
    assert!(hidden, "{name} was hidden while the clients were built");
    assert!(!field(target, name).is_undefined(), "{name} is back");
    let (a, b) = (a.expect("a built"), b.expect("b built"));
    ok_within(5_000, "a.connect()", a.connect()).await;
    ok_within(5_000, "b.connect()", b.connect()).await;
    assert_eq!(
        tokens_posted(sb).await - before,
        2,
        "one POST /tokens each: b did not take a's token"
    );
    assert_eq!(
        web_locks_under(&prefix).await,
        Vec::<String>::new(),
        "no client takes part in sharing: no presence or token lock, held or waiting"
    );
    ok_within(
        5_000,
        "a.get()",
        a.get("/stores/s0001".into(), JsValue::UNDEFINED),
    )
    .await;
    assert_eq!(
        (renewals(&a), renewals(&b)),
        (1.0, 0.0),
        "b's token replaced a's"
    );
}

/// Web Locks missing: no sharing. (Safari before 15.4 has neither API; each is hidden alone here, so each check
/// is seen to work.)
#[wasm_bindgen_test]
async fn without_web_locks_each_client_keeps_its_own_token() {
    let sb = sandbox!();
    let navigator = field(&js_sys::global(), "navigator");
    without_api_each_client_keeps_its_own_token(sb, &navigator, "locks").await;
}

/// `BroadcastChannel` missing: no sharing either.
#[wasm_bindgen_test]
async fn without_broadcast_channel_each_client_keeps_its_own_token() {
    let sb = sandbox!();
    without_api_each_client_keeps_its_own_token(sb, &js_sys::global(), "BroadcastChannel").await;
}
