//! Incremental fuzzy search: one keystroke at a time, reusing the state.
//!
//! A *position* is a point in the trie at a character boundary: a node and
//! a byte offset inside its label. For every position `p` and query prefix
//! `q[..j]`, `D(p, j)` is the Levenshtein distance between `q[..j]` and the
//! text from the root to `p`, by the usual recurrence over the parent
//! position and the character `c` that leads to `p`:
//!
//! ```text
//! D(p, j) = min(D(parent, j) + 1, D(p, j - 1) + 1, D(parent, j - 1) + [q[j-1] != c])
//! ```
//!
//! Only cells within `d` of the diagonal can be at most `d` (Ukkonen's
//! band), so each position keeps `2d + 1` cells, saturated at `d + 1`. The
//! session keeps a table of the *live* positions: those with some cell at
//! most `d`. Adding a character computes one new cell for the positions
//! whose depth is within `d` of the query length (the others' new cell is
//! out of band), then adds the children that came alive, which can only be
//! children of a live position. Backspace truncates the table to its size
//! before the keystroke. So a keystroke costs time proportional to the
//! positions near the current query, not to the query's length: one cell
//! and one child lookup per keystroke for an exact (`d = 0`) session. This
//! is the active-node idea of Ji, Li, Li and Feng, "Efficient Interactive
//! Fuzzy Keyword Search" (WWW 2009), on a byte-level radix trie.
//!
//! The answer for the current query: a term's prefix distance is the least
//! `D(p, m)` over the positions `p` on its path. Positions where that least
//! value drops become seeds of the best-first search ([`super::search`]),
//! one distance at a time, each skipping the subtrees of closer seeds.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::Optimized;
use super::format::Sections;
use super::search::{Exclusions, Seed, top_k};
use crate::{MAX_DISTANCE, MAX_QUERY_CHARS, QueryError, Suggestion};

/// Cells per position: the band `depth - d ..= depth + d`.
const BAND: usize = 2 * MAX_DISTANCE as usize + 1;

/// One live position.
#[derive(Debug, Clone, Copy)]
struct Position {
    node: u32,
    /// Bytes of the node's label consumed (0 only for the root).
    offset: u8,
    /// Index of the parent position (the root is its own parent).
    parent: u32,
    /// Characters from the root.
    depth: u32,
    /// The character that leads here.
    ch: char,
    /// `D(p, depth - d + i)` for `i` in `0..BAND`.
    band: [u8; BAND],
}

/// A fast hasher for `(node, offset)` keys.
#[derive(Debug, Default, Clone, Copy)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        perflab_kit::mix64(self.0)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | u64::from(b)).rotate_left(5);
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 ^= value;
    }
}

type Keys = HashMap<u64, u32, BuildHasherDefault<KeyHasher>>;

fn key(node: u32, offset: u8) -> u64 {
    u64::from(node) << 8 | u64::from(offset)
}

/// An autocomplete session over one index: the query typed so far and
/// the state of its search. See the module docs.
#[derive(Debug)]
pub struct Session<'a> {
    index: &'a Optimized,
    d: u8,
    query: Vec<char>,
    positions: Vec<Position>,
    keys: Keys,
    /// Positions by depth in characters.
    by_depth: Vec<Vec<u32>>,
    /// Table length before each keystroke.
    undo: Vec<usize>,
    /// Reused between keystrokes: revival candidates.
    scratch: Vec<(u32, Want)>,
}

/// Which children of a position can come alive: all of them, or only
/// those reached by one of a few characters (when the position is already
/// at the distance limit, only a matching character keeps a child within it).
#[derive(Debug, Clone, Copy)]
struct Want {
    all: bool,
    chars: [char; BAND],
    len: usize,
}

impl Want {
    fn all() -> Self {
        Self {
            all: true,
            chars: ['\0'; BAND],
            len: 0,
        }
    }

    fn one(c: char) -> Self {
        let mut want = Self {
            all: false,
            chars: ['\0'; BAND],
            len: 0,
        };
        want.add(c);
        want
    }

    fn add(&mut self, c: char) {
        if self.len < BAND && !self.chars[..self.len].contains(&c) {
            self.chars[self.len] = c;
            self.len += 1;
        }
    }
}

