//! The routing table (BIRD's `master4`/`master6`, the RFC's Loc-RIB plus
//! the Adj-RIBs-In it was chosen from): every path to every prefix, the
//! best one first, and the list of prefixes whose best changed since the
//! exporters last looked.

use super::best::{compare, BestOptions, Reason};
use super::index::{Index, Key};
use super::path::Path;
use super::paths::Paths;
use super::source::{SourceId, Sources};
use smallvec::SmallVec;
use std::cmp::Ordering;
use wren_wire::{Ipv4Prefix, Ipv6Prefix, Prefix};

/// One family's entries: an index from prefix to slot, and the entries
/// in a dense arena. The index's buckets hold only the key and a slot
/// (8 octets for IPv4, see [`index`](super::index)), so the index's
/// growth, which briefly holds the old and the new bucket array, stays
/// small, and the arena grows by `realloc`, which the allocator does
/// without a copy for large blocks. Freed slots are reused.
#[derive(Debug)]
struct Map<K: Key> {
    index: Index<K>,
    entries: Vec<Entry>,
    free: Vec<u32>,
}

impl<K: Key> Default for Map<K> {
    fn default() -> Self {
        Map {
            index: Index::default(),
            entries: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl<K: Key> Map<K> {
    fn len(&self) -> usize {
        self.index.len()
    }

    fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    fn get(&self, k: &K) -> Option<&Entry> {
        self.index.get(k).and_then(|i| self.entries.get(i as usize))
    }

    fn get_mut(&mut self, k: &K) -> Option<&mut Entry> {
        let i = self.index.get(k)?;
        self.entries.get_mut(i as usize)
    }

    /// The entry of `k`, made empty if there was none. `None` only if the
    /// arena is full (more slots than a bucket holds).
    fn entry(&mut self, k: K) -> Option<&mut Entry> {
        let (entries, free) = (&mut self.entries, &mut self.free);
        let i = self.index.get_or_insert(k, || {
            if let Some(i) = free.pop() {
                return Some(i);
            }
            let i = u32::try_from(entries.len())
                .ok()
                .filter(|&i| i <= K::MAX_SLOT)?;
            entries.push(Entry::default());
            Some(i)
        })?;
        self.entries.get_mut(i as usize)
    }

    /// Removes `k`'s entry (it must be empty of paths).
    fn remove(&mut self, k: &K) {
        if let Some(i) = self.index.remove(k) {
            if let Some(e) = self.entries.get_mut(i as usize) {
                *e = Entry::default();
            }
            self.free.push(i);
        }
    }

    fn iter(&self) -> impl Iterator<Item = (K, &Entry)> {
        self.index
            .iter()
            .filter_map(|(k, i)| self.entries.get(i as usize).map(|e| (k, e)))
    }

    /// Keeps the entries for which `f` returns true.
    fn retain(&mut self, mut f: impl FnMut(&K, &mut Entry) -> bool) {
        let entries = &mut self.entries;
        let free = &mut self.free;
        self.index.retain(|k, i| {
            let Some(e) = entries.get_mut(i as usize) else {
                return false;
            };
            if f(&k, e) {
                return true;
            }
            *e = Entry::default();
            free.push(i);
            false
        });
    }
}

/// The paths to one prefix; `paths[0]` is the best when `paths` is not
/// empty and it is reachable. Entries never stay empty: the last
/// withdrawal removes them.
#[derive(Clone, Debug, Default)]
pub struct Entry {
    /// Paths, best first.
    pub paths: Paths,
    /// The change-list generation this entry was last queued in; equal to
    /// the table's current generation means "already queued", so taking
    /// the changes never has to visit the entries.
    queued: u32,
    /// Where in the change list, when queued.
    slot: u32,
}

impl Entry {
    /// The best path, if any path is usable.
    pub fn best(&self) -> Option<&Path> {
        self.paths.first().filter(|p| p.reachable)
    }
}

/// A prefix whose best path may have changed, with the best path as the
/// exporters last saw it and as it is now. An exporter that would not have
/// sent `old` to a peer has nothing to withdraw there (no Adj-RIB-Out
/// needed for that), and `new` spares it a table lookup per route.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// The prefix.
    pub prefix: Prefix,
    /// Its best path at the previous [`Table::take_changes`].
    pub old: Option<Path>,
    /// Its best path now (`None`: unreachable or gone).
    pub new: Option<Path>,
}

/// A routing table.
#[derive(Debug)]
pub struct Table {
    /// IPv4 and IPv6 apart (BIRD's master4 and master6): an IPv4 key is 8
    /// octets where a [`Prefix`] is 32, in every bucket.
    v4: Map<Ipv4Prefix>,
    v6: Map<Ipv6Prefix>,
    log: ChangeLog,
    /// Decision process options.
    pub options: BestOptions,
}

impl Default for Table {
    fn default() -> Self {
        Table::new()
    }
}

impl Table {
    /// An empty table with RFC defaults.
    pub fn new() -> Self {
        Table {
            v4: Map::default(),
            v6: Map::default(),
            log: ChangeLog {
                changed: Vec::new(),
                old_sets: Vec::new(),
                keep_all: false,
                generation: 1,
            },
            options: BestOptions::new(),
        }
    }

    /// Number of prefixes.
    pub fn len(&self) -> usize {
        self.v4.len() + self.v6.len()
    }

    /// Number of IPv4 and of IPv6 prefixes.
    pub fn len_by_family(&self) -> [usize; 2] {
        [self.v4.len(), self.v6.len()]
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    /// The entry of `prefix`.
    pub fn get(&self, prefix: &Prefix) -> Option<&Entry> {
        match prefix {
            Prefix::V4(p) => self.v4.get(p),
            Prefix::V6(p) => self.v6.get(p),
        }
    }

    /// Every prefix and its entry, IPv4 first, otherwise in no order.
    pub fn iter(&self) -> impl Iterator<Item = (Prefix, &Entry)> {
        let v4 = self.v4.iter().map(|(k, e)| (Prefix::V4(k), e));
        let v6 = self.v6.iter().map(|(k, e)| (Prefix::V6(k), e));
        v4.chain(v6)
    }

    /// Changes queued since the last [`Table::take_changes`]: callers
    /// export before this grows large, which bounds the memory a burst of
    /// routes costs.
    pub fn pending_changes(&self) -> usize {
        self.log.changed.len()
    }

    /// Takes the prefixes whose best path (or multipath set) may have
    /// changed since the last call. A prefix appears once, except when it
    /// left the table and came back within the same batch (then twice;
    /// exporting both is harmless).
    pub fn take_changes(&mut self, into: &mut Vec<Change>) {
        if into.is_empty() {
            // Trade buffers: no copy, and the two alternate.
            std::mem::swap(into, &mut self.log.changed);
        } else {
            into.append(&mut self.log.changed);
        }
        self.log.generation = self.log.generation.wrapping_add(1).max(1);
    }

    /// Also record every path a changed prefix had before its first
    /// change (for ADD-PATH senders, which withdraw paths one by one).
    /// Costs a copy of the path list per change while on.
    pub fn keep_all_paths(&mut self, on: bool) {
        self.log.keep_all = on;
    }

    /// The path lists recorded since the last call, for the changes the
    /// last [`Table::take_changes`] handed out; call it right after.
    pub fn take_old_paths(&mut self, into: &mut Vec<OldPaths>) {
        into.append(&mut self.log.old_sets);
    }

    /// Adds or replaces the path of (`path.source`, `path.path_id`).
    pub fn update(&mut self, prefix: Prefix, path: Path, sources: &Sources) {
        let e = match prefix {
            Prefix::V4(p) => self.v4.entry(p),
            Prefix::V6(p) => self.v6.entry(p),
        };
        let Some(e) = e else { return };
        let old = match e
            .paths
            .iter()
            .position(|p| p.source == path.source && p.path_id == path.path_id)
        {
            Some(i) => {
                if e.paths.get(i) == Some(&path) {
                    return;
                }
                let replace = |ps: &mut Paths| ps.get_mut(i).map(|p| std::mem::replace(p, path));
                let Some(old) = self.log.take_path(e, i, replace) else {
                    return;
                };
                old
            }
            None => {
                let old = self.log.snapshot(e);
                e.paths.push(path);
                old
            }
        };
        reselect(e, sources, &self.options);
        self.log.mark(e, prefix, old);
    }

    /// Removes the path of (`source`, `path_id`).
    pub fn withdraw(&mut self, prefix: Prefix, source: SourceId, path_id: u32, sources: &Sources) {
        let at = At {
            opts: &self.options,
            sources,
            log: &mut self.log,
        };
        match prefix {
            Prefix::V4(p) => withdraw_in(&mut self.v4, p, prefix, source, path_id, at),
            Prefix::V6(p) => withdraw_in(&mut self.v6, p, prefix, source, path_id, at),
        }
    }

    /// Applies `f` to every path of `source`; `f` returns false to drop
    /// the path. Used when a session goes down (drop all), for graceful
    /// restart (mark stale, later sweep stale) and on route refresh.
    pub fn retain_source(
        &mut self,
        source: SourceId,
        sources: &Sources,
        mut f: impl FnMut(&Prefix, &mut Path) -> bool,
    ) -> usize {
        let mut touched = 0;
        let opts = self.options;
        let log = &mut self.log;
        let mut visit = |prefix: Prefix, e: &mut Entry| {
            let before = e.paths.len();
            let old = log.snapshot(e);
            let mut hit = false;
            e.paths.retain(|p| {
                if p.source != source {
                    return true;
                }
                hit = true;
                f(&prefix, p)
            });
            if hit {
                touched += before - e.paths.len();
                reselect(e, sources, &opts);
                log.mark(e, prefix, old);
            }
            !e.paths.is_empty()
        };
        self.v4.retain(|k, e| visit(Prefix::V4(*k), e));
        self.v6.retain(|k, e| visit(Prefix::V6(*k), e));
        touched
    }

    /// Paths that may share the load with the best (equal up to the IGP
    /// cost), best first.
    pub fn multipath<'a>(
        &'a self,
        prefix: &Prefix,
        sources: &'a Sources,
    ) -> impl Iterator<Item = &'a Path> + 'a {
        let opts = self.options;
        let paths = self.get(prefix).map(|e| &e.paths[..]).unwrap_or(&[]);
        let best = paths.first().filter(|p| p.reachable);
        paths
            .iter()
            .enumerate()
            .filter(move |(i, p)| {
                let Some(b) = best else { return false };
                if *i == 0 {
                    return true;
                }
                match (sources.get(b.source), sources.get(p.source)) {
                    (Some(sb), Some(sp)) => compare(b, sb, p, sp, &opts).1.allows_multipath(),
                    _ => false,
                }
            })
            .map(|(_, p)| p)
    }

    /// Why `paths[i]` of `prefix` is not the best, for `show route all`.
    pub fn why_not_best(&self, prefix: &Prefix, i: usize, sources: &Sources) -> Option<Reason> {
        let e = self.get(prefix)?;
        let (b, p) = (e.paths.first()?, e.paths.get(i)?);
        let (sb, sp) = (sources.get(b.source)?, sources.get(p.source)?);
        (i > 0).then(|| compare(b, sb, p, sp, &self.options).1)
    }
}

/// What a change needs beside the entry.
struct At<'a> {
    opts: &'a BestOptions,
    sources: &'a Sources,
    log: &'a mut ChangeLog,
}

fn withdraw_in<K: Key>(
    map: &mut Map<K>,
    key: K,
    prefix: Prefix,
    source: SourceId,
    path_id: u32,
    at: At<'_>,
) {
    // Nearly always the prefix's only path goes, and the entry with it:
    // then one probe finds and removes the prefix, and the path moves
    // into the change record. Anything else (other paths stay, ADD-PATH
    // senders want the whole list) takes the general way below.
    if !at.log.keep_all {
        let (entries, log) = (&mut map.entries, &mut *at.log);
        let found = map.index.remove_if(&key, |slot| {
            let Some(e) = entries.get_mut(slot as usize) else {
                return false;
            };
            if !matches!(&e.paths, Paths::One(p) if p.source == source && p.path_id == path_id) {
                return false;
            }
            let Entry {
                paths,
                queued,
                slot,
            } = std::mem::take(e);
            if let Paths::One(p) = paths {
                log.gone(queued, slot, prefix, p);
            }
            true
        });
        match found {
            None => return,
            Some((slot, true)) => {
                map.free.push(slot);
                return;
            }
            Some((_, false)) => {}
        }
    }
    let Some(e) = map.get_mut(&key) else {
        return;
    };
    let Some(i) = e
        .paths
        .iter()
        .position(|p| p.source == source && p.path_id == path_id)
    else {
        return;
    };
    let Some(old) = at.log.take_path(e, i, |ps| ps.remove(i)) else {
        return;
    };
    reselect(e, at.sources, at.opts);
    at.log.mark(e, prefix, old);
    if e.paths.is_empty() {
        map.remove(&key);
    }
}

/// Every path a prefix had before the first change of a batch.
#[derive(Clone, Debug, PartialEq)]
pub struct OldPaths {
    /// Index of the change in the batch.
    pub index: u32,
    /// The paths, best first.
    pub paths: SmallVec<[Path; 2]>,
}

/// The pending changes.
#[derive(Debug, Default)]
struct ChangeLog {
    changed: Vec<Change>,
    old_sets: Vec<OldPaths>,
    keep_all: bool,
    /// Current change-list generation (starts at 1: new entries hold 0).
    generation: u32,
}

/// What an entry looked like before its first change in a batch.
struct Snapshot {
    best: Option<Path>,
    /// Boxed: only ADD-PATH senders ask for it, and a snapshot is moved
    /// per change (inline, the list made it 104 octets instead of 40).
    all: Option<Box<SmallVec<[Path; 2]>>>,
}

impl ChangeLog {
    /// Whether a change to `e` is its first since the exporters last
    /// looked (it is not queued yet).
    fn is_first(&self, e: &Entry) -> bool {
        e.queued != self.generation
    }

