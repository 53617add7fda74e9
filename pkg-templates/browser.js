// Browser and bundler entry: streams and instantiates the wasm (top-level await), then exports the client.
import init from "./carecloud_customer.js";
const wasm = await init({ module_or_path: new URL("./carecloud_customer_bg.wasm", import.meta.url) });
/** Bytes of linear memory the wasm instance holds (diagnostics, benchmarks). */
export const wasmMemoryBytes = () => wasm.memory.buffer.byteLength;
export * from "./client.js";
