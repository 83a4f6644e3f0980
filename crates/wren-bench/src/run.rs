//! One scenario against one router: build the lab, start the router,
//! bring the monitor and the testers up, run the clocks, take the figures,
//! tear everything down. `kernel-fib` runs here too, with the kernel's
//! route notifications ([`FibWatch`]) counting in place of the monitor.

use crate::connect::{open_all, PeerSpec};
use crate::daemon::Daemon;
use crate::feed::{check_negotiated, Feed};
use crate::fib::FibWatch;
use crate::lab::{self, NS_DUT, NS_GEN, NS_MON};
use crate::monitor::Monitor;
use crate::progress::{Counter, Progress, Trace};
use crate::scenario::{Kind, Scenario};
use crate::session;
use crate::targets::{Lab, Target};
use crate::testers::{Phase, Testers};
use crate::topology::Topology;
use anyhow::{anyhow, bail, Context, Result};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a router may take to start and bring every session up.
const STARTUP: Duration = Duration::from_secs(60);
/// Most time to wait for the router's End-of-RIB to the monitor.
const SETTLE: Duration = Duration::from_secs(20);
/// How often the wait loops look at the router process.
const POLL: Duration = Duration::from_millis(100);

/// Settings shared by every run.
#[derive(Clone, Debug)]
pub struct Options {
    /// Most time one clock may run before the target is reported as timed out.
    pub timeout: Duration,
    /// The wrend binary.
    pub wrend: PathBuf,
    /// Where each run's configuration and logs go.
    pub work_dir: PathBuf,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    /// Every clock stopped.
    Converged,
    /// A clock ran past the timeout; the monitor held this many routes.
    TimedOut(u64),
    /// The run could not be carried out (a session failed, the router
    /// exited or did not start).
    Failed(String),
    /// The target cannot take part in this scenario, for this reason.
    NotApplicable(String),
}

/// The figures of one run.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The router.
    pub target: Target,
    /// How it ended.
    pub status: Status,
    /// Seconds from the first UPDATE written until the monitor held
    /// every route.
    pub converge_s: Option<f64>,
    /// Seconds from the first withdrawal written until the monitor held
    /// none.
    pub withdraw_s: Option<f64>,
    /// Router CPU seconds over the announce clock.
    pub cpu_s: Option<f64>,
    /// Router CPU seconds over the withdrawal clock.
    pub cpu_withdraw_s: Option<f64>,
    /// Router peak RSS in MiB, start-up included.
    pub peak_rss_mib: Option<f64>,
    /// UPDATEs the router sent the monitor during the announce clock.
    pub updates: Option<u64>,
    /// UPDATEs the router sent the monitor during the withdrawal clock.
    pub updates_withdraw: Option<u64>,
    /// Seconds until the last tester had written its announcements (the
    /// router reads them at its own pace, so this is its intake time).
    pub feed_s: Option<f64>,
    /// Routes held at the monitor over time (seconds from the first
    /// UPDATE written, routes).
    pub samples: Vec<(f64, u64)>,
    /// Routes that reached the monitor but were never announced.
    pub foreign: u64,
}

impl Outcome {
    /// An outcome with no figures yet.
    pub fn new(target: Target) -> Self {
        Outcome {
            target,
            status: Status::Failed("not run".into()),
            converge_s: None,
            withdraw_s: None,
            cpu_s: None,
            cpu_withdraw_s: None,
            peak_rss_mib: None,
            updates: None,
            updates_withdraw: None,
            feed_s: None,
            samples: Vec::new(),
            foreign: 0,
        }
    }

    /// `target` cannot take part, for `why`.
    pub fn not_applicable(target: Target, why: &str) -> Self {
        Outcome {
            status: Status::NotApplicable(why.to_string()),
            ..Outcome::new(target)
        }
    }
}

/// Runs `s` against `target` with the testers' pre-encoded `feeds`.
/// Never fails: a failure is an outcome like any other.
pub async fn run(s: &Scenario, feeds: Arc<Vec<Feed>>, target: Target, o: &Options) -> Outcome {
    let mut out = Outcome::new(target);
    let dir = o.work_dir.join(format!("{}-{}", s.name, target.name()));
    let result = async {
        std::fs::create_dir_all(&dir)?;
        let topo = Topology::create(s.peers, s.has_v6()).context("building the lab")?;
        // Listening before the router starts: no notification is missed.
        let (fib, lab) = if s.kind == Kind::KernelFib {
            let fib = FibWatch::start(NS_DUT, s.total_v4())?;
            (Some(fib), Lab::kernel_fib(s.peers))
        } else {
            (None, Lab::new(s.peers, s.has_v6()))
        };
        let daemon = Daemon::start(target, &lab, &dir, &o.wrend)?;
        let r = measure(s, feeds, o, daemon, fib, &mut out).await;
        drop(topo);
        r
    }
    .await;
    if let Err(e) = result {
        out.status = Status::Failed(format!("{e:#}"));
    }
    out
}

