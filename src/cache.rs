//! [`ResponseCache`]: a small, bounded (entries and bytes, LRU) cache of successful GET bodies, partitioned by
//! identity so that no entry made for one customer is ever served to another.

use crate::config::options::{int, Options, Switch};
use crate::error::Error;
use crate::runtime::BodySize;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

/// FNV-1a, the cache's hash: its keys are this client's own request URLs in a map of at most `maxEntries`, so
/// SipHash's resistance to crafted collisions buys nothing here, and FNV is a few lines of wasm instead of SipHash.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

type Entries<B> = HashMap<(Partition, String), Entry<B>, BuildHasherDefault<Fnv>>;

/// Cache settings (`cache` in the JS options).
#[derive(Clone, Debug, PartialEq)]
pub struct CacheConfig {
    /// Most entries kept. Default 500.
    pub max_entries: usize,
    /// Most body bytes kept (UTF-8). Default 4 MiB.
    pub max_bytes: usize,
    /// Time-to-live per path prefix in ms, longest prefix wins. Paths without a rule are cached only when the
    /// server sends `Cache-Control: max-age`.
    pub ttl_ms: Vec<(String, u64)>,
    /// Keep responses made while a customer is logged in (false in Cloudflare Workers, where one isolate serves
    /// many users). Default true.
    pub customer_data: bool,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            max_entries: 500,
            max_bytes: 4 * 1024 * 1024,
            ttl_ms: vec![
                ("/languages".into(), 3_600_000),
                ("/communication-channels".into(), 3_600_000),
                ("/stores".into(), 300_000),
                ("/products".into(), 300_000),
                ("/rewards".into(), 60_000),
            ],
            customer_data: true,
        }
    }
}

impl CacheConfig {
    /// Reads the `cache` section: `None` when switched off; `ttlMs` rules add to (or replace) the default ones.
    pub(crate) fn from_options(o: &Options) -> Result<Option<Self>, Error> {
        let Switch::On(o) = o.switch("cache", &["maxEntries", "maxBytes", "ttlMs"])? else {
            return Ok(None);
        };
        let d = Self::default();
        let mut ttl_ms = d.ttl_ms;
        if let Some(t) = o.get("ttlMs") {
            let rules = t
                .as_object()
                .ok_or_else(|| o.error("ttlMs", "must map path prefixes to ms"))?;
            for (path, ms) in rules {
                if !path.starts_with('/') {
                    return Err(o.error("ttlMs", "keys are paths starting with /"));
                }
                let ms = int(ms, &o.name("ttlMs values"), 0..=86_400_000)?;
                ttl_ms.retain(|(p, _)| p != path);
                ttl_ms.push((path.clone(), ms));
            }
        }
        Ok(Some(CacheConfig {
            max_entries: o.int("maxEntries", 0..=100_000, d.max_entries as u64)? as usize,
            max_bytes: o.int("maxBytes", 0..=256 << 20, d.max_bytes as u64)? as usize,
            ttl_ms,
            customer_data: d.customer_data,
        }))
    }
}

/// Who an entry belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Partition {
    /// Made while no customer was logged in: catalogue data for this device.
    Anonymous,
    /// Made while this customer was logged in.
    Customer(String),
}

#[derive(Debug)]
struct Entry<B> {
    body: B,
    stored_at: f64,
    expires_at: f64,
    partition: Partition,
    path: String,
    used: u64,
}

/// The cache. Keys are `(partition, url)`; lookups only ever see the caller's own partition.
///
/// ```
/// use carecloud_customer::cache::{CacheConfig, Partition, ResponseCache};
/// let mut c: ResponseCache = ResponseCache::new(CacheConfig::default());
/// let alice = Partition::Customer("a".into());
/// c.put(&alice, "/customers", "/customers?", "{\"data\":{}}".into(), 1000.0, 0.0);
/// assert!(c.get(&alice, "/customers?", 10.0).is_some());
/// assert!(c.get(&Partition::Customer("b".into()), "/customers?", 10.0).is_none());
/// ```
#[derive(Debug)]
pub struct ResponseCache<B = Rc<str>> {
    config: CacheConfig,
    entries: Entries<B>,
    bytes: usize,
    tick: u64,
    version: u64,
}

