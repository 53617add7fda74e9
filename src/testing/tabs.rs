//! Tabs of one browser sharing a device token, on simulated time: a bus stands in for `BroadcastChannel` (news
//! delivered to every other tab after `delay_ms`) and the Web Locks API (one holder, FIFO), and answers `newest`
//! from the other tabs' state as the shell's question-and-answer round does.

use super::client::get;
use super::client::{client, server};
use crate::tabs::{TabLock, TabNews, TabShare, TabToken};
use crate::testing::sim::{ok, status, Script, Sim};
use crate::{Client, MemoryStore, Runtime, Secret, TokenStore};
use futures_channel::oneshot;
use futures_executor::LocalPool;
use futures_util::future::{FutureExt, LocalBoxFuture};
use futures_util::task::LocalSpawnExt;
use serde_json::{json, Value};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

struct Bus {
    sim: Sim,
    spawner: futures_executor::LocalSpawner,
    tabs: RefCell<Vec<Client<Sim>>>,
    /// How long news takes to reach the other tabs.
    delay_ms: Cell<u64>,
    locked: Cell<bool>,
    queue: RefCell<VecDeque<oneshot::Sender<()>>>,
    /// Every `newest` question asked.
    asked: Cell<u32>,
}

impl Bus {
    fn release(bus: &Rc<Bus>) {
        loop {
            let next = bus.queue.borrow_mut().pop_front();
            match next.map(|tx| tx.send(())) {
                Some(Ok(())) => return,    // the lock passes to the next waiter
                Some(Err(())) => continue, // that waiter went away
                None => {
                    bus.locked.set(false);
                    return;
                }
            }
        }
    }
}

struct Tab {
    bus: Rc<Bus>,
    me: usize,
}

impl TabShare for Tab {
    fn lock(&self) -> LocalBoxFuture<'static, TabLock> {
        let bus = self.bus.clone();
        async move {
            if bus.locked.replace(true) {
                let (tx, rx) = oneshot::channel();
                bus.queue.borrow_mut().push_back(tx);
                let _ = rx.await;
            }
            TabLock::new(move || Bus::release(&bus))
        }
        .boxed_local()
    }

    fn newest(&self, device_id: &str, _wait_ms: u64) -> LocalBoxFuture<'static, Option<TabToken>> {
        let (bus, me, device_id) = (self.bus.clone(), self.me, device_id.to_string());
        bus.asked.set(bus.asked.get() + 1);
        let answer_time = bus.sim.sleep(1);
        async move {
            answer_time.await; // the other tabs answer what they hold when the question reaches them
            let tabs = bus.tabs.borrow();
            let others = tabs.iter().enumerate().filter(|(i, _)| *i != me);
            others
                .filter_map(|(_, c)| c.tab_token(&device_id))
                .max_by_key(|t| t.epoch)
        }
        .boxed_local()
    }

    fn tell(&self, news: &TabNews) {
        for (i, c) in self.bus.tabs.borrow().iter().enumerate() {
            if i == self.me {
                continue;
            }
            let (c, news, sleep) = (
                c.clone(),
                news.clone(),
                self.bus.sim.sleep(self.bus.delay_ms.get()),
            );
            let _ = self.bus.spawner.spawn_local(async move {
                sleep.await;
                c.receive(news).await;
            });
        }
    }
}

/// `n` tabs over one simulated server, sharing through one bus; each tab gets `extra` options.
fn tabs(sim: &Sim, pool: &LocalPool, n: usize, extra: Value) -> (Rc<Bus>, Vec<Client<Sim>>) {
    let bus = Rc::new(Bus {
        sim: sim.clone(),
        spawner: pool.spawner(),
        tabs: RefCell::default(),
        delay_ms: Cell::new(0),
        locked: Cell::new(false),
        queue: RefCell::default(),
        asked: Cell::new(0),
    });
    for me in 0..n {
        let c = client(sim, extra.clone());
        c.set_tab_share(Rc::new(Tab {
            bus: bus.clone(),
            me,
        }));
        bus.tabs.borrow_mut().push(c);
    }
    let clients = bus.tabs.borrow().clone();
    (bus, clients)
}

fn device(id: &str) -> Value {
    json!({"rateLimit": false, "circuitBreaker": false, "device": {"deviceId": id}})
}

