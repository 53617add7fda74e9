// Cloudflare Workers (workerd) entry: the runtime hands the wasm over as a compiled WebAssembly.Module.
// Instantiation touches no timer, randomness or network, so it is allowed at module scope.
import wasmModule from "./carecloud_customer_bg.wasm";
import { initSync } from "./carecloud_customer.js";
const wasm = initSync({ module: wasmModule });
export const wasmMemoryBytes = () => wasm.memory.buffer.byteLength;
export * from "./client.js";
