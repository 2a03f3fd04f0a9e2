//! 64-bit FNV-1a (Fowler, Noll and Vo; the parameters of
//! draft-eastlake-fnv): a small hash whose values are the same on every
//! platform and in every Rust version, unlike `std`'s randomly seeded one.
//! Not for untrusted keys (it is trivial to collide on purpose) and not a
//! checksum against tampering.

/// FNV's 64-bit offset basis: the hash of no bytes.
const OFFSET_BASIS: u64 = 0xCBF2_9CE4_8422_2325;
/// FNV's 64-bit prime.
const PRIME: u64 = 0x0000_0100_0000_01B3;

/// 64-bit FNV-1a of `bytes`.
#[inline]
pub fn fnv1a(bytes: &[u8]) -> u64 {
    Fnv1a::new().write(bytes).finish()
}

/// FNV-1a over several pieces, for a hash of parts (write a separator byte
/// between them so that `["ab", "c"]` and `["a", "bc"]` differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fnv1a {
    hash: u64,
}

impl Fnv1a {
    /// The state before any byte: the offset basis.
    pub fn new() -> Self {
        Self { hash: OFFSET_BASIS }
    }

    /// Hashes `bytes` into the state, one byte at a time.
    #[inline]
    pub fn write(mut self, bytes: &[u8]) -> Self {
        for &b in bytes {
            self.hash = (self.hash ^ u64::from(b)).wrapping_mul(PRIME);
        }
        self
    }

    /// The hash of everything written.
    pub fn finish(self) -> u64 {
        self.hash
    }
}

impl Default for Fnv1a {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values from the FNV reference test suite (`test_fnv.c`, FNV1a_64):
    /// a changed constant would change every checksum and generated set.
    #[test]
    fn matches_the_reference_values() {
        assert_eq!(fnv1a(b""), 0xCBF2_9CE4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xAF63_DC4C_8601_EC8C);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_F739_67E8);
    }

    #[test]
    fn pieces_hash_like_their_concatenation() {
        let pieces = Fnv1a::new().write(b"foo").write(b"bar").finish();
        assert_eq!(pieces, fnv1a(b"foobar"));
        let separated = |a: &[u8], b: &[u8]| Fnv1a::new().write(a).write(&[0xFF]).write(b).finish();
        assert_ne!(separated(b"ab", b"c"), separated(b"a", b"bc"));
    }
}
