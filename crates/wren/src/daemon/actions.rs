//! Carrying out what a session asks for: connect, send, close, and the
//! session coming up (import rules and export target fixed for its life)
//! or going down (its routes dropped, or kept stale for graceful restart).

use super::connect;
use super::flow;
use super::kernel;
use super::peer::{canonical, Up};
use super::{self_now_plus, Daemon};
use std::net::IpAddr;
use tracing::info;
use wren_core::export::ExportTarget;
use wren_core::import::ImportRules;
use wren_core::rib::SourceKind;
use wren_core::session::Action;
use wren_wire::Family;

impl Daemon {
    /// Carries out what a session asked for.
    pub(super) fn apply_actions(&mut self, i: usize, out: &mut Vec<Action>) {
        for a in out.drain(..) {
            let Some(p) = self.peers.get_mut(i) else {
                return;
            };
            match a {
                Action::Connect => {
                    p.attempt += 1;
                    let remote = p.remote();
                    if p.debug.any(super::debug::DebugClasses::EVENTS) {
                        if let Some(r) = remote {
                            super::debug::trace(&p.spec.name, format_args!("Connecting to {r}"));
                        }
                    }
                    connect::spawn_connect(i, p.attempt, &p.spec, remote, self.events_tx.clone());
                }
                Action::Send { dir, bytes } => {
                    if p.debug.any(super::debug::DebugClasses::PACKETS) {
                        super::debug::packets(&p.spec.name, "Sending", &bytes);
                    }
                    if let Some(c) = p.conn(dir) {
                        c.send(bytes);
                    }
                }
                Action::Close { dir } => p.set_conn(dir, None),
                Action::Established {
                    dir,
                    negotiated,
                    remote,
                } => {
                    let local = p.conn(dir).map(|c| canonical(c.local.ip()));
                    info!(peer = %p.spec.name, remote_id = %remote.bgp_id, "session established");
                    if let Some(SourceKind::Bgp(b)) =
                        self.sources.get_mut(p.source).map(|s| &mut s.kind)
                    {
                        b.peer_as = remote.asn();
                        b.router_id = remote.bgp_id;
                    }
                    // Routes kept from before a graceful restart stay stale
                    // until End-of-RIB or the stale timer.
                    if p.stale_until.is_some() {
                        p.stale_until = Some(self_now_plus(self.epoch, 360));
                    }
                    let cfg = p.session.config();
                    let cfg_other = cfg.other_families.clone();
                    let rules = ImportRules {
                        local_as: cfg.local_as,
                        router_id: cfg.router_id,
                        cluster_id: p.spec.cluster_id,
                        allow_local_as: p.spec.allow_local_as,
                        ibgp: negotiated.ibgp,
                    };
                    let target = ExportTarget {
                        source: p.source,
                        local_as: cfg.local_as,
                        peer_as: remote.asn(),
                        cluster_id: p.spec.cluster_id,
                        router_id: cfg.router_id,
                        rr_client: p.spec.rr_client,
                        next_hop_mode: p.spec.next_hop_mode,
                        // The other family's address comes from the same
                        // interface, as BIRD takes it: an IPv6 route over
                        // an IPv4 session needs an IPv6 next hop of ours.
                        local_v4: match local {
                            Some(IpAddr::V4(a)) => Some(a),
                            Some(a) => {
                                kernel::sibling(&self.device.addresses, a).and_then(|s| match s {
                                    IpAddr::V4(v4) => Some(v4),
                                    IpAddr::V6(_) => None,
                                })
                            }
                            None => None,
                        },
                        local_v6: match local {
                            Some(IpAddr::V6(a)) => Some(a),
                            Some(a) => {
                                kernel::sibling(&self.device.addresses, a).and_then(|s| match s {
                                    IpAddr::V6(v6) => Some(v6),
                                    IpAddr::V4(_) => None,
                                })
                            }
                            None => None,
                        },
                        local_v6_link_local: None,
                        ext_next_hop_v4: negotiated.ext_next_hop.contains(Family::Ipv4Unicast),
                        replace_peer_as: p.spec.replace_peer_as,
                        // Only a directly connected peer shares our
                        // networks (third-party next hops).
                        shared: if p.spec.multihop.is_none() {
                            shared_networks(&self.device.addresses, local)
                        } else {
                            [None, None]
                        },
                        peer_addr: p.remote().map(|r| canonical(r.ip())),
                    };
                    if !negotiated.add_path_tx.is_empty() {
                        // ADD-PATH senders withdraw paths one by one: the
                        // table must remember every path of a change.
                        self.table.keep_all_paths(true);
                    }
                    let flowspec = flow::negotiated(&cfg_other, &remote);
                    p.up = Some(Up {
                        dir,
                        flowspec,
                        neg: negotiated,
                        rules,
                        target,
                        eor_sent: false,
                        remote,
                        local,
                        eor_received: wren_wire::FamilySet::EMPTY,
                    });
                }
                Action::Down { reason, graceful } => {
                    info!(peer = %p.spec.name, %reason, "session down");
                    p.up = None;
                    let source = p.source;
                    self.drop_flows(source);
                    let Some(p) = self.peers.get_mut(i) else {
                        return;
                    };
                    p.stats.flaps += 1;
                    p.stats.imported = 0;
                    let src = p.source;
                    match graceful {
                        Some((time, families)) if time > 0 => {
                            // Keep the families whose forwarding state the
                            // peer preserves (RFC 4724 §4.2); drop the rest.
                            let kept: Vec<Family> =
                                families.iter().filter_map(|f| f.family()).collect();
                            p.stale_until = Some(self_now_plus(self.epoch, u32::from(time)));
                            self.table
                                .retain_source(src, &self.sources, |prefix, path| {
                                    let keep = kept.iter().any(|f| f.is_ipv6() == prefix.is_ipv6());
                                    path.stale = keep;
                                    keep
                                });
                        }
                        _ => {
                            p.stale_until = None;
                            self.table.retain_source(src, &self.sources, |_, _| false);
                        }
                    }
                }
            }
        }
    }
}

/// The networks of our addresses on the peer's interface: the one the
/// session's local address is on, and its other-family sibling's.
fn shared_networks(
    addrs: &[wren_linux::Address],
    local: Option<IpAddr>,
) -> [Option<wren_wire::Prefix>; 2] {
    let Some(local) = local else {
        return [None, None];
    };
    let net = |a: IpAddr| {
        addrs
            .iter()
            .find(|x| x.addr == a)
            .and_then(|x| super::igp::network_of(x.addr, x.prefix_len))
    };
    let sibling = kernel::sibling(addrs, local);
    match local {
        IpAddr::V4(_) => [net(local), sibling.and_then(net)],
        IpAddr::V6(_) => [sibling.and_then(net), net(local)],
    }
}
