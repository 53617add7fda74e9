// Node ESM entry: loads the wasm synchronously from the package directory.
import { readFileSync } from "node:fs";
import { initSync } from "./carecloud_customer.js";
import provideWasm from "./client.js";
provideWasm(initSync({ module: readFileSync(new URL("./carecloud_customer_bg.wasm", import.meta.url)) }));
export * from "./client.js";
