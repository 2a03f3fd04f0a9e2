//! The optimized worker against `vipsthumbnail` (libvips), on the same
//! large inputs, each in a child process: wall time and peak RSS per image,
//! and their ratios (`time_ratio`, `peak_rss_ratio`: worker over vips).
//!
//! Not the same work: the worker makes three thumbnails (1024, 256 and
//! 64 px), sharpens them and records the job in SQLite; `vipsthumbnail`
//! makes the 1024 px one. It is the reference for what a streaming image
//! library needs, not a race.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use image_worker::generate::{Scene, write_png_rows};
use image_worker::memory::mib;
use image_worker::{InputFormat, Variant};
use perflab_memory::{ChildUsage, measure_child};
use perflab_schema::{Fragment, Measurement, MeasurementKey, MetricKind, Tool};

use crate::SCENARIO;
use perflab_kit::RunMode;

const VIPSTHUMBNAIL: &str = "vipsthumbnail";
/// libvips' general tool, from the same package: converts the generated
/// PNGs to JPEG.
const VIPS: &str = "vips";

fn on_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|p| p.is_file())
    })
}

/// (file name, width, height, format) of the compared inputs.
fn inputs(mode: RunMode) -> Vec<(String, u32, u32, InputFormat)> {
    let (w, h) = match mode {
        RunMode::Full => (6000, 4000),
        RunMode::Quick => (4000, 3000),
        RunMode::Test => (600, 400),
    };
    let mut list = vec![
        (format!("photo-{w}x{h}.jpg"), w, h, InputFormat::Jpeg),
        (format!("photo-{w}x{h}.png"), w, h, InputFormat::Png),
    ];
    if mode == RunMode::Full {
        // 100 megapixels: the optimized worker must stay under 256 MiB.
        for format in [InputFormat::Png, InputFormat::Jpeg] {
            let ext = if format == InputFormat::Png {
                "png"
            } else {
                "jpg"
            };
            list.push((format!("photo-12000x8400.{ext}"), 12_000, 8_400, format));
        }
    }
    list
}

/// Writes the PNG row by row and converts it to JPEG with `vips`, so this
/// process stays small and its children's peak RSS can be read.
fn write_input(path: &Path, width: u32, height: u32, format: InputFormat) -> Result<(), String> {
    let png = path.with_extension("png");
    write_png_rows(&png, &Scene::new(77, width, height)).map_err(|e| e.to_string())?;
    if format == InputFormat::Jpeg {
        let status = Command::new(VIPS)
            .arg("copy")
            .arg(&png)
            .arg(format!("{}[Q=90]", path.display()))
            .status()
            .map_err(|e| format!("running {VIPS} copy: {e}"))?;
        if !status.success() {
            return Err(format!(
                "{VIPS} copy to {} failed: {status}",
                path.display()
            ));
        }
        std::fs::remove_file(&png).map_err(|e| e.to_string())?;
    }
    Ok(())
}

pub fn compare(mode: RunMode, fragment: &mut Fragment) -> Result<(), String> {
    let (Some(vips), Some(_)) = (on_path(VIPSTHUMBNAIL), on_path(VIPS)) else {
        fragment.warnings.push(format!(
            "vips comparison skipped: {VIPSTHUMBNAIL} or {VIPS} not found on PATH (Debian: apt-get install libvips-tools)"
        ));
        return Ok(());
    };
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let worker_bin = env!("CARGO_BIN_EXE_image-worker");
    for (name, width, height, format) in inputs(mode) {
        let folder = dir.path().join(&name);
        std::fs::create_dir_all(&folder).map_err(|e| e.to_string())?;
        let input = folder.join(&name);
        write_input(&input, width, height, format)?;
        let store = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("vips.sqlite").display()
        );
        let mut ours = Command::new(worker_bin);
        ours.args([
            "run",
            "--variant",
            "optimized",
            "--jobs",
            "1",
            "--store",
            &store,
            "--input",
        ])
        .arg(&folder)
        .stderr(Stdio::null());
        let mut theirs = Command::new(&vips);
        theirs
            .arg(&input)
            .args(["--size", "1024x1024", "-o"])
            .arg(dir.path().join("vips-%s.jpg[Q=85]"));
        let mut usages = Vec::with_capacity(2);
        for (who, cmd) in [("worker", &mut ours), ("vipsthumbnail", &mut theirs)] {
            let usage = measure_child(cmd).map_err(|e| format!("{who} on {name}: {e}"))?;
            if !usage.status.success() {
                return Err(format!("{who} on {name} failed: {}", usage.status));
            }
            let benchmark = format!("vips/{who}/{name}");
            eprintln!(
                "{benchmark}: {:.0} ms, peak RSS {}",
                usage.wall.as_secs_f64() * 1e3,
                usage
                    .child_peak_rss_bytes()
                    .map_or_else(|| "unknown".into(), mib)
            );
            let key = |metric| MeasurementKey {
                scenario: SCENARIO.into(),
                variant: Variant::Optimized.name().into(),
                benchmark: benchmark.clone(),
                metric,
            };
            fragment.measurements.push(Measurement::new(
                key(MetricKind::WallTime),
                usage.wall.as_nanos() as f64,
                Tool::Dhat,
            ));
            if let Some(peak) = usage.child_peak_rss_bytes() {
                fragment.measurements.push(Measurement::new(
                    key(MetricKind::PeakRss),
                    peak as f64,
                    Tool::Dhat,
                ));
            }
            usages.push(usage);
        }
        fragment
            .measurements
            .extend(ratios(&name, &usages[0], &usages[1]));
    }
    Ok(())
}

/// The worker against vipsthumbnail on one input, as ratios (below 1: the
/// worker is faster or smaller), so the result file carries the comparison
/// itself rather than leaving it to whoever reads both numbers.
fn ratios(name: &str, worker: &ChildUsage, vips: &ChildUsage) -> Vec<Measurement> {
    let key = |metric| MeasurementKey {
        scenario: SCENARIO.into(),
        variant: Variant::Optimized.name().into(),
        benchmark: format!("vips/ratio/{name}"),
        metric,
    };
    let time = worker.wall.as_secs_f64() / vips.wall.as_secs_f64();
    let mut out = vec![Measurement::new(
        key(MetricKind::TimeRatio),
        time,
        Tool::Dhat,
    )];
    let rss = match (worker.child_peak_rss_bytes(), vips.child_peak_rss_bytes()) {
        (Some(w), Some(v)) if v > 0 => {
            let ratio = w as f64 / v as f64;
            out.push(Measurement::new(
                key(MetricKind::PeakRssRatio),
                ratio,
                Tool::Dhat,
            ));
            format!("{ratio:.2}×")
        }
        _ => "unknown".into(),
    };
    eprintln!("vips/ratio/{name}: worker/vipsthumbnail time {time:.2}×, peak RSS {rss}");
    out
}
