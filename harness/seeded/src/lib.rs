//! perflab's seeded generators, each written once, and the one stable hash
//! beside them:
//!
//! - [`SplitMix64`] (Steele, Lea and Flood, "Fast splittable pseudorandom
//!   number generators", OOPSLA 2014), which every data set and load plan
//!   draws from, with a few ways of drawing from it, and its output function
//!   [`mix64`] as a hash of a position;
//! - [`Xoshiro256`] (xoshiro256**, seeded through SplitMix64), which
//!   perflab-compare's bootstrap draws its resamples from;
//! - [`fnv1a`] / [`Fnv1a`]: 64-bit FNV-1a, for membership sets, checksums and
//!   names that must not change between runs.
//!
//! Both are written out here rather than taken from `rand` or `std`, because
//! a benchmark's inputs must not change when a dependency does: `rand`'s
//! `StdRng` says its stream may change between versions, `std`'s hasher is
//! randomly seeded, and a changed data set reads as a performance change.
//! SplitMix64's stream and FNV-1a's values are fixed by their definitions.
//!
//! What it is not: a cryptographic generator or hash, or a statistically
//! strong generator for simulations (SplitMix64 passes BigCrush, which is
//! plenty for picking ids, words and pixel noise).

mod fnv;
mod splitmix;
mod xoshiro;

pub use fnv::{Fnv1a, fnv1a};
pub use splitmix::{SplitMix64, mix64};
pub use xoshiro::Xoshiro256;
