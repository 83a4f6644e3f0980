//! Answers to control-socket commands, from the main loop's own state,
//! in BIRD 2's wording and columns (scripts that parse `birdc` output,
//! Calico's among them, keep working). Reference transcripts of BIRD
//! 2.0.12 are in tests/fixtures/birdc.

use super::peer::Peer;
use super::spec::Generation;
use super::Daemon;
use crate::control::{Command, Reply, RouteQuery};
use std::fmt::Write;
use std::net::IpAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use wren_core::rib::{Path, SourceKind};
use wren_core::session::State;
use wren_core::time::Instant;
use wren_wire::attributes::{Origin, PathAttributes};
use wren_wire::capability::Capability;
use wren_wire::update::NextHop;
use wren_wire::Prefix;

impl Daemon {
    /// The reply to `cmd`. `Down` is answered here and acted on by the
    /// caller.
    pub(crate) fn answer(&self, cmd: &Command) -> Reply {
        match cmd {
            Command::ShowStatus => self.show_status(),
            Command::ShowProtocols { all, pattern } => {
                self.show_protocols(*all, pattern.as_deref())
            }
            Command::ShowRoute(q) => self.show_route(q),
            Command::ShowMemory => self.show_memory(),
            Command::ShowInterfaces { summary } => self.show_interfaces(*summary),
            Command::ShowSymbols(which) => self.show_symbols(which.as_deref()),
            Command::Down => Reply::only(7, "Shutdown requested"),
            // Answered by the main loop, which may change state.
            Command::Configure
            | Command::ConfigureCheck
            | Command::Protocols(..)
            | Command::Reload { .. }
            | Command::Metrics => Reply::new(),
            Command::JsonProtocols => {
                let mut r = Reply::new();
                r.line(2100, self.json_protocols());
                r
            }
            Command::JsonRoutes(p) => {
                let mut r = Reply::new();
                r.line(2101, self.json_routes(*p));
                r
            }
            Command::JsonAdjOut(name) => match self.json_adj_out(name) {
                Some(text) => {
                    let mut r = Reply::new();
                    r.line(2101, text);
                    r
                }
                None => Reply::only(8003, "No such protocol, or its session is not up"),
            },
        }
    }

    fn wall(&self, t: Instant) -> SystemTime {
        self.wall_epoch + Duration::from_millis(t.0)
    }

    fn show_status(&self) -> Reply {
        let mut r = Reply::new();
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        r.line(1000, concat!("Wren ", env!("CARGO_PKG_VERSION")))
            .line(1011, format!("Router ID is {}", self.spec.router_id))
            .line(1011, format!("Hostname is {}", host.trim()))
            .line(
                1011,
                format!("Current server time is {}", date_time(SystemTime::now())),
            )
            .line(
                1011,
                format!("Last reboot on {}", date_time(self.wall_epoch)),
            )
            .line(
                1011,
                format!("Last reconfiguration on {}", date_time(self.wall_epoch)),
            );
        if self.recovering() {
            r.end(24, "Graceful restart recovery in progress");
        } else {
            r.end(13, "Daemon is up and running");
        }
        r
    }

    /// The BIRD generation whose output we imitate: `--bird-output`, else
    /// the configuration's.
    pub(crate) fn output(&self) -> Generation {
        self.output_override.unwrap_or(self.spec.output)
    }

    fn show_protocols(&self, all: bool, pattern: Option<&str>) -> Reply {
        let v1 = self.output() == Generation::Bird1;
        let mut r = Reply::new();
        r.line(
            2002,
            if v1 {
                "name     proto    table    state  since       info"
            } else {
                "Name       Proto      Table      State  Since         Info"
            },
        );
        let mut any = false;
        for p in self
            .peers
            .iter()
            .filter(|p| !p.removed && pattern.map_or(true, |pat| glob(pat, &p.spec.name)))
        {
            any = true;
            let since = time_of_day(self.wall(p.session.since()), v1);
            let (state, info) = (proto_state(p), bgp_info(p));
            r.line(
                1002,
                if v1 {
                    // BIRD 1.x: one table for everything, times to the second.
                    format!(
                        "{:<8} {:<8} {:<8} {state:<6} {since:<11} {info}",
                        p.spec.name, "BGP", "master"
                    )
                } else {
                    format!(
                        "{:<10} {:<10} {:<10} {state:<6} {since:<12}  {info}",
                        p.spec.name, "BGP", "---"
                    )
                },
            );
            if all {
                self.protocol_details(p, &mut r);
            }
        }
        if !any && pattern.is_some() {
            return Reply::only(8003, "No protocols match");
        }
        r
    }

