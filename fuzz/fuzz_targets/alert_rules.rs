//! Fuzz target: see `lore::fuzz::alert_rules`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lore::fuzz::alert_rules(data));
