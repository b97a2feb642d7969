//! Schedules: when a source is due for a crawl. The scheduler only decides and enqueues; workers
//! crawl. This first version knows fixed intervals (`every 6h`); cron expressions come with
//! `specsync serve`.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// Crawl again this long after the last crawl started.
    Every(Duration),
    /// Only when asked (`specsync crawl`, `specsync resync`).
    Manual,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("schedule `{input}`: expected `manual` or `every N` with a unit, such as `every 30m` or `every 6h`, at most a year")]
pub struct ScheduleError {
    pub input: String,
}

impl Schedule {
    /// Whether a source last crawled at `last` (ms since the epoch; `None`: never) is due at `now`.
    pub fn is_due(&self, last: Option<i64>, now: i64) -> bool {
        match (self, last) {
            (Schedule::Manual, _) => false,
            (Schedule::Every(_), None) => true,
            (Schedule::Every(period), Some(last)) => {
                let period = i64::try_from(period.as_millis()).unwrap_or(i64::MAX);
                now.saturating_sub(last) >= period
            }
        }
    }
}

impl FromStr for Schedule {
    type Err = ScheduleError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = || ScheduleError {
            input: input.to_owned(),
        };
        let s = input.trim();
        if s.eq_ignore_ascii_case("manual") {
            return Ok(Schedule::Manual);
        }
        let spec = s.strip_prefix("every").ok_or_else(err)?.trim();
        let digits = spec.find(|c: char| !c.is_ascii_digit()).ok_or_else(err)?;
        let n: u64 = spec[..digits].parse().map_err(|_| err())?;
        let unit = match spec[digits..].trim() {
            "m" | "min" => 60,
            "h" => 3600,
            "d" => 86_400,
            _ => return Err(err()),
        };
        // At least a minute and at most a year apart: a longer period is a typo, and a huge
        // one an error rather than an overflow.
        if n == 0 || n.saturating_mul(unit) > 366 * 86_400 {
            return Err(err());
        }
        Ok(Schedule::Every(Duration::from_secs(n * unit)))
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Schedule::Manual => f.write_str("manual"),
            Schedule::Every(d) => {
                let secs = d.as_secs();
                match secs {
                    s if s % 86_400 == 0 => write!(f, "every {}d", s / 86_400),
                    s if s % 3600 == 0 => write!(f, "every {}h", s / 3600),
                    s => write!(f, "every {}m", s / 60),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_parse_print_and_fall_due() {
        let s: Schedule = "every 6h".parse().expect("6h");
        assert_eq!(s.to_string(), "every 6h");
        assert!(s.is_due(None, 0));
        assert!(!s.is_due(Some(0), 6 * 3600 * 1000 - 1));
        assert!(s.is_due(Some(0), 6 * 3600 * 1000));
        assert_eq!(
            "every 90m".parse::<Schedule>().expect("90m").to_string(),
            "every 90m"
        );
        assert!(!Schedule::Manual.is_due(None, 0));
        for bad in ["every", "every 0h", "6h", "every 5 weeks", "daily"] {
            assert!(bad.parse::<Schedule>().is_err(), "{bad}");
        }
    }
}