    fn protocol_details(&self, p: &Peer, r: &mut Reply) {
        let state = p.session.state();
        r.line(1006, format!("  BGP state:          {state}"));
        r.line(
            1006,
            format!("    Neighbor address: {}", p.neighbor_address()),
        );
        let cfg = p.session.config();
        if let Some(up) = &p.up {
            r.line(1006, format!("    Neighbor AS:      {}", up.remote.asn()));
            r.line(1006, format!("    Local AS:         {}", cfg.local_as));
            r.line(1006, format!("    Neighbor ID:      {}", up.remote.bgp_id));
            r.line(1006, "    Neighbor capabilities");
            for c in up.remote.capabilities() {
                capability_lines(c, r);
            }
            let kind = if up.neg.ibgp { "internal" } else { "external" };
            let as4 = if up.neg.four_octet_as { " AS4" } else { "" };
            r.line(1006, format!("    Session:          {kind}{as4}"));
            if let Some(l) = up.local {
                r.line(1006, format!("    Source address:   {l}"));
            }
        } else {
            r.line(1006, format!("    Local AS:         {}", cfg.local_as));
            if let Some(why) = p.session.last_down() {
                r.line(1006, format!("    Last error:       {why}"));
            }
        }
        for f in &cfg.families {
            let name = if f.family.is_ipv6() { "ipv6" } else { "ipv4" };
            let table = if f.family.is_ipv6() {
                "master6"
            } else {
                "master4"
            };
            let up =
                p.up.as_ref()
                    .is_some_and(|u| u.neg.families.contains(f.family));
            r.line(1006, format!("  Channel {name}"));
            r.line(
                1006,
                format!("    State:          {}", if up { "UP" } else { "DOWN" }),
            );
            r.line(1006, format!("    Table:          {table}"));
            r.line(1006, "    Preference:     100");
            r.line(
                1006,
                format!("    Input filter:   {}", filter_name(&*p.spec.import)),
            );
            r.line(
                1006,
                format!("    Output filter:  {}", filter_name(&*p.spec.export)),
            );
            if up {
                let imported = self.count_paths(|prefix, path| {
                    path.source == p.source && prefix.is_ipv6() == f.family.is_ipv6()
                });
                let preferred = self.count_best(|prefix, path| {
                    path.source == p.source && prefix.is_ipv6() == f.family.is_ipv6()
                });
                r.line(
                    1006,
                    format!(
                        "    Routes:         {imported} imported, {} exported, {preferred} preferred",
                        p.stats.exported
                    ),
                );
            }
        }
        r.line(1006, "");
    }

    fn count_paths(&self, f: impl Fn(&Prefix, &Path) -> bool) -> usize {
        self.table
            .iter()
            .map(|(k, e)| e.paths.iter().filter(|p| f(&k, p)).count())
            .sum()
    }

    fn count_best(&self, f: impl Fn(&Prefix, &Path) -> bool) -> usize {
        self.table
            .iter()
            .filter(|(k, e)| e.best().is_some_and(|p| f(k, p)))
            .count()
    }

