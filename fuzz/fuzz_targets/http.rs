//! Fuzz target: see `lore::fuzz::http`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lore::fuzz::http(data));
