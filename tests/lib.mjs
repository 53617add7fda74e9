// Shared helpers for the JS test tiers: TAP-style output, the sandbox control API, Chromium via playwright-core.
import { chromium } from "playwright-core";

export const SANDBOX = process.env.SANDBOX_URL;
if (!SANDBOX) {
  console.log("not ok 0 - SANDBOX_URL is not set: run through `make test`");
  process.exit(1);
}
export const API = `${SANDBOX}/webservice/rest-api/customer-interface/v1.0`;

let n = 0;
let failures = 0;
/** Runs one named test; prints `ok N - name` or `not ok N - name` with the error. */
export async function test(name, fn) {
  n += 1;
  try {
    await fn();
    console.log(`ok ${n} - ${name}`);
  } catch (e) {
    failures += 1;
    console.log(`not ok ${n} - ${name}`);
    console.log(`# ${String((e && e.stack) || e).split("\n").slice(0, 6).join("\n# ")}`);
  }
}
export function done() {
  console.log(`# ${n - failures}/${n} passed`);
  process.exitCode = failures ? 1 : 0;
}
export function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}
export function eq(a, b, msg) {
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`${msg}: expected ${JSON.stringify(b)}, got ${JSON.stringify(a)}`);
}

export async function control(method, path, body) {
  const r = await fetch(`${SANDBOX}/__sandbox/${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  const t = await r.text();
  return t ? JSON.parse(t) : null;
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
           "--enable-precise-memory-info", "--js-flags=--expose-gc"],
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
