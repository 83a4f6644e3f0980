//! Every Calico confd-generated BIRD 1.x configuration parses.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::path::{Path, PathBuf};
use wren_config::parse_bird_file;

fn corpus_dirs() -> Vec<PathBuf> {
    let mut v = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/calico-confd")];
    let shared = Path::new("/work/shared/corpus/calico-confd");
    if shared.exists() {
        v.push(shared.to_path_buf());
    }
    v
}

fn top_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            top_files(&p, out);
        } else if matches!(
            p.file_name().and_then(|n| n.to_str()),
            Some("bird.cfg" | "bird6.cfg")
        ) {
            out.push(p);
        }
    }
}

#[test]
fn whole_corpus_parses() {
    let mut total = 0;
    let mut failures = Vec::new();
    for dir in corpus_dirs() {
        if !dir.exists() {
            continue;
        }
        let mut files = Vec::new();
        top_files(&dir, &mut files);
        files.sort();
        for f in files {
            total += 1;
            if let Err(e) = parse_bird_file(&f) {
                failures.push(format!("{e}"));
            }
        }
    }
    assert!(total >= 176, "corpus not found: {total} files");
    assert!(
        failures.is_empty(),
        "{} of {total} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn corpus(rel: &str) -> wren_config::Config {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus/calico-confd")
        .join(rel);
    parse_bird_file(&p).unwrap_or_else(|e| panic!("{e}"))
}

/// A few of the corpus' models checked field by field.
#[test]
fn corpus_models() {
    use std::net::{IpAddr, Ipv4Addr};
    use wren_config::model::{Hop, NextHopMode, ProtocolKind, StaticTarget};
    use wren_config::OptionValue;

    let c = corpus("explicit_peering/global/bird.cfg");
    let l = c.listen_bgp.val().unwrap();
    assert_eq!(l.address, Some(IpAddr::from([10, 192, 0, 2])));
    assert_eq!(l.port, Some(150));
    let p = c.protocol("Global_10_192_0_1_port_150").unwrap();
    let ProtocolKind::Bgp(b) = &p.kind else {
        panic!()
    };
    let n = b.neighbor.val().unwrap();
    assert_eq!(
        (n.address, n.port),
        (Some(IpAddr::from([10, 192, 0, 1])), Some(150))
    );
    assert_eq!(b.neighbor_as(), Some(64567));
    assert_eq!(b.local_as.val(), Some(&64567));
    assert_eq!(b.is_internal(), Some(true));
    assert_eq!(b.hop.val(), Some(&Hop::Multihop(None)));
    assert_eq!(b.ttl_security.val(), Some(&false));

    let c = corpus("mesh/password/step2/bird.cfg");
    let pw: Vec<&str> = c
        .bgp()
        .filter_map(|(_, b)| b.password.val().map(String::as_str))
        .collect();
    assert_eq!(pw, vec!["password-a", "password-a"]);
    let c = corpus("password/step2/bird.cfg");
    let pw: Vec<&str> = c
        .bgp()
        .filter_map(|(_, b)| b.password.val().map(String::as_str))
        .collect();
    assert!(pw.contains(&"password-b"), "{pw:?}");

    let c = corpus("ttl_security/global/bird.cfg");
    assert!(c.bgp().all(|(_, b)| b.ttl_security.val() == Some(&true)));

    let c = corpus("explicit_peering/keepnexthop/bird.cfg");
    let rr: Vec<_> = c
        .bgp()
        .filter(|(_, b)| b.rr_client.val() == Some(&true))
        .collect();
    assert_eq!(rr.len(), 2);
    assert!(rr
        .iter()
        .all(|(_, b)| b.rr_cluster_id.val() == Some(&Ipv4Addr::new(10, 0, 0, 1))));
    assert!(c
        .bgp()
        .any(|(p, _)| p.channel.next_hop.val() == Some(&NextHopMode::Keep(true))));

    // The IPAM blocks: blackhole statics from the template.
    let c = corpus("mesh/hash/bird.cfg");
    let ProtocolKind::Static(s) = &c.protocol("static1").unwrap().kind else {
        panic!()
    };
    assert_eq!(s.routes.len(), 4);
    assert!(s.routes.iter().all(|r| r.target == StaticTarget::Blackhole));
    assert_eq!(
        c.protocol("static1")
            .unwrap()
            .from
            .val()
            .map(String::as_str),
        Some("static_template")
    );
    let ProtocolKind::Direct(d) = &c.protocol("direct1").unwrap().kind else {
        panic!()
    };
    assert!(d.accepts("eth0") && !d.accepts("cali0ab") && !d.accepts("kube-ipvs0"));
    let ProtocolKind::Kernel(k) = &c.protocol("kernel1").unwrap().kind else {
        panic!()
    };
    assert_eq!(k.scan_time.val(), Some(&2));
    assert_eq!(
        c.protocol("kernel1")
            .unwrap()
            .channel
            .import
            .val()
            .map(|_| ()),
        Some(())
    );

    // IPv6 mesh.
    let c = corpus("mesh/hash/bird6.cfg");
    assert!(c
        .bgp()
        .all(|(_, b)| b.neighbor_address().is_some_and(|a| a.is_ipv6())));
}

/// The committed copy and the shared corpus are the same files.
#[test]
fn committed_copy_matches_shared() {
    let shared = Path::new("/work/shared/corpus/calico-confd");
    if !shared.exists() {
        return;
    }
    let mine = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/calico-confd");
    let (mut a, mut b) = (Vec::new(), Vec::new());
    top_files(shared, &mut a);
    top_files(&mine, &mut b);
    assert_eq!(a.len(), b.len());
}
