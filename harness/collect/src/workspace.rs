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
//!
//! Discovery also keeps what `cargo bench` would tell a scenario's bench
//! executables about their package (its directory and `CARGO_PKG_*`), so the
//! stage can start the executables itself. It reads manifests only through
//! `cargo metadata`; it builds and runs nothing.

use crate::error::{CollectError, Result};
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
    /// The package's `Cargo.toml`; its directory is where benches run.
    pub manifest_path: PathBuf,
    /// The `CARGO_PKG_*` variables cargo sets for the package's benches.
    pub package_env: Vec<(String, String)>,
}

/// A bench target of a scenario and the tool it is written for.
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
            .map_err(CollectError::Metadata)?;
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
}

impl Scenario {
    /// The directory of the package's manifest: cargo runs benches there.
    pub fn package_dir(&self) -> &Path {
        self.manifest_path.parent().unwrap_or(Path::new("."))
    }

    fn from_package(package: &cargo_metadata::Package) -> Result<Option<Self>> {
        let Some(meta) = package.metadata.get("perflab") else {
            return Ok(None);
        };
        let manifest = package.manifest_path.clone().into_std_path_buf();
        let at = |message: String| CollectError::manifest(&manifest, message);
        let name = match meta.get("scenario") {
            None => package.name.to_string(),
            Some(v) => v
                .as_str()
                .ok_or_else(|| at("scenario must be a string".into()))?
                .to_owned(),
        };
        let variants: Vec<String> = match meta.get("variants") {
            None => {
                return Err(at(
                    "variants is missing: list the variants, reference first".into(),
                ));
            }
            Some(v) => serde_json::from_value(v.clone()).map_err(|e| CollectError::Manifest {
                manifest: manifest.clone(),
                message: "variants must be a list of strings".into(),
                source: Some(e),
            })?,
        };
        if variants.is_empty() {
            return Err(at(
                "variants is empty: list the variants, reference first".into()
            ));
        }
        let mut benches = Vec::new();
        if let Some(table) = meta.get("benches") {
            let table = table
                .as_object()
                .ok_or_else(|| at("benches must be a table of target = \"tool\"".into()))?;
            for (target, tool) in table {
                let tool = match tool.as_str() {
                    Some("criterion") => Tool::Criterion,
                    Some("gungraun") => Tool::Gungraun,
                    Some("divan") => Tool::Divan,
                    Some("goose") => Tool::Goose,
                    Some("dhat") => Tool::Dhat,
                    _ => {
                        return Err(at(format!(
                            "benches.{target}: unknown tool {tool} (expected \"criterion\", \"gungraun\", \"divan\", \"goose\" or \"dhat\")"
                        )));
                    }
                };
                let exists = package
                    .targets
                    .iter()
                    .any(|t| t.name == *target && t.kind.iter().any(|k| k.to_string() == "bench"));
                if !exists {
                    return Err(at(format!(
                        "benches: the package has no bench target named {target:?}"
                    )));
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
            package_env: package_env(package),
            manifest_path: manifest,
        }))
    }
}

/// The `CARGO_PKG_*` variables cargo gives a package's benches when it runs
/// them, read from the resolved manifest (workspace inheritance applied).
/// `CARGO_PKG_RUST_VERSION` is left out: `cargo metadata` hands it over
/// normalized (`1.95` becomes `1.95.0`), and no bench tool reads it.
fn package_env(package: &cargo_metadata::Package) -> Vec<(String, String)> {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let path = |value: &Option<cargo_metadata::camino::Utf8PathBuf>| {
        value.as_ref().map(ToString::to_string).unwrap_or_default()
    };
    let version = &package.version;
    [
        ("CARGO_PKG_NAME", package.name.to_string()),
        ("CARGO_PKG_VERSION", version.to_string()),
        ("CARGO_PKG_VERSION_MAJOR", version.major.to_string()),
        ("CARGO_PKG_VERSION_MINOR", version.minor.to_string()),
        ("CARGO_PKG_VERSION_PATCH", version.patch.to_string()),
        ("CARGO_PKG_VERSION_PRE", version.pre.to_string()),
        ("CARGO_PKG_AUTHORS", package.authors.join(":")),
        ("CARGO_PKG_DESCRIPTION", text(&package.description)),
        ("CARGO_PKG_HOMEPAGE", text(&package.homepage)),
        ("CARGO_PKG_REPOSITORY", text(&package.repository)),
        ("CARGO_PKG_LICENSE", text(&package.license)),
        ("CARGO_PKG_LICENSE_FILE", path(&package.license_file)),
        ("CARGO_PKG_README", path(&package.readme)),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value))
    .collect()
}
