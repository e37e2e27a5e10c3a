//! Fuzz target: see `lore::fuzz::search_stats`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lore::fuzz::search_stats(data));
