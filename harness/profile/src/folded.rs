//! Folded stacks, the interchange format of flamegraph tools: one line per
//! distinct stack, frames root-first separated by `;`, then a space and the
//! sample count (`main;run;parse 42`).
//!
//! [`Folded`] parses that text with errors naming the line, serializes it back
//! in a stable (sorted) order, merges profiles and counts samples. Parsing is
//! pure, so flamegraphs can be redrawn from kept `.folded` files and from other
//! tools' output (`inferno-collapse-perf`, `cargo flamegraph`, async-profiler).
//! It does not take samples ([`crate::Profiler`] does) and does not draw
//! ([`crate::render`] does).

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use crate::error::{FoldedError, FoldedErrorKind, ProfileError};
use crate::symbols::{UNKNOWN_FRAME, clean_frame, safe_frame};

/// A set of stacks with sample counts. Identical stacks are always merged, and
/// stacks are kept sorted, so two equal profiles serialize to the same bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Folded {
    stacks: BTreeMap<Vec<String>, u64>,
}

impl Folded {
    /// An empty profile.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses folded-stacks text. Blank lines and `# ` comment lines (which
    /// inferno also skips) are ignored; the count is the last
    /// whitespace-separated token, so frame names may contain spaces
    /// (`<T as Trait>::f`). Fractional counts are rejected rather than
    /// truncated, so nothing is lost silently.
    pub fn parse(text: &str) -> Result<Self, FoldedError> {
        let mut folded = Self::new();
        for (idx, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with("# ") {
                continue;
            }
            let err = |kind| FoldedError {
                line: idx + 1,
                kind,
            };
            let (stack, count) = line
                .rsplit_once(char::is_whitespace)
                .ok_or_else(|| err(FoldedErrorKind::MissingCount))?;
            let count: u64 = count
                .parse()
                .map_err(|_| err(FoldedErrorKind::BadCount(count.to_owned())))?;
            // Not empty: `line` is trimmed, so something precedes the space.
            let stack = stack.trim_end();
            let frames: Vec<String> = stack.split(';').map(str::to_owned).collect();
            if let Some(pos) = frames.iter().position(|f| f.trim().is_empty()) {
                return Err(err(FoldedErrorKind::EmptyFrame(pos + 1)));
            }
            if count == 0 {
                continue;
            }
            let slot = folded.stacks.entry(frames).or_insert(0);
            *slot = slot
                .checked_add(count)
                .ok_or_else(|| err(FoldedErrorKind::Overflow))?;
        }
        Ok(folded)
    }

    /// Reads and parses a `.folded` file; errors name the path and the line.
    pub fn read(path: &Path) -> Result<Self, ProfileError> {
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::ReadFolded {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text).map_err(|source| ProfileError::ParseFile {
            path: path.to_owned(),
            source,
        })
    }

    /// Adds `count` samples of a root-first stack. Frame names are made safe
    /// for the format (no `;`, no line breaks, not empty) but not otherwise
    /// changed; use [`Folded::normalize_names`] to demangle and strip hashes.
    /// A zero count is ignored, an empty stack is recorded as `[unknown]`, and
    /// counts saturate at `u64::MAX`.
    pub fn add<I, S>(&mut self, stack: I, count: u64)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        if count == 0 {
            return;
        }
        let mut frames: Vec<String> = stack.into_iter().map(|f| safe_frame(f.as_ref())).collect();
        if frames.is_empty() {
            frames.push(UNKNOWN_FRAME.to_owned());
        }
        let slot = self.stacks.entry(frames).or_insert(0);
        *slot = slot.saturating_add(count);
    }

    /// Adds every stack of `other` to this profile.
    pub fn merge(&mut self, other: &Folded) {
        for (frames, &count) in &other.stacks {
            let slot = self.stacks.entry(frames.clone()).or_insert(0);
            *slot = slot.saturating_add(count);
        }
    }

    /// The same profile with every frame passed through [`clean_frame`]:
    /// demangled, hash-free. Stacks that become identical are merged, which is
    /// what lets profiles from two builds be diffed.
    pub fn normalize_names(&self) -> Folded {
        let mut out = Folded::new();
        for (frames, &count) in &self.stacks {
            out.add(frames.iter().map(|f| clean_frame(f)), count);
        }
        out
    }

    /// For a profile taken with thread names as root frames: the stacks of
    /// the threads `keep` accepts, with the thread frame removed. This is how
    /// a profile of a whole process (service and load generator together)
    /// becomes a profile of the service alone.
    pub fn threads(&self, keep: impl Fn(&str) -> bool) -> Folded {
        let mut out = Folded::new();
        for (frames, &count) in &self.stacks {
            if let Some((thread, rest)) = frames.split_first()
                && keep(thread)
            {
                out.add(rest, count);
            }
        }
        out
    }

    /// Total samples over all stacks.
    pub fn total_samples(&self) -> u64 {
        self.stacks
            .values()
            .fold(0u64, |acc, &c| acc.saturating_add(c))
    }

    /// Number of distinct stacks.
    pub fn len(&self) -> usize {
        self.stacks.len()
    }

    /// True when there are no samples.
    pub fn is_empty(&self) -> bool {
        self.stacks.is_empty()
    }

    /// Stacks (root-first frames) and their counts, in sorted order.
    pub fn iter(&self) -> impl Iterator<Item = (&[String], u64)> + '_ {
        self.stacks.iter().map(|(f, &c)| (f.as_slice(), c))
    }

    /// The folded text: one `a;b;c count` line per stack, sorted, each line
    /// ending in `\n`. [`Folded::parse`] reads it back unchanged.
    pub fn to_folded_string(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Folded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (frames, count) in &self.stacks {
            writeln!(f, "{} {count}", frames.join(";"))?;
        }
        Ok(())
    }
}

