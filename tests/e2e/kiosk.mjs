// Tier 6: the kiosk page (www/kiosk.html) in Chromium with touch, driven by Playwright against a freshly reset
// sandbox (which serves www/ and dist/). Screenshots go to tests/out/kiosk-*.png.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { SANDBOX, test, done, assert, eq, control, launch, sleep } from "../lib.mjs";

const shots = resolve(import.meta.dirname, "../out");
mkdirSync(shots, { recursive: true });
const ALICE_CARD = "9000000000001";
const BOB_CARD = "9000000000002";
const SIZES = [[390, 844], [1280, 800], [1080, 1920]];

const browser = await launch();
const errors = [];
const consoleErrors = [];
/** A kiosk page in its own context (own sessionStorage), portrait and touch-enabled unless told otherwise. */
async function open(query = "", viewport = { width: 1080, height: 1920 }) {
  const context = await browser.newContext({ viewport, hasTouch: true });
  const page = await context.newPage();
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
  page.on("response", (r) => r.status() >= 400 && consoleErrors.push(`${r.status()} ${new URL(r.url()).pathname}`));
  await page.goto(`${SANDBOX}/kiosk.html${query}`);
  await page.waitForSelector("#k-rewards .reward", { timeout: 20000 });
  return page;
}
/** What a keyboard-wedge scanner does: the digits within milliseconds, then Enter, to whatever has focus. */
async function scan(page, card, delay = 0) {
  await page.keyboard.type(card, { delay });
  await page.keyboard.press("Enter");
}
async function signIn(page, card, password) {
  await scan(page, card);
  await page.waitForSelector("#unlock:not([hidden])", { timeout: 5000 });
  await page.fill("#k-password", password);
  await page.keyboard.press("Enter");
  await page.waitForSelector("#customer:not([hidden])", { timeout: 10000 });
}
const voucherEffects = async (rewardId) =>
  (await control("GET", "effects")).filter((e) => e.path === `/rewards/${rewardId}/actions/create-voucher`)
    .reduce((s, e) => s + e.count, 0);
const visible = (page, sel) => page.isVisible(sel);
/** The visible buttons, fields and links smaller than 48 × 48 px (a finger's target), as "name W×H". */
const smallTargets = (page) => page.evaluate(() => [...document.querySelectorAll("button, input, a")]
  .filter((el) => el.offsetParent !== null)
  .map((el) => ({ el: el.id || el.textContent.trim(), r: el.getBoundingClientRect() }))
  .filter(({ r }) => r.width < 48 || r.height < 48)
  .map(({ el, r }) => `${el} ${Math.round(r.width)}×${Math.round(r.height)}`));

