//! Which of the generator's routes are present: one bit per route number
//! (see [`crate::prefixes`]), IPv4 routes first, then IPv6 ones. Counting
//! a million routes costs a million bit operations, so the counter is
//! never what the clock measures; duplicates, implicit replacements and
//! removals of absent routes all count right.

use crate::prefixes;
use wren_wire::Prefix;

/// The routes present.
#[derive(Debug)]
pub struct Held {
    bits: Vec<u64>,
    v4: u32,
    v6: u32,
    count: u64,
    foreign: u64,
}

impl Held {
    /// Room for the first `v4` IPv4 and `v6` IPv6 routes of the numbering.
    pub fn new(v4: u32, v6: u32) -> Self {
        let n = u64::from(v4) + u64::from(v6);
        Held {
            bits: vec![0; usize::try_from(n / 64 + 1).unwrap_or(0)],
            v4,
            v6,
            count: 0,
            foreign: 0,
        }
    }

    /// Routes present.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Routes seen that are not the generator's (or beyond its count).
    pub fn foreign(&self) -> u64 {
        self.foreign
    }

    /// The bit of `p`, if it is a route the generator announces.
    fn slot(&self, p: &Prefix) -> Option<(usize, u64)> {
        let i = prefixes::index(p)?;
        let n = match p {
            Prefix::V4(_) if i < self.v4 => u64::from(i),
            Prefix::V6(_) if i < self.v6 => u64::from(self.v4) + u64::from(i),
            _ => return None,
        };
        Some((usize::try_from(n / 64).ok()?, 1 << (n % 64)))
    }

    /// Marks `p` present or absent.
    pub fn set(&mut self, p: &Prefix, present: bool) {
        let Some((w, bit)) = self.slot(p) else {
            self.foreign += u64::from(present);
            return;
        };
        let Some(word) = self.bits.get_mut(w) else {
            return;
        };
        let was = *word & bit != 0;
        if present && !was {
            *word |= bit;
            self.count += 1;
        } else if !present && was {
            *word &= !bit;
            self.count -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_routes_are_not_counted() {
        let mut held = Held::new(10, 0);
        let p: Prefix = "10.0.0.0/8".parse().unwrap_or_else(|_| unreachable!());
        held.set(&p, true);
        held.set(&Prefix::V4(prefixes::v4(11)), true);
        assert_eq!((held.count(), held.foreign()), (0, 2));
    }

    #[test]
    fn duplicates_and_absent_removals_count_right() {
        let mut held = Held::new(100, 100);
        let a = Prefix::V4(prefixes::v4(3));
        let b = Prefix::V6(prefixes::v6(3));
        held.set(&a, true);
        held.set(&a, true);
        held.set(&b, true);
        held.set(&Prefix::V4(prefixes::v4(4)), false);
        assert_eq!(held.count(), 2);
        held.set(&a, false);
        assert_eq!(held.count(), 1);
    }
}
