//! The scenarios: who announces what, and which clocks run.
//!
//! Every scenario exists in a full size and a `--quick` size with the same
//! shape, so that CI exercises each code path in seconds and the full run
//! measures it at internet scale.

use crate::attrs::AttrMode;

/// What a scenario puts together and what stops its clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Testers feed the router; the monitor peer stops the clock when it
    /// holds every route.
    Transit,
    /// Testers feed the router, which installs the routes into the kernel
    /// of its namespace; the kernel's route notifications stop the clock.
    /// No monitor peer: the router's work is intake and FIB only.
    KernelFib,
    /// An iBGP full mesh of routers, each in a namespace of its own with
    /// its own kernel table; one adds a pod CIDR and the clock stops when
    /// every other node's kernel holds it. No tester or monitor peers.
    Mesh {
        /// Routers in the mesh.
        nodes: u32,
        /// Times the pod CIDR is added and removed; the figures are the
        /// median round's (one event of a few milliseconds on two shared
        /// cores is too noisy to stand alone).
        rounds: u32,
    },
}

/// One benchmark scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Name for `--scenario` and the reports.
    pub name: &'static str,
    /// What it measures, one line.
    pub about: &'static str,
    /// Tester peers.
    pub peers: u32,
    /// IPv4 routes each tester announces.
    pub v4_per_peer: u32,
    /// IPv6 routes each tester announces.
    pub v6_per_peer: u32,
    /// How routes share attribute sets.
    pub attrs: AttrMode,
    /// After convergence, the testers withdraw everything (the mesh's
    /// origin removes its pod CIDR) and a second clock runs until nothing
    /// is held.
    pub withdraw: bool,
    /// What is put together and watched.
    pub kind: Kind,
}

impl Scenario {
    /// Routes the monitor must hold at convergence.
    pub fn total_routes(&self) -> u64 {
        u64::from(self.peers) * (u64::from(self.v4_per_peer) + u64::from(self.v6_per_peer))
    }

    /// IPv4 routes of all peers.
    pub fn total_v4(&self) -> u32 {
        self.peers.saturating_mul(self.v4_per_peer)
    }

    /// IPv6 routes of all peers.
    pub fn total_v6(&self) -> u32 {
        self.peers.saturating_mul(self.v6_per_peer)
    }

    /// Whether any IPv6 route is announced (the routers then get an IPv6
    /// channel on every session).
    pub fn has_v6(&self) -> bool {
        self.v6_per_peer > 0
    }

    /// What the first clock counts up to: routes at the monitor or in
    /// the kernel, or mesh nodes that learnt the pod CIDR.
    pub fn goal(&self) -> u64 {
        match self.kind {
            Kind::Mesh { nodes, .. } => u64::from(nodes.saturating_sub(1)),
            Kind::Transit | Kind::KernelFib => self.total_routes(),
        }
    }

    /// What [`Scenario::goal`] counts: "routes" or "nodes".
    pub fn unit(&self) -> &'static str {
        match self.kind {
            Kind::Mesh { .. } => "nodes",
            Kind::Transit | Kind::KernelFib => "routes",
        }
    }

    /// Whether tester peers feed the router (all but the mesh).
    pub fn has_testers(&self) -> bool {
        !matches!(self.kind, Kind::Mesh { .. })
    }

    /// "10 peers × 100,000 IPv4 routes, shared attributes".
    pub fn shape(&self) -> String {
        if let Kind::Mesh { nodes, rounds } = self.kind {
            return format!(
                "{}-node iBGP full mesh, one node adds a pod CIDR{}; median of {rounds} rounds",
                thousands(u64::from(nodes)),
                if self.withdraw {
                    ", then removes it"
                } else {
                    ""
                }
            );
        }
        let mut routes = Vec::new();
        if self.v4_per_peer > 0 {
            routes.push(format!("{} IPv4", thousands(u64::from(self.v4_per_peer))));
        }
        if self.v6_per_peer > 0 {
            routes.push(format!("{} IPv6", thousands(u64::from(self.v6_per_peer))));
        }
        let attrs = match self.attrs {
            AttrMode::Shared => "one attribute set per peer",
            AttrMode::Distinct => "distinct attributes per route",
        };
        let peers = if self.peers == 1 { "peer" } else { "peers" };
        format!(
            "{} {peers} × {} routes, {attrs}{}{}",
            thousands(u64::from(self.peers)),
            routes.join(" + "),
            if self.kind == Kind::KernelFib {
                ", into the kernel FIB"
            } else {
                ""
            },
            if self.withdraw {
                ", then all withdrawn"
            } else {
                ""
            }
        )
    }
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

const fn sc(
    name: &'static str,
    about: &'static str,
    peers: u32,
    v4_per_peer: u32,
    v6_per_peer: u32,
    attrs: AttrMode,
    withdraw: bool,
) -> Scenario {
    Scenario {
        name,
        about,
        peers,
        v4_per_peer,
        v6_per_peer,
        attrs,
        withdraw,
        kind: Kind::Transit,
    }
}

