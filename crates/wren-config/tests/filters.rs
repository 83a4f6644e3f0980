//! Filter table: (filter text, route) -> (verdict, changed attributes),
//! one group per construct of BIRD's filter language, then Calico's
//! generated filters from the corpus.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::{route, run, Outcome, TestRoute};
use std::net::Ipv4Addr;
use std::path::Path;
use std::sync::Arc;
use wren_config::filter::{Filter, Verdict};
use wren_config::model::FilterSpec;
use wren_config::{parse_bird_file, parse_bird_str, Config, OptionValue};
use wren_core::policy::{Policy, RouteDest, RouteView};
use wren_wire::attributes::{AsPath, Community, LargeCommunity, Origin};
use wren_wire::update::NextHop;

/// Compiles `prelude` then `filter f { body }`.
fn filt(prelude: &str, body: &str) -> Arc<Filter> {
    let text = format!("{prelude}\nfilter f {{\n{body}\n}}\n");
    let c = parse_bird_str("t.conf", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    c.filter("f").unwrap().clone()
}

type Check = fn(&Outcome);

fn none(_: &Outcome) {}

fn clist(o: &Outcome) -> Vec<Community> {
    o.modified.as_ref().unwrap().communities.clone()
}

/// (prelude, body, route, verdict, check)
fn table(cases: Vec<(&str, &str, TestRoute, Verdict, Check)>) {
    for (i, (prelude, body, r, want, check)) in cases.into_iter().enumerate() {
        let f = filt(prelude, body);
        let out = run(&f, &r);
        assert_eq!(out.verdict, want, "case {i}: {body} on {:?}", r.prefix);
        check(&out);
    }
}

use Verdict::{Accept, Error as Err_, Fallthrough, Reject};

fn err(out: &Outcome) {
    assert!(matches!(out.verdict, Err_(_)));
}

#[test]
fn control_flow() {
    table(vec![
        ("", "if net.len = 24 then accept; else reject;", route("10.0.0.0/24"), Accept, none),
        ("", "if net.len = 24 then accept; else reject;", route("10.0.0.0/25"), Reject, none),
        ("", "if net.len > 8 then { if net.len < 16 then { accept; } } reject;", route("10.0.0.0/12"), Accept, none),
        ("", "if net.len > 8 then { if net.len < 16 then { accept; } } reject;", route("10.0.0.0/20"), Reject, none),
        ("", "{ { accept; } }", route("10.0.0.0/8"), Accept, none),
        ("", "if false then accept;", route("10.0.0.0/8"), Fallthrough, none),
        ("", "reject \"message\";", route("10.0.0.0/8"), Reject, none),
        // BIRD: && and || share one level, left to right.
        ("", "if true || false && false then accept; reject;", route("1.0.0.0/8"), Reject, none),
        ("", "if !(net.len = 8) then accept; reject;", route("1.0.0.0/8"), Reject, none),
        ("", "case net.len { 8: accept; 16, 24: reject; 25..32: { bgp_med = 1; accept; } else: reject; }", route("1.0.0.0/8"), Accept, none),
        ("", "case net.len { 8: accept; 16, 24: reject; 25..32: { bgp_med = 1; accept; } else: reject; }", route("1.0.0.0/24"), Reject, none),
        ("", "case net.len { 8: accept; 16, 24: reject; 25..32: { bgp_med = 1; accept; } else: reject; }", route("1.0.0.0/28"), Accept,
            |o| assert_eq!(o.modified.as_ref().unwrap().med, Some(1))),
        ("", "case net.len { 8: accept; else: reject; }", route("1.0.0.0/9"), Reject, none),
        ("", "case source { RTS_BGP: accept; RTS_STATIC: reject; }", route("1.0.0.0/9").static_(), Reject, none),
    ]);
}

#[test]
fn prefixes_and_sets() {
    let s = "if net ~ [ 10.0.0.0/8+, 192.168.0.0/16{24,28}, 172.16.0.0/12-, 100.64.0.0/10 ] then accept; reject;";
    table(vec![
        ("", s, route("10.1.2.0/24"), Accept, none),
        ("", s, route("10.0.0.0/8"), Accept, none),
        ("", s, route("11.0.0.0/8"), Reject, none),
        ("", s, route("192.168.1.0/24"), Accept, none),
        ("", s, route("192.168.1.16/28"), Accept, none),
        ("", s, route("192.168.1.0/29"), Reject, none),
        ("", s, route("192.168.0.0/16"), Reject, none),
        ("", s, route("172.16.0.0/12"), Accept, none),
        ("", s, route("172.0.0.0/8"), Accept, none),
        ("", s, route("172.16.1.0/24"), Reject, none),
        ("", s, route("100.64.0.0/10"), Accept, none),
        ("", s, route("100.64.0.0/11"), Reject, none),
        (
            "",
            "if net ~ 10.0.0.0/8 then accept; reject;",
            route("10.9.0.0/16"),
            Accept,
            none,
        ),
        (
            "",
            "if net = 10.0.0.0/8 then accept; reject;",
            route("10.9.0.0/16"),
            Reject,
            none,
        ),
        (
            "",
            "if net != 10.0.0.0/8 then accept; reject;",
            route("10.9.0.0/16"),
            Accept,
            none,
        ),
        (
            "",
            "if net !~ 10.0.0.0/8 then accept; reject;",
            route("11.9.0.0/16"),
            Accept,
            none,
        ),
        (
            "",
            "if net.ip = 10.9.0.0 && net.len >= 16 && net.len <= 16 then accept; reject;",
            route("10.9.0.0/16"),
            Accept,
            none,
        ),
        (
            "",
            "if net ~ [ 2001:db8::/32+ ] then accept; reject;",
            route("2001:db8:1::/48"),
            Accept,
            none,
        ),
        (
            "",
            "if net ~ [ 2001:db8::/32+ ] then accept; reject;",
            route("2001:db9::/48"),
            Reject,
            none,
        ),
        (
            "",
            "if 5 ~ [ 1..3, 5, 7 ] && !(4 ~ [1..3, 5]) then accept; reject;",
            route("1.0.0.0/8"),
            Accept,
            none,
        ),
        (
            "",
            "if 10.0.0.1.mask(8) = 10.0.0.0 then accept; reject;",
            route("1.0.0.0/8"),
            Accept,
            none,
        ),
        (
            "",
            "if source ~ [ RTS_STATIC, RTS_BGP ] then accept; reject;",
            route("1.0.0.0/8"),
            Accept,
            none,
        ),
        (
            "",
            "if source ~ [ RTS_STATIC, RTS_DEVICE ] then accept; reject;",
            route("1.0.0.0/8").kernel(),
            Reject,
            none,
        ),
    ]);
}

#[test]
fn route_facts() {
    table(vec![
        (
            "",
            "if proto = \"peer1\" then accept; reject;",
            route("1.0.0.0/8"),
            Accept,
            none,
        ),
        (
            "",
            "if proto ~ \"peer*\" then accept; reject;",
            route("1.0.0.0/8").static_(),
            Reject,
            none,
        ),
        (
            "",
            "if source = RTS_BGP then accept; reject;",
            route("1.0.0.0/8"),
            Accept,
            none,
        ),
        (
            "",
            "if source = RTS_STATIC then accept; reject;",
            route("1.0.0.0/8").static_(),
            Accept,
            none,
        ),
        (
            "",
            "if source = RTS_STATIC_DEVICE then accept; reject;",
            route("1.0.0.0/8").static_().dest(RouteDest::Device),
            Accept,
            none,
        ),
        (
            "",
            "if source = RTS_DEVICE then accept; reject;",
            route("1.0.0.0/8").direct(),
            Accept,
            none,
        ),
        (
            "",
            "if source = RTS_INHERIT then accept; reject;",
            route("1.0.0.0/8").kernel(),
            Accept,
            none,
        ),
        (
            "",
            "if dest = RTD_BLACKHOLE then accept; reject;",
            route("1.0.0.0/8").static_().dest(RouteDest::Blackhole),
            Accept,
            none,
        ),
        (
            "",
            "if dest = RTD_UNREACHABLE then accept; reject;",
            route("1.0.0.0/8").dest(RouteDest::Blackhole),
            Reject,
            none,
        ),
        (
            "",
            "if dest = RTD_UNICAST && dest = RTD_ROUTER then accept; reject;",
            route("1.0.0.0/8"),
            Accept,
            none,
        ),
        (
            "",
            "dest = RTD_PROHIBIT; accept;",
            route("1.0.0.0/8"),
            Accept,
            |o| assert_eq!(o.facts.dest, RouteDest::Prohibit),
        ),
        (
            "",
            "if ifname ~ \"cali*\" then accept; reject;",
            route("1.0.0.0/8").ifname("cali1234"),
            Accept,
            none,
        ),
        (
            "",
            "if ifname = \"eth0\" then accept; reject;",
            route("1.0.0.0/8").ifname("eth1"),
            Reject,
            none,
        ),
        (
            "",
            "if defined(ifname) then accept; reject;",
            route("1.0.0.0/8"),
            Reject,
            none,
        ),
        // An undefined value equals nothing, without error (BIRD 2's `=`
        // is sameness); ordering it is a run-time error (route rejected).
        (
            "",
            "if ifname = \"eth0\" then reject; accept;",
            route("1.0.0.0/8"),
            Accept,
            none,
        ),
        (
            "",
            "if bgp_med = 50 || bgp_med != 50 then accept; reject;",
            route("1.0.0.0/8"),
            Accept,
            none,
        ),
        (
            "",
            "if bgp_med < 50 then accept; accept;",
            route("1.0.0.0/8"),
            Err_("comparison with an undefined value"),
            err,
        ),
        (
            "",
            "if gw = 10.0.0.1 then accept; reject;",
            route("1.0.0.0/8"),
            Accept,
            none,
        ),
        (
            "",
            "gw = 10.0.0.9; accept;",
            route("1.0.0.0/8"),
            Accept,
            |o| assert_eq!(o.facts.gw, Some("10.0.0.9".parse().unwrap())),
        ),
        (
            "",
            "if from = 10.0.0.1 then accept; reject;",
            route("1.0.0.0/8"),
            Accept,
            none,
        ),
        (
            "",
            "if from ~ 10.0.0.0/8 then accept; reject;",
            route("1.0.0.0/8"),
            Accept,
            none,
        ),
        (
            "",
            "if defined(from) then accept; reject;",
            route("1.0.0.0/8").static_(),
            Reject,
            none,
        ),
        (
            "",
            "if preference = 100 then { preference = 200; accept; } reject;",
            route("1.0.0.0/8"),
            Accept,
            |o| assert_eq!(o.facts.preference, Some(200)),
        ),
        (
            "",
            "krt_metric = 2147483647 - 100; accept;",
            route("1.0.0.0/8"),
            Accept,
            |o| assert_eq!(o.facts.krt_metric, Some(2147483547)),
        ),
        (
            "",
            "if krt_metric < 1024 then accept; reject;",
            route("1.0.0.0/8").kernel().metric(512),
            Accept,
            none,
        ),
        (
            "",
            "if !defined(krt_metric) then accept; reject;",
            route("1.0.0.0/8").kernel().metric(512),
            Reject,
            none,
        ),
        (
            "",
            "krt_tunnel = \"tunl0\"; if krt_tunnel = \"tunl0\" then accept;",
            route("1.0.0.0/8"),
            Accept,
            |o| assert_eq!(o.facts.krt_tunnel.as_deref(), Some("tunl0")),
        ),
        (
            "",
            "unset(krt_metric); accept;",
            route("1.0.0.0/8").metric(5),
            Accept,
            |o| assert_eq!(o.facts.krt_metric, None),
        ),
    ]);
}

#[test]
fn bgp_attributes() {
    table(vec![
        (
            "",
            "if bgp_local_pref = 100 then { bgp_local_pref = 200; accept; } reject;",
            route("1.0.0.0/8").local_pref(100),
            Accept,
            |o| assert_eq!(o.modified.as_ref().unwrap().local_pref, Some(200)),
        ),
        // As in BIRD, a route learned over BGP always has a LOCAL_PREF
        // (100 unless received over iBGP); other routes have none.
        (
            "",
            "if defined(bgp_local_pref) && bgp_local_pref = 100 then accept; reject;",
            route("1.0.0.0/8"),
            Accept,
            none,
        ),
        (
            "",
            "if defined(bgp_local_pref) then accept; reject;",
            route("1.0.0.0/8").static_(),
            Reject,
            none,
        ),
        (
            "",
            "bgp_med = bgp_med + 10; accept;",
            route("1.0.0.0/8").med(5),
            Accept,
            |o| assert_eq!(o.modified.as_ref().unwrap().med, Some(15)),
        ),
        (
            "",
            "unset(bgp_med); accept;",
            route("1.0.0.0/8").med(5),
            Accept,
            |o| assert_eq!(o.modified.as_ref().unwrap().med, None),
        ),
        (
            "",
            "if bgp_origin = ORIGIN_IGP then { bgp_origin = ORIGIN_INCOMPLETE; accept; }",
            route("1.0.0.0/8").origin(Origin::Igp),
            Accept,
            |o| {
                assert_eq!(
                    o.modified.as_ref().unwrap().origin,
                    Some(Origin::Incomplete)
                )
            },
        ),
        (
            "",
            "if bgp_next_hop ~ 10.0.0.0/8 then { bgp_next_hop = 192.0.2.1; accept; }",
            route("1.0.0.0/8"),
            Accept,
            |o| assert_eq!(o.next_hop, Some(NextHop::V4(Ipv4Addr::new(192, 0, 2, 1)))),
        ),
        // A filter that only reads leaves the shared attributes alone.
        (
            "",
            "if bgp_local_pref > 50 then accept;",
            route("1.0.0.0/8").local_pref(100),
            Accept,
            |o| assert!(o.modified.is_none()),
        ),
    ]);
}

#[test]
fn as_path() {
    let r = || route("1.0.0.0/8").path(&[65001, 65002, 65003]);
    table(vec![
        ("", "if bgp_path.len = 3 && bgp_path.first = 65001 && bgp_path.last = 65003 then accept;", r(), Accept, none),
        ("", "if bgp_path ~ [= * 65002 * =] then accept; reject;", r(), Accept, none),
        ("", "if bgp_path ~ [= 65001 * =] && bgp_path ~ [= ? ? 65003 =] && bgp_path ~ [= 65001 65000..65002 * =] then accept; reject;", r(), Accept, none),
        ("", "if bgp_path ~ [= 65002 * =] then accept; reject;", r(), Reject, none),
        ("", "if bgp_path ~ [= =] then accept; reject;", route("1.0.0.0/8"), Accept, none),
        ("", "if bgp_path ~ 65003 && !(bgp_path ~ 1) && bgp_path ~ [65000..65001] then accept; reject;", r(), Accept, none),
        ("", "bgp_path.prepend(64512); accept;", r(), Accept,
            |o| assert_eq!(o.modified.as_ref().unwrap().as_path, Some(AsPath::sequence(&[64512, 65001, 65002, 65003])))),
        ("", "bgp_path = prepend(bgp_path, 7); accept;", route("1.0.0.0/8"), Accept,
            |o| assert_eq!(o.modified.as_ref().unwrap().as_path, Some(AsPath::sequence(&[7])))),
    ]);
}

#[test]
fn communities() {
    let r = || {
        route("1.0.0.0/8")
            .community(65000, 1)
            .community(65000, 2)
            .community(65001, 7)
    };
    table(vec![
        (
            "",
            "if (65000, 1) ~ bgp_community then accept; reject;",
            r(),
            Accept,
            none,
        ),
        (
            "",
            "if (65000, 9) ~ bgp_community then accept; reject;",
            r(),
            Reject,
            none,
        ),
        (
            "",
            "if bgp_community ~ [(65001, *)] && bgp_community.len = 3 then accept; reject;",
            r(),
            Accept,
            none,
        ),
        (
            "",
            "if bgp_community ~ [(65002, 1..10)] then accept; reject;",
            r(),
            Reject,
            none,
        ),
        (
            "",
            "bgp_community.add((64512, 5)); accept;",
            r(),
            Accept,
            |o| assert_eq!(clist(o).last(), Some(&Community::new(64512, 5))),
        ),
        (
            "",
            "bgp_community.add((65000, 1)); accept;",
            r(),
            Accept,
            |o| assert!(o.modified.is_none()),
        ),
        (
            "",
            "bgp_community.delete([(65000, *)]); accept;",
            r(),
            Accept,
            |o| assert_eq!(clist(o), vec![Community::new(65001, 7)]),
        ),
        (
            "",
            "bgp_community.delete((65001, 7)); accept;",
            r(),
            Accept,
            |o| assert_eq!(clist(o).len(), 2),
        ),
        (
            "",
            "bgp_community.filter([(65000, 2..5)]); accept;",
            r(),
            Accept,
            |o| assert_eq!(clist(o), vec![Community::new(65000, 2)]),
        ),
        (
            "",
            "bgp_community = add(bgp_community, (1, 2)); accept;",
            route("1.0.0.0/8"),
            Accept,
            |o| assert_eq!(clist(o), vec![Community::new(1, 2)]),
        ),
        (
            "",
            "bgp_community = delete(bgp_community, [(65000, *)]); accept;",
            r(),
            Accept,
            |o| assert_eq!(clist(o).len(), 1),
        ),
        ("", "bgp_community = -empty-; accept;", r(), Accept, |o| {
            assert!(clist(o).is_empty())
        }),
        (
            "",
            "if (65000, 1) ~ bgp_large_community then accept;",
            r(),
            Err_("'~' does not apply to these types"),
            |_| {},
        ),
        (
            "",
            "if (70000, 1) ~ bgp_community then accept;",
            r(),
            Err_("community parts must fit 16 bits"),
            |_| {},
        ),
    ]);
}

#[test]
fn large_and_extended_communities() {
    let r = || route("1.0.0.0/8").large(65000, 1, 2);
    table(vec![
        ("", "if (65000, 1, 2) ~ bgp_large_community then accept; reject;", r(), Accept, none),
        ("", "if bgp_large_community ~ [(65000, *, 1..5)] then accept; reject;", r(), Accept, none),
        ("", "bgp_large_community.add((1, 2, 3)); accept;", r(), Accept,
            |o| assert_eq!(o.modified.as_ref().unwrap().large_communities.len(), 2)),
        ("", "bgp_large_community.delete([(65000, *, *)]); accept;", r(), Accept,
            |o| assert!(o.modified.as_ref().unwrap().large_communities.is_empty())),
        ("", "bgp_large_community.filter([(1, *, *)]); accept;", r(), Accept,
            |o| assert!(o.modified.as_ref().unwrap().large_communities.is_empty())),
        ("", "bgp_ext_community.add((rt, 65000, 100)); if (rt, 65000, 100) ~ bgp_ext_community then accept;", r(), Accept,
            |o| assert_eq!(o.modified.as_ref().unwrap().ext_communities.len(), 1)),
        ("", "bgp_ext_community.add((ro, 1, 2)); bgp_ext_community.delete((ro, 1, 2)); accept;", r(), Accept,
            |o| assert!(o.modified.as_ref().unwrap().ext_communities.is_empty())),
    ]);
    let _ = LargeCommunity {
        global: 0,
        local1: 0,
        local2: 0,
    };
}

#[test]
fn functions_defines_and_print() {
    let prelude = "
define MYAS = 64512;
define POOL = 10.244.0.0/16;
define BIG = MYAS * 2;
function is_pool(prefix p) { return p ~ POOL; }
function double(int x) int y; { y = x + x; return y; }
function add3(int a, int b, int c) { int s = a + b; return s + c; }
function tag(bool internal) {
  if internal then bgp_community.add((MYAS, 1)); else bgp_community.add((MYAS, 2));
}
function deny_small() { if net.len > 24 then reject; }
";
    table(vec![
        (
            prelude,
            "if is_pool(net) then accept; reject;",
            route("10.244.1.0/26"),
            Accept,
            none,
        ),
        (
            prelude,
            "if is_pool(net) then accept; reject;",
            route("10.245.1.0/26"),
            Reject,
            none,
        ),
        (
            prelude,
            "if double(21) = 42 && add3(1, 2, 3) = 6 && BIG = 129024 then accept;",
            route("1.0.0.0/8"),
            Accept,
            none,
        ),
        (
            prelude,
            "tag(true); accept;",
            route("1.0.0.0/8"),
            Accept,
            |o| {
                assert_eq!(
                    o.modified.as_ref().unwrap().communities,
                    vec![Community::new(64512, 1)]
                )
            },
        ),
        (
            prelude,
            "tag(false); accept;",
            route("1.0.0.0/8"),
            Accept,
            |o| {
                assert_eq!(
                    o.modified.as_ref().unwrap().communities,
                    vec![Community::new(64512, 2)]
                )
            },
        ),
        // `reject` inside a function ends the whole filter.
        (
            prelude,
            "deny_small(); accept;",
            route("1.0.0.0/25"),
            Reject,
            none,
        ),
        (
            prelude,
            "deny_small(); accept;",
            route("1.0.0.0/24"),
            Accept,
            none,
        ),
        (
            prelude,
            "int n; n = net.len * 2; if n = 48 then accept;",
            route("1.0.0.0/24"),
            Accept,
            none,
        ),
        (
            prelude,
            "print \"net \", net, \" len \", net.len; printn \"x\"; accept;",
            route("1.0.0.0/24").path(&[1, 2]),
            Accept,
            |o| assert_eq!(o.printed, "net 1.0.0.0/24 len 24\nx"),
        ),
        (
            prelude,
            "print bgp_path, \" \", (1, 2), \" \", source, \" \", ifname; accept;",
            route("1.0.0.0/24").path(&[1, 2]).ifname("eth0"),
            Accept,
            |o| assert_eq!(o.printed, "1 2 (1,2) RTS_BGP eth0\n"),
        ),
        (
            prelude,
            "bgp_local_pref = 1 / (net.len - 24); accept;",
            route("1.0.0.0/24"),
            Err_("arithmetic overflow or division by zero"),
            |_| {},
        ),
    ]);
}

#[test]
fn filter_is_a_policy() {
    let f = filt("", "if net ~ 10.0.0.0/8 then accept; reject;");
    let r = route("10.1.0.0/16");
    let mut v = RouteView::new(r.prefix, &r.source, &r.attrs, r.next_hop);
    assert!(f.run(&mut v));
    let r = route("11.1.0.0/16");
    let mut v = RouteView::new(r.prefix, &r.source, &r.attrs, r.next_hop);
    assert!(!f.run(&mut v));
    // Falling off the end rejects, as in BIRD.
    let f = filt("", "if false then accept;");
    assert!(!f.run(&mut v));
    // Debug shows the compiled body: a reload compares filters by it.
    assert!(format!("{:?}", f).starts_with("Filter(f, ["));
    let same = filt("", "if false then accept;");
    let other = filt("", "if true then accept;");
    assert_eq!(format!("{f:?}"), format!("{same:?}"));
    assert_ne!(format!("{f:?}"), format!("{other:?}"));
}

#[test]
fn static_route_attribute_blocks() {
    let c = parse_bird_str(
        "s.conf",
        "protocol static { ipv4; route 10.0.0.0/24 via 192.0.2.1 { bgp_local_pref = 300; bgp_community.add((1, 2)); }; route 10.1.0.0/24 unreachable; }",
    )
    .unwrap();
    let wren_config::model::ProtocolKind::Static(s) = &c.protocols[0].kind else {
        panic!()
    };
    let f = s.routes[0].attrs.as_ref().unwrap();
    let o = run(f, &route("10.0.0.0/24").static_());
    assert_eq!(o.verdict, Fallthrough);
    assert_eq!(o.modified.as_ref().unwrap().local_pref, Some(300));
    assert!(s.routes[1].attrs.is_none());
}

// ---- Calico's generated filters, from the corpus ----

fn corpus(rel: &str) -> Config {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus/calico-confd")
        .join(rel);
    parse_bird_file(&p).unwrap_or_else(|e| panic!("{e}"))
}

fn export_of(c: &Config, proto: &str) -> Arc<Filter> {
    match c.protocol(proto).unwrap().channel.export.val().unwrap() {
        FilterSpec::Filter(f) => f.clone(),
        other => panic!("{other:?}"),
    }
}

fn import_of(c: &Config, proto: &str) -> Arc<Filter> {
    match c.protocol(proto).unwrap().channel.import.val().unwrap() {
        FilterSpec::Filter(f) => f.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn calico_kernel_programming() {
    let c = corpus("mesh/hash/bird.cfg");
    let k = c.filter("calico_kernel_programming").unwrap();
    // A BGP route: metric from local pref, preference raised when below 1024.
    let o = run(k, &route("192.168.100.0/26").local_pref(100));
    assert_eq!(o.verdict, Accept);
    assert_eq!(o.facts.krt_metric, Some(2147483547));
    assert_eq!(o.facts.preference, None);
    let o = run(k, &route("192.168.100.0/26").local_pref(2147483000));
    assert_eq!(o.facts.krt_metric, Some(647));
    assert_eq!(o.facts.preference, Some(200));
    // A BGP route always has a local pref (100 from eBGP, as in BIRD), so
    // the 1024 fallback never applies to one; other sources get no metric.
    // A kernel route with its own metric is left alone.
    assert_eq!(
        run(k, &route("10.9.0.0/16")).facts.krt_metric,
        Some(2147483547)
    );
    assert_eq!(
        run(k, &route("10.9.0.0/16").static_()).facts.krt_metric,
        None
    );
    let o = run(k, &route("10.9.0.0/16").kernel().metric(5));
    assert_eq!((o.verdict, o.facts.krt_metric), (Accept, Some(5)));

    // cluster_routes: krt_tunnel chosen by next hop.
    let c = corpus("cluster_routes/enabled/bird.cfg");
    let k = c.filter("calico_kernel_programming").unwrap();
    let o = run(k, &route("172.16.1.0/26").next_hop("10.192.0.3"));
    assert_eq!(o.facts.krt_tunnel.as_deref(), Some(""));
    let o = run(k, &route("172.16.1.0/26").next_hop("10.193.0.3"));
    assert_eq!(o.facts.krt_tunnel.as_deref(), Some("tunl0"));
    let o = run(k, &route("192.168.3.0/26"));
    assert_eq!(
        (o.verdict, o.facts.krt_tunnel.as_deref()),
        (Accept, Some("tunl0"))
    );
}

#[test]
fn calico_mesh_export() {
    let c = corpus("mesh/hash/bird.cfg");
    let ex = export_of(&c, "Mesh_10_192_0_3");
    // The host's IPAM block (a static blackhole): exported, local pref from metric.
    let block = route("192.168.221.64/26")
        .static_()
        .dest(RouteDest::Blackhole);
    let o = run(&ex, &block);
    assert_eq!(o.verdict, Accept);
    assert_eq!(o.facts.krt_metric, Some(1024));
    assert_eq!(o.modified.as_ref().unwrap().local_pref, Some(2147482623));
    // A workload /32 under the block with a normal metric: only the block goes out.
    let wl = route("192.168.221.70/32")
        .kernel()
        .metric(1024)
        .ifname("cali12345");
    assert_eq!(run(&ex, &wl).verdict, Reject);
    // ... unless its metric is below 1024 (a borrowed IP).
    let wl = route("192.168.221.70/32")
        .kernel()
        .metric(512)
        .ifname("cali12345");
    assert_eq!(run(&ex, &wl).verdict, Accept);
    // BPF-local routes and tunnel devices never leave the node.
    let bpf = route("192.168.5.0/26").kernel().ifname("bpf0.cali");
    assert_eq!(run(&ex, &bpf).verdict, Reject);
    let tun = route("192.168.5.0/26").kernel().ifname("tunl0");
    assert_eq!(run(&ex, &tun).verdict, Reject);
    // Another node's block learned over BGP, in the pool: exported.
    let o = run(&ex, &route("192.168.5.0/26").local_pref(100));
    assert_eq!((o.verdict, o.facts.krt_metric), (Accept, Some(2147483547)));
    // Outside the pool: rejected.
    assert_eq!(
        run(&ex, &route("8.8.8.0/24").local_pref(100)).verdict,
        Reject
    );

    // Import: preference 200 for high local pref.
    let im = import_of(&c, "Mesh_10_192_0_3");
    let o = run(&im, &route("192.168.5.0/26").local_pref(2147483000));
    assert_eq!((o.verdict, o.facts.preference), (Accept, Some(200)));
    let o = run(&im, &route("192.168.5.0/26").local_pref(100));
    assert_eq!((o.verdict, o.facts.preference), (Accept, None));
}

#[test]
fn calico_bgpfilter_functions() {
    let c = corpus("bgpfilter/as_path_and_priority/bird.cfg");
    let im = import_of(&c, "Global_10_192_0_3");
    let o = run(&im, &route("10.5.0.0/16").path(&[65000, 3]));
    assert_eq!(o.verdict, Accept);
    assert_eq!(o.modified.as_ref().unwrap().local_pref, Some(2147483547));
    // The function accepted: the `preference = 200` after it never ran.
    assert_eq!(o.facts.preference, None);
    let ex = export_of(&c, "Global_10_192_0_3");
    let o = run(&ex, &route("10.5.0.0/16").local_pref(2147483447));
    assert_eq!(o.verdict, Accept);
    assert_eq!(
        o.modified.as_ref().unwrap().as_path,
        Some(AsPath::sequence(&[65000, 65001]))
    );

    let c = corpus("bgpfilter/communities_and_operations/bird.cfg");
    let im = import_of(&c, "Global_10_192_0_3");
    let o = run(&im, &route("10.5.0.0/16").community(65000, 100));
    assert_eq!(o.modified.as_ref().unwrap().local_pref, Some(2147483391));
    assert_eq!(run(&im, &route("10.5.0.0/16")).verdict, Reject);
    let ex = export_of(&c, "Global_10_192_0_3");
    let o = run(
        &ex,
        &route("10.5.0.0/16").community(65000, 42).local_pref(100),
    );
    assert_eq!(o.verdict, Accept);
    let m = o.modified.unwrap();
    assert!(m.communities.contains(&Community::new(65001, 200)));
    assert_eq!(m.as_path, Some(AsPath::sequence(&[65000])));

    let c = corpus("bgpfilter/peer_type/bird.cfg");
    assert!(c.protocols.len() > 3);
    let c = corpus("bgpfilter/large_community/bird.cfg");
    let name = c.bgp().next().unwrap().0.name.value.clone();
    let im = import_of(&c, &name);
    let out = run(&im, &route("10.5.0.0/16").large(10, 20, 30));
    assert!(matches!(out.verdict, Accept | Reject));
}

/// The same statements run through BIRD 2.0.12 (a static route
/// 172.0.0.0/8 with this import filter, `print` to the log) printed these
/// values; Wren must compute the same ones.
#[test]
fn semantics_checked_against_bird2() {
    let f = filt(
        "",
        r#"
  print "prec ", true || false && false;
  print "minus8 ", net ~ [ 172.16.0.0/12- ];
  print "plus ", net ~ [ 172.0.0.0/8+ ], " range ", net ~ [ 172.0.0.0/7{8,9} ];
  bgp_community.add((65000,1)); bgp_community.add((65001,2));
  print "any ", bgp_community ~ [(65001,*)], " all? ", bgp_community ~ [(65002,*)];
  bgp_path.prepend(3); bgp_path.prepend(2); bgp_path.prepend(1);
  print "mask ", bgp_path ~ [= 1 * 3 =], " ", bgp_path ~ [= * 2 =], " len ", bgp_path.len, " first ", bgp_path.first, " last ", bgp_path.last;
  print "div ", 7/2, " ", 10 - 3 - 2;
  accept;"#,
    );
    let o = run(
        &f,
        &route("172.0.0.0/8").static_().dest(RouteDest::Blackhole),
    );
    assert_eq!(o.verdict, Accept);
    assert_eq!(
        o.printed,
        "prec FALSE\nminus8 TRUE\nplus TRUE range TRUE\nany TRUE all? FALSE\n\
         mask TRUE FALSE len 3 first 1 last 3\ndiv 3 5\n"
    );
}
