//! Top-k by best-first search over subtrees.
//!
//! Every node carries the best (smallest) rank in its subtree, so a
//! min-heap of nodes keyed by that rank pops subtrees in the order of their
//! best term: popping a leaf emits its term, popping an inner node pushes
//! its children. The first `k` leaves popped are the answer, in rank order,
//! and the search never looks at a subtree whose best is worse than the
//! `k`-th answer.
//!
//! Fuzzy search runs the same loop once per distance, from several seed
//! nodes, skipping the subtrees that hold closer matches ([`Exclusions`]).
//! A skipped subtree can hold its parent's best, so a key is then only a
//! bound on what lies below; the order of emitted leaves stays exact,
//! because a leaf's key is its own rank.
//!
//! A search pushes at most as many entries as the index has nodes; a file
//! that would make it push more (children that overlap) is malformed, and
//! the search stops there.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::format::Sections;
use crate::Suggestion;

/// A subtree to search: its node, and a number the caller's `path`
/// function turns into the bytes from the root to the end of the node's
/// label (only for seeds that produce an answer).
#[derive(Debug, Clone, Copy)]
pub struct Seed {
    pub node: u32,
    pub origin: u32,
}

/// Subtrees a search must not enter, by node id (sorted).
#[derive(Debug, Default, Clone)]
pub struct Exclusions(pub Vec<u32>);

impl Exclusions {
    fn contains(&self, node: u32) -> bool {
        !self.0.is_empty() && self.0.binary_search(&node).is_ok()
    }
}

/// How a node was reached: its parent step (or, for a seed, which seed),
/// where its label is, and the end of its sibling group.
#[derive(Debug, Clone, Copy)]
struct Step {
    /// Index of the parent step, or [`NO_PARENT`] for a seed.
    parent: u32,
    /// For a seed, its index in `seeds`; else the node's label offset.
    label_at_or_seed: u32,
    node: u32,
    /// The siblings after `node` up to here are still to be searched.
    group_end: u32,
}

const NO_PARENT: u32 = u32::MAX;

/// Appends to `out` the best terms under `seeds` (skipping `excluded`
/// subtrees) until `out` holds `k`, each with `distance`.
///
/// Siblings are stored in rank order of their best, so an entry stands for
/// a node *and its later siblings*, keyed by the node's best: popping it
/// pushes at most two entries, the next sibling and the first child.
pub fn top_k(
    index: &Sections<'_>,
    seeds: &[Seed],
    path: impl Fn(u32) -> Option<Vec<u8>>,
    excluded: &Exclusions,
    distance: u8,
    k: usize,
    out: &mut Vec<Suggestion>,
) {
    if out.len() >= k {
        return;
    }
    // Entries: (best rank, index into `steps`).
    let mut heap: BinaryHeap<Reverse<(u32, u32)>> = BinaryHeap::with_capacity(64);
    let mut steps: Vec<Step> = Vec::with_capacity(64);
    for (i, seed) in seeds.iter().enumerate() {
        if let Some(best) = index.best(seed.node) {
            steps.push(Step {
                parent: NO_PARENT,
                label_at_or_seed: i as u32,
                node: seed.node,
                group_end: seed.node.saturating_add(1),
            });
            heap.push(Reverse((best, (steps.len() - 1) as u32)));
        }
    }
    let mut budget = 2 * index.nodes as usize + seeds.len();
    let mut text = Vec::new();
    while let Some(Reverse((rank, at))) = heap.pop() {
        if budget < 2 {
            return; // more entries than a tree has: a malformed file
        }
        budget -= 2;
        let step = steps[at as usize];
        let next = step.node + 1;
        if next < step.group_end
            && let Some(best) = index.best(next)
        {
            let label_at = if step.parent == NO_PARENT {
                0
            } else {
                let len = u32::from(index.label_len[step.node as usize]);
                step.label_at_or_seed.saturating_add(len)
            };
            steps.push(Step {
                node: next,
                label_at_or_seed: label_at,
                ..step
            });
            heap.push(Reverse((best, (steps.len() - 1) as u32)));
        }
        if excluded.contains(step.node) && step.parent != NO_PARENT {
            continue;
        }
        if index.is_leaf(step.node) {
            if let Some(term) = spell(index, seeds, &path, &steps, at, &mut text)
                && let Some(weight) = index.weight(rank)
            {
                out.push(Suggestion {
                    text: term,
                    weight,
                    distance,
                });
                if out.len() >= k {
                    return;
                }
            }
            continue;
        }
        if let Some(children) = index.children(step.node)
            && let Some(best) = index.best(children.first)
        {
            steps.push(Step {
                parent: at,
                label_at_or_seed: children.label_at,
                node: children.first,
                group_end: children.first + children.count,
            });
            heap.push(Reverse((best, (steps.len() - 1) as u32)));
        }
    }
}

/// The text of the term at `steps[at]`: its seed's path, then the labels
/// down to it. `None` if a label is out of bounds or the text is not UTF-8
/// (a damaged file).
fn spell(
    index: &Sections<'_>,
    seeds: &[Seed],
    path: &impl Fn(u32) -> Option<Vec<u8>>,
    steps: &[Step],
    mut at: u32,
    scratch: &mut Vec<u8>,
) -> Option<String> {
    scratch.clear();
    let mut labels: Vec<&[u8]> = Vec::new();
    let seed = loop {
        let step = steps.get(at as usize)?;
        if step.parent == NO_PARENT {
            break step.label_at_or_seed as usize;
        }
        labels.push(index.label(step.node, step.label_at_or_seed)?);
        at = step.parent;
    };
    scratch.extend_from_slice(&path(seeds.get(seed)?.origin)?);
    for label in labels.iter().rev() {
        scratch.extend_from_slice(label);
    }
    String::from_utf8(scratch.clone()).ok()
}

/// The node whose subtree is exactly the terms that start with `prefix`,
/// and the bytes from the root to the end of its label (which extend
/// `prefix` when it ends inside a label).
pub fn find(index: &Sections<'_>, prefix: &[u8]) -> Option<(u32, Vec<u8>)> {
    if index.nodes == 0 {
        return None;
    }
    let mut at = 0u32;
    let mut path = Vec::with_capacity(prefix.len() + 16);
    while path.len() < prefix.len() {
        let (child, label) = index.child_by_byte(at, prefix[path.len()])?;
        let rest = &prefix[path.len()..];
        let common = label.len().min(rest.len());
        if label[..common] != rest[..common] {
            return None;
        }
        path.extend_from_slice(label);
        at = child;
    }
    Some((at, path))
}
