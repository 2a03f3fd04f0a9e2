//! One line of divan's table: what kind of line it is, and the pieces of a
//! row. Pure string handling; the tree walk lives in the parent module.
//!
//! Widths are not trusted: divan widens a column when a later value does not
//! fit, so rows are split on the `│` separators and on the at-least-two
//! spaces divan puts between a name and the first value, never by position.

use std::borrow::Cow;

/// The column separator.
const BAR: char = '│';

/// Branches that start a tree row. divan 0.1 draws `╰─`; `└─` is accepted
/// because the two are interchangeable in box drawing and in older output.
const BRANCHES: [&str; 3] = ["├─", "╰─", "└─"];

/// What one line of divan's output is.
#[derive(Debug, PartialEq)]
pub(super) enum Line {
    /// A table header: the column names after the bench binary's name.
    Header { columns: Vec<String> },
    /// A tree row at `depth` (1 = directly below the table's name). `values`
    /// holds every column's text when the row is a benchmark with results.
    Row {
        depth: usize,
        name: String,
        values: Option<Vec<String>>,
    },
    /// A line below a benchmark row without a name of its own (counter
    /// throughputs, allocation counts).
    Continuation,
    /// Anything else: blank lines and text between tables. Ends a table.
    Other,
}

/// Classifies a line. `columns` is the current table's header, if inside one.
/// An `Err` is a table line that does not fit divan's shape.
pub(super) fn classify(text: &str, columns: Option<&[String]>) -> Result<Line, String> {
    if text.trim().is_empty() {
        return Ok(Line::Other);
    }
    if let Some(columns) = header_columns(text) {
        return Ok(Line::Header { columns });
    }
    let rest = text.trim_start_matches([BAR, ' ']);
    let prefix_chars = text.chars().count() - rest.chars().count();
    if let Some(branch) = BRANCHES.iter().find(|b| rest.starts_with(*b)) {
        if !prefix_chars.is_multiple_of(3) {
            return Err(format!(
                "tree row indented by {prefix_chars} characters, not a multiple of 3"
            ));
        }
        let body = &rest[branch.len()..];
        let body = body.strip_prefix(' ').unwrap_or(body);
        return row(prefix_chars / 3 + 1, body, columns);
    }
    match columns {
        Some(columns)
            if prefix_chars > 0
                && text.matches(BAR).count() >= columns.len().saturating_sub(1)
                && !text.contains('─') =>
        {
            Ok(Line::Continuation)
        }
        _ => Ok(Line::Other),
    }
}

/// The column names if `text` is a header line: a name, then single-word
/// column names separated by `│`, one of them `median`.
fn header_columns(text: &str) -> Option<Vec<String>> {
    if text.starts_with([BAR, ' ']) || BRANCHES.iter().any(|b| text.starts_with(b)) {
        return None;
    }
    let mut pieces = text.split(BAR);
    let first = pieces.next()?.trim_end();
    let first_column = first.rsplit(' ').next()?;
    let mut columns = vec![first_column.to_owned()];
    columns.extend(pieces.map(|p| p.trim().to_owned()));
    let is_word =
        |c: &String| !c.is_empty() && c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_');
    let is_header = columns.len() >= 2
        && columns.iter().all(is_word)
        && columns.iter().any(|c| c == "median")
        && first.len() > first_column.len();
    is_header.then_some(columns)
}

/// Splits the text after a branch into the row's name and values.
fn row(depth: usize, body: &str, columns: Option<&[String]>) -> Result<Line, String> {
    let Some(columns) = columns else {
        // Outside a table; the caller reports it, so the name is enough.
        let name = body.split(BAR).next().unwrap_or(body).trim().to_owned();
        return Ok(Line::Row {
            depth,
            name,
            values: None,
        });
    };
    let pieces: Vec<&str> = body.split(BAR).collect();
    if pieces.len() != columns.len() {
        return Err(format!(
            "expected {} columns separated by `│`, found {}",
            columns.len(),
            pieces.len()
        ));
    }
    let first = pieces[0].trim_end();
    let others: Vec<String> = pieces[1..].iter().map(|p| p.trim().to_owned()).collect();
    if others.iter().all(String::is_empty) {
        // A group (module, function with arguments) or an ignored benchmark.
        let name = first.strip_suffix("(ignored)").unwrap_or(first).trim();
        return named(depth, name, None);
    }
    // divan pads a name with at least two spaces; values contain single
    // spaces only (`1.541 µs`), so the last double space is the boundary.
    let Some(split) = first.rfind("  ") else {
        return Err(format!(
            "cannot tell the name from the first value in {first:?}"
        ));
    };
    let mut values = vec![first[split..].trim().to_owned()];
    values.extend(others);
    named(depth, first[..split].trim(), Some(values))
}

fn named(depth: usize, name: &str, values: Option<Vec<String>>) -> Result<Line, String> {
    if name.is_empty() {
        return Err("tree row without a name".into());
    }
    Ok(Line::Row {
        depth,
        name: name.to_owned(),
        values,
    })
}

