//! Thai mobile numbers.
//!
//! Every network Termdee sells credit for uses the same national numbering plan: ten digits
//! starting with `06`, `08` or `09` (NBTC mobile ranges). Numbers are portable between networks,
//! so the prefix says nothing about the network; the customer's choice of network is what the
//! provider is told, and a wrong choice is refused by the provider, not guessed here.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A Thai mobile number in national form, e.g. `0812345678`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Msisdn(String);

/// Why a typed phone number is not a Thai mobile number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Nothing was typed.
    #[error("the phone number is empty")]
    Empty,
    /// Something other than digits, spaces, dashes or a leading `+66`.
    #[error("the phone number {0:?} has characters other than digits")]
    NotDigits(String),
    /// Not ten digits in national form.
    #[error("the phone number {0:?} does not have 10 digits")]
    WrongLength(String),
    /// Ten digits, but not in the mobile ranges 06, 08, 09.
    #[error("the phone number {0:?} is not a mobile number (it must start with 06, 08 or 09)")]
    NotMobile(String),
}

impl Msisdn {
    /// Reads a number as a cashier or customer types it: spaces and dashes are ignored, and the
    /// international form `+66 81 234 5678` (or `66812345678`) becomes `0812345678`.
    pub fn parse(text: &str) -> Result<Self, PhoneError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(PhoneError::Empty);
        }
        let compact: String = trimmed
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect();
        let international = compact.strip_prefix('+');
        let digits = international.unwrap_or(&compact);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PhoneError::NotDigits(text.to_owned()));
        }
        let national = match digits.strip_prefix("66") {
            Some(rest) if international.is_some() || digits.len() == 11 => format!("0{rest}"),
            _ if international.is_some() => return Err(PhoneError::NotMobile(text.to_owned())),
            _ => digits.to_owned(),
        };
        // The prefix first: a 9-digit Bangkok landline (02-123-4567) is "not a mobile number",
        // which helps the customer more than "wrong length".
        if national.len() >= 2 && !matches!(&national[..2], "06" | "08" | "09") {
            return Err(PhoneError::NotMobile(text.to_owned()));
        }
        if national.len() != 10 {
            return Err(PhoneError::WrongLength(text.to_owned()));
        }
        Ok(Msisdn(national))
    }

    /// The ten digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number as people write it: `081-234-5678`.
    pub fn display(&self) -> String {
        format!("{}-{}-{}", &self.0[..3], &self.0[3..6], &self.0[6..])
    }

    /// The number with all but the last four digits hidden, for receipts and logs:
    /// `081-xxx-5678`.
    pub fn masked(&self) -> String {
        format!("{}-xxx-{}", &self.0[..3], &self.0[6..])
    }
}

impl fmt::Display for Msisdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Msisdn {
    type Error = PhoneError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Msisdn::parse(&value)
    }
}

impl From<Msisdn> for String {
    fn from(value: Msisdn) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_and_international_forms_are_the_same_number() {
        for text in [
            "0812345678",
            "081-234-5678",
            " 081 234 5678 ",
            "+66812345678",
            "+66 81 234 5678",
            "66812345678",
        ] {
            assert_eq!(
                Msisdn::parse(text).map(String::from),
                Ok("0812345678".to_owned()),
                "{text}"
            );
        }
    }

    #[test]
    fn non_mobile_and_malformed_numbers_are_refused_with_the_reason() {
        assert_eq!(Msisdn::parse(""), Err(PhoneError::Empty));
        assert!(matches!(
            Msisdn::parse("08123a5678"),
            Err(PhoneError::NotDigits(_))
        ));
        assert!(matches!(
            Msisdn::parse("081234567"),
            Err(PhoneError::WrongLength(_))
        ));
        assert!(matches!(
            Msisdn::parse("08123456789"),
            Err(PhoneError::WrongLength(_))
        ));
        assert!(matches!(
            Msisdn::parse("0212345678"),
            Err(PhoneError::NotMobile(_))
        ));
        assert!(matches!(
            Msisdn::parse("+6621234567"),
            Err(PhoneError::NotMobile(_))
        ));
        assert!(matches!(
            Msisdn::parse("+1812345678"),
            Err(PhoneError::NotMobile(_))
        ));
        assert!(matches!(Msisdn::parse("+"), Err(PhoneError::NotDigits(_))));
    }

    #[test]
    fn masking_keeps_only_the_prefix_and_the_last_four_digits() {
        let number = Msisdn::parse("0812345678").expect("valid");
        assert_eq!(number.masked(), "081-xxx-5678");
    }

    #[test]
    fn serde_round_trips_and_refuses_bad_numbers() {
        let number: Msisdn = serde_json::from_str("\"+66912345678\"").expect("valid");
        assert_eq!(
            serde_json::to_string(&number).expect("json"),
            "\"0912345678\""
        );
        assert!(serde_json::from_str::<Msisdn>("\"12345\"").is_err());
    }
}
