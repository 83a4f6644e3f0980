//! Building a lab in network namespaces, starting its routers, and
//! tearing it all down again (also when a step fails or the user presses
//! Ctrl-C: [`Lab`] tears down on drop).

use super::topology::{Kind, Topology};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Where running labs keep sockets, pid files and logs.
pub const STATE_DIR: &str = "/run/wren-lab";

/// A lab that is up (or half up).
#[derive(Debug)]
pub struct Lab {
    /// Its topology.
    pub topo: Topology,
    /// Its state directory.
    pub dir: PathBuf,
    /// Leave it running when dropped (`wren-lab up`).
    pub keep: bool,
}

/// Runs a command; its stdout, or an error with its stderr.
pub fn sh(args: &[&str]) -> Result<String, String> {
    let (cmd, rest) = args.split_first().ok_or("empty command")?;
    let out = Command::new(cmd)
        .args(rest)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{}: {e}", args.join(" ")))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "`{}` failed: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim(),
            String::from_utf8_lossy(&out.stdout).trim()
        ))
    }
}

/// The namespace of `node` in lab `name`.
pub fn netns(name: &str, node: &str) -> String {
    format!("wl-{name}-{node}")
}

/// The state directory of lab `name`.
pub fn state_dir(name: &str) -> PathBuf {
    Path::new(STATE_DIR).join(name)
}

impl Lab {
    /// Builds the lab and starts its routers.
    pub fn up(topo: Topology, keep: bool) -> Result<Lab, String> {
        let dir = state_dir(&topo.name);
        if dir.exists() {
            return Err(format!(
                "lab {} is already up (wren-lab down {} first)",
                topo.name, topo.name
            ));
        }
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let lab = Lab { topo, dir, keep };
        lab.build()?;
        for name in lab.topo.nodes.keys() {
            lab.start(name)?;
        }
        Ok(lab)
    }

    /// The namespace of `node`.
    pub fn ns(&self, node: &str) -> String {
        netns(&self.topo.name, node)
    }

    /// A file of `node` in the state directory (`.ctl`, `.log`, `.pid`).
    pub fn file(&self, node: &str, ext: &str) -> PathBuf {
        self.dir.join(format!("{node}.{ext}"))
    }

    fn build(&self) -> Result<(), String> {
        for (name, node) in &self.topo.nodes {
            let ns = self.ns(name);
            sh(&["ip", "netns", "add", &ns])?;
            sh(&["ip", "-n", &ns, "link", "set", "lo", "up"])?;
            if node.kind == Kind::Switch {
                sh(&["ip", "-n", &ns, "link", "add", "br0", "type", "bridge"])?;
                sh(&["ip", "-n", &ns, "link", "set", "br0", "up"])?;
            }
            for (k, v) in &node.sysctls {
                sh(&[
                    "ip",
                    "netns",
                    "exec",
                    &ns,
                    "sysctl",
                    "-qw",
                    &format!("{k}={v}"),
                ])?;
            }
        }
        for l in &self.topo.links {
            let ends: Vec<(&str, &str)> = l
                .endpoints
                .iter()
                .filter_map(|e| e.split_once(':'))
                .collect();
            let [(n1, i1), (n2, i2)] = ends.as_slice() else {
                return Err("a link needs two NODE:IFACE ends".into());
            };
            let (ns1, ns2) = (self.ns(n1), self.ns(n2));
            sh(&[
                "ip", "link", "add", i1, "netns", &ns1, "type", "veth", "peer", "name", i2,
                "netns", &ns2,
            ])?;
            sh(&["ip", "-n", &ns1, "link", "set", i1, "up"])?;
            sh(&["ip", "-n", &ns2, "link", "set", i2, "up"])?;
            for (n, ns, i) in [(n1, &ns1, i1), (n2, &ns2, i2)] {
                if self
                    .topo
                    .nodes
                    .get(*n)
                    .is_some_and(|x| x.kind == Kind::Switch)
                {
                    sh(&["ip", "-n", ns, "link", "set", i, "master", "br0"])?;
                }
            }
        }
        for (name, node) in &self.topo.nodes {
            let ns = self.ns(name);
            for a in &node.addresses {
                let Some((iface, addr)) = a.split_once(' ') else {
                    return Err(format!("{name}: address `{a}` is not `IFACE ADDR/LEN`"));
                };
                let mut args = vec!["ip", "-n", &ns, "addr", "add", addr.trim(), "dev", iface];
                if addr.contains(':') {
                    args.push("nodad");
                }
                sh(&args)?;
            }
            for r in &node.routes {
                let mut args = vec!["ip", "-n", &ns];
                if r.contains(':') {
                    args.push("-6");
                }
                args.extend(["route", "add"]);
                args.extend(r.split_whitespace());
                sh(&args)?;
            }
            for c in &node.exec {
                let mut args = vec!["ip", "netns", "exec", &ns];
                args.extend(c.split_whitespace());
                sh(&args)?;
            }
        }
        Ok(())
    }

