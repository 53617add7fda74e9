// Tier 5: the packed npm package installed into a fresh consumer project, used from Node (import and require),
// from a browser page bundled by esbuild, and from a Cloudflare Worker run in workerd.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync, copyFileSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { Miniflare } from "miniflare";
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
  for (const f of ["index.d.ts", "openapi.d.ts", "readonly.js", "copies.js", "carecloud_customer_bg.wasm", "node.cjs", "workerd.js", "browser.js", "package.json", "README.md"]) {
    assert(files.includes(f), `package contains ${f}`);
  }
});

// Calls typed by path: each `// @ts-expect-error` line must be a compile error (an unused one fails tsc), and the
// correct calls around them must compile.
const typedCalls = `
import { CustomerClient, type Card, type Customer, type PointHistoryRecord, type ResponseData, type operations } from "carecloud-customer";
declare const client: CustomerClient;
export async function typed(customer_id: string, me: Customer): Promise<unknown[]> {
  const cards = await client.get("/customers/{customer_id}/cards", { path: { customer_id }, query: { count: 5, is_valid: true } });
  const first: Card | undefined = cards.cards?.[0];
  const total: number | undefined = cards.total_items;
  // @ts-expect-error wrong path parameter name
  await client.get("/customers/{customer_id}/cards", { path: { customerId: customer_id } });
  // @ts-expect-error path parameters missing
  await client.get("/customers/{customer_id}/cards");
  // @ts-expect-error wrong query type (count is a number)
  await client.get("/customers/{customer_id}/cards", { path: { customer_id }, query: { count: "5" } });
  // @ts-expect-error unknown query parameter
  await client.get("/customers/{customer_id}/cards", { path: { customer_id }, query: { colour: "red" } });
  // @ts-expect-error the response has no such field
  cards.card_list;
  const history = await client.get("/point-history", { query: { customer_id, count: 10 } });
  const h: PointHistoryRecord | undefined = history.point_history?.[0];
  // @ts-expect-error a required query parameter (customer_id) missing
  await client.get("/point-history", { query: { count: 10 } });
  const v = await client.post("/rewards/{reward_id}/actions/create-voucher", { customer_id, note: "n" }, { path: { reward_id: "r1" } });
  const voucherId: string | undefined = v.voucher_id;
  // @ts-expect-error wrong body field
  await client.post("/rewards/{reward_id}/actions/create-voucher", { customer_id, notes: "n" }, { path: { reward_id: "r1" } });
  // @ts-expect-error required body field (customer_id) missing
  await client.post("/rewards/{reward_id}/actions/create-voucher", {}, { path: { reward_id: "r1" } });
  // @ts-expect-error wrong body field type (file_type is an enum)
  await client.post("/cards/actions/generate-digital-card-file", { card_id: "c1", file_type: "gif" });
  const none: null = await client.put("/customers/{customer_id}", { customer: me }, { path: { customer_id } });
  const gone: null = await client.delete("/vouchers/{voucher_id}", { path: { voucher_id: "v1" } });
  // @ts-expect-error DELETE on a path that has none
  await client.delete("/rewards/{reward_id}", { path: { reward_id: "r1" } });
  for await (const card of client.paginate("/customers/{customer_id}/cards", { path: { customer_id }, pageSize: 50 })) {
    const c: Card = card;
    void c;
  }
  // Concrete paths still work, typed unknown (or as asked).
  const raw: unknown = await client.get("/customers/abc/cards", { query: { anything: 1 } });
  const echo = await client.get<{ test_string: string }>("/tests/connection", { query: { test_string: "x" } });
  const dynamic: string = "/rewards";
  const anyPath: unknown = await client.get(dynamic);
  // Helpers are typed from the same operations.
  const redeemed: ResponseData<operations["postRewardCreateVoucher"]> = await client.rewards.redeem("r1", { note: "n" });
  // @ts-expect-error redeem fills customer_id itself
  await client.rewards.redeem("r1", { customer_id });
  const can: boolean | undefined = (await client.customers.checkRegistrationAbility({ type: "email", value: "a@b.c" })).registration_ability;
  // @ts-expect-error check-registration-ability takes email or phone
  await client.customers.checkRegistrationAbility({ type: "card", value: "1" });
  const file: string | undefined = (await client.cards.digitalFile("c1", "qr-png")).file_url;
  await client.register({ customer: { personal_information: { language_id: "en" } }, autologin: false, customerSource: { customer_source_id: "src" } });
  // @ts-expect-error customerSource is required by CareCloud
  await client.register({ customer: { personal_information: { language_id: "en" } }, autologin: false });
  // @ts-expect-error cache modes are checked
  await client.get("/rewards", { cache: "reload-all" });
  await client.get("/rewards", { cache: "reload" });
  return [first, total, h, voucherId, none, gone, raw, echo.test_string, anyPath, redeemed, can, file];
}
`;

