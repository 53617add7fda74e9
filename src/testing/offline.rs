//! The offline catalogue end to end on simulated time: stale answers (when, how old, never for a customer, seen by
//! the caller), their bounds and `clearCache`, the `offline` fast fail and the `online` probe.

use super::client::{after_ms, client, server, spawn_get_at};
use crate::stale::{CopyStore, OnStale, StaleAnswer};
use crate::testing::sim::{ok, status, Script, Sim};
use crate::{CallOptions, Client, ErrorKind, Event, LogEntry, Method, Secret};
use futures_executor::LocalPool;
use serde_json::{json, Value};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

const MINUTE: f64 = 60_000.0;

/// A server whose catalogue answers while `up` is set (a drop otherwise); customer paths likewise; login and
/// logout always answer.
fn switchable(up: &Rc<Cell<bool>>, down: fn() -> Script) -> Sim {
    let up = up.clone();
    server(move |req, sig| {
        if req.url.contains("/actions/login") {
            return ok(json!({"customer_id": "alice"}));
        }
        if req.url.contains("/actions/logout") {
            return status(204);
        }
        if !up.get() {
            return down();
        }
        let path = sig.split(' ').next().unwrap_or("");
        let query = req.url.split('?').nth(1).unwrap_or("");
        ok(json!({"path": path, "query": query}))
    })
}

fn read(c: &Client<Sim>, path: &str, opts: CallOptions) -> Result<Value, crate::Error> {
    let (c2, p) = (c.clone(), path.to_string());
    c.runtime()
        .block_on(async move { c2.request(Method::Get, &p, None, opts).await })
}

fn query(pairs: &[(&str, &str)]) -> CallOptions {
    CallOptions {
        query: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..CallOptions::default()
    }
}

fn login(c: &Client<Sim>) {
    let c2 = c.clone();
    c.runtime()
        .block_on(async move { c2.login("email", "alice", &Secret::new("p")).await })
        .unwrap();
}

/// Every `stale` event and every `stale` log entry of a client.
#[derive(Default)]
struct Seen {
    events: RefCell<Vec<StaleAnswer>>,
    logs: RefCell<Vec<LogEntry>>,
}

fn watch(c: &Client<Sim>) -> Rc<Seen> {
    let seen = Rc::new(Seen::default());
    let s = seen.clone();
    c.set_on_event(move |e| {
        if let Event::Stale(a) = e {
            s.events.borrow_mut().push(a.clone());
        }
    });
    let s = seen.clone();
    c.set_on_log(move |e| {
        if e.source == "stale" {
            s.logs.borrow_mut().push(e.clone());
        }
    });
    seen
}

/// Call options whose `onStale` records what it is told.
fn flagged(pairs: &[(&str, &str)]) -> (CallOptions, Rc<RefCell<Vec<StaleAnswer>>>) {
    let told = Rc::new(RefCell::new(Vec::new()));
    let t = told.clone();
    let opts = CallOptions {
        on_stale: Some(OnStale(Rc::new(move |a: &StaleAnswer| {
            t.borrow_mut().push(a.clone())
        }))),
        ..query(pairs)
    };
    (opts, told)
}

fn advance(sim: &Sim, ms: f64) {
    sim.0.now.set(sim.0.now.get() + ms);
}

#[test]
fn a_failed_catalogue_read_is_answered_stale_with_its_age_the_event_and_the_flag() {
    let up = Rc::new(Cell::new(true));
    let sim = switchable(&up, || Script::Network);
    let c = client(&sim, json!({"rateLimit": false}));
    let seen = watch(&c);
    let fresh = read(&c, "/rewards", query(&[("count", "3")])).unwrap();
    let received = sim.0.now.get();
    up.set(false);
    advance(&sim, 10.0 * MINUTE); // past the 60 s TTL of /rewards: the cache has nothing fresh
    let (opts, told) = flagged(&[("count", "3")]);
    let stale = read(&c, "/rewards", opts).unwrap();
    assert_eq!(stale, fresh);
    let age = (sim.0.now.get() - received) as u64;
    let expected = StaleAnswer {
        path: "/rewards".into(),
        age_ms: age,
        reason: "network",
    };
    assert!(age >= 10 * 60_000, "the retries ran first: {age}");
    assert_eq!(*told.borrow(), vec![expected.clone()], "onStale");
    assert_eq!(*seen.events.borrow(), vec![expected], "stale event");
    assert_eq!(seen.logs.borrow().len(), 1, "one stale log entry");
    assert_eq!(
        sim.count("GET", "/rewards"),
        1 + 4,
        "first read, then 1 + 3 retries"
    );
    // A read that succeeds is not flagged.
    up.set(true);
    let (opts, told) = flagged(&[("count", "3")]);
    read(&c, "/rewards", opts).unwrap();
    assert!(told.borrow().is_empty());
}