/// Spawns `fut` on the pool; its output lands in the returned cell.
fn spawn<T: 'static>(
    pool: &LocalPool,
    fut: impl std::future::Future<Output = T> + 'static,
) -> Rc<RefCell<Option<T>>> {
    let out = Rc::new(RefCell::new(None));
    let o = out.clone();
    pool.spawner()
        .spawn_local(async move { *o.borrow_mut() = Some(fut.await) })
        .unwrap();
    out
}

/// The bearer tokens the server saw on `path`, in order.
fn bearers(sim: &Sim, path: &str) -> Vec<String> {
    sim.0
        .requests
        .borrow()
        .iter()
        .filter(|r| r.url.split('?').next().is_some_and(|u| u.ends_with(path)))
        .filter_map(|r| {
            r.headers
                .iter()
                .find(|(k, _)| k == "Authorization")
                .map(|(_, v)| v.trim_start_matches("Bearer ").to_string())
        })
        .collect()
}

#[test]
fn tabs_opened_together_share_one_post_tokens() {
    let sim = server(|_, _| ok(json!({})));
    sim.0.latency_ms.set(50); // the tabs' calls overlap
    let mut pool = LocalPool::new();
    let (_, t) = tabs(&sim, &pool, 3, device("d1"));
    let outs: Vec<_> = t.iter().map(|c| spawn(&pool, get(c, "/stores"))).collect();
    sim.run(&mut pool);
    assert!(outs.iter().all(|o| matches!(*o.borrow(), Some(Ok(_)))));
    assert_eq!(
        sim.count("POST", "/tokens"),
        1,
        "one token for the three tabs"
    );
    assert_eq!(bearers(&sim, "/stores"), vec!["t1"; 3]);
}

/// The rule that stops a renew ping-pong: tab A renews after a 401; tab B, whose call with the old token also got
/// a 401, takes A's new token instead of renewing again (which would invalidate A's). Checked both when B learns of
/// the new token only by asking under the lock (the news is slow) and when the news arrives while B waits.
#[test]
fn a_tab_that_sees_a_401_after_another_renewed_adopts_the_new_token() {
    for delay in [10_000, 0] {
        let sim = server(|_, sig| {
            if sig.ends_with("Bearer t1") {
                status(401) // t1 was replaced server-side (e.g. by another device's client)
            } else {
                ok(json!({}))
            }
        });
        sim.0.latency_ms.set(50);
        let mut pool = LocalPool::new();
        let (bus, t) = tabs(&sim, &pool, 2, device("d1"));
        let a = t[0].clone();
        let first = spawn(&pool, async move { a.connect().await });
        sim.run(&mut pool);
        assert!(matches!(*first.borrow(), Some(Ok(()))));
        bus.delay_ms.set(delay);
        let outs: Vec<_> = (0..10)
            .map(|i| spawn(&pool, get(&t[i % 2], &format!("/stores/s{i}"))))
            .collect();
        sim.run(&mut pool);
        assert!(
            outs.iter().all(|o| matches!(*o.borrow(), Some(Ok(_)))),
            "delay {delay}: every call succeeded"
        );
        assert_eq!(
            sim.count("POST", "/tokens"),
            2,
            "delay {delay}: the first token, then one renewal for both tabs"
        );
        assert_eq!(t[0].stats().token_renewals + t[1].stats().token_renewals, 1);
        // Both tabs go on with t2: no further renewals.
        let after: Vec<_> = t.iter().map(|c| spawn(&pool, get(c, "/rewards"))).collect();
        sim.run(&mut pool);
        assert!(after.iter().all(|o| matches!(*o.borrow(), Some(Ok(_)))));
        assert_eq!(bearers(&sim, "/rewards"), vec!["t2"; 2], "delay {delay}");
        assert_eq!(sim.count("POST", "/tokens"), 2);
    }
}

#[test]
fn login_and_logout_in_one_tab_apply_to_every_tab() {
    let sim = server(|req, _| {
        if req.url.contains("/actions/login") {
            ok(json!({"customer_id": "alice"}))
        } else {
            ok(json!({}))
        }
    });
    let mut pool = LocalPool::new();
    let (_, t) = tabs(&sim, &pool, 2, device("d1"));
    let events = Rc::new(RefCell::new(Vec::new()));
    let ev = events.clone();
    t[1].set_on_event(move |e| ev.borrow_mut().push(e.name()));
    let a = t[0].clone();
    let login = spawn(&pool, async move {
        a.login("email", "alice@example.com", &Secret::new("Passw0rd1"))
            .await
    });
    sim.run(&mut pool);
    assert_eq!(
        login
            .borrow()
            .as_ref()
            .and_then(|r| r.as_ref().ok())
            .map(String::as_str),
        Some("alice")
    );
    assert_eq!(
        t[1].customer_id().as_deref(),
        Some("alice"),
        "the other tab knows"
    );
    let a = t[0].clone();
    let logout = spawn(&pool, async move { a.logout().await });
    sim.run(&mut pool);
    assert!(matches!(*logout.borrow(), Some(Ok(()))));
    assert_eq!(t[1].customer_id(), None, "logged out in the other tab too");
    assert_eq!(*events.borrow(), vec!["session_expired"]);
    assert_eq!(sim.count("POST", "/tokens"), 1);
}

