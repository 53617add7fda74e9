//! Conversions between JS values and the core's types: errors, log entries, events, stats, call options.

use crate::client::{CallOptions, Stats};
use crate::error::Error;
use crate::log::{Event, LogEntry, RateLimit};
use crate::stale::{OnStale, StaleAnswer};
use js_sys::{Array, Function, Object, Reflect};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

thread_local! {
    /// The JS strings made for `name`, by the address of their `'static` text (a few dozen literals).
    static NAMES: std::cell::RefCell<Vec<((usize, usize), JsValue)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A JS string for a property name or other constant, made once per literal and reused: sent across the boundary
/// once, not per call. (Keyed by address, a short scan: lighter than wasm-bindgen's hashed `intern` cache.)
pub fn name(k: &'static str) -> JsValue {
    let key = (k.as_ptr() as usize, k.len());
    NAMES.with(|names| {
        if let Some((_, v)) = names.borrow().iter().find(|(p, _)| *p == key) {
            return v.clone();
        }
        let v = JsValue::from_str(k);
        names.borrow_mut().push((key, v.clone()));
        v
    })
}

pub fn set(o: &Object, k: &'static str, v: impl Into<JsValue>) {
    let _ = Reflect::set(o, &name(k), &v.into());
}

pub fn get(o: &JsValue, k: &'static str) -> JsValue {
    if !(o.is_object() || o.is_function()) {
        return JsValue::UNDEFINED;
    }
    Reflect::get(o, &name(k)).unwrap_or(JsValue::UNDEFINED)
}

fn opt_str(v: Option<&str>) -> JsValue {
    v.map_or(JsValue::UNDEFINED, JsValue::from_str)
}

/// A `CareCloudError`: a JS `Error` named `CareCloudError` with `kind`, `status`, `reason`, `invalidParams`,
/// `retryable`, `outcomeUnknown`, `requestId` and `attempts`.
pub fn error_to_js(e: &Error) -> JsValue {
    let err = js_sys::Error::new(e.message());
    err.set_name("CareCloudError");
    let o: &Object = err.as_ref();
    set(o, "kind", e.kind().as_str());
    set(o, "code", e.kind().as_str());
    set(
        o,
        "status",
        e.status()
            .map_or(JsValue::UNDEFINED, |s| JsValue::from_f64(f64::from(s))),
    );
    set(o, "reason", opt_str(e.reason()));
    let params = Array::new();
    for p in e.invalid_params() {
        let po = Object::new();
        set(&po, "name", p.name.as_str());
        set(&po, "reason", p.reason.as_str());
        set(&po, "message", opt_str(p.message.as_deref()));
        params.push(&po);
    }
    set(o, "invalidParams", params);
    set(o, "retryable", e.is_retryable());
    set(o, "outcomeUnknown", e.outcome_unknown());
    set(o, "requestId", opt_str(e.request_id()));
    set(o, "attempts", f64::from(e.attempts()));
    err.into()
}

pub fn log_to_js(e: &LogEntry) -> JsValue {
    let o = Object::new();
    set(&o, "method", e.method);
    set(&o, "path", e.path.as_str());
    set(&o, "query", e.query.as_str());
    set(&o, "status", f64::from(e.status));
    set(&o, "ms", e.ms);
    set(&o, "attempt", f64::from(e.attempt));
    set(&o, "correlationId", e.correlation_id.as_str());
    set(&o, "source", e.source);
    set(&o, "outcome", e.outcome);
    set(&o, "errorKind", opt_str(e.error_kind));
    set(&o, "requestId", opt_str(e.request_id.as_deref()));
    set(&o, "reason", opt_str(e.reason.as_deref()));
    set(&o, "detail", opt_str(e.detail.as_deref()));
    set(&o, "errorType", opt_str(e.error_type.as_deref()));
    if !e.invalid_params.is_empty() {
        let params = Array::new();
        for p in &e.invalid_params {
            let po = Object::new();
            set(&po, "name", p.name.as_str());
            set(&po, "reason", p.reason.as_str());
            params.push(&po);
        }
        set(&o, "invalidParams", params);
    }
    set(&o, "time", js_sys::Date::now());
    o.into()
}

pub fn event_to_js(e: &Event) -> JsValue {
    let o = Object::new();
    set(&o, "type", e.name());
    match e {
        Event::Deprecation {
            path,
            deprecated_at,
            sunset_at,
        } => {
            set(&o, "path", path.as_str());
            set(
                &o,
                "deprecatedAt",
                deprecated_at.map_or(JsValue::UNDEFINED, JsValue::from_f64),
            );
            set(
                &o,
                "sunsetAt",
                sunset_at.map_or(JsValue::UNDEFINED, JsValue::from_f64),
            );
        }
        Event::Sunset { path, sunset_at } => {
            set(&o, "path", path.as_str());
            set(&o, "sunsetAt", *sunset_at);
        }
        Event::RateLimited(r) => {
            set(&o, "source", r.source());
            match r {
                RateLimit::Refused {
                    status,
                    retry_after_ms,
                    path,
                } => {
                    set(&o, "status", f64::from(*status));
                    set(
                        &o,
                        "retryAfterMs",
                        retry_after_ms
                            .map_or(JsValue::UNDEFINED, |ms| JsValue::from_f64(ms as f64)),
                    );
                    set(&o, "path", path.as_str());
                }
                RateLimit::Window { pause_ms, path } => {
                    set(&o, "pauseMs", *pause_ms as f64);
                    set(&o, "path", path.as_str());
                }
                RateLimit::Queued {
                    queue_length,
                    wait_ms,
                } => {
                    set(&o, "queueLength", f64::from(*queue_length));
                    set(&o, "waitMs", *wait_ms as f64);
                }
            }
        }
        Event::Stale(a) => set_stale(&o, a),
        _ => {}
    }
    o.into()
}

/// `{path, ageMs, reason}` of a stale answer, on the `stale` event and the object `onStale` receives.
fn set_stale(o: &Object, a: &StaleAnswer) {
    set(o, "path", a.path.as_str());
    set(o, "ageMs", a.age_ms as f64);
    set(o, "reason", a.reason);
}

/// A call's `onStale` function, if given.
fn on_stale(opts: &JsValue) -> Result<Option<OnStale>, Error> {
    let f = get(opts, "onStale");
    if f.is_undefined() || f.is_null() {
        return Ok(None);
    }
    let f: Function = f
        .dyn_into()
        .map_err(|_| Error::config("onStale must be a function"))?;
    Ok(Some(OnStale(Rc::new(move |a| {
        let o = Object::new();
        set_stale(&o, a);
        let _ = f.call1(&JsValue::UNDEFINED, &o);
    }))))
}

pub fn stats_to_js(s: &Stats, circuit: &str) -> JsValue {
    let o = Object::new();
    set(&o, "requests", s.requests as f64);
    set(&o, "networkRequests", s.network_requests as f64);
    set(&o, "dedupedRequests", s.deduped_requests as f64);
    set(&o, "cacheHits", s.cache_hits as f64);
    set(&o, "retries", s.retries as f64);
    set(&o, "tokenRenewals", s.token_renewals as f64);
    set(&o, "cacheEntries", s.cache_entries as f64);
    set(&o, "inFlight", s.in_flight as f64);
    set(&o, "circuitState", circuit);
    o.into()
}

/// A query value as CareCloud expects it: strings as-is, numbers and booleans stringified, arrays as repeated
/// `key[]` pairs; `null`/`undefined` skipped.
pub fn query_from_js(q: &JsValue) -> Result<Vec<(String, String)>, Error> {
    let mut out = Vec::new();
    if q.is_undefined() || q.is_null() {
        return Ok(out);
    }
    if !q.is_object() {
        return Err(Error::config("query must be an object"));
    }
    let entries = Object::entries(q.unchecked_ref());
    for entry in entries.iter() {
        let pair: Array = entry.unchecked_into();
        let key = pair.get(0).as_string().unwrap_or_default();
        let v = pair.get(1);
        if Array::is_array(&v) {
            let k = if key.ends_with("[]") {
                key.clone()
            } else {
                format!("{key}[]")
            };
            for item in Array::from(&v).iter() {
                if let Some(s) = scalar(&item)? {
                    out.push((k.clone(), s));
                }
            }
        } else if let Some(s) = scalar(&v)? {
            out.push((key, s));
        }
    }
    Ok(out)
}

fn scalar(v: &JsValue) -> Result<Option<String>, Error> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    if let Some(s) = v.as_string() {
        return Ok(Some(s));
    }
    if let Some(b) = v.as_bool() {
        return Ok(Some(b.to_string()));
    }
    if let Some(n) = v.as_f64() {
        if !n.is_finite() {
            return Err(Error::config("query numbers must be finite"));
        }
        // JS formatting (`String(n)`), which is what a JS caller expects and keeps float printing out of the wasm.
        return Ok(js_sys::JSON::stringify(v).ok().and_then(|s| s.as_string()));
    }
    Err(Error::config(
        "query values must be strings, numbers, booleans or arrays of them",
    ))
}

