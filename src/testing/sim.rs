//! Simulated runtime for native tests: virtual time that jumps to the next timer when every task is stalled, a
//! scripted transport that records requests, and a seeded RNG.

use crate::error::Error;
use crate::runtime::{Fetched, HttpRequest, HttpResponse, Payload, Runtime, TransportError};
use futures_executor::LocalPool;
use futures_util::future::{FutureExt, LocalBoxFuture};
use futures_util::task::LocalSpawnExt;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// What the scripted server does with one request.
pub enum Script {
    /// Respond.
    Reply(u16, Vec<(&'static str, String)>, String),
    /// No response.
    Network,
    /// Never respond.
    Hang,
    /// Wait, then do the inner script.
    After(u64, Box<Script>),
}

/// A JSON 200 with a `data` object.
pub fn ok(data: serde_json::Value) -> Script {
    Script::Reply(200, vec![], serde_json::json!({ "data": data }).to_string())
}

/// A status with no body.
pub fn status(s: u16) -> Script {
    Script::Reply(s, vec![], String::new())
}

type Handler = Box<dyn FnMut(&HttpRequest) -> Script>;

pub struct SimState {
    pub now: Cell<f64>,
    timers: RefCell<Vec<(f64, u64, Waker)>>,
    next_timer: Cell<u64>,
    handler: RefCell<Option<Handler>>,
    pub requests: RefCell<Vec<HttpRequest>>,
    rng: Cell<u64>,
    pub aborted: Cell<u32>,
    /// Added before every scripted reply, ms (0 by default).
    pub latency_ms: Cell<u64>,
    /// What `Runtime::offline` answers (a browser's `navigator.onLine === false`).
    pub offline: Cell<bool>,
}

#[derive(Clone)]
pub struct Sim(pub Rc<SimState>);

struct Sleep {
    at: f64,
    id: u64,
    state: Rc<SimState>,
}

impl Sleep {
    fn new(state: &Rc<SimState>, ms: u64) -> Sleep {
        let id = state.next_timer.get() + 1;
        state.next_timer.set(id);
        Sleep {
            at: state.now.get() + ms as f64,
            id,
            state: state.clone(),
        }
    }
}

/// A dropped timer is cleared, as `clearTimeout` does: it no longer moves virtual time.
impl Drop for Sleep {
    fn drop(&mut self) {
        self.state
            .timers
            .borrow_mut()
            .retain(|(_, id, _)| *id != self.id);
    }
}

impl Future for Sleep {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.state.now.get() >= self.at {
            Poll::Ready(())
        } else {
            let mut timers = self.state.timers.borrow_mut();
            timers.retain(|(_, id, _)| *id != self.id);
            timers.push((self.at, self.id, cx.waker().clone()));
            Poll::Pending
        }
    }
}

/// Counts fetches dropped before they completed (the wasm transport aborts them).
struct AbortOnDrop {
    state: Rc<SimState>,
    done: bool,
}
impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if !self.done {
            self.state.aborted.set(self.state.aborted.get() + 1);
        }
    }
}

impl Sim {
    pub fn new(handler: impl FnMut(&HttpRequest) -> Script + 'static) -> Sim {
        Sim(Rc::new(SimState {
            now: Cell::new(1_700_000_000_000.0),
            timers: RefCell::new(Vec::new()),
            next_timer: Cell::new(0),
            handler: RefCell::new(Some(Box::new(handler))),
            requests: RefCell::new(Vec::new()),
            rng: Cell::new(0x1234_5678_9abc_def1),
            aborted: Cell::new(0),
            latency_ms: Cell::new(0),
            offline: Cell::new(false),
        }))
    }

    /// Requests whose URL path ends with `suffix`.
    pub fn count(&self, method: &str, suffix: &str) -> usize {
        self.0
            .requests
            .borrow()
            .iter()
            .filter(|r| {
                r.method.as_str() == method
                    && r.url.split('?').next().is_some_and(|u| u.ends_with(suffix))
            })
            .count()
    }

    pub fn elapsed_since(&self, t0: f64) -> f64 {
        self.0.now.get() - t0
    }