impl FromStr for Folded {
    type Err = FoldedError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl<S: AsRef<str>> FromIterator<(Vec<S>, u64)> for Folded {
    fn from_iter<T: IntoIterator<Item = (Vec<S>, u64)>>(iter: T) -> Self {
        let mut folded = Folded::new();
        for (stack, count) in iter {
            folded.add(stack, count);
        }
        folded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_keeps_the_chosen_threads_without_their_frame() {
        let whole = Folded::parse("svc;handle;query 5\nloadgen;send 7\nsvc;idle 2\n").unwrap();
        let service = whole.threads(|t| t != "loadgen");
        assert_eq!(service.to_folded_string(), "handle;query 5\nidle 2\n");
        assert!(whole.threads(|_| false).is_empty());
    }

    fn err(text: &str) -> FoldedError {
        Folded::parse(text).unwrap_err()
    }

    #[test]
    fn parses_merges_and_totals() {
        let f = Folded::parse("main;a;b 3\nmain;c 2\n\nmain;a;b 4\n# comment\n").unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(f.total_samples(), 9);
        let stacks: Vec<_> = f.iter().collect();
        assert_eq!(stacks[0].0, ["main", "a", "b"]);
        assert_eq!(stacks[0].1, 7);
    }

    #[test]
    fn round_trips_byte_for_byte_once_sorted() {
        let text = "main;<T as core::fmt::Debug>::fmt 5\nmain;run;parse 42\nworker 1\n";
        let f = Folded::parse(text).unwrap();
        assert_eq!(f.to_folded_string(), text);
        assert_eq!(Folded::parse(&f.to_folded_string()).unwrap(), f);
    }

    #[test]
    fn accepts_tabs_crlf_and_zero_counts() {
        let f = Folded::parse("a;b\t3\r\na;c 0\r\n").unwrap();
        assert_eq!(f.to_folded_string(), "a;b 3\n");
    }

    #[test]
    fn errors_name_the_line() {
        let e = err("a;b 1\na;b\n");
        assert_eq!(e.line, 2);
        assert_eq!(e.kind, FoldedErrorKind::MissingCount);
        assert_eq!(
            e.to_string(),
            "line 2: missing sample count (expected `frame;frame count`)"
        );

        let e = err("a;b 1.5");
        assert_eq!(e.kind, FoldedErrorKind::BadCount("1.5".into()));
        assert_eq!(err("a;b -1").kind, FoldedErrorKind::BadCount("-1".into()));
        assert_eq!(err("x\n 7").kind, FoldedErrorKind::MissingCount);
        assert_eq!(err("a;;b 1").kind, FoldedErrorKind::EmptyFrame(2));
        assert_eq!(err(";a 1").kind, FoldedErrorKind::EmptyFrame(1));
        assert_eq!(err("a; 1").kind, FoldedErrorKind::EmptyFrame(2));
        let e = err(&format!("a 1\na {}", u64::MAX));
        assert_eq!((e.line, e.kind), (2, FoldedErrorKind::Overflow));
    }

    #[test]
    fn merge_adds_counts() {
        let mut a = Folded::parse("m;x 1\nm;y 2\n").unwrap();
        let b = Folded::parse("m;y 3\nm;z 4\n").unwrap();
        a.merge(&b);
        assert_eq!(a.to_folded_string(), "m;x 1\nm;y 5\nm;z 4\n");
        assert_eq!(a.total_samples(), 10);
    }

    #[test]
    fn add_keeps_the_format_parseable() {
        let mut f = Folded::new();
        f.add(["main", "f<[u8; 4]>", "a\nb", ""], 2);
        f.add(Vec::<String>::new(), 1);
        f.add(["ignored"], 0);
        let text = f.to_folded_string();
        assert_eq!(text, "[unknown] 1\nmain;f<[u8, 4]>;a b;[unknown] 2\n");
        assert_eq!(Folded::parse(&text).unwrap(), f);
    }

    #[test]
    fn normalize_names_merges_stacks_from_two_builds() {
        let f = Folded::parse(
            "main;app::work::h0123456789abcdef 3\nmain;app::work::hfedcba9876543210 4\n",
        )
        .unwrap();
        assert_eq!(f.normalize_names().to_folded_string(), "main;app::work 7\n");
    }

    #[test]
    fn read_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.folded");
        std::fs::write(&path, "a 1\nb x\n").unwrap();
        let msg = Folded::read(&path).unwrap_err().to_string();
        assert!(msg.contains("bad.folded"), "{msg}");
        assert!(msg.contains("line 2"), "{msg}");
        let missing = Folded::read(&dir.path().join("none.folded")).unwrap_err();
        assert!(missing.to_string().contains("none.folded"));
    }
}
