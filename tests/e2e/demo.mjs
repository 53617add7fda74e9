// Tier 6: the demo portal in Chromium, driven by Playwright against the sandbox (which serves www/ and dist/).
import { join, resolve } from "node:path";
import { SANDBOX, test, done, assert, eq, control, launch, sleep } from "../lib.mjs";

const shots = resolve(import.meta.dirname, "../out");
const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));
// Console errors and failed loads while the sandbox is healthy (the chaos and outage tests below cause 503s).
const consoleErrors = [];
page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
page.on("response", (r) => r.status() >= 400 && consoleErrors.push(`${r.status()} ${new URL(r.url()).pathname}`));
const SIZES = [[390, 844], [1280, 800], [1080, 1920]];

const voucherEffects = async (rewardId) =>
  (await control("GET", "effects")).filter((e) => e.path === `/rewards/${rewardId}/actions/create-voucher`)
    .reduce((s, e) => s + e.count, 0);

try {
  await test("the portal loads the first page of rewards through the wasm client", async () => {
    await page.goto(`${SANDBOX}/`);
    await page.waitForSelector("#rewards .reward", { timeout: 20000 });
    await page.waitForFunction(() => document.querySelector("#conn").textContent === "device connected");
    const n = await page.locator("#rewards .reward").count();
    assert(n >= 24, `first page shown (${n})`);
  });

  await test("signed out, the profile panel is hidden (its hidden attribute wins over the CSS)", async () => {
    assert(await page.isVisible("#login"), "login form visible");
    eq(await page.isVisible("#profile"), false, "profile panel visible");
    eq(await page.isVisible("#vouchers-card"), false, "vouchers visible");
  });

  await test("signing in shows the customer's name and points", async () => {
    await page.fill("#email", "alice@example.com");
    await page.fill("#password", "Passw0rd1");
    await page.click("#login-btn");
    await page.waitForSelector("#profile:not([hidden])", { timeout: 10000 });
    eq(await page.textContent("#name"), "Alice Novak", "name");
    eq(await page.textContent("#points"), "12,500", "points");
  });

  await test("no console errors or failed loads (no favicon 404) while loading and signing in", async () => {
    eq(consoleErrors, [], "console errors");
  });

  await test("a double-click on Redeem creates exactly one voucher", async () => {
    const card = page.locator('#rewards .reward[data-reward-id="r00001"]');
    const before = await voucherEffects("r00001");
    await card.locator("button").dblclick();
    await page.waitForFunction(() => !document.querySelector('[data-reward-id="r00001"] button').disabled, null, { timeout: 10000 });
    await page.waitForFunction(() => document.querySelector("#points").textContent !== "12,500", null, { timeout: 10000 });
    eq(await voucherEffects("r00001"), before + 1, "create-voucher effects");
    eq(await page.textContent("#points"), "12,363", "points after redeeming 137");
  });

  await test("scrolling pages through every reward with paginate", async () => {
    for (let i = 0; i < 40; i++) {
      if ((await page.textContent("#sentinel")).startsWith("All")) break;
      await page.locator("#sentinel").scrollIntoViewIfNeeded();
      await sleep(150);
    }
    eq(await page.textContent("#sentinel"), "All 260 rewards loaded", "sentinel");
    eq(await page.locator("#rewards .reward").count(), 260, "cards");
    const pages = (await control("GET", "requests")).filter((r) => r.path === "/rewards" && /offset=/.test(r.query));
    eq(pages.length, 11, "260 rewards in pages of 24: 11 requests, none after total_items");
  });

  await test("20 identical reads make one network request", async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
    const before = await page.evaluate(() => window.__client.stats().networkRequests);
    await page.click("#burst");
    await page.waitForSelector("#toast:not([hidden])");
    const after = await page.evaluate(() => window.__client.stats().networkRequests);
    eq(after - before, 1, "network requests for 20 reads");
  });

  await test("chaos mode: reads recover through retries", async () => {
    await page.click("label.switch");
    try {
      await sleep(300);
      const before = await page.evaluate(() => window.__client.stats().retries);
      await page.click("#refresh");
      await page.waitForFunction(() => !document.querySelector("#refresh").disabled, null, { timeout: 15000 });
      const after = await page.evaluate(() => window.__client.stats().retries);
      assert(after > before, `retries happened (${before} → ${after})`);
      eq(await page.textContent("#points"), "12,363", "points still shown");
    } finally {
      await page.click("label.switch");
    }
    await page.screenshot({ path: join(shots, "demo.png") });
  });

  await test("an outage opens the circuit breaker, and the portal recovers", async () => {
    await control("DELETE", "faults");
    await control("POST", "faults", { method: "GET", path: "/*", times: 40, kind: "status", status: 503 });
    await page.evaluate(() => Promise.allSettled([1, 2, 3, 4].map((i) => window.__client.get(`/stores/s000${i}`, { cache: "no-store" }))));
    eq(await page.textContent("#circuit"), "circuit open", "circuit");
    const failFast = await page.evaluate(() => window.__client.get("/stores/s0009", { cache: "no-store" }).catch((e) => e.kind));
    eq(failFast, "circuit_open", "calls fail fast while open");
    await page.screenshot({ path: join(shots, "demo-outage.png") });
    await control("DELETE", "faults");
    await sleep(8200); // the demo's openMs
    await page.click("#refresh");
    await page.waitForFunction(() => document.querySelector("#circuit").textContent === "circuit closed", null, { timeout: 10000 });
  });

  await test("sign out clears customer data; no token in localStorage or any URL", async () => {
    await page.click("#logout");
    await page.waitForSelector("#login:not([hidden])");
    eq(await page.evaluate(() => window.__client.customerId), undefined, "customerId");
    eq(await page.isVisible("#profile"), false, "profile panel visible after sign out");
    // localStorage holds the device id (not a secret) and nothing else: no token, no customer data.
    const stored = await page.evaluate(() => Object.entries(localStorage));
    eq(stored.map(([k]) => k.endsWith(":device")), [true], "localStorage keys");
    assert(stored.every(([, v]) => !/[0-9a-f]{72}/.test(v)), "no token in localStorage");
    const reqs = await control("GET", "requests");
    assert(reqs.every((r) => !/[0-9a-f]{72}/.test(r.query)), "no token in a query string");
    eq(errors, [], "page errors");
  });
  await test("no sideways overflow at 390, 1280 and 1080 px wide, signed out and in (screenshots in tests/out)", async () => {
    for (const [width, height] of SIZES) {
      const p = await browser.newPage({ viewport: { width, height } });
      try {
        await p.goto(`${SANDBOX}/`);
        await p.waitForSelector("#rewards .reward", { timeout: 20000 });
        const overflow = () => p.evaluate(() => document.documentElement.scrollWidth - innerWidth);
        assert(await overflow() <= 0, `${width}px signed out: ${await overflow()} px wider than the window`);
        await p.screenshot({ path: join(shots, `portal-signed-out-${width}x${height}.png`) });
        await p.click('[data-user="bob"]');
        await p.click("#login-btn");
        await p.waitForSelector("#profile:not([hidden])", { timeout: 10000 });
        await p.waitForFunction(() => document.querySelector("#vouchers-count").textContent !== "", null, { timeout: 10000 });
        assert(await overflow() <= 0, `${width}px signed in: ${await overflow()} px wider than the window`);
        const points = await p.locator("#points").boundingBox();
        assert(points && points.x >= 0 && points.x + points.width <= width, `${width}px: points inside the viewport`);
        await p.screenshot({ path: join(shots, `portal-${width}x${height}.png`) });
      } finally {
        await p.close();
      }
    }
  });
} finally {
  await browser.close();
}
done();
