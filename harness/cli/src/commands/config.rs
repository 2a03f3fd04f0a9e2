//! The gate's configuration as `perflab gate`, `compare` and `report` read
//! it: `--config FILE`, else `perflab.toml` at the workspace root, else the
//! built-in rules. Parsing and meaning are `perflab_gate::Config`'s.

use anyhow::{Context, Result, bail};
use std::path::Path;

/// The config file looked for at the workspace root when `--config` is not given.
pub const CONFIG_FILE: &str = "perflab.toml";

/// `--config FILE` (which must exist), else `perflab.toml` at the workspace
/// root if present, else the built-in rules.
pub fn load_config(root: &Path, explicit: Option<&Path>) -> Result<perflab_gate::Config> {
    let path = match explicit {
        Some(path) => path.to_owned(),
        None => {
            let default = root.join(CONFIG_FILE);
            if !default.exists() {
                return Ok(perflab_gate::Config::default());
            }
            default
        }
    };
    if !path.is_file() {
        bail!("gate config {} does not exist", path.display());
    }
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("reading gate config {}", path.display()))?;
    perflab_gate::Config::parse(&text)
        .with_context(|| format!("{}: invalid gate config", path.display()))
}
