//! The device token and the customer on it: load/create the token (single-flight, across tabs when they share
//! it), renew it after a 401 or adopt the one another tab renewed, log a customer in and out (in every tab sharing
//! the token), update the token's setup. Tokens and passwords never reach a log or an error.

use super::call::Call;
use super::{uuid_v4, CallOptions, Client, Inner, TokenFlight};
use crate::error::{Error, ErrorKind};
use crate::json::quoted;
use crate::log::Event;
use crate::runtime::{Method, Runtime};
use crate::secret::Secret;
use crate::tabs::{TabLock, TabNews, TabShare, TabToken, ASK_WAIT_MS};
use crate::token_store::TokenStore;
use futures_util::future::{select, Either, FutureExt};
use std::rc::{Rc, Weak};

impl<R: Runtime> Client<R> {
    /// A call to a fixed path, past the read path (no cache, no dedupe).
    pub(super) async fn send_direct(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
        auth: bool,
    ) -> Result<Rc<str>, Error> {
        let call = Call::new(method, path.to_string(), &[]);
        self.send(&call, body, &CallOptions::default(), auth).await
    }

    /// `{storagePrefix}:{externalApplicationId}:{name}`: the name of a stored value, lock or channel.
    pub(crate) fn key(&self, name: &str) -> String {
        format!(
            "{}:{}:{}",
            self.inner.cfg.storage_prefix, self.inner.cfg.external_application_id, name
        )
    }

    /// Device token: reuses the stored one (or one another tab holds), or creates one with `POST /tokens`. Safe to
    /// call many times and concurrently (one `POST /tokens` at most, across tabs when they share the token).
    pub async fn connect(&self) -> Result<(), Error> {
        self.ensure_token().await
    }

    /// Keeps the device id in `store` (under `{storagePrefix}:{externalApplicationId}:device`) instead of the token
    /// store. The device id is not a secret: the wasm shell passes `localStorage` in browsers, so a reload keeps
    /// its device and the reload's new token invalidates the previous one server-side. Writes there are
    /// best-effort (a full or blocked storage leaves the id in memory).
    pub fn set_device_store(&self, store: Rc<dyn TokenStore>) {
        *self.inner.device_store.borrow_mut() = Some(store);
    }

    /// Shares the device token with the other tabs of this browser through `tabs`.
    #[cfg_attr(not(any(test, target_arch = "wasm32")), allow(dead_code))]
    pub(crate) fn set_tab_share(&self, tabs: Rc<dyn TabShare>) {
        *self.inner.tabs.borrow_mut() = Some(tabs);
    }

    /// A handle that does not keep the client alive (for the shell's message listener, which the client owns).
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn downgrade(&self) -> WeakClient<R> {
        WeakClient(Rc::downgrade(&self.inner))
    }

    fn tab_share(&self) -> Option<Rc<dyn TabShare>> {
        self.inner.tabs.borrow().clone()
    }

    pub(super) async fn load(&self) -> Result<(), Error> {
        if self.inner.auth.borrow().loaded {
            return Ok(());
        }
        let store = &self.inner.store;
        let token = store.get(&self.key("token")).await?;
        let customer = store.get(&self.key("customer")).await?;
        let device = self.stored_device_id().await?;
        let mut a = self.inner.auth.borrow_mut();
        if !a.loaded {
            a.loaded = true;
            if a.token.is_none() {
                a.token = token
                    .filter(|t| !t.is_empty() && t.len() <= 512)
                    .map(Secret::new);
                a.customer_id = if a.token.is_some() { customer } else { None };
            }
            if a.device_id.is_none() {
                a.device_id = device;
            }
            drop(a);
            self.identity_changed(); // the stored token and customer, if any, are this client's now
        }
        Ok(())
    }

