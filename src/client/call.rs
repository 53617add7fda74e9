//! [`Call`]: one call's request line as the pipeline sees it: method, normalised path and query, the one key that
//! names it in the cache and the in-flight map, and its masked form for logs and events (computed once, on first
//! need).

use super::url::normalize_query;
use crate::log::{mask_path, mask_query};
use crate::runtime::Method;
use std::cell::OnceCell;

#[derive(Clone)]
pub(super) struct Call {
    pub(super) method: Method,
    /// Normalised path relative to the API base (may hold the token placeholder).
    pub(super) path: String,
    /// Normalised query string (no `?`), empty when none.
    pub(super) query: String,
    masked: OnceCell<(String, String)>,
}

impl Call {
    /// A call on an already normalised `path`.
    pub(super) fn new(method: Method, path: String, query: &[(String, String)]) -> Call {
        Call {
            method,
            path,
            query: normalize_query(query),
            masked: OnceCell::new(),
        }
    }

    /// `path?query`: the cache and dedupe key of a read.
    pub(super) fn url_key(&self) -> String {
        if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, self.query)
        }
    }

    /// The path with the device token and PII masked.
    pub(super) fn masked_path(&self) -> &str {
        &self.masked().0
    }

    /// The query with PII values masked.
    pub(super) fn masked_query(&self) -> &str {
        &self.masked().1
    }

    fn masked(&self) -> &(String, String) {
        self.masked
            .get_or_init(|| (mask_path(&self.path), mask_query(&self.query)))
    }
}
