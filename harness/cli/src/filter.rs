//! Which scenarios, variants and benchmarks a command works on: the
//! schema's [`Filters`] of globs over perflab keys, parsed from the command line.

pub use perflab_schema::{Filters, Glob};

/// Parses a command-line glob (clap value parser).
pub fn parse_glob(s: &str) -> Result<Glob, String> {
    Glob::new(s).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_pattern_is_refused() {
        assert!(parse_glob("").is_err());
    }
}
