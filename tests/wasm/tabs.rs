//! One device per browser, where `BroadcastChannel` and `navigator.locks` both exist (a Chromium page and a
//! dedicated worker): clients of one device id in one origin share one token, renew it once for all, and see each
//! other's login and logout. Two clients in one context talk over the channel as two tabs do.

use crate::harness::*;
use carecloud_customer::wasm::CustomerClient;
use js_sys::{Array, Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

/// A client of `device` on the sandbox; `extra` is spliced into the options.
fn tab(sb: Sandbox, device: &str, extra: &str) -> CustomerClient {
    CustomerClient::new(json(&format!(
        r#"{{"baseUrl": "{}", "externalApplicationId": "sandbox-app", "cache": false, "rateLimit": false,
            "device": {{"deviceId": "{device}"}} {extra}}}"#,
        sb.api()
    )))
    .unwrap()
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
