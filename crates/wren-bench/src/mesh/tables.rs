//! Every mesh node's kernel table, as the kernel reports it.
//!
//! One [`Listener`] per node (a thread in that node's namespace) keeps
//! the routes of the main table inside the cluster CIDR, and notes each
//! moment the new block appears or disappears there. The clocks read
//! those moments, not the time they looked: polling the tables every few
//! milliseconds costs the figures nothing.

use super::plan::{self, BLOCK_LEN, NEW_BLOCK, PODS, PODS_LEN};
use crate::rtnl::{Listener, RouteEvent, Wait};
use anyhow::Result;
use std::collections::HashSet;
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The kernel's main table.
const MAIN_TABLE: u32 = 254;
/// Receive buffer per node: a few hundred routes at most.
const RCVBUF: usize = 4 << 20;

/// One kernel route, as far as telling routes apart goes: a prefix may
/// have routes from several sources (the connected one and a router's).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct RouteKey {
    dst: Ipv4Addr,
    len: u8,
    protocol: u8,
    priority: u32,
}

/// What one node's kernel holds.
#[derive(Debug, Default)]
struct NodeTable {
    routes: HashSet<RouteKey>,
    /// Each time [`NEW_BLOCK`] appeared (true) or went (false).
    changes: Vec<(Instant, bool)>,
}

impl NodeTable {
    fn has(&self, dst: Ipv4Addr) -> bool {
        self.routes
            .iter()
            .any(|r| r.dst == dst && r.len == BLOCK_LEN)
    }

    fn apply(&mut self, events: &[RouteEvent], at: Instant) {
        let pods = u32::MAX << (32 - PODS_LEN);
        let before = self.has(NEW_BLOCK);
        for e in events {
            if e.table != MAIN_TABLE || u32::from(e.dst) & pods != u32::from(PODS) {
                continue;
            }
            let key = RouteKey {
                dst: e.dst,
                len: e.len,
                protocol: e.protocol,
                priority: e.priority,
            };
            if e.added {
                self.routes.insert(key);
            } else {
                self.routes.remove(&key);
            }
        }
        let now = self.has(NEW_BLOCK);
        if now != before {
            self.changes.push((at, now));
        }
    }
}

/// The kernel tables of every node, watched from before the routers
/// start.
pub struct Tables {
    nodes: Vec<Arc<Mutex<NodeTable>>>,
    listeners: Vec<Listener>,
}

impl Tables {
    /// Starts watching nodes 1 to `nodes`.
    pub fn start(nodes: u32) -> Result<Self> {
        let mut t = Tables {
            nodes: Vec::new(),
            listeners: Vec::new(),
        };
        for i in 1..=nodes {
            let table = Arc::new(Mutex::new(NodeTable::default()));
            let shared = table.clone();
            t.listeners.push(Listener::start(
                &plan::ns(i),
                RCVBUF,
                Wait::Block,
                move |events, at| {
                    if !events.is_empty() {
                        if let Ok(mut n) = shared.lock() {
                            n.apply(events, at);
                        }
                    }
                },
            )?);
            t.nodes.push(table);
        }
        Ok(t)
    }

    /// How many nodes hold every other node's own block: the mesh is up
    /// when all do (each block comes only from its owner, so every
    /// session has carried routes).
    pub fn complete(&self) -> usize {
        let n = u32::try_from(self.nodes.len()).unwrap_or(0);
        (1..=n)
            .zip(&self.nodes)
            .filter(|(i, t)| {
                t.lock()
                    .is_ok_and(|t| (1..=n).filter(|j| j != i).all(|j| t.has(plan::block(j))))
            })
            .count()
    }

    /// For each node (index 0 is node 1), the first moment at or after
    /// `since` when [`NEW_BLOCK`] became present (or, with `present`
    /// false, absent) in its kernel.
    pub fn changed(&self, present: bool, since: Instant) -> Vec<Option<Instant>> {
        self.nodes
            .iter()
            .map(|t| {
                t.lock().ok().and_then(|t| {
                    t.changes
                        .iter()
                        .find(|(at, p)| *p == present && *at >= since)
                        .map(|(at, _)| *at)
                })
            })
            .collect()
    }

    /// Why a listener stopped, if one did.
    pub fn failure(&self) -> Option<String> {
        self.listeners.iter().find_map(Listener::failure)
    }
}

impl Drop for Tables {
    /// Every listener told at once, then each joined as it drops.
    fn drop(&mut self) {
        self.listeners.iter().for_each(Listener::signal);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn ev(dst: Ipv4Addr, added: bool, protocol: u8) -> RouteEvent {
        RouteEvent {
            added,
            dst,
            len: BLOCK_LEN,
            table: MAIN_TABLE,
            protocol,
            priority: 0,
        }
    }

    #[test]
    fn the_new_block_is_present_while_any_route_to_it_is() {
        let t0 = Instant::now();
        let t1 = t0 + Duration::from_millis(1);
        let mut n = NodeTable::default();
        n.apply(&[ev(plan::block(3), true, 12)], t0);
        assert!(n.changes.is_empty() && n.has(plan::block(3)));
        n.apply(&[ev(NEW_BLOCK, true, 2), ev(NEW_BLOCK, true, 12)], t0);
        n.apply(&[ev(NEW_BLOCK, false, 12)], t1);
        assert_eq!(n.changes, vec![(t0, true)]);
        n.apply(&[ev(NEW_BLOCK, false, 2)], t1);
        assert_eq!(n.changes, vec![(t0, true), (t1, false)]);
        // Outside the cluster CIDR: ignored.
        n.apply(&[ev(Ipv4Addr::new(198, 18, 0, 0), true, 2)], t1);
        assert_eq!(n.routes.len(), 1);
    }
}
