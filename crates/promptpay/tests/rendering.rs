//! The pictures scan: a PNG read back with the rqrr decoder gives the payload that went in.

use termdee_promptpay::render::{self, ErrorCorrection, RenderError, RenderOptions};
use termdee_promptpay::{payload, Satang, Target};

fn scan_png(png: &[u8]) -> String {
    let image = image::load_from_memory_with_format(png, image::ImageFormat::Png)
        .expect("a valid PNG")
        .to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "exactly one QR code in the picture");
    let (_meta, content) = grids[0].decode().expect("the QR code decodes");
    content
}

fn sample_payloads() -> Vec<String> {
    let mobile = Target::parse_id("0812345678").expect("valid mobile");
    let national_id = Target::parse_id("1234567890123").expect("valid national ID");
    let bill = Target::bill("010753600010286", "INV12345", Some("REF2")).expect("valid bill");
    [
        (mobile, Some(Satang::new(422))),
        (national_id, None),
        (bill, Some(Satang::new(999_999_999_999))),
    ]
    .iter()
    .map(|(target, amount)| payload(target, *amount).expect("valid payload"))
    .collect()
}

#[test]
fn png_scans_back_to_the_payload_at_both_error_correction_levels() {
    for error_correction in [ErrorCorrection::M, ErrorCorrection::H] {
        for text in sample_payloads() {
            let options = RenderOptions {
                error_correction,
                module_px: 4,
            };
            let png = render::png(&text, &options).unwrap();
            assert_eq!(scan_png(&png), text, "{error_correction:?}");
        }
    }
}

#[test]
fn png_has_a_four_module_quiet_zone_and_the_requested_module_size() {
    let text = &sample_payloads()[0];
    let options = RenderOptions::default();
    assert_eq!(
        options,
        RenderOptions {
            error_correction: ErrorCorrection::M,
            module_px: 8
        }
    );
    let png = render::png(text, &options).unwrap();
    let image = image::load_from_memory(&png).unwrap().to_luma8();
    let side = image.width();
    assert_eq!(side, image.height());
    assert_eq!(side % 8, 0, "a whole number of 8 px modules");
    let modules = side / 8;
    assert!((21..=177 + 8).contains(&modules));
    // The quiet zone (4 modules = 32 px) is white all round; the finder pattern starts right after.
    for offset in 0..32 {
        assert_eq!(
            image.get_pixel(offset, offset).0[0],
            255,
            "quiet zone at {offset}"
        );
        assert_eq!(image.get_pixel(side - 1 - offset, offset).0[0], 255);
    }
    assert_eq!(
        image.get_pixel(32, 32).0[0],
        0,
        "the finder pattern's corner is dark"
    );
}

#[test]
fn higher_error_correction_makes_a_bigger_code() {
    let text = &sample_payloads()[0];
    let side = |error_correction| {
        let png = render::png(
            text,
            &RenderOptions {
                error_correction,
                module_px: 1,
            },
        )
        .unwrap();
        image::load_from_memory(&png).unwrap().width()
    };
    assert!(side(ErrorCorrection::H) > side(ErrorCorrection::M));
}

#[test]
fn svg_is_a_standalone_document_of_the_requested_size() {
    let text = &sample_payloads()[0];
    let svg = render::svg(
        text,
        &RenderOptions {
            error_correction: ErrorCorrection::M,
            module_px: 10,
        },
    )
    .unwrap();
    assert!(
        svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{svg}"
    );
    assert!(svg.ends_with("</svg>"));
    let png = render::png(
        text,
        &RenderOptions {
            error_correction: ErrorCorrection::M,
            module_px: 1,
        },
    )
    .unwrap();
    let modules = image::load_from_memory(&png).unwrap().width();
    assert!(
        svg.contains(&format!("width=\"{}\"", modules * 10)),
        "same grid as the PNG, 10 px per module"
    );
    assert!(svg.contains(&format!("viewBox=\"0 0 {modules} {modules}\"")));
}

#[test]
fn refuses_impossible_options_and_oversized_payloads() {
    let text = &sample_payloads()[0];
    let zero = RenderOptions {
        module_px: 0,
        ..RenderOptions::default()
    };
    assert_eq!(
        render::png(text, &zero),
        Err(RenderError::ModuleSizeOutOfRange(0))
    );
    assert_eq!(
        render::svg(text, &zero).unwrap_err(),
        RenderError::ModuleSizeOutOfRange(0)
    );
    let huge = "0".repeat(8_000);
    assert_eq!(
        render::png(&huge, &RenderOptions::default()),
        Err(RenderError::TooLong(8_000))
    );
}
