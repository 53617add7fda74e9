//! Client options: parsed leniently from JSON (what JS passes), validated strictly. A configuration that names
//! the enterprise interface or carries enterprise credentials is refused before any request.

use crate::cache::CacheConfig;
use crate::circuit::BreakerConfig;
use crate::error::Error;
use crate::json::Json as Value;
use crate::rate_limit::RateLimitConfig;
use crate::retry::RetryConfig;

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
    "idempotencyHeader",
    "dedupe",
    "onLog",
    "onEvent",
    "storagePrefix",
    "fetch",
    "isolateSafe",
    "correlationHeader",
    "sharedCache",
];

fn num(v: &Value, name: &str, min: u64, max: u64) -> Result<u64, Error> {
    match v.as_u64() {
        Some(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(Error::config(format!(
            "{name} must be an integer between {min} and {max}"
        ))),
    }
}

fn string(v: &Value, name: &str) -> Result<String, Error> {
    match v.as_str() {
        Some(s) if !s.trim().is_empty() && s.len() <= 2048 => Ok(s.trim().to_string()),
        _ => Err(Error::config(format!("{name} must be a non-empty string"))),
    }
}

fn boolean(v: &Value, name: &str) -> Result<bool, Error> {
    v.as_bool()
        .ok_or_else(|| Error::config(format!("{name} must be true or false")))
}

fn object<'a>(v: &'a Value, name: &str, known: &[&str]) -> Result<&'a Value, Error> {
    let o = v
        .as_object()
        .ok_or_else(|| Error::config(format!("{name} must be an object or false")))?;
    if let Some((k, _)) = o.iter().find(|(k, _)| !known.contains(&k.as_str())) {
        return Err(Error::config(format!("unknown option {name}.{}", clean(k))));
    }
    Ok(v)
}

/// An option name as shown in an error: printable ASCII only, bounded.
fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_graphic())
        .take(40)
        .collect()
}