    /// Runs every task on the pool to completion, jumping virtual time to the next timer whenever all are stalled.
    pub fn run(&self, pool: &mut LocalPool) {
        loop {
            pool.run_until_stalled();
            let next = self
                .0
                .timers
                .borrow()
                .iter()
                .map(|(t, _, _)| *t)
                .fold(f64::INFINITY, f64::min);
            if !next.is_finite() {
                return;
            }
            if next > self.0.now.get() {
                self.0.now.set(next);
            }
            let now = self.0.now.get();
            let due: Vec<Waker> = {
                let mut timers = self.0.timers.borrow_mut();
                let (due, rest): (Vec<_>, Vec<_>) =
                    timers.drain(..).partition(|(t, _, _)| *t <= now);
                *timers = rest;
                due.into_iter().map(|(_, _, w)| w).collect()
            };
            due.into_iter().for_each(Waker::wake);
        }
    }

    /// Runs one future to completion on simulated time.
    pub fn block_on<T: 'static>(&self, fut: impl Future<Output = T> + 'static) -> T {
        let mut pool = LocalPool::new();
        let out = Rc::new(RefCell::new(None));
        let o = out.clone();
        pool.spawner()
            .spawn_local(async move {
                *o.borrow_mut() = Some(fut.await);
            })
            .expect("spawn");
        self.run(&mut pool);
        let v = out.borrow_mut().take();
        v.expect("the future did not complete: a task is stuck without a timer")
    }
}

/// What the transport makes of a scripted body: a 2xx body that is empty or a JSON object is parsed (kept as its
/// text), another 2xx body is malformed, other statuses hand over their text.
fn payload(status: u16, text: String) -> Payload<Rc<str>> {
    if !(200..300).contains(&status) {
        return Payload::Text(text);
    }
    let object = text.trim().is_empty()
        || serde_json::from_str::<serde_json::Value>(&text).is_ok_and(|v| v.is_object());
    if object {
        Payload::Parsed(text.into())
    } else {
        Payload::Malformed
    }
}

impl Runtime for Sim {
    type Value = serde_json::Value;
    type Body = Rc<str>;

    fn now_ms(&self) -> f64 {
        self.0.now.get()
    }

    fn sleep(&self, ms: u64) -> LocalBoxFuture<'static, ()> {
        Sleep::new(&self.0, ms).boxed_local()
    }

    fn offline(&self) -> bool {
        self.0.offline.get()
    }

    fn fill_random(&self, buf: &mut [u8]) -> Result<(), Error> {
        for b in buf {
            let mut x = self.0.rng.get();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0.rng.set(x);
            *b = (x >> 24) as u8;
        }
        Ok(())
    }

    fn fetch(&self, req: HttpRequest) -> LocalBoxFuture<'static, Fetched<Rc<str>>> {
        self.0.requests.borrow_mut().push(req.clone());
        let script = match self.0.handler.borrow_mut().as_mut() {
            Some(h) => h(&req),
            None => Script::Network,
        };
        let script = match self.0.latency_ms.get() {
            0 => script,
            ms => Script::After(ms, Box::new(script)),
        };
        let state = self.0.clone();
        async move {
            let mut guard = AbortOnDrop {
                state: state.clone(),
                done: false,
            };
            let mut script = script;
            loop {
                match script {
                    Script::After(ms, inner) => {
                        Sleep::new(&state, ms).await;
                        script = *inner;
                    }
                    Script::Hang => futures_util::future::pending::<()>().await,
                    Script::Network => {
                        guard.done = true;
                        return Err(TransportError::Network("connection refused".into()));
                    }
                    Script::Reply(status, headers, body) => {
                        guard.done = true;
                        return Ok((HttpResponse { status, headers }, payload(status, body)));
                    }
                }
            }
        }
        .boxed_local()
    }

    fn data(&self, body: &Rc<str>) -> serde_json::Value {
        serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.get("data").cloned())
            .unwrap_or(serde_json::Value::Null)
    }

    fn body_text(&self, body: &Rc<str>) -> Rc<str> {
        body.clone()
    }
}
