// Benchmark scenarios, run inside the Chromium page (window.bench = { ours, peers }). Each returns plain data.
const API = `${location.origin}/webservice/rest-api/customer-interface/v1.0`;
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const pct = (a, p) => { const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(s.length * p))]; };
const control = (method, path, body) => fetch(`${location.origin}/__sandbox/${path}`, { method, body: body && JSON.stringify(body) })
  .then((r) => r.text()).then((t) => (t ? JSON.parse(t) : null));
const mk = (extra = {}) => new window.bench.ours.CustomerClient({ baseUrl: API, externalApplicationId: "sandbox-app", ...extra });

export async function overhead(n) {
  const { ky } = window.bench.peers;
  const client = mk({ rateLimit: false, cache: false, circuitBreaker: false });
  await client.connect();
  // A device token for the raw peers too, so every request carries the same Authorization header.
  const token = (await (await fetch(`${API}/tokens`, { method: "POST", body: JSON.stringify({
    device: { device_id: "bench-raw", device_system: "web", device_name: "bench", device_type: "bench" },
    setup: { language_id: "en", allowed_gps: false, allowed_notifications: false }, external_application_id: "sandbox-app" }) })).json()).data.token_id;
  const headers = { Authorization: `Bearer ${token}`, Accept: "application/json" };
  const url = `${API}/tests/connection?test_string=x`;
  const runners = {
    fetch: async () => (await (await fetch(url, { headers, cache: "no-store" })).json()).data,
    ky: async () => (await ky.get(url, { headers, cache: "no-store", retry: 0 }).json()).data,
    ours: () => client.get("/tests/connection", { query: { test_string: "x" }, cache: "no-store" }),
  };
  const t = { fetch: [], ky: [], ours: [] };
  for (let w = 0; w < 100; w++) for (const k in runners) await runners[k]();
  for (let i = 0; i < n; i++) {
    for (const k of i % 2 ? ["fetch", "ky", "ours"] : ["ours", "ky", "fetch"]) {
      const t0 = performance.now();
      await runners[k]();
      t[k].push(performance.now() - t0);
    }
  }
  const out = {};
  for (const k in t) out[k] = { median: median(t[k]), p95: pct(t[k], 0.95), mean: t[k].reduce((a, b) => a + b, 0) / t[k].length };
  return out;
}

export async function cacheHit(batches, size) {
  const { QueryClient } = window.bench.peers;
  const client = mk({ rateLimit: false });
  await client.get("/languages");
  const qc = new QueryClient();
  const queryFn = () => client.get("/languages", { cache: "no-store" });
  await qc.fetchQuery({ queryKey: ["languages"], queryFn, staleTime: Infinity });
  const per = { ours: [], tanstack: [] };
  const runs = {
    ours: () => client.get("/languages"),
    tanstack: () => qc.fetchQuery({ queryKey: ["languages"], queryFn, staleTime: Infinity }),
  };
  for (let b = 0; b < batches; b++) {
    for (const k of b % 2 ? ["ours", "tanstack"] : ["tanstack", "ours"]) {
      const t0 = performance.now();
      for (let i = 0; i < size; i++) await runs[k]();
      per[k].push(((performance.now() - t0) * 1000) / size); // µs per call
    }
  }
  const s = client.stats();
  return { oursUs: median(per.ours), tanstackUs: median(per.tanstack), cacheHits: s.cacheHits, network: s.networkRequests };
}

export async function dedupe(n) {
  const client = mk({ rateLimit: false, cache: false });
  await client.connect();
  const singles = [];
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    await client.get("/products", { query: { count: 20, single: i } });
    singles.push(performance.now() - t0);
  }
  // Seven fan-outs (each its own URL), so one slow response does not decide the figure: the median is reported,
  // and the network requests of the slowest-to-settle fan-out.
  const fans = [];
  for (let f = 0; f < 7; f++) {
    const before = client.stats().networkRequests;
    const t0 = performance.now();
    const all = await Promise.all(Array.from({ length: n }, () => client.get("/products", { query: { count: 20, fan: f } })));
    fans.push({ ms: performance.now() - t0, calls: all.length, network: client.stats().networkRequests - before });
  }
  return { calls: fans[0].calls, network: Math.max(...fans.map((x) => x.network)), fanMs: median(fans.map((x) => x.ms)), singleMs: median(singles) };
}

export function herd(n, maxMs) {
  const client = mk();
  const bins = new Array(Math.ceil(maxMs / 1000)).fill(0);
  for (let i = 0; i < n; i++) bins[Math.floor(client.pushDelayMs(maxMs) / 1000)]++;
  const ideal = n / bins.length;
  return { n, peak: Math.max(...bins), ideal, ratio: Math.max(...bins) / ideal, min: Math.min(...bins) };
}

async function runSeq(n, conc, fn) {
  let ok = 0, i = 0;
  const worker = async () => { while (i < n) { const k = i++; try { await fn(k); ok++; } catch {} } };
  await Promise.all(Array.from({ length: conc }, worker));
  return ok;
}
const served = async (prefix, mark) => (await control("GET", "requests")).filter((r) => r.path.startsWith(prefix) && r.query.includes(mark)).length;

