//! Reading any EMVCo merchant-presented payload, and recognising PromptPay in it.

use serde::Serialize;
use termdee_domain::Satang;

use crate::crc::{crc16_ccitt_false, crc_hex};
use crate::payload::{AID_BILL_PAYMENT, AID_CREDIT_TRANSFER};
use crate::{DecodeError, Target, TargetKind};

/// One EMVCo data object: a two-digit tag, its value, and — for templates — the data objects
/// inside the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataObject {
    /// The two-digit tag, e.g. `"29"`.
    pub tag: String,
    /// The value exactly as it appears in the payload (a template's value is its raw text).
    pub value: String,
    /// The data objects inside a template (tags 26–51, 62 and 64); empty for other tags.
    pub children: Vec<DataObject>,
}

/// What a payload contains.
///
/// `crc_ok` is false when the checksum in tag 63 does not match: the payload is then suspect
/// (mistyped, truncated by a scanner, or tampered with) and must not be paid, but its contents are
/// still reported so a person can see what it claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decoded {
    /// True when tag 63 matches the CRC computed over the payload (either hex case is accepted).
    pub crc_ok: bool,
    /// The CRC as written in tag 63.
    pub crc: String,
    /// The CRC computed over the payload, as four upper-case hex digits.
    pub crc_computed: String,
    /// Every top-level data object in payload order, templates with their children.
    pub tags: Vec<DataObject>,
    /// The kind of PromptPay target found, if any.
    pub target_kind: Option<TargetKind>,
    /// The PromptPay target as carried (`0066812345678`, a 13- or 15-digit ID, or the biller ID).
    pub target: Option<String>,
    /// Bill payment reference 1 (tag 30 sub-tag 02).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ref1: Option<String>,
    /// Bill payment reference 2 (tag 30 sub-tag 03).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ref2: Option<String>,
    /// The amount asked for (tag 54), if any; serialised as an integer number of satang.
    pub amount: Option<Satang>,
}

impl Decoded {
    /// The top-level data object with this tag (the first, if a payload repeats one).
    pub fn tag(&self, tag: &str) -> Option<&DataObject> {
        self.tags.iter().find(|object| object.tag == tag)
    }

    /// The recognised target as a [`Target`], e.g. to show it with [`Target::display`].
    pub fn as_target(&self) -> Option<Target> {
        let value = self.target.clone()?;
        Some(match self.target_kind? {
            TargetKind::Mobile => Target::Mobile(value),
            TargetKind::NationalId => Target::NationalId(value),
            TargetKind::EWallet => Target::EWallet(value),
            TargetKind::Bill => Target::Bill {
                biller_id: value,
                ref1: self.ref1.clone()?,
                ref2: self.ref2.clone(),
            },
        })
    }
}

/// Decodes an EMVCo merchant-presented QR payload.
///
/// Data objects may come in any order and tags 26–51, 62 and 64 are read as nested templates.
/// Lengths count characters, as EMVCo defines them, so a UTF-8 value (tag 64, the merchant name in
/// Thai) never splits a character; the CRC is computed over the UTF-8 bytes.
///
/// Returns `Err` when the text is not a well-formed payload: a tag or length that is not two
/// digits, a value running past the end, a template whose inside is not data objects, no CRC, the
/// CRC not last, or an unreadable amount. Returns `Ok` with `crc_ok: false` when the structure is
/// fine but the checksum does not match, so callers can still report what the payload says.
/// Never panics, whatever the input (see the proptests and the fuzz target).
pub fn decode(payload: &str) -> Result<Decoded, DecodeError> {
    // Scanners often hand over a trailing newline; it is not part of the payload.
    let payload = payload.trim_end_matches(['\r', '\n']);
    if payload.is_empty() {
        return Err(DecodeError::Empty);
    }
    let objects = parse_objects(payload, "")?;

    let crc_object = objects.last().filter(|o| o.object.tag == "63");
    let crc_object = match crc_object {
        Some(object) => object,
        None if objects.iter().any(|o| o.object.tag == "63") => {
            return Err(DecodeError::CrcNotLast)
        }
        None => return Err(DecodeError::MissingCrc),
    };
    if crc_object.object.value.chars().count() != 4 {
        return Err(DecodeError::CrcWrongLength(crc_object.object.value.clone()));
    }
    let covered = &payload.as_bytes()[..crc_object.value_start];
    let computed = crc_hex(crc16_ccitt_false(covered));
    let computed = String::from_utf8_lossy(&computed).into_owned();
    let written = crc_object.object.value.clone();
    let crc_ok = written.eq_ignore_ascii_case(&computed);

    let tags: Vec<DataObject> = objects.into_iter().map(|o| o.object).collect();
    let amount = match tags.iter().find(|o| o.tag == "54") {
        Some(object) => Some(
            parse_amount(&object.value)
                .ok_or_else(|| DecodeError::InvalidAmount(object.value.clone()))?,
        ),
        None => None,
    };

    let mut decoded = Decoded {
        crc_ok,
        crc: written,
        crc_computed: computed,
        tags,
        target_kind: None,
        target: None,
        ref1: None,
        ref2: None,
        amount,
    };
    recognise_target(&mut decoded);
    Ok(decoded)
}

