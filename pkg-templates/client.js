// The package's JavaScript surface over the wasm exports: the `CustomerClient` and `Pages` facades (constructible
// before the wasm module is ready, bound to the wasm client on first use), `CareCloudError`, `{name}` path parameters
// for the generic calls, the `paginate` async iterator and the resource helpers (`client.rewards.list()`, …).
// Everything else is Rust. Every entry (browser.js, node.mjs, node.cjs, workerd.js) re-exports this module.
import { WasmCustomerClient as WasmClient } from "./carecloud_customer.js";
import { localCopies } from "./copies.js";
import { CUSTOMER_UPDATE } from "./readonly.js";

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

// ---- The wasm instance. The entry module hands it over, instantiated (Node, workerd) or as the promise of its
// streaming instantiation (browsers): `provideWasm` is this module's default export, which `export *` in the entries
// leaves out of the package's surface.
let wasm; // the instance's exports, once instantiated
let settle;
const loaded = new Promise((resolve, reject) => { settle = { resolve, reject }; });
loaded.catch(() => {}); // a failed load is reported by the calls that needed it (and by `ready()`), not as unhandled

/** Called once by the entry module with the instance's exports, or a promise of them. */
export default function provideWasm(instance) {
  const use = (exports) => { wasm = exports; settle.resolve(); };
  if (typeof instance.then !== "function") return use(instance);
  instance.then(use, (e) => settle.reject(new CareCloudError("config",
    `the WebAssembly module could not be loaded (${e && e.message ? e.message : e}): serve carecloud_customer_bg.wasm beside the package's JavaScript, as application/wasm`,
    { cause: e })));
}

/**
 * Resolves when the wasm module is instantiated (at once in Node and Workers; in browsers after the fetch and
 * compile that start when the package is imported); rejects with a `config` CareCloudError if it cannot be loaded.
 * Calls wait for it by themselves: await it only to use the synchronous members from the first moment.
 */
export const ready = () => loaded;

/** Bytes of linear memory the wasm instance holds (diagnostics, benchmarks); 0 before it is instantiated. */
export const wasmMemoryBytes = () => (wasm ? wasm.memory.buffer.byteLength : 0);

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

const own = (o, k) => o != null && Object.prototype.hasOwnProperty.call(o, k);

/**
 * Fills the `{name}` placeholders of `path` from `params`, each value percent-encoded. A missing, empty or
 * non-string/number value is a `config` error (an empty segment would reach another resource). `{token}` is left
 * for the core (the device token, filled on every attempt) unless `params` names it. A path without placeholders is
 * returned unchanged.
 */
function fillPath(path, params) {
  if (typeof path !== "string" || !path.includes("{")) return path;
  return path.replace(/\{([^{}/]*)\}/g, (whole, name) => {
    if (name === "token" && !own(params, "token")) return whole;
    const v = own(params, name) ? params[name] : undefined;
    if ((typeof v === "string" && v !== "") || (typeof v === "number" && Number.isFinite(v))) {
      return encodeURIComponent(String(v));
    }
    throw new CareCloudError("config",
      `path parameter ${name} must be a non-empty string or a finite number (pass it as options.path.${name})`);
  });
}

/** A copy of `value` without the properties at `paths` (`a.b`; `a[].b` = `b` of every item of array `a`). */
function withoutPaths(value, paths) {
  let out = value;
  for (const p of paths) out = without(out, p.split("."));
  return out;
}

function without(value, [segment, ...rest]) {
  const each = segment.endsWith("[]");
  const key = each ? segment.slice(0, -2) : segment;
  if (value === null || typeof value !== "object" || Array.isArray(value) || !own(value, key)) return value;
  const copy = { ...value };
  if (!rest.length) delete copy[key];
  else if (!each) copy[key] = without(value[key], rest);
  else if (Array.isArray(value[key])) copy[key] = value[key].map((item) => without(item, rest));
  return copy;
}

