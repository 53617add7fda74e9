// One device per browser: two pages of one Chromium context (two tabs) share one device token, a reload keeps the
// device (its new token invalidates the old one), concurrent 401s in both tabs renew once, and a login or logout in
// one tab applies to the other. Drives www/tabs-test.html against the sandbox (which serves www/ and dist/).
import { SANDBOX, API, test, done, assert, eq, control, launch } from "../lib.mjs";

const DEVICE_KEY = "carecloud:sandbox-app:device";
const browser = await launch();
const context = await browser.newContext();
// Every bearer token the pages sent, in order (read from the requests, never from the pages).
const bearers = [];
context.on("request", async (r) => {
  const auth = (await r.allHeaders().catch(() => ({}))).authorization;
  if (auth && !bearers.includes(auth.slice(7))) bearers.push(auth.slice(7));
});
const postedTokens = async () =>
  (await control("GET", "requests")).filter((e) => e.method === "POST" && e.path === "/tokens").length;
const open = async () => {
  const page = await context.newPage();
  await page.goto(`${SANDBOX}/tabs-test.html`);
  await page.waitForFunction(() => window.ready === true);
  return page;
};
const call = (page, path) => page.evaluate((p) => window.client.get(p).then(() => "ok", (e) => e.kind), path);
const renewals = async (...pages) => {
  let n = 0;
  for (const p of pages) n += await p.evaluate(() => window.client.stats().tokenRenewals);
  return n;
};
const status = async (token) =>
  (await fetch(`${API}/stores/s0001`, { headers: { Authorization: `Bearer ${token}` } })).status;

try {
  await control("POST", "reset");
  let a, b;

  await test("two tabs: one POST /tokens, both calls authorised with the one token", async () => {
    a = await open();
    await a.evaluate(() => window.client.connect());
    b = await open();
    await b.evaluate(() => window.client.connect());
    eq(await postedTokens(), 1, "POST /tokens");
    eq([await call(a, "/stores/s0001"), await call(b, "/stores/s0002")], ["ok", "ok"], "calls");
    eq(bearers.length, 1, "distinct bearer tokens sent");
    eq(await renewals(a, b), 0, "renewals");
  });

  await test("localStorage holds the device id only, never a token", async () => {
    for (const page of [a, b]) {
      const entries = await page.evaluate(() => Object.entries(localStorage));
      eq(entries.map(([k]) => k), [DEVICE_KEY], "localStorage keys");
      assert(/^[0-9a-f-]{36}$/.test(entries[0][1]), "a UUID");
      assert(bearers.every((t) => !entries[0][1].includes(t)), "no token");
      const session = await page.evaluate(() => Object.values(sessionStorage).join(" "));
      assert(bearers.every((t) => !session.includes(t)), "no token in sessionStorage (memory store)");
    }
  });

  await test("reloading one tab while the other is open takes the open tab's token (no POST /tokens)", async () => {
    await a.reload();
    await a.waitForFunction(() => window.ready === true);
    eq(await call(a, "/stores/s0003"), "ok", "call after reload");
    eq(await postedTokens(), 1, "POST /tokens");
    eq(bearers.length, 1, "still one token");
  });

  await test("a reload alone: exactly one new token, and the old one answers 401", async () => {
    await b.close();
    const old = bearers.at(-1);
    await a.reload();
    await a.waitForFunction(() => window.ready === true);
    eq(await call(a, "/stores/s0004"), "ok", "call after reload");
    eq(await postedTokens(), 2, "POST /tokens");
    eq(bearers.length, 2, "one new token");
    eq(await status(old), 401, "the old token");
    eq(await status(bearers.at(-1)), 200, "the new token");
    const live = await control("GET", "tokens");
    eq([live.live, live.devices], [1, 1], "live tokens and devices in the sandbox");
    b = await open();
    eq(await call(b, "/stores/s0005"), "ok", "a new tab");
    eq(await postedTokens(), 2, "the new tab took the token");
  });

  await test("concurrent 401s in both tabs: one renewal in total, and no ping-pong after it", async () => {
    // Replace the tabs' token from outside: a new token for the same device id, straight to the sandbox.
    const deviceId = await a.evaluate((k) => localStorage.getItem(k), DEVICE_KEY);
    const r = await fetch(`${API}/tokens`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        device: { device_id: deviceId, device_system: "web", device_name: "e2e", device_type: "browser" },
        setup: { language_id: "en", allowed_gps: false, allowed_notifications: false },
        external_application_id: "sandbox-app",
      }),
    });
    eq(r.status, 201, "outside POST /tokens");
    const before = await postedTokens();
    const burst = (page) => page.evaluate(() =>
      Promise.all([1, 2, 3, 4, 5].map((i) => window.client.get(`/stores/s000${i}`).then(() => "ok", (e) => e.kind))));
    const [ra, rb] = await Promise.all([burst(a), burst(b)]);
    eq([...ra, ...rb].filter((x) => x !== "ok"), [], "failed calls");
    eq(await postedTokens() - before, 1, "renewals (POST /tokens)");
    eq(await renewals(a, b), 1, "tokenRenewals of both tabs");
    const renewedEvents = async (p) => p.evaluate(() => window.events.filter((e) => e === "token_renewed").length);
    eq(await renewedEvents(a) + await renewedEvents(b), 1, "token_renewed events of both tabs");
    eq([await call(a, "/stores/s0006"), await call(b, "/stores/s0007")], ["ok", "ok"], "calls after");
    eq(await postedTokens() - before, 1, "no renewal after");
  });

  await test("login in one tab is known in the other; logout in one tab logs the other out", async () => {
    // Which tab renewed in the test before is a race; this test looks only at the events from here on.
    for (const page of [a, b]) await page.evaluate(() => { window.events = []; });
    const id = await a.evaluate(() =>
      window.client.login({ loginType: "email", loginValue: "alice@example.com", password: "Passw0rd1" })
        .then((r) => r.customerId));
    await b.waitForFunction((id) => window.client.customerId === id, id, { timeout: 5000 });
    eq(await call(b, "/customers"), "ok", "the other tab acts as the customer");
    await b.evaluate(() => window.client.logout());
    await a.waitForFunction(() => window.client.customerId === undefined, null, { timeout: 5000 });
    eq(await a.evaluate(() => window.events), ["session_expired"], "events in the other tab");
    eq(await call(a, "/customers"), "forbidden", "logged out on the server");
  });
} finally {
  await browser.close();
  done();
}
