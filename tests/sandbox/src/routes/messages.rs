//! The customer's messages and their bodies.

use crate::api::{Api, Ctx};
use crate::paging::list;
use crate::reply::{data, method_not_allowed, Res};
use crate::seed::{self, Customer};
use serde_json::Value;

pub fn route(api: &mut Api, cx: &Ctx, segs: &[&str]) -> Option<Res> {
    Some(match (cx.method(), segs) {
        ("GET", ["messages"]) => api.customer_param(cx).and_then(|i| {
            list(
                &api.customers[i].messages,
                "messages",
                cx.call,
                &["customer_id"],
            )
        }),
        ("GET", ["messages", id]) => find(api, cx, id).and_then(|m| data(200, m.clone())),
        ("GET", ["messages", id, "detail"]) => {
            find(api, cx, id).and_then(|m| data(200, seed::message_detail(m)))
        }
        (m, ["messages", ..]) => Err(method_not_allowed(m)),
        _ => return None,
    })
}

fn of(c: &Customer) -> &[Value] {
    &c.messages
}

fn find<'a>(api: &'a Api, cx: &Ctx, id: &str) -> Result<&'a Value, crate::http::Response> {
    let (i, j) = api.owned(cx, of, "message_id", id, "messages")?;
    Ok(&api.customers[i].messages[j])
}
