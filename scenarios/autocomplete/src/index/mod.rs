//! The optimized variant: a compact, immutable trie index that a query
//! reads in place, in memory or from a memory-mapped file.
//!
//! * **Shape.** A byte-level radix trie over the sorted terms, nodes
//!   numbered breadth-first so that siblings are consecutive. Per node it
//!   stores three bytes (child count, first label byte, label length) and
//!   the best rank in its subtree, bit-packed at `⌈log2 n⌉` bits; the first
//!   child and the label offset are recomputed from one absolute value per
//!   32 nodes. Labels are stored once per edge, so shared prefixes cost
//!   nothing. Weights are stored once per distinct value. See
//!   [`format`] for the byte layout and [`build`] for how it is made.
//! * **Exact top-k.** Walk the prefix's bytes down the trie (binary search
//!   on the children's first bytes), then a best-first search by subtree
//!   best rank ([`search`]): the work depends on `k` and the prefix, not on
//!   the number of terms.
//! * **Fuzzy top-k.** The incremental band of Levenshtein cells over trie
//!   positions in [`Session`], then the same best-first search from the
//!   positions where the distance drops. A one-off fuzzy query is a session
//!   fed the whole query.
//! * **Persistence.** [`Optimized::write`] writes the bytes atomically;
//!   [`Optimized::open`] maps a file and checks its header, counts, length
//!   and checksum. No query can panic or read outside the file, however it
//!   is damaged: every access is bounds-checked and a search does at most as
//!   much work as the node count allows.

mod build;
pub mod format;
mod search;
mod session;

use std::fs::File;
use std::path::{Path, PathBuf};

pub use session::Session;

use crate::{Completer, FuzzyQuery, Suggestion, Term, canonicalize};
use format::{Layout, Sections};

/// Why an index file was refused.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The file could not be read, mapped or written.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The bytes do not start with the index magic.
    #[error("not an autocomplete index (no PLACIDX magic)")]
    NotAnIndex,
    /// Written by another version of the format.
    #[error("index format version {found}, but this build reads version {supported}")]
    Version {
        /// The version in the file.
        found: u32,
        /// The version this code reads.
        supported: u32,
    },
    /// Shorter than its header says.
    #[error("truncated: {found} bytes, the header says {expected}")]
    Truncated {
        /// Bytes expected.
        expected: u64,
        /// Bytes found.
        found: u64,
    },
    /// Longer than its header says.
    #[error("{found} bytes, the header says {expected}: trailing bytes")]
    TrailingBytes {
        /// Bytes expected.
        expected: u64,
        /// Bytes found.
        found: u64,
    },
    /// A checksum or a count does not hold.
    #[error("corrupt: {0}")]
    Corrupt(&'static str),
    /// An error above, about the file named here.
    #[error("index file {}: {source}", .path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        #[source]
        source: Box<IndexError>,
    },
}

impl IndexError {
    fn in_file(self, path: &Path) -> Self {
        match self {
            Self::Io { .. } | Self::File { .. } => self,
            other => Self::File {
                path: path.to_owned(),
                source: Box::new(other),
            },
        }
    }
}

/// The bytes of an index: built in memory, or a mapped file.
#[derive(Debug)]
enum Bytes {
    Owned(Vec<u8>),
    Mapped(memmap2::Mmap),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Self::Owned(bytes) => bytes,
            Self::Mapped(map) => map,
        }
    }
}

/// The compact trie index; see the module docs.
#[derive(Debug)]
pub struct Optimized {
    bytes: Bytes,
    layout: Layout,
}

/// Whether [`Optimized::open_with`] checks the body's checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verify {
    /// Read the whole file once and compare its checksum (the default).
    Checksum,
    /// Check only the header and the length: constant time, for a file the
    /// caller trusts. Queries stay memory-safe either way.
    HeaderOnly,
}

impl Optimized {
    /// An index over the bytes of an index file, checked as `verify` says.
    pub fn from_bytes(bytes: Vec<u8>, verify: Verify) -> Result<Self, IndexError> {
        Self::checked(Bytes::Owned(bytes), verify)
    }

    fn checked(bytes: Bytes, verify: Verify) -> Result<Self, IndexError> {
        let layout = Layout::read(&bytes)?;
        if verify == Verify::Checksum
            && format::checksum(&bytes[format::HEADER_LEN..])
                != format::stored_body_checksum(&bytes)
        {
            return Err(IndexError::Corrupt("the body's checksum does not match"));
        }
        Ok(Self { bytes, layout })
    }

    /// Maps the index file at `path` and verifies its checksum.
    pub fn open(path: &Path) -> Result<Self, IndexError> {
        Self::open_with(path, Verify::Checksum)
    }