/// `peers` testers × `routes` IPv4 routes into the router's kernel FIB,
/// then withdrawn.
const fn kernel_fib(peers: u32, routes: u32) -> Scenario {
    Scenario {
        kind: Kind::KernelFib,
        ..sc("kernel-fib", FIB, peers, routes, 0, AttrMode::Shared, true)
    }
}

/// A full mesh of `nodes` routers; the pod CIDR is added, then removed,
/// `rounds` times.
const fn mesh(nodes: u32, rounds: u32) -> Scenario {
    Scenario {
        kind: Kind::Mesh { nodes, rounds },
        ..sc("mesh", MESH, 0, 0, 0, AttrMode::Shared, true)
    }
}

const ONE_PEER: &str = "one big feed: table insertion and export at full speed";
const DISTINCT: &str = "one route per UPDATE, one attribute set per route: parsing and interning";
const TEN: &str = "ten feeds at once: per-peer input handling and best-path merging";
const HUNDRED: &str = "a hundred smaller feeds: per-session overhead";
const FAN_IN: &str = "route-server fan-in: a thousand sessions, few routes each";
const DUAL: &str = "IPv4 and IPv6 side by side: MP_REACH_NLRI in and out";
const WITHDRAW: &str = "the whole table withdrawn: removal and withdrawal packing";
const FIB: &str = "a full table into the Linux kernel FIB and out again: kernel programming";
const MESH: &str =
    "Kubernetes-style node mesh: time until every node's kernel routes a new pod CIDR";

/// The full-size scenarios, in the order they run.
pub fn full() -> Vec<Scenario> {
    use AttrMode::{Distinct, Shared};
    vec![
        sc("one-peer", ONE_PEER, 1, 1_000_000, 0, Shared, false),
        sc("distinct", DISTINCT, 1, 200_000, 0, Distinct, false),
        sc("ten-peers", TEN, 10, 100_000, 0, Shared, false),
        sc("hundred-peers", HUNDRED, 100, 10_000, 0, Shared, false),
        sc("fan-in", FAN_IN, 1_000, 100, 0, Distinct, false),
        sc("dual-stack", DUAL, 10, 50_000, 50_000, Shared, false),
        sc("withdraw", WITHDRAW, 1, 1_000_000, 0, Shared, true),
        kernel_fib(1, 1_000_000),
        mesh(50, 7),
    ]
}

/// The same shapes at CI size: seconds per target.
pub fn quick() -> Vec<Scenario> {
    use AttrMode::{Distinct, Shared};
    vec![
        sc("one-peer", ONE_PEER, 1, 10_000, 0, Shared, false),
        sc("distinct", DISTINCT, 1, 2_000, 0, Distinct, false),
        sc("ten-peers", TEN, 10, 1_000, 0, Shared, false),
        sc("hundred-peers", HUNDRED, 100, 100, 0, Shared, false),
        sc("fan-in", FAN_IN, 50, 20, 0, Distinct, false),
        sc("dual-stack", DUAL, 10, 500, 500, Shared, false),
        sc("withdraw", WITHDRAW, 1, 10_000, 0, Shared, true),
        kernel_fib(1, 10_000),
        mesh(8, 3),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::MAX_TESTERS;
    use crate::mesh::plan::MAX_NODES;
    use crate::prefixes::MAX_ROUTES;

    #[test]
    fn sizes_fit_the_numbering_and_the_lab() {
        for s in full().into_iter().chain(quick()) {
            assert!(s.peers <= MAX_TESTERS);
            assert!(u64::from(s.total_v4()) <= u64::from(MAX_ROUTES));
            assert!(u64::from(s.total_v6()) <= u64::from(MAX_ROUTES));
            assert!(s.goal() > 0);
            if let Kind::Mesh { nodes, rounds } = s.kind {
                assert!((2..=MAX_NODES).contains(&nodes));
                assert!(rounds % 2 == 1, "an odd count has a middle round");
            }
        }
        let names: Vec<_> = full().iter().map(|s| s.name).collect();
        let quick_names: Vec<_> = quick().iter().map(|s| s.name).collect();
        assert_eq!(names, quick_names);
    }

    #[test]
    fn shape_reads_well() {
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(
            full()[0].shape(),
            "1 peer × 1,000,000 IPv4 routes, one attribute set per peer"
        );
        let fib = full().into_iter().find(|s| s.name == "kernel-fib");
        assert_eq!(
            fib.map(|s| s.shape()).as_deref(),
            Some("1 peer × 1,000,000 IPv4 routes, one attribute set per peer, into the kernel FIB, then all withdrawn")
        );
        let mesh = quick().into_iter().find(|s| s.name == "mesh");
        assert_eq!(mesh.as_ref().map(Scenario::goal), Some(7));
    }
}
