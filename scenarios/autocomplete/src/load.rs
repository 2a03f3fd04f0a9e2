//! Loading terms from a text file: one term per line, optional weight.
//!
//! Format, line by line:
//!
//! * `term` — weight 1;
//! * `term<TAB>weight` — split at the last tab;
//! * `term,weight` — when the line has no tab, split at the last comma.
//!
//! The weight is a non-negative integer (surrounding spaces allowed). A
//! trailing `\r` is dropped, so CRLF files work; blank lines are skipped.
//! Everything else is kept as the term, byte for byte. Errors name the file
//! and the 1-based line. Duplicates are not merged here; the variants do that
//! when they build (see [`crate::canonicalize`]).

use std::path::{Path, PathBuf};

use crate::Term;

/// Why a term file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read term file {}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// A line is not valid UTF-8.
    #[error("{}:{line}: not valid UTF-8 (bad byte at column {column})", .path.display())]
    InvalidUtf8 {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// 1-based byte column of the first invalid byte.
        column: usize,
    },
    /// The weight column is not a non-negative integer.
    #[error("{}:{line}: weight {weight:?} is not a non-negative integer", .path.display())]
    MalformedWeight {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The text found in the weight column.
        weight: String,
    },
    /// A line has a weight but no term before the separator.
    #[error("{}:{line}: weight column without a term", .path.display())]
    MissingTerm {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
    },
    /// The file holds no term at all.
    #[error("{}: no terms (the file is empty or has only blank lines)", .path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
}

/// Reads and parses the term file at `path`.
pub fn load_terms(path: &Path) -> Result<Vec<Term>, LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.to_owned(),
        source,
    })?;
    parse_terms(path, &bytes)
}

/// Parses the contents of a term file; `path` is only used in errors.
pub fn parse_terms(path: &Path, bytes: &[u8]) -> Result<Vec<Term>, LoadError> {
    let mut terms = Vec::new();
    for (index, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line_no = index + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let line = std::str::from_utf8(raw).map_err(|e| LoadError::InvalidUtf8 {
            path: path.to_owned(),
            line: line_no,
            column: e.valid_up_to() + 1,
        })?;
        if line.trim().is_empty() {
            continue;
        }
        terms.push(parse_line(path, line_no, line)?);
    }
    if terms.is_empty() {
        return Err(LoadError::Empty {
            path: path.to_owned(),
        });
    }
    Ok(terms)
}

fn parse_line(path: &Path, line_no: usize, line: &str) -> Result<Term, LoadError> {
    let split = line.rsplit_once('\t').or_else(|| line.rsplit_once(','));
    let Some((text, weight)) = split else {
        return Ok(Term::new(line, 1));
    };
    if text.is_empty() {
        return Err(LoadError::MissingTerm {
            path: path.to_owned(),
            line: line_no,
        });
    }
    let weight = weight
        .trim()
        .parse::<u64>()
        .map_err(|_| LoadError::MalformedWeight {
            path: path.to_owned(),
            line: line_no,
            weight: weight.to_owned(),
        })?;
    Ok(Term::new(text, weight))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &[u8]) -> Result<Vec<Term>, LoadError> {
        parse_terms(Path::new("terms.txt"), text)
    }

    #[test]
    fn plain_tab_comma_and_crlf() {
        let terms = parse(b"apple\r\nbanana\t42\r\n\ncherry, 7\n").expect("valid input");
        assert_eq!(
            terms,
            vec![
                Term::new("apple", 1),
                Term::new("banana", 42),
                Term::new("cherry", 7)
            ]
        );
    }

    #[test]
    fn tab_wins_over_comma() {
        let terms = parse("a, b\t3\nsmörgåsbord\n".as_bytes()).expect("valid input");
        assert_eq!(
            terms,
            vec![Term::new("a, b", 3), Term::new("smörgåsbord", 1)]
        );
    }

    #[test]
    fn malformed_weight_names_file_and_line() {
        let err = parse(b"ok\t1\nbad\tx1\n").expect_err("x1 is no weight");
        assert!(matches!(err, LoadError::MalformedWeight { line: 2, .. }));
        assert_eq!(
            err.to_string(),
            "terms.txt:2: weight \"x1\" is not a non-negative integer"
        );
        let err = parse(b"neg,-5\n").expect_err("negative weight");
        assert!(matches!(err, LoadError::MalformedWeight { line: 1, .. }));
    }

    #[test]
    fn missing_term() {
        let err = parse(b"a\n\t5\n").expect_err("no term");
        assert!(matches!(err, LoadError::MissingTerm { line: 2, .. }));
    }

    #[test]
    fn invalid_utf8_names_line_and_column() {
        let err = parse(b"fine\nab\xffc\n").expect_err("invalid utf-8");
        assert!(matches!(
            err,
            LoadError::InvalidUtf8 {
                line: 2,
                column: 3,
                ..
            }
        ));
        assert_eq!(
            err.to_string(),
            "terms.txt:2: not valid UTF-8 (bad byte at column 3)"
        );
    }

    #[test]
    fn empty_and_blank_files() {
        assert!(matches!(parse(b""), Err(LoadError::Empty { .. })));
        assert!(matches!(parse(b"\n  \r\n\n"), Err(LoadError::Empty { .. })));
    }
}
