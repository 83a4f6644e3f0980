//! The daemon: a single main loop owns the core's state (sessions, table,
//! interned attributes) and reacts to network events and timers; tasks
//! at the edge do the socket I/O. One thread does the routing work, like
//! BIRD; batching keeps it ahead.
//!
//! Here: the state, the loop, timers and shutdown. Beside it: `conns`
//! (connections and the messages they carry), `intake` (what a session
//! receives into the table), `actions` (what a session asks for),
//! `export` (table changes out, by update group), `kernel`, `igp`,
//! `direct` and `unnumbered` (Linux), `reconfig`, the control socket's
//! answers (`show`, `show_route`, `show_iface`, `json`, `metrics`),
//! [`debug`] (protocol debug output) and `flow` (FlowSpec rules).

mod actions;
mod backlog;
mod connect;
mod conns;
pub mod debug;
mod direct;
mod export;
mod flow;
mod igp;
mod intake;
mod json;
mod kernel;
mod metrics;
pub mod net;
pub mod peer;
mod peers;
mod reconfig;
mod show;
mod show_iface;
mod show_route;
pub mod spec;
mod unnumbered;

use net::NetEvent;
use peer::{Peer, PeerStats};
use spec::{DaemonSpec, PeerSpec};
use tokio::sync::mpsc;
use tracing::{info, warn};
use wren_core::announce::Announcer;
use wren_core::rib::{AttrStore, BgpSource, Change, SourceInfo, SourceKind, Sources, Table};
use wren_core::session::{Action, Session};
use wren_core::time::{earliest, Instant};
use wren_wire::notification::cease;
use wren_wire::Notification;

/// Changed prefixes after which the main loop exports before taking more
/// input (about 6 MiB of change records).
const EXPORT_BATCH: usize = 16_384;

/// The routing state and everything attached to it.
pub struct Daemon {
    spec: DaemonSpec,
    /// Peers, indexed as configured.
    pub peers: peers::Peers,
    /// Route sources.
    pub sources: Sources,
    /// The table.
    pub table: Table,
    store: AttrStore,
    announcer: Announcer,
    events_tx: mpsc::Sender<NetEvent>,
    next_conn: u64,
    epoch: tokio::time::Instant,
    /// Wall-clock time at `epoch`, for times shown to operators.
    wall_epoch: std::time::SystemTime,
    actions: Vec<Action>,
    changes: Vec<Change>,
    /// Reused by [`Daemon::export_changes`].
    export_bufs: export::Buffers,
    /// The configuration file, for reloads (SIGHUP, `configure`).
    pub config_path: Option<std::path::PathBuf>,
    /// `wrend --bird-output 1|2`: imitate this BIRD generation's output
    /// whatever the configuration's dialect.
    pub output_override: Option<spec::Generation>,
    /// Interfaces and addresses (`device`, `direct`).
    device: direct::Device,
    /// The kernel's other routes, through which next hops resolve.
    igp: igp::Igp,
    /// When to write our kernel routes again (next hops resolve anew).
    resync_at: Option<tokio::time::Instant>,
    /// Router advertisements, when some peer is unnumbered.
    adverts: Option<wren_linux::nd::RouterAdverts>,
    /// The interface of each unnumbered peer's routes (their next hops
    /// are link-local).
    link_dev: std::collections::HashMap<wren_core::rib::SourceId, u32>,
    /// The source of routes `learn` imports, once there is one.
    learn_source: Option<wren_core::rib::SourceId>,
    /// The kernel task, when routes go into the kernel.
    kernel: Option<mpsc::UnboundedSender<kernel::KernelMsg>>,
    /// Routes handed to the kernel task and not yet written (backlog.rs).
    backlog: backlog::Backlog,
    /// Prefixes whose kernel route is to be written (kernel.rs).
    kernel_dirty: wren_linux::ScatterQueue,
    /// The listening socket, for the MD5 keys of peers a reload adds.
    listener: Option<std::sync::Arc<tokio::net::TcpListener>>,
    /// Started with `-R`: route selection results are not sent until every
    /// peer that restarts with us sent End-of-RIB, or until this time
    /// (RFC 4724 §4.1).
    recovery_until: Option<Instant>,
    /// Some peer logs its state changes (`debug … states`).
    debug_states: bool,
    /// FlowSpec rules received (kept and shown only).
    flows: flow::Flows,
    /// Routes the kernel refused (for the metrics).
    kernel_errors: kernel::SyncErrors,
    /// The log's destinations, replaced on reconfiguration.
    pub logger: Option<crate::log::Logger>,
}

