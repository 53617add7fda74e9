//! The customer's loyalty cards and their digital card files (barcode, QR code, wallet pass).

use crate::api::{Api, Ctx};
use crate::paging::list;
use crate::reply::{body_json, data, method_not_allowed, Res};
use crate::seed::Customer;
use serde_json::{json, Value};

pub fn route(api: &mut Api, cx: &Ctx, segs: &[&str]) -> Option<Res> {
    Some(match (cx.method(), segs) {
        ("GET", ["cards"]) => api.customer_param(cx).and_then(|i| cards(api, cx, i)),
        ("GET", ["customers", id, "cards"]) => api.own(cx, id).and_then(|i| cards(api, cx, i)),
        ("POST", ["cards", "actions", "generate-digital-card-file"]) => file(api, cx),
        ("GET", ["cards", id]) => {
            find(api, cx, id).and_then(|(i, j)| data(200, api.customers[i].cards[j].clone()))
        }
        (m, ["cards", ..]) => Err(method_not_allowed(m)),
        _ => return None,
    })
}

fn of(c: &Customer) -> &[Value] {
    &c.cards
}

fn find(api: &Api, cx: &Ctx, id: &str) -> Result<(usize, usize), crate::http::Response> {
    api.owned(cx, of, "card_id", id, "cards")
}

/// `is_valid` is a filter, not a field: an active card.
fn cards(api: &Api, cx: &Ctx, i: usize) -> Res {
    let want_valid = cx.call.flag("is_valid");
    let matching: Vec<Value> = api.customers[i]
        .cards
        .iter()
        .filter(|c| want_valid.is_none_or(|w| w == (c["state"] == 1)))
        .cloned()
        .collect();
    list(&matching, "cards", cx.call, &["is_valid", "customer_id"])
}

fn file(api: &Api, cx: &Ctx) -> Res {
    let b = body_json(cx.call.body)?;
    let id = b.get("card_id").and_then(Value::as_str).unwrap_or("");
    let kind = b.get("file_type").and_then(Value::as_str).unwrap_or("png");
    let (i, j) = find(api, cx, id)?;
    let number = api.customers[i].cards[j]["card_number"]
        .as_str()
        .unwrap_or("");
    let ext = if kind == "wallet" { "pkpass" } else { "png" };
    data(
        200,
        json!({"file_url": format!("https://files.example.invalid/cards/{kind}/{number}.{ext}")}),
    )
}
