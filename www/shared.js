// What the portal (app.js) and the kiosk (kiosk.js) share: the client's construction, error wording, and the
// reward card. Both pages import the package the same way, from the sandbox's /pkg mount.
import { CustomerClient, CareCloudError } from "/pkg/browser.js";

export { CareCloudError };

export const $ = (id) => document.getElementById(id);
export const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
export const formatPoints = (n) => Number(n || 0).toLocaleString("en");

/** Shows `msg` in the page's #toast for a few seconds. */
export function toast(msg) {
  const t = $("toast");
  t.textContent = msg;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (t.hidden = true), 3200);
}

/** The demo's client: the sandbox's API on this origin; `options` adds or overrides (device, tokenStore, callbacks). */
export function createClient(options) {
  return new CustomerClient({
    baseUrl: `${location.origin}/webservice/rest-api/customer-interface/v1.0`,
    externalApplicationId: "sandbox-app",
    setup: { languageId: "en", allowedGps: false, allowedNotifications: true },
    retry: { maxRetries: 4, baseDelayMs: 250, maxDelayMs: 3000 },
    circuitBreaker: { failureThreshold: 5, openMs: 8000 },
    ...options,
  });
}

/** Error kinds that mean "the service cannot be reached", not "the request was wrong". */
const UNREACHABLE = new Set(["network", "timeout", "circuit_open", "offline"]);
export const isUnreachable = (e) => e instanceof CareCloudError && UNREACHABLE.has(e.kind);

/** A sentence for a customer. */
export const explain = (e) => e instanceof CareCloudError
  ? (e.reason === "not_enough_points_for_voucher" ? "Not enough points for this reward."
    : e.kind === "circuit_open" ? "The service is having trouble; trying again shortly."
    : e.outcomeUnknown ? "We could not confirm this; check your vouchers before trying again."
    : isUnreachable(e) ? "The service cannot be reached right now; please try again shortly."
    : `${e.kind}: ${e.message}`) : String(e);

// Monograms rather than emoji: kiosks often ship without an emoji font.
const monogram = (kind) => kind.split(" ").map((w) => w[0]).join("").slice(0, 2).toUpperCase() || "★";
const HUES = [262, 200, 28, 340, 150, 48, 300, 12];
const pad = (n) => String(n).padStart(2, "0");
const now = new Date();
const TODAY = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} 00:00:00`;

/**
 * One reward as an `<article class="reward">` with its Redeem button; `onRedeem(button, reward)` runs on a press
 * (expired rewards get a disabled button).
 */
export function rewardCard(r, onRedeem) {
  const kind = (r.name || "").replace(/ #\d+$/, "");
  const hue = HUES[Number(String(r.reward_id).slice(-2)) % HUES.length] ?? HUES[0];
  const expired = typeof r.valid_time_to === "string" && r.valid_time_to < TODAY;
  const card = document.createElement("article");
  card.className = `reward${expired ? " invalid" : ""}`;
  card.dataset.rewardId = r.reward_id;
  card.dataset.cost = Number(r.points_cost) || 0;
  card.innerHTML = `<div class="art" style="background:hsl(${hue} 80% 94%);color:hsl(${hue} 55% 38%)">${esc(monogram(kind))}</div>
    <div class="title">${esc(r.name)}</div><div class="cost">${formatPoints(r.points_cost)} points</div>
    <button class="primary redeem" ${expired ? "disabled" : ""}>${expired ? "Expired" : "Redeem"}</button>`;
  const btn = card.querySelector("button");
  btn.addEventListener("click", () => onRedeem(btn, r));
  return card;
}