impl<'a> Session<'a> {
    /// A session with an empty query; `max_distance` as in [`crate::FuzzyQuery`].
    pub fn new(index: &'a Optimized, max_distance: u8) -> Result<Self, QueryError> {
        if max_distance > MAX_DISTANCE {
            return Err(QueryError::DistanceTooLarge {
                given: max_distance,
            });
        }
        let mut session = Self {
            index,
            d: max_distance,
            query: Vec::new(),
            positions: Vec::new(),
            keys: Keys::default(),
            by_depth: Vec::new(),
            undo: Vec::new(),
            scratch: Vec::new(),
        };
        let sections = index.sections();
        if sections.nodes > 0 {
            let mut band = [session.saturated(); BAND];
            band[usize::from(session.d)] = 0;
            session.insert(Position {
                node: 0,
                offset: 0,
                parent: 0,
                depth: 0,
                ch: '\0',
                band,
            });
            session.grow_from(&sections, 0, Want::all());
        }
        Ok(session)
    }

    /// The query typed so far.
    pub fn query(&self) -> String {
        self.query.iter().collect()
    }

    /// The largest distance this session matches.
    pub fn max_distance(&self) -> u8 {
        self.d
    }

    /// Live positions: the state a keystroke updates (for tests and stats).
    pub fn state_size(&self) -> usize {
        self.positions.len()
    }

    /// Types one more character.
    pub fn push(&mut self, c: char) -> Result<(), QueryError> {
        if self.query.len() >= MAX_QUERY_CHARS {
            return Err(QueryError::TooLong {
                chars: self.query.len() + 1,
            });
        }
        self.undo.push(self.positions.len());
        self.query.push(c);
        let m = self.query.len() as u32;
        let d = u32::from(self.d);
        let sections = self.index.sections();
        let existing = self.positions.len();
        // New cells, parents before children (depth ascending).
        for depth in m.saturating_sub(d)..=m + d {
            let Some(bucket) = self.by_depth.get(depth as usize) else {
                break;
            };
            for i in 0..bucket.len() {
                let p = self.by_depth[depth as usize][i] as usize;
                let cell = self.new_cell(p, m);
                let slot = self.slot(self.positions[p].depth, m);
                if let Some(slot) = slot {
                    self.positions[p].band[slot] = cell;
                }
            }
        }
        // Children that came alive: only children of live positions whose
        // new or previous cell leaves room for one more character.
        for depth in m.saturating_sub(d + 1)..m + d {
            let Some(bucket) = self.by_depth.get(depth as usize) else {
                break;
            };
            let mut candidates = std::mem::take(&mut self.scratch);
            candidates.clear();
            for &p in bucket.iter().take_while(|&&p| (p as usize) < existing) {
                // A child's new cell is min(now + 1, before + [c != q[m-1]]).
                let now = self.cell(p as usize, m);
                let before = self.cell(p as usize, m - 1);
                let want = if now < self.d || before < self.d {
                    Want::all()
                } else if before == self.d {
                    Want::one(c)
                } else {
                    continue;
                };
                candidates.push((p, want));
            }
            for &(p, want) in &candidates {
                self.grow_from(&sections, p, want);
            }
            self.scratch = candidates;
        }
        Ok(())
    }

    /// Deletes the last character; `None` when the query is empty.
    pub fn pop(&mut self) -> Option<char> {
        let c = self.query.pop()?;
        let keep = self.undo.pop().unwrap_or(self.positions.len());
        for p in self.positions.drain(keep..) {
            self.keys.remove(&key(p.node, p.offset));
            if let Some(bucket) = self.by_depth.get_mut(p.depth as usize) {
                bucket.pop();
            }
        }
        Some(c)
    }

