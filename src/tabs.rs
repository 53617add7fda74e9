//! One device token for all tabs of a browser: what tabs tell each other ([`TabNews`]) and the seam the wasm shell
//! implements over `BroadcastChannel` and the Web Locks API ([`TabShare`]). The rules (create or renew a token
//! under one cross-tab lock; adopt a newer token a tab already holds instead of renewing again) live in
//! `client/auth.rs`, where they are tested natively with simulated tabs.
//!
//! Tabs share only with tabs of the same device id (the persisted id, or the same `device.deviceId` option).
//! Tokens travel only over this seam, which the shell binds to a same-origin `BroadcastChannel`; they are never
//! written to persistent storage and never logged.
// Natively only the tests drive the receiving side; the wasm shell does in browsers.
#![cfg_attr(not(any(test, target_arch = "wasm32")), allow(dead_code))]

use crate::secret::Secret;
use futures_util::future::LocalBoxFuture;

/// How long a tab waits for the other tabs to say which token they hold, ms. A frozen tab that never answers
/// delays a token creation by at most this much.
pub(crate) const ASK_WAIT_MS: u64 = 500;

/// A device token as one tab holds it: the device it belongs to, its cross-tab generation (`epoch`, one higher for
/// every token created for the device while a tab was open) and the customer logged in on it.
#[derive(Clone, Debug)]
pub(crate) struct TabToken {
    pub device_id: String,
    pub token: Secret,
    pub epoch: u64,
    pub customer_id: Option<String>,
}

/// What a tab tells the other tabs of its device.
#[derive(Clone, Debug)]
pub(crate) enum TabNews {
    /// A tab created (or renewed) the device's token.
    Token(TabToken),
    /// A customer logged in (`Some`) or out (`None`) on the token of `epoch`.
    Customer {
        device_id: String,
        epoch: u64,
        customer_id: Option<String>,
    },
    /// The token of `epoch` was dropped (a logout that did not reach the server): every tab drops it, so the next
    /// call creates a token that invalidates it server-side.
    Forget { device_id: String, epoch: u64 },
}

impl TabNews {
    /// The device the news is about.
    pub(crate) fn device_id(&self) -> &str {
        match self {
            TabNews::Token(t) => &t.device_id,
            TabNews::Customer { device_id, .. } | TabNews::Forget { device_id, .. } => device_id,
        }
    }
}

/// The cross-tab token lock, held until dropped.
pub(crate) struct TabLock(Option<Box<dyn FnOnce()>>);

impl TabLock {
    /// A lock that runs `release` when dropped.
    pub(crate) fn new(release: impl FnOnce() + 'static) -> TabLock {
        TabLock(Some(Box::new(release)))
    }
}

impl Drop for TabLock {
    fn drop(&mut self) {
        if let Some(release) = self.0.take() {
            release();
        }
    }
}

/// How a client reaches the other tabs of its origin.
pub(crate) trait TabShare {
    /// Waits for the lock that makes token creation and renewal single-flight across tabs.
    fn lock(&self) -> LocalBoxFuture<'static, TabLock>;
    /// The newest token (highest epoch) the other tabs hold for `device_id`, waiting at most `wait_ms` for their
    /// answers; asked while holding the lock.
    fn newest(&self, device_id: &str, wait_ms: u64) -> LocalBoxFuture<'static, Option<TabToken>>;
    /// Tells the other tabs.
    fn tell(&self, news: &TabNews);
}
