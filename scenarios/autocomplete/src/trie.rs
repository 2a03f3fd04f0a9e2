//! The optimized variant: a compressed trie with best-first top-k search.
//!
//! Layout, chosen so that a million terms build in well under a second and a
//! query touches a few dozen cache lines:
//!
//! * The canonical terms are sorted bytewise, so **a term's index is also its
//!   rank among equal weights** (text ascending): the whole ranking key is
//!   `(weight, index)` and comparisons never look at text.
//! * All text lives in one `String`; `ends[i]` is where term `i` ends.
//! * Nodes live in one `Vec<Node>` addressed by `u32`, the children of a node
//!   contiguous. Edges are path-compressed: a node stores only its depth, and
//!   its label is `text(lo)[parent_depth..depth]`, where `lo` is the first
//!   term of its subtree (in sorted order a subtree is a contiguous range of
//!   terms). A node ends a term exactly when `text(lo).len() == depth`.
//! * `best` is the best-ranked term of the subtree, and **siblings are stored
//!   in rank order of their `best`**, not by byte. The search then only ever
//!   needs a node's first child and a node's next sibling, so each heap pop
//!   pushes at most three entries however wide the node is. Finding a child
//!   by byte is a linear scan over at most 256 small nodes, which the query
//!   does only once per prefix byte.
//!
//! It does not support inserting or removing terms after the build.

use std::collections::BinaryHeap;

use crate::{Completer, Suggestion, Term, canonicalize};

/// The root is the first node; it stands for the empty prefix.
const ROOT: u32 = 0;

#[derive(Debug, Clone, Copy)]
struct Node {
    /// First term (in sorted order) of this node's subtree.
    lo: u32,
    /// Length in bytes of the prefix this node stands for.
    depth: u32,
    /// Index of the first child; children are `first_child..first_child + child_count`.
    first_child: u32,
    /// Best-ranked term of the subtree.
    best: u32,
    child_count: u16,
    /// First byte of the edge label from the parent (0 for the root).
    byte: u8,
}

/// Trie-based autocomplete; see the module docs for the layout.
#[derive(Debug, Clone)]
pub struct Optimized {
    text: String,
    /// `ends[i]` is the end offset of term `i` in `text`; term `i` starts at `ends[i - 1]`.
    ends: Vec<u32>,
    weights: Vec<u64>,
    nodes: Vec<Node>,
}

/// A heap entry, keyed by the best term it stands for.
///
/// Either "emit `term`" (`node == EMIT`), or the subtrees of `node` and of its
/// later siblings up to `siblings_end`. Siblings are in rank order, so the
/// best of that whole set is `best(node)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    weight: u64,
    term: u32,
    node: u32,
    siblings_end: u32,
}

const EMIT: u32 = u32::MAX;

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // Max-heap: heavier first, then the smaller index (= smaller text);
        // at equal keys emit before expanding (either is correct, emitting
        // stops earlier).
        self.weight
            .cmp(&other.weight)
            .then_with(|| other.term.cmp(&self.term))
            .then_with(|| self.node.cmp(&other.node))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Optimized {
    fn term_bytes(&self, i: u32) -> &[u8] {
        term_bytes(&self.text, &self.ends, i)
    }

    fn has_own_term(&self, node: &Node) -> bool {
        self.term_bytes(node.lo).len() == node.depth as usize
    }

    /// The node whose subtree is exactly the terms starting with `prefix`.
    fn find(&self, prefix: &[u8]) -> Option<u32> {
        let mut at = ROOT;
        let mut depth = 0usize;
        while depth < prefix.len() {
            let node = &self.nodes[at as usize];
            let first = node.first_child as usize;
            let children = &self.nodes[first..first + usize::from(node.child_count)];
            let slot = children.iter().position(|c| c.byte == prefix[depth])?;
            let child = &children[slot];
            // The prefix may end inside the child's edge label.
            let end = (child.depth as usize).min(prefix.len());
            if self.term_bytes(child.lo)[depth..end] != prefix[depth..end] {
                return None;
            }
            at = node.first_child + to_u32(slot);
            depth = child.depth as usize;
        }
        Some(at)
    }

    /// The entry for `node` and its later siblings before `siblings_end`.
    fn subtrees(&self, node: u32, siblings_end: u32) -> Entry {
        let best = self.nodes[node as usize].best;
        Entry {
            weight: self.weights[best as usize],
            term: best,
            node,
            siblings_end,
        }
    }
}