/// The part of a run between the router's start and its stop. Without
/// `fib`, a monitor session counts; with it, the kernel does.
async fn measure(
    s: &Scenario,
    feeds: Arc<Vec<Feed>>,
    o: &Options,
    mut daemon: Daemon,
    fib: Option<FibWatch>,
    out: &mut Outcome,
) -> Result<()> {
    let v6 = s.has_v6();
    let deadline = Instant::now() + STARTUP;
    let monitor = match fib {
        Some(_) => None,
        None => Some(start_monitor(s, &mut daemon, deadline).await?),
    };

    let peers: Vec<PeerSpec> = (0..s.peers)
        .map(|i| PeerSpec {
            local: SocketAddr::new(lab::tester_v4(i).into(), 0),
            open: session::open(lab::tester_as(i), lab::tester_v4(i), v6, false),
        })
        .collect();
    let router_gen = SocketAddr::new(lab::DUT_GEN_V4.into(), lab::BGP_PORT);
    let mut alive = || daemon.exited().map_or(Ok(()), |why| Err(anyhow!(why)));
    let sessions = match open_all(NS_GEN, &peers, router_gen, deadline, &mut alive).await {
        Ok(s) => s,
        Err(e) => return Err(with_log(e.context("tester sessions"), &daemon)),
    };
    let mut up = Vec::with_capacity(sessions.len());
    for (stream, framer, neg) in sessions {
        check_negotiated(&neg, v6).context("tester session")?;
        up.push((stream, framer));
    }
    let mut testers = Testers::start(up, feeds);

    let counter: &dyn Counter = match (&monitor, &fib) {
        (Some(m), _) => m,
        (None, Some(f)) => f,
        (None, None) => bail!("nothing to count with"),
    };
    let mut clocks = Clocks {
        daemon: &mut daemon,
        counter,
        testers: &mut testers,
        timeout: o.timeout,
    };
    let clocked = clocks.run(s, out).await;
    out.peak_rss_mib = daemon.peak_rss_mib().ok();
    // The counter stops first: once the testers close their sessions the
    // router withdraws their routes, which is not part of the run.
    let trace = finish(monitor, fib).await;
    testers.finish().await;
    // A failed monitor session explains a failed clock better than the
    // clock does, so its error comes first.
    let (t0, trace) = match (clocked, trace) {
        (Ok(t0), Ok(trace)) => (t0, trace),
        (_, Err(e)) | (Err(e), _) => return Err(with_log(e, &daemon)),
    };
    out.foreign = trace.foreign;
    out.samples = trace
        .samples
        .iter()
        .map(|(at, held)| (secs(*at, t0), *held))
        .collect();
    Ok(())
}

/// Opens the monitor session, before the testers: the router must have
/// somewhere to send routes before it is given any.
async fn start_monitor(s: &Scenario, daemon: &mut Daemon, deadline: Instant) -> Result<Monitor> {
    let v6 = s.has_v6();
    let mon = PeerSpec {
        local: SocketAddr::new(lab::MON_V4.into(), 0),
        open: session::open(lab::MON_AS, lab::MON_V4, v6, true),
    };
    let router_mon = SocketAddr::new(lab::DUT_MON_V4.into(), lab::BGP_PORT);
    let mut alive = || daemon.exited().map_or(Ok(()), |why| Err(anyhow!(why)));
    let sessions = open_all(NS_MON, &[mon], router_mon, deadline, &mut alive)
        .await
        .context("monitor session");
    let (stream, framer, neg) = match sessions.map(|v| v.into_iter().next()) {
        Ok(Some(s)) => s,
        Ok(None) => bail!("no monitor session"),
        Err(e) => return Err(with_log(e, daemon)),
    };
    check_negotiated(&neg, v6).context("monitor session")?;
    let monitor = Monitor::start(stream, framer, s.total_v4(), s.total_v6());
    settle(&monitor, &neg, daemon).await?;
    Ok(monitor)
}

/// Stops whichever counter ran and returns its curve.
async fn finish(monitor: Option<Monitor>, fib: Option<FibWatch>) -> Result<Trace> {
    match (monitor, fib) {
        (Some(m), _) => m.finish().await.context("monitor session"),
        (None, Some(f)) => f.finish().context("kernel route listener"),
        (None, None) => Ok(Trace::default()),
    }
}

/// `e` with the end of the router's log.
fn with_log(e: anyhow::Error, d: &Daemon) -> anyhow::Error {
    anyhow!(
        "{e:#}\n--- router log ({}) ---\n{}",
        d.log.display(),
        d.log_tail(15)
    )
}