    fn start(&self, name: &str) -> Result<(), String> {
        let Some(node) = self.topo.nodes.get(name) else {
            return Ok(());
        };
        let Some(config) = node.config.as_ref().and_then(|c| c.to_str()) else {
            return Ok(());
        };
        let ctl = self.file(name, "ctl");
        let ctl = ctl.to_string_lossy();
        let vty = self.dir.join(name);
        let wrend = wrend_path();
        let args: Vec<String> = match node.kind {
            Kind::Host | Kind::Switch => return Ok(()),
            Kind::Wren => vec![
                wrend,
                "-f".into(),
                "-c".into(),
                config.into(),
                "-s".into(),
                ctl.into_owned(),
            ],
            Kind::Bird1 => {
                // BIRD 1.x resolves `include` against its working
                // directory: the config's own, as Calico runs it.
                let dir = node.config.as_ref().and_then(|c| c.parent());
                return self.spawn_in(
                    name,
                    dir,
                    vec![
                        bird1_path(),
                        "-f".into(),
                        "-c".into(),
                        config.into(),
                        "-s".into(),
                        ctl.into_owned(),
                    ],
                );
            }
            Kind::Bird => vec![
                "bird".into(),
                "-f".into(),
                "-c".into(),
                config.into(),
                "-s".into(),
                ctl.into_owned(),
            ],
            Kind::Frr => {
                std::fs::create_dir_all(&vty).map_err(|e| e.to_string())?;
                let _ = sh(&["chown", "frr:frr", &vty.to_string_lossy()]);
                let vty = vty.to_string_lossy().into_owned();
                let zserv = format!("{vty}/zserv.api");
                let mut args: Vec<String> = vec!["/usr/lib/frr/bgpd".into(), "-S".into()];
                if node.zebra {
                    // zebra first: bgpd keeps retrying its zapi socket.
                    let conf = format!("{vty}/zebra.conf");
                    std::fs::write(&conf, "").map_err(|e| format!("{conf}: {e}"))?;
                    // zebra drops to user frr before it writes its pid
                    // file, so that goes in the frr-owned directory.
                    let pid = format!("{vty}/zebra.pid");
                    self.spawn(
                        name,
                        "zebra.log",
                        vec![
                            "/usr/lib/frr/zebra".into(),
                            "-f".into(),
                            conf,
                            "-i".into(),
                            pid,
                            "-z".into(),
                            zserv.clone(),
                            "--vty_socket".into(),
                            vty.clone(),
                            "-P".into(),
                            "0".into(),
                        ],
                        "zebra.pid",
                    )?;
                    args.extend(["-z".into(), zserv]);
                } else {
                    // Without zebra: no zapi, no kernel.
                    args.extend(["-Z".into(), "-n".into()]);
                }
                args.extend([
                    "-f".into(),
                    config.into(),
                    "-i".into(),
                    self.file(name, "bgpd.pid").to_string_lossy().into_owned(),
                    "--vty_socket".into(),
                    vty,
                    "-A".into(),
                    "127.0.0.1".into(),
                    "-P".into(),
                    "0".into(),
                ]);
                args
            }
            Kind::Gobgp => vec![
                "gobgpd".into(),
                "-f".into(),
                config.into(),
                "--api-hosts".into(),
                "127.0.0.1:50051".into(),
            ],
        };
        self.spawn(name, "log", args, "pid")
    }

