//! The request core end to end on simulated time: retries, Retry-After, writes, 401 renewal, circuit breaker,
//! rate limiter, dedupe, cache and identity partitioning.

use crate::testing::sim::{ok, status, Script, Sim};
use crate::{
    CallOptions, Client, Config, ErrorKind, Event, MemoryStore, Method, Secret, TokenStore,
};
use futures_executor::LocalPool;
use futures_util::task::LocalSpawnExt;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::rc::Rc;

pub(super) fn config(extra: Value) -> Config {
    let mut v = json!({"baseUrl": "http://127.0.0.1:1/webservice/rest-api/customer-interface/v1.0",
                       "externalApplicationId": "sandbox-app"});
    if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    Config::from_json(&v).unwrap()
}

/// A server that hands out tokens t1, t2, … and answers other calls with `rest`.
pub(super) fn server(mut rest: impl FnMut(&crate::HttpRequest, &str) -> Script + 'static) -> Sim {
    let n = Rc::new(RefCell::new(0));
    Sim::new(move |req| {
        let path = req
            .url
            .split("/v1.0")
            .nth(1)
            .unwrap_or("")
            .split('?')
            .next()
            .unwrap_or("")
            .to_string();
        if req.method == Method::Post && path == "/tokens" {
            *n.borrow_mut() += 1;
            return Script::Reply(
                201,
                vec![],
                json!({"data": {"token_id": format!("t{}", n.borrow())}}).to_string(),
            );
        }
        let auth = req
            .headers
            .iter()
            .find(|(k, _)| k == "Authorization")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        rest(req, &format!("{path} {auth}"))
    })
}

/// A server whose first `failures` answers are `fail()` and every later one `then()`.
pub(super) fn failing_first(
    failures: u32,
    fail: impl Fn() -> Script + 'static,
    then: impl Fn() -> Script + 'static,
) -> Sim {
    let mut n = 0;
    server(move |_, _| {
        n += 1;
        if n <= failures {
            fail()
        } else {
            then()
        }
    })
}

pub(super) fn client(sim: &Sim, extra: Value) -> Client<Sim> {
    Client::new(config(extra), sim.clone(), Box::new(MemoryStore::new()))
}

/// A write with an empty JSON body.
fn write(
    c: &Client<Sim>,
    method: Method,
    path: &str,
) -> impl std::future::Future<Output = Result<Value, crate::Error>> {
    let (c, p) = (c.clone(), path.to_string());
    async move {
        c.request(method, &p, Some("{}".into()), CallOptions::default())
            .await
    }
}

/// Connects a client (POST /tokens) on simulated time.
pub(super) fn connect(sim: &Sim, c: &Client<Sim>) {
    let c = c.clone();
    sim.block_on(async move { c.connect().await }).unwrap();
}

/// `GET path` with default options, as a future that owns what it needs.
pub(super) fn get(
    c: &Client<Sim>,
    path: &str,
) -> impl std::future::Future<Output = Result<Value, crate::Error>> {
    let (c, p) = (c.clone(), path.to_string());
    async move {
        c.request(Method::Get, &p, None, CallOptions::default())
            .await
    }
}

#[test]
fn retries_503_then_succeeds_with_full_jitter_delays() {
    let mut left = 2;
    let sim = server(move |_, _| {
        if left > 0 {
            left -= 1;
            status(503)
        } else {
            ok(json!({"rewards": [], "total_items": 0}))
        }
    });
    let c = client(&sim, json!({"rateLimit": false}));
    let t0 = sim.0.now.get();
    let v = sim.block_on(get(&c, "/rewards")).unwrap();
    assert_eq!(v["total_items"], 0);
    assert_eq!(sim.count("GET", "/rewards"), 3);
    assert_eq!(c.stats().retries, 2);
    // Two waits drawn from [0, 1000) and [0, 2000).
    assert!(sim.elapsed_since(t0) < 3000.0);
}

#[test]
fn retry_after_seconds_is_honoured() {
    let mut first = true;
    let sim = server(move |_, _| {
        if std::mem::take(&mut first) {
            Script::Reply(429, vec![("retry-after", "5".into())], String::new())
        } else {
            ok(json!({}))
        }
    });
    let c = client(&sim, json!({"rateLimit": false}));
    let t0 = sim.0.now.get();
    sim.block_on(get(&c, "/stores")).unwrap();
    assert_eq!(sim.elapsed_since(t0), 5000.0);
}

#[test]
fn gives_up_after_max_retries_with_the_last_error() {
    let sim = server(|_, _| status(502));
    let c = client(&sim, json!({"rateLimit": false, "circuitBreaker": false}));
    let e = sim.block_on(get(&c, "/stores")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Server);
    assert_eq!(e.status(), Some(502));
    assert_eq!(e.attempts(), 4);
    assert_eq!(sim.count("GET", "/stores"), 4);
}

#[test]
fn never_retries_client_errors() {
    for s in [400, 403, 404, 405, 409, 422] {
        let sim = server(move |_, _| status(s));
        let c = client(&sim, json!({"rateLimit": false}));
        let e = sim.block_on(get(&c, "/rewards/x")).unwrap_err();
        assert_eq!(sim.count("GET", "/rewards/x"), 1, "{s}");
        assert_eq!(e.status(), Some(s));
    }
}

#[test]
fn write_with_lost_response_is_outcome_unknown_and_not_retried() {
    let sim = server(|_, _| Script::Network);
    let c = client(&sim, json!({"rateLimit": false}));
    let e = sim
        .block_on(write(
            &c,
            Method::Post,
            "/rewards/r1/actions/create-voucher",
        ))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network);
    assert!(e.outcome_unknown());
    assert_eq!(sim.count("POST", "/create-voucher"), 1);
}

#[test]
fn write_with_idempotency_key_retries_with_the_same_key() {
    let sim = failing_first(
        2,
        || Script::Network,
        || Script::Reply(201, vec![], r#"{"data":{"voucher_id":"v1"}}"#.into()),
    );
    let c = client(
        &sim,
        json!({"rateLimit": false, "idempotencyHeader": "Idempotency-Key"}),
    );
    let v = sim
        .block_on(write(
            &c,
            Method::Post,
            "/rewards/r1/actions/create-voucher",
        ))
        .unwrap();
    assert_eq!(v["voucher_id"], "v1");
    let keys: Vec<String> = sim
        .0
        .requests
        .borrow()
        .iter()
        .filter(|r| r.url.ends_with("create-voucher"))
        .map(|r| {
            r.headers
                .iter()
                .find(|(k, _)| k == "Idempotency-Key")
                .map(|(_, v)| v.clone())
                .unwrap()
        })
        .collect();
    assert_eq!(keys.len(), 3);
    assert!(keys.iter().all(|k| k == &keys[0]) && keys[0].len() == 36);
}

#[test]
fn writes_retry_503_because_the_server_did_not_act() {
    let sim = failing_first(
        1,
        || status(503),
        || Script::Reply(204, vec![], String::new()),
    );
    let c = client(&sim, json!({"rateLimit": false}));
    let v = sim.block_on(write(&c, Method::Put, "/customers/c1"));
    assert_eq!(v.unwrap(), Value::Null);
    assert_eq!(sim.count("PUT", "/customers/c1"), 2);
}

#[test]
fn fifty_concurrent_401s_cause_one_renewal() {
    let sim = server(|_, sig| {
        if sig.ends_with("Bearer t1") {
            status(401)
        } else {
            ok(json!({"ok": true}))
        }
    });
    let c = client(&sim, json!({"rateLimit": false, "circuitBreaker": false}));
    connect(&sim, &c);
    let events = Rc::new(RefCell::new(Vec::new()));
    let ev = events.clone();
    c.set_on_event(move |e| ev.borrow_mut().push(e.name()));
    let mut pool = LocalPool::new();
    let results = Rc::new(RefCell::new(Vec::new()));
    for i in 0..50 {
        let (c, r) = (c.clone(), results.clone());
        pool.spawner()
            .spawn_local(async move {
                let ok = get(&c, &format!("/stores/s{i}")).await.is_ok();
                r.borrow_mut().push(ok)
            })
            .unwrap();
    }
    sim.run(&mut pool);
    assert_eq!(results.borrow().iter().filter(|ok| **ok).count(), 50);
    assert_eq!(
        sim.count("POST", "/tokens"),
        2,
        "the first token, then exactly one renewal"
    );
    assert_eq!(c.stats().token_renewals, 1);
    assert_eq!(*events.borrow(), vec!["token_renewed"]);
}

#[test]
fn a_logged_in_customer_gets_session_expired_not_a_silent_relogin() {
    let sim = server(|req, sig| {
        if req.url.contains("/actions/login") {
            ok(json!({"customer_id": "alice"}))
        } else if sig.ends_with("Bearer t1") && sig.starts_with("/customers") {
            status(401)
        } else {
            ok(json!({}))
        }
    });
    let c = client(&sim, json!({"rateLimit": false}));
    let events = Rc::new(RefCell::new(Vec::new()));
    let ev = events.clone();
    c.set_on_event(move |e| ev.borrow_mut().push(e.name()));
    let c2 = c.clone();
    let e = sim
        .block_on(async move {
            c2.login("email", "alice@example.com", &Secret::new("Passw0rd1"))
                .await?;
            c2.request(Method::Get, "/customers", None, CallOptions::default())
                .await
        })
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthorized);
    assert_eq!(e.reason(), Some("session_expired"));
    assert_eq!(c.customer_id(), None);
    assert!(events.borrow().contains(&"session_expired"));
    // The password went out once, in the login body, and never into a URL.
    let reqs = sim.0.requests.borrow();
    assert_eq!(
        reqs.iter()
            .filter(|r| r.body.as_deref().is_some_and(|b| b.contains("Passw0rd1")))
            .count(),
        1
    );
    assert!(reqs
        .iter()
        .all(|r| !r.url.contains("Passw0rd1") && !r.url.contains("alice@")));
}

