//! `show route`: which routes (prefix, `for`, `protocol`, `table`,
//! `primary`), seen through what (`where`/`filter`, or a protocol's
//! export: `export`, `noexport`, `preexport`), in BIRD 2's layout.
//!
//! A filter given on the command line is compiled against the running
//! configuration (its constants, functions and named filters) and runs
//! on each route as an import filter would; the routes it accepts are
//! shown as it left them. The export views take the steps the announcer
//! takes, in BIRD's order: the rules that keep a route from a peer
//! (split horizon, NO_EXPORT), then the export filter; `export P` shows
//! the route as the filter left it, before the protocol's own changes
//! (AS prepend, next hop), as BIRD does. `wrenc neighbor ADDR adj-out`
//! shows it as sent.

use super::peer::Peer;
use super::Daemon;
use crate::control::{ExportView, Reply, RouteQuery};
use crate::timefmt::time_of_day;
use std::borrow::Cow;
use std::fmt::Write;
use std::net::IpAddr;
use wren_core::announce::run_export_filter;
use wren_core::export::may_export;
use wren_core::policy::{Policy, RouteView};
use wren_core::rib::{Path, SourceKind};
use wren_wire::attributes::{Origin, PathAttributes};
use wren_wire::update::NextHop;
use wren_wire::{Family, Prefix};

/// What the query looks through.
enum Lens<'a> {
    /// Every route as stored.
    Table,
    /// A protocol's export.
    Export(ExportView, &'a Peer),
}

/// One route to print: the stored path, and the attributes and next hop
/// to show (a filter or the export rules may have changed them).
struct Row<'a> {
    path: &'a Path,
    attrs: Cow<'a, PathAttributes>,
    next_hop: Option<NextHop>,
    primary: bool,
}

/// The export filter's verdict on a route offered to it: `None`
/// rejected, else the attributes it wrote (if any) and the next hop it
/// set (if it set one).
pub(super) type Offer = Option<(Option<PathAttributes>, Option<NextHop>)>;

impl Daemon {
    pub(super) fn show_route(&self, q: &RouteQuery) -> Reply {
        if q.table.as_deref() == Some("flow4") {
            return self.show_flows(q.all, q.count);
        }
        let proto = match &q.protocol {
            Some(name) => match self.peers.iter().find(|p| &p.spec.name == name) {
                Some(p) => Some(p.source),
                None => return Reply::only(9001, format!("{name}: no such protocol")),
            },
            None => None,
        };
        let lens = match self.lens(q) {
            Ok(l) => l,
            Err(r) => return r,
        };
        let filter = match &q.filter {
            Some(text) => match wren_config::bird::command_filter(&self.spec.bird, text) {
                Ok(f) => Some(f),
                Err(e) => return Reply::only(9001, e.to_string()),
            },
            None => None,
        };
        let mut nets: Vec<Prefix> = match (q.prefix, q.for_addr) {
            (Some(p), _) => vec![p],
            (None, Some(a)) => self.longest_match(a).into_iter().collect(),
            (None, None) => self.table.iter().map(|(k, _)| k).collect(),
        };
        nets.sort_unstable();
        let mut r = Reply::new();
        // (routes shown, routes seen, networks seen) per table, BIRD's
        // three numbers.
        let (mut c4, mut c6) = ([0usize; 3], [0usize; 3]);
        let mut table_open = None;
        let v1 = self.output() == super::spec::Generation::Bird1;
        for net in &nets {
            let Some(e) = self.table.get(net) else {
                continue;
            };
            let (table, counts) = if net.is_ipv6() {
                ("master6", &mut c6)
            } else {
                ("master4", &mut c4)
            };
            if q.table.as_deref().is_some_and(|t| t != table) {
                continue;
            }
            counts[2] += 1;
            let mut first = true;
            for (i, path) in e.paths.iter().enumerate() {
                let primary = i == 0 && path.reachable;
                if (q.primary && !primary) || proto.is_some_and(|s| s != path.source) {
                    continue;
                }
                counts[1] += 1;
                let Some(mut row) = self.through(&lens, *net, path, primary) else {
                    continue;
                };
                if let Some(f) = &filter {
                    if !self.filtered(f.as_ref(), *net, &mut row) {
                        continue;
                    }
                }
                counts[0] += 1;
                if q.count {
                    first = false;
                    continue;
                }
                if table_open != Some(table) {
                    // BIRD 1.x has one table and no header.
                    if table_open.is_some() && !v1 {
                        r.line(1007, "");
                    }
                    if !v1 {
                        r.line(1007, format!("Table {table}:"));
                    }
                    table_open = Some(table);
                }
                self.route_lines(net, &row, first, q.all, &mut r);
                first = false;
            }
        }
        if q.count && v1 {
            let (shown, seen, nets) = (c4[0] + c6[0], c4[1] + c6[1], c4[2] + c6[2]);
            return Reply::only(14, format!("{shown} of {seen} routes for {nets} networks"));
        }
        if q.count {
            let mut r = Reply::new();
            for (t, [shown, seen, nets]) in [("master4", c4), ("master6", c6)] {
                r.line(
                    1007,
                    format!("{shown} of {seen} routes for {nets} networks in table {t}"),
                );
            }
            let (shown, seen, nets) = (c4[0] + c6[0], c4[1] + c6[1], c4[2] + c6[2]);
            r.end(
                14,
                format!("Total: {shown} of {seen} routes for {nets} networks in 2 tables"),
            );
            return r;
        }
        if table_open.is_none() && (q.prefix.is_some() || q.for_addr.is_some()) {
            return Reply::only(8001, "Network not found");
        }
        r
    }

