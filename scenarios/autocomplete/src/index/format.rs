//! The index file format, version 1: a header, then flat sections that a
//! query reads in place (from a `Vec<u8>` or a memory map), never parsed.
//!
//! ```text
//! offset  size  field
//!      0     8  magic "PLACIDX\0"
//!      8     4  version (1), little-endian like every field
//!     12     4  rank_bits: width of one packed rank
//!     16     8  terms
//!     24     8  nodes
//!     32     8  label bytes
//!     40     8  distinct weights
//!     48     4  hot nodes: nodes 0..hot whose top answers are stored
//!     52     4  hot k: answers stored per hot node
//!     56     8  bytes of hot answer text
//!     64    16  reserved, zero
//!     80     8  checksum of every byte after the header
//!     88     8  checksum of bytes 0..88
//! then, each section starting at a multiple of 8:
//!     child_count [u8; nodes]    children of each node (0: a leaf, one term)
//!     first_byte  [u8; nodes]    first byte of each node's edge label
//!     label_len   [u8; nodes]    length of each node's edge label
//!     child_at    [u32; ⌈nodes/32⌉]  first child of nodes 0, 32, 64, …
//!     label_at    [u32; ⌈nodes/32⌉]  label offset of nodes 0, 32, 64, …
//!     labels      [u8; label bytes]  the edge labels, node after node
//!     best        nodes × rank_bits bits, then 8 bytes of padding
//!     weights     [u64; distinct]    the distinct weights, heaviest first
//!     rank_from   [u32; distinct]    first rank that has each weight
//!     hot_len     [u8; hot]          answers stored for each hot node
//!     hot_weights [u64; hot × hot k] weights of each hot node's best terms
//!     hot_ends    [u32; hot × hot k] where each of their texts ends in hot_text
//!     hot_text    [u8; hot text bytes]
//! ```
//!
//! The section offsets follow from the counts, so the header has no table
//! to get wrong, and a file whose length is not exactly what its counts say
//! is refused as truncated (or as having trailing bytes).
//!
//! Nodes are numbered breadth-first, so a node's children are consecutive
//! and come after it; `child_at` and `label_at` keep one absolute offset per
//! 32 nodes and the per-node byte counts give the rest (see
//! [`Sections::first_child`]), which costs 0.25 bytes per node instead of 8.

use std::ops::Range;

use super::IndexError;

/// The first 8 bytes of every index file.
pub const MAGIC: [u8; 8] = *b"PLACIDX\0";
/// The format this code reads and writes.
pub const VERSION: u32 = 1;
/// Bytes before the first section.
pub const HEADER_LEN: usize = 96;
/// Where the header's own checksum is (it covers the bytes before it).
pub const HEADER_SUM_AT: usize = 88;
/// Where the body's checksum is.
const BODY_SUM_AT: usize = 80;
/// Nodes per absolute sample in `child_at` and `label_at`.
pub const SAMPLE: usize = 32;
/// Longest edge label; longer runs are split into chains of nodes.
pub const MAX_LABEL: usize = u8::MAX as usize;

/// The counts in a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Width of one packed rank, 1 to 32.
    pub rank_bits: u32,
    /// Distinct terms.
    pub terms: u64,
    /// Trie nodes.
    pub nodes: u64,
    /// Bytes of edge labels.
    pub label_bytes: u64,
    /// Distinct weights.
    pub weights: u64,
    /// Nodes (the first ones, breadth-first) with stored answers.
    pub hot_nodes: u32,
    /// Answers stored per hot node.
    pub hot_k: u32,
    /// Bytes of stored answer text.
    pub hot_text_bytes: u64,
}

/// Where each section lies in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The header's counts.
    pub counts: Counts,
    pub child_count: Range<usize>,
    pub first_byte: Range<usize>,
    pub label_len: Range<usize>,
    pub child_at: Range<usize>,
    pub label_at: Range<usize>,
    pub labels: Range<usize>,
    pub best: Range<usize>,
    pub weights: Range<usize>,
    pub rank_from: Range<usize>,
    pub hot_len: Range<usize>,
    pub hot_weights: Range<usize>,
    pub hot_ends: Range<usize>,
    pub hot_text: Range<usize>,
    /// Length of the whole file.
    pub total: usize,
}

