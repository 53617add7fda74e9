//! Offline catalogue (RFC 5861 `stale-if-error`): the last good response of a catalogue read, kept beyond its
//! freshness for at most `maxStaleMs`, answers that read when the network fails, times out, the service answers
//! 5xx, the circuit is open or the browser is offline. [`StaleConfig`] is the `stale` options section,
//! [`StaleStore`] the bounded store, [`answers_stale`] which failures may be answered from it.
//!
//! Never customer data: the store is a [`ResponseCache`] that keeps no customer partition, so only reads made with
//! no customer logged in are kept, and a read made with a customer logged in looks in that customer's (always
//! empty) partition — the cache's own partition rule, not a second one.

use crate::cache::{CacheConfig, Partition, ResponseCache};
use crate::config::options::{Options, Switch};
use crate::error::{Error, ErrorKind};
use crate::json::Json;
use crate::runtime::BodySize;
use std::fmt;
use std::rc::Rc;

/// The `stale` section of the options (`stale: false` switches it off).
#[derive(Clone, Debug, PartialEq)]
pub struct StaleConfig {
    /// Path prefixes whose last good response is kept (longest-prefix rule, as the cache's `ttlMs`). Default
    /// `/rewards`, `/stores`, `/products`, `/languages`: the catalogue, the same for every customer.
    pub paths: Vec<String>,
    /// Oldest a kept response may be (ms since it was received) to be served. Default 24 h.
    pub max_stale_ms: u64,
    /// Most responses kept. Default 200.
    pub max_entries: usize,
    /// Most body bytes kept (UTF-8); a body over a quarter of it is not kept. Default 2 MiB.
    pub max_bytes: usize,
    /// Also keep the copies where they outlive the client (a browser page's `localStorage`, through a
    /// [`CopyStore`]), so a reload or a browser restart still has them. Default `false`.
    pub persist: bool,
}

impl Default for StaleConfig {
    fn default() -> Self {
        StaleConfig {
            paths: ["/rewards", "/stores", "/products", "/languages"]
                .map(String::from)
                .to_vec(),
            max_stale_ms: 24 * 3_600_000,
            max_entries: 200,
            max_bytes: 2 * 1024 * 1024,
            persist: false,
        }
    }
}

impl StaleConfig {
    /// Reads the `stale` section: `None` when switched off; `paths` replaces the default list.
    pub(crate) fn from_options(o: &Options) -> Result<Option<Self>, Error> {
        let Switch::On(o) = o.switch(
            "stale",
            &["paths", "maxStaleMs", "maxEntries", "maxBytes", "persist"],
        )?
        else {
            return Ok(None);
        };
        let d = Self::default();
        let paths = match o.get("paths") {
            None => d.paths,
            Some(Json::Arr(items)) if items.len() <= 64 => items
                .iter()
                .map(|p| match p.as_str() {
                    Some(s) if s.starts_with('/') && s.len() <= 256 => Ok(s.to_string()),
                    _ => Err(o.error("paths", "must be paths starting with /")),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(o.error("paths", "must be an array of at most 64 paths")),
        };
        Ok(Some(StaleConfig {
            paths,
            max_stale_ms: o.int("maxStaleMs", 1..=30 * 86_400_000, d.max_stale_ms)?,
            max_entries: o.int("maxEntries", 0..=10_000, d.max_entries as u64)? as usize,
            max_bytes: o.int("maxBytes", 0..=64 << 20, d.max_bytes as u64)? as usize,
            persist: o.boolean("persist", d.persist)?,
        }))
    }
}

/// Whether a call that failed with `kind` may be answered stale: no response, a timeout, a 5xx, the breaker open
/// or the browser offline (RFC 5861's "error"). Never a 4xx, an abort, a decode or a config error.
pub fn answers_stale(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::Network
            | ErrorKind::Timeout
            | ErrorKind::Server
            | ErrorKind::Unavailable
            | ErrorKind::CircuitOpen
            | ErrorKind::Offline
    )
}

/// A read answered from the store: the `stale` event and what a call's `onStale` receives.
#[derive(Clone, Debug, PartialEq)]
pub struct StaleAnswer {
    /// The masked path.
    pub path: String,
    /// How long ago the answer was received from the server, ms.
    pub age_ms: u64,
    /// The kind of the failure it stands in for (`network`, `timeout`, `server`, `unavailable`, `circuit_open`,
    /// `offline`).
    pub reason: &'static str,
}

/// A per-call hook told when that call was answered stale (JS `onStale`).
#[derive(Clone)]
pub struct OnStale(pub Rc<dyn Fn(&StaleAnswer)>);

impl fmt::Debug for OnStale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OnStale(..)")
    }
}

