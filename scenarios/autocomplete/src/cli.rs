//! The `build` and `query` subcommands of the `autocomplete` binary.
//!
//! `build` reads a term list ([`crate::load_terms`]: one term per line,
//! optional `<TAB>weight` or `,weight`), builds the compact index and
//! writes it atomically. `query` maps an index file (checksum verified),
//! answers one query and prints `text<TAB>weight<TAB>distance` lines, best
//! first. Errors name the file or argument at fault.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;

use crate::{Completer, FuzzyQuery, Optimized, load_terms};

/// The most suggestions one query may ask for.
pub const MAX_K: usize = 1_000;

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
    /// Number of suggestions (1 to 1000).
    #[arg(short, default_value_t = 10)]
    pub k: usize,
}

/// Builds an index file, reporting progress and the result on stderr.
pub fn build(args: &BuildArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    eprintln!("reading {}", args.terms.display());
    let terms = load_terms(&args.terms)?;
    let read = terms.len();
    eprintln!("building the index of {read} lines");
    let index = Optimized::build(terms);
    index
        .write(&args.output)
        .with_context(|| format!("writing the index to {}", args.output.display()))?;
    let bytes = index.as_bytes().len();
    eprintln!(
        "wrote {}: {} distinct terms ({read} lines), {} nodes, {bytes} bytes ({:.2} bytes/term) in {:.2} s",
        args.output.display(),
        index.len(),
        index.node_count(),
        bytes as f64 / index.len().max(1) as f64,
        started.elapsed().as_secs_f64(),
    );
    Ok(())
}

/// Answers one query from an index file on stdout.
pub fn query(args: &QueryArgs) -> anyhow::Result<()> {
    if !(1..=MAX_K).contains(&args.k) {
        anyhow::bail!("-k {}: must be between 1 and {MAX_K}", args.k);
    }
    let query = FuzzyQuery::new(&args.prefix, args.fuzzy)
        .with_context(|| format!("query {:?}", args.prefix))?;
    let index = Optimized::open(&args.index)?;
    let found = index.complete_fuzzy(&query, args.k);
    if found.is_empty() {
        eprintln!(
            "no term in {} matches {:?} within distance {}",
            args.index.display(),
            args.prefix,
            args.fuzzy
        );
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    for s in found {
        writeln!(out, "{}\t{}\t{}", s.text, s.weight, s.distance).context("writing to stdout")?;
    }
    Ok(())
}
