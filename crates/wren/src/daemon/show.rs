//! Answers to control-socket commands, from the main loop's own state,
//! in BIRD 2's wording and columns (scripts that parse `birdc` output,
//! Calico's among them, keep working). Reference transcripts of BIRD
//! 2.0.12 are in tests/fixtures/birdc.

use super::peer::Peer;
use super::spec::Generation;
use super::Daemon;
use crate::control::{Command, Reply};
use crate::timefmt::{date_time, time_of_day};
use std::time::{Duration, SystemTime};
use wren_core::rib::Path;
use wren_core::session::State;
use wren_core::time::Instant;
use wren_wire::capability::Capability;
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
            Command::Configure(_)
            | Command::ConfigureCheck
            | Command::Debug(..)
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

    pub(super) fn wall(&self, t: Instant) -> SystemTime {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("Mesh_*", "Mesh_192_168_0_80"));
        assert!(glob("peer_?", "peer_a"));
        assert!(!glob("Mesh_*", "Node_1"));
    }
}
