//! Back-pressure from the kernel to the sessions. The kernel takes a
//! route in about 7 µs; a peer sends one in well under 1 µs. Without a
//! limit, a full table arriving at line rate queued a million route
//! writes for the kernel task (some 130 octets each: 225 MiB peak against
//! 90 without a kernel protocol). So the routes handed to the kernel task
//! and not yet written are counted, and while they are more than
//! [`LIMIT`] the main loop takes no network events: they wait in their
//! bounded channel, the connections' readers wait behind it, and TCP
//! slows the peers down. The table and the kernel move at the kernel's
//! pace and the queue stays a few MiB. BIRD gets the same by writing to
//! the kernel in its one loop; zebra, queueing without a bound, peaks
//! over 1 GiB on the same input (docs/bench.md, `kernel-fib`).
//!
//! Timers and the control socket are served meanwhile. A kernel that
//! stopped taking routes for longer than a hold time would let sessions
//! expire, as it would BIRD's.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::Notify;

/// Routes queued for the kernel above which network events wait.
pub const LIMIT: usize = 16_384;

/// The count of routes queued for the kernel, shared by the main loop
/// (which adds, and waits for room) and the kernel task (which takes
/// away).
#[derive(Clone, Debug, Default)]
pub struct Backlog {
    queued: Arc<AtomicUsize>,
    room: Arc<Notify>,
}

impl Backlog {
    /// `n` more routes were handed to the kernel task.
    pub fn add(&self, n: usize) {
        self.queued.fetch_add(n, Ordering::AcqRel);
    }

    /// The kernel task wrote (or gave up on) `n` routes.
    pub fn done(&self, n: usize) {
        let before = self.queued.fetch_sub(n, Ordering::AcqRel);
        if before.saturating_sub(n) <= LIMIT {
            self.room.notify_waiters();
        }
    }

    /// Routes queued now.
    pub fn queued(&self) -> usize {
        self.queued.load(Ordering::Acquire)
    }

    /// Returns once the queue is at most [`LIMIT`].
    pub async fn room(&self) {
        loop {
            let room = self.room.notified();
            tokio::pin!(room);
            // Registered before the check, so a `done` between the check
            // and the wait is not missed.
            room.as_mut().enable();
            if self.queued() <= LIMIT {
                return;
            }
            room.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn room_waits_while_the_queue_is_over_the_limit() {
        let b = Backlog::default();
        b.room().await;
        b.add(LIMIT + 10);
        let waiter = tokio::spawn({
            let b = b.clone();
            async move { b.room().await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiter.is_finished(), "room while over the limit");
        b.done(5);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiter.is_finished(), "still over the limit");
        b.done(5);
        tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .expect("woken when the queue fell to the limit")
            .expect("the waiting task");
        assert_eq!(b.queued(), LIMIT);
    }
}