/** The logged-in customer's id, or a `config` error for helpers that need one. */
function needCustomer(client) {
  const id = client.customerId;
  if (!id) throw new CareCloudError("config", "this helper needs a logged-in customer: call login() first");
  return id;
}

const withQuery = (query, options) => ({ ...(options || {}), query: { ...((options || {}).query || {}), ...(query || {}) } });
/** Options for a templated path: `path` params plus the helper's query. */
const at = (path, query, options) => ({ ...withQuery(query, options), path });
/** A walk that starts (and so checks its arguments) on the first `next()`. */
async function* lazily(start) {
  yield* start();
}

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

/** `YYYY-MM-DD HH:MM:SS` in local time, CareCloud's timestamp format. */
const localTimestamp = (d = new Date()) => {
  const two = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
};

// The helpers are path sugar over get/post/put/paginate with spec paths; those that act for the logged-in customer
// fill `customer_id` and reject with a `config` error when nobody is logged in.
const catalogue = (c, path, listKey, itemPath, idName) => ({
  list: async (query, options) => c.get(path, withQuery(query, options)),
  all: (query, options) => c.paginate(path, { listKey, ...withQuery(query, options) }),
  get: async (id, options) => c.get(itemPath, at({ [idName]: id }, undefined, options)),
});
const customerList = (c, path, listKey) => ({
  list: async (query, options) => c.get(path, at({ customer_id: needCustomer(c) }, query, options)),
  all: (query, options) => lazily(() => c.paginate(path, { listKey, ...at({ customer_id: needCustomer(c) }, query, options) })),
});
const forCustomer = (c, query) => ({ ...(query || {}), customer_id: needCustomer(c) });

const resources = {
  rewards: (c) => ({
    ...catalogue(c, "/rewards", "rewards", "/rewards/{reward_id}", "reward_id"),
    /** Redeems points for a voucher for the logged-in customer → `{voucher_id}`. */
    redeem: async (id, body, options) =>
      c.post("/rewards/{reward_id}/actions/create-voucher", { ...(body || {}), customer_id: needCustomer(c) },
        at({ reward_id: id }, undefined, options)),
    tags: async (query, options) => c.get("/rewards/tags", withQuery(query, options)),
    stores: async (id, query, options) => c.get("/rewards/{reward_id}/stores", at({ reward_id: id }, query, options)),
    products: async (id, query, options) => c.get("/rewards/{reward_id}/products", at({ reward_id: id }, query, options)),
  }),
  customers: (c) => ({
    /** The logged-in customer's record (`GET /customers` returns only them). */
    me: async (options) => {
      const data = await c.get("/customers", options);
      return (data && Array.isArray(data.customers) && data.customers[0]) || null;
    },
    get: async (id, query, options) => c.get("/customers/{customer_id}", at({ customer_id: id }, query, options)),
    /**
     * `PUT /customers/{id}`. CareCloud's PUT REPLACES THE WHOLE RECORD: every field you omit is deleted. Read the
     * record with `me()`, change it, and send all of it back; the spec's readOnly fields are left out.
     */
    update: async (customer, extra, options) =>
      c.put("/customers/{customer_id}", withoutPaths({ ...(extra || {}), customer }, CUSTOMER_UPDATE),
        at({ customer_id: needCustomer(c) }, undefined, options)),
    checkRegistrationAbility: async (body, options) => c.post("/customers/actions/check-registration-ability", body, options),
    validateCustomerData: async (body, options) => c.post("/customers/actions/validate-customer-data", body, options),
  }),
  cards: (c) => ({
    ...customerList(c, "/customers/{customer_id}/cards", "cards"),
    get: async (id, options) => c.get("/cards/{card_id}", at({ card_id: id }, undefined, options)),
    digitalFile: async (id, fileType, options) =>
      c.post("/cards/actions/generate-digital-card-file", { card_id: id, file_type: fileType }, options),
  }),
  points: (c) => ({
    list: customerList(c, "/customers/{customer_id}/points", "points").list,
    /** `{earned_points, redeemed_points, available_points, available_points_money_value}`. */
    overview: async (query, options) => c.get("/wallet/actions/points-overview", withQuery(forCustomer(c, query), options)),
    history: async (query, options) => c.get("/point-history", withQuery(forCustomer(c, query), options)),
    historyAll: (query, options) =>
      lazily(() => c.paginate("/point-history", { listKey: "point_history", ...withQuery(forCustomer(c, query), options) })),
  }),
  vouchers: (c) => ({
    ...customerList(c, "/customers/{customer_id}/vouchers", "vouchers"),
    get: async (id, options) => c.get("/vouchers/{voucher_id}", at({ voucher_id: id }, undefined, options)),
    apply: async (id, body, options) =>
      c.post("/vouchers/{voucher_id}/actions/apply-voucher", { date_applied: localTimestamp(), ...(body || {}) },
        at({ voucher_id: id }, undefined, options)),
    giftCardBalance: async (body, options) => c.post("/vouchers/actions/gift-card-balance", body, options),
  }),
  purchases: (c) => ({
    ...customerList(c, "/customers/{customer_id}/purchases", "purchases"),
    get: async (id, options) => c.get("/purchases/{purchase_id}", at({ purchase_id: id }, undefined, options)),
    items: async (id, query, options) => c.get("/purchases/{purchase_id}/purchase-items", at({ purchase_id: id }, query, options)),
  }),
  stores: (c) => catalogue(c, "/stores", "stores", "/stores/{store_id}", "store_id"),
  products: (c) => catalogue(c, "/products", "products", "/products/{product_id}", "product_id"),
  messages: (c) => ({
    ...catalogue(c, "/messages", "messages", "/messages/{message_id}", "message_id"),
    detail: async (id, options) => c.get("/messages/{message_id}/detail", at({ message_id: id }, undefined, options)),
  }),
  languages: (c) => ({
    list: async (query, options) => c.get("/languages", withQuery(query, options)),
  }),
  agreements: (c) => {
    const { list, get } = catalogue(c, "/agreements", "agreements", "/agreements/{agreement_id}", "agreement_id");
    return { list, get };
  },
  countries: (c) => ({
    list: async (query, options) => c.get("/countries", withQuery(query, options)),
  }),
  communicationChannels: (c) => {
    const { list, get } = catalogue(c, "/communication-channels", "communication_channels",
      "/communication-channels/{communication_channel_id}", "communication_channel_id");
    return { list, get };
  },
};


