//! Fuzz target: see `lore::fuzz::book_toml`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lore::fuzz::book_toml(data));
