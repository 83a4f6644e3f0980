//! The kernel protocol: the best BGP route of every prefix goes into one
//! kernel table (with our protocol number and metric), in batches; at
//! exit our routes leave it again unless `persist`. And the `direct`
//! side: connected prefixes of the interfaces become routes to announce.
//!
//! The netlink socket lives in its own task so a million-route install
//! never stalls the main loop's sessions.

use super::backlog;
use super::igp::Igp;
use super::spec::{KernelSpec, StaticDest, StaticSpec};
use super::Daemon;
use tokio::sync::{mpsc, oneshot};
use tracing::{info, warn};
use wren_core::export::forwarding_address;
use wren_core::policy::{RouteDest, RouteView};
use wren_core::rib::{Change, Path, SourceInfo, SourceKind};
use wren_linux::RouteKind;
use wren_linux::{EventStream, Group, KernelEvent, KernelTable, Route, RouteChange, TableConfig};
use wren_wire::attributes::{AsPath, Origin, PathAttributes};
use wren_wire::update::NextHop as BgpNextHop;
use wren_wire::Prefix;

/// What the kernel task is asked to do.
#[derive(Debug)]
pub enum KernelMsg {
    /// Apply these changes.
    Apply(Vec<RouteChange>),
    /// Make our routes in the table exactly these (start-up, end of a
    /// graceful restart, exit with an empty list); then answer.
    Reconcile(Vec<Route>, oneshot::Sender<()>),
}

/// Routes the kernel refused or could not take, counted for the metrics.
pub type SyncErrors = std::sync::Arc<std::sync::atomic::AtomicU64>;

/// Starts the kernel task for `spec`; it runs until the sender is dropped.
/// Routes the kernel refuses are counted in `errors`.
/// Routes written (or refused) are taken off `backlog`.
pub fn spawn(
    spec: &KernelSpec,
    errors: SyncErrors,
    backlog: super::backlog::Backlog,
) -> Result<mpsc::UnboundedSender<KernelMsg>, wren_linux::Error> {
    let mut table = KernelTable::open(TableConfig {
        table: spec.table,
        protocol: spec.protocol,
        metric: spec.metric,
        nexthop_objects: spec.nexthop_objects,
    })?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(msg) = rx.recv().await {
            match msg {
                KernelMsg::Apply(changes) => {
                    apply(&mut table, &changes, &errors).await;
                    backlog.done(changes.len());
                }
                KernelMsg::Reconcile(want, done) => {
                    reconcile(&mut table, want, &errors).await;
                    let _ = done.send(());
                }
            }
        }
    });
    Ok(tx)
}

/// Follows the kernel: every route of every table (dumped once first,
/// when `table` is given), and interfaces and addresses as they change —
/// all handed to the main loop as [`KernelEvent`]s. The event socket
/// opens before anything is read, so nothing falls between a read and
/// the events that follow it.
pub fn spawn_watch(
    table: Option<TableConfig>,
    events: mpsc::Sender<super::net::NetEvent>,
) -> Result<(), wren_linux::Error> {
    use super::net::NetEvent::Kernel;
    let mut stream = EventStream::open(&Group::ALL)?;
    if let Some(t) = &table {
        // Our own routes' echoes: the main loop would discard them anyway.
        stream.skip_routes_of(t.protocol);
    }
    let dump = table.map(KernelTable::open).transpose()?;
    tokio::spawn(async move {
        if let Some(mut t) = dump {
            match t.dump().await {
                Ok(routes) => {
                    for k in routes {
                        if events
                            .send(Kernel(KernelEvent::RouteAdded(k)))
                            .await
                            .is_err()
                        {
                            return;
                        }
                    }
                }
                Err(e) => warn!(error = %e, "cannot read the kernel table"),
            }
        }
        loop {
            match stream.next().await {
                Ok(ev) => {
                    if events.send(Kernel(ev)).await.is_err() {
                        return;
                    }
                }
                Err(e) => return warn!(error = %e, "kernel event stream failed"),
            }
        }
    });
    Ok(())
}

async fn apply(table: &mut KernelTable, changes: &[RouteChange], errors: &SyncErrors) {
    use std::sync::atomic::Ordering::Relaxed;
    match table.apply(changes).await {
        Ok(mut report) => {
            // A route to delete that is not there: what was asked holds.
            // It happens when a route came and went before the kernel
            // task reached it (the queue writes what the table holds).
            report.failed.retain(|f| {
                !(f.error.is_no_such_route()
                    && matches!(changes.get(f.index), Some(RouteChange::Delete(_))))
            });
            if report.failed.is_empty() {
                return;
            }
            errors.fetch_add(report.failed.len() as u64, Relaxed);
            let first = report.failed.first().and_then(|f| {
                changes
                    .get(f.index)
                    .map(|c| format!("{}: {}", c.dst(), f.error))
            });
            warn!(
                failed = report.failed.len(),
                applied = report.applied,
                first = first.unwrap_or_default(),
                "kernel refused routes"
            );
        }
        Err(e) => {
            errors.fetch_add(changes.len() as u64, Relaxed);
            warn!(error = %e, "kernel table update failed")
        }
    }
}

