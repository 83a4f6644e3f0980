//! One kernel routing table, programmed in batches: BIRD's `kernel`
//! protocol, seen from the netlink side.
//!
//! [`KernelTable::apply`] packs as many requests as fit into one
//! `sendmsg`. Only the last request of a batch asks for an ack; the
//! kernel answers the others only when they fail, so a batch of a
//! thousand good routes costs one send and one receive, and a bad route
//! costs one error message that names it, not the whole batch.

use std::collections::HashMap;

use netlink_packet_core::{NLMSG_ERROR, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_REQUEST};
use netlink_packet_route::RouteNetlinkMessage;

use crate::error::Error;
use crate::netlink::{frames, request_ack, KernelError, NlSocket};
use crate::nexthop::{self, NexthopKey, Registry};
use crate::routes::{decode_route, dump_request, encode_delete, encode_route, KernelRoute, Route};
use crate::{Prefix, RouteChange};

/// Target size of one batch datagram. The kernel takes up to the socket's
/// send buffer (about 208 KiB by default); 64 KiB is a thousand IPv4
/// routes, past the point where larger batches still save time.
const BATCH_BYTES: usize = 64 * 1024;

/// Receive-buffer bytes to reserve per request of a batch, in case every
/// one fails: an error is a small message, but the kernel charges a whole
/// socket buffer for it.
const BYTES_PER_ANSWER: usize = 1024;

/// Which table our routes go to and how they are marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableConfig {
    /// Kernel table id (254 = main, BIRD's `kernel table`).
    pub table: u32,
    /// `rtm_protocol` of our routes: 12 is "bird" (what Calico expects),
    /// 186 is "bgp" (what `ip route list proto bgp` selects).
    pub protocol: u8,
    /// Metric (`RTA_PRIORITY`) of our routes: BIRD's `metric`, default 32.
    pub metric: u32,
    /// Whether routes name shared nexthop objects instead of carrying
    /// their next hop (see the `nexthop` module); on by default, off
    /// gives what BIRD writes.
    pub nexthop_objects: bool,
}

impl Default for TableConfig {
    /// The main table, protocol "bird", metric 32: BIRD 2's defaults.
    fn default() -> Self {
        TableConfig {
            table: 254,
            protocol: 12,
            metric: 32,
            nexthop_objects: true,
        }
    }
}

/// A route change the kernel (or our encoder) refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteFailure {
    /// Index of the change in the slice given to `apply`.
    pub index: usize,
    /// Why.
    pub error: KernelError,
}

/// What became of a batch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// Changes the kernel accepted.
    pub applied: usize,
    /// Changes it refused, in order.
    pub failed: Vec<RouteFailure>,
}

/// What [`KernelTable::reconcile`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReconcileReport {
    /// Routes written because they were missing or different.
    pub written: usize,
    /// Routes of ours removed because they were not wanted.
    pub removed: usize,
    /// Nexthop objects of ours deleted because no route of ours names them.
    pub objects_removed: usize,
    /// What became of the writes and removals (indexes: writes first).
    pub apply: ApplyReport,
    /// Why the table or our nexthop objects could not be read, if they
    /// could not: then every wanted route was written, nothing of ours
    /// was removed but what was known, and no object was deleted.
    pub read_error: Option<String>,
}

/// How many ids are tried for a new nexthop object before its routes
/// carry their next hop instead (ids others hold are skipped).
const ID_ATTEMPTS: usize = 64;

/// A handle on one kernel table in the calling thread's namespace.
pub struct KernelTable {
    cfg: TableConfig,
    sock: NlSocket,
    max_batch: usize,
    nexthops: Registry,
}

impl KernelTable {
    /// Opens a netlink socket for `cfg`'s table. Needs a tokio runtime.
    pub fn open(cfg: TableConfig) -> Result<Self, Error> {
        let sock = NlSocket::open(&[])?;
        let max_batch = (sock.rcvbuf() / BYTES_PER_ANSWER).clamp(16, 8192);
        Ok(KernelTable {
            cfg,
            sock,
            max_batch,
            nexthops: Registry::default(),
        })
    }

    /// The table, protocol and metric this handle writes.
    pub fn config(&self) -> &TableConfig {
        &self.cfg
    }

