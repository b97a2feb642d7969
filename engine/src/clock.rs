//! What time it is, for the decisions that depend on how long something has lasted (a page
//! gone for six hours). The system clock in use; a test sets the time instead of sleeping.

use std::sync::atomic::{AtomicI64, Ordering};

/// Unix milliseconds now.
pub trait Clock: Send + Sync {
    fn now_ms(&self) -> i64;
}

/// The machine's clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        store::now_ms()
    }
}

/// A clock that shows the time it was set to, moved on by hand.
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(now_ms: i64) -> ManualClock {
        ManualClock(AtomicI64::new(now_ms))
    }

    /// Moves the time on by `by`.
    pub fn advance(&self, by: std::time::Duration) {
        let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.0.fetch_add(by, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// A moment soon after `now` for a message: its UTC time of day and how far off it is
/// (`01:45:12 UTC, in 42 s`), or `now` when it has passed.
pub fn describe_ms(at_ms: i64, now_ms: i64) -> String {
    let left = at_ms.saturating_sub(now_ms);
    if left <= 0 {
        return "now".into();
    }
    let secs_of_day = at_ms.div_euclid(1000).rem_euclid(86_400);
    format!(
        "{:02}:{:02}:{:02} UTC, in {} s",
        secs_of_day / 3600,
        secs_of_day / 60 % 60,
        secs_of_day % 60,
        (left + 999) / 1000
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_moment_is_told_as_its_utc_time_and_how_far_off_it_is() {
        // 08:00:00 UTC on a day in 2027.
        let now = 1_800_000_000_000 - 1_800_000_000_000 % 86_400_000 + 8 * 3_600_000;
        assert_eq!(
            super::describe_ms(now + 42_500, now),
            "08:00:42 UTC, in 43 s"
        );
        assert_eq!(super::describe_ms(now - 1, now), "now");
    }
}