    /// Replaces the query, keeping the state of the common prefix.
    pub fn set(&mut self, text: &str) -> Result<(), QueryError> {
        let chars: Vec<char> = text.chars().collect();
        if chars.len() > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong { chars: chars.len() });
        }
        let common = self
            .query
            .iter()
            .zip(&chars)
            .take_while(|(a, b)| a == b)
            .count();
        while self.query.len() > common {
            self.pop();
        }
        for &c in &chars[common..] {
            self.push(c)?;
        }
        Ok(())
    }

    /// The at most `k` best matches of the current query, as
    /// [`crate::Completer::complete_fuzzy`] ranks them.
    pub fn complete(&self, k: usize) -> Vec<Suggestion> {
        let mut out = Vec::new();
        if k == 0 || self.positions.is_empty() {
            return out;
        }
        let sections = self.index.sections();
        let m = self.query.len() as u32;
        let d = u32::from(self.d);
        // Least distance on the path, for positions in band (others are > d).
        let sat = self.saturated();
        let mut least = vec![sat; self.positions.len()];
        // Where the least distance drops: (node, distance, position).
        let mut drops: Vec<(u32, u8, u32)> = Vec::new();
        for depth in m.saturating_sub(d)..=m + d {
            let Some(bucket) = self.by_depth.get(depth as usize) else {
                break;
            };
            for &p in bucket {
                let pos = &self.positions[p as usize];
                let here = self.cell(p as usize, m);
                let above = if p == 0 {
                    sat
                } else {
                    least[pos.parent as usize]
                };
                least[p as usize] = here.min(above);
                if here < above && here <= self.d {
                    drops.push((pos.node, here, p));
                }
            }
        }
        // One seed per node, with the least distance found in it.
        drops.sort_unstable();
        drops.dedup_by_key(|&mut (node, ..)| node);
        let excluded = Exclusions(drops.iter().map(|&(node, ..)| node).collect());
        let path = |p: u32| self.path_to_node_end(&sections, p);
        for distance in 0..=self.d {
            let tier: Vec<Seed> = drops
                .iter()
                .filter(|&&(_, dist, _)| dist == distance)
                .map(|&(node, _, p)| Seed { node, origin: p })
                .collect();
            top_k(&sections, &tier, path, &excluded, distance, k, &mut out);
            if out.len() >= k {
                break;
            }
        }
        out
    }

    /// The bytes from the root to the end of the label of position `p`'s node.
    fn path_to_node_end(&self, sections: &Sections<'_>, p: u32) -> Option<Vec<u8>> {
        let mut chars = Vec::new();
        let mut at = p;
        while at != 0 {
            let pos = self.positions.get(at as usize)?;
            chars.push(pos.ch);
            at = pos.parent;
        }
        let mut path = chars.iter().rev().collect::<String>().into_bytes();
        let pos = self.positions.get(p as usize)?;
        if pos.node != 0 {
            let label = sections.label(pos.node, sections.label_offset(pos.node)?)?;
            path.extend_from_slice(label.get(usize::from(pos.offset)..)?);
        }
        Some(path)
    }

    fn saturated(&self) -> u8 {
        self.d + 1
    }

    /// The band slot of column `j` for a position at `depth`, if in band.
    fn slot(&self, depth: u32, j: u32) -> Option<usize> {
        let i = i64::from(j) - i64::from(depth) + i64::from(self.d);
        (0..=2 * i64::from(self.d))
            .contains(&i)
            .then_some(i as usize)
    }

    /// `D(p, j)`, saturated: out-of-band cells are above `d`.
    fn cell(&self, p: usize, j: u32) -> u8 {
        let pos = &self.positions[p];
        match self.slot(pos.depth, j) {
            Some(slot) => pos.band[slot],
            None => self.saturated(),
        }
    }

    /// `D(p, m)` from the recurrence (the parent's cell `m` is already new).
    fn new_cell(&self, p: usize, m: u32) -> u8 {
        let pos = &self.positions[p];
        if p == 0 {
            return u8::try_from(m).unwrap_or(u8::MAX).min(self.saturated());
        }
        let cost = u8::from(self.query[m as usize - 1] != pos.ch);
        let parent = pos.parent as usize;
        let value = (self.cell(parent, m) + 1)
            .min(self.cell(p, m - 1) + 1)
            .min(self.cell(parent, m - 1) + cost);
        value.min(self.saturated())
    }

    fn insert(&mut self, pos: Position) -> u32 {
        let at = self.positions.len() as u32;
        self.keys.insert(key(pos.node, pos.offset), at);
        let depth = pos.depth as usize;
        if self.by_depth.len() <= depth {
            self.by_depth.resize_with(depth + 1, Vec::new);
        }
        self.by_depth[depth].push(at);
        self.positions.push(pos);
        at
    }

    /// Adds the live children of position `from` (those `want` allows),
    /// and theirs, depth first.
    fn grow_from(&mut self, sections: &Sections<'_>, from: u32, want: Want) {
        let m = self.query.len() as u32;
        let mut stack = vec![(from, want)];
        let mut children = Vec::new();
        while let Some((p, want)) = stack.pop() {
            let pos = self.positions[p as usize];
            children.clear();
            if want.all {
                char_children(sections, pos.node, pos.offset, &mut children);
            } else {
                for &c in &want.chars[..want.len] {
                    if let Some((node, offset)) = char_child(sections, pos.node, pos.offset, c) {
                        children.push((node, offset, c));
                    }
                }
            }
            for &(node, offset, ch) in &children {
                if self.keys.contains_key(&key(node, offset)) {
                    continue;
                }
                let depth = pos.depth + 1;
                let mut band = [self.saturated(); BAND];
                let mut least = self.saturated();
                // Columns in band and typed so far, in order.
                let lo = depth.saturating_sub(u32::from(self.d));
                for j in lo..=(depth + u32::from(self.d)).min(m) {
                    let left = match j.checked_sub(1) {
                        Some(prev) if prev >= lo => band[self.slot(depth, prev).unwrap_or(0)],
                        _ => self.saturated(),
                    };
                    let value = if j == 0 {
                        u8::try_from(depth).unwrap_or(u8::MAX)
                    } else {
                        let cost = u8::from(self.query[j as usize - 1] != ch);
                        (self.cell(p as usize, j) + 1)
                            .min(left + 1)
                            .min(self.cell(p as usize, j - 1) + cost)
                    }
                    .min(self.saturated());
                    if let Some(slot) = self.slot(depth, j) {
                        band[slot] = value;
                    }
                    least = least.min(value);
                }
                if least > self.d {
                    continue;
                }
                let child = self.insert(Position {
                    node,
                    offset,
                    parent: p,
                    depth,
                    ch,
                    band,
                });
                stack.push((child, self.want_below(child, least)));
            }
        }
    }

    /// Which children of the new position `p` (least cell `least`) can be
    /// alive: any, if one more edit fits; else only those continuing a
    /// cell that is exactly at the limit with the matching query character.
    fn want_below(&self, p: u32, least: u8) -> Want {
        if least < self.d {
            return Want::all();
        }
        let m = self.query.len() as u32;
        let depth = self.positions[p as usize].depth;
        let mut want = Want::one('\0');
        want.len = 0;
        // A child's cell j can be d only as D(p, j - 1) + 0.
        for j in (depth + 1).saturating_sub(u32::from(self.d)).max(1)
            ..=(depth + 1 + u32::from(self.d)).min(m)
        {
            if self.cell(p as usize, j - 1) == self.d {
                want.add(self.query[j as usize - 1]);
            }
        }
        want
    }
}

