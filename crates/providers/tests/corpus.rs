//! Replays every saved fuzz corpus file (crates/providers/fuzz/corpus/<target>/) through the
//! same entry points the fuzz targets use: the stable test run exercises the corpus.

use std::path::Path;

use termdee_providers::fuzzing;

type Parser = fn(&[u8]);

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus");

fn replay(target: &str, parse: Parser) -> usize {
    let dir = Path::new(CORPUS).join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("dir entry").path();
        if path.is_file() {
            parse(&std::fs::read(&path).expect("corpus file"));
            count += 1;
        }
    }
    count
}

#[test]
fn every_corpus_file_replays_without_panic() {
    let targets: [(&str, Parser); 4] = [
        ("wepay_reply", fuzzing::wepay_reply),
        ("wepay_callback", fuzzing::wepay_callback),
        ("easysoft_reply", fuzzing::easysoft_reply),
        ("easysoft_callback", fuzzing::easysoft_callback),
    ];
    for (target, parse) in targets {
        assert!(replay(target, parse) > 0, "the corpus of {target} is empty");
    }
}
