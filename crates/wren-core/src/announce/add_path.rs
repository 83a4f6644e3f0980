//! ADD-PATH send (RFC 7911): every path of a changed prefix that the
//! export rules let through goes out under its own path identifier, and a
//! path that went out before and no longer does is withdrawn by its
//! identifier alone. Used for peers that negotiated ADD-PATH send; the
//! best-path-only [`Announcer::build`] stays the fast path for the rest.

use super::{emit, family_of, Announcer, Built};
use crate::export::ExportTarget;
use crate::policy::Policy;
use crate::rib::{AttrStore, Change, OldPaths, Path, Sources, Table};
use smallvec::SmallVec;
use wren_wire::{Negotiated, Nlri};

/// The path identifier we send for `p`. RFC 7911 leaves the choice to the
/// sender as long as it is unique per prefix on the session; deriving it
/// from the path's source and the identifier the source gave needs no
/// allocator. Unique while source ids stay below 32768 and received
/// identifiers below 65536 (beyond that two paths may share one and the
/// receiver keeps the later).
pub fn tx_path_id(p: &Path) -> u32 {
    if p.path_id == 0 {
        p.source.0.wrapping_add(1) & 0x7fff_ffff
    } else {
        0x8000_0000 | ((p.source.0 & 0x7fff) << 16) | (p.path_id & 0xffff)
    }
}

impl Announcer {
    /// Appends to `out` the UPDATEs that bring an ADD-PATH receiver `to`
    /// up to date with `changes`: all paths per prefix in families where
    /// ADD-PATH send was negotiated, the best one elsewhere. `old` holds
    /// the path lists recorded with the changes
    /// ([`Table::take_old_paths`]); a change without one counts its old
    /// best as its only old path.
    #[allow(clippy::too_many_arguments)]
    pub fn build_all_paths(
        &mut self,
        changes: &[Change],
        old: &[OldPaths],
        table: &Table,
        sources: &Sources,
        to: &ExportTarget,
        policy: &dyn Policy,
        neg: &Negotiated,
        store: &mut AttrStore,
        out: &mut Vec<u8>,
    ) -> Built {
        self.reset();
        for (index, change) in changes.iter().enumerate() {
            let prefix = change.prefix;
            let family = family_of(prefix);
            if !neg.families.contains(family) {
                continue;
            }
            let all = neg.add_path_tx.contains(family);
            let new: SmallVec<[&Path; 2]> = if all {
                table
                    .get(&prefix)
                    .map(|e| e.paths.iter().filter(|p| p.reachable).collect())
                    .unwrap_or_default()
            } else {
                change.new.iter().collect()
            };
            let recorded = u32::try_from(index)
                .ok()
                .and_then(|i| old.binary_search_by_key(&i, |o| o.index).ok())
                .and_then(|k| old.get(k));
            let before: SmallVec<[&Path; 2]> = match recorded {
                Some(o) if all => o.paths.iter().collect(),
                _ => change.old.iter().collect(),
            };
            // Without ADD-PATH every path is "the" path: one id for all.
            let id = |p: &Path| if all { tx_path_id(p) } else { 0 };
            let mut sent: SmallVec<[u32; 4]> = SmallVec::new();
            for p in &new {
                let Some(g) = self.exported(prefix, p, family, sources, to, policy, store) else {
                    continue;
                };
                let pid = id(p);
                sent.push(pid);
                let unchanged = before
                    .iter()
                    .find(|o| id(o) == pid)
                    .and_then(|o| self.exported(prefix, o, family, sources, to, policy, store))
                    .is_some_and(|og| og == g);
                if unchanged {
                    continue;
                }
                let nlri = Nlri {
                    prefix,
                    path_id: all.then_some(pid),
                };
                self.ap_routes.push((g, nlri));
            }
            for o in &before {
                let pid = id(o);
                if sent.contains(&pid) {
                    continue;
                }
                if self
                    .exported(prefix, o, family, sources, to, policy, store)
                    .is_some()
                {
                    if let Some(w) = self.ap_withdrawn.get_mut(usize::from(prefix.is_ipv6())) {
                        w.push(Nlri {
                            prefix,
                            path_id: all.then_some(pid),
                        });
                    }
                    sent.push(pid);
                }
            }
        }
        emit(
            &mut self.packed,
            &self.groups,
            &self.ap_withdrawn,
            &mut self.ap_routes,
            Some,
            neg,
            out,
        )
    }
}
