//! Wasm tests in Node (`wasm-pack test --node`, or the default runner).
#![cfg(target_arch = "wasm32")]
/// Chromium's network stack (not the client) may re-send a request on a dropped keep-alive connection.
const BROWSER_TRANSPORT: bool = false;
#[path = "wasm/harness.rs"]
mod harness;
#[path = "wasm/suite.rs"]
mod suite;
#[path = "wasm/tabs_fallback.rs"]
mod tabs_fallback;
