//! Writes a sample receipt's preview PNG, for looking at the Thai shaping by eye.
//!
//! `cargo run -p termdee-receipt --example preview -- th 58 docs/screenshots/receipt-th.png`
//! (language `th` or `en`, paper `58` or `80`).

use std::process::ExitCode;

use termdee_domain::{Msisdn, Network, PaymentMethod, Satang};
use termdee_receipt::{Language, Outcome, PaperWidth, Receipt};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [language, paper, path] = args.as_slice() else {
        eprintln!("usage: preview th|en 58|80 OUT.png");
        return ExitCode::from(2);
    };
    let language = match language.as_str() {
        "th" => Language::Thai,
        "en" => Language::English,
        other => {
            eprintln!("unknown language {other:?} (th or en)");
            return ExitCode::from(2);
        }
    };
    let Some(paper) = paper.parse().ok().and_then(PaperWidth::from_millimetres) else {
        eprintln!("unknown paper width {paper:?} (58 or 80)");
        return ExitCode::from(2);
    };
    let Ok(phone) = Msisdn::parse("0812345678") else {
        return ExitCode::FAILURE;
    };
    let receipt = Receipt {
        language,
        shop_name: "ร้านเติมดี สาขาสุขุมวิท".to_owned(),
        shop_lines: vec![
            "123/4 ถนนสุขุมวิท แขวงคลองเตย เขตคลองเตย กรุงเทพฯ 10110".to_owned(),
            "เลขประจำตัวผู้เสียภาษี 0105561234567".to_owned(),
        ],
        register: "เคาน์เตอร์ 1".to_owned(),
        operator: "สมหญิง ใจดี".to_owned(),
        sale_id: "S-000123".to_owned(),
        // 2026-11-22 14:05 in Bangkok.
        at: 1_795_331_109_000,
        network: Network::Ais,
        phone,
        amount: Satang::new(15_000),
        payment: PaymentMethod::PromptPayLocal,
        outcome: Outcome::ToppedUp,
        reference: Some("WP2611221405001".to_owned()),
        footer: match language {
            Language::Thai => "ขอบคุณที่ใช้บริการ ผู้ให้บริการเติมเงินทุกเครือข่าย".to_owned(),
            Language::English => "Thank you for your custom".to_owned(),
        },
    };
    let png = match receipt.preview_png(paper) {
        Ok(png) => png,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(error) = std::fs::write(path, png) {
        eprintln!("cannot write {path}: {error}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
