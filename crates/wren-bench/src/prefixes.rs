//! The generator's prefix numbering.
//!
//! Route `i` of a scenario (all peers' routes of one family counted in a
//! row) is one fixed prefix, and the monitor turns a received prefix back
//! into `i` by arithmetic. That lets it keep a bitmap rather than a hash
//! set: counting a million routes costs a million bit operations, so the
//! monitor is never what the clock measures.
//!
//! IPv4 routes are /24s from 11.0.0.0 up; IPv6 routes are /48s from
//! 2400::. Only `kernel-fib` installs them, and only in the router's own
//! namespace; the kernel watcher numbers them the same way.

use wren_wire::{Ipv4Prefix, Ipv6Prefix, Prefix};

/// First IPv4 route: 11.0.0.0/24.
const V4_BASE: u32 = 11 << 24;
/// First IPv6 route: 2400::/48.
const V6_BASE: u128 = 0x2400 << 112;
/// Most routes of one family a scenario may use: 4,194,304 /24s end at
/// 74.255.255.0, well below 127/8 and the 198.18/15 the lab runs on.
pub const MAX_ROUTES: u32 = 1 << 22;

/// The IPv4 route numbered `i`.
pub fn v4(i: u32) -> Ipv4Prefix {
    let addr = V4_BASE.wrapping_add(i.wrapping_shl(8));
    Ipv4Prefix::new(addr.into(), 24).expect("24 is a valid IPv4 prefix length")
}

/// The IPv6 route numbered `i`.
pub fn v6(i: u32) -> Ipv6Prefix {
    let addr = V6_BASE.wrapping_add(u128::from(i) << 80);
    Ipv6Prefix::new(addr.into(), 48).expect("48 is a valid IPv6 prefix length")
}

/// The number of a received prefix, if it is one of ours (of either
/// family: the caller knows which from the prefix).
pub fn index(p: &Prefix) -> Option<u32> {
    match p {
        Prefix::V4(p) if p.len() == 24 => {
            let off = p.bits().checked_sub(V4_BASE)? >> 8;
            (off < MAX_ROUTES).then_some(off)
        }
        Prefix::V6(p) if p.len() == 48 => {
            let off = p.bits().checked_sub(V6_BASE)? >> 80;
            u32::try_from(off).ok().filter(|o| *o < MAX_ROUTES)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_round_trips() {
        for i in [0, 1, 255, 256, 65_535, 999_999, MAX_ROUTES - 1] {
            assert_eq!(index(&Prefix::V4(v4(i))), Some(i));
            assert_eq!(index(&Prefix::V6(v6(i))), Some(i));
        }
        assert_eq!(v4(0).to_string(), "11.0.0.0/24");
        assert_eq!(v4(1_000_000).to_string(), "26.66.64.0/24");
        assert_eq!(v6(1).to_string(), "2400:0:1::/48");
    }

    #[test]
    fn foreign_prefixes_are_not_ours() {
        let other: Prefix = "10.0.0.0/24".parse().unwrap_or_else(|_| unreachable!());
        assert_eq!(index(&other), None);
        let short: Prefix = "11.0.0.0/16".parse().unwrap_or_else(|_| unreachable!());
        assert_eq!(index(&short), None);
    }
}
