//! Feeds arbitrary text to `decode`: it must never panic, and whatever it accepts must be
//! consistent (a payload with a good CRC re-encodes to itself).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(decoded) = termdee_promptpay::decode(text) else {
        return;
    };
    if decoded.crc_ok {
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
            "decoded data objects must spell out the input"
        );
    }
});
