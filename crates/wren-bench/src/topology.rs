//! The three namespaces of a run and the links between them, and sockets
//! opened inside them.
//!
//! The benchmark process stays in the root namespace. To open a socket in
//! `wbn-gen` or `wbn-mon` a short-lived thread enters that namespace
//! (`setns(2)` changes only the calling thread's namespace), creates the
//! sockets and hands them back; a socket keeps its namespace for life, so
//! tokio then drives it from any thread.
//!
//! A [`Topology`] deletes its namespaces when dropped, after killing any
//! process still inside them (the router under test), so an error, a
//! panic or Ctrl-C leaves nothing behind.

use crate::lab::{self, NS_DUT, NS_GEN, NS_MON, NS_PREFIX};
use crate::mesh::plan::NS_PREFIX as MESH_PREFIX;
use anyhow::{anyhow, bail, Context, Result};
use nix::sched::{setns, CloneFlags};
use std::io::Write;
use std::net::SocketAddr;
use std::process::{Command, Stdio};

/// The namespaces of one run, deleted on drop.
#[derive(Debug)]
pub struct Topology {
    names: Vec<&'static str>,
}

impl Topology {
    /// Creates `wbn-gen`, `wbn-dut` and `wbn-mon`, a veth from the
    /// testers to the router holding `testers` tester addresses (and IPv6
    /// ones when `v6`), and a veth from the router to the monitor.
    pub fn create(testers: u32, v6: bool) -> Result<Self> {
        if testers > lab::MAX_TESTERS {
            bail!("at most {} testers fit the lab's /16", lab::MAX_TESTERS);
        }
        let mut t = Topology { names: Vec::new() };
        for ns in [NS_GEN, NS_DUT, NS_MON] {
            ip(&["netns", "add", ns])?;
            t.names.push(ns);
            ip(&["-n", ns, "link", "set", "lo", "up"])?;
        }
        veth(NS_GEN, "gen0", NS_DUT, "gen0")?;
        veth(NS_DUT, "mon0", NS_MON, "mon0")?;
        let mut gen = Vec::new();
        let mut dut = vec![
            format!("addr add {}/{} dev gen0", lab::DUT_GEN_V4, lab::GEN_V4_LEN),
            format!("addr add {}/{} dev mon0", lab::DUT_MON_V4, lab::MON_V4_LEN),
        ];
        let mut mon = vec![format!(
            "addr add {}/{} dev mon0",
            lab::MON_V4,
            lab::MON_V4_LEN
        )];
        for i in 0..testers {
            gen.push(format!(
                "addr add {}/{} dev gen0",
                lab::tester_v4(i),
                lab::GEN_V4_LEN
            ));
        }
        if v6 {
            let v6 = |a: std::net::Ipv6Addr, dev: &str| {
                format!("addr add {a}/{} dev {dev} nodad", lab::V6_LEN)
            };
            dut.push(v6(lab::DUT_GEN_V6, "gen0"));
            dut.push(v6(lab::DUT_MON_V6, "mon0"));
            mon.push(v6(lab::MON_V6, "mon0"));
            gen.extend((0..testers).map(|i| v6(lab::tester_v6(i), "gen0")));
        }
        for (ns, lines, dev) in [
            (NS_GEN, gen, "gen0"),
            (NS_DUT, dut, "gen0"),
            (NS_MON, mon, "mon0"),
        ] {
            batch(ns, &lines)?;
            ip(&["-n", ns, "link", "set", dev, "up"])?;
        }
        ip(&["-n", NS_DUT, "link", "set", "mon0", "up"])?;
        Ok(t)
    }
}

impl Drop for Topology {
    fn drop(&mut self) {
        for ns in self.names.drain(..).rev() {
            remove(ns);
        }
    }
}

/// Removes namespaces a previous run left behind (killed with SIGKILL,
/// say). Only names with this tool's own prefixes (`wbn-`, and the mesh's
/// `wbm-`) are touched.
pub fn remove_stale() -> Result<()> {
    let out = Command::new("ip")
        .args(["netns", "list"])
        .output()
        .context("running ip netns list")?;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let name = line.split_whitespace().next().unwrap_or("");
        if name.starts_with(NS_PREFIX) || name.starts_with(MESH_PREFIX) {
            eprintln!("removing namespace {name} left by an earlier run");
            remove(name);
        }
    }
    Ok(())
}

/// Kills every process in `ns` (only ever ours: the namespace is), then
/// deletes it.
pub fn remove(ns: &str) {
    if let Ok(out) = Command::new("ip").args(["netns", "pids", ns]).output() {
        for pid in String::from_utf8_lossy(&out.stdout).split_whitespace() {
            if let Ok(pid) = pid.parse::<i32>() {
                let _ = nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(pid),
                    nix::sys::signal::Signal::SIGKILL,
                );
            }
        }
    }
    let _ = Command::new("ip")
        .args(["netns", "del", ns])
        .stderr(Stdio::null())
        .status();
}

/// Runs `ip` with `args`, failing with its message.
pub fn ip(args: &[&str]) -> Result<()> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .context("running ip")?;
    if !out.status.success() {
        bail!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// A veth pair created straight into the two namespaces, so its names
/// never meet the root namespace's.
pub fn veth(ns_a: &str, a: &str, ns_b: &str, b: &str) -> Result<()> {
    ip(&[
        "link", "add", a, "netns", ns_a, "type", "veth", "peer", "name", b, "netns", ns_b,
    ])
}

/// Runs many `ip` commands in `ns` with one process (`ip -batch`): a
/// thousand addresses take milliseconds instead of seconds.
pub fn batch(ns: &str, lines: &[String]) -> Result<()> {
    let mut child = Command::new("ip")
        .args(["-n", ns, "-batch", "-"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .context("running ip -batch")?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(lines.join("\n").as_bytes())?;
        stdin.write_all(b"\n")?;
    }
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!(
            "ip -n {ns} -batch: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// Unconnected, non-blocking TCP sockets created inside `ns`, each bound
/// to one of `locals`, ready for [`tokio::net::TcpSocket::from_std_stream`].
pub fn sockets_in(ns: &str, locals: Vec<SocketAddr>) -> Result<Vec<std::net::TcpStream>> {
    let path = format!("/run/netns/{ns}");
    std::thread::spawn(move || -> Result<Vec<std::net::TcpStream>> {
        let f = std::fs::File::open(&path).with_context(|| format!("opening {path}"))?;
        setns(&f, CloneFlags::CLONE_NEWNET).with_context(|| format!("entering {path}"))?;
        locals
            .into_iter()
            .map(|local| {
                use socket2::{Domain, Protocol, Socket, Type};
                let s = Socket::new(
                    Domain::for_address(local),
                    Type::STREAM,
                    Some(Protocol::TCP),
                )?;
                s.set_nonblocking(true)?;
                s.bind(&local.into())
                    .with_context(|| format!("binding {local}"))?;
                Ok(s.into())
            })
            .collect()
    })
    .join()
    .map_err(|_| anyhow!("the namespace thread panicked"))?
}