impl Daemon {
    /// A daemon for `spec`; sessions start with [`Daemon::run`].
    pub fn new(spec: DaemonSpec, events_tx: mpsc::Sender<NetEvent>) -> Self {
        let mut d = Daemon {
            spec: spec.clone(),
            peers: peers::Peers::default(),
            sources: Sources::default(),
            table: Table::new(),
            store: AttrStore::default(),
            announcer: Announcer::default(),
            events_tx,
            next_conn: 0,
            epoch: tokio::time::Instant::now(),
            wall_epoch: std::time::SystemTime::now(),
            actions: Vec::new(),
            changes: Vec::new(),
            export_bufs: export::Buffers::default(),
            recovery_until: None,
            config_path: None,
            output_override: None,
            listener: None,
            kernel: None,
            backlog: backlog::Backlog::default(),
            kernel_dirty: wren_linux::ScatterQueue::new(),
            learn_source: None,
            device: direct::Device::default(),
            igp: igp::Igp::default(),
            resync_at: None,
            adverts: None,
            link_dev: Default::default(),
            debug_states: false,
            flows: Default::default(),
            kernel_errors: Default::default(),
            logger: None,
        };
        let wait = spec
            .peers
            .iter()
            .filter_map(|p| p.session.graceful_restart.as_ref())
            .filter(|gr| gr.restarting)
            .map(|gr| u32::from(gr.restart_time))
            .max();
        d.recovery_until = wait.map(|w| Instant(0).plus_secs(w.max(1)));
        for p in spec.peers {
            d.add_peer(p);
        }
        d
    }

    /// Graceful restart recovery is under way (`show status` says so).
    pub fn recovering(&self) -> bool {
        self.recovery_until.is_some()
    }

    /// Ends recovery once every peer that restarts with us is up and has
    /// sent End-of-RIB for each family, or the wait is over. Then the R
    /// bit goes out of later OPENs.
    fn check_recovery(&mut self, now: Instant) {
        let Some(until) = self.recovery_until else {
            return;
        };
        let done = self.peers.iter().all(|p| {
            let restarts = p
                .session
                .config()
                .graceful_restart
                .as_ref()
                .is_some_and(|g| g.restarting);
            !restarts
                || p.up
                    .as_ref()
                    .is_some_and(|u| u.neg.families.iter().all(|f| u.eor_received.contains(f)))
        });
        if !done && now < until {
            return;
        }
        info!(timed_out = !done, "graceful restart recovery done");
        self.recovery_until = None;
        // The kernel kept our routes through the restart; now it gets
        // exactly the routes chosen since.
        if let Some(k) = &self.kernel {
            let (tx, _) = tokio::sync::oneshot::channel();
            let _ = k.send(kernel::KernelMsg::Reconcile(self.kernel_routes(), tx));
        }
        for p in &mut self.peers {
            let mut cfg = p.session.config().clone();
            if let Some(gr) = &mut cfg.graceful_restart {
                gr.restarting = false;
            }
            p.session.set_config(cfg);
        }
    }