    /// The stored device id: in the device store when there is one (read failures are a miss there), else in the
    /// token store.
    async fn stored_device_id(&self) -> Result<Option<String>, Error> {
        let key = self.key("device");
        let device_store = self.inner.device_store.borrow().clone();
        let id = match device_store {
            Some(s) => s.get(&key).await.ok().flatten(),
            None => self.inner.store.get(&key).await?,
        };
        Ok(id.filter(|d| !d.is_empty() && d.len() <= 256))
    }

    /// This client's device id: the option, the stored one (another tab may have stored it since this one
    /// loaded), or a new UUID v4, stored.
    async fn device_id(&self) -> Result<String, Error> {
        if let Some(d) = self.inner.auth.borrow().device_id.clone() {
            return Ok(d);
        }
        let d = match self.stored_device_id().await? {
            Some(d) => d,
            None => {
                let mut b = [0u8; 16];
                self.inner.rt.fill_random(&mut b)?;
                let d = uuid_v4(b);
                let key = self.key("device");
                let device_store = self.inner.device_store.borrow().clone();
                match device_store {
                    Some(s) => {
                        let _ = s.set(&key, &d).await;
                    }
                    None => self.inner.store.set(&key, &d).await?,
                }
                d
            }
        };
        self.inner.auth.borrow_mut().device_id = Some(d.clone());
        Ok(d)
    }

    pub(super) async fn ensure_token(&self) -> Result<(), Error> {
        self.load().await?;
        if self.inner.auth.borrow().token.is_some() {
            return Ok(());
        }
        let gen = self.inner.auth.borrow().generation;
        self.obtain_token(gen, false).await
    }

    /// Single-flight token creation: every caller that saw generation `seen` shares one `POST /tokens`.
    pub(super) async fn obtain_token(&self, seen: u64, renewal: bool) -> Result<(), Error> {
        if self.inner.auth.borrow().generation != seen {
            return Ok(()); // someone already got a newer token
        }
        let existing = self.inner.token_flight.borrow().clone();
        if existing.is_some() && self.inner.cfg.isolate_safe {
            // Another task (maybe another Workers request) drives this flight: wait on our own timer rather than
            // be woken from its context, for at most the total timeout. If its owner went away (its request was
            // cancelled), take the flight over at the next tick.
            let mut waited = 0u64;
            while self.token_flight_owned() && waited < self.inner.cfg.total_timeout_ms {
                self.inner.rt.sleep(20).await;
                waited += 20;
                if self.inner.auth.borrow().generation != seen {
                    return Ok(());
                }
            }
            if self.inner.auth.borrow().generation != seen {
                return Ok(());
            }
        }
        let owner = Rc::new(()); // held while this task awaits the flight
        let shared = match existing {
            Some(f) => f.shared,
            None => {
                let me = self.clone();
                async move {
                    let r = me.create_token(seen, renewal).await;
                    *me.inner.token_flight.borrow_mut() = None;
                    r
                }
                .boxed_local()
                .shared()
            }
        };
        if shared.peek().is_none() {
            *self.inner.token_flight.borrow_mut() = Some(TokenFlight {
                shared: shared.clone(),
                owner: Rc::downgrade(&owner),
            });
        }
        shared.await
    }

    /// Whether a token request is in flight and a task still awaits it.
    fn token_flight_owned(&self) -> bool {
        let flight = self.inner.token_flight.borrow();
        flight.as_ref().is_some_and(|f| f.owner.strong_count() > 0)
    }

