//! `image-worker` with the system allocator (glibc malloc on Linux),
//! counted. The command line is [`image_worker::cli`]; the same program
//! with mimalloc is `image-worker-mimalloc`.

use std::alloc::System;
use std::process::ExitCode;

use image_worker::cli::{Allocator, main_with};
use perflab_memory::CountingAlloc;

#[global_allocator]
static ALLOC: CountingAlloc<System> = CountingAlloc::system();

fn main() -> ExitCode {
    main_with(Allocator {
        name: "system",
        version: concat!(env!("CARGO_PKG_VERSION"), " (allocator: system)"),
        heap: || ALLOC.snapshot(),
        reset_peak: || ALLOC.reset_peak(),
    })
}
