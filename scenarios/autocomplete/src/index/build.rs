//! Building the index bytes from canonical (sorted, distinct) terms.
//!
//! 1. **Ranks.** Terms are ranked by weight descending, then text
//!    ascending: rank 0 is the best term. Ranks are unique, so comparing
//!    two ranks is the whole ranking and a subtree's best is one number.
//!    Weights are stored once per distinct value (`weights`, heaviest first,
//!    with the first rank of each in `rank_from`), not once per term.
//! 2. **Nodes, breadth-first.** A node stands for a range `lo..hi` of the
//!    sorted terms sharing a prefix; its children split the range by the
//!    next byte, and path compression makes each child's label run to the
//!    children's longest common prefix (at most [`MAX_LABEL`] bytes; longer
//!    runs become chains). A term that ends inside a range (a prefix of
//!    other terms) becomes an *end child*: a leaf with an empty label. So
//!    every term is a leaf and every leaf one term.
//! 3. **Siblings in rank order.** Each node records the best rank of its
//!    subtree (the least rank in its term range), and siblings are stored
//!    in order of it, so the search steps from a subtree to the next-best
//!    sibling without looking at the others. Finding a child by byte is then
//!    a scan of the siblings' first bytes, which are contiguous.
//! 4. **Hot answers.** The shallowest nodes hold the most terms, and their
//!    searches walk the deepest: a one-character prefix over millions of
//!    terms pops a few dozen scattered nodes. So the file stores the top
//!    [`HOT_K`] answers (weight and text) of the first [`HOT_NODES`] nodes,
//!    about 0.1 bytes per term at 5M terms, and an exact query with
//!    `k <= HOT_K` that lands on one reads them instead of searching.

use super::format::{Counts, HEADER_LEN, Layout, MAX_LABEL, SAMPLE, Sections, checksum};
use super::search::{Exclusions, Seed, top_k};
use crate::Term;

/// Nodes whose top answers the file stores: the first ones breadth-first,
/// which are the shallowest (every one- and most two-byte prefixes).
const HOT_NODES: u64 = 4_096;
/// Answers stored per hot node: the headline `k`.
pub const HOT_K: u32 = 10;

/// Converts a count or offset to `u32`; the format caps terms, nodes and
/// label bytes at `u32::MAX`, far beyond this scenario's inputs.
fn to_u32(value: usize) -> u32 {
    u32::try_from(value).expect("the index format holds at most u32::MAX terms, nodes and bytes")
}

/// The node arrays while they are built.
#[derive(Debug, Default)]
struct Nodes {
    child_count: Vec<u8>,
    first_byte: Vec<u8>,
    label_len: Vec<u8>,
    labels: Vec<u8>,
    /// Term range and byte depth at the end of the label, per node.
    lo: Vec<u32>,
    hi: Vec<u32>,
    depth: Vec<u32>,
    /// Best rank of each node's subtree.
    best: Vec<u32>,
}

impl Nodes {
    fn push(&mut self, label: &[u8], lo: usize, hi: usize, depth: usize, best: u32) {
        self.best.push(best);
        self.child_count.push(0);
        self.first_byte.push(label.first().copied().unwrap_or(0));
        self.label_len
            .push(u8::try_from(label.len()).expect("labels are split at MAX_LABEL"));
        self.labels.extend_from_slice(label);
        self.lo.push(to_u32(lo));
        self.hi.push(to_u32(hi));
        self.depth.push(to_u32(depth));
    }
}