/// Where the copies outlive the client (`stale.persist`): the wasm shell's is a page's `localStorage`. Only copies
/// the [`StaleStore`] keeps reach it, so never customer data. Writes are best-effort (a full or blocked storage
/// keeps the copies in memory only), and the store bounds itself like the [`StaleStore`] (`maxEntries`,
/// `maxBytes`, `maxStaleMs`).
pub trait CopyStore<B> {
    /// Every copy kept: its cache key (`path?query`), body, and when it was received (epoch ms).
    fn load(&self) -> Vec<(String, B, f64)>;
    /// Keeps `body`, received at `at`, as the copy of `url_key` (replacing the one before).
    fn save(&self, url_key: &str, body: &B, at: f64);
    /// Forgets every copy (`clearCache()`).
    fn clear(&self);
}

/// The last good responses of catalogue reads, bounded in entries and bytes (LRU).
#[derive(Debug)]
pub struct StaleStore<B = Rc<str>> {
    kept: ResponseCache<B>,
}

impl<B: BodySize + Clone> StaleStore<B> {
    /// An empty store.
    pub fn new(config: StaleConfig) -> Self {
        let max_stale = config.max_stale_ms;
        StaleStore {
            kept: ResponseCache::new(CacheConfig {
                max_entries: config.max_entries,
                max_bytes: config.max_bytes,
                ttl_ms: config.paths.into_iter().map(|p| (p, max_stale)).collect(),
                customer_data: false,
            }),
        }
    }

    /// Keeps `body` as the last good response of `url` when `path` is a catalogue path and `partition` is not a
    /// customer's; true when it was kept (not too large, not a customer's).
    pub fn remember(
        &mut self,
        partition: &Partition,
        path: &str,
        url: &str,
        body: B,
        now: f64,
    ) -> bool {
        let Some(max_stale) = self.kept.ttl_for(path) else {
            return false;
        };
        self.kept
            .put(partition, path, url, body, max_stale as f64, now)
    }

    /// Takes back a copy a [`CopyStore`] kept: `url_key` (`path?query`) received at `at`, when its path is still a
    /// catalogue path and it is not older than `maxStaleMs` at `now` (an expired copy would only take room).
    pub fn restore(&mut self, url_key: &str, body: B, at: f64, now: f64) {
        let path = url_key.split('?').next().unwrap_or_default();
        let fresh_enough = |max_stale: u64| now - at <= max_stale as f64;
        if self.kept.ttl_for(path).is_some_and(fresh_enough) {
            self.remember(&Partition::Anonymous, path, url_key, body, at);
        }
    }

    /// The last good response of `url` for `partition` and its age in ms, when not older than `maxStaleMs`.
    pub fn recall(&mut self, partition: &Partition, url: &str, now: f64) -> Option<(B, u64)> {
        self.kept
            .get_aged(partition, url, now)
            .map(|(body, age)| (body, age.max(0.0) as u64))
    }

    /// Whether responses of `path` are kept.
    pub fn keeps(&self, path: &str) -> bool {
        self.kept.ttl_for(path).is_some()
    }

    /// Forgets everything (`clearCache()`).
    pub fn clear(&mut self) {
        self.kept.clear();
    }

    /// Responses kept.
    pub fn len(&self) -> usize {
        self.kept.len()
    }

