//! One kernel routing table, programmed in batches: BIRD's `kernel`
//! protocol, seen from the netlink side.
//!
//! [`KernelTable::apply`] packs as many requests as fit into one
//! `sendmsg`. Only the last request of a batch asks for an ack; the
//! kernel answers the others only when they fail, so a batch of a
//! thousand good routes costs one send and one receive, and a bad route
//! costs one error message that names it, not the whole batch.

use netlink_packet_core::{NLMSG_ERROR, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_REQUEST};
use netlink_packet_route::RouteNetlinkMessage;

use crate::error::Error;
use crate::netlink::{encode, frames, request_ack, KernelError, NlSocket};
use crate::routes::{decode_route, dump_request, encode_delete, encode_route, KernelRoute};
use crate::RouteChange;

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
}

impl Default for TableConfig {
    /// The main table, protocol "bird", metric 32: BIRD 2's defaults.
    fn default() -> Self {
        TableConfig {
            table: 254,
            protocol: 12,
            metric: 32,
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

/// A handle on one kernel table in the calling thread's namespace.
pub struct KernelTable {
    cfg: TableConfig,
    sock: NlSocket,
    max_batch: usize,
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
    /// Between batches the task yields, so on a current-thread runtime
    /// the BGP sessions keep running during a full-table install.
    pub async fn apply(&mut self, changes: &[RouteChange]) -> Result<ApplyReport, Error> {
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
                let (msg, flags) = match change {
                    RouteChange::Add(r) => (
                        encode_route(&self.cfg, r).map(RouteNetlinkMessage::NewRoute),
                        NLM_F_CREATE | NLM_F_EXCL,
                    ),
                    RouteChange::Replace(r) => (
                        encode_route(&self.cfg, r).map(RouteNetlinkMessage::NewRoute),
                        NLM_F_CREATE | NLM_F_REPLACE,
                    ),
                    RouteChange::Delete(p) => (
                        Ok(RouteNetlinkMessage::DelRoute(encode_delete(&self.cfg, p))),
                        0,
                    ),
                };
                match msg {
                    Ok(msg) => {
                        last_offset = buf.len();
                        // Sequence numbers of a batch are consecutive.
                        let seq = first_seq.wrapping_add(batch.len() as u32);
                        encode(&mut buf, msg, NLM_F_REQUEST | flags, seq);
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
            tokio::task::yield_now().await;
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
    /// reconciliation after a restart.
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
        Ok(all)
    }
}
