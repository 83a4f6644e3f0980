//! The routers under test: their configurations and how each is started.
//!
//! Every target gets the same setup: AS 65000, router id 198.18.0.1, one
//! passive eBGP session per tester (import everything, export nothing) and
//! one passive eBGP session to the monitor (import nothing, export
//! everything), hold time 240 s, IPv6 unicast on every session when the
//! scenario has IPv6 routes, and no kernel: wrend and BIRD have no kernel
//! protocol, FRR runs without zebra (`-Z -n`), GoBGP without its zebra
//! client. Exporting nothing back to the testers matters: a router that
//! sends ten feeds back to ten peers does ten times the work, and the
//! figure would measure that instead of the path to the monitor.
//!
//! `kernel-fib` changes two things ([`Lab::kernel`], [`Lab::monitor`]):
//! no monitor session, and routes go into the kernel's main table (a
//! `kernel` protocol exporting everything for wrend and BIRD; zebra in
//! the router's namespace for FRR). The mesh has configurations of its
//! own ([`crate::mesh`]).
//!
//! wrend reads BIRD's dialect, so wrend and BIRD are given the very same
//! file.

mod bird;
mod frr;
mod gobgp;
pub mod zebra;

use crate::lab;
use crate::scenario::Kind;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A router under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Target {
    /// wrend, Wren's daemon.
    Wren,
    /// BIRD 2.
    Bird,
    /// FRR's bgpd.
    Frr,
    /// GoBGP's gobgpd.
    Gobgp,
}

impl Target {
    /// All targets, in the order they run.
    pub const ALL: [Target; 4] = [Target::Wren, Target::Bird, Target::Frr, Target::Gobgp];

    /// Lower-case name, as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Target::Wren => "wren",
            Target::Bird => "bird",
            Target::Frr => "frr",
            Target::Gobgp => "gobgp",
        }
    }

    /// Why this target cannot run scenarios of `kind`, if it cannot.
    /// Such a run is reported as not applicable, not as a failure.
    pub fn unsupported(self, kind: Kind) -> Option<&'static str> {
        match (self, kind) {
            (Target::Gobgp, Kind::KernelFib | Kind::Mesh { .. }) => Some(
                "gobgpd programs the kernel only through FRR's zebra, and GoBGP 3.10's \
                 zebra client (ZAPI 6 up to FRR 8.2) panics decoding FRR 8.4.4's \
                 interface messages",
            ),
            _ => None,
        }
    }

    /// Whether the target reaches the kernel through FRR's zebra.
    pub fn needs_zebra(self) -> bool {
        matches!(self, Target::Frr | Target::Gobgp)
    }

    /// Extension of its configuration file.
    pub fn config_ext(self) -> &'static str {
        if self == Target::Gobgp {
            "toml"
        } else {
            "conf"
        }
    }

    /// The configuration file for `lab`.
    pub fn config(self, lab: &Lab) -> String {
        match self {
            Target::Wren | Target::Bird => bird::config(lab),
            Target::Frr => frr::config(lab),
            Target::Gobgp => gobgp::config(lab),
        }
    }

    /// The command that runs the daemon in the foreground in namespace
    /// `ns` with config `conf`, keeping its sockets, pid file and log
    /// under `dir`; FRR's bgpd talks to the zebra at `zserv` if given,
    /// else runs without zebra or kernel. Run through `ip netns exec`,
    /// which execs it: the child's pid is the daemon's.
    pub fn command(
        self,
        ns: &str,
        conf: &Path,
        dir: &Path,
        wrend: &Path,
        zserv: Option<&Path>,
    ) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", ns]);
        match self {
            Target::Wren => {
                c.arg(wrend).arg("-f").arg("-c").arg(conf);
                c.arg("-s").arg(dir.join("wren.ctl"));
            }
            Target::Bird => {
                c.arg("bird").arg("-f").arg("-c").arg(conf);
                c.arg("-s").arg(dir.join("bird.ctl"));
            }
            Target::Frr => {
                // -Z: no zebra, -n: no kernel, -S: stay root (no frr user
                // needed), -P 0: no vty TCP port.
                c.arg("/usr/lib/frr/bgpd").args(["-S", "-P", "0"]);
                match zserv {
                    Some(z) => c.arg("-z").arg(z),
                    None => c.args(["-Z", "-n"]),
                };
                c.arg("-f").arg(conf).arg("-i").arg(dir.join("bgpd.pid"));
                c.arg("--vty_socket").arg(dir);
                c.arg("--log")
                    .arg(format!("file:{}", dir.join("bgpd.log").display()));
            }
            Target::Gobgp => {
                c.arg("gobgpd").args(["-t", "toml", "-f"]).arg(conf);
                c.args([
                    "--api-hosts=127.0.0.1:50051",
                    "--pprof-disable",
                    "-l",
                    "warn",
                ]);
            }
        }
        c
    }

    /// The program a missing-binary error should name.
    pub fn program(self, wrend: &Path) -> PathBuf {
        match self {
            Target::Wren => wrend.to_path_buf(),
            Target::Bird => "bird".into(),
            Target::Frr => "/usr/lib/frr/bgpd".into(),
            Target::Gobgp => "gobgpd".into(),
        }
    }
}

/// What a configuration must describe: the sessions of one scenario.
#[derive(Clone, Debug)]
pub struct Lab {
    /// (address, AS) of each tester.
    pub testers: Vec<(Ipv4Addr, u32)>,
    /// Whether sessions carry IPv6 unicast too.
    pub v6: bool,
    /// Whether there is a monitor session.
    pub monitor: bool,
    /// Whether received routes go into the kernel's main table.
    pub kernel: bool,
}

impl Lab {
    /// The sessions for `testers` tester peers and the monitor, no kernel.
    pub fn new(testers: u32, v6: bool) -> Self {
        Lab {
            testers: (0..testers)
                .map(|i| (lab::tester_v4(i), lab::tester_as(i)))
                .collect(),
            v6,
            monitor: true,
            kernel: false,
        }
    }

    /// The sessions for `testers` tester peers and no monitor; routes
    /// into the kernel.
    pub fn kernel_fib(testers: u32) -> Self {
        Lab {
            monitor: false,
            kernel: true,
            ..Lab::new(testers, false)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_config_names_every_peer() {
        let l = Lab::new(3, true);
        for t in Target::ALL {
            let c = t.config(&l);
            for (a, asn) in &l.testers {
                assert!(c.contains(&a.to_string()), "{t:?} lacks {a}");
                assert!(c.contains(&asn.to_string()), "{t:?} lacks AS {asn}");
            }
            assert!(c.contains(&lab::MON_V4.to_string()));
            assert!(c.contains("65000"));
        }
    }

    #[test]
    fn kernel_fib_has_a_kernel_and_no_monitor() {
        let l = Lab::kernel_fib(1);
        for t in [Target::Wren, Target::Bird, Target::Frr] {
            let c = t.config(&l);
            assert!(!c.contains(&lab::MON_V4.to_string()), "{t:?}");
            assert!(t.unsupported(Kind::KernelFib).is_none());
        }
        assert!(Target::Bird.config(&l).contains("protocol kernel"));
        assert!(Target::Gobgp.unsupported(Kind::KernelFib).is_some());
        assert!(Target::Gobgp.unsupported(Kind::Transit).is_none());
    }
}
