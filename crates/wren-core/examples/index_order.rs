//! The table index (packed buckets, prefix hash) against a std HashMap
//! with the same hash and with ahash, on keys in random order: a million
//! /24s shuffled, and a million prefixes of mixed lengths (insert all,
//! then remove all). `examples/pipeline` measures the sorted case.
//! docs/performance.md has the figures.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::time::Instant;
use wren_core::rib::index::Index;
use wren_core::rib::prefix_hash::PrefixHash;
use wren_wire::Ipv4Prefix;
fn main() {
    let n = 1_000_000u32;
    let mut keys: Vec<Ipv4Prefix> = (0..n)
        .map(|i| Ipv4Prefix::new(std::net::Ipv4Addr::from(0x0b00_0000 + (i << 8)), 24).unwrap())
        .collect();
    // xorshift shuffle
    let mut s = 88172645463325252u64;
    for i in (1..keys.len()).rev() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        let j = (s % (i as u64 + 1)) as usize;
        keys.swap(i, j);
    }
    let mut mixed: Vec<Ipv4Prefix> = (0..n)
        .map(|i| {
            let l = 16 + (i % 17) as u8;
            Ipv4Prefix::new(std::net::Ipv4Addr::from(i.wrapping_mul(2654435761)), l).unwrap()
        })
        .collect();
    mixed.sort();
    mixed.dedup();
    for (name, ks) in [("shuffled /24", &keys), ("mixed lengths", &mixed)] {
        let t = Instant::now();
        let mut x: Index<Ipv4Prefix> = Index::default();
        for (i, k) in ks.iter().enumerate() {
            x.get_or_insert(*k, || Some(i as u32));
        }
        for k in ks.iter() {
            assert!(x.remove(k).is_some());
        }
        let ti = t.elapsed();
        let t = Instant::now();
        let mut a: HashMap<Ipv4Prefix, u32, PrefixHash> = HashMap::default();
        for (i, k) in ks.iter().enumerate() {
            a.insert(*k, i as u32);
        }
        for k in ks.iter() {
            assert!(a.remove(k).is_some());
        }
        let tp = t.elapsed();
        let t = Instant::now();
        let mut b: HashMap<Ipv4Prefix, u32, ahash::RandomState> = HashMap::default();
        for (i, k) in ks.iter().enumerate() {
            b.insert(*k, i as u32);
        }
        for k in ks.iter() {
            assert!(b.remove(k).is_some());
        }
        println!(
            "{name}: {} keys, index {:?}, HashMap with prefix hash {:?}, ahash {:?}",
            ks.len(),
            ti,
            tp,
            t.elapsed()
        );
    }
}
