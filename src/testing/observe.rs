//! What the client tells its observers, on simulated time: log entries (status, duration, request id, the error
//! body's structure), `rate_limited` events (a server 429, an exhausted server window, the client's own limiter
//! queueing), `sunset` on `Sunset` alone, and the cache a write invalidates.

use crate::log::{ParamIssue, MAX_LOGGED_PARAMS, MAX_LOGGED_TEXT};
use crate::testing::client::{client, connect, failing_first, server};
use crate::testing::sim::{ok, Script, Sim};
use crate::{CallOptions, Client, Event, LogEntry, Method, RateLimit, Runtime, Secret};
use futures_executor::LocalPool;
use futures_util::task::LocalSpawnExt;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::rc::Rc;

type Seen<T> = Rc<RefCell<Vec<T>>>;

/// Collects every event and log entry of `c`.
fn observe(c: &Client<Sim>) -> (Seen<Event>, Seen<LogEntry>) {
    let (events, logs): (Seen<Event>, Seen<LogEntry>) = (Rc::default(), Rc::default());
    let (e, l) = (events.clone(), logs.clone());
    c.set_on_event(move |ev| e.borrow_mut().push(ev.clone()));
    c.set_on_log(move |entry| l.borrow_mut().push(entry.clone()));
    (events, logs)
}

fn get(sim: &Sim, c: &Client<Sim>, path: &str) -> Result<Value, crate::Error> {
    let (c, p) = (c.clone(), path.to_string());
    sim.block_on(async move {
        c.request(Method::Get, &p, None, CallOptions::default())
            .await
    })
}

/// Starts `GET path` on `pool` without running it.
fn spawn_get(pool: &LocalPool, c: &Client<Sim>, path: &str) {
    let (c, p) = (c.clone(), path.to_string());
    pool.spawner()
        .spawn_local(async move {
            c.request(Method::Get, &p, None, CallOptions::default())
                .await
                .unwrap();
        })
        .unwrap();
}

