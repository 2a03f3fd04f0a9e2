//! SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
//! generators", OOPSLA 2014) and its output function, with a few ways of
//! drawing from it. The stream is fixed by the definition; the tests pin it
//! to the reference implementation.

/// A tiny, stable PRNG. The same seed gives the same stream on every
/// platform and in every version of perflab.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.state)
    }

    /// A number in `0..bound`, by Lemire's multiply-shift instead of `%`; the
    /// bias is below 2^-32 for any bound below 2^32. `bound` must be positive.
    pub fn below(&mut self, bound: u64) -> u64 {
        assert!(bound > 0, "SplitMix64::below(0)");
        ((u128::from(self.next_u64()) * u128::from(bound)) >> 64) as u64
    }

    /// Uniform in `[0, 1)`, with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// One of `items`, drawn with probability proportional to the weight in
    /// its second field. `items` must have a positive total weight.
    pub fn pick<T: Copy>(&mut self, items: &[(T, u64)]) -> T {
        let total: u64 = items.iter().map(|(_, w)| w).sum();
        let mut roll = self.below(total);
        for (item, weight) in items {
            if roll < *weight {
                return *item;
            }
            roll -= weight;
        }
        unreachable!("the roll is below the total weight")
    }
}

/// SplitMix64's output function on its own: a bijective 64-bit mixer
/// (Stafford's "Mix13" variant of MurmurHash3's finalizer). Usable as a hash
/// of a position (per-pixel noise) where carrying a generator along would be
/// awkward; [`SplitMix64::next_u64`] is this applied to a counter.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published first outputs for seed 0 (the reference C code by
    /// Vigna, `splitmix64.c`): a changed constant would change every data set.
    #[test]
    fn stream_matches_the_reference() {
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(rng.next_u64(), 0x06C4_5D18_8009_454F);
    }

    #[test]
    fn draws_stay_in_range_and_follow_the_weights() {
        let mut rng = SplitMix64::new(42);
        let mut heavy = 0;
        for _ in 0..10_000 {
            assert!(rng.below(7) < 7);
            let u = rng.unit();
            assert!((0.0..1.0).contains(&u));
            if rng.pick(&[('a', 1), ('b', 9)]) == 'b' {
                heavy += 1;
            }
        }
        assert!((8_700..9_300).contains(&heavy), "{heavy}");
    }

    #[test]
    fn the_stream_is_the_mixer_over_a_counter() {
        let mut rng = SplitMix64::new(5);
        for i in 1..=3u64 {
            assert_eq!(
                rng.next_u64(),
                mix64(5u64.wrapping_add(i.wrapping_mul(0x9E37_79B9_7F4A_7C15)))
            );
        }
    }
}
