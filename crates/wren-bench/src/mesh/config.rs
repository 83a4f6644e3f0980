//! Each mesh node's configuration: the same intent in BIRD's dialect
//! (given to wrend and BIRD alike) and in FRR's.
//!
//! Every node peers over iBGP with every other (AS 65000, both sides
//! active, hold time 240 s), announces the connected routes of its pod
//! interface, that is its pod blocks (and only those: not the LAN), and
//! installs what it learns into the kernel's main table.

use super::plan::{self, MESH_AS, PODS, PODS_LEN, POD_IF};
use crate::session::HOLD_TIME;
use crate::targets::Target;
use std::fmt::Write;

/// Node `i`'s configuration for `target` in a mesh of `nodes`.
pub fn config(target: Target, i: u32, nodes: u32) -> String {
    match target {
        Target::Frr => frr(i, nodes),
        _ => bird(i, nodes),
    }
}

/// The others' addresses.
fn peers(i: u32, nodes: u32) -> impl Iterator<Item = (u32, std::net::Ipv4Addr)> {
    (1..=nodes)
        .filter(move |j| *j != i)
        .map(|j| (j, plan::addr(j)))
}

/// BIRD 2: `direct` on the pod interface feeds the blocks in; iBGP
/// sessions are `direct` (one LAN, so `gateway direct`: the next hop is
/// the owner itself, without an IGP to resolve it through); the `kernel`
/// protocol exports what BGP learnt. Exporting every route instead would
/// also write the node's own connected block into the kernel a second
/// time, which neither FRR nor a CNI does.
fn bird(i: u32, nodes: u32) -> String {
    let me = plan::addr(i);
    let mut s = format!(
        "log stderr {{ warning, error, fatal, remote, bug }};\n\
         router id {me};\n\
         protocol device {{}}\n\
         protocol direct {{\n  ipv4;\n  interface \"{POD_IF}\";\n}}\n\
         protocol kernel {{\n  ipv4 {{ export where source = RTS_BGP; }};\n}}\n\
         template bgp node {{\n  local {me} as {MESH_AS};\n  direct;\n  hold time {HOLD_TIME};\n  \
         ipv4 {{ import all; export all; gateway direct; }};\n}}\n"
    );
    for (j, addr) in peers(i, nodes) {
        let _ = writeln!(
            s,
            "protocol bgp n{j} from node {{ neighbor {addr} as {MESH_AS}; }}"
        );
    }
    s
}

/// FRR: zebra sees the pod interface's connected routes and installs
/// what bgpd learns; bgpd redistributes the connected routes inside the
/// cluster CIDR.
fn frr(i: u32, nodes: u32) -> String {
    let me = plan::addr(i);
    let keepalive = HOLD_TIME / 3;
    let mut s = format!(
        "frr defaults traditional\n\
         hostname {}\n\
         !\n\
         ip prefix-list PODS seq 10 permit {PODS}/{PODS_LEN} le 32\n\
         route-map PODS permit 10\n\
         \x20match ip address prefix-list PODS\n\
         !\n\
         router bgp {MESH_AS}\n\
         \x20bgp router-id {me}\n\
         \x20no bgp default ipv4-unicast\n\
         \x20neighbor MESH peer-group\n\
         \x20neighbor MESH remote-as {MESH_AS}\n\
         \x20neighbor MESH timers {keepalive} {HOLD_TIME}\n",
        plan::ns(i)
    );
    for (_, addr) in peers(i, nodes) {
        let _ = writeln!(s, " neighbor {addr} peer-group MESH");
    }
    s.push_str(
        " address-family ipv4 unicast\n  \
         redistribute connected route-map PODS\n  \
         neighbor MESH activate\n \
         exit-address-family\n",
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_node_peers_with_every_other() {
        for t in [Target::Wren, Target::Frr] {
            let c = config(t, 2, 4);
            for j in [1, 3, 4] {
                assert!(c.contains(&format!("{} ", plan::addr(j))), "{t:?}: {c}");
            }
            assert!(!c.contains(&format!("neighbor {} ", plan::addr(2))), "{c}");
        }
        assert!(config(Target::Bird, 1, 3).contains("protocol kernel"));
    }
}
