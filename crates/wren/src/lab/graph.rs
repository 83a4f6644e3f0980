//! `wren-lab graph`: the topology as an SVG picture, nodes on a circle
//! with their kind, links labelled with their interfaces.

use super::topology::{Kind, Topology};
use std::fmt::Write;

fn colour(k: Kind) -> &'static str {
    match k {
        Kind::Wren => "#2e7d32",
        Kind::Bird => "#1565c0",
        Kind::Frr => "#c62828",
        Kind::Gobgp => "#6a1b9a",
        Kind::Host => "#616161",
        Kind::Switch => "#9e9e9e",
    }
}

/// The SVG text for `t`.
pub fn svg(t: &Topology) -> String {
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
