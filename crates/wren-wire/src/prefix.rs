//! IP prefixes, always kept canonical (host bits zero), so that two equal
//! routes compare and hash equal whatever bits a peer left set.
//!
//! `len()` is the prefix length in bits, not a container size, so
//! there is no `is_empty`.
#![allow(clippy::len_without_is_empty)]

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// An IPv4 prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ipv4Prefix {
    addr: u32,
    len: u8,
}

impl Ipv4Prefix {
    /// A prefix with host bits cleared; `None` if `len > 32`.
    pub fn new(addr: Ipv4Addr, len: u8) -> Option<Self> {
        (len <= 32).then(|| Ipv4Prefix {
            addr: u32::from(addr) & mask32(len),
            len,
        })
    }

    /// Network address.
    pub fn addr(&self) -> Ipv4Addr {
        Ipv4Addr::from(self.addr)
    }

    /// Prefix length in bits.
    pub fn len(&self) -> u8 {
        self.len
    }

    /// Network address as an integer.
    pub fn bits(&self) -> u32 {
        self.addr
    }

    /// The prefix of `addr`'s first `len` bits (at most 32): host bits
    /// are cleared, a longer length is taken as 32.
    pub fn from_bits(addr: u32, len: u8) -> Self {
        Ipv4Prefix::from_raw(addr, len.min(32))
    }

    pub(crate) fn from_raw(addr: u32, len: u8) -> Self {
        Ipv4Prefix {
            addr: addr & mask32(len),
            len,
        }
    }
}

/// An IPv6 prefix. The address is two 64-bit halves, not a `u128`: that
/// keeps the alignment at 8, so a [`Prefix`] takes 32 octets instead of
/// 48 in every table entry and change record. Field order keeps `Ord`
/// numeric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ipv6Prefix {
    hi: u64,
    lo: u64,
    len: u8,
}

impl Ipv6Prefix {
    /// A prefix with host bits cleared; `None` if `len > 128`.
    pub fn new(addr: Ipv6Addr, len: u8) -> Option<Self> {
        (len <= 128).then(|| Ipv6Prefix::from_raw(u128::from(addr), len))
    }

    /// Network address.
    pub fn addr(&self) -> Ipv6Addr {
        Ipv6Addr::from(self.bits())
    }

    /// Prefix length in bits.
    pub fn len(&self) -> u8 {
        self.len
    }

    /// Network address as an integer.
    pub fn bits(&self) -> u128 {
        (u128::from(self.hi) << 64) | u128::from(self.lo)
    }

    /// The prefix of `addr`'s first `len` bits (at most 128): host bits
    /// are cleared, a longer length is taken as 128.
    pub fn from_bits(addr: u128, len: u8) -> Self {
        Ipv6Prefix::from_raw(addr, len.min(128))
    }

    pub(crate) fn from_raw(addr: u128, len: u8) -> Self {
        let a = addr & mask128(len);
        Ipv6Prefix {
            // Truncation is the point: the two halves.
            hi: (a >> 64) as u64,
            lo: a as u64,
            len,
        }
    }
}

fn mask32(len: u8) -> u32 {
    u32::MAX
        .checked_shl(32 - u32::from(len.min(32)))
        .unwrap_or(0)
}

fn mask128(len: u8) -> u128 {
    u128::MAX
        .checked_shl(128 - u32::from(len.min(128)))
        .unwrap_or(0)
}

/// A prefix of either address family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Prefix {
    /// IPv4.
    V4(Ipv4Prefix),
    /// IPv6.
    V6(Ipv6Prefix),
}

impl Prefix {
    /// Prefix length in bits.
    pub fn len(&self) -> u8 {
        match self {
            Prefix::V4(p) => p.len(),
            Prefix::V6(p) => p.len(),
        }
    }

    /// True for IPv6 prefixes.
    pub fn is_ipv6(&self) -> bool {
        matches!(self, Prefix::V6(_))
    }

