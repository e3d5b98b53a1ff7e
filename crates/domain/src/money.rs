//! Money as integer satang, with exact decimal parsing and formatting.

use std::fmt;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// An amount of Thai baht held as an integer number of satang (1 THB = 100 satang).
///
/// Signed, so that refunds and variances can be expressed; most constructors used at the edges
/// ([`Satang::parse_baht`]) refuse negative input because no customer ever pays a negative amount.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize, TS,
)]
#[serde(transparent)]
#[ts(type = "number")]
pub struct Satang(i64);

/// Why a text could not be read as an amount of money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The text was empty (or only spaces).
    #[error("the amount is empty")]
    Empty,
    /// The text held something other than digits, one decimal point and thousands commas.
    #[error("the amount {0:?} is not a number of baht such as 150 or 12.50")]
    NotANumber(String),
    /// More than two digits after the decimal point: a satang cannot be split.
    #[error("the amount {0:?} has more than two decimals (a satang cannot be split)")]
    TooManyDecimals(String),
    /// The amount does not fit in the 64-bit integer that holds it.
    #[error("the amount {0:?} is too large")]
    TooLarge(String),
}

impl Satang {
    /// Zero baht.
    pub const ZERO: Satang = Satang(0);

    /// An amount from a number of satang.
    pub const fn new(satang: i64) -> Self {
        Satang(satang)
    }

    /// An amount from a whole number of baht, or `None` when it would overflow.
    pub const fn from_baht(baht: i64) -> Option<Self> {
        match baht.checked_mul(100) {
            Some(satang) => Some(Satang(satang)),
            None => None,
        }
    }

    /// The number of satang.
    pub const fn as_satang(self) -> i64 {
        self.0
    }

    /// True when the amount is a whole number of baht (no satang part).
    pub const fn is_whole_baht(self) -> bool {
        self.0 % 100 == 0
    }

    /// Reads a non-negative amount written in baht: `150`, `150.5`, `150.50`, `1,500.00`, `.5`.
    ///
    /// Exact: the digits are read as integers, never through a float, so `0.1 + 0.2` problems
    /// cannot happen. At most two decimals are accepted; a sign is refused.
    pub fn parse_baht(text: &str) -> Result<Self, MoneyError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(MoneyError::Empty);
        }
        let not_a_number = || MoneyError::NotANumber(trimmed.to_owned());
        let (whole, fraction) = match trimmed.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (trimmed, None),
        };
        let whole_digits: String = whole.chars().filter(|c| *c != ',').collect();
        if whole.starts_with(',') || whole.ends_with(',') || whole.contains(",,") {
            return Err(not_a_number());
        }
        if !whole_digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(not_a_number());
        }
        let fraction = fraction.unwrap_or("");
        if !fraction.chars().all(|c| c.is_ascii_digit()) {
            return Err(not_a_number());
        }
        if whole_digits.is_empty() && fraction.is_empty() {
            return Err(not_a_number());
        }
        if fraction.len() > 2 {
            return Err(MoneyError::TooManyDecimals(trimmed.to_owned()));
        }
        let too_large = || MoneyError::TooLarge(trimmed.to_owned());
        let baht: i64 = if whole_digits.is_empty() {
            0
        } else {
            whole_digits.parse().map_err(|_| too_large())?
        };
        let satang_part: i64 = match fraction.len() {
            0 => 0,
            1 => i64::from(fraction.as_bytes()[0] - b'0') * 10,
            _ => fraction.parse().map_err(|_| not_a_number())?,
        };
        baht.checked_mul(100)
            .and_then(|s| s.checked_add(satang_part))
            .map(Satang)
            .ok_or_else(too_large)
    }

    /// The amount as baht with exactly two decimals and no grouping, e.g. `1500.00`, `-0.50`.
    ///
    /// This is the form EMVCo's tag 54 and wePAY's `amount` field use.
    pub fn to_baht_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let magnitude = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", magnitude / 100, magnitude % 100)
    }

    /// Checked addition.
    pub fn checked_add(self, other: Satang) -> Option<Satang> {
        self.0.checked_add(other.0).map(Satang)
    }

    /// Checked subtraction.
    pub fn checked_sub(self, other: Satang) -> Option<Satang> {
        self.0.checked_sub(other.0).map(Satang)
    }
}

impl fmt::Display for Satang {
    /// Baht with two decimals and thousands separators, as a receipt shows it: `1,500.00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plain = self.to_baht_string();
        let (sign, rest) = match plain.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", plain.as_str()),
        };
        let (whole, fraction) = rest.split_once('.').unwrap_or((rest, "00"));
        let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
        for (index, digit) in whole.chars().enumerate() {
            if index > 0 && (whole.len() - index) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        write!(f, "{sign}{grouped}.{fraction}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_the_forms_a_cashier_types() {
        assert_eq!(Satang::parse_baht("150"), Ok(Satang(15_000)));
        assert_eq!(Satang::parse_baht("150.5"), Ok(Satang(15_050)));
        assert_eq!(Satang::parse_baht("150.05"), Ok(Satang(15_005)));
        assert_eq!(Satang::parse_baht(" 1,500.00 "), Ok(Satang(150_000)));
        assert_eq!(Satang::parse_baht(".5"), Ok(Satang(50)));
        assert_eq!(Satang::parse_baht("0"), Ok(Satang(0)));
    }

    #[test]
    fn refuses_what_is_not_an_amount() {
        assert_eq!(Satang::parse_baht(""), Err(MoneyError::Empty));
        assert!(matches!(
            Satang::parse_baht("-1"),
            Err(MoneyError::NotANumber(_))
        ));
        assert!(matches!(
            Satang::parse_baht("1e3"),
            Err(MoneyError::NotANumber(_))
        ));
        assert!(matches!(
            Satang::parse_baht("."),
            Err(MoneyError::NotANumber(_))
        ));
        assert!(matches!(
            Satang::parse_baht("1.2.3"),
            Err(MoneyError::NotANumber(_))
        ));
        assert!(matches!(
            Satang::parse_baht(",100"),
            Err(MoneyError::NotANumber(_))
        ));
        assert!(matches!(
            Satang::parse_baht("๑๐๐"),
            Err(MoneyError::NotANumber(_))
        ));
        assert!(matches!(
            Satang::parse_baht("1.234"),
            Err(MoneyError::TooManyDecimals(_))
        ));
        assert!(matches!(
            Satang::parse_baht("99999999999999999999"),
            Err(MoneyError::TooLarge(_))
        ));
    }

    #[test]
    fn formats_with_two_decimals() {
        assert_eq!(Satang(0).to_baht_string(), "0.00");
        assert_eq!(Satang(5).to_baht_string(), "0.05");
        assert_eq!(Satang(-50).to_baht_string(), "-0.50");
        assert_eq!(Satang(123_456_789).to_string(), "1,234,567.89");
        assert_eq!(Satang(-100_000).to_string(), "-1,000.00");
    }

    proptest! {
        #[test]
        fn formatting_then_parsing_gives_the_same_amount(satang in 0i64..=i64::MAX) {
            let amount = Satang(satang);
            prop_assert_eq!(Satang::parse_baht(&amount.to_baht_string()), Ok(amount));
            prop_assert_eq!(Satang::parse_baht(&amount.to_string()), Ok(amount));
        }

        #[test]
        fn parsing_never_panics(text in "\\PC{0,24}") {
            let _ = Satang::parse_baht(&text);
        }
    }
}