// ---- The facades. A `CustomerClient` holds its options until the wasm module is ready, then builds the wasm client
// (at once when the module is ready at construction: Node, Workers, or any later construction in a browser) and
// forwards to it. Before that, the asynchronous members wait for it, `pages()` hands out a walker that waits on its
// first `next()`, `stats()` reports an idle client, `customerId` is undefined, `clearCache()` has nothing to clear and
// `pushDelayMs()` throws (it needs the wasm's CSPRNG; the `delayMs` of an early `afterPush` is set once drawn).

/** A facade's state: `{ options }` until bound, then `{ client }`, or `{ error }` when the options were refused. */
const STATE = Symbol("CustomerClient state");

/** The wasm client behind `facade`, built now if the wasm module is ready; undefined while it is loading. */
function boundNow(facade) {
  const s = facade[STATE];
  if (s.client) return s.client;
  if (!s.error && wasm) {
    try {
      s.client = new WasmClient(s.options);
      s.memo = newMemo(s.client.memoFlags);
      const copies = localCopies(s.options);
      if (copies) s.client.keepCopiesIn(copies);
    } catch (e) {
      s.error = e;
    }
    s.options = undefined;
  }
  if (s.error) throw s.error;
  return s.client;
}

/** `use(client)` at once when bound, else once the wasm module is ready; a refusal becomes a rejection. */
function whenBound(facade, use) {
  let client;
  try {
    client = boundNow(facade);
  } catch (e) {
    return Promise.reject(e);
  }
  return client ? use(client) : loaded.then(() => use(boundNow(facade)));
}

