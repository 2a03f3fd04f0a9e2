//! `autocomplete`: build an index file, query it, or serve it over HTTP.
//!
//! ```text
//! autocomplete build TERMS -o FILE          # a term list to a mapped index file
//! autocomplete query FILE PREFIX [--fuzzy N] [-k K]
//! autocomplete serve [--index FILE | --terms FILE | --generate N] [--addr ADDR]
//! ```
//!
//! Errors name the file or argument at fault and exit with status 2.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "autocomplete",
    version,
    about = "Autocomplete index: build, query, serve"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Builds an index file from a term list (one term per line, optional
    /// `<TAB>weight` or `,weight`).
    Build(autocomplete::cli::BuildArgs),
    /// Answers one query from an index file.
    Query(autocomplete::cli::QueryArgs),
    /// Serves `GET /complete`, `/metrics` and a search page.
    Serve(autocomplete::serve::ServeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build(args) => autocomplete::cli::build(&args),
        Command::Query(args) => autocomplete::cli::query(&args),
        Command::Serve(args) => autocomplete::serve::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("autocomplete: {error:#}");
            ExitCode::from(2)
        }
    }
}