await test("the shipped TypeScript types check a strict consumer (tsc --noEmit --strict), typed calls included", async () => {
  writeFileSync(join(out, "consumer.ts"), `
import { CustomerClient, CareCloudError, workersSharedCache, ready, wasmMemoryBytes, type Reward, type LogEntry, type Stats } from "carecloud-customer";
const logs: LogEntry[] = [];
const client = new CustomerClient({
  projectUrl: "https://sandbox.crmcarecloud.com",
  externalApplicationId: "app",
  tokenStore: { get: async (k: string) => sessionStorage.getItem(k), set: (k: string, v: string) => sessionStorage.setItem(k, v), remove: (k: string) => sessionStorage.removeItem(k) },
  retry: { maxRetries: 2 }, cache: { ttlMs: { "/rewards": 60000 } }, rateLimit: false, circuitBreaker: true, isolateSafe: false,
  onLog: (e) => { logs.push(e); }, onEvent: (e) => { if (e.type === "deprecation") console.log(e.path, e.sunsetAt); },
  sharedCache: workersSharedCache(),
});
async function main(button: HTMLButtonElement, signal: AbortSignal): Promise<number> {
  await ready();
  const bytes: number = wasmMemoryBytes();
  const { customerId } = await client.login({ loginType: "email", loginValue: "a@b.c", password: "x" });
  const page = await client.rewards.list({ count: 10, is_valid: true });
  const first: Reward | undefined = page.rewards?.[0];
  let total = 0;
  for await (const r of client.rewards.all({}, { pageSize: 50, signal })) total += r.points_cost ?? 0;
  const voucher = await client.guard(button, () => client.rewards.redeem(first?.reward_id ?? "r1"), { minBusyMs: 300 });
  const p = client.afterPush(() => client.points.overview(), { maxDelayMs: 60000 });
  const delay: number = p.delayMs;
  const s: Stats = client.stats();
  try { await client.get<{ test_string: string }>("/tests/connection", { query: { test_string: "x" } }); }
  catch (e) { if (e instanceof CareCloudError && e.kind === "rate_limited" && e.outcomeUnknown) return -1; }
  await client.logout();
  return bytes + total + delay + s.requests + (voucher.voucher_id ?? "").length + customerId.length;
}
export { main };
`);
  writeFileSync(join(out, "typed.ts"), typedCalls);
  writeFileSync(join(out, "tsconfig.json"), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: "es2022", module: "esnext", moduleResolution: "bundler",
      lib: ["es2022", "dom", "dom.iterable"], skipLibCheck: false, types: [] },
    files: ["consumer.ts", "typed.ts"],
  }));
  const t0 = Date.now();
  execFileSync(bin("tsc"), ["-p", join(out, "tsconfig.json")], { cwd: out, stdio: "inherit" });
  console.log(`# tsc --strict over the consumer: ${Date.now() - t0} ms`);
});

const nodeScript = (kind, spec = "carecloud-customer") => `
${kind === "esm" ? `import { CustomerClient, CareCloudError, VERSION } from "${spec}";` : `const { CustomerClient, CareCloudError, VERSION } = require("${spec}");`}
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

for (const [kind, spec] of [["esm"], ["cjs"], ["esm", "carecloud-customer/debug"], ["cjs", "carecloud-customer/debug"]]) {
  await test(`Node ${kind === "esm" ? "import" : "require"}${spec ? ` of ${spec}` : ""}: connect, paginate, typed errors, login`, async () => {
    const file = join(out, `node-${kind}${spec ? "-debug" : ""}.${kind === "esm" ? "mjs" : "cjs"}`);
    writeFileSync(file, nodeScript(kind, spec));
    const r = JSON.parse(execFileSync("node", [file], { cwd: out, encoding: "utf8" }).trim().split("\n").pop());
    eq(r, { version: r.version, echo: kind, rewards: 260, isError: true, kind: "not_found", status: 404, name: "Alice" }, "node result");
    assert(/^\d+\.\d+\.\d+/.test(r.version), "version from Cargo.toml");
  });
}

// The README's examples (README.md and the npm README) compiled against the shipped types: an example with a wrong
// path parameter, query type or body field fails here. Their free names (ids, buttons, callbacks) are declared.
const README_FREE_NAMES = `declare const email: string, password: string, loginValue: string, rewardId: string, store_id: string,
  voucher_id: string, customer_id: string, interest_record_id: string;
declare const button: HTMLButtonElement, redeemButton: HTMLButtonElement;
declare function showLogin(): void; declare function render(x: unknown): void; declare function showBanner(text: string): void;
`;
await test("the README examples compile against the shipped types (tsc --strict)", async () => {
  const files = [];
  for (const doc of ["README.md", "pkg-templates/README.md"]) {
    const blocks = [...readFileSync(join(root, doc), "utf8").matchAll(/```(?:js|ts)\n([\s\S]*?)```/g)].map((m) => m[1]);
    blocks.forEach((code, i) => {
      if (/\brequire\(/.test(code)) return; // the CommonJS line of the Node example
      const head = (/^import .* from "carecloud-customer"/m.test(code) ? "" : `import { CustomerClient, CareCloudError } from "carecloud-customer";\n`)
        + (/const client\b/.test(code) ? "" : "declare const client: CustomerClient;\n");
      const name = `readme-${doc.includes("/") ? "npm" : "repo"}-${i + 1}.ts`;
      writeFileSync(join(out, name), `// ${doc}, example ${i + 1}\n${head}${README_FREE_NAMES}${code}\nexport {};\n`);
      files.push(name);
    });
  }
  assert(files.length >= 5, `README examples found: ${files.length}`);
  writeFileSync(join(out, "tsconfig.readme.json"), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: "es2022", module: "esnext", moduleResolution: "bundler",
      lib: ["es2022", "dom", "dom.iterable"], skipLibCheck: false, types: [] },
    files,
  }));
  const r = spawnSync(bin("tsc"), ["-p", join(out, "tsconfig.readme.json")], { cwd: out, encoding: "utf8" });
  assert(r.status === 0, `tsc over ${files.length} README examples:\n${r.stdout}${r.stderr}`);
});

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
  // Only the device id (not a secret) may be in localStorage: never a token.
  results.localStorage = Object.entries(localStorage).filter(([k, v]) => !k.endsWith(":device") || /[0-9a-f]{72}/.test(v)).length;
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

