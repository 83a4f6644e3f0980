//! BIRD 2's configuration, which wrend reads too.

use super::Lab;
use crate::lab::{DUT_AS, DUT_GEN_V4, DUT_MON_V4, MON_AS, MON_V4};
use crate::session::HOLD_TIME;
use std::fmt::Write;

/// One template for the testers and a protocol per tester; one protocol
/// for the monitor. `protocol device` lets BIRD see the links, without
/// which it cannot resolve the testers' next hops. Problems are logged to
/// stderr, which the benchmark keeps. With [`Lab::kernel`], a `kernel`
/// protocol exports every route into the main table (one route per
/// prefix: `merge paths` is off by default).
pub fn config(lab: &Lab) -> String {
    let channels = |import: &str, export: &str| {
        let mut c = format!("  ipv4 {{ import {import}; export {export}; }};\n");
        if lab.v6 {
            let _ = writeln!(c, "  ipv6 {{ import {import}; export {export}; }};");
        }
        c
    };
    let mut s = format!(
        "log stderr {{ warning, error, fatal, remote, bug }};\n\
         router id {DUT_GEN_V4};\n\
         protocol device {{}}\n\
         template bgp tester {{\n  local {DUT_GEN_V4} as {DUT_AS};\n  passive on;\n  hold time {HOLD_TIME};\n{}}}\n",
        channels("all", "none"),
    );
    if lab.monitor {
        let _ = writeln!(
            s,
            "protocol bgp monitor {{\n  local {DUT_MON_V4} as {DUT_AS};\n  neighbor {MON_V4} as {MON_AS};\n  passive on;\n  hold time {HOLD_TIME};\n{}}}",
            channels("none", "all"),
        );
    }
    if lab.kernel {
        let _ = writeln!(s, "protocol kernel {{\n  ipv4 {{ export all; }};\n}}");
        if lab.v6 {
            let _ = writeln!(s, "protocol kernel {{\n  ipv6 {{ export all; }};\n}}");
        }
    }
    for (i, (addr, asn)) in lab.testers.iter().enumerate() {
        let _ = writeln!(
            s,
            "protocol bgp t{i} from tester {{ neighbor {addr} as {asn}; }}"
        );
    }
    s
}
