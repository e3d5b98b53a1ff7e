//! Who gets paid: a PromptPay ID (mobile, national/tax ID, e-wallet) or a biller.

use serde::{Deserialize, Serialize};

use crate::PayloadError;

/// The longest bill reference the Thai QR Code standard (Bank of Thailand, tag 30 sub-tags 02
/// and 03) allows.
pub(crate) const MAX_REFERENCE_CHARS: usize = 20;

/// The receiver of a payment, already normalised to the form the payload carries.
///
/// Build one with [`Target::parse_id`] or [`Target::bill`], which validate; the variants are
/// public so a value can be matched on, and [`crate::payload`] validates again, so a hand-built
/// malformed value is refused rather than encoded.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// A mobile number as the 13 characters `0066` + 9 digits (the leading 0 dropped).
    Mobile(String),
    /// A 13-digit national ID or juristic-person tax ID; a leading 0 is kept.
    NationalId(String),
    /// A 15-digit e-wallet ID (the first 3 digits name the wallet provider).
    EWallet(String),
    /// A bill payment (tag 30): the biller's ID and the bill's references.
    Bill {
        /// 15 digits (tax ID + 2-digit suffix) or 13 digits.
        biller_id: String,
        /// Reference 1: the customer or invoice number the biller matches on.
        ref1: String,
        /// Reference 2, when the biller asks for one.
        ref2: Option<String>,
    },
}

/// The kind of a [`Target`], for callers that branch on it (the UI shows a different label).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// A mobile number.
    Mobile,
    /// A national ID or tax ID.
    NationalId,
    /// An e-wallet ID.
    EWallet,
    /// A bill payment.
    Bill,
}

