//! Fuzz target: see `lore::fuzz::adr`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lore::fuzz::adr(data));
