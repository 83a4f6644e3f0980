//! `wren-lab graph`: the topology as an SVG picture, nodes on a circle
//! with their kind, links labelled with their interfaces, and the BGP
//! sessions the lab's checks expect as dashed lines: green when
//! Established, red when not, grey when the lab is not up.

use super::check;
use super::run::{sh, Lab};
use super::topology::{Check, Kind, Topology};
use std::fmt::Write;

/// One expected session: from a node to the node at its other end, and
/// whether it is up (`None`: not known, the lab is not running).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The node the check is about.
    pub node: String,
    /// The node at the other end.
    pub peer: String,
    /// Established, not, or unknown.
    pub up: Option<bool>,
}

/// The sessions of `t`'s `established` checks whose other end is a node
/// of the lab; with `lab` (running), their states too.
pub fn sessions(t: &Topology, lab: Option<&Lab>) -> Vec<Session> {
    t.checks
        .iter()
        .filter_map(|c| {
            let Check::Established { node, protocol } = c else {
                return None;
            };
            let peer = peer_node(t, lab, node, protocol)?;
            Some(Session {
                node: node.clone(),
                peer,
                up: lab.map(|l| check::holds(l, c).is_ok()),
            })
        })
        .collect()
}

/// The node at the other end of `node`'s session `protocol`: the owner
/// of the neighbour address (FRR and GoBGP checks name it; BIRD and Wren
/// say it in `show protocols all`), or across the link of an interface
/// (FRR's unnumbered `net0`).
fn peer_node(t: &Topology, lab: Option<&Lab>, node: &str, protocol: &str) -> Option<String> {
    let owner = |addr: &str| {
        t.nodes
            .iter()
            .find(|(_, n)| {
                n.addresses.iter().any(|a| {
                    a.split_whitespace()
                        .nth(1)
                        .and_then(|x| x.split('/').next())
                        == Some(addr)
                })
            })
            .map(|(name, _)| name.clone())
    };
    if protocol.parse::<std::net::IpAddr>().is_ok() {
        return owner(protocol);
    }
    let across = t.links.iter().find_map(|l| {
        let [a, b] = &l.endpoints;
        if *a == format!("{node}:{protocol}") {
            b.split(':').next().map(str::to_string)
        } else if *b == format!("{node}:{protocol}") {
            a.split(':').next().map(str::to_string)
        } else {
            None
        }
    });
    if across.is_some() {
        return across;
    }
    let lab = lab?;
    let ctl = lab.file(node, "ctl");
    let out = sh(&[
        "birdc",
        "-s",
        &ctl.to_string_lossy(),
        "show",
        "protocols",
        "all",
        protocol,
    ])
    .ok()?;
    let addr = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("Neighbor address:"))?
        .trim()
        .to_string();
    owner(&addr)
}

fn colour(k: Kind) -> &'static str {
    match k {
        Kind::Wren => "#2e7d32",
        Kind::Bird => "#1565c0",
        Kind::Bird1 => "#0d47a1",
        Kind::Frr => "#c62828",
        Kind::Gobgp => "#6a1b9a",
        Kind::Host => "#616161",
        Kind::Switch => "#9e9e9e",
    }
}

