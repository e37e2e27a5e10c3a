//! Fuzz target: see `lore::fuzz::slo_file`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lore::fuzz::slo_file(data));
