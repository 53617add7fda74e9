// A quick subset of `make bench` for working on the per-call paths: uncached GET (300 each), cache hit, dedupe, in Chromium, against
// the sandbox at SANDBOX_URL (after ./scripts/package.sh). Usage: node bench/quick.mjs [rounds]
import { chromium } from "playwright-core";
import { bundle } from "./size.mjs";

const SANDBOX = process.env.SANDBOX_URL;
bundle("bench/peers-entry.js", "peers"); // what bench/page.html loads beside the package
const rounds = Number(process.argv[2] || 3);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const page = await browser.newPage();
page.on("pageerror", (e) => console.error("page error:", e));
await page.goto(`${SANDBOX}/bench/page.html`);
await page.waitForFunction(() => window.benchReady, null, { timeout: 30000 });
const run = (name, ...args) => page.evaluate(([n, a]) => window.scenarios[n](...a), [name, args]);
for (let r = 0; r < rounds; r++) {
  const o = await run("overhead", 300);
  console.log(`uncached GET median: ours ${o.ours.median.toFixed(3)} ms, fetch ${o.fetch.median.toFixed(3)}, ky ${o.ky.median.toFixed(3)} → ${(o.ours.median / o.fetch.median).toFixed(3)}× fetch (ky ${(o.ky.median / o.fetch.median).toFixed(3)}×)`);
  const c = await run("cacheHit", 20, 1000);
  const d = await run("dedupe", 1000);
  console.log(`cache hit ${c.oursUs.toFixed(2)} µs vs TanStack ${c.tanstackUs.toFixed(2)} µs (${(c.oursUs / c.tanstackUs).toFixed(2)}×)` +
    ` · dedupe 1,000: ${d.fanMs.toFixed(1)} ms vs one ${d.singleMs.toFixed(1)} ms (${(d.fanMs / d.singleMs).toFixed(2)}×), network ${d.network}`);
}
await browser.close();
