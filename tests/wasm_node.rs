//! Wasm tests in Node (`wasm-pack test --node`, or the default runner).
#![cfg(target_arch = "wasm32")]
include!("wasm/common.rs");
