//! What a session receives: UPDATEs into the table through the import
//! rules and filter (FlowSpec aside), End-of-RIB ending graceful-restart
//! waits, the import limit, ROUTE-REFRESH requests.

use super::Daemon;
use tracing::{debug, warn};
use wren_core::receive::{receive_update, Receiver};
use wren_core::session::{Dir, Inbound};
use wren_wire::notification::{cease, code};
use wren_wire::Notification;

impl Daemon {
    pub(super) fn on_data(&mut self, i: usize, dir: Dir, bytes: &[u8]) {
        let now = self.now();
        let mut out = std::mem::take(&mut self.actions);
        let mut rest = bytes;
        while !rest.is_empty() {
            let n = match wren_wire::header::frame(rest, 65535) {
                Ok(Some(n)) => n,
                _ => rest.len(),
            };
            let (msg, tail) = rest.split_at(n);
            rest = tail;
            let Some(p) = self.peers.get_mut(i) else {
                break;
            };
            if p.debug.any(super::debug::DebugClasses::PACKETS) {
                super::debug::packets(&p.spec.name, "Got", msg);
            }
            match p.session.on_message(now, dir, msg, &mut out) {
                Some(Inbound::Update(u)) => {
                    let mut flows = false;
                    p.stats.updates_in += 1;
                    if let Some(up) = &p.up {
                        let traced;
                        let mut policy = p.spec.import.as_ref();
                        if p.debug.any(
                            super::debug::DebugClasses::ROUTES
                                | super::debug::DebugClasses::FILTERS,
                        ) {
                            if p.debug.any(super::debug::DebugClasses::ROUTES) {
                                super::debug::withdrawals(&p.spec.name, &u);
                            }
                            traced = super::debug::Traced {
                                inner: policy,
                                name: &p.spec.name,
                                classes: p.debug,
                            };
                            policy = &traced;
                        }
                        let rx = Receiver {
                            source: p.source,
                            rules: &up.rules,
                            policy,
                        };
                        let r = receive_update(
                            &u,
                            &rx,
                            &self.sources,
                            &mut self.store,
                            &mut self.table,
                        );
                        flows = up.flowspec
                            && (u.other_reach().is_some() || u.other_unreach().is_some());
                        p.stats.imported =
                            (p.stats.imported + r.accepted).saturating_sub(r.withdrawn);
                        p.stats.received += (r.accepted + r.refused) as u64;
                        p.stats.refused += r.refused as u64;
                        tracing::trace!(peer = %p.spec.name, accepted = r.accepted,
                            refused = r.refused, withdrawn = r.withdrawn, "UPDATE");
                        if let Some(f) = r.end_of_rib {
                            debug!(peer = %p.spec.name, family = ?f, "End-of-RIB received");
                            if p.debug.any(super::debug::DebugClasses::EVENTS) {
                                super::debug::trace(
                                    &p.spec.name,
                                    format_args!("Got End-of-RIB for {f:?}"),
                                );
                            }
                            if let Some(up) = &mut p.up {
                                up.eor_received.insert(f);
                            }
                            if p.stale_until.is_some() {
                                // RFC 4724 §4.2: End-of-RIB ends the wait
                                // for this family only.
                                let src = p.source;
                                let mut left = 0;
                                self.table
                                    .retain_source(src, &self.sources, |prefix, path| {
                                        let sweep = path.stale && prefix.is_ipv6() == f.is_ipv6();
                                        left += usize::from(path.stale && !sweep);
                                        !sweep
                                    });
                                if left == 0 {
                                    p.stale_until = None;
                                }
                            }
                        }
                        if let Some(limit) = p.spec.import_limit {
                            if p.stats.imported > limit {
                                warn!(peer = %p.spec.name, limit, "import limit exceeded");
                                let n =
                                    Notification::new(code::CEASE, cease::MAX_PREFIXES, Vec::new());
                                p.session.reset(now, n, &mut out);
                            }
                        }
                    }
                    if flows {
                        self.on_flow_update(i, &u);
                    }
                }
                Some(Inbound::RouteRefresh(_)) => {
                    // Resend everything we announce (RFC 2918 §4).
                    if let Some(up) = &mut p.up {
                        up.eor_sent = false;
                    }
                }
                None => {}
            }
            if !out.is_empty() {
                self.apply_actions(i, &mut out);
            }
            if self.debug_states {
                self.trace_state(i);
            }
        }
        self.actions = out;
    }
}
