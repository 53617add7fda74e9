// Browser and bundler entry. Evaluating it starts the wasm's fetch and streaming compile at once, in parallel with
// the rest of the page's JavaScript, without top-level await (so every bundler target builds it): a client can be
// constructed right away and its first call waits for the wasm.
import init from "./carecloud_customer.js";
import provideWasm from "./client.js";
provideWasm(init({ module_or_path: new URL("./carecloud_customer_bg.wasm", import.meta.url) }));
export * from "./client.js";
