//! Reference data and diagnostics: the connection test and languages.

use crate::api::{Api, Ctx};
use crate::paging::list;
use crate::reply::{data, method_not_allowed, Res};
use crate::seed;
use serde_json::json;

pub fn route(_api: &mut Api, cx: &Ctx, segs: &[&str]) -> Option<Res> {
    let call = cx.call;
    Some(match (cx.method(), segs) {
        ("GET", ["tests", "connection"]) => data(
            200,
            json!({"test_string": call.q("test_string").unwrap_or("")}),
        ),
        ("GET", ["languages"]) => list(&seed::languages(), "languages", call, &[]),
        (m, ["tests", "connection"]) | (m, ["languages"]) => Err(method_not_allowed(m)),
        _ => return None,
    })
}
