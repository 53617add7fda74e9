//! The customer's messages.

use crate::api::{Api, Ctx};
use crate::paging::list;
use crate::reply::{method_not_allowed, Res};

pub fn route(api: &mut Api, cx: &Ctx, segs: &[&str]) -> Option<Res> {
    Some(match (cx.method(), segs) {
        ("GET", ["messages"]) => messages(api, cx),
        (m, ["messages"]) => Err(method_not_allowed(m)),
        _ => return None,
    })
}

fn messages(api: &Api, cx: &Ctx) -> Res {
    let i = cx.login()?;
    if let Some(cid) = cx.call.q("customer_id") {
        api.own(cx, cid)?;
    }
    list(
        &api.customers[i].messages,
        "messages",
        cx.call,
        &["customer_id"],
    )
}
