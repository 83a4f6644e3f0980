//! The `mesh` scenario: a Kubernetes-style iBGP full mesh (Calico's
//! node-to-node mesh) in which one node adds a pod CIDR, timed until the
//! kernel of every other node routes it.
//!
//! Each node is a namespace of its own ([`net`]), so each has its own
//! kernel table, and runs the target with a kernel export ([`config`]).
//! The pod CIDR appears the way a CNI makes it appear: as an address on
//! the node's pod interface (`ip addr add 10.244.250.1/24 dev pod0`),
//! whose connected route every target learns by netlink and announces.
//! The clock starts when the origin's kernel reports that connected
//! route and stops when the last other node's kernel reports the route
//! to it ([`tables`]); then the address is removed and a second clock
//! runs until no other node routes the block.

mod config;
mod net;
pub mod plan;
mod tables;

use crate::daemon::Daemon;
use crate::run::{Options, Outcome, Status};
use crate::scenario::{Kind, Scenario};
use crate::targets::zebra::Zebra;
use crate::targets::Target;
use anyhow::{anyhow, bail, Context, Result};
use net::MeshNet;
use plan::NEW_BLOCK;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tables::Tables;

/// How long the routers may take to start and bring the whole mesh up
/// (BIRD waits 5 s before its first connection attempt).
const STARTUP: Duration = Duration::from_secs(120);
/// How long the origin's own kernel may take to show the change.
const TRIGGER: Duration = Duration::from_secs(5);
/// How often the clocks look at the tables. The moments they read were
/// taken by the listeners, so this costs the figures nothing.
const POLL: Duration = Duration::from_millis(5);

/// Runs the mesh scenario `s` with `target` on every node. Never fails: a
/// failure is an outcome like any other.
pub async fn run(s: &Scenario, target: Target, o: &Options) -> Outcome {
    let mut out = Outcome::new(target);
    let Kind::Mesh { nodes } = s.kind else {
        out.status = Status::Failed(format!("{} is not a mesh scenario", s.name));
        return out;
    };
    let dir = o.work_dir.join(format!("{}-{}", s.name, target.name()));
    if let Err(e) = mesh(s, nodes, target, o, &dir, &mut out).await {
        out.status = Status::Failed(format!("{e:#}"));
    }
    out
}

async fn mesh(
    s: &Scenario,
    nodes: u32,
    target: Target,
    o: &Options,
    dir: &Path,
    out: &mut Outcome,
) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    // Dropped in reverse: routers first, then listeners, then namespaces.
    let net = MeshNet::create(nodes).context("building the mesh")?;
    let tables = Tables::start(nodes)?;
    let started = Instant::now();
    let mut routers = Nodes::start(target, nodes, dir, &o.wrend)?;
    routers.wait_up(&tables, nodes).await?;
    eprintln!(
        "   {:<6} mesh of {nodes} up in {:.1} s",
        target.name(),
        started.elapsed().as_secs_f64()
    );
    let clocked = clocks(s, nodes, &tables, &mut routers, o.timeout, out).await;
    // The largest node: a node's router and its zebra, if any, together.
    out.peak_rss_mib = routers
        .0
        .iter()
        .filter_map(|d| d.peak_rss_mib().ok())
        .reduce(f64::max);
    drop(routers);
    drop(tables);
    drop(net);
    clocked
}

/// Every node's router, all told to stop at once on drop.
struct Nodes(Vec<Daemon>);

impl Nodes {
    /// Starts `target` on nodes 1 to `nodes`, each with its files in
    /// `dir/nI`. FRR's zebras start first, all of them, and bgpd once
    /// each zebra listens.
    fn start(target: Target, nodes: u32, dir: &Path, wrend: &Path) -> Result<Self> {
        let dirs: Vec<(u32, PathBuf)> = (1..=nodes)
            .map(|i| (i, dir.join(format!("n{i}"))))
            .collect();
        let mut zebras = Vec::new();
        for (i, d) in &dirs {
            std::fs::create_dir_all(d)?;
            if target.needs_zebra() {
                zebras.push(Zebra::spawn(&plan::ns(*i), d)?);
            }
        }
        for z in &mut zebras {
            z.ready()?;
        }
        let mut zebras = zebras.into_iter();
        let mut started = Nodes(Vec::new());
        for (i, d) in &dirs {
            let conf = config::config(target, *i, nodes);
            let d = Daemon::launch(target, &plan::ns(*i), &conf, d, wrend, zebras.next())
                .with_context(|| format!("node {i}"))?;
            started.0.push(d);
        }
        Ok(started)
    }

