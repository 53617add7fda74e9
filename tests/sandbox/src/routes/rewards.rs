//! Rewards, and redeeming one for a voucher.

use crate::api::{Api, Ctx};
use crate::paging::list;
use crate::reply::{body_json, data, invalid, method_not_allowed, not_found, Res};
use crate::seed;
use serde_json::{json, Value};

pub fn route(api: &mut Api, cx: &Ctx, segs: &[&str]) -> Option<Res> {
    Some(match (cx.method(), segs) {
        ("GET", ["rewards"]) => match cx.call.flag("is_valid") {
            // `is_valid` is a filter, not a field: derived from the validity dates.
            Some(want) => {
                let matching: Vec<Value> = api
                    .rewards
                    .iter()
                    .filter(|r| is_valid(r) == want)
                    .cloned()
                    .collect();
                list(&matching, "rewards", cx.call, &["is_valid"])
            }
            None => list(&api.rewards, "rewards", cx.call, &[]),
        },
        ("GET", ["rewards", "tags"]) => list(&seed::reward_tags(), "tags", cx.call, &[]),
        ("GET", ["rewards", id]) => find(api, id).and_then(|r| data(200, r)),
        ("GET", ["rewards", id, "stores"]) => find(api, id).and_then(|r| stores(api, cx, &r)),
        ("GET", ["rewards", id, "products"]) => find(api, id).and_then(|r| {
            let products = seed::reward_products(number(&r));
            list(
                &products,
                "products",
                cx.call,
                &["reward_product_relation_type"],
            )
        }),
        ("POST", ["rewards", id, "actions", "create-voucher"]) => create_voucher(api, cx, id),
        (m, ["rewards", ..]) => Err(method_not_allowed(m)),
        _ => return None,
    })
}

pub fn find(api: &Api, id: &str) -> Result<Value, crate::http::Response> {
    api.rewards
        .iter()
        .find(|r| r["reward_id"] == id)
        .cloned()
        .ok_or_else(|| not_found("rewards", id))
}

/// The stores a reward is valid in: its `store_list`, or every store when that is empty.
fn stores(api: &Api, cx: &Ctx, reward: &Value) -> Res {
    match reward["store_list"].as_array() {
        Some(some) if !some.is_empty() => list(some, "stores", cx.call, &[]),
        _ => list(&api.stores, "stores", cx.call, &[]),
    }
}

/// The reward's sequence number (`r00042`: 42).
fn number(reward: &Value) -> usize {
    reward["reward_id"]
        .as_str()
        .and_then(|id| id.trim_start_matches('r').parse().ok())
        .unwrap_or(0)
}

pub fn is_valid(r: &Value) -> bool {
    r["valid_time_to"].as_str().is_some_and(|t| t > seed::TODAY)
        && r["valid_time_from"]
            .as_str()
            .is_none_or(|f| f <= "2027-12-31 23:59:59")
}

fn create_voucher(api: &mut Api, cx: &Ctx, id: &str) -> Res {
    let i = cx.login()?;
    let b = body_json(cx.call.body)?;
    if let Some(Value::String(cid)) = b.get("customer_id") {
        api.own(cx, cid)?;
    }
    let reward = find(api, id)?;
    if !is_valid(&reward) {
        return Err(invalid(
            "reward_id",
            "not_allowed_value",
            json!(id),
            "The reward is not valid.",
        ));
    }
    let cost = reward["points_cost"].as_i64().unwrap_or(0);
    let c = &mut api.customers[i];
    if c.points < cost {
        return Err(invalid(
            "reward_id",
            "not_enough_points_for_voucher",
            json!(id),
            "Not enough points for this voucher.",
        ));
    }
    c.points -= cost;
    c.redeemed += cost;
    let vid = format!("vn{:06}", api.next_voucher);
    api.next_voucher += 1;
    let code = b
        .get("code")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("NEW{}", vid.to_uppercase()));
    let customer_id = api.customers[i].id.clone();
    let voucher = seed::voucher(
        &customer_id,
        &vid,
        &code,
        cost as f64,
        seed::TODAY,
        &reward,
        None,
    );
    api.customers[i].vouchers.insert(0, voucher);
    data(201, json!({"voucher_id": vid}))
}
