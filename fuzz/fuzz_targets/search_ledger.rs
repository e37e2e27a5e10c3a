//! Fuzz target: see `lore::fuzz::search_ledger`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lore::fuzz::search_ledger(data));
