//! Benches that perflab drives through a library rather than by reading a
//! tool's files (goose load tests, dhat heap profiles): they write a
//! [`perflab_schema::Fragment`] to the path in `$PERFLAB_FRAGMENT`, keep
//! files they list as artifacts in `$PERFLAB_ARTIFACT_DIR`, and under
//! `--profile` profile themselves into `$PERFLAB_PROFILE_DIR`. perflab reads
//! the fragment with [`perflab_adapters::fragment`].

use super::{BenchTool, Collected, StepContext};
use crate::error::{Result, create_dir_all};
use perflab_schema::{ARTIFACT_DIR_ENV, FRAGMENT_ENV, PROFILE_DIR_ENV, Tool};
use std::process::Command;

/// Where a fragment-writing bench is told to write, inside its output directory.
const FRAGMENT_FILE: &str = "fragment.json";

/// A fragment-writing bench of the given tool (goose or dhat).
#[derive(Debug, Clone, Copy)]
pub struct Fragment(pub Tool);

impl BenchTool for Fragment {
    fn tool(&self) -> Tool {
        self.0
    }

    fn prepare(&self, step: &StepContext<'_>, bench: &mut Command) -> Result<()> {
        // The bench only writes its files; the directories are ours to make.
        let out_dir = step.output();
        create_dir_all(&out_dir)?;
        bench.env(FRAGMENT_ENV, out_dir.join(FRAGMENT_FILE));
        let artifacts = step.dirs.artifacts(step.scenario, step.bench);
        create_dir_all(&artifacts)?;
        bench.env(ARTIFACT_DIR_ENV, artifacts);
        if step.profiling {
            bench.env(PROFILE_DIR_ENV, &step.dirs.profiles);
        }
        Ok(())
    }

    fn read(&self, step: &StepContext<'_>, _stdout: &str) -> Result<Collected> {
        let path = step.output().join(FRAGMENT_FILE);
        let fragment = perflab_adapters::fragment::collect(&path, &step.naming())?;
        Ok(Collected {
            measurements: fragment.measurements,
            artifacts: fragment.artifacts,
            warnings: fragment.warnings,
        })
    }
}
