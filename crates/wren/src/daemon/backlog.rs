//! How many routes the kernel task holds. The kernel takes a route in a
//! few microseconds; a peer sends one in well under one. What waits for
//! the kernel waits in the main loop's [`wren_linux::ScatterQueue`], as a
//! bare prefix (4 octets for IPv4), and leaves in chunks of [`CHUNK`] while fewer
//! than [`LIMIT`] routes are in the kernel task's hands: enough to keep it
//! busy, few enough that the route objects (some 130 octets each) stay a
//! few MiB. The route is read from the table when its prefix leaves.
//!
//! The sessions run at their own pace meanwhile. An earlier version held
//! network events back while the task was behind, as BIRD's synchronous
//! writes do; that kept memory down too, but it paced the table and the
//! peers by the kernel, and handed the kernel its writes in arrival
//! order, which is the order its trie handles worst (`scatter.rs` in
//! wren-linux). The queue is bounded by the number of prefixes.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::Notify;

/// Routes in the kernel task's hands at which no more are handed over.
pub const LIMIT: usize = 16_384;

/// Routes handed to the kernel task at a time.
pub const CHUNK: usize = 4_096;

/// The count of routes handed to the kernel task and not yet written,
/// shared by the main loop (which adds, and waits for room) and the
/// kernel task (which takes away).
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
        if before.saturating_sub(n) < LIMIT {
            self.room.notify_waiters();
        }
    }

    /// Routes queued now.
    pub fn queued(&self) -> usize {
        self.queued.load(Ordering::Acquire)
    }

    /// Returns once fewer than [`LIMIT`] routes are queued.
    pub async fn room(&self) {
        loop {
            let room = self.room.notified();
            tokio::pin!(room);
            // Registered before the check, so a `done` between the check
            // and the wait is not missed.
            room.as_mut().enable();
            if self.queued() < LIMIT {
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
    async fn room_waits_while_the_queue_is_at_the_limit() {
        let b = Backlog::default();
        b.room().await;
        b.add(LIMIT + 10);
        let waiter = tokio::spawn({
            let b = b.clone();
            async move { b.room().await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiter.is_finished(), "room while over the limit");
        b.done(10);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiter.is_finished(), "still at the limit");
        b.done(1);
        tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .expect("woken when the queue fell under the limit")
            .expect("the waiting task");
        assert_eq!(b.queued(), LIMIT - 1);
    }
}
