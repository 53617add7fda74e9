//! The customer's purchases and their items.

use crate::api::{Api, Ctx};
use crate::paging::list;
use crate::reply::{data, method_not_allowed, Res};
use crate::seed::{self, Customer};
use serde_json::Value;

pub fn route(api: &mut Api, cx: &Ctx, segs: &[&str]) -> Option<Res> {
    Some(match (cx.method(), segs) {
        ("GET", ["customers", id, "purchases"]) => api
            .own(cx, id)
            .and_then(|i| list(&api.customers[i].purchases, "purchases", cx.call, &[])),
        ("GET", ["purchases", id]) => find(api, cx, id).and_then(|p| data(200, p.clone())),
        ("GET", ["purchases", id, "purchase-items"]) => find(api, cx, id)
            .and_then(|p| list(&seed::purchase_items(p), "purchase_items", cx.call, &[])),
        (m, ["purchases", ..]) => Err(method_not_allowed(m)),
        _ => return None,
    })
}

fn of(c: &Customer) -> &[Value] {
    &c.purchases
}

fn find<'a>(api: &'a Api, cx: &Ctx, id: &str) -> Result<&'a Value, crate::http::Response> {
    let (i, j) = api.owned(cx, of, "purchase_id", id, "purchases")?;
    Ok(&api.customers[i].purchases[j])
}