#[test]
fn circuit_opens_fails_fast_then_probes() {
    let up = Rc::new(RefCell::new(false));
    let u = up.clone();
    let sim = server(move |_, _| {
        if *u.borrow() {
            ok(json!({}))
        } else {
            status(500)
        }
    });
    let c = client(
        &sim,
        json!({"rateLimit": false, "retry": false, "circuitBreaker": {"failureThreshold": 3, "openMs": 10000}}),
    );
    // POST /tokens succeeded, so the window holds 1 success: 3 consecutive failures are 75 % of 4, under the 80 %
    // bar; the 4th failure (80 %) opens the circuit.
    for _ in 0..4 {
        let _ = sim.block_on(get(&c, "/stores"));
    }
    let before = sim.count("GET", "/stores");
    assert_eq!(before, 4);
    let e = sim.block_on(get(&c, "/stores")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::CircuitOpen);
    assert_eq!(
        sim.count("GET", "/stores"),
        before,
        "failing fast touches no network"
    );
    assert_eq!(c.circuit_state().as_str(), "open");
    *up.borrow_mut() = true;
    sim.0.now.set(sim.0.now.get() + 10_000.0);
    sim.block_on(get(&c, "/stores")).unwrap();
    assert_eq!(c.circuit_state().as_str(), "closed");
}

#[test]
fn timeouts_abort_the_attempt_and_reads_retry() {
    let sim = failing_first(1, || Script::Hang, || ok(json!({"x": 1})));
    let c = client(&sim, json!({"rateLimit": false, "timeoutMs": 2000}));
    let v = sim.block_on(get(&c, "/stores")).unwrap();
    assert_eq!(v["x"], 1);
    assert_eq!(
        sim.0.aborted.get(),
        1,
        "the hung fetch was dropped (aborted)"
    );
}

