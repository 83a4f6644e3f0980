//! BIRD 2 syntax: templates with channels, `from` with overrides,
//! `local A as N`, `neighbor range`, `internal`, defines in options.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use wren_config::model::{
    AddPaths, Afi, FilterSpec, Gateway, GracefulRestart, Hop, Learn, Limit, LimitAction,
    MergePaths, NextHopMode, PeerAs, ProtocolKind, StaticTarget,
};
use wren_config::{parse_bird_file, Config, OptionValue};

fn full() -> Config {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bird2/valid/full.conf");
    parse_bird_file(&p).unwrap()
}

fn fname(s: &Option<wren_config::Spanned<FilterSpec>>) -> String {
    match s.val() {
        Some(FilterSpec::All) => "all".into(),
        Some(FilterSpec::None) => "none".into(),
        Some(FilterSpec::Filter(f)) if f.is_inline() => "inline".into(),
        Some(FilterSpec::Filter(f)) => f.name().into(),
        None => "-".into(),
    }
}

#[test]
fn globals_and_defines() {
    let c = full();
    assert_eq!(c.router_id.val(), Some(&Ipv4Addr::new(198, 18, 0, 1)));
    assert_eq!(c.log.len(), 2);
    assert_eq!(c.log[1].classes, vec!["info", "warning", "error"]);
    let d = c.debug_protocols.val().unwrap();
    assert!(d.states && d.events && !d.routes);
    assert_eq!(c.timeformat[0].value, vec!["protocol", "iso", "long"]);
    let names: Vec<&str> = c.defines.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, vec!["MYAS", "POOL", "PREFS"]);
    assert_eq!(c.functions.len(), 3);
    assert_eq!(c.filters.len(), 2);
}

#[test]
fn template_inheritance_with_overrides() {
    let c = full();
    let t = c
        .templates
        .iter()
        .find(|t| t.name.value == "peers")
        .unwrap();
    assert_eq!(t.channels.len(), 1);

    let tor = c.protocol("tor1").unwrap();
    let ProtocolKind::Bgp(b) = &tor.kind else {
        panic!()
    };
    assert_eq!(
        tor.description.val().map(String::as_str),
        Some("top of rack")
    );
    // From the template (MYAS through a define).
    assert_eq!(b.local_address.val(), Some(&IpAddr::from([198, 18, 0, 1])));
    assert_eq!(b.local_as.val(), Some(&64512));
    assert_eq!(b.hold_time.val(), Some(&90));
    assert_eq!(b.startup_hold_time.val(), Some(&240));
    assert_eq!(b.keepalive_time.val(), Some(&30));
    assert_eq!(b.error_wait_time.val(), Some(&(5, 30)));
    assert_eq!(b.error_forget_time.val(), Some(&60));
    assert_eq!(b.graceful_restart.val(), Some(&GracefulRestart::On));
    assert_eq!(b.graceful_restart_time.val(), Some(&120));
    assert_eq!(b.enable_route_refresh.val(), Some(&true));
    assert_eq!(b.enable_as4.val(), Some(&true));
    assert_eq!(b.interpret_communities.val(), Some(&true));
    // Its own.
    assert_eq!(b.neighbor_address(), Some(IpAddr::from([198, 18, 0, 2])));
    assert_eq!(b.neighbor_as(), Some(65000));
    assert_eq!(b.password.val().map(String::as_str), Some("s3cret"));
    assert_eq!(b.hop.val(), Some(&Hop::Multihop(Some(2))));
    assert_eq!(b.passive.val(), Some(&false));
    // The ipv4 channel: template's import, limit, next hop...; own export.
    let ch = tor.channel_for(Afi::Ipv4).unwrap();
    assert_eq!(fname(&ch.import), "import_peers");
    assert_eq!(fname(&ch.export), "inline");
    assert_eq!(
        ch.import_limit.val(),
        Some(&Limit {
            limit: Some(1000),
            action: LimitAction::Restart
        })
    );
    assert_eq!(ch.next_hop.val(), Some(&NextHopMode::SelfOn(true)));
    assert_eq!(ch.gateway.val(), Some(&Gateway::Recursive));
    assert_eq!(ch.add_paths.val(), Some(&AddPaths::On));
    // The template's own channel is unchanged.
    assert_eq!(fname(&t.channels[0].opts.export), "export_peers");

    let cl = c.protocol("client1").unwrap();
    let ProtocolKind::Bgp(b) = &cl.kind else {
        panic!()
    };
    assert_eq!(b.neighbor.val().unwrap().asn, Some(PeerAs::Internal));
    assert_eq!(b.is_internal(), Some(true));
    assert_eq!(b.rr_client.val(), Some(&true));
    assert_eq!(b.rr_cluster_id.val(), Some(&Ipv4Addr::new(1, 0, 0, 1)));
    assert_eq!(b.ttl_security.val(), Some(&true));
    assert_eq!(b.hop.val(), Some(&Hop::Direct));
    assert_eq!(b.allow_local_as.val(), Some(&Some(2)));
    assert_eq!(
        fname(&cl.channel_for(Afi::Ipv4).unwrap().export),
        "export_peers"
    );

    let dy = c.protocol("dyn").unwrap();
    let ProtocolKind::Bgp(b) = &dy.kind else {
        panic!()
    };
    let n = b.neighbor.val().unwrap();
    assert_eq!(n.range.unwrap().to_string(), "198.18.1.0/24");
    assert_eq!(n.address, None);
    assert_eq!(dy.channels.len(), 2);
    assert_eq!(fname(&dy.channel_for(Afi::Ipv6).unwrap().import), "all");
    assert_eq!(fname(&dy.channel_for(Afi::Ipv6).unwrap().export), "none");
}