#[test]
fn a_dropped_token_is_dropped_in_every_tab_and_replaced_once() {
    let sim = server(|req, _| {
        if req.url.contains("/actions/logout") {
            Script::Network
        } else {
            ok(json!({}))
        }
    });
    let mut pool = LocalPool::new();
    let (_, t) = tabs(&sim, &pool, 2, device("d1"));
    let (a, b) = (t[0].clone(), t[1].clone());
    let r = spawn(&pool, async move {
        a.connect().await?;
        b.connect().await?;
        a.logout().await
    });
    sim.run(&mut pool);
    assert!(matches!(*r.borrow(), Some(Err(_))), "the logout failed");
    assert!(
        !t[0].has_token() && !t[1].has_token(),
        "both tabs dropped t1"
    );
    let outs: Vec<_> = t.iter().map(|c| spawn(&pool, get(c, "/stores"))).collect();
    sim.run(&mut pool);
    assert!(outs.iter().all(|o| matches!(*o.borrow(), Some(Ok(_)))));
    assert_eq!(
        bearers(&sim, "/stores"),
        vec!["t2"; 2],
        "one new token for both"
    );
}

#[test]
fn tabs_of_different_devices_do_not_share() {
    let sim = server(|_, _| ok(json!({})));
    let mut pool = LocalPool::new();
    let (bus, t) = tabs(&sim, &pool, 1, device("d1"));
    let other = client(&sim, device("d2"));
    other.set_tab_share(Rc::new(Tab {
        bus: bus.clone(),
        me: 1,
    }));
    bus.tabs.borrow_mut().push(other.clone());
    let outs = [
        spawn(&pool, get(&t[0], "/stores")),
        spawn(&pool, get(&other, "/stores")),
    ];
    sim.run(&mut pool);
    assert!(outs.iter().all(|o| matches!(*o.borrow(), Some(Ok(_)))));
    assert_eq!(sim.count("POST", "/tokens"), 2);
    let mut seen = bearers(&sim, "/stores");
    seen.sort();
    assert_eq!(seen, vec!["t1", "t2"]);
}

/// A device store (localStorage in browsers) keeps the device id across reloads; the token store never holds
/// it then, and the `deviceId` option wins over both.
#[test]
fn the_device_id_survives_a_reload_in_the_device_store() {
    let sim = server(|_, _| ok(json!({})));
    let device_store = Rc::new(MemoryStore::new());
    let device_ids = |sim: &Sim| -> Vec<String> {
        sim.0
            .requests
            .borrow()
            .iter()
            .filter(|r| r.url.ends_with("/tokens"))
            .filter_map(|r| {
                let b: Value = serde_json::from_str(r.body.as_deref()?).ok()?;
                b["device"]["device_id"].as_str().map(str::to_string)
            })
            .collect()
    };
    let mut token_stores = Vec::new();
    for _page_load in 0..2 {
        let store = MemoryStore::new();
        let c = Client::new(
            super::client::config(json!({})),
            sim.clone(),
            Box::new(store.clone()),
        );
        c.set_device_store(device_store.clone());
        let c2 = c.clone();
        sim.block_on(async move { c2.connect().await }).unwrap();
        token_stores.push(store);
    }
    let ids = device_ids(&sim);
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0], ids[1], "the reload kept its device id");
    assert_eq!(
        device_store.len(),
        1,
        "only the device id in the device store"
    );
    let key = "carecloud:sandbox-app:device";
    let kept = device_store.get(key).now_or_never();
    assert_eq!(kept.and_then(Result::ok).flatten().as_ref(), Some(&ids[0]));
    for s in &token_stores {
        assert_eq!(
            s.get(key).now_or_never().and_then(Result::ok).flatten(),
            None
        );
    }
    // The option wins, and is not written anywhere.
    let c = client(&sim, json!({"device": {"deviceId": "fixed"}}));
    c.set_device_store(device_store.clone());
    let c2 = c.clone();
    sim.block_on(async move { c2.connect().await }).unwrap();
    assert_eq!(device_ids(&sim).last().map(String::as_str), Some("fixed"));
    assert_eq!(device_store.len(), 1);
}