#[test]
fn max_stale_age_is_honoured() {
    let up = Rc::new(Cell::new(true));
    let sim = switchable(&up, || status(503));
    let c = client(
        &sim,
        json!({"rateLimit": false, "retry": false, "stale": {"maxStaleMs": 3_600_000}}),
    );
    let seen = watch(&c);
    read(&c, "/stores", CallOptions::default()).unwrap();
    up.set(false);
    advance(&sim, 3_600_000.0 - 1.0);
    let served = read(&c, "/stores", CallOptions::default()).unwrap();
    assert_eq!(served["path"], "/stores");
    assert_eq!(seen.events.borrow()[0].reason, "unavailable");
    advance(&sim, 1.0);
    let e = read(&c, "/stores", CallOptions::default()).unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::Unavailable,
        "older than maxStaleMs: the error"
    );
    assert_eq!(seen.events.borrow().len(), 1);
}

#[test]
fn customer_data_is_never_answered_stale() {
    let up = Rc::new(Cell::new(true));
    let sim = switchable(&up, || Script::Network);
    // Even with customer paths on the stale list, the cache's partition rule keeps customers out.
    let c = client(
        &sim,
        json!({"rateLimit": false, "retry": false,
               "stale": {"paths": ["/rewards", "/customers", "/wallet"]}}),
    );
    let seen = watch(&c);
    read(&c, "/rewards", CallOptions::default()).unwrap(); // kept: no customer logged in
    login(&c);
    read(&c, "/customers", CallOptions::default()).unwrap();
    read(
        &c,
        "/wallet/actions/points-overview",
        CallOptions::default(),
    )
    .unwrap();
    read(&c, "/rewards", query(&[("mine", "1")])).unwrap();
    up.set(false);
    advance(&sim, 10.0 * MINUTE);
    for path in ["/customers", "/wallet/actions/points-overview", "/rewards"] {
        let e = read(&c, path, CallOptions::default()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Network, "{path}");
    }
    let e = read(&c, "/rewards", query(&[("mine", "1")])).unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::Network,
        "a customer's own catalogue read"
    );
    assert!(
        seen.events.borrow().is_empty(),
        "nothing stale for a customer"
    );
    // Logged out, the device's catalogue is served again.
    let c2 = c.clone();
    sim.block_on(async move { c2.logout().await }).unwrap();
    read(&c, "/rewards", CallOptions::default()).unwrap();
    assert_eq!(seen.events.borrow().len(), 1);
}

#[test]
fn client_errors_and_no_store_are_never_answered_stale() {
    let answer = Rc::new(Cell::new(200u16));
    let a = answer.clone();
    let sim = server(move |req, _| match a.get() {
        200 if req.url.contains("nostore") => Script::Reply(
            200,
            vec![("cache-control", "no-store".into())],
            r#"{"data":{}}"#.into(),
        ),
        200 => ok(json!({})),
        s => status(s),
    });
    let c = client(&sim, json!({"rateLimit": false, "retry": false}));
    let seen = watch(&c);
    read(&c, "/products", CallOptions::default()).unwrap();
    read(&c, "/products", query(&[("nostore", "1")])).unwrap();
    let no_store = CallOptions {
        no_store: true,
        ..query(&[("mine", "1")])
    };
    read(&c, "/products", no_store.clone()).unwrap();
    advance(&sim, 10.0 * MINUTE);
    for s in [404, 400, 403, 429] {
        answer.set(s);
        let e = read(&c, "/products", CallOptions::default()).unwrap_err();
        assert_eq!(e.status(), Some(s));
    }
    answer.set(500);
    let e = read(&c, "/products", query(&[("nostore", "1")])).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Server, "the server said no-store");
    let e = read(&c, "/products", no_store).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Server, "the caller said no-store");
    let kept_but_no_store = CallOptions {
        no_store: true,
        ..CallOptions::default()
    };
    let e = read(&c, "/products", kept_but_no_store).unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::Server,
        "no-store, though a copy of this read is kept"
    );
    assert!(seen.events.borrow().is_empty());
    read(&c, "/products", CallOptions::default()).unwrap();
    assert_eq!(seen.events.borrow()[0].reason, "server", "a 500 is");
}

