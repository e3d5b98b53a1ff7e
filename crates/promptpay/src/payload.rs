//! Building a payload: the EMVCo data objects in ascending tag order, then the CRC.

use termdee_domain::Satang;

use crate::crc::{crc16_ccitt_false, crc16_update, crc_hex};
use crate::{PayloadError, Target, TargetKind};

/// Application ID of PromptPay credit transfer (Thai QR standard, tag 29 sub-tag 00).
pub const AID_CREDIT_TRANSFER: &str = "A000000677010111";
/// Application ID of PromptPay bill payment (Thai QR standard, tag 30 sub-tag 00).
pub const AID_BILL_PAYMENT: &str = "A000000677010112";

/// The largest amount tag 54 can hold: EMVCo gives it at most 13 characters, `9999999999.99`.
pub const MAX_AMOUNT: Satang = Satang::new(999_999_999_999);

/// Builds the payload of a PromptPay QR for `target`, asking for `amount` when given.
///
/// Without an amount the QR is "static" (tag 01 = `11`: reusable, the payer types the amount);
/// with one it is "dynamic" (`12`: meant for this one sale). Data objects are written in ascending
/// tag order with 00 first and 63 last; EMVCo fixes only those two positions, and ascending order
/// makes the output easy to compare. The other well-known implementations order the middle tags
/// differently (promptpay-qr writes 58 before 53; promptparse writes 54 after 58); EMVCo allows
/// any order, and [`crate::decode`] reads any order.
pub fn payload(target: &Target, amount: Option<Satang>) -> Result<String, PayloadError> {
    target.validate()?;
    if let Some(amount) = amount {
        if amount.as_satang() <= 0 {
            return Err(PayloadError::AmountNotPositive(amount));
        }
        if amount > MAX_AMOUNT {
            return Err(PayloadError::AmountTooLarge(amount));
        }
    }
    let dynamic = amount.is_some();

    // Built as bytes (everything written is ASCII) into one buffer: 128 bytes covers every
    // payload this function can produce (the longest, a bill with two 20-character references
    // and a 13-character amount, is 124).
    let mut out: Vec<u8> = Vec::with_capacity(128);
    let mut crc_so_far = None;
    match target {
        Target::Mobile(value) | Target::NationalId(value) | Target::EWallet(value) => {
            // Everything up to the ID itself is fixed for a given kind and tag 01, so it is a
            // constant whose CRC was computed at compile time (validate() fixed the ID's length).
            let header = credit_transfer_header(target.kind(), dynamic);
            out.extend_from_slice(header.text.as_bytes());
            out.extend_from_slice(value.as_bytes());
            crc_so_far = Some((header.crc, header.text.len()));
        }
        Target::Bill {
            biller_id,
            ref1,
            ref2,
        } => {
            push_start(&mut out, dynamic);
            let inner = 4
                + AID_BILL_PAYMENT.len()
                + 4
                + biller_id.len()
                + 4
                + ref1.len()
                + ref2.as_ref().map_or(0, |r| 4 + r.len());
            push_header(&mut out, "30", inner)?;
            push_object(&mut out, "00", AID_BILL_PAYMENT)?;
            push_object(&mut out, "01", biller_id)?;
            push_object(&mut out, "02", ref1)?;
            if let Some(ref2) = ref2 {
                push_object(&mut out, "03", ref2)?;
            }
        }
    }

    // Tag 53, Transaction Currency: ISO 4217 numeric, 764 = Thai baht.
    out.extend_from_slice(b"5303764");
    if let Some(amount) = amount {
        push_amount(&mut out, amount);
    }
    // Tag 58, Country Code: ISO 3166-1 alpha-2.
    out.extend_from_slice(b"5802TH");
    // Tag 63, CRC: covers everything before it including its own "6304" (EMVCo MPM §4.7.3).
    out.extend_from_slice(b"6304");
    let crc = match crc_so_far {
        Some((header_crc, header_len)) => crc16_update(header_crc, &out[header_len..]),
        None => crc16_ccitt_false(&out),
    };
    out.extend_from_slice(&crc_hex(crc));
    // Only ASCII was written (validate() checked every value), so this cannot fail.
    String::from_utf8(out).map_err(|_| PayloadError::MalformedTarget {
        kind: "payload",
        value: String::new(),
        reason: "non-ASCII output",
    })
}

