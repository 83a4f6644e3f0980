//! The order in which prefixes go to the kernel.
//!
//! Linux keeps IPv4 routes in an LC-trie (`net/ipv4/fib_trie.c`) whose
//! nodes are rebuilt as their children fill and empty. Changes in address
//! order keep landing on the one node that is being filled or emptied, and
//! it is rebuilt again and again. A peer sends its table in address order,
//! and withdraws it in the same order. The same million /24s through
//! [`crate::KernelTable`] alone (`examples/fib_load`):
//!
//! | order | install | removal |
//! |---|---|---|
//! | address | 3.8–4.0 CPU s | 3.7–3.9 s |
//! | bit-reversed address | 2.9 s | 1.3 s |
//!
//! So writes wait here as bare prefixes (4 octets for IPv4), not as
//! routes, and leave in rounds: a round is everything that arrived while
//! the previous round was being written, sorted by bit-reversed address,
//! so that consecutive writes land in different parts of the trie. The
//! first round of a burst is small; each next one holds what came in
//! while the kernel worked on the last, so a full table (or its
//! withdrawal) goes out in a few large, scattered rounds.
//!
//! What a prefix's route should be is read when it leaves, not when it
//! arrives, so a prefix that changes many times while it waits is written
//! once. Duplicates meet when a round is sorted; the incoming list also
//! compacts itself whenever it doubles, so a prefix that flaps while the
//! kernel is slow costs one entry, and the queue is bounded by the number
//! of distinct prefixes.

use wren_wire::{Ipv4Prefix, Ipv6Prefix, Prefix};

/// Below this many entries the incoming list is not compacted.
const COMPACT_FLOOR: usize = 1 << 15;

/// Prefixes waiting for the kernel, handed out in scattered order.
#[derive(Debug, Default)]
pub struct ScatterQueue {
    /// Arrived since the current round began, unordered.
    incoming: Lists,
    /// The round being handed out, sorted; taken from the ends.
    round: Lists,
    /// Entries in `incoming` after its last compaction.
    compacted: usize,
}

/// Prefixes by family and, for IPv4, by length, each kept as its address
/// with the bits reversed: 4 octets an IPv4 prefix. IPv6 tables are a
/// fifth the size of IPv4 ones and keep their length beside the address.
#[derive(Debug)]
struct Lists {
    v4: [Vec<u32>; 33],
    v6: Vec<(u128, u8)>,
}

impl Default for Lists {
    fn default() -> Self {
        Lists {
            v4: std::array::from_fn(|_| Vec::new()),
            v6: Vec::new(),
        }
    }
}

impl Lists {
    fn push(&mut self, prefix: &Prefix) {
        match prefix {
            Prefix::V4(p) => {
                if let Some(l) = self.v4.get_mut(usize::from(p.len())) {
                    l.push(p.bits().reverse_bits());
                }
            }
            Prefix::V6(p) => self.v6.push((p.bits().reverse_bits(), p.len())),
        }
    }

    /// Moves up to `max` prefixes into `out`, from the ends of the lists.
    fn take(&mut self, mut max: usize, out: &mut Vec<Prefix>) {
        for (len, l) in self.v4.iter_mut().enumerate() {
            while max > 0 {
                let Some(bits) = l.pop() else { break };
                out.push(Prefix::V4(Ipv4Prefix::from_bits(
                    bits.reverse_bits(),
                    len as u8,
                )));
                max -= 1;
            }
        }
        while max > 0 {
            let Some((bits, len)) = self.v6.pop() else {
                break;
            };
            out.push(Prefix::V6(Ipv6Prefix::from_bits(bits.reverse_bits(), len)));
            max -= 1;
        }
    }

    /// Sorts every list and drops duplicates.
    fn settle(&mut self) {
        for l in &mut self.v4 {
            l.sort_unstable();
            l.dedup();
        }
        self.v6.sort_unstable();
        self.v6.dedup();
    }

    fn len(&self) -> usize {
        self.v4.iter().map(Vec::len).sum::<usize>() + self.v6.len()
    }

    /// Empties every list and gives its memory back.
    fn clear(&mut self) {
        *self = Lists::default();
    }
}

impl ScatterQueue {
    /// An empty queue.
    pub fn new() -> Self {
        ScatterQueue::default()
    }