#[test]
fn total_timeout_bounds_the_whole_call() {
    let sim = server(|_, _| Script::Hang);
    let c = client(
        &sim,
        json!({"rateLimit": false, "timeoutMs": 1000, "totalTimeoutMs": 2500, "circuitBreaker": false}),
    );
    let t0 = sim.0.now.get();
    let e = sim.block_on(get(&c, "/stores")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert!(sim.elapsed_since(t0) <= 2500.0);
}

#[test]
fn thousand_concurrent_identical_reads_make_one_request() {
    let sim = server(|_, _| {
        Script::After(
            50,
            Box::new(ok(json!({"rewards": [1, 2, 3], "total_items": 3}))),
        )
    });
    let c = client(&sim, json!({"rateLimit": false, "cache": false}));
    connect(&sim, &c);
    let mut pool = LocalPool::new();
    let results = Rc::new(RefCell::new(Vec::new()));
    for _ in 0..1000 {
        let (c, r) = (c.clone(), results.clone());
        pool.spawner()
            .spawn_local(async move {
                let v = get(&c, "/rewards").await.unwrap();
                r.borrow_mut().push(v)
            })
            .unwrap();
    }
    sim.run(&mut pool);
    assert_eq!(sim.count("GET", "/rewards"), 1);
    assert_eq!(results.borrow().len(), 1000);
    assert!(results.borrow().iter().all(|v| v["total_items"] == 3));
    assert_eq!(c.stats().deduped_requests, 999);
    assert_eq!(c.stats().in_flight, 0, "the dedupe map is empty afterwards");
}

#[test]
fn an_aborting_caller_does_not_cancel_the_shared_read() {
    let sim = server(|_, _| Script::After(100, Box::new(ok(json!({"v": 7})))));
    let c = client(&sim, json!({"rateLimit": false, "cache": false}));
    connect(&sim, &c);
    let mut pool = LocalPool::new();
    let got = Rc::new(RefCell::new(None));
    // Caller 1 gives up after 10 ms (select against a sleep, as an AbortSignal does in wasm).
    let c1 = c.clone();
    let s1 = sim.clone();
    pool.spawner()
        .spawn_local(async move {
            let r = futures_util::future::select(
                Box::pin(get(&c1, "/rewards")),
                crate::Runtime::sleep(&s1, 10),
            )
            .await;
            assert!(matches!(r, futures_util::future::Either::Right(_)));
        })
        .unwrap();
    let (c2, g) = (c.clone(), got.clone());
    pool.spawner()
        .spawn_local(async move {
            let v = get(&c2, "/rewards").await;
            *g.borrow_mut() = Some(v)
        })
        .unwrap();
    sim.run(&mut pool);
    assert_eq!(got.borrow().as_ref().unwrap().as_ref().unwrap()["v"], 7);
    assert_eq!(sim.count("GET", "/rewards"), 1);
    assert_eq!(sim.0.aborted.get(), 0);
    // When every caller leaves, the request is aborted and the map entry removed.
    let c3 = c.clone();
    let s3 = sim.clone();
    sim.block_on(async move {
        let _ = futures_util::future::select(
            Box::pin(get(&c3, "/stores")),
            crate::Runtime::sleep(&s3, 10),
        )
        .await;
    });
    assert_eq!(sim.0.aborted.get(), 1);
    assert_eq!(c.stats().in_flight, 0);
}

#[test]
fn cache_honours_max_age_and_no_store() {
    let sim = server(|req, _| {
        if req.url.contains("/messages") {
            Script::Reply(
                200,
                vec![("cache-control", "no-store".into())],
                r#"{"data":{"m":1}}"#.into(),
            )
        } else {
            Script::Reply(
                200,
                vec![("cache-control", "max-age=60".into())],
                r#"{"data":{"c":1}}"#.into(),
            )
        }
    });
    let c = client(&sim, json!({"rateLimit": false}));
    for _ in 0..5 {
        sim.block_on(get(&c, "/customers/x/points")).unwrap();
        sim.block_on(get(&c, "/messages")).unwrap();
    }
    assert_eq!(
        sim.count("GET", "/points"),
        1,
        "max-age=60: one network call"
    );
    assert_eq!(sim.count("GET", "/messages"), 5, "no-store: never cached");
    sim.0.now.set(sim.0.now.get() + 61_000.0);
    sim.block_on(get(&c, "/customers/x/points")).unwrap();
    assert_eq!(sim.count("GET", "/points"), 2);
    // Per-call no-cache skips the lookup.
    let c2 = c.clone();
    sim.block_on(async move {
        c2.request(
            Method::Get,
            "/customers/x/points",
            None,
            CallOptions {
                no_cache: true,
                ..Default::default()
            },
        )
        .await
    })
    .unwrap();
    assert_eq!(sim.count("GET", "/points"), 3);
    assert_eq!(c.stats().cache_hits, 4);
}

#[test]
fn one_customers_cache_is_never_served_to_another() {
    let who = Rc::new(RefCell::new(String::new()));
    let w = who.clone();
    let sim = server(move |req, _| {
        if req.url.contains("/actions/login") {
            let b: Value = serde_json::from_str(req.body.as_deref().unwrap_or("{}")).unwrap();
            *w.borrow_mut() = b["login_value"].as_str().unwrap_or("").to_string();
            ok(json!({"customer_id": w.borrow().clone()}))
        } else if req.url.contains("/actions/logout") {
            Script::Reply(204, vec![], String::new())
        } else {
            Script::Reply(
                200,
                vec![("cache-control", "max-age=3600".into())],
                json!({"data": {"me": w.borrow().clone()}}).to_string(),
            )
        }
    });
    let c = client(&sim, json!({"rateLimit": false}));
    let c2 = c.clone();
    let (a, b) = sim.block_on(async move {
        c2.login("email", "alice", &Secret::new("p")).await.unwrap();
        let a = c2
            .request(Method::Get, "/customers", None, CallOptions::default())
            .await
            .unwrap();
        c2.logout().await.unwrap();
        c2.login("email", "bob", &Secret::new("p")).await.unwrap();
        let b = c2
            .request(Method::Get, "/customers", None, CallOptions::default())
            .await
            .unwrap();
        (a, b)
    });
    assert_eq!(a["me"], "alice");
    assert_eq!(b["me"], "bob");
    assert_eq!(sim.count("GET", "/customers"), 2);
}

#[test]
fn stored_token_is_reused_without_post_tokens() {
    let store = MemoryStore::new();
    let sim = server(|_, _| ok(json!({})));
    let c = Client::new(config(json!({})), sim.clone(), Box::new(store.clone()));
    connect(&sim, &c);
    assert_eq!(sim.count("POST", "/tokens"), 1);
    let c2 = Client::new(config(json!({})), sim.clone(), Box::new(store.clone()));
    sim.block_on({
        let c2 = c2.clone();
        async move {
            c2.connect().await.and(
                c2.request(Method::Get, "/stores", None, CallOptions::default())
                    .await
                    .map(|_| ()),
            )
        }
    })
    .unwrap();
    assert_eq!(
        sim.count("POST", "/tokens"),
        1,
        "the second client reused the stored token"
    );
    // The device id was generated once (UUID v4) and sent in the token body.
    let device = sim.block_on({
        let store = store.clone();
        async move { store.get("carecloud:sandbox-app:device").await }
    });
    let device = device.unwrap().unwrap();
    assert_eq!(device.len(), 36);
    assert_eq!(&device[14..15], "4");
}

#[test]
fn rate_limiter_spaces_bursts() {
    let sim = server(|_, _| ok(json!({})));
    let c = client(
        &sim,
        json!({"rateLimit": {"requestsPerSecond": 10, "burst": 5, "maxConcurrent": 2}, "cache": false}),
    );
    connect(&sim, &c);
    let t0 = sim.0.now.get();
    let mut pool = LocalPool::new();
    for i in 0..25 {
        let c = c.clone();
        pool.spawner()
            .spawn_local(async move {
                get(&c, &format!("/stores/{i}")).await.unwrap();
            })
            .unwrap();
    }
    sim.run(&mut pool);
    // 1 token was used by POST /tokens: 4 left, then 21 more at 10/s ≈ 2.1 s.
    let took = sim.elapsed_since(t0);
    assert!((2000.0..=2200.0).contains(&took), "took {took}");
}

#[test]
fn html_on_200_is_a_decode_error_and_logs_mask_the_token() {
    let sim = server(|_, _| Script::Reply(200, vec![], "<html>captive portal</html>".into()));
    let c = client(&sim, json!({"rateLimit": false}));
    let logs = Rc::new(RefCell::new(Vec::new()));
    let l = logs.clone();
    c.set_on_log(move |e| l.borrow_mut().push(format!("{e:?}")));
    let c2 = c.clone();
    let e = sim
        .block_on(async move {
            c2.connect().await?;
            c2.request(
                Method::Put,
                "/tokens/{token}",
                Some("{}".into()),
                CallOptions::default(),
            )
            .await
        })
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    let logs = logs.borrow();
    assert!(logs.iter().any(|l| l.contains("/tokens/***")));
    assert!(logs.iter().all(|l| !l.contains("t1")), "{logs:?}");
    assert!(!format!("{e:?}{e}").contains("t1"));
}

#[test]
fn deprecation_header_emits_one_event_per_path() {
    let sim = server(|_, _| {
        Script::Reply(
            200,
            vec![
                ("deprecation", "@1700000000".into()),
                ("sunset", "Wed, 11 Nov 2026 11:11:11 GMT".into()),
            ],
            "{\"data\":{}}".into(),
        )
    });
    let c = client(&sim, json!({"rateLimit": false, "cache": false}));
    let events = Rc::new(RefCell::new(Vec::new()));
    let ev = events.clone();
    c.set_on_event(move |e| ev.borrow_mut().push(e.clone()));
    for _ in 0..3 {
        sim.block_on(get(&c, "/stores")).unwrap();
    }
    let ev = events.borrow();
    assert_eq!(ev.len(), 1);
    assert!(matches!(
        &ev[0],
        Event::Deprecation {
            sunset_at: Some(_),
            deprecated_at: Some(_),
            ..
        }
    ));
}

#[test]
fn failed_logout_rotates_the_device_token() {
    let sim = server(|req, _| {
        if req.url.contains("/actions/logout") {
            Script::Network
        } else if req.url.contains("/actions/login") {
            ok(json!({"customer_id": "alice"}))
        } else {
            ok(json!({}))
        }
    });
    let c = client(&sim, json!({"rateLimit": false}));
    let c2 = c.clone();
    let r = sim.block_on(async move {
        c2.login("email", "a", &Secret::new("p")).await.unwrap();
        let r = c2.logout().await;
        c2.request(Method::Get, "/stores", None, CallOptions::default())
            .await
            .unwrap();
        r
    });
    assert!(r.is_err());
    assert_eq!(c.customer_id(), None);
    assert_eq!(
        sim.count("POST", "/tokens"),
        2,
        "a new token replaces (and logs out) the old one server-side"
    );
}

#[test]
fn bad_paths_are_config_errors_before_any_request() {
    let sim = server(|_, _| ok(json!({})));
    let c = client(&sim, json!({}));
    for p in [
        "rewards",
        "//evil.com/x",
        "/a/../tokens",
        "/rewards?token=1",
        "/a\\b",
        "/%2e%2e/%2e%2e/enterprise-interface/v1.0/customers",
        "/%2E%2E/x",
        "/.%2e/x",
        "/%2e./x",
        "/%2e/x",
        "/%252e%252e/x",
        "/a%2fb",
        "/a%5Cb",
        "/a\u{1}b",
        "/a\nb",
        &format!("/{}", "r".repeat(2048)),
    ] {
        let e = sim.block_on(get(&c, p)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config, "{p}");
    }
    assert_eq!(sim.0.requests.borrow().len(), 0);
    // 2,048 characters is the longest path taken.
    sim.block_on(get(&c, &format!("/{}", "r".repeat(2047))))
        .unwrap();
}

#[test]
fn isolate_safe_mode_shares_one_token_request_without_cross_task_wakes() {
    let sim = server(|_, _| Script::After(30, Box::new(ok(json!({})))));
    let c = client(
        &sim,
        json!({"isolateSafe": true, "rateLimit": {"maxConcurrent": 1}}),
    );
    let mut pool = LocalPool::new();
    let done = Rc::new(RefCell::new(0));
    for i in 0..5 {
        let (c, d) = (c.clone(), done.clone());
        pool.spawner()
            .spawn_local(async move {
                get(&c, &format!("/stores/{i}")).await.unwrap();
                *d.borrow_mut() += 1;
            })
            .unwrap();
    }
    let t0 = sim.0.now.get();
    sim.run(&mut pool);
    assert_eq!(*done.borrow(), 5);
    assert_eq!(
        sim.count("POST", "/tokens"),
        1,
        "joiners polled the owner's flight instead of starting their own"
    );
    // No concurrency cap in isolate-safe mode: the five reads overlapped (30 ms each, not 150 ms in a row).
    assert!(
        sim.elapsed_since(t0) < 120.0,
        "took {}",
        sim.elapsed_since(t0)
    );
}

#[test]
fn logout_of_a_stored_token_reaches_the_server() {
    // A fresh client over a store that already holds a logged-in token (page reload, a per-request Worker client).
    let store = MemoryStore::new();
    let sim = server(|_, _| Script::Reply(204, vec![], String::new()));
    let s2 = store.clone();
    sim.block_on(async move {
        s2.set("carecloud:sandbox-app:token", "t-stored")
            .await
            .unwrap();
        s2.set("carecloud:sandbox-app:customer", "alice")
            .await
            .unwrap();
    });
    let c = Client::new(config(json!({})), sim.clone(), Box::new(store.clone()));
    let c2 = c.clone();
    sim.block_on(async move { c2.logout().await }).unwrap();
    assert_eq!(sim.count("POST", "/actions/logout"), 1);
    let reqs = sim.0.requests.borrow();
    assert!(reqs[0].url.contains("/tokens/t-stored/actions/logout"));
    let s3 = store.clone();
    assert_eq!(
        sim.block_on(async move { s3.get("carecloud:sandbox-app:customer").await })
            .unwrap(),
        None
    );
}

#[test]
fn typed_lists_for_rust_callers() {
    let sim = server(|_, _| {
        ok(
            json!({"rewards": [{"reward_id": "r1", "points_cost": 137, "extra": true}], "total_items": 260}),
        )
    });
    let c = client(&sim, json!({}));
    let page = sim
        .block_on({
            let c = c.clone();
            async move {
                c.list_as::<crate::models::Reward>("/rewards", "rewards", CallOptions::default())
                    .await
            }
        })
        .unwrap();
    assert_eq!(page.total_items, Some(260));
    assert_eq!(page.items[0].points_cost, Some(137.0));
}

#[test]
fn correlation_header_is_opt_in() {
    let sim = server(|_, _| ok(json!({})));
    let has = |sim: &Sim| {
        sim.0
            .requests
            .borrow()
            .iter()
            .filter(|r| r.headers.iter().any(|(k, _)| k == "X-Correlation-Id"))
            .count()
    };
    let c = client(&sim, json!({}));
    sim.block_on(get(&c, "/stores")).unwrap();
    assert_eq!(
        has(&sim),
        0,
        "no custom header unless asked: it would need the server's CORS approval"
    );
    let c = client(&sim, json!({"correlationHeader": true}));
    sim.block_on(get(&c, "/stores/1")).unwrap();
    assert!(has(&sim) >= 1);
    let e = Config::from_json(
        &json!({"projectUrl": "https://x.example", "externalApplicationId": "a",
                                      "correlationHeader": "Authorization"}),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
}

#[test]
fn queries_normalise_to_one_key_whatever_the_order() {
    let q = |pairs: &[(&str, &str)]| {
        crate::client::url::normalize_query(
            &pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        q(&[("offset", "20"), ("count", "10")]),
        q(&[("count", "10"), ("offset", "20")])
    );
    assert_eq!(
        q(&[("b[]", "2"), ("a", "x y"), ("b[]", "1")]),
        "a=x%20y&b[]=2&b[]=1"
    );
    assert_eq!(q(&[]), "");
}

#[test]
fn callbacks_may_call_back_into_the_client() {
    // onEvent / onLog run user code synchronously; it may read stats() or the circuit state without a RefCell
    // borrow still being held by the client (which would panic and poison a wasm instance).
    let sim = server(|_, _| status(500));
    let c = client(
        &sim,
        json!({"rateLimit": false, "retry": false, "circuitBreaker": {"failureThreshold": 2, "openMs": 1000}}),
    );
    let seen = Rc::new(RefCell::new(Vec::new()));
    let (c_ev, s_ev) = (c.clone(), seen.clone());
    c.set_on_event(move |e| {
        let state = c_ev.circuit_state();
        let stats = c_ev.stats();
        s_ev.borrow_mut().push(format!(
            "{} {} {}",
            e.name(),
            state.as_str(),
            stats.network_requests
        ));
    });
    let c_log = c.clone();
    c.set_on_log(move |_| {
        let _ = c_log.stats();
        let _ = c_log.circuit_state();
    });
    for _ in 0..6 {
        let _ = sim.block_on(get(&c, "/stores"));
    }
    assert!(
        seen.borrow()
            .iter()
            .any(|s| s.starts_with("circuit_open open")),
        "{:?}",
        seen.borrow()
    );
}

#[test]
fn stats_count_every_network_attempt_and_no_cache_hit() {
    let sim = failing_first(
        1,
        || status(503),
        || {
            let data = json!({"data": {}}).to_string();
            Script::Reply(200, vec![("cache-control", "max-age=60".into())], data)
        },
    );
    let c = client(
        &sim,
        json!({"rateLimit": false, "retry": {"baseDelayMs": 1}}),
    );
    connect(&sim, &c);
    let before = c.stats().network_requests;
    sim.block_on(get(&c, "/stores")).unwrap();
    sim.block_on(get(&c, "/stores")).unwrap();
    assert_eq!(c.stats().network_requests - before, 2);
    assert_eq!(c.stats().cache_hits, 1);
}

#[test]
fn no_cache_responses_and_no_store_reads_are_not_kept() {
    let sim = server(|req, _| {
        let cc = if req.url.contains("/stores") {
            "no-cache"
        } else {
            "max-age=60"
        };
        Script::Reply(
            200,
            vec![("cache-control", cc.into())],
            r#"{"data":{}}"#.into(),
        )
    });
    let c = client(
        &sim,
        json!({"rateLimit": false, "cache": {"ttlMs": {"/stores": 60000}}}),
    );
    let no_store = CallOptions {
        no_store: true,
        ..CallOptions::default()
    };
    let c2 = c.clone();
    sim.block_on(async move { c2.request(Method::Get, "/rewards", None, no_store).await })
        .unwrap();
    for _ in 0..2 {
        sim.block_on(get(&c, "/stores")).unwrap();
        sim.block_on(get(&c, "/rewards")).unwrap();
    }
    assert_eq!(sim.count("GET", "/stores"), 2, "no-cache: never kept");
    assert_eq!(
        sim.count("GET", "/rewards"),
        2,
        "the noStore read was not kept"
    );
}

/// A server whose `POST /tokens` answers `token` (a status and body) after `ms`, and every other call 200.
fn slow_tokens(ms: u64, token_status: u16) -> Sim {
    Sim::new(move |req| {
        if req.method == Method::Post && req.url.ends_with("/tokens") {
            let body = json!({"data": {"token_id": "t1"}}).to_string();
            Script::After(ms, Box::new(Script::Reply(token_status, vec![], body)))
        } else {
            ok(json!({}))
        }
    })
}

/// The bearer token of every GET the server saw, in order.
fn get_bearers(sim: &Sim) -> Vec<String> {
    let reqs = sim.0.requests.borrow();
    let gets = reqs.iter().filter(|r| r.method == Method::Get);
    gets.map(|r| {
        let auth = r.headers.iter().find(|(k, _)| k == "Authorization");
        auth.map_or(String::new(), |(_, v)| v.clone())
    })
    .collect()
}

/// Spawns `GET /stores/{i}` for each `i`, each recording when it settled (ms since `t0`) and whether it succeeded.
fn spawn_gets(
    pool: &LocalPool,
    sim: &Sim,
    c: &Client<Sim>,
    ids: std::ops::Range<u32>,
    t0: f64,
) -> Rc<RefCell<Vec<(f64, bool)>>> {
    let settled = Rc::new(RefCell::new(Vec::new()));
    for i in ids {
        let (c, s, sim) = (c.clone(), settled.clone(), sim.clone());
        pool.spawner()
            .spawn_local(async move {
                let r = get(&c, &format!("/stores/{i}")).await;
                let now = sim.0.now.get();
                s.borrow_mut().push((now - t0, r.is_ok()));
            })
            .unwrap();
    }
    settled
}

#[test]
fn isolate_safe_joiners_notice_the_new_token_on_their_own_20ms_timer() {
    // The token takes 110 ms. The owner's call goes on when its flight ends; each joiner is never woken by the
    // owner's task (a Workers isolate forbids it) and sees the new token at its next 20 ms tick, 120 ms.
    let sim = slow_tokens(110, 201);
    let c = client(&sim, json!({"isolateSafe": true}));
    let mut pool = LocalPool::new();
    let settled = spawn_gets(&pool, &sim, &c, 0..5, sim.0.now.get());
    sim.run(&mut pool);
    let times: Vec<f64> = settled.borrow().iter().map(|(t, _)| *t).collect();
    assert_eq!(times, vec![110.0, 120.0, 120.0, 120.0, 120.0]);
    assert!(settled.borrow().iter().all(|(_, ok)| *ok));
    assert_eq!(sim.count("POST", "/tokens"), 1);
    assert_eq!(get_bearers(&sim), vec!["Bearer t1"; 5]);
}

#[test]
fn isolate_safe_joiners_take_the_flight_over_when_its_owner_goes_away() {
    // The owner's call is dropped at 50 ms (its Workers request was cancelled). At their next tick (60 ms) one
    // joiner takes the flight over and drives it: the one POST /tokens completes at 110 ms and that joiner goes
    // on; the other still waits on its own timer for the new owner, and goes on at 120 ms.
    let sim = slow_tokens(110, 201);
    let c = client(&sim, json!({"isolateSafe": true}));
    let mut pool = LocalPool::new();
    let (owner, abort) = futures_util::future::abortable(get(&c, "/stores/owner"));
    pool.spawner()
        .spawn_local(async move {
            let _ = owner.await;
        })
        .unwrap();
    let settled = spawn_gets(&pool, &sim, &c, 0..2, sim.0.now.get());
    after_ms(&pool, &sim, 50, async move { abort.abort() });
    sim.run(&mut pool);
    assert_eq!(*settled.borrow(), vec![(110.0, true), (120.0, true)]);
    assert_eq!(sim.count("POST", "/tokens"), 1);
    assert_eq!(get_bearers(&sim), vec!["Bearer t1"; 2]);
}

#[test]
fn isolate_safe_joiners_share_the_owners_failure_at_their_next_tick() {
    // The token request is refused at 110 ms: the joiners stop waiting at 120 ms and settle with the owner's
    // error instead of polling until the total timeout.
    let sim = slow_tokens(110, 400);
    let c = client(&sim, json!({"isolateSafe": true}));
    let mut pool = LocalPool::new();
    let settled = spawn_gets(&pool, &sim, &c, 0..3, sim.0.now.get());
    sim.run(&mut pool);
    assert_eq!(
        *settled.borrow(),
        vec![(110.0, false), (120.0, false), (120.0, false)]
    );
    assert_eq!(sim.count("POST", "/tokens"), 1);
    assert_eq!(sim.count("GET", ""), 0);
}

#[test]
fn a_stored_token_or_device_id_that_is_empty_or_too_long_is_not_used() {
    // What a store hands back is checked: an empty or over-long token (a corrupted sessionStorage entry) means a
    // new token; an empty or over-long device id means a new device id.
    for (token, device) in [("", ""), (&*"t".repeat(513), &*"d".repeat(257))] {
        let sim = server(|_, _| ok(json!({})));
        let store = MemoryStore::new();
        let (s, t, d) = (store.clone(), token.to_string(), device.to_string());
        sim.block_on(async move {
            s.set("carecloud:sandbox-app:token", &t).await.unwrap();
            s.set("carecloud:sandbox-app:device", &d).await.unwrap();
        });
        let c = Client::new(config(json!({})), sim.clone(), Box::new(store));
        sim.block_on(get(&c, "/stores/s1")).unwrap();
        assert_eq!(sim.count("POST", "/tokens"), 1, "a new token");
        assert_eq!(get_bearers(&sim), vec!["Bearer t1"]);
        let reqs = sim.0.requests.borrow();
        let body: Value = serde_json::from_str(reqs[0].body.as_deref().unwrap()).unwrap();
        let id = body["device"]["device_id"].as_str().unwrap();
        assert_eq!(id.len(), 36, "a new UUID, not {id:?}");
    }
    // At the limits (512 and 256 characters) they are used.
    let sim = server(|_, _| ok(json!({})));
    let store = MemoryStore::new();
    let s = store.clone();
    sim.block_on(async move {
        s.set("carecloud:sandbox-app:token", &"t".repeat(512))
            .await
            .unwrap();
        s.set("carecloud:sandbox-app:device", &"d".repeat(256))
            .await
            .unwrap();
    });
    let c = Client::new(config(json!({})), sim.clone(), Box::new(store));
    sim.block_on(get(&c, "/stores/s1")).unwrap();
    assert_eq!(sim.count("POST", "/tokens"), 0);
    assert_eq!(
        get_bearers(&sim),
        vec![format!("Bearer {}", "t".repeat(512))]
    );
}

#[test]
fn update_token_puts_the_setup_and_push_token_on_the_current_token() {
    let sim = server(|_, _| ok(json!({})));
    let c = client(&sim, json!({}));
    let setup = crate::config::Setup {
        language_id: "de".into(),
        allowed_gps: true,
        allowed_notifications: false,
    };
    let c2 = c.clone();
    sim.block_on(async move { c2.update_token(&setup, Some("push-1")).await })
        .unwrap();
    let reqs = sim.0.requests.borrow();
    let put = reqs
        .iter()
        .find(|r| r.method == Method::Put)
        .expect("a PUT");
    assert!(put.url.ends_with("/tokens/t1"), "{}", put.url);
    let body: Value = serde_json::from_str(put.body.as_deref().unwrap()).unwrap();
    assert_eq!(
        body,
        json!({"setup": {"language_id": "de", "allowed_gps": true, "allowed_notifications": false},
               "push_token": "push-1"})
    );
}

#[test]
fn login_refuses_an_empty_login_value_or_password_locally() {
    let sim = server(|_, _| ok(json!({"customer_id": "alice"})));
    let c = client(&sim, json!({}));
    for (value, password) in [("", "Passw0rd1"), ("alice@example.com", "")] {
        let c2 = c.clone();
        let r = sim.block_on(async move { c2.login("email", value, &Secret::new(password)).await });
        assert_eq!(r.unwrap_err().kind(), ErrorKind::Config, "{value:?}");
    }
    assert_eq!(sim.0.requests.borrow().len(), 0);
}

#[test]
fn logging_in_again_as_the_same_customer_keeps_their_cached_reads() {
    let sim = server(|req, _| {
        if req.url.contains("/actions/login") {
            ok(json!({"customer_id": "alice"}))
        } else {
            Script::Reply(
                200,
                vec![("cache-control", "max-age=60".into())],
                json!({"data": {}}).to_string(),
            )
        }
    });
    let c = client(&sim, json!({}));
    let login = |c: &Client<Sim>| {
        let c = c.clone();
        async move {
            c.login("email", "alice@example.com", &Secret::new("Passw0rd1"))
                .await
        }
    };
    sim.block_on(login(&c)).unwrap();
    sim.block_on(get(&c, "/customers")).unwrap();
    sim.block_on(login(&c)).unwrap();
    sim.block_on(get(&c, "/customers")).unwrap();
    assert_eq!(
        sim.count("GET", "/customers"),
        1,
        "the same customer: cached"
    );
}

#[test]
fn a_token_response_without_a_usable_token_id_is_a_decode_error() {
    for token_id in [json!(""), json!("t".repeat(513)), json!(7)] {
        let t = token_id.clone();
        let sim = Sim::new(move |req| {
            if req.url.ends_with("/tokens") {
                Script::Reply(201, vec![], json!({"data": {"token_id": t}}).to_string())
            } else {
                ok(json!({}))
            }
        });
        let c = client(&sim, json!({}));
        let e = sim.block_on(get(&c, "/stores/s1")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode, "{token_id}");
        assert_eq!(sim.count("GET", "/stores/s1"), 0);
    }
}

/// Spawns `GET path` after `delay_ms`, given up after `give_up_ms` when set; the result lands in the cell.
pub(super) fn spawn_get_at(
    pool: &LocalPool,
    sim: &Sim,
    c: &Client<Sim>,
    path: &str,
    delay_ms: u64,
    give_up_ms: Option<u64>,
) -> Rc<RefCell<Option<Result<Value, crate::Error>>>> {
    let out = Rc::new(RefCell::new(None));
    let (o, c, s, p) = (out.clone(), c.clone(), sim.clone(), path.to_string());
    pool.spawner()
        .spawn_local(async move {
            crate::Runtime::sleep(&s, delay_ms).await;
            let call = Box::pin(get(&c, &p));
            let r = match give_up_ms {
                Some(ms) => {
                    match futures_util::future::select(call, crate::Runtime::sleep(&s, ms)).await {
                        futures_util::future::Either::Left((r, _)) => Some(r),
                        futures_util::future::Either::Right(_) => None,
                    }
                }
                None => Some(call.await),
            };
            *o.borrow_mut() = r;
        })
        .unwrap();
    out
}

/// Runs `then` on the pool `ms` (simulated) from now: something that happens while calls are in flight.
pub(super) fn after_ms(
    pool: &LocalPool,
    sim: &Sim,
    ms: u64,
    then: impl std::future::Future<Output = ()> + 'static,
) {
    let s = sim.clone();
    pool.spawner()
        .spawn_local(async move {
            crate::Runtime::sleep(&s, ms).await;
            then.await;
        })
        .unwrap();
}

/// `forget_token()` (a logout elsewhere that did not reach the server) `ms` from now.
fn forget_token_after(pool: &LocalPool, sim: &Sim, c: &Client<Sim>, ms: u64) {
    let c = c.clone();
    after_ms(pool, sim, ms, async move { c.forget_token().await });
}

#[test]
fn a_caller_that_leaves_keeps_the_shared_read_joinable_for_the_others() {
    // A leader, a joiner that gives up at 10 ms, and a caller at 20 ms: the last one still joins the read.
    let sim = server(|_, _| Script::After(100, Box::new(ok(json!({"v": 1})))));
    let c = client(&sim, json!({"rateLimit": false, "cache": false}));
    connect(&sim, &c);
    let mut pool = LocalPool::new();
    let leader = spawn_get_at(&pool, &sim, &c, "/rewards", 0, None);
    let quitter = spawn_get_at(&pool, &sim, &c, "/rewards", 0, Some(10));
    let late = spawn_get_at(&pool, &sim, &c, "/rewards", 20, None);
    sim.run(&mut pool);
    assert!(quitter.borrow().is_none());
    for r in [leader, late] {
        assert_eq!(r.borrow().as_ref().unwrap().as_ref().unwrap()["v"], 1);
    }
    assert_eq!(sim.count("GET", "/rewards"), 1);
    assert_eq!(c.stats().deduped_requests, 2);
    assert_eq!(c.stats().in_flight, 0);
}

#[test]
fn reads_of_different_urls_in_flight_together_each_stay_joinable() {
    let sim = server(|_, _| Script::After(100, Box::new(ok(json!({})))));
    let c = client(&sim, json!({"rateLimit": false, "cache": false}));
    connect(&sim, &c);
    let mut pool = LocalPool::new();
    for (path, at) in [
        ("/rewards", 0),
        ("/stores", 0),
        ("/rewards", 10),
        ("/stores", 10),
    ] {
        spawn_get_at(&pool, &sim, &c, path, at, None);
    }
    sim.run(&mut pool);
    assert_eq!(
        (sim.count("GET", "/rewards"), sim.count("GET", "/stores")),
        (1, 1)
    );
    assert_eq!(c.stats().deduped_requests, 2);
}

#[test]
fn join_in_flight_joins_an_identical_read_and_counts_it_as_a_call() {
    let sim = server(|_, _| Script::After(100, Box::new(ok(json!({"v": 2})))));
    let c = client(&sim, json!({"rateLimit": false, "cache": false}));
    connect(&sim, &c);
    let opts = CallOptions::default();
    assert!(
        c.join_in_flight("/rewards", &opts).is_none(),
        "nothing in flight"
    );
    let mut pool = LocalPool::new();
    let leader = spawn_get_at(&pool, &sim, &c, "/rewards", 0, None);
    pool.run_until_stalled();
    let requests = c.stats().requests;
    let joined = c
        .join_in_flight("/rewards", &opts)
        .expect("joins the leader");
    assert!(c.join_in_flight("/stores", &opts).is_none(), "another URL");
    assert_eq!(c.stats().requests, requests + 1);
    let got = Rc::new(RefCell::new(None));
    let g = got.clone();
    pool.spawner()
        .spawn_local(async move { *g.borrow_mut() = Some(joined.await) })
        .unwrap();
    sim.run(&mut pool);
    let body = got.borrow().as_ref().unwrap().as_ref().unwrap().clone();
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["data"]["v"],
        2
    );
    assert_eq!(leader.borrow().as_ref().unwrap().as_ref().unwrap()["v"], 2);
    assert_eq!(sim.count("GET", "/rewards"), 1);
    // With dedupe off nothing is joined.
    let c = client(
        &sim,
        json!({"rateLimit": false, "cache": false, "dedupe": false}),
    );
    connect(&sim, &c);
    let _other = spawn_get_at(&pool, &sim, &c, "/rewards", 0, None);
    pool.run_until_stalled();
    assert!(c.join_in_flight("/rewards", &opts).is_none());
}

#[test]
fn a_read_in_flight_for_one_customer_is_never_joined_by_another() {
    // Alice's GET /customers is slow; Bob logs in on the same token meanwhile and reads the same URL: his read
    // goes out on its own and he gets his own data, not Alice's.
    let who = Rc::new(RefCell::new(String::from("alice")));
    let w = who.clone();
    let sim = server(move |req, _| {
        if req.url.contains("/actions/login") {
            let body: Value = serde_json::from_str(req.body.as_deref().unwrap_or("{}")).unwrap();
            let id = body["login_value"].as_str().unwrap_or("").to_string();
            *w.borrow_mut() = id.clone();
            ok(json!({ "customer_id": id }))
        } else {
            let me = w.borrow().clone();
            Script::After(100, Box::new(ok(json!({ "customer_id": me }))))
        }
    });
    let c = client(&sim, json!({"rateLimit": false, "cache": false}));
    let c2 = c.clone();
    sim.block_on(async move { c2.login("email", "alice", &Secret::new("pw")).await })
        .unwrap();
    let mut pool = LocalPool::new();
    let alice = spawn_get_at(&pool, &sim, &c, "/customers", 0, None);
    let c3 = c.clone();
    after_ms(&pool, &sim, 10, async move {
        c3.login("email", "bob", &Secret::new("pw")).await.unwrap();
    });
    let bob = spawn_get_at(&pool, &sim, &c, "/customers", 20, None);
    sim.run(&mut pool);
    assert_eq!(sim.count("GET", "/customers"), 2);
    assert_eq!(c.stats().deduped_requests, 0);
    assert_eq!(
        bob.borrow().as_ref().unwrap().as_ref().unwrap()["customer_id"],
        "bob"
    );
    drop(alice);
}

#[test]
fn the_read_epoch_moves_whenever_a_read_could_be_answered_differently() {
    let sim = server(|req, _| {
        if req.url.contains("/actions/login") {
            ok(json!({"customer_id": "alice"}))
        } else if req.url.contains("/stores/gone") {
            status(401)
        } else {
            Script::Reply(
                200,
                vec![("cache-control", "max-age=60".into())],
                json!({"data": {}}).to_string(),
            )
        }
    });
    let c = client(&sim, json!({"rateLimit": false}));
    connect(&sim, &c);
    let mut last = c.read_epoch();
    let mut step = |what: &str, moved: bool| {
        let now = c.read_epoch();
        assert_eq!(now != last, moved, "{what}: {last} → {now}");
        last = now;
    };
    sim.block_on(get(&c, "/rewards")).unwrap();
    step("a read stored in the cache", true);
    sim.block_on(get(&c, "/rewards")).unwrap();
    assert!(c
        .cached_until("/rewards", &CallOptions::default())
        .is_some());
    step("cache hits", false);
    sim.block_on(write(&c, Method::Post, "/rewards/r1/actions/x"))
        .unwrap();
    step("a write under /rewards", true);
    let c2 = c.clone();
    sim.block_on(async move { c2.login("email", "alice", &Secret::new("pw")).await })
        .unwrap();
    step("a login", true);
    c.clear_cache();
    step("clearCache", true);
    let _ = sim.block_on(get(&c, "/stores/gone"));
    step("a 401 (a new token)", true);
    let c3 = c.clone();
    sim.block_on(async move { c3.logout().await }).unwrap();
    step("a logout", true);
}

#[test]
fn without_a_cache_the_read_epoch_still_moves_with_the_token_and_the_customer() {
    let sim = server(|req, _| {
        if req.url.contains("/actions/login") {
            ok(json!({"customer_id": "alice"}))
        } else {
            ok(json!({}))
        }
    });
    let c = client(&sim, json!({"rateLimit": false, "cache": false}));
    let e0 = c.read_epoch();
    connect(&sim, &c);
    let e1 = c.read_epoch();
    let c2 = c.clone();
    sim.block_on(async move { c2.login("email", "alice", &Secret::new("pw")).await })
        .unwrap();
    let e2 = c.read_epoch();
    let c3 = c.clone();
    sim.block_on(async move { c3.forget_token().await });
    let e3 = c.read_epoch();
    assert!(e0 < e1 && e1 < e2 && e2 < e3, "{e0} {e1} {e2} {e3}");
}

#[test]
fn a_shared_cache_hit_counts_as_a_call_and_a_hit_and_is_logged() {
    let sim = server(|_, _| ok(json!({})));
    let c = client(&sim, json!({}));
    let logs = Rc::new(RefCell::new(Vec::new()));
    let l = logs.clone();
    c.set_on_log(move |e| l.borrow_mut().push((e.source, e.path.clone())));
    c.note_shared_hit("/rewards");
    c.note_shared_hit("/stores");
    let s = c.stats();
    assert_eq!((s.requests, s.cache_hits, s.network_requests), (2, 2, 0));
    assert_eq!(
        *logs.borrow(),
        vec![
            ("shared-cache", "/rewards".to_string()),
            ("shared-cache", "/stores".to_string())
        ]
    );
}

#[test]
fn ttl_for_is_the_caches_rule_and_none_without_a_cache() {
    let sim = server(|_, _| ok(json!({})));
    let c = client(&sim, json!({"cache": {"ttlMs": {"/vouchers": 1234}}}));
    assert_eq!(c.ttl_for("/vouchers/v1"), Some(1234));
    assert_eq!(c.ttl_for("/rewards"), Some(60_000));
    assert_eq!(c.ttl_for("/customers"), None);
    let off = client(&sim, json!({"cache": false}));
    assert_eq!(off.ttl_for("/rewards"), None);
}

#[test]
fn jitter_is_uniform_below_the_bound() {
    let sim = server(|_, _| ok(json!({})));
    let c = client(&sim, json!({}));
    let draws: Vec<u64> = (0..4000).map(|_| c.jitter_ms(60_000)).collect();
    assert!(draws.iter().all(|d| *d < 60_000));
    let mut bins = [0u32; 6]; // 10 s each: about 667 per bin when uniform
    for d in &draws {
        bins[(*d / 10_000) as usize] += 1;
    }
    assert!(bins.iter().all(|b| (500..850).contains(b)), "{bins:?}");
    assert_eq!(c.jitter_ms(0), 0);
}

#[test]
fn a_write_is_counted_and_a_body_over_8_mib_is_refused_before_the_network() {
    let sim = server(|_, _| ok(json!({})));
    let c = client(&sim, json!({}));
    let send = |len: usize| {
        let c = c.clone();
        let body = format!("\"{}\"", "x".repeat(len - 2));
        sim.block_on(async move {
            c.request(
                Method::Post,
                "/rewards/r1/actions/x",
                Some(body),
                CallOptions::default(),
            )
            .await
        })
    };
    assert!(send(8 * 1024 * 1024).is_ok(), "8 MiB exactly");
    let e = send(8 * 1024 * 1024 + 1).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert_eq!(sim.count("POST", "/actions/x"), 1);
    assert_eq!(c.stats().requests, 2, "both calls counted");
}

#[test]
fn an_errors_attempts_are_the_requests_the_server_saw() {
    // The first call also creates the token: that is not one of its attempts.
    let sim = server(|_, _| status(404));
    let c = client(&sim, json!({}));
    let e = sim.block_on(get(&c, "/rewards/missing")).unwrap_err();
    assert_eq!((e.kind(), e.attempts()), (ErrorKind::NotFound, 1));
    // Out of time after retries of timed-out attempts: as many attempts as requests.
    let sim = server(|_, _| Script::Hang);
    let c = client(
        &sim,
        json!({"timeoutMs": 50, "totalTimeoutMs": 180, "rateLimit": false, "circuitBreaker": false,
               "retry": {"baseDelayMs": 1, "maxDelayMs": 1}}),
    );
    connect(&sim, &c);
    let e = sim.block_on(get(&c, "/rewards")).unwrap_err();
    assert_eq!(e.attempts() as usize, sim.count("GET", "/rewards"));
    assert!(e.attempts() >= 3, "{}", e.attempts());
}

#[test]
fn a_token_dropped_while_a_call_waits_is_recreated_and_is_not_one_of_its_attempts() {
    // Call 2 waits for the one concurrency slot; meanwhile the token is dropped (a logout elsewhere). Admitted at
    // 10 ms, it gets a new token (95 ms) and goes on: its error counts one attempt. With a total timeout of 100 ms
    // the new token arrives after its deadline: out of time, with no attempt made.
    for (total_ms, kind, attempts) in [
        (60_000, ErrorKind::NotFound, 1),
        (100, ErrorKind::Timeout, 0),
    ] {
        let mut tokens = 0;
        let sim = Sim::new(move |req| {
            if req.method == Method::Post && req.url.ends_with("/tokens") {
                tokens += 1;
                let body = json!({"data": {"token_id": format!("t{tokens}")}}).to_string();
                let ms = if tokens == 1 { 0 } else { 95 }; // the first one at connect, at once
                Script::After(ms, Box::new(Script::Reply(201, vec![], body)))
            } else {
                Script::After(10, Box::new(status(404)))
            }
        });
        let c = client(
            &sim,
            json!({"totalTimeoutMs": total_ms, "rateLimit": {"maxConcurrent": 1}, "retry": false}),
        );
        connect(&sim, &c);
        let mut pool = LocalPool::new();
        let _first = spawn_get_at(&pool, &sim, &c, "/rewards/a", 0, None);
        let second = spawn_get_at(&pool, &sim, &c, "/rewards/b", 0, None);
        forget_token_after(&pool, &sim, &c, 5);
        sim.run(&mut pool);
        let e = second.borrow_mut().take().unwrap().unwrap_err();
        assert_eq!(
            (e.kind(), e.attempts()),
            (kind, attempts),
            "totalTimeoutMs {total_ms}"
        );
    }
}

#[test]
fn a_401_renews_the_token_once_per_call_and_never_for_the_token_request_itself() {
    // Every call answers 401: one renewal, one retry, then the 401 is the call's error.
    let sim = server(|_, _| status(401));
    let c = client(&sim, json!({}));
    let e = sim.block_on(get(&c, "/rewards")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthorized);
    assert_eq!(
        sim.count("POST", "/tokens"),
        2,
        "the first token and one renewal"
    );
    assert_eq!(sim.count("GET", "/rewards"), 2);
    // POST /tokens itself answered 401 (a wrong external application): no renewal loop.
    let sim = Sim::new(|_| status(401));
    let c = client(&sim, json!({}));
    let c2 = c.clone();
    let e = sim.block_on(async move { c2.connect().await }).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthorized);
    assert_eq!(sim.count("POST", "/tokens"), 1);
}

#[test]
fn max_concurrent_caps_requests_in_flight_and_isolate_safe_mode_has_no_cap() {
    // Three 30 ms reads with one slot run one after another (90 ms); isolate-safe, they overlap (30 ms).
    for (isolate_safe, took) in [(false, 90.0), (true, 30.0)] {
        let sim = server(|_, _| Script::After(30, Box::new(ok(json!({})))));
        let c = client(
            &sim,
            json!({"isolateSafe": isolate_safe, "cache": false, "dedupe": false,
                   "rateLimit": {"maxConcurrent": 1, "burst": 100}}),
        );
        connect(&sim, &c);
        let mut pool = LocalPool::new();
        let t0 = sim.0.now.get();
        let settled = spawn_gets(&pool, &sim, &c, 0..3, t0);
        sim.run(&mut pool);
        let last = settled.borrow().iter().map(|(t, _)| *t).fold(0.0, f64::max);
        assert_eq!(last, took, "isolateSafe {isolate_safe}");
    }
}

#[test]
fn outside_isolate_safe_mode_joiners_are_woken_by_the_token_flight_itself() {
    // The same 110 ms token as in isolate-safe mode, but every call goes on the moment it arrives.
    let sim = slow_tokens(110, 201);
    let c = client(&sim, json!({}));
    let mut pool = LocalPool::new();
    let settled = spawn_gets(&pool, &sim, &c, 0..4, sim.0.now.get());
    sim.run(&mut pool);
    let times: Vec<f64> = settled.borrow().iter().map(|(t, _)| *t).collect();
    assert_eq!(times, vec![110.0; 4]);
    assert_eq!(sim.count("POST", "/tokens"), 1);
}

#[test]
fn a_read_after_the_token_was_dropped_does_not_join_one_made_with_it() {
    // A slow read with token t1; the token is dropped at 10 ms (a logout that did not reach the server); the same
    // read at 20 ms goes out on its own with a new token instead of joining the one made with the dropped token.
    let sim = server(|_, _| Script::After(100, Box::new(ok(json!({})))));
    let c = client(&sim, json!({"rateLimit": false, "cache": false}));
    connect(&sim, &c);
    let mut pool = LocalPool::new();
    spawn_get_at(&pool, &sim, &c, "/rewards", 0, None);
    forget_token_after(&pool, &sim, &c, 10);
    spawn_get_at(&pool, &sim, &c, "/rewards", 20, None);
    sim.run(&mut pool);
    assert_eq!(sim.count("GET", "/rewards"), 2);
    assert_eq!(get_bearers(&sim), vec!["Bearer t1", "Bearer t2"]);
}

#[test]
fn log_entries_carry_the_query_with_personal_values_masked() {
    let sim = server(|_, _| ok(json!({})));
    let c = client(&sim, json!({}));
    connect(&sim, &c);
    let queries = Rc::new(RefCell::new(Vec::new()));
    let q = queries.clone();
    c.set_on_log(move |e| q.borrow_mut().push(e.query.clone()));
    let opts = CallOptions {
        query: vec![
            ("count".into(), "5".into()),
            ("email".into(), "alice@example.com".into()),
        ],
        ..CallOptions::default()
    };
    let c2 = c.clone();
    sim.block_on(async move { c2.request(Method::Get, "/customers", None, opts).await })
        .unwrap();
    let q = queries.borrow();
    assert_eq!(q.len(), 1);
    assert!(q[0].contains("count=5"), "{}", q[0]);
    assert!(q[0].contains("email="), "{}", q[0]);
    assert!(!q[0].contains("alice"), "{}", q[0]);
}

#[test]
fn a_hit_through_cached_until_counts_as_a_call_and_bypass_options_miss() {
    let sim = server(|_, _| ok(json!({})));
    let c = client(&sim, json!({}));
    sim.block_on(get(&c, "/rewards")).unwrap();
    let before = c.stats().requests;
    let (body, until) = c
        .cached_until("/rewards", &CallOptions::default())
        .expect("a hit");
    assert_eq!(&*body, r#"{"data":{}}"#);
    assert_eq!(until, sim.0.now.get() + 60_000.0, "the /rewards rule: 60 s");
    assert_eq!(c.stats().requests, before + 1);
    assert!(c.cached("/rewards", &CallOptions::default()).is_some());
    assert_eq!(c.stats().requests, before + 2);
    for opts in [
        CallOptions {
            no_cache: true,
            ..CallOptions::default()
        },
        CallOptions {
            no_store: true,
            ..CallOptions::default()
        },
    ] {
        assert!(c.cached_until("/rewards", &opts).is_none());
    }
    let off = client(&sim, json!({"cache": false}));
    assert!(off
        .cached_until("/rewards", &CallOptions::default())
        .is_none());
}

#[test]
fn a_401_for_a_token_dropped_meanwhile_makes_a_new_token_not_a_renewal() {
    // A read goes out with t1; the token is dropped while it waits (logout elsewhere); its 401 is then not a
    // renewal of t1: the next token is simply created, and the read is retried with it.
    let sim = server(|_, auth| {
        if auth.ends_with("Bearer t1") {
            Script::After(100, Box::new(status(401)))
        } else {
            ok(json!({"v": 1}))
        }
    });
    let c = client(&sim, json!({"rateLimit": false}));
    connect(&sim, &c);
    let events = Rc::new(RefCell::new(Vec::new()));
    let ev = events.clone();
    c.set_on_event(move |e| ev.borrow_mut().push(e.name()));
    let mut pool = LocalPool::new();
    let read = spawn_get_at(&pool, &sim, &c, "/rewards", 0, None);
    forget_token_after(&pool, &sim, &c, 10);
    sim.run(&mut pool);
    assert_eq!(read.borrow().as_ref().unwrap().as_ref().unwrap()["v"], 1);
    assert_eq!(get_bearers(&sim), vec!["Bearer t1", "Bearer t2"]);
    assert_eq!(c.stats().token_renewals, 0);
    assert!(!events.borrow().contains(&"token_renewed"));
}

#[test]
fn a_network_failure_keeps_the_platforms_message() {
    let sim = server(|_, _| Script::Network);
    let c = client(&sim, json!({"retry": false}));
    connect(&sim, &c);
    let e = sim.block_on(get(&c, "/rewards")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network);
    assert!(
        e.message().contains("connection refused"),
        "{}",
        e.message()
    );
}

#[test]
fn a_retry_that_would_start_exactly_at_the_deadline_is_not_made() {
    // 503 with Retry-After: 1 at once, and 1,000 ms left: the wait would end on the deadline, so the 503 is the
    // answer (one request), not a retry that could only time out.
    let sim = server(|_, _| Script::Reply(503, vec![("retry-after", "1".into())], String::new()));
    let c = client(
        &sim,
        json!({"totalTimeoutMs": 1000, "circuitBreaker": false, "rateLimit": false}),
    );
    connect(&sim, &c);
    let e = sim.block_on(get(&c, "/rewards")).unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::Unavailable, Some(503)));
    assert_eq!(sim.count("GET", "/rewards"), 1);
}
