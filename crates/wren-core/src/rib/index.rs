//! The table's index: prefix → slot in the entry arena, in buckets as
//! small as the key allows. A million IPv4 routes need 2^21 buckets, and
//! while the index grows the old 2^20 live beside them: at 12 octets (an
//! `Ipv4Prefix` padded to 8, then the slot) that was 41 MB of a 90 MB
//! peak. An IPv4 bucket here is 8 octets (address, then length and slot
//! in one word) and an IPv6 bucket 20 instead of 32 (the address as four
//! 32-bit words, the length in the slot's word).
//!
//! Lookups compare the packed fields; the key is unpacked only to hash a
//! bucket again while the index grows, and to iterate.

use super::prefix_hash::PrefixHash;
use hashbrown::hash_table::{Entry, HashTable};
use std::hash::{BuildHasher, Hash};
use wren_wire::{Ipv4Prefix, Ipv6Prefix};

/// A prefix type and its packed bucket.
pub trait Key: Copy + Eq + Hash {
    /// Key and slot, packed.
    type Bucket: Copy;
    /// Largest slot a bucket can hold.
    const MAX_SLOT: u32;
    /// Packs `self` with `slot` (at most [`Key::MAX_SLOT`]).
    fn pack(self, slot: u32) -> Self::Bucket;
    /// The key of a bucket.
    fn key(b: &Self::Bucket) -> Self;
    /// The slot of a bucket.
    fn slot(b: &Self::Bucket) -> u32;
    /// Whether `b` is `self`'s bucket.
    fn is(&self, b: &Self::Bucket) -> bool;
}

/// An IPv4 bucket: the network address, and the length (6 bits) above
/// the slot (26 bits: 67 million prefixes, some 70 times today's full
/// table).
#[derive(Clone, Copy, Debug)]
pub struct V4Bucket {
    addr: u32,
    len_slot: u32,
}

const V4_SLOT_BITS: u32 = 26;

impl Key for Ipv4Prefix {
    type Bucket = V4Bucket;
    const MAX_SLOT: u32 = (1 << V4_SLOT_BITS) - 1;

    fn pack(self, slot: u32) -> V4Bucket {
        V4Bucket {
            addr: self.bits(),
            len_slot: (u32::from(self.len()) << V4_SLOT_BITS) | (slot & Self::MAX_SLOT),
        }
    }

    fn key(b: &V4Bucket) -> Self {
        Ipv4Prefix::from_bits(b.addr, (b.len_slot >> V4_SLOT_BITS) as u8)
    }

    fn slot(b: &V4Bucket) -> u32 {
        b.len_slot & Self::MAX_SLOT
    }

    fn is(&self, b: &V4Bucket) -> bool {
        b.addr == self.bits() && b.len_slot >> V4_SLOT_BITS == u32::from(self.len())
    }
}

/// An IPv6 bucket: the address in four 32-bit words (so the bucket is
/// aligned to 4, not 8), and the length (8 bits) above the slot (24
/// bits: 16 million prefixes, some 70 times today's IPv6 table), 20
/// octets.
#[derive(Clone, Copy, Debug)]
pub struct V6Bucket {
    words: [u32; 4],
    len_slot: u32,
}

const V6_SLOT_BITS: u32 = 24;

impl Key for Ipv6Prefix {
    type Bucket = V6Bucket;
    const MAX_SLOT: u32 = (1 << V6_SLOT_BITS) - 1;

    fn pack(self, slot: u32) -> V6Bucket {
        let a = self.bits();
        V6Bucket {
            words: [
                (a >> 96) as u32,
                (a >> 64) as u32,
                (a >> 32) as u32,
                a as u32,
            ],
            len_slot: (u32::from(self.len()) << V6_SLOT_BITS) | (slot & Self::MAX_SLOT),
        }
    }

    fn key(b: &V6Bucket) -> Self {
        let a = b
            .words
            .iter()
            .fold(0u128, |a, w| (a << 32) | u128::from(*w));
        Ipv6Prefix::from_bits(a, (b.len_slot >> V6_SLOT_BITS) as u8)
    }

    fn slot(b: &V6Bucket) -> u32 {
        b.len_slot & Self::MAX_SLOT
    }

    fn is(&self, b: &V6Bucket) -> bool {
        let a = self.bits();
        b.len_slot >> V6_SLOT_BITS == u32::from(self.len())
            && b.words
                == [
                    (a >> 96) as u32,
                    (a >> 64) as u32,
                    (a >> 32) as u32,
                    a as u32,
                ]
    }
}

/// Prefix → slot.
pub struct Index<K: Key> {
    table: HashTable<K::Bucket>,
    hash: PrefixHash,
}

impl<K: Key> Default for Index<K> {
    fn default() -> Self {
        Index {
            table: HashTable::new(),
            hash: PrefixHash::default(),
        }
    }
}

impl<K: Key> std::fmt::Debug for Index<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Index({} prefixes)", self.table.len())
    }
}

impl<K: Key> Index<K> {
    /// Prefixes indexed.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether none are.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// The slot of `k`.
    pub fn get(&self, k: &K) -> Option<u32> {
        self.table
            .find(self.hash.hash_one(k), |b| k.is(b))
            .map(K::slot)
    }

