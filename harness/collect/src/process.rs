//! The side effects of collecting, behind the small [`Host`] trait so the
//! orchestration can be tested with a scripted host: running a child process
//! while showing its progress and keeping its output, and checking that a
//! measuring tool is installed. [`System`] is the real machine.
//!
//! The child's stdout and stderr are read line by line: every line goes to a
//! log file (so a failure can be diagnosed afterwards), the latest line is
//! shown as progress, and stdout is kept for tools whose results are only
//! printed (divan).

use crate::error::{CollectError, Result};
use crate::tools::BenchTool;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;

/// What a finished child left behind.
#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: String,
    /// The last lines of combined output, for error messages.
    pub tail: Vec<String>,
}

const TAIL_LINES: usize = 25;

/// What the collect stage needs from the machine.
pub trait Host {
    /// Whether `tool` can run here, or why not and how to fix it.
    fn check_tool(&self, tool: &dyn BenchTool, workspace_root: &Path) -> Result<(), String>;

    /// Runs `command` to completion, logging its output to `log` and passing
    /// each line to `on_line` as it arrives.
    fn execute(
        &self,
        command: &mut Command,
        log: &Path,
        on_line: &mut dyn FnMut(&str),
    ) -> Result<Finished>;
}

/// The real machine.
#[derive(Debug)]
pub struct System;

impl Host for System {
    fn check_tool(&self, tool: &dyn BenchTool, workspace_root: &Path) -> Result<(), String> {
        tool.available(workspace_root)
    }

    fn execute(
        &self,
        command: &mut Command,
        log: &Path,
        on_line: &mut dyn FnMut(&str),
    ) -> Result<Finished> {
        run_logged(command, log, on_line)
    }
}

/// Runs `command`, logging all output to `log` and passing each line to
/// `on_line` as it arrives.
pub fn run_logged(
    command: &mut Command,
    log: &Path,
    on_line: &mut dyn FnMut(&str),
) -> Result<Finished> {
    if let Some(dir) = log.parent() {
        crate::error::create_dir_all(dir)?;
    }
    let mut log_file =
        std::fs::File::create(log).map_err(|e| CollectError::io("creating log file", log, e))?;
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| CollectError::Start {
            command: format!("{command:?}"),
            source,
        })?;
    let (tx, rx) = mpsc::channel::<(bool, String)>();
    let readers = [
        child
            .stdout
            .take()
            .map(|s| spawn_reader(Box::new(s), true, tx.clone())),
        child
            .stderr
            .take()
            .map(|s| spawn_reader(Box::new(s), false, tx.clone())),
    ];
    drop(tx);
    let mut stdout = String::new();
    let mut tail = std::collections::VecDeque::with_capacity(TAIL_LINES);
    for (is_stdout, line) in rx {
        // A failing log write must not kill the benchmark; the tail still reports.
        let _ = writeln!(log_file, "{line}");
        if is_stdout {
            stdout.push_str(&line);
            stdout.push('\n');
        }
        if tail.len() == TAIL_LINES {
            tail.pop_front();
        }
        tail.push_back(line.clone());
        on_line(&line);
    }
    for reader in readers.into_iter().flatten() {
        let _ = reader.join();
    }
    let status = child.wait().map_err(CollectError::Wait)?;
    Ok(Finished {
        status,
        stdout,
        tail: tail.into(),
    })
}

fn spawn_reader(
    stream: Box<dyn std::io::Read + Send>,
    is_stdout: bool,
    tx: mpsc::Sender<(bool, String)>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut buf = Vec::new();
        // Lines may not be UTF-8 (tools print what they like); read bytes.
        while reader
            .read_until(b'\n', &mut buf)
            .map(|n| n > 0)
            .unwrap_or(false)
        {
            let line = String::from_utf8_lossy(&buf)
                .trim_end_matches(['\n', '\r'])
                .to_owned();
            buf.clear();
            if tx.send((is_stdout, line)).is_err() {
                break;
            }
        }
    })
}
