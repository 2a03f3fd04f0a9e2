//! Where the worker's memory readings come from.
//!
//! A [`MemorySource`] is any `Fn() -> Option<u64>`: the process RSS by
//! default, the counting allocator's live heap when the binary installs one,
//! or a fake in tests. The worker's memory cap, the binary's progress lines
//! and the `/metrics` gauges all read through these, so none of them knows
//! how memory is measured.

use std::fmt;
use std::sync::Arc;

/// A reading of some memory quantity in bytes (`None`: not available).
#[derive(Clone)]
pub struct MemorySource(Arc<dyn Fn() -> Option<u64> + Send + Sync>);

impl MemorySource {
    pub fn new(read: impl Fn() -> Option<u64> + Send + Sync + 'static) -> Self {
        MemorySource(Arc::new(read))
    }

    /// The resident set size of this process.
    pub fn process_rss() -> Self {
        MemorySource::new(current_rss_bytes)
    }

    pub fn read(&self) -> Option<u64> {
        (self.0)()
    }
}

impl fmt::Debug for MemorySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MemorySource(..)")
    }
}

/// The readings a worker and its monitoring use.
#[derive(Debug, Clone)]
pub struct MemorySources {
    pub rss: MemorySource,
    /// The live heap, when a counting allocator is installed.
    pub live_heap: Option<MemorySource>,
}

impl Default for MemorySources {
    fn default() -> Self {
        MemorySources {
            rss: MemorySource::process_rss(),
            live_heap: None,
        }
    }
}

/// This process's resident set size (`None` where it cannot be read).
pub fn current_rss_bytes() -> Option<u64> {
    perflab_memory::current_rss_bytes().ok()
}

/// `bytes` as MiB with one decimal, for progress lines.
pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
}

/// A byte count given on the command line or in the environment: a plain
/// number, or one with a binary suffix (`K`, `M`, `G`, `KiB`, `MiB`, `GiB`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSize(pub u64);

/// A byte count that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a byte count (examples: 1073741824, 512M, 1GiB)")]
pub struct BadByteSize(pub String);

impl std::str::FromStr for ByteSize {
    type Err = BadByteSize;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadByteSize(s.to_owned());
        let t = s.trim();
        let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        let (number, suffix) = t.split_at(digits);
        let shift = match suffix.trim().to_ascii_lowercase().as_str() {
            "" | "b" => 0,
            "k" | "kib" => 10,
            "m" | "mib" => 20,
            "g" | "gib" => 30,
            _ => return Err(bad()),
        };
        let n: u64 = number.parse().map_err(|_| bad())?;
        n.checked_mul(1 << shift).map(ByteSize).ok_or_else(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_sizes_parse_with_binary_suffixes() {
        assert_eq!("1024".parse(), Ok(ByteSize(1024)));
        assert_eq!("512M".parse(), Ok(ByteSize(512 << 20)));
        assert_eq!("1GiB".parse(), Ok(ByteSize(1 << 30)));
        assert_eq!("3 k".parse(), Ok(ByteSize(3 << 10)));
        assert!("".parse::<ByteSize>().is_err());
        assert!("1T".parse::<ByteSize>().is_err());
        assert!("-1".parse::<ByteSize>().is_err());
        assert!("99999999999999999999G".parse::<ByteSize>().is_err());
    }
}
