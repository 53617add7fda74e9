//! Admission on simulated time, at its edges: what failing fast reports, a probe whose caller went away, and the
//! server's rate-limit hints that must not pause anything.

use crate::testing::client::{client, connect, server};
use crate::testing::sim::{status, Script, Sim};
use crate::{CallOptions, Client, ErrorKind, Event, Method, Runtime};
use serde_json::json;
use std::cell::RefCell;
use std::rc::Rc;

fn get(sim: &Sim, c: &Client<Sim>, path: &str) -> Result<serde_json::Value, crate::Error> {
    let (c, p) = (c.clone(), path.to_string());
    sim.block_on(async move {
        c.request(Method::Get, &p, None, CallOptions::default())
            .await
    })
}

/// A client whose breaker opens after 1 failed attempt (the token request is made first, on a closed circuit).
fn fragile(sim: &Sim) -> Client<Sim> {
    let c = client(
        sim,
        json!({"rateLimit": false, "retry": false, "cache": false,
               "circuitBreaker": {"failureThreshold": 1, "openMs": 1000}}),
    );
    connect(sim, &c);
    c
}

#[test]
fn failing_fast_reports_no_attempt() {
    let sim = server(|_, _| status(500));
    let c = fragile(&sim);
    // 1 success (the token) and 4 failures: 80 %.
    for _ in 0..4 {
        let _ = get(&sim, &c, "/stores");
    }
    let e = get(&sim, &c, "/stores").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::CircuitOpen);
    assert_eq!(e.attempts(), 0, "no attempt reached the network");
}

#[test]
fn a_probe_whose_caller_went_away_frees_the_half_open_slot() {
    let hang = Rc::new(RefCell::new(false));
    let h = hang.clone();
    let sim = server(move |_, _| {
        if *h.borrow() {
            Script::Hang
        } else {
            status(500)
        }
    });
    let c = fragile(&sim);
    for _ in 0..4 {
        let _ = get(&sim, &c, "/stores");
    }
    sim.0.now.set(sim.0.now.get() + 1000.0);
    // The half-open probe hangs; its caller gives up after 10 ms and drops the call.
    *hang.borrow_mut() = true;
    let c2 = c.clone();
    sim.block_on(async move {
        let probe = c2.request(Method::Get, "/stores", None, CallOptions::default());
        futures_util::future::select(Box::pin(probe), c2.runtime().sleep(10)).await;
    });
    *hang.borrow_mut() = false;
    let sent = sim.count("GET", "/stores");
    let _ = get(&sim, &c, "/stores");
    assert_eq!(
        sim.count("GET", "/stores"),
        sent + 1,
        "the next call is the new probe instead of failing fast"
    );
}

#[test]
fn rate_limit_hints_with_requests_left_or_no_reset_pause_nothing() {
    for hint in [
        vec![("x-ratelimit-remaining", "5"), ("x-ratelimit-reset", "2")],
        vec![("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "0")],
    ] {
        let sim = server(move |_, _| {
            let headers = hint.iter().map(|(k, v)| (*k, v.to_string())).collect();
            Script::Reply(200, headers, r#"{"data":{}}"#.into())
        });
        let c = client(&sim, json!({"rateLimit": false, "cache": false}));
        connect(&sim, &c);
        let events = Rc::new(RefCell::new(Vec::<Event>::new()));
        let ev = events.clone();
        c.set_on_event(move |e| ev.borrow_mut().push(e.clone()));
        let t0 = sim.0.now.get();
        get(&sim, &c, "/stores").unwrap();
        get(&sim, &c, "/products").unwrap();
        assert_eq!(sim.elapsed_since(t0), 0.0);
        assert!(events.borrow().is_empty(), "{:?}", events.borrow());
    }
}

#[test]
fn isolate_safe_mode_hands_no_concurrency_slot_between_calls() {
    let sim = server(|_, _| Script::After(250, Box::new(status(200))));
    let c = client(
        &sim,
        json!({"isolateSafe": true, "cache": false, "dedupe": false,
               "rateLimit": {"requestsPerSecond": 1000, "burst": 100, "maxConcurrent": 1}}),
    );
    connect(&sim, &c);
    let t0 = sim.0.now.get();
    let c2 = c.clone();
    sim.block_on(async move {
        let a = c2.request(Method::Get, "/a", None, CallOptions::default());
        let b = c2.request(Method::Get, "/b", None, CallOptions::default());
        let _ = futures_util::future::join(a, b).await;
    });
    // No slot is waited for (a slot freed by one Workers request must not wake another): both ran at once.
    assert_eq!(sim.elapsed_since(t0), 250.0);
}