    /// Applies `changes` in order, in as few system calls as fit. A
    /// refused change is reported and the others still apply; an `Err`
    /// means the socket failed, and then the kernel's state for changes
    /// not yet reported is unknown (dump to find out).
    ///
    /// Routes through a next hop that has no nexthop object yet get one
    /// first. A route refused because its object is gone (the kernel
    /// drops objects with their interface's carrier, silently) is written
    /// once more with the object made anew, or with its own next hop.
    ///
    /// Between batches the task yields, so on a current-thread runtime
    /// the BGP sessions keep running during a full-table install.
    pub async fn apply(&mut self, changes: &[RouteChange]) -> Result<ApplyReport, Error> {
        self.make_nexthops(changes).await?;
        let mut report = self.write(changes).await?;
        let stale: Vec<usize> = report
            .failed
            .iter()
            .filter(|f| f.error.errno == libc::EINVAL)
            .filter_map(|f| {
                let key = changes
                    .get(f.index)
                    .and_then(route_of)
                    .and_then(NexthopKey::of)?;
                self.nexthops.get(&key).map(|_| f.index)
            })
            .collect();
        if stale.is_empty() {
            return Ok(report);
        }
        let again: Vec<RouteChange> = stale
            .iter()
            .filter_map(|&i| changes.get(i).cloned())
            .collect();
        for key in again.iter().filter_map(route_of).filter_map(NexthopKey::of) {
            self.nexthops.forget(&key);
        }
        self.make_nexthops(&again).await?;
        let second = self.write(&again).await?;
        report
            .failed
            .retain(|f| stale.binary_search(&f.index).is_err());
        report.applied += second.applied;
        report
            .failed
            .extend(second.failed.into_iter().filter_map(|f| {
                Some(RouteFailure {
                    index: *stale.get(f.index)?,
                    error: f.error,
                })
            }));
        report.failed.sort_by_key(|f| f.index);
        Ok(report)
    }

    /// Makes the nexthop objects `changes` need and the kernel lacks.
    async fn make_nexthops(&mut self, changes: &[RouteChange]) -> Result<(), Error> {
        if !self.cfg.nexthop_objects || self.nexthops.unsupported {
            return Ok(());
        }
        let mut missing: Vec<NexthopKey> = Vec::new();
        let mut last = None;
        for key in changes
            .iter()
            .filter_map(route_of)
            .filter_map(NexthopKey::of)
        {
            if last == Some(key) {
                continue;
            }
            last = Some(key);
            if self.nexthops.get(&key).is_none() && !missing.contains(&key) {
                missing.push(key);
            }
        }
        for key in missing {
            self.make_nexthop(key).await?;
        }
        Ok(())
    }

    /// Creates the object for `key`. A refusal is not an error: routes
    /// through it carry their next hop instead (an interface without
    /// carrier refuses objects), and a kernel without nexthop objects
    /// (`EOPNOTSUPP`) turns them off for good.
    async fn make_nexthop(&mut self, key: NexthopKey) -> Result<(), Error> {
        let protocol = self.cfg.protocol;
        for _ in 0..ID_ATTEMPTS {
            let id = self.nexthops.fresh_id();
            let refused = self
                .sock
                .ask(|buf, seq| nexthop::encode_new(buf, &key, id, protocol, seq))
                .await?;
            match refused {
                None => {
                    self.nexthops.insert(key, id);
                    return Ok(());
                }
                Some(e) if e.errno == libc::EEXIST => continue,
                Some(e) if e.errno == libc::EOPNOTSUPP => {
                    self.nexthops.unsupported = true;
                    return Ok(());
                }
                Some(_) => return Ok(()),
            }
        }
        Ok(())
    }