/// Finds the PromptPay account among the merchant account templates (26–51): credit transfer
/// is normally tag 29 and bill payment tag 30, but the AID, not the tag number, says which is
/// which, so every template is checked.
fn recognise_target(decoded: &mut Decoded) {
    for object in &decoded.tags {
        if !is_merchant_account_template(&object.tag) {
            continue;
        }
        let child = |tag: &str| {
            object
                .children
                .iter()
                .find(|c| c.tag == tag)
                .map(|c| c.value.clone())
        };
        let Some(aid) = child("00") else { continue };
        if aid.eq_ignore_ascii_case(AID_CREDIT_TRANSFER) {
            let found = [
                ("01", TargetKind::Mobile),
                ("02", TargetKind::NationalId),
                ("03", TargetKind::EWallet),
            ]
            .into_iter()
            .find_map(|(tag, kind)| child(tag).map(|value| (kind, value)));
            if let Some((kind, value)) = found {
                decoded.target_kind = Some(kind);
                decoded.target = Some(value);
                return;
            }
        } else if aid.eq_ignore_ascii_case(AID_BILL_PAYMENT) {
            if let Some(biller_id) = child("01") {
                decoded.target_kind = Some(TargetKind::Bill);
                decoded.target = Some(biller_id);
                decoded.ref1 = child("02");
                decoded.ref2 = child("03");
                return;
            }
        }
    }
}

fn is_merchant_account_template(tag: &str) -> bool {
    matches!(tag.parse::<u8>(), Ok(26..=51))
}

/// Templates whose value is itself a list of data objects (EMVCo MPM §4.5: merchant account
/// information 26–51, additional data field 62, merchant information in an alternate language 64).
/// Tags 80–99 are "unreserved templates" too, but their insides are defined by whoever uses them,
/// so they are kept as raw values rather than rejected when a vendor puts plain text there.
fn is_template(tag: &str) -> bool {
    matches!(tag.parse::<u8>(), Ok(26..=51 | 62 | 64))
}

/// A data object with the byte offset of its value in the parsed text (needed to know which
/// bytes the CRC covers).
struct Located {
    object: DataObject,
    value_start: usize,
}

fn parse_objects(text: &str, context: &str) -> Result<Vec<Located>, DecodeError> {
    let mut objects = Vec::new();
    // (character position, byte offset) of the cursor, so errors report characters while
    // slicing uses bytes on character boundaries only.
    let mut char_position = 0usize;
    let mut rest = text;
    while !rest.is_empty() {
        let tag = take_two_digits(rest).ok_or_else(|| DecodeError::BadTag {
            position: char_position,
            context: context.to_owned(),
            found: rest.chars().take(2).collect(),
        })?;
        let after_tag = &rest[2..];
        let length = take_two_digits(after_tag).ok_or_else(|| DecodeError::BadLength {
            position: char_position + 2,
            context: context.to_owned(),
            tag: tag.to_owned(),
            found: after_tag.chars().take(2).collect(),
        })?;
        let declared: usize = usize::from(length.as_bytes()[0] - b'0') * 10
            + usize::from(length.as_bytes()[1] - b'0');
        let value_text = &after_tag[2..];
        let value_bytes = match value_text.char_indices().nth(declared) {
            Some((end, _)) => end,
            None => {
                let available = value_text.chars().count();
                if available < declared {
                    return Err(DecodeError::Truncated {
                        position: char_position + 4,
                        context: context.to_owned(),
                        tag: tag.to_owned(),
                        declared,
                        available,
                    });
                }
                value_text.len()
            }
        };
        let value = &value_text[..value_bytes];
        let value_start = text.len() - value_text.len();
        let children = if context.is_empty() && is_template(tag) {
            // Nested templates exist only one level deep in EMVCo, so the inside is read as plain
            // data objects and never recursed into further.
            parse_objects(value, &format!(" inside tag {tag}"))?
                .into_iter()
                .map(|o| o.object)
                .collect()
        } else {
            Vec::new()
        };
        objects.push(Located {
            object: DataObject {
                tag: tag.to_owned(),
                value: value.to_owned(),
                children,
            },
            value_start,
        });
        char_position += 4 + declared;
        rest = &value_text[value_bytes..];
    }
    Ok(objects)
}

/// The first two characters of `text` when both are ASCII digits (so slicing at 2 is safe).
fn take_two_digits(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_digit() && bytes[1].is_ascii_digit() {
        Some(&text[..2])
    } else {
        None
    }
}

