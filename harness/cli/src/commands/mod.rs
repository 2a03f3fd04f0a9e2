//! One module per subcommand. Each reads its arguments, wires the libraries
//! together and prints; none computes statistics or parses tool output.

pub mod baseline;
pub mod compare;
pub mod gate;
pub mod run;

use crate::workspace::Workspace;
use anyhow::{Context, Result};

/// The workspace containing the current directory.
pub fn workspace() -> Result<Workspace> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    Workspace::discover(&cwd)
}

/// Prints a warning on stderr.
pub fn warn(message: &str) {
    eprintln!("warning: {message}");
}
