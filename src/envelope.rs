//! Lenient parsing of what CareCloud sends: the `{"error": {…}}` body of a failed call and the list envelope
//! `{"data": {"<list_key>": […], "total_items": N}}`. Unknown fields are ignored, missing ones tolerated, wrong types
//! skipped; nothing here panics on any input.

use crate::error::InvalidParam;
use crate::json::Json;

/// The fields of CareCloud's error body that the client uses.
#[derive(Debug, Default, PartialEq)]
pub struct ErrorBody {
    /// `error.exception`, or `error.type` when that carries the exception name (the spec's 403 example).
    pub exception: Option<String>,
    /// `error.type` as sent (`about:blank`, a URI, or an exception name).
    pub error_type: Option<String>,
    /// `error.title`.
    pub title: Option<String>,
    /// `error.detail`.
    pub detail: Option<String>,
    /// `error.error_data.invalid_params[]`.
    pub invalid_params: Vec<InvalidParam>,
}

const MAX_TEXT: usize = 300;
const MAX_PARAMS: usize = 1000;

fn text(v: Option<&Json>) -> Option<String> {
    let s = match v? {
        Json::Str(s) => s.clone(),
        Json::Null => return None,
        other => other.to_text(),
    };
    let s: String = s
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_TEXT)
        .collect();
    (!s.is_empty()).then_some(s)
}

impl ErrorBody {
    /// Parses any body. Not JSON, not an object, or no `error` key: all fields empty.
    pub fn parse(body: &str) -> ErrorBody {
        let Some(v) = Json::parse(body) else {
            return ErrorBody::default();
        };
        let Some(e) = v.get("error").filter(|e| e.as_object().is_some()) else {
            return ErrorBody::default();
        };
        let error_type = text(e.get("type"));
        let ty = error_type
            .clone()
            .filter(|t| t != "about:blank" && !t.contains('/'));
        let invalid_params = e
            .get("error_data")
            .and_then(|d| d.get("invalid_params"))
            .and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .take(MAX_PARAMS)
                    .filter_map(|p| {
                        Some(InvalidParam {
                            name: text(p.get("name")).unwrap_or_default(),
                            reason: text(p.get("reason"))?,
                            message: text(p.get("message")),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        ErrorBody {
            exception: text(e.get("exception")).or(ty),
            error_type,
            title: text(e.get("title")),
            detail: text(e.get("detail")),
            invalid_params,
        }
    }
}

/// One page of a list: the items and `total_items`, read from the `data` object of a list response.
#[cfg(feature = "serde")]
#[derive(Debug, PartialEq)]
pub struct Page {
    /// The list under the page's list key (empty when missing or not an array).
    pub items: Vec<serde_json::Value>,
    /// `total_items`, when present and a non-negative integer.
    pub total_items: Option<u64>,
}

#[cfg(feature = "serde")]
impl Page {
    /// Reads a page from a `data` object. When `list_key` is `None`, the first array-valued field is used.
    pub fn from_data(data: &serde_json::Value, list_key: Option<&str>) -> Page {
        use serde_json::Value;
        let items = match list_key {
            Some(k) => data.get(k).and_then(Value::as_array).cloned(),
            None => data
                .as_object()
                .and_then(|o| o.values().find_map(|v| v.as_array().cloned())),
        }
        .unwrap_or_default();
        let total_items = data.get("total_items").and_then(|t| {
            t.as_u64()
                .or_else(|| t.as_str().and_then(|s| s.parse().ok()))
        });
        Page { items, total_items }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_never_panics_and_yields_empty() {
        for body in [
            "",
            "null",
            "[]",
            "{",
            "<html>",
            "{\"error\":5}",
            "{\"error\":{\"error_data\":[1]}}",
            "\u{0}",
        ] {
            let _ = ErrorBody::parse(body);
        }
        assert_eq!(ErrorBody::parse("<html>"), ErrorBody::default());
    }

    #[test]
    fn control_characters_and_huge_fields_are_tamed() {
        let long = "x".repeat(10_000);
        let body = format!("{{\"error\":{{\"title\":\"a\\u001b[31mb\",\"detail\":\"{long}\"}}}}");
        let e = ErrorBody::parse(&body);
        assert_eq!(e.title.as_deref(), Some("a[31mb"));
        assert_eq!(e.detail.map(|d| d.len()), Some(MAX_TEXT));
    }

    #[cfg(feature = "serde")]
    #[test]
    fn exception_falls_back_to_a_type_that_names_one() {
        let exception =
            |error: &str| ErrorBody::parse(&format!(r#"{{"error":{error}}}"#)).exception;
        // The spec's 403 example carries the exception name in `type`.
        assert_eq!(
            exception(r#"{"type":"forbidden_exception","title":"Forbidden"}"#).as_deref(),
            Some("forbidden_exception")
        );
        // `exception` wins when both are there.
        assert_eq!(
            exception(r#"{"type":"x_exception","exception":"not_found_exception"}"#).as_deref(),
            Some("not_found_exception")
        );
        // A problem-type URI is not an exception name.
        for ty in ["about:blank", "https://example.invalid/problems/gone"] {
            assert_eq!(exception(&format!(r#"{{"type":"{ty}"}}"#)), None, "{ty}");
        }
    }

    #[cfg(feature = "serde")]
    #[test]
    fn page_reads_list_key_and_total() {
        use serde_json::Value;
        let v: Value = serde_json::from_str(
            r#"{"rewards":[{"a":1},{"a":2}],"total_items":"260","extra":true}"#,
        )
        .unwrap();
        let p = Page::from_data(&v, Some("rewards"));
        assert_eq!(p.items.len(), 2);
        assert_eq!(p.total_items, Some(260));
        let p = Page::from_data(&v, None);
        assert_eq!(p.items.len(), 2);
        let p = Page::from_data(&Value::Null, Some("rewards"));
        assert!(p.items.is_empty() && p.total_items.is_none());
    }
}
