//! Property tests: decoding never panics, and whatever we build decodes back to what went in.

use proptest::prelude::*;
use termdee_promptpay::{decode, payload, Satang, Target, MAX_AMOUNT};

fn any_target() -> impl Strategy<Value = Target> {
    let reference = "[A-Z0-9 .-]{1,20}"
        .prop_map(|r: String| r.trim().to_owned())
        .prop_filter("non-empty", |r| !r.is_empty());
    prop_oneof![
        "[0-9]{9}".prop_map(|digits| Target::Mobile(format!("0066{digits}"))),
        "[0-9]{13}".prop_map(Target::NationalId),
        "[0-9]{15}".prop_map(Target::EWallet),
        (
            "[0-9]{15}",
            reference.clone(),
            proptest::option::of(reference)
        )
            .prop_map(|(biller_id, ref1, ref2)| Target::Bill {
                biller_id,
                ref1,
                ref2
            }),
    ]
}

fn any_amount() -> impl Strategy<Value = Option<Satang>> {
    proptest::option::of(
        prop_oneof![1i64..=1_000_000, 1i64..=MAX_AMOUNT.as_satang()].prop_map(Satang::new),
    )
}

/// Strings that look like payloads: digits mostly, so the parser gets past the first tag often.
fn payload_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{0,120}",
        "[0-9A-Fa-f.]{0,120}",
        "(000201|010211|010212|2937|0016A000000677010111|5303764|5802TH|6304|[0-9]{2}){0,20}"
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn decoding_any_string_never_panics(text in "\\PC{0,200}") {
        let _ = decode(&text);
    }

    #[test]
    fn decoding_payload_like_strings_never_panics(text in payload_like()) {
        let _ = decode(&text);
    }

    #[test]
    fn what_we_build_decodes_to_what_went_in(target in any_target(), amount in any_amount()) {
        let text = payload(&target, amount).unwrap();
        let decoded = decode(&text).unwrap();
        prop_assert!(decoded.crc_ok);
        prop_assert_eq!(decoded.as_target(), Some(target));
        prop_assert_eq!(decoded.amount, amount);
        prop_assert!(text.is_ascii());
        prop_assert!(text.starts_with("000201"));
        let tags: Vec<&str> = decoded.tags.iter().map(|t| t.tag.as_str()).collect();
        let mut sorted = tags.clone();
        sorted.sort_unstable();
        prop_assert_eq!(tags, sorted, "tags are in ascending order");
    }

    #[test]
    fn changing_any_one_character_is_caught(
        target in any_target(), amount in any_amount(), index in any::<prop::sample::Index>(), replacement in "[0-9A-Z]",
    ) {
        let text = payload(&target, amount).unwrap();
        let position = index.index(text.len());
        let mut altered = text.clone();
        altered.replace_range(position..=position, &replacement);
        prop_assume!(altered != text);
        // CRC-16 detects every error confined to 16 consecutive bits, so a one-character change
        // is either a broken structure or a CRC mismatch. Case changes of the CRC hex are allowed.
        if let Ok(decoded) = decode(&altered) {
            let crc_case_only = altered.eq_ignore_ascii_case(&text);
            prop_assert!(!decoded.crc_ok || crc_case_only, "{} was accepted", altered);
        }
    }

    #[test]
    fn ids_typed_with_separators_parse_like_the_bare_digits(digits in "0[0-9]{9}", separator in "[ -]") {
        let spaced = format!("{}{separator}{}{separator}{}", &digits[..3], &digits[3..6], &digits[6..]);
        prop_assert_eq!(Target::parse_id(&spaced), Target::parse_id(&digits));
        let international = format!("+66{}", &digits[1..]);
        prop_assert_eq!(Target::parse_id(&international), Target::parse_id(&digits));
    }
}
