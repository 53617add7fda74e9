// Tier 5: the packed npm package installed into a fresh consumer project, used from Node (import and require),
// from a browser page bundled by esbuild, and from a Cloudflare Worker run in workerd.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync, copyFileSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { API, SANDBOX, test, done, assert, eq, launch, sleep, control } from "../lib.mjs";

const root = resolve(import.meta.dirname, "../..");
const out = join(root, "tests/out/consumer");
const bin = (name) => join(root, "node_modules/.bin", name);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

let tarball;
await test("npm pack of dist/ installs into a fresh project", async () => {
  const packed = execFileSync("npm", ["pack", join(root, "dist"), "--pack-destination", out, "--silent"], { encoding: "utf8" }).trim().split("\n").pop();
  tarball = join(out, packed);
  writeFileSync(join(out, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball], { cwd: out, stdio: "inherit" });
  const files = readdirSync(join(out, "node_modules/carecloud-customer"));
  for (const f of ["index.d.ts", "openapi.d.ts", "readonly.js", "carecloud_customer_bg.wasm", "node.cjs", "workerd.js", "browser.js", "package.json", "README.md"]) {
    assert(files.includes(f), `package contains ${f}`);
  }
});

await test("the shipped TypeScript types check a strict consumer (tsc --noEmit --strict)", async () => {
  writeFileSync(join(out, "consumer.ts"), `
import { CustomerClient, CareCloudError, workersSharedCache, type Reward, type LogEntry, type Stats } from "carecloud-customer";
const logs: LogEntry[] = [];
const client = new CustomerClient({
  projectUrl: "https://sandbox.crmcarecloud.com",
  externalApplicationId: "app",
  tokenStore: { get: async (k: string) => sessionStorage.getItem(k), set: (k: string, v: string) => sessionStorage.setItem(k, v), remove: (k: string) => sessionStorage.removeItem(k) },
  retry: { maxRetries: 2 }, cache: { ttlMs: { "/rewards": 60000 } }, rateLimit: false, circuitBreaker: { failureThreshold: 5 },
  onLog: (e) => { logs.push(e); }, onEvent: (e) => { if (e.type === "deprecation") console.log(e.path, e.sunsetAt); },
  sharedCache: workersSharedCache(),
});
async function main(button: HTMLButtonElement, signal: AbortSignal): Promise<number> {
  const { customerId } = await client.login({ loginType: "email", loginValue: "a@b.c", password: "x" });
  const page = await client.rewards.list({ count: 10, is_valid: true });
  const first: Reward | undefined = page.rewards[0];
  let total = 0;
  for await (const r of client.rewards.all({}, { pageSize: 50, signal })) total += r.points_cost ?? 0;
  const voucher = await client.guard(button, () => client.rewards.redeem(first?.reward_id ?? "r1"), { minBusyMs: 300 });
  const p = client.afterPush(() => client.points.overview(), { maxDelayMs: 60000 });
  const delay: number = p.delayMs;
  const s: Stats = client.stats();
  try { await client.get<{ test_string: string }>("/tests/connection", { query: { test_string: "x" } }); }
  catch (e) { if (e instanceof CareCloudError && e.kind === "rate_limited" && e.outcomeUnknown) return -1; }
  await client.logout();
  return total + delay + s.requests + voucher.voucher_id.length + customerId.length;
}
export { main };
`);
  writeFileSync(join(out, "tsconfig.json"), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: "es2022", module: "esnext", moduleResolution: "bundler",
      lib: ["es2022", "dom", "dom.iterable"], skipLibCheck: false, types: [] },
    files: ["consumer.ts"],
  }));
  execFileSync(bin("tsc"), ["-p", join(out, "tsconfig.json")], { cwd: out, stdio: "inherit" });
});

const nodeScript = (kind) => `
${kind === "esm" ? 'import { CustomerClient, CareCloudError, VERSION } from "carecloud-customer";' : 'const { CustomerClient, CareCloudError, VERSION } = require("carecloud-customer");'}
(async () => {
  const client = new CustomerClient({ baseUrl: ${JSON.stringify(API)}, externalApplicationId: "sandbox-app" });
  const echo = await client.get("/tests/connection", { query: { test_string: "${kind}" } });
  let n = 0;
  for await (const r of client.rewards.all({}, { pageSize: 100 })) n++;
  let err;
  try { await client.rewards.get("missing"); } catch (e) { err = e; }
  await client.login({ loginType: "email", loginValue: "alice@example.com", password: "Passw0rd1" });
  const me = await client.customers.me();
  await client.logout();
  console.log(JSON.stringify({ version: VERSION, echo: echo.test_string, rewards: n, isError: err instanceof CareCloudError,
    kind: err && err.kind, status: err && err.status, name: me.personal_information.first_name }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

for (const kind of ["esm", "cjs"]) {
  await test(`Node ${kind === "esm" ? "import" : "require"}: connect, paginate, typed errors, login`, async () => {
    const file = join(out, kind === "esm" ? "node-esm.mjs" : "node-cjs.cjs");
    writeFileSync(file, nodeScript(kind));
    const r = JSON.parse(execFileSync("node", [file], { cwd: out, encoding: "utf8" }).trim().split("\n").pop());
    eq(r, { version: r.version, echo: kind, rewards: 260, isError: true, kind: "not_found", status: 404, name: "Alice" }, "node result");
    assert(/^\d+\.\d+\.\d+/.test(r.version), "version from Cargo.toml");
  });
}

await test("browser page bundled by esbuild runs the client in Chromium", async () => {
  const web = join(out, "web");
  mkdirSync(web, { recursive: true });
  writeFileSync(join(out, "page.js"), `
