//! Fuzz target: see `lore::fuzz::page`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lore::fuzz::page(data));