/// A fixed run of leading payload text and its CRC register.
struct Header {
    text: &'static str,
    crc: u16,
}

impl Header {
    const fn new(text: &'static str) -> Header {
        Header {
            text,
            crc: crc16_update(0xFFFF, text.as_bytes()),
        }
    }
}

/// Tags 00 and 01, then tag 29 (Merchant Account Information for PromptPay credit transfer):
/// its length, the AID in sub-tag 00, and the ID's sub-tag — 01 mobile (13 characters, so tag 29
/// is 37 long), 02 national/tax ID (13, 37), 03 e-wallet (15, 39) — and the ID's length.
/// Tag 00 (Payload Format Indicator) is always "01" and always first (EMVCo MPM §4.6.1.1);
/// tag 01 (Point of Initiation Method) is 11 static, 12 dynamic.
fn credit_transfer_header(kind: TargetKind, dynamic: bool) -> &'static Header {
    const STATIC: [Header; 3] = [
        Header::new("00020101021129370016A0000006770101110113"),
        Header::new("00020101021129370016A0000006770101110213"),
        Header::new("00020101021129390016A0000006770101110315"),
    ];
    const DYNAMIC: [Header; 3] = [
        Header::new("00020101021229370016A0000006770101110113"),
        Header::new("00020101021229370016A0000006770101110213"),
        Header::new("00020101021229390016A0000006770101110315"),
    ];
    let table = if dynamic { &DYNAMIC } else { &STATIC };
    match kind {
        TargetKind::Mobile | TargetKind::Bill => &table[0],
        TargetKind::NationalId => &table[1],
        TargetKind::EWallet => &table[2],
    }
}

/// Tags 00 and 01 (see [`credit_transfer_header`]).
fn push_start(out: &mut Vec<u8>, dynamic: bool) {
    out.extend_from_slice(if dynamic {
        b"000201010212"
    } else {
        b"000201010211"
    });
}

fn push_object(out: &mut Vec<u8>, tag: &'static str, value: &str) -> Result<(), PayloadError> {
    push_header(out, tag, value.len())?;
    out.extend_from_slice(value.as_bytes());
    Ok(())
}

/// Writes a tag and its two-digit length. EMVCo lengths are two decimal digits, so 99 is the
/// most a value can hold; refusing longer values here is what keeps a payload from being corrupt.
fn push_header(out: &mut Vec<u8>, tag: &'static str, length: usize) -> Result<(), PayloadError> {
    if length > 99 {
        return Err(PayloadError::FieldTooLong { tag, length });
    }
    out.extend_from_slice(tag.as_bytes());
    push_two_digits(out, length as u64);
    Ok(())
}

fn push_two_digits(out: &mut Vec<u8>, value: u64) {
    out.push(b'0' + (value / 10 % 10) as u8);
    out.push(b'0' + (value % 10) as u8);
}

