//! Peak heap of the optimized worker on large inputs: it must follow the
//! thumbnails' size, not the input's. A binary of its own with one
//! counting allocator, and the tests run one at a time (a lock), because
//! the peak counts every thread of the process.
//!
//! The 100-megapixel case (`huge_inputs_stay_small`) is `#[ignore]`d: in a
//! debug build, encoding and decoding 100 megapixels takes minutes. Run it
//! with `cargo test -p image-worker --release --test peak -- --ignored`;
//! the memory bench's `vips` part (full mode) also runs the worker binary
//! on a 100-megapixel PNG and JPEG and reports its peak RSS.

use std::alloc::System;
use std::io::BufWriter;
use std::path::Path;
use std::sync::Mutex;

use image_worker::store::sqlite_url;
use image_worker::{DecodePath, Job, JobInput, Variant, Worker, WorkerConfig};
use perflab_memory::CountingAlloc;

#[global_allocator]
static ALLOC: CountingAlloc<System> = CountingAlloc::system();

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// A cheap RGB gradient with a ripple, written row by row: content does
/// not matter here, only size.
fn write_png(path: &Path, width: u32, height: u32) {
    let file = BufWriter::new(std::fs::File::create(path).unwrap());
    let mut encoder = png::Encoder::new(file, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().unwrap();
    let mut stream = writer.stream_writer().unwrap();
    let mut row = vec![0u8; width as usize * 3];
    for y in 0..height {
        for (x, px) in row.chunks_exact_mut(3).enumerate() {
            px[0] = (x * 255 / width as usize) as u8;
            px[1] = (y * 255 / height) as u8;
            px[2] = ((x ^ y as usize) & 0x3f) as u8;
        }
        std::io::Write::write_all(&mut stream, &row).unwrap();
    }
    stream.finish().unwrap();
}

fn write_jpeg(path: &Path, width: u32, height: u32) {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([
            (x * 255 / width) as u8,
            (y * 255 / height) as u8,
            ((x ^ y) & 0x3f) as u8,
        ])
    });
    image.save(path).unwrap();
}

/// Runs `job` on `path`; returns the decode path and the heap peak above
/// the live heap before the job.
fn peak_of_job(path: &Path, mut job: Job) -> (DecodePath, u64) {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir.path().join("peak.sqlite"));
    let mut worker = Worker::new(Variant::Optimized, WorkerConfig::default(), &url).unwrap();
    job.input = JobInput::Path(path.to_owned());
    let before = ALLOC.snapshot().live_bytes;
    ALLOC.reset_peak();
    let out = worker.process(&job).unwrap();
    let peak = ALLOC.snapshot().peak_bytes - before;
    let (w, h) = image::image_dimensions(path).unwrap();
    assert_eq!((out.source_width, out.source_height), (w, h));
    let preview = &out.outputs[0];
    let side = job.thumbnails[0].max_width;
    assert_eq!(preview.width.max(preview.height), side);
    let decoded = image::load_from_memory(&preview.bytes).unwrap();
    assert_eq!(
        (decoded.width(), decoded.height()),
        (preview.width, preview.height)
    );
    worker.close();
    (out.decode_path, peak)
}

/// The standard job (1024, 256 and 64 px).
fn standard() -> Job {
    Job::standard(JobInput::Path("unset".into()))
}

/// A thumbnail-only job (256 and 64 px).
fn thumbnails() -> Job {
    let mut job = standard();
    job.thumbnails.remove(0);
    job
}

/// Checks the job's heap peak against `limit` and against `fraction` of
/// what the decoded input alone would take.
fn check(path: &Path, job: Job, (width, height): (u32, u32), limit: u64, fraction: u64) {
    let decoded_size = u64::from(width) * u64::from(height) * 3;
    let (decode_path, peak) = peak_of_job(path, job);
    eprintln!(
        "{}: {decode_path:?}, heap peak {:.1} MiB",
        path.display(),
        peak as f64 / 1048576.0
    );
    assert_ne!(decode_path, DecodePath::Full, "{}", path.display());
    assert!(
        peak <= limit && peak < decoded_size / fraction,
        "{}: heap peak {} MiB over {} MiB (the decoded input would be {} MiB)",
        path.display(),
        peak >> 20,
        limit >> 20,
        decoded_size >> 20
    );
}

#[test]
fn large_inputs_decode_at_reduced_size() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("large.png");
    write_png(&png, 6000, 4500);
    check(&png, thumbnails(), (6000, 4500), 8 << 20, 10);
    let jpeg = dir.path().join("large.jpg");
    write_jpeg(&jpeg, 4800, 3600);
    check(&jpeg, thumbnails(), (4800, 3600), 8 << 20, 10);
}

#[test]
#[ignore = "100 megapixels: minutes in a debug build; run with --release -- --ignored"]
fn huge_inputs_stay_small() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("huge.png");
    write_png(&png, 12_000, 8_400);
    check(&png, standard(), (12_000, 8_400), 128 << 20, 4);
    let jpeg = dir.path().join("huge.jpg");
    write_jpeg(&jpeg, 12_000, 8_400);
    check(&jpeg, standard(), (12_000, 8_400), 128 << 20, 4);
}