/// Makes our routes in the table exactly `want` (see
/// [`KernelTable::reconcile`]), logging what it took.
async fn reconcile(table: &mut KernelTable, want: Vec<Route>, errors: &SyncErrors) {
    use std::sync::atomic::Ordering::Relaxed;
    match table.reconcile(want).await {
        Ok(r) => {
            if let Some(e) = &r.read_error {
                warn!(error = %e, "cannot read the kernel table");
            }
            let failed = r
                .apply
                .failed
                .iter()
                .filter(|f| !(f.error.is_no_such_route() && f.index >= r.written))
                .count();
            errors.fetch_add(failed as u64, Relaxed);
            if failed > 0 {
                warn!(
                    failed,
                    first = r.apply.failed.first().map(|f| f.error.to_string()),
                    "kernel refused routes"
                );
            }
            if r.written + r.removed + r.objects_removed > 0 {
                info!(
                    written = r.written,
                    removed = r.removed,
                    nexthop_objects_removed = r.objects_removed,
                    "kernel table reconciled"
                );
            }
        }
        Err(e) => warn!(error = %e, "kernel table reconcile failed"),
    }
}

/// A global address of the other family on the interface that holds `a`.
pub(super) fn sibling(
    addresses: &[wren_linux::Address],
    a: std::net::IpAddr,
) -> Option<std::net::IpAddr> {
    let index = addresses.iter().find(|x| x.addr == a)?.index;
    addresses
        .iter()
        .find(|x| x.index == index && x.scope == 0 && x.addr.is_ipv6() != a.is_ipv6())
        .map(|x| x.addr)
}

/// The kernel route for `path` to `prefix`: BGP routes via their next
/// hop resolved through `igp` (none while it is unresolvable), static
/// routes as configured; connected prefixes are the kernel's already.
/// `dev` is the interface of an unnumbered session, whose next hops are
/// link-local.
fn fib_route(
    prefix: Prefix,
    path: &Path,
    src: &SourceInfo,
    statics: &[StaticSpec],
    igp: &Igp,
    dev: Option<u32>,
) -> Option<Route> {
    let via = |a: std::net::IpAddr, dev: Option<u32>| {
        igp.resolve(a, dev).map(|h| Route::unicast(prefix, [h]))
    };
    match src.kind {
        SourceKind::Bgp(_) => {
            // A global next hop resolves on its own; a link-local one
            // only with its interface.
            let (a, link_scope) = forwarding_address(path.next_hop()?);
            via(a, if link_scope { dev } else { None })
        }
        SourceKind::Static => match statics.iter().find(|s| s.prefix == prefix)?.dest {
            StaticDest::Via(a) => via(a, None),
            StaticDest::Blackhole => Some(Route::reject(prefix, RouteKind::Blackhole)),
            StaticDest::Unreachable => Some(Route::reject(prefix, RouteKind::Unreachable)),
            StaticDest::Prohibit => Some(Route::reject(prefix, RouteKind::Prohibit)),
        },
        SourceKind::Direct | SourceKind::Kernel => None,
    }
}

impl Daemon {
    /// The kernel route for `path`, if the kernel protocol's export filter
    /// takes it.
    fn kernel_route(&self, prefix: Prefix, path: &Path) -> Option<Route> {
        let k = self.spec.kernel.as_ref()?;
        let src = self.sources.get(path.source)?;
        let dev = self.link_dev.get(&path.source).copied();
        let mut route = fib_route(prefix, path, src, &self.spec.statics, &self.igp, dev)?;
        let mut view = RouteView::new(prefix, src, &path.attrs, path.next_hop());
        if !k.export.run(&mut view) {
            return None;
        }
        if k.merge_paths > 1 && matches!(src.kind, SourceKind::Bgp(_)) {
            // ECMP: the next hops of the paths equal to the best up to
            // the tie-breaks (RFC 4271 §9.1.2.2 d onwards).
            let mut hops = wren_linux::NextHops::new();
            for p in self.table.multipath(&prefix, &self.sources) {
                let Some(s) = self.sources.get(p.source) else {
                    continue;
                };
                let dev = self.link_dev.get(&p.source).copied();
                let Some(r) = fib_route(prefix, p, s, &[], &self.igp, dev) else {
                    continue;
                };
                for h in r.next_hops {
                    if hops.len() < k.merge_paths && !hops.contains(&h) {
                        hops.push(h);
                    }
                }
            }
            if hops.len() > 1 {
                route = Route::unicast(prefix, hops);
            }
        }
        Some(route)
    }