// ---- Plain reads (`get` with no options but `query` and `path`) answered in JavaScript, without a call into the
// wasm: a cache hit the client reported (until the entry's expiry), and a read in flight (joined: one promise for
// all). Both only while the client's read epoch is unchanged: it moves whenever the cache stores or drops anything or
// the token or customer changes, so the answer is the one the client would give; the client decides what may be
// kept (memoFlags: 1 cache hits, 2 joins; 0 when an onLog handler wants every call). Counted in stats().

/** At most this many remembered hits; beyond it the memo starts again (the cache itself is the store). */
const MEMO_MAX = 256;
const newMemo = (flags) => ({ flags, epoch: -1, hits: new Map(), flights: new Map(), hitCount: 0, joinCount: 0 });

/** Whether `options` holds nothing but `query` and `path` (a plain read). */
function plain(options) {
  if (options === undefined || options === null) return true;
  if (typeof options !== "object") return false;
  for (const k in options) if (k !== "query" && k !== "path") return false;
  return true;
}

/** The memo key of a plain read of the filled `path`, or undefined when its query is not JSON. */
function plainKey(path, options) {
  const query = options ? options.query : undefined;
  if (query === undefined) return path;
  try {
    return `${path}?${JSON.stringify(query)}`;
  } catch {
    return undefined; // the client says what is wrong with it
  }
}

/** `get` of a plain read on a bound client: from the memo, else through the wasm (remembering what it answers). */
function plainGet(m, client, path, options, key) {
  const epoch = client.readEpoch();
  if (epoch !== m.epoch) {
    m.epoch = epoch;
    m.hits.clear();
    m.flights.clear();
  }
  const hit = m.hits.get(key);
  if (hit !== undefined && Date.now() < hit[1]) {
    m.hitCount++;
    return Promise.resolve(hit[0]);
  }
  const flight = m.flights.get(key);
  if (flight !== undefined) {
    m.joinCount++;
    return flight;
  }
  if (m.flags & 1) {
    const fresh = client.hit(path, options);
    if (fresh !== undefined) {
      if (m.hits.size >= MEMO_MAX) m.hits.clear();
      m.hits.set(key, fresh);
      return Promise.resolve(fresh[0]);
    }
  }
  const p = client.get(path, options);
  if (m.flags & 2) {
    m.flights.set(key, p);
    const settled = () => {
      if (m.flights.get(key) === p) m.flights.delete(key);
    };
    p.then(settled, settled);
  }
  return p;
}

const NO_BODY = Symbol("no body");
/**
 * `get`/`delete` (`body` = NO_BODY) or `post`/`put` on a path, its `{name}` placeholders filled from `options.path`
 * before it reaches the wasm. Bound, it calls straight through (a cache hit is a hot path: no argument array, no
 * extra promise).
 */
function callAt(facade, name, path, body, options) {
  let filled;
  let client;
  try {
    filled = fillPath(path, options && options.path);
    client = boundNow(facade);
  } catch (e) {
    return Promise.reject(e);
  }
  const call = body === NO_BODY ? (c) => c[name](filled, options) : (c) => c[name](filled, body, options);
  return client ? call(client) : loaded.then(() => call(boundNow(facade)));
}

/** What `stats()` reports before the wasm client exists: nothing sent, nothing cached. */
const idleStats = () => ({ requests: 0, networkRequests: 0, dedupedRequests: 0, cacheHits: 0, retries: 0,
  tokenRenewals: 0, cacheEntries: 0, inFlight: 0, circuitState: "closed" });