/// The position one character `c` below `(node, offset)`, if the trie has it.
fn char_child(sections: &Sections<'_>, node: u32, offset: u8, c: char) -> Option<(u32, u8)> {
    let mut buf = [0u8; 4];
    let bytes = c.encode_utf8(&mut buf).as_bytes();
    let (mut node, mut offset) = (node, offset);
    let mut label = sections.label(node, sections.label_offset(node)?)?;
    for &b in bytes {
        if usize::from(offset) >= label.len() {
            (node, label) = sections.child_by_byte(node, b)?;
            offset = 0;
        }
        if label.get(usize::from(offset)) != Some(&b) {
            return None;
        }
        offset += 1;
    }
    Some((node, offset))
}

/// A character being read across labels: node, offset in its label, the
/// label's offset, and the bytes of the character so far (and how many).
type Partial = (u32, u8, Option<u32>, [u8; 4], usize);

/// The positions one character below `(node, offset)`: read label bytes
/// until a character is complete, branching into the children at label
/// ends (a character may span nodes). Invalid UTF-8 ends a branch.
fn char_children(sections: &Sections<'_>, node: u32, offset: u8, out: &mut Vec<(u32, u8, char)>) {
    let mut stack: Vec<Partial> = vec![(node, offset, sections.label_offset(node), [0; 4], 0)];
    while let Some((node, offset, label_at, mut pending, mut len)) = stack.pop() {
        let label = label_at
            .and_then(|at| sections.label(node, at))
            .unwrap_or(&[]);
        if let Some(&byte) = label.get(usize::from(offset)) {
            if len == pending.len() {
                continue;
            }
            pending[len] = byte;
            len += 1;
            let Some(need) = utf8_len(pending[0]) else {
                continue;
            };
            let next = offset.saturating_add(1);
            if len == need {
                if let Some(c) = std::str::from_utf8(&pending[..len])
                    .ok()
                    .and_then(|s| s.chars().next())
                {
                    out.push((node, next, c));
                }
            } else {
                stack.push((node, next, label_at, pending, len));
            }
            continue;
        }
        let Some(children) = sections.children(node) else {
            continue;
        };
        let mut at = children.label_at;
        for child in children.first..children.first + children.count {
            let child_len = u32::from(sections.label_len[child as usize]);
            if child_len > 0 {
                stack.push((child, 0, Some(at), pending, len));
            }
            at = at.saturating_add(child_len);
        }
    }
}

/// The length of a UTF-8 sequence from its first byte.
fn utf8_len(lead: u8) -> Option<usize> {
    match lead {
        0x00..=0x7F => Some(1),
        0xC2..=0xDF => Some(2),
        0xE0..=0xEF => Some(3),
        0xF0..=0xF4 => Some(4),
        _ => None,
    }
}
