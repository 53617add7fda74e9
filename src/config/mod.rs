//! Client options: parsed leniently from JSON (what JS passes), validated strictly. A configuration that names
//! the enterprise interface or carries enterprise credentials is refused before any request.

use crate::cache::CacheConfig;
use crate::circuit::BreakerConfig;
use crate::error::Error;
use crate::json::Json as Value;
use crate::rate_limit::RateLimitConfig;
use crate::retry::RetryConfig;
use crate::stale::StaleConfig;
use options::{clean, Options};

pub(crate) mod options;

/// The pinned API path.
pub const API_PATH: &str = "/webservice/rest-api/customer-interface/v1.0";

/// Device description sent with `POST /tokens`.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceInfo {
    /// A fixed id for this device/browser; generated (UUID v4) and stored when not given.
    pub device_id: Option<String>,
    /// e.g. `web`, `android`, `kiosk-linux`.
    pub device_system: String,
    /// A human-readable name.
    pub device_name: String,
    /// e.g. `browser`, `kiosk`, `worker`.
    pub device_type: String,
}

/// Token setup sent with `POST /tokens` and `PUT /tokens/{id}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Setup {
    /// ISO 639-1 language id.
    pub language_id: String,
    /// Whether the customer allowed GPS.
    pub allowed_gps: bool,
    /// Whether the customer allowed notifications.
    pub allowed_notifications: bool,
}

impl Default for DeviceInfo {
    fn default() -> Self {
        DeviceInfo {
            device_id: None,
            device_system: "web".into(),
            device_name: "carecloud-customer".into(),
            device_type: "browser".into(),
        }
    }
}

impl DeviceInfo {
    /// Reads the `device` section; missing members take the defaults.
    fn from_options(o: &Options) -> Result<Self, Error> {
        let o = o.section(
            "device",
            &["deviceId", "deviceSystem", "deviceName", "deviceType"],
        )?;
        let d = Self::default();
        Ok(DeviceInfo {
            device_id: o.string("deviceId")?,
            device_system: o.string_or("deviceSystem", &d.device_system)?,
            device_name: o.string_or("deviceName", &d.device_name)?,
            device_type: o.string_or("deviceType", &d.device_type)?,
        })
    }
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            language_id: "en".into(),
            allowed_gps: false,
            allowed_notifications: false,
        }
    }
}

const SETUP_KEYS: &[&str] = &["languageId", "allowedGps", "allowedNotifications"];

impl Setup {
    /// Reads the `setup` section of the options; missing members take the defaults.
    fn from_options(o: &Options) -> Result<Self, Error> {
        Self::from_section(&o.section("setup", SETUP_KEYS)?)
    }

    /// Reads a setup given on its own as JSON text (`updateToken({setup})`), with the same rules and names as the
    /// `setup` option; absent or `null` means the defaults.
    pub fn from_json_str(text: &str) -> Result<Self, Error> {
        let v = Value::parse(text).ok_or_else(|| Error::config("setup is not valid JSON"))?;
        if v.is_null() {
            return Ok(Self::default());
        }
        Self::from_section(&Options::object(&v, "setup", SETUP_KEYS)?)
    }

    fn from_section(o: &Options) -> Result<Self, Error> {
        let d = Self::default();
        Ok(Setup {
            language_id: o.string_or("languageId", &d.language_id)?,
            allowed_gps: o.boolean("allowedGps", d.allowed_gps)?,
            allowed_notifications: o.boolean("allowedNotifications", d.allowed_notifications)?,
        })
    }
}