await test("browser: when the wasm cannot be loaded, calls and ready() reject with a config CareCloudError", async () => {
  const web = join(out, "web-nowasm"); // the bundle without the wasm beside it
  mkdirSync(web, { recursive: true });
  writeFileSync(join(out, "nowasm.js"), `
import { CustomerClient, CareCloudError, ready } from "carecloud-customer";
const client = new CustomerClient({ baseUrl: ${JSON.stringify(API)}, externalApplicationId: "sandbox-app" });
const kind = (p) => p.then(() => "resolved", (e) => (e instanceof CareCloudError ? e.kind + (/could not be loaded/.test(e.message) ? " (load)" : "") : String(e)));
// Asked only after the load has failed: until then, nothing may surface as an unhandled rejection.
setTimeout(() => Promise.all([kind(client.rewards.list()), kind(ready()), kind(client.pages("/rewards").next())])
  .then((r) => { window.__result = r; }), 500);
`);
  execFileSync(bin("esbuild"), ["nowasm.js", "--bundle", "--format=esm", "--platform=browser", "--target=es2022",
    "--outfile=web-nowasm/bundle.js", "--log-level=error"], { cwd: out, stdio: "inherit" });
  writeFileSync(join(web, "index.html"), `<!doctype html><meta charset="utf-8"><title>no wasm</title><script type="module" src="bundle.js"></script>`);
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${SANDBOX}/out/consumer/web-nowasm/index.html`);
    await page.waitForFunction(() => window.__result, null, { timeout: 20000 });
    eq(await page.evaluate(() => window.__result), ["config (load)", "config (load)", "config (load)"], "call, ready(), pages().next()");
    eq(errors, [], "no uncaught error or unhandled rejection");
  } finally {
    await browser.close();
  }
});

// ---- Bundlers with their default configuration. The app below avoids top-level await itself (a default Vite target
// refuses it in any module) and checks that the package did not wait for the wasm at import.
const bundledApp = `
import { CustomerClient, CareCloudError, ready, wasmMemoryBytes } from "carecloud-customer";
const atImport = wasmMemoryBytes();
const client = new CustomerClient({ baseUrl: ${JSON.stringify(API)}, externalApplicationId: "sandbox-app" });
const idle = client.stats().requests;
const refused = new CustomerClient({ externalApplicationId: "sandbox-app" }); // no baseUrl: refused on first use
// Made before the wasm is ready:
const first = client.rewards.list({ count: 3 });
const walker = client.pages("/rewards", { pageSize: 2 });
const badWalker = client.pages("/rewards", { pageSize: 0 });
const pushed = client.afterPush(() => 7, { maxDelayMs: 0 });
const early = { delayMs: typeof pushed.delayMs, customerId: typeof client.customerId };
try { client.pushDelayMs(1000); } catch (e) { early.pushDelayMs = e.kind; }
(async () => {
  const r = { atImport, idle, early };
  try {
    const list = await first;
    r.walker = (await walker.next()).length;
    r.badWalker = await badWalker.next().then(() => "resolved", (e) => e.kind);
    r.pushed = [await pushed, pushed.delayMs];
    r.rewards = [list.rewards.length, list.total_items];
    r.memory = wasmMemoryBytes() > 0;
    r.refused = await refused.get("/rewards").then(() => "resolved", (e) => e instanceof CareCloudError && e.kind);
    await client.login({ loginValue: "bob@example.com", password: "Passw0rd2" });
    r.customer = typeof client.customerId === "string";
    let n = 0;
    for await (const _ of client.rewards.all({}, { pageSize: 100 })) n++;
    r.all = n;
    await client.logout();
    await ready();
    r.pushDelay = typeof new CustomerClient({ baseUrl: ${JSON.stringify(API)}, externalApplicationId: "a" }).pushDelayMs(1000);
    try { new CustomerClient({ externalApplicationId: "a" }); } catch (e) { r.throwsOnceReady = e.kind; }
  } catch (e) { r.error = String((e && e.stack) || e); }
  window.__result = r;
})();
`;
const bundledExpected = { atImport: 0, idle: 0,
  early: { delayMs: "undefined", customerId: "undefined", pushDelayMs: "config" }, walker: 2, badWalker: "config", pushed: [7, 0], rewards: [3, 260], memory: true, refused: "config", customer: true, all: 260,
  pushDelay: "number", throwsOnceReady: "config" };

/** Opens `url` in Chromium and checks the bundled app's result, the wasm fetched once and no console complaint. */
async function runBundledApp(url, what) {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const complaints = [];
    const wasmFetches = [];
    page.on("pageerror", (e) => complaints.push(String(e)));
    page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") complaints.push(m.text()); });
    page.on("response", (r) => { if (r.url().endsWith(".wasm")) wasmFetches.push(`${r.status()} ${r.headers()["content-type"]}`); });
    await page.goto(url);
    await page.waitForFunction(() => window.__result, null, { timeout: 20000 });
    eq(await page.evaluate(() => window.__result), bundledExpected, what);
    eq(wasmFetches, ["200 application/wasm"], `${what}: the wasm fetched once, streamable`);
    eq(complaints, [], `${what}: page errors and console warnings`);
  } finally {
    await browser.close();
  }
}

/** A Vite project in `dir` whose page runs the bundled app; `config` is its vite.config.js, if any. */
function viteProject(dir, config) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "index.html"), `<!doctype html>\n<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>vite consumer</title></head>
<body><script type="module" src="/main.js"></script></body></html>\n`);
  writeFileSync(join(dir, "main.js"), bundledApp);
  if (config) writeFileSync(join(dir, "vite.config.js"), config);
}

/** Runs `vite ...args` as a server in `dir` (its own origin: calls to the sandbox are cross-origin) and the app in it. */
async function viteServed(dir, args, what) {
  const port = await freePort();
  const server = spawn(bin("vite"), [...args, "--host", "127.0.0.1", "--port", String(port), "--strictPort"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  server.stdout.on("data", (d) => (log += d));
  server.stderr.on("data", (d) => (log += d));
  try {
    let up = false;
    for (let i = 0; i < 100 && !up; i++) {
      try { await fetch(`http://127.0.0.1:${port}/`); up = true; } catch { await sleep(100); }
    }
    assert(up, `vite ${args.join(" ")} did not start: ${log}`);
    await runBundledApp(`http://127.0.0.1:${port}/`, what);
  } finally {
    server.kill();
  }
}

await test("a default Vite 6 project (no config) builds the package and its page runs in Chromium", async () => {
  const dir = join(out, "vite");
  viteProject(dir);
  const r = spawnSync(bin("vite"), ["build"], { cwd: dir, encoding: "utf8" });
  assert(r.status === 0, `vite build failed:\n${r.stdout}\n${r.stderr}`);
  await viteServed(dir, ["preview"], "Vite build"); // serves dist/ as built
});

await test("Vite's dev server with the README's one line (optimizeDeps.exclude) runs the page", async () => {
  // Pre-bundling moves the package into node_modules/.vite/deps, where `new URL("./….wasm", import.meta.url)` no
  // longer finds the wasm: the package must be excluded from it (pkg-templates/README.md says so).
  const dir = join(out, "vite-dev");
  viteProject(dir, `export default { optimizeDeps: { exclude: ["carecloud-customer"] } };\n`);
  await viteServed(dir, [], "Vite dev server");
});

