//! The GoBGP TOML front end: seed 004's gobgp.conf, peer groups, options
//! mapped onto sessions, and errors with file:line:column for unknown keys
//! and for what Wren does not support yet.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::path::Path;
use wren::config::gobgp::parse;

fn lab(file: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../labs/seed-004")
        .join(file);
    std::fs::read_to_string(p).unwrap()
}

#[test]
fn seed_004_without_flowspec_maps_to_dynamic_neighbors_and_zebra() {
    let spec = parse("gobgp.conf", &lab("gobgp.conf")).unwrap();
    assert_eq!(spec.router_id.to_string(), "192.168.122.1");
    assert!(spec.peers.is_empty());
    let d = &spec.dynamic[0];
    assert_eq!(d.prefix.to_string(), "192.168.122.0/24");
    assert!(d.template.session.passive);
    assert_eq!(d.template.port, 7946, "the group's remote-port is kept");
    let k = spec.kernel.as_ref().unwrap();
    assert_eq!((k.table, k.protocol, k.metric), (254, 186, 20));
    let c = spec.connected.as_ref().unwrap();
    // zebra's `connect` takes loopback /32s too (127.0.0.1 is host scope
    // and never a connected route).
    assert!((c.0)("virbr0") && (c.0)("lo"));
}

#[test]
fn unnumbered_neighbor_by_interface() {
    let spec = parse(
        "tor0.toml",
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../labs/seed-001-wren/tor0.toml"
        ))
        .unwrap(),
    )
    .unwrap();
    let p = &spec.peers[0];
    assert_eq!(p.interface.as_deref(), Some("net0"));
    assert!(p.address.is_unspecified());
    assert_eq!(p.name, "net0");
    assert_eq!(p.session.families.len(), 1);
    assert!(
        p.session.families[0].extended_next_hop,
        "IPv4 over a link-local session needs RFC 8950"
    );
    assert_eq!(spec.peers[1].interface, None);
    assert!(!spec.peers[1].session.families[0].extended_next_hop);
    let both = "[global.config]\n as = 1\n router-id = \"10.0.0.1\"\n[[neighbors]]\n [neighbors.config]\n neighbor-address = \"10.0.0.2\"\n neighbor-interface = \"eth0\"\n peer-as = 2\n";
    let err = parse("x.toml", both).unwrap_err();
    assert!(err.contains("neighbor-address too"), "{err}");
}

#[test]
fn seed_004_as_published_offers_flowspec_beside_unicast() {
    let spec = parse("gobgp.conf", &lab("gobgp.conf")).unwrap();
    let d = &spec.dynamic[0].template;
    assert_eq!(d.session.families.len(), 1);
    assert_eq!(d.session.families[0].family, wren_wire::Family::Ipv4Unicast);
    assert_eq!(
        d.session.other_families,
        vec![wren_wire::AfiSafi::new(
            wren_wire::Afi::IPV4,
            wren_wire::Safi::FLOWSPEC
        )]
    );
    let err = parse(
        "x.toml",
        "[global.config]\n as = 1\n router-id = \"10.0.0.1\"\n[[neighbors]]\n [neighbors.config]\n neighbor-address = \"10.0.0.2\"\n peer-as = 2\n [[neighbors.afi-safis]]\n [neighbors.afi-safis.config]\n afi-safi-name = \"l2vpn-evpn\"\n",
    )
    .unwrap_err();
    assert!(
        err.contains("l2vpn-evpn") && err.contains("not supported by Wren yet"),
        "{err}"
    );
}

#[test]
fn unknown_keys_are_errors_at_their_place() {
    let text = "[global.config]\n  as = 65000\n  router-id = \"10.0.0.1\"\n  routerid = \"x\"\n";
    let err = parse("w.toml", text).unwrap_err();
    assert!(err.starts_with("w.toml:4:"), "{err}");
}

#[test]
fn neighbor_options_map_onto_the_session() {
    let text = r#"
[global.config]
  as = 65000
  router-id = "10.0.0.1"
[[peer-groups]]
  [peer-groups.config]
    peer-group-name = "tor"
    peer-as = 65010
    auth-password = "s3cret"
  [peer-groups.timers.config]
    hold-time = 30
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.0.0.2"
    peer-group = "tor"
  [neighbors.ttl-security.config]
    enabled = true
    ttl-min = 254
  [neighbors.as-path-options.config]
    allow-own-as = 2
"#;
    let spec = parse("w.toml", text).unwrap();
    let p = &spec.peers[0];
    assert_eq!(p.session.hold_time, 30);
    assert_eq!(p.password.as_deref(), Some("s3cret"));
    assert!(p.ttl_security);
    assert_eq!(p.multihop, Some(2), "ttl-min 254: two hops");
    assert_eq!(p.allow_local_as, 2);
    assert!(!p.replace_peer_as);
    let over = text.replace("allow-own-as = 2", "replace-peer-as = true");
    assert!(parse("w.toml", &over).unwrap().peers[0].replace_peer_as);
}

/// What GoBGP's policy language has and Wren does not do yet is refused
/// at its line, never ignored.
#[test]
fn policy_features_not_done_are_refused_at_their_line() {
    let base = "[global.config]\n as = 1\n router-id = \"10.0.0.1\"\n";
    let aspath = format!(
        "{base}[[defined-sets.bgp-defined-sets.as-path-sets]]\n as-path-set-name = \"a\"\n as-path-list = [\"^65100\"]\n"
    );
    let err = parse("p.toml", &aspath).unwrap_err();
    assert!(
        err.starts_with("p.toml:4:1:") && err.contains("as-path-sets"),
        "{err}"
    );
    let regex = format!(
        "{base}[[defined-sets.bgp-defined-sets.community-sets]]\n community-set-name = \"c\"\n community-list = [\"^65100:.*$\"]\n"
    );
    let err = parse("p.toml", &regex).unwrap_err();
    assert!(
        err.contains("^65100:.*$") && err.contains("not supported"),
        "{err}"
    );
    let undefined = format!("{base}[global.apply-policy.config]\n import-policy-list = [\"p1\"]\n");
    let err = parse("p.toml", &undefined).unwrap_err();
    assert!(
        err.starts_with("p.toml:5:1:") && err.contains("`p1` is not defined"),
        "{err}"
    );
}
