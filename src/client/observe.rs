//! Observation: the one constructor of [`LogEntry`], the log and event hooks, correlation ids, the
//! `Deprecation`/`Sunset` warnings and the server's 429s. Masked text comes from the [`Call`], masked once.

use super::call::Call;
use super::Client;
use crate::error::Error;
use crate::headers;
use crate::log::{error_structure, Event, LogEntry, RateLimit};
use crate::runtime::{HttpResponse, Runtime};
use std::cell::{Cell, RefCell};

type LogHook = Box<dyn Fn(&LogEntry)>;
type EventHook = Box<dyn Fn(&Event)>;

/// Paths warned about per client, at most (a misbehaving server must not grow the set without bound).
const MAX_WARNED: usize = 256;

/// The hooks and what observation remembers.
#[derive(Default)]
pub(super) struct Observers {
    pub(super) on_log: RefCell<Option<LogHook>>,
    pub(super) on_event: RefCell<Option<EventHook>>,
    warned: RefCell<Vec<String>>,
    seq: Cell<u64>,
}

impl<R: Runtime> Client<R> {
    /// Whether an `onLog` handler receives one entry per call (so every call must go through the client).
    pub fn listening(&self) -> bool {
        self.inner.observers.on_log.borrow().is_some()
    }

    /// Whether someone receives events (so masking a path for one is worth it).
    fn watched(&self) -> bool {
        self.inner.observers.on_event.borrow().is_some()
    }

    /// A log entry for `call` (outcome `ok`, no status yet). Masks only when someone listens.
    pub(super) fn entry(
        &self,
        call: &Call,
        source: &'static str,
        attempt: u32,
        correlation_id: String,
    ) -> LogEntry {
        let (path, query) = if self.listening() {
            (
                call.masked_path().to_string(),
                call.masked_query().to_string(),
            )
        } else {
            (String::new(), String::new())
        };
        LogEntry {
            method: call.method.as_str(),
            path,
            query,
            status: 0,
            ms: 0.0,
            attempt,
            correlation_id,
            source,
            outcome: "ok",
            error_kind: None,
            request_id: None,
            reason: None,
            detail: None,
            error_type: None,
            invalid_params: Vec::new(),
        }
    }

    /// Records a response's status and request id on its entry.
    pub(super) fn note_response(entry: &mut LogEntry, resp: &HttpResponse) {
        entry.status = resp.status;
        entry.request_id = resp.header("x-request-id").map(clean_request_id);
    }

    /// Records a failure on its entry (the message, reason and error body's structure only when someone listens).
    pub(super) fn note_failure(&self, entry: &mut LogEntry, outcome: &'static str, error: &Error) {
        entry.outcome = outcome;
        entry.error_kind = Some(error.kind().as_str());
        if self.listening() {
            entry.reason = error.reason().map(str::to_string);
            entry.detail = Some(error.message().to_string());
            (entry.error_type, entry.invalid_params) =
                error_structure(error.error_type(), error.invalid_params());
        }
    }

    pub(super) fn log(&self, entry: LogEntry) {
        if let Some(f) = self.inner.observers.on_log.borrow().as_ref() {
            f(&entry);
        }
    }

    /// Logs a read answered without an attempt: `source` is `cache`, `dedupe` or `shared-cache`.
    pub(super) fn log_local(&self, call: &Call, source: &'static str) {
        if self.listening() {
            let id = self.next_correlation_id();
            self.log(self.entry(call, source, 0, id));
        }
    }

    pub(super) fn emit(&self, e: &Event) {
        if let Some(f) = self.inner.observers.on_event.borrow().as_ref() {
            f(e);
        }
    }

    pub(super) fn next_correlation_id(&self) -> String {
        let seq = &self.inner.observers.seq;
        let n = seq.get() + 1;
        seq.set(n);
        let tag: String = self
            .inner
            .auth
            .borrow()
            .device_id
            .as_deref()
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(8)
            .collect();
        format!("cc-{tag}-{n}")
    }

    /// One `deprecation` event per path when the server sends `Deprecation`, one `sunset` event per path when it
    /// sends `Sunset` alone.
    pub(super) fn note_lifecycle(&self, call: &Call, resp: &HttpResponse) {
        let Some(lifecycle) = lifecycle(resp) else {
            return;
        };
        let path = call.masked_path().to_string();
        let event = match lifecycle {
            Lifecycle::Deprecated { at, sunset_at } => Event::Deprecation {
                path,
                deprecated_at: at,
                sunset_at,
            },
            Lifecycle::Sunset { at } => Event::Sunset {
                path,
                sunset_at: at,
            },
        };
        if self.first_warning(&event) {
            self.emit(&event);
        }
    }

    /// Whether `event` (a lifecycle event) is the first of its type on its path; remembers it.
    fn first_warning(&self, event: &Event) -> bool {
        let path = match event {
            Event::Deprecation { path, .. } | Event::Sunset { path, .. } => path,
            _ => return true,
        };
        let mut warned = self.inner.observers.warned.borrow_mut();
        let key = format!("{} {path}", event.name());
        let first = warned.len() < MAX_WARNED && !warned.contains(&key);
        if first {
            warned.push(key);
        }
        first
    }

    /// A `rate_limited` event (`source: "server"`) for every 429 the server answers.
    pub(super) fn note_refusal(&self, call: &Call, status: u16, retry_after_ms: Option<u64>) {
        if status == 429 && self.watched() {
            self.emit(&Event::RateLimited(RateLimit::Refused {
                status,
                retry_after_ms,
                path: call.masked_path().to_string(),
            }));
        }
    }
}

/// What a response says about its path's future.
#[derive(Debug, PartialEq)]
enum Lifecycle {
    /// `Deprecation` (with a date or `true`), and maybe a `Sunset` date.
    Deprecated {
        at: Option<f64>,
        sunset_at: Option<f64>,
    },
    /// `Sunset` without `Deprecation`.
    Sunset { at: f64 },
}

/// The one place the `Deprecation` and `Sunset` headers are read: `Deprecation` wins; a valid `Sunset` date alone
/// is reported on its own. `None` when neither says anything valid.
fn lifecycle(resp: &HttpResponse) -> Option<Lifecycle> {
    let sunset_at = resp.header("sunset").and_then(headers::sunset);
    match resp.header("deprecation").and_then(headers::deprecation) {
        Some(at) => Some(Lifecycle::Deprecated { at, sunset_at }),
        None => sunset_at.map(|at| Lifecycle::Sunset { at }),
    }
}

fn clean_request_id(v: &str) -> String {
    v.chars()
        .filter(|c| c.is_ascii_graphic())
        .take(128)
        .collect()
}
