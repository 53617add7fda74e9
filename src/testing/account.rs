//! The customer-account calls in the core: registration (`customer_source` required, `autologin` always sent),
//! the password-setup message (channel id resolved from the cached `GET /communication-channels`) and the
//! hand-over token, on simulated time.

use super::client::{client, connect, server};
use super::sim::{ok, Sim};
use crate::{Client, ErrorKind, HttpRequest, Method};
use serde_json::{json, Value};

fn body_of(sim: &Sim, method: Method, suffix: &str) -> Vec<Value> {
    sim.0
        .requests
        .borrow()
        .iter()
        .filter(|r| {
            r.method == method && r.url.split('?').next().is_some_and(|u| u.ends_with(suffix))
        })
        .map(|r| serde_json::from_str(r.body.as_deref().unwrap_or("null")).unwrap())
        .collect()
}

fn channels() -> Sim {
    server(|req: &HttpRequest, path| {
        if path.starts_with("/communication-channels ") {
            return ok(json!({"communication_channels": [
                {"communication_channel_id": "8a1", "name": "SMS", "text_id": "sms"},
                {"communication_channel_id": "8b2", "name": "Email", "text_id": "email"},
            ], "total_items": 2}));
        }
        if path.starts_with("/customers ") && req.method == Method::Post {
            return ok(json!({"customer_id": "c9"}));
        }
        ok(Value::Null)
    })
}

fn run<T: 'static>(
    sim: &Sim,
    c: &Client<Sim>,
    f: impl AsyncFnOnce(Client<Sim>) -> T + 'static,
) -> T {
    let c = c.clone();
    sim.block_on(async move { f(c).await })
}

