//! Bad inputs fail their own job, with the input and the cause in the
//! error and in the store, and the worker goes on.

use image_worker::generate::{bomb_png, truncate};
use image_worker::store::JobState;
use image_worker::{InputFormat, JobError, JobInput, Variant, Worker};

use crate::common::{bytes_job, spec, spec_job, worker};

/// Runs `bad`, then a good job; returns the bad job's error.
fn fails_then_recovers(worker: &mut Worker, bad: &image_worker::Job) -> JobError {
    let err = worker.process(bad).expect_err("a bad input must fail");
    assert!(!err.is_fatal(), "{err}");
    let name = bad.input.name();
    assert!(
        err.to_string().contains(&name),
        "error names the input: {err}"
    );
    let good = spec_job(&spec(1, 120, 90, InputFormat::Png));
    worker.process(&good).expect("the next job still works");
    let jobs = worker.stored_jobs().unwrap();
    let record = jobs
        .iter()
        .find(|j| j.input == name)
        .expect("the bad job is stored");
    assert_eq!(record.state, JobState::Failed);
    let stored = record.error.as_deref().unwrap_or_default();
    assert!(
        stored.contains(&name) && stored.len() > name.len(),
        "{stored}"
    );
    assert_eq!(jobs.last().unwrap().state, JobState::Done);
    err
}

#[test]
fn optimized_refuses_a_decompression_bomb_from_its_header() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = worker(dir.path(), Variant::Optimized);
    let bomb = bytes_job("bomb.png", bomb_png(100_000, 100_000));
    let err = fails_then_recovers(&mut w, &bomb);
    assert!(
        matches!(
            err,
            JobError::TooLarge {
                width: 100_000,
                height: 100_000,
                ..
            }
        ),
        "{err}"
    );
    // Within the dimension limits but over the pixel limit.
    let bomb = bytes_job("wide-bomb.png", bomb_png(60_000, 60_000));
    let err = fails_then_recovers(&mut w, &bomb);
    assert!(err.to_string().contains("megapixels"), "{err}");
}

/// The naive variant believes the header and allocates what it claims, so
/// it is only fed a bomb small enough (4000x4000, 48 MB) not to hurt the
/// machine running the tests; it fails on the missing data instead.
#[test]
fn naive_fails_a_small_bomb_on_its_missing_data() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = worker(dir.path(), Variant::Naive);
    let err = fails_then_recovers(&mut w, &bytes_job("bomb.png", bomb_png(4000, 4000)));
    assert!(matches!(err, JobError::Decode { .. }), "{err}");
}

#[test]
fn truncated_corrupt_and_unknown_inputs_fail_in_both_variants() {
    let png = spec(2, 300, 200, InputFormat::Png).encode().unwrap();
    let jpeg = spec(3, 300, 200, InputFormat::Jpeg).encode().unwrap();
    let mut corrupt = png.clone();
    for b in corrupt.iter_mut().skip(60).take(200) {
        *b ^= 0x5a;
    }
    let cases = [
        ("truncated.png", truncate(&png, png.len() / 2)),
        ("header-only.jpg", truncate(&jpeg, 150)),
        ("corrupt.png", corrupt),
        ("notes.txt", b"not an image at all".to_vec()),
        ("empty.jpg", Vec::new()),
    ];
    for variant in Variant::ALL {
        let dir = tempfile::tempdir().unwrap();
        let mut w = worker(dir.path(), variant);
        for (name, bytes) in &cases {
            let err = fails_then_recovers(&mut w, &bytes_job(name, bytes.clone()));
            match (*name, &err) {
                ("notes.txt" | "empty.jpg", JobError::UnknownFormat { .. }) => {}
                ("notes.txt" | "empty.jpg", _) => panic!("{variant} {name}: {err}"),
                (_, JobError::Decode { .. } | JobError::Read { .. }) => {}
                _ => panic!("{variant} {name}: unexpected {err:?}"),
            }
        }
    }
}

#[test]
fn a_missing_file_names_its_path() {
    for variant in Variant::ALL {
        let dir = tempfile::tempdir().unwrap();
        let mut w = worker(dir.path(), variant);
        let mut job = bytes_job("x", Vec::new());
        job.input = JobInput::Path(dir.path().join("no-such-photo.jpg"));
        let err = fails_then_recovers(&mut w, &job);
        assert!(matches!(err, JobError::Read { .. }), "{err}");
        assert!(err.to_string().contains("no-such-photo.jpg"));
    }
}

#[test]
fn a_job_without_thumbnails_is_refused_naming_the_field() {
    for variant in Variant::ALL {
        let dir = tempfile::tempdir().unwrap();
        let mut w = worker(dir.path(), variant);
        let mut job = spec_job(&spec(4, 64, 64, InputFormat::Jpeg));
        job.thumbnails.clear();
        let err = fails_then_recovers(&mut w, &job);
        assert!(err.to_string().contains("thumbnails"), "{err}");
    }
}

/// A full-size decode over the optimized variant's allocation limit stops
/// in the decoder (`image::Limits`), not in the allocator.
#[test]
fn optimized_full_decode_over_the_alloc_limit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = image_worker::WorkerConfig {
        limits: image_worker::DecodeLimits {
            max_alloc_bytes: 100_000,
            ..image_worker::DecodeLimits::default()
        },
        ..image_worker::WorkerConfig::default()
    };
    let mut w = crate::common::worker_with(dir.path(), Variant::Optimized, config);
    // 300x200 RGB is 180 kB decoded, and too small to decode reduced.
    for format in [InputFormat::Png, InputFormat::Jpeg] {
        let err = fails_then_recovers(&mut w, &spec_job(&spec(5, 300, 200, format)));
        assert!(matches!(err, JobError::Refused { .. }), "{err}");
    }
}
