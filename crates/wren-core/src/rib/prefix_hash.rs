//! The table index's hash: keyed, like any hash a peer can feed, but with
//! locality. Routes arrive and leave in order more often than not (a
//! full table is sent sorted, a session going down withdraws what it
//! sent, in the order it was sent), and with a scattering hash every one
//! of a million lookups was a cache miss: 93 % of withdrawal time went to
//! two loads in the probe (perf, `examples/pipeline`).
//!
//! So consecutive networks of one length (10.0.0.0/24, 10.0.1.0/24, …)
//! get consecutive bucket numbers within blocks of 64 (four hashbrown
//! probe groups, eight cache lines of IPv4 buckets), and each block's
//! place is a keyed mix of the block number and the length: nobody
//! without the key can line prefixes up in one probe chain, and inside a
//! block no two networks share a bucket. The 7 tag bits hashbrown keeps
//! per slot vary with the network's place in its block, so neighbours in
//! a group rarely share a tag.
//!
//! Within a block the numbers count down as the networks count up:
//! hashbrown keeps bucket i just below bucket i - 1, so a sorted walk
//! then moves upwards through memory, the direction the hardware
//! prefetcher follows best (a sorted lookup 17 → 14 ns).
//!
//! The block size trades sorted input against random input. Each new
//! block is a cache miss on its control bytes and then one on its
//! buckets; 16 networks per block left a sorted lookup at 25 ns, 64 bring
//! it to 17 ns (withdrawal 62 → 49 ns a route) with random insertion
//! unchanged. At 256 random insertion got 10–25 % slower (runs of
//! occupied buckets lengthen probes), and 4096 worse. `examples/index_order`
//! measures random order, `examples/pipeline` sorted.

use std::hash::{BuildHasher, Hasher};

/// Consecutive networks share a block of 2^BLOCK consecutive buckets.
const BLOCK: u32 = 6;

/// Builds [`PrefixHasher`]s with this table's keys.
#[derive(Clone, Debug)]
pub struct PrefixHash {
    k0: u64,
    k1: u64,
}

impl Default for PrefixHash {
    /// Fresh random keys (from the standard library's per-process seed).
    fn default() -> Self {
        let s = std::collections::hash_map::RandomState::new();
        PrefixHash {
            k0: s.hash_one(0x5eed_u64),
            k1: s.hash_one(0xc0ffee_u64) | 1,
        }
    }
}

impl BuildHasher for PrefixHash {
    type Hasher = PrefixHasher;

    fn build_hasher(&self) -> PrefixHasher {
        PrefixHasher {
            keys: (self.k0, self.k1),
            words: [0; 2],
            width: 0,
            len: 0,
            other: 0,
        }
    }
}

/// Takes a prefix as its derived `Hash` writes it: the address (one
/// `u32`, or two `u64`s high first), then the length (`u8`).
#[derive(Debug)]
pub struct PrefixHasher {
    keys: (u64, u64),
    words: [u64; 2],
    /// Address bits written so far (32 or 128 for a prefix).
    width: u32,
    len: u8,
    /// Anything else written (not a prefix), folded.
    other: u64,
}

impl PrefixHasher {
    /// The network number: the address shifted right by its host bits,
    /// so that consecutive networks of one length count up by one.
    fn network(&self) -> u64 {
        let host = self.width.saturating_sub(u32::from(self.len));
        match self.width {
            32 => self.words[0].checked_shr(host).unwrap_or(0),
            128 => {
                let a = (u128::from(self.words[0]) << 64) | u128::from(self.words[1]);
                a.checked_shr(host).unwrap_or(0) as u64
            }
            _ => self.words[0] ^ self.words[1].rotate_left(32),
        }
    }

    fn mix(&self, x: u64) -> u64 {
        let m = u128::from(x ^ self.keys.0) * u128::from(self.keys.1);
        (m as u64) ^ ((m >> 64) as u64)
    }
}

impl Hasher for PrefixHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.other = self.other.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.len = i;
    }

    fn write_u32(&mut self, i: u32) {
        self.words[0] = u64::from(i);
        self.width = 32;
    }

    fn write_u64(&mut self, i: u64) {
        // IPv6: high word, then low word.
        let at = usize::from(self.width >= 64);
        if let Some(w) = self.words.get_mut(at) {
            *w = i;
        }
        self.width += 64;
    }

    fn finish(&self) -> u64 {
        let n = self.network() ^ self.other;
        let len = u64::from(self.len);
        let place = self.mix((n >> BLOCK) ^ (len << 56));
        // The tag: the block's mix, varied by the network's place in it.
        let tag = (place ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15)) & (0x7f << 57);
        tag | ((place << BLOCK) & ((1 << 57) - 1) & !((1 << BLOCK) - 1)) | (!n & ((1 << BLOCK) - 1))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use wren_wire::{Ipv4Prefix, Ipv6Prefix};

    fn h<T: std::hash::Hash>(b: &PrefixHash, x: T) -> u64 {
        b.hash_one(x)
    }

    #[test]
    fn consecutive_networks_get_consecutive_buckets() {
        let b = PrefixHash::default();
        let v4 =
            |i: u32| Ipv4Prefix::new(std::net::Ipv4Addr::from(0x0b00_0000 + (i << 8)), 24).unwrap();
        let low = |x: u64| x & ((1 << 20) - 1);
        // Descending bucket numbers: ascending addresses (below).
        assert_eq!(low(h(&b, v4(1))) + 1, low(h(&b, v4(0))));
        assert_eq!(low(h(&b, v4(15))) + 15, low(h(&b, v4(0))));
        let v6 = |i: u128| {
            Ipv6Prefix::new(
                std::net::Ipv6Addr::from((0x2400u128 << 112) + (i << 80)),
                48,
            )
            .unwrap()
        };
        assert_eq!(low(h(&b, v6(7))) + 1, low(h(&b, v6(6))));
        // The same network at another length lands elsewhere, and the
        // tags of neighbours differ.
        let v4_16 = Ipv4Prefix::new(std::net::Ipv4Addr::new(11, 0, 0, 0), 16).unwrap();
        assert_ne!(h(&b, v4_16), h(&b, v4(0)));
        let tags: std::collections::HashSet<u64> = (0..64).map(|i| h(&b, v4(i)) >> 57).collect();
        assert!(tags.len() > 32, "tags: {}", tags.len());
    }

    #[test]
    fn keys_differ_between_tables() {
        let (a, b) = (PrefixHash::default(), PrefixHash::default());
        let p = Ipv4Prefix::new(std::net::Ipv4Addr::new(10, 0, 0, 0), 8).unwrap();
        assert_ne!(h(&a, p), h(&b, p));
    }
}