try {
  const page = await open();

  await test("the kiosk shows the scan prompt and the valid rewards, with no console errors", async () => {
    assert(await visible(page, "#welcome"), "scan prompt visible");
    eq(await visible(page, "#customer"), false, "customer panel visible while signed out");
    eq(await visible(page, "#offline"), false, "offline banner visible");
    eq(await page.locator("#k-rewards .reward").count(), 12, "first page of rewards");
    eq(await page.locator("#k-rewards .reward.invalid").count(), 0, "expired rewards shown");
    eq(consoleErrors, [], "console errors");
  });

  await test("every visible button and field is touch-sized (at least 48 × 48 px)", async () => {
    eq(await smallTargets(page), [], "targets smaller than 48 px on the welcome screen");
  });

  await test("keys typed at a person's pace are not taken for a card scan", async () => {
    await scan(page, ALICE_CARD, 150);
    await sleep(300);
    assert(await visible(page, "#welcome"), "still on the scan prompt");
    eq(await visible(page, "#unlock"), false, "password step shown");
  });

  await test("a card scan (digits typed fast + Enter, no field focused) asks for the password, then signs in", async () => {
    eq(await page.evaluate(() => document.activeElement === document.body), true, "nothing focused");
    await scan(page, ALICE_CARD);
    await page.waitForSelector("#unlock:not([hidden])", { timeout: 5000 });
    eq(await page.textContent("#unlock-card"), "Card ending 0001", "card shown");
    await page.screenshot({ path: join(shots, "kiosk-password-1080x1920.png") });
    eq(await smallTargets(page), [], "targets smaller than 48 px on the password screen");
    await page.fill("#k-password", "Passw0rd1");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#customer:not([hidden])", { timeout: 10000 });
    eq(await page.textContent("#k-name"), "Alice", "name");
    eq(await page.textContent("#k-points"), "12,500", "points");
    const login = (await control("GET", "requests")).filter((r) => /\/actions\/login$/.test(r.path));
    eq(login.map((r) => r.status), [200], "one login call");
    assert(/Signing out in \d+ s/.test(await page.textContent("#k-idle")), "idle countdown visible");
    eq(await smallTargets(page), [], "targets smaller than 48 px signed in");
  });

  await test("a double tap on Redeem creates exactly one voucher", async () => {
    const card = page.locator('#k-rewards .reward[data-reward-id="r00001"]');
    const button = card.locator("button");
    const before = await voucherEffects("r00001");
    const box = await button.boundingBox();
    const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
    await page.touchscreen.tap(x, y);
    await sleep(80);
    await page.touchscreen.tap(x, y);
    await page.waitForFunction(() => document.querySelector("#k-points").textContent !== "12,500", null, { timeout: 10000 });
    await page.waitForFunction(() => !document.querySelector('[data-reward-id="r00001"] button').disabled, null, { timeout: 10000 });
    await sleep(300);
    eq(await voucherEffects("r00001"), before + 1, "create-voucher effects");
    eq(await page.textContent("#k-points"), "12,363", "points after redeeming 137");
  });

  await test("the offline banner shows while the sandbox drops every read, and goes when it recovers", async () => {
    await control("POST", "faults", { method: "GET", path: "/*", times: 100000, kind: "drop" });
    try {
      await page.locator("#k-more").tap();
      await page.waitForSelector("#offline:not([hidden])", { timeout: 20000 });
      await page.screenshot({ path: join(shots, "kiosk-offline-1080x1920.png") });
    } finally {
      await control("DELETE", "faults");
    }
    await page.waitForSelector("#offline", { state: "hidden", timeout: 25000 });
    assert(await visible(page, "#customer"), "customer still signed in");
  });

  await test("the offline banner follows navigator.onLine", async () => {
    await page.context().setOffline(true);
    try {
      await page.waitForSelector("#offline:not([hidden])", { timeout: 5000 });
    } finally {
      await page.context().setOffline(false);
    }
    await page.waitForSelector("#offline", { state: "hidden", timeout: 25000 });
  });

  await test("scanning another card replaces the customer at the kiosk", async () => {
    await page.evaluate(() => document.activeElement.blur());
    await signIn(page, BOB_CARD, "Passw0rd2");
    eq(await page.textContent("#k-name"), "Bob", "name");
    eq(await page.textContent("#k-points"), "800", "points");
    await page.locator("#k-more").tap();
    await page.waitForFunction(() => document.querySelectorAll("#k-rewards .reward").length === 24, null, { timeout: 10000 });
    const costs = await page.$$eval("#k-rewards .reward", (cards) => cards.map((c) => [Number(c.dataset.cost), c.classList.contains("short")]));
    assert(costs.some(([, short]) => short), "some rewards beyond Bob's 800 points");
    eq(costs.filter(([cost, short]) => short !== cost > 800), [], "rewards marked as not reachable yet");
    await page.locator('[data-reward-id="r00024"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, "kiosk-shortfall-1080x1920.png") });
  });

  await test("sandbox outage: signed out, the kiosk shows its saved catalogue, marked; a card sign-in fails clearly; both recover", async () => {
    const stale = () => visible(page, "#k-stale");
    eq(await stale(), false, "saved-catalogue marker while online");
    const logins = async () => (await control("GET", "requests")).filter((r) => /\/actions\/login$/.test(r.path) && r.status > 0).length;
    await control("POST", "faults", { method: "*", path: "/*", times: 100000, kind: "drop" });
    try {
      await page.locator("#k-logout").tap(); // Bob leaves; the kiosk re-reads its catalogue for the next visitor
      await page.waitForSelector("#k-stale:not([hidden])", { timeout: 20000 });
      await page.waitForSelector("#offline:not([hidden])", { timeout: 5000 });
      eq(await page.locator("#k-rewards .reward").count(), 12, "the saved first page is shown");
      await page.screenshot({ path: join(shots, "kiosk-outage-saved-catalogue-1080x1920.png") });
      const before = await logins();
      await scan(page, ALICE_CARD);
      await page.waitForSelector("#unlock:not([hidden])", { timeout: 5000 });
      await page.fill("#k-password", "Passw0rd1");
      await page.waitForSelector("#k-signin:not([disabled])", { timeout: 5000 }); // Bob's press holds it 500 ms
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => document.querySelector("#k-error").textContent !== "", null, { timeout: 20000 });
      assert(/cannot be reached|having trouble/.test(await page.textContent("#k-error")), `sign-in error: ${await page.textContent("#k-error")}`);
      eq(await visible(page, "#customer"), false, "customer panel during the outage");
      eq(await logins() - before, 0, "logins that reached the handler");
      await page.locator("#k-cancel").tap();
    } finally {
      await control("DELETE", "faults");
    }
    // The banner's probe finds the service again and the catalogue is read anew: the marker goes.
    await page.waitForSelector("#k-stale", { state: "hidden", timeout: 25000 });
    await page.waitForSelector("#offline", { state: "hidden", timeout: 25000 });
    eq(await page.locator("#k-rewards .reward").count(), 12, "the fresh first page");
  });

  await test("a reload during an outage shows the catalogue saved in localStorage, marked, with the banner", async () => {
    const saved = await page.evaluate(() => Object.entries(localStorage).filter(([k]) => k.includes(":copy:")));
    const first = `:copy:${SANDBOX}/webservice/rest-api/customer-interface/v1.0/rewards?count=12&is_valid=true&offset=0`;
    assert(saved.some(([k]) => k.endsWith(first)), `saved: ${saved.map(([k]) => k)}`);
    const tokens = (await control("GET", "requests")).filter((r) => /^\/tokens\/[0-9a-f]{32,}/.test(r.path))
      .map((r) => r.path.split("/")[2]);
    assert(saved.every(([, v]) => tokens.every((t) => !v.includes(t))), "no token in a saved copy");
    await control("POST", "faults", { method: "*", path: "/*", times: 100000, kind: "drop" });
    try {
      await page.reload(); // the page itself is served; every API call is dropped
      await page.waitForSelector("#k-rewards .reward", { timeout: 20000 });
      await page.waitForSelector("#k-stale:not([hidden])", { timeout: 5000 });
      await page.waitForSelector("#offline:not([hidden])", { timeout: 5000 });
      eq(await page.locator("#k-rewards .reward").count(), 12, "the saved first page");
      await page.screenshot({ path: join(shots, "kiosk-reload-in-outage-1080x1920.png") });
    } finally {
      await control("DELETE", "faults");
    }
    await page.waitForSelector("#k-stale", { state: "hidden", timeout: 25000 });
    await page.waitForSelector("#offline", { state: "hidden", timeout: 25000 });
  });

  await test("left idle, the kiosk counts down, signs out, and forgets the customer's data", async () => {
    // Let the client cache the customer's responses, so there is something for logout to forget.
    const customerPaths = ["/customers*", "/wallet/*"];
    for (const path of customerPaths) await control("PUT", "cache-control", { path, maxAge: 300 });
    const idle = await open("?idle=5");
    try {
      await signIn(idle, BOB_CARD, "Passw0rd2");
      const cached = await idle.evaluate(() => window.__client.stats().cacheEntries);
      assert(/^Signing out in [1-5] s/.test(await idle.textContent("#k-idle")), "countdown visible");
      await sleep(3000);
      await idle.touchscreen.tap(5, 300); // any touch starts the countdown again
      await sleep(3000);
      assert(await visible(idle, "#customer"), "still signed in 6 s after sign-in, 3 s after a touch");
      await idle.waitForSelector("#welcome:not([hidden])", { timeout: 8000 });
      eq(await visible(idle, "#customer"), false, "customer panel visible");
      eq(await visible(idle, "#k-idle"), false, "countdown visible after sign-out");
      eq([await idle.textContent("#k-name"), await idle.textContent("#k-points")], ["", ""], "name and points");
      eq(await idle.locator("#k-rewards .reward.short").count(), 0, "rewards still marked against Bob's points");
      await idle.waitForFunction(() => window.__client.customerId === undefined, null, { timeout: 5000 });
      const left = await idle.evaluate(() => window.__client.stats().cacheEntries);
      eq(cached - left, 2, `customer responses (me, points) dropped from the cache (${cached} → ${left})`);
      const logouts = (await control("GET", "requests")).filter((r) => /\/actions\/logout$/.test(r.path));
      assert(logouts.some((r) => r.status === 204), "logout reached the sandbox");
    } finally {
      await idle.context().close();
      for (const path of customerPaths) await control("PUT", "cache-control", { path });
    }
  });

  await test("screenshots at 390×844, 1280×800 and 1080×1920 fit without sideways overflow", async () => {
    for (const [width, height] of SIZES) {
      const p = await open("", { width, height });
      try {
        const overflow = () => p.evaluate(() => document.documentElement.scrollWidth - innerWidth);
        assert(await overflow() <= 0, `${width}px welcome: ${await overflow()} px too wide`);
        await p.screenshot({ path: join(shots, `kiosk-${width}x${height}.png`) });
        await p.locator('[data-card="9000000000002"]').click();
        await p.fill("#k-password", "Passw0rd2");
        await p.keyboard.press("Enter");
        await p.waitForSelector("#customer:not([hidden])", { timeout: 10000 });
        assert(await overflow() <= 0, `${width}px signed in: ${await overflow()} px too wide`);
        await p.screenshot({ path: join(shots, `kiosk-signed-in-${width}x${height}.png`) });
      } finally {
        await p.context().close();
      }
    }
    eq(errors, [], "page errors");
  });
} finally {
  await browser.close();
}
done();
