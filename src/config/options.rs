//! [`Options`]: the one reader of the JSON options. It knows where in the options it reads, so every error names the
//! option by its full path (`retry.maxRetries must be an integer between 0 and 10`). Each policy's section is parsed
//! by its own module (`RetryConfig::from_options`, …) through this reader; ranges and defaults live there, once.

use crate::error::Error;
use crate::json::Json;
use std::ops::RangeInclusive;

/// The members of one options object (the root, or a section such as `retry`), with the section's name.
#[derive(Clone, Copy)]
pub(crate) struct Options<'a> {
    members: &'a [(String, Json)],
    section: Option<&'static str>,
}

/// What a switchable section (`retry`, `cache`, `rateLimit`, `circuitBreaker`) was set to.
pub(crate) enum Switch<'a> {
    /// `false`.
    Off,
    /// Absent, `null`, `true` (all defaults) or an object (its members).
    On(Options<'a>),
}

impl<'a> Options<'a> {
    /// The root object of the options.
    pub(crate) fn root(v: &'a Json) -> Result<Self, Error> {
        match v {
            Json::Obj(members) => Ok(Options {
                members,
                section: None,
            }),
            _ => Err(Error::config("options must be an object")),
        }
    }

    /// A standalone object read as section `name` (e.g. the `setup` argument of `updateToken`).
    pub(crate) fn object(v: &'a Json, name: &'static str, known: &[&str]) -> Result<Self, Error> {
        let Json::Obj(members) = v else {
            return Err(Error::config(format!("{name} must be an object")));
        };
        let o = Options {
            members,
            section: Some(name),
        };
        o.only(known)?;
        Ok(o)
    }

    /// The arguments of a call (`register`, …), named after it in errors; members it does not read are ignored.
    pub(crate) fn arguments(v: &'a Json, call: &'static str) -> Result<Self, Error> {
        match v {
            Json::Obj(members) => Ok(Options {
                members,
                section: Some(call),
            }),
            _ => Err(Error::config(format!(
                "{call} needs an object of arguments"
            ))),
        }
    }

    /// Member names, in order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &'a str> {
        self.members.iter().map(|(k, _)| k.as_str())
    }

    /// A member that is present and not `null`.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Json> {
        self.members
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
            .filter(|v| !v.is_null())
    }

    /// The full name of a member: `retry.maxRetries`.
    pub(crate) fn name(&self, key: &str) -> String {
        match self.section {
            Some(s) => format!("{s}.{key}"),
            None => key.to_string(),
        }
    }

    /// A `config` error about member `key`: `"{path} {what}"`.
    pub(crate) fn error(&self, key: &str, what: &str) -> Error {
        Error::config(format!("{} {what}", self.name(key)))
    }

    /// Refuses members not in `known`.
    pub(crate) fn only(&self, known: &[&str]) -> Result<(), Error> {
        match self.keys().find(|k| !known.contains(k)) {
            Some(k) => Err(Error::config(format!(
                "unknown option {}",
                self.name(&clean(k))
            ))),
            None => Ok(()),
        }
    }

    /// Section `key` (members limited to `known`); absent or `null` reads as an empty section (all defaults).
    pub(crate) fn section(&self, key: &'static str, known: &[&str]) -> Result<Options<'a>, Error> {
        match self.get(key) {
            None => Ok(Options {
                members: &[],
                section: Some(key),
            }),
            Some(v) => Options::object(v, key, known),
        }
    }

    /// A section that can be switched off with `false` (`true` means all defaults).
    pub(crate) fn switch(&self, key: &'static str, known: &[&str]) -> Result<Switch<'a>, Error> {
        match self.get(key) {
            Some(Json::Bool(false)) => Ok(Switch::Off),
            Some(Json::Bool(true)) | None => Ok(Switch::On(Options {
                members: &[],
                section: Some(key),
            })),
            Some(v) if v.as_object().is_none() => {
                Err(self.error(key, "must be an object or false"))
            }
            Some(v) => Options::object(v, key, known).map(Switch::On),
        }
    }

    /// An integer in `range`, or `default` when absent.
    pub(crate) fn int(
        &self,
        key: &str,
        range: RangeInclusive<u64>,
        default: u64,
    ) -> Result<u64, Error> {
        self.get(key)
            .map_or(Ok(default), |v| int(v, &self.name(key), range))
    }

    /// A number in `(0, max]`, or `default` when absent.
    pub(crate) fn positive(&self, key: &str, max: u64, default: f64) -> Result<f64, Error> {
        match self.get(key).map(Json::as_f64) {
            None => Ok(default),
            Some(Some(n)) if n.is_finite() && n > 0.0 && n <= max as f64 => Ok(n),
            // `max` is printed as an integer: float formatting would add ~18 KB to the wasm.
            Some(_) => Err(self.error(key, &format!("must be a number > 0 and <= {max}"))),
        }
    }

    /// A non-empty string (trimmed, at most 2 KiB), if present.
    pub(crate) fn string(&self, key: &str) -> Result<Option<String>, Error> {
        match self.get(key).map(Json::as_str) {
            None => Ok(None),
            Some(Some(s)) if !s.trim().is_empty() && s.len() <= 2048 => {
                Ok(Some(s.trim().to_string()))
            }
            Some(_) => Err(self.error(key, "must be a non-empty string")),
        }
    }

    /// A non-empty string, or `default` when absent.
    pub(crate) fn string_or(&self, key: &str, default: &str) -> Result<String, Error> {
        Ok(self.string(key)?.unwrap_or_else(|| default.to_string()))
    }

    /// A non-empty string that must be present.
    pub(crate) fn required(&self, key: &str) -> Result<String, Error> {
        self.string(key)?
            .ok_or_else(|| self.error(key, "is required"))
    }

    /// `true`/`false`, or `default` when absent.
    pub(crate) fn boolean(&self, key: &str, default: bool) -> Result<bool, Error> {
        match self.get(key).map(Json::as_bool) {
            None => Ok(default),
            Some(Some(b)) => Ok(b),
            Some(None) => Err(self.error(key, "must be true or false")),
        }
    }
}

/// An integer in `range`; the error names the option `name`.
pub(crate) fn int(v: &Json, name: &str, range: RangeInclusive<u64>) -> Result<u64, Error> {
    match v.as_u64() {
        Some(n) if range.contains(&n) => Ok(n),
        _ => Err(Error::config(format!(
            "{name} must be an integer between {} and {}",
            range.start(),
            range.end()
        ))),
    }
}

/// An option name as shown in an error: printable ASCII only, bounded.
pub(crate) fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_graphic())
        .take(40)
        .collect()
}

/// Test helper: reads options text with `parse` (a section reader such as `RetryConfig::from_options`).
#[cfg(test)]
pub(crate) fn read<T>(
    text: &str,
    parse: impl FnOnce(&Options) -> Result<T, Error>,
) -> Result<T, Error> {
    let v = Json::parse(text).ok_or_else(|| Error::config("options are not valid JSON"))?;
    parse(&Options::root(&v)?)
}
