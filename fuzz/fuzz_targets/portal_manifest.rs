//! Fuzz target: see `lore::fuzz::portal_manifest`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lore::fuzz::portal_manifest(data));
