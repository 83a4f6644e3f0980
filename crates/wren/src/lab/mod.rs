//! wren-lab: the seeds' labs as one command. A lab file names nodes
//! (network namespaces running wrend, BIRD, FRR, GoBGP or nothing), the
//! veths between them, addresses and routes, and the checks that say the
//! lab works; `run` builds it, waits (bounded) for every check, reports,
//! and tears everything down whatever happens.

pub mod check;
pub mod graph;
pub mod run;
pub mod topology;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The outcome of one check.
#[derive(Debug)]
pub struct Outcome {
    /// What was checked.
    pub what: String,
    /// Seconds until it held, or what was last seen.
    pub result: Result<f64, String>,
}

/// Waits until every check holds or `topo.timeout` passes (or `stop` is
/// set); one outcome per check, in order.
pub fn wait_checks(lab: &run::Lab, stop: &Arc<AtomicBool>) -> Vec<Outcome> {
    let start = Instant::now();
    let deadline = start + Duration::from_secs(lab.topo.timeout);
    let mut results: Vec<Option<Result<f64, String>>> = vec![None; lab.topo.checks.len()];
    loop {
        let mut pending = false;
        for (i, c) in lab.topo.checks.iter().enumerate() {
            if matches!(results.get(i), Some(Some(Ok(_)))) {
                continue;
            }
            let r = check::holds(lab, c).map(|()| start.elapsed().as_secs_f64());
            pending |= r.is_err();
            if let Some(slot) = results.get_mut(i) {
                *slot = Some(r);
            }
        }
        if !pending || Instant::now() >= deadline || stop.load(Ordering::Relaxed) {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    lab.topo
        .checks
        .iter()
        .zip(results)
        .map(|(c, r)| Outcome {
            what: c.describe(),
            result: r.unwrap_or_else(|| Err("interrupted".into())),
        })
        .collect()
}

/// The report: one line per check, and the logs of nodes whose checks
/// failed.
pub fn report(lab: &run::Lab, outcomes: &[Outcome]) -> (String, bool) {
    let mut out = format!("lab {}: {}\n", lab.topo.name, lab.topo.description);
    let mut ok = true;
    for o in outcomes {
        match &o.result {
            Ok(t) => out.push_str(&format!("  ok    {:<60} {t:5.1} s\n", o.what)),
            Err(e) => {
                ok = false;
                out.push_str(&format!("  FAIL  {}\n        last seen: {e}\n", o.what));
            }
        }
    }
    if !ok {
        let failed: std::collections::BTreeSet<&str> = lab
            .topo
            .checks
            .iter()
            .zip(outcomes)
            .filter(|(_, o)| o.result.is_err())
            .map(|(c, _)| c.node())
            .collect();
        for n in failed {
            out.push_str(&format!("--- log of {n}\n{}\n", lab.log_tail(n, 20)));
        }
    }
    out.push_str(if ok { "PASS\n" } else { "FAIL\n" });
    (out, ok)
}