/// A divan duration (`1.541 µs`, `158 ns`, `2 s`) in nanoseconds.
///
/// The decimal point is moved in the text (`1.541e3`) rather than by
/// multiplying, so `1.541 µs` is exactly `1541.0` and not `1540.9999…`.
pub(super) fn duration_ns(text: &str) -> Option<f64> {
    let mut tokens = text.split_whitespace();
    let (number, unit) = (tokens.next()?, tokens.next()?);
    if tokens.next().is_some() || !number.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let (exponent, factor) = match unit {
        "ps" => (-3, 1.0),
        "ns" => (0, 1.0),
        "µs" | "μs" | "us" => (3, 1.0),
        "ms" => (6, 1.0),
        "s" => (9, 1.0),
        "m" => (9, 60.0),
        "h" => (9, 3_600.0),
        "d" => (9, 86_400.0),
        _ => return None,
    };
    let value: f64 = format!("{number}e{exponent}").parse().ok()?;
    let value = value * factor;
    value.is_finite().then_some(value)
}

/// Removes ANSI escape sequences, in case the output was coloured after all.
pub(super) fn strip_ansi(text: &str) -> Cow<'_, str> {
    if !text.contains('\u{1b}') {
        return Cow::Borrowed(text.trim_end_matches('\r'));
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        // CSI: ESC [ parameters… final byte in '@'..='~'.
        if chars.next() == Some('[') {
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        }
    }
    Cow::Owned(out.trim_end_matches('\r').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> Vec<String> {
        ["fastest", "slowest", "median", "mean", "samples", "iters"]
            .map(String::from)
            .to_vec()
    }

    fn classify_in_table(text: &str) -> Result<Line, String> {
        classify(text, Some(&columns()))
    }

    #[test]
    fn header() {
        let line = "div_sort            fastest       │ slowest       │ median        │ mean          │ samples │ iters";
        assert_eq!(
            classify(line, None),
            Ok(Line::Header { columns: columns() })
        );
    }

    #[test]
    fn group_and_leaf_rows() {
        let group = "   ├─ naive                       │               │               │               │         │";
        assert_eq!(
            classify_in_table(group),
            Ok(Line::Row {
                depth: 2,
                name: "naive".into(),
                values: None
            })
        );
        let leaf = "   │  ├─ 100        1.531 µs      │ 6.418 µs      │ 1.541 µs      │ 1.676 µs      │ 100     │ 100";
        let Ok(Line::Row {
            depth,
            name,
            values: Some(values),
        }) = classify_in_table(leaf)
        else {
            panic!("not a leaf row");
        };
        assert_eq!((depth, name.as_str()), (3, "100"));
        assert_eq!(
            values,
            ["1.531 µs", "6.418 µs", "1.541 µs", "1.676 µs", "100", "100"]
        );
    }

    #[test]
    fn names_with_spaces_survive() {
        let leaf = "│  ├─ big input     15.91 µs      │ 53.39 µs      │ 15.96 µs      │ 16.34 µs      │ 100     │ 100";
        let Ok(Line::Row { name, .. }) = classify_in_table(leaf) else {
            panic!()
        };
        assert_eq!(name, "big input");
    }

    #[test]
    fn continuation_rows_and_noise() {
        let counter = "   │  │          358.8 Mitem/s │ 352.4 Mitem/s │ 354.9 Mitem/s │ 355.1 Mitem/s │         │";
        assert_eq!(classify_in_table(counter), Ok(Line::Continuation));
        assert_eq!(classify_in_table("Timer precision: 20 ns"), Ok(Line::Other));
        assert_eq!(
            classify_in_table("     Running benches/a.rs (x)"),
            Ok(Line::Other)
        );
        assert_eq!(classify_in_table(""), Ok(Line::Other));
    }

    #[test]
    fn ignored_rows_have_no_values() {
        let line =
            "├─ slow   (ignored)  │               │               │               │         │";
        assert_eq!(
            classify_in_table(line),
            Ok(Line::Row {
                depth: 1,
                name: "slow".into(),
                values: None
            })
        );
    }

    #[test]
    fn malformed_rows_are_errors() {
        assert!(classify_in_table("├─ 100   1.5 µs │ 2 µs").is_err());
        assert!(classify_in_table("  ├─ 100   1.5 µs │ 2 µs │ 1 µs │ 1 µs │ 1 │ 1").is_err());
    }

    #[test]
    fn durations_scale_to_nanoseconds() {
        assert_eq!(duration_ns("1.541 µs"), Some(1541.0));
        assert_eq!(duration_ns("1.5 us"), Some(1500.0));
        assert_eq!(duration_ns("158 ns"), Some(158.0));
        assert_eq!(duration_ns("500 ps"), Some(0.5));
        assert_eq!(duration_ns("2 ms"), Some(2e6));
        assert_eq!(duration_ns("1.25 s"), Some(1.25e9));
        assert_eq!(duration_ns("1 furlong"), None);
        assert_eq!(duration_ns("fast ns"), None);
        assert_eq!(duration_ns("1 ns extra"), None);
    }

    #[test]
    fn ansi_colours_are_removed() {
        assert_eq!(strip_ansi("\u{1b}[1mdiv\u{1b}[0m x\r"), "div x");
        assert_eq!(strip_ansi("plain\r"), "plain");
    }
}
