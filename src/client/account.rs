//! Customer-account calls that touch the session or the cache, so they live in the core (see DEVELOPERS.md, "Where
//! an endpoint's knowledge lives"): registration (`POST /customers`, with autologin) and the password-setup message
//! (`POST /tokens/{id}/actions/send-password-setup-email`, whose channel id comes from the cached
//! `GET /communication-channels`), and the hand-over token (`GET /tokens/{id}/actions/auth-token`). Arguments
//! arrive as JSON text, read with the options reader so errors name the argument
//! (`register.customerSource is required …`).

use super::auth::customer_id_of;
use super::{CallOptions, Client, TOKEN_PLACEHOLDER};
use crate::config::options::Options;
use crate::error::Error;
use crate::json::{quote, quoted, Json};
use crate::runtime::{Method, Runtime};

/// The channel text id used when neither `communicationChannelId` nor `channel` is given.
const DEFAULT_CHANNEL: &str = "email";

impl<R: Runtime> Client<R> {
    /// Registers a customer (`POST /customers`) and returns the new customer's id; with `autologin` the customer
    /// is logged in on this device token. `args` is a JSON object: `customer` (object, required), `customerSource`
    /// (required: `{customer_source_id, external_id?}` or just the customer source id), `autologin` (default
    /// false, always sent), `password` (required with autologin), `propertyRecords` (array), `referralCode`.
    pub async fn register(&self, args: &str) -> Result<String, Error> {
        let r = Registration::parse(args)?;
        let text = self
            .request_text(
                Method::Post,
                "/customers",
                Some(r.body),
                CallOptions::default(),
            )
            .await?;
        let id = customer_id_of(&text)?;
        if r.autologin {
            self.become_customer(&id).await?;
        }
        Ok(id)
    }

    /// Asks CareCloud to send a password-setup message. `args` is a JSON object: `recipient` (required), and the
    /// channel as `communicationChannelId` (an id from `GET /communication-channels`) or `channel` (a channel's
    /// `text_id`, default `email`, resolved through the cached `GET /communication-channels`).
    pub async fn send_password_setup_email(&self, args: &str) -> Result<(), Error> {
        let v = parse_args(args, "sendPasswordSetupEmail")?;
        let o = Options::arguments(&v, "sendPasswordSetupEmail")?;
        let recipient = o.required("recipient")?;
        let channel_id = match o.string("communicationChannelId")? {
            Some(id) => id,
            None => {
                let text_id = o.string_or("channel", DEFAULT_CHANNEL)?;
                self.channel_id(&text_id).await?
            }
        };
        let body = format!(
            r#"{{"recipient":{},"communication_channel_id":{}}}"#,
            quoted(&recipient),
            quoted(&channel_id)
        );
        let path = format!("/tokens/{TOKEN_PLACEHOLDER}/actions/send-password-setup-email");
        self.request_text(Method::Post, &path, Some(body), CallOptions::default())
            .await?;
        Ok(())
    }

    /// Hands the logged-in customer to another application (`GET /tokens/{id}/actions/auth-token`, never cached).
    /// `args` is a JSON object: `externalApplicationId` (required), `tokenType` (1 or 2, default 1). Resolves to
    /// the response's `data` (`authentication_token`, `token_request_id`, `valid_to`).
    pub async fn auth_token(&self, args: &str) -> Result<R::Value, Error> {
        let v = parse_args(args, "authToken")?;
        let o = Options::arguments(&v, "authToken")?;
        let query = vec![
            (
                "external_application_id".to_string(),
                o.required("externalApplicationId")?,
            ),
            (
                "token_type".to_string(),
                o.int("tokenType", 1..=2, 1)?.to_string(),
            ),
        ];
        let opts = CallOptions {
            query,
            no_store: true,
            ..CallOptions::default()
        };
        let path = format!("/tokens/{TOKEN_PLACEHOLDER}/actions/auth-token");
        self.request(Method::Get, &path, None, opts).await
    }

    /// The `communication_channel_id` of the channel whose `text_id` is `text_id`, from the cached channel list.
    async fn channel_id(&self, text_id: &str) -> Result<String, Error> {
        let text = self
            .request_text(
                Method::Get,
                "/communication-channels",
                None,
                CallOptions::default(),
            )
            .await?;
        let list = Json::parse(&text);
        let channels = list
            .as_ref()
            .and_then(|v| v.get("data")?.get("communication_channels")?.as_array())
            .unwrap_or_default();
        channels
            .iter()
            .find(|c| c.get("text_id").and_then(Json::as_str) == Some(text_id))
            .and_then(|c| c.get("communication_channel_id")?.as_str())
            .filter(|id| !id.is_empty() && id.len() <= 256)
            .map(str::to_string)
            .ok_or_else(|| {
                Error::config(format!(
                    "no communication channel with text_id {} (GET /communication-channels); pass communicationChannelId",
                    quoted(text_id)
                ))
            })
    }
}

const SOURCE_REQUIRED: &str =
    "is required: {customer_source_id} (an id from GET /customer-sources) or that id";

/// A registration, checked and written as CareCloud's `POST /customers` body.
struct Registration {
    body: String,
    autologin: bool,
}

impl Registration {
    fn parse(args: &str) -> Result<Registration, Error> {
        let v = parse_args(args, "register")?;
        let o = Options::arguments(&v, "register")?;
        let customer = o
            .get("customer")
            .filter(|c| c.as_object().is_some())
            .ok_or_else(|| o.error("customer", "must be an object"))?;
        let source = match o.get("customerSource") {
            Some(Json::Str(id)) if !id.trim().is_empty() => {
                format!(r#"{{"customer_source_id":{}}}"#, quoted(id.trim()))
            }
            Some(s) if has_source_id(s) => s.to_text(),
            _ => return Err(o.error("customerSource", SOURCE_REQUIRED)),
        };
        let autologin = o.boolean("autologin", false)?;
        let password = o.string("password")?;
        if autologin && password.is_none() {
            return Err(o.error("password", "is required with autologin"));
        }
        let mut body = format!(
            r#"{{"customer":{},"customer_source":{},"autologin":{autologin}"#,
            customer.to_text(),
            source
        );
        if let Some(p) = password {
            body.push_str(r#","password":"#);
            quote(&p, &mut body);
        }
        if let Some(records) = o.get("propertyRecords") {
            if records.as_array().is_none() {
                return Err(o.error("propertyRecords", "must be an array"));
            }
            body.push_str(r#","property_records":"#);
            body.push_str(&records.to_text());
        }
        if let Some(code) = o.string("referralCode")? {
            body.push_str(r#","referral_code":"#);
            quote(&code, &mut body);
        }
        body.push('}');
        Ok(Registration { body, autologin })
    }
}

fn has_source_id(source: &Json) -> bool {
    source
        .get("customer_source_id")
        .and_then(Json::as_str)
        .is_some_and(|id| !id.trim().is_empty())
}

fn parse_args(text: &str, call: &str) -> Result<Json, Error> {
    Json::parse(text).ok_or_else(|| Error::config(format!("{call} needs an object of arguments")))
}
