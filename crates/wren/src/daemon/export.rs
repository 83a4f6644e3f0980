//! Sending table changes to peers, with update groups: established peers
//! whose UPDATEs would be identical (same export rules, filter, negotiated
//! capabilities and local addresses) share one encoding of every change
//! that came from outside the group. Changes whose route came from a
//! member (where split horizon makes the members differ) are built per
//! member. A peer that just came up gets its own full dump and End-of-RIB.

use super::peers::Export;
use super::Daemon;
use std::sync::Arc;
use wren_core::export::{may_export, ExportTarget};
use wren_core::rib::{Change, OldPaths, SourceId};
use wren_core::time::Instant;
use wren_wire::update::{encode_end_of_rib, encode_withdraw};
use wren_wire::Negotiated;
use wren_wire::{Family, Nlri};

/// What names an export policy in a group key: every `all` is the same
/// policy, and so is every policy that passes nothing, whichever
/// configuration object made it (each protocol of a BIRD template has its
/// own `all`); any other is itself.
fn policy_identity(p: &Arc<dyn wren_core::policy::Policy>) -> usize {
    if p.accepts_everything() {
        1
    } else if p.rejects_everything() {
        2
    } else {
        Arc::as_ptr(p) as *const () as usize
    }
}

/// Routes per piece of a full-table dump to a peer that came up.
const DUMP_PIECE: usize = 16_384;

/// A source id no route has: the group's target, so split horizon never
/// applies to the shared part.
const NO_SOURCE: SourceId = SourceId(u32::MAX);

/// The sources and addresses of a group's members, sorted: every change
/// of a pass is looked up in them, and a binary search over a group's
/// few members (often one) costs less than hashing the key.
#[derive(Default)]
struct Members {
    sources: Vec<SourceId>,
    addrs: Vec<std::net::IpAddr>,
}

impl Members {
    fn new(each: impl Iterator<Item = (SourceId, Option<std::net::IpAddr>)>) -> Self {
        let mut m = Members {
            sources: Vec::new(),
            addrs: Vec::new(),
        };
        for (source, addr) in each {
            m.sources.push(source);
            m.addrs.extend(addr);
        }
        m.sources.sort_unstable();
        m.addrs.sort_unstable();
        m
    }
}

/// What makes two peers' UPDATEs identical.
#[derive(Debug, PartialEq)]
struct GroupKey {
    target: ExportTarget,
    policy: usize,
    neg: Negotiated,
}

/// Established peers whose UPDATEs are identical, and what split horizon
/// needs to know of them.
struct Group {
    key: GroupKey,
    members: Vec<usize>,
    marks: Members,
}

/// Buffers kept between export passes.
#[derive(Default)]
pub struct Buffers {
    /// The update groups of the established peers that have had their
    /// table.
    groups: Vec<Group>,
    /// The count of peer export changes ([`super::peers::Peers`]) the
    /// groups were formed at, or `None` when the configuration changed
    /// since. They are formed again only when this changes (a session
    /// came up or went down, a dump ended), not on every pass: forming
    /// them cost a node of a 50-node mesh two thirds of the instructions
    /// it spent on a route change it had nothing to send for.
    formed_at: Option<u64>,
    /// Path lists of this pass's changes, for ADD-PATH senders.
    old_paths: Vec<OldPaths>,
    shared: Vec<Change>,
    own: Vec<Change>,
    /// Sweep the attribute store when it holds more sets than this.
    gc_at: usize,
    /// Update groups formed by the last pass (for the metrics).
    pub groups_formed: usize,
}

impl Buffers {
    /// The configuration changed: the groups' policies may have.
    pub fn forget_groups(&mut self) {
        self.formed_at = None;
    }
}