    fn lens(&self, q: &RouteQuery) -> Result<Lens<'_>, Reply> {
        let Some((view, name)) = &q.export else {
            return Ok(Lens::Table);
        };
        let p = self
            .peers
            .iter()
            .filter(|p| !p.removed)
            .find(|p| &p.spec.name == name)
            .ok_or_else(|| Reply::only(9001, format!("{name}: no such protocol")))?;
        if p.up.is_none() {
            return Err(Reply::only(8006, format!("{name}: channel is not up")));
        }
        Ok(Lens::Export(*view, p))
    }

    /// The row `path` makes through `lens`, if any.
    fn through<'a>(
        &'a self,
        lens: &Lens<'_>,
        net: Prefix,
        path: &'a Path,
        primary: bool,
    ) -> Option<Row<'a>> {
        let stored = Row {
            path,
            attrs: Cow::Borrowed(&*path.attrs),
            next_hop: path.next_hop(),
            primary,
        };
        let Lens::Export(view, p) = lens else {
            return Some(stored);
        };
        if !primary {
            // Only best routes are exported.
            return None;
        }
        match (view, self.offer(p, net, path)?) {
            (ExportView::Export, Some((modified, nh))) => Some(Row {
                attrs: modified.map_or(stored.attrs, Cow::Owned),
                next_hop: nh.or(stored.next_hop),
                ..stored
            }),
            (ExportView::NoExport, None) | (ExportView::PreExport, _) => Some(stored),
            _ => None,
        }
    }

    /// Runs a command-line filter on `row`; true when it accepts, and the
    /// row then shows what the filter wrote.
    fn filtered(&self, f: &dyn Policy, net: Prefix, row: &mut Row<'_>) -> bool {
        let Some(src) = self.sources.get(row.path.source) else {
            return false;
        };
        // The stored attributes are already shared; only a row the export
        // view rewrote needs a set of its own.
        let owned;
        let base = match &row.attrs {
            Cow::Borrowed(_) => &row.path.attrs,
            Cow::Owned(a) => {
                owned = wren_core::rib::Attrs::new(a.clone());
                &owned
            }
        };
        let mut view = RouteView::new(net, src, base, row.next_hop);
        if !f.run(&mut view) {
            return false;
        }
        row.next_hop = view.next_hop;
        if let Some(a) = view.into_modified() {
            row.attrs = Cow::Owned(a);
        }
        true
    }

    /// `path` offered to peer `p`'s export filter: `None` when it does
    /// not get that far (the rules keep it from `p`, or `p` is down or
    /// lacks the family); else the filter's verdict.
    pub(super) fn offer(&self, p: &Peer, prefix: Prefix, path: &Path) -> Option<Offer> {
        let up = p.up.as_ref()?;
        if !up.neg.families.contains(family_of(prefix)) {
            return None;
        }
        let src = self.sources.get(path.source)?;
        may_export(path, src, &up.target)?;
        Some(
            run_export_filter(prefix, src, path, p.spec.export.as_ref())
                .map(|(m, nh)| (m.map(|m| *m), nh)),
        )
    }

    fn longest_match(&self, a: IpAddr) -> Option<Prefix> {
        self.table
            .iter()
            .map(|(k, _)| k)
            .filter(|k| k.contains(a))
            .max_by_key(|k| k.len())
    }

    /// BIRD's `via GATEWAY on IFACE`: the gateway the next hop resolves
    /// to (itself when on a connected network), and the interface; just
    /// `via NEXT-HOP` when neither the kernel table nor an interface's
    /// network says where it is.
    fn via(&self, nh: IpAddr, dev: Option<u32>) -> String {
        let resolved = self.igp.resolve(nh, dev).or_else(|| {
            self.device
                .addresses
                .iter()
                .find(|a| super::igp::on_network(a.addr, a.prefix_len, nh))
                .map(|a| wren_linux::NextHop::via_dev(nh, a.index))
        });
        let name = |i: u32| self.device.links.get(&i).map(|l| l.name.clone());
        match resolved {
            Some(h) => match (h.gateway, h.ifindex.and_then(name)) {
                (g, Some(ifname)) => format!("\tvia {} on {ifname}", g.unwrap_or(nh)),
                (g, None) => format!("\tvia {}", g.unwrap_or(nh)),
            },
            None => format!("\tvia {nh}"),
        }
    }

    fn route_lines(&self, net: &Prefix, row: &Row<'_>, first: bool, all: bool, r: &mut Reply) {
        let path = row.path;
        let src = self.sources.get(path.source);
        let net_col = if first {
            net.to_string()
        } else {
            String::new()
        };
        let a = &*row.attrs;
        let dev = self.link_dev.get(&path.source).copied();
        let via = row.next_hop.map(|nh| {
            let (a, link_scope) = wren_core::export::forwarding_address(nh);
            self.via(a, if link_scope { dev } else { None })
        });
        let v1 = self.output() == super::spec::Generation::Bird1;
        let bgp = matches!(src.map(|s| &s.kind), Some(SourceKind::Bgp(_)));
        // BIRD's names for the route's source in `Type:`.
        let proto = match src.map(|s| &s.kind) {
            Some(SourceKind::Bgp(_)) => "BGP",
            Some(SourceKind::Direct) => "device",
            Some(SourceKind::Kernel) => "inherit",
            Some(SourceKind::Static) | None => "static",
        };
        if v1 {
            // BIRD 1.x: one line, the gateway in place of the kind.
            let dest = via.as_deref().map_or("blackhole", str::trim_start);
            let head = format!("{net_col:<18} {dest}");
            r.line(
                1007,
                route_head(self, &head, path.source, a, row.primary, true),
            );
        } else {
            let kind = if path.hop.is_some() {
                "unicast"
            } else {
                "blackhole"
            };
            let head = format!("{net_col:<20} {kind}");
            r.line(
                1007,
                route_head(self, &head, path.source, a, row.primary, false),
            );
            if let Some(v) = via {
                r.line(1007, v);
            }
        }
        if all {
            let univ = if v1 { "unicast univ" } else { "univ" };
            r.line(1008, format!("\tType: {proto} {univ}"));
            attribute_lines(a, row.next_hop, bgp, r);
        }
    }
}

