//! Injected time (money rule 8) and the shop's business day.
//!
//! Thailand keeps Indochina Time, UTC+07:00, with no daylight saving since 1920, so a business
//! day is the UTC instant shifted by seven hours: no time-zone database is needed.

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch; the only wall-clock type Termdee stores.
pub type UnixMillis = i64;

/// Where time comes from. Production uses [`SystemClock`]; tests use [`ManualClock`].
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current wall-clock time.
    fn now(&self) -> UnixMillis;
}

/// The operating system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> UnixMillis {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }
}

/// A clock that moves only when told to; clones share the same time.
#[derive(Debug, Clone, Default)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    /// A clock showing `at`.
    pub fn at(at: UnixMillis) -> Self {
        ManualClock(Arc::new(AtomicI64::new(at)))
    }

    /// Moves the clock forward by `millis`.
    pub fn advance(&self, millis: i64) {
        self.0.fetch_add(millis, Ordering::SeqCst);
    }

    /// Sets the clock.
    pub fn set(&self, at: UnixMillis) {
        self.0.store(at, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> UnixMillis {
        self.0.load(Ordering::SeqCst)
    }
}

/// Thailand's offset from UTC.
pub const BANGKOK_OFFSET_MS: i64 = 7 * 3_600_000;
const DAY_MS: i64 = 86_400_000;

/// A calendar day in Bangkok, the unit of the owner's daily reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BusinessDay {
    /// Days since 1970-01-01 (Bangkok).
    days: i64,
}

/// A day that is not written `YYYY-MM-DD` or does not exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a day written YYYY-MM-DD")]
pub struct BadDay(pub String);

impl BusinessDay {
    /// The Bangkok day of an instant.
    pub fn of(at: UnixMillis) -> Self {
        BusinessDay {
            days: (at + BANGKOK_OFFSET_MS).div_euclid(DAY_MS),
        }
    }

    /// The first instant of the day (00:00 Bangkok).
    pub fn start(self) -> UnixMillis {
        self.days * DAY_MS - BANGKOK_OFFSET_MS
    }

    /// The first instant of the next day.
    pub fn end(self) -> UnixMillis {
        self.start() + DAY_MS
    }

    /// Reads `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Self, BadDay> {
        let bad = || BadDay(text.to_owned());
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(bad());
        }
        let number = |range: std::ops::Range<usize>| -> Result<i64, BadDay> {
            let part = &text[range];
            if !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            part.parse::<i64>().map_err(|_| bad())
        };
        let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let month_days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err(bad()),
        };
        if day < 1 || day > month_days {
            return Err(bad());
        }
        Ok(BusinessDay {
            days: days_from_civil(year, month, day),
        })
    }

    /// (year, month, day).
    pub fn ymd(self) -> (i64, i64, i64) {
        civil_from_days(self.days)
    }
}

impl fmt::Display for BusinessDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl TryFrom<String> for BusinessDay {
    type Error = BadDay;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        BusinessDay::parse(&value)
    }
}

impl From<BusinessDay> for String {
    fn from(value: BusinessDay) -> Self {
        value.to_string()
    }
}

// Howard Hinnant's civil-calendar algorithms ("chrono-Compatible Low-Level Date Algorithms").
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn bangkok_days_start_at_17_00_utc() {
        // 2026-11-21T17:00:00Z is 2026-11-22 00:00 in Bangkok.
        let midnight = 1_795_280_400_000;
        assert_eq!(BusinessDay::of(midnight).to_string(), "2026-11-22");
        assert_eq!(BusinessDay::of(midnight - 1).to_string(), "2026-11-21");
        let day = BusinessDay::parse("2026-11-22").expect("valid");
        assert_eq!(day.start(), midnight);
        assert_eq!(day.end(), midnight + DAY_MS);
        assert_eq!(BusinessDay::of(0).to_string(), "1970-01-01");
    }

    #[test]
    fn impossible_days_are_refused() {
        for text in [
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-1-01",
            "20261122",
            "2026-11-3x",
            "",
        ] {
            assert!(BusinessDay::parse(text).is_err(), "{text}");
        }
        assert!(BusinessDay::parse("2024-02-29").is_ok());
    }

    #[test]
    fn the_manual_clock_moves_only_when_told() {
        let clock = ManualClock::at(1_000);
        let shared = clock.clone();
        clock.advance(500);
        assert_eq!(shared.now(), 1_500);
    }

    proptest! {
        #[test]
        fn days_round_trip_through_text(days in -100_000i64..200_000) {
            let day = BusinessDay { days };
            prop_assert_eq!(BusinessDay::parse(&day.to_string()), Ok(day));
            prop_assert_eq!(BusinessDay::of(day.start()), day);
            prop_assert_eq!(BusinessDay::of(day.end() - 1), day);
        }
    }
}
