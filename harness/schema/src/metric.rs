//! What a number means: the metric kinds perflab knows, their units and which
//! direction is better.
//!
//! Every kind has one canonical unit, so two measurements of the same kind are
//! always comparable without conversion. Adapters convert into that unit.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which way is better for a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    LowerIsBetter,
    HigherIsBetter,
}

/// The unit a value is expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Nanoseconds (wall time per iteration, latency).
    Nanoseconds,
    /// Executed instructions.
    Instructions,
    /// Simulated CPU cycles or cache events (callgrind's cache simulation).
    Events,
    Bytes,
    /// Heap blocks (allocations).
    Blocks,
    /// A plain count (requests, errors).
    Count,
    /// Operations or requests per second.
    PerSecond,
    /// A ratio of two quantities of the same unit, e.g. time against a
    /// reference tool on the same input.
    Ratio,
    /// A share of a whole, between 0 and 1 (a cache's hit ratio); shown as
    /// a percentage.
    Fraction,
}

impl Unit {
    /// A short symbol for tables.
    pub fn symbol(self) -> &'static str {
        match self {
            Unit::Nanoseconds => "ns",
            Unit::Instructions => "instr",
            Unit::Events => "events",
            Unit::Bytes => "B",
            Unit::Blocks => "blocks",
            Unit::Count => "",
            Unit::PerSecond => "/s",
            Unit::Ratio => "×",
            Unit::Fraction => "%",
        }
    }
}

/// How a metric behaves under repetition, which decides how it is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Nature {
    /// Same binary, same input, same number (instruction and allocation
    /// counts): compared exactly against limits.
    Deterministic,
    /// Varies from run to run (time, RSS, latency): compared with statistics.
    Noisy,
}

macro_rules! metric_kinds {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, $unit:ident, $dir:ident, $nature:ident; )*) => {
        /// Every kind of metric perflab records. The serialized name is the
        /// stable identifier used in files, configuration and reports.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
        pub enum MetricKind {
            $( $(#[$doc])* #[serde(rename = $name)] $variant, )*
        }

        impl MetricKind {
            /// All kinds, in a stable order.
            pub const ALL: &'static [MetricKind] = &[$(MetricKind::$variant),*];

            /// The stable name used in files and configuration.
            pub fn name(self) -> &'static str {
                match self { $(MetricKind::$variant => $name,)* }
            }

            /// The one unit values of this kind are stored in.
            pub fn unit(self) -> Unit {
                match self { $(MetricKind::$variant => Unit::$unit,)* }
            }

            /// Which way is better.
            pub fn direction(self) -> Direction {
                match self { $(MetricKind::$variant => Direction::$dir,)* }
            }

            /// Whether the metric repeats exactly or must be treated with statistics.
            pub fn nature(self) -> Nature {
                match self { $(MetricKind::$variant => Nature::$nature,)* }
            }
        }
    };
}