impl<B: BodySize + Clone> ResponseCache<B> {
    /// An empty cache.
    pub fn new(config: CacheConfig) -> Self {
        ResponseCache {
            config,
            entries: Entries::default(),
            bytes: 0,
            tick: 0,
            version: 0,
        }
    }

    /// The configured TTL for `path` (longest matching prefix), in ms.
    pub fn ttl_for(&self, path: &str) -> Option<u64> {
        self.config
            .ttl_ms
            .iter()
            .filter(|(p, _)| {
                path == p || path.starts_with(&format!("{}/", p.trim_end_matches('/'))) || p == "/"
            })
            .max_by_key(|(p, _)| p.len())
            .map(|(_, t)| *t)
    }

    /// A fresh entry's body, if any; refreshes its LRU position. Expired entries are removed.
    pub fn get(&mut self, partition: &Partition, url: &str, now: f64) -> Option<B> {
        self.fresh(partition, url, now).map(|e| e.body.clone())
    }

    /// A fresh entry's body and its age (ms since it was stored), as [`get`](Self::get).
    pub fn get_aged(&mut self, partition: &Partition, url: &str, now: f64) -> Option<(B, f64)> {
        self.fresh(partition, url, now)
            .map(|e| (e.body.clone(), now - e.stored_at))
    }

    /// A fresh entry's body and when it expires (ms, the clock `now` is read from), as [`get`](Self::get).
    pub fn get_until(&mut self, partition: &Partition, url: &str, now: f64) -> Option<(B, f64)> {
        self.fresh(partition, url, now)
            .map(|e| (e.body.clone(), e.expires_at))
    }

    fn fresh(&mut self, partition: &Partition, url: &str, now: f64) -> Option<&Entry<B>> {
        let key = (partition.clone(), url.to_string());
        if self.entries.get(&key)?.expires_at <= now {
            self.remove(&key);
            return None;
        }
        self.tick += 1;
        let e = self.entries.get_mut(&key)?;
        e.used = self.tick;
        Some(e)
    }

    /// A number that changes whenever an entry is stored or dropped (not when one is only read): what was read
    /// from the cache is still its answer while this stays the same, until the entry's expiry.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Stores a body for `ttl_ms`; true when it was stored. Bodies larger than a quarter of the byte budget are not
    /// kept (an older entry for the same URL stays as it was).
    pub fn put(
        &mut self,
        partition: &Partition,
        path: &str,
        url: &str,
        body: B,
        ttl_ms: f64,
        now: f64,
    ) -> bool {
        let personal = matches!(partition, Partition::Customer(_));
        if ttl_ms.is_nan()
            || ttl_ms <= 0.0
            || self.config.max_entries == 0
            || body.size() > self.config.max_bytes / 4
            || (personal && !self.config.customer_data)
        {
            return false;
        }
        let key = (partition.clone(), url.to_string());
        self.remove(&key);
        while !self.entries.is_empty()
            && (self.entries.len() >= self.config.max_entries
                || self.bytes + body.size() > self.config.max_bytes)
        {
            self.evict_lru();
        }
        self.tick += 1;
        self.version += 1;
        self.bytes += body.size();
        self.entries.insert(
            key,
            Entry {
                body,
                stored_at: now,
                expires_at: now + ttl_ms,
                partition: partition.clone(),
                path: path.to_string(),
                used: self.tick,
            },
        );
        true
    }

    fn remove(&mut self, key: &(Partition, String)) {
        if let Some(e) = self.entries.remove(key) {
            self.bytes -= e.body.size();
            self.version += 1;
        }
    }

    fn evict_lru(&mut self) {
        let oldest = self
            .entries
            .iter()
            .min_by_key(|(_, e)| e.used)
            .map(|(k, _)| k.clone());
        if let Some(k) = oldest {
            self.remove(&k);
        }
    }

    fn retain(&mut self, keep: impl Fn(&Entry<B>) -> bool) {
        let mut freed = 0;
        self.entries.retain(|_, e| {
            let k = keep(e);
            if !k {
                freed += e.body.size();
            }
            k
        });
        self.bytes -= freed;
        self.version += 1;
    }

