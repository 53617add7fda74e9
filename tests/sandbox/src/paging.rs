//! List responses: documented filters by first-level field equality (unknown parameters ignored), sorting, and
//! `count`/`offset` paging with `total_items` counting every match.

use crate::api::Call;
use crate::reply::{data, invalid, Res};
use serde_json::{json, Value};
use std::cmp::Ordering;

/// Query parameters that steer the list rather than filter it.
const PAGING: &[&str] = &["count", "offset", "sort_field", "sort_direction", "mode"];

/// `{"data": {key: [page], "total_items": n}}` for `items` filtered, sorted and paged by the query; `skip` names
/// query parameters the caller has already applied.
pub fn list(items: &[Value], key: &str, call: &Call, skip: &[&str]) -> Res {
    let count = number(call, "count", 100, 1)?;
    let offset = number(call, "offset", 0, 0)?;
    let desc = match call.q("sort_direction") {
        None => false,
        Some(v) if v.eq_ignore_ascii_case("asc") => false,
        Some(v) if v.eq_ignore_ascii_case("desc") => true,
        Some(v) => {
            return Err(invalid(
                "sort_direction",
                "not_allowed_value",
                json!(v),
                "sort_direction is ASC or DESC.",
            ))
        }
    };
    let mut matched: Vec<&Value> = items
        .iter()
        .filter(|item| matches_filters(item, call, skip))
        .collect();
    if let Some(field) = call.q("sort_field") {
        matched.sort_by(|a, b| {
            let o = compare(a, b, field);
            if desc {
                o.reverse()
            } else {
                o
            }
        });
    } else if desc {
        matched.reverse();
    }
    let total = matched.len();
    let page: Vec<Value> = matched
        .into_iter()
        .skip(offset)
        .take(count)
        .cloned()
        .collect();
    data(200, json!({ key: page, "total_items": total }))
}

/// A non-negative integer query parameter of at least `min`, or `default` when absent.
fn number(
    call: &Call,
    name: &str,
    default: usize,
    min: usize,
) -> Result<usize, crate::http::Response> {
    match call.q(name) {
        None => Ok(default),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if n >= min => Ok(n),
            _ => Err(invalid(
                name,
                "invalid_value_format",
                json!(v),
                &format!("{name} must be an integer >= {min}."),
            )),
        },
    }
}

fn matches_filters(item: &Value, call: &Call, skip: &[&str]) -> bool {
    call.query.iter().all(|(k, v)| {
        let field = k.trim_end_matches("[]");
        if PAGING.contains(&field) || skip.contains(&field) {
            return true;
        }
        match item.get(field) {
            None => true, // not a field of this list: ignored, as CareCloud ignores unknown parameters
            Some(Value::String(s)) if field == "name" => {
                s.to_lowercase().contains(&v.to_lowercase())
            }
            Some(Value::String(s)) => call
                .query
                .iter()
                .filter(|(k2, _)| k2 == k)
                .any(|(_, v2)| s == v2),
            Some(Value::Bool(b)) => (v == "true" || v == "1") == *b,
            Some(Value::Number(n)) => n.to_string() == *v,
            Some(_) => true,
        }
    })
}

/// Numbers compare as numbers, everything else by its text.
fn compare(a: &Value, b: &Value, field: &str) -> Ordering {
    let key = |v: &Value| -> (Option<f64>, String) {
        match v.get(field) {
            Some(Value::Number(n)) => (n.as_f64(), String::new()),
            Some(Value::String(s)) => (None, s.clone()),
            Some(o) => (None, o.to_string()),
            None => (None, String::new()),
        }
    };
    let (ka, kb) = (key(a), key(b));
    match (ka.0, kb.0) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => ka.1.cmp(&kb.1),
    }
}