impl Target {
    /// Recognises a PromptPay ID typed by a person and normalises it.
    ///
    /// Spaces and dashes are ignored. The kind follows from the digits, as the bank apps do:
    /// 10 digits starting with 0, or `+66`/`66` and 9 digits, is a mobile number; 13 digits is a
    /// national or tax ID; 15 digits is an e-wallet ID. Anything else is refused with the reason.
    pub fn parse_id(input: &str) -> Result<Target, PayloadError> {
        let compact: String = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\t'))
            .collect();
        if compact.is_empty() {
            return Err(PayloadError::EmptyId);
        }
        let (has_plus, digits) = match compact.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, compact.as_str()),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PayloadError::IdNotDigits(input.to_owned()));
        }
        if has_plus {
            // International form: only Thai numbers, optionally with the trunk 0 kept (+66 08...).
            let national = digits
                .strip_prefix("66")
                .ok_or_else(|| PayloadError::NotThaiMobile(input.to_owned()))?;
            let subscriber = match national.len() {
                10 if national.starts_with('0') => &national[1..],
                _ => national,
            };
            return if subscriber.len() == 9 {
                Ok(Target::Mobile(format!("0066{subscriber}")))
            } else {
                Err(PayloadError::IdWrongLength {
                    input: input.to_owned(),
                    digits: digits.len(),
                })
            };
        }
        match digits.len() {
            10 if digits.starts_with('0') => Ok(Target::Mobile(format!("0066{}", &digits[1..]))),
            10 => Err(PayloadError::MobileWithoutLeadingZero(input.to_owned())),
            // 66 + 9 digits: the international form typed without its '+'.
            11 if digits.starts_with("66") => Ok(Target::Mobile(format!("00{digits}"))),
            13 => Ok(Target::NationalId(digits.to_owned())),
            15 => Ok(Target::EWallet(digits.to_owned())),
            count => Err(PayloadError::IdWrongLength {
                input: input.to_owned(),
                digits: count,
            }),
        }
    }

    /// A bill payment target, validated against the Thai QR standard's limits.
    pub fn bill(biller_id: &str, ref1: &str, ref2: Option<&str>) -> Result<Target, PayloadError> {
        let target = Target::Bill {
            biller_id: biller_id.trim().to_owned(),
            ref1: ref1.trim().to_owned(),
            ref2: ref2.map(|r| r.trim().to_owned()),
        };
        target.validate()?;
        Ok(target)
    }

    /// The kind of target.
    pub fn kind(&self) -> TargetKind {
        match self {
            Target::Mobile(_) => TargetKind::Mobile,
            Target::NationalId(_) => TargetKind::NationalId,
            Target::EWallet(_) => TargetKind::EWallet,
            Target::Bill { .. } => TargetKind::Bill,
        }
    }

    /// The target as a person reads it: `081-234-5678`, `1-2345-67890-12-3`,
    /// `140-0001-2345-6789` (provider code, then the account), `biller / ref1 / ref2`.
    ///
    /// A value that does not have its kind's shape is shown as it is rather than cut wrongly.
    pub fn display(&self) -> String {
        match self {
            Target::Mobile(value) => match value.strip_prefix("0066") {
                Some(subscriber) if subscriber.len() == 9 && is_digits(subscriber) => {
                    format!(
                        "0{}-{}-{}",
                        &subscriber[..2],
                        &subscriber[2..5],
                        &subscriber[5..]
                    )
                }
                _ => value.clone(),
            },
            Target::NationalId(value) if value.len() == 13 && is_digits(value) => {
                // The grouping printed on Thai ID cards: 1-2345-67890-12-3.
                format!(
                    "{}-{}-{}-{}-{}",
                    &value[..1],
                    &value[1..5],
                    &value[5..10],
                    &value[10..12],
                    &value[12..]
                )
            }
            Target::EWallet(value) if value.len() == 15 && is_digits(value) => {
                format!(
                    "{}-{}-{}-{}",
                    &value[..3],
                    &value[3..7],
                    &value[7..11],
                    &value[11..]
                )
            }
            Target::NationalId(value) | Target::EWallet(value) => value.clone(),
            Target::Bill {
                biller_id,
                ref1,
                ref2,
            } => match ref2 {
                Some(ref2) => format!("{biller_id} / {ref1} / {ref2}"),
                None => format!("{biller_id} / {ref1}"),
            },
        }
    }

    /// Checks the value has the exact shape the payload needs; [`crate::payload`] calls this so
    /// a hand-built `Target` can never produce a corrupt payload.
    pub(crate) fn validate(&self) -> Result<(), PayloadError> {
        let malformed =
            |kind: &'static str, value: &str, reason: &'static str| PayloadError::MalformedTarget {
                kind,
                value: value.to_owned(),
                reason,
            };
        match self {
            Target::Mobile(value) => {
                if value.len() != 13 || !value.starts_with("0066") || !is_digits(value) {
                    return Err(malformed(
                        "mobile number",
                        value,
                        "expected 0066 followed by 9 digits",
                    ));
                }
            }
            Target::NationalId(value) => {
                if value.len() != 13 || !is_digits(value) {
                    return Err(malformed("national or tax ID", value, "expected 13 digits"));
                }
            }
            Target::EWallet(value) => {
                if value.len() != 15 || !is_digits(value) {
                    return Err(malformed("e-wallet ID", value, "expected 15 digits"));
                }
            }
            Target::Bill {
                biller_id,
                ref1,
                ref2,
            } => {
                if !matches!(biller_id.len(), 13 | 15) || !is_digits(biller_id) {
                    return Err(PayloadError::BillerIdInvalid(biller_id.clone()));
                }
                validate_reference("ref1", ref1)?;
                if let Some(ref2) = ref2 {
                    validate_reference("ref2", ref2)?;
                }
            }
        }
        Ok(())
    }
}

fn validate_reference(field: &'static str, value: &str) -> Result<(), PayloadError> {
    if value.is_empty() {
        return Err(PayloadError::ReferenceEmpty { field });
    }
    // Checked before the length so that a Thai reference gets the more useful message.
    if !value.bytes().all(|b| (0x20..=0x7E).contains(&b)) {
        return Err(PayloadError::ReferenceNotAscii {
            field,
            value: value.to_owned(),
        });
    }
    if value.len() > MAX_REFERENCE_CHARS {
        return Err(PayloadError::ReferenceTooLong {
            field,
            value: value.to_owned(),
            length: value.len(),
        });
    }
    Ok(())
}

fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_written_form_of_a_mobile_number_gives_the_same_target() {
        let expected = Target::Mobile("0066812345678".into());
        for input in [
            "0812345678",
            "081-234-5678",
            "081 234 5678",
            "+66812345678",
            "+66 81 234 5678",
            "66812345678",
            "+66-0812345678",
        ] {
            assert_eq!(
                Target::parse_id(input),
                Ok(expected.clone()),
                "input {input:?}"
            );
        }
    }

    #[test]
    fn thirteen_digits_is_a_national_id_and_keeps_its_leading_zero() {
        assert_eq!(
            Target::parse_id("0-1055-12345-67-8"),
            Ok(Target::NationalId("0105512345678".into()))
        );
        assert_eq!(
            Target::parse_id("1234567890123").map(|t| t.kind()),
            Ok(TargetKind::NationalId)
        );
    }

    #[test]
    fn fifteen_digits_is_an_e_wallet() {
        assert_eq!(
            Target::parse_id("140000123456789"),
            Ok(Target::EWallet("140000123456789".into()))
        );
    }

    #[test]
    fn refuses_what_is_not_an_id_with_the_reason() {
        assert_eq!(Target::parse_id(" - "), Err(PayloadError::EmptyId));
        assert!(matches!(
            Target::parse_id("08l2345678"),
            Err(PayloadError::IdNotDigits(_))
        ));
        assert!(matches!(
            Target::parse_id("๐๘๑๒๓๔๕๖๗๘"),
            Err(PayloadError::IdNotDigits(_))
        ));
        assert!(matches!(
            Target::parse_id("+1 555 123 4567"),
            Err(PayloadError::NotThaiMobile(_))
        ));
        assert!(matches!(
            Target::parse_id("+6681234567"),
            Err(PayloadError::IdWrongLength { .. })
        ));
        assert!(matches!(
            Target::parse_id("1812345678"),
            Err(PayloadError::MobileWithoutLeadingZero(_))
        ));
        assert!(matches!(
            Target::parse_id("12345678901234"),
            Err(PayloadError::IdWrongLength { digits: 14, .. })
        ));
        assert!(matches!(
            Target::parse_id("+"),
            Err(PayloadError::IdNotDigits(_))
        ));
    }

    #[test]
    fn displays_each_kind_the_way_people_write_it() {
        assert_eq!(
            Target::Mobile("0066812345678".into()).display(),
            "081-234-5678"
        );
        assert_eq!(
            Target::NationalId("1234567890123".into()).display(),
            "1-2345-67890-12-3"
        );
        assert_eq!(
            Target::EWallet("140000123456789".into()).display(),
            "140-0001-2345-6789"
        );
        let bill = Target::bill("010753600010286", "INV12345", Some("A1")).unwrap();
        assert_eq!(bill.display(), "010753600010286 / INV12345 / A1");
        let bill = Target::bill("010753600010286", "INV12345", None).unwrap();
        assert_eq!(bill.display(), "010753600010286 / INV12345");
        // A malformed hand-built value is shown as is, not sliced.
        assert_eq!(Target::Mobile("12".into()).display(), "12");
    }

    #[test]
    fn bill_references_follow_the_thai_qr_limits() {
        assert!(
            Target::bill("0107536000102", "R1", None).is_ok(),
            "13-digit biller IDs are in use"
        );
        assert!(matches!(
            Target::bill("01075360001028", "R1", None),
            Err(PayloadError::BillerIdInvalid(_))
        ));
        assert!(matches!(
            Target::bill("01075360001028X", "R1", None),
            Err(PayloadError::BillerIdInvalid(_))
        ));
        assert_eq!(
            Target::bill("010753600010286", " ", None),
            Err(PayloadError::ReferenceEmpty { field: "ref1" })
        );
        assert!(matches!(
            Target::bill("010753600010286", "R1", Some("123456789012345678901")),
            Err(PayloadError::ReferenceTooLong {
                field: "ref2",
                length: 21,
                ..
            })
        ));
        assert!(matches!(
            Target::bill("010753600010286", "บิล", None),
            Err(PayloadError::ReferenceNotAscii { field: "ref1", .. })
        ));
    }
}