    fn show_route(&self, q: &RouteQuery) -> Reply {
        let proto = match &q.protocol {
            Some(name) => match self.peers.iter().find(|p| &p.spec.name == name) {
                Some(p) => Some(p.source),
                None => return Reply::only(9001, format!("{name}: no such protocol")),
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
        // (routes, networks) per table.
        let (mut c4, mut c6) = ((0usize, 0usize), (0usize, 0usize));
        let mut table_open = None;
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
            let mut first = true;
            for (i, path) in e.paths.iter().enumerate() {
                let primary = i == 0 && path.reachable;
                if (q.primary && !primary) || proto.is_some_and(|s| s != path.source) {
                    continue;
                }
                if first {
                    counts.1 += 1;
                }
                counts.0 += 1;
                if q.count {
                    first = false;
                    continue;
                }
                if table_open != Some(table) {
                    if table_open.is_some() {
                        r.line(1007, "");
                    }
                    r.line(1007, format!("Table {table}:"));
                    table_open = Some(table);
                }
                self.route_lines(net, path, first, primary, q.all, &mut r);
                first = false;
            }
        }
        if q.count {
            let mut r = Reply::new();
            for (t, (routes, nets)) in [("master4", c4), ("master6", c6)] {
                r.line(
                    1007,
                    format!("{routes} of {routes} routes for {nets} networks in table {t}"),
                );
            }
            let (routes, nets) = (c4.0 + c6.0, c4.1 + c6.1);
            r.end(
                14,
                format!("Total: {routes} of {routes} routes for {nets} networks in 2 tables"),
            );
            return r;
        }
        if table_open.is_none() && (q.prefix.is_some() || q.for_addr.is_some()) {
            return Reply::only(8001, "Network not found");
        }
        r
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

    fn route_lines(
        &self,
        net: &Prefix,
        path: &Path,
        first: bool,
        primary: bool,
        all: bool,
        r: &mut Reply,
    ) {
        let src = self.sources.get(path.source);
        let name = src.map_or("?", |s| s.name.as_str());
        let since = self
            .peers
            .iter()
            .find(|p| p.source == path.source)
            .map_or_else(
                || time_of_day(self.wall_epoch, false),
                |p| time_of_day(self.wall(p.session.since()), false),
            );
        let net_col = if first {
            net.to_string()
        } else {
            String::new()
        };
        let star = if primary { " *" } else { "" };
        let pref = src.map_or(100, |s| s.preference);
        let a = &path.attrs;
        let kind = if path.hop.is_some() {
            "unicast"
        } else {
            "blackhole"
        };
        let mut line = format!("{net_col:<20} {kind} [{name} {since}]{star} ({pref})");
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
        r.line(1007, line);
        let dev = self.link_dev.get(&path.source).copied();
        if let Some(nh) = path.next_hop() {
            let (a, link_scope) = wren_core::export::forwarding_address(nh);
            r.line(1007, self.via(a, if link_scope { dev } else { None }));
        }
        if all {
            r.line(1008, "\tType: BGP univ");
            attribute_lines(a, path.next_hop(), r);
        }
    }

    fn show_memory(&self) -> Reply {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let rss = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .map_or_else(String::new, |v| v.trim().to_string());
        let mut r = Reply::new();
        r.line(1018, "Wren memory usage")
            .line(
                1018,
                format!("Routing tables:   {} networks", self.table.len()),
            )
            .line(
                1018,
                format!("Route attributes: {} distinct sets", self.store.len()),
            )
            .line(1018, format!("Total:            {rss} resident"));
        r
    }
}

fn attribute_lines(a: &PathAttributes, nh: Option<NextHop>, r: &mut Reply) {
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
    if let Some(lp) = a.local_pref {
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

fn capability_lines(c: &Capability, r: &mut Reply) {
    let text = match c {
        Capability::Multiprotocol(f) => match f.family() {
            Some(f) if f.is_ipv6() => "      Multiprotocol (AF announced: ipv6)".to_string(),
            Some(_) => "      Multiprotocol (AF announced: ipv4)".to_string(),
            None => format!("      Multiprotocol (AF {}/{})", f.afi.0, f.safi.0),
        },
        Capability::RouteRefresh => "      Route refresh".into(),
        Capability::GracefulRestart { time, .. } => {
            format!("      Graceful restart (restart time {time})")
        }
        Capability::FourOctetAs(_) => "      4-octet AS numbers".into(),
        Capability::AddPath(_) => "      ADD-PATH".into(),
        Capability::EnhancedRouteRefresh => "      Enhanced refresh".into(),
        Capability::ExtendedMessage => "      Extended message".into(),
        Capability::ExtendedNextHop(_) => "      Extended next hop".into(),
        Capability::Fqdn { hostname, .. } => format!("      Hostname: {hostname}"),
        other => format!("      Capability {}", other.code()),
    };
    r.line(1006, text);
}

fn filter_name(p: &dyn wren_core::policy::Policy) -> &'static str {
    let d = format!("{p:?}");
    match d.as_str() {
        "AcceptAll" => "ACCEPT",
        "RejectAll" => "REJECT",
        _ => "(filter)",
    }
}

/// BIRD's state column: `up` when established, `down` when disabled,
/// `start` while trying.
fn proto_state(p: &Peer) -> &'static str {
    match p.session.state() {
        State::Established => "up",
        _ if !p.session.is_enabled() => "down",
        _ => "start",
    }
}

/// The info column: the BGP state, then the last error while not up
/// (`Active        Received: Administrative shutdown`).
fn bgp_info(p: &Peer) -> String {
    let s = p.session.state();
    match (s, p.session.last_down()) {
        (State::Established, _) | (_, None) => format!("{:<14}", s.to_string()),
        (_, Some(why)) => format!("{:<14}{why}", s.to_string()),
    }
}

/// Shell-style match with `*` and `?`, as BIRD's protocol patterns.
pub(super) fn glob(pat: &str, s: &str) -> bool {
    fn go(p: &[u8], s: &[u8]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(b'*'), _) => {
                go(p.get(1..).unwrap_or_default(), s)
                    || (!s.is_empty() && go(p, s.get(1..).unwrap_or_default()))
            }
            (Some(b'?'), Some(_)) => go(
                p.get(1..).unwrap_or_default(),
                s.get(1..).unwrap_or_default(),
            ),
            (Some(a), Some(b)) if a == b => go(
                p.get(1..).unwrap_or_default(),
                s.get(1..).unwrap_or_default(),
            ),
            _ => false,
        }
    }
    go(pat.as_bytes(), s.as_bytes())
}