impl Daemon {
    /// Sends every peer what changed in the table, and the whole table to
    /// peers that came up. Whether there was anything to build.
    pub(super) fn export_changes(&mut self) -> bool {
        // The loop calls this after every event: when nothing changed and
        // no peer waits for its first full table, there is nothing to
        // build, and that is all a keepalive or a kernel ack costs.
        let (roster, dump_due) = self.peers.export_state();
        if self.table.pending_changes() == 0 && !dump_due {
            return false;
        }
        let mut bufs = std::mem::take(&mut self.export_bufs);
        if bufs.formed_at != Some(roster) {
            bufs.groups = self.form_groups();
            bufs.formed_at = Some(roster);
        }
        self.changes.clear();
        self.table.take_changes(&mut self.changes);
        let changes = std::mem::take(&mut self.changes);
        self.export_kernel(&changes);
        self.changes = changes;
        bufs.old_paths.clear();
        self.table.take_old_paths(&mut bufs.old_paths);
        if dump_due {
            // Peers that just came up get the table as it is now, which
            // already holds this pass's changes: they are not in this
            // pass's groups.
            let awaiting: Vec<usize> = self.peers.in_state(|e| e == Export::AwaitsTable).collect();
            for i in awaiting {
                self.initial_dump(i);
            }
        }
        bufs.groups_formed = bufs.groups.len();
        if !self.changes.is_empty() {
            for Group {
                key,
                members,
                marks: own_marks,
            } in &bufs.groups
            {
                if !key.neg.add_path_tx.is_empty() {
                    // ADD-PATH senders: built per peer, all paths.
                    for &i in members {
                        let Some(p) = self.peers.get(i) else { continue };
                        let mut bytes = Vec::new();
                        let built = Builder {
                            announcer: &mut self.announcer,
                            store: &mut self.store,
                            table: &self.table,
                            sources: &self.sources,
                        }
                        .build(
                            p,
                            &self.changes,
                            &bufs.old_paths,
                            &mut bytes,
                        );
                        self.send_updates(i, bytes, built.messages, built.announced);
                    }
                    continue;
                }
                let Some(&first) = members.first() else {
                    continue;
                };
                let Some(policy) = self.peers.get(first).map(|p| p.spec.export.clone()) else {
                    continue;
                };
                if policy.rejects_everything() {
                    // `export none`: never sent anything, nothing to
                    // withdraw. A route server's thousand feeds are often
                    // such a group; building for each would cost
                    // members × changes.
                    continue;
                }
                // A member's own route, or one whose next hop is a
                // member's address (third-party next hop, RFC 4271
                // §5.1.3: never given back to that peer).
                // Neighbouring changes mostly share one interned next hop:
                // its answer is kept by address (the hop's own lookup was
                // a twentieth of a full withdrawal's CPU).
                let last_hop = std::cell::Cell::new((0usize, false));
                let member_hop = |p: &wren_core::rib::Path| {
                    let Some(h) = &p.hop else { return false };
                    let at = wren_core::rib::Hop::as_ptr(h) as usize;
                    let (seen, answer) = last_hop.get();
                    if seen == at {
                        return answer;
                    }
                    let answer = p
                        .gateway()
                        .is_some_and(|a| own_marks.addrs.binary_search(&a).is_ok());
                    last_hop.set((at, answer));
                    answer
                };
                let from_member = |c: &Change| {
                    c.new.iter().chain(c.old.as_ref()).any(|p| {
                        own_marks.sources.binary_search(&p.source).is_ok() || member_hop(p)
                    })
                };
                bufs.shared.clear();
                bufs.own.clear();
                // Usually no change came from a member (the monitor's or a
                // client's group): then the batch is the shared part as it
                // is, without a copy of every change.
                let split = self.changes.iter().any(from_member);
                // A member's change that no member may be sent (iBGP to
                // iBGP without reflection: a node mesh) is built for
                // nobody, rather than for each member to find nothing.
                let sources = &self.sources;
                let reaches_group = |c: &Change| {
                    c.new.iter().chain(c.old.as_ref()).any(|p| {
                        sources
                            .get(p.source)
                            .is_some_and(|s| may_export(p, s, &key.target).is_some())
                    })
                };
                if split {
                    for c in &self.changes {
                        if from_member(c) {
                            if reaches_group(c) {
                                bufs.own.push(c.clone());
                            }
                        } else {
                            bufs.shared.push(c.clone());
                        }
                    }
                }
                if split && bufs.shared.is_empty() && bufs.own.is_empty() {
                    // Nothing for this group (a node mesh's every change).
                    continue;
                }
                let shared_changes = if split { &bufs.shared } else { &self.changes };
                let mut shared = Vec::new();
                let built = self.announcer.build(
                    shared_changes,
                    &self.sources,
                    &key.target,
                    policy.as_ref(),
                    &key.neg,
                    &mut self.store,
                    &mut shared,
                );
                if shared.is_empty() && bufs.own.is_empty() {
                    continue;
                }
                for (k, &i) in members.iter().enumerate() {
                    // The last member takes the encoding itself.
                    let mut bytes = if k + 1 == members.len() {
                        std::mem::take(&mut shared)
                    } else {
                        shared.clone()
                    };
                    let mut messages = built.messages;
                    let mut announced = built.announced;
                    if !bufs.own.is_empty() {
                        let Some(p) = self.peers.get(i) else { continue };
                        let own = Builder {
                            announcer: &mut self.announcer,
                            store: &mut self.store,
                            table: &self.table,
                            sources: &self.sources,
                        }
                        .build(p, &bufs.own, &[], &mut bytes);
                        messages += own.messages;
                        announced += own.announced;
                    }
                    self.send_updates(i, bytes, messages, announced);
                }
            }
        }
        // Changes hold attribute sets: let them go before the sweep.
        self.changes.clear();
        bufs.shared.clear();
        bufs.own.clear();
        self.export_bufs = bufs;
        // Attribute sets no path holds any more go when the store has
        // doubled since the last sweep: amortised O(1) per interned set.
        if self.store.len() > self.export_bufs.gc_at {
            let dropped = self.store.collect_garbage();
            self.export_bufs.gc_at = (self.store.len() * 2).max(4096);
            tracing::debug!(dropped, kept = self.store.len(), "attribute sets swept");
        }
        true
    }