import { CustomerClient, CareCloudError } from "carecloud-customer";
const client = new CustomerClient({ baseUrl: ${JSON.stringify(API)}, externalApplicationId: "sandbox-app", tokenStore: "session" });
const results = {};
try {
  const list = await Promise.all([1, 2, 3].map(() => client.rewards.list({ count: 3 })));
  results.same = list.every((l) => l.total_items === 260 && l.rewards.length === 3);
  results.deduped = client.stats().dedupedRequests;
  await client.login({ loginValue: "bob@example.com", password: "Passw0rd2" });
  results.points = (await client.points.overview()).available_points >= 0;
  await client.logout();
  try { await client.get("/customers"); } catch (e) { results.afterLogout = e instanceof CareCloudError && e.kind; }
  results.localStorage = localStorage.length;
} catch (e) { results.error = String(e && e.message); }
window.__result = results;
`);
  execFileSync(bin("esbuild"), ["page.js", "--bundle", "--format=esm", "--platform=browser", "--target=es2022",
    "--outfile=web/bundle.js", "--log-level=error"], { cwd: out, stdio: "inherit" });
  // esbuild keeps `new URL("./carecloud_customer_bg.wasm", import.meta.url)`: ship the wasm beside the bundle.
  copyFileSync(join(out, "node_modules/carecloud-customer/carecloud_customer_bg.wasm"), join(web, "carecloud_customer_bg.wasm"));
  writeFileSync(join(web, "index.html"), `<!doctype html><meta charset="utf-8"><title>bundle</title><script type="module" src="bundle.js"></script>`);
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${SANDBOX}/out/consumer/web/index.html`);
    await page.waitForFunction(() => window.__result, null, { timeout: 20000 });
    const r = await page.evaluate(() => window.__result);
    eq(r, { same: true, deduped: 2, points: true, afterLogout: "forbidden", localStorage: 0 }, "bundled page");
    eq(errors, [], "page errors");
  } finally {
    await browser.close();
  }
});

async function freePort() {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => res(p)); });
  });
}

