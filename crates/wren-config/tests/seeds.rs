//! The BIRD configurations of the seed documents, parsed and checked
//! field by field.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use wren_config::model::{
    Afi, Bgp, FilterSpec, Gateway, GracefulRestart, Hop, Learn, MergePaths, PeerAs, Protocol,
    ProtocolKind, StaticTarget,
};
use wren_config::{parse_bird_file, Config, OptionValue};

fn fixture(rel: &str) -> Config {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    parse_bird_file(&p).unwrap_or_else(|e| panic!("{e}"))
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn bgp<'a>(c: &'a Config, name: &str) -> (&'a Protocol, &'a Bgp) {
    let p = c
        .protocol(name)
        .unwrap_or_else(|| panic!("no protocol {name}"));
    match &p.kind {
        ProtocolKind::Bgp(b) => (p, b),
        _ => panic!("{name} is not bgp"),
    }
}

fn filter_name(s: &Option<wren_config::Spanned<FilterSpec>>) -> String {
    match s.val() {
        Some(FilterSpec::All) => "all".into(),
        Some(FilterSpec::None) => "none".into(),
        Some(FilterSpec::Filter(f)) if f.is_inline() => "inline".into(),
        Some(FilterSpec::Filter(f)) => f.name().into(),
        None => "-".into(),
    }
}

fn names(c: &Config) -> Vec<(&str, &str)> {
    c.protocols
        .iter()
        .map(|p| (p.name.value.as_str(), p.type_name()))
        .collect()
}

/// Seed 000, host 10.226.11.27: MD5 password, `direct`, a named and an
/// inline export filter, kernel sync with `import none; export all`.
#[test]
fn seed_000_host_27() {
    let c = fixture("seed-000/host-10.226.11.27/bird.conf");
    assert_eq!(c.router_id.val(), Some(&Ipv4Addr::new(10, 226, 11, 27)));
    assert_eq!(c.log.len(), 1);
    assert_eq!(c.log[0].classes, vec!["all"]);
    assert!(c.filter("export_filter_v4").is_some());
    assert_eq!(
        names(&c),
        vec![
            ("kernel1", "kernel"),
            ("direct1", "direct"),
            ("device1", "device"),
            ("peer_10_226_11_21", "bgp"),
            ("peer_10_226_11_22", "bgp"),
        ]
    );
    let k = c.protocol("kernel1").unwrap();
    let ProtocolKind::Kernel(kk) = &k.kind else {
        panic!()
    };
    assert_eq!(kk.scan_time.val(), Some(&10));
    assert_eq!(kk.learn.val(), Some(&Learn::On));
    assert_eq!(kk.persist.val(), Some(&true));
    assert!(k.debug.val().unwrap().states);
    assert_eq!(filter_name(&k.channel.import), "none");
    assert_eq!(filter_name(&k.channel.export), "all");
    let ProtocolKind::Direct(d) = &c.protocol("direct1").unwrap().kind else {
        panic!()
    };
    assert_eq!(d.interfaces.len(), 1);
    assert_eq!(d.interfaces[0].glob.as_deref(), Some("veth2"));
    assert!(d.accepts("veth2") && !d.accepts("eth0"));

    let (p, b) = bgp(&c, "peer_10_226_11_21");
    assert_eq!(b.local_as.val(), Some(&64512));
    assert_eq!(b.neighbor_address(), Some(ip("10.226.11.21")));
    assert_eq!(b.neighbor_as(), Some(64512));
    assert_eq!(b.is_internal(), Some(true));
    assert_eq!(b.source_address.val(), Some(&ip("10.226.11.27")));
    assert_eq!(b.password.val().map(String::as_str), Some("passwd"));
    assert_eq!(b.hop.val(), Some(&Hop::Direct));
    assert_eq!(b.graceful_restart.val(), None);
    assert_eq!(filter_name(&p.channel.export), "export_filter_v4");
    assert_eq!(filter_name(&p.channel.import), "all");
    assert!(p.channels.is_empty());

    let (p, b) = bgp(&c, "peer_10_226_11_22");
    assert_eq!(b.graceful_restart.val(), Some(&GracefulRestart::On));
    assert_eq!(b.neighbor_address(), Some(ip("10.226.11.22")));
    assert_eq!(b.password.val().map(String::as_str), Some("passwd"));
    assert_eq!(b.hop.val(), Some(&Hop::Direct));
    assert_eq!(filter_name(&p.channel.export), "inline");
    assert_eq!(filter_name(&p.channel.import), "all");
    // Where each option was written.
    let s = &b.password.as_ref().unwrap().span;
    assert!(s.file.ends_with("host-10.226.11.27/bird.conf"));
    assert_eq!((s.line, s.column), (71, 1));
}