    /// The update groups of the established peers that have had their
    /// table: peers whose export target (but for split horizon and their
    /// own address), export policy and negotiated capabilities are the
    /// same share one.
    fn form_groups(&self) -> Vec<Group> {
        let mut groups: Vec<Group> = Vec::new();
        for i in self.peers.in_state(|e| matches!(e, Export::Member(_))) {
            let Some(p) = self.peers.get(i) else { continue };
            let Some(up) = &p.up else { continue };
            let key = GroupKey {
                // Split horizon and the peer's own address (never its
                // next hop) are the members' own: changes they matter to
                // are built per member.
                target: ExportTarget {
                    source: NO_SOURCE,
                    peer_addr: None,
                    ..up.target.clone()
                },
                policy: policy_identity(&p.spec.export),
                neg: up.neg,
            };
            match groups.iter_mut().find(|g| g.key == key) {
                Some(g) => g.members.push(i),
                None => groups.push(Group {
                    key,
                    members: vec![i],
                    marks: Members::default(),
                }),
            }
        }
        for g in &mut groups {
            g.marks = Members::new(g.members.iter().filter_map(|&i| {
                let p = self.peers.get(i)?;
                Some((p.source, p.up.as_ref()?.target.peer_addr))
            }));
        }
        groups
    }

    /// The whole table and End-of-RIB, to a peer that just came up.
    fn initial_dump(&mut self, i: usize) {
        let nothing = self
            .peers
            .get(i)
            .is_some_and(|p| p.spec.export.rejects_everything());
        let Some(p) = self.peers.get(i) else {
            return;
        };
        // In pieces: a change record per route of a full table at once
        // would cost about 100 octets per route.
        let mut bytes = Vec::new();
        let mut built = wren_core::announce::Built::default();
        let mut all = Vec::with_capacity(DUMP_PIECE);
        let mut routes = self.table.iter().filter(|_| !nothing).peekable();
        while routes.peek().is_some() {
            all.clear();
            all.extend(routes.by_ref().take(DUMP_PIECE).map(|(k, e)| Change {
                prefix: k,
                old: None,
                new: e.best().cloned(),
            }));
            let piece = Builder {
                announcer: &mut self.announcer,
                store: &mut self.store,
                table: &self.table,
                sources: &self.sources,
            }
            .build(p, &all, &[], &mut bytes);
            built.messages += piece.messages;
            built.announced += piece.announced;
            built.withdrawn += piece.withdrawn;
        }
        drop((all, routes));
        let Some(up) = self.peers.get_mut(i).and_then(|p| p.up.as_mut()) else {
            return;
        };
        for f in up.neg.families.iter() {
            encode_end_of_rib(&mut bytes, f);
        }
        up.eor_sent = true;
        self.send_updates(i, bytes, built.messages, built.announced);
    }