await test("examples/worker in workerd: module-scope catalogue client, per-request customer clients", async () => {
  const dir = join(out, "worker");
  mkdirSync(join(dir, "build"), { recursive: true });
  // Bundle the example from inside the consumer project, so "carecloud-customer" resolves to the installed package
  // through its `workerd` export condition.
  copyFileSync(join(root, "examples/worker/src/index.js"), join(out, "worker-src.js"));
  execFileSync(bin("esbuild"), ["worker-src.js", "--bundle", "--format=esm", "--platform=neutral", "--target=es2022",
    "--conditions=workerd,worker,browser", "--external:*.wasm", "--outfile=worker/build/worker.js", "--log-level=error",
    `--define:CARECLOUD_BASE_URL=${JSON.stringify(API)}`, `--define:CARECLOUD_APP_ID="sandbox-app"`], { cwd: out, stdio: "inherit" });
  copyFileSync(join(out, "node_modules/carecloud-customer/carecloud_customer_bg.wasm"), join(dir, "build/carecloud_customer_bg.wasm"));
  const port = await freePort();
  const capnp = readFileSync(join(root, "examples/worker/workerd.capnp"), "utf8").replace("127.0.0.1:8787", `127.0.0.1:${port}`);
  writeFileSync(join(dir, "workerd.capnp"), capnp);
  const wd = spawn(bin("workerd"), ["serve", join(dir, "workerd.capnp")], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  wd.stdout.on("data", (d) => (log += d));
  wd.stderr.on("data", (d) => (log += d));
  const at = (p, init) => fetch(`http://127.0.0.1:${port}${p}`, init).then(async (r) => ({ status: r.status, body: await r.json() }));
  try {
    let up = false;
    for (let i = 0; i < 100 && !up; i++) {
      try { await fetch(`http://127.0.0.1:${port}/nothing`); up = true; } catch { await sleep(100); }
    }
    assert(up, `workerd did not start: ${log}`);
    // Interleaved requests share the module-scope client: no "I/O on behalf of a different request" error.
    const pages = await Promise.all([0, 20, 40].map((o) => at(`/rewards?count=20&offset=${o}`)));
    for (const p of pages) eq([p.status, p.body.rewards.length, p.body.total], [200, 20, 240], `catalogue page (${log})`);
    const [a, b] = await Promise.all([
      at("/session", { method: "POST", body: JSON.stringify({ email: "alice@example.com", password: "Passw0rd1" }) }),
      at("/session", { method: "POST", body: JSON.stringify({ email: "bob@example.com", password: "Passw0rd2" }) }),
    ]);
    assert(a.status === 200 && /^[0-9a-f]{72}$/.test(a.body.token), `alice session (${JSON.stringify(a)})`);
    const [ma, mb] = await Promise.all([a, b].map((s) => at("/me/rewards", { headers: { authorization: `Bearer ${s.body.token}` } })));
    eq([ma.body.name, mb.body.name], ["Alice", "Bob"], "each request sees only its own customer");
    assert(ma.body.points === 12500 && mb.body.points === 800, `points ${ma.body.points} ${mb.body.points}`);
    const bad = await at("/session", { method: "POST", body: JSON.stringify({ email: "alice@example.com", password: "nope" }) });
    eq([bad.status, bad.body.error], [400, "bad_request"], "wrong password");
    await at("/logout", { method: "POST", headers: { authorization: `Bearer ${a.body.token}` } });
    const after = await at("/me/rewards", { headers: { authorization: `Bearer ${a.body.token}` } });
    eq(after.status, 401, "after logout the token has no customer");
  } finally {
    wd.kill();
  }
});

await test("sharedCache in workerd: catalogue reads shared across clients and requests, customer reads never", async () => {
  const dir = join(out, "shared");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(out, "shared-src.js"), `
import { CustomerClient } from "carecloud-customer";
// A shared store of copied text (what caches.default holds), visible to every request of this isolate.
const store = new Map();
const shared = { match: (k) => store.get(k), put: (k, t) => { store.set(k, t); } };
const mk = (extra) => new CustomerClient({ baseUrl: ${JSON.stringify(API)}, externalApplicationId: "sandbox-app", sharedCache: shared, ...extra });
// Two module-scope clients stand in for two isolates: their own caches are separate, the shared one is not.
const a = mk({ device: { deviceId: "shared-a" } });
const b = mk({ device: { deviceId: "shared-b" } });
export default {
  async fetch(request) {
    const u = new URL(request.url);
    const mark = u.searchParams.get("mark");
    if (u.pathname === "/a" || u.pathname === "/b") {
      const c = u.pathname === "/a" ? a : b;
      const d = await c.rewards.list({ count: 3, mark });
      return Response.json({ n: d.rewards.length, stats: c.stats(), keys: store.size });
    }
    if (u.pathname === "/customer") {
      const c = mk({ cache: false });
      await c.login({ loginValue: "alice@example.com", password: "Passw0rd1" });
      await c.rewards.list({ count: 3, mark });
      await c.rewards.list({ count: 3, mark });
      const keys = [...store.keys()].filter((k) => k.includes(mark)).length;
      await c.logout();
      return Response.json({ keys });
    }
    return new Response("nf", { status: 404 });
  },
};
`);
  execFileSync(bin("esbuild"), ["shared-src.js", "--bundle", "--format=esm", "--platform=neutral", "--target=es2022",
    "--conditions=workerd,worker,browser", "--external:*.wasm", "--outfile=shared/worker.js", "--log-level=error"], { cwd: out, stdio: "inherit" });
  copyFileSync(join(out, "node_modules/carecloud-customer/carecloud_customer_bg.wasm"), join(dir, "carecloud_customer_bg.wasm"));
  const port = await freePort();
  writeFileSync(join(dir, "config.capnp"), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .w), (name = "internet", network = (allow = ["public", "private", "local"])) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const w :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js"), (name = "carecloud_customer_bg.wasm", wasm = embed "carecloud_customer_bg.wasm") ],
  compatibilityDate = "2025-06-01", globalOutbound = "internet",
);
`);
  const wd = spawn(bin("workerd"), ["serve", join(dir, "config.capnp")], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  wd.stderr.on("data", (d) => (log += d));
  const get = (p) => fetch(`http://127.0.0.1:${port}${p}`).then((r) => r.json());
  const served = async (mark) => (await control("GET", "requests")).filter((r) => r.path === "/rewards" && r.query.includes(mark)).length;
  try {
    for (let i = 0; i < 100; i++) { try { await fetch(`http://127.0.0.1:${port}/x`); break; } catch { await sleep(100); } }
    const first = await get("/a?mark=shared1");
    const second = await get("/b?mark=shared1");
    eq([first.n, second.n], [3, 3], `pages (${log})`);
    eq(await served("mark=shared1"), 1, "the second client, in another request, was answered by the shared cache");
    eq(second.stats.cacheHits, 1, "counted as a cache hit");
    const cust = await get("/customer?mark=cust1");
    eq(cust.keys, 0, "a logged-in customer's reads never enter the shared cache");
    eq(await served("mark=cust1"), 2, "and are not answered from it");
  } finally {
    wd.kill();
  }
});

done();
