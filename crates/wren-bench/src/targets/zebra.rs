//! FRR's zebra: the daemon that programs the kernel for FRR's bgpd. The
//! kernel scenarios run one per namespace, with its sockets and files in
//! the run's directory, so that several can run side by side (one per
//! mesh node) and none touches the system's own FRR.

use crate::process::Process;
use anyhow::{bail, Context, Result};
use nix::unistd::{Group, User};
use std::os::unix::fs::chown;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The zebra binary.
pub const PROGRAM: &str = "/usr/lib/frr/zebra";
/// How long zebra may take to open its API socket.
const STARTUP: Duration = Duration::from_secs(10);
/// Netlink receive buffer, Debian's default (`zebra_options` in
/// /etc/frr/daemons): without it zebra loses the echo of a large table.
const NL_BUFSIZE: &str = "90000000";

/// A zebra process and the socket its clients connect to.
#[derive(Debug)]
pub struct Zebra {
    /// The process.
    pub process: Process,
    /// Its ZAPI socket (`-z`), for bgpd's `-z`.
    pub socket: PathBuf,
}

impl Zebra {
    /// Starts zebra in namespace `ns` with its files in `dir`. zebra
    /// drops to user `frr` (it insists on the `frrvty` group for any
    /// other), so `dir` is handed to that user.
    pub fn spawn(ns: &str, dir: &Path) -> Result<Self> {
        if !Path::new(PROGRAM).exists() {
            bail!("{PROGRAM} not found");
        }
        let conf = dir.join("zebra.conf");
        std::fs::write(&conf, "")?;
        let user = User::from_name("frr")?.context("no user frr")?;
        let group = Group::from_name("frr")?.context("no group frr")?;
        for p in [dir, &conf] {
            chown(p, Some(user.uid.as_raw()), Some(group.gid.as_raw()))
                .with_context(|| format!("chown frr {}", p.display()))?;
        }
        let socket = dir.join("zserv.api");
        let mut c = Command::new("ip");
        c.args(["netns", "exec", ns, PROGRAM]);
        c.arg("-f").arg(&conf);
        c.arg("-i").arg(dir.join("zebra.pid"));
        c.arg("-z").arg(&socket);
        c.arg("--vty_socket").arg(dir);
        c.args(["-P", "0", "-s", NL_BUFSIZE]);
        c.arg("--log")
            .arg(format!("file:{}", dir.join("zebra.log").display()));
        let process = Process::spawn(c, &dir.join("zebra.out"))?;
        Ok(Zebra { process, socket })
    }

    /// Waits until zebra listens on its socket: a client started earlier
    /// (gobgpd, say) gives up instead of retrying.
    pub fn ready(&mut self) -> Result<()> {
        let until = Instant::now() + STARTUP;
        while !self.socket.exists() {
            if let Some(why) = self.process.exited() {
                bail!("zebra {why}");
            }
            if Instant::now() >= until {
                bail!(
                    "zebra did not open {} within {STARTUP:?}",
                    self.socket.display()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(())
    }
}
