//! The device token and the customer on it: load/create the token (single-flight), renew it after a 401, log a
//! customer in and out, update the token's setup. Tokens and passwords never reach a log or an error.

use super::call::Call;
use super::{uuid_v4, CallOptions, Client};
use crate::error::{Error, ErrorKind};
use crate::json::quoted;
use crate::log::Event;
use crate::runtime::{Method, Runtime};
use crate::secret::Secret;
use futures_util::future::FutureExt;
use std::rc::Rc;

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

    pub(super) fn key(&self, name: &str) -> String {
        format!(
            "{}:{}:{}",
            self.inner.cfg.storage_prefix, self.inner.cfg.external_application_id, name
        )
    }

    /// Device token: reuses the stored one, or creates one with `POST /tokens`. Safe to call many times and
    /// concurrently (one `POST /tokens` at most).
    pub async fn connect(&self) -> Result<(), Error> {
        self.ensure_token().await
    }

    pub(super) async fn load(&self) -> Result<(), Error> {
        if self.inner.auth.borrow().loaded {
            return Ok(());
        }
        let store = &self.inner.store;
        let token = store.get(&self.key("token")).await?;
        let device = store.get(&self.key("device")).await?;
        let customer = store.get(&self.key("customer")).await?;
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
                a.device_id = device.filter(|d| !d.is_empty() && d.len() <= 256);
            }
        }
        Ok(())
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
        if let (Some(f), true) = (&existing, self.inner.cfg.isolate_safe) {
            // Another task (maybe another Workers request) owns this flight: wait on our own timer rather than
            // be woken from its context. If its owner went away, take the flight over.
            let mut waited = 0u64;
            while f.strong_count().is_some_and(|n| n > 2)
                && waited < self.inner.cfg.total_timeout_ms
            {
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
        let flight = match existing {
            Some(f) => f,
            None => {
                let me = self.clone();
                let f = async move {
                    let r = me.create_token(renewal).await;
                    *me.inner.token_flight.borrow_mut() = None;
                    r
                }
                .boxed_local()
                .shared();
                *self.inner.token_flight.borrow_mut() = Some(f.clone());
                f
            }
        };
        flight.await
    }

    pub(super) async fn create_token(&self, renewal: bool) -> Result<(), Error> {
        let device_id = {
            let known = self.inner.auth.borrow().device_id.clone();
            match known {
                Some(d) => d,
                None => {
                    let mut b = [0u8; 16];
                    self.inner.rt.fill_random(&mut b)?;
                    let d = uuid_v4(b);
                    self.inner.store.set(&self.key("device"), &d).await?;
                    self.inner.auth.borrow_mut().device_id = Some(d.clone());
                    d
                }
            }
        };
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
        let token = data_string(&text, "token_id", 512)?;
        self.inner.store.set(&self.key("token"), &token).await?;
        let had_customer = {
            let mut a = self.inner.auth.borrow_mut();
            a.token = Some(Secret::new(token));
            a.generation += 1;
            a.customer_id.take().is_some()
        };
        if had_customer {
            self.forget_customer().await;
            self.emit(&Event::SessionExpired);
        }
        if renewal {
            self.inner.stats.borrow_mut().token_renewals += 1;
            self.emit(&Event::TokenRenewed);
        }
        Ok(())
    }

    pub(super) async fn forget_customer(&self) {
        self.inner.auth.borrow_mut().customer_id = None;
        self.drop_customer_entries();
        let _ = self.inner.store.remove(&self.key("customer")).await;
    }

    /// Drops the device token locally (a new one is created on the next call).
    pub async fn forget_token(&self) {
        {
            let mut a = self.inner.auth.borrow_mut();
            a.token = None;
            a.generation += 1;
        }
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
    /// login action), dropping anything cached for a previous customer.
    pub async fn become_customer(&self, id: &str) -> Result<(), Error> {
        let changed = self.inner.auth.borrow().customer_id.as_deref() != Some(id);
        if changed {
            self.drop_customer_entries();
        }
        self.inner.auth.borrow_mut().customer_id = Some(id.to_string());
        self.inner.store.set(&self.key("customer"), id).await
    }

    /// Logs the customer out (`POST /tokens/{id}/actions/logout`) and forgets every customer-specific cached
    /// response. Local state is cleared even when the server cannot be reached; in that case the device token is
    /// dropped too, so the next call creates a new token, which invalidates the old one (and its login) server-side.
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
            Ok(_) => Ok(()),
            Err(e) => {
                self.forget_token().await;
                Err(e)
            }
        }
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
