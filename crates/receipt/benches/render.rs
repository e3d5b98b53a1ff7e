//! How long a receipt takes from fields to printer bytes, on the shop's machine.
//!
//! - `receipt/render_58mm`: layout, Thai shaping and rasterizing of a full Thai receipt.
//! - `receipt/print_job_80mm`: the same at 80 mm plus the ESC/POS encoding: what
//!   `PrintQueue::enqueue_receipt` spends before its insert.
//! - `receipt/preview_png_58mm`: the UI's preview.
//!
//! Target: well under 50 ms each, so enqueueing a receipt is invisible at the counter.
//! `cargo bench -p termdee-receipt --bench render`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use termdee_domain::{Msisdn, Network, PaymentMethod, Satang};
use termdee_receipt::{Language, Outcome, PaperWidth, Receipt};

fn receipt() -> Receipt {
    Receipt {
        language: Language::Thai,
        shop_name: "ร้านเติมดี สาขาสุขุมวิท".to_owned(),
        shop_lines: vec![
            "123/4 ถนนสุขุมวิท แขวงคลองเตย เขตคลองเตย กรุงเทพฯ 10110".to_owned(),
            "เลขประจำตัวผู้เสียภาษี 0105561234567".to_owned(),
        ],
        register: "เคาน์เตอร์ 1".to_owned(),
        operator: "สมหญิง ใจดี".to_owned(),
        sale_id: "S-000123".to_owned(),
        at: 1_795_331_109_000,
        network: Network::Ais,
        phone: Msisdn::parse("0812345678").expect("valid number"),
        amount: Satang::new(15_000),
        payment: PaymentMethod::PromptPayLocal,
        outcome: Outcome::ToppedUp,
        reference: Some("WP2611221405001".to_owned()),
        footer: "ขอบคุณที่ใช้บริการ".to_owned(),
    }
}

fn benches(c: &mut Criterion) {
    let receipt = receipt();
    let mut group = c.benchmark_group("receipt");
    group.bench_function("render_58mm", |b| {
        b.iter(|| black_box(receipt.render(PaperWidth::Mm58).expect("renders")))
    });
    group.bench_function("print_job_80mm", |b| {
        b.iter(|| black_box(receipt.print_job(PaperWidth::Mm80).expect("renders")))
    });
    group.bench_function("preview_png_58mm", |b| {
        b.iter(|| black_box(receipt.preview_png(PaperWidth::Mm58).expect("renders")))
    });
    group.finish();
}

criterion_group!(render, benches);
criterion_main!(render);