/// The index file's bytes for `terms`, which must be canonical (sorted
/// bytewise, no duplicate texts), as [`crate::canonicalize`] makes them.
pub fn build(terms: &[Term]) -> Vec<u8> {
    let n = terms.len();
    let text = |i: usize| terms[i].text.as_bytes();

    // Ranks: weight descending, then index (= text) ascending.
    let mut by_rank: Vec<u32> = (0..to_u32(n)).collect();
    by_rank.sort_unstable_by(|&a, &b| {
        terms[b as usize]
            .weight
            .cmp(&terms[a as usize].weight)
            .then(a.cmp(&b))
    });
    let mut rank = vec![0u32; n];
    let mut weights: Vec<u64> = Vec::new();
    let mut rank_from: Vec<u32> = Vec::new();
    for (r, &i) in by_rank.iter().enumerate() {
        rank[i as usize] = to_u32(r);
        let w = terms[i as usize].weight;
        if weights.last() != Some(&w) {
            weights.push(w);
            rank_from.push(to_u32(r));
        }
    }
    drop(by_rank);

    let best_of = |lo: usize, hi: usize| rank[lo..hi].iter().copied().min().unwrap_or(u32::MAX);
    let mut nodes = Nodes::default();
    if n > 0 {
        nodes.push(&[], 0, n, 0, best_of(0, n));
    }
    // Children of the node being expanded: (best, lo, hi, label end).
    let mut group: Vec<(u32, usize, usize, usize)> = Vec::new();
    let mut at = 0;
    while at < nodes.lo.len() {
        let (lo, hi, depth) = (
            nodes.lo[at] as usize,
            nodes.hi[at] as usize,
            nodes.depth[at] as usize,
        );
        let mut i = lo;
        group.clear();
        if text(lo).len() == depth {
            if hi - lo == 1 {
                at += 1;
                continue; // a leaf: one term, ending here
            }
            group.push((rank[lo], lo, lo + 1, depth)); // end child
            i += 1;
        }
        while i < hi {
            let first = text(i);
            let run_end = run_end(terms, i, hi, depth, first[depth]);
            let common = if run_end == i + 1 {
                first.len()
            } else {
                common_len(first, text(run_end - 1), depth + 1)
            };
            let end = common.min(depth + MAX_LABEL);
            group.push((best_of(i, run_end), i, run_end, end));
            i = run_end;
        }
        // Siblings in rank order of their best, so the search needs only
        // "next sibling" and "first child" (see `search`).
        group.sort_unstable_by_key(|&(best, ..)| best);
        for &(best, lo, hi, end) in &group {
            nodes.push(&text(lo)[depth..end], lo, hi, end, best);
        }
        let count = group.len();
        // Distinct next bytes of valid UTF-8 plus an end child: at most 180.
        nodes.child_count[at] = u8::try_from(count).expect("at most 180 children per node");
        at += 1;
    }

    // Best rank per subtree, bottom-up; and the first child of each node.
    let count = nodes.lo.len();
    let mut best = vec![0u32; count];
    let mut first_child = vec![0u32; count];
    let mut next = 1u32;
    for (node, &c) in nodes.child_count.iter().enumerate() {
        first_child[node] = next;
        next += u32::from(c);
    }
    for node in (0..count).rev() {
        let c = u32::from(nodes.child_count[node]);
        best[node] = if c == 0 {
            rank[nodes.lo[node] as usize]
        } else {
            let f = first_child[node] as usize;
            best[f..f + c as usize]
                .iter()
                .copied()
                .min()
                .unwrap_or(u32::MAX)
        };
    }

    let rank_bits = (u32::BITS - to_u32(n.saturating_sub(1)).leading_zeros()).max(1);
    let counts = Counts {
        rank_bits,
        terms: n as u64,
        nodes: count as u64,
        label_bytes: nodes.labels.len() as u64,
        weights: weights.len() as u64,
        hot_nodes: 0,
        hot_k: 0,
        hot_text_bytes: 0,
    };
    let layout = Layout::of(counts).expect("the sections of an in-memory index fit in memory");
    let mut bytes = vec![0u8; layout.total];
    bytes[layout.child_count.clone()].copy_from_slice(&nodes.child_count);
    bytes[layout.first_byte.clone()].copy_from_slice(&nodes.first_byte);
    bytes[layout.label_len.clone()].copy_from_slice(&nodes.label_len);
    let mut label_at = 0u32;
    for (node, (&first, &len)) in first_child.iter().zip(&nodes.label_len).enumerate() {
        if node % SAMPLE == 0 {
            let s = node / SAMPLE * 4;
            let child = &mut bytes[layout.child_at.start + s..layout.child_at.start + s + 4];
            child.copy_from_slice(&first.to_le_bytes());
            let label = &mut bytes[layout.label_at.start + s..layout.label_at.start + s + 4];
            label.copy_from_slice(&label_at.to_le_bytes());
        }
        label_at += u32::from(len);
    }
    bytes[layout.labels.clone()].copy_from_slice(&nodes.labels);
    pack(&mut bytes[layout.best.clone()], &best, rank_bits);
    for (i, (w, r)) in weights.iter().zip(&rank_from).enumerate() {
        let at = layout.weights.start + i * 8;
        bytes[at..at + 8].copy_from_slice(&w.to_le_bytes());
        let at = layout.rank_from.start + i * 4;
        bytes[at..at + 4].copy_from_slice(&r.to_le_bytes());
    }
    add_hot_answers(bytes, layout, |node| {
        let node = node as usize;
        text(nodes.lo[node] as usize)[..nodes.depth[node] as usize].to_vec()
    })
}