#[test]
fn an_open_circuit_is_answered_stale() {
    let up = Rc::new(Cell::new(true));
    let sim = switchable(&up, || status(502));
    let c = client(
        &sim,
        json!({"rateLimit": false, "retry": false, "circuitBreaker": {"failureThreshold": 1, "openMs": 30000}}),
    );
    let seen = watch(&c);
    read(&c, "/languages", CallOptions::default()).unwrap();
    up.set(false);
    advance(&sim, 2.0 * 3_600_000.0);
    // POST /tokens and the first read succeeded: the 8th failure in a row is the first at 80 % of the window.
    for _ in 0..8 {
        read(&c, "/stores", CallOptions::default()).unwrap_err();
    }
    assert_eq!(c.circuit_state().as_str(), "open");
    let before = sim.count("GET", "/languages");
    read(&c, "/languages", CallOptions::default()).unwrap();
    assert_eq!(sim.count("GET", "/languages"), before, "no request");
    assert_eq!(seen.events.borrow()[0].reason, "circuit_open");
}

#[test]
fn kept_responses_are_bounded_and_cleared_by_clear_cache() {
    let up = Rc::new(Cell::new(true));
    let sim = switchable(&up, || Script::Network);
    let c = client(
        &sim,
        json!({"rateLimit": false, "retry": false, "stale": {"maxEntries": 2}}),
    );
    for offset in ["0", "1", "2"] {
        read(&c, "/rewards", query(&[("offset", offset)])).unwrap();
    }
    up.set(false);
    advance(&sim, 10.0 * MINUTE);
    let e = read(&c, "/rewards", query(&[("offset", "0")])).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network, "the oldest was dropped");
    read(&c, "/rewards", query(&[("offset", "1")])).unwrap();
    read(&c, "/rewards", query(&[("offset", "2")])).unwrap();
    c.clear_cache();
    for offset in ["1", "2"] {
        let e = read(&c, "/rewards", query(&[("offset", offset)])).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Network, "cleared");
    }
}

#[test]
fn stale_false_switches_it_off() {
    let up = Rc::new(Cell::new(true));
    let sim = switchable(&up, || Script::Network);
    let c = client(
        &sim,
        json!({"rateLimit": false, "retry": false, "stale": false}),
    );
    read(&c, "/rewards", CallOptions::default()).unwrap();
    up.set(false);
    advance(&sim, 10.0 * MINUTE);
    let e = read(&c, "/rewards", CallOptions::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network);
}

