//! Reference data and diagnostics: the connection test, languages, countries, communication channels and
//! agreements (consents).

use crate::api::{Api, Ctx};
use crate::paging::list;
use crate::reply::{data, method_not_allowed, Res};
use crate::routes::catalog::one;
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
        ("GET", ["countries"]) => list(&seed::countries(), "countries", call, &[]),
        ("GET", ["communication-channels"]) => list(
            &seed::communication_channels(),
            "communication_channels",
            call,
            &[],
        ),
        ("GET", ["communication-channels", id]) => one(
            &seed::communication_channels(),
            "communication-channels",
            "communication_channel_id",
            id,
        ),
        ("GET", ["agreements"]) => list(&seed::agreements(), "agreements", call, &[]),
        ("GET", ["agreements", id]) => one(&seed::agreements(), "agreements", "agreement_id", id),
        (m, ["tests", "connection"])
        | (m, ["languages"])
        | (m, ["countries"])
        | (m, ["communication-channels", ..])
        | (m, ["agreements", ..]) => Err(method_not_allowed(m)),
        _ => return None,
    })
}