/// `show route all`'s attribute lines. A route learned over BGP always
/// has a LOCAL_PREF, as in BIRD: the one received over iBGP, else 100.
/// A route's first line after its network column: `[PROTO SINCE] *
/// (PREF) [ASnnni]`, the star on the primary route, the AS part for BGP.
pub(super) fn route_head(
    d: &Daemon,
    head: &str,
    source: wren_core::rib::SourceId,
    a: &PathAttributes,
    primary: bool,
    v1: bool,
) -> String {
    let src = d.sources.get(source);
    let name = src.map_or("?", |s| s.name.as_str());
    let since = d.peers.iter().find(|p| p.source == source).map_or_else(
        || time_of_day(d.wall_epoch, v1),
        |p| time_of_day(d.wall(p.session.since()), v1),
    );
    let star = if primary { " *" } else { "" };
    let pref = src.map_or(100, |s| s.preference);
    let mut line = format!("{head} [{name} {since}]{star} ({pref})");
    if matches!(src.map(|s| &s.kind), Some(SourceKind::Bgp(_))) {
        let origin = match a.origin {
            Some(Origin::Igp) | None => 'i',
            Some(Origin::Egp) => 'e',
            Some(Origin::Incomplete) => '?',
        };
        match a.as_path.as_ref().and_then(|p| p.last()) {
            Some(asn) => {
                let _ = write!(line, " [AS{asn}{origin}]");
            }
            None => {
                let _ = write!(line, " [{origin}]");
            }
        }
    }
    line
}