/// Seed 000, hosts .22 and .21: `export all`, `filter_export_v4` with two prefixes.
#[test]
fn seed_000_hosts_22_and_21() {
    let c = fixture("seed-000/host-10.226.11.22/bird.conf");
    assert_eq!(c.router_id.val(), Some(&Ipv4Addr::new(10, 226, 11, 22)));
    assert!(c.filter("export_filter_v4").is_some());
    for (peer, addr) in [
        ("peer_10_226_11_21", "10.226.11.21"),
        ("peer_10_226_11_27", "10.226.11.27"),
    ] {
        let (p, b) = bgp(&c, peer);
        assert_eq!(b.neighbor_address(), Some(ip(addr)));
        assert_eq!(b.local_as.val(), Some(&64512));
        assert_eq!(b.neighbor_as(), Some(64512));
        assert_eq!(b.source_address.val(), Some(&ip("10.226.11.22")));
        assert_eq!(b.password.val().map(String::as_str), Some("passwd"));
        assert_eq!(b.hop.val(), Some(&Hop::Direct));
        assert_eq!(filter_name(&p.channel.export), "all");
        assert_eq!(filter_name(&p.channel.import), "all");
    }
    let c = fixture("seed-000/host-10.226.11.21/bird.conf");
    assert_eq!(c.router_id.val(), Some(&Ipv4Addr::new(10, 226, 11, 21)));
    assert!(c.filter("filter_export_v4").is_some());
    assert_eq!(
        names(&c),
        vec![
            ("kernel1", "kernel"),
            ("device1", "device"),
            ("direct1", "direct"),
            ("peer_10_226_11_22", "bgp"),
            ("peer_10_226_11_27", "bgp"),
        ]
    );
    let (_, b) = bgp(&c, "peer_10_226_11_27");
    assert_eq!(b.source_address.val(), Some(&ip("10.226.11.21")));
    assert_eq!(b.password.val().map(String::as_str), Some("passwd"));
}

/// Seed 002: the confd-style BIRD 1.x file with a template.
#[test]
fn seed_002_calico_template() {
    let c = fixture("seed-002/calico-bird.cfg");
    assert_eq!(c.router_id.val(), Some(&Ipv4Addr::new(192, 168, 1, 100)));
    let k = c.protocol("kernel1").unwrap();
    let ProtocolKind::Kernel(kk) = &k.kind else {
        panic!()
    };
    assert_eq!(kk.scan_time.val(), Some(&2));
    assert_eq!(kk.graceful_restart.val(), Some(&true));
    assert_eq!(filter_name(&k.channel.import), "all");
    assert_eq!(filter_name(&k.channel.export), "inline");
    let ProtocolKind::Direct(d) = &c.protocol("direct1").unwrap().kind else {
        panic!()
    };
    assert!(d.accepts("eth0") && d.accepts("ens33") && !d.accepts("lo"));
    assert_eq!(c.templates.len(), 1);
    for (peer, addr) in [
        ("peer_192_168_1_101", "192.168.1.101"),
        ("peer_192_168_1_102", "192.168.1.102"),
    ] {
        let (p, b) = bgp(&c, peer);
        assert_eq!(p.from.val().map(String::as_str), Some("bgp_template"));
        assert_eq!(b.local_as.val(), Some(&64512));
        assert_eq!(b.neighbor_address(), Some(ip(addr)));
        assert_eq!(b.neighbor_as(), Some(64512));
        assert_eq!(b.hop.val(), Some(&Hop::Multihop(None)));
        assert_eq!(b.graceful_restart.val(), Some(&GracefulRestart::On));
        assert_eq!(filter_name(&p.channel.import), "all");
        assert_eq!(filter_name(&p.channel.export), "inline");
    }
}

/// Seed 002: the two BIRD 2 routers of the namespace lab (channels, `local A as N`).
#[test]
fn seed_002_bird2_routers() {
    for (file, rid, local, las, nbr, nas, export) in [
        (
            "seed-002/bird-r1.conf",
            [1, 1, 1, 1],
            "192.168.1.1",
            64512,
            "192.168.1.2",
            64513,
            "10.1.0.0/24",
        ),
        (
            "seed-002/bird-r2.conf",
            [2, 2, 2, 2],
            "192.168.1.2",
            64513,
            "192.168.1.1",
            64512,
            "10.2.0.0/24",
        ),
    ] {
        let c = fixture(file);
        assert_eq!(c.router_id.val(), Some(&Ipv4Addr::from(rid)));
        assert_eq!(c.log[0].dest, wren_config::model::LogDest::Stderr);
        let ProtocolKind::Device(dev) = &c.protocol("device1").unwrap().kind else {
            panic!()
        };
        assert_eq!(dev.scan_time.val(), Some(&2));
        let direct = c.protocol("direct1").unwrap();
        assert_eq!(direct.channels.len(), 1);
        assert_eq!(direct.channels[0].afi.value, Afi::Ipv4);
        let k = c.protocol("kernel1").unwrap();
        let kc = k.channel_for(Afi::Ipv4).unwrap();
        assert_eq!(filter_name(&kc.import), "all");
        assert_eq!(filter_name(&kc.export), "all");
        assert!(k.channel_for(Afi::Ipv6).is_none());
        let name = c.bgp().next().unwrap().0.name.value.clone();
        let (p, b) = bgp(&c, &name);
        assert_eq!(b.local_address.val(), Some(&ip(local)));
        assert_eq!(b.local_as.val(), Some(&las));
        assert_eq!(b.neighbor_address(), Some(ip(nbr)));
        assert_eq!(b.neighbor.val().unwrap().asn, Some(PeerAs::Num(nas)));
        assert_eq!(b.is_internal(), Some(false));
        let ch = p.channel_for(Afi::Ipv4).unwrap();
        assert_eq!(filter_name(&ch.import), "all");
        let FilterSpec::Filter(f) = ch.export.val().unwrap() else {
            panic!()
        };
        assert!(f.is_inline());
        // `export where net ~ P`: the exported prefix passes, others do not.
        let ok = common::run(f, &common::route(export));
        assert!(ok.accepted);
        assert!(!common::run(f, &common::route("10.9.0.0/24")).accepted);
    }
}

