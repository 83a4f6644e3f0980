//! `show interfaces [summary]` in BIRD 2's words, from what the `device`
//! side tracks (links and addresses, kept current by netlink events);
//! and `show symbols`, the configuration's names.

use super::Daemon;
use crate::control::reply::Reply;
use std::net::IpAddr;
use wren_linux::{Address, Link};

// `IFF_*` flags (linux/if.h).
const IFF_BROADCAST: u32 = 0x2;
const IFF_POINTOPOINT: u32 = 0x10;
const IFF_MULTICAST: u32 = 0x1000;

/// BIRD's scope names.
fn scope(s: u8) -> &'static str {
    match s {
        0 => "univ",
        200 => "site",
        253 => "link",
        254 => "host",
        _ => "undefined",
    }
}

/// What BIRD prints as the interface's flags line.
fn flags(l: &Link) -> String {
    let mut f = vec![if l.flags & IFF_POINTOPOINT != 0 {
        "PtP"
    } else {
        "MultiAccess"
    }];
    if l.flags & IFF_BROADCAST != 0 {
        f.push("Broadcast");
    }
    if l.flags & IFF_MULTICAST != 0 {
        f.push("Multicast");
    }
    f.push(if l.up { "AdminUp" } else { "AdminDown" });
    f.push(if l.lower_up { "LinkUp" } else { "LinkDown" });
    if l.is_loopback() {
        f.push("Loopback Ignored");
    }
    format!("{} MTU={}", f.join(" "), l.mtu)
}

/// The interface's preferred address of a family: the first, and for
/// IPv6 a global one before a link-local one.
fn preferred(addrs: &[&Address], v6: bool) -> Option<IpAddr> {
    let mut of = addrs.iter().filter(|a| a.addr.is_ipv6() == v6);
    if v6 {
        let all: Vec<_> = of.collect();
        all.iter()
            .find(|a| a.scope != 253)
            .or(all.first())
            .map(|a| a.addr)
    } else {
        of.next().map(|a| a.addr)
    }
}

impl Daemon {
    /// `show interfaces [summary]`.
    pub(super) fn show_interfaces(&self, summary: bool) -> Reply {
        let mut links: Vec<&Link> = self.device.links.values().collect();
        links.sort_by_key(|l| l.index);
        let mut r = Reply::new();
        if summary {
            r.line(
                2005,
                "Interface  State  IPv4 address       IPv6 address".to_string(),
            );
        }
        for l in links {
            let addrs: Vec<&Address> = self
                .device
                .addresses
                .iter()
                .filter(|a| a.index == l.index)
                .collect();
            let state = if l.up { "up" } else { "down" };
            let with_len = |a: IpAddr| {
                addrs
                    .iter()
                    .find(|x| x.addr == a)
                    .map_or(a.to_string(), |x| format!("{}/{}", x.addr, x.prefix_len))
            };
            if summary {
                let v4 = preferred(&addrs, false).map(with_len).unwrap_or_default();
                let v6 = preferred(&addrs, true).map(with_len).unwrap_or_default();
                r.line(
                    1005,
                    format!("{:<10} {:<6} {:<18} {}", l.name, state, v4, v6),
                );
                continue;
            }
            r.line(1001, format!("{} {} (index={})", l.name, state, l.index));
            r.line(1004, format!("\t{}", flags(l)));
            let pref = [preferred(&addrs, false), preferred(&addrs, true)];
            for a in &addrs {
                let p = if pref.contains(&Some(a.addr)) {
                    "Preferred, "
                } else {
                    ""
                };
                r.line(
                    1003,
                    format!(
                        "\t{}/{} ({p}scope {})",
                        a.addr,
                        a.prefix_len,
                        scope(a.scope)
                    ),
                );
            }
        }
        r
    }

    /// `show symbols [KIND|NAME]`: BIRD's kinds are `table`, `filter`,
    /// `function`, `protocol`, `template`; anything else is a name, and
    /// its one line ends the reply (`undefined` when there is none).
    pub(super) fn show_symbols(&self, which: Option<&str>) -> Reply {
        let kind = |k: &str| match k {
            "table" => Some("routing table"),
            "filter" => Some("filter"),
            "function" => Some("function"),
            "protocol" => Some("protocol"),
            "template" => Some("template"),
            _ => None,
        };
        let line = |name: &str, what: &str| format!("{name:<8}\t{what}");
        let mut r = Reply::new();
        match which.map(|w| (w, kind(w))) {
            Some((name, None)) => {
                let what = self
                    .spec
                    .symbols
                    .iter()
                    .find(|(n, _)| n == name)
                    .map_or("undefined", |(_, w)| w);
                r.end(1010, line(name, what));
            }
            Some((_, Some(k))) => {
                for (name, what) in self.spec.symbols.iter().filter(|(_, w)| *w == k) {
                    r.line(1010, line(name, what));
                }
            }
            None => {
                for (name, what) in &self.spec.symbols {
                    r.line(1010, line(name, what));
                }
            }
        }
        r
    }
}
