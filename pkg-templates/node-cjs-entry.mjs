// Source of dist/node.cjs (bundled by esbuild to CommonJS, from a copy beside the glue): Node `require` entry.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { initSync } from "./carecloud_customer.js";
import provideWasm from "./client.js";
provideWasm(initSync({ module: readFileSync(join(__dirname, "carecloud_customer_bg.wasm")) }));
export * from "./client.js";