    /// The slot of `k`; if it has none, the one `new` gives it (`None`
    /// from `new`, or a slot beyond what a bucket holds, adds nothing).
    pub fn get_or_insert(&mut self, k: K, new: impl FnOnce() -> Option<u32>) -> Option<u32> {
        let hash = &self.hash;
        match self
            .table
            .entry(hash.hash_one(k), |b| k.is(b), |b| hash.hash_one(K::key(b)))
        {
            Entry::Occupied(o) => Some(K::slot(o.get())),
            Entry::Vacant(v) => {
                let slot = new().filter(|&s| s <= K::MAX_SLOT)?;
                v.insert(k.pack(slot));
                Some(slot)
            }
        }
    }

    /// Removes `k`, giving its slot.
    pub fn remove(&mut self, k: &K) -> Option<u32> {
        let found = self.table.find_entry(self.hash.hash_one(k), |b| k.is(b));
        found.ok().map(|o| K::slot(&o.remove().0))
    }

    /// Finds `k` and removes it when `f` says so, given its slot: one
    /// probe for the lookup and the removal. `None` when `k` is absent,
    /// else the slot and whether it was removed. Always inlined: as a
    /// call, with the key and the closure's state passed through memory,
    /// a withdrawal cost 72 ns a route instead of 60 (`examples/cycle`).
    #[inline(always)]
    pub fn remove_if(&mut self, k: &K, f: impl FnOnce(u32) -> bool) -> Option<(u32, bool)> {
        let o = self
            .table
            .find_entry(self.hash.hash_one(k), |b| k.is(b))
            .ok()?;
        let slot = K::slot(o.get());
        let remove = f(slot);
        if remove {
            o.remove();
        }
        Some((slot, remove))
    }

    /// Every prefix and its slot, in no order.
    pub fn iter(&self) -> impl Iterator<Item = (K, u32)> + '_ {
        self.table.iter().map(|b| (K::key(b), K::slot(b)))
    }

    /// Keeps the prefixes for which `keep` returns true.
    pub fn retain(&mut self, mut keep: impl FnMut(K, u32) -> bool) {
        self.table.retain(|b| keep(K::key(b), K::slot(b)));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    #[test]
    fn buckets_are_packed() {
        assert_eq!(std::mem::size_of::<V4Bucket>(), 8);
        assert_eq!(std::mem::size_of::<V6Bucket>(), 20);
    }

    #[test]
    fn keys_and_slots_survive_packing_and_growth() {
        let mut v4: Index<Ipv4Prefix> = Index::default();
        let p4 = |i: u32, len: u8| Ipv4Prefix::from_bits(i << 8, len);
        for i in 0..10_000u32 {
            assert_eq!(v4.get_or_insert(p4(i, 24), || Some(i)), Some(i));
        }
        // The same network at another length is another key.
        assert_eq!(
            v4.get_or_insert(p4(0, 16), || Some(Ipv4Prefix::MAX_SLOT)),
            Some(Ipv4Prefix::MAX_SLOT)
        );
        assert_eq!(v4.get_or_insert(p4(5, 24), || Some(99)), Some(5));
        assert_eq!(
            v4.get_or_insert(p4(1, 8), || Some(Ipv4Prefix::MAX_SLOT + 1)),
            None
        );
        assert_eq!(v4.len(), 10_001);
        assert_eq!(v4.get(&p4(9_999, 24)), Some(9_999));
        assert_eq!(v4.remove(&p4(7, 24)), Some(7));
        assert_eq!(v4.get(&p4(7, 24)), None);
        let slash32 = Ipv4Prefix::new(Ipv4Addr::new(198, 18, 0, 1), 32).unwrap();
        v4.get_or_insert(slash32, || Some(3));
        assert!(v4.iter().any(|(k, s)| k == slash32 && s == 3));
        v4.retain(|k, _| k.len() != 24);
        assert_eq!(v4.len(), 2);

        let mut v6: Index<Ipv6Prefix> = Index::default();
        let host = Ipv6Prefix::new(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), 128).unwrap();
        let net = Ipv6Prefix::new(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32).unwrap();
        v6.get_or_insert(host, || Some(Ipv6Prefix::MAX_SLOT));
        v6.get_or_insert(net, || Some(1));
        assert_eq!(v6.get(&host), Some(Ipv6Prefix::MAX_SLOT));
        assert_eq!(v6.get(&net), Some(1));
        // A slot the bucket cannot hold adds nothing.
        let other = Ipv6Prefix::new(Ipv6Addr::new(0x2001, 0xdb8, 1, 0, 0, 0, 0, 0), 48).unwrap();
        assert_eq!(
            v6.get_or_insert(other, || Some(Ipv6Prefix::MAX_SLOT + 1)),
            None
        );
        // Every word of the address and the length tell keys apart.
        let low = Ipv6Prefix::new(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2), 128).unwrap();
        assert_eq!(v6.get(&low), None);
        let shorter = Ipv6Prefix::new(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 31).unwrap();
        assert_eq!(v6.get(&shorter), None);
        let keys: Vec<Ipv6Prefix> = v6.iter().map(|(k, _)| k).collect();
        assert!(keys.contains(&host) && keys.contains(&net));
    }
}