    /// Whether `a` lies inside the prefix (`show route for`, dynamic
    /// neighbour ranges). Addresses of the other family never do.
    pub fn contains(&self, a: std::net::IpAddr) -> bool {
        match (self, a) {
            (Prefix::V4(p), std::net::IpAddr::V4(a)) => u32::from(a) & mask32(p.len) == p.addr,
            (Prefix::V6(p), std::net::IpAddr::V6(a)) => u128::from(a) & mask128(p.len) == p.bits(),
            _ => false,
        }
    }

    /// Octets the prefix takes on the wire: the length octet and the address
    /// octets that the length covers (RFC 4271 §4.3).
    pub fn wire_len(&self) -> usize {
        1 + usize::from(self.len()).div_ceil(8)
    }
}

impl From<Ipv4Prefix> for Prefix {
    fn from(p: Ipv4Prefix) -> Self {
        Prefix::V4(p)
    }
}

impl From<Ipv6Prefix> for Prefix {
    fn from(p: Ipv6Prefix) -> Self {
        Prefix::V6(p)
    }
}

impl fmt::Display for Ipv4Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr(), self.len)
    }
}

impl fmt::Display for Ipv6Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr(), self.len)
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Prefix::V4(p) => p.fmt(f),
            Prefix::V6(p) => p.fmt(f),
        }
    }
}

/// Why a prefix string did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid prefix {0:?}: expected ADDRESS/LENGTH")]
pub struct PrefixParseError(pub String);

impl FromStr for Prefix {
    type Err = PrefixParseError;

    /// Parses `10.0.0.0/8` or `2001:db8::/32`; host bits are cleared.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || PrefixParseError(s.to_string());
        let (addr, len) = s.split_once('/').ok_or_else(err)?;
        let len: u8 = len.parse().map_err(|_| err())?;
        if let Ok(a) = addr.parse::<Ipv4Addr>() {
            return Ipv4Prefix::new(a, len).map(Prefix::V4).ok_or_else(err);
        }
        let a: Ipv6Addr = addr.parse().map_err(|_| err())?;
        Ipv6Prefix::new(a, len).map(Prefix::V6).ok_or_else(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_addresses() {
        let p: Prefix = "192.168.122.0/24"
            .parse()
            .unwrap_or_else(|_| unreachable!());
        assert!(p.contains("192.168.122.102".parse().unwrap_or_else(|_| unreachable!())));
        assert!(!p.contains("192.168.123.1".parse().unwrap_or_else(|_| unreachable!())));
        assert!(!p.contains("::1".parse().unwrap_or_else(|_| unreachable!())));
        let all: Prefix = "::/0".parse().unwrap_or_else(|_| unreachable!());
        assert!(all.contains("2001:db8::1".parse().unwrap_or_else(|_| unreachable!())));
    }

    #[test]
    fn host_bits_are_cleared() {
        let p: Prefix = "10.1.2.3/8".parse().unwrap();
        assert_eq!(p.to_string(), "10.0.0.0/8");
        let p: Prefix = "2001:db8::1/32".parse().unwrap();
        assert_eq!(p.to_string(), "2001:db8::/32");
        let p: Prefix = "1.2.3.4/0".parse().unwrap();
        assert_eq!(p.to_string(), "0.0.0.0/0");
    }

    #[test]
    fn bad_lengths_are_rejected() {
        assert!("10.0.0.0/33".parse::<Prefix>().is_err());
        assert!("::/129".parse::<Prefix>().is_err());
        assert!("10.0.0.0".parse::<Prefix>().is_err());
    }

    #[test]
    fn wire_len_counts_covered_octets() {
        assert_eq!("10.0.0.0/8".parse::<Prefix>().unwrap().wire_len(), 2);
        assert_eq!("10.0.0.0/9".parse::<Prefix>().unwrap().wire_len(), 3);
        assert_eq!("0.0.0.0/0".parse::<Prefix>().unwrap().wire_len(), 1);
        assert_eq!("::/128".parse::<Prefix>().unwrap().wire_len(), 17);
    }
}
