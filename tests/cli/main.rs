//! Integration tests of the `lore` binary, one module per area. Each test builds a small site in
//! a temporary folder (see `harness`) and asserts what a user would see: the files written, the
//! exact diagnostics with their `file:line:col`, and the exit code.
//!
//! Add a test to the module of its area; add an area module rather than a catch-all one.

mod alerts;
mod build;
mod build_dir;
mod cache;
mod check;
mod ci_examples;
mod corpora;
mod diagrams;
mod freshness;
mod harness;
mod init;
mod invalid;
mod kinds;
mod mkdocs;
mod mutation;
mod new;
pub mod oracle;
mod portal;
mod portal_search;
mod rng;
mod search;
mod search_portal;
mod serve;
mod services;
mod summary;
mod trust;
mod urls;
mod verify;