impl Layout {
    /// The sections for `counts`, or `None` if their sizes overflow.
    pub fn of(counts: Counts) -> Option<Self> {
        let nodes = usize::try_from(counts.nodes).ok()?;
        let samples = nodes.div_ceil(SAMPLE);
        let mut at = HEADER_LEN;
        let mut section = |len: usize| -> Option<Range<usize>> {
            let start = at;
            let end = start.checked_add(len)?;
            at = end.checked_add(7)? & !7;
            Some(start..end)
        };
        let best_bits = nodes.checked_mul(usize::try_from(counts.rank_bits).ok()?)?;
        let weights = usize::try_from(counts.weights).ok()?;
        let hot = usize::try_from(counts.hot_nodes)
            .ok()?
            .checked_mul(usize::try_from(counts.hot_k).ok()?)?;
        let layout = Self {
            counts,
            child_count: section(nodes)?,
            first_byte: section(nodes)?,
            label_len: section(nodes)?,
            child_at: section(samples.checked_mul(4)?)?,
            label_at: section(samples.checked_mul(4)?)?,
            labels: section(usize::try_from(counts.label_bytes).ok()?)?,
            best: section(best_bits.div_ceil(8).checked_add(8)?)?,
            weights: section(weights.checked_mul(8)?)?,
            rank_from: section(weights.checked_mul(4)?)?,
            hot_len: section(usize::try_from(counts.hot_nodes).ok()?)?,
            hot_weights: section(hot.checked_mul(8)?)?,
            hot_ends: section(hot.checked_mul(4)?)?,
            hot_text: section(usize::try_from(counts.hot_text_bytes).ok()?)?,
            total: 0,
        };
        Some(Self {
            total: at,
            ..layout
        })
    }

    /// Reads and checks the header of `bytes`: magic, version, header
    /// checksum, counts that fit the format, and a length that matches.
    pub fn read(bytes: &[u8]) -> Result<Self, IndexError> {
        // A foreign file is "not an index" even when it is short.
        let magic = bytes.get(..MAGIC.len()).unwrap_or(bytes);
        if magic != &MAGIC[..magic.len()] || (bytes.len() >= MAGIC.len() && magic != MAGIC) {
            return Err(IndexError::NotAnIndex);
        }
        let header = bytes.get(..HEADER_LEN).ok_or(IndexError::Truncated {
            expected: HEADER_LEN as u64,
            found: bytes.len() as u64,
        })?;
        let version = u32_at(header, 8);
        if version != VERSION {
            return Err(IndexError::Version {
                found: version,
                supported: VERSION,
            });
        }
        if checksum(&header[..HEADER_SUM_AT]) != u64_at(header, HEADER_SUM_AT) {
            return Err(IndexError::Corrupt("the header's checksum does not match"));
        }
        let counts = Counts {
            rank_bits: u32_at(header, 12),
            terms: u64_at(header, 16),
            nodes: u64_at(header, 24),
            label_bytes: u64_at(header, 32),
            weights: u64_at(header, 40),
            hot_nodes: u32_at(header, 48),
            hot_k: u32_at(header, 52),
            hot_text_bytes: u64_at(header, 56),
        };
        if !(1..=32).contains(&counts.rank_bits)
            || counts.terms > u64::from(u32::MAX)
            || counts.nodes > u64::from(u32::MAX)
            || counts.label_bytes > u64::from(u32::MAX)
            || counts.weights > counts.terms
            || (counts.terms == 0) != (counts.nodes == 0)
            || u64::from(counts.hot_nodes) > counts.nodes
            || counts.hot_k > 1_024
            || counts.hot_text_bytes > u64::from(u32::MAX)
        {
            return Err(IndexError::Corrupt("the header's counts are out of range"));
        }
        let layout = Self::of(counts).ok_or(IndexError::Corrupt("the header's counts overflow"))?;
        let found = bytes.len() as u64;
        let expected = layout.total as u64;
        if found < expected {
            return Err(IndexError::Truncated { expected, found });
        }
        if found > expected {
            return Err(IndexError::TrailingBytes { expected, found });
        }
        Ok(layout)
    }

