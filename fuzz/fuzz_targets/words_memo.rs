//! Fuzz target: see `lore::fuzz::words_memo`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lore::fuzz::words_memo(data));