export async function amplification(n) {
  const { ky } = window.bench.peers;
  await control("DELETE", "faults");
  await control("POST", "faults", { method: "GET", path: "/stores/*", times: 1e9, kind: "status", status: 503, probability: 0.3 });
  const client = mk({ rateLimit: false, cache: false, dedupe: false, retry: { maxRetries: 3, baseDelayMs: 2, maxDelayMs: 20 } });
  await client.connect();
  const oursOk = await runSeq(n, 8, (k) => client.get(`/stores/s${String(1 + (k % 40)).padStart(4, "0")}`, { query: { amp: "ours" } }));
  const oursSent = await served("/stores/", "amp=ours");
  const token = await tokenFor();
  const kyOk = await runSeq(n, 8, (k) => ky.get(`${API}/stores/s${String(1 + (k % 40)).padStart(4, "0")}?amp=ky`, {
    headers: { Authorization: `Bearer ${token}` }, retry: { limit: 3, backoffLimit: 20, delay: () => 2 } }).json());
  const kySent = await served("/stores/", "amp=ky");
  await control("DELETE", "faults");
  // Full outage: every read fails. With and without the circuit breaker.
  await control("POST", "faults", { method: "GET", path: "/stores/*", times: 1e9, kind: "status", status: 503 });
  const withCb = mk({ rateLimit: false, cache: false, dedupe: false, retry: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 5 }, circuitBreaker: { failureThreshold: 5, openMs: 600000 } });
  const noCb = mk({ rateLimit: false, cache: false, dedupe: false, retry: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 5 }, circuitBreaker: false });
  await withCb.connect(); await noCb.connect();
  await runSeq(200, 4, () => withCb.get("/stores/s0001", { query: { out: "cb" } }));
  await runSeq(200, 4, () => noCb.get("/stores/s0001", { query: { out: "nocb" } }));
  const outage = { withBreaker: await served("/stores/", "out=cb"), withoutBreaker: await served("/stores/", "out=nocb"), calls: 200 };
  await control("DELETE", "faults");
  return { n, ours: { ok: oursOk, perCall: oursSent / n }, ky: { ok: kyOk, perCall: kySent / n }, outage };
}
// ky needs a device token of its own: take one from the sandbox once.
let kyToken;
async function tokenFor() {
  if (!kyToken) {
    kyToken = (await (await fetch(`${API}/tokens`, { method: "POST", body: JSON.stringify({
      device: { device_id: "bench-ky", device_system: "web", device_name: "bench", device_type: "bench" },
      setup: { language_id: "en", allowed_gps: false, allowed_notifications: false }, external_application_id: "sandbox-app" }) })).json()).data.token_id;
  }
  return kyToken;
}

export async function memory(total) {
  const { wasmMemoryBytes } = window.bench.ours;
  const client = mk({ rateLimit: false, retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 2 }, cache: { maxEntries: 200 } });
  await client.connect();
  const aborted = new AbortController(); aborted.abort();
  const call = (i) => {
    switch (i % 20) {
      case 0: return client.get(`/stores/s${String(1 + (i % 40)).padStart(4, "0")}`, { cache: "no-store" });
      case 1: return client.get("/stores/s0001", { signal: aborted.signal });
      case 2: return client.get("/stores/missing");
      case 3: return client.get("/products", { query: { count: 2, offset: i } }); // distinct keys: fills the cache past its bound
      default: return client.get("/rewards", { query: { count: 5, offset: (i % 10) * 5 } });
    }
  };
  const snap = () => { if (window.gc) window.gc(); return { heap: performance.memory ? performance.memory.usedJSHeapSize : 0, wasm: wasmMemoryBytes(), ...client.stats() }; };
  let i = 0;
  const phase = async (upto) => { while (i < upto) { const batch = []; for (let k = 0; k < 100 && i < upto; k++, i++) batch.push(call(i)); await Promise.allSettled(batch); } };
  // Warm = the cache at its bound (one call in 20 adds a distinct key: 200 entries after 4,000 calls), and at least
  // a fifth of the run: growth before that is the cache filling up, not a leak.
  await phase(Math.max(Math.floor(total / 5), 200 * 20 + 200));
  await new Promise((r) => setTimeout(r, 50));
  const warm = snap();
  await phase(total);
  await new Promise((r) => setTimeout(r, 50));
  const end = snap();
  return { total, warm, end };
}

export async function startup() {
  const t0 = performance.now();
  const m = await import(`/pkg/browser.js?fresh=${Math.random()}`);
  const t1 = performance.now();
  new m.CustomerClient({ baseUrl: API, externalApplicationId: "sandbox-app" });
  const t2 = performance.now();
  const p0 = performance.now();
  const p = await import(`/out/bench/peers.js?fresh=${Math.random()}`);
  new p.QueryClient();
  const p1 = performance.now();
  return { importMs: t1 - t0, constructMs: t2 - t1, peersMs: p1 - p0 };
}
