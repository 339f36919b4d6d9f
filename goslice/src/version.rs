//! Go releases: the policy value every versioned behaviour takes.
//!
//! The model never says "Go" in general: growth formulas, size classes and
//! panic texts changed between releases, so each function that depends on
//! them takes a [`GoVersion`]. The newest release we model is the default.

use std::fmt;
use std::str::FromStr;

/// A Go release `1.N`, from 1.9 (the oldest the notes quote) to 1.27.
///
/// ```
/// use goslice::GoVersion;
/// let v: GoVersion = "1.19".parse().unwrap();
/// assert_eq!(v, GoVersion::V1_19);
/// assert_eq!(v.to_string(), "go1.19");
/// assert_eq!(GoVersion::default(), GoVersion::LATEST);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GoVersion {
    minor: u8,
}

macro_rules! releases {
    ($($name:ident = $minor:literal),* $(,)?) => {
        impl GoVersion {
            $(
                #[doc = concat!("Go 1.", stringify!($minor), ".")]
                pub const $name: GoVersion = GoVersion { minor: $minor };
            )*
        }
    };
}

releases! {
    V1_9 = 9, V1_10 = 10, V1_11 = 11, V1_12 = 12, V1_13 = 13, V1_14 = 14, V1_15 = 15,
    V1_16 = 16, V1_17 = 17, V1_18 = 18, V1_19 = 19, V1_20 = 20, V1_21 = 21, V1_22 = 22,
    V1_23 = 23, V1_24 = 24, V1_25 = 25, V1_26 = 26, V1_27 = 27,
}

impl GoVersion {
    /// The oldest release modelled.
    pub const OLDEST: GoVersion = GoVersion::V1_9;
    /// The newest release modelled, and the default.
    pub const LATEST: GoVersion = GoVersion::V1_27;

    /// Go `1.minor`, if it is a release this crate models.
    pub const fn from_minor(minor: u32) -> Option<GoVersion> {
        if minor >= GoVersion::OLDEST.minor as u32 && minor <= GoVersion::LATEST.minor as u32 {
            Some(GoVersion { minor: minor as u8 })
        } else {
            None
        }
    }

    /// The `N` of `1.N`.
    pub const fn minor(self) -> u32 {
        self.minor as u32
    }

    /// Every modelled release, oldest first.
    pub fn all() -> impl Iterator<Item = GoVersion> {
        (GoVersion::OLDEST.minor..=GoVersion::LATEST.minor).map(|minor| GoVersion { minor })
    }
}

impl Default for GoVersion {
    fn default() -> Self {
        GoVersion::LATEST
    }
}

impl fmt::Display for GoVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "go1.{}", self.minor)
    }
}

/// The error of parsing a [`GoVersion`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseGoVersionError {
    text: String,
}

impl fmt::Display for ParseGoVersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown Go release `{}`: expected 1.{} to 1.{} (written 1.N or go1.N)",
            self.text,
            GoVersion::OLDEST.minor,
            GoVersion::LATEST.minor
        )
    }
}

impl std::error::Error for ParseGoVersionError {}

impl FromStr for GoVersion {
    type Err = ParseGoVersionError;

    /// Accepts `1.N` or `go1.N` (a patch suffix `1.N.P` is ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseGoVersionError { text: s.to_owned() };
        let rest = s
            .strip_prefix("go")
            .unwrap_or(s)
            .strip_prefix("1.")
            .ok_or_else(err)?;
        let minor = rest.split('.').next().unwrap_or_default();
        let minor: u32 = minor.parse().map_err(|_| err())?;
        GoVersion::from_minor(minor).ok_or_else(err)
    }
}

#[cfg(test)]
mod tests {
    use super::GoVersion;

    #[test]
    fn parses_and_rejects() {
        assert_eq!("1.9".parse::<GoVersion>().unwrap(), GoVersion::V1_9);
        assert_eq!("go1.27.3".parse::<GoVersion>().unwrap(), GoVersion::V1_27);
        for bad in ["1.8", "1.28", "2.0", "1.x", "", "1."] {
            assert!(bad.parse::<GoVersion>().is_err(), "{bad} parsed");
        }
        assert_eq!(GoVersion::all().count(), 19);
    }
}
