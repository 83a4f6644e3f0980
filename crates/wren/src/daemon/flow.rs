//! IPv4 FlowSpec (RFC 8955) from peers that negotiated it (GoBGP's
//! `ipv4-flowspec` afi-safi, as seed 004 configures): the rules are kept
//! per peer with their attributes and shown (`show route table flow4`),
//! never installed, filtered or passed on. Validation against the unicast
//! table (RFC 8955 §6) only matters for rules that act, so it is not done.

use super::show_route::route_head;
use super::Daemon;
use crate::control::Reply;
use std::collections::BTreeMap;
use wren_core::rib::{Attrs, SourceId};
use wren_wire::capability::Capability;
use wren_wire::{flowspec, Afi, AfiSafi, Safi, Update};

/// IPv4 FlowSpec: AFI 1, SAFI 133.
pub const FLOW4: AfiSafi = AfiSafi::new(Afi::IPV4, Safi::FLOWSPEC);

/// Rules by (peer, rule octets).
pub type Flows = BTreeMap<(SourceId, Box<[u8]>), Attrs>;

/// Whether a session whose OPENs were `ours` and `theirs` capabilities
/// carries IPv4 FlowSpec.
pub fn negotiated(ours: &[AfiSafi], theirs: &wren_wire::Open) -> bool {
    ours.contains(&FLOW4)
        && theirs
            .capabilities()
            .any(|c| matches!(c, Capability::Multiprotocol(f) if *f == FLOW4))
}

impl Daemon {
    /// The FlowSpec part of UPDATE `u` from peer `i`: withdrawals, then
    /// announcements (a treat-as-withdraw verdict withdraws them too). A
    /// field that does not split into sound rules is ignored whole.
    pub(super) fn on_flow_update(&mut self, i: usize, u: &Update<'_>) {
        let Some(p) = self.peers.get(i) else { return };
        let (source, name) = (p.source, p.spec.name.clone());
        let fields = [(u.other_unreach(), false), (u.other_reach(), true)];
        for (field, announce) in fields {
            let Some((FLOW4, field)) = field else {
                continue;
            };
            let rules = match flowspec::rules(field) {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!(peer = %name, error = %e, "FlowSpec NLRI ignored");
                    continue;
                }
            };
            let attrs = u
                .attributes()
                .filter(|_| announce && u.verdict().installs());
            for r in rules {
                let key = (source, Box::<[u8]>::from(r));
                match attrs {
                    Some(a) => {
                        let a = self.store.intern(a.clone());
                        self.flows.insert(key, a);
                    }
                    None => {
                        self.flows.remove(&key);
                    }
                }
            }
        }
    }

    /// Forgets peer `source`'s rules (its session ended).
    pub(super) fn drop_flows(&mut self, source: SourceId) {
        self.flows.retain(|(s, _), _| *s != source);
    }

    /// `show route table flow4 [all]`.
    pub(super) fn show_flows(&self, all: bool, count: bool) -> Reply {
        let mut r = Reply::new();
        if count {
            let n = self.flows.len();
            r.end(
                14,
                format!("{n} of {n} routes for {n} networks in table flow4"),
            );
            return r;
        }
        r.line(1007, "Table flow4:");
        for ((source, rule), attrs) in &self.flows {
            let text = flowspec::to_text(rule);
            r.line(1007, route_head(self, &text, *source, attrs, true, false));
            if all {
                r.line(1008, "\tType: BGP univ");
                super::show_route::attribute_lines(attrs, None, true, &mut r);
            }
        }
        r
    }
}
