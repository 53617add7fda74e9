//! # carecloud-customer
//!
//! A resilient client for the CareCloud **customer interface**
//! (`https://{project}/webservice/rest-api/customer-interface/v1.0/`), written in Rust and compiled to
//! WebAssembly for web portals, kiosks, Node and Cloudflare Workers. It does by default what CareCloud's
//! best-practice guide asks of a client: device-token auth (never enterprise credentials), timeouts, retries with
//! full-jitter backoff and `Retry-After`, one token renewal on 401, a circuit breaker, a client-side rate limiter,
//! in-flight dedupe, a bounded identity-partitioned cache honouring `Cache-Control: max-age`, pagination, UI
//! helpers and masked structured logs.
//!
//! ## Layers
//! * The **core** (everything but `wasm`) is plain Rust over a [`Runtime`] (clock, sleep, CSPRNG, transport,
//!   JSON decoding) and a [`TokenStore`]; it is tested natively on simulated time.
//! * The **wasm shell** (`wasm` module, on `wasm32` only) binds the global `fetch`, timers, `crypto` and storage,
//!   and exports `CustomerClient` to JavaScript.
//!
//! ## Usage (Rust, any runtime)
//! ```
//! use carecloud_customer::{Config, ErrorKind};
//! let cfg = Config::from_json_str(
//!     r#"{"projectUrl": "https://sandbox.crmcarecloud.com", "externalApplicationId": "sandbox-app"}"#,
//! ).unwrap();
//! assert_eq!(cfg.base_url, "https://sandbox.crmcarecloud.com/webservice/rest-api/customer-interface/v1.0");
//! // Enterprise credentials are refused before any request:
//! let err = Config::from_json_str(
//!     r#"{"projectUrl": "https://x.com", "externalApplicationId": "a", "password": "secret"}"#,
//! ).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::Config);
//! ```
//! With a runtime, `Client::new(cfg, runtime, Box::new(MemoryStore::new()))` then
//! `client.request(Method::Get, "/rewards", None, CallOptions::default()).await`.
//!
//! ## Errors
//! Every failure is one [`Error`] with a stable [`ErrorKind`]; JS sees a `CareCloudError` with the same `kind`.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod cache;
pub mod circuit;
mod client;
mod config;
mod envelope;
mod error;
mod headers;
mod json;
mod log;
#[cfg(feature = "serde")]
pub mod models;
mod paginate;
pub mod rate_limit;
pub mod retry;
mod runtime;
mod secret;
pub mod stale;
mod tabs;
mod token_store;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod testing;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use client::{CallOptions, Client, Stats};
pub use config::{Config, DeviceInfo, Setup, API_PATH};
pub use error::{Error, ErrorKind, InvalidParam};
pub use log::{Event, LogEntry, ParamIssue, RateLimit};
pub use paginate::Paginator;
pub use runtime::{
    BodySize, Fetched, HttpRequest, HttpResponse, Method, Payload, Runtime, TransportError,
    READ_HEADERS,
};
pub use secret::Secret;
pub use token_store::{MemoryStore, TokenStore};

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
