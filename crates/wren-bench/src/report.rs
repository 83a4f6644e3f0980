//! The results as text: a table per scenario, and a CSV of every figure.
//!
//! Each figure in the table comes with its ratio to the best of the
//! *other* targets: below 1× the target beats every other one, above 1×
//! it trails the best of them by that factor. The same column therefore
//! answers "how far is Wren from the best other daemon" and "how far is
//! each daemon from the best of the rest". Only targets that converged
//! are compared; a timed-out target's figures are shown as lower bounds
//! (`>180.9`).

use crate::attrs::AttrMode;
use crate::run::{Outcome, Status};
use crate::scenario::{Kind, Scenario};
use std::fmt::Write as _;

/// One scenario and the outcome of each target on it.
#[derive(Debug)]
pub struct ScenarioResult {
    /// The scenario.
    pub scenario: Scenario,
    /// One outcome per target, in run order.
    pub outcomes: Vec<Outcome>,
}

/// A figure to tabulate: its heading and how to read it from an outcome.
struct Column {
    heading: &'static str,
    value: fn(&Outcome) -> Option<f64>,
    decimals: usize,
    /// Shown multiplied by this (1000 for milliseconds).
    scale: f64,
}

fn columns(s: &Scenario) -> Vec<Column> {
    // The mesh's clocks run for milliseconds, and are shown in them.
    let ms = matches!(s.kind, Kind::Mesh { .. });
    let time = |(sec, milli): (&'static str, &'static str), value| Column {
        heading: if ms { milli } else { sec },
        value,
        decimals: if ms { 1 } else { 2 },
        scale: if ms { 1000.0 } else { 1.0 },
    };
    let mut c = vec![time(("converge s", "converge ms"), |o| o.converge_s)];
    if s.withdraw {
        c.push(time(("withdraw s", "withdraw ms"), |o| o.withdraw_s));
    }
    c.push(time(("CPU s", "CPU ms"), |o| o.cpu_s));
    if s.withdraw {
        c.push(time(("CPU withdraw s", "CPU withdraw ms"), |o| {
            o.cpu_withdraw_s
        }));
    }
    c.push(Column {
        heading: "peak RSS MiB",
        value: |o| o.peak_rss_mib,
        decimals: 0,
        scale: 1.0,
    });
    c
}

/// Only a run whose clocks all stopped has figures to compare: those of
/// a timed-out run are lower bounds.
fn comparable(o: &Outcome) -> bool {
    o.status == Status::Converged
}

/// `value` over the smallest value any other target reached.
fn ratio(outcomes: &[Outcome], me: usize, value: fn(&Outcome) -> Option<f64>) -> Option<f64> {
    let mine = outcomes.get(me).filter(|o| comparable(o)).and_then(value)?;
    let best = outcomes
        .iter()
        .enumerate()
        .filter(|(i, o)| *i != me && comparable(o))
        .filter_map(|(_, o)| value(o))
        .fold(None, |b: Option<f64>, v| Some(b.map_or(v, |b| b.min(v))))?;
    (best > 0.0).then(|| mine / best)
}

fn status_text(s: &Status, unit: &str) -> String {
    match s {
        Status::Converged => "ok".into(),
        Status::TimedOut(held) => format!("timed out at {held} {unit}"),
        Status::Failed(why) => format!("failed: {}", why.lines().next().unwrap_or("")),
        Status::NotApplicable(why) => format!("not applicable: {why}"),
    }
}

