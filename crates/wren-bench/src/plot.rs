//! The convergence plot: routes held at the monitor (or in the kernel, or
//! mesh nodes routing the new pod CIDR) over time, one line per target,
//! one panel per scenario, as SVG (no font or system library needed).

use crate::report::ScenarioResult;
use crate::scenario::Kind;
use crate::targets::Target;
use anyhow::{anyhow, Result};
use plotters::prelude::*;
use std::path::Path;

fn colour(t: Target) -> RGBColor {
    match t {
        Target::Wren => RGBColor(230, 120, 0),
        Target::Bird => RGBColor(31, 119, 180),
        Target::Frr => RGBColor(214, 39, 40),
        Target::Gobgp => RGBColor(44, 160, 44),
    }
}

/// Route counts as axis labels: `800`, `12,000`, `250k`, `1.2M`.
fn count_label(v: &f64) -> String {
    let v = v.max(0.0);
    if v >= 999_999.0 {
        format!("{:.1}M", v / 1e6)
    } else if v >= 100_000.0 {
        format!("{:.0}k", v / 1e3)
    } else {
        crate::scenario::thousands(v.round() as u64)
    }
}

/// Writes the plot of `results` to `path`.
pub fn plot(results: &[ScenarioResult], path: &Path) -> Result<()> {
    let panels = results.len().max(1);
    let cols = if panels > 1 { 2 } else { 1 };
    let rows = panels.div_ceil(cols);
    let size = (640 * u32::try_from(cols)?, 400 * u32::try_from(rows)?);
    let root = SVGBackend::new(path, size).into_drawing_area();
    let e = |e: DrawingAreaErrorKind<_>| anyhow!("drawing {}: {e:?}", path.display());
    root.fill(&WHITE).map_err(e)?;
    for (area, r) in root.split_evenly((rows, cols)).iter().zip(results) {
        // A log time axis: the targets differ by up to three orders of
        // magnitude (0.2 s and 180 s), and on a linear one the fastest
        // curve is a vertical line at the origin.
        let x_min = match r.scenario.kind {
            Kind::Mesh { .. } => 1e-4,
            _ => 1e-3,
        };
        let x_max = r
            .outcomes
            .iter()
            .flat_map(|o| o.samples.last().map(|s| s.0))
            .fold(x_min * 10.0, f64::max)
            * 1.05;
        let y_max = (r.scenario.goal() as f64 * 1.05).max(1.0);
        let (x_desc, y_desc) = match r.scenario.kind {
            Kind::Transit => (
                "seconds since the first UPDATE (log)",
                "routes at the monitor",
            ),
            Kind::KernelFib => (
                "seconds since the first UPDATE (log)",
                "routes in the kernel",
            ),
            Kind::Mesh { .. } => (
                "seconds since the pod CIDR was added (log)",
                "nodes routing it",
            ),
        };
        let mut chart = ChartBuilder::on(area)
            .caption(
                format!("{}: {}", r.scenario.name, r.scenario.shape()),
                ("sans-serif", 15),
            )
            .margin(12)
            .x_label_area_size(32)
            .y_label_area_size(64)
            .build_cartesian_2d((x_min..x_max).log_scale(), 0.0..y_max)
            .map_err(e)?;
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .y_label_formatter(&count_label)
            .draw()
            .map_err(e)?;
        for o in &r.outcomes {
            let c = colour(o.target);
            chart
                .draw_series(LineSeries::new(
                    thin(&o.samples, x_min, x_max, 640),
                    c.stroke_width(2),
                ))
                .map_err(e)?
                .label(o.target.name())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .border_style(BLACK)
            .background_style(WHITE.mix(0.8))
            .position(if r.scenario.withdraw {
                // The curves come down to zero at the right.
                SeriesLabelPosition::UpperRight
            } else {
                SeriesLabelPosition::LowerRight
            })
            .draw()
            .map_err(e)?;
    }
    root.present().map_err(e)?;
    Ok(())
}

/// The samples a `width`-pixel log axis from `x_min` to `x_max` can show:
/// the first and the last of each pixel column (samples are taken every
/// 2 ms, and a 180-second curve of 90,000 points made the SVG 1.8 MB).
/// Times before `x_min` are drawn at it.
fn thin(samples: &[(f64, u64)], x_min: f64, x_max: f64, width: u32) -> Vec<(f64, f64)> {
    let (l0, l1) = (x_min.ln(), x_max.ln());
    let span = (l1 - l0).max(f64::MIN_POSITIVE);
    let mut out: Vec<(f64, f64)> = Vec::new();
    let mut column = None;
    let mut in_column = 0;
    for &(t, held) in samples {
        let t = t.max(x_min);
        let col = ((t.ln() - l0) / span * f64::from(width)) as i64;
        let point = (t, held as f64);
        if column == Some(col) && in_column >= 2 {
            if let Some(last) = out.last_mut() {
                *last = point;
            }
        } else {
            if column != Some(col) {
                in_column = 0;
            }
            out.push(point);
            in_column += 1;
        }
        column = Some(col);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::thin;

    #[test]
    fn thinning_keeps_the_ends_of_each_column() {
        // 90,000 samples 2 ms apart, counting up.
        let s: Vec<(f64, u64)> = (0..90_000u64).map(|i| (i as f64 * 0.002, i)).collect();
        let t = thin(&s, 1e-3, 200.0, 640);
        assert!(t.len() <= 2 * 641, "{} points", t.len());
        assert_eq!(t.first(), Some(&(1e-3, 0.0)));
        assert_eq!(t.last(), Some(&(89_999.0 * 0.002, 89_999.0)));
        assert!(t.windows(2).all(|w| w[0].0 <= w[1].0));
    }
}
