//! Fuzz target: see `lore::fuzz::mkdocs_yml`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lore::fuzz::mkdocs_yml(data));
