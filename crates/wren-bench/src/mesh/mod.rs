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
//! runs until no other node routes the block. The pair of clocks runs
//! several rounds and each figure's median is reported: one event of a
//! few milliseconds on two shared cores moves by a millisecond from run
//! to run.

mod config;
mod net;
pub mod plan;
mod tables;

use crate::cpu::CpuMark;
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
    let Kind::Mesh { nodes, rounds } = s.kind else {
        out.status = Status::Failed(format!("{} is not a mesh scenario", s.name));
        return out;
    };
    let dir = o.work_dir.join(format!("{}-{}", s.name, target.name()));
    if let Err(e) = mesh(s, nodes, rounds, target, o, &dir, &mut out).await {
        out.status = Status::Failed(format!("{e:#}"));
    }
    out
}

async fn mesh(
    s: &Scenario,
    nodes: u32,
    rounds: u32,
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
    let clocked = rounds_of_clocks(s, nodes, rounds, &tables, &mut routers, o.timeout, out).await;
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

    /// The CPU counters of every node's processes now.
    fn cpu_marks(&self) -> Result<Vec<Vec<CpuMark>>> {
        self.0.iter().map(Daemon::cpu_marks).collect()
    }

    /// CPU seconds of every node's processes since `marks`: to the
    /// nanosecond where no thread ended ([`CpuMark`]); 10 ms ticks summed
    /// over 50 processes would be larger than the figure.
    fn cpu_since(&self, marks: &[Vec<CpuMark>]) -> Result<f64> {
        self.0.iter().zip(marks).map(|(d, m)| d.cpu_since(m)).sum()
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

/// Pause between rounds, so that no router is still busy with the last.
const SETTLE: Duration = Duration::from_millis(200);

/// Runs [`clocks`] `rounds` times, prints every round's times, and
/// reports the median of each figure (the curve is the median add's
/// round). Stops at the first round that does not converge, and reports
/// that one.
#[allow(clippy::too_many_arguments)]
async fn rounds_of_clocks(
    s: &Scenario,
    nodes: u32,
    rounds: u32,
    tables: &Tables,
    routers: &mut Nodes,
    timeout: Duration,
    out: &mut Outcome,
) -> Result<()> {
    let mut done: Vec<Outcome> = Vec::new();
    for round in 0..rounds.max(1) {
        if round > 0 {
            tokio::time::sleep(SETTLE).await;
        }
        let mut o = out.clone();
        clocks(s, nodes, tables, routers, timeout, &mut o).await?;
        let converged = o.status == Status::Converged;
        done.push(o);
        if !converged {
            break;
        }
    }
    let ms = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{:.1}", v * 1000.0));
    let adds: Vec<String> = done.iter().map(|o| ms(o.converge_s)).collect();
    let removals: Vec<String> = done.iter().map(|o| ms(o.withdraw_s)).collect();
    eprintln!(
        "   {:<6} rounds: add {} ms; removal {} ms",
        out.target.name(),
        adds.join(", "),
        removals.join(", ")
    );
    if let Some(o) = medians(done) {
        *out = o;
    }
    Ok(())
}

/// Each figure's median over the rounds, on the curve of the round whose
/// add was the median; or the failed round if one failed (the last,
/// since the rounds stop there).
fn medians(mut done: Vec<Outcome>) -> Option<Outcome> {
    if done.last().is_some_and(|o| o.status != Status::Converged) {
        return done.pop();
    }
    let median = |f: fn(&Outcome) -> Option<f64>| {
        let mut v: Vec<f64> = done.iter().filter_map(f).collect();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied()
    };
    let withdraw_s = median(|o| o.withdraw_s);
    let cpu_s = median(|o| o.cpu_s);
    let cpu_withdraw_s = median(|o| o.cpu_withdraw_s);
    done.sort_by(|a, b| {
        a.converge_s
            .unwrap_or(0.0)
            .total_cmp(&b.converge_s.unwrap_or(0.0))
    });
    let middle = done.len() / 2;
    let mut o = done.into_iter().nth(middle)?;
    o.withdraw_s = withdraw_s;
    o.cpu_s = cpu_s;
    o.cpu_withdraw_s = cpu_withdraw_s;
    Some(o)
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
    let cpu0 = routers.cpu_marks()?;
    let (t0, added) = change(nodes, true, tables, routers, timeout).await?;
    out.cpu_s = Some(routers.cpu_since(&cpu0)?);
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
    let cpu1 = routers.cpu_marks()?;
    let (t1, removed) = change(nodes, false, tables, routers, timeout).await?;
    out.cpu_withdraw_s = Some(routers.cpu_since(&cpu1)?);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn round(add_ms: f64, status: Status) -> Outcome {
        let mut o = Outcome::new(Target::Wren);
        o.converge_s = Some(add_ms / 1000.0);
        o.withdraw_s = Some(add_ms / 500.0);
        o.status = status;
        o
    }

    #[test]
    fn each_figure_is_its_own_median() {
        let mut slow_removal = round(3.0, Status::Converged);
        slow_removal.withdraw_s = Some(0.035);
        let done = vec![
            round(5.0, Status::Converged),
            slow_removal,
            round(4.0, Status::Converged),
        ];
        let m = medians(done).unwrap();
        assert_eq!(m.converge_s, Some(0.004));
        // Removals 0.010, 0.035 and 0.008: the median is 0.010, from
        // another round than the median add's.
        assert_eq!(m.withdraw_s, Some(0.010));
        let failed = vec![
            round(3.0, Status::Converged),
            round(9.0, Status::TimedOut(4)),
        ];
        assert_eq!(medians(failed).unwrap().status, Status::TimedOut(4));
    }
}