    /// Maps the index file at `path`, checked as `verify` says.
    pub fn open_with(path: &Path, verify: Verify) -> Result<Self, IndexError> {
        let io = |source| IndexError::Io {
            path: path.to_owned(),
            source,
        };
        let file = File::open(path).map_err(io)?;
        // SAFETY: the map is read-only and private to this process. A file
        // changed by another process while mapped could change the bytes
        // under a query (or fault if truncated), which every reader of a
        // mapped file accepts; `write` replaces files by rename, never in
        // place, so perflab's own writers cannot cause it. All reads are
        // bounds-checked, so changed bytes give wrong answers, not UB.
        #[allow(unsafe_code)]
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io)?;
        Self::checked(Bytes::Mapped(map), verify).map_err(|e| e.in_file(path))
    }

    /// The index file's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Writes the index to `path` atomically (perflab-fs: a temporary
    /// sibling, synced, renamed over it), so a reader never sees half a file.
    pub fn write(&self, path: &Path) -> Result<(), IndexError> {
        perflab_fs::write_atomic(path, &self.bytes).map_err(|e| IndexError::Io {
            path: e.path,
            source: e.source,
        })
    }

    /// Trie nodes in the index.
    pub fn node_count(&self) -> u64 {
        self.layout.counts.nodes
    }

    /// Bytes per section, for reports: `(name, bytes)`.
    pub fn section_sizes(&self) -> Vec<(&'static str, usize)> {
        let l = &self.layout;
        vec![
            ("header", format::HEADER_LEN),
            ("child_count", l.child_count.len()),
            ("first_byte", l.first_byte.len()),
            ("label_len", l.label_len.len()),
            ("samples", l.child_at.len() + l.label_at.len()),
            ("labels", l.labels.len()),
            ("best_ranks", l.best.len()),
            ("weights", l.weights.len() + l.rank_from.len()),
            (
                "hot_answers",
                l.hot_len.len() + l.hot_weights.len() + l.hot_ends.len() + l.hot_text.len(),
            ),
        ]
    }

    /// An incremental search session; see [`Session`].
    pub fn session(&self, max_distance: u8) -> Result<Session<'_>, crate::QueryError> {
        Session::new(self, max_distance)
    }

    fn sections(&self) -> Sections<'_> {
        // The layout was checked against these bytes when `self` was made.
        Sections::new(&self.bytes, &self.layout)
            .unwrap_or_else(|| unreachable!("a checked layout fits its bytes"))
    }
}

impl Optimized {
    /// [`Completer::complete_bytes`] without the stored answers of the
    /// shallowest nodes: always the best-first search. For benchmarks that
    /// show what the stored answers save, and for tests that check both.
    pub fn complete_searched(&self, prefix: &[u8], k: usize) -> Vec<Suggestion> {
        let sections = self.sections();
        match search::find(&sections, prefix) {
            Some((node, path)) if k > 0 => search_from(&sections, node, path, k),
            _ => Vec::new(),
        }
    }
}

/// The best `k` terms under `node`, whose bytes from the root are `path`.
fn search_from(sections: &Sections<'_>, node: u32, path: Vec<u8>, k: usize) -> Vec<Suggestion> {
    let mut out = Vec::new();
    search::top_k(
        sections,
        &[search::Seed { node, origin: 0 }],
        |_| Some(path.clone()),
        &search::Exclusions::default(),
        0,
        k,
        &mut out,
    );
    out
}

impl Completer for Optimized {
    const VARIANT: &'static str = "optimized";

    fn build(terms: Vec<Term>) -> Self {
        let bytes = build::build(&canonicalize(terms));
        Self::from_bytes(bytes, Verify::HeaderOnly)
            .unwrap_or_else(|e| unreachable!("a freshly built index is well formed: {e}"))
    }

    fn complete_bytes(&self, prefix: &[u8], k: usize) -> Vec<Suggestion> {
        if k == 0 {
            return Vec::new();
        }
        let sections = self.sections();
        let Some((node, path)) = search::find(&sections, prefix) else {
            return Vec::new();
        };
        if k <= sections.hot_k as usize
            && let Some(len) = sections.hot_len(node)
        {
            return (0..len.min(k as u32))
                .filter_map(|i| sections.hot_answer(node, i))
                .map(|(weight, text)| Suggestion::exact(text, weight))
                .collect();
        }
        search_from(&sections, node, path, k)
    }

    fn complete_fuzzy(&self, query: &FuzzyQuery, k: usize) -> Vec<Suggestion> {
        if query.max_distance() == 0 {
            return self.complete(query.text(), k);
        }
        let Ok(mut session) = self.session(query.max_distance()) else {
            return Vec::new();
        };
        for &c in query.chars() {
            if session.push(c).is_err() {
                return Vec::new();
            }
        }
        session.complete(k)
    }

    fn len(&self) -> usize {
        self.layout.counts.terms as usize
    }

    fn heap_bytes(&self) -> usize {
        self.bytes.len()
    }
}
