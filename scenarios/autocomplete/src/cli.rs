//! The `build` and `query` subcommands of the `autocomplete` binary.

use std::path::PathBuf;

/// `autocomplete build TERMS -o FILE`.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// The term list: one term per line, optional `<TAB>weight` or `,weight`.
    pub terms: PathBuf,
    /// Where the index file goes (written atomically).
    #[arg(short, long)]
    pub output: PathBuf,
}

/// `autocomplete query FILE PREFIX [--fuzzy N] [-k K]`.
#[derive(Debug, clap::Args)]
pub struct QueryArgs {
    /// An index file written by `autocomplete build`.
    pub index: PathBuf,
    /// The prefix to complete.
    pub prefix: String,
    /// Allowed edit distance (0 to 2) between the prefix and a term's prefix.
    #[arg(long, default_value_t = 0)]
    pub fuzzy: u8,
    /// Number of suggestions.
    #[arg(short, default_value_t = 10)]
    pub k: usize,
}

/// Builds an index file.
pub fn build(args: &BuildArgs) -> anyhow::Result<()> {
    anyhow::bail!("building {} is not implemented yet", args.output.display())
}

/// Answers one query.
pub fn query(args: &QueryArgs) -> anyhow::Result<()> {
    anyhow::bail!("querying {} is not implemented yet", args.index.display())
}
