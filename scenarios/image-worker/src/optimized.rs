//! The optimized variant: nothing outlives a job except reusable scratch
//! buffers, and nothing is decoded larger than the thumbnails need.
//!
//! Files are read through a small `BufReader`, never whole; the header is
//! checked against [`DecodeLimits`] before any pixel buffer exists; large
//! inputs are decoded at reduced size (`decode::stream`). The scratch
//! buffers are lent to a job by a [`ScratchLease`] whose `Drop` empties and
//! trims them, whether the job succeeded, failed or panicked, so a single
//! huge input cannot pin its row buffers for the worker's lifetime.

use std::fs::File;
use std::io::{BufReader, Cursor};

use crate::decode::{self, DecodeLimits, Scratch, Source};
use crate::job::{Job, JobError, JobInput};
use crate::naive::Processed;
use crate::ops;

/// Read buffer for input files.
const READ_BUFFER: usize = 64 << 10;

/// Scratch memory kept between jobs; anything above is given back.
pub(crate) const SCRATCH_KEEP_BYTES: usize = 1 << 20;

/// The optimized pipeline and its reusable buffers.
#[derive(Debug)]
pub(crate) struct OptimizedEngine {
    limits: DecodeLimits,
    scratch: Scratch,
}

/// Scratch buffers lent to one job, trimmed when the job ends.
struct ScratchLease<'a>(&'a mut Scratch);

impl Drop for ScratchLease<'_> {
    fn drop(&mut self) {
        self.0.trim(SCRATCH_KEEP_BYTES);
    }
}

impl OptimizedEngine {
    pub(crate) fn new(limits: DecodeLimits) -> Self {
        OptimizedEngine {
            limits,
            scratch: Scratch::default(),
        }
    }

    pub(crate) fn run(&mut self, job: &Job) -> Result<Processed, JobError> {
        let name = job.input.name();
        ops::validate(&name, &job.thumbnails)?;
        let mut source: Box<dyn Source> = match &job.input {
            JobInput::Path(path) => {
                let file = File::open(path).map_err(|e| decode::read_error(&name, e))?;
                Box::new(BufReader::with_capacity(READ_BUFFER, file))
            }
            JobInput::Bytes { bytes, .. } => Box::new(Cursor::new(bytes.clone())),
        };
        let lease = ScratchLease(&mut self.scratch);
        let (pixels, original, path) = decode::decode_for_thumbnails(
            &name,
            &mut *source,
            &job.thumbnails,
            &self.limits,
            lease.0,
        )?;
        // The file and the scratch buffers are not needed for resizing.
        drop(source);
        drop(lease);
        let outputs = ops::thumbnails(&name, &pixels, original, &job.thumbnails, &job.adjust)?;
        Ok((outputs, original, path))
    }

    /// Bytes the engine keeps between jobs (its scratch buffers).
    pub(crate) fn retained_bytes(&self) -> u64 {
        self.scratch.capacity_bytes() as u64
    }
}
