//! The one error type of the crate: [`Error`], with a stable [`ErrorKind`] that JS sees as `kind`.

use std::fmt;
use std::sync::Arc;

/// What went wrong, as a stable code. JS callers switch on the same string (`error.kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request never got an HTTP response: DNS, TLS, connection refused or reset, CORS, offline.
    Network,
    /// An attempt or the whole call ran past its time limit (`timeoutMs` / `totalTimeoutMs`).
    Timeout,
    /// The caller's `AbortSignal` fired (or the future was dropped). Never retried.
    Aborted,
    /// 401: the device token is missing, invalid or was replaced, and renewing it did not help,
    /// or a logged-in customer's session ended (`reason == "session_expired"`).
    Unauthorized,
    /// 403: no access to the resource, or the resource needs a logged-in customer.
    Forbidden,
    /// 404: the resource does not exist.
    NotFound,
    /// 400 (and 405/422): the request was rejected as invalid; see [`Error::invalid_params`].
    BadRequest,
    /// 409: the request conflicts with the resource's state.
    Conflict,
    /// 429 after every allowed retry.
    RateLimited,
    /// 500, 502, 504 (and other 5xx but 503) after every allowed retry.
    Server,
    /// 503 after every allowed retry: the service is down, overloaded or in maintenance.
    Unavailable,
    /// The client's circuit breaker is open: the call failed fast without touching the network.
    CircuitOpen,
    /// A 2xx response whose body is not the JSON CareCloud sends (HTML, truncated, not an object).
    Decode,
    /// The client was configured or called wrongly (bad option, enterprise credentials, plain http, bad path).
    Config,
    /// The browser reports no network (`navigator.onLine === false`): the call failed fast, nothing was sent.
    Offline,
}

impl ErrorKind {
    /// The stable code, as JS sees it in `error.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Network => "network",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Aborted => "aborted",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::NotFound => "not_found",
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::Conflict => "conflict",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Server => "server",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::CircuitOpen => "circuit_open",
            ErrorKind::Decode => "decode",
            ErrorKind::Config => "config",
            ErrorKind::Offline => "offline",
        }
    }

    /// The kind an HTTP error status maps to.
    pub fn from_status(status: u16) -> ErrorKind {
        match status {
            401 => ErrorKind::Unauthorized,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            408 => ErrorKind::Timeout,
            409 => ErrorKind::Conflict,
            429 => ErrorKind::RateLimited,
            503 => ErrorKind::Unavailable,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::BadRequest,
        }
    }
}

/// One entry of CareCloud's `error.error_data.invalid_params[]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidParam {
    /// The parameter, as CareCloud names it (stringified when the server sends an array or object).
    pub name: String,
    /// The machine-readable reason: `required`, `not_found`, `not_enough_points_for_voucher`, …
    pub reason: String,
    /// The human message, when one was sent.
    pub message: Option<String>,
}

#[derive(Debug)]
struct Inner {
    kind: ErrorKind,
    message: String,
    status: Option<u16>,
    reason: Option<String>,
    error_type: Option<String>,
    invalid_params: Vec<InvalidParam>,
    outcome_unknown: bool,
    request_id: Option<String>,
    attempts: u32,
}

/// A failed call. Cheap to clone (shared by every caller of a deduplicated request).
///
/// Never carries a token or password: messages are built from status codes, CareCloud's error fields and fixed
/// text, never from request URLs or headers.
///
/// ```
/// use carecloud_customer::{Error, ErrorKind};
/// let e = Error::new(ErrorKind::Timeout, "attempt timed out after 15000 ms");
/// assert!(e.is_retryable());
/// assert_eq!(e.kind().as_str(), "timeout");
/// ```
#[derive(Clone)]
pub struct Error(Arc<Inner>);

