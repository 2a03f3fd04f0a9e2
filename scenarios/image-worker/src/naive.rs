//! The naive variant: what a worker looks like after a year of "it works".
//!
//! Each job reads the whole input file into memory, keeps a copy of it and
//! of every encoded output in [`DEBUG_BUFFERS`] ("so we can look at a bad
//! job afterwards"; nobody ever does, and nothing ever empties it), decodes
//! at full size with no limits, and caches the decoded image by input name
//! in a map that is never evicted (uploads have unique names, so it never
//! hits either). Every job therefore leaves behind about its input size,
//! its output sizes and 3 to 4 bytes per source pixel.

use std::collections::HashMap;
use std::io::Cursor;
use std::sync::{Arc, Mutex};

use image::DynamicImage;

use crate::decode;
use crate::job::{DecodePath, Job, JobError, JobInput, OutputImage};
use crate::ops;

/// Inputs and outputs of every job, "for debugging". Global, so it outlives
/// every worker, as such buffers do.
static DEBUG_BUFFERS: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

fn keep_for_debugging(bytes: Vec<u8>) {
    DEBUG_BUFFERS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push(bytes);
}

/// Bytes held in the naive variant's global debug buffers (all workers of
/// the process together).
pub fn retained_debug_bytes() -> u64 {
    DEBUG_BUFFERS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .iter()
        .map(|b| b.len() as u64)
        .sum()
}

/// The naive pipeline and its cache.
#[derive(Debug, Default)]
pub(crate) struct NaiveEngine {
    cache: HashMap<String, Arc<DynamicImage>>,
}

/// What an engine returns for one job.
pub(crate) type Processed = (Vec<OutputImage>, (u32, u32), DecodePath);

impl NaiveEngine {
    pub(crate) fn run(&mut self, job: &Job) -> Result<Processed, JobError> {
        let name = job.input.name();
        ops::validate(&name, &job.thumbnails)?;
        let bytes = match &job.input {
            JobInput::Path(path) => {
                std::fs::read(path).map_err(|e| decode::read_error(&name, e))?
            }
            JobInput::Bytes { bytes, .. } => bytes.to_vec(),
        };
        keep_for_debugging(bytes.clone());
        let image = match self.cache.get(&name) {
            Some(image) => Arc::clone(image),
            None => {
                let image = Arc::new(decode::decode_full(&name, &mut Cursor::new(&bytes), None)?);
                self.cache.insert(name.clone(), Arc::clone(&image));
                image
            }
        };
        let pixels = image.to_rgb8();
        let outputs = ops::thumbnails(
            &name,
            &pixels,
            pixels.dimensions(),
            &job.thumbnails,
            &job.adjust,
        )?;
        for output in &outputs {
            keep_for_debugging(output.bytes.clone());
        }
        Ok((outputs, pixels.dimensions(), DecodePath::Full))
    }

    /// Bytes this engine's cache holds, plus the global debug buffers.
    pub(crate) fn retained_bytes(&self) -> u64 {
        let cached: u64 = self
            .cache
            .values()
            .map(|image| image.as_bytes().len() as u64)
            .sum();
        cached + retained_debug_bytes()
    }
}
