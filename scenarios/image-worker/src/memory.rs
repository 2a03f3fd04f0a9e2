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
