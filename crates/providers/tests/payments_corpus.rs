//! Replays the saved corpus of the payment fuzz targets (crates/providers/fuzz/corpus/<target>/)
//! through the same entry points the targets use, on stable.

use std::path::Path;

use termdee_providers::payments_fuzzing;

type Parser = fn(&[u8]);

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus");

fn replay(target: &str, parse: Parser) -> usize {
    let dir = Path::new(CORPUS).join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).expect("corpus directory exists") {
        let path = entry.expect("dir entry").path();
        if path.is_file() {
            parse(&std::fs::read(&path).expect("corpus file"));
            count += 1;
        }
    }
    count
}

#[test]
fn every_payment_corpus_file_replays_without_panic() {
    let targets: [(&str, Parser); 6] = [
        ("tmweasy_reply", payments_fuzzing::tmweasy_reply),
        ("deposit_qr_reply", payments_fuzzing::deposit_qr_reply),
        ("deposit_qr_callback", payments_fuzzing::deposit_qr_callback),
        ("bluepay_reply", payments_fuzzing::bluepay_reply),
        (
            "bluepay_notification",
            payments_fuzzing::bluepay_notification,
        ),
        ("qr_image", payments_fuzzing::qr_image),
    ];
    for (target, parse) in targets {
        assert!(replay(target, parse) > 0, "the corpus of {target} is empty");
    }
}
