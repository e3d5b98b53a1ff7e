//! How long building a payload, and building plus rendering it as PNG, take.
//!
//! The same three inputs are timed by `benches/node/compare.mjs` against the npm packages
//! promptpay-qr and qrcode; `cargo xtask bench` runs both and prints the ratios.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use termdee_promptpay::render::{self, RenderOptions};
use termdee_promptpay::{payload, Satang, Target};

/// (benchmark id, PromptPay ID, amount in satang). Keep in step with compare.mjs.
const INPUTS: [(&str, &str, Option<i64>); 3] = [
    ("mobile_amount", "0812345678", Some(422)),
    ("national_id_amount", "1234567890123", Some(123_456)),
    ("ewallet_static", "140000123456789", None),
];

fn targets() -> Vec<(&'static str, Target, Option<Satang>)> {
    INPUTS
        .iter()
        .map(|(name, id, amount)| {
            let target = Target::parse_id(id).expect("benchmark IDs are valid");
            (*name, target, amount.map(Satang::new))
        })
        .collect()
}

fn bench_payload(c: &mut Criterion) {
    let mut group = c.benchmark_group("payload");
    for (name, target, amount) in targets() {
        group.bench_function(name, |b| {
            b.iter(|| payload(black_box(&target), black_box(amount)))
        });
    }
    group.finish();
}

fn bench_payload_png(c: &mut Criterion) {
    let options = RenderOptions::default();
    let mut group = c.benchmark_group("payload_png");
    for (name, target, amount) in targets() {
        group.bench_function(name, |b| {
            b.iter(|| {
                let text = payload(black_box(&target), black_box(amount)).expect("valid input");
                render::png(&text, &options)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_payload, bench_payload_png);
criterion_main!(benches);
