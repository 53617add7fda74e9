//! What the wasm test binaries share: the sandbox the tests talk to (its URL compiled in from `SANDBOX_URL`), its
//! control endpoints, and small helpers over the JS values the exported `CustomerClient` takes and returns.

use carecloud_customer::wasm::CustomerClient;
use js_sys::{Array, Function, Object, Promise, Reflect};
use std::sync::atomic::{AtomicBool, Ordering};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

pub const API: &str = "/webservice/rest-api/customer-interface/v1.0";

/// Printed once per test binary when it was built without `SANDBOX_URL`.
const NO_SANDBOX: &str = "SANDBOX_URL was not set when these tests were built: skipping every test that needs the \
sandbox (each reports ok without running). Start it with `cargo run --release -p carecloud-sandbox -- --addr \
127.0.0.1:0`, then run again with SANDBOX_URL=<the URL it prints> (README.md, \"Running the wasm tests by hand\").";

/// Starts a test that talks to the sandbox: evaluates to the [`Sandbox`], or returns from the test (after a
/// one-time note on the runner's output) when the binary was built without `SANDBOX_URL`.
macro_rules! sandbox {
    () => {
        match $crate::harness::Sandbox::from_build_env() {
            Some(sandbox) => sandbox,
            None => return,
        }
    };
}
pub(crate) use sandbox;

/// The sandbox server these tests were built against.
#[derive(Clone, Copy)]
pub struct Sandbox {
    url: &'static str,
}

impl Sandbox {
    /// The sandbox named by `SANDBOX_URL` at build time; `None` (and the note, once) when it was not set.
    pub fn from_build_env() -> Option<Sandbox> {
        match option_env!("SANDBOX_URL") {
            Some(url) if !url.is_empty() => Some(Sandbox { url }),
            _ => {
                note_once(NO_SANDBOX);
                None
            }
        }
    }

    /// The customer-interface base URL on the sandbox.
    pub fn api(self) -> String {
        format!("{}{API}", self.url)
    }

    /// A client of the sandbox with a fresh device; `extra` is spliced into the options object (`, "k": v`).
    pub fn client_with(self, extra: &str) -> CustomerClient {
        CustomerClient::new(self.options(extra))
            .unwrap_or_else(|e| panic!("construct: {:?}", field(&e, "message")))
    }

    /// The options of [`client_with`](Self::client_with), to add functions (`onEvent`, …) before constructing.
    pub fn options(self, extra: &str) -> JsValue {
        json(&format!(
            r#"{{"baseUrl": "{}", "externalApplicationId": "sandbox-app",
            "device": {{"deviceId": "{}", "deviceSystem": "test", "deviceName": "wasm test", "deviceType": "test"}}
            {extra}}}"#,
            self.api(),
            unique("dev-")
        ))
    }

    /// Calls a sandbox control endpoint and returns its JSON (or null).
    pub async fn control(self, method: &str, path: &str, body: Option<&str>) -> JsValue {
        let init = obj(&[("method", method.into())]);
        if let Some(b) = body {
            Reflect::set(&init, &"body".into(), &b.into()).unwrap();
        }
        let url = format!("{}/__sandbox/{path}", self.url);
        let resp = JsFuture::from(control_fetch(&url, &init)).await.unwrap();
        let resp: web_sys::Response = resp.dyn_into().unwrap();
        let text = JsFuture::from(resp.text().unwrap())
            .await
            .unwrap()
            .as_string()
            .unwrap();
        if text.is_empty() {
            JsValue::NULL
        } else {
            json(&text)
        }
    }

    /// Sandbox request-log entries whose path is `path` and whose query contains `mark`.
    pub async fn logged(self, path: &str, mark: &str) -> Vec<JsValue> {
        let all: Array = self.control("GET", "requests", None).await.unchecked_into();
        all.iter()
            .filter(|e| field(e, "path").as_string().as_deref() == Some(path))
            .filter(|e| {
                field(e, "query")
                    .as_string()
                    .unwrap_or_default()
                    .contains(mark)
            })
            .collect()
    }

    /// Takes the spec violations logged for paths starting with `prefix` off the sandbox's list (a test that sends
    /// an invalid request on purpose) and returns how many there were.
    pub async fn take_violations(self, prefix: &str) -> u32 {
        let taken = self
            .control("DELETE", &format!("violations?path={prefix}"), None)
            .await;
        Array::from(&taken).length()
    }

    /// How many times the sandbox applied a write to `path` (its effect log).
    pub async fn effects_for(self, path: &str) -> f64 {
        let all: Array = self.control("GET", "effects", None).await.unchecked_into();
        all.iter()
            .filter(|e| field(e, "path").as_string().as_deref() == Some(path))
            .map(|e| field(&e, "count").as_f64().unwrap_or(0.0))
            .sum()
    }
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = globalThis, js_name = fetch)]
    fn control_fetch(url: &str, init: &Object) -> Promise;
}