    /// Gets this tab a token newer than generation `seen`. When tabs share the token this runs under the
    /// cross-tab lock, and a token another tab already holds is adopted instead of creating one: a tab that saw a
    /// 401 after another tab renewed takes the renewed token rather than renewing again (which would invalidate
    /// the other tab's token, and so on). Otherwise `POST /tokens`, and the other tabs are told.
    async fn create_token(&self, seen: u64, renewal: bool) -> Result<(), Error> {
        let tabs = self.tab_share();
        let _lock = match &tabs {
            Some(t) => self.tab_lock(t.as_ref()).await,
            None => None,
        };
        if self.inner.auth.borrow().generation != seen {
            return Ok(()); // another tab's token arrived while this one waited for the lock
        }
        let device_id = self.device_id().await?;
        let mut epoch = self.inner.auth.borrow().epoch;
        if let Some(t) = &tabs {
            let held = t.newest(&device_id, ASK_WAIT_MS).await;
            if self.inner.auth.borrow().generation != seen {
                return Ok(()); // the news of a tab's token arrived while this one asked
            }
            if let Some(held) = held {
                if self.is_newer(&held) {
                    return self.install_token(held).await;
                }
                epoch = epoch.max(held.epoch);
            }
        }
        let c = &self.inner.cfg;
        let body = format!(
            r#"{{"device":{{"device_id":{},"device_system":{},"device_name":{},"device_type":{}}},"setup":{},"external_application_id":{}{}}}"#,
            quoted(&device_id),
            quoted(&c.device.device_system),
            quoted(&c.device.device_name),
            quoted(&c.device.device_type),
            setup_json(&c.setup),
            quoted(&c.external_application_id),
            push_token_member(c.push_token.as_deref()),
        );
        let text = self
            .send_direct(Method::Post, "/tokens", Some(body), false)
            .await?;
        let created = TabToken {
            device_id,
            token: Secret::new(data_string(&text, "token_id", 512)?),
            epoch: epoch + 1,
            customer_id: None,
        };
        self.install_token(created.clone()).await?;
        if let Some(t) = &tabs {
            t.tell(&TabNews::Token(created));
        }
        if renewal {
            self.inner.stats.borrow_mut().token_renewals += 1;
            self.emit(&Event::TokenRenewed);
        }
        Ok(())
    }

    /// The cross-tab lock, or `None` when it is not granted within `totalTimeoutMs` (a stuck holder): then this
    /// tab goes on alone, as a client without tab sharing does.
    async fn tab_lock(&self, tabs: &dyn TabShare) -> Option<TabLock> {
        let timeout = self.inner.rt.sleep(self.inner.cfg.total_timeout_ms);
        match select(tabs.lock(), timeout).await {
            Either::Left((lock, _)) => Some(lock),
            Either::Right(_) => None,
        }
    }

    /// Whether another tab's token should replace this tab's: same device, and a later epoch, or the same epoch
    /// with a different token (this tab holds none, or holds one it did not get from the tabs).
    fn is_newer(&self, held: &TabToken) -> bool {
        let a = self.inner.auth.borrow();
        a.device_id.as_deref() == Some(held.device_id.as_str())
            && (held.epoch > a.epoch
                || (held.epoch == a.epoch && a.token.as_ref() != Some(&held.token)))
    }

    /// Makes `t` this tab's token: stored, a new generation, and the customer logged in on it. A customer this
    /// tab had who is not on the new token has lost the session (`session_expired`).
    async fn install_token(&self, t: TabToken) -> Result<(), Error> {
        self.inner
            .store
            .set(&self.key("token"), t.token.expose())
            .await?;
        let had_customer = {
            let mut a = self.inner.auth.borrow_mut();
            a.token = Some(t.token);
            a.epoch = t.epoch;
            a.generation += 1;
            a.customer_id.is_some()
        };
        self.identity_changed();
        match t.customer_id {
            Some(id) => self.set_customer(&id).await?,
            None if had_customer => {
                self.forget_customer().await;
                self.emit(&Event::SessionExpired);
            }
            None => {}
        }
        Ok(())
    }

    /// This tab's token, when it belongs to `device_id`: the answer to another tab asking which token it holds.
    #[cfg_attr(not(any(test, target_arch = "wasm32")), allow(dead_code))]
    pub(crate) fn tab_token(&self, device_id: &str) -> Option<TabToken> {
        let a = self.inner.auth.borrow();
        if a.device_id.as_deref() != Some(device_id) {
            return None;
        }
        Some(TabToken {
            device_id: device_id.to_string(),
            token: a.token.clone()?,
            epoch: a.epoch,
            customer_id: a.customer_id.clone(),
        })
    }