/// The text table of one scenario.
pub fn table(r: &ScenarioResult) -> String {
    let s = &r.scenario;
    let cols = columns(s);
    let mut head: Vec<String> = vec!["target".into()];
    head.extend(cols.iter().map(|c| c.heading.to_string()));
    head.extend(["UPDATEs".into(), "intake s".into(), "status".into()]);
    let mut rows = vec![head];
    for (i, o) in r.outcomes.iter().enumerate() {
        let mut row = vec![o.target.name().to_string()];
        for c in &cols {
            // A timed-out run's figures are where it stood at the timeout.
            let at_least = if matches!(o.status, Status::TimedOut(_)) {
                ">"
            } else {
                ""
            };
            row.push(match (c.value)(o).map(|v| v * c.scale) {
                Some(v) => match ratio(&r.outcomes, i, c.value) {
                    Some(x) => format!("{v:.*} ({x:.2}×)", c.decimals),
                    None => format!("{at_least}{v:.*}", c.decimals),
                },
                None => "-".into(),
            });
        }
        let updates = match (o.updates, o.updates_withdraw) {
            (Some(a), Some(w)) => format!("{a}+{w}"),
            (Some(a), None) => a.to_string(),
            _ => "-".into(),
        };
        row.push(updates);
        row.push(o.feed_s.map_or("-".into(), |f| format!("{f:.2}")));
        row.push(status_text(&o.status, s.unit()));
        rows.push(row);
    }
    let widths: Vec<usize> = (0..rows.first().map_or(0, Vec::len))
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|v| v.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = format!("{} — {}\n{}\n", s.name, s.shape(), s.about);
    for row in &rows {
        let last = row.len().saturating_sub(1);
        for (c, (v, w)) in row.iter().zip(&widths).enumerate() {
            if c == 0 || c == last {
                let _ = write!(out, "{v:<w$}  ");
            } else {
                let _ = write!(out, "{v:>w$}  ");
            }
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
    }
    for o in &r.outcomes {
        if o.foreign > 0 {
            let _ = writeln!(
                out,
                "note: {} sent {} routes the testers never announced",
                o.target.name(),
                o.foreign
            );
        }
    }
    out
}

/// Every figure of every run, one line per (scenario, target).
pub fn csv(results: &[ScenarioResult]) -> String {
    let mut out = String::from(
        "scenario,peers,routes,attributes,target,status,converge_s,withdraw_s,cpu_s,\
         cpu_withdraw_s,peak_rss_mib,updates,updates_withdraw,intake_s,held_at_timeout\n",
    );
    // Microseconds: the mesh's figures are a few milliseconds.
    let f = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.6}"));
    let n = |v: Option<u64>| v.map_or(String::new(), |v| v.to_string());
    for r in results {
        let s = &r.scenario;
        // A mesh is N nodes and one route, the pod CIDR.
        let (peers, routes) = match s.kind {
            Kind::Mesh { nodes, .. } => (nodes, 1),
            Kind::Transit | Kind::KernelFib => (s.peers, s.total_routes()),
        };
        for o in &r.outcomes {
            let (status, held) = match &o.status {
                Status::Converged => ("converged", None),
                Status::TimedOut(h) => ("timeout", Some(*h)),
                Status::Failed(_) => ("failed", None),
                Status::NotApplicable(_) => ("n/a", None),
            };
            let attrs = match s.attrs {
                AttrMode::Shared => "shared",
                AttrMode::Distinct => "distinct",
            };
            let _ = writeln!(
                out,
                "{},{peers},{routes},{attrs},{},{status},{},{},{},{},{},{},{},{},{}",
                s.name,
                o.target.name(),
                f(o.converge_s),
                f(o.withdraw_s),
                f(o.cpu_s),
                f(o.cpu_withdraw_s),
                f(o.peak_rss_mib),
                n(o.updates),
                n(o.updates_withdraw),
                f(o.feed_s),
                n(held),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::Target;

    fn outcome(target: Target, converge: f64) -> Outcome {
        Outcome {
            target,
            status: Status::Converged,
            converge_s: Some(converge),
            withdraw_s: None,
            cpu_s: Some(converge / 2.0),
            cpu_withdraw_s: None,
            peak_rss_mib: Some(100.0),
            updates: Some(10),
            updates_withdraw: None,
            feed_s: Some(1.0),
            samples: Vec::new(),
            foreign: 0,
        }
    }

    #[test]
    fn ratios_are_against_the_best_other_target() {
        let os = vec![
            outcome(Target::Wren, 2.0),
            outcome(Target::Bird, 4.0),
            outcome(Target::Frr, 8.0),
        ];
        let v = |o: &Outcome| o.converge_s;
        assert_eq!(ratio(&os, 0, v), Some(0.5));
        assert_eq!(ratio(&os, 1, v), Some(2.0));
        assert_eq!(ratio(&os, 2, v), Some(4.0));
        assert_eq!(ratio(&os[..1], 0, v), None);
    }

    #[test]
    fn table_and_csv_hold_every_target() {
        let mut timed_out = outcome(Target::Gobgp, 0.0);
        timed_out.status = Status::TimedOut(7);
        timed_out.converge_s = None;
        let r = ScenarioResult {
            scenario: crate::scenario::quick().remove(0),
            outcomes: vec![outcome(Target::Wren, 1.0), timed_out],
        };
        let t = table(&r);
        assert!(
            t.contains("wren") && t.contains("timed out at 7 routes"),
            "{t}"
        );
        assert!(t.contains(">0.00"), "{t}");
        let c = csv(&[r]);
        assert_eq!(c.lines().count(), 3);
        assert!(c.contains(",gobgp,timeout,"));
    }
}
