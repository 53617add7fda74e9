//! The customer's vouchers: lists, detail, applying one, and a gift card's balance.

use crate::api::{Api, Ctx};
use crate::paging::list;
use crate::reply::{body_json, data, invalid, method_not_allowed, no_content, Res};
use crate::seed::{self, Customer};
use serde_json::{json, Value};

pub fn route(api: &mut Api, cx: &Ctx, segs: &[&str]) -> Option<Res> {
    Some(match (cx.method(), segs) {
        ("GET", ["customers", id, "vouchers"]) => {
            api.own(cx, id).and_then(|i| vouchers(api, cx, i))
        }
        ("GET", ["vouchers"]) => api.customer_param(cx).and_then(|i| vouchers(api, cx, i)),
        ("GET", ["vouchers", id]) => {
            find(api, cx, id).and_then(|(i, j)| data(200, api.customers[i].vouchers[j].clone()))
        }
        ("POST", ["vouchers", id, "actions", "apply-voucher"]) => apply(api, cx, id),
        ("POST", ["vouchers", "actions", "gift-card-balance"]) => balance(api, cx),
        (m, ["vouchers", ..]) => Err(method_not_allowed(m)),
        _ => return None,
    })
}

fn of(c: &Customer) -> &[Value] {
    &c.vouchers
}

fn find(api: &Api, cx: &Ctx, id: &str) -> Result<(usize, usize), crate::http::Response> {
    api.owned(cx, of, "voucher_id", id, "vouchers")
}

fn is_applied(v: &Value) -> bool {
    v.get("applied_date").is_some()
}

/// `is_valid` / `is_applied` are filters, not fields: derived from the dates.
fn vouchers(api: &Api, cx: &Ctx, i: usize) -> Res {
    let want_valid = cx.call.flag("is_valid");
    let want_applied = cx.call.flag("is_applied");
    let matching: Vec<Value> = api.customers[i]
        .vouchers
        .iter()
        .filter(|v| {
            let applied = is_applied(v);
            let valid = !applied && v["valid_to"].as_str().is_some_and(|t| t > seed::TODAY);
            want_valid.is_none_or(|w| w == valid) && want_applied.is_none_or(|w| w == applied)
        })
        .cloned()
        .collect();
    list(&matching, "vouchers", cx.call, &["is_valid", "is_applied"])
}

fn apply(api: &mut Api, cx: &Ctx, id: &str) -> Res {
    let (i, j) = find(api, cx, id)?;
    let b = body_json(cx.call.body)?;
    let voucher = &mut api.customers[i].vouchers[j];
    if is_applied(voucher) {
        return Err(invalid(
            "voucher_id",
            "voucher_already_used",
            json!(id),
            "The voucher has already been applied.",
        ));
    }
    voucher["applied_date"] = b.get("date_applied").cloned().unwrap_or(json!(seed::TODAY));
    no_content()
}

fn balance(api: &Api, cx: &Ctx) -> Res {
    let b = body_json(cx.call.body)?;
    let (key, id) = match (b.get("voucher_id"), b.get("code")) {
        (Some(Value::String(id)), _) => ("voucher_id", id),
        (_, Some(Value::String(code))) => ("code", code),
        _ => {
            return Err(invalid(
                "voucher_id",
                "required",
                Value::Null,
                "One of voucher_id or code is required.",
            ))
        }
    };
    let (i, j) = api.owned(cx, of, key, id, "vouchers")?;
    let v = &api.customers[i].vouchers[j];
    let original = v["value"].as_f64().unwrap_or(0.0);
    data(
        200,
        json!({"voucher_id": v["voucher_id"], "original_balance": original,
               "current_balance": if is_applied(v) { 0.0 } else { original }}),
    )
}