await test("a default webpack 5 build (no config) of the package runs in Chromium", async () => {
  const dir = join(out, "webpack");
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "src/index.js"), bundledApp);
  // What `npx webpack` does in that folder with no webpack.config.js: ./src/index.js → ./dist/main.js, production mode.
  const build = `require(${JSON.stringify(fileURLToPath(import.meta.resolve("webpack")))})({}, (e, s) => {
    if (e || s.hasErrors()) { console.error(e || s.toString("errors-only")); process.exit(1); }
  });`;
  const r = spawnSync("node", ["-e", build], { cwd: dir, encoding: "utf8" });
  assert(r.status === 0, `webpack failed:\n${r.stdout}\n${r.stderr}`);
  writeFileSync(join(dir, "dist/index.html"), `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>webpack consumer</title><script src="main.js"></script>`);
  await runBundledApp(`${SANDBOX}/out/consumer/webpack/dist/index.html`, "webpack build");
});

/**
 * Bundles `src` (a file in the consumer project, so "carecloud-customer" resolves to the installed package through
 * its `workerd` export condition) into `dir`/worker.js, the package's wasm beside it.
 */
function bundleWorker(src, dir, defines = []) {
  mkdirSync(dir, { recursive: true });
  execFileSync(bin("esbuild"), [src, "--bundle", "--format=esm", "--platform=neutral", "--target=es2022",
    "--conditions=workerd,worker,browser", "--external:*.wasm", `--outfile=${join(dir, "worker.js")}`, "--log-level=error",
    ...defines.map(([k, v]) => `--define:${k}=${JSON.stringify(v)}`)], { cwd: out, stdio: "inherit" });
  copyFileSync(join(out, "node_modules/carecloud-customer/carecloud_customer_bg.wasm"), join(dir, "carecloud_customer_bg.wasm"));
}
/** The examples/worker build, pointed at the sandbox. */
function bundleExampleWorker(dir) {
  copyFileSync(join(root, "examples/worker/src/index.js"), join(out, "worker-src.js"));
  bundleWorker("worker-src.js", dir, [["CARECLOUD_BASE_URL", API], ["CARECLOUD_APP_ID", "sandbox-app"]]);
}
/** Sandbox requests for `path` whose query contains `mark`. */
await test("the debug build carries the console panic hook and function names; the release build neither", async () => {
  const dir = join(out, "node_modules/carecloud-customer");
  const wasm = (f) => new WebAssembly.Module(readFileSync(join(dir, f)));
  const hook = (m) => WebAssembly.Module.imports(m).map((i) => i.name.replace(/_[0-9a-f]{16}$/, ""))
    .filter((n) => n === "__wbg_error" || n === "__wbg_stack").sort();
  const release = wasm("carecloud_customer_bg.wasm"), debug = wasm("debug/carecloud_customer_bg.wasm");
  eq(hook(debug), ["__wbg_error", "__wbg_stack"], "debug: console.error and Error.stack imported (the panic hook)");
  eq(hook(release), [], "release: no panic hook");
  eq([WebAssembly.Module.customSections(debug, "name").length, WebAssembly.Module.customSections(release, "name").length],
    [1, 0], "name sections (debug, release)");
  const api = (m) => WebAssembly.Module.exports(m).map((e) => e.name).filter((n) => !n.startsWith("wasm_bindgen")).sort();
  eq(api(debug), api(release), "the same exports (closure shims aside, named per build)");
});

await test("plain reads answered in JavaScript give the client's answers (hits, joins, writes, clearCache, expiry, customers, path parameters, onLog)", async () => {
  const { CustomerClient } = await import(pathToFileURL(join(out, "node_modules/carecloud-customer/node.mjs")).href);
  const ttlMs = { "/rewards": 60000, "/stores": 60000, "/customers": 60000, "/languages": 300 };
  const mk = (extra) => new CustomerClient({ baseUrl: API, externalApplicationId: "sandbox-app", rateLimit: false, cache: { ttlMs }, ...extra });
  const c = mk();
  const net = () => c.stats().networkRequests;
  await c.connect();
  // A hit: answered again without the network, the same frozen object, counted as a call and a cache hit.
  let n = net();
  const before = c.stats();
  const a = await c.get("/rewards", { query: { count: 2 } });
  eq(await c.get("/rewards", { query: { count: 2 } }), a, "the same answer");
  assert((await c.get("/rewards", { query: { count: 2 } })) === a, "the same object");
  eq(net() - n, 1, "network requests for three identical reads");
  const after = c.stats();
  eq([after.requests - before.requests, after.cacheHits - before.cacheHits], [3, 2], "requests, cache hits");
  // Another query, other path parameters: other reads.
  const other = await c.get("/rewards", { query: { count: 3 } });
  assert(other !== a, "another query is another read");
  const s1 = await c.get("/stores/{id}", { path: { id: "s0001" } });
  const s2 = await c.get("/stores/{id}", { path: { id: "s0002" } });
  eq([s1.store_id, s2.store_id, (await c.get("/stores/{id}", { path: { id: "s0001" } })).store_id], ["s0001", "s0002", "s0001"], "stores");
  // clearCache: the next read goes out.
  n = net();
  c.clearCache();
  await c.get("/rewards", { query: { count: 2 } });
  eq(net() - n, 1, "after clearCache");
  // Expiry (ttl 300 ms for /languages).
  n = net();
  await c.get("/languages");
  await c.get("/languages");
  eq(net() - n, 1, "a fresh hit");
  await sleep(350);
  await c.get("/languages");
  eq(net() - n, 2, "expired");
  // Joined reads: one request for fifty concurrent identical reads, one shared answer.
  n = net();
  const deduped = c.stats().dedupedRequests;
  const all = await Promise.all(Array.from({ length: 50 }, () => c.get("/products", { query: { count: 5, memo: 1 } })));
  eq(net() - n, 1, "network requests for fifty concurrent reads");
  assert(all.every((x) => x === all[0]), "one shared answer");
  eq(c.stats().dedupedRequests - deduped, 49, "joined");
  eq(c.stats().inFlight, 0, "in flight after");
  // A customer's cached read is not answered to the next customer, nor after a write.
  await c.login({ loginType: "email", loginValue: "alice@example.com", password: "Passw0rd1" });
  const first = async () => (await c.customers.me()).personal_information.first_name;
  n = net();
  const alice = await first();
  eq([await first(), net() - n], [alice, 1], "alice again, from the cache");
  const rewards = (await c.get("/rewards", { query: { count: 2 } })).rewards;
  n = net();
  await c.rewards.redeem(rewards[0].reward_id);
  await c.get("/rewards", { query: { count: 2 } });
  eq(net() - n, 2, "a write (redeem) drops the cached /rewards: the redeem and a fresh read");
  await c.logout();
  await c.login({ loginType: "email", loginValue: "bob@example.com", password: "Passw0rd2" });
  const bob = await first();
  assert(bob !== alice, `bob's own data (${bob}, not ${alice})`);
  await c.logout();
  // With an onLog handler every call reaches the client and is logged.
  const logs = [];
  const l = mk({ onLog: (e) => logs.push(e.source) });
  await l.connect();
  logs.length = 0;
  await l.get("/languages");
  await l.get("/languages");
  eq(logs, ["network", "cache"], "one log entry per call");
  // A freed client refuses calls (a rejection, not a throw), remembered answers included.
  c.free();
  const freed = await c.get("/languages").then(() => "resolved", (e) => `${e.kind}: ${e.message}`);
  eq(freed, "config: this client was freed", "a call after free()");
  await control("POST", "reset"); // the redeem spent Alice's points
});

