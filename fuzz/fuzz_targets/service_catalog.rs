//! Fuzz target: see `lore::fuzz::service_catalog`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lore::fuzz::service_catalog(data));
