//! wrend's mapping of BIRD configurations: seed 002's r2 as a session
//! with its filters, and options Wren cannot honour yet refused at their
//! file:line:column, whole.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::path::{Path, PathBuf};
use wren::config::load;

fn write(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wren-bird-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn seed_002_r2_maps_to_one_ebgp_session_with_its_filters_and_the_kernel() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../labs/seed-002/bird-r2.conf");
    let spec = load(&p, false).unwrap();
    assert_eq!(spec.router_id.to_string(), "2.2.2.2");
    let peer = &spec.peers[0];
    assert_eq!(peer.name, "peer_r1");
    assert_eq!(peer.address.to_string(), "192.168.1.1");
    assert_eq!(
        peer.source_address.map(|a| a.to_string()).as_deref(),
        Some("192.168.1.2")
    );
    assert_eq!(peer.session.local_as, 64513);
    assert!(
        format!("{:?}", peer.export).contains("Filter"),
        "export where net ~ ..."
    );
    let k = spec.kernel.as_ref().unwrap();
    assert_eq!((k.table, k.protocol, k.metric), (254, 12, 32));
    let direct = spec.connected.as_ref().unwrap();
    assert!(
        (direct.0)("lo") && !(direct.0)("veth-r2"),
        "direct: interface \"lo\""
    );
}

#[test]
fn unsupported_options_are_refused_where_they_are_written() {
    let cases = [
        (
            "router id 1.2.3.4;\nprotocol bgp x {\n  local as 65000;\n  neighbor 10.0.0.1 as 65001;\n  default bgp_med 5;\n}\n",
            ":5:3: `default bgp_med` is not supported by Wren yet",
        ),
        (
            "router id 1.2.3.4;\nprotocol bgp x {\n  local as 65000;\n  neighbor fe80::1 as 65001;\n  interface \"eth0\";\n}\n",
            "not supported by Wren yet",
        ),
        (
            "protocol bgp x {\n  local as 65000;\n  neighbor 10.0.0.1 as 65001;\n}\n",
            "no `router id`",
        ),
        (
            "router id 1.2.3.4;\nprotocol kernel {\n  device routes yes;\n  ipv4 { export all; };\n}\n",
            ":3:3: `device routes` (direct routes into the kernel) is not supported by Wren yet",
        ),
    ];
    for (i, (text, want)) in cases.iter().enumerate() {
        let p = write(&format!("bad{i}.conf"), text);
        let err = load(&p, false).unwrap_err();
        assert!(err.contains(want), "case {i}: {err}");
        let _ = std::fs::remove_file(&p);
    }
}
