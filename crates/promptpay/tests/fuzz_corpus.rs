//! Replays every input of the cargo-fuzz seed corpus (`fuzz/corpus/decode/`) through `decode`,
//! on stable Rust, with the same checks as the fuzz target. Fuzzing itself needs nightly
//! (`cargo +nightly fuzz run decode`); this keeps what it found in the ordinary test run.

use std::path::Path;

use termdee_promptpay::decode;

#[test]
fn every_corpus_input_decodes_without_panicking_and_consistently() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/decode");
    let mut replayed = 0;
    let mut verified = 0;
    for entry in std::fs::read_dir(&corpus).expect("the seed corpus is committed") {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        replayed += 1;
        let Ok(text) = std::str::from_utf8(&data) else {
            continue;
        };
        let Ok(decoded) = decode(text) else { continue };
        if decoded.crc_ok {
            verified += 1;
            let rebuilt: String = decoded
                .tags
                .iter()
                .map(|object| {
                    format!(
                        "{}{:02}{}",
                        object.tag,
                        object.value.chars().count(),
                        object.value
                    )
                })
                .collect();
            assert!(
                rebuilt.eq_ignore_ascii_case(text.trim_end_matches(['\r', '\n'])),
                "{}: decoded data objects must spell out the input",
                path.display()
            );
        }
    }
    assert!(
        replayed >= 10,
        "the seed corpus has gone missing ({replayed} inputs)"
    );
    assert!(
        verified >= 1,
        "the corpus should hold valid payloads as well as broken ones"
    );
}
