//! The customer interface's routes, one module per resource (catalog: stores and products). Each module's `route` answers the paths of its
//! resource (`None`: not mine), including 405 for a method its paths do not have.

mod cards;
mod catalog;
mod customers;
mod messages;
mod points;
mod purchases;
mod reference;
mod rewards;
mod tokens;
mod vouchers;

use crate::api::{Api, Ctx};
use crate::reply::{not_found, Res};

type Route = fn(&mut Api, &Ctx, &[&str]) -> Option<Res>;

const ROUTES: &[Route] = &[
    reference::route,
    tokens::route,
    // Sub-resources of a customer before `customers`, whose 405 covers every `/customers/…` path.
    points::route,
    cards::route,
    purchases::route,
    vouchers::route,
    customers::route,
    rewards::route,
    catalog::route,
    messages::route,
];

pub fn dispatch(api: &mut Api, cx: &Ctx, segs: &[&str]) -> Res {
    ROUTES
        .iter()
        .find_map(|route| route(api, cx, segs))
        .unwrap_or_else(|| Err(not_found("resource", cx.call.path)))
}
