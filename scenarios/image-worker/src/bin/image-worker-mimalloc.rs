//! `image-worker` with mimalloc as the global allocator, counted: the same
//! program as `image-worker` ([`image_worker::cli`]), so the memory bench
//! can tell what the allocator does to RSS from what the worker does.

use std::process::ExitCode;

use image_worker::cli::{Allocator, main_with};
use mimalloc::MiMalloc;
use perflab_memory::CountingAlloc;

#[global_allocator]
static ALLOC: CountingAlloc<MiMalloc> = CountingAlloc::new(MiMalloc);

fn main() -> ExitCode {
    main_with(Allocator {
        name: "mimalloc",
        version: concat!(env!("CARGO_PKG_VERSION"), " (allocator: mimalloc)"),
        heap: || ALLOC.snapshot(),
        reset_peak: || ALLOC.reset_peak(),
    })
}