/// Tag 54, Transaction Amount, with exactly two decimals (ISO 4217 exponent of THB is 2), built
/// from the integer satang so no float ever touches the money. `amount` is known to be in
/// 1..=MAX_AMOUNT, so the text is 4..=13 characters.
fn push_amount(out: &mut Vec<u8>, amount: Satang) {
    let satang = amount.as_satang().unsigned_abs();
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut rest = satang / 100;
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let baht_digits = &digits[start..];
    out.extend_from_slice(b"54");
    push_two_digits(out, baht_digits.len() as u64 + 3);
    out.extend_from_slice(baht_digits);
    out.push(b'.');
    push_two_digits(out, satang % 100);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mobile() -> Target {
        Target::parse_id("0812345678").unwrap()
    }

    #[test]
    fn static_and_dynamic_differ_in_tag_01() {
        let fixed = payload(&mobile(), None).unwrap();
        assert!(fixed.starts_with("000201010211"), "{fixed}");
        assert!(
            !fixed.contains("5404"),
            "a static QR carries no amount: {fixed}"
        );
        let dynamic = payload(&mobile(), Some(Satang::new(422))).unwrap();
        assert!(dynamic.starts_with("000201010212"), "{dynamic}");
    }

    #[test]
    fn tags_are_in_ascending_order_with_the_crc_last() {
        let text = payload(&mobile(), Some(Satang::new(422))).unwrap();
        // CRC cross-checked with promptparse 1.6.0 (npm): withCrcTag(<this payload without CRC>, '63').
        assert_eq!(
            text,
            "00020101021229370016A00000067701011101130066812345678530376454044.225802TH63042352"
        );
    }

    #[test]
    fn amounts_have_exactly_two_decimals() {
        for (satang, text) in [
            (1, "54040.01"),
            (50, "54040.50"),
            (100, "54041.00"),
            (123_456, "54071234.56"),
        ] {
            let built = payload(&mobile(), Some(Satang::new(satang))).unwrap();
            assert!(
                built.contains(text),
                "{satang} satang should be written {text}: {built}"
            );
        }
        let largest = payload(&mobile(), Some(MAX_AMOUNT)).unwrap();
        assert!(largest.contains("54139999999999.99"), "{largest}");
    }

    #[test]
    fn refuses_amounts_a_qr_cannot_carry() {
        assert_eq!(
            payload(&mobile(), Some(Satang::ZERO)),
            Err(PayloadError::AmountNotPositive(Satang::ZERO))
        );
        assert_eq!(
            payload(&mobile(), Some(Satang::new(-1))),
            Err(PayloadError::AmountNotPositive(Satang::new(-1)))
        );
        let too_much = Satang::new(MAX_AMOUNT.as_satang() + 1);
        assert_eq!(
            payload(&mobile(), Some(too_much)),
            Err(PayloadError::AmountTooLarge(too_much))
        );
    }

    #[test]
    fn refuses_a_malformed_hand_built_target() {
        assert!(matches!(
            payload(&Target::Mobile("0812345678".into()), None),
            Err(PayloadError::MalformedTarget { .. })
        ));
        assert!(matches!(
            payload(&Target::NationalId("12345".into()), None),
            Err(PayloadError::MalformedTarget { .. })
        ));
        assert!(matches!(
            payload(&Target::EWallet("1234567890123x5".into()), None),
            Err(PayloadError::MalformedTarget { .. })
        ));
        let long_ref = Target::Bill {
            biller_id: "010753600010286".into(),
            ref1: "R".repeat(120),
            ref2: None,
        };
        assert!(matches!(
            payload(&long_ref, None),
            Err(PayloadError::ReferenceTooLong { .. })
        ));
    }

    #[test]
    fn precomputed_headers_are_what_the_generic_writer_produces() {
        for dynamic in [false, true] {
            for (kind, sub_tag, id_length) in [
                (TargetKind::Mobile, "01", 13),
                (TargetKind::NationalId, "02", 13),
                (TargetKind::EWallet, "03", 15),
            ] {
                let mut expected = Vec::new();
                push_start(&mut expected, dynamic);
                push_header(
                    &mut expected,
                    "29",
                    4 + AID_CREDIT_TRANSFER.len() + 4 + id_length,
                )
                .unwrap();
                push_object(&mut expected, "00", AID_CREDIT_TRANSFER).unwrap();
                push_header(&mut expected, sub_tag, id_length).unwrap();
                let header = credit_transfer_header(kind, dynamic);
                assert_eq!(
                    header.text.as_bytes(),
                    expected.as_slice(),
                    "{kind:?} dynamic={dynamic}"
                );
                assert_eq!(header.crc, crc16_ccitt_false(&expected));
            }
        }
    }

    #[test]
    fn bill_payment_uses_tag_30() {
        let bill = Target::bill("010753600010286", "INV12345", Some("A1")).unwrap();
        let text = payload(&bill, None).unwrap();
        assert!(
            text.contains("30570016A00000067701011201150107536000102860208INV123450302A1"),
            "{text}"
        );
    }
}
