// Demo customer portal on the carecloud-customer package, served by the sandbox (`make demo`).
import { $, esc, createClient, explain, formatPoints, rewardCard, toast } from "./shared.js";

const logEntries = [];

const client = createClient({
  device: { deviceSystem: "web", deviceName: "Lumen portal demo", deviceType: "web" },
  tokenStore: "session",
  onLog: (e) => { logEntries.unshift(e); logEntries.length = Math.min(logEntries.length, 80); scheduleRender(); },
  onEvent: (e) => addEvent(e),
});
window.__client = client; // for the end-to-end test

// ---------- panels
let renderQueued = false;
function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => { renderQueued = false; renderStats(); renderLog(); });
}
function renderStats() {
  const s = client.stats();
  const rows = [
    ["Calls", s.requests], ["Network requests", s.networkRequests], ["Joined in-flight (dedupe)", s.dedupedRequests],
    ["Cache hits", s.cacheHits], ["Retries", s.retries], ["Token renewals", s.tokenRenewals], ["Cached entries", s.cacheEntries],
  ];
  $("stats").innerHTML = rows.map(([k, v]) => `<dt>${k}</dt><dd data-stat="${k}">${v}</dd>`).join("");
  const c = $("circuit");
  c.textContent = `circuit ${s.circuitState.replace("_", "-")}`;
  c.className = `pill ${s.circuitState === "closed" ? "ok" : s.circuitState === "open" ? "bad" : "warn"}`;
}
function renderLog() {
  $("log").innerHTML = logEntries.map((e) => {
    const cls = e.source === "network" ? `s${String(e.status)[0]}` : "src";
    const what = e.source === "network" ? `${e.status || "—"} ${Math.round(e.ms)}ms #${e.attempt}` : e.source;
    const q = e.query ? `?${e.query}` : "";
    return `<li title="${esc(e.correlationId)}"><span class="${cls}">${esc(what)}</span> ${e.method} ${esc(e.path + q)}${e.outcome !== "ok" ? ` · ${e.outcome}` : ""}</li>`;
  }).join("");
}
function eventDetail(e) {
  if (e.type === "deprecation") return ` ${e.path}`;
  if (e.type === "sunset") return ` ${e.path} until ${new Date(e.sunsetAt).toISOString().slice(0, 10)}`;
  if (e.type !== "rate_limited") return "";
  if (e.source === "server") return ` · ${e.status} on ${e.path}${e.retryAfterMs === undefined ? "" : `, retry after ${e.retryAfterMs} ms`}`;
  if (e.source === "window") return ` · window exhausted on ${e.path}, pausing ${e.pauseMs} ms`;
  return ` · client limiter: ${e.queueLength} queued, waiting ${e.waitMs} ms`;
}
function addEvent(e) {
  const li = document.createElement("li");
  const extra = eventDetail(e);
  li.textContent = `${new Date().toLocaleTimeString()} · ${e.type}${extra}`;
  const list = $("events");
  if (list.firstElementChild && list.firstElementChild.classList.contains("muted")) list.innerHTML = "";
  list.prepend(li);
  if (e.type === "session_expired") showLoggedOut("Your session ended. Please sign in again.");
  scheduleRender();
}

// ---------- account
async function showProfile() {
  const [me, overview] = await Promise.all([client.customers.me(), client.points.overview()]);
  const pi = (me && me.personal_information) || {};
  $("name").textContent = `${pi.first_name || ""} ${pi.last_name || ""}`.trim() || "Customer";
  $("points").textContent = formatPoints(overview.available_points);
  $("login").hidden = true;
  $("profile").hidden = false;
  $("vouchers-card").hidden = false;
  await showVouchers();
}
async function showVouchers() {
  const data = await client.vouchers.list({ count: 8, sort_field: "valid_from", sort_direction: "DESC" }, { cache: "no-cache" });
  $("vouchers-count").textContent = `${data.total_items} in total`;
  $("vouchers").innerHTML = data.vouchers.map((v) =>
    `<li><span>${esc((v.reward && v.reward.name) || v.code)}</span><code>${esc(v.code)}</code></li>`).join("");
}
function showLoggedOut(msg) {
  $("login").hidden = false;
  $("profile").hidden = true;
  $("vouchers-card").hidden = true;
  $("login-error").textContent = msg || "";
}
$("login").addEventListener("submit", (ev) => {
  ev.preventDefault();
  $("login-error").textContent = "";
  client.guard($("login-btn"), async () => {
    await client.login({ loginType: "email", loginValue: $("email").value, password: $("password").value });
    $("password").value = "";
    await showProfile();
  }).catch((e) => ($("login-error").textContent = e.kind === "bad_request" ? "E-mail or password is wrong." : explain(e)));
});
document.querySelectorAll("[data-user]").forEach((a) => a.addEventListener("click", (ev) => {
  ev.preventDefault();
  const u = a.dataset.user;
  $("email").value = `${u}@example.com`;
  $("password").value = u === "alice" ? "Passw0rd1" : "Passw0rd2";
}));
$("logout").addEventListener("click", () =>
  client.guard($("logout"), () => client.logout())
    .catch(() => toast("Signed out on this device (the server was unreachable, so the device token was replaced)."))
    .finally(() => showLoggedOut()));
