// Tier 6: the demo portal in Chromium, driven by Playwright against the sandbox (which serves www/ and dist/).
import { join, resolve } from "node:path";
import { SANDBOX, test, done, assert, eq, control, launch, sleep } from "../lib.mjs";

const shots = resolve(import.meta.dirname, "../out");
const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));

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

  await test("signing in shows the customer's name and points", async () => {
    await page.fill("#email", "alice@example.com");
    await page.fill("#password", "Passw0rd1");
    await page.click("#login-btn");
    await page.waitForSelector("#profile:not([hidden])", { timeout: 10000 });
    eq(await page.textContent("#name"), "Alice Novak", "name");
    eq(await page.textContent("#points"), "12,500", "points");
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
    eq(await page.evaluate(() => localStorage.length), 0, "localStorage");
    const reqs = await control("GET", "requests");
    assert(reqs.every((r) => !/[0-9a-f]{72}/.test(r.query)), "no token in a query string");
    eq(errors, [], "page errors");
  });
} finally {
  await browser.close();
}
done();