    /// Applies what another tab of this device told: a newer token is adopted; a login or logout on the token
    /// this tab holds applies here too (a logout ends this tab's session: `session_expired`); a dropped token is
    /// dropped here too.
    #[cfg_attr(not(any(test, target_arch = "wasm32")), allow(dead_code))]
    pub(crate) async fn receive(&self, news: TabNews) {
        if self.load().await.is_err() {
            return;
        }
        let (epoch, has_token, had_customer) = {
            let a = self.inner.auth.borrow();
            if a.device_id.as_deref() != Some(news.device_id()) {
                return;
            }
            (a.epoch, a.token.is_some(), a.customer_id.is_some())
        };
        match news {
            TabNews::Token(t) if self.is_newer(&t) => {
                let _ = self.install_token(t).await;
            }
            TabNews::Customer {
                epoch: e,
                customer_id,
                ..
            } if e == epoch && has_token => match customer_id {
                Some(id) => {
                    let _ = self.set_customer(&id).await;
                }
                None if had_customer => {
                    self.forget_customer().await;
                    self.emit(&Event::SessionExpired);
                }
                None => {}
            },
            TabNews::Forget { epoch: e, .. } if e >= epoch && has_token => {
                self.drop_token().await;
                if had_customer {
                    self.emit(&Event::SessionExpired);
                }
            }
            _ => {}
        }
    }

    /// Tells the other tabs of this device (when tabs share the token and the device is known).
    fn tell(&self, news: impl FnOnce(String, u64) -> TabNews) {
        let Some(tabs) = self.tab_share() else {
            return;
        };
        let (device, epoch) = {
            let a = self.inner.auth.borrow();
            (a.device_id.clone(), a.epoch)
        };
        if let Some(device_id) = device {
            tabs.tell(&news(device_id, epoch));
        }
    }

    pub(super) async fn forget_customer(&self) {
        self.inner.auth.borrow_mut().customer_id = None;
        self.identity_changed();
        self.drop_customer_entries();
        let _ = self.inner.store.remove(&self.key("customer")).await;
    }

    /// Drops the device token locally (a new one is created on the next call), in every tab sharing it.
    pub async fn forget_token(&self) {
        self.tell(|device_id, epoch| TabNews::Forget { device_id, epoch });
        self.drop_token().await;
    }

    async fn drop_token(&self) {
        {
            let mut a = self.inner.auth.borrow_mut();
            a.token = None;
            a.generation += 1;
        }
        self.identity_changed();
        self.forget_customer().await;
        let _ = self.inner.store.remove(&self.key("token")).await;
    }

    /// `PUT /tokens/{id}`: updates the token's setup (language, GPS, notifications) and push token.
    pub async fn update_token(
        &self,
        setup: &crate::config::Setup,
        push_token: Option<&str>,
    ) -> Result<(), Error> {
        self.ensure_token().await?;
        let body = format!(
            r#"{{"setup":{}{}}}"#,
            setup_json(setup),
            push_token_member(push_token)
        );
        self.send_direct(Method::Put, "/tokens/{token}", Some(body), true)
            .await?;
        Ok(())
    }

