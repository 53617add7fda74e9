// Browser and bundler entry: streams and instantiates the wasm (top-level await), then exports the client.
import init from "./carecloud_customer.js";
await init({ module_or_path: new URL("./carecloud_customer_bg.wasm", import.meta.url) });
export * from "./client.js";
