// What an app bundles of carecloud-customer (the JS side; the wasm file is measured separately).
export * from "../dist/browser.js";