/// Appends the hot answers (see the module docs) and seals the file: the
/// top [`HOT_K`] answers of the first [`HOT_NODES`] nodes, found by the
/// same search a query runs. `path` gives a node's bytes from the root.
fn add_hot_answers(base: Vec<u8>, layout: Layout, path: impl Fn(u32) -> Vec<u8>) -> Vec<u8> {
    let hot_nodes = layout.counts.nodes.min(HOT_NODES) as u32;
    let mut lens: Vec<u8> = Vec::new();
    let mut weights: Vec<u64> = Vec::new();
    let mut ends: Vec<u32> = Vec::new();
    let mut hot_text: Vec<u8> = Vec::new();
    {
        let sections = Sections::new(&base, &layout).expect("a built layout fits its bytes");
        let mut found = Vec::new();
        for node in 0..hot_nodes {
            found.clear();
            let seed = [Seed { node, origin: 0 }];
            top_k(
                &sections,
                &seed,
                |_| Some(path(node)),
                &Exclusions::default(),
                0,
                HOT_K as usize,
                &mut found,
            );
            lens.push(u8::try_from(found.len()).expect("HOT_K fits a byte"));
            for i in 0..HOT_K as usize {
                let (weight, text) = found
                    .get(i)
                    .map_or((0, ""), |s| (s.weight, s.text.as_str()));
                weights.push(weight);
                hot_text.extend_from_slice(text.as_bytes());
                ends.push(to_u32(hot_text.len()));
            }
        }
    }
    let counts = Counts {
        hot_nodes,
        hot_k: HOT_K,
        hot_text_bytes: hot_text.len() as u64,
        ..layout.counts
    };
    let layout = Layout::of(counts).expect("the sections of an in-memory index fit in memory");
    let mut bytes = base;
    bytes.resize(layout.total, 0);
    bytes[layout.hot_len.clone()].copy_from_slice(&lens);
    for (i, (w, e)) in weights.iter().zip(&ends).enumerate() {
        bytes[layout.hot_weights.start + i * 8..][..8].copy_from_slice(&w.to_le_bytes());
        bytes[layout.hot_ends.start + i * 4..][..4].copy_from_slice(&e.to_le_bytes());
    }
    bytes[layout.hot_text.clone()].copy_from_slice(&hot_text);
    let body = checksum(&bytes[HEADER_LEN..]);
    bytes[..HEADER_LEN].copy_from_slice(&layout.header(body));
    bytes
}

/// Packs `values` of `bits` bits each, little-endian, into `out`.
fn pack(out: &mut [u8], values: &[u32], bits: u32) {
    for (i, &v) in values.iter().enumerate() {
        let bit = i * bits as usize;
        let at = bit / 8;
        let mut word = [0u8; 8];
        word.copy_from_slice(&out[at..at + 8]);
        let merged = u64::from_le_bytes(word) | (u64::from(v) << (bit % 8));
        out[at..at + 8].copy_from_slice(&merged.to_le_bytes());
    }
}

/// End of the run of terms from `i` (below `hi`) whose byte at `depth` is
/// `byte`: sorted order makes the run a prefix of `i..hi`, so a binary
/// search finds its end and the build stays O(n log n) even at the root.
fn run_end(terms: &[Term], i: usize, hi: usize, depth: usize, byte: u8) -> usize {
    let (mut low, mut high) = (i + 1, hi);
    while low < high {
        let mid = low + (high - low) / 2;
        if terms[mid].text.as_bytes()[depth] == byte {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    low
}

/// Length of the common prefix of `a` and `b`, known to agree before `from`.
fn common_len(a: &[u8], b: &[u8], from: usize) -> usize {
    from + a[from..]
        .iter()
        .zip(&b[from..])
        .take_while(|(x, y)| x == y)
        .count()
}