    /// Every usable path of `e`, when ADD-PATH senders need them and this
    /// is the entry's first change.
    fn all_paths(&self, e: &Entry, first: bool) -> Option<Box<SmallVec<[Path; 2]>>> {
        (first && self.keep_all)
            .then(|| Box::new(e.paths.iter().filter(|p| p.reachable).cloned().collect()))
    }

    /// Takes path `i` out of `e` with `take` (which replaces or removes
    /// it, giving it back; `None` when it cannot), and gives the entry as
    /// [`ChangeLog::snapshot`] does, except that a taken best path is
    /// moved into the snapshot rather than copied (a copy is two
    /// reference counts up, and two down when the original goes, per
    /// route of a full table).
    fn take_path(
        &self,
        e: &mut Entry,
        i: usize,
        take: impl FnOnce(&mut Paths) -> Option<Path>,
    ) -> Option<Option<Snapshot>> {
        let first = self.is_first(e);
        let all = self.all_paths(e, first);
        let taken = take(&mut e.paths)?;
        Some(first.then(|| Snapshot {
            best: if i == 0 {
                Some(taken).filter(|p| p.reachable)
            } else {
                e.best().cloned()
            },
            all,
        }))
    }

    /// The entry before a change, when this is the first change since the
    /// exporters last looked (`None` when it is already queued).
    fn snapshot(&self, e: &Entry) -> Option<Snapshot> {
        let first = self.is_first(e);
        first.then(|| Snapshot {
            best: e.best().cloned(),
            all: self.all_paths(e, first),
        })
    }