/// The unicast family of `prefix`.
pub(super) fn family_of(prefix: Prefix) -> Family {
    if prefix.is_ipv6() {
        Family::Ipv6Unicast
    } else {
        Family::Ipv4Unicast
    }
}

pub(super) fn attribute_lines(a: &PathAttributes, nh: Option<NextHop>, bgp: bool, r: &mut Reply) {
    let mut lines: Vec<String> = Vec::new();
    if let Some(o) = a.origin {
        let o = match o {
            Origin::Igp => "IGP",
            Origin::Egp => "EGP",
            Origin::Incomplete => "Incomplete",
        };
        lines.push(format!("BGP.origin: {o}"));
    }
    lines.push(format!(
        "BGP.as_path: {}",
        a.as_path
            .as_ref()
            .map(|p| p.to_string())
            .unwrap_or_default()
    ));
    match nh {
        Some(NextHop::V4(x)) => lines.push(format!("BGP.next_hop: {x}")),
        Some(NextHop::V6 { global, link_local }) => lines.push(match link_local {
            Some(l) => format!("BGP.next_hop: {global} {l}"),
            None => format!("BGP.next_hop: {global}"),
        }),
        None => {}
    }
    if let Some(m) = a.med {
        lines.push(format!("BGP.med: {m}"));
    }
    if let Some(lp) = a.local_pref.or(bgp.then_some(100)) {
        lines.push(format!("BGP.local_pref: {lp}"));
    }
    if a.atomic_aggregate {
        lines.push("BGP.atomic_aggr: ".into());
    }
    if let Some(o) = a.originator_id {
        lines.push(format!("BGP.originator_id: {o}"));
    }
    if !a.cluster_list.is_empty() {
        lines.push(format!("BGP.cluster_list: {}", join(&a.cluster_list)));
    }
    if !a.communities.is_empty() {
        lines.push(format!("BGP.community: {}", join(&a.communities)));
    }
    if !a.ext_communities.is_empty() {
        lines.push(format!("BGP.ext_community: {}", join(&a.ext_communities)));
    }
    if !a.large_communities.is_empty() {
        lines.push(format!(
            "BGP.large_community: {}",
            join(&a.large_communities)
        ));
    }
    for l in lines {
        r.line(1012, format!("\t{l}"));
    }
}

fn join<T: std::fmt::Display>(xs: &[T]) -> String {
    xs.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}