    /// `prefix` must be written to the kernel (again).
    pub fn push(&mut self, prefix: Prefix) {
        self.incoming.push(&prefix);
        let incoming = self.incoming.len();
        if incoming > 2 * self.compacted.max(COMPACT_FLOOR) {
            self.incoming.settle();
            self.compacted = self.incoming.len();
        }
    }

    /// Moves up to `max` prefixes into `out`, starting a new round when
    /// the current one is done.
    pub fn take(&mut self, max: usize, out: &mut Vec<Prefix>) {
        if self.round.len() == 0 {
            // The finished round's lists were as long as the round: give
            // them back rather than keep them beside the next one.
            self.round = std::mem::take(&mut self.incoming);
            self.round.settle();
            self.compacted = 0;
        }
        self.round.take(max, out);
    }

    /// Entries waiting (a prefix pushed twice may count twice).
    pub fn len(&self) -> usize {
        self.incoming.len() + self.round.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets everything waiting (the whole table is being written anew).
    pub fn clear(&mut self) {
        self.incoming.clear();
        self.round.clear();
        self.compacted = 0;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::collections::BTreeSet;

    fn v4(a: u32, len: u8) -> Prefix {
        Prefix::V4(Ipv4Prefix::from_bits(a, len))
    }

    fn drain(q: &mut ScatterQueue, max: usize) -> Vec<Prefix> {
        let mut out = Vec::new();
        loop {
            let before = out.len();
            q.take(max, &mut out);
            if out.len() == before {
                return out;
            }
        }
    }

    #[test]
    fn every_prefix_comes_out_once() {
        let mut q = ScatterQueue::new();
        let mut want = BTreeSet::new();
        for i in 0..5000u32 {
            let p = v4(0x0a00_0000 + (i << 8), 24);
            q.push(p);
            want.insert(p);
        }
        let v6 = Prefix::V6(Ipv6Prefix::from_bits(0x2001_0db8 << 96, 32));
        q.push(v6);
        want.insert(v6);
        q.push(v4(0x0a00_0000, 24));
        q.push(v4(0x0a00_0000, 25));
        want.insert(v4(0x0a00_0000, 25));
        let out = drain(&mut q, 100);
        assert_eq!(out.len(), want.len(), "a duplicate came out twice");
        assert_eq!(out.iter().copied().collect::<BTreeSet<_>>(), want);
        assert!(q.is_empty());
    }

    #[test]
    fn consecutive_prefixes_leave_far_apart() {
        let mut q = ScatterQueue::new();
        for i in 0..4096u32 {
            q.push(v4(0x0a00_0000 + (i << 8), 24));
        }
        let out = drain(&mut q, 4096);
        let third = |p: &Prefix| match p {
            Prefix::V4(p) => (p.bits() >> 8) & 0xfff,
            Prefix::V6(_) => unreachable!(),
        };
        // Bit-reversed: each write is in the other half of the range from
        // the one before, at every level of the trie.
        for (x, y) in out.iter().zip(out.iter().skip(1)) {
            let (a, b) = (third(x), third(y));
            assert_eq!((a ^ b) & 0x800, 0x800, "{a:#x} then {b:#x}");
        }
    }

    #[test]
    fn a_round_takes_what_came_while_the_last_was_written() {
        let mut q = ScatterQueue::new();
        q.push(v4(1 << 24, 8));
        let mut out = Vec::new();
        q.take(10, &mut out);
        assert_eq!(out, vec![v4(1 << 24, 8)]);
        // Arrivals during a round wait for the next one.
        q.push(v4(2 << 24, 8));
        q.push(v4(3 << 24, 8));
        out.clear();
        q.take(1, &mut out);
        q.push(v4(4 << 24, 8));
        q.take(10, &mut out);
        assert_eq!(out.len(), 2);
        assert!(!out.contains(&v4(4 << 24, 8)));
        out.clear();
        q.take(10, &mut out);
        assert_eq!(out, vec![v4(4 << 24, 8)]);
    }

    #[test]
    fn a_flapping_prefix_stays_one_entry() {
        let mut q = ScatterQueue::new();
        for _ in 0..10 * COMPACT_FLOOR {
            q.push(v4(0x0a00_0000, 24));
        }
        assert!(q.len() <= 2 * COMPACT_FLOOR + 1, "{} entries", q.len());
        assert_eq!(drain(&mut q, 1000), vec![v4(0x0a00_0000, 24)]);
    }
}
