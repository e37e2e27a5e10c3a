//! lore compiles a folder of markdown — runbooks, onboarding paths and architecture decision
//! records — into a static site.
//!
//! The module tree is the pipeline, in the order `build` calls it:
//!
//! 1. [`config`] reads `book.toml` into a validated [`config::SiteConfig`];
//! 2. [`content`] discovers the source files and parses front matter into [`content::Page`]s;
//! 3. [`site`] builds the whole-site model: URLs, navigation, breadcrumbs;
//! 4. [`markdown`] renders each page body to HTML, highlights code and resolves links;
//! 5. [`templates`] wraps rendered pages in the theme's tera templates;
//! 6. [`output`] writes the site all-or-nothing and copies assets;
//! 7. [`report`] turns freshness into `freshness.json` and `lore check` output;
//! 8. [`search`] writes the tantivy index and the browser index derived from it.
//!
//! [`serve`] builds into a private folder, serves it, and rebuilds what a change affects.
//! [`fuzz`] holds the entry points the fuzz targets under `fuzz/` call (and `cargo test`
//! replays their kept crash inputs through).
//!
//! [`build`] is the orchestrator that calls them in order. Stages return data and
//! [`diag::Diagnostic`]s; nothing below `cli` prints.

#![warn(missing_docs, unreachable_pub)]

pub mod alerts;
pub mod build;
pub mod cli;
pub mod config;
pub mod content;
pub mod diag;
pub mod error;
pub mod fs;
pub mod fuzz;
pub mod init;
pub mod markdown;
pub mod memory;
pub mod new;
pub mod output;
pub mod portal;
pub mod report;
pub mod search;
pub mod serve;
pub mod services;
pub mod site;
pub mod templates;
pub mod verify;
