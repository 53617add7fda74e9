// Soak, short form in `make test` (SOAK_CALLS=40000, about 5 s; `make soak` runs 100,000): mixed cache hits,
// misses, injected 503s, 404s and aborted calls in headless Chromium. Asserts flat JS heap and wasm memory after
// warm-up, no live timers, an empty in-flight map, a cache within its bound, and no unhandled rejection.
import { SANDBOX, test, done, assert, control, launch } from "../lib.mjs";

// 40,000: linear memory reaches its high-water mark within the first 8,000 calls (the warm point, a fifth), which
// leaves 32,000 calls in which any growth is a leak. With 10,000 the warm point came before that mark.
const calls = Number(process.env.SOAK_CALLS || 40000);
const browser = await launch();
try {
  await test(`soak: ${calls.toLocaleString("en")} mixed calls keep memory flat and leave nothing behind`, async () => {
    await control("POST", "faults", { method: "GET", path: "/stores/*", times: 1e9, kind: "status", status: 503, probability: 0.1 });
    const page = await browser.newPage();
    await page.goto(`${SANDBOX}/bench/soak.html`);
    await page.waitForFunction(() => window.benchReady, null, { timeout: 30000 });
    const r = await page.evaluate((n) => window.scenarios.memory(n), calls);
    await page.waitForTimeout(100);
    const live = await page.evaluate(() => window.__timers.size);
    const unhandled = await page.evaluate(() => window.__unhandled || []);
    await control("DELETE", "faults");
    const growth = r.end.heap - r.warm.heap;
    console.log(`# heap ${(r.warm.heap / 1024).toFixed(0)} KB → ${(r.end.heap / 1024).toFixed(0)} KB, wasm ${r.warm.wasm} → ${r.end.wasm} B, cache ${r.end.cacheEntries}, in-flight ${r.end.inFlight}, live timers ${live}, network ${r.end.networkRequests}, retries ${r.end.retries}`);
    assert(r.end.heap > 0, "performance.memory is available (--enable-precise-memory-info)");
    assert(growth < 512 * 1024, `JS heap grew ${growth} bytes after warm-up`);
    assert(r.warm.cacheEntries >= 200, `warm means the cache at its bound (${r.warm.cacheEntries})`);
    assert(r.end.wasm <= r.warm.wasm, `wasm memory grew ${r.warm.wasm} → ${r.end.wasm}`);
    assert(r.end.inFlight === 0, "the dedupe map is empty");
    assert(r.end.cacheEntries <= 200, "the cache stays within maxEntries");
    assert(r.end.cacheEntries >= 150, `the stream of distinct keys filled the cache (${r.end.cacheEntries})`);
    assert(live === 0, `${live} timers left behind`);
    assert(unhandled.length === 0, `unhandled rejections: ${unhandled.slice(0, 3)}`);
    assert(r.end.retries > 0, "faults were injected and retried");
  });
} finally {
  await browser.close();
}
done();