    fn merging(&self) -> bool {
        self.spec.kernel.as_ref().is_some_and(|k| k.merge_paths > 1)
    }

    /// Whether a table change changes the kernel route of its prefix.
    fn kernel_changed(&self, c: &Change) -> bool {
        let route = |p: &Option<Path>| p.as_ref().and_then(|p| self.kernel_route(c.prefix, p));
        match (route(&c.new), route(&c.old)) {
            // With ECMP the next-hop set can change under an unchanged
            // best: then always write (replace is idempotent).
            (Some(n), Some(o)) => n != o || self.merging(),
            (None, None) => false,
            _ => true,
        }
    }

    /// What the kernel should hold for `prefix` now.
    fn kernel_op(&self, prefix: Prefix) -> RouteChange {
        let best = self.table.get(&prefix).and_then(|e| e.best());
        match best.and_then(|b| self.kernel_route(prefix, b)) {
            Some(r) => RouteChange::Replace(r),
            None => RouteChange::Delete(prefix),
        }
    }

    /// Every route the kernel should hold now.
    pub(super) fn kernel_routes(&self) -> Vec<Route> {
        self.table
            .iter()
            .filter_map(|(prefix, e)| self.kernel_route(prefix, e.best()?))
            .collect()
    }

    /// Queues the prefixes whose kernel route changed, and feeds the
    /// kernel task.
    pub(super) fn export_kernel(&mut self, changes: &[Change]) {
        if self.kernel.is_none() {
            return;
        }
        for c in changes {
            if self.kernel_changed(c) {
                self.kernel_dirty.push(c.prefix);
            }
        }
        self.feed_kernel();
    }

    /// Hands the kernel task the next prefixes of the queue
    /// ([`wren_linux::ScatterQueue`]), their routes as the table has them now, while
    /// fewer than [`backlog::LIMIT`] are in its hands.
    pub(super) fn feed_kernel(&mut self) {
        let mut prefixes = Vec::new();
        while self.kernel.is_some()
            && !self.kernel_dirty.is_empty()
            && self.backlog.queued() < backlog::LIMIT
        {
            prefixes.clear();
            self.kernel_dirty.take(backlog::CHUNK, &mut prefixes);
            let ops: Vec<RouteChange> = prefixes.iter().map(|p| self.kernel_op(*p)).collect();
            let n = ops.len();
            // Counted before the task can take them off.
            self.backlog.add(n);
            if self
                .kernel
                .as_ref()
                .is_some_and(|k| k.send(KernelMsg::Apply(ops)).is_err())
            {
                self.backlog.done(n);
                self.kernel_dirty.clear();
            }
        }
    }

    /// Makes the kernel hold exactly `want`, and waits until it does.
    pub(super) async fn reconcile_kernel(&self, want: Vec<Route>) {
        let Some(k) = &self.kernel else { return };
        let (tx, rx) = oneshot::channel();
        if k.send(KernelMsg::Reconcile(want, tx)).is_ok() {
            let _ = rx.await;
        }
    }

    /// Something changed in the kernel (or was read at start).
    pub(super) fn on_kernel(&mut self, ev: KernelEvent) {
        match ev {
            KernelEvent::RouteAdded(k) => self.on_kernel_route(k, true),
            KernelEvent::RouteRemoved(k) => self.on_kernel_route(k, false),
            KernelEvent::LinkChanged(l) => self.on_link(&l, true),
            KernelEvent::LinkRemoved(l) => self.on_link(&l, false),
            KernelEvent::AddressAdded(a) => self.on_address(a, true),
            KernelEvent::AddressRemoved(a) => self.on_address(a, false),
            KernelEvent::Overrun => {
                warn!("kernel events lost; the next scan repairs the table");
                self.schedule_resync();
            }
        }
    }

    /// A route in some kernel table appeared or went: other programs'
    /// routes in our table are what next hops resolve through, and what
    /// `learn` imports.
    fn on_kernel_route(&mut self, k: wren_linux::KernelRoute, add: bool) {
        let Some(spec) = self.spec.kernel.as_ref() else {
            return;
        };
        if k.table != spec.table || k.protocol == spec.protocol {
            return;
        }
        let learn = spec.learn.is_some_and(|all| all || k.protocol != 2);
        if self.igp.update(k.route.clone(), k.metric, add) {
            self.schedule_resync();
        }
        if learn {
            self.on_learned(k.route, add);
        }
    }

