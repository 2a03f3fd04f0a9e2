//! What the stage prints while it works: one spinner per running command,
//! showing the command's latest output line when stderr is a terminal, and
//! `warning:` lines that are also kept in the run.
//!
//! Result lines (`… measurements in …`) are printed by the orchestration;
//! this module only runs a command under a spinner and turns a failure into
//! an error carrying the command's last lines and its log.

use crate::error::{CollectError, Result};
use crate::process::Host;
use indicatif::{ProgressBar, ProgressStyle};
use perflab_schema::Run;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// Runs `cmd` under a spinner labelled `label`; returns its stdout or fails
/// with the tail of its output and the log's path. Only lines for which
/// `for_people` is true are shown and quoted in the error.
pub fn execute(
    host: &dyn Host,
    cmd: &mut Command,
    log: &Path,
    label: &str,
    for_people: &dyn Fn(&str) -> bool,
) -> Result<String> {
    let spinner = ProgressBar::new_spinner();
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {prefix} {elapsed} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.set_prefix(label.to_owned());
    spinner.enable_steady_tick(Duration::from_millis(200));
    let finished = host.execute(cmd, log, &mut |line| {
        if !line.trim().is_empty() && for_people(line) {
            spinner.set_message(line.trim().to_owned());
        }
    });
    spinner.finish_and_clear();
    let finished = finished?;
    if !finished.status.success() {
        let tail: Vec<&str> = finished
            .tail
            .iter()
            .map(String::as_str)
            .filter(|l| for_people(l))
            .collect();
        return Err(CollectError::Failed {
            label: label.to_owned(),
            status: finished.status,
            log: log.to_owned(),
            tail: tail.join("\n"),
        });
    }
    Ok(finished.stdout)
}

/// Every line of a bench's output is for people.
pub fn all_lines(_: &str) -> bool {
    true
}

/// Prints a warning and keeps it in the run.
pub fn warn(run: &mut Run, message: String) {
    eprintln!("warning: {message}");
    run.warnings.push(message);
}
