//! An image-processing worker whose memory grows until it crashes, and the fix.
//!
//! # The problem
//!
//! A worker takes jobs (an input JPEG or PNG and what to make of it: decode,
//! resize to a few thumbnails, sharpen or convert to grey, encode as JPEG or
//! PNG) and records each job's state and results in a database. In
//! production its memory grew steadily until the process was killed after
//! about 1000 images. Nobody knew which objects were never freed, and
//! nothing monitored memory, so the first sign was the crash.
//!
//! * [`Variant::Naive`] leaks the way real services leak: an unbounded cache
//!   of decoded images keyed by input name and never evicted, a copy of
//!   every job's input and outputs kept "for debugging" in a global
//!   `static Mutex<Vec<Vec<u8>>>`, a new database connection per job, whole
//!   file reads, and no decode limits (a 100-megapixel photo is decoded at
//!   full size; a decompression bomb is believed).
//! * [`Variant::Optimized`] keeps nothing between jobs but a few scratch
//!   buffers that are reused and trimmed when a job ends (RAII: every
//!   per-job resource is released by `Drop`, partial output files
//!   included), a connection pool, decode limits checked on the header
//!   before any pixel is allocated ([`DecodeLimits`], also passed on as
//!   [`image::Limits`]), and a downscaling decode for inputs much larger
//!   than the thumbnails: JPEG through DCT scaling (1/2 to 1/8,
//!   `jpeg-decoder`), PNG row by row through an integer box filter. Its
//!   peak memory follows the output size, not the input size.
//!
//! Both variants have the same API ([`Worker::new`], [`Worker::process`])
//! and produce the same images: byte-identical when the input is small
//! enough that the optimized variant decodes it whole (the pipelines are
//! then the same), and within [`TOLERANCE_PSNR_DB`] (PSNR over the decoded
//! thumbnails) when it takes the downscaling path, because a box filter or
//! a reduced IDCT followed by a triangle filter is not the same arithmetic
//! as one triangle filter over the full image (see [`compare`]).
//!
//! Inputs come from a seeded generator of photograph-like images
//! ([`generate`]) or from any folder of JPEG/PNG files. A configurable
//! memory cap ([`WorkerConfig::memory_cap_bytes`]) stands for the OOM
//! killer: when RSS or the live heap passes it, the worker stops with
//! [`JobError::Crashed`].
//!
//! # Expected numbers
//!
//! From the `memory` bench (release, shared 2-core VM; each variant in its
//! own process; uploads of 0.1 to 0.5 megapixels, the standard job of
//! 1024/256/64 px thumbnails, SQLite store):
//!
//! * naive: the live heap and RSS grow about 1.1 MiB per job (fitted
//!   slope); with a memory cap of the starting RSS plus 1 GiB it "crashes"
//!   at job 956 of 2000 (RSS 1040 MiB). The runtime monitor raises its
//!   growth alert at job 85.
//! * optimized: 2000 jobs with the live heap flat at 3.7 MiB (+18 B per
//!   job, under any leak threshold) and RSS between 11 and 27 MiB.
//! * One job under dhat: 15 MiB heap peak (optimized) against 21 MiB
//!   (naive), which keeps about 1.1 MiB per job.
//! * A 100-megapixel PNG (12000x8400) through the optimized worker binary:
//!   peak RSS 48 MiB in 0.8 s, where `vipsthumbnail` takes 92 MiB and
//!   1.7 s (it makes one thumbnail, the worker three); a 100-megapixel
//!   JPEG: 61 MiB (DCT at 1/4) against 45 MiB. The limit to hold is
//!   256 MiB. The naive binary on the same JPEG peaks at 722 MiB and keeps
//!   290 MiB after that one job (`/usr/bin/time -v`).
//! * Allocators (`alloc` part; the optimized worker binary, 300 jobs over
//!   40 seeded images of 0.05 to 24 megapixels; the largest job needs an
//!   80.5 MiB live heap, and 0.2-0.3 MiB is live between jobs): glibc
//!   malloc ends at 93 MiB RSS and peaks at 142 MiB in 18.5-19.5 s;
//!   mimalloc (`image-worker-mimalloc`, v2.3) swings between 25 and
//!   155 MiB (median 100-139 MiB), peaks at 155 MiB, same time. The RSS
//!   above the live heap is memory the allocator keeps, not a leak: with
//!   glibc's mmap threshold fixed (`MALLOC_MMAP_THRESHOLD_=131072`) RSS
//!   stays at 9 MiB and peaks at 89 MiB (the heap peak plus the program),
//!   but the run takes 23-25 s, the extra time all in the kernel (page
//!   faults: 5.0 s system against 0.7 s); mimalloc with
//!   `MIMALLOC_PURGE_DELAY=0` holds 21 MiB, peaks at 105 MiB, in 20.6-22 s.
//!
//! This crate does not measure itself; the `memory` bench does.

pub mod batch;
pub mod cli;
pub mod compare;
mod decode;
pub mod generate;
mod job;
pub mod memory;
pub mod monitoring;
mod naive;
mod ops;
mod optimized;
pub mod store;
mod worker;

pub use compare::TOLERANCE_PSNR_DB;
pub use decode::{DecodeLimits, InputFormat};
pub use job::{
    Adjust, Colour, DecodePath, Job, JobError, JobInput, JobOutput, OutputFormat, OutputImage,
    Sharpen, Thumbnail,
};
pub use naive::retained_debug_bytes;
/// Which implementation of the worker to run: perflab-kit's variant, the
/// same names in every scenario.
pub use perflab_kit::{UnknownVariant, Variant};
pub use worker::{Worker, WorkerConfig, WorkerError};
