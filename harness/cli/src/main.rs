//! `perflab`: run benchmarks, keep baselines in git, compare, gate CI.
//!
//! Exit codes: 0 success (the gate passed), 1 the gate found a regression,
//! 2 error (bad input, missing baseline, a tool failed).

mod baselines;
mod cli;
mod commands;
mod filter;

use clap::Parser;
use std::process::ExitCode;

/// The gate found a regression.
pub const EXIT_REGRESSION: u8 = 1;
/// Anything went wrong: bad input, missing baseline, a failing tool.
pub const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Commands::Run(args) => commands::run::run(&args),
        cli::Commands::Baseline(command) => commands::baseline::run(&command),
        cli::Commands::Compare(args) => commands::compare::run(&args),
        cli::Commands::Gate(args) => commands::gate::run(&args),
        cli::Commands::Findings(args) => commands::findings::run(&args),
        cli::Commands::Report(args) => commands::report::run(&args),
        cli::Commands::Schema => {
            print!("{}", perflab_schema::json_schema());
            Ok(ExitCode::SUCCESS)
        }
    };
    result.unwrap_or_else(|error| {
        eprintln!("error: {}", describe(&error));
        ExitCode::from(EXIT_ERROR)
    })
}

/// The error and its causes on one line, skipping a cause whose text the
/// message already contains (typed errors often spell out their source).
fn describe(error: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if message.contains(&text) {
            continue;
        }
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(&text);
    }
    message
}

#[cfg(test)]
mod tests {
    #[test]
    fn causes_already_in_the_message_are_not_repeated() {
        let io = std::io::Error::other("disk on fire");
        let error = anyhow::Error::new(io)
            .context("reading x.json: disk on fire")
            .context("loading");
        assert_eq!(
            super::describe(&error),
            "loading: reading x.json: disk on fire"
        );
    }
}
