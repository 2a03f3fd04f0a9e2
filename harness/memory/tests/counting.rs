//! `CountingAlloc` installed as this test binary's global allocator: what
//! real `Vec`s and `String`s do shows up in the counters.
//!
//! Other tests in this binary would allocate at the same time and move the
//! counters, so there is a single test that checks everything in order.

use perflab_memory::counting::CountingAlloc;
use std::alloc::System;

#[global_allocator]
static ALLOC: CountingAlloc<System> = CountingAlloc::system();

const N: usize = 1 << 20;

#[test]
fn counts_allocations_reallocations_frees_and_peaks() {
    let start = ALLOC.snapshot();
    assert!(
        start.total_blocks > 0,
        "the test harness allocated before us"
    );

    // alloc: one block of exactly N bytes.
    let v: Vec<u8> = Vec::with_capacity(N);
    let after_alloc = ALLOC.snapshot();
    assert!(after_alloc.live_bytes >= start.live_bytes + N as u64);
    assert!(after_alloc.peak_bytes >= after_alloc.live_bytes);
    assert!(after_alloc.allocated_since(&start).0 >= N as u64);

    // realloc to 2N: counted as a new block of 2N, live grows by N.
    let mut v = v;
    v.reserve_exact(2 * N);
    let after_grow = ALLOC.snapshot();
    let (bytes, blocks) = after_grow.allocated_since(&after_alloc);
    assert!(bytes >= 2 * N as u64, "realloc counted {bytes} bytes");
    assert!(blocks >= 1);
    assert!(after_grow.live_bytes >= after_alloc.live_bytes + N as u64 - 4096);

    // free: live drops back, the peak stays, totals stay.
    drop(v);
    let after_free = ALLOC.snapshot();
    assert!(after_free.live_bytes + 2 * N as u64 <= after_grow.live_bytes + 4096);
    assert!(after_free.peak_bytes >= 2 * N as u64);
    assert!(after_free.total_bytes >= after_grow.total_bytes);

    // reset_peak: the peak starts again from what is live now.
    ALLOC.reset_peak();
    let reset = ALLOC.snapshot();
    assert!(reset.peak_bytes < 2 * N as u64, "{reset:?}");
    let s = "x".repeat(N / 2);
    let with_string = ALLOC.snapshot();
    assert!(with_string.peak_bytes >= reset.live_bytes + (N / 2) as u64);
    drop(s);

    // alloc_zeroed goes through the same counters.
    let z = vec![0u64; N / 8];
    assert!(ALLOC.snapshot().live_bytes >= N as u64);
    drop(z);
}
