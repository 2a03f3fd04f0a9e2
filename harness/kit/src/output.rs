//! The bench side of `perflab run`'s protocol: where a bench writes its
//! [`Fragment`], the files its artifacts point to, and its profiles.
//!
//! `perflab run` passes three paths in the environment
//! ([`FRAGMENT_ENV`], [`ARTIFACT_DIR_ENV`], [`PROFILE_DIR_ENV`]); a bench
//! started on its own (`cargo bench`, `cargo test --benches`) has none of
//! them and writes nothing of perflab's. [`BenchOutput`] reads them once and
//! writes every file with [`perflab_fs::write_atomic`], so perflab never
//! reads half a fragment or half a scrape, even when a bench is killed.
//!
//! What it does not do: measure, merge fragments (perflab does), or decide
//! what a bench keeps.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use perflab_schema::{
    ARTIFACT_DIR_ENV, Artifact, ArtifactKind, FRAGMENT_ENV, Fragment, PROFILE_DIR_ENV,
};

/// A bench's file could not be written; names the file.
#[derive(Debug, thiserror::Error)]
#[error("writing {}: {source}", path.display())]
pub struct OutputError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

impl From<perflab_fs::WriteError> for OutputError {
    fn from(e: perflab_fs::WriteError) -> Self {
        OutputError {
            path: e.path,
            source: e.source,
        }
    }
}

/// Where `perflab run` asked one scenario's bench to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchOutput {
    scenario: String,
    fragment: Option<PathBuf>,
    artifact_dir: Option<PathBuf>,
    profile_dir: Option<PathBuf>,
}

impl BenchOutput {
    /// The paths from this process's environment, for the bench of
    /// `scenario` (the name artifacts are filed under).
    pub fn from_env(scenario: &str) -> Self {
        Self::from_vars(scenario, |name| std::env::var_os(name))
    }

    /// The paths from `var` (a variable's value by name), as
    /// [`from_env`](Self::from_env) reads them.
    pub fn from_vars(scenario: &str, var: impl Fn(&str) -> Option<OsString>) -> Self {
        let path = |name| var(name).map(PathBuf::from);
        BenchOutput {
            scenario: scenario.to_owned(),
            fragment: path(FRAGMENT_ENV),
            artifact_dir: path(ARTIFACT_DIR_ENV),
            profile_dir: path(PROFILE_DIR_ENV),
        }
    }

    /// The scenario this bench measures.
    pub fn scenario(&self) -> &str {
        &self.scenario
    }

    /// Where the fragment goes, when perflab runs this bench.
    pub fn fragment_path(&self) -> Option<&Path> {
        self.fragment.as_deref()
    }

    /// Where files that artifacts point to go (heap profiles, scrapes), when
    /// perflab runs this bench; fresh for each run.
    pub fn artifact_dir(&self) -> Option<&Path> {
        self.artifact_dir.as_deref()
    }

    /// Where CPU profiles go, when `perflab run --profile` asked for them.
    pub fn profile_dir(&self) -> Option<&Path> {
        self.profile_dir.as_deref()
    }

    /// An artifact of this scenario pointing at `path`.
    pub fn artifact(
        &self,
        variant: &str,
        benchmark: &str,
        kind: ArtifactKind,
        path: &Path,
    ) -> Artifact {
        Artifact {
            scenario: self.scenario.clone(),
            variant: variant.to_owned(),
            benchmark: benchmark.to_owned(),
            kind,
            path: path.display().to_string(),
            against: None,
        }
    }

    /// Writes `contents` as `file_name` in the artifact directory and
    /// returns the artifact pointing at it; `None` (and nothing written)
    /// when perflab gave no artifact directory.
    pub fn keep(
        &self,
        variant: &str,
        benchmark: &str,
        kind: ArtifactKind,
        file_name: &str,
        contents: &[u8],
    ) -> Result<Option<Artifact>, OutputError> {
        let Some(dir) = self.artifact_dir() else {
            return Ok(None);
        };
        let path = dir.join(file_name);
        perflab_fs::write_atomic(&path, contents)?;
        Ok(Some(self.artifact(variant, benchmark, kind, &path)))
    }

    /// Writes `fragment` where perflab asked for it; does nothing when this
    /// bench runs on its own.
    pub fn write_fragment(&self, fragment: &Fragment) -> Result<(), OutputError> {
        if let Some(path) = self.fragment_path() {
            perflab_fs::write_atomic(path, fragment.to_json().as_bytes())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn output(vars: &[(&str, &Path)]) -> BenchOutput {
        let vars: HashMap<String, OsString> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.as_os_str().to_owned()))
            .collect();
        BenchOutput::from_vars("demo", |name| vars.get(name).cloned())
    }

    #[test]
    fn on_its_own_a_bench_writes_nothing() {
        let out = output(&[]);
        assert_eq!(out.fragment_path(), None);
        assert_eq!(out.artifact_dir(), None);
        assert_eq!(out.profile_dir(), None);
        let kept = out
            .keep("naive", "load", ArtifactKind::Other, "x.txt", b"x")
            .unwrap();
        assert_eq!(kept, None);
        out.write_fragment(&Fragment::new(Vec::new())).unwrap();
    }

    #[test]
    fn fragments_and_artifacts_go_where_perflab_asked() {
        let dir = tempfile::tempdir().unwrap();
        let fragment_path = dir.path().join("out/fragment.json");
        let artifacts = dir.path().join("artifacts");
        let profiles = dir.path().join("profiles");
        let out = output(&[
            (FRAGMENT_ENV, &fragment_path),
            (ARTIFACT_DIR_ENV, &artifacts),
            (PROFILE_DIR_ENV, &profiles),
        ]);
        assert_eq!(out.profile_dir(), Some(profiles.as_path()));
        assert_eq!(out.scenario(), "demo");

        let kept = out
            .keep(
                "optimized",
                "load/closed",
                ArtifactKind::MetricsScrape,
                "scrape.txt",
                b"# TYPE x counter\n",
            )
            .unwrap()
            .expect("an artifact directory was given");
        let path = artifacts.join("scrape.txt");
        assert_eq!(std::fs::read(&path).unwrap(), b"# TYPE x counter\n");
        assert_eq!(
            kept,
            Artifact {
                scenario: "demo".into(),
                variant: "optimized".into(),
                benchmark: "load/closed".into(),
                kind: ArtifactKind::MetricsScrape,
                path: path.display().to_string(),
                against: None,
            }
        );

        let mut fragment = Fragment::new(Vec::new());
        fragment.artifacts.push(kept);
        out.write_fragment(&fragment).unwrap();
        let back = Fragment::from_json(&std::fs::read(&fragment_path).unwrap()).unwrap();
        assert_eq!(back, fragment);
    }

    #[test]
    fn a_failed_write_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        // A directory where the fragment should go: the write fails.
        let taken = dir.path().join("taken");
        std::fs::create_dir(&taken).unwrap();
        std::fs::write(taken.join("inside"), "x").unwrap();
        let err = output(&[(FRAGMENT_ENV, &taken)])
            .write_fragment(&Fragment::new(Vec::new()))
            .unwrap_err();
        assert_eq!(err.path, taken);
        assert!(
            err.to_string()
                .starts_with(&format!("writing {}: ", taken.display()))
        );
    }
}
