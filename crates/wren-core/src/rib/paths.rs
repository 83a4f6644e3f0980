//! The paths to one prefix, as a table entry holds them.

use super::path::Path;
use std::ops::{Deref, DerefMut};

/// The paths to one prefix, best first. Nearly every prefix has one path
/// (one peer announced it), so one is kept inline and more on the heap.
/// The enum is a path's size, 32 octets: its tag lives in a niche of the
/// path's flags, where a `SmallVec` would add an 8-octet length to every
/// entry of a million-route table.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Paths {
    /// No path (a free slot of the table's arena).
    #[default]
    Empty,
    /// One path.
    One(Path),
    /// Two or more.
    Many(Vec<Path>),
}

impl Paths {
    /// Adds a path at the end.
    pub fn push(&mut self, path: Path) {
        match std::mem::take(self) {
            Paths::Empty => *self = Paths::One(path),
            Paths::One(first) => *self = Paths::Many(vec![first, path]),
            Paths::Many(mut v) => {
                v.push(path);
                *self = Paths::Many(v);
            }
        }
    }

    /// Takes out path `i`, keeping the others in order.
    pub fn remove(&mut self, i: usize) -> Option<Path> {
        match std::mem::take(self) {
            Paths::Empty => None,
            Paths::One(p) if i == 0 => Some(p),
            Paths::One(p) => {
                *self = Paths::One(p);
                None
            }
            Paths::Many(mut v) => {
                let taken = (i < v.len()).then(|| v.remove(i));
                *self = match v.len() {
                    0 => Paths::Empty,
                    1 => v.pop().map_or(Paths::Empty, Paths::One),
                    _ => Paths::Many(v),
                };
                taken
            }
        }
    }

    /// Keeps the paths for which `keep` returns true, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&mut Path) -> bool) {
        match self {
            Paths::Empty => {}
            Paths::One(p) => {
                if !keep(p) {
                    *self = Paths::Empty;
                }
            }
            Paths::Many(v) => {
                v.retain_mut(keep);
                if v.len() < 2 {
                    *self = match v.pop() {
                        Some(p) => Paths::One(p),
                        None => Paths::Empty,
                    };
                }
            }
        }
    }
}

impl Deref for Paths {
    type Target = [Path];

    fn deref(&self) -> &[Path] {
        match self {
            Paths::Empty => &[],
            Paths::One(p) => std::slice::from_ref(p),
            Paths::Many(v) => v,
        }
    }
}

impl DerefMut for Paths {
    fn deref_mut(&mut self) -> &mut [Path] {
        match self {
            Paths::Empty => &mut [],
            Paths::One(p) => std::slice::from_mut(p),
            Paths::Many(v) => v,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rib::{Attrs, SourceId};

    fn path(source: u32) -> Path {
        Path::shared(SourceId(source), 0, Attrs::default(), None)
    }

    #[test]
    fn a_path_list_is_the_size_of_one_path() {
        assert_eq!(std::mem::size_of::<Paths>(), std::mem::size_of::<Path>());
    }

    #[test]
    fn grows_and_shrinks_between_inline_and_heap() {
        let mut ps = Paths::default();
        assert!(ps.is_empty());
        for s in 1..=3 {
            ps.push(path(s));
        }
        assert!(matches!(ps, Paths::Many(_)));
        let sources: Vec<u32> = ps.iter().map(|p| p.source.0).collect();
        assert_eq!(sources, [1, 2, 3]);
        ps.retain(|p| p.source.0 != 2);
        assert_eq!(ps.len(), 2);
        ps.push(path(4));
        assert_eq!(ps.remove(5), None);
        assert_eq!(ps.remove(0).map(|p| p.source.0), Some(1));
        assert_eq!(ps.remove(1).map(|p| p.source.0), Some(4));
        assert!(matches!(&ps, Paths::One(p) if p.source == SourceId(3)));
        ps.push(path(1));
        ps.retain(|p| p.source.0 == 3);
        assert!(matches!(&ps, Paths::One(p) if p.source == SourceId(3)));
        ps.swap(0, 0);
        ps.retain(|_| false);
        assert_eq!(ps, Paths::Empty);
    }
}
