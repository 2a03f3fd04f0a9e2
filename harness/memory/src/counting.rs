//! A counting global allocator: live, peak and total heap bytes and blocks,
//! cheap enough to leave on in a worker or a bench.
//!
//! [`CountingAlloc`] wraps any [`GlobalAlloc`] (usually
//! [`std::alloc::System`]) and keeps five relaxed atomic counters that
//! [`CountingAlloc::snapshot`] reads:
//!
//! ```
//! use perflab_memory::counting::CountingAlloc;
//! use std::alloc::System;
//!
//! #[global_allocator]
//! static ALLOC: CountingAlloc<System> = CountingAlloc::new(System);
//!
//! let before = ALLOC.snapshot();
//! let v = vec![0u8; 4096];
//! let after = ALLOC.snapshot();
//! assert!(after.total_bytes - before.total_bytes >= 4096);
//! drop(v);
//! ```
//!
//! Counting follows dhat's conventions so the two can be compared: a
//! `realloc` counts as one new block of the new size in the totals (the old
//! block is not counted again), and changes the live bytes by the difference.
//!
//! What it does not do: record call sites (that is dhat's job, see
//! `dhat_profile`, feature `dhat`), count memory that does not come through the Rust
//! global allocator (C libraries calling `malloc` directly, `mmap`), or give a
//! consistent view across counters: each counter is read on its own, so a
//! snapshot taken while other threads allocate may mix moments by a few
//! allocations. Resident memory is in [`crate::rss`].

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// A [`GlobalAlloc`] that counts what passes through it to `A`.
#[derive(Debug)]
pub struct CountingAlloc<A: GlobalAlloc> {
    inner: A,
    live_bytes: AtomicU64,
    live_blocks: AtomicU64,
    peak_bytes: AtomicU64,
    total_bytes: AtomicU64,
    total_blocks: AtomicU64,
}

/// The counters of a [`CountingAlloc`] at one moment. Bytes are the sizes
/// asked for (`Layout::size`), not what the allocator rounded them up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HeapSnapshot {
    /// Bytes allocated and not yet freed.
    pub live_bytes: u64,
    /// Blocks allocated and not yet freed.
    pub live_blocks: u64,
    /// The largest `live_bytes` since the allocator started or since the
    /// last [`CountingAlloc::reset_peak`].
    pub peak_bytes: u64,
    /// Bytes allocated since the start, freed or not.
    pub total_bytes: u64,
    /// Blocks allocated since the start, freed or not.
    pub total_blocks: u64,
}

impl HeapSnapshot {
    /// What was allocated between `earlier` and `self` as (bytes, blocks).
    /// Saturates at zero if the snapshots are given in the wrong order.
    pub fn allocated_since(&self, earlier: &HeapSnapshot) -> (u64, u64) {
        (
            self.total_bytes.saturating_sub(earlier.total_bytes),
            self.total_blocks.saturating_sub(earlier.total_blocks),
        )
    }
}

impl<A: GlobalAlloc> CountingAlloc<A> {
    /// Wraps `inner`; all counters start at zero.
    pub const fn new(inner: A) -> Self {
        CountingAlloc {
            inner,
            live_bytes: AtomicU64::new(0),
            live_blocks: AtomicU64::new(0),
            peak_bytes: AtomicU64::new(0),
            total_bytes: AtomicU64::new(0),
            total_blocks: AtomicU64::new(0),
        }
    }

    /// The wrapped allocator.
    pub fn inner(&self) -> &A {
        &self.inner
    }

    /// Reads the counters.
    pub fn snapshot(&self) -> HeapSnapshot {
        HeapSnapshot {
            live_bytes: self.live_bytes.load(Relaxed),
            live_blocks: self.live_blocks.load(Relaxed),
            peak_bytes: self.peak_bytes.load(Relaxed),
            total_bytes: self.total_bytes.load(Relaxed),
            total_blocks: self.total_blocks.load(Relaxed),
        }
    }

    /// Starts a new peak from the current live bytes, so the next
    /// [`HeapSnapshot::peak_bytes`] is the peak of what follows (one job, one
    /// iteration).
    pub fn reset_peak(&self) {
        self.peak_bytes
            .store(self.live_bytes.load(Relaxed), Relaxed);
    }

