// Source of dist/node.cjs (bundled by esbuild to CommonJS, from a copy beside the glue): Node `require` entry.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { initSync } from "./carecloud_customer.js";
const wasm = initSync({ module: readFileSync(join(__dirname, "carecloud_customer_bg.wasm")) });
export const wasmMemoryBytes = () => wasm.memory.buffer.byteLength;
export * from "./client.js";
