//! Stores and products: read-only lists with details.

use crate::api::{Api, Ctx};
use crate::paging::list;
use crate::reply::{data, method_not_allowed, not_found, Res};
use serde_json::Value;

pub fn route(api: &mut Api, cx: &Ctx, segs: &[&str]) -> Option<Res> {
    Some(match (cx.method(), segs) {
        ("GET", ["stores"]) => list(&api.stores, "stores", cx.call, &[]),
        ("GET", ["stores", id]) => one(&api.stores, "stores", "store_id", id),
        ("GET", ["products"]) => list(&api.products, "products", cx.call, &[]),
        ("GET", ["products", id]) => one(&api.products, "products", "product_id", id),
        (m, ["stores", ..]) | (m, ["products", ..]) => Err(method_not_allowed(m)),
        _ => return None,
    })
}

/// The item whose `key` is `id`, or a 404 naming the resource.
pub fn one(items: &[Value], resource: &str, key: &str, id: &str) -> Res {
    match items.iter().find(|r| r[key] == id) {
        Some(r) => data(200, r.clone()),
        None => Err(not_found(resource, id)),
    }
}