const served = async (path, mark) => (await control("GET", "requests")).filter((r) => r.path === path && r.query.includes(mark)).length;

async function freePort() {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => res(p)); });
  });
}

await test("examples/worker in workerd: module-scope catalogue client, per-request customer clients", async () => {
  const dir = join(out, "worker");
  bundleExampleWorker(join(dir, "build"));
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
  bundleWorker("shared-src.js", dir);
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
  try {
    for (let i = 0; i < 100; i++) { try { await fetch(`http://127.0.0.1:${port}/x`); break; } catch { await sleep(100); } }
    const first = await get("/a?mark=shared1");
    const second = await get("/b?mark=shared1");
    eq([first.n, second.n], [3, 3], `pages (${log})`);
    eq(await served("/rewards", "mark=shared1"), 1, "the second client, in another request, was answered by the shared cache");
    eq(second.stats.cacheHits, 1, "counted as a cache hit");
    const cust = await get("/customer?mark=cust1");
    eq(cust.keys, 0, "a logged-in customer's reads never enter the shared cache");
    eq(await served("/rewards", "mark=cust1"), 2, "and are not answered from it");
  } finally {
    wd.kill();
  }
});

await test("Miniflare, real caches.default: two isolates running examples/worker share one catalogue read; customer reads bypass it", async () => {
  const dir = join(out, "miniflare");
  bundleExampleWorker(join(dir, "example"));
  writeFileSync(join(out, "customer-probe.js"), `
import { CustomerClient, workersSharedCache } from "carecloud-customer";
const mk = (extra) => new CustomerClient({ baseUrl: ${JSON.stringify(API)}, externalApplicationId: "sandbox-app", sharedCache: workersSharedCache(), cache: false, ...extra });
export default {
  async fetch(request) {
    const mark = new URL(request.url).searchParams.get("mark");
    const c = mk();
    if (new URL(request.url).pathname === "/customer") {
      await c.login({ loginValue: "alice@example.com", password: "Passw0rd1" });
      await c.rewards.list({ count: 3, mark });
      await c.rewards.list({ count: 3, mark });
      await c.logout();
    } else {
      await c.rewards.list({ count: 3, mark });
    }
    return Response.json({ stats: c.stats() });
  },
};
`);
  bundleWorker("customer-probe.js", join(dir, "probe"));
  const worker = (name, sub) => ({
    name, modulesRoot: join(dir, sub), compatibilityDate: "2025-06-01",
    modules: [{ type: "ESModule", path: join(dir, sub, "worker.js") }, { type: "CompiledWasm", path: join(dir, sub, "carecloud_customer_bg.wasm") }],
    // The sandbox listens on loopback, which Miniflare's default outbound network refuses.
    outboundService: { network: { allow: ["local"] } },
  });
  // Each worker is an isolate of its own; caches.default is the instance's one Cache API store, as in a data centre.
  const mf = new Miniflare({ workers: [worker("a", "example"), worker("b", "example"), worker("probe", "probe")] });
  try {
    const [a, b, probe] = await Promise.all(["a", "b", "probe"].map((n) => mf.getWorker(n)));
    const call = async (w, path) => { const r = await w.fetch(`http://worker${path}`); return { status: r.status, body: await r.json() }; };
    const page = "/rewards?count=7&offset=13";
    const first = await call(a, page);
    const second = await call(b, page);
    eq([first.status, first.body.rewards.length, second.status, second.body.rewards.length], [200, 7, 200, 7], "both isolates answered");
    eq(second.body, first.body, "the same page");
    eq(await served("/rewards", "offset=13"), 1, "one request reached the sandbox for the two isolates' reads");
    // A logged-in customer's reads: not written to the shared cache (a catalogue read after them goes to the
    // network) and not answered from it (once it holds the page, the customer still reads from the network).
    eq((await call(probe, "/customer?mark=mfcust")).status, 200, "customer reads");
    eq(await served("/rewards", "mark=mfcust"), 2, "the customer's two reads both reached the sandbox");
    const anon = await call(probe, "/catalogue?mark=mfcust");
    eq([anon.status, anon.body.stats.networkRequests > 0], [200, true], "catalogue read");
    eq(await served("/rewards", "mark=mfcust"), 3, "the customer's reads left nothing in the shared cache");
    const again = await call(probe, "/catalogue?mark=mfcust");
    eq(await served("/rewards", "mark=mfcust"), 3, "(a catalogue read is answered from the shared cache now)");
    eq(again.body.stats.cacheHits, 1, "counted as a cache hit");
    await call(probe, "/customer?mark=mfcust");
    eq(await served("/rewards", "mark=mfcust"), 5, "the customer's reads are not answered from the shared cache");
  } finally {
    await mf.dispose();
  }
});

