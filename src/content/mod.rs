//! Content: discover the source files, split and parse front matter, decide each page's kind.
//!
//! Input is the validated [`SiteConfig`]; output is a [`Content`]: pages, asset files and the
//! diagnostics found on the way. Markdown bodies are not rendered here (see `markdown`).

pub mod adr;
mod discover;
mod front_matter;
mod page;

use std::path::Path;

use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::diag::Diagnostic;

pub use discover::{SourceFile, discover, is_discovered};
pub use front_matter::{FrontMatter, first_line as yaml_message, parse as parse_front_matter, split};
pub(crate) use page::title_from_path as page_title_from_path;
pub use page::{Loaded, Meta, Page};
// Kinds, intervals and the data-URL rule are shared with `config`, which owns them so that
// neither module imports the other; these keep the `content::…` paths working.
pub use crate::config::data_url;
pub use crate::config::{IntervalError, Kind, MAX_INTERVAL_YEARS, ReviewInterval};

/// Everything found in the source folder.
#[derive(Debug, Default)]
pub struct Content {
    /// Parsed pages, sorted by source path.
    pub pages: Vec<Page>,
    /// Non-markdown files to copy as they are.
    pub assets: Vec<SourceFile>,
    /// `SUMMARY.md`, when the source folder has one.
    pub summary: Option<SourceFile>,
    /// Source paths of pages that failed to parse (already reported; links to them are not).
    pub failed: Vec<String>,
    /// Problems found.
    pub diagnostics: Vec<Diagnostic>,
}

/// Discovers and parses every page under `config.src`, in parallel.
pub fn load(config: &SiteConfig, skip: &[&Path]) -> Content {
    let found = discover(config, skip);
    let mut diagnostics = found.diagnostics;
    let results: Vec<Loaded> = found.markdown.par_iter().map(|file| Page::load(file, config)).collect();
    let mut pages = Vec::with_capacity(results.len());
    let mut failed = Vec::new();
    for (result, file) in results.into_iter().zip(&found.markdown) {
        match result {
            Ok((page, mut diags)) => {
                diagnostics.append(&mut diags);
                pages.push(page);
            }
            Err(mut diags) => {
                diagnostics.append(&mut diags);
                failed.push(file.rel.clone());
            }
        }
    }
    Content { pages, assets: found.assets, summary: found.summary, failed, diagnostics }
}
