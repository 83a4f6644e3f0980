//! Network namespaces for tests: created per test with a unique name,
//! always deleted by `Drop` (also when the test panics). Interfaces live
//! inside them, so nothing touches the host's own links or routes.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs::File;
use std::future::Future;
use std::process::Command;

/// A prefix from its text.
pub fn p(s: &str) -> wren_linux::Prefix {
    s.parse().unwrap()
}

/// An address from its text.
pub fn ip(s: &str) -> std::net::IpAddr {
    s.parse().unwrap()
}

/// True when we may create namespaces; otherwise says why the test skips.
pub fn root() -> bool {
    if nix::unistd::geteuid().is_root() {
        true
    } else {
        eprintln!("skipped: network namespace tests need root");
        false
    }
}

/// A network namespace `wl<pid>-<tag>`, removed on drop.
pub struct Netns {
    pub name: String,
}

impl Netns {
    /// Creates the namespace with its loopback up.
    pub fn new(tag: &str) -> Netns {
        let name = format!("wl{}-{tag}", std::process::id());
        let _ = Command::new("ip").args(["netns", "del", &name]).output();
        sh("ip", &["netns", "add", &name]);
        let ns = Netns { name };
        ns.ip("link set lo up");
        ns
    }

    /// Runs `ip -n NAME ARGS`, panicking with its stderr on failure.
    pub fn ip(&self, args: &str) -> String {
        let mut argv = vec!["-n", &self.name];
        argv.extend(args.split_whitespace());
        sh("ip", &argv)
    }

    /// Runs `ip -n NAME ARGS`, returning whether it succeeded.
    pub fn ip_ok(&self, args: &str) -> bool {
        let mut argv = vec!["-n", &self.name];
        argv.extend(args.split_whitespace());
        Command::new("ip").args(&argv).status().unwrap().success()
    }

    /// A veth pair with both ends in this namespace, both up.
    pub fn veth(&self, a: &str, b: &str) {
        self.ip(&format!("link add {a} type veth peer name {b}"));
        self.ip(&format!("link set {a} up"));
        self.ip(&format!("link set {b} up"));
    }

    /// The interface index of `dev`.
    pub fn ifindex(&self, dev: &str) -> u32 {
        let out = self.ip(&format!("-o link show {dev}"));
        out.split(':').next().unwrap().trim().parse().unwrap()
    }

    /// Moves the calling thread into this namespace.
    pub fn enter(&self) {
        let f = File::open(format!("/run/netns/{}", self.name)).unwrap();
        nix::sched::setns(f, nix::sched::CloneFlags::CLONE_NEWNET).unwrap();
    }

    /// Runs `f` on a new thread inside the namespace; a panic there is a
    /// panic here.
    pub fn thread<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> T {
        let path = format!("/run/netns/{}", self.name);
        let h = std::thread::spawn(move || {
            let file = File::open(path).unwrap();
            nix::sched::setns(file, nix::sched::CloneFlags::CLONE_NEWNET).unwrap();
            f()
        });
        match h.join() {
            Ok(v) => v,
            Err(p) => std::panic::resume_unwind(p),
        }
    }

    /// Runs the future on a current-thread tokio runtime (the daemon's
    /// kind) on a thread inside the namespace.
    pub fn run<T, F, Fut>(&self, f: F) -> T
    where
        T: Send + 'static,
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = T>,
    {
        self.thread(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(f())
        })
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        // Deleting the namespace deletes the veths inside it.
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .output();
    }
}

/// Runs a command, panicking with its stderr on failure; returns stdout.
pub fn sh(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{cmd} {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A namespace with two veth pairs: a0 (198.18.0.1/24, 2001:db8::1/64)
/// facing b0, and a1 (198.18.1.1/24, 2001:db8:1::1/64) facing b1. The
/// b ends carry no address, so .2 / ::2 are gateways on the a links that
/// are not our own addresses (no packet is ever sent to them).
pub fn lab(tag: &str) -> Netns {
    let ns = Netns::new(tag);
    for i in 0..2 {
        ns.veth(&format!("a{i}"), &format!("b{i}"));
        ns.ip(&format!("addr add 198.18.{i}.1/24 dev a{i}"));
        ns.ip(&format!("addr add 2001:db8:{i}::1/64 dev a{i} nodad"));
    }
    ns
}
