//! Evaluating a lab's checks against the nodes' own views: `birdc` for
//! BIRD and Wren, `vtysh` for FRR, `gobgp` for GoBGP, `ip route` and
//! `ping` for the kernel.

use super::run::{sh, Lab};
use super::topology::{Check, Kind};

/// Whether `check` holds now; on failure, what was seen.
pub fn holds(lab: &Lab, check: &Check) -> Result<(), String> {
    match check {
        Check::Established { node, protocol } => established(lab, node, protocol),
        Check::Route {
            node,
            prefix,
            contains,
        } => {
            let ns = lab.ns(node);
            let fam = if prefix.contains(':') { "-6" } else { "-4" };
            let out = sh(&["ip", fam, "-n", &ns, "route", "show", prefix])?;
            let line = out.lines().next().unwrap_or("").to_string();
            if !line.is_empty() && contains.iter().all(|c| line.contains(c.as_str())) {
                Ok(())
            } else {
                Err(format!("ip route show {prefix}: `{}`", out.trim()))
            }
        }
        Check::BgpRoute {
            node,
            prefix,
            contains,
        } => {
            let out = bgp_view(lab, node, prefix)?;
            if out.contains(prefix.split('/').next().unwrap_or(prefix))
                && contains.iter().all(|c| out.contains(c.as_str()))
            {
                Ok(())
            } else {
                Err(out.lines().take(6).collect::<Vec<_>>().join(" | "))
            }
        }
        Check::Traceroute { node, to, path } => {
            let ns = lab.ns(node);
            let max = (path.len() + 2).to_string();
            let out = sh(&[
                "ip",
                "netns",
                "exec",
                &ns,
                "traceroute",
                "-n",
                "-q",
                "1",
                "-w",
                "1",
                "-m",
                &max,
                to,
            ])?;
            let seen = hops(&out);
            if seen == *path {
                Ok(())
            } else {
                Err(format!("traceroute went {}", seen.join(" > ")))
            }
        }
        Check::Ping { node, to, from } => {
            let ns = lab.ns(node);
            let mut args = vec!["ip", "netns", "exec", &ns, "ping", "-c", "1", "-W", "1"];
            if let Some(f) = from {
                args.extend(["-I", f.as_str()]);
            }
            args.push(to);
            sh(&args).map(|_| ())
        }
    }
}

/// The answering address of each hop in `traceroute -n -q 1` output
/// (`*` where none answered).
fn hops(out: &str) -> Vec<String> {
    out.lines()
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .filter_map(|l| l.split_whitespace().nth(1).map(str::to_string))
        .collect()
}

/// The node's own view of one prefix in its BGP table.
fn bgp_view(lab: &Lab, node: &str, prefix: &str) -> Result<String, String> {
    let ns = lab.ns(node);
    match lab.topo.nodes.get(node).map(|n| n.kind) {
        Some(Kind::Bird | Kind::Bird1 | Kind::Wren) => {
            let ctl = lab.file(node, "ctl");
            sh(&[
                "birdc",
                "-s",
                &ctl.to_string_lossy(),
                "show",
                "route",
                prefix,
                "all",
            ])
        }
        Some(Kind::Frr) => {
            let vty = lab.dir.join(node);
            let fam = if prefix.contains(':') { "ipv6" } else { "ipv4" };
            let cmd = format!("show bgp {fam} unicast {prefix}");
            sh(&[
                "ip",
                "netns",
                "exec",
                &ns,
                "vtysh",
                "--vty_socket",
                &vty.to_string_lossy(),
                "-d",
                "bgpd",
                "-c",
                &cmd,
            ])
        }
        Some(Kind::Gobgp) => {
            let fam = if prefix.contains(':') { "ipv6" } else { "ipv4" };
            sh(&[
                "ip",
                "netns",
                "exec",
                &ns,
                "gobgp",
                "-u",
                "127.0.0.1",
                "global",
                "rib",
                "-a",
                fam,
                prefix,
            ])
        }
        _ => Err(format!("{node} runs no BGP")),
    }
}

fn established(lab: &Lab, node: &str, protocol: &str) -> Result<(), String> {
    let kind = lab.topo.nodes.get(node).map(|n| n.kind);
    let ns = lab.ns(node);
    let (out, want) = match kind {
        Some(Kind::Bird | Kind::Bird1 | Kind::Wren) => {
            let ctl = lab.file(node, "ctl");
            let ctl = ctl.to_string_lossy();
            (
                sh(&["birdc", "-s", &ctl, "show", "protocols", protocol])?,
                "Established",
            )
        }
        Some(Kind::Frr) => {
            let vty = lab.dir.join(node);
            let vty = vty.to_string_lossy();
            let cmd = format!("show bgp neighbors {protocol} json");
            (
                sh(&[
                    "ip",
                    "netns",
                    "exec",
                    &ns,
                    "vtysh",
                    "--vty_socket",
                    &vty,
                    "-d",
                    "bgpd",
                    "-c",
                    &cmd,
                ])?,
                "\"bgpState\":\"Established\"",
            )
        }
        Some(Kind::Gobgp) => (
            sh(&[
                "ip",
                "netns",
                "exec",
                &ns,
                "gobgp",
                "-u",
                "127.0.0.1",
                "neighbor",
                protocol,
            ])?,
            "BGP state = ESTABLISHED",
        ),
        _ => return Err(format!("{node} runs no BGP")),
    };
    if out
        .to_ascii_uppercase()
        .contains(&want.to_ascii_uppercase())
    {
        Ok(())
    } else {
        Err(out.lines().take(4).collect::<Vec<_>>().join(" | "))
    }
}

#[cfg(test)]
mod tests {
    use super::hops;

    #[test]
    fn traceroute_hops_in_order_with_silent_ones() {
        let out = "traceroute to 10.1.3.56 (10.1.3.56), 7 hops max, 60 byte packets
 1  10.1.2.1  0.050 ms
 2  10.0.2.1  0.071 ms
 3  *
 4  10.0.0.2  0.120 ms
 5  10.1.3.56  0.130 ms
";
        assert_eq!(
            hops(out),
            ["10.1.2.1", "10.0.2.1", "*", "10.0.0.2", "10.1.3.56"]
        );
    }
}
