//! The two error types: one for building a payload, one for reading one.

use termdee_domain::Satang;

/// Why a payload could not be built. Every variant names the offending input so that a cashier
/// (or the CLI's one-line error) can say exactly what to fix; nothing is silently corrected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    /// The PromptPay ID was empty once spaces and dashes were removed.
    #[error("the PromptPay ID is empty")]
    EmptyId,
    /// The PromptPay ID held something other than digits, spaces, dashes and a leading `+`.
    #[error("the PromptPay ID {0:?} must contain only digits (spaces, dashes and a leading +66 are allowed)")]
    IdNotDigits(String),
    /// A `+` country code other than Thailand's `+66`: PromptPay only knows Thai numbers.
    #[error("the phone number {0:?} is not a Thai number (+66)")]
    NotThaiMobile(String),
    /// The digit count matches no PromptPay ID kind.
    #[error(
        "the PromptPay ID {input:?} has {digits} digits: expected a mobile number (10 digits starting with 0, \
         or +66 and 9 digits), a national or tax ID (13 digits) or an e-wallet ID (15 digits)"
    )]
    IdWrongLength {
        /// The ID as given.
        input: String,
        /// How many digits it had.
        digits: usize,
    },
    /// A 10-digit number that does not start with 0 is not a Thai phone number in local form.
    #[error("the mobile number {0:?} must start with 0 (or be written +66...)")]
    MobileWithoutLeadingZero(String),
    /// A [`crate::Target`] value built by hand that does not have the shape its kind requires.
    #[error("the {kind} {value:?} is malformed: {reason}")]
    MalformedTarget {
        /// Which kind of target.
        kind: &'static str,
        /// The value held.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The biller ID of a bill payment is not 13 or 15 digits.
    #[error("the biller ID {0:?} must be 15 digits (tax ID + 2-digit suffix) or 13 digits")]
    BillerIdInvalid(String),
    /// A bill payment reference is empty.
    #[error("the bill reference {field} is empty")]
    ReferenceEmpty {
        /// `ref1` or `ref2`.
        field: &'static str,
    },
    /// A bill payment reference is longer than the Thai QR standard's 20 characters.
    #[error("the bill reference {field} {value:?} is {length} characters long; the Thai QR standard allows 20")]
    ReferenceTooLong {
        /// `ref1` or `ref2`.
        field: &'static str,
        /// The reference as given.
        value: String,
        /// Its length in characters.
        length: usize,
    },
    /// A bill payment reference holds characters the standard does not allow (it allows
    /// printable ASCII only; Thai letters would be mangled by the payer's bank).
    #[error("the bill reference {field} {value:?} must be printable ASCII (letters A-Z, digits, punctuation)")]
    ReferenceNotAscii {
        /// `ref1` or `ref2`.
        field: &'static str,
        /// The reference as given.
        value: String,
    },
    /// The amount is zero or negative: a QR that asks for nothing cannot be paid.
    #[error(
        "the amount {0} baht must be greater than zero (leave it out for a QR without an amount)"
    )]
    AmountNotPositive(Satang),
    /// The amount does not fit in tag 54's 13 characters.
    #[error("the amount {0} baht is more than the 9,999,999,999.99 a PromptPay QR can carry")]
    AmountTooLarge(Satang),
    /// A data object's value would exceed the two-digit length field.
    #[error("tag {tag} would be {length} characters long; EMVCo allows at most 99")]
    FieldTooLong {
        /// The EMVCo tag.
        tag: &'static str,
        /// The value's length.
        length: usize,
    },
}

/// Why a text could not be read as an EMVCo payload at all.
///
/// A payload whose structure is fine but whose CRC does not match is *not* an error: [`crate::decode`]
/// returns it with `crc_ok: false`, so that a caller (the CLI) can still show what it contains.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Nothing to decode.
    #[error("the payload is empty")]
    Empty,
    /// A tag is not two digits.
    #[error("at character {position}{context}: expected a two-digit tag, found {found:?}")]
    BadTag {
        /// Character offset within the text being parsed.
        position: usize,
        /// Where that text sits (`""` at the top level, `" inside tag 29"` in a template).
        context: String,
        /// What was there instead.
        found: String,
    },
    /// A length is not two digits.
    #[error(
        "at character {position}{context}: tag {tag} has length {found:?}, expected two digits"
    )]
    BadLength {
        /// Character offset within the text being parsed.
        position: usize,
        /// Where that text sits.
        context: String,
        /// The tag whose length is bad.
        tag: String,
        /// What was there instead.
        found: String,
    },
    /// A value runs past the end of the payload.
    #[error("at character {position}{context}: tag {tag} declares {declared} characters but only {available} remain")]
    Truncated {
        /// Character offset within the text being parsed.
        position: usize,
        /// Where that text sits.
        context: String,
        /// The tag whose value is cut short.
        tag: String,
        /// Its declared length.
        declared: usize,
        /// The characters left.
        available: usize,
    },
    /// No CRC (tag 63): the payload is incomplete.
    #[error("the payload has no CRC (tag 63)")]
    MissingCrc,
    /// Something follows the CRC, which EMVCo requires to be the last data object.
    #[error("the CRC (tag 63) is not the last data object")]
    CrcNotLast,
    /// The CRC value is not four characters.
    #[error("the CRC (tag 63) must be 4 characters, found {0:?}")]
    CrcWrongLength(String),
    /// Tag 54 is not an amount such as `12.50`.
    #[error("the amount (tag 54) {0:?} is not a number of baht with at most two decimals")]
    InvalidAmount(String),
}