    /// Records that an entry whose only path was `p` left the table
    /// (`queued` and `slot` as the entry had them).
    fn gone(&mut self, queued: u32, slot: u32, prefix: Prefix, p: Path) {
        if queued != self.generation {
            self.changed.push(Change {
                prefix,
                old: p.reachable.then_some(p),
                new: None,
            });
        } else if let Some(c) = self.changed.get_mut(slot as usize) {
            c.new = None;
        }
    }

    /// Queues `prefix` after a change (once per batch), or brings its
    /// queued record's new best up to date.
    fn mark(&mut self, e: &mut Entry, prefix: Prefix, old: Option<Snapshot>) {
        let new = e.best().cloned();
        match old {
            Some(snap) => {
                let index = u32::try_from(self.changed.len()).unwrap_or(u32::MAX);
                e.queued = self.generation;
                e.slot = index;
                self.changed.push(Change {
                    prefix,
                    old: snap.best,
                    new,
                });
                if let Some(paths) = snap.all.map(|b| *b) {
                    self.old_sets.push(OldPaths { index, paths });
                }
            }
            None => {
                if let Some(c) = self.changed.get_mut(e.slot as usize) {
                    c.new = new;
                }
            }
        }
    }
}

/// Moves the best path to the front.
fn reselect(e: &mut Entry, sources: &Sources, opts: &BestOptions) {
    if e.paths.len() < 2 {
        return;
    }
    let mut best = 0;
    for i in 1..e.paths.len() {
        let (Some(b), Some(p)) = (e.paths.get(best), e.paths.get(i)) else {
            continue;
        };
        let (Some(sb), Some(sp)) = (sources.get(b.source), sources.get(p.source)) else {
            continue;
        };
        if compare(p, sp, b, sb, opts).0 == Ordering::Less {
            best = i;
        }
    }
    e.paths.swap(0, best);
}