#[test]
fn offline_fails_fast_without_requests_or_retries_and_the_catalogue_is_answered_stale() {
    let up = Rc::new(Cell::new(true));
    let sim = switchable(&up, || Script::Network);
    let c = client(&sim, json!({"rateLimit": false}));
    let seen = watch(&c);
    read(&c, "/rewards", CallOptions::default()).unwrap();
    login(&c);
    read(
        &c,
        "/wallet/actions/points-overview",
        CallOptions::default(),
    )
    .unwrap();
    let sent = sim.0.requests.borrow().len();
    sim.0.offline.set(true);
    advance(&sim, 10.0 * MINUTE);
    let t0 = sim.0.now.get();
    let e = read(
        &c,
        "/wallet/actions/points-overview",
        CallOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        (e.kind(), e.kind().as_str()),
        (ErrorKind::Offline, "offline")
    );
    assert_eq!(e.attempts(), 0);
    assert!(e.is_retryable(), "later, yes");
    let c2 = c.clone();
    let w = sim
        .block_on(async move {
            c2.request(
                Method::Post,
                "/rewards/r1/actions/create-voucher",
                Some("{}".into()),
                CallOptions::default(),
            )
            .await
        })
        .unwrap_err();
    assert_eq!(w.kind(), ErrorKind::Offline);
    assert!(!w.outcome_unknown(), "nothing was sent");
    let e = read(&c, "/rewards", CallOptions::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Offline, "a customer is logged in");
    assert_eq!(sim.0.requests.borrow().len(), sent, "nothing sent");
    assert_eq!(sim.elapsed_since(t0), 0.0, "no backoff");
    assert_eq!(c.stats().retries, 0);
    assert_eq!(
        c.circuit_state().as_str(),
        "closed",
        "the breaker heard nothing"
    );
    // Logged out while offline (the device token goes too): the catalogue is answered stale, the token request
    // failing fast included.
    let c2 = c.clone();
    let _ = sim.block_on(async move { c2.logout().await });
    assert!(!c.has_token());
    let v = read(&c, "/rewards", CallOptions::default()).unwrap();
    assert_eq!(v["path"], "/rewards");
    assert_eq!(seen.events.borrow()[0].reason, "offline");
    assert_eq!(sim.0.requests.borrow().len(), sent);
}

#[test]
fn online_lets_the_open_circuit_probe_at_once() {
    let up = Rc::new(Cell::new(false));
    let sim = switchable(&up, || status(503));
    let c = client(
        &sim,
        json!({"rateLimit": false, "retry": false, "circuitBreaker": {"failureThreshold": 1, "openMs": 30000}}),
    );
    // POST /tokens succeeded: the 4th failure in a row is the first at 80 % of the window.
    for _ in 0..4 {
        read(&c, "/customers", CallOptions::default()).unwrap_err();
    }
    assert_eq!(c.circuit_state().as_str(), "open");
    up.set(true);
    let e = read(&c, "/customers", CallOptions::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::CircuitOpen, "still waiting out openMs");
    c.note_online();
    assert_eq!(c.circuit_state().as_str(), "half_open");
    read(&c, "/customers", CallOptions::default()).unwrap();
    assert_eq!(c.circuit_state().as_str(), "closed");
}

/// A kept copy: its key, body and when it was received.
type Copy = (String, Rc<str>, f64);

/// A [`CopyStore`] over a shared list: what a page's `localStorage` is to the clients of successive page loads.
#[derive(Clone, Default)]
struct Shelf(Rc<RefCell<Vec<Copy>>>);

impl CopyStore<Rc<str>> for Shelf {
    fn load(&self) -> Vec<Copy> {
        self.0.borrow().clone()
    }
    fn save(&self, url_key: &str, body: &Rc<str>, at: f64) {
        let mut kept = self.0.borrow_mut();
        kept.retain(|(k, ..)| k != url_key);
        kept.push((url_key.to_string(), body.clone(), at));
    }
    fn clear(&self) {
        self.0.borrow_mut().clear();
    }
}

impl Shelf {
    fn keys(&self) -> Vec<String> {
        self.0.borrow().iter().map(|(k, ..)| k.clone()).collect()
    }
}

/// A client of the next page load: same server, same shelf.
fn reloaded(sim: &Sim, shelf: &Shelf, options: Value) -> Client<Sim> {
    let c = client(sim, options);
    c.keep_copies_in(Box::new(shelf.clone()));
    c
}