    /// Drops every entry whose path starts with `prefix` (a write to a resource invalidates reads under it).
    pub fn invalidate_prefix(&mut self, prefix: &str) {
        self.retain(|e| !e.path.starts_with(prefix));
    }

    /// Drops every entry made for a customer (logout, customer change, session end).
    pub fn drop_customer_entries(&mut self) {
        self.retain(|e| e.partition == Partition::Anonymous);
    }

    /// Drops everything.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.bytes = 0;
        self.version += 1;
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Body bytes held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache_options(section: &str) -> Result<Option<CacheConfig>, crate::Error> {
        let base = r#""baseUrl":"https://p.example/webservice/rest-api/customer-interface/v1.0","externalApplicationId":"a""#;
        crate::Config::from_json_str(&format!("{{{base},\"cache\":{section}}}")).map(|c| c.cache)
    }

    #[test]
    fn ttl_rules_replace_a_default_of_the_same_path_and_keep_the_others() {
        let c = cache_options(r#"{"ttlMs":{"/languages":5,"/vouchers":7}}"#)
            .unwrap()
            .unwrap();
        let c: ResponseCache = ResponseCache::new(c);
        assert_eq!(c.ttl_for("/languages"), Some(5));
        assert_eq!(c.ttl_for("/vouchers/v1"), Some(7));
        assert_eq!(
            c.ttl_for("/rewards"),
            Some(60_000),
            "the other defaults stay"
        );
        assert_eq!(c.ttl_for("/stores/s1"), Some(300_000));
    }

    #[test]
    fn max_bytes_goes_up_to_256_mib() {
        for (bytes, ok) in [
            (0u64, true),
            (1 << 20, true),
            (256 << 20, true),
            ((256 << 20) + 1, false),
        ] {
            let r = cache_options(&format!(r#"{{"maxBytes":{bytes}}}"#));
            assert_eq!(r.is_ok(), ok, "{bytes}");
            if ok {
                assert_eq!(r.unwrap().unwrap().max_bytes as u64, bytes);
            }
        }
    }

    #[test]
    fn the_version_moves_when_an_entry_is_stored_or_dropped_not_when_one_is_read() {
        let mut c: ResponseCache = ResponseCache::new(cfg(2, 1 << 20));
        let p = Partition::Anonymous;
        let mut last = c.version();
        let moved = |c: &ResponseCache, last: &mut u64, what: &str| {
            assert!(c.version() > *last, "{what}");
            *last = c.version();
        };
        c.put(&p, "/x", "/x/1", "{}".into(), 100.0, 0.0);
        moved(&c, &mut last, "put");
        c.put(&p, "/x", "/x/1", "{}".into(), 100.0, 0.0);
        moved(&c, &mut last, "put again");
        assert!(c.get(&p, "/x/1", 1.0).is_some());
        assert_eq!(c.version(), last, "a read");
        assert!(c.get(&p, "/x/1", 100.0).is_none());
        moved(&c, &mut last, "an expired entry dropped by a read");
        c.put(&p, "/x", "/x/2", "{}".into(), 100.0, 0.0);
        moved(&c, &mut last, "put");
        c.invalidate_prefix("/y");
        moved(&c, &mut last, "an invalidation");
        c.drop_customer_entries();
        moved(&c, &mut last, "customer entries dropped");
        c.clear();
        moved(&c, &mut last, "clear");
    }

    fn cfg(max_entries: usize, max_bytes: usize) -> CacheConfig {
        CacheConfig {
            max_entries,
            max_bytes,
            ..Default::default()
        }
    }

    #[test]
    fn expires_after_ttl() {
        let mut c: ResponseCache = ResponseCache::new(CacheConfig::default());
        let p = Partition::Anonymous;
        c.put(&p, "/rewards", "/rewards?count=1", "{}".into(), 100.0, 0.0);
        assert!(c.get(&p, "/rewards?count=1", 99.0).is_some());
        assert!(c.get(&p, "/rewards?count=1", 100.0).is_none());
        assert!(c.is_empty());
    }

    #[test]
    fn bounded_by_entries_with_lru_eviction() {
        let mut c: ResponseCache = ResponseCache::new(cfg(3, 1 << 20));
        let p = Partition::Anonymous;
        for i in 0..3 {
            c.put(&p, "/x", &format!("/x/{i}"), "{}".into(), 1e9, 0.0);
        }
        assert!(c.get(&p, "/x/0", 1.0).is_some()); // 0 is now most recently used
        c.put(&p, "/x", "/x/3", "{}".into(), 1e9, 0.0);
        assert_eq!(c.len(), 3);
        assert!(
            c.get(&p, "/x/1", 1.0).is_none(),
            "least recently used is evicted"
        );
        assert!(c.get(&p, "/x/0", 1.0).is_some());
    }

    #[test]
    fn without_reads_the_oldest_stores_are_evicted_first() {
        let mut c: ResponseCache = ResponseCache::new(cfg(10, 1 << 20));
        let p = Partition::Anonymous;
        for i in 0..19 {
            c.put(&p, "/x", &format!("/x/{i}"), "{}".into(), 1e9, 0.0);
        }
        let kept: Vec<usize> = (0..19)
            .filter(|i| c.get(&p, &format!("/x/{i}"), 1.0).is_some())
            .collect();
        assert_eq!(kept, (9..19).collect::<Vec<_>>());
    }

    #[test]
    fn bounded_by_bytes() {
        let mut c: ResponseCache = ResponseCache::new(cfg(100, 40));
        let p = Partition::Anonymous;
        for i in 0..10 {
            c.put(&p, "/x", &format!("/x/{i}"), "0123456789".into(), 1e9, 0.0);
            assert!(c.bytes() <= 40);
        }
        assert_eq!(c.len(), 4);
        c.put(&p, "/x", "/big", "x".repeat(11).into(), 1e9, 0.0);
        assert!(
            c.get(&p, "/big", 0.0).is_none(),
            "a body over a quarter of the budget is not kept"
        );
    }

    #[test]
    fn partitions_never_leak_and_logout_drops_customer_entries() {
        let mut c: ResponseCache = ResponseCache::new(CacheConfig::default());
        let (a, b, anon) = (
            Partition::Customer("A".into()),
            Partition::Customer("B".into()),
            Partition::Anonymous,
        );
        c.put(&a, "/customers", "/customers?", "alice".into(), 1e9, 0.0);
        c.put(&anon, "/rewards", "/rewards?", "catalogue".into(), 1e9, 0.0);
        assert!(c.get(&b, "/customers?", 1.0).is_none());
        assert!(c.get(&anon, "/customers?", 1.0).is_none());
        c.drop_customer_entries();
        assert!(c.get(&a, "/customers?", 1.0).is_none());
        assert_eq!(c.get(&anon, "/rewards?", 1.0).as_deref(), Some("catalogue"));
    }

    #[test]
    fn prefix_invalidation_and_ttl_rules() {
        let mut c: ResponseCache = ResponseCache::new(CacheConfig::default());
        let p = Partition::Anonymous;
        c.put(&p, "/rewards/r1", "/rewards/r1?", "1".into(), 1e9, 0.0);
        c.put(&p, "/rewards", "/rewards?", "2".into(), 1e9, 0.0);
        c.put(&p, "/stores", "/stores?", "3".into(), 1e9, 0.0);
        c.invalidate_prefix("/rewards");
        assert_eq!(c.len(), 1);
        assert_eq!(c.bytes(), 1);
        assert_eq!(c.ttl_for("/rewards/r1"), Some(60_000));
        assert_eq!(c.ttl_for("/rewardsX"), None);
        assert_eq!(c.ttl_for("/customers"), None);
    }

    #[test]
    fn nothing_is_kept_without_a_positive_ttl() {
        let mut c: ResponseCache = ResponseCache::new(CacheConfig::default());
        let p = Partition::Anonymous;
        for ttl in [0.0, -5.0, f64::NAN] {
            c.put(&p, "/stores", "/stores?", "{}".into(), ttl, 0.0);
            assert!(c.is_empty(), "ttl {ttl}");
        }
        c.put(&p, "/stores", "/stores?", "{}".into(), 0.5, 0.0);
        assert_eq!(c.get(&p, "/stores?", 0.25).as_deref(), Some("{}"));
    }

    #[test]
    fn a_cache_of_zero_entries_keeps_nothing() {
        let mut c: ResponseCache = ResponseCache::new(cfg(0, 1 << 20));
        c.put(&Partition::Anonymous, "/x", "/x", "{}".into(), 1e9, 0.0);
        assert!(c.is_empty());
        assert_eq!(c.bytes(), 0);
    }

    #[test]
    fn without_customer_data_only_anonymous_entries_are_kept() {
        // Cloudflare Workers: one isolate serves many users, so nothing made for a customer is kept.
        let mut c: ResponseCache = ResponseCache::new(CacheConfig {
            customer_data: false,
            ..CacheConfig::default()
        });
        let alice = Partition::Customer("a".into());
        c.put(
            &alice,
            "/customers",
            "/customers?",
            "alice".into(),
            1e9,
            0.0,
        );
        c.put(
            &Partition::Anonymous,
            "/stores",
            "/stores?",
            "s".into(),
            1e9,
            0.0,
        );
        assert!(c.get(&alice, "/customers?", 1.0).is_none());
        assert_eq!(
            c.get(&Partition::Anonymous, "/stores?", 1.0).as_deref(),
            Some("s")
        );
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn bytes_count_what_is_held() {
        let mut c: ResponseCache = ResponseCache::new(CacheConfig::default());
        let p = Partition::Anonymous;
        // Storing the same URL again replaces the entry; the old body is no longer counted.
        c.put(&p, "/stores", "/stores?", "12345".into(), 100.0, 0.0);
        c.put(&p, "/stores", "/stores?", "123".into(), 100.0, 0.0);
        assert_eq!((c.len(), c.bytes(), c.is_empty()), (1, 3, false));
        assert_eq!(c.get(&p, "/stores?", 1.0).as_deref(), Some("123"));
        // An expired entry found by a lookup is dropped and its bytes freed.
        c.put(&p, "/rewards", "/rewards?", "1234567".into(), 10.0, 0.0);
        assert_eq!(c.bytes(), 10);
        assert!(c.get(&p, "/rewards?", 10.0).is_none());
        assert_eq!((c.len(), c.bytes()), (1, 3));
        // Clearing drops everything.
        c.clear();
        assert!(c.is_empty() && c.get(&p, "/stores?", 1.0).is_none());
        assert_eq!(c.bytes(), 0);
    }

    #[test]
    fn eviction_follows_use_not_insertion() {
        // Entries 0..3 put in order; reading them back in the order 2, 0, 1 makes 3 the least recently used.
        let mut c: ResponseCache = ResponseCache::new(cfg(4, 1 << 20));
        let p = Partition::Anonymous;
        for i in 0..4 {
            c.put(&p, "/x", &format!("/x/{i}"), "{}".into(), 1e9, 0.0);
        }
        for i in [2, 0, 1] {
            assert!(c.get(&p, &format!("/x/{i}"), 1.0).is_some());
        }
        c.put(&p, "/x", "/x/4", "{}".into(), 1e9, 0.0);
        assert!(
            c.get(&p, "/x/3", 1.0).is_none(),
            "3 was used least recently"
        );
        c.put(&p, "/x", "/x/5", "{}".into(), 1e9, 0.0);
        assert!(c.get(&p, "/x/2", 1.0).is_none(), "then 2");
        for i in [0, 1, 4, 5] {
            assert!(c.get(&p, &format!("/x/{i}"), 1.0).is_some(), "{i} stays");
        }
    }

    #[test]
    fn ttl_rules_match_whole_segments_and_a_root_rule_covers_the_rest() {
        let c: ResponseCache = ResponseCache::new(CacheConfig {
            ttl_ms: vec![("/".into(), 1000), ("/stores/".into(), 5000)],
            ..CacheConfig::default()
        });
        assert_eq!(c.ttl_for("/stores"), Some(1000), "the rule is /stores/…");
        assert_eq!(c.ttl_for("/stores/s1"), Some(5000), "longest prefix wins");
        assert_eq!(c.ttl_for("/storesX"), Some(1000));
        assert_eq!(c.ttl_for("/customers"), Some(1000));
        let c: ResponseCache = ResponseCache::new(CacheConfig::default());
        assert_eq!(c.ttl_for("/rewards"), Some(60_000), "the path itself");
        assert_eq!(c.ttl_for("/languages/cs"), Some(3_600_000));
    }
}
