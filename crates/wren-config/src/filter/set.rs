//! Constant sets (`[ 10.0.0.0/8+, 192.168.0.0/16{24,32} ]`, `[ 1..5 ]`,
//! `[ (65000, *) ]`) and AS path masks (`[= * 65000 * =]`), built once at
//! compile time and matched without allocation.

use super::value::{EnumKind, Value};
use std::net::IpAddr;
use std::sync::Arc;
use wren_wire::attributes::{AsPath, Community, ExtCommunity, LargeCommunity};
use wren_wire::Prefix;

/// A prefix pattern `ip/len{low,high}`: matches networks whose first
/// min(len, len') bits equal the pattern's and whose length is in
/// `low..=high`. `p+` is `{len,max}`, `p-` is `{0,len}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrefixPat {
    /// The prefix.
    pub prefix: Prefix,
    /// Shortest length matched.
    pub low: u8,
    /// Longest length matched.
    pub high: u8,
}

impl PrefixPat {
    /// Whether `net` matches.
    pub fn matches(&self, net: &Prefix) -> bool {
        let l = net.len();
        if l < self.low || l > self.high {
            return false;
        }
        prefix_bits_equal(&self.prefix, net, self.prefix.len().min(l))
    }
}

/// Whether the first `n` bits of the two prefixes' addresses agree (and
/// the families are the same).
pub fn prefix_bits_equal(a: &Prefix, b: &Prefix, n: u8) -> bool {
    match (a, b) {
        (Prefix::V4(x), Prefix::V4(y)) => {
            let m = u32::MAX.checked_shl(32 - u32::from(n.min(32))).unwrap_or(0);
            x.bits() & m == y.bits() & m
        }
        (Prefix::V6(x), Prefix::V6(y)) => {
            let m = u128::MAX
                .checked_shl(128 - u32::from(n.min(128)))
                .unwrap_or(0);
            x.bits() & m == y.bits() & m
        }
        _ => false,
    }
}

/// `a ~ b` for prefixes: `a` lies within `b`.
pub fn prefix_within(a: &Prefix, b: &Prefix) -> bool {
    a.len() >= b.len() && prefix_bits_equal(a, b, b.len())
}

/// An inclusive range.
pub type Range = (u32, u32);

/// A set of constants of one type.
#[derive(Clone, Debug, PartialEq)]
pub enum Set {
    /// No elements yet (`[]`).
    Empty,
    /// Integers and ranges.
    Int(Vec<(i64, i64)>),
    /// Prefix patterns.
    Prefix(Vec<PrefixPat>),
    /// Addresses.
    Ip(Vec<IpAddr>),
    /// Pairs, each part a range (`(65000, *)` is `(65000, 0..65535)`).
    Pair(Vec<(Range, Range)>),
    /// Large communities, each part a range.
    Lc(Vec<(Range, Range, Range)>),
    /// Extended communities.
    Ec(Vec<ExtCommunity>),
    /// Enum values.
    Enum(Vec<(EnumKind, u8)>),
    /// String patterns.
    Str(Vec<Arc<str>>),
}

fn within(r: &Range, v: u32) -> bool {
    r.0 <= v && v <= r.1
}

impl Set {
    /// Whether the pair `(a, b)` is in the set.
    pub fn has_pair(&self, a: u32, b: u32) -> bool {
        match self {
            Set::Pair(v) => v.iter().any(|(x, y)| within(x, a) && within(y, b)),
            _ => false,
        }
    }

    /// Whether the community is in the set.
    pub fn has_community(&self, c: Community) -> bool {
        self.has_pair(u32::from(c.asn()), u32::from(c.value()))
    }

    /// Whether the large community is in the set.
    pub fn has_lc(&self, l: &LargeCommunity) -> bool {
        match self {
            Set::Lc(v) => v
                .iter()
                .any(|(g, a, b)| within(g, l.global) && within(a, l.local1) && within(b, l.local2)),
            _ => false,
        }
    }

    /// Whether the extended community is in the set.
    pub fn has_ec(&self, e: &ExtCommunity) -> bool {
        matches!(self, Set::Ec(v) if v.contains(e))
    }

    /// `v ~ set` for single values; `None` when the types do not fit.
    pub fn contains(&self, v: &Value<'_, '_>) -> Option<bool> {
        Some(match (self, v) {
            (Set::Empty, _) => false,
            (Set::Int(r), Value::Int(i)) => r.iter().any(|(a, b)| a <= i && i <= b),
            (Set::Prefix(p), Value::Prefix(n)) => p.iter().any(|pp| pp.matches(n)),
            (Set::Ip(s), Value::Ip(a)) => s.contains(a),
            (Set::Pair(_), Value::Pair(a, b)) => self.has_pair(*a, *b),
            (Set::Lc(_), Value::Lc(l)) => self.has_lc(l),
            (Set::Ec(_), Value::Ec(e)) => self.has_ec(e),
            (Set::Enum(s), Value::Enum(k, x)) => s.contains(&(*k, *x)),
            (Set::Str(s), v) => {
                let t = v.as_str()?;
                s.iter().any(|p| crate::pattern::glob_match(p, t))
            }
            _ => return None,
        })
    }
}

/// One item of an AS path mask.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaskItem {
    /// `*`: any run of AS numbers (also none).
    AnySeq,
    /// `?`: exactly one AS number.
    AnyOne,
    /// `N` or `N..M`.
    Asn(u32, u32),
}

/// `[= ... =]`
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathMask {
    /// Items, nearest AS first.
    pub items: Vec<MaskItem>,
}

impl PathMask {
    /// Whether the whole path matches the mask (AS_SETs read as their
    /// members in order, as BIRD flattens them).
    pub fn matches(&self, path: Option<&AsPath>) -> bool {
        let n = path.map_or(0, |p| p.asns().count());
        let at = |i: usize| path.and_then(|p| p.asns().nth(i));
        let (mut mi, mut pi) = (0usize, 0usize);
        let mut back: Option<(usize, usize)> = None;
        while pi < n {
            match self.items.get(mi) {
                Some(MaskItem::AnySeq) => {
                    back = Some((mi, pi));
                    mi += 1;
                    continue;
                }
                Some(MaskItem::AnyOne) => {
                    mi += 1;
                    pi += 1;
                    continue;
                }
                Some(MaskItem::Asn(lo, hi)) if at(pi).is_some_and(|a| *lo <= a && a <= *hi) => {
                    mi += 1;
                    pi += 1;
                    continue;
                }
                _ => {}
            }
            match back {
                Some((bm, bp)) => {
                    mi = bm + 1;
                    pi = bp + 1;
                    back = Some((bm, bp + 1));
                }
                None => return false,
            }
        }
        while self.items.get(mi) == Some(&MaskItem::AnySeq) {
            mi += 1;
        }
        mi == self.items.len()
    }
}
