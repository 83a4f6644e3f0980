//! The mesh's addressing plan, shared by its namespaces, the routers'
//! configurations and the kernel watchers, so that they cannot disagree.
//!
//! ```text
//!  wbm-1 … wbm-N: eth0 198.18.0.i/16 ──veth── wbm-hub: br0 (one LAN)
//!                 pod0 10.244.i.1/24 (veth to pod0h in the same namespace)
//! ```
//!
//! Node *i* (from 1) owns the pod CIDR 10.244.*i*.0/24 from the start, as a
//! Kubernetes node owns its pod block; the last node is the origin, which
//! adds a second block, 10.244.250.0/24, while the clock runs.

use std::net::Ipv4Addr;

/// Every namespace of the mesh starts with this.
pub const NS_PREFIX: &str = "wbm-";
/// The namespace holding the LAN's bridge.
pub const NS_HUB: &str = "wbm-hub";
/// Most nodes: the pod blocks 10.244.1.0/24 up must stay below the new one.
pub const MAX_NODES: u32 = 200;
/// Every node's AS: one iBGP full mesh.
pub const MESH_AS: u32 = 65_000;
/// Prefix length of the LAN.
pub const LAN_LEN: u8 = 16;
/// Each node's interface on the LAN.
pub const LAN_IF: &str = "eth0";
/// Each node's pod interface, where its pod blocks are addresses.
pub const POD_IF: &str = "pod0";
/// Length of a pod block.
pub const BLOCK_LEN: u8 = 24;
/// The block the origin adds while the clock runs.
pub const NEW_BLOCK: Ipv4Addr = Ipv4Addr::new(10, 244, 250, 0);
/// All pod blocks are in 10.244.0.0/16, Kubernetes' usual cluster CIDR;
/// only these go into BGP.
pub const PODS: Ipv4Addr = Ipv4Addr::new(10, 244, 0, 0);
/// Length of [`PODS`].
pub const PODS_LEN: u8 = 16;

/// Node `i`'s namespace.
pub fn ns(i: u32) -> String {
    format!("{NS_PREFIX}{i}")
}

/// Node `i`'s address on the LAN, its router id too.
pub fn addr(i: u32) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(Ipv4Addr::new(198, 18, 0, 0)) + i)
}

/// Node `i`'s MAC address on the LAN (locally administered), fixed so
/// that every node can be given every other's in advance.
pub fn mac(i: u32) -> String {
    format!("02:00:c6:12:{:02x}:{:02x}", (i >> 8) & 0xff, i & 0xff)
}

/// Node `i`'s own pod block.
pub fn block(i: u32) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(PODS) + (i << 8))
}

/// The first address of a block, which its node holds on [`POD_IF`].
pub fn gateway(block: Ipv4Addr) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(block) + 1)
}

/// The node that adds [`NEW_BLOCK`]: the last one.
pub fn origin(nodes: u32) -> u32 {
    nodes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan() {
        assert_eq!(ns(7), "wbm-7");
        assert_eq!(addr(50).to_string(), "198.18.0.50");
        assert_eq!(mac(50), "02:00:c6:12:00:32");
        assert_eq!(block(7).to_string(), "10.244.7.0");
        assert_eq!(gateway(NEW_BLOCK).to_string(), "10.244.250.1");
        assert!(u32::from(block(MAX_NODES)) < u32::from(NEW_BLOCK));
        assert!(!ns(1).starts_with(crate::lab::NS_PREFIX));
    }
}