// Last: these spend seeded points and rewrite a record, which the tests above count on.
// ---- The JS layer of the installed package, in this process: path parameters, the helpers' request bodies.
const pkg = await import(pathToFileURL(join(out, "node_modules/carecloud-customer/node.mjs")).href);
/** A client whose requests are recorded (method, path after the API base, parsed body) before going to the sandbox. */
function recorded(extra = {}) {
  const sent = [];
  const client = new pkg.CustomerClient({
    baseUrl: API, externalApplicationId: "sandbox-app", retry: false, cache: false, ...extra,
    fetch: (url, init = {}) => {
      const u = new URL(String(url));
      sent.push({ method: init.method || "GET", path: u.pathname.slice(new URL(API).pathname.length), query: u.search,
        body: typeof init.body === "string" && init.body ? JSON.parse(init.body) : undefined });
      return fetch(url, init);
    },
  });
  return { client, sent, calls: (path) => sent.filter((r) => r.path === path || (path instanceof RegExp && path.test(r.path))) };
}
const configError = async (promise, what) => {
  let err;
  try { await promise; } catch (e) { err = e; }
  assert(err instanceof pkg.CareCloudError && err.kind === "config", `${what}: expected a config CareCloudError, got ${err && (err.kind || err)}`);
  return err;
};
const login = (client, who = "alice") =>
  client.login({ loginType: "email", loginValue: `${who}@example.com`, password: who === "alice" ? "Passw0rd1" : "Passw0rd2" });

await test("path option: {placeholders} filled from options.path, percent-encoded; bad values refused before any request", async () => {
  const { client, sent } = recorded();
  const reward = await client.get("/rewards", { query: { count: 1 } });
  const id = reward.rewards[0].reward_id;
  eq((await client.get("/rewards/{reward_id}", { path: { reward_id: id } })).reward_id, id, "templated GET");
  eq((await client.get(`/rewards/${id}`)).reward_id, id, "a concrete path passes through unchanged");
  let e;
  try { await client.get("/rewards/{reward_id}", { path: { reward_id: "a b?d" } }); } catch (x) { e = x; }
  eq(e && e.kind, "not_found", "an odd id reaches the server as one segment");
  eq(sent.at(-1).path, "/rewards/a%20b%3Fd", "each value encodeURIComponent-ed");
  const before = sent.length;
  // An id holding a slash or a dot segment could move the request elsewhere once a server decodes it: refused.
  await configError(client.get("/rewards/{reward_id}", { path: { reward_id: "a/b" } }), "encoded slash");
  await configError(client.get("/rewards/{reward_id}", { path: { reward_id: ".." } }), "dot segment");
  await configError(client.get("/rewards/{reward_id}"), "no options.path");
  await configError(client.get("/rewards/{reward_id}", { path: { rewardId: id } }), "misnamed parameter");
  await configError(client.get("/rewards/{reward_id}", { path: { reward_id: { id } } }), "object value");
  await configError(client.get("/rewards/{reward_id}", { path: { reward_id: "" } }), "empty value");
  await configError(client.post("/rewards/{reward_id}/actions/create-voucher", {}, {}), "POST without path");
  await configError(client.delete("/vouchers/{voucher_id}", { path: {} }), "DELETE without path");
  let thrown;
  try { client.pages("/rewards/{reward_id}/stores", {}); } catch (x) { thrown = x; }
  assert(thrown instanceof pkg.CareCloudError && thrown.kind === "config", "pages() throws config");
  eq(sent.length, before, "no request was made for a refused path");
  await login(client);
  const cid = client.customerId;
  const vouchers = [];
  for await (const v of client.paginate("/customers/{customer_id}/vouchers", { path: { customer_id: cid }, pageSize: 2 })) vouchers.push(v);
  assert(sent.some((r) => r.path === `/customers/${cid}/vouchers`), "paginate fills the path");
  eq((await client.get("/customers/{customer_id}", { path: { customer_id: cid } })).customer_id, cid, "GET /customers/{customer_id}");
  await client.logout();
});

await test("rewards.redeem sends the logged-in customer's customer_id; refuses locally with nobody logged in", async () => {
  const { client, calls } = recorded();
  const rewards = await client.rewards.list({ count: 50, is_valid: true });
  const cheap = rewards.rewards.filter((r) => r.points_cost <= 800).sort((a, b) => a.points_cost - b.points_cost)[0];
  assert(cheap, "a reward cheap enough for the seeded customers");
  await configError(client.rewards.redeem(cheap.reward_id), "redeem with no customer");
  eq(calls(/create-voucher$/).length, 0, "nothing sent without a customer");
  await login(client);
  const v = await client.rewards.redeem(cheap.reward_id, { note: "from the package test" });
  assert(typeof v.voucher_id === "string" && v.voucher_id, "voucher id returned");
  const [sent] = calls(`/rewards/${cheap.reward_id}/actions/create-voucher`);
  eq(sent.body, { note: "from the package test", customer_id: client.customerId }, "body carries customer_id");
  await client.logout();
});