$("refresh").addEventListener("click", () => client.guard($("refresh"), refreshPoints).catch((e) => toast(explain(e))));
async function refreshPoints() {
  const o = await client.points.overview(undefined, { cache: "no-cache" });
  $("points").textContent = formatPoints(o.available_points);
}

// ---------- rewards: infinite scroll over paginate()
const rewardIter = client.paginate("/rewards", { listKey: "rewards", pageSize: 24 });
let loaded = 0, total = null, loading = false, exhausted = false;
async function loadMore() {
  if (loading || exhausted) return;
  loading = true;
  try {
    const batch = [];
    for (let i = 0; i < 24; i++) {
      const { value, done } = await rewardIter.next();
      if (done) { exhausted = true; break; }
      batch.push(value);
    }
    if (total === null) total = (await client.rewards.list({ count: 1 })).total_items;
    batch.forEach(addReward);
    loaded += batch.length;
    $("rewards-count").textContent = `${loaded} of ${total}`;
    $("sentinel").textContent = exhausted ? `All ${loaded} rewards loaded` : "Loading more…";
  } catch (e) {
    $("sentinel").textContent = `Could not load rewards (${explain(e)}). Scroll to retry.`;
  } finally {
    loading = false;
  }
  if (!exhausted && isVisible($("sentinel"))) loadMore();
}
function isVisible(el) { const r = el.getBoundingClientRect(); return r.top < innerHeight + 200; }
function addReward(r) {
  $("rewards").append(rewardCard(r, redeem));
}
function redeem(btn, r) {
  if (!client.customerId) { toast("Sign in to redeem rewards."); return; }
  client.guard(btn, () => client.rewards.redeem(r.reward_id))
    .then(async (v) => { toast(`Redeemed ${r.name}: voucher ${v.voucher_id}`); await Promise.all([refreshPoints(), showVouchers()]); })
    .catch((e) => toast(explain(e)));
}
new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && loadMore(), { rootMargin: "200px" })
  .observe($("sentinel"));

// ---------- demo controls
$("burst").addEventListener("click", async () => {
  const before = client.stats();
  await Promise.all(Array.from({ length: 20 }, () => client.get("/stores", { query: { count: 10 }, cache: "no-cache" })));
  const after = client.stats();
  toast(`20 identical reads → ${after.networkRequests - before.networkRequests} network request(s)`);
});
$("push").addEventListener("click", () => {
  const p = client.afterPush(() => (client.customerId ? refreshPoints() : client.rewards.list({ count: 1 }, { cache: "no-cache" })), { maxDelayMs: 60000 });
  const until = Date.now() + p.delayMs;
  const tick = () => {
    const left = until - Date.now();
    $("push-status").textContent = left > 0 ? `Push received: refreshing in ${(left / 1000).toFixed(1)} s (random 0–60 s, so 50,000 devices don't call at once)` : "Refreshed after push.";
    if (left > 0) setTimeout(tick, 100);
  };
  tick();
  p.catch((e) => toast(explain(e)));
});
async function fault(body) {
  await fetch(`${location.origin}/__sandbox/faults`, { method: "POST", body: JSON.stringify(body) });
}
$("outage").addEventListener("click", async () => {
  await fault({ method: "GET", path: "/*", times: 12, kind: "status", status: 503 });
  toast("Outage: the next 12 reads fail with 503");
  client.stores.list({ count: 3 }, { cache: "no-cache" }).catch((e) => toast(explain(e)));
});
let chaosTimer = null;
$("chaos").addEventListener("change", async (ev) => {
  clearInterval(chaosTimer);
  if (ev.target.checked) {
    const inject = () => fault({ method: "GET", path: "/*", times: 1, kind: "status", status: 503, retryAfter: "0" });
    await inject();
    chaosTimer = setInterval(inject, 700);
    toast("Chaos on: reads fail with 503 now and then; watch the retries");
  } else {
    await fetch(`${location.origin}/__sandbox/faults`, { method: "DELETE" });
    toast("Chaos off");
  }
});

// ---------- start
(async () => {
  try {
    await client.connect();
    $("conn").textContent = "device connected";
    $("conn").className = "pill ok";
    if (client.customerId) await showProfile();
  } catch (e) {
    $("conn").textContent = "offline";
    $("conn").className = "pill bad";
  }
  renderStats();
  loadMore();
})();