/// Validated client configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// `https://host/webservice/rest-api/customer-interface/v1.0` (no trailing slash).
    pub base_url: String,
    /// The customer external application's encoded id.
    pub external_application_id: String,
    /// Device description.
    pub device: DeviceInfo,
    /// Token setup.
    pub setup: Setup,
    /// Push token (APNs/FCM) to register with the device token.
    pub push_token: Option<String>,
    /// `Accept-Language` value.
    pub accept_language: Option<String>,
    /// Per-attempt timeout, ms. Default 15 000.
    pub timeout_ms: u64,
    /// Whole-call timeout including retries, ms. Default 60 000.
    pub total_timeout_ms: u64,
    /// Retry settings (max_retries 0 when disabled).
    pub retry: RetryConfig,
    /// Cache settings, `None` when disabled.
    pub cache: Option<CacheConfig>,
    /// Rate limiter, `None` when disabled.
    pub rate_limit: Option<RateLimitConfig>,
    /// Circuit breaker, `None` when disabled.
    pub circuit_breaker: Option<BreakerConfig>,
    /// Offline catalogue (`stale-if-error`), `None` when disabled.
    pub stale: Option<StaleConfig>,
    /// Header name for idempotency keys on writes (e.g. `Idempotency-Key`), `None` when off.
    pub idempotency_header: Option<String>,
    /// Header carrying each call's correlation id (e.g. `X-Correlation-Id`), `None` (default) to keep the id in
    /// the logs only: a custom header must be allowed by the server's CORS preflight, which CareCloud does not
    /// document.
    pub correlation_header: Option<String>,
    /// Share identical concurrent reads (in-flight dedupe). Default true.
    pub dedupe: bool,
    /// Prefix of the token-store keys.
    pub storage_prefix: String,
    /// Never let one task's completion wake another (Cloudflare Workers: a promise created in one request must
    /// not be resolved from another). Joiners of a shared token request poll on their own timers instead, and the
    /// concurrency cap is not applied. Default false; the wasm shell turns it on in Workers.
    pub isolate_safe: bool,
    /// Keep the generated device id in `localStorage` (browser pages), so a reload is the same device and its new
    /// token invalidates the previous one server-side. Never the token. Default true; `device.deviceId` wins.
    pub persist_device_id: bool,
    /// Share the device token in memory with the other tabs and workers of this origin that have the same device
    /// id (`BroadcastChannel` + Web Locks; where either is missing the client keeps its own token). Default true.
    pub share_token: bool,
}

const ENTERPRISE_KEYS: &[&str] = &[
    "username",
    "user",
    "login",
    "password",
    "bearertoken",
    "bearer_token",
    "enterprisetoken",
    "clientsecret",
    "client_secret",
    "apikey",
    "api_key",
    "userexternalapplicationid",
    "user_external_application_id",
    "enterprise",
    "basicauth",
    "authorization",
];

const KNOWN: &[&str] = &[
    "projectUrl",
    "baseUrl",
    "externalApplicationId",
    "device",
    "setup",
    "pushToken",
    "acceptLanguage",
    "language",
    "tokenStore",
    "timeoutMs",
    "totalTimeoutMs",
    "retry",
    "cache",
    "rateLimit",
    "circuitBreaker",
    "stale",
    "idempotencyHeader",
    "dedupe",
    "onLog",
    "onEvent",
    "storagePrefix",
    "fetch",
    "isolateSafe",
    "correlationHeader",
    "sharedCache",
    "persistDeviceId",
    "shareToken",
];

/// The range of `timeoutMs`, in the options and per call.
pub(crate) const TIMEOUT_MS: std::ops::RangeInclusive<u64> = 1..=600_000;

/// A header-name option: `false`/absent → off, `true` → `default`, a string → that name (validated).
fn header_option(o: &Options, key: &str, default: &str) -> Result<Option<String>, Error> {
    match o.get(key) {
        None | Some(Value::Bool(false)) => return Ok(None),
        Some(Value::Bool(true)) => return Ok(Some(default.to_string())),
        Some(_) => {}
    }
    let h = o.required(key)?;
    if !h
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        || h.len() > 64
    {
        return Err(o.error(key, "must be a header name"));
    }
    if ["authorization", "content-type", "accept", "accept-language"]
        .contains(&h.to_ascii_lowercase().as_str())
    {
        return Err(o.error(key, "must not be a header the client sets itself"));
    }
    Ok(Some(h))
}

fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h == "localhost" || h == "::1" || h.ends_with(".localhost") || {
        let parts: Vec<&str> = h.split('.').collect();
        parts.len() == 4 && parts[0] == "127" && parts.iter().all(|p| p.parse::<u8>().is_ok())
    }
}