impl Error {
    /// An error of `kind` with a fixed message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error(Arc::new(Inner {
            kind,
            message: message.into(),
            status: None,
            reason: None,
            error_type: None,
            invalid_params: Vec::new(),
            outcome_unknown: false,
            request_id: None,
            attempts: 0,
        }))
    }

    /// A `config` error: the client was set up or called wrongly.
    pub fn config(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Config, message)
    }

    /// The error for an HTTP error response, parsed leniently from any body (JSON error envelope, HTML, nothing).
    pub fn from_response(status: u16, body: &str, request_id: Option<String>) -> Error {
        let parsed = crate::envelope::ErrorBody::parse(body);
        let kind = ErrorKind::from_status(status);
        // Server text may quote the customer: e-mails, phone and card numbers are masked before anyone sees it.
        let parsed = crate::envelope::ErrorBody {
            title: parsed.title.map(|t| crate::log::mask_text(&t)),
            error_type: parsed.error_type.map(|t| crate::log::mask_text(&t)),
            detail: parsed.detail.map(|d| crate::log::mask_text(&d)),
            invalid_params: parsed
                .invalid_params
                .into_iter()
                .map(|p| InvalidParam {
                    message: p.message.map(|m| crate::log::mask_text(&m)),
                    ..p
                })
                .collect(),
            ..parsed
        };
        let message = match (&parsed.title, &parsed.detail) {
            (Some(t), Some(d)) if !d.is_empty() => format!("{status} {t}: {d}"),
            (Some(t), _) => format!("{status} {t}"),
            (None, Some(d)) => format!("{status}: {d}"),
            (None, None) => format!("HTTP {status}"),
        };
        let reason = parsed
            .invalid_params
            .first()
            .map(|p| p.reason.clone())
            .or(parsed.exception);
        Error(Arc::new(Inner {
            kind,
            message,
            status: Some(status),
            reason,
            error_type: parsed.error_type,
            invalid_params: parsed.invalid_params,
            outcome_unknown: false,
            request_id,
            attempts: 0,
        }))
    }

    fn edit(self, f: impl FnOnce(&mut Inner)) -> Error {
        let mut inner = match Arc::try_unwrap(self.0) {
            Ok(i) => i,
            Err(rc) => Inner {
                kind: rc.kind,
                message: rc.message.clone(),
                status: rc.status,
                reason: rc.reason.clone(),
                error_type: rc.error_type.clone(),
                invalid_params: rc.invalid_params.clone(),
                outcome_unknown: rc.outcome_unknown,
                request_id: rc.request_id.clone(),
                attempts: rc.attempts,
            },
        };
        f(&mut inner);
        Error(Arc::new(inner))
    }

    /// Marks a write whose fate is unknown: the request may or may not have been applied.
    pub fn with_outcome_unknown(self) -> Error {
        self.edit(|i| i.outcome_unknown = true)
    }

    /// Sets the machine-readable reason (e.g. `session_expired`).
    pub fn with_reason(self, reason: &str) -> Error {
        self.edit(|i| i.reason = Some(reason.to_string()))
    }

    /// Records how many network attempts the call made.
    pub fn with_attempts(self, attempts: u32) -> Error {
        self.edit(|i| i.attempts = attempts)
    }

    /// The stable kind.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }
    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<u16> {
        self.0.status
    }
    /// CareCloud's reason: the first `invalid_params[].reason`, else the `exception`, else a client reason such as
    /// `session_expired`.
    pub fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// The error body's `type` (`about:blank`, a URI or an exception name; masked), when the server sent one.
    pub fn error_type(&self) -> Option<&str> {
        self.0.error_type.as_deref()
    }
    /// Every `invalid_params` entry of a 400.
    pub fn invalid_params(&self) -> &[InvalidParam] {
        &self.0.invalid_params
    }
    /// True for a write that may have been applied although the call failed (lost response, timeout).
    pub fn outcome_unknown(&self) -> bool {
        self.0.outcome_unknown
    }
    /// The server's request id (`X-Request-Id`), when it sent one.
    pub fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
    /// Network attempts made before giving up (0 when the call failed before the network).
    pub fn attempts(&self) -> u32 {
        self.0.attempts
    }
    /// The human-readable message (no secrets).
    pub fn message(&self) -> &str {
        &self.0.message
    }
    /// Whether trying the same call again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.0.kind,
            ErrorKind::Network
                | ErrorKind::Timeout
                | ErrorKind::RateLimited
                | ErrorKind::Server
                | ErrorKind::Unavailable
                | ErrorKind::CircuitOpen
                | ErrorKind::Offline
        )
    }
    /// True for [`ErrorKind::Timeout`].
    pub fn is_timeout(&self) -> bool {
        self.0.kind == ErrorKind::Timeout
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.0.kind.as_str())
            .field("status", &self.0.status)
            .field("reason", &self.0.reason)
            .field("message", &self.0.message)
            .field("outcome_unknown", &self.0.outcome_unknown)
            .finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.0.message, self.0.kind.as_str())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_carecloud_400_with_invalid_params() {
        let body = r#"{"error":{"type":"about:blank","exception":"bad_request_exception","title":"Bad request",
          "detail":"Not enough points","error_data":{"invalid_params":[{"name":"reward_id",
          "reason":"not_enough_points_for_voucher","value":"r1","message":"Not enough points"}]}}}"#;
        let e = Error::from_response(400, body, Some("rq-1".into()));
        assert_eq!(e.kind(), ErrorKind::BadRequest);
        assert_eq!(e.reason(), Some("not_enough_points_for_voucher"));
        assert_eq!(e.invalid_params().len(), 1);
        assert_eq!(e.invalid_params()[0].name, "reward_id");
        assert_eq!(e.request_id(), Some("rq-1"));
        assert!(!e.is_retryable());
    }

    #[test]
    fn html_and_empty_bodies_still_give_a_typed_error() {
        let e = Error::from_response(502, "<html><body>Bad Gateway</body></html>", None);
        assert_eq!(e.kind(), ErrorKind::Server);
        assert_eq!(e.message(), "HTTP 502");
        let e = Error::from_response(503, "", None);
        assert_eq!(e.kind(), ErrorKind::Unavailable);
        assert!(e.is_retryable());
    }

    #[test]
    fn pii_in_server_messages_is_masked() {
        let body = r#"{"error":{"title":"Bad request","detail":"alice@example.com is blocked","error_data":
          {"invalid_params":[{"name":"phone","reason":"already_exists","message":"+420 600 100 200 exists"}]}}}"#;
        let e = Error::from_response(400, body, None);
        assert_eq!(e.message(), "400 Bad request: *** is blocked");
        assert_eq!(e.invalid_params()[0].message.as_deref(), Some("*** exists"));
        let body =
            r#"{"error":{"type":"blocked alice@example.com","title":"No customer 777123456"}}"#;
        let e = Error::from_response(404, body, None);
        assert_eq!(e.error_type(), Some("blocked ***"));
        assert!(!e.message().contains("777123456"), "{}", e.message());
    }

    #[test]
    fn exception_in_type_field_is_used_as_reason() {
        let body = r#"{"error":{"type":"interface_not_allowed_exception","title":"Forbidden","detail":"x",
          "error_data":{"interface":"enterprise"}}}"#;
        let e = Error::from_response(403, body, None);
        assert_eq!(e.kind(), ErrorKind::Forbidden);
        assert_eq!(e.reason(), Some("interface_not_allowed_exception"));
    }

    #[test]
    fn outcome_unknown_survives_clone_edit() {
        let e = Error::new(ErrorKind::Network, "connection lost");
        let shared = e.clone();
        let marked = e.with_outcome_unknown();
        assert!(marked.outcome_unknown());
        assert!(!shared.outcome_unknown());
    }

    #[test]
    fn the_message_carries_the_status_title_and_detail_that_came() {
        let message = |body: &str| Error::from_response(409, body, None).message().to_string();
        let both = message(r#"{"error":{"title":"Conflict","detail":"Already redeemed"}}"#);
        assert!(
            both.contains("409") && both.contains("Conflict") && both.contains("Already redeemed")
        );
        let title = message(r#"{"error":{"title":"Conflict","detail":""}}"#);
        assert_eq!(title.trim_end().trim_end_matches(':'), title);
        assert!(
            title.contains("409") && title.contains("Conflict"),
            "{title}"
        );
        let detail = message(r#"{"error":{"detail":"Already redeemed"}}"#);
        assert!(detail.contains("409") && detail.contains("Already redeemed"));
    }

    #[test]
    fn printed_errors_show_the_kind_and_message() {
        let e = Error::from_response(404, r#"{"error":{"title":"Not found"}}"#, None);
        let shown = e.to_string();
        assert!(
            shown.contains(e.message()) && shown.contains("not_found"),
            "{shown}"
        );
        let debug = format!("{e:?}");
        assert!(
            debug.contains("not_found") && debug.contains("404"),
            "{debug}"
        );
    }

    const KINDS: [(ErrorKind, &str, bool); 15] = [
        (ErrorKind::Network, "network", true),
        (ErrorKind::Timeout, "timeout", true),
        (ErrorKind::Aborted, "aborted", false),
        (ErrorKind::Unauthorized, "unauthorized", false),
        (ErrorKind::Forbidden, "forbidden", false),
        (ErrorKind::NotFound, "not_found", false),
        (ErrorKind::BadRequest, "bad_request", false),
        (ErrorKind::Conflict, "conflict", false),
        (ErrorKind::RateLimited, "rate_limited", true),
        (ErrorKind::Server, "server", true),
        (ErrorKind::Unavailable, "unavailable", true),
        (ErrorKind::CircuitOpen, "circuit_open", true),
        (ErrorKind::Decode, "decode", false),
        (ErrorKind::Config, "config", false),
        (ErrorKind::Offline, "offline", true),
    ];

    #[test]
    fn every_kind_has_its_js_code_and_retry_verdict() {
        for (kind, code, retryable) in KINDS {
            let e = Error::new(kind, "m");
            assert_eq!(kind.as_str(), code);
            assert_eq!(e.is_retryable(), retryable, "{code}");
            assert_eq!(e.is_timeout(), kind == ErrorKind::Timeout, "{code}");
        }
    }

    #[test]
    fn http_statuses_map_to_the_documented_kinds() {
        let table = [
            (400, "bad_request"),
            (401, "unauthorized"),
            (403, "forbidden"),
            (404, "not_found"),
            (405, "bad_request"),
            (408, "timeout"),
            (409, "conflict"),
            (422, "bad_request"),
            (429, "rate_limited"),
            (500, "server"),
            (502, "server"),
            (503, "unavailable"),
            (504, "server"),
        ];
        for (status, code) in table {
            let e = Error::from_response(status, "", None);
            assert_eq!(e.kind().as_str(), code, "{status}");
            assert_eq!(e.status(), Some(status));
        }
    }

    #[test]
    fn edits_set_reason_and_attempts_and_keep_the_rest() {
        let body = r#"{"error":{"type":"about:blank","title":"Conflict"}}"#;
        let e = Error::from_response(409, body, Some("rq-9".into()));
        let shared = e.clone();
        let e = e.with_reason("session_expired").with_attempts(3);
        assert_eq!(e.reason(), Some("session_expired"));
        assert_eq!(e.attempts(), 3);
        assert_eq!(shared.attempts(), 0);
        assert_eq!(e.error_type(), Some("about:blank"));
        assert_eq!(e.request_id(), Some("rq-9"));
        assert_eq!(e.status(), Some(409));
        assert_eq!(e.kind(), ErrorKind::Conflict);
    }
}