/// Seed 003: Calico full mesh, node1 (braces restored; includes reconstructed).
#[test]
fn seed_003_calico_node1() {
    let c = fixture("seed-003/node1/bird.cfg");
    assert_eq!(c.router_id.val(), Some(&Ipv4Addr::new(192, 168, 0, 81)));
    assert!(c.function("apply_communities").is_some());
    assert!(c.function("calico_aggr").is_some());
    assert!(c.filter("calico_export_to_bgp_peers").is_some());
    assert!(c.filter("calico_kernel_programming").is_some());
    assert_eq!(
        names(&c),
        vec![
            ("static1", "static"),
            ("kernel1", "kernel"),
            ("device1", "device"),
            ("direct1", "direct"),
            ("Mesh_192_168_0_80", "bgp"),
            ("Mesh_192_168_0_82", "bgp"),
        ]
    );
    let ProtocolKind::Static(s) = &c.protocol("static1").unwrap().kind else {
        panic!()
    };
    assert_eq!(s.routes.len(), 1);
    assert_eq!(s.routes[0].prefix.to_string(), "10.244.42.64/26");
    assert_eq!(s.routes[0].target, StaticTarget::Blackhole);
    let k = c.protocol("kernel1").unwrap();
    let ProtocolKind::Kernel(kk) = &k.kind else {
        panic!()
    };
    assert_eq!(kk.learn.val(), Some(&Learn::On));
    assert_eq!(kk.persist.val(), Some(&true));
    assert_eq!(kk.scan_time.val(), Some(&2));
    assert_eq!(kk.graceful_restart.val(), Some(&true));
    assert_eq!(
        kk.merge_paths.val(),
        Some(&MergePaths {
            on: true,
            limit: None
        })
    );
    assert_eq!(filter_name(&k.channel.export), "calico_kernel_programming");
    let ProtocolKind::Direct(d) = &c.protocol("direct1").unwrap().kind else {
        panic!()
    };
    assert_eq!(d.interfaces.len(), 3);
    assert!(!d.accepts("cali2009c1121bd"));
    assert!(!d.accepts("kube-ipvs0"));
    assert!(d.accepts("ens33") && d.accepts("docker0"));
    for (peer, addr, passive) in [
        ("Mesh_192_168_0_80", "192.168.0.80", None),
        ("Mesh_192_168_0_82", "192.168.0.82", Some(&true)),
    ] {
        let (p, b) = bgp(&c, peer);
        assert_eq!(
            p.description.val().map(String::as_str),
            Some("Connection to BGP peer")
        );
        assert_eq!(p.from.val().map(String::as_str), Some("bgp_template"));
        assert_eq!(b.local_as.val(), Some(&64512));
        assert_eq!(b.neighbor_address(), Some(ip(addr)));
        assert_eq!(b.neighbor_as(), Some(64512));
        assert_eq!(b.source_address.val(), Some(&ip("192.168.0.81")));
        assert_eq!(b.passive.val(), passive);
        assert_eq!(b.hop.val(), Some(&Hop::Multihop(None)));
        assert_eq!(p.channel.gateway.val(), Some(&Gateway::Recursive));
        assert_eq!(
            p.channel.add_paths.val(),
            Some(&wren_config::model::AddPaths::On)
        );
        assert_eq!(b.graceful_restart.val(), Some(&GracefulRestart::On));
        assert_eq!(b.connect_delay_time.val(), Some(&2));
        assert_eq!(b.connect_retry_time.val(), Some(&5));
        assert_eq!(b.error_wait_time.val(), Some(&(5, 30)));
        assert_eq!(filter_name(&p.channel.import), "all");
        assert_eq!(filter_name(&p.channel.export), "calico_export_to_bgp_peers");
    }
}

mod common;
