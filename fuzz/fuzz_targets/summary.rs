//! Fuzz target: see `lore::fuzz::summary`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lore::fuzz::summary(data));