/// Reads tag 54: digits with an optional point and at most two decimals (`4.22`, `100`, `1.5`).
/// Integer arithmetic only.
fn parse_amount(text: &str) -> Option<Satang> {
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (text, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty())
        || !all_digits(whole)
        || !all_digits(fraction)
        || fraction.len() > 2
    {
        return None;
    }
    let baht: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let satang = match fraction.len() {
        0 => 0,
        1 => i64::from(fraction.as_bytes()[0] - b'0') * 10,
        _ => {
            i64::from(fraction.as_bytes()[0] - b'0') * 10 + i64::from(fraction.as_bytes()[1] - b'0')
        }
    };
    baht.checked_mul(100)?.checked_add(satang).map(Satang::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    // promptpay-qr 0.5.0 (npm, dtinth), README example: generatePayload('0812345678', { amount: 4.22 }).
    const PROMPTPAY_QR_EXAMPLE: &str =
        "00020101021229370016A000000677010111011300668123456785802TH530376454044.2263045D49";

    #[test]
    fn reads_the_target_and_amount_of_a_payload_in_another_tag_order() {
        let decoded = decode(PROMPTPAY_QR_EXAMPLE).unwrap();
        assert!(decoded.crc_ok);
        assert_eq!(decoded.target_kind, Some(TargetKind::Mobile));
        assert_eq!(decoded.target.as_deref(), Some("0066812345678"));
        assert_eq!(decoded.amount, Some(Satang::new(422)));
        let merchant = decoded.tag("29").unwrap();
        assert_eq!(merchant.children.len(), 2);
        assert_eq!(merchant.children[0].value, AID_CREDIT_TRANSFER);
    }

    #[test]
    fn accepts_a_lower_case_crc() {
        let lower = PROMPTPAY_QR_EXAMPLE.replace("5D49", "5d49");
        assert!(decode(&lower).unwrap().crc_ok);
    }

    #[test]
    fn a_wrong_crc_is_reported_not_refused() {
        let wrong = PROMPTPAY_QR_EXAMPLE.replace("5D49", "5D4A");
        let decoded = decode(&wrong).unwrap();
        assert!(!decoded.crc_ok);
        assert_eq!(decoded.crc_computed, "5D49");
        assert_eq!(
            decoded.amount,
            Some(Satang::new(422)),
            "contents are still reported"
        );
    }

    #[test]
    fn refuses_a_broken_structure_with_the_place() {
        assert_eq!(decode(""), Err(DecodeError::Empty));
        assert!(matches!(
            decode("0002010102"),
            Err(DecodeError::Truncated { position: 10, .. })
        ));
        assert!(matches!(
            decode("00020101"),
            Err(DecodeError::BadLength { position: 8, .. })
        ));
        assert!(matches!(
            decode("AB0201"),
            Err(DecodeError::BadTag { position: 0, .. })
        ));
        assert!(matches!(
            decode("00X201"),
            Err(DecodeError::BadLength { position: 2, .. })
        ));
        assert_eq!(decode("000201"), Err(DecodeError::MissingCrc));
        assert_eq!(decode("6304ABCD000201"), Err(DecodeError::CrcNotLast));
        assert!(matches!(
            decode("000201630212"),
            Err(DecodeError::CrcWrongLength(_))
        ));
        assert!(matches!(
            decode("0002012904ABCD6304ABCD"),
            Err(DecodeError::BadTag { .. })
        ));
        assert!(matches!(
            decode("0002015403x.y6304ABCD"),
            Err(DecodeError::InvalidAmount(_))
        ));
    }

    #[test]
    fn multi_byte_characters_are_counted_as_characters() {
        // Tag 64 (alternate language) carries Thai; "ร้าน" is 4 characters, 12 bytes.
        let body = "00020164140002th0104ร้าน6304";
        let crc = String::from_utf8(crc_hex(crc16_ccitt_false(body.as_bytes())).to_vec()).unwrap();
        let decoded = decode(&format!("{body}{crc}")).unwrap();
        assert!(decoded.crc_ok);
        let template = decoded.tag("64").unwrap();
        assert_eq!(template.children[0].value, "th");
        assert_eq!(template.children[1].value, "ร้าน");
    }

    #[test]
    fn amounts_are_read_exactly() {
        assert_eq!(parse_amount("4.22"), Some(Satang::new(422)));
        assert_eq!(parse_amount("100"), Some(Satang::new(10_000)));
        assert_eq!(parse_amount("1.5"), Some(Satang::new(150)));
        assert_eq!(parse_amount(".5"), Some(Satang::new(50)));
        assert_eq!(
            parse_amount("9999999999.99"),
            Some(Satang::new(999_999_999_999))
        );
        assert_eq!(parse_amount("."), None);
        assert_eq!(parse_amount("1.234"), None);
        assert_eq!(parse_amount("-1"), None);
        assert_eq!(parse_amount("99999999999999999999"), None);
    }
}
