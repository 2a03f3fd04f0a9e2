//! criterion 0.8: one benchmark's `new/{benchmark,estimates,sample}.json`
//! become one [`MetricKind::WallTime`] measurement.
//!
//! The estimate is criterion's median point estimate, the interval the median's
//! bootstrap confidence interval (at the level written in the file), and the
//! samples the per-iteration times `times[i] / iters[i]`, all in nanoseconds.
//! The id segments are `group_id`, `function_id` and `value_str` (either of the
//! last two may be null; `/` inside them splits further, see [`Naming::key`]).
//!
//! Only the `new/` directory is read: `base/` and named baselines are
//! criterion's own comparison state, which perflab replaces with its store.
//! Throughput settings, the mean, slope and the Tukey fences are not used.

use crate::error::{AdapterError, Problem};
use crate::files::{self, Unique, non_negative};
use crate::naming::Naming;
use perflab_schema::{Interval, Measurement, MetricKind, Tool};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The directory criterion writes the latest run of a benchmark into.
pub const NEW_DIR: &str = "new";

/// How far (relative) the median in `estimates.json` may be from the median of
/// `sample.json` before the files are taken to come from different runs.
/// Criterion computes one from the other, so only float rounding separates them.
const MEDIAN_AGREEMENT: f64 = 1e-9;

#[derive(Deserialize)]
struct BenchmarkFile {
    group_id: String,
    function_id: Option<String>,
    value_str: Option<String>,
    full_id: String,
    /// Where criterion put the benchmark, relative to its home; absent in
    /// files from older versions.
    #[serde(default)]
    directory_name: Option<String>,
}

#[derive(Deserialize)]
struct EstimatesFile {
    median: Estimate,
}

#[derive(Deserialize)]
struct Estimate {
    point_estimate: f64,
    confidence_interval: ConfidenceInterval,
}

#[derive(Deserialize)]
struct ConfidenceInterval {
    confidence_level: f64,
    lower_bound: f64,
    upper_bound: f64,
}

#[derive(Deserialize)]
struct SampleFile {
    iters: Vec<f64>,
    times: Vec<f64>,
}

/// Parses one benchmark's three files, given as strings. `origin` is the
/// directory they came from (criterion's `.../new`); errors name the file in it.
pub fn parse(
    benchmark_json: &str,
    estimates_json: &str,
    sample_json: &str,
    naming: &Naming,
    origin: &Path,
) -> Result<Vec<Measurement>, AdapterError> {
    let (_, measurement) = parse_one(benchmark_json, estimates_json, sample_json, naming, origin)?;
    Ok(vec![measurement])
}

/// [`parse`], also handing back `benchmark.json` for [`collect`]'s checks.
fn parse_one(
    benchmark_json: &str,
    estimates_json: &str,
    sample_json: &str,
    naming: &Naming,
    origin: &Path,
) -> Result<(BenchmarkFile, Measurement), AdapterError> {
    let benchmark_path = origin.join("benchmark.json");
    let estimates_path = origin.join("estimates.json");
    let sample_path = origin.join("sample.json");

    let benchmark: BenchmarkFile = from_json(&benchmark_path, benchmark_json)?;
    let segments = id_segments(&benchmark, &benchmark_path)?;

    let estimates: EstimatesFile = from_json(&estimates_path, estimates_json)?;
    let median = &estimates.median;
    let estimate = non_negative(
        &estimates_path,
        "median.point_estimate",
        median.point_estimate,
    )?;
    let ci = &median.confidence_interval;
    let lower = non_negative(
        &estimates_path,
        "median.confidence_interval.lower_bound",
        ci.lower_bound,
    )?;
    let upper = non_negative(
        &estimates_path,
        "median.confidence_interval.upper_bound",
        ci.upper_bound,
    )?;
    if lower > upper {
        return Err(AdapterError::field(
            &estimates_path,
            "median.confidence_interval",
            format!("lower bound {lower} is above upper bound {upper}"),
        ));
    }
    let level = ci.confidence_level;
    if !(level > 0.0 && level < 1.0) {
        return Err(AdapterError::field(
            &estimates_path,
            "median.confidence_interval.confidence_level",
            format!("{level} is not in (0, 1)"),
        ));
    }

    let sample: SampleFile = from_json(&sample_path, sample_json)?;
    let per_iteration = per_iteration_times(&sample, &sample_path)?;
    let sample_median = median_of(&per_iteration);
    if (sample_median - estimate).abs() > MEDIAN_AGREEMENT * estimate.max(sample_median).max(1.0) {
        return Err(AdapterError::new(
            origin,
            Problem::Mismatch(format!(
                "estimates.json has median {estimate} ns but the samples in sample.json have median \
                 {sample_median} ns; they come from different runs"
            )),
        ));
    }

    let key = naming.key(&segments, MetricKind::WallTime);
    let measurement = Measurement::new(key, estimate, Tool::Criterion)
        .with_interval(Interval {
            lower,
            upper,
            level,
        })
        .with_samples(per_iteration);
    Ok((benchmark, measurement))
}

