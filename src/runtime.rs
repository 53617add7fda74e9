//! The seam between the pure core and its environment: [`Runtime`] gives time, sleep, randomness, the HTTP
//! transport and JSON decoding. The wasm shell implements it over `fetch`, `setTimeout` and `crypto`; tests
//! implement it over simulated time.

use crate::error::Error;
use futures_util::future::LocalBoxFuture;

/// HTTP methods the customer interface uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// DELETE
    Delete,
}

impl Method {
    /// The method's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
    /// Parses a method name (any case).
    pub fn parse(s: &str) -> Option<Method> {
        match s.to_ascii_uppercase().as_str() {
            "GET" => Some(Method::Get),
            "POST" => Some(Method::Post),
            "PUT" => Some(Method::Put),
            "DELETE" => Some(Method::Delete),
            _ => None,
        }
    }
    /// True for POST, PUT, DELETE.
    pub fn is_write(self) -> bool {
        self != Method::Get
    }
}

/// One HTTP request for the transport.
#[derive(Clone, Debug)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The absolute URL.
    pub url: String,
    /// Request headers. May contain the `Authorization` header: never log this struct.
    pub headers: Vec<(std::borrow::Cow<'static, str>, String)>,
    /// A JSON body.
    pub body: Option<String>,
}

/// Response headers the client reads (the transport copies only these, lowercase).
pub const READ_HEADERS: &[&str] = &[
    "retry-after",
    "cache-control",
    "deprecation",
    "sunset",
    "ratelimit",
    "ratelimit-remaining",
    "ratelimit-reset",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "x-request-id",
];

/// One HTTP response.
#[derive(Clone, Debug, Default)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The headers of [`READ_HEADERS`] that were present, names lowercase.
    pub headers: Vec<(&'static str, String)>,
    /// The body as text.
    pub body: String,
}

impl HttpResponse {
    /// A header by lowercase name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why the transport got no response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransportError {
    /// No response (connection refused/reset, DNS, CORS, offline, body cut short). The text is the platform's,
    /// already free of URLs.
    Network(String),
}

/// Everything the core needs from its environment.
pub trait Runtime: 'static {
    /// What a successful call resolves to (a JS value in wasm, `serde_json::Value` natively).
    type Value: 'static;

    /// Wall-clock time, Unix epoch ms.
    fn now_ms(&self) -> f64;
    /// A future that resolves after `ms`. Dropping it must cancel the timer.
    fn sleep(&self, ms: u64) -> LocalBoxFuture<'static, ()>;
    /// Fills `buf` from a CSPRNG.
    fn fill_random(&self, buf: &mut [u8]) -> Result<(), Error>;
    /// Sends one request. Dropping the future must abort the request.
    fn fetch(
        &self,
        req: HttpRequest,
    ) -> LocalBoxFuture<'static, Result<HttpResponse, TransportError>>;
    /// Decodes a successful body (a JSON object) into the value of its `data` field; an empty body (204) decodes
    /// to the runtime's null. Fails with a `decode` error when the body is not JSON.
    /// The body is shared (`Rc`) so a runtime may reuse work across callers of the same body (the wasm runtime
    /// converts a body to a JS string once for all callers of a deduplicated read or cache entry).
    fn decode(&self, body: &std::rc::Rc<str>) -> Result<Self::Value, Error>;

    /// True only when the platform knows it has no network (a browser with `navigator.onLine === false`); calls
    /// then fail fast with `offline`. Platforms that cannot tell (Node, Workers) keep the default, `false`.
    fn offline(&self) -> bool {
        false
    }

    /// A uniform random number in `[0, 1)` from the CSPRNG (0.5 if the CSPRNG is unavailable).
    fn random_unit(&self) -> f64 {
        let mut b = [0u8; 8];
        match self.fill_random(&mut b) {
            Ok(()) => (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64,
            Err(_) => 0.5,
        }
    }
}