    /// Writes `changes` in batches (see [`KernelTable::apply`]).
    async fn write(&mut self, changes: &[RouteChange]) -> Result<ApplyReport, Error> {
        let mut report = ApplyReport::default();
        let mut buf = Vec::with_capacity(BATCH_BYTES + 4096);
        // Index of the change behind each request of the current batch.
        let mut batch: Vec<usize> = Vec::with_capacity(self.max_batch);
        let mut next = 0;
        while next < changes.len() {
            buf.clear();
            batch.clear();
            let first_seq = self.sock.next_seq();
            let mut last_offset = 0;
            while let Some(change) = changes.get(next) {
                if buf.len() >= BATCH_BYTES || batch.len() >= self.max_batch {
                    break;
                }
                let offset = buf.len();
                // Sequence numbers of a batch are consecutive.
                let seq = first_seq.wrapping_add(batch.len() as u32);
                let written = match change {
                    RouteChange::Add(r) | RouteChange::Replace(r) => {
                        let flags = match change {
                            RouteChange::Add(_) => NLM_F_CREATE | NLM_F_EXCL,
                            _ => NLM_F_CREATE | NLM_F_REPLACE,
                        };
                        let object = if self.cfg.nexthop_objects {
                            NexthopKey::of(r).and_then(|k| self.nexthops.get(&k))
                        } else {
                            None
                        };
                        encode_route(&mut buf, &self.cfg, r, object, NLM_F_REQUEST | flags, seq)
                    }
                    RouteChange::Delete(p) => {
                        encode_delete(&mut buf, &self.cfg, p, seq);
                        Ok(())
                    }
                };
                match written {
                    Ok(()) => {
                        last_offset = offset;
                        batch.push(next);
                    }
                    Err(why) => report.failed.push(RouteFailure {
                        index: next,
                        error: KernelError {
                            errno: libc::EINVAL,
                            message: Some(why.to_string()),
                        },
                    }),
                }
                next += 1;
            }
            if batch.is_empty() {
                continue;
            }
            // Reserve the rest of the batch's sequence numbers.
            for _ in 1..batch.len() {
                self.sock.next_seq();
            }
            request_ack(&mut buf, last_offset);
            self.sock.send(&buf).await?;
            let failed = self.collect(first_seq, &batch, &mut report.failed).await?;
            report.applied += batch.len() - failed;
            if next < changes.len() {
                // Let the main loop in between batches. (Not after the
                // last: a yield costs the runtime a look at its sockets,
                // and most writes are one small batch.)
                tokio::task::yield_now().await;
            }
        }
        report.failed.sort_by_key(|f| f.index);
        Ok(report)
    }

    /// Reads the answers to one batch until the ack of its last request,
    /// recording failures; returns how many failed.
    async fn collect(
        &mut self,
        first_seq: u32,
        batch: &[usize],
        failed: &mut Vec<RouteFailure>,
    ) -> Result<usize, Error> {
        let mut n = 0;
        loop {
            let data = self.sock.recv().await?;
            for f in frames(data) {
                let offset = f.seq.wrapping_sub(first_seq) as usize;
                let Some(&index) = batch.get(offset) else {
                    continue; // not ours: a late answer to an abandoned batch
                };
                if f.kind != NLMSG_ERROR {
                    continue;
                }
                if f.code().is_some_and(|c| c != 0) {
                    n += 1;
                    failed.push(RouteFailure {
                        index,
                        error: f.error(),
                    });
                }
                if offset + 1 == batch.len() {
                    return Ok(n);
                }
            }
        }
    }

    /// Every IPv4 and IPv6 route in our table: ours (same protocol) and
    /// those other programs or the admin put there, for `learn` and for
    /// reconciliation after a restart. A route that names one of our
    /// nexthop objects and comes without its next hop (the kernel's
    /// `nexthop_compat_mode` off) gets the object's next hop.
    pub async fn dump(&mut self) -> Result<Vec<KernelRoute>, Error> {
        let mut all = Vec::new();
        for ipv6 in [false, true] {
            let req = RouteNetlinkMessage::GetRoute(dump_request(ipv6, self.cfg.table));
            let table = self.cfg.table;
            let mut part = self
                .sock
                .dump(req, |m| match m {
                    RouteNetlinkMessage::NewRoute(r) => {
                        decode_route(&r).filter(|k| k.table == table)
                    }
                    _ => None,
                })
                .await?;
            all.append(&mut part);
        }
        for k in &mut all {
            if let (Some(id), true) = (k.nh_id, k.route.next_hops.is_empty()) {
                if let Some(key) = self.nexthops.key_of(id) {
                    k.route.next_hops.push(key.next_hop());
                }
            }
        }
        Ok(all)
    }

