//! The lab's addressing plan and AS numbers, shared by the topology, the
//! router configurations and the peers, so that they cannot disagree.
//!
//! ```text
//!  wbn-gen                      wbn-dut                      wbn-mon
//!  testers 198.18.1.0 + i  ---  198.18.0.1   198.19.0.1  ---  198.19.0.2 monitor
//!          2001:2::1:0 + i      2001:2::1    2001:2:0:1::1    2001:2:0:1::2
//!          (one veth, /16)                    (one veth, /24)
//! ```
//!
//! IPv4 addresses are from 198.18.0.0/15 and IPv6 ones from 2001:2::/48,
//! the ranges set aside for benchmarking (RFC 2544, RFC 5180). Every
//! session is carried over IPv4; IPv6 routes travel in MP_REACH_NLRI with
//! an IPv6 next hop on the tester's link.

use std::net::{Ipv4Addr, Ipv6Addr};

/// Namespace of the tester peers.
pub const NS_GEN: &str = "wbn-gen";
/// Namespace of the router under test.
pub const NS_DUT: &str = "wbn-dut";
/// Namespace of the monitor peer.
pub const NS_MON: &str = "wbn-mon";
/// Every namespace this tool creates starts with this.
pub const NS_PREFIX: &str = "wbn-";

/// The router's AS.
pub const DUT_AS: u32 = 65_000;
/// The monitor's AS. Not 65002, which the second tester has.
pub const MON_AS: u32 = 64_999;
/// Most tester peers a scenario may have (addresses 198.18.1.0 up to
/// 198.18.254.255 on the /16).
pub const MAX_TESTERS: u32 = 64_000;

/// The router's address towards the testers (its router id too).
pub const DUT_GEN_V4: Ipv4Addr = Ipv4Addr::new(198, 18, 0, 1);
/// The router's IPv6 address towards the testers.
pub const DUT_GEN_V6: Ipv6Addr = Ipv6Addr::new(0x2001, 2, 0, 0, 0, 0, 0, 1);
/// The router's address towards the monitor.
pub const DUT_MON_V4: Ipv4Addr = Ipv4Addr::new(198, 19, 0, 1);
/// The router's IPv6 address towards the monitor.
pub const DUT_MON_V6: Ipv6Addr = Ipv6Addr::new(0x2001, 2, 0, 1, 0, 0, 0, 1);
/// The monitor's address.
pub const MON_V4: Ipv4Addr = Ipv4Addr::new(198, 19, 0, 2);
/// The monitor's IPv6 address.
pub const MON_V6: Ipv6Addr = Ipv6Addr::new(0x2001, 2, 0, 1, 0, 0, 0, 2);
/// Prefix length of the testers' link.
pub const GEN_V4_LEN: u8 = 16;
/// Prefix length of the monitor's link.
pub const MON_V4_LEN: u8 = 24;
/// Prefix length of both IPv6 links.
pub const V6_LEN: u8 = 64;
/// The BGP port every router listens on.
pub const BGP_PORT: u16 = 179;

/// Tester `i`'s IPv4 address (its BGP identifier too).
pub fn tester_v4(i: u32) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(Ipv4Addr::new(198, 18, 1, 0)) + i)
}

/// Tester `i`'s IPv6 address, the next hop of its IPv6 routes.
pub fn tester_v6(i: u32) -> Ipv6Addr {
    Ipv6Addr::from(u128::from(Ipv6Addr::new(0x2001, 2, 0, 0, 0, 0, 1, 0)) + u128::from(i))
}

/// Tester `i`'s AS: 65001 up for the first 500 (private 2-octet numbers,
/// ending well before the reserved 65535), then private 4-octet ones.
pub fn tester_as(i: u32) -> u32 {
    if i < 500 {
        65_001 + i
    } else {
        4_200_000_000 + i
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan() {
        assert_eq!(tester_v4(0).to_string(), "198.18.1.0");
        assert_eq!(tester_v4(999).to_string(), "198.18.4.231");
        assert_eq!(tester_v6(1).to_string(), "2001:2::1:1");
        assert_eq!(tester_as(0), 65_001);
        assert_eq!(tester_as(499), 65_500);
        assert!(tester_as(500) > 65_535);
        const { assert!(MAX_TESTERS < 254 * 256) };
    }
}
