// Node ESM entry: loads the wasm synchronously from the package directory.
import { readFileSync } from "node:fs";
import { initSync } from "./carecloud_customer.js";
const wasm = initSync({ module: readFileSync(new URL("./carecloud_customer_bg.wasm", import.meta.url)) });
/** Bytes of linear memory the wasm instance holds (diagnostics, benchmarks). */
export const wasmMemoryBytes = () => wasm.memory.buffer.byteLength;
export * from "./client.js";