#[test]
fn persisted_copies_answer_the_next_page_load_and_never_hold_customer_data() {
    let up = Rc::new(Cell::new(true));
    let sim = switchable(&up, || Script::Network);
    let shelf = Shelf::default();
    let persist = json!({"rateLimit": false, "retry": false, "stale": {"persist": true}});
    let first = reloaded(&sim, &shelf, persist.clone());
    let fresh = read(&first, "/rewards", query(&[("count", "3")])).unwrap();
    let received = sim.0.now.get();
    read(&first, "/languages", CallOptions::default()).unwrap();
    read(&first, "/tests/connection", CallOptions::default()).unwrap(); // not a catalogue path
    login(&first);
    read(&first, "/stores", CallOptions::default()).unwrap(); // a customer's read: never kept
    assert_eq!(shelf.keys(), ["/rewards?count=3", "/languages"]);

    // The next page load, with the network down: the copy answers, its age counted from when it was received.
    up.set(false);
    advance(&sim, 10.0 * MINUTE);
    let second = reloaded(&sim, &shelf, persist.clone());
    let (opts, told) = flagged(&[("count", "3")]);
    assert_eq!(read(&second, "/rewards", opts).unwrap(), fresh);
    let told = told.borrow();
    assert_eq!(told.len(), 1, "onStale");
    assert_eq!(told[0].age_ms, (sim.0.now.get() - received) as u64);
    assert_eq!(told[0].reason, "network");
    let e = read(&second, "/stores", CallOptions::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network, "nothing was kept for /stores");

    // Without `persist` the shelf is neither read nor written.
    let memory_only = reloaded(&sim, &shelf, json!({"rateLimit": false, "retry": false}));
    let e = read(&memory_only, "/rewards", query(&[("count", "3")])).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network);

    // Older than maxStaleMs (24 h) when loaded: not taken back.
    advance(&sim, 24.0 * 60.0 * MINUTE);
    let late = reloaded(&sim, &shelf, persist);
    let e = read(&late, "/rewards", query(&[("count", "3")])).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network);

    // clearCache() empties the shelf too.
    second.clear_cache();
    assert!(shelf.keys().is_empty());
}

#[test]
fn a_read_that_outlives_its_customer_is_kept_nowhere() {
    // A kiosk's idle sign-out while Alice's profile read is in flight: her answer still reaches its caller, but is
    // neither cached nor kept as a copy, so the next visitor (nobody logged in) never gets it.
    let sim = server(|req, _| {
        if req.url.contains("/actions/login") {
            return ok(json!({"customer_id": "alice"}));
        }
        if req.url.contains("/actions/logout") {
            return status(204);
        }
        Script::After(100, Box::new(ok(json!({"who": "alice"}))))
    });
    let shelf = Shelf::default();
    let options = json!({"rateLimit": false, "cache": {"ttlMs": {"/catalog": 60_000}},
                         "stale": {"paths": ["/catalog"], "persist": true}});
    let c = reloaded(&sim, &shelf, options);
    login(&c);
    let mut pool = LocalPool::new();
    let read = spawn_get_at(&pool, &sim, &c, "/catalog", 0, None);
    let c2 = c.clone();
    after_ms(&pool, &sim, 50, async move {
        let _ = c2.logout().await;
    });
    sim.run(&mut pool);
    let answered = read.borrow_mut().take().and_then(Result::ok);
    assert_eq!(
        answered,
        Some(json!({"who": "alice"})),
        "the caller gets its answer"
    );
    assert_eq!(c.stats().cache_entries, 0, "not cached");
    assert!(shelf.keys().is_empty(), "not kept as a copy");
    let before = sim.count("GET", "/catalog");
    read_now(&c, "/catalog");
    assert_eq!(
        sim.count("GET", "/catalog"),
        before + 1,
        "the next read goes to the network"
    );
    assert_eq!(shelf.keys(), ["/catalog"], "its own answer is kept");
}

#[test]
fn a_body_too_large_to_keep_is_not_saved_and_leaves_the_saved_copy_alone() {
    let size = Rc::new(Cell::new(10usize));
    let s = size.clone();
    let sim = server(move |_, _| ok(json!({"pad": "x".repeat(s.get())})));
    let shelf = Shelf::default();
    // maxBytes 400: a body over 100 bytes is not kept.
    let c = reloaded(
        &sim,
        &shelf,
        json!({"cache": false, "stale": {"persist": true, "maxBytes": 400}}),
    );
    read_now(&c, "/rewards");
    let small = shelf.0.borrow()[0].1.clone();
    size.set(200);
    read_now(&c, "/rewards");
    let kept = shelf.0.borrow();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].1, small, "the saved copy is still the small body");
}

/// A read on the simulated runtime that must succeed.
fn read_now(c: &Client<Sim>, path: &str) {
    read(c, path, CallOptions::default()).unwrap();
}
