//! The store: job states and outputs in SQLite, and the same in PostgreSQL
//! when `IMAGE_WORKER_TEST_PG_URL` is set and the crate is built with
//! `--features postgres` (CI does both; locally the test says it is
//! skipping, and under CI with the feature a missing variable fails). The
//! PostgreSQL tables are created if missing and rows are told apart by the
//! worker's run id, so a shared scratch database is fine.

use image_worker::generate::bomb_png;
use image_worker::store::{JobState, checksum, sqlite_url};
use image_worker::{InputFormat, Variant, Worker, WorkerConfig};

use crate::common::{bytes_job, spec, spec_job};

fn exercise(url: &str) {
    for variant in Variant::ALL {
        let mut w = Worker::new(variant, WorkerConfig::default(), url).unwrap();
        let good = spec_job(&spec(11, 180, 120, InputFormat::Jpeg));
        let out = w.process(&good).unwrap();
        let bomb = bytes_job("bomb.png", bomb_png(20_000, 20_000));
        // Naive would allocate 1.2 GB for this header: only the optimized
        // variant gets it here (the small naive bomb is in bad_input).
        if variant == Variant::Optimized {
            assert!(w.process(&bomb).is_err());
        }
        let jobs = w.stored_jobs().unwrap();
        assert_eq!(jobs[0].id, out.store_id);
        assert_eq!(jobs[0].state, JobState::Done);
        assert_eq!(jobs[0].variant, variant.name());
        let outputs = w.stored_outputs(out.store_id).unwrap();
        assert_eq!(outputs.len(), 3);
        for o in &out.outputs {
            let stored = outputs.iter().find(|r| r.name == o.name).unwrap();
            assert_eq!((stored.width, stored.height), (o.width, o.height));
            assert_eq!(stored.bytes, o.bytes.len() as u64);
            assert_eq!(stored.checksum, checksum(&o.bytes));
        }
        if variant == Variant::Optimized {
            assert_eq!(jobs[1].state, JobState::Failed);
            assert!(jobs[1].error.as_deref().unwrap().contains("bomb.png"));
        }
        w.close();
    }
}

#[test]
fn sqlite_store_records_states_and_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested-name.sqlite");
    exercise(&sqlite_url(&path));
    assert!(path.exists());
}

#[test]
fn postgres_store_records_states_and_outputs() {
    let Ok(url) = std::env::var("IMAGE_WORKER_TEST_PG_URL") else {
        assert!(
            !cfg!(feature = "postgres") || std::env::var_os("CI").is_none(),
            "IMAGE_WORKER_TEST_PG_URL must be set under CI with --features postgres"
        );
        eprintln!("skipping: IMAGE_WORKER_TEST_PG_URL not set");
        return;
    };
    if !cfg!(feature = "postgres") {
        panic!(
            "IMAGE_WORKER_TEST_PG_URL is set but the crate was built without --features postgres"
        );
    }
    exercise(&url);
}
