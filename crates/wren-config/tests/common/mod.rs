//! Test routes and a runner that reports what a filter decided and changed.
#![allow(dead_code, clippy::unwrap_used)]

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use wren_config::filter::{Filter, Verdict};
use wren_core::policy::{RouteDest, RouteFacts, RouteView};
use wren_core::rib::{BgpSource, SourceInfo, SourceKind};
use wren_wire::attributes::{AsPath, Community, LargeCommunity, Origin, PathAttributes};
use wren_wire::update::NextHop;
use wren_wire::Prefix;

/// A route to feed a filter.
#[derive(Clone, Debug)]
pub struct TestRoute {
    pub prefix: Prefix,
    pub source: SourceInfo,
    pub attrs: wren_core::rib::Attrs,
    pub next_hop: Option<NextHop>,
    pub facts: RouteFacts,
}

/// An iBGP route (AS 64512, from 10.0.0.1) for `prefix`, no attributes.
pub fn route(prefix: &str) -> TestRoute {
    TestRoute {
        prefix: prefix.parse().unwrap(),
        source: SourceInfo {
            name: "peer1".into(),
            kind: SourceKind::Bgp(BgpSource {
                peer_as: 64512,
                local_as: 64512,
                router_id: Ipv4Addr::new(10, 0, 0, 1),
                address: "10.0.0.1".parse().unwrap(),
                rr_client: false,
            }),
            preference: 100,
        },
        attrs: wren_core::rib::Attrs::new(PathAttributes::default()),
        next_hop: Some(NextHop::V4(Ipv4Addr::new(10, 0, 0, 1))),
        facts: RouteFacts::default(),
    }
}

impl TestRoute {
    fn kind(mut self, name: &str, kind: SourceKind, pref: u32) -> Self {
        self.source = SourceInfo {
            name: name.into(),
            kind,
            preference: pref,
        };
        self.next_hop = None;
        self
    }
    pub fn static_(self) -> Self {
        self.kind("static1", SourceKind::Static, 200)
    }
    pub fn kernel(self) -> Self {
        self.kind("kernel1", SourceKind::Kernel, 10)
    }
    pub fn direct(self) -> Self {
        self.kind("direct1", SourceKind::Direct, 240)
    }
    fn attrs(mut self, f: impl FnOnce(&mut PathAttributes)) -> Self {
        f(wren_core::rib::Attrs::make_mut(&mut self.attrs));
        self
    }
    pub fn local_pref(self, n: u32) -> Self {
        self.attrs(|a| a.local_pref = Some(n))
    }
    pub fn med(self, n: u32) -> Self {
        self.attrs(|a| a.med = Some(n))
    }
    pub fn origin(self, o: Origin) -> Self {
        self.attrs(|a| a.origin = Some(o))
    }
    pub fn path(self, asns: &[u32]) -> Self {
        self.attrs(|a| a.as_path = Some(AsPath::sequence(asns)))
    }
    pub fn community(self, x: u16, y: u16) -> Self {
        self.attrs(|a| a.communities.push(Community::new(x, y)))
    }
    pub fn large(self, g: u32, l1: u32, l2: u32) -> Self {
        self.attrs(|a| {
            a.large_communities.push(LargeCommunity {
                global: g,
                local1: l1,
                local2: l2,
            })
        })
    }
    pub fn ifname(mut self, s: &str) -> Self {
        self.facts.ifname = Some(Arc::from(s));
        self
    }
    pub fn metric(mut self, m: u32) -> Self {
        self.facts.krt_metric = Some(m);
        self
    }
    pub fn dest(mut self, d: RouteDest) -> Self {
        self.facts.dest = d;
        self
    }
    pub fn next_hop(mut self, a: &str) -> Self {
        self.next_hop = match a.parse::<IpAddr>().unwrap() {
            IpAddr::V4(v) => Some(NextHop::V4(v)),
            IpAddr::V6(g) => Some(NextHop::V6 {
                global: g,
                link_local: None,
            }),
        };
        self
    }
}

/// What a run did.
#[derive(Debug)]
pub struct Outcome {
    pub verdict: Verdict,
    pub accepted: bool,
    /// The attributes after the run, if the filter wrote any.
    pub modified: Option<PathAttributes>,
    pub facts: RouteFacts,
    pub next_hop: Option<NextHop>,
    pub printed: String,
}

/// Runs `f` on a copy of `r`.
pub fn run(f: &Filter, r: &TestRoute) -> Outcome {
    let mut view =
        RouteView::new(r.prefix, &r.source, &r.attrs, r.next_hop).with_facts(r.facts.clone());
    let mut printed = String::new();
    let verdict = f.run_with(&mut view, &mut |s| printed.push_str(s));
    let facts = view.facts.clone();
    let next_hop = view.next_hop;
    Outcome {
        verdict,
        accepted: verdict == Verdict::Accept,
        modified: view.into_modified(),
        facts,
        next_hop,
        printed,
    }
}