fn rate_limits(events: &RefCell<Vec<Event>>) -> Vec<RateLimit> {
    events
        .borrow()
        .iter()
        .filter_map(|e| match e {
            Event::RateLimited(r) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn log_entries_carry_the_status_duration_and_request_id_the_server_sent() {
    let mut n = 0;
    let sim = server(move |_, _| {
        n += 1;
        let status = if n == 1 { 503 } else { 200 };
        let reply = Script::Reply(
            status,
            vec![("x-request-id", format!("rq-{n}\u{7}"))],
            r#"{"data":{}}"#.into(),
        );
        Script::After(250 * n, Box::new(reply))
    });
    let c = client(
        &sim,
        json!({"rateLimit": false, "retry": {"baseDelayMs": 1}}),
    );
    connect(&sim, &c);
    let (_, logs) = observe(&c);
    get(&sim, &c, "/stores").unwrap();
    let logs = logs.borrow();
    let seen: Vec<_> = logs
        .iter()
        .map(|e| (e.status, e.ms, e.request_id.as_deref(), e.outcome))
        .collect();
    // Control characters in the header are dropped.
    assert_eq!(
        seen,
        [
            (503, 250.0, Some("rq-1"), "retry"),
            (200, 500.0, Some("rq-2"), "ok")
        ]
    );
}

#[test]
fn error_log_entries_carry_the_bodys_type_and_param_names_never_values() {
    let params: Vec<Value> = (0..12)
        .map(|i| {
            json!({"name": format!("{}{i}", "n".repeat(70)), "reason": "invalid_value_format",
                   "value": "alice@example.com", "message": "bad"})
        })
        .collect();
    let body =
        json!({"error": {"type": "https://errors.example/invalid-params", "title": "Bad request",
        "detail": "x", "error_data": {"invalid_params": params}}})
        .to_string();
    let sim = server(move |_, _| Script::Reply(400, vec![], body.clone()));
    let c = client(&sim, json!({"rateLimit": false}));
    let (_, logs) = observe(&c);
    let e = get(&sim, &c, "/rewards").unwrap_err();
    assert_eq!(
        e.error_type(),
        Some("https://errors.example/invalid-params")
    );
    let logs = logs.borrow();
    let entry = logs.iter().find(|l| l.status == 400).unwrap();
    assert_eq!(
        entry.error_type.as_deref(),
        Some("https://errors.example/invalid-params")
    );
    assert_eq!(entry.invalid_params.len(), MAX_LOGGED_PARAMS);
    assert_eq!(
        entry.invalid_params[0],
        ParamIssue {
            name: "n".repeat(MAX_LOGGED_TEXT),
            reason: "invalid_value_format".into()
        }
    );
    assert!(!format!("{entry:?}").contains("alice"), "{entry:?}");
}

#[test]
fn error_structure_in_a_log_entry_is_masked() {
    let body = json!({"error": {"type": "customer_exception", "error_data": {"invalid_params": [
        {"name": "alice@example.com", "reason": "+420 600 100 200 exists", "value": "v"}]}}})
    .to_string();
    let sim = server(move |_, _| Script::Reply(409, vec![], body.clone()));
    let c = client(&sim, json!({"rateLimit": false}));
    let (_, logs) = observe(&c);
    get(&sim, &c, "/customers").unwrap_err();
    let logs = logs.borrow();
    let entry = logs.iter().find(|l| l.status == 409).unwrap();
    assert_eq!(entry.error_type.as_deref(), Some("customer_exception"));
    assert_eq!(
        entry.invalid_params,
        [ParamIssue {
            name: "***".into(),
            reason: "*** exists".into()
        }]
    );
}

#[test]
fn a_server_429_raises_rate_limited_with_status_retry_after_and_masked_path() {
    let mut n = 0;
    let sim = server(move |_, _| {
        n += 1;
        match n {
            1 => Script::Reply(429, vec![("retry-after", "2".into())], String::new()),
            2 => Script::Reply(429, vec![], String::new()),
            _ => ok(json!({})),
        }
    });
    let c = client(&sim, json!({"rateLimit": false}));
    connect(&sim, &c);
    let (events, _) = observe(&c);
    get(&sim, &c, "/customers/alice@example.com").unwrap();
    let path = "/customers/***".to_string();
    assert_eq!(
        rate_limits(&events),
        [
            RateLimit::Refused {
                status: 429,
                retry_after_ms: Some(2000),
                path: path.clone()
            },
            RateLimit::Refused {
                status: 429,
                retry_after_ms: None,
                path
            }
        ]
    );
    // Other failures raise none.
    let sim = server(|_, _| Script::Reply(503, vec![("retry-after", "1".into())], String::new()));
    let c = client(&sim, json!({"rateLimit": false, "retry": false}));
    let (events, _) = observe(&c);
    get(&sim, &c, "/stores").unwrap_err();
    assert!(rate_limits(&events).is_empty());
}

#[test]
fn the_limiter_queueing_calls_raises_rate_limited_with_queue_length_and_wait() {
    let sim = server(|_, _| ok(json!({})));
    let c = client(
        &sim,
        json!({"rateLimit": {"requestsPerSecond": 10, "burst": 1}, "cache": false}),
    );
    connect(&sim, &c); // takes the one token
    let (events, _) = observe(&c);
    let mut pool = LocalPool::new();
    for i in 0..3 {
        spawn_get(&pool, &c, &format!("/stores/{i}"));
    }
    sim.run(&mut pool);
    let queued = |q, w| RateLimit::Queued {
        queue_length: q,
        wait_ms: w,
    };
    assert_eq!(
        rate_limits(&events),
        [queued(1, 100), queued(2, 200), queued(3, 300)]
    );
    // Once they are through, the queue is empty again: a call that waits after a quiet second is alone in it.
    events.borrow_mut().clear();
    sim.0.now.set(sim.0.now.get() + 1000.0);
    spawn_get(&pool, &c, "/stores/a");
    spawn_get(&pool, &c, "/stores/b");
    sim.run(&mut pool);
    assert_eq!(rate_limits(&events), [queued(1, 100)]);
}

#[test]
fn a_caller_leaving_the_queue_is_no_longer_counted() {
    let sim = server(|_, _| ok(json!({})));
    let c = client(
        &sim,
        json!({"rateLimit": {"requestsPerSecond": 1, "burst": 1}, "cache": false}),
    );
    connect(&sim, &c);
    let (events, _) = observe(&c);
    let c2 = c.clone();
    sim.block_on(async move {
        // Waits 1000 ms in the queue; the timeout drops it after 10.
        let queued = c2.request(Method::Get, "/stores", None, CallOptions::default());
        let timer = c2.runtime().sleep(10);
        futures_util::future::select(Box::pin(queued), timer).await;
    });
    sim.0.now.set(sim.0.now.get() + 5000.0);
    let c3 = c.clone();
    sim.block_on(async move {
        let first = c3.request(Method::Get, "/a", None, CallOptions::default());
        let second = c3.request(Method::Get, "/b", None, CallOptions::default());
        let _ = futures_util::future::join(first, second).await;
    });
    let lengths: Vec<u32> = rate_limits(&events)
        .iter()
        .filter_map(|r| match r {
            RateLimit::Queued { queue_length, .. } => Some(*queue_length),
            _ => None,
        })
        .collect();
    // The dropped caller counted while it waited, not afterwards.
    assert_eq!(lengths, [1, 1]);
}

#[test]
fn an_exhausted_server_window_pauses_the_next_call_until_the_reset() {
    for hint in [
        vec![
            ("x-ratelimit-remaining", "0".to_string()),
            ("x-ratelimit-reset", "2".to_string()),
        ],
        vec![("ratelimit", "limit=10, remaining=0, reset=2".to_string())],
    ] {
        let mut first = true;
        let sim = server(move |_, _| {
            let headers = if std::mem::take(&mut first) {
                hint.clone()
            } else {
                vec![]
            };
            Script::Reply(200, headers, r#"{"data":{}}"#.into())
        });
        let c = client(&sim, json!({"rateLimit": false, "cache": false}));
        connect(&sim, &c);
        let (events, _) = observe(&c);
        get(&sim, &c, "/stores").unwrap(); // carries the hint
        let t0 = sim.0.now.get();
        get(&sim, &c, "/products").unwrap();
        assert_eq!(sim.elapsed_since(t0), 2000.0, "waited for the reset");
        assert_eq!(
            rate_limits(&events),
            [
                RateLimit::Window {
                    pause_ms: 2000,
                    path: "/stores".into()
                },
                RateLimit::Queued {
                    queue_length: 1,
                    wait_ms: 2000
                }
            ]
        );
    }
}

#[test]
fn sunset_alone_raises_one_sunset_event_per_path() {
    let sim = server(|req, _| {
        let sunset = if req.url.contains("/hostile") {
            "Sun, 99 Foo 0 99:99:99 GMT"
        } else {
            "Wed, 11 Nov 2026 11:11:11 GMT"
        };
        Script::Reply(
            200,
            vec![("sunset", sunset.into())],
            r#"{"data":{}}"#.into(),
        )
    });
    let c = client(&sim, json!({"rateLimit": false, "cache": false}));
    let (events, _) = observe(&c);
    for path in ["/stores", "/stores", "/products/9000000000001", "/hostile"] {
        get(&sim, &c, path).unwrap();
    }
    let at = crate::headers::sunset("Wed, 11 Nov 2026 11:11:11 GMT").unwrap();
    let sunset = |p: &str| Event::Sunset {
        path: p.into(),
        sunset_at: at,
    };
    assert_eq!(
        *events.borrow(),
        [sunset("/stores"), sunset("/products/***")]
    );
}

#[test]
fn a_write_drops_the_customers_cached_reads() {
    let points = Rc::new(RefCell::new(12_500));
    let p = points.clone();
    let sim = server(move |req, _| {
        if req.url.contains("/actions/login") {
            ok(json!({"customer_id": "c1"}))
        } else if req.url.contains("/create-voucher") {
            *p.borrow_mut() -= 500;
            ok(json!({"voucher_id": "v1"}))
        } else {
            Script::Reply(
                200,
                vec![("cache-control", "max-age=60".into())],
                json!({"data": {"available_points": *p.borrow()}}).to_string(),
            )
        }
    });
    let c = client(&sim, json!({"rateLimit": false}));
    let c2 = c.clone();
    let (before, cached, after) = sim.block_on(async move {
        let read = || {
            c2.request(
                Method::Get,
                "/wallet/actions/points-overview",
                None,
                CallOptions::default(),
            )
        };
        c2.login("email", "alice", &Secret::new("p")).await.unwrap();
        let before = read().await.unwrap();
        let cached = read().await.unwrap();
        c2.request(
            Method::Post,
            "/rewards/r1/actions/create-voucher",
            Some(r#"{"customer_id":"c1"}"#.into()),
            CallOptions::default(),
        )
        .await
        .unwrap();
        (before, cached, read().await.unwrap())
    });
    assert_eq!(before, cached);
    assert_eq!(after["available_points"], 12_000);
    assert_eq!(sim.count("GET", "/points-overview"), 2);
}

#[test]
fn cache_hits_are_logged_and_calls_have_their_own_correlation_id() {
    let sim = failing_first(
        1,
        || crate::testing::sim::status(503),
        || {
            Script::Reply(
                200,
                vec![("cache-control", "max-age=60".into())],
                r#"{"data":{}}"#.into(),
            )
        },
    );
    let c = client(
        &sim,
        json!({"rateLimit": false, "retry": {"baseDelayMs": 1}, "device": {"deviceId": "dev-42"}}),
    );
    let (_, logs) = observe(&c);
    get(&sim, &c, "/stores").unwrap();
    get(&sim, &c, "/stores").unwrap();
    let logs = logs.borrow();
    let seen: Vec<_> = logs
        .iter()
        .map(|e| {
            (
                e.path.as_str(),
                e.source,
                e.attempt,
                e.correlation_id.as_str(),
            )
        })
        .collect();
    // POST /tokens is call 1; the read's retry keeps its call's id; the cache hit is a call of its own.
    assert_eq!(
        seen,
        [
            ("/tokens", "network", 1, "cc-dev42-1"),
            ("/stores", "network", 1, "cc-dev42-2"),
            ("/stores", "network", 2, "cc-dev42-2"),
            ("/stores", "cache", 0, "cc-dev42-3"),
        ]
    );
}

#[test]
fn lifecycle_warnings_are_bounded_per_client() {
    let sim = server(|_, _| {
        Script::Reply(
            200,
            vec![("deprecation", "true".into())],
            r#"{"data":{}}"#.into(),
        )
    });
    let c = client(&sim, json!({"rateLimit": false, "cache": false}));
    let (events, _) = observe(&c);
    for i in 0..300 {
        get(&sim, &c, &format!("/stores/s{i}")).unwrap();
    }
    // One per path, for at most 256 paths: a server cannot grow the client's memory without bound.
    assert_eq!(events.borrow().len(), 256);
}