/// Waits until the router has sent the monitor its (empty) initial table,
/// which it marks with End-of-RIB for each family. Some routers hold the
/// first advertisement to a new peer back on a timer (FRR's update-group
/// coalesce time, a second plus 50 ms per configured peer); starting the
/// clock before that would time the timer, not the router.
async fn settle(monitor: &Monitor, neg: &wren_wire::Negotiated, daemon: &mut Daemon) -> Result<()> {
    let families = u32::try_from(neg.families.iter().count()).unwrap_or(1);
    let until = Instant::now() + SETTLE;
    let mut progress = monitor.progress.clone();
    while progress.borrow_and_update().end_of_ribs < families {
        if Instant::now() >= until {
            eprintln!("   (no End-of-RIB from the router after {SETTLE:?}; starting anyway)");
            break;
        }
        if let Some(why) = daemon.exited() {
            bail!(why);
        }
        let _ = tokio::time::timeout(POLL, progress.changed()).await;
    }
    Ok(())
}

/// Seconds from `from` to `at`, 0 if `at` came first.
fn secs(at: Instant, from: Instant) -> f64 {
    at.saturating_duration_since(from).as_secs_f64()
}

/// The clocks of a run and what they need to watch.
struct Clocks<'a> {
    daemon: &'a mut Daemon,
    counter: &'a dyn Counter,
    testers: &'a mut Testers,
    timeout: Duration,
}

/// How a wait ended.
enum Waited {
    Reached(Progress),
    TimedOut(Progress),
}

impl Clocks<'_> {
    /// Runs the announce clock and, if the scenario withdraws, the
    /// withdrawal clock; fills in `out` and returns when the first clock
    /// started.
    async fn run(&mut self, s: &Scenario, out: &mut Outcome) -> Result<Instant> {
        let cpu0 = self.daemon.cpu_marks()?;
        let updates0 = self.counter.progress().borrow().updates;
        // Only the monitor counts UPDATEs.
        let counts_updates = s.kind == Kind::Transit;
        let t0 = Instant::now();
        self.testers.go(Phase::Announce);
        let waited = self.wait_for(s.total_routes(), t0 + self.timeout).await?;
        out.cpu_s = Some(self.daemon.cpu_since(&cpu0)?);
        out.feed_s = self.last_written(t0).await;
        let announced = match waited {
            Waited::Reached(p) => p,
            Waited::TimedOut(p) => {
                out.status = Status::TimedOut(p.held);
                return Ok(t0);
            }
        };
        out.status = Status::Converged;
        out.converge_s = Some(secs(announced.at, t0));
        out.updates = counts_updates.then(|| announced.updates - updates0);
        if !s.withdraw {
            return Ok(t0);
        }
        let cpu1 = self.daemon.cpu_marks()?;
        let t1 = Instant::now();
        self.testers.go(Phase::Withdraw);
        match self.wait_for(0, t1 + self.timeout).await? {
            Waited::Reached(p) => {
                out.withdraw_s = Some(secs(p.at, t1));
                out.updates_withdraw = counts_updates.then(|| p.updates - announced.updates);
            }
            Waited::TimedOut(p) => out.status = Status::TimedOut(p.held),
        }
        out.cpu_withdraw_s = Some(self.daemon.cpu_since(&cpu1)?);
        Ok(t0)
    }

    /// Seconds from `t0` until the last tester finished writing, if all
    /// have. A tester reports just after its last write returns, which
    /// may be a moment after the monitor saw its last route: hence the
    /// short grace.
    async fn last_written(&mut self, t0: Instant) -> Option<f64> {
        let mut last = None;
        for _ in 0..self.testers.count() {
            let at = tokio::time::timeout(Duration::from_secs(1), self.testers.written.recv())
                .await
                .ok()
                .flatten()?;
            last = last.max(Some(at));
        }
        last.map(|at| secs(at, t0))
    }

    /// Waits until the counter holds `target` routes, failing early if a
    /// session, the counter or the router fails.
    async fn wait_for(&mut self, target: u64, deadline: Instant) -> Result<Waited> {
        let mut progress = self.counter.progress();
        loop {
            let p = *progress.borrow_and_update();
            if p.held == target {
                return Ok(Waited::Reached(p));
            }
            if Instant::now() >= deadline {
                return Ok(Waited::TimedOut(p));
            }
            if let Some(why) = self.daemon.exited() {
                bail!(why);
            }
            if let Ok(e) = self.testers.failures.try_recv() {
                return Err(e);
            }
            if let Some(why) = self.counter.failure() {
                bail!(why);
            }
            let _ = tokio::time::timeout(POLL, progress.changed()).await;
        }
    }
}
