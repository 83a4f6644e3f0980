//! Loading a configuration file into a [`DaemonSpec`].
//!
//! The dialect is chosen by content: a file whose first significant line
//! opens a TOML table (`[global.config]`) is GoBGP's format; anything
//! else is the BIRD dialect, read by wren-config and mapped in [`bird`].
//! The GoBGP front end still maps straight onto the daemon's spec; it
//! moves onto wren-config's model next (docs/daemon.md).

pub mod bird;
pub mod gobgp;
mod gobgp_policy;

use crate::daemon::spec::DaemonSpec;
use std::path::Path;

/// Reads and maps `path`. `recovery` is wrend's `-R`: we are restarting
/// gracefully, so the R bit goes into our OPENs.
pub fn load(path: &Path, recovery: bool) -> Result<DaemonSpec, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or("");
    let mut spec = if first.starts_with('[') {
        gobgp::parse(&path.display().to_string(), &text)?
    } else {
        let cfg = wren_config::parse_bird_file(path).map_err(|e| e.to_string())?;
        bird::map(&cfg)?
    };
    if recovery {
        for p in &mut spec.peers {
            if let Some(gr) = &mut p.session.graceful_restart {
                gr.restarting = true;
            }
        }
    }
    Ok(spec)
}
