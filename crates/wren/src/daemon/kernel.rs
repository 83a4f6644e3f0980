//! The kernel protocol: the best BGP route of every prefix goes into one
//! kernel table (with our protocol number and metric), in batches; at
//! exit our routes leave it again unless `persist`. And the `direct`
//! side: connected prefixes of the interfaces become routes to announce.
//!
//! The netlink socket lives in its own task so a million-route install
//! never stalls the main loop's sessions.

use super::spec::{KernelSpec, StaticDest, StaticSpec};
use super::Daemon;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};
use tracing::{info, warn};
use wren_core::policy::RouteView;
use wren_core::rib::{Change, Path, SourceInfo, SourceKind};
use wren_linux::RouteKind;
use wren_linux::{
    EventStream, Group, Interfaces, KernelEvent, KernelTable, NextHop, Route, RouteChange,
    TableConfig,
};
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

/// Starts the kernel task for `spec`; it runs until the sender is dropped.
pub fn spawn(spec: &KernelSpec) -> Result<mpsc::UnboundedSender<KernelMsg>, wren_linux::Error> {
    let mut table = KernelTable::open(TableConfig {
        table: spec.table,
        protocol: spec.protocol,
        metric: spec.metric,
    })?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(msg) = rx.recv().await {
            match msg {
                KernelMsg::Apply(changes) => apply(&mut table, &changes).await,
                KernelMsg::Reconcile(want, done) => {
                    reconcile(&mut table, want).await;
                    let _ = done.send(());
                }
            }
        }
    });
    Ok(tx)
}

/// Kernel `learn`: reads the table once, then follows its route events,
/// and hands routes other programs put there (`all`: the kernel's own
/// too) to the main loop. The event socket opens first so nothing falls
/// between the dump and the events.
pub fn spawn_learn(
    spec: &KernelSpec,
    all: bool,
    events: mpsc::Sender<super::net::NetEvent>,
) -> Result<(), wren_linux::Error> {
    let cfg = TableConfig {
        table: spec.table,
        protocol: spec.protocol,
        metric: spec.metric,
    };
    let mut stream = EventStream::open(&[Group::Ipv4Route, Group::Ipv6Route])?;
    let mut table = KernelTable::open(cfg)?;
    let alien = move |k: &wren_linux::KernelRoute| {
        // 2 is the kernel's own (connected, local) routes.
        k.table == cfg.table && k.protocol != cfg.protocol && (all || k.protocol != 2)
    };
    tokio::spawn(async move {
        use super::net::NetEvent::Learned;
        match table.dump().await {
            Ok(routes) => {
                for k in routes.into_iter().filter(|k| alien(k)) {
                    if events.send(Learned(k.route, true)).await.is_err() {
                        return;
                    }
                }
            }
            Err(e) => warn!(error = %e, "kernel learn: cannot read the table"),
        }
        loop {
            let msg = match stream.next().await {
                Ok(KernelEvent::RouteAdded(k)) if alien(&k) => Learned(k.route, true),
                Ok(KernelEvent::RouteRemoved(k)) if alien(&k) => Learned(k.route, false),
                Ok(KernelEvent::Overrun) => {
                    warn!("kernel learn: events lost; routes may be missed until they change");
                    continue;
                }
                Ok(_) => continue,
                Err(e) => return warn!(error = %e, "kernel learn: event stream failed"),
            };
            if events.send(msg).await.is_err() {
                return;
            }
        }
    });
    Ok(())
}