    /// Makes our routes in the table exactly `want`: routes the kernel
    /// holds already as wanted are left alone (a graceful restart ends
    /// without a route removed and re-added), missing or different ones
    /// are written, ours that are not wanted go. Then our nexthop objects
    /// that no route of ours names go too. This is BIRD's scan: it also
    /// repairs a route someone deleted by hand, or one the kernel dropped
    /// with its nexthop object.
    ///
    /// Only this table is looked at: an object of ours that a route in
    /// another table names would go with it.
    pub async fn reconcile(&mut self, want: Vec<Route>) -> Result<ReconcileReport, Error> {
        let objects = self.read_nexthops().await;
        let cfg = self.cfg;
        let dump = self.dump().await;
        let read_error = match (&objects, &dump) {
            (Err(e), _) | (_, Err(e)) => Some(e.to_string()),
            _ => None,
        };
        let mut have: HashMap<Prefix, KernelRoute> = dump
            .unwrap_or_default()
            .into_iter()
            .filter(|k| k.protocol == cfg.protocol && k.table == cfg.table)
            .map(|k| (k.route.dst, k))
            .collect();
        let mut named = std::collections::HashSet::new();
        let mut changes = Vec::new();
        for r in want {
            match have.remove(&r.dst) {
                Some(h) if same(&r, &h.route) => named.extend(h.nh_id),
                _ => changes.push(RouteChange::Replace(r)),
            }
        }
        let written = changes.len();
        changes.extend(have.into_keys().map(RouteChange::Delete));
        let apply = self.apply(&changes).await?;
        let mut report = ReconcileReport {
            written,
            removed: changes.len() - written,
            objects_removed: 0,
            apply,
            read_error,
        };
        if report.read_error.is_some() {
            return Ok(report); // without the whole picture, delete no object
        }
        for key in changes
            .iter()
            .filter_map(route_of)
            .filter_map(NexthopKey::of)
        {
            named.extend(self.nexthops.get(&key));
        }
        let unused: Vec<u32> = objects
            .unwrap_or_default()
            .into_iter()
            .map(|n| n.id)
            .filter(|id| !named.contains(id))
            .collect();
        self.nexthops.retain(|_, id| !unused.contains(&id));
        for id in unused {
            let refused = self
                .sock
                .ask(|buf, seq| nexthop::encode_delete(buf, id, seq))
                .await?;
            if refused.is_none() {
                report.objects_removed += 1;
            }
        }
        Ok(report)
    }

    /// Our nexthop objects as the kernel has them now. The registry keeps
    /// only those, and adopts ours it did not know (left by an earlier
    /// run, or made twice).
    async fn read_nexthops(&mut self) -> Result<Vec<nexthop::KernelNexthop>, Error> {
        if self.nexthops.unsupported {
            return Ok(Vec::new());
        }
        let protocol = self.cfg.protocol;
        let read = self
            .sock
            .dump_raw(nexthop::encode_dump, |f| {
                (f.kind == nexthop::RTM_NEWNEXTHOP)
                    .then(|| nexthop::decode(f.payload))
                    .flatten()
                    .filter(|n| n.protocol == protocol)
            })
            .await;
        let ours = match read {
            Ok(ours) => ours,
            Err(Error::Kernel(e)) if e.errno == libc::EOPNOTSUPP => {
                self.nexthops.unsupported = true;
                return Ok(Vec::new());
            }
            Err(e) => return Err(e),
        };
        self.nexthops
            .retain(|k, id| ours.iter().any(|n| n.id == id && n.key.as_ref() == Some(k)));
        for n in &ours {
            if let Some(key) = n.key {
                if self.nexthops.get(&key).is_none() {
                    self.nexthops.insert(key, n.id);
                }
            }
        }
        Ok(ours)
    }
}

/// The route a change installs, if it installs one.
fn route_of(change: &RouteChange) -> Option<&Route> {
    match change {
        RouteChange::Add(r) | RouteChange::Replace(r) => Some(r),
        RouteChange::Delete(_) => None,
    }
}

/// Whether the kernel's `have` is the route we `want`: the kernel fills
/// in what we left to it (the interface of a gateway), so only what we
/// said is compared. Whether the next hop is carried or named through an
/// object does not matter.
fn same(want: &Route, have: &Route) -> bool {
    want.kind == have.kind
        && want.next_hops.len() == have.next_hops.len()
        && want.next_hops.iter().all(|w| {
            have.next_hops
                .iter()
                .any(|h| w.gateway == h.gateway && (w.ifindex.is_none() || w.ifindex == h.ifindex))
        })
}
