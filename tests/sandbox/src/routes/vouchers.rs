//! The customer's vouchers.

use crate::api::{Api, Ctx};
use crate::paging::list;
use crate::reply::{data, invalid, method_not_allowed, not_found, Res};
use crate::seed;
use serde_json::{json, Value};

pub fn route(api: &mut Api, cx: &Ctx, segs: &[&str]) -> Option<Res> {
    Some(match (cx.method(), segs) {
        ("GET", ["customers", id, "vouchers"]) => {
            api.own(cx, id).and_then(|i| customer_vouchers(api, cx, i))
        }
        ("GET", ["vouchers", id]) => one(api, cx, id),
        (m, ["vouchers", _]) => Err(method_not_allowed(m)),
        _ => return None,
    })
}

/// `is_valid` / `is_applied` are filters, not fields: derived from the dates.
fn customer_vouchers(api: &Api, cx: &Ctx, i: usize) -> Res {
    let want_valid = cx.call.flag("is_valid");
    let want_applied = cx.call.flag("is_applied");
    let matching: Vec<Value> = api.customers[i]
        .vouchers
        .iter()
        .filter(|v| {
            let applied = v.get("applied_date").is_some();
            let valid = !applied && v["valid_to"].as_str().is_some_and(|t| t > seed::TODAY);
            want_valid.is_none_or(|w| w == valid) && want_applied.is_none_or(|w| w == applied)
        })
        .cloned()
        .collect();
    list(&matching, "vouchers", cx.call, &["is_valid", "is_applied"])
}

fn one(api: &Api, cx: &Ctx, id: &str) -> Res {
    let i = cx.login()?;
    let owned_by = |c: &seed::Customer| c.vouchers.iter().find(|v| v["voucher_id"] == id).cloned();
    match owned_by(&api.customers[i]) {
        Some(v) => data(200, v),
        None if api.customers.iter().any(|c| owned_by(c).is_some()) => Err(invalid(
            "voucher_id",
            "not_belong_to_logged_in_customer",
            json!(id),
            "The voucher does not belong to the logged-in customer.",
        )),
        None => Err(not_found("vouchers", id)),
    }
}