    /// Peer `i`'s export filter changed: withdraw the best routes the new
    /// filter refuses (the peer may hold them from the old one; one it
    /// never had is ignored), then send everything again with End-of-RIB,
    /// as at session start. BIRD's refeed, without an Adj-RIB-Out.
    pub(super) fn refeed(&mut self, i: usize) {
        let Some(p) = self.peers.get(i) else { return };
        let Some(up) = &p.up else { return };
        let mut refused: [Vec<Nlri>; 2] = Default::default();
        for (prefix, e) in self.table.iter() {
            let Some(best) = e.best() else { continue };
            if let Some(None) = self.offer(p, prefix, best) {
                if let Some(v) = refused.get_mut(usize::from(prefix.is_ipv6())) {
                    v.push(Nlri {
                        prefix,
                        path_id: None,
                    });
                }
            }
        }
        let mut bytes = Vec::new();
        let mut messages = 0;
        for (family, mut rest) in [Family::Ipv4Unicast, Family::Ipv6Unicast]
            .into_iter()
            .zip(refused.iter().map(Vec::as_slice))
        {
            while !rest.is_empty() {
                let n = encode_withdraw(&mut bytes, family, rest, &up.neg);
                rest = rest.get(n.max(1)..).unwrap_or_default();
                messages += 1;
            }
        }
        self.send_updates(i, bytes, messages, 0);
        if let Some(up) = self.peers.get_mut(i).and_then(|p| p.up.as_mut()) {
            up.eor_sent = false;
        }
    }

    fn send_updates(&mut self, i: usize, bytes: Vec<u8>, messages: usize, announced: usize) {
        let epoch = self.epoch;
        let Some(p) = self.peers.get_mut(i) else {
            return;
        };
        p.stats.updates_out += messages as u64;
        p.stats.exported += announced as u64;
        let Some(dir) = p.up.as_ref().map(|u| u.dir) else {
            return;
        };
        if bytes.is_empty() {
            return;
        }
        if let Some(conn) = p.conn(dir) {
            conn.send(bytes);
            let now = Instant(u64::try_from(epoch.elapsed().as_millis()).unwrap_or(0));
            p.session.on_update_sent(now, dir);
        }
    }
}

/// The parts of the daemon an UPDATE build borrows.
struct Builder<'a> {
    announcer: &'a mut wren_core::announce::Announcer,
    store: &'a mut wren_core::rib::AttrStore,
    table: &'a wren_core::rib::Table,
    sources: &'a wren_core::rib::Sources,
}

impl Builder<'_> {
    /// The UPDATEs that bring peer `p` up to date with `changes`: all paths
    /// if it negotiated ADD-PATH send, the best one otherwise.
    fn build(
        self,
        p: &super::peer::Peer,
        changes: &[Change],
        old: &[OldPaths],
        out: &mut Vec<u8>,
    ) -> wren_core::announce::Built {
        let Some(up) = &p.up else {
            return wren_core::announce::Built::default();
        };
        let policy = p.spec.export.as_ref();
        if up.neg.add_path_tx.is_empty() {
            self.announcer.build(
                changes,
                self.sources,
                &up.target,
                policy,
                &up.neg,
                self.store,
                out,
            )
        } else {
            self.announcer.build_all_paths(
                changes,
                old,
                self.table,
                self.sources,
                &up.target,
                policy,
                &up.neg,
                self.store,
                out,
            )
        }
    }
}
