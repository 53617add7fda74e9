// The offline catalogue in Chromium: the kiosk page (www/kiosk.html) with the browser context taken offline
// (Playwright's setOffline, which sets navigator.onLine and fires offline/online), against the sandbox (which
// serves www/ and dist/). Catalogue reads are answered stale and say so; customer calls fail fast with `offline`;
// reconnecting lets an open circuit breaker probe at once, and nothing is written twice.
import { SANDBOX, test, done, assert, eq, control, launch } from "../lib.mjs";

const ALICE_CARD = "9000000000001";
const REWARD = "r00005";

const browser = await launch();
const context = await browser.newContext({ viewport: { width: 1080, height: 1920 }, hasTouch: true });
const page = await context.newPage();
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));

const voucherEffects = async () =>
  (await control("GET", "effects")).filter((e) => e.path === `/rewards/${REWARD}/actions/create-voucher`)
    .reduce((s, e) => s + e.count, 0);
/** Runs `fn(client)` in the page and returns what it resolves to, or `{error: {kind, attempts, outcomeUnknown}}`. */
const inPage = (client, fn) => page.evaluate(async ([name, body]) => {
  try {
    return await new Function("client", `return (${body})(client)`)(window[name]);
  } catch (e) {
    return { error: { kind: e.kind, attempts: e.attempts, outcomeUnknown: e.outcomeUnknown } };
  }
}, [client, fn.toString()]);
const stats = (client) => page.evaluate((name) => window[name].stats(), client);

try {
  await test("online: the kiosk shows its catalogue, and a second client on the page reads it", async () => {
    await page.goto(`${SANDBOX}/kiosk.html`);
    await page.waitForSelector("#k-rewards .reward", { timeout: 20000 });
    eq(await page.isVisible("#offline"), false, "offline banner");
    // A client of the test's own (the kiosk's keeps its events to itself), with a breaker that opens quickly.
    await page.evaluate(async () => {
      const { CustomerClient } = await import("/pkg/browser.js");
      window.__events = [];
      window.__t = new CustomerClient({
        baseUrl: `${location.origin}/webservice/rest-api/customer-interface/v1.0`,
        externalApplicationId: "sandbox-app",
        // Its own device: a client sharing the kiosk's device would share its token and its logged-in customer,
        // and a customer's reads are never answered stale.
        device: { deviceId: crypto.randomUUID() },
        shareToken: false,
        retry: false,
        circuitBreaker: { failureThreshold: 1, openMs: 600000 },
        onEvent: (e) => window.__events.push(e),
      });
    });
    const fresh = await inPage("__t", (c) => c.rewards.list({ is_valid: true, count: 5 }));
    eq(fresh.rewards.length, 5, "rewards read");
  });

  await test("a customer signs in at the kiosk while online", async () => {
    await page.locator(`[data-card="${ALICE_CARD}"]`).click(); // the demo's stand-in for a card scan
    await page.waitForSelector("#unlock:not([hidden])", { timeout: 5000 });
    await page.fill("#k-password", "Passw0rd1");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#customer:not([hidden])", { timeout: 10000 });
    eq(await page.textContent("#k-name"), "Alice", "name");
  });

  let effectsBefore = 0;
  await test("offline: the banner shows and the catalogue is answered stale, flagged by onStale and the stale event", async () => {
    effectsBefore = await voucherEffects();
    await context.setOffline(true);
    await page.waitForSelector("#offline:not([hidden])", { timeout: 5000 });
    eq(await page.evaluate(() => navigator.onLine), false, "navigator.onLine");
    const r = await inPage("__t", async (c) => {
      const flags = [];
      const page = await c.rewards.list({ is_valid: true, count: 5 }, { cache: "no-cache", onStale: (i) => flags.push(i) });
      return { n: page.rewards.length, flags };
    });
    eq(r.n, 5, "the last good page");
    eq(r.flags.length, 1, "onStale calls");
    eq([r.flags[0].path, r.flags[0].reason], ["/rewards", "offline"], "onStale info");
    assert(r.flags[0].ageMs >= 0, `ageMs ${r.flags[0].ageMs}`);
    const events = (await page.evaluate(() => window.__events)).filter((e) => e.type === "stale");
    eq(events.map((e) => [e.path, e.reason]), [["/rewards", "offline"]], "stale events");
  });

  await test("offline: a customer call fails fast with kind offline, without an attempt or a retry", async () => {
    const before = await stats("__client");
    const r = await inPage("__client", (c) => c.points.overview(undefined, { cache: "no-cache" }));
    eq(r.error, { kind: "offline", attempts: 0, outcomeUnknown: false }, "error");
    const after = await stats("__client");
    eq([after.networkRequests, after.retries], [before.networkRequests, before.retries], "attempts and retries");
    // A catalogue read made with the customer logged in is customer data: it fails too, nothing stale.
    const rewards = await inPage("__client", (c) => c.rewards.list({ is_valid: true, count: 12, offset: 0 }, { cache: "no-cache" }));
    eq(rewards.error && rewards.error.kind, "offline", "the customer's catalogue read");
  });

  await test("offline: Redeem at the kiosk is refused locally, nothing reaches the sandbox", async () => {
    const before = await stats("__client");
    const button = page.locator(`#k-rewards .reward[data-reward-id="${REWARD}"] button`);
    await button.tap();
    await page.waitForFunction((id) => document.querySelector(`[data-reward-id="${id}"] button`).disabled, REWARD, { timeout: 5000 });
    await page.waitForFunction((id) => !document.querySelector(`[data-reward-id="${id}"] button`).disabled, REWARD, { timeout: 10000 });
    const after = await stats("__client");
    eq(after.requests - before.requests, 1, "the press made a call");
    eq(after.networkRequests, before.networkRequests, "network attempts");
    eq(await voucherEffects(), effectsBefore, "create-voucher effects while offline");
  });

  await test("reconnect: the online event lets an open breaker probe at once, and the banner goes", async () => {
    // Open the test client's breaker while online (its window holds 2 successes: the 8th failure opens it).
    await context.setOffline(false);
    await control("POST", "faults", { method: "GET", path: "/stores", times: 100, kind: "status", status: 503 });
    try {
      for (let i = 0; i < 8; i++) await inPage("__t", (c) => c.get("/stores"));
    } finally {
      await control("DELETE", "faults");
    }
    eq((await stats("__t")).circuitState, "open", "breaker after the outage");
    await context.setOffline(true);
    await context.setOffline(false); // fires `online`
    eq((await stats("__t")).circuitState, "half_open", "breaker after the online event");
    const probe = await inPage("__t", (c) => c.get("/stores", { query: { count: 1 } }));
    assert(!probe.error, `probe failed: ${JSON.stringify(probe.error)}`);
    eq((await stats("__t")).circuitState, "closed", "breaker after the probe");
    await page.waitForSelector("#offline", { state: "hidden", timeout: 20000 });
  });

  await test("reconnect: Redeem works again and creates exactly one voucher", async () => {
    const button = page.locator(`#k-rewards .reward[data-reward-id="${REWARD}"] button`);
    await button.tap();
    await page.waitForFunction(() => /redeemed/.test(document.querySelector("#toast").textContent || ""), null, { timeout: 10000 });
    eq(await voucherEffects(), effectsBefore + 1, "create-voucher effects: the offline press wrote nothing, this one once");
    eq(errors, [], "page errors");
  });
} finally {
  await browser.close();
}
done();
