//! The naming convention: how a tool's benchmark id becomes a
//! [`MeasurementKey`].
//!
//! A tool id is a path of segments (criterion `group/function/value`,
//! gungraun `group::function` plus its bench id, divan's tree of modules,
//! functions and arguments). The first segment equal to a declared variant is
//! the variant; the remaining segments, in order, joined with `/`, are the
//! benchmark name. With no variant segment the variant is [`DEFAULT_VARIANT`].
//!
//! This module knows nothing about any tool's files; each adapter decides which
//! segments to hand over. Reading the variants out of `Cargo.toml` is the
//! caller's job.

use perflab_schema::{MeasurementKey, MetricKind};

/// The variant of a benchmark whose id names no declared variant.
pub const DEFAULT_VARIANT: &str = "default";

/// The benchmark name of an id that consists of nothing but its variant
/// (for example criterion's `bench_function("naive", ..)`), because the format
/// has no empty names.
pub const DEFAULT_BENCHMARK: &str = "default";

/// A scenario's name and its declared variants (from
/// `[package.metadata.perflab]`); the first variant is the reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Naming {
    pub scenario: String,
    pub variants: Vec<String>,
}

impl Naming {
    pub fn new(
        scenario: impl Into<String>,
        variants: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Naming {
            scenario: scenario.into(),
            variants: variants.into_iter().map(Into::into).collect(),
        }
    }

    /// The key for a tool id given as segments.
    ///
    /// Each segment is split again on `/`, because tools let `/` appear inside
    /// one part (criterion's `value_str` `shape=rev/n=100`), and empty pieces
    /// are dropped, so `["sort", "naive/n=1"]` and `["sort/naive", "n=1"]` name
    /// the same benchmark.
    pub fn key(&self, segments: &[&str], metric: MetricKind) -> MeasurementKey {
        let pieces = segments
            .iter()
            .flat_map(|s| s.split('/'))
            .map(str::trim)
            .filter(|p| !p.is_empty());
        let mut variant = None;
        let mut rest = Vec::new();
        for piece in pieces {
            if variant.is_none() && self.variants.iter().any(|v| v == piece) {
                variant = Some(piece);
            } else {
                rest.push(piece);
            }
        }
        let benchmark = if rest.is_empty() {
            DEFAULT_BENCHMARK.to_owned()
        } else {
            rest.join("/")
        };
        MeasurementKey {
            scenario: self.scenario.clone(),
            variant: variant.unwrap_or(DEFAULT_VARIANT).to_owned(),
            benchmark,
            metric,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naming() -> Naming {
        Naming::new("autocomplete", ["naive", "optimized"])
    }

    fn parts(key: &MeasurementKey) -> (&str, &str) {
        (key.variant.as_str(), key.benchmark.as_str())
    }

    #[test]
    fn the_first_variant_segment_is_the_variant_and_the_rest_the_benchmark() {
        let key = naming().key(
            &["complete", "naive", "terms=1M,prefix=2"],
            MetricKind::WallTime,
        );
        assert_eq!(key.scenario, "autocomplete");
        assert_eq!(parts(&key), ("naive", "complete/terms=1M,prefix=2"));
        assert_eq!(key.metric, MetricKind::WallTime);
    }

    #[test]
    fn only_the_first_variant_segment_counts() {
        let key = naming().key(&["naive", "vs", "optimized"], MetricKind::Instructions);
        assert_eq!(parts(&key), ("naive", "vs/optimized"));
    }

    #[test]
    fn without_a_variant_segment_the_variant_is_default() {
        let key = naming().key(&["checksum"], MetricKind::WallTime);
        assert_eq!(parts(&key), ("default", "checksum"));
    }

    #[test]
    fn slashes_inside_segments_split_too() {
        let a = naming().key(
            &["sort", "optimized", "shape=rev/n=100"],
            MetricKind::WallTime,
        );
        assert_eq!(parts(&a), ("optimized", "sort/shape=rev/n=100"));
        let b = naming().key(&["sort/optimized/shape=rev", "n=100"], MetricKind::WallTime);
        assert_eq!(a, b);
    }

    #[test]
    fn a_variant_alone_gets_the_default_benchmark_name() {
        let key = naming().key(&["optimized"], MetricKind::WallTime);
        assert_eq!(parts(&key), ("optimized", "default"));
        let key = naming().key(&[], MetricKind::WallTime);
        assert_eq!(parts(&key), ("default", "default"));
    }

    #[test]
    fn a_variant_must_match_a_whole_segment() {
        let key = naming().key(&["naive_sort", "n=1"], MetricKind::WallTime);
        assert_eq!(parts(&key), ("default", "naive_sort/n=1"));
    }

    #[test]
    fn names_with_spaces_are_kept_but_trimmed() {
        let key = naming().key(&["checksum all ", " big input"], MetricKind::WallTime);
        assert_eq!(parts(&key), ("default", "checksum all/big input"));
    }
}