    /// The header for this layout, with `body_checksum` filled in.
    pub fn header(&self, body_checksum: u64) -> [u8; HEADER_LEN] {
        let mut header = [0u8; HEADER_LEN];
        header[..8].copy_from_slice(&MAGIC);
        header[8..12].copy_from_slice(&VERSION.to_le_bytes());
        header[12..16].copy_from_slice(&self.counts.rank_bits.to_le_bytes());
        header[16..24].copy_from_slice(&self.counts.terms.to_le_bytes());
        header[24..32].copy_from_slice(&self.counts.nodes.to_le_bytes());
        header[32..40].copy_from_slice(&self.counts.label_bytes.to_le_bytes());
        header[40..48].copy_from_slice(&self.counts.weights.to_le_bytes());
        header[48..52].copy_from_slice(&self.counts.hot_nodes.to_le_bytes());
        header[52..56].copy_from_slice(&self.counts.hot_k.to_le_bytes());
        header[56..64].copy_from_slice(&self.counts.hot_text_bytes.to_le_bytes());
        header[BODY_SUM_AT..BODY_SUM_AT + 8].copy_from_slice(&body_checksum.to_le_bytes());
        let sum = checksum(&header[..HEADER_SUM_AT]);
        header[HEADER_SUM_AT..HEADER_SUM_AT + 8].copy_from_slice(&sum.to_le_bytes());
        header
    }
}

/// The stored checksum of the body.
pub fn stored_body_checksum(bytes: &[u8]) -> u64 {
    bytes
        .get(..HEADER_LEN)
        .map_or(0, |h| u64_at(h, BODY_SUM_AT))
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    let mut word = [0u8; 4];
    if let Some(src) = bytes.get(at..at + 4) {
        word.copy_from_slice(src);
    }
    u32::from_le_bytes(word)
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0u8; 8];
    if let Some(src) = bytes.get(at..at + 8) {
        word.copy_from_slice(src);
    }
    u64::from_le_bytes(word)
}

/// A 64-bit checksum over `bytes`: four independent multiply-rotate lanes
/// over 8-byte words (so the multiplies overlap), folded with the length.
/// It detects corruption, not tampering; speed matters because the whole
/// body is checked on a verified open.
pub fn checksum(bytes: &[u8]) -> u64 {
    const K: [u64; 4] = [
        0x9E37_79B9_7F4A_7C15,
        0xC2B2_AE3D_27D4_EB4F,
        0x1656_67B1_9E37_79F9,
        0xD6E8_FEB8_6659_FD93,
    ];
    let mut lanes = K;
    let mut blocks = bytes.chunks_exact(32);
    for block in &mut blocks {
        for (lane, (word, k)) in lanes.iter_mut().zip(block.chunks_exact(8).zip(K)) {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            *lane = (*lane ^ u64::from_le_bytes(w))
                .wrapping_mul(k)
                .rotate_left(29);
        }
    }
    let mut tail = [0u8; 32];
    let rest = blocks.remainder();
    tail[..rest.len()].copy_from_slice(rest);
    for (lane, (word, k)) in lanes.iter_mut().zip(tail.chunks_exact(8).zip(K)) {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        *lane = (*lane ^ u64::from_le_bytes(w))
            .wrapping_mul(k)
            .rotate_left(29);
    }
    let mut h = bytes.len() as u64;
    for lane in lanes {
        h = perflab_kit::mix64(h ^ lane);
    }
    h
}

/// The sections of one index, borrowed for the length of a query. Every
/// accessor returns `None` for data that a well-formed file cannot hold,
/// so a damaged file ends a query early instead of panicking.
#[derive(Debug, Clone, Copy)]
pub struct Sections<'a> {
    pub nodes: u32,
    pub rank_bits: u32,
    pub child_count: &'a [u8],
    pub first_byte: &'a [u8],
    pub label_len: &'a [u8],
    child_at: &'a [u8],
    label_at: &'a [u8],
    labels: &'a [u8],
    best: &'a [u8],
    weights: &'a [u8],
    rank_from: &'a [u8],
    pub hot_nodes: u32,
    pub hot_k: u32,
    hot_len: &'a [u8],
    hot_weights: &'a [u8],
    hot_ends: &'a [u8],
    hot_text: &'a [u8],
}