async fn apply(table: &mut KernelTable, changes: &[RouteChange]) {
    match table.apply(changes).await {
        Ok(report) if report.failed.is_empty() => {}
        Ok(report) => {
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
        Err(e) => warn!(error = %e, "kernel table update failed"),
    }
}

async fn reconcile(table: &mut KernelTable, want: Vec<Route>) {
    let cfg = *table.config();
    let ours: Vec<Prefix> = match table.dump().await {
        Ok(all) => all
            .into_iter()
            .filter(|k| k.protocol == cfg.protocol && k.table == cfg.table)
            .map(|k| k.route.dst)
            .collect(),
        Err(e) => {
            warn!(error = %e, "cannot read the kernel table");
            Vec::new()
        }
    };
    let mut changes: Vec<RouteChange> = ours
        .into_iter()
        .filter(|p| !want.iter().any(|r| r.dst == *p))
        .map(RouteChange::Delete)
        .collect();
    let removed = changes.len();
    changes.extend(want.into_iter().map(RouteChange::Replace));
    apply(table, &changes).await;
    info!(
        removed,
        installed = changes.len() - removed,
        "kernel table reconciled"
    );
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
/// hop, static routes as configured; connected prefixes are the kernel's
/// already.
fn fib_route(
    prefix: Prefix,
    path: &Path,
    src: &SourceInfo,
    statics: &[StaticSpec],
) -> Option<Route> {
    let via = |a: std::net::IpAddr| Route::unicast(prefix, vec![NextHop::via(a)]);
    match src.kind {
        SourceKind::Bgp(_) => match path.next_hop()? {
            BgpNextHop::V4(a) => Some(via(a.into())),
            BgpNextHop::V6 { global, .. } => Some(via(global.into())),
        },
        SourceKind::Static => match statics.iter().find(|s| s.prefix == prefix)?.dest {
            StaticDest::Via(a) => Some(via(a)),
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
        let mut route = fib_route(prefix, path, src, &self.spec.statics)?;
        let mut view = RouteView::new(prefix, src, &path.attrs, path.next_hop());
        if !k.export.run(&mut view) {
            return None;
        }
        if k.merge_paths > 1 && matches!(src.kind, SourceKind::Bgp(_)) {
            // ECMP: the next hops of the paths equal to the best up to
            // the tie-breaks (RFC 4271 §9.1.2.2 d onwards).
            let mut hops: Vec<NextHop> = Vec::new();
            for p in self.table.multipath(&prefix, &self.sources) {
                let Some(s) = self.sources.get(p.source) else {
                    continue;
                };
                let Some(r) = fib_route(prefix, p, s, &[]) else {
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

    /// Kernel changes for a batch of table changes.
    pub(super) fn kernel_changes(&self, changes: &[Change]) -> Vec<RouteChange> {
        let route = |prefix: Prefix, p: &Option<Path>| {
            p.as_ref().and_then(|p| self.kernel_route(prefix, p))
        };
        changes
            .iter()
            .filter_map(
                |c| match (route(c.prefix, &c.new), route(c.prefix, &c.old)) {
                    // With ECMP the next-hop set can change under an
                    // unchanged best: then always write (replace is
                    // idempotent).
                    (Some(n), Some(o)) if n == o && !self.merging() => None,
                    (Some(n), _) => Some(RouteChange::Replace(n)),
                    (None, Some(_)) => Some(RouteChange::Delete(c.prefix)),
                    (None, None) => None,
                },
            )
            .collect()
    }

    /// Every route the kernel should hold now.
    pub(super) fn kernel_routes(&self) -> Vec<Route> {
        self.table
            .iter()
            .filter_map(|(prefix, e)| self.kernel_route(prefix, e.best()?))
            .collect()
    }

    /// Sends the kernel task what changed.
    pub(super) fn export_kernel(&self, changes: &[Change]) {
        let Some(k) = &self.kernel else { return };
        let ops = self.kernel_changes(changes);
        if !ops.is_empty() {
            let _ = k.send(KernelMsg::Apply(ops));
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
        let attrs = Arc::new(PathAttributes {
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
        let attrs = Arc::new(PathAttributes {
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
            let path = Path::new(source, 0, attrs.clone(), nh);
            self.table.update(s.prefix, path, &self.sources);
        }
    }

    /// Reads the interfaces' addresses once.
    pub(super) async fn read_addresses(&mut self) {
        match Interfaces::open() {
            Ok(mut i) => match i.addresses().await {
                Ok(a) => self.addresses = a,
                Err(e) => warn!(error = %e, "cannot read interface addresses"),
            },
            Err(e) => warn!(error = %e, "cannot read interface addresses"),
        }
    }

    /// Announces the global-scope prefixes of the interfaces the
    /// configuration accepts (BIRD's `direct`, zebra's `connect`).
    pub(super) async fn originate_connected(&mut self) {
        let Some(accept) = self.spec.connected.clone() else {
            return;
        };
        let mut ifs = match Interfaces::open() {
            Ok(i) => i,
            Err(e) => return warn!(error = %e, "cannot read interfaces"),
        };
        let (links, addrs) = match (ifs.links().await, ifs.addresses().await) {
            (Ok(l), Ok(a)) => (l, a),
            (Err(e), _) | (_, Err(e)) => return warn!(error = %e, "cannot read interfaces"),
        };
        let source = self.sources.add(SourceInfo {
            name: "direct1".into(),
            kind: SourceKind::Direct,
            preference: 240,
        });
        let attrs = Arc::new(PathAttributes {
            origin: Some(Origin::Igp),
            as_path: Some(AsPath::sequence(&[])),
            med: Some(0),
            ..PathAttributes::default()
        });
        for a in addrs.iter().filter(|a| a.scope == 0) {
            let name = links
                .iter()
                .find(|l| l.index == a.index)
                .map(|l| l.name.as_str());
            if !name.is_some_and(|n| (accept.0)(n)) {
                continue;
            }
            let prefix = match a.addr {
                std::net::IpAddr::V4(v4) => {
                    wren_wire::Ipv4Prefix::new(v4, a.prefix_len).map(Prefix::V4)
                }
                std::net::IpAddr::V6(v6) => {
                    wren_wire::Ipv6Prefix::new(v6, a.prefix_len).map(Prefix::V6)
                }
            };
            if let Some(prefix) = prefix {
                let path = Path::new(source, 0, attrs.clone(), None);
                self.table.update(prefix, path, &self.sources);
            }
        }
    }
}