/// Call options from `{query, cache, timeoutMs, idempotencyKey, onStale}` (the `signal` is read by the caller).
pub fn call_options(opts: &JsValue) -> Result<CallOptions, Error> {
    let mut o = CallOptions {
        query: query_from_js(&get(opts, "query"))?,
        on_stale: on_stale(opts)?,
        ..Default::default()
    };
    match get(opts, "cache").as_string().as_deref() {
        None | Some("default") => {}
        Some("no-cache") | Some("reload") => o.no_cache = true,
        Some("no-store") => o.no_store = true,
        Some(_) => {
            return Err(Error::config(
                "cache must be \"default\", \"no-cache\", \"reload\" or \"no-store\"",
            ))
        }
    }
    let t = get(opts, "timeoutMs");
    if !t.is_undefined() {
        let r = crate::config::TIMEOUT_MS;
        match t.as_f64() {
            Some(ms) if ms >= *r.start() as f64 && ms <= *r.end() as f64 => {
                o.timeout_ms = Some(ms as u64)
            }
            _ => {
                return Err(Error::config(format!(
                    "timeoutMs must be between {} and {}",
                    r.start(),
                    r.end()
                )))
            }
        }
    }
    let k = get(opts, "idempotencyKey");
    if !k.is_undefined() {
        match k.as_string() {
            Some(s)
                if !s.is_empty() && s.len() <= 255 && s.bytes().all(|b| b.is_ascii_graphic()) =>
            {
                o.idempotency_key = Some(s)
            }
            _ => {
                return Err(Error::config(
                    "idempotencyKey must be 1–255 printable ASCII characters",
                ))
            }
        }
    }
    Ok(o)
}
