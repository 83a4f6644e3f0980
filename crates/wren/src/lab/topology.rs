//! The lab file: nodes, links, addresses, the configs routers run, and the
//! checks that say the lab works. YAML, in the spirit of containerlab;
//! unknown keys are errors.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A whole lab.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topology {
    /// Short name; namespaces are `wl-NAME-NODE`.
    pub name: String,
    /// What the lab shows, for the report.
    #[serde(default)]
    pub description: String,
    /// Seconds the checks may take to come true (convergence bound).
    #[serde(default = "default_timeout")]
    pub timeout: u64,
    /// Nodes by name.
    pub nodes: BTreeMap<String, Node>,
    /// Point-to-point links.
    #[serde(default)]
    pub links: Vec<Link>,
    /// What must hold once the lab is up, written `- KIND: {…}`.
    #[serde(default, with = "serde_yaml_ng::with::singleton_map_recursive")]
    pub checks: Vec<Check>,
}

fn default_timeout() -> u64 {
    60
}

/// One network namespace and what runs in it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// What runs there.
    pub kind: Kind,
    /// The router's configuration file, relative to the lab file.
    #[serde(default)]
    pub config: Option<PathBuf>,
    /// `IFACE ADDRESS/LEN`, e.g. `eth0 192.168.1.1/24`; `lo` is fine.
    #[serde(default)]
    pub addresses: Vec<String>,
    /// Arguments of `ip route add`, e.g. `default via 192.168.1.1`.
    #[serde(default)]
    pub routes: Vec<String>,
    /// sysctl settings, e.g. `net.ipv4.ip_forward: "1"`.
    #[serde(default)]
    pub sysctls: BTreeMap<String, String>,
    /// Commands run in the node after addresses and routes, before the
    /// router starts.
    #[serde(default)]
    pub exec: Vec<String>,
    /// FRR only: run zebra beside bgpd, so that bgpd installs its routes
    /// in the kernel and can peer by interface (`neighbor net0
    /// interface`, which needs zebra's router advertisements).
    #[serde(default)]
    pub zebra: bool,
}

/// The kinds of node.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// wrend.
    Wren,
    /// BIRD 2.
    Bird,
    /// BIRD 1.6.8, the 1.x dialect's reference (`scripts/bird1` fetches
    /// it; `WREN_BIRD1` names another binary).
    Bird1,
    /// FRR's bgpd, without zebra unless the node says `zebra: true`.
    Frr,
    /// gobgpd.
    Gobgp,
    /// No router: a host or a "container".
    Host,
    /// An Ethernet switch: a bridge `br0` every link to it joins.
    Switch,
}

/// A veth pair between two nodes: `["r1:eth0", "r2:eth0"]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// The two ends.
    pub endpoints: [String; 2],
}

/// A condition the lab must reach.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Check {
    /// A BGP session is Established: `protocol` is the BIRD/Wren protocol
    /// name, or the neighbour address for FRR and GoBGP.
    Established {
        /// Node.
        node: String,
        /// Protocol name or neighbour address.
        protocol: String,
    },
    /// `ip route show PREFIX` in the node's kernel contains `contains`.
    Route {
        /// Node.
        node: String,
        /// Prefix.
        prefix: String,
        /// Text the route line must hold (`via 192.168.1.2`, `proto bird`).
        #[serde(default)]
        contains: Vec<String>,
    },
    /// The node's BGP table (`birdc show route PREFIX all`, `gobgp global
    /// rib PREFIX`, `vtysh show bgp PREFIX`) holds the prefix, with
    /// `contains` in that output.
    BgpRoute {
        /// Node.
        node: String,
        /// Prefix.
        prefix: String,
        /// Text the output must hold (`BGP.as_path: 65001`).
        #[serde(default)]
        contains: Vec<String>,
    },
    /// `traceroute -n` from the node reaches `to` through exactly `path`:
    /// the address that answered at each hop, the destination last.
    Traceroute {
        /// Node.
        node: String,
        /// Destination.
        to: String,
        /// Expected answering address per hop.
        path: Vec<String>,
    },
    /// `ping` from the node answers.
    Ping {
        /// Node.
        node: String,
        /// Destination.
        to: String,
        /// Source address.
        #[serde(default)]
        from: Option<String>,
    },
}

impl Check {
    /// The node the check runs in.
    pub fn node(&self) -> &str {
        match self {
            Check::Established { node, .. }
            | Check::Route { node, .. }
            | Check::BgpRoute { node, .. }
            | Check::Traceroute { node, .. }
            | Check::Ping { node, .. } => node,
        }
    }

    /// One line for the report.
    pub fn describe(&self) -> String {
        match self {
            Check::Established { node, protocol } => {
                format!("{node}: session {protocol} Established")
            }
            Check::Route {
                node,
                prefix,
                contains,
            } => {
                format!("{node}: kernel route {prefix} {}", contains.join(" "))
            }
            Check::BgpRoute {
                node,
                prefix,
                contains,
            } => format!("{node}: BGP route {prefix} {}", contains.join(" ")),
            Check::Traceroute { node, to, path } => {
                format!("{node}: traceroute {to} via {}", path.join(" > "))
            }
            Check::Ping { node, to, from } => match from {
                Some(f) => format!("{node}: ping {to} from {f}"),
                None => format!("{node}: ping {to}"),
            },
        }
    }
}

/// Reads and checks a lab file; config paths become absolute.
pub fn load(path: &Path) -> Result<Topology, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut t: Topology = serde_yaml_ng::from_str(&text).map_err(|e| match e.location() {
        Some(l) => format!("{}:{}:{}: {e}", path.display(), l.line(), l.column()),
        None => format!("{}: {e}", path.display()),
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    let bad = |what: String| format!("{}: {what}", path.display());
    if t.name.is_empty()
        || t.name.len() > 12
        || !t
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(bad(format!(
            "name `{}`: 1-12 letters, digits or `-`",
            t.name
        )));
    }
    for (name, node) in &mut t.nodes {
        if name.len() > 10 {
            return Err(bad(format!(
                "node name `{name}` is longer than 10 characters"
            )));
        }
        if node.zebra && node.kind != Kind::Frr {
            return Err(bad(format!("{name}: `zebra` is for FRR nodes only")));
        }
        match (&node.config, node.kind) {
            (None, Kind::Host | Kind::Switch) => {}
            (Some(_), Kind::Host | Kind::Switch) => {
                return Err(bad(format!("{name}: a host or switch runs no config")))
            }
            (None, _) => return Err(bad(format!("{name}: a router needs `config`"))),
            (Some(c), _) => {
                let abs = base.join(c);
                if !abs.exists() {
                    return Err(bad(format!(
                        "{name}: config {} does not exist",
                        abs.display()
                    )));
                }
                // Absolute: routers may run in another directory.
                node.config = Some(std::fs::canonicalize(&abs).unwrap_or(abs));
            }
        }
    }
    for l in &t.links {
        for end in &l.endpoints {
            let Some((node, iface)) = end.split_once(':') else {
                return Err(bad(format!("link end `{end}` is not NODE:IFACE")));
            };
            if !t.nodes.contains_key(node) || iface.is_empty() || iface.len() > 15 {
                return Err(bad(format!(
                    "link end `{end}`: unknown node or bad interface name"
                )));
            }
        }
    }
    for c in &t.checks {
        if !t.nodes.contains_key(c.node()) {
            return Err(bad(format!("check `{}`: unknown node", c.describe())));
        }
    }
    Ok(t)
}