await test("customers.update(await me()) sends no readOnly field (the list generated from the spec)", async () => {
  const { client, calls } = recorded();
  await configError(client.customers.update({ personal_information: { language_id: "en" } }), "update with no customer");
  await login(client);
  // Results are shared and frozen; a record to change and send back is read as a private copy.
  assert(Object.isFrozen((await client.customers.me()).personal_information), "a shared result is frozen");
  const me = await client.customers.me({ mutable: true });
  for (const k of ["customer_id", "state", "last_change", "doi_email"]) assert(k in me, `the record read has ${k} (else this test proves nothing)`);
  const original = JSON.parse(JSON.stringify(me));
  me.personal_information.first_name = "Alicia";
  const copy = JSON.parse(JSON.stringify(me));
  eq(await client.customers.update(me), null, "204: the server took the record read back");
  eq(me, copy, "the caller's record is not modified");
  const puts = () => calls(`/customers/${client.customerId}`).filter((r) => r.method === "PUT");
  const c = puts()[0].body.customer;
  for (const k of ["customer_id", "state", "last_change", "doi_email", "doi_phone"]) assert(!(k in c), `${k} not sent`);
  eq(c.personal_information.first_name, "Alicia", "the rest is sent");
  eq((await client.customers.me({ cache: "no-store" })).personal_information.first_name, "Alicia", "the server kept it");
  // Nested readOnly fields (array items): only the request is checked here, whatever the server makes of the ids.
  const nested = { ...original, personal_information: { ...original.personal_information, photo_url: "https://x/p.png",
    consents: [{ consent_id: "a1", consent_value: 1, last_change: "2026-01-01 00:00:00" }] } };
  await client.customers.update(nested, { property_records: [{ property_id: "p1", property_value: "x", property_name: "n", last_change: "x" }] }).catch(() => {});
  const sent = puts()[1].body;
  assert(!("photo_url" in sent.customer.personal_information), "photo_url not sent");
  eq(sent.customer.personal_information.consents, [{ consent_id: "a1", consent_value: 1 }], "consents[].last_change not sent");
  eq(sent.property_records, [{ property_id: "p1", property_value: "x" }], "property_records[] readOnly fields not sent");
  eq(await client.customers.update(original), null, "the seeded record restored");
  await client.logout();
});

await test("helpers needing a customer refuse locally (config) when nobody is logged in", async () => {
  const { client, sent } = recorded();
  await configError(client.points.overview(), "points.overview");
  await configError(client.points.list(), "points.list");
  await configError(client.points.history(), "points.history");
  await configError(client.vouchers.list(), "vouchers.list");
  await configError(client.cards.list(), "cards.list");
  await configError(client.purchases.all().next(), "purchases.all");
  await configError(client.points.historyAll().next(), "points.historyAll");
  eq(sent.length, 0, "no request made");
});

/** Each helper call against the sandbox: [name, result or error]. */
async function tryAll(steps) {
  const failed = [];
  for (const [name, fn] of steps) {
    try { await fn(); } catch (e) { failed.push(`${name}: ${e && (e.kind ? `${e.kind} ${e.status ?? ""} ${e.message}` : e.message)}`); }
  }
  assert(!failed.length, `helpers failing: ${failed.join("; ")}`);
}

await test("catalogue and registration helpers against the sandbox (rewards tags/stores/products, agreements, countries, channels, checks)", async () => {
  const { client, sent } = recorded();
  const reward = (await client.rewards.list({ count: 1 })).rewards[0];
  await tryAll([
    ["rewards.tags", async () => assert(Array.isArray((await client.rewards.tags()).tags), "tags[]")],
    ["rewards.stores", async () => assert(Array.isArray((await client.rewards.stores(reward.reward_id)).stores), "stores[]")],
    ["rewards.products", async () => assert(Array.isArray((await client.rewards.products(reward.reward_id)).products), "products[]")],
    ["agreements.list", async () => assert(Array.isArray((await client.agreements.list()).agreements), "agreements[]")],
    ["countries.list", async () => assert(Array.isArray((await client.countries.list()).countries), "countries[]")],
    ["communicationChannels.list", async () => assert(Array.isArray((await client.communicationChannels.list()).communication_channels), "communication_channels[]")],
    ["customers.checkRegistrationAbility", async () => {
      eq((await client.customers.checkRegistrationAbility({ type: "email", value: "alice@example.com" })).registration_ability, false, "taken e-mail");
    }],
    ["customers.validateCustomerData", async () => {
      eq(typeof (await client.customers.validateCustomerData({ type: "password", value: "Passw0rd-long-enough" })).is_valid, "boolean", "is_valid");
    }],
  ]);
  assert(sent.some((r) => r.path === `/rewards/${reward.reward_id}/stores`), "stores path filled");
});

await test("customer helpers against the sandbox (cards, point history, vouchers, messages, purchases, customers.get)", async () => {
  const { client } = recorded();
  await login(client);
  const cid = client.customerId;
  const rewards = (await client.rewards.list({ count: 50, is_valid: true })).rewards;
  const cheap = rewards.filter((r) => r.points_cost <= 800).sort((a, b) => a.points_cost - b.points_cost)[0];
  const seen = {};
  await tryAll([
    ["customers.get", async () => eq((await client.customers.get(cid)).customer_id, cid, "own record")],
    ["cards.list", async () => {
      seen.cards = (await client.cards.list()).cards;
      assert(Array.isArray(seen.cards) && seen.cards.length, "the customer has a card");
    }],
    ["cards.get", async () => eq((await client.cards.get(seen.cards[0].card_id)).card_id, seen.cards[0].card_id, "card detail")],
    ["cards.digitalFile", async () => assert(typeof (await client.cards.digitalFile(seen.cards[0].card_id, "qr-png")).file_url === "string", "file_url")],
    ["points.history", async () => assert(Array.isArray((await client.points.history({ count: 5 })).point_history), "point_history[]")],
    ["vouchers.get", async () => {
      seen.voucher = (await client.rewards.redeem(cheap.reward_id)).voucher_id;
      eq((await client.vouchers.get(seen.voucher)).voucher_id, seen.voucher, "voucher detail");
    }],
    ["vouchers.apply", async () => eq(await client.vouchers.apply(seen.voucher), null, "applied (204)")],
    ["messages.list", async () => assert(Array.isArray((seen.messages = (await client.messages.list({ count: 5 })).messages)), "messages[]")],
    ["messages.get/detail", async () => {
      if (!seen.messages.length) { console.log("# no seeded message: messages.get/detail not exercised"); return; }
      const id = seen.messages[0].message_id;
      eq((await client.messages.get(id)).message_id, id, "message");
      assert(typeof (await client.messages.detail(id)).plain_text_body === "string", "message detail");
    }],
    ["purchases.list", async () => assert(Array.isArray((seen.purchases = (await client.purchases.list({ count: 5 })).purchases)), "purchases[]")],
    ["purchases.get/items", async () => {
      if (!seen.purchases.length) { console.log("# no seeded purchase: purchases.get/items not exercised"); return; }
      const id = seen.purchases[0].purchase_id;
      eq((await client.purchases.get(id)).purchase_id, id, "purchase");
      assert(Array.isArray((await client.purchases.items(id)).purchase_items), "purchase_items[]");
    }],
  ]);
  await client.logout();
});

