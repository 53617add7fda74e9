// Cloudflare Workers (workerd) entry: the runtime hands the wasm over as a compiled WebAssembly.Module.
// Instantiation touches no timer, randomness or network, so it is allowed at module scope.
import wasmModule from "./carecloud_customer_bg.wasm";
import { initSync } from "./carecloud_customer.js";
import provideWasm from "./client.js";
provideWasm(initSync({ module: wasmModule }));
export * from "./client.js";
