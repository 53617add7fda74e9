//! The customer's purchases.

use crate::api::{Api, Ctx};
use crate::paging::list;
use crate::reply::Res;

pub fn route(api: &mut Api, cx: &Ctx, segs: &[&str]) -> Option<Res> {
    Some(match (cx.method(), segs) {
        ("GET", ["customers", id, "purchases"]) => api
            .own(cx, id)
            .and_then(|i| list(&api.customers[i].purchases, "purchases", cx.call, &[])),
        _ => return None,
    })
}
