//! FRR bgpd's configuration.

use super::Lab;
use crate::lab::{DUT_AS, DUT_GEN_V4, MON_AS, MON_V4};
use crate::session::HOLD_TIME;
use std::fmt::Write;

/// The testers in one peer group with an outbound route map that denies
/// everything (FRR's `export none`); the monitor on its own, if there is
/// one. Whether routes reach the kernel is decided by how bgpd is started
/// (with zebra or without), not here.
/// `no bgp ebgp-requires-policy`: FRR otherwise neither accepts nor sends
/// eBGP routes without a policy.
pub fn config(lab: &Lab) -> String {
    let keepalive = HOLD_TIME / 3;
    let mut s = format!(
        "frr defaults traditional\n\
         hostname wbn-dut\n\
         !\n\
         route-map WBN-NONE deny 10\n\
         !\n\
         router bgp {DUT_AS}\n\
         \x20bgp router-id {DUT_GEN_V4}\n\
         \x20no bgp ebgp-requires-policy\n\
         \x20no bgp network import-check\n\
         \x20no bgp default ipv4-unicast\n\
         \x20neighbor TESTERS peer-group\n\
         \x20neighbor TESTERS passive\n\
         \x20neighbor TESTERS timers {keepalive} {HOLD_TIME}\n"
    );
    if lab.monitor {
        let _ = write!(
            s,
            " neighbor {MON_V4} remote-as {MON_AS}\n \
             neighbor {MON_V4} passive\n \
             neighbor {MON_V4} timers {keepalive} {HOLD_TIME}\n"
        );
    }
    for (addr, asn) in &lab.testers {
        let _ = writeln!(s, " neighbor {addr} remote-as {asn}");
        let _ = writeln!(s, " neighbor {addr} peer-group TESTERS");
    }
    let mut families = vec!["ipv4"];
    if lab.v6 {
        families.push("ipv6");
    }
    for af in families {
        let _ = write!(
            s,
            " address-family {af} unicast\n  \
             neighbor TESTERS activate\n  \
             neighbor TESTERS route-map WBN-NONE out\n"
        );
        if lab.monitor {
            let _ = writeln!(s, "  neighbor {MON_V4} activate");
        }
        s.push_str(" exit-address-family\n");
    }
    s
}
