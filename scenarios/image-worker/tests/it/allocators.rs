//! The two worker binaries, `image-worker` (system allocator) and
//! `image-worker-mimalloc`, run the same program: same thumbnails, byte for
//! byte, on the same inputs, and the same `--series` file apart from the
//! measured numbers. Correctness only; the memory bench's `alloc` part
//! measures what the allocators do to RSS and time.

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::Command;
use image_worker::cli::SERIES_HEADER;
use image_worker::store::sqlite_url;

const BINARIES: [(&str, &str); 2] = [
    ("image-worker", "system"),
    ("image-worker-mimalloc", "mimalloc"),
];

fn bin(name: &str) -> Command {
    let mut cmd = Command::cargo_bin(name).unwrap();
    cmd.env_remove("RUST_LOG");
    cmd
}

/// Every file of `dir` by name, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect()
}

#[test]
fn mimalloc_binary_makes_the_same_thumbnails_as_the_system_one() {
    let dir = tempfile::tempdir().unwrap();
    let images = dir.path().join("images");
    let specs = image_worker::generate::plan(3, 11, 0.08);
    image_worker::generate::write_set(&images, &specs).unwrap();
    let mut outputs = Vec::new();
    for (name, allocator) in BINARIES {
        let thumbs = dir.path().join(format!("thumbs-{allocator}"));
        let series = dir.path().join(format!("series-{allocator}.csv"));
        let out = bin(name)
            .args(["run", "--variant", "optimized", "--jobs", "4", "--input"])
            .arg(&images)
            .args(["--store", &sqlite_url(&dir.path().join("jobs.sqlite"))])
            .arg("--out")
            .arg(&thumbs)
            .arg("--series")
            .arg(&series)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name}: {text}");
        assert!(text.contains("finished: 4 done, 0 failed"), "{text}");
        assert!(text.contains(&format!("{allocator} allocator")), "{text}");
        let written = files(&thumbs);
        // Three thumbnails per job.
        assert_eq!(written.len(), 12, "{name}: {:?}", written.keys());
        let csv = std::fs::read_to_string(&series).unwrap();
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some(SERIES_HEADER));
        let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
        assert_eq!(rows.len(), 4, "{csv}");
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(row.len(), SERIES_HEADER.split(',').count(), "{csv}");
            assert_eq!(row[0], i.to_string());
            assert_eq!(row[1], specs[i % 3].file_name());
            assert_eq!(row[2], "true");
            // RSS, live heap and the job's heap peak are byte counts; a
            // job of a decoded image allocates something.
            let bytes: Vec<u64> = row[4..7].iter().map(|v| v.parse().unwrap()).collect();
            assert!(bytes[0] > 0 && bytes[2] > 0, "{csv}");
            assert_eq!(row[7], allocator);
        }
        outputs.push(written);
    }
    assert_eq!(
        outputs[0], outputs[1],
        "the two binaries' thumbnails differ"
    );
}

#[test]
fn version_names_the_allocator() {
    for (name, allocator) in BINARIES {
        let out = bin(name).arg("--version").output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains(&format!("(allocator: {allocator})")),
            "{name}: {text}"
        );
    }
}

#[test]
fn an_unwritable_series_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let images = dir.path().join("images");
    image_worker::generate::write_set(&images, &image_worker::generate::plan(1, 3, 0.06)).unwrap();
    let series = dir.path().join("no-such-folder").join("series.csv");
    let out = bin("image-worker-mimalloc")
        .args(["run", "--variant", "optimized", "--input"])
        .arg(&images)
        .args(["--store", &sqlite_url(&dir.path().join("s.sqlite"))])
        .arg("--series")
        .arg(&series)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("creating the series file"), "{text}");
    assert!(text.contains("no-such-folder"), "{text}");
}