    /// Adds a peer (configured, or accepted from a dynamic range); its
    /// session starts with [`Daemon::run`] or at once when running.
    fn add_peer(&mut self, p: PeerSpec) -> usize {
        let source = self.sources.add(SourceInfo {
            name: p.name.clone(),
            kind: SourceKind::Bgp(BgpSource {
                peer_as: 0,
                local_as: p.session.local_as,
                router_id: std::net::Ipv4Addr::UNSPECIFIED,
                address: p.address,
                rr_client: p.rr_client,
            }),
            preference: 100,
        });
        self.debug_states |= p.debug.any(debug::DebugClasses::STATES);
        self.peers.push(Peer {
            debug: p.debug,
            traced_state: wren_core::session::State::Idle,
            session: Session::new(p.session.clone()),
            spec: p,
            source,
            conns: [None, None],
            attempt: 0,
            up: None,
            stale_until: None,
            stats: PeerStats::default(),
            removed: false,
            link: None,
        });
        self.peers.len() - 1
    }

    /// The core's clock.
    pub fn now(&self) -> Instant {
        Instant(u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX))
    }

    fn to_tokio(&self, t: Instant) -> tokio::time::Instant {
        self.epoch + std::time::Duration::from_millis(t.0)
    }

    /// Runs until SIGTERM, SIGINT or `down` on the control socket, which
    /// feeds `control`.
    pub async fn run(
        mut self,
        mut events: mpsc::Receiver<NetEvent>,
        mut control: mpsc::Receiver<crate::control::Request>,
    ) -> anyhow::Result<()> {
        if let Some(port) = self.spec.listen_port {
            self.listener =
                Some(connect::spawn_listener(&self.spec, port, self.events_tx.clone()).await?);
        }
        kernel::spawn_watch(
            self.spec.kernel.as_ref().map(|k| wren_linux::TableConfig {
                table: k.table,
                protocol: k.protocol,
                metric: k.metric,
                nexthop_objects: k.nexthop_objects,
            }),
            self.events_tx.clone(),
        )?;
        if let Some(k) = &self.spec.kernel {
            self.kernel = Some(kernel::spawn(
                k,
                self.kernel_errors.clone(),
                self.backlog.clone(),
            )?);
            // Routes of ours left by an earlier run go, unless we restart
            // gracefully: then they stay until recovery is over.
            if self.recovery_until.is_none() {
                self.reconcile_kernel(Vec::new()).await;
            }
        }
        self.read_interfaces().await;
        self.start_unnumbered();
        self.originate_static();
        // The kernel protocol's `scan time`: our routes are checked
        // against the table and repaired.
        let scan = self.spec.kernel.as_ref().map_or(60, |k| k.scan_time.max(1));
        let mut scan = tokio::time::interval(std::time::Duration::from_secs(u64::from(scan)));
        scan.tick().await;
        let now = self.now();
        for p in &mut self.peers {
            p.session.start(now);
        }
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
        // Made once: `tokio::signal::ctrl_c()` in the loop registered
        // anew on every turn.
        let mut int = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
        let backlog = self.backlog.clone();
        let far = tokio::time::Instant::now() + std::time::Duration::from_secs(86400 * 365);
        loop {
            let next = earliest(self.peers.next_deadline(), self.recovery_until)
                .map(|t| self.to_tokio(t))
                .unwrap_or_else(|| {
                    tokio::time::Instant::now() + std::time::Duration::from_secs(3600)
                });
            // Hand the kernel task what it has room for; if routes still
            // wait, wake when it has more room, and feed it at the top of
            // the next turn (backlog.rs).
            self.feed_kernel();
            let feeding = !self.kernel_dirty.is_empty();
            tokio::select! {
                _ = backlog.room(), if feeding => {}
                ev = events.recv() => {
                    let Some(ev) = ev else { break };
                    self.on_event(ev);
                    // Take whatever else is ready before exporting: batches,
                    // but at most EXPORT_BATCH changed prefixes, so the
                    // change log stays small during a full-table burst.
                    for _ in 0..256 {
                        if self.table.pending_changes() >= EXPORT_BATCH {
                            break;
                        }
                        match events.try_recv() {
                            Ok(ev) => self.on_event(ev),
                            Err(_) => break,
                        }
                    }
                }
                _ = tokio::time::sleep_until(next) => self.on_timers(),
                _ = tokio::time::sleep_until(self.resync_at.unwrap_or(far)), if self.resync_at.is_some() => {
                    self.resync_kernel();
                }
                _ = scan.tick(), if self.kernel.is_some() => self.resync_kernel(),
                Some(req) = control.recv() => {
                    if req.command == crate::control::Command::Metrics {
                        let _ = req.reply.send(self.metrics_text());
                        continue;
                    }
                    let reply = match req.command {
                        crate::control::Command::Configure(ref file) => {
                            self.configure_reply(true, file.as_deref())
                        }
                        crate::control::Command::Debug(ref which, classes) => {
                            self.debug_op(which, classes)
                        }
                        crate::control::Command::Protocols(op, ref which) => {
                            self.protocols_op(op, which)
                        }
                        crate::control::Command::Reload { inbound, outbound, ref which } => {
                            self.reload(inbound, outbound, which)
                        }
                        crate::control::Command::ConfigureCheck => self.configure_reply(false, None),
                        _ => self.answer(&req.command),
                    };
                    let _ = req.reply.send(reply.render());
                    if req.command == crate::control::Command::Down {
                        break;
                    }
                }
                _ = term.recv() => break,
                _ = hup.recv() => match self.reconfigure(None) {
                    Ok(what) => info!(%what, "reconfigured (SIGHUP)"),
                    Err(e) => warn!(error = %e, "new configuration rejected; the running one stays"),
                },
                _ = int.recv() => break,
            }
            if self.debug_states {
                self.trace_states();
            }
            let now = self.now();
            self.check_recovery(now);
            // After an export, let the writers send what was just built.
            // Without this a burst kept the loop busy (its channel always
            // ready, tokio's budget 128 reads of 64 KiB) until the whole
            // table was in, and the first routes left with the last. When
            // no event waits, the loop gives way by itself: the yield
            // would only add a look at the sockets to every message.
            if self.recovery_until.is_none() && self.export_changes() && !events.is_empty() {
                tokio::task::yield_now().await;
            }
        }
        self.shutdown().await;
        Ok(())
    }

    async fn shutdown(&mut self) {
        info!("shutting down");
        // Nothing is exported any more: sessions going down below would
        // otherwise queue a change record for every route they had (some
        // 100 MB for a full table) only to exit. Our kernel routes go by
        // the reconcile at the end, which reads the kernel, not the table.
        self.table = Table::new();
        let now = self.now();
        for i in 0..self.peers.len() {
            let mut out = std::mem::take(&mut self.actions);
            let n = Notification::cease_with_message(cease::ADMINISTRATIVE_SHUTDOWN, "");
            if let Some(p) = self.peers.get_mut(i) {
                p.session.stop(now, n, &mut out);
            }
            self.apply_actions(i, &mut out);
            self.actions = out;
        }
        // Let the writers flush the NOTIFICATIONs.
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        if self.spec.kernel.as_ref().is_some_and(|k| !k.persist) {
            self.reconcile_kernel(Vec::new()).await;
        }
    }

    fn on_timers(&mut self) {
        let now = self.now();
        for i in 0..self.peers.len() {
            let mut out = std::mem::take(&mut self.actions);
            let Some(p) = self.peers.get_mut(i) else {
                continue;
            };
            if p.session.next_deadline().is_some_and(|t| t <= now) {
                p.session.on_timer(now, &mut out);
            }
            if p.stale_until.is_some_and(|t| t <= now) {
                p.stale_until = None;
                let src = p.source;
                let name = p.spec.name.clone();
                let n = self
                    .table
                    .retain_source(src, &self.sources, |_, path| !path.stale);
                info!(peer = %name, routes = n, "graceful restart timer expired, stale routes removed");
            }
            self.apply_actions(i, &mut out);
            self.actions = out;
        }
    }
}

fn self_now_plus(epoch: tokio::time::Instant, secs: u32) -> Instant {
    Instant(u64::try_from(epoch.elapsed().as_millis()).unwrap_or(0)).plus_secs(secs)
}