metric_kinds! {
    /// Wall time of one iteration.
    WallTime = "wall_time", Nanoseconds, LowerIsBetter, Noisy;
    /// Instructions executed (callgrind's Ir).
    Instructions = "instructions", Instructions, LowerIsBetter, Deterministic;
    /// Simulated L1 cache hits.
    L1Hits = "l1_hits", Events, LowerIsBetter, Deterministic;
    /// Simulated last-level cache hits.
    LlHits = "ll_hits", Events, LowerIsBetter, Deterministic;
    /// Simulated accesses that went to RAM.
    RamHits = "ram_hits", Events, LowerIsBetter, Deterministic;
    /// Total simulated reads and writes.
    TotalReadWrite = "total_read_write", Events, LowerIsBetter, Deterministic;
    /// Cycles estimated from the cache simulation (L1 + 5·LL + 35·RAM).
    EstimatedCycles = "estimated_cycles", Events, LowerIsBetter, Deterministic;
    /// Bytes allocated over the whole run.
    HeapTotalBytes = "heap_total_bytes", Bytes, LowerIsBetter, Deterministic;
    /// Blocks allocated over the whole run.
    HeapTotalBlocks = "heap_total_blocks", Blocks, LowerIsBetter, Deterministic;
    /// Largest live heap at any moment.
    HeapPeakBytes = "heap_peak_bytes", Bytes, LowerIsBetter, Deterministic;
    /// Live blocks at the heap peak.
    HeapPeakBlocks = "heap_peak_blocks", Blocks, LowerIsBetter, Deterministic;
    /// Bytes still live at the end (leaked).
    HeapLeakedBytes = "heap_leaked_bytes", Bytes, LowerIsBetter, Deterministic;
    /// Blocks still live at the end (leaked).
    HeapLeakedBlocks = "heap_leaked_blocks", Blocks, LowerIsBetter, Deterministic;
    /// Peak resident set size of the process.
    PeakRss = "peak_rss", Bytes, LowerIsBetter, Noisy;
    /// Growth of the live heap per iteration (fitted slope).
    HeapGrowth = "heap_growth", Bytes, LowerIsBetter, Noisy;
    /// Growth of resident memory per iteration (fitted slope).
    RssGrowth = "rss_growth", Bytes, LowerIsBetter, Noisy;
    /// Median request latency.
    LatencyP50 = "latency_p50", Nanoseconds, LowerIsBetter, Noisy;
    /// 90th percentile request latency.
    LatencyP90 = "latency_p90", Nanoseconds, LowerIsBetter, Noisy;
    /// 95th percentile request latency.
    LatencyP95 = "latency_p95", Nanoseconds, LowerIsBetter, Noisy;
    /// 99th percentile request latency.
    LatencyP99 = "latency_p99", Nanoseconds, LowerIsBetter, Noisy;
    /// Slowest request.
    LatencyMax = "latency_max", Nanoseconds, LowerIsBetter, Noisy;
    /// Requests (or operations) completed per second.
    Throughput = "throughput", PerSecond, HigherIsBetter, Noisy;
    /// Failed requests or operations.
    Errors = "errors", Count, LowerIsBetter, Noisy;
    /// Database statements issued per request (for a fixed set of inputs).
    DbQueries = "db_queries", Count, LowerIsBetter, Deterministic;
    /// Wall time relative to a reference tool on the same input (below 1:
    /// faster than the reference).
    TimeRatio = "time_ratio", Ratio, LowerIsBetter, Noisy;
    /// Peak resident memory relative to a reference tool on the same input.
    PeakRssRatio = "peak_rss_ratio", Ratio, LowerIsBetter, Noisy;
    /// Bytes a data structure takes per item it holds (an index's bytes per
    /// term), for a fixed input.
    BytesPerItem = "bytes_per_item", Bytes, LowerIsBetter, Deterministic;
    /// Share of lookups a cache answered without going to its origin, under
    /// a given traffic mix.
    HitRatio = "hit_ratio", Fraction, HigherIsBetter, Noisy;
    /// Statements per second reaching the database while a load test runs
    /// (what a cache in front of it takes off).
    DbQueryRate = "db_query_rate", PerSecond, LowerIsBetter, Noisy;
}

impl MetricKind {
    /// Whether a measurement's `samples` are a series over iterations (the
    /// memory the fitted growth slope was drawn through) rather than repeated
    /// measurements of the estimate. A series must not be bootstrapped as
    /// replicates: its median is a memory level, not a growth rate.
    pub fn samples_are_series(self) -> bool {
        matches!(self, MetricKind::HeapGrowth | MetricKind::RssGrowth)
    }
}

impl fmt::Display for MetricKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for MetricKind {
    type Err = crate::SchemaError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MetricKind::ALL
            .iter()
            .copied()
            .find(|k| k.name() == s)
            .ok_or_else(|| crate::SchemaError::UnknownMetric(s.to_owned()))
    }
}

/// The tool that produced a measurement.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Tool {
    Criterion,
    Gungraun,
    Divan,
    Dhat,
    Goose,
}

impl Tool {
    pub fn name(self) -> &'static str {
        match self {
            Tool::Criterion => "criterion",
            Tool::Gungraun => "gungraun",
            Tool::Divan => "divan",
            Tool::Dhat => "dhat",
            Tool::Goose => "goose",
        }
    }
}

impl fmt::Display for Tool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_from_str_and_serde() {
        for &kind in MetricKind::ALL {
            assert_eq!(kind.name().parse::<MetricKind>().unwrap(), kind);
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.name()));
        }
    }

    #[test]
    fn unknown_metric_names_the_input() {
        let err = "wall_tme".parse::<MetricKind>().unwrap_err();
        assert!(err.to_string().contains("wall_tme"));
    }
}