    fn on_alloc(&self, size: u64) {
        let live = self.live_bytes.fetch_add(size, Relaxed) + size;
        self.live_blocks.fetch_add(1, Relaxed);
        self.total_bytes.fetch_add(size, Relaxed);
        self.total_blocks.fetch_add(1, Relaxed);
        self.peak_bytes.fetch_max(live, Relaxed);
    }

    fn on_dealloc(&self, size: u64) {
        self.live_bytes.fetch_sub(size, Relaxed);
        self.live_blocks.fetch_sub(1, Relaxed);
    }

    fn on_realloc(&self, old: u64, new: u64) {
        // One new block of the new size in the totals, as dhat counts it; the
        // block count stays, the live bytes move by the difference.
        self.total_bytes.fetch_add(new, Relaxed);
        self.total_blocks.fetch_add(1, Relaxed);
        if new >= old {
            let grow = new - old;
            let live = self.live_bytes.fetch_add(grow, Relaxed) + grow;
            self.peak_bytes.fetch_max(live, Relaxed);
        } else {
            self.live_bytes.fetch_sub(old - new, Relaxed);
        }
    }
}

impl CountingAlloc<System> {
    /// `CountingAlloc::new(System)`, usable in a `static`.
    pub const fn system() -> Self {
        CountingAlloc::new(System)
    }
}

// A `GlobalAlloc` impl cannot be written without `unsafe`: the trait's
// methods are unsafe to call, and the impl promises to uphold its contract.
// Every method forwards to `inner` unchanged and only counts on success, so
// the contract `inner` upholds is the one this upholds.
#[allow(unsafe_code)]
// SAFETY: see above; no pointer is created, changed or kept here.
unsafe impl<A: GlobalAlloc> GlobalAlloc for CountingAlloc<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's promises about `layout` are passed on as-is.
        let ptr = unsafe { self.inner.alloc(layout) };
        if !ptr.is_null() {
            self.on_alloc(layout.size() as u64);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let ptr = unsafe { self.inner.alloc_zeroed(layout) };
        if !ptr.is_null() {
            self.on_alloc(layout.size() as u64);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `inner` (all our allocations do) with `layout`.
        unsafe { self.inner.dealloc(ptr, layout) };
        self.on_dealloc(layout.size() as u64);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's promises about `ptr`, `layout` and `new_size`
        // are passed on as-is.
        let new = unsafe { self.inner.realloc(ptr, layout, new_size) };
        // On failure the old block is still live and unchanged: count nothing.
        if !new.is_null() {
            self.on_realloc(layout.size() as u64, new_size as u64);
        }
        new
    }
}

#[cfg(test)]
mod tests {
    //! The counting arithmetic, driven directly; installing the allocator as
    //! the global one is tested in `tests/counting.rs`.

    use super::*;

    #[test]
    fn alloc_dealloc_and_peak() {
        let a = CountingAlloc::system();
        a.on_alloc(100);
        a.on_alloc(50);
        a.on_dealloc(100);
        let s = a.snapshot();
        assert_eq!(
            s,
            HeapSnapshot {
                live_bytes: 50,
                live_blocks: 1,
                peak_bytes: 150,
                total_bytes: 150,
                total_blocks: 2,
            }
        );
        a.reset_peak();
        assert_eq!(a.snapshot().peak_bytes, 50);
    }

    #[test]
    fn realloc_counts_a_new_block_and_moves_live_bytes_by_the_difference() {
        let a = CountingAlloc::system();
        a.on_alloc(10);
        a.on_realloc(10, 40);
        let grown = a.snapshot();
        assert_eq!((grown.live_bytes, grown.live_blocks), (40, 1));
        assert_eq!((grown.total_bytes, grown.total_blocks), (50, 2));
        assert_eq!(grown.peak_bytes, 40);
        a.on_realloc(40, 5);
        let shrunk = a.snapshot();
        assert_eq!((shrunk.live_bytes, shrunk.live_blocks), (5, 1));
        assert_eq!((shrunk.total_bytes, shrunk.total_blocks), (55, 3));
        assert_eq!(shrunk.peak_bytes, 40);
    }

    #[test]
    fn allocated_since_saturates() {
        let early = HeapSnapshot {
            total_bytes: 10,
            total_blocks: 1,
            ..HeapSnapshot::default()
        };
        let late = HeapSnapshot {
            total_bytes: 30,
            total_blocks: 4,
            ..HeapSnapshot::default()
        };
        assert_eq!(late.allocated_since(&early), (20, 3));
        assert_eq!(early.allocated_since(&late), (0, 0));
    }
}