static NOTED: AtomicBool = AtomicBool::new(false);

/// Writes `line` once per binary to the runner's own output, which (unlike `console.log` inside a test) is shown
/// for passing tests too: Node's original `console.log`, a worker's output channel, or the page's `#output`.
fn note_once(line: &str) {
    if NOTED.swap(true, Ordering::Relaxed) {
        return;
    }
    let global = js_sys::global();
    let line = JsValue::from_str(line);
    for writer in ["__wbgtest_og_console_log", "__wbg_test_output_writeln"] {
        if let Ok(write) = field(&global, writer).dyn_into::<Function>() {
            let _ = write.call1(&global, &line);
            return;
        }
    }
    let document = field(&global, "document");
    if let Ok(by_id) = field(&document, "getElementById").dyn_into::<Function>() {
        if let Ok(output) = by_id.call1(&document, &"output".into()) {
            let text = field(&output, "textContent")
                .as_string()
                .unwrap_or_default();
            let _ = Reflect::set(
                &output,
                &"textContent".into(),
                &format!("{text}{}\n", line.as_string().unwrap_or_default()).into(),
            );
            return;
        }
    }
    wasm_bindgen_test::console_log!("{}", line.as_string().unwrap_or_default());
}

/// Logs `c` in as a seeded customer (`"alice"` or `"bob"`, by e-mail) and returns the customer id.
pub async fn login_as(c: &CustomerClient, who: &str) -> String {
    let password = if who == "alice" {
        "Passw0rd1"
    } else {
        "Passw0rd2"
    };
    let login = obj(&[
        ("loginType", "email".into()),
        ("loginValue", format!("{who}@example.com").into()),
        ("password", password.into()),
    ]);
    let r = ok(c.login(login.into())).await;
    field(&r, "customerId").as_string().unwrap_or_default()
}

/// The body CareCloud's spec requires for `POST /rewards/{id}/actions/create-voucher`: the logged-in customer's id.
pub fn redeem_body(c: &CustomerClient) -> JsValue {
    obj(&[("customer_id", c.customer_id().unwrap_or_default().into())]).into()
}

pub fn obj(pairs: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o
}

pub fn json(s: &str) -> JsValue {
    js_sys::JSON::parse(s).unwrap()
}

pub fn field(v: &JsValue, k: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

/// A `CareCloudError`'s `kind` (empty when it has none).
pub fn kind(e: &JsValue) -> String {
    field(e, "kind").as_string().unwrap_or_default()
}

pub fn unique(tag: &str) -> String {
    format!("{tag}{}", (js_sys::Math::random() * 1e12) as u64)
}

/// Awaits a call that must succeed.
pub async fn ok(p: Promise) -> JsValue {
    match JsFuture::from(p).await {
        Ok(v) => v,
        Err(e) => panic!(
            "call failed: {:?} {:?}",
            field(&e, "kind"),
            field(&e, "message")
        ),
    }
}

/// Awaits a call that must fail, and returns its error.
pub async fn err(p: Promise) -> JsValue {
    match JsFuture::from(p).await {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e,
    }
}

/// Call options with just a query.
pub fn q(pairs: &[(&str, JsValue)]) -> JsValue {
    obj(&[("query", obj(pairs).into())]).into()
}

pub async fn sleep(ms: u64) {
    carecloud_customer::wasm::timer(ms).await;
}
