//! The `image-worker` binary end to end: generate, run both variants, the
//! memory cap's exit code, and errors that name what was wrong.

use assert_cmd::Command;
use image_worker::store::sqlite_url;

fn bin() -> Command {
    let mut cmd = Command::cargo_bin("image-worker").unwrap();
    cmd.env_remove("RUST_LOG");
    cmd
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn generate_then_run_both_variants() {
    let dir = tempfile::tempdir().unwrap();
    let images = dir.path().join("images");
    let out = bin()
        .args([
            "generate",
            "--count",
            "4",
            "--seed",
            "5",
            "--max-megapixels",
            "0.1",
            "--out",
        ])
        .arg(&images)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_dir(&images).unwrap().count(), 4);
    let store = sqlite_url(&dir.path().join("jobs.sqlite"));
    for variant in ["naive", "optimized"] {
        let thumbs = dir.path().join(format!("thumbs-{variant}"));
        let out = bin()
            .args([
                "run",
                "--variant",
                variant,
                "--jobs",
                "6",
                "--progress-every",
                "3",
            ])
            .arg("--input")
            .arg(&images)
            .args(["--store", &store])
            .arg("--out")
            .arg(&thumbs)
            .output()
            .unwrap();
        let text = stderr(&out);
        assert!(out.status.success(), "{text}");
        assert!(
            text.contains(&format!("[{variant}] 3/6 jobs (0 failed), RSS")),
            "{text}"
        );
        assert!(text.contains("finished: 6 done, 0 failed"), "{text}");
        assert!(text.contains("live heap"), "{text}");
        // Three thumbnails per job.
        assert_eq!(std::fs::read_dir(&thumbs).unwrap().count(), 18);
    }
}

#[test]
fn passing_the_memory_cap_exits_1_and_says_crashed() {
    let dir = tempfile::tempdir().unwrap();
    let images = dir.path().join("images");
    image_worker::generate::write_set(&images, &image_worker::generate::plan(2, 1, 0.06)).unwrap();
    let out = bin()
        .args(["run", "--variant", "naive", "--memory-cap", "1M", "--input"])
        .arg(&images)
        .args(["--store", &sqlite_url(&dir.path().join("s.sqlite"))])
        .output()
        .unwrap();
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("crashed (out of memory) at job 0"), "{text}");
}

#[test]
fn bad_arguments_exit_2_naming_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .args(["run", "--variant", "optimized", "--input"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("has no .jpg, .jpeg or .png files"), "{text}");
    let out = bin()
        .args(["run", "--variant", "fast", "--input", "x"])
        .output()
        .unwrap();
    assert!(stderr(&out).contains("unknown variant \"fast\""));
    let out = bin()
        .args([
            "run",
            "--variant",
            "naive",
            "--input",
            "x",
            "--memory-cap",
            "lots",
        ])
        .output()
        .unwrap();
    assert!(stderr(&out).contains("\"lots\" is not a byte count"));
}

/// Only JPEG and PNG files are inputs, whatever the case of the extension.
#[test]
fn run_takes_only_jpeg_and_png_files() {
    let dir = tempfile::tempdir().unwrap();
    let images = dir.path().join("images");
    let specs = image_worker::generate::plan(3, 9, 0.06);
    let paths = image_worker::generate::write_set(&images, &specs).unwrap();
    let upper = paths[0].with_extension(if paths[0].extension().unwrap() == "png" {
        "PNG"
    } else {
        "JPEG"
    });
    std::fs::rename(&paths[0], &upper).unwrap();
    std::fs::write(images.join("notes.txt"), "not an image").unwrap();
    std::fs::create_dir(images.join("sub.jpg")).unwrap();
    let listed = image_worker::batch::list_inputs(&images).unwrap();
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert!(listed.contains(&upper));
}
