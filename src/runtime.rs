//! The seam between the pure core and its environment: [`Runtime`] gives time, sleep, randomness, the HTTP
//! transport and the parsed response bodies. The wasm shell implements it over `fetch`, `setTimeout`, `crypto`
//! and `JSON.parse` (a body never enters linear memory); tests implement it over simulated time.

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

/// One HTTP response's status and headers (its body comes beside it as a [`Payload`]).
#[derive(Clone, Debug, Default)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The headers of [`READ_HEADERS`] that were present, names lowercase.
    pub headers: Vec<(&'static str, String)>,
}

/// A response body as the transport hands it over.
#[derive(Clone, Debug, PartialEq)]
pub enum Payload<B> {
    /// A 2xx body the runtime parsed: a JSON object, or empty (204).
    Parsed(B),
    /// A 2xx body that is not a JSON object (cut short, an HTML page).
    Malformed,
    /// The body of any other status, as text: the core reads CareCloud's error envelope from it.
    Text(String),
}

/// What the transport resolves to: the response's status and headers and its body, or why there is none.
pub type Fetched<B> = Result<(HttpResponse, Payload<B>), TransportError>;

/// The size a body counts for in the cache's byte budget.
pub trait BodySize {
    /// Approximate bytes.
    fn size(&self) -> usize;
}

impl BodySize for std::rc::Rc<str> {
    fn size(&self) -> usize {
        self.len()
    }
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
    /// A parsed response body, parsed once and shared by every caller of that response (joiners of a deduplicated
    /// read, cache hits). In wasm a deeply frozen JS object that never enters linear memory; natively the text.
    type Body: Clone + BodySize + 'static;

    /// Wall-clock time, Unix epoch ms.
    fn now_ms(&self) -> f64;
    /// A future that resolves after `ms`. Dropping it must cancel the timer.
    fn sleep(&self, ms: u64) -> LocalBoxFuture<'static, ()>;
    /// Fills `buf` from a CSPRNG.
    fn fill_random(&self, buf: &mut [u8]) -> Result<(), Error>;
    /// Sends one request. Dropping the future must abort the request.
    fn fetch(&self, req: HttpRequest) -> LocalBoxFuture<'static, Fetched<Self::Body>>;
    /// The value of a body's `data` field (the runtime's null when it has none, or the body is empty). Every
    /// caller of one body gets the same value.
    fn data(&self, body: &Self::Body) -> Self::Value;
    /// A body as JSON text, for the core's few reads inside a body (a token, a customer id, a channel list).
    fn body_text(&self, body: &Self::Body) -> std::rc::Rc<str>;

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
