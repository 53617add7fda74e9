// The package's JavaScript surface over the wasm exports: `CareCloudError`, the `paginate` async iterator and the
// typed resource helpers (`client.rewards.list()`, `client.customers.me()`, …). Everything else is Rust.
import { CustomerClient, Pages } from "./carecloud_customer.js";

/** The package version (from Cargo.toml). */
export const VERSION = "__VERSION__";

/**
 * Every failed call rejects with a CareCloudError: an `Error` with `kind`, `status`, `reason`, `invalidParams`,
 * `retryable`, `outcomeUnknown`, `requestId` and `attempts`. Errors are created inside the wasm module as plain
 * `Error`s named "CareCloudError"; `instanceof CareCloudError` recognises them.
 */
export class CareCloudError extends Error {
  constructor(kind, message, extra = {}) {
    super(message);
    this.name = "CareCloudError";
    Object.assign(this, { kind, code: kind, status: undefined, reason: undefined, invalidParams: [],
      retryable: false, outcomeUnknown: false, requestId: undefined, attempts: 0 }, extra);
  }
  static [Symbol.hasInstance](value) {
    return value instanceof Error && value.name === "CareCloudError";
  }
}

/**
 * A `sharedCache` for Cloudflare Workers over `caches.default` (per data centre): catalogue reads made with no
 * customer logged in are shared by every request of every isolate there. Failures (e.g. no cache configured in a
 * local workerd) are misses; a call never fails because of the shared cache.
 */
export function workersSharedCache(cache) {
  const c = () => cache || (typeof caches !== "undefined" ? caches.default : undefined);
  return {
    async match(key) {
      const store = c();
      if (!store) return undefined;
      const r = await store.match(key);
      return r ? r.text() : undefined;
    },
    async put(key, text, ttlSeconds) {
      const store = c();
      if (!store) return;
      await store.put(key, new Response(text, {
        headers: { "content-type": "application/json", "cache-control": `public, max-age=${Math.max(1, ttlSeconds | 0)}` },
      }));
    },
  };
}

const enc = (id) => {
  if (typeof id !== "string" && typeof id !== "number") {
    throw new CareCloudError("config", "an id must be a string or a number");
  }
  return encodeURIComponent(String(id));
};

function needCustomer(client) {
  const id = client.customerId;
  if (!id) throw new CareCloudError("config", "this helper needs a logged-in customer: call login() first");
  return enc(id);
}

const withQuery = (query, options) => ({ ...(options || {}), query: { ...((options || {}).query || {}), ...(query || {}) } });

/** Async iterator over every item of a list, page by page (`count`/`offset`), stopping on `total_items`. */
async function* paginate(path, options = {}) {
  const pages = this.pages(path, options);
  try {
    for (;;) {
      let page;
      try {
        page = await pages.next();
      } catch (e) {
        if (e && e.kind === "aborted") return; // an aborted walk ends quietly; no further request is made
        throw e;
      }
      if (page === undefined) return;
      for (const item of page) yield item;
    }
  } finally {
    pages.free();
  }
}

const resources = {
  rewards: (c) => ({
    /** One page of rewards: `{rewards, total_items}`. Filters: name, store_id, is_valid, reward_group, … */
    list: (query, options) => c.get("/rewards", withQuery(query, options)),
    /** Every reward (async iterator). */
    all: (query, options) => c.paginate("/rewards", { listKey: "rewards", ...withQuery(query, options) }),
    get: (id, options) => c.get(`/rewards/${enc(id)}`, options),
    /** Redeems points for a voucher: `POST /rewards/{id}/actions/create-voucher` → `{voucher_id}`. */
    redeem: (id, body, options) => c.post(`/rewards/${enc(id)}/actions/create-voucher`, body || {}, options),
  }),
  customers: (c) => ({
    /** The logged-in customer's record (`GET /customers` returns only them). */
    me: async (options) => {
      const data = await c.get("/customers", options);
      return (data && Array.isArray(data.customers) && data.customers[0]) || null;
    },
    /**
     * `PUT /customers/{id}`. CareCloud's PUT REPLACES THE WHOLE RECORD: every field you omit is deleted. Read the
     * record with `me()`, change it, and send all of it back. The password changes only if you send one.
     */
    update: (customer, extra, options) => c.put(`/customers/${needCustomer(c)}`, { ...(extra || {}), customer }, options),
  }),
  points: (c) => ({
    list: (query, options) => c.get(`/customers/${needCustomer(c)}/points`, withQuery(query, options)),
    /** `{earned_points, redeemed_points, available_points, available_points_money_value}`. */
    overview: (query, options) =>
      c.get("/wallet/actions/points-overview", withQuery({ customer_id: c.customerId, ...(query || {}) }, options)),
  }),
  vouchers: (c) => ({
    list: (query, options) => c.get(`/customers/${needCustomer(c)}/vouchers`, withQuery(query, options)),
    all: (query, options) =>
      c.paginate(`/customers/${needCustomer(c)}/vouchers`, { listKey: "vouchers", ...withQuery(query, options) }),
    get: (id, options) => c.get(`/vouchers/${enc(id)}`, options),
  }),
  purchases: (c) => ({
    list: (query, options) => c.get(`/customers/${needCustomer(c)}/purchases`, withQuery(query, options)),
    all: (query, options) =>
      c.paginate(`/customers/${needCustomer(c)}/purchases`, { listKey: "purchases", ...withQuery(query, options) }),
  }),
  stores: (c) => ({
    list: (query, options) => c.get("/stores", withQuery(query, options)),
    all: (query, options) => c.paginate("/stores", { listKey: "stores", ...withQuery(query, options) }),
    get: (id, options) => c.get(`/stores/${enc(id)}`, options),
  }),
  products: (c) => ({
    list: (query, options) => c.get("/products", withQuery(query, options)),
    all: (query, options) => c.paginate("/products", { listKey: "products", ...withQuery(query, options) }),
    get: (id, options) => c.get(`/products/${enc(id)}`, options),
  }),
  messages: (c) => ({
    list: (query, options) => c.get("/messages", withQuery(query, options)),
    all: (query, options) => c.paginate("/messages", { listKey: "messages", ...withQuery(query, options) }),
  }),
  languages: (c) => ({
    list: (query, options) => c.get("/languages", withQuery(query, options)),
  }),
};

if (!Object.prototype.hasOwnProperty.call(CustomerClient.prototype, "paginate")) {
  Object.defineProperty(CustomerClient.prototype, "paginate", { value: paginate, writable: true, configurable: true });
  const cache = new WeakMap();
  for (const [name, make] of Object.entries(resources)) {
    Object.defineProperty(CustomerClient.prototype, name, {
      configurable: true,
      get() {
        let all = cache.get(this);
        if (!all) cache.set(this, (all = {}));
        return all[name] || (all[name] = make(this));
      },
    });
  }
}

export { CustomerClient, Pages };