/// A lock that is never granted (a stuck holder) delays token creation by at most `totalTimeoutMs`; then the tab
/// goes on alone.
#[test]
fn a_stuck_lock_delays_token_creation_by_at_most_the_total_timeout() {
    let sim = server(|_, _| ok(json!({})));
    let pool = LocalPool::new();
    let (bus, t) = tabs(
        &sim,
        &pool,
        1,
        json!({"totalTimeoutMs": 5000, "device": {"deviceId": "d1"}}),
    );
    bus.locked.set(true);
    let t0 = sim.now_ms();
    let c = t[0].clone();
    sim.block_on(async move { c.connect().await }).unwrap();
    let waited = sim.elapsed_since(t0);
    assert!((5000.0..5100.0).contains(&waited), "{waited}");
    assert_eq!(sim.count("POST", "/tokens"), 1);
}

#[test]
fn without_tab_sharing_each_client_is_its_own_tab() {
    let sim = server(|_, _| ok(json!({})));
    let a = client(&sim, device("d1"));
    let b = client(&sim, device("d1"));
    for c in [a, b] {
        sim.block_on(async move { c.connect().await }).unwrap();
    }
    assert_eq!(
        sim.count("POST", "/tokens"),
        2,
        "today's behaviour: no sharing"
    );
}

/// News from other tabs that is late (about an older token) or about another device changes nothing; news about
/// the token this tab holds applies.
#[test]
fn stale_or_foreign_tab_news_is_ignored() {
    let mut first = true;
    let sim = server(move |_, _| {
        if std::mem::take(&mut first) {
            status(401) // the first call renews: t1 (epoch 1) → t2 (epoch 2)
        } else {
            ok(json!({}))
        }
    });
    let c = client(&sim, device("d1"));
    let events = Rc::new(RefCell::new(Vec::new()));
    let ev = events.clone();
    c.set_on_event(move |e| ev.borrow_mut().push(e.name()));
    sim.block_on(get(&c, "/stores/s1")).unwrap();
    assert_eq!(bearers(&sim, "/stores/s1"), vec!["t1", "t2"]);
    let tell = |news: TabNews| {
        let c = c.clone();
        sim.block_on(async move { c.receive(news).await });
    };
    let customer = |epoch, id: Option<&str>| TabNews::Customer {
        device_id: "d1".into(),
        epoch,
        customer_id: id.map(str::to_string),
    };
    // The renewed token's news arrives late in a tab that already holds it: t1 (epoch 1) is not taken back.
    tell(TabNews::Token(TabToken {
        device_id: "d1".into(),
        token: Secret::new("t1"),
        epoch: 1,
        customer_id: None,
    }));
    // A login on the old token, a token of another device, a drop of the old token: all ignored.
    tell(customer(1, Some("bob")));
    tell(TabNews::Token(TabToken {
        device_id: "d2".into(),
        token: Secret::new("t9"),
        epoch: 9,
        customer_id: None,
    }));
    tell(TabNews::Forget {
        device_id: "d1".into(),
        epoch: 1,
    });
    // A logout on the current token while nobody is logged in here: nothing to end, no event.
    tell(customer(2, None));
    assert_eq!(c.customer_id(), None);
    assert!(events.borrow().iter().all(|e| *e != "session_expired"));
    sim.block_on(get(&c, "/stores/s2")).unwrap();
    assert_eq!(
        bearers(&sim, "/stores/s2"),
        vec!["t2"],
        "still the renewed token"
    );
    assert_eq!(sim.count("POST", "/tokens"), 2);
    // News about the current token applies: a login, then a drop of the token.
    tell(customer(2, Some("bob")));
    assert_eq!(c.customer_id().as_deref(), Some("bob"));
    tell(TabNews::Forget {
        device_id: "d1".into(),
        epoch: 2,
    });
    assert_eq!(c.customer_id(), None);
    assert_eq!(events.borrow().last().copied(), Some("session_expired"));
    sim.block_on(get(&c, "/stores/s3")).unwrap();
    assert_eq!(
        bearers(&sim, "/stores/s3"),
        vec!["t3"],
        "a new token after the drop"
    );
}
