// Tier 5: the packed npm package installed into a fresh consumer project, used from Node (import and require),
// from a browser page bundled by esbuild, and from a Cloudflare Worker run in workerd.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync, copyFileSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { API, SANDBOX, test, done, assert, eq, launch, sleep } from "../lib.mjs";

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
  for (const f of ["index.d.ts", "carecloud_customer_bg.wasm", "node.cjs", "workerd.js", "browser.js", "package.json", "README.md"]) {
    assert(files.includes(f), `package contains ${f}`);
  }
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

done();
