//! Helpers: small jobs, workers over a temporary SQLite store.

use std::path::Path;
use std::sync::Arc;

use image_worker::generate::ImageSpec;
use image_worker::store::sqlite_url;
use image_worker::{
    Adjust, Colour, InputFormat, Job, JobInput, OutputFormat, Sharpen, Thumbnail, Variant, Worker,
    WorkerConfig,
};

/// Thumbnails small enough for debug builds: 128, 48 and 16 px.
pub fn small_thumbnails() -> Vec<Thumbnail> {
    vec![
        Thumbnail::new("preview", 128, OutputFormat::Jpeg { quality: 85 }),
        Thumbnail::new("thumb", 48, OutputFormat::Jpeg { quality: 80 }),
        Thumbnail::new("icon", 16, OutputFormat::Png),
    ]
}

pub fn adjust(colour: Colour) -> Adjust {
    Adjust {
        sharpen: Some(Sharpen {
            sigma: 0.8,
            threshold: 2,
        }),
        colour,
    }
}

pub fn bytes_job(name: &str, bytes: Vec<u8>) -> Job {
    Job {
        input: JobInput::Bytes {
            name: name.to_owned(),
            bytes: Arc::from(bytes),
        },
        thumbnails: small_thumbnails(),
        adjust: adjust(Colour::Rgb),
    }
}

pub fn spec(index: usize, width: u32, height: u32, format: InputFormat) -> ImageSpec {
    ImageSpec {
        index,
        width,
        height,
        format,
        seed: 1000 + index as u64,
    }
}

pub fn spec_job(spec: &ImageSpec) -> Job {
    bytes_job(
        &spec.file_name(),
        spec.encode().expect("encoding a generated image"),
    )
}

pub fn worker(dir: &Path, variant: Variant) -> Worker {
    worker_with(dir, variant, WorkerConfig::default())
}

pub fn worker_with(dir: &Path, variant: Variant, config: WorkerConfig) -> Worker {
    let url = sqlite_url(&dir.join("jobs.sqlite"));
    Worker::new(variant, config, &url).expect("starting a worker")
}