/// Validates a base URL: https (plain http only to loopback), no user info, no query or fragment, not the
/// enterprise interface. Returns it without a trailing slash.
pub(crate) fn validate_base_url(url: &str, allow_path: bool) -> Result<String, Error> {
    let url = url.trim();
    if url.len() > 2048 || url.chars().any(|c| c.is_control() || c == ' ') {
        return Err(Error::config("the URL must be a plain absolute URL"));
    }
    if url.to_ascii_lowercase().contains("enterprise-interface") {
        return Err(Error::config(
            "the enterprise interface is refused: this client speaks only the customer interface with a device token",
        ));
    }
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| Error::config("the URL must start with https://"))?;
    let scheme = scheme.to_ascii_lowercase();
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if authority.contains('@') {
        return Err(Error::config("credentials in the URL are refused"));
    }
    if rest.contains('?') || rest.contains('#') {
        return Err(Error::config("the URL must not carry a query or fragment"));
    }
    let host = match authority.rfind(':') {
        Some(i) if !authority.ends_with(']') => &authority[..i],
        _ => authority,
    };
    if host.is_empty() {
        return Err(Error::config("the URL has no host"));
    }
    match scheme.as_str() {
        "https" => {}
        "http" if is_loopback(host) => {}
        "http" => {
            return Err(Error::config(
                "plain http is refused except to loopback (127.0.0.1, localhost, ::1)",
            ))
        }
        _ => return Err(Error::config("the URL must start with https://")),
    }
    let path = path.trim_end_matches('/');
    if !allow_path && !path.is_empty() {
        return Err(Error::config(
            "projectUrl must be the project's origin, without a path",
        ));
    }
    Ok(format!("{scheme}://{authority}{path}"))
}

impl Config {
    /// Parses and validates options given as a `serde_json` value (functions and the token-store object are handled
    /// by the caller). With the `serde` feature.
    #[cfg(feature = "serde")]
    pub fn from_json(v: &serde_json::Value) -> Result<Config, Error> {
        Self::from_json_str(&v.to_string())
    }

    /// Parses and validates options given as JSON text (what the wasm shell passes: `JSON.stringify(options)`).
    pub fn from_json_str(text: &str) -> Result<Config, Error> {
        let v = Value::parse(text).ok_or_else(|| Error::config("options are not valid JSON"))?;
        Self::from_value(&v)
    }

    fn from_value(v: &Value) -> Result<Config, Error> {
        let o = Options::root(v)?;
        refuse_unknown_and_enterprise_keys(&o)?;
        let timeout_ms = o.int("timeoutMs", TIMEOUT_MS, 15_000)?;
        Ok(Config {
            base_url: base_url(&o)?,
            external_application_id: o.required("externalApplicationId")?,
            device: DeviceInfo::from_options(&o)?,
            setup: Setup::from_options(&o)?,
            push_token: o.string("pushToken")?,
            accept_language: accept_language(&o)?,
            timeout_ms,
            total_timeout_ms: o.int("totalTimeoutMs", 1..=3_600_000, 60_000.max(timeout_ms))?,
            retry: RetryConfig::from_options(&o)?,
            cache: CacheConfig::from_options(&o)?,
            rate_limit: RateLimitConfig::from_options(&o)?,
            circuit_breaker: BreakerConfig::from_options(&o)?,
            stale: StaleConfig::from_options(&o)?,
            idempotency_header: header_option(&o, "idempotencyHeader", "Idempotency-Key")?,
            correlation_header: header_option(&o, "correlationHeader", "X-Correlation-Id")?,
            dedupe: o.boolean("dedupe", true)?,
            storage_prefix: o.string_or("storagePrefix", "carecloud")?,
            isolate_safe: o.boolean("isolateSafe", false)?,
            persist_device_id: o.boolean("persistDeviceId", true)?,
            share_token: o.boolean("shareToken", true)?,
        })
    }
}

fn refuse_unknown_and_enterprise_keys(o: &Options) -> Result<(), Error> {
    if let Some(k) = o
        .keys()
        .find(|k| ENTERPRISE_KEYS.contains(&k.to_ascii_lowercase().as_str()))
    {
        return Err(Error::config(format!(
            "option {} looks like an enterprise credential: refused; the customer interface needs only a device token",
            clean(k)
        )));
    }
    o.only(KNOWN)
}

