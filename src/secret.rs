//! [`Secret`]: a string (token, password) whose `Debug` and `Display` print `***`.

use std::fmt;

/// A token or password. Prints as `***`; the value is reachable only through [`Secret::expose`].
///
/// ```
/// use carecloud_customer::Secret;
/// let p = Secret::new("Passw0rd1");
/// assert_eq!(format!("{p:?} {p}"), "*** ***");
/// assert_eq!(p.expose(), "Passw0rd1");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    /// The value, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}
