//! Shared wire helpers: JSON scalars read as exact text, and exact baht → [`Satang`] conversion.

use std::fmt;

use serde::de::{Deserialize, Deserializer, Error as _};
use serde_json::value::RawValue;
use termdee_domain::Satang;

/// Reads a baht amount as a provider writes it: `10`, `10.00`, `4.840`, `-1.5`, `1,500.00`.
///
/// Exact (never through a float). Trailing zeros beyond two decimals are dropped; a third
/// significant decimal, an exponent or anything else is refused with `None`.
pub fn baht_to_satang(text: &str) -> Option<Satang> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let trimmed = match digits.split_once('.') {
        Some((whole, fraction)) if fraction.len() > 2 => {
            let significant = fraction.trim_end_matches('0');
            if significant.len() > 2 {
                return None;
            }
            format!("{whole}.{significant}")
        }
        _ => digits.to_owned(),
    };
    let amount = Satang::parse_baht(trimmed.trim_end_matches('.')).ok()?;
    if negative {
        Some(Satang::new(amount.as_satang().checked_neg()?))
    } else {
        Some(amount)
    }
}

/// A JSON scalar (string or number) kept as its exact text: the content of a string, or the
/// exact token of a number (read through `RawValue`, so `4.84` is never an `f64`). Used for
/// amounts and for ids that providers send either way (`"394209456"` or `394209456`).
#[derive(Clone, PartialEq, Eq)]
pub struct WireScalar(pub String);

impl WireScalar {
    /// The text.
    pub fn text(&self) -> &str {
        &self.0
    }

    /// The amount in satang, if the text is an exact baht amount.
    pub fn satang(&self) -> Option<Satang> {
        baht_to_satang(&self.0)
    }
}

impl fmt::Debug for WireScalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl<'de> Deserialize<'de> for WireScalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw: Box<RawValue> = Deserialize::deserialize(deserializer)?;
        let token = raw.get();
        if token.starts_with('"') {
            let text: String = serde_json::from_str(token).map_err(D::Error::custom)?;
            Ok(WireScalar(text))
        } else if token.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
            Ok(WireScalar(token.to_owned()))
        } else {
            Err(D::Error::custom(format!(
                "expected a string or a number, got {token}"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_strings_and_number_tokens_exactly() {
        assert_eq!(baht_to_satang("299987.74"), Some(Satang::new(29_998_774)));
        assert_eq!(baht_to_satang("4.84"), Some(Satang::new(484)));
        assert_eq!(baht_to_satang("4.840"), Some(Satang::new(484)));
        assert_eq!(baht_to_satang("10"), Some(Satang::new(1000)));
        assert_eq!(baht_to_satang("10."), Some(Satang::new(1000)));
        assert_eq!(baht_to_satang("-1.5"), Some(Satang::new(-150)));
        assert_eq!(baht_to_satang("4.845"), None);
        assert_eq!(baht_to_satang("1e3"), None);
        assert_eq!(baht_to_satang(""), None);
        assert_eq!(baht_to_satang("-"), None);
    }

    #[test]
    fn wire_decimal_accepts_string_and_number() {
        #[derive(serde::Deserialize)]
        struct Reply {
            a: WireScalar,
            b: WireScalar,
        }
        let reply: Reply = serde_json::from_str(r#"{"a":"162.24","b":0.29}"#).expect("valid json");
        assert_eq!(reply.a.satang(), Some(Satang::new(16224)));
        assert_eq!(reply.b.satang(), Some(Satang::new(29)));
        assert!(serde_json::from_str::<Reply>(r#"{"a":true,"b":1}"#).is_err());
    }
}
