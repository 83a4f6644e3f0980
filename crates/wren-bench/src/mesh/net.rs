//! The mesh's namespaces: one per node and a hub holding the LAN's
//! bridge, so that every node reaches every other directly, as the nodes
//! of a Kubernetes cluster on one L2 segment do. Deleted on drop, after
//! killing whatever still runs in them, like the lab's [`Topology`].
//!
//! Neighbours are static: the kernel's ARP table is one for all
//! namespaces, with room for 1,024 learnt entries (`gc_thresh3`), and a
//! 50-node mesh needs 2,450; past the limit new sessions fail with
//! ENOBUFS. Permanent entries do not count against it (Linux 4.20 on), so
//! each node gets a fixed MAC address and every other node's entry.
//!
//! [`Topology`]: crate::topology::Topology

use super::plan::{self, LAN_IF, LAN_LEN, NS_HUB, POD_IF};
use crate::topology::{batch, ip, remove, veth};
use anyhow::{bail, Context, Result};

/// The namespaces of one mesh, deleted on drop.
#[derive(Debug)]
pub struct MeshNet {
    names: Vec<String>,
}

impl MeshNet {
    /// Creates the hub with its bridge and `nodes` nodes, each with its
    /// LAN port and its pod interface holding its own pod block.
    pub fn create(nodes: u32) -> Result<Self> {
        if nodes > plan::MAX_NODES {
            bail!("at most {} mesh nodes", plan::MAX_NODES);
        }
        let mut net = MeshNet { names: Vec::new() };
        ip(&["netns", "add", NS_HUB])?;
        net.names.push(NS_HUB.to_string());
        // STP is off by default: ports forward at once.
        batch(
            NS_HUB,
            &["link add br0 type bridge".into(), "link set br0 up".into()],
        )?;
        let mut ports = Vec::new();
        for i in 1..=nodes {
            let ns = plan::ns(i);
            ip(&["netns", "add", &ns])?;
            net.names.push(ns.clone());
            let port = format!("p{i}");
            veth(&ns, LAN_IF, NS_HUB, &port)?;
            ports.push(format!("link set {port} master br0"));
            ports.push(format!("link set {port} up"));
            let block = plan::block(i);
            let neighbours = (1..=nodes).filter(|j| *j != i).map(|j| {
                format!(
                    "neigh add {} lladdr {} dev {LAN_IF} nud permanent",
                    plan::addr(j),
                    plan::mac(j)
                )
            });
            let mut lines = vec![
                "link set lo up".into(),
                format!("link set {LAN_IF} address {}", plan::mac(i)),
                format!("addr add {}/{LAN_LEN} dev {LAN_IF}", plan::addr(i)),
                format!("link set {LAN_IF} up"),
                // No dummy links in every kernel: a veth pair inside the
                // namespace stands for the pod bridge.
                format!("link add {POD_IF} type veth peer name {POD_IF}h"),
                format!("link set {POD_IF}h up"),
                format!("link set {POD_IF} up"),
                format!(
                    "addr add {}/{} dev {POD_IF}",
                    plan::gateway(block),
                    plan::BLOCK_LEN
                ),
            ];
            lines.extend(neighbours);
            batch(&ns, &lines).with_context(|| format!("setting up {ns}"))?;
        }
        batch(NS_HUB, &ports).context("connecting the nodes to the bridge")?;
        Ok(net)
    }
}

impl Drop for MeshNet {
    fn drop(&mut self) {
        for ns in self.names.drain(..).rev() {
            remove(&ns);
        }
    }
}

/// Adds (or with `present` false, removes) `block` as an address on
/// node `i`'s pod interface: the kernel gets the connected route, which
/// each router picks up by netlink (BIRD's `direct`, zebra's connected
/// routes) and announces.
pub fn set_block(i: u32, block: std::net::Ipv4Addr, present: bool) -> Result<()> {
    let addr = format!("{}/{}", plan::gateway(block), plan::BLOCK_LEN);
    let verb = if present { "add" } else { "del" };
    ip(&["-n", &plan::ns(i), "addr", verb, &addr, "dev", POD_IF])
}
