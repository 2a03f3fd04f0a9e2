//! The two variants every scenario compares, by the names used on command
//! lines, in `[package.metadata.perflab]` and in run files.
//!
//! What each variant does is the scenario's business (its `lib.rs` says);
//! this module only names them and parses the names.

use std::fmt;
use std::str::FromStr;

/// Which implementation of a scenario to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variant {
    /// What is commonly written first; the scenario's problem.
    Naive,
    /// The fix the scenario demonstrates.
    Optimized,
}

impl Variant {
    /// Both variants, naive first.
    pub const ALL: [Variant; 2] = [Variant::Naive, Variant::Optimized];

    /// The name used on the command line and in `perflab` metadata.
    pub fn name(self) -> &'static str {
        match self {
            Variant::Naive => "naive",
            Variant::Optimized => "optimized",
        }
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A variant name that is none of [`Variant::ALL`]'s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown variant {0:?} (expected {names})", names = accepted_names())]
pub struct UnknownVariant(pub String);

/// `"naive" or "optimized"`: every name, quoted, from [`Variant::ALL`].
fn accepted_names() -> String {
    let quoted: Vec<String> = Variant::ALL
        .iter()
        .map(|v| format!("{:?}", v.name()))
        .collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

impl FromStr for Variant {
    type Err = UnknownVariant;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Variant::ALL
            .into_iter()
            .find(|v| v.name() == s)
            .ok_or_else(|| UnknownVariant(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for v in Variant::ALL {
            assert_eq!(v.name().parse::<Variant>(), Ok(v));
            assert_eq!(v.to_string(), v.name());
        }
        assert_eq!(Variant::ALL, [Variant::Naive, Variant::Optimized]);
    }

    #[test]
    fn an_unknown_name_is_named_with_the_accepted_ones() {
        let err = "fast".parse::<Variant>().unwrap_err();
        assert_eq!(err, UnknownVariant("fast".into()));
        assert_eq!(
            err.to_string(),
            r#"unknown variant "fast" (expected "naive" or "optimized")"#
        );
        // Names are matched exactly: no case folding, no trimming.
        assert!("Naive".parse::<Variant>().is_err());
        assert!(" naive".parse::<Variant>().is_err());
    }
}