/// The SVG text for `t`, with `sessions` drawn over the links.
pub fn svg(t: &Topology, sessions: &[Session]) -> String {
    let n = t.nodes.len().max(1);
    let (w, h, r) = (640.0_f64, 480.0_f64, 170.0_f64);
    let pos = |i: usize| {
        let a = std::f64::consts::TAU * i as f64 / n as f64 - std::f64::consts::FRAC_PI_2;
        (w / 2.0 + r * a.cos(), h / 2.0 + r * a.sin())
    };
    let index = |name: &str| t.nodes.keys().position(|k| k == name);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <text x=\"10\" y=\"20\" font-size=\"16\">{}</text>\n",
        t.name
    );
    for l in &t.links {
        let ends: Vec<(&str, &str)> = l
            .endpoints
            .iter()
            .filter_map(|e| e.split_once(':'))
            .collect();
        let [(a, ia), (b, ib)] = ends.as_slice() else {
            continue;
        };
        let (Some(x), Some(y)) = (index(a), index(b)) else {
            continue;
        };
        let ((x1, y1), (x2, y2)) = (pos(x), pos(y));
        let _ = writeln!(s, "<line x1=\"{x1:.0}\" y1=\"{y1:.0}\" x2=\"{x2:.0}\" y2=\"{y2:.0}\" stroke=\"#999\" stroke-width=\"2\"/>");
        let (lx, ly) = (x1 + (x2 - x1) * 0.25, y1 + (y2 - y1) * 0.25);
        let _ = writeln!(
            s,
            "<text x=\"{lx:.0}\" y=\"{ly:.0}\" fill=\"#555\">{ia}</text>"
        );
        let (lx, ly) = (x1 + (x2 - x1) * 0.75, y1 + (y2 - y1) * 0.75);
        let _ = writeln!(
            s,
            "<text x=\"{lx:.0}\" y=\"{ly:.0}\" fill=\"#555\">{ib}</text>"
        );
    }
    for x in sessions {
        let (Some(a), Some(b)) = (index(&x.node), index(&x.peer)) else {
            continue;
        };
        let ((x1, y1), (x2, y2)) = (pos(a), pos(b));
        let (colour, state) = match x.up {
            Some(true) => ("#2e7d32", "Established"),
            Some(false) => ("#c62828", "down"),
            None => ("#9e9e9e", "expected"),
        };
        let _ = writeln!(
            s,
            "<line x1=\"{x1:.0}\" y1=\"{y1:.0}\" x2=\"{x2:.0}\" y2=\"{y2:.0}\" stroke=\"{colour}\" stroke-width=\"3\" stroke-dasharray=\"8 5\"><title>{} - {}: {state}</title></line>",
            x.node, x.peer
        );
    }
    let _ = writeln!(
        s,
        "<text x=\"10\" y=\"{:.0}\" fill=\"#555\">dashed: BGP sessions (green Established, red down, grey lab not running)</text>",
        h - 10.0
    );
    for (i, (name, node)) in t.nodes.iter().enumerate() {
        let (x, y) = pos(i);
        let c = colour(node.kind);
        let _ = writeln!(
            s,
            "<circle cx=\"{x:.0}\" cy=\"{y:.0}\" r=\"30\" fill=\"{c}\"/>"
        );
        let _ = writeln!(
            s,
            "<text x=\"{x:.0}\" y=\"{:.0}\" fill=\"white\" text-anchor=\"middle\">{name}</text>",
            y - 2.0
        );
        let _ = writeln!(s, "<text x=\"{x:.0}\" y=\"{:.0}\" fill=\"white\" text-anchor=\"middle\" font-size=\"10\">{:?}</text>", y + 12.0, node.kind);
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn sessions_end_at_the_address_owner_or_across_the_link() {
        let dir = std::env::temp_dir().join(format!("wren-graph-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("r.conf"), "").unwrap();
        let lab = dir.join("lab.yaml");
        std::fs::write(
            &lab,
            "name: g\nnodes:\n  a:\n    kind: frr\n    config: r.conf\n    addresses: [\"e0 10.0.0.1/24\"]\n  b:\n    kind: gobgp\n    config: r.conf\n    addresses: [\"e0 10.0.0.2/24\"]\nlinks:\n  - endpoints: [\"a:e0\", \"b:e0\"]\nchecks:\n  - established: {node: a, protocol: 10.0.0.2}\n  - established: {node: b, protocol: e0}\n  - established: {node: a, protocol: 192.0.2.9}\n",
        )
        .unwrap();
        let t = super::super::topology::load(&lab).unwrap();
        let s = sessions(&t, None);
        assert_eq!(s.len(), 2, "the outside neighbour has no node: {s:?}");
        assert_eq!(
            (s[0].node.as_str(), s[0].peer.as_str(), s[0].up),
            ("a", "b", None)
        );
        assert_eq!((s[1].node.as_str(), s[1].peer.as_str()), ("b", "a"));
        let svg = svg(&t, &s);
        assert_eq!(svg.matches("stroke-dasharray").count(), 2);
        assert!(svg.contains("a - b: expected"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
