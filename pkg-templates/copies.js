// The offline catalogue's copies in localStorage (`stale: {persist: true}`), for the facade in client.js; the wasm
// browser tests import this file too, so the same code is proven in Chromium, Firefox and WebKit.

/**
 * `stale: {persist: true}` in a browser page: the offline catalogue's copies in `localStorage`, one item per copy,
 * `{storagePrefix}:{externalApplicationId}:copy:{API base URL}{path?query}` = `{received at}\n{body}` (the client
 * sets the prefix and the bounds on the store). The client hands over only
 * what its stale store keeps (catalogue reads made with nobody logged in) and says how much may be kept (`load`'s
 * bounds): the newest copies within them stay, the rest is removed. Best-effort: a full or blocked storage keeps
 * the copies in memory only. `undefined` elsewhere (workers, Node, Cloudflare Workers) or without `persist`.
 */
export function localCopies(clientOptions) {
  const stale = clientOptions && clientOptions.stale;
  if (!stale || stale.persist !== true || typeof document === "undefined") return undefined;
  let storage;
  try {
    storage = globalThis.localStorage;
  } catch {
    return undefined; // blocked storage (sandboxed frames, strict privacy settings)
  }
  if (!storage) return undefined;
  // The client sets `prefix`, `maxStaleMs`, `maxEntries` and `maxBytes` on this object before it calls `load()`.
  const store = { prefix: "\u0000", maxStaleMs: 0, maxEntries: 0, maxBytes: 0 };
  const mine = () => Object.keys(storage).filter((k) => k.startsWith(store.prefix))
    .map((k) => { const v = storage.getItem(k) || ""; return { k, v, at: parseInt(v, 10) }; });
  /** Keeps the newest copies within the bounds (`room` bytes and one entry set aside for a copy to come). */
  const trim = (room) => {
    let [n, bytes] = room ? [1, room] : [0, 0];
    for (const c of mine().sort((a, b) => b.at - a.at)) {
      const keep = Date.now() - c.at <= store.maxStaleMs && n < store.maxEntries && bytes + c.v.length <= store.maxBytes;
      if (keep) [n, bytes] = [n + 1, bytes + c.v.length];
      else storage.removeItem(c.k);
    }
  };
  const quietly = (f) => { try { return f(); } catch { return undefined; } };
  return Object.assign(store, {
    load: () => quietly(() => {
      trim(0);
      return mine().map((c) => [c.k.slice(store.prefix.length), c.v.slice(c.v.indexOf("\n") + 1), c.at]);
    }) || [],
    save: (key, text, at) => quietly(() => {
      const v = `${at}\n${text}`;
      storage.removeItem(store.prefix + key);
      trim(v.length);
      storage.setItem(store.prefix + key, v);
    }),
    clear: () => quietly(() => mine().forEach((c) => storage.removeItem(c.k))),
  });
}