export class CustomerClient {
  /** Validates the options at once when the wasm module is ready (else on first use: calls then reject). */
  constructor(options) {
    Object.defineProperty(this, STATE, { value: { options } });
    if (wasm) boundNow(this);
  }
  get(path, options) {
    const s = this[STATE];
    if (s.client && s.memo.flags !== 0 && typeof path === "string" && plain(options)) {
      let filled;
      try {
        filled = fillPath(path, options && options.path);
      } catch (e) {
        return Promise.reject(e);
      }
      const key = plainKey(filled, options);
      if (key !== undefined) return plainGet(s.memo, s.client, filled, options, key);
    }
    return callAt(this, "get", path, NO_BODY, options);
  }
  post(path, body, options) { return callAt(this, "post", path, body, options); }
  put(path, body, options) { return callAt(this, "put", path, body, options); }
  delete(path, options) { return callAt(this, "delete", path, NO_BODY, options); }
  connect() { return whenBound(this, (c) => c.connect()); }
  login(args) { return whenBound(this, (c) => c.login(args)); }
  logout() { return whenBound(this, (c) => c.logout()); }
  register(args) { return whenBound(this, (c) => c.register(args)); }
  sendPasswordSetupEmail(args) { return whenBound(this, (c) => c.sendPasswordSetupEmail(args)); }
  updateToken(args) { return whenBound(this, (c) => c.updateToken(args)); }
  authToken(args) { return whenBound(this, (c) => c.authToken(args)); }
  guard(element, action, options) { return whenBound(this, (c) => c.guard(element, action, options)); }
  guardKey(key, action, options) { return whenBound(this, (c) => c.guardKey(key, action, options)); }
  afterPush(action, options) {
    let p;
    p = whenBound(this, (c) => {
      const inner = c.afterPush(action, options);
      if (p) p.delayMs = inner.delayMs; // drawn after the wasm module became ready
      return inner;
    });
    return p;
  }
  pushDelayMs(maxDelayMs) {
    const c = boundNow(this);
    if (!c) throw new CareCloudError("config", "pushDelayMs needs the WebAssembly module, still loading: await ready() first");
    return c.pushDelayMs(maxDelayMs);
  }
  /** A page walker; a bad path parameter throws here, other option errors too once the wasm module is ready. */
  pages(path, options) {
    const filled = fillPath(path, options && options.path);
    const c = boundNow(this);
    return new Pages(c ? c.pages(filled, options) : loaded.then(() => boundNow(this).pages(filled, options)));
  }
  stats() {
    const c = boundNow(this);
    if (!c) return idleStats();
    const st = c.stats();
    const { hitCount, joinCount } = this[STATE].memo;
    st.requests += hitCount + joinCount;
    st.cacheHits += hitCount;
    st.dedupedRequests += joinCount;
    return st;
  }
  clearCache() {
    const c = boundNow(this);
    if (c) c.clearCache();
  }
  get customerId() {
    const c = boundNow(this);
    return c ? c.customerId : undefined;
  }
  /** Frees the wasm client; later calls reject with a `config` CareCloudError. */
  free() {
    const s = this[STATE];
    if (s.client) s.client.free();
    s.client = undefined;
    s.memo = undefined;
    if (!s.error) s.error = new CareCloudError("config", "this client was freed");
  }
}

/** facade → the wasm walker, or the promise of it while the wasm module loads. */
const walkers = new WeakMap();

export class Pages {
  constructor(walker) {
    walkers.set(this, walker);
    if (typeof walker.then === "function") {
      walker.then((w) => walkers.set(this, w), () => {}); // a refusal is reported by next()
    }
  }
  /** The next page's items, or undefined when exhausted. */
  next() {
    const w = walkers.get(this);
    return typeof w.then === "function" ? w.then((x) => x.next()) : w.next();
  }
  free() {
    const w = walkers.get(this);
    if (typeof w.then === "function") w.then((x) => x.free(), () => {});
    else w.free();
  }
}

if (typeof Symbol.dispose === "symbol") {
  CustomerClient.prototype[Symbol.dispose] = CustomerClient.prototype.free;
  Pages.prototype[Symbol.dispose] = Pages.prototype.free;
}

Object.defineProperty(CustomerClient.prototype, "paginate", { value: paginate, writable: true, configurable: true });
const helpers = new WeakMap();
for (const [name, make] of Object.entries(resources)) {
  Object.defineProperty(CustomerClient.prototype, name, {
    configurable: true,
    get() {
      let all = helpers.get(this);
      if (!all) helpers.set(this, (all = {}));
      return all[name] || (all[name] = make(this));
    },
  });
}