/// A node's children: `first..first + count`, all after the node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Children {
    pub first: u32,
    pub count: u32,
    /// Offset of the first child's label; the others follow in order.
    pub label_at: u32,
}

impl<'a> Sections<'a> {
    /// The sections of `bytes` as `layout` places them (already checked to
    /// fit by [`Layout::read`] or produced by the builder).
    pub fn new(bytes: &'a [u8], layout: &Layout) -> Option<Self> {
        Some(Self {
            nodes: u32::try_from(layout.counts.nodes).ok()?,
            rank_bits: layout.counts.rank_bits,
            child_count: bytes.get(layout.child_count.clone())?,
            first_byte: bytes.get(layout.first_byte.clone())?,
            label_len: bytes.get(layout.label_len.clone())?,
            child_at: bytes.get(layout.child_at.clone())?,
            label_at: bytes.get(layout.label_at.clone())?,
            labels: bytes.get(layout.labels.clone())?,
            best: bytes.get(layout.best.clone())?,
            weights: bytes.get(layout.weights.clone())?,
            rank_from: bytes.get(layout.rank_from.clone())?,
            hot_nodes: layout.counts.hot_nodes,
            hot_k: layout.counts.hot_k,
            hot_len: bytes.get(layout.hot_len.clone())?,
            hot_weights: bytes.get(layout.hot_weights.clone())?,
            hot_ends: bytes.get(layout.hot_ends.clone())?,
            hot_text: bytes.get(layout.hot_text.clone())?,
        })
    }

    /// `sample[node / 32] + sum(counts[node / 32 * 32 .. node])`.
    fn sampled(samples: &[u8], counts: &[u8], node: u32) -> Option<u32> {
        let node = node as usize;
        let block = node / SAMPLE;
        let base = u32_at_checked(samples, block * 4)?;
        let run = counts.get(block * SAMPLE..node)?;
        let sum: u32 = run.iter().map(|&c| u32::from(c)).sum();
        base.checked_add(sum)
    }

    /// The children of `node`, if it has any and they lie after it.
    pub fn children(&self, node: u32) -> Option<Children> {
        let count = u32::from(*self.child_count.get(node as usize)?);
        if count == 0 {
            return None;
        }
        let first = Self::sampled(self.child_at, self.child_count, node)?;
        let end = first.checked_add(count)?;
        if first <= node || end > self.nodes {
            return None;
        }
        let label_at = Self::sampled(self.label_at, self.label_len, first)?;
        Some(Children {
            first,
            count,
            label_at,
        })
    }

    /// The child of `node` whose label starts with `byte`, and that label.
    /// Siblings are in rank order, so this scans their first bytes (which
    /// are distinct, except an end child's, whose label is empty).
    pub fn child_by_byte(&self, node: u32, byte: u8) -> Option<(u32, &'a [u8])> {
        let children = self.children(node)?;
        let (first, count) = (children.first as usize, children.count as usize);
        let firsts = self.first_byte.get(first..first + count)?;
        let lens = self.label_len.get(first..first + count)?;
        let slot = firsts
            .iter()
            .zip(lens)
            .position(|(&b, &len)| b == byte && len > 0)?;
        let before: u32 = lens[..slot].iter().map(|&l| u32::from(l)).sum();
        let child = children.first + slot as u32;
        let label = self.label(child, children.label_at.saturating_add(before))?;
        Some((child, label))
    }

    /// Whether `node` is a leaf: one term, ending at its label's end.
    pub fn is_leaf(&self, node: u32) -> bool {
        self.child_count.get(node as usize) == Some(&0)
    }