// ---- Types that cannot drift from the runtime.
/** Property names of `interface name` / `class name` in the shipped index.d.ts; nested object-literal members as `a.b`. */
function declaredNames(name) {
  const file = join(out, "node_modules/carecloud-customer/index.d.ts");
  const src = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  const names = [];
  const literals = (t) => ts.isTypeLiteralNode(t) ? [t] : ts.isUnionTypeNode(t) ? t.types.flatMap(literals) : [];
  const visit = (node) => {
    if ((ts.isInterfaceDeclaration(node) || ts.isClassDeclaration(node)) && node.name && node.name.text === name) {
      for (const m of node.members) {
        if (!(ts.isPropertySignature(m) || ts.isPropertyDeclaration(m)) || !m.name) continue;
        names.push(m.name.text);
        for (const lit of m.type ? literals(m.type) : []) for (const n of lit.members) if (n.name) names.push(`${m.name.text}.${n.name.text}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
  assert(names.length, `${name} not found in index.d.ts`);
  return names.sort();
}

/**
 * The option names the Rust core accepts, read from its source (any file under src/): the top-level list
 * `const KNOWN: &[&str] = &[…]`, and each section's keys as the options reader is called for them,
 * `.section("name", &["key", …])` / `.switch("name", KEYS)` (a key list inline or a `const KEYS: &[&str]`).
 */
function rustOptionNames() {
  const files = [];
  const walk = (d) => { for (const e of readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith(".rs") && files.push(join(d, e.name)); };
  walk(join(root, "src"));
  const strings = (list) => [...list.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
  const names = [];
  const texts = files.map((f) => readFileSync(f, "utf8"));
  const lists = new Map();
  for (const text of texts) {
    for (const m of text.matchAll(/const (\w+): &\[&str\] = &\[([^\]]*)\]/g)) lists.set(m[1], strings(m[2]));
  }
  names.push(...(lists.get("KNOWN") || []));
  let groups = 0;
  for (const text of texts) {
    for (const m of text.matchAll(/\.(?:section|switch)\(\s*"(\w+)",\s*(?:&\[([^\]]*)\]|(\w+))/g)) {
      groups += 1;
      names.push(...(m[2] !== undefined ? strings(m[2]) : lists.get(m[3]) || []).map((k) => `${m[1]}.${k}`));
    }
  }
  assert(names.length > 20 && groups >= 5, `the option lists were not found in src/ (KNOWN + .section/.switch calls): the test's pattern needs updating`);
  return [...new Set(names)].sort();
}

await test("ClientOptions in index.d.ts names exactly the options the Rust core accepts (source lists + runtime)", async () => {
  const typed = declaredNames("ClientOptions");
  const rust = rustOptionNames();
  eq(rust.filter((k) => !typed.includes(k)), [], "accepted by Rust but missing from ClientOptions");
  eq(typed.filter((k) => !rust.includes(k)), [], "in ClientOptions but not in the Rust lists");
  // And the built package agrees: no typed key is an "unknown option" (values null: only the name is checked).
  const unknown = [];
  for (const k of typed) {
    const [top, sub] = k.split(".");
    const opts = { baseUrl: API, externalApplicationId: "sandbox-app", [top]: sub ? { [sub]: null } : null };
    try { new pkg.CustomerClient(opts).free(); } catch (e) { if (/unknown option/.test(e.message)) unknown.push(k); }
  }
  eq(unknown, [], "typed options the built package refuses as unknown");
  let e;
  try { new pkg.CustomerClient({ baseUrl: API, externalApplicationId: "a", retries: 1 }); } catch (x) { e = x; }
  assert(e && /unknown option retries/.test(e.message), "an unknown option is refused (else the runtime check proves nothing)");
});

await test("Per-call options: BaseCallOptions + CallOptions name exactly what the wasm and the facade read, cache modes alike", async () => {
  const typed = [...new Set([...declaredNames("BaseCallOptions"), ...declaredNames("CallOptions")])].sort();
  const src = ["src/wasm/convert.rs", "src/wasm/mod.rs"].map((f) => readFileSync(join(root, f), "utf8")).join("\n");
  const facade = readFileSync(join(root, "pkg-templates/client.js"), "utf8");
  const read = new Set([...src.matchAll(/get\(&?opts, "(\w+)"\)/g)].map((m) => m[1]));
  for (const m of facade.matchAll(/options && options\.(\w+)/g)) read.add(m[1]);
  assert(read.size >= 6, "the per-call reads were not found (get(opts, \"…\") in src/wasm, options.… in client.js): the test's pattern needs updating");
  eq([...read].filter((k) => !typed.includes(k)).sort(), [], "read by the package but missing from BaseCallOptions/CallOptions");
  eq(typed.filter((k) => !read.has(k)), [], "typed but never read by the package");
  const arms = src.slice(src.indexOf('get(opts, "cache")'));
  const accepted = [...arms.slice(0, arms.indexOf("Some(_)")).matchAll(/Some\("([\w-]+)"\)/g)].map((m) => m[1]).sort();
  const dts = readFileSync(join(out, "node_modules/carecloud-customer/index.d.ts"), "utf8");
  const union = dts.match(/cache\?: ((?:"[\w-]+"(?: \| )?)+);/);
  assert(union, "BaseCallOptions.cache's union was not found in index.d.ts");
  eq([...union[1].matchAll(/"([\w-]+)"/g)].map((m) => m[1]).sort(), accepted, "cache modes: index.d.ts vs src/wasm/convert.rs");
});

await test("CareCloudError: the fields in index.d.ts = those client.js sets = those the wasm sets", async () => {
  const typed = declaredNames("CareCloudError");
  const js = Object.keys(new pkg.CareCloudError("config", "m")).sort();
  let wasmErr;
  try { new pkg.CustomerClient({ externalApplicationId: "a" }); } catch (x) { wasmErr = x; }
  assert(wasmErr instanceof pkg.CareCloudError, "the wasm threw a CareCloudError");
  eq(js, typed, "client.js vs index.d.ts");
  eq(Object.keys(wasmErr).sort(), typed, "wasm (src/wasm/convert.rs) vs index.d.ts");
});

done();
