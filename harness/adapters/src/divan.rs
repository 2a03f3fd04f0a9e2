//! divan 0.1: the box-drawing table it prints (run with `--color=never`)
//! becomes one [`MetricKind::WallTime`] measurement per benchmark row.
//!
//! divan has no machine-readable output, so this reads what a person reads:
//!
//! ```text
//! div_sort            fastest       │ slowest       │ median        │ mean          │ samples │ iters
//! ╰─ sort                           │               │               │               │         │
//!    ├─ naive                       │               │               │               │         │
//!    │  ├─ 100        1.531 µs      │ 6.418 µs      │ 1.541 µs      │ 1.676 µs      │ 100     │ 100
//! ```
//!
//! The header line names the table (the bench binary, which is dropped like
//! gungraun's file name) and its columns. Each `├─`/`╰─`/`└─` row sits one
//! level below the nearest shallower row, so a row's path is its ancestors'
//! names and its own: modules, function, then generic type, argument and
//! thread rows (`sort/naive/100`). A row with values is a benchmark; its
//! `median` column, scaled to nanoseconds, is the estimate. divan gives no
//! interval and no samples. Rows under a benchmark that have no name of their
//! own (counter throughputs, allocation counts) are skipped, as are
//! `(ignored)` benchmarks and any text between tables (cargo's `Running …`
//! lines, `Timer precision: …`). Several tables in one input (several bench
//! binaries) are read in turn.
//!
//! Anything inside a table that does not fit this shape is an error naming
//! the line, and so is input with no table at all: never a silent empty list.

use crate::error::{AdapterError, Problem};
use crate::files::{self, Unique};
use crate::naming::Naming;
use perflab_schema::{Measurement, MetricKind, Tool};
use std::path::Path;

mod line;

use line::{Line, classify, duration_ns};

/// Parses divan's stdout. `origin` names the input in errors (the file the
/// output was saved to, or a label such as `stdout of cargo bench`).
pub fn parse_table(
    stdout: &str,
    naming: &Naming,
    origin: &Path,
) -> Result<Vec<Measurement>, AdapterError> {
    let mut all = Unique::default();
    let mut table: Option<Table> = None;
    let mut first_table_line = None;
    for (index, raw) in stdout.lines().enumerate() {
        let number = index + 1;
        let at = |problem: String| {
            AdapterError::new(
                origin,
                Problem::Line {
                    line: number,
                    problem,
                },
            )
        };
        let text = line::strip_ansi(raw);
        let columns = table.as_ref().map(|t| t.columns.as_slice());
        match classify(&text, columns).map_err(at)? {
            Line::Header { columns } => {
                first_table_line.get_or_insert(number);
                table = Some(Table {
                    median: columns.iter().position(|c| c == "median"),
                    columns,
                    path: Vec::new(),
                });
            }
            Line::Row {
                depth,
                name,
                values,
            } => {
                let Some(t) = table.as_mut() else {
                    return Err(at("a divan table row without a header line above it".into()));
                };
                if depth > t.path.len() + 1 {
                    return Err(at(format!(
                        "row {name:?} is nested {depth} levels deep but its parent is at level {}",
                        t.path.len()
                    )));
                }
                t.path.truncate(depth - 1);
                t.path.push(name);
                let Some(values) = values else { continue };
                let Some(median_column) = t.median else {
                    return Err(at("the table has no `median` column".into()));
                };
                let median = values.get(median_column).map(String::as_str).unwrap_or("");
                let estimate = duration_ns(median)
                    .ok_or_else(|| at(format!("median {median:?} is not a duration")))?;
                let segments: Vec<&str> = t.path.iter().map(String::as_str).collect();
                let key = naming.key(&segments, MetricKind::WallTime);
                let measurement = Measurement::new(key, estimate, Tool::Divan);
                all.extend(origin, &format!("line {number}"), vec![measurement])
                    .map_err(|e| at(e.problem.to_string()))?;
            }
            Line::Continuation => {}
            Line::Other => table = None,
        }
    }
    all.finish(origin, || match first_table_line {
        Some(line) => format!("the divan table at line {line} has no benchmark rows with values"),
        None => "no divan table found (was the bench run with divan and --color=never?)".into(),
    })
}

/// Reads divan's stdout saved in `file` and parses it.
pub fn collect(file: &Path, naming: &Naming) -> Result<Vec<Measurement>, AdapterError> {
    let stdout = files::read(file)?;
    parse_table(&stdout, naming, file)
}

/// The table being read: its columns and the path of the latest row.
struct Table {
    columns: Vec<String>,
    median: Option<usize>,
    path: Vec<String>,
}
