//! Request rates as merchants write them: `"5/s"`, `"30/m"`, `"100/h"`.

use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub count: NonZeroU32,
    pub per: Duration,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("rate `{input}`: expected a count per unit such as `5/s`, `30/m` or `100/h`")]
pub struct RateError {
    pub input: String,
}

impl Rate {
    pub fn per_second(count: u32) -> Option<Rate> {
        Some(Rate {
            count: NonZeroU32::new(count)?,
            per: Duration::from_secs(1),
        })
    }

    /// The interval between two requests at this rate.
    pub fn interval(&self) -> Duration {
        self.per / self.count.get()
    }
}

impl FromStr for Rate {
    type Err = RateError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = || RateError {
            input: input.to_owned(),
        };
        let (count, unit) = input.trim().split_once('/').ok_or_else(err)?;
        let count: NonZeroU32 = count.trim().parse().map_err(|_| err())?;
        let per = match unit.trim() {
            "s" | "sec" | "second" => Duration::from_secs(1),
            "m" | "min" | "minute" => Duration::from_secs(60),
            "h" | "hour" => Duration::from_secs(3600),
            _ => return Err(err()),
        };
        Ok(Rate { count, per })
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.per.as_secs() {
            60 => "m",
            3600 => "h",
            _ => "s",
        };
        write!(f, "{}/{unit}", self.count)
    }
}

impl Serialize for Rate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_and_print() {
        for (input, shown, interval_ms) in [
            ("5/s", "5/s", 200),
            ("30/m", "30/m", 2000),
            (" 1 / h ", "1/h", 3_600_000),
        ] {
            let rate: Rate = input.parse().expect(input);
            assert_eq!(rate.to_string(), shown);
            assert_eq!(rate.interval().as_millis(), interval_ms);
        }
        for bad in ["5", "0/s", "five/s", "5/day", ""] {
            let err = bad.parse::<Rate>().expect_err(bad);
            assert!(err.to_string().contains(&format!("`{bad}`")), "{err}");
        }
    }
}