fn term_bytes<'a>(text: &'a str, ends: &[u32], i: u32) -> &'a [u8] {
    let i = i as usize;
    let start = if i == 0 { 0 } else { ends[i - 1] as usize };
    &text.as_bytes()[start..ends[i] as usize]
}

/// Converts a length or index to `u32`; the layout caps text and terms at
/// `u32::MAX`, far beyond the scenario.
fn to_u32(value: usize) -> u32 {
    u32::try_from(value).expect("autocomplete trie holds at most u32::MAX bytes of text")
}

/// Length of the common prefix of `a` and `b`, known to agree before `from`.
fn common_len(a: &[u8], b: &[u8], from: usize) -> usize {
    from + a[from..]
        .iter()
        .zip(&b[from..])
        .take_while(|(x, y)| x == y)
        .count()
}

/// Whether term `a` ranks before term `b`: heavier, or as heavy and smaller text.
fn ranks_before(weights: &[u64], a: u32, b: u32) -> bool {
    let (wa, wb) = (weights[a as usize], weights[b as usize]);
    wa > wb || (wa == wb && a < b)
}

impl Completer for Optimized {
    const VARIANT: &'static str = "optimized";

    fn build(terms: Vec<Term>) -> Self {
        let terms = canonicalize(terms);
        let total: usize = terms.iter().map(|t| t.text.len()).sum();
        let mut text = String::with_capacity(total);
        let mut ends = Vec::with_capacity(terms.len());
        let mut weights = Vec::with_capacity(terms.len());
        for term in &terms {
            text.push_str(&term.text);
            ends.push(to_u32(text.len()));
            weights.push(term.weight);
        }
        drop(terms);
        let mut trie = Self {
            text,
            ends,
            weights,
            nodes: Vec::new(),
        };
        trie.build_nodes();
        trie.rank_nodes();
        trie
    }

    fn complete_bytes(&self, prefix: &[u8], k: usize) -> Vec<Suggestion> {
        let mut out = Vec::new();
        if k == 0 || self.ends.is_empty() {
            return out;
        }
        let Some(start) = self.find(prefix) else {
            return out;
        };
        out.reserve(k.min(64));
        let mut heap = BinaryHeap::with_capacity(64);
        heap.push(self.subtrees(start, start + 1));
        while let Some(entry) = heap.pop() {
            if entry.node == EMIT {
                let text = std::str::from_utf8(self.term_bytes(entry.term))
                    .expect("terms are whole strings");
                out.push(Suggestion::exact(text, entry.weight));
                if out.len() == k {
                    break;
                }
                continue;
            }
            // Split the entry's set into: later siblings, this node's own
            // term, and its children. Each part ranks no better than the
            // entry, so pops stay in rank order.
            if entry.node + 1 < entry.siblings_end {
                heap.push(self.subtrees(entry.node + 1, entry.siblings_end));
            }
            let node = &self.nodes[entry.node as usize];
            if self.has_own_term(node) {
                heap.push(Entry {
                    weight: self.weights[node.lo as usize],
                    term: node.lo,
                    node: EMIT,
                    siblings_end: 0,
                });
            }
            if node.child_count > 0 {
                let end = node.first_child + u32::from(node.child_count);
                heap.push(self.subtrees(node.first_child, end));
            }
        }
        out
    }