/// Walks a criterion home (`target/criterion`, or `$CRITERION_HOME`) and
/// parses every `*/new/benchmark.json` with its sibling files. Results are
/// sorted by key; none at all is an error, as are two benchmarks that the
/// naming convention maps onto one key.
pub fn collect(dir: &Path, naming: &Naming) -> Result<Vec<Measurement>, AdapterError> {
    let found = files::find(dir, &|p: &Path| {
        p.file_name().is_some_and(|n| n == "benchmark.json")
            && p.parent()
                .and_then(Path::file_name)
                .is_some_and(|n| n == NEW_DIR)
    })?;
    let mut all = Unique::default();
    for benchmark_path in found {
        let new_dir = benchmark_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let benchmark_json = files::read(&benchmark_path)?;
        let estimates_json = files::read(&new_dir.join("estimates.json"))?;
        let sample_json = files::read(&new_dir.join("sample.json"))?;
        let (benchmark, measurement) = parse_one(
            &benchmark_json,
            &estimates_json,
            &sample_json,
            naming,
            &new_dir,
        )?;
        check_location(&benchmark, &new_dir)?;
        all.extend(&new_dir, &new_dir.display().to_string(), vec![measurement])?;
    }
    all.finish(dir, || {
        "no criterion results (*/new/benchmark.json) found; did the benches run with this \
         CRITERION_HOME?"
            .to_owned()
    })
}

fn from_json<'a, T: Deserialize<'a>>(path: &Path, text: &'a str) -> Result<T, AdapterError> {
    serde_json::from_str(text).map_err(|e| AdapterError::json(path, e))
}

/// The id segments, after checking that `full_id` is what the parts say.
fn id_segments<'a>(b: &'a BenchmarkFile, path: &Path) -> Result<Vec<&'a str>, AdapterError> {
    let segments: Vec<&str> = [
        Some(b.group_id.as_str()),
        b.function_id.as_deref(),
        b.value_str.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let joined = segments.join("/");
    if joined != b.full_id {
        return Err(AdapterError::field(
            path,
            "full_id",
            format!(
                "{:?} is not group_id/function_id/value_str ({joined:?})",
                b.full_id
            ),
        ));
    }
    Ok(segments)
}

/// Checks that a benchmark.json sits where criterion said it put it, so a
/// copied or stale file is not attributed to the wrong benchmark.
fn check_location(benchmark: &BenchmarkFile, new_dir: &Path) -> Result<(), AdapterError> {
    let path = new_dir.join("benchmark.json");
    let Some(expected) = &benchmark.directory_name else {
        return Ok(());
    };
    let bench_dir: PathBuf = new_dir.parent().map(Path::to_path_buf).unwrap_or_default();
    if bench_dir.ends_with(expected) {
        Ok(())
    } else {
        Err(AdapterError::new(
            &path,
            Problem::Mismatch(format!(
                "its directory_name is {expected:?} but it was found in {}",
                bench_dir.display()
            )),
        ))
    }
}

fn per_iteration_times(sample: &SampleFile, path: &Path) -> Result<Vec<f64>, AdapterError> {
    if sample.iters.len() != sample.times.len() {
        return Err(AdapterError::field(
            path,
            "times",
            format!(
                "has {} entries but `iters` has {}",
                sample.times.len(),
                sample.iters.len()
            ),
        ));
    }
    if sample.iters.is_empty() {
        return Err(AdapterError::field(path, "iters", "is empty"));
    }
    sample
        .iters
        .iter()
        .zip(&sample.times)
        .enumerate()
        .map(|(i, (&iters, &time))| {
            let time = non_negative(path, &format!("times[{i}]"), time)?;
            if !(iters.is_finite() && iters >= 1.0) {
                return Err(AdapterError::field(
                    path,
                    &format!("iters[{i}]"),
                    format!("{iters} is not a positive iteration count"),
                ));
            }
            Ok(time / iters)
        })
        .collect()
}

/// The median as criterion computes it: the middle value, or the mean of the
/// two middle values. `values` is non-empty and finite.
fn median_of(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if !sorted.len().is_multiple_of(2) {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_lengths() {
        assert_eq!(median_of(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median_of(&[4.0, 1.0, 3.0, 2.0]), 2.5);
    }

    #[test]
    fn segments_skip_null_parts_and_check_full_id() {
        let b = BenchmarkFile {
            group_id: "checksum".into(),
            function_id: None,
            value_str: None,
            full_id: "checksum".into(),
            directory_name: None,
        };
        assert_eq!(id_segments(&b, Path::new("b")).unwrap(), vec!["checksum"]);
        let wrong = BenchmarkFile {
            full_id: "other".into(),
            ..b
        };
        let err = id_segments(&wrong, Path::new("b.json")).unwrap_err();
        assert!(err.to_string().contains("full_id"), "{err}");
    }
}
