//! A throwaway workspace in a git repository, and run files to feed perflab.

use assert_cmd::Command;
use perflab_schema::{
    Environment, GitInfo, Interval, Measurement, MeasurementKey, MetricKind, Run, Tool,
};
use std::path::{Path, PathBuf};

pub struct Repo {
    pub dir: tempfile::TempDir,
}

impl Repo {
    /// A git repository with a minimal cargo workspace and one commit.
    pub fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[package]\nname = \"fixture\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/lib.rs"), "").unwrap();
        let repo = Repo { dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.commit("initial");
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn git(&self, args: &[&str]) {
        let status = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(self.path())
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    }

    pub fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
    }

    pub fn perflab(&self) -> Command {
        let mut cmd = Command::cargo_bin("perflab").unwrap();
        cmd.current_dir(self.path())
            .env_remove("GITHUB_ACTIONS")
            .env_remove("GITHUB_STEP_SUMMARY");
        // The scratch workspace must not see the caller's target dir or settings.
        for var in [
            "CARGO_TARGET_DIR",
            "PERFLAB_BASELINE",
            "PERFLAB_BASELINE_MACHINE",
            "PERFLAB_AGAINST",
            "PERFLAB_MERGE_BASE",
            "PERFLAB_CONFIG",
            "PERFLAB_MARKDOWN",
            "PERFLAB_MACHINE_ID",
            "PERFLAB_REPORT_URL",
            "PERFLAB_REPORT_DIR",
            "PERFLAB_REPORT_HISTORY",
        ] {
            cmd.env_remove(var);
        }
        cmd
    }

    /// Writes a run file into the repository's ignored scratch area.
    pub fn write_run(&self, name: &str, run: &Run) -> PathBuf {
        let dir = self.path().join("runs");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(self.path().join(".gitignore"), "runs/\ntarget/\n").unwrap();
        let path = dir.join(name);
        std::fs::write(&path, run.to_json()).unwrap();
        path
    }

    pub fn baseline_path(&self, name: &str, machine: &str) -> PathBuf {
        self.path()
            .join("baselines")
            .join(name)
            .join(format!("{machine}.json"))
    }
}

pub const MACHINE: &str = "test-machine";

fn key(variant: &str, benchmark: &str, metric: MetricKind) -> MeasurementKey {
    MeasurementKey {
        scenario: "autocomplete".into(),
        variant: variant.into(),
        benchmark: benchmark.into(),
        metric,
    }
}

/// Wall-time samples around `center` with a deterministic ±1% spread.
fn samples(center: f64) -> Vec<f64> {
    (0..30)
        .map(|i| center * (1.0 + ((i * 7) % 11) as f64 / 500.0 - 0.01))
        .collect()
}

/// A run shaped like a real autocomplete run: wall time from criterion with
/// samples, instructions from gungraun, for both variants.
pub fn run(machine: &str) -> Run {
    let env = Environment {
        git: Some(GitInfo {
            commit: "0".repeat(40),
            dirty: false,
            branch: Some("main".into()),
        }),
        rustc: Some("rustc 1.95.0".into()),
        target: "x86_64-unknown-linux-gnu".into(),
        cpu_model: Some("Test CPU".into()),
        cores: 2,
        memory_bytes: None,
        os: "Linux".into(),
        kernel: None,
        cargo_lock_sha256: None,
        machine_id: machine.into(),
    };
    let mut run = Run::new(1_750_000_000, env);
    for (variant, wall, instructions) in [
        ("naive", 8_000_000.0, 40_000_000.0),
        ("optimized", 2_000.0, 15_000.0),
    ] {
        let bench = "complete/terms_1m_prefix_2";
        let s = samples(wall);
        run.measurements.push(
            Measurement::new(
                key(variant, bench, MetricKind::WallTime),
                wall,
                Tool::Criterion,
            )
            .with_interval(Interval {
                lower: wall * 0.99,
                upper: wall * 1.01,
                level: 0.95,
            })
            .with_samples(s),
        );
        run.measurements.push(Measurement::new(
            key(variant, bench, MetricKind::Instructions),
            instructions,
            Tool::Gungraun,
        ));
    }
    run.normalize();
    run
}

/// Scales every value of every measurement, as if all were `factor` times as large.
pub fn scale(run: &mut Run, factor: f64) {
    for m in &mut run.measurements {
        m.estimate *= factor;
        if let Some(i) = &mut m.interval {
            i.lower *= factor;
            i.upper *= factor;
        }
        if let Some(s) = &mut m.samples {
            s.iter_mut().for_each(|v| *v *= factor);
        }
    }
}