    // Temporary while the compact index (which replaces this trie) lands:
    // the same scan as the naive variant, over the trie's term list.
    fn complete_fuzzy(&self, query: &crate::FuzzyQuery, k: usize) -> Vec<Suggestion> {
        let terms = (0..to_u32(self.ends.len()))
            .map(|i| {
                let text = std::str::from_utf8(self.term_bytes(i)).expect("whole strings");
                Term::new(text, self.weights[i as usize])
            })
            .collect();
        crate::Naive::build(terms).complete_fuzzy(query, k)
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn heap_bytes(&self) -> usize {
        self.text.capacity()
            + self.ends.capacity() * size_of::<u32>()
            + self.weights.capacity() * size_of::<u64>()
            + self.nodes.capacity() * size_of::<Node>()
    }
}

impl Optimized {
    /// Builds the nodes breadth-first from the sorted terms, so that each
    /// node's children are allocated together. Iterative, so very long terms
    /// cannot overflow the stack.
    fn build_nodes(&mut self) {
        let n = self.ends.len();
        if n == 0 {
            return;
        }
        // A radix tree has fewer than 2n nodes; shrunk to fit at the end.
        self.nodes = Vec::with_capacity(2 * n);
        self.nodes.push(Node {
            lo: 0,
            depth: 0,
            first_child: 0,
            best: 0,
            child_count: 0,
            byte: 0,
        });
        // End (exclusive) of each node's term range, needed only while building.
        let mut his: Vec<u32> = Vec::with_capacity(2 * n);
        his.push(to_u32(n));
        let mut at = 0usize;
        while at < self.nodes.len() {
            let Node { lo, depth, .. } = self.nodes[at];
            let (lo, hi, depth) = (lo as usize, his[at] as usize, depth as usize);
            let mut i = lo;
            if self.term_bytes(to_u32(i)).len() == depth {
                i += 1; // this node's own term sorts first in its range
            }
            let first_child = to_u32(self.nodes.len());
            while i < hi {
                let first = self.term_bytes(to_u32(i));
                let byte = first[depth];
                let run_end = self.run_end(i, hi, depth, byte);
                let child_depth = if run_end == i + 1 {
                    first.len()
                } else {
                    // Sorted, so the run's common prefix is that of its ends.
                    common_len(first, self.term_bytes(to_u32(run_end - 1)), depth + 1)
                };
                self.nodes.push(Node {
                    lo: to_u32(i),
                    depth: to_u32(child_depth),
                    first_child: 0,
                    best: 0,
                    child_count: 0,
                    byte,
                });
                his.push(to_u32(run_end));
                i = run_end;
            }
            let count = self.nodes.len() - first_child as usize;
            let node = &mut self.nodes[at];
            node.first_child = first_child;
            node.child_count = u16::try_from(count).expect("at most 256 children per node");
            at += 1;
        }
        self.nodes.shrink_to_fit();
    }

    /// End of the run of terms from `i` (below `hi`) whose byte at `depth`
    /// is `byte`. Sorted order makes the run a prefix of `i..hi`, so a binary
    /// search finds its end and the build stays O(n log n) even at the root.
    fn run_end(&self, i: usize, hi: usize, depth: usize, byte: u8) -> usize {
        let (mut low, mut high) = (i + 1, hi);
        while low < high {
            let mid = low + (high - low) / 2;
            if self.term_bytes(to_u32(mid))[depth] == byte {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        low
    }

    /// Fills in `best` bottom-up and puts every sibling group in rank order
    /// of `best`. Children come after their parent, so a reverse sweep has
    /// finished a node's children before it reaches the node. Moving a node
    /// within its group is safe: it carries its own `first_child`, and the
    /// parent only points at the group's start.
    fn rank_nodes(&mut self) {
        let Self {
            text,
            ends,
            weights,
            nodes,
        } = self;
        for at in (0..nodes.len()).rev() {
            let node = nodes[at];
            let first = node.first_child as usize;
            let children = &mut nodes[first..first + usize::from(node.child_count)];
            children.sort_unstable_by(|a, b| {
                let (wa, wb) = (weights[a.best as usize], weights[b.best as usize]);
                wb.cmp(&wa).then(a.best.cmp(&b.best))
            });
            let own = term_bytes(text, ends, node.lo).len() == node.depth as usize;
            let best = match (own, children.first()) {
                (true, Some(child)) if ranks_before(weights, child.best, node.lo) => child.best,
                (true, _) => node.lo,
                (false, Some(child)) => child.best,
                (false, None) => unreachable!("a node without a term has children"),
            };
            nodes[at].best = best;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The layout invariants the search relies on.
    #[test]
    fn siblings_in_rank_order_and_best_is_subtree_best() {
        let trie = Optimized::build(crate::generate(3_000, 5));
        assert!(
            trie.nodes.len() < 2 * trie.len(),
            "radix tree stays below 2n nodes"
        );
        for node in &trie.nodes {
            let first = node.first_child as usize;
            let children = &trie.nodes[first..first + usize::from(node.child_count)];
            for pair in children.windows(2) {
                assert!(ranks_before(&trie.weights, pair[0].best, pair[1].best));
            }
            let mut candidates: Vec<u32> = children.iter().map(|c| c.best).collect();
            if trie.has_own_term(node) {
                candidates.push(node.lo);
            }
            let best = candidates.into_iter().reduce(|a, b| {
                if ranks_before(&trie.weights, a, b) {
                    a
                } else {
                    b
                }
            });
            assert_eq!(best, Some(node.best));
        }
    }
}