    /// Fails if a router has exited, with the end of its log.
    fn check(&mut self) -> Result<()> {
        for (i, d) in self.0.iter_mut().enumerate() {
            if let Some(why) = d.exited() {
                bail!(
                    "node {}: {why}\n--- log ({}) ---\n{}",
                    i + 1,
                    d.log.display(),
                    d.log_tail(15)
                );
            }
        }
        Ok(())
    }

    /// CPU seconds of every node's processes, to the nanosecond.
    fn cpu(&self) -> Result<f64> {
        self.0.iter().map(Daemon::cpu_seconds_fine).sum()
    }

    /// Waits until every node's kernel holds every other node's block.
    async fn wait_up(&mut self, tables: &Tables, nodes: u32) -> Result<()> {
        let until = Instant::now() + STARTUP;
        loop {
            let up = tables.complete();
            if up == nodes as usize {
                return Ok(());
            }
            self.check()?;
            if let Some(why) = tables.failure() {
                bail!(why);
            }
            if Instant::now() >= until {
                bail!("after {STARTUP:?}, {up} of {nodes} nodes route every other node's pod CIDR");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Nodes {
    fn drop(&mut self) {
        self.0.iter_mut().for_each(Daemon::terminate);
    }
}

/// How a wait for every other node ended.
enum Waited {
    /// Every other node changed, at these moments.
    All(Vec<Instant>),
    /// The timeout passed with this many changed.
    Partial(usize),
}

/// The announce clock and, if the scenario withdraws, the removal clock.
async fn clocks(
    s: &Scenario,
    nodes: u32,
    tables: &Tables,
    routers: &mut Nodes,
    timeout: Duration,
    out: &mut Outcome,
) -> Result<()> {
    let others = (nodes - 1) as usize;
    let cpu0 = routers.cpu()?;
    let (t0, added) = change(nodes, true, tables, routers, timeout).await?;
    out.cpu_s = Some(routers.cpu()? - cpu0);
    let secs = |at: Instant| at.saturating_duration_since(t0).as_secs_f64();
    out.samples.push((0.0, 0));
    let times = match added {
        Waited::All(times) => times,
        Waited::Partial(n) => {
            out.status = Status::TimedOut(n as u64);
            return Ok(());
        }
    };
    out.samples.extend(
        times
            .iter()
            .enumerate()
            .map(|(k, at)| (secs(*at), k as u64 + 1)),
    );
    out.converge_s = times.last().map(|at| secs(*at));
    out.status = Status::Converged;
    if !s.withdraw {
        return Ok(());
    }
    let cpu1 = routers.cpu()?;
    let (t1, removed) = change(nodes, false, tables, routers, timeout).await?;
    out.cpu_withdraw_s = Some(routers.cpu()? - cpu1);
    match removed {
        Waited::All(times) => {
            let left = |k: usize| (others - k - 1) as u64;
            out.samples
                .extend(times.iter().enumerate().map(|(k, at)| (secs(*at), left(k))));
            out.withdraw_s = times
                .last()
                .map(|at| at.saturating_duration_since(t1).as_secs_f64());
        }
        Waited::Partial(n) => out.status = Status::TimedOut((others - n) as u64),
    }
    Ok(())
}

/// Adds (or removes) the new block on the origin and waits for every
/// other node's kernel to follow. Returns when the origin's kernel made
/// the change (the clock's start) and the others' moments, sorted.
async fn change(
    nodes: u32,
    present: bool,
    tables: &Tables,
    routers: &mut Nodes,
    timeout: Duration,
) -> Result<(Instant, Waited)> {
    let origin = plan::origin(nodes) as usize - 1;
    let issued = Instant::now();
    net::set_block(plan::origin(nodes), NEW_BLOCK, present)?;
    let mut start = None;
    loop {
        let changed = tables.changed(present, issued);
        if start.is_none() {
            start = changed.get(origin).copied().flatten();
        }
        match start {
            None if Instant::now() >= issued + TRIGGER => {
                bail!("the origin's kernel did not show the change within {TRIGGER:?}")
            }
            None => {}
            Some(t0) => {
                let mut others: Vec<Instant> = changed
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| *k != origin)
                    .filter_map(|(_, at)| *at)
                    .collect();
                others.sort();
                if others.len() == nodes as usize - 1 {
                    return Ok((t0, Waited::All(others)));
                }
                if Instant::now() >= t0 + timeout {
                    return Ok((t0, Waited::Partial(others.len())));
                }
            }
        }
        routers.check()?;
        if let Some(why) = tables.failure() {
            return Err(anyhow!(why));
        }
        tokio::time::sleep(POLL).await;
    }
}