/// A header-name option: `false`/absent → off, `true` → `default`, a string → that name (validated).
fn header_option(v: Option<&Value>, name: &str, default: &str) -> Result<Option<String>, Error> {
    match v {
        None | Some(Value::Bool(false)) => Ok(None),
        Some(Value::Bool(true)) => Ok(Some(default.to_string())),
        Some(v) => {
            let h = string(v, name)?;
            if !h
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                || h.len() > 64
            {
                return Err(Error::config(format!("{name} must be a header name")));
            }
            if ["authorization", "content-type", "accept", "accept-language"]
                .contains(&h.to_ascii_lowercase().as_str())
            {
                return Err(Error::config(format!(
                    "{name} must not be a header the client sets itself"
                )));
            }
            Ok(Some(h))
        }
    }
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
        let o = v
            .as_object()
            .ok_or_else(|| Error::config("options must be an object"))?;
        for (k, _) in o {
            let l = k.to_ascii_lowercase();
            if ENTERPRISE_KEYS.contains(&l.as_str()) {
                return Err(Error::config(format!(
                    "option {} looks like an enterprise credential: refused; the customer interface needs only a device token",
                    clean(k)
                )));
            }
            if !KNOWN.contains(&k.as_str()) {
                return Err(Error::config(format!("unknown option {}", clean(k))));
            }
        }
        let get = |k: &str| v.get(k).filter(|v| !v.is_null());
        let base_url = match (get("baseUrl"), get("projectUrl")) {
            (Some(b), _) => {
                let b = validate_base_url(&string(b, "baseUrl")?, true)?;
                if !b.ends_with("/customer-interface/v1.0") {
                    return Err(Error::config(format!("baseUrl must end with {API_PATH}")));
                }
                b
            }
            (None, Some(p)) => {
                let p = string(p, "projectUrl")?;
                let p = if p.contains("://") {
                    p
                } else {
                    format!("https://{p}")
                };
                format!("{}{API_PATH}", validate_base_url(&p, false)?)
            }
            (None, None) => return Err(Error::config("projectUrl (or baseUrl) is required")),
        };
        let external_application_id = string(
            get("externalApplicationId")
                .ok_or_else(|| Error::config("externalApplicationId is required"))?,
            "externalApplicationId",
        )?;
        let device = match get("device") {
            None => DeviceInfo {
                device_id: None,
                device_system: "web".into(),
                device_name: "carecloud-customer".into(),
                device_type: "browser".into(),
            },
            Some(d) => {
                let d = object(
                    d,
                    "device",
                    &["deviceId", "deviceSystem", "deviceName", "deviceType"],
                )?;
                let s = |k: &str, dflt: &str| -> Result<String, Error> {
                    d.get(k)
                        .filter(|v| !v.is_null())
                        .map_or(Ok(dflt.to_string()), |v| string(v, &format!("device.{k}")))
                };
                DeviceInfo {
                    device_id: match d.get("deviceId").filter(|v| !v.is_null()) {
                        Some(v) => Some(string(v, "device.deviceId")?),
                        None => None,
                    },
                    device_system: s("deviceSystem", "web")?,
                    device_name: s("deviceName", "carecloud-customer")?,
                    device_type: s("deviceType", "browser")?,
                }
            }
        };
        let setup = match get("setup") {
            None => Setup {
                language_id: "en".into(),
                allowed_gps: false,
                allowed_notifications: false,
            },
            Some(s) => {
                let s = object(
                    s,
                    "setup",
                    &["languageId", "allowedGps", "allowedNotifications"],
                )?;
                Setup {
                    language_id: s
                        .get("languageId")
                        .map_or(Ok("en".into()), |v| string(v, "setup.languageId"))?,
                    allowed_gps: s
                        .get("allowedGps")
                        .map_or(Ok(false), |v| boolean(v, "setup.allowedGps"))?,
                    allowed_notifications: s
                        .get("allowedNotifications")
                        .map_or(Ok(false), |v| boolean(v, "setup.allowedNotifications"))?,
                }
            }
        };
        let timeout_ms =
            get("timeoutMs").map_or(Ok(15_000), |v| num(v, "timeoutMs", 1, 600_000))?;
        let total_timeout_ms = get("totalTimeoutMs").map_or(Ok(60_000.max(timeout_ms)), |v| {
            num(v, "totalTimeoutMs", 1, 3_600_000)
        })?;
        let retry = match get("retry") {
            None => RetryConfig::default(),
            Some(Value::Bool(false)) => RetryConfig::disabled(),
            Some(Value::Bool(true)) => RetryConfig::default(),
            Some(r) => {
                let r = object(
                    r,
                    "retry",
                    &["maxRetries", "baseDelayMs", "maxDelayMs", "maxRetryAfterMs"],
                )?;
                let d = RetryConfig::default();
                RetryConfig {
                    max_retries: r.get("maxRetries").map_or(Ok(d.max_retries as u64), |v| {
                        num(v, "retry.maxRetries", 0, 10)
                    })? as u32,
                    base_delay_ms: r.get("baseDelayMs").map_or(Ok(d.base_delay_ms), |v| {
                        num(v, "retry.baseDelayMs", 1, 60_000)
                    })?,
                    max_delay_ms: r.get("maxDelayMs").map_or(Ok(d.max_delay_ms), |v| {
                        num(v, "retry.maxDelayMs", 1, 600_000)
                    })?,
                    max_retry_after_ms: r
                        .get("maxRetryAfterMs")
                        .map_or(Ok(d.max_retry_after_ms), |v| {
                            num(v, "retry.maxRetryAfterMs", 0, 3_600_000)
                        })?,
                }
                .validate()?
            }
        };
        let cache = match get("cache") {
            Some(Value::Bool(false)) => None,
            None | Some(Value::Bool(true)) => Some(CacheConfig::default()),
            Some(c) => {
                let c = object(c, "cache", &["maxEntries", "maxBytes", "ttlMs"])?;
                let d = CacheConfig::default();
                let mut ttl = d.ttl_ms.clone();
                if let Some(t) = c.get("ttlMs") {
                    let t = t
                        .as_object()
                        .ok_or_else(|| Error::config("cache.ttlMs must map path prefixes to ms"))?;
                    for (path, ms) in t {
                        if !path.starts_with('/') {
                            return Err(Error::config(
                                "cache.ttlMs keys are paths starting with /",
                            ));
                        }
                        let ms = num(ms, "cache.ttlMs values", 0, 86_400_000)?;
                        ttl.retain(|(p, _)| p != path);
                        ttl.push((path.clone(), ms));
                    }
                }
                Some(CacheConfig {
                    max_entries: c.get("maxEntries").map_or(Ok(d.max_entries as u64), |v| {
                        num(v, "cache.maxEntries", 0, 100_000)
                    })? as usize,
                    max_bytes: c.get("maxBytes").map_or(Ok(d.max_bytes as u64), |v| {
                        num(v, "cache.maxBytes", 0, 256 << 20)
                    })? as usize,
                    ttl_ms: ttl,
                    customer_data: true,
                })
            }
        };
        let rate_limit = match get("rateLimit") {
            Some(Value::Bool(false)) => None,
            None | Some(Value::Bool(true)) => Some(RateLimitConfig::default()),
            Some(r) => {
                let r = object(
                    r,
                    "rateLimit",
                    &["requestsPerSecond", "burst", "maxConcurrent"],
                )?;
                let d = RateLimitConfig::default();
                Some(
                    RateLimitConfig {
                        requests_per_second: match r.get("requestsPerSecond") {
                            None => d.requests_per_second,
                            Some(v) => v.as_f64().ok_or_else(|| {
                                Error::config("rateLimit.requestsPerSecond must be a number")
                            })?,
                        },
                        burst: r.get("burst").map_or(Ok(d.burst as u64), |v| {
                            num(v, "rateLimit.burst", 1, 100_000)
                        })? as u32,
                        max_concurrent: r
                            .get("maxConcurrent")
                            .map_or(Ok(d.max_concurrent as u64), |v| {
                                num(v, "rateLimit.maxConcurrent", 1, 10_000)
                            })? as u32,
                    }
                    .validate()?,
                )
            }
        };
        let circuit_breaker = match get("circuitBreaker") {
            Some(Value::Bool(false)) => None,
            None | Some(Value::Bool(true)) => Some(BreakerConfig::default()),
            Some(b) => {
                let b = object(b, "circuitBreaker", &["failureThreshold", "openMs"])?;
                let d = BreakerConfig::default();
                Some(
                    BreakerConfig {
                        failure_threshold: b
                            .get("failureThreshold")
                            .map_or(Ok(d.failure_threshold as u64), |v| {
                                num(v, "circuitBreaker.failureThreshold", 1, 1000)
                            })? as u32,
                        open_ms: b.get("openMs").map_or(Ok(d.open_ms), |v| {
                            num(v, "circuitBreaker.openMs", 1, 3_600_000)
                        })?,
                    }
                    .validate()?,
                )
            }
        };
        let idempotency_header = header_option(
            get("idempotencyHeader"),
            "idempotencyHeader",
            "Idempotency-Key",
        )?;
        let correlation_header = header_option(
            get("correlationHeader"),
            "correlationHeader",
            "X-Correlation-Id",
        )?;
        let accept_language = match get("acceptLanguage").or(get("language")) {
            None => None,
            Some(v) => {
                let s = string(v, "acceptLanguage")?;
                if !s
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b" ,;=.-*".contains(&b))
                {
                    return Err(Error::config(
                        "acceptLanguage must look like `cs, en-gb;q=0.8`",
                    ));
                }
                Some(s)
            }
        };
        let push_token = get("pushToken")
            .map(|v| string(v, "pushToken"))
            .transpose()?;
        let dedupe = get("dedupe").map_or(Ok(true), |v| boolean(v, "dedupe"))?;
        let isolate_safe = get("isolateSafe").map_or(Ok(false), |v| boolean(v, "isolateSafe"))?;
        let storage_prefix = get("storagePrefix")
            .map_or(Ok("carecloud".to_string()), |v| string(v, "storagePrefix"))?;
        Ok(Config {
            base_url,
            external_application_id,
            device,
            setup,
            push_token,
            accept_language,
            timeout_ms,
            total_timeout_ms,
            retry,
            cache,
            rate_limit,
            circuit_breaker,
            idempotency_header,
            correlation_header,
            dedupe,
            storage_prefix,
            isolate_safe,
        })
    }
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
}
