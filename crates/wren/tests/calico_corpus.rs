//! Every configuration Calico's confd test suite generates (176 bird.cfg
//! and bird6.cfg files with their includes) loads into wrend: parsed by
//! wren-config and mapped onto sessions, filters and protocols, as
//! `wrend -p -c FILE` does.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::path::{Path, PathBuf};

fn configs(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            configs(&p, out);
        } else if matches!(
            p.file_name().and_then(|n| n.to_str()),
            Some("bird.cfg" | "bird6.cfg")
        ) {
            out.push(p);
        }
    }
}

#[test]
fn every_calico_config_loads() {
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../wren-config/tests/corpus/calico-confd");
    let mut all = Vec::new();
    configs(&root, &mut all);
    all.sort();
    assert_eq!(all.len(), 176, "the corpus has 176 top-level configs");
    let failed: Vec<String> = all
        .iter()
        .filter_map(|p| {
            wren::config::load(p, false)
                .err()
                .map(|e| format!("{}: {e}", p.display()))
        })
        .collect();
    assert!(
        failed.is_empty(),
        "{} of 176 do not load:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

#[test]
fn a_calico_mesh_config_maps_to_its_sessions() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../labs/seed-003/node1/bird.cfg");
    let spec = wren::config::load(&p, false).unwrap();
    let names: Vec<&str> = spec.peers.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Mesh_192_168_0_80", "Mesh_192_168_0_82"]);
    let m82 = &spec.peers[1];
    assert!(m82.session.passive, "the higher address is passive");
    assert_eq!(m82.session.connect_delay_time, 2);
    assert_eq!(m82.session.connect_retry_time, 5);
    assert_eq!(m82.session.error_wait_time, (5, 30));
    assert_eq!(m82.multihop, Some(64));
    assert!(
        m82.session.families.iter().all(|f| f.add_path.is_some()),
        "add paths on"
    );
    let k = spec.kernel.as_ref().unwrap();
    assert_eq!((k.table, k.protocol, k.persist), (254, 12, true));
    assert!(k.nexthop_objects, "on unless turned off");
    assert_eq!(spec.statics.len(), 1);
    assert!(spec.connected.is_some());
}

#[test]
fn nexthop_objects_can_be_turned_off() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../labs/seed-003/node1/bird.cfg");
    let text = std::fs::read_to_string(&p).unwrap();
    let off = text.replacen(
        "protocol kernel {",
        "protocol kernel {\n  nexthop objects off;",
        1,
    );
    assert_ne!(off, text, "the seed has a kernel protocol");
    let dir = std::env::temp_dir().join(format!("wren-nh-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // The files it includes come along.
    for f in std::fs::read_dir(p.parent().unwrap()).unwrap() {
        let f = f.unwrap().path();
        if f.is_file() {
            std::fs::copy(&f, dir.join(f.file_name().unwrap())).unwrap();
        }
    }
    let conf = dir.join("bird.cfg");
    std::fs::write(&conf, off).unwrap();
    let spec = wren::config::load(&conf, false);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!spec.unwrap().kernel.unwrap().nexthop_objects);
}
