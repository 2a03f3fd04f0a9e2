//! divan: prints its results as a table and writes no files, so perflab
//! keeps the step's stdout as `divan.txt` in the output directory (for a
//! look afterwards, and so every tool leaves its raw output in one place)
//! and parses the table with [`perflab_adapters::divan`].

use super::{BenchTool, Collected, StepContext};
use crate::error::{CollectError, Result, create_dir_all};
use perflab_schema::Tool;
use std::process::Command;

/// The file holding divan's stdout, inside the step's output directory.
const STDOUT_FILE: &str = "divan.txt";

/// divan benches.
#[derive(Debug, Clone, Copy, Default)]
pub struct Divan;

impl BenchTool for Divan {
    fn tool(&self) -> Tool {
        Tool::Divan
    }

    fn prepare(&self, _step: &StepContext<'_>, bench: &mut Command) -> Result<()> {
        // The table is parsed: no colour codes in it.
        bench.arg("--color=never");
        Ok(())
    }

    fn read(&self, step: &StepContext<'_>, stdout: &str) -> Result<Collected> {
        let out_dir = step.output();
        let stdout_file = out_dir.join(STDOUT_FILE);
        create_dir_all(&out_dir)?;
        std::fs::write(&stdout_file, stdout)
            .map_err(|e| CollectError::io("writing", &stdout_file, e))?;
        let measurements =
            perflab_adapters::divan::parse_table(stdout, &step.naming(), &stdout_file)?;
        Ok(measurements.into())
    }
}
