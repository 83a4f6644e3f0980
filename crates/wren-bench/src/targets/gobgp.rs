//! gobgpd's configuration (TOML).

use super::Lab;
use crate::lab::{DUT_AS, DUT_GEN_V4, DUT_MON_V4, GEN_V4_LEN, MON_AS, MON_V4};
use crate::session::HOLD_TIME;
use std::fmt::Write;
use std::net::Ipv4Addr;

/// GoBGP has no per-peer export policy outside route-server mode, so a
/// global export policy rejects routes towards the testers' subnet (in
/// an export policy the neighbor condition names the receiving peer).
/// The monitor gets graceful restart in helper mode, which the other
/// routers have by default: without it GoBGP sends no End-of-RIB, which
/// the benchmark waits for before starting the clock.
pub fn config(lab: &Lab) -> String {
    let testers_net = Ipv4Addr::from(u32::from(DUT_GEN_V4) & !(u32::MAX >> GEN_V4_LEN));
    let mut s = format!(
        "[global.config]\n  as = {DUT_AS}\n  router-id = \"{DUT_GEN_V4}\"\n\
         [global.apply-policy.config]\n  export-policy-list = [\"wbn-none-to-testers\"]\n  default-export-policy = \"accept-route\"\n\
         [[defined-sets.neighbor-sets]]\n  neighbor-set-name = \"testers\"\n  neighbor-info-list = [\"{testers_net}/{GEN_V4_LEN}\"]\n\
         [[policy-definitions]]\n  name = \"wbn-none-to-testers\"\n  [[policy-definitions.statements]]\n    name = \"reject\"\n    \
         [policy-definitions.statements.conditions.match-neighbor-set]\n      neighbor-set = \"testers\"\n    \
         [policy-definitions.statements.actions]\n      route-disposition = \"reject-route\"\n"
    );
    let mut peer = |addr: Ipv4Addr, asn: u32, local: Ipv4Addr, helper: bool| {
        let _ = write!(
            s,
            "[[neighbors]]\n  [neighbors.config]\n    neighbor-address = \"{addr}\"\n    peer-as = {asn}\n  \
             [neighbors.transport.config]\n    passive-mode = true\n    local-address = \"{local}\"\n  \
             [neighbors.timers.config]\n    hold-time = {HOLD_TIME}\n    keepalive-interval = {}\n",
            HOLD_TIME / 3
        );
        if helper {
            s.push_str("  [neighbors.graceful-restart.config]\n    enabled = true\n    helper-only = true\n");
        }
        let mut families = vec!["ipv4-unicast"];
        if lab.v6 {
            families.push("ipv6-unicast");
        }
        for f in families {
            let _ = write!(
                s,
                "  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = \"{f}\"\n"
            );
        }
    };
    for (addr, asn) in &lab.testers {
        peer(*addr, *asn, DUT_GEN_V4, false);
    }
    if lab.monitor {
        peer(MON_V4, MON_AS, DUT_MON_V4, true);
    }
    s
}