/// `baseUrl` (the full API base) or `projectUrl` (the project's origin, scheme optional).
fn base_url(o: &Options) -> Result<String, Error> {
    if let Some(b) = o.string("baseUrl")? {
        let b = validate_base_url(&b, true)?;
        if !b.ends_with("/customer-interface/v1.0") {
            return Err(o.error("baseUrl", &format!("must end with {API_PATH}")));
        }
        return Ok(b);
    }
    let p = o
        .string("projectUrl")?
        .ok_or_else(|| Error::config("projectUrl (or baseUrl) is required"))?;
    let p = if p.contains("://") {
        p
    } else {
        format!("https://{p}")
    };
    Ok(format!("{}{API_PATH}", validate_base_url(&p, false)?))
}

/// `acceptLanguage` (or its alias `language`).
fn accept_language(o: &Options) -> Result<Option<String>, Error> {
    let key = if o.get("acceptLanguage").is_some() {
        "acceptLanguage"
    } else {
        "language"
    };
    let Some(s) = o.string(key)? else {
        return Ok(None);
    };
    if !s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b" ,;=.-*".contains(&b))
    {
        return Err(o.error(key, "must look like `cs, en-gb;q=0.8`"));
    }
    Ok(Some(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn ok(v: Value) -> Config {
        Config::from_json_str(&v.to_string()).unwrap()
    }
    fn err(v: Value) -> String {
        let e = Config::from_json_str(&v.to_string()).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Config);
        e.message().to_string()
    }

    #[test]
    fn builds_the_pinned_base_url() {
        let c = ok(
            json!({"projectUrl": "https://sandbox.crmcarecloud.com/", "externalApplicationId": "a"}),
        );
        assert_eq!(
            c.base_url,
            "https://sandbox.crmcarecloud.com/webservice/rest-api/customer-interface/v1.0"
        );
        let c = ok(json!({"projectUrl": "sandbox.crmcarecloud.com", "externalApplicationId": "a"}));
        assert!(c.base_url.starts_with("https://sandbox.crmcarecloud.com/"));
        let c = ok(
            json!({"baseUrl": "http://127.0.0.1:8080/webservice/rest-api/customer-interface/v1.0/", "externalApplicationId": "a"}),
        );
        assert_eq!(
            c.base_url,
            "http://127.0.0.1:8080/webservice/rest-api/customer-interface/v1.0"
        );
    }

    #[test]
    fn refuses_enterprise_and_insecure_configs() {
        assert!(err(
            json!({"projectUrl": "https://x.com", "externalApplicationId": "a", "password": "p"})
        )
        .contains("enterprise"));
        assert!(err(
            json!({"projectUrl": "https://x.com", "externalApplicationId": "a", "bearerToken": "t"})
        )
        .contains("enterprise"));
        assert!(err(json!({"baseUrl": "https://x.com/webservice/rest-api/enterprise-interface/v1.0", "externalApplicationId": "a"})).contains("enterprise"));
        assert!(
            err(json!({"projectUrl": "http://x.com", "externalApplicationId": "a"}))
                .contains("plain http")
        );
        assert!(err(
            json!({"projectUrl": "http://127.0.0.1.evil.com", "externalApplicationId": "a"})
        )
        .contains("plain http"));
        assert!(
            err(json!({"projectUrl": "https://u:p@x.com", "externalApplicationId": "a"}))
                .contains("credentials")
        );
        assert!(
            err(json!({"projectUrl": "https://x.com?token=1", "externalApplicationId": "a"}))
                .contains("query")
        );
        assert!(
            err(json!({"projectUrl": "ftp://x.com", "externalApplicationId": "a"}))
                .contains("https")
        );
        assert!(
            err(json!({"baseUrl": "https://x.com/other", "externalApplicationId": "a"}))
                .contains("must end")
        );
    }

    #[test]
    fn bad_options_name_the_option() {
        assert!(err(json!({"projectUrl": "https://x.com"})).contains("externalApplicationId"));
        assert!(err(
            json!({"projectUrl": "https://x.com", "externalApplicationId": "a", "timeoutMS": 5})
        )
        .contains("unknown option timeoutMS"));
        assert!(err(
            json!({"projectUrl": "https://x.com", "externalApplicationId": "a", "timeoutMs": -1})
        )
        .contains("timeoutMs"));
        assert!(err(json!({"projectUrl": "https://x.com", "externalApplicationId": "a", "retry": {"maxRetries": 99}})).contains("maxRetries"));
        assert!(err(json!({"projectUrl": "https://x.com", "externalApplicationId": "a", "retry": {"tries": 1}})).contains("retry.tries"));
        assert!(err(json!({"projectUrl": "https://x.com", "externalApplicationId": "a", "idempotencyHeader": "X: y"})).contains("header"));
        assert!(err(json!({"projectUrl": "https://x.com", "externalApplicationId": "a", "rateLimit": {"requestsPerSecond": 0}})).contains("requestsPerSecond"));
    }

    #[test]
    fn errors_give_the_full_option_path_and_range() {
        let base = |extra: Value| {
            let mut v = json!({"projectUrl": "https://x.com", "externalApplicationId": "a"});
            v.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            err(v)
        };
        assert_eq!(
            base(json!({"retry": {"maxRetries": 11}})),
            "retry.maxRetries must be an integer between 0 and 10"
        );
        assert_eq!(
            base(json!({"circuitBreaker": {"openMs": 0}})),
            "circuitBreaker.openMs must be an integer between 1 and 3600000"
        );
        assert_eq!(
            base(json!({"cache": {"maxEntries": 1.5}})),
            "cache.maxEntries must be an integer between 0 and 100000"
        );
        assert_eq!(
            base(json!({"setup": {"allowedGps": "yes"}})),
            "setup.allowedGps must be true or false"
        );
        assert_eq!(
            base(json!({"device": {"deviceName": ""}})),
            "device.deviceName must be a non-empty string"
        );
        assert_eq!(
            base(json!({"device": {"id": 1}})),
            "unknown option device.id"
        );
        assert_eq!(
            base(json!({"circuitBreaker": 3})),
            "circuitBreaker must be an object or false"
        );
    }

    #[test]
    fn a_setup_on_its_own_reads_like_the_setup_option() {
        let c = ok(
            json!({"projectUrl": "https://x.com", "externalApplicationId": "a", "setup": {"languageId": "cs", "allowedGps": true}}),
        );
        let s = Setup::from_json_str(r#"{"languageId": "cs", "allowedGps": true}"#).unwrap();
        assert_eq!(s, c.setup);
        assert_eq!(Setup::from_json_str("null").unwrap(), Setup::default());
        for (bad, msg) in [
            (
                r#"{"languageId": 5}"#,
                "setup.languageId must be a non-empty string",
            ),
            (
                r#"{"allowedNotifications": 1}"#,
                "setup.allowedNotifications must be true or false",
            ),
            (r#"{"lang": "cs"}"#, "unknown option setup.lang"),
            (r#""cs""#, "setup must be an object"),
        ] {
            let e = Setup::from_json_str(bad).unwrap_err();
            assert_eq!((e.kind(), e.message()), (crate::ErrorKind::Config, msg));
        }
    }

    #[test]
    fn features_can_be_switched_off() {
        let c = ok(
            json!({"projectUrl": "https://x.com", "externalApplicationId": "a", "retry": false, "cache": false,
                          "rateLimit": false, "circuitBreaker": false, "idempotencyHeader": "Idempotency-Key"}),
        );
        assert_eq!(c.retry.max_retries, 0);
        assert!(c.cache.is_none() && c.rate_limit.is_none() && c.circuit_breaker.is_none());
        assert_eq!(c.idempotency_header.as_deref(), Some("Idempotency-Key"));
        let c = ok(
            json!({"projectUrl": "https://x.com", "externalApplicationId": "a", "cache": {"ttlMs": {"/rewards": 5}}}),
        );
        assert!(c
            .cache
            .unwrap()
            .ttl_ms
            .contains(&("/rewards".to_string(), 5)));
    }

    /// The options with `extra` members added to a valid minimum.
    fn with(extra: Value) -> Result<Config, Error> {
        let mut v = json!({"projectUrl": "https://x.com", "externalApplicationId": "a"});
        if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        Config::from_json_str(&v.to_string())
    }

    #[test]
    fn plain_http_goes_to_loopback_hosts_only() {
        for host in [
            "localhost",
            "api.localhost",
            "127.0.0.1",
            "127.1.2.3",
            "[::1]",
        ] {
            for url in [format!("http://{host}"), format!("http://{host}:8080")] {
                assert_eq!(
                    validate_base_url(&url, false).ok().as_deref(),
                    Some(url.as_str()),
                    "{url}"
                );
            }
        }
        for host in [
            "localhost.evil.com",
            "128.0.0.1",
            "10.127.0.1",
            "127.0.0",
            "127.0.0.1.2",
            "127.0.0.256",
            "[::2]",
            "example.com",
        ] {
            let url = format!("http://{host}:8080");
            assert!(validate_base_url(&url, false).is_err(), "{url}");
            assert!(validate_base_url(&format!("https://{host}"), false).is_ok());
        }
    }

    #[test]
    fn base_urls_are_plain_absolute_urls_without_a_trailing_slash() {
        assert_eq!(
            validate_base_url(" HTTPS://x.com/a/b/ ", true)
                .ok()
                .as_deref(),
            Some("https://x.com/a/b")
        );
        let long = format!("https://x.com/{}", "a".repeat(2034));
        assert_eq!(long.len(), 2048);
        assert!(validate_base_url(&long, true).is_ok());
        assert!(validate_base_url(&format!("{long}a"), true).is_err());
        for bad in [
            "https://x.com/a b",
            "https://x.com/\u{7}",
            "https://x.com#top",
            "https://:443",
            "https://",
            "x.com",
        ] {
            assert!(validate_base_url(bad, true).is_err(), "{bad}");
        }
        assert!(validate_base_url("https://x.com/path", false).is_err());
        assert!(validate_base_url("https://x.com/", false).is_ok());
    }

    #[test]
    fn header_options_take_true_a_name_or_false() {
        let c = with(json!({"idempotencyHeader": true, "correlationHeader": true})).unwrap();
        assert_eq!(c.idempotency_header.as_deref(), Some("Idempotency-Key"));
        assert_eq!(c.correlation_header.as_deref(), Some("X-Correlation-Id"));
        let c = with(json!({"idempotencyHeader": false, "correlationHeader": null})).unwrap();
        assert_eq!((c.idempotency_header, c.correlation_header), (None, None));
        let name = format!("X_{}", "a".repeat(62));
        let c = with(json!({"correlationHeader": name})).unwrap();
        assert_eq!(c.correlation_header, Some(name.clone()));
        for bad in [
            json!(format!("{name}a")),
            json!("X.Id"),
            json!("ACCEPT-Language"),
            json!("authorization"),
            json!("Content-Type"),
            json!("accept"),
            json!(5),
        ] {
            assert!(with(json!({"correlationHeader": bad})).is_err(), "{bad}");
        }
    }

    #[test]
    fn accept_language_takes_a_language_list_under_either_name() {
        for key in ["acceptLanguage", "language"] {
            let c = with(json!({key: "cs, en-gb;q=0.8, *;q=0.1"})).unwrap();
            assert_eq!(
                c.accept_language.as_deref(),
                Some("cs, en-gb;q=0.8, *;q=0.1")
            );
            assert!(with(json!({key: "cs\r\nX-Evil: 1"})).is_err());
            assert!(with(json!({key: "cs:en"})).is_err());
        }
        assert_eq!(with(json!({})).unwrap().accept_language, None);
    }

    #[test]
    fn string_options_are_trimmed_and_bounded() {
        let c = with(json!({"pushToken": "  fcm-1  ", "storagePrefix": "shop"})).unwrap();
        assert_eq!(c.push_token.as_deref(), Some("fcm-1"));
        assert_eq!(c.storage_prefix, "shop");
        assert_eq!(with(json!({})).unwrap().storage_prefix, "carecloud");
        assert!(with(json!({"pushToken": "a".repeat(2048)})).is_ok());
        assert!(with(json!({"pushToken": "a".repeat(2049)})).is_err());
        assert!(with(json!({"pushToken": "   "})).is_err());
    }
}
