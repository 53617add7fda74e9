//! The customer's points and the wallet's points overview.

use crate::api::{Api, Ctx};
use crate::paging::list;
use crate::reply::{data, invalid, method_not_allowed, Res};
use crate::seed;
use serde_json::{json, Value};

pub fn route(api: &mut Api, cx: &Ctx, segs: &[&str]) -> Option<Res> {
    Some(match (cx.method(), segs) {
        ("GET", ["customers", id, "points"]) => api.own(cx, id).and_then(|i| {
            let c = &api.customers[i];
            list(&seed::points(&c.id, i, c.points), "points", cx.call, &[])
        }),
        ("GET", ["wallet", "actions", "points-overview"]) => overview(api, cx),
        ("GET", ["point-history"]) => api.customer_param(cx).and_then(|i| {
            let history = seed::point_history(&api.customers[i].id, 24);
            list(&history, "point_history", cx.call, &["customer_id"])
        }),
        (m, ["point-history"]) => Err(method_not_allowed(m)),
        (m, ["wallet", ..]) => Err(method_not_allowed(m)),
        _ => return None,
    })
}

fn overview(api: &Api, cx: &Ctx) -> Res {
    let id = cx.call.q("customer_id").ok_or_else(|| {
        invalid(
            "customer_id",
            "required",
            Value::Null,
            "customer_id is required.",
        )
    })?;
    let c = &api.customers[api.own(cx, id)?];
    data(
        200,
        json!({"earned_points": c.earned, "redeemed_points": c.redeemed, "available_points": c.points,
               "available_points_money_value": [{"currency_id": "CZK", "value": c.points as f64 / 10.0}]}),
    )
}