    /// The label of `node` at `offset` (as [`Children::label_at`] gives it).
    pub fn label(&self, node: u32, offset: u32) -> Option<&'a [u8]> {
        let len = usize::from(*self.label_len.get(node as usize)?);
        let start = offset as usize;
        self.labels.get(start..start.checked_add(len)?)
    }

    /// The label offset of `node`, from the samples.
    pub fn label_offset(&self, node: u32) -> Option<u32> {
        if node >= self.nodes {
            return None;
        }
        Self::sampled(self.label_at, self.label_len, node)
    }

    /// The best (smallest) rank in the subtree of `node`.
    pub fn best(&self, node: u32) -> Option<u32> {
        let bit = (node as usize).checked_mul(self.rank_bits as usize)?;
        let word = self.best.get(bit / 8..bit / 8 + 8)?;
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        let mask = (1u64 << self.rank_bits) - 1;
        Some(((u64::from_le_bytes(w) >> (bit % 8)) & mask) as u32)
    }

    /// The weight of the term of rank `rank`.
    pub fn weight(&self, rank: u32) -> Option<u64> {
        let count = self.rank_from.len() / 4;
        // The last weight whose first rank is at most `rank`.
        let (mut low, mut high) = (0usize, count);
        while low < high {
            let mid = low + (high - low) / 2;
            if u32_at_checked(self.rank_from, mid * 4)? <= rank {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        let at = low.checked_sub(1)?;
        let mut w = [0u8; 8];
        w.copy_from_slice(self.weights.get(at * 8..at * 8 + 8)?);
        Some(u64::from_le_bytes(w))
    }
}

impl<'a> Sections<'a> {
    /// How many answers hot node `node` stores (`None`: not a hot node).
    pub fn hot_len(&self, node: u32) -> Option<u32> {
        if node >= self.hot_nodes {
            return None;
        }
        let len = u32::from(*self.hot_len.get(node as usize)?);
        (len <= self.hot_k).then_some(len)
    }

    /// The stored answer `i` of hot node `node`: its weight and text, or
    /// `None` for a damaged entry.
    pub fn hot_answer(&self, node: u32, i: u32) -> Option<(u64, &'a str)> {
        if i >= self.hot_len(node)? {
            return None;
        }
        let at = node as usize * self.hot_k as usize + i as usize;
        let mut w = [0u8; 8];
        w.copy_from_slice(self.hot_weights.get(at * 8..at * 8 + 8)?);
        let weight = u64::from_le_bytes(w);
        let end = u32_at_checked(self.hot_ends, at * 4)? as usize;
        let start = match at.checked_sub(1) {
            Some(prev) => u32_at_checked(self.hot_ends, prev * 4)? as usize,
            None => 0,
        };
        let text = std::str::from_utf8(self.hot_text.get(start..end)?).ok()?;
        Some((weight, text))
    }
}

fn u32_at_checked(bytes: &[u8], at: usize) -> Option<u32> {
    let mut word = [0u8; 4];
    word.copy_from_slice(bytes.get(at..at.checked_add(4)?)?);
    Some(u32::from_le_bytes(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_sees_every_byte_and_the_length() {
        let data: Vec<u8> = (0..100u8).collect();
        let base = checksum(&data);
        for at in [0, 31, 32, 63, 99] {
            let mut flipped = data.clone();
            flipped[at] ^= 1;
            assert_ne!(checksum(&flipped), base, "byte {at}");
        }
        assert_ne!(checksum(&data[..99]), base);
        assert_ne!(checksum(&[0]), checksum(&[0, 0]));
    }

    #[test]
    fn layout_sections_are_aligned_and_ordered() {
        let counts = Counts {
            rank_bits: 17,
            terms: 100,
            nodes: 150,
            label_bytes: 401,
            weights: 40,
            hot_nodes: 20,
            hot_k: 10,
            hot_text_bytes: 999,
        };
        let layout = Layout::of(counts).expect("fits");
        let sections = [
            &layout.child_count,
            &layout.first_byte,
            &layout.label_len,
            &layout.child_at,
            &layout.label_at,
            &layout.labels,
            &layout.best,
            &layout.weights,
            &layout.rank_from,
            &layout.hot_len,
            &layout.hot_weights,
            &layout.hot_ends,
            &layout.hot_text,
        ];
        let mut end = HEADER_LEN;
        for s in sections {
            assert_eq!(s.start % 8, 0);
            assert!(s.start >= end);
            end = s.end;
        }
        assert_eq!(layout.total % 8, 0);
        assert!(layout.total >= end);
    }
}
