// Demo in-store kiosk on the carecloud-customer package: log in by scanning a loyalty card (a keyboard-wedge
// scanner types the number and Enter), see points and rewards, redeem; signs out by itself when left idle.
// URL parameters: `?idle=SECONDS` (default 60), `?probe=SECONDS` (how often to retry while offline, default 3),
// `?refresh=SECONDS` (how often the idle kiosk re-reads its catalogue, default 300).
import { $, createClient, explain, formatPoints, isUnreachable, rewardCard, toast } from "./shared.js";

const params = new URLSearchParams(location.search);
const seconds = (name, fallback) => {
  const v = Number(params.get(name));
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const IDLE_MS = seconds("idle", 60) * 1000;
const PROBE_MS = seconds("probe", 3) * 1000;
const REFRESH_MS = seconds("refresh", 300) * 1000;
// A wedge scanner types a whole card number in a burst, a few milliseconds a key; a person takes 100 ms or more.
const SCAN_MS_PER_KEY = 70;
const SCAN_PAUSE_MS = 300; // a pause this long starts a new burst
const MIN_CARD_DIGITS = 6;
const PAGE_SIZE = 12;

// Stale answers seen so far: the client may answer from its saved copy when the service is unreachable.
let staleAnswers = 0;
const client = createClient({
  device: { deviceSystem: "web", deviceName: "Lumen kiosk demo", deviceType: "kiosk" },
  tokenStore: "memory", // a shared device: a reload starts a fresh device token, nobody stays signed in
  stale: { persist: true }, // the catalogue's saved copies survive a reload (localStorage; never customer data)
  onEvent: (e) => {
    if (!e || typeof e !== "object") return;
    if (e.type === "stale") staleAnswers += 1;
    if (e.type === "circuit_open") setReachable(false);
    if (e.type === "session_expired") signOut("Your session ended. Please scan your card again.");
  },
});
window.__client = client; // for the end-to-end test

// ---------- screens: welcome (scan) → unlock (password) → customer
let screen = "welcome";
function show(next) {
  screen = next;
  for (const id of ["welcome", "unlock", "customer"]) $(id).hidden = id !== next;
  if (next === "welcome") stopIdle();
  else resetIdle();
}

// ---------- connectivity: the banner is up while the browser is offline or the service is unreachable
let unreachable = false;
let probeTimer = null;
function renderBanner() {
  $("offline").hidden = navigator.onLine && !unreachable;
}
function setReachable(ok) {
  unreachable = !ok;
  renderBanner();
  clearTimeout(probeTimer);
  if (!ok) probeTimer = setTimeout(probe, PROBE_MS);
}
/** Runs a client call, keeping the banner in step with its outcome (a stale answer did not reach the service). */
async function call(fn) {
  const staleBefore = staleAnswers;
  try {
    const value = await fn();
    setReachable(staleAnswers === staleBefore);
    return value;
  } catch (e) {
    if (isUnreachable(e)) setReachable(false);
    throw e;
  }
}
/** Tells the customer what went wrong, unless the offline banner already says it. */
const report = (e) => (!isUnreachable(e) || e.outcomeUnknown) && toast(explain(e));
/** While unreachable: a cheap uncached read; on success, reload what could not be loaded. */
async function probe() {
  try {
    await call(() => client.rewards.list({ is_valid: true, count: 1 }, { cache: "no-cache" }));
  } catch {
    if (unreachable) setReachable(false); // still down (or failed another way): probe again later
    return;
  }
  if (shown === 0 || catalogueStale) loadRewards(shown !== 0).catch(() => {});
  if (screen === "customer") refreshPoints().catch(() => {});
}
addEventListener("offline", renderBanner);
addEventListener("online", () => { renderBanner(); probe(); });

// ---------- idle sign-out with a visible countdown
let idleDeadline = 0;
let idleTimer = null;
function resetIdle() {
  idleDeadline = Date.now() + IDLE_MS;
  if (!idleTimer) idleTimer = setInterval(renderIdle, 250);
  renderIdle();
}
function stopIdle() {
  clearInterval(idleTimer);
  idleTimer = null;
  $("k-idle").hidden = true;
}
function renderIdle() {
  const left = Math.max(0, Math.ceil((idleDeadline - Date.now()) / 1000));
  const el = $("k-idle");
  el.hidden = false;
  el.textContent = `Signing out in ${left} s · touch the screen to stay`;
  el.classList.toggle("soon", left <= 10);
  if (left === 0) signOut("Signed out after inactivity.");
}
for (const type of ["pointerdown", "keydown", "wheel", "touchstart"]) {
  document.addEventListener(type, () => screen !== "welcome" && resetIdle(), { capture: true, passive: true });
}

// ---------- card scanner (keyboard wedge): digits typed fast, then Enter, with no field focused
const newBurst = (t) => ({ digits: "", first: t, last: t });
let burst = newBurst(-Infinity);
const editable = (el) => el instanceof HTMLElement && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
document.addEventListener("keydown", (ev) => {
  if (editable(ev.target)) return;
  const t = ev.timeStamp;
  if (t - burst.last > SCAN_PAUSE_MS) burst = newBurst(t);
  burst.last = t;
  const n = burst.digits.length;
  if (/^[0-9]$/.test(ev.key)) {
    burst.digits += ev.key;
  } else if (ev.key === "Enter" && n >= MIN_CARD_DIGITS && (t - burst.first) / n <= SCAN_MS_PER_KEY) {
    ev.preventDefault();
    cardScanned(burst.digits);
    burst = newBurst(-Infinity);
  } else {
    burst = newBurst(-Infinity);
  }
});
document.querySelectorAll("[data-card]").forEach((b) => b.addEventListener("click", () => cardScanned(b.dataset.card)));

let pendingCard = null;
let visit = 0; // counts sign-outs, so a login that completes after one is undone
async function cardScanned(card) {
  if (client.customerId) await signOut(); // a new card replaces whoever is at the kiosk
  pendingCard = card;
  $("unlock-card").textContent = `Card ending ${card.slice(-4)}`;
  $("k-error").textContent = "";
  $("k-password").value = "";
  show("unlock");
  $("k-password").focus();
}
$("unlock").addEventListener("submit", (ev) => {
  ev.preventDefault();
  $("k-error").textContent = "";
  const mine = visit;
  client.guard($("k-signin"), async () => {
    await call(() => client.login({ loginType: "card", loginValue: pendingCard, password: $("k-password").value }));
    if (mine !== visit) return client.logout();
    $("k-password").value = "";
    pendingCard = null;
    await showCustomer(mine);
  }).catch((e) => ($("k-error").textContent = e.kind === "bad_request" ? "Card or password not recognised."
    : isUnreachable(e) ? "The service cannot be reached right now; please try again shortly." : explain(e)));
});
$("k-cancel").addEventListener("click", () => signOut());

// ---------- the customer
async function showCustomer(mine) {
  const [me, overview] = await call(() => Promise.all([client.customers.me(), client.points.overview()]));
  if (mine !== visit) return; // signed out meanwhile
  const pi = (me && me.personal_information) || {};
  $("k-name").textContent = pi.first_name || "there";
  showPoints(overview);
  show("customer");
}
async function refreshPoints() {
  showPoints(await call(() => client.points.overview(undefined, { cache: "no-cache" })));
}
/** The balance, and which rewards it does not reach yet (`overview` null: nobody signed in). */
let points = null;
function showPoints(overview) {
  points = overview ? Number(overview.available_points) || 0 : null;
  $("k-points").textContent = points === null ? "" : formatPoints(points);
  markShortfall();
}
function markShortfall() {
  for (const card of $("k-rewards").children) card.classList.toggle("short", points !== null && Number(card.dataset.cost) > points);
}
$("k-refresh").addEventListener("click", () => client.guard($("k-refresh"), refreshPoints).catch(report));
$("k-logout").addEventListener("click", () => signOut());

/** Forgets the customer: the screen first, then the session and every cached customer response (logout). */
async function signOut(message) {
  visit += 1;
  pendingCard = null;
  $("k-password").value = "";
  $("k-name").textContent = "";
  showPoints(null);
  show("welcome");
  if (message) toast(message);
  if (client.customerId) await client.logout().catch(() => {}); // local state is cleared even if the server is unreachable
  if (screen === "welcome") loadRewards(true).catch(() => {}); // the next visitor sees today's catalogue (or the saved one)
}

// ---------- the reward catalogue (valid rewards, a page at a time)
let shown = 0;
let total = Infinity;
let catalogueStale = false; // something on screen is the client's saved copy, not a fresh answer
/** Shows the next page; `again`: reads the first page from the service anew and replaces what is shown. */
async function loadRewards(again = false) {
  const staleBefore = staleAnswers;
  const query = { is_valid: true, count: PAGE_SIZE, offset: again ? 0 : shown };
  const page = await call(() => client.rewards.list(query, again ? { cache: "no-cache" } : undefined));
  const rewards = (page && Array.isArray(page.rewards)) ? page.rewards : [];
  if (again) {
    $("k-rewards").replaceChildren();
    shown = 0;
  }
  total = Number.isFinite(page && page.total_items) ? page.total_items : shown + rewards.length;
  for (const r of rewards) $("k-rewards").append(rewardCard(r, redeem));
  shown += rewards.length;
  markShortfall();
  catalogueStale = (catalogueStale && !again) || staleAnswers !== staleBefore;
  $("k-stale").hidden = !catalogueStale;
  $("k-more").hidden = shown >= total || rewards.length === 0;
}
// A kiosk runs for days: while nobody is at it, it re-reads the catalogue now and then.
setInterval(() => screen === "welcome" && !unreachable && loadRewards(true).catch(() => {}), REFRESH_MS);
$("k-more").addEventListener("click", () => client.guard($("k-more"), loadRewards).catch(report));

function redeem(btn, reward) {
  if (!client.customerId) {
    toast("Scan your loyalty card to redeem rewards.");
    return;
  }
  client.guard(btn, () => call(() => client.rewards.redeem(reward.reward_id)))
    .then(async () => {
      toast(`${reward.name} redeemed: your voucher is in your account.`);
      await refreshPoints();
    })
    .catch(report);
}

// ---------- start
renderBanner();
loadRewards().catch(report);