#[test]
fn registration_requires_customer_source_and_always_sends_autologin() {
    let sim = channels();
    let c = client(&sim, json!({}));
    connect(&sim, &c);
    let e = run(&sim, &c, async |c| {
        c.register(r#"{"customer": {"personal_information": {"first_name": "A"}}, "password": "Str0ngPassw"}"#)
            .await
    })
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(
        e.message()
            .starts_with("register.customerSource is required"),
        "{}",
        e.message()
    );
    assert_eq!(sim.count("POST", "/customers"), 0, "refused locally");

    let id = run(&sim, &c, async |c| {
        c.register(r#"{"customer": {"personal_information": {"first_name": "A"}}, "customerSource": {"customer_source_id": "src1"}}"#)
            .await
    })
    .unwrap();
    assert_eq!(id, "c9");
    assert_eq!(c.customer_id(), None, "no autologin, no session");
    let sent = body_of(&sim, Method::Post, "/customers");
    assert_eq!(
        sent,
        vec![
            json!({"customer": {"personal_information": {"first_name": "A"}},
                    "customer_source": {"customer_source_id": "src1"}, "autologin": false})
        ]
    );

    // The id alone is accepted; autologin logs the customer in and needs the password.
    let e = run(&sim, &c, async |c| {
        c.register(r#"{"customer": {}, "customerSource": "src1", "autologin": true}"#)
            .await
    })
    .unwrap_err();
    assert!(
        e.message().starts_with("register.password"),
        "{}",
        e.message()
    );
    run(&sim, &c, async |c| {
        c.register(r#"{"customer": {}, "customerSource": "src1", "autologin": true, "password": "Str0ngPassw"}"#)
            .await
    })
    .unwrap();
    assert_eq!(c.customer_id().as_deref(), Some("c9"));
    let last = body_of(&sim, Method::Post, "/customers").pop().unwrap();
    assert_eq!(
        last["customer_source"],
        json!({"customer_source_id": "src1"})
    );
    assert_eq!(last["autologin"], json!(true));
}

#[test]
fn password_setup_resolves_the_channel_id_from_the_cached_channel_list() {
    let sim = channels();
    let c = client(&sim, json!({}));
    connect(&sim, &c);
    for _ in 0..2 {
        run(&sim, &c, async |c| {
            c.send_password_setup_email(r#"{"recipient": "a@example.com"}"#)
                .await
        })
        .unwrap();
    }
    assert_eq!(
        sim.count("GET", "/communication-channels"),
        1,
        "the channel list is a cached read"
    );
    let sent = body_of(&sim, Method::Post, "/send-password-setup-email");
    assert_eq!(sent.len(), 2);
    assert!(sent
        .iter()
        .all(|b| *b == json!({"recipient": "a@example.com", "communication_channel_id": "8b2"})));

    run(&sim, &c, async |c| {
        c.send_password_setup_email(r#"{"recipient": "+420600100200", "channel": "sms"}"#)
            .await
    })
    .unwrap();
    run(&sim, &c, async |c| {
        c.send_password_setup_email(
            r#"{"recipient": "a@example.com", "communicationChannelId": "x7"}"#,
        )
        .await
    })
    .unwrap();
    let ids: Vec<Value> = body_of(&sim, Method::Post, "/send-password-setup-email")
        .into_iter()
        .map(|b| b["communication_channel_id"].clone())
        .collect();
    assert_eq!(
        ids,
        vec![json!("8b2"), json!("8b2"), json!("8a1"), json!("x7")]
    );

    let e = run(&sim, &c, async |c| {
        c.send_password_setup_email(r#"{"recipient": "a@example.com", "channel": "viber"}"#)
            .await
    })
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.message().contains("viber"), "{}", e.message());
    assert_eq!(
        sim.count("POST", "/send-password-setup-email"),
        4,
        "refused without a request"
    );
}

#[test]
fn auth_token_sends_its_query_past_the_cache() {
    // The server even says the answer may be kept: a hand-over token is still never answered from the cache.
    let sim = server(|_, path| {
        if path.contains("/auth-token ") {
            return super::sim::Script::Reply(
                200,
                vec![("cache-control", "max-age=600".into())],
                json!({"data": {"token": "h"}}).to_string(),
            );
        }
        ok(Value::Null)
    });
    let c = client(&sim, json!({}));
    connect(&sim, &c);
    for _ in 0..2 {
        run(&sim, &c, async |c| {
            c.auth_token(r#"{"externalApplicationId": "other"}"#).await
        })
        .unwrap();
    }
    assert_eq!(sim.count("GET", "/actions/auth-token"), 2, "never cached");
    let url = sim.0.requests.borrow().last().unwrap().url.clone();
    assert!(
        url.ends_with("/tokens/t1/actions/auth-token?external_application_id=other&token_type=1"),
        "{url}"
    );
    let e = run(&sim, &c, async |c| {
        c.auth_token(r#"{"externalApplicationId": "o", "tokenType": 3}"#)
            .await
    })
    .unwrap_err();
    assert_eq!(
        e.message(),
        "authToken.tokenType must be an integer between 1 and 2"
    );
}

#[test]
fn a_channel_with_an_empty_id_is_not_used() {
    let sim = server(|_, path| {
        if path.starts_with("/communication-channels ") {
            return ok(json!({"communication_channels": [
                {"communication_channel_id": "", "name": "Email", "text_id": "email"},
            ], "total_items": 1}));
        }
        ok(Value::Null)
    });
    let c = client(&sim, json!({}));
    connect(&sim, &c);
    let e = run(&sim, &c, async |c| {
        c.send_password_setup_email(r#"{"recipient": "a@example.com"}"#)
            .await
    })
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert_eq!(sim.count("POST", "/send-password-setup-email"), 0);
}

#[test]
fn a_customer_source_must_name_an_id() {
    let sim = channels();
    let c = client(&sim, json!({}));
    connect(&sim, &c);
    let customer = r#""customer": {"personal_information": {"first_name": "A"}}"#;
    for source in [
        r#""  ""#,
        "{}",
        r#"{"customer_source_id": " "}"#,
        r#"{"customer_source_id": 7}"#,
    ] {
        let args = format!(r#"{{{customer}, "customerSource": {source}}}"#);
        let e = run(&sim, &c, async move |c| c.register(&args).await).unwrap_err();
        assert!(
            e.message()
                .starts_with("register.customerSource is required"),
            "{source}: {}",
            e.message()
        );
    }
    for source in [r#""web""#, r#"{"customer_source_id": "web"}"#] {
        let args = format!(r#"{{{customer}, "customerSource": {source}}}"#);
        run(&sim, &c, async move |c| c.register(&args).await).unwrap();
    }
    let bodies = body_of(&sim, Method::Post, "/customers");
    assert_eq!(bodies.len(), 2);
    assert!(bodies
        .iter()
        .all(|b| b["customer_source"]["customer_source_id"] == "web"));
}