#[test]
fn local_protocols() {
    let c = full();
    let k = c.protocol("k4").unwrap();
    let ProtocolKind::Kernel(kk) = &k.kind else {
        panic!()
    };
    assert_eq!(kk.learn.val(), Some(&Learn::On));
    assert_eq!(
        kk.merge_paths.val(),
        Some(&MergePaths {
            on: true,
            limit: Some(8)
        })
    );
    assert_eq!(kk.metric.val(), Some(&32));
    assert_eq!(kk.kernel_table.val(), Some(&254));
    assert_eq!(fname(&k.channel_for(Afi::Ipv4).unwrap().import), "none");

    let s = c.protocol("s4").unwrap();
    assert_eq!(
        s.channel_for(Afi::Ipv4).unwrap().preference.val(),
        Some(&210)
    );
    let ProtocolKind::Static(st) = &s.kind else {
        panic!()
    };
    let targets: Vec<&StaticTarget> = st.routes.iter().map(|r| &r.target).collect();
    assert_eq!(
        targets,
        vec![
            &StaticTarget::Blackhole,
            &StaticTarget::Unreachable,
            &StaticTarget::Prohibit,
            &StaticTarget::Via(vec![IpAddr::from([198, 18, 0, 2])]),
            &StaticTarget::Device("eth0".into()),
            &StaticTarget::Via(vec![IpAddr::from([198, 18, 0, 2])]),
        ]
    );
    assert!(st.routes[5].attrs.is_some());

    let ProtocolKind::Direct(d) = &c.protocol("direct1").unwrap().kind else {
        panic!()
    };
    assert!(d.accepts("eth0") && !d.accepts("cali1") && !d.accepts("kube-ipvs0"));
}

#[test]
fn filters_of_the_full_config() {
    let c = full();
    let im = c.filter("import_peers").unwrap();
    let o = common::run(
        im,
        &common::route("10.1.0.0/16")
            .path(&[65000, 1])
            .community(65001, 5),
    );
    assert!(o.accepted);
    let m = o.modified.unwrap();
    assert_eq!(m.local_pref, Some(50));
    assert_eq!(
        m.communities,
        vec![wren_wire::attributes::Community::new(64512, 1)]
    );
    let o = common::run(im, &common::route("10.1.0.0/16").community(65000, 666));
    assert!(!o.accepted);
    let o = common::run(im, &common::route("8.0.0.0/8"));
    assert!(!o.accepted);

    let ex = c.filter("export_peers").unwrap();
    let bh = common::route("10.244.1.0/26")
        .static_()
        .dest(wren_core::policy::RouteDest::Blackhole);
    let o = common::run(ex, &bh);
    assert!(o.accepted);
    let m = o.modified.unwrap();
    assert_eq!(m.med, Some(10));
    assert_eq!(m.as_path.unwrap().first(), Some(64512));
    assert_eq!(m.ext_communities.len(), 1);
    let o = common::run(ex, &common::route("10.244.1.0/26"));
    assert!(o.accepted);
    let o = common::run(ex, &common::route("10.244.1.0/24"));
    assert!(!o.accepted);
    assert_eq!(o.printed, "rejecting 10.244.1.0/24 from peer1\n");
}

#[test]
fn tables_in_both_dialects() {
    let c = wren_config::parse_bird_str(
        "t.conf",
        "ipv4 table t4;\ntable old;\nprotocol kernel { kernel table 100; ipv4 { table t4; export all; }; }\nprotocol kernel k2 { table old; export all; }\n",
    )
    .unwrap();
    assert_eq!(c.tables.len(), 2);
    assert_eq!(c.tables[0].afi, Some(Afi::Ipv4));
    assert_eq!(c.tables[1].afi, None);
    let k = c.protocol("kernel1").unwrap();
    assert_eq!(
        k.channel_for(Afi::Ipv4)
            .unwrap()
            .table
            .val()
            .map(String::as_str),
        Some("t4")
    );
    let ProtocolKind::Kernel(kk) = &k.kind else {
        panic!()
    };
    assert_eq!(kk.kernel_table.val(), Some(&100));
    let k2 = c.protocol("k2").unwrap();
    assert_eq!(k2.channel.table.val().map(String::as_str), Some("old"));
}
