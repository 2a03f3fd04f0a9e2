//! Finding the scenarios: every workspace package that declares
//! `[package.metadata.perflab]` in its Cargo.toml.
//!
//! ```toml
//! [package.metadata.perflab]
//! scenario = "autocomplete"             # defaults to the package name
//! variants = ["naive", "optimized"]     # the first is the reference for speedups
//! [package.metadata.perflab.benches]    # bench target -> the tool it uses
//! wall_time = "criterion"
//! instructions = "gungraun"
//! quick = "divan"
//! load = "goose"                       # writes a perflab fragment (see perflab_schema::Fragment)
//! ```

use anyhow::{Context, Result, bail};
use perflab_schema::Tool;
use std::path::{Path, PathBuf};

/// The cargo workspace perflab works in.
#[derive(Debug)]
pub struct Workspace {
    pub root: PathBuf,
    pub target_dir: PathBuf,
    pub scenarios: Vec<Scenario>,
}

/// A scenario crate and its bench targets.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub package: String,
    pub name: String,
    pub variants: Vec<String>,
    pub benches: Vec<BenchTarget>,
}

#[derive(Debug, Clone)]
pub struct BenchTarget {
    pub name: String,
    pub tool: Tool,
}

impl Workspace {
    /// Reads `cargo metadata` for the workspace containing `dir`.
    pub fn discover(dir: &Path) -> Result<Self> {
        let metadata = cargo_metadata::MetadataCommand::new()
            .current_dir(dir)
            .no_deps()
            .exec()
            .context("running `cargo metadata` (is this inside a cargo workspace?)")?;
        let mut scenarios = Vec::new();
        for package in metadata.workspace_packages() {
            if let Some(scenario) = Scenario::from_package(package)? {
                scenarios.push(scenario);
            }
        }
        scenarios.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Workspace {
            root: metadata.workspace_root.into_std_path_buf(),
            target_dir: metadata.target_directory.into_std_path_buf(),
            scenarios,
        })
    }

    /// Where perflab keeps its own files: runs, raw tool output, logs.
    pub fn perflab_dir(&self) -> PathBuf {
        self.target_dir.join("perflab")
    }

    pub fn baselines_dir(&self) -> PathBuf {
        self.root.join(perflab_store::BASELINE_DIR)
    }
}

impl Scenario {
    fn from_package(package: &cargo_metadata::Package) -> Result<Option<Self>> {
        let Some(meta) = package.metadata.get("perflab") else {
            return Ok(None);
        };
        let manifest = package.manifest_path.clone().into_std_path_buf();
        let at =
            |field: &str| format!("{}: [package.metadata.perflab] {field}", manifest.display());
        let name = match meta.get("scenario") {
            None => package.name.to_string(),
            Some(v) => v
                .as_str()
                .with_context(|| format!("{} must be a string", at("scenario")))?
                .to_owned(),
        };
        let variants: Vec<String> = match meta.get("variants") {
            None => bail!(
                "{} is missing: list the variants, reference first",
                at("variants")
            ),
            Some(v) => serde_json::from_value(v.clone())
                .with_context(|| format!("{} must be a list of strings", at("variants")))?,
        };
        if variants.is_empty() {
            bail!(
                "{} is empty: list the variants, reference first",
                at("variants")
            );
        }
        let mut benches = Vec::new();
        if let Some(table) = meta.get("benches") {
            let table = table.as_object().with_context(|| {
                format!("{} must be a table of target = \"tool\"", at("benches"))
            })?;
            for (target, tool) in table {
                let tool = match tool.as_str() {
                    Some("criterion") => Tool::Criterion,
                    Some("gungraun") => Tool::Gungraun,
                    Some("divan") => Tool::Divan,
                    Some("goose") => Tool::Goose,
                    Some("dhat") => Tool::Dhat,
                    _ => bail!(
                        "{}: unknown tool {tool} (expected \"criterion\", \"gungraun\", \"divan\", \"goose\" or \"dhat\")",
                        at(&format!("benches.{target}"))
                    ),
                };
                let exists = package
                    .targets
                    .iter()
                    .any(|t| t.name == *target && t.kind.iter().any(|k| k.to_string() == "bench"));
                if !exists {
                    bail!(
                        "{}: the package has no bench target named {target:?}",
                        at("benches")
                    );
                }
                benches.push(BenchTarget {
                    name: target.clone(),
                    tool,
                });
            }
        }
        benches.sort_by_key(|b| b.tool);
        Ok(Some(Scenario {
            package: package.name.to_string(),
            name,
            variants,
            benches,
        }))
    }
}