    /// Logs a customer in on the device token (`POST /tokens/{id}/actions/login`). Returns the customer id.
    /// The password is sent once and never stored or logged.
    pub async fn login(
        &self,
        login_type: &str,
        login_value: &str,
        password: &Secret,
    ) -> Result<String, Error> {
        if !["email", "card", "phone"].contains(&login_type) {
            return Err(Error::config("loginType must be email, card or phone"));
        }
        if login_value.is_empty() || password.expose().is_empty() {
            return Err(Error::config("loginValue and password are required"));
        }
        self.ensure_token().await?;
        let body = format!(
            r#"{{"login_type":{},"login_value":{},"password":{}}}"#,
            quoted(login_type),
            quoted(login_value),
            quoted(password.expose())
        );
        let text = self
            .send_direct(
                Method::Post,
                "/tokens/{token}/actions/login",
                Some(body),
                true,
            )
            .await?;
        let id = customer_id_of(&text)?;
        self.become_customer(&id).await?;
        Ok(id)
    }

    /// Records that `id` is now the logged-in customer (after login, registration with autologin, or another
    /// login action), dropping anything cached for a previous customer, and tells the tabs sharing the token.
    pub async fn become_customer(&self, id: &str) -> Result<(), Error> {
        self.set_customer(id).await?;
        self.tell(|device_id, epoch| TabNews::Customer {
            device_id,
            epoch,
            customer_id: Some(id.to_string()),
        });
        Ok(())
    }

    async fn set_customer(&self, id: &str) -> Result<(), Error> {
        let changed = self.inner.auth.borrow().customer_id.as_deref() != Some(id);
        if changed {
            self.drop_customer_entries();
        }
        self.inner.auth.borrow_mut().customer_id = Some(id.to_string());
        self.identity_changed();
        self.inner.store.set(&self.key("customer"), id).await
    }

    /// Logs the customer out (`POST /tokens/{id}/actions/logout`) and forgets every customer-specific cached
    /// response, in every tab sharing the token. Local state is cleared even when the server cannot be reached; in
    /// that case the device token is dropped too (in every tab), so the next call creates a new token, which
    /// invalidates the old one (and its login) server-side.
    pub async fn logout(&self) -> Result<(), Error> {
        // A token kept in the store (page reload, a per-request client) must be logged out too.
        let loaded = self.load().await;
        self.forget_customer().await;
        loaded?;
        if !self.has_token() {
            return Ok(());
        }
        match self
            .send_direct(Method::Post, "/tokens/{token}/actions/logout", None, true)
            .await
        {
            Ok(_) => {
                self.tell(|device_id, epoch| TabNews::Customer {
                    device_id,
                    epoch,
                    customer_id: None,
                });
                Ok(())
            }
            Err(e) => {
                self.forget_token().await;
                Err(e)
            }
        }
    }
}

/// A [`Client`] that may have been dropped.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) struct WeakClient<R: Runtime>(Weak<Inner<R>>);

#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
impl<R: Runtime> WeakClient<R> {
    /// The client, while it lives.
    pub(crate) fn upgrade(&self) -> Option<Client<R>> {
        self.0.upgrade().map(|inner| Client { inner })
    }
}

/// The token `setup` object as CareCloud names its fields.
fn setup_json(s: &crate::config::Setup) -> String {
    format!(
        r#"{{"language_id":{},"allowed_gps":{},"allowed_notifications":{}}}"#,
        quoted(&s.language_id),
        s.allowed_gps,
        s.allowed_notifications
    )
}

/// `,"push_token":"…"` when there is one.
fn push_token_member(p: Option<&str>) -> String {
    p.map_or(String::new(), |p| format!(r#","push_token":{}"#, quoted(p)))
}

/// A non-empty string field of a response's `data` (at most `max_len` bytes), or a `decode` error naming it.
fn data_string(text: &str, field: &str, max_len: usize) -> Result<String, Error> {
    crate::json::Json::parse(text)
        .and_then(|v| v.get("data")?.get(field)?.as_str().map(str::to_string))
        .filter(|t| !t.is_empty() && t.len() <= max_len)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Decode,
                format!("the response carried no data.{field}"),
            )
        })
}

/// `data.customer_id` of a login or registration response.
pub(super) fn customer_id_of(text: &str) -> Result<String, Error> {
    data_string(text, "customer_id", 256)
}
