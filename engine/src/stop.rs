//! Stopping on request: a signal (SIGTERM, SIGINT, SIGHUP) asks the work under way to stop at
//! its next safe point (a crawl after the batch it is recording), give its leases back and
//! end, instead of dying with the work half done.

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

use tokio::sync::Notify;

/// Whether stopping was asked for, and by what; cloned handles share it.
#[derive(Clone, Debug, Default)]
pub struct Stop(Arc<Inner>);

#[derive(Debug, Default)]
struct Inner {
    /// The signal number that asked, 0 while nothing has.
    signal: AtomicI32,
    notify: Notify,
}

impl Stop {
    /// Asks the work under way to stop; `signal` is the number of the signal that asked (a test
    /// may use any non-zero number).
    pub fn request(&self, signal: i32) {
        // The first request is the one that counts.
        let _ = self
            .0
            .signal
            .compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst);
        self.0.notify.notify_waiters();
    }

    /// The signal that asked to stop, if one did.
    pub fn requested(&self) -> Option<i32> {
        match self.0.signal.load(Ordering::SeqCst) {
            0 => None,
            n => Some(n),
        }
    }

    /// Waits until stopping is asked for (at once if it was).
    pub async fn wait(&self) {
        loop {
            // Registered before the check, so a request in between is not missed.
            let notified = self.0.notify.notified();
            if self.requested().is_some() {
                return;
            }
            notified.await;
        }
    }
}

/// A signal's name, for messages.
pub fn signal_name(signal: i32) -> String {
    match signal {
        1 => "SIGHUP".into(),
        2 => "SIGINT".into(),
        15 => "SIGTERM".into(),
        n => format!("signal {n}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_request_wakes_a_waiter_and_the_first_signal_counts() {
        let stop = Stop::default();
        assert_eq!(stop.requested(), None);
        let waiter = tokio::spawn({
            let stop = stop.clone();
            async move { stop.wait().await }
        });
        tokio::task::yield_now().await;
        stop.request(15);
        stop.request(2);
        waiter.await.expect("woken");
        assert_eq!(stop.requested(), Some(15));
        // Asked already: waiting returns at once.
        stop.wait().await;
    }
}