    /// True when nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// Body bytes kept.
    pub fn bytes(&self) -> usize {
        self.kept.bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::options::read;

    const DAY: f64 = 86_400_000.0;

    #[test]
    fn restore_takes_back_copies_of_kept_paths_within_max_stale_only() {
        let config = StaleConfig {
            paths: vec!["/rewards".into()],
            max_stale_ms: 1_000,
            ..StaleConfig::default()
        };
        let mut store: StaleStore = StaleStore::new(config);
        let body: Rc<str> = Rc::from("{}");
        store.restore("/stores?count=1", body.clone(), 0.0, 10.0); // not a kept path
        store.restore("/rewards?count=1", body.clone(), 0.0, 1_001.0); // older than maxStaleMs
        assert!(store.is_empty());
        store.restore("/rewards?count=1", body.clone(), 0.0, 1_000.0);
        assert_eq!(store.len(), 1);
        let (_, age) = store
            .recall(&Partition::Anonymous, "/rewards?count=1", 500.0)
            .unwrap();
        assert_eq!(age, 500, "aged from when it was received");
    }

    #[test]
    fn an_on_stale_hook_prints_as_a_placeholder() {
        let hook = OnStale(Rc::new(|_: &StaleAnswer| {}));
        assert_eq!(format!("{hook:?}"), "OnStale(..)");
    }

    #[test]
    fn paths_at_most_64_and_max_bytes_up_to_64_mib() {
        let paths = |n: usize| {
            let list: Vec<String> = (0..n).map(|i| format!("\"/p{i}\"")).collect();
            format!(r#"{{"stale":{{"paths":[{}]}}}}"#, list.join(","))
        };
        let read_stale = |text: &str| read(text, StaleConfig::from_options);
        assert_eq!(read_stale(&paths(64)).unwrap().unwrap().paths.len(), 64);
        assert!(read_stale(&paths(65)).is_err());
        for (bytes, ok) in [(64u64 << 20, true), ((64 << 20) + 1, false)] {
            let r = read_stale(&format!(r#"{{"stale":{{"maxBytes":{bytes}}}}}"#));
            assert_eq!(r.is_ok(), ok, "{bytes}");
        }
    }

    #[test]
    fn len_is_empty_and_bytes_count_what_is_kept() {
        let mut s = store(10, 1 << 20);
        assert!(s.is_empty());
        assert_eq!((s.len(), s.bytes()), (0, 0));
        s.remember(
            &Partition::Anonymous,
            "/rewards",
            "/rewards?a",
            "12345".into(),
            0.0,
        );
        s.remember(
            &Partition::Anonymous,
            "/stores",
            "/stores?b",
            "123".into(),
            0.0,
        );
        assert!(!s.is_empty());
        assert_eq!((s.len(), s.bytes()), (2, 8));
        s.clear();
        assert!(s.is_empty());
    }

    fn store(max_entries: usize, max_bytes: usize) -> StaleStore {
        StaleStore::new(StaleConfig {
            max_entries,
            max_bytes,
            ..StaleConfig::default()
        })
    }

    #[test]
    fn catalogue_responses_are_kept_for_max_stale_age_with_their_age() {
        let mut s = store(10, 1 << 20);
        let anon = Partition::Anonymous;
        s.remember(&anon, "/rewards", "/rewards?count=3", "{}".into(), 1000.0);
        let (_, age) = s
            .recall(&anon, "/rewards?count=3", 1000.0 + 5000.0)
            .unwrap();
        assert_eq!(age, 5000);
        assert!(s
            .recall(&anon, "/rewards?count=3", 1000.0 + DAY - 1.0)
            .is_some());
        assert!(
            s.recall(&anon, "/rewards?count=3", 1000.0 + DAY).is_none(),
            "older than maxStaleMs"
        );
        assert!(s.is_empty(), "an entry past maxStaleMs is dropped");
    }

    #[test]
    fn customer_partitions_and_other_paths_are_never_kept() {
        let mut s = store(10, 1 << 20);
        let alice = Partition::Customer("alice".into());
        s.remember(&alice, "/rewards", "/rewards?", "{}".into(), 0.0);
        s.remember(
            &Partition::Anonymous,
            "/customers",
            "/customers?",
            "{}".into(),
            0.0,
        );
        s.remember(
            &Partition::Anonymous,
            "/wallet/actions/points-overview",
            "/w?",
            "{}".into(),
            0.0,
        );
        assert!(s.is_empty());
        assert!(!s.keeps("/customers") && !s.keeps("/rewardsX") && s.keeps("/rewards/r1"));
        s.remember(
            &Partition::Anonymous,
            "/rewards",
            "/rewards?",
            "{}".into(),
            0.0,
        );
        assert!(
            s.recall(&alice, "/rewards?", 1.0).is_none(),
            "a customer never sees it"
        );
    }

    #[test]
    fn bounded_in_entries_and_bytes_and_cleared() {
        let mut s = store(3, 40);
        let p = Partition::Anonymous;
        for i in 0..10 {
            s.remember(
                &p,
                "/stores",
                &format!("/stores?o={i}"),
                "0123456789".into(),
                0.0,
            );
            assert!(s.len() <= 3 && s.bytes() <= 40);
        }
        assert!(
            s.recall(&p, "/stores?o=9", 1.0).is_some(),
            "the newest is kept"
        );
        assert!(
            s.recall(&p, "/stores?o=0", 1.0).is_none(),
            "the oldest went"
        );
        s.remember(&p, "/stores", "/big", "x".repeat(11).into(), 0.0);
        assert!(
            s.recall(&p, "/big", 1.0).is_none(),
            "over a quarter of maxBytes"
        );
        s.clear();
        assert!(s.is_empty() && s.bytes() == 0);
    }

    #[test]
    fn which_failures_answer_stale() {
        for k in [
            ErrorKind::Network,
            ErrorKind::Timeout,
            ErrorKind::Server,
            ErrorKind::Unavailable,
            ErrorKind::CircuitOpen,
            ErrorKind::Offline,
        ] {
            assert!(answers_stale(k), "{k:?}");
        }
        for k in [
            ErrorKind::NotFound,
            ErrorKind::BadRequest,
            ErrorKind::Forbidden,
            ErrorKind::Unauthorized,
            ErrorKind::Aborted,
            ErrorKind::Decode,
            ErrorKind::Config,
            ErrorKind::RateLimited,
        ] {
            assert!(!answers_stale(k), "{k:?}");
        }
    }

    #[test]
    fn options_section() {
        let parse = |t: &str| read(t, StaleConfig::from_options);
        assert_eq!(parse("{}").unwrap(), Some(StaleConfig::default()));
        assert_eq!(parse(r#"{"stale": false}"#).unwrap(), None);
        let c =
            parse(r#"{"stale": {"paths": ["/rewards"], "maxStaleMs": 60000, "maxEntries": 5}}"#)
                .unwrap()
                .unwrap();
        assert_eq!(
            (c.paths, c.max_stale_ms, c.max_entries),
            (vec!["/rewards".to_string()], 60_000, 5)
        );
        for (bad, msg) in [
            (
                r#"{"stale": {"paths": ["rewards"]}}"#,
                "stale.paths must be paths starting with /",
            ),
            (
                r#"{"stale": {"paths": "/rewards"}}"#,
                "stale.paths must be an array of at most 64 paths",
            ),
            (
                r#"{"stale": {"maxStaleMs": 0}}"#,
                "stale.maxStaleMs must be an integer between 1 and 2592000000",
            ),
            (
                r#"{"stale": {"whileRevalidateMs": 1}}"#,
                "unknown option stale.whileRevalidateMs",
            ),
            (r#"{"stale": 5}"#, "stale must be an object or false"),
        ] {
            assert_eq!(parse(bad).unwrap_err().message(), msg);
        }
    }
}