    /// Starts `args` in the namespace of `node`, its output in the file
    /// `NODE.LOG`, its pid in `NODE.PID` (so that `down` stops it).
    fn spawn(&self, node: &str, log: &str, args: Vec<String>, pid: &str) -> Result<(), String> {
        self.spawn_at(node, None, log, args, pid)
    }

    /// A router started in directory `dir`, with the usual log and pid.
    fn spawn_in(&self, node: &str, dir: Option<&Path>, args: Vec<String>) -> Result<(), String> {
        self.spawn_at(node, dir, "log", args, "pid")
    }

    fn spawn_at(
        &self,
        node: &str,
        dir: Option<&Path>,
        log: &str,
        mut args: Vec<String>,
        pid: &str,
    ) -> Result<(), String> {
        let mut full = vec!["netns".to_string(), "exec".into(), self.ns(node)];
        full.append(&mut args);
        let log = std::fs::File::create(self.file(node, log)).map_err(|e| e.to_string())?;
        let err = log.try_clone().map_err(|e| e.to_string())?;
        let mut cmd = Command::new("ip");
        if let Some(d) = dir {
            cmd.current_dir(d);
        }
        let child = cmd
            .args(&full)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("{node}: ip {}: {e}", full.join(" ")))?;
        std::fs::write(self.file(node, pid), format!("{}\n", child.id()))
            .map_err(|e| e.to_string())?;
        Ok(())
    }

    /// The last lines of a node's log, for failure reports.
    pub fn log_tail(&self, node: &str, lines: usize) -> String {
        let text = std::fs::read_to_string(self.file(node, "log")).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all.get(all.len().saturating_sub(lines)..)
            .unwrap_or_default()
            .join("\n")
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        if !self.keep {
            down(&self.topo.name);
        }
    }
}

/// BIRD 1.6.8: `WREN_BIRD1`, else where `scripts/bird1` unpacks it.
fn bird1_path() -> String {
    std::env::var("WREN_BIRD1").unwrap_or_else(|_| "/opt/bird1/usr/sbin/bird".into())
}

/// wrend next to this binary, else from PATH.
fn wrend_path() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join("wrend")))
        .filter(|p| p.exists())
        .map_or_else(|| "wrend".into(), |p| p.to_string_lossy().into_owned())
}

/// Stops every process and removes every namespace and file of lab
/// `name`; safe to call on a lab that is half built or already gone.
/// Returns what it removed.
pub fn down(name: &str) -> Vec<String> {
    let mut removed = Vec::new();
    let dir = state_dir(name);
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "pid") {
                if let Ok(pid) = std::fs::read_to_string(&p) {
                    let _ = sh(&["kill", pid.trim()]);
                }
            }
        }
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let prefix = format!("wl-{name}-");
    let list = sh(&["ip", "netns", "list"]).unwrap_or_default();
    for ns in list.lines().filter_map(|l| l.split_whitespace().next()) {
        if !ns.starts_with(&prefix) {
            continue;
        }
        if let Ok(pids) = sh(&["ip", "netns", "pids", ns]) {
            for pid in pids.split_whitespace() {
                let _ = sh(&["kill", "-9", pid]);
            }
        }
        if sh(&["ip", "netns", "del", ns]).is_ok() {
            removed.push(ns.to_string());
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    removed
}
