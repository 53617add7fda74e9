// A Cloudflare Worker (module syntax) serving CareCloud rewards through carecloud-customer.
//
//   GET  /rewards?offset=0&count=20   public catalogue (module-scope client, shared cache of non-personal data)
//   POST /session {email, password}   logs a customer in; answers {token} for the browser to keep in sessionStorage
//   GET  /me/rewards                  with `Authorization: Bearer <token>`: the customer, their points and rewards
//   POST /logout                      with the same header
import { CustomerClient, CareCloudError, workersSharedCache } from "carecloud-customer";

// Set CARECLOUD_BASE_URL at build time (see README) or edit the default for your project.
const BASE_URL = typeof CARECLOUD_BASE_URL !== "undefined"
  ? CARECLOUD_BASE_URL
  : "https://sandbox.crmcarecloud.com/webservice/rest-api/customer-interface/v1.0";
const APP_ID = typeof CARECLOUD_APP_ID !== "undefined" ? CARECLOUD_APP_ID : "sandbox-app";

// Module scope is fine: construction touches no timer, randomness or network. This client holds only the
// Worker's own device token and catalogue data, never a customer's.
const catalogue = new CustomerClient({
  baseUrl: BASE_URL,
  externalApplicationId: APP_ID,
  device: { deviceId: "worker-catalogue", deviceSystem: "cloudflare-workers", deviceName: "rewards worker", deviceType: "server" },
  cache: { ttlMs: { "/rewards": 60000 } },
  // Catalogue pages shared by every isolate of the data centre through caches.default (customer data never goes
  // there). Where no cache is configured (a bare local workerd) this degrades to misses.
  sharedCache: workersSharedCache(),
});

/** A client for one customer request, its device token taken from the request (never kept in the isolate). */
function customerSession(token) {
  const state = { token };
  const client = new CustomerClient({
    baseUrl: BASE_URL,
    externalApplicationId: APP_ID,
    device: { deviceSystem: "web", deviceName: "rewards worker session", deviceType: "browser" },
    cache: false,
    tokenStore: {
      get: (key) => (key.endsWith(":token") ? state.token : null),
      set: (key, value) => { if (key.endsWith(":token")) state.token = value; },
      remove: (key) => { if (key.endsWith(":token")) state.token = null; },
    },
  });
  return { client, state };
}

const json = (body, status = 200, headers = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

function bearer(request) {
  const h = request.headers.get("authorization") || "";
  return h.startsWith("Bearer ") ? h.slice(7) : null;
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    try {
      if (request.method === "GET" && url.pathname === "/rewards") {
        const count = Math.min(100, Number(url.searchParams.get("count") || 20));
        const offset = Math.max(0, Number(url.searchParams.get("offset") || 0));
        const data = await catalogue.rewards.list({ count, offset, is_valid: true });
        return json({ rewards: data.rewards, total: data.total_items }, 200, { "cache-control": "public, max-age=60" });
      }
      if (request.method === "POST" && url.pathname === "/session") {
        const { email, password } = await request.json();
        const { client, state } = customerSession(null);
        await client.login({ loginType: "email", loginValue: String(email), password: String(password) });
        return json({ token: state.token }, 200, { "cache-control": "private, no-store" });
      }
      if (request.method === "GET" && url.pathname === "/me/rewards") {
        const token = bearer(request);
        if (!token) return json({ error: "unauthorized" }, 401);
        const c = customerSession(token).client;
        const [me, rewards] = await Promise.all([c.customers.me(), c.rewards.list({ count: 10, is_valid: true })]);
        const points = await c.get("/wallet/actions/points-overview", { query: { customer_id: me.customer_id } });
        return json({
          name: me.personal_information.first_name,
          points: points.available_points,
          affordable: rewards.rewards.filter((r) => r.points_cost <= points.available_points).map((r) => r.name),
        }, 200, { "cache-control": "private, no-store" });
      }
      if (request.method === "POST" && url.pathname === "/logout") {
        const token = bearer(request);
        if (token) await customerSession(token).client.logout().catch(() => {});
        return json({ ok: true });
      }
      return json({ error: "not found" }, 404);
    } catch (e) {
      if (e instanceof CareCloudError) {
        const status = e.kind === "bad_request" ? 400 : e.kind === "unauthorized" || e.kind === "forbidden" ? 401 : 502;
        return json({ error: e.kind, reason: e.reason }, status);
      }
      return json({ error: "internal" }, 500);
    }
  },
};
