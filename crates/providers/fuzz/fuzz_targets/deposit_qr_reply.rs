#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| termdee_providers::payments_fuzzing::deposit_qr_reply(data));