/// (year, month, day, hour, minute, second, millisecond) in UTC.
fn civil(t: SystemTime) -> (i64, u32, u32, u32, u32, u32, u32) {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = i64::try_from(d.as_secs()).unwrap_or(0);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Days to civil date (proleptic Gregorian), after H. Hinnant.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let n = |x: i64| u32::try_from(x).unwrap_or(0);
    (
        year,
        n(month),
        n(day),
        n(rem / 3600),
        n(rem / 60 % 60),
        n(rem % 60),
        d.subsec_millis(),
    )
}

/// `2026-11-23 06:06:18.945`, as `show status` prints times.
fn date_time(t: SystemTime) -> String {
    let (y, mo, d, h, mi, s, ms) = civil(t);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{ms:03}")
}

/// `06:06:33.284` for today, the date otherwise, as BIRD's `since` column.
/// BIRD's time column: today's time (BIRD 1.x to the second, 2.x to the
/// millisecond), or the date.
fn time_of_day(t: SystemTime, seconds: bool) -> String {
    let (y, mo, d, h, mi, s, ms) = civil(t);
    let (ny, nmo, nd, ..) = civil(SystemTime::now());
    if (y, mo, d) == (ny, nmo, nd) && seconds {
        format!("{h:02}:{mi:02}:{s:02}")
    } else if (y, mo, d) == (ny, nmo, nd) {
        format!("{h:02}:{mi:02}:{s:02}.{ms:03}")
    } else {
        format!("{y:04}-{mo:02}-{d:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        let t = UNIX_EPOCH + Duration::from_millis(1_795_413_978_945);
        assert_eq!(date_time(t), "2026-11-23 06:06:18.945");
        assert_eq!(date_time(UNIX_EPOCH), "1970-01-01 00:00:00.000");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(date_time(leap), "2000-02-29 00:00:00.000");
    }

    #[test]
    fn globs() {
        assert!(glob("Mesh_*", "Mesh_192_168_0_80"));
        assert!(glob("peer_?", "peer_a"));
        assert!(!glob("Mesh_*", "Node_1"));
    }
}