    /// An interface went down or up, or lost or regained its carrier. The
    /// kernel deletes the nexthop objects on an interface that goes down
    /// or loses carrier, and every route naming them, without a
    /// notification; when our routes leave through it, the table is
    /// read again (the routes come back carrying their next hop, or with
    /// an object made anew once the carrier is back).
    pub(super) fn kernel_link_changed(&mut self, index: u32, was_usable: bool, usable: bool) {
        let objects = self.spec.kernel.as_ref().is_some_and(|k| k.nexthop_objects);
        if objects && was_usable != usable && self.igp.uses_interface(index) {
            self.schedule_resync();
        }
    }

    /// Asks for our kernel routes to be written again soon: next hops
    /// resolve differently, or events were lost. Changes that come
    /// together (an interface going down takes many routes) are taken
    /// together.
    pub(super) fn schedule_resync(&mut self) {
        if self.kernel.is_some() && self.resync_at.is_none() {
            self.resync_at =
                Some(tokio::time::Instant::now() + std::time::Duration::from_millis(200));
        }
    }

    /// Makes the kernel hold what it should now, without waiting; not
    /// during graceful restart recovery, whose routes stay until the end.
    pub(super) fn resync_kernel(&mut self) {
        self.resync_at = None;
        let Some(k) = &self.kernel else { return };
        if self.recovery_until.is_some() {
            return;
        }
        let (tx, _) = oneshot::channel();
        let _ = k.send(KernelMsg::Reconcile(self.kernel_routes(), tx));
        // The reconcile writes every route as the table has it now.
        self.kernel_dirty.clear();
    }

    /// A route `learn` picked up from the kernel appeared or went.
    pub(super) fn on_learned(&mut self, route: Route, add: bool) {
        let source = match self.learn_source {
            Some(s) => s,
            None => {
                let s = self.sources.add(SourceInfo {
                    name: "kernel1".into(),
                    kind: SourceKind::Kernel,
                    preference: 10,
                });
                self.learn_source = Some(s);
                s
            }
        };
        if !add {
            self.table.withdraw(route.dst, source, 0, &self.sources);
            return;
        }
        let nh = route
            .next_hops
            .first()
            .and_then(|h| h.gateway)
            .map(|g| match g {
                std::net::IpAddr::V4(a) => BgpNextHop::V4(a),
                std::net::IpAddr::V6(a) => BgpNextHop::V6 {
                    global: a,
                    link_local: None,
                },
            });
        let attrs = wren_core::rib::Attrs::new(PathAttributes {
            origin: Some(Origin::Incomplete),
            as_path: Some(AsPath::sequence(&[])),
            ..PathAttributes::default()
        });
        let attrs = self.store.intern((*attrs).clone());
        self.table
            .update(route.dst, Path::new(source, 0, attrs, nh), &self.sources);
    }

    /// Puts the configured static routes into the table.
    pub(super) fn originate_static(&mut self) {
        if self.spec.statics.is_empty() {
            return;
        }
        let source = self.sources.add(SourceInfo {
            name: "static1".into(),
            kind: SourceKind::Static,
            preference: 200,
        });
        let attrs = wren_core::rib::Attrs::new(PathAttributes {
            origin: Some(Origin::Igp),
            as_path: Some(AsPath::sequence(&[])),
            ..PathAttributes::default()
        });
        for s in self.spec.statics.clone() {
            let nh = match s.dest {
                StaticDest::Via(std::net::IpAddr::V4(a)) => Some(BgpNextHop::V4(a)),
                StaticDest::Via(std::net::IpAddr::V6(a)) => Some(BgpNextHop::V6 {
                    global: a,
                    link_local: None,
                }),
                _ => None,
            };
            let mut route_attrs = attrs.clone();
            if let (Some(block), Some(info)) = (&s.attrs, self.sources.get(source)) {
                let mut view = RouteView::new(s.prefix, info, &attrs, nh);
                view.facts.dest = match s.dest {
                    StaticDest::Via(_) => RouteDest::Unicast,
                    StaticDest::Blackhole => RouteDest::Blackhole,
                    StaticDest::Unreachable => RouteDest::Unreachable,
                    StaticDest::Prohibit => RouteDest::Prohibit,
                };
                if let StaticDest::Via(gw) = s.dest {
                    view.facts.gw = Some(gw);
                }
                if !block.run(&mut view) {
                    continue;
                }
                if let Some(m) = view.into_modified() {
                    route_attrs = self.store.intern(m);
                }
            }
            let path = Path::new(source, 0, route_attrs, nh);
            self.table.update(s.prefix, path, &self.sources);
        }
    }
}
