# Local run of the example with workerd (see README.md). Build into ./build first.
using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "build/worker.js"),
    (name = "carecloud_customer_bg.wasm", wasm = embed "build/carecloud_customer_bg.wasm"),
  ],
  compatibilityDate = "2025-06-01",
  globalOutbound = "internet",
);
