//! The daemon's peers, and a summary of each that the main loop reads on
//! every turn: when its next timer is due, and whether it takes part in
//! export.
//!
//! The loop sleeps until the earliest deadline of any peer, and export
//! forms update groups of the established peers. Reading every peer for
//! these on each turn cost a node of a 50-node mesh a few cache misses
//! per peer, several times per message. Here the summaries are kept in a
//! small array and read again only for the peers lent out mutably since:
//! a peer cannot change without passing through [`Peers::get_mut`] or
//! [`Peers::iter_mut`], so no change can be missed.

use super::peer::Peer;
use std::ops::Deref;
use wren_core::time::{earliest, Instant};

/// A peer's part in export.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Export {
    /// No established session.
    #[default]
    Not,
    /// Established; its first full table is still to be sent.
    AwaitsTable,
    /// Established and sent its table: a member of an update group. The
    /// connection's serial tells one session from the next.
    Member(u64),
}

/// What the main loop reads of a peer on every turn.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Summary {
    due: Option<Instant>,
    export: Export,
}

fn summary(p: &Peer) -> Summary {
    let export = match &p.up {
        Some(up) => match p.conn(up.dir) {
            Some(c) if up.eor_sent => Export::Member(c.id.serial),
            Some(_) => Export::AwaitsTable,
            None => Export::Not,
        },
        None => Export::Not,
    };
    Summary {
        due: earliest(p.session.next_deadline(), p.stale_until),
        export,
    }
}

/// The peers, indexed as configured; reading them goes through `Deref`
/// to a slice, changing them through the methods below.
#[derive(Default)]
pub struct Peers {
    list: Vec<Peer>,
    /// Each peer's summary as last read.
    summaries: Vec<Summary>,
    /// Peers lent out mutably since: their summaries are read again.
    touched: Vec<usize>,
    /// Every peer was lent out (`iter_mut`, `push`).
    all_touched: bool,
    /// Counts changes of any peer's [`Export`]: update groups formed at
    /// one count hold until the next.
    roster: u64,
}

impl Deref for Peers {
    type Target = [Peer];

    fn deref(&self) -> &[Peer] {
        &self.list
    }
}

impl Peers {
    /// Adds a peer; returns its index.
    pub fn push(&mut self, p: Peer) -> usize {
        self.list.push(p);
        self.summaries.push(Summary::default());
        self.all_touched = true;
        self.list.len() - 1
    }

    /// Peer `i`, to change.
    pub fn get_mut(&mut self, i: usize) -> Option<&mut Peer> {
        let p = self.list.get_mut(i)?;
        if self.touched.len() >= self.summaries.len() {
            // More marks than peers: read them all.
            self.all_touched = true;
            self.touched.clear();
        } else if !self.all_touched {
            self.touched.push(i);
        }
        Some(p)
    }

    /// Every peer, to change.
    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, Peer> {
        self.all_touched = true;
        self.list.iter_mut()
    }

    /// Reads again the summaries of the peers lent out since.
    fn refresh(&mut self) {
        let mut update = |i: usize| {
            let (Some(p), Some(s)) = (self.list.get(i), self.summaries.get_mut(i)) else {
                return;
            };
            let new = summary(p);
            if new.export != s.export {
                self.roster += 1;
            }
            *s = new;
        };
        if self.all_touched {
            (0..self.list.len()).for_each(&mut update);
            self.all_touched = false;
        } else {
            self.touched.iter().copied().for_each(&mut update);
        }
        self.touched.clear();
    }

    /// The earliest deadline of any peer.
    pub fn next_deadline(&mut self) -> Option<Instant> {
        self.refresh();
        self.summaries.iter().fold(None, |t, s| earliest(t, s.due))
    }

    /// The count of export changes (groups formed at one count hold
    /// until the next), and whether a peer awaits its first table.
    pub fn export_state(&mut self) -> (u64, bool) {
        self.refresh();
        let awaiting = self
            .summaries
            .iter()
            .any(|s| s.export == Export::AwaitsTable);
        (self.roster, awaiting)
    }

    /// Peers whose export state `which` accepts, as of the last
    /// [`Peers::export_state`].
    pub fn in_state(&self, which: fn(Export) -> bool) -> impl Iterator<Item = usize> + '_ {
        self.summaries
            .iter()
            .enumerate()
            .filter(move |(_, s)| which(s.export))
            .map(|(i, _)| i)
    }
}

impl<'a> IntoIterator for &'a mut Peers {
    type Item = &'a mut Peer;
    type IntoIter = std::slice::IterMut<'a, Peer>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use crate::daemon::Daemon;
    use wren_core::time::Instant;

    const CONFIG: &str = r#"
[global.config]
  as = 64512
  router-id = "198.18.0.1"

[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.0.2"
    peer-as = 64512

[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.0.3"
    peer-as = 64512
"#;

    fn daemon() -> Daemon {
        let spec = crate::config::gobgp::parse("wren.conf", CONFIG).unwrap();
        let (tx, _rx) = tokio::sync::mpsc::channel(1);
        Daemon::new(spec, tx)
    }

    #[test]
    fn a_peer_lent_out_has_its_deadline_read_again() {
        let mut d = daemon();
        assert_eq!(d.peers.len(), 2);
        assert_eq!(d.peers.next_deadline(), None);
        d.peers.get_mut(1).unwrap().stale_until = Some(Instant(5_000));
        assert_eq!(d.peers.next_deadline(), Some(Instant(5_000)));
        d.peers.get_mut(0).unwrap().stale_until = Some(Instant(3_000));
        assert_eq!(d.peers.next_deadline(), Some(Instant(3_000)));
        d.peers.get_mut(0).unwrap().stale_until = None;
        assert_eq!(d.peers.next_deadline(), Some(Instant(5_000)));
        // More loans than peers between two reads: all are read again.
        for _ in 0..5 {
            let _ = d.peers.get_mut(0);
        }
        d.peers.get_mut(1).unwrap().stale_until = Some(Instant(7_000));
        assert_eq!(d.peers.next_deadline(), Some(Instant(7_000)));
        for p in &mut d.peers {
            p.stale_until = None;
        }
        assert_eq!(d.peers.next_deadline(), None);
        // A session's own timers count: a started one tries to connect.
        d.peers.get_mut(0).unwrap().session.start(Instant(1_000));
        let due = d.peers.next_deadline();
        assert!(due.is_some_and(|t| t >= Instant(1_000)), "{due:?}");
        assert_eq!(d.peers.next_deadline(), due, "nothing changed since");
    }

    #[test]
    fn no_peer_takes_part_in_export_before_its_session_is_up() {
        let mut d = daemon();
        assert_eq!(d.peers.export_state(), (0, false));
        d.peers.get_mut(0).unwrap().session.start(Instant(1_000));
        assert_eq!(d.peers.export_state(), (0, false));
        assert_eq!(d.peers.in_state(|e| e == super::Export::Not).count(), 2);
    }
}
