//! Search: the tantivy index of record and the browser index derived from it.
//!
//! `build` splits every page into heading sections ([`collect`]), writes a tantivy index of them
//! ([`index`]) to `<root>/.lore/search/` — beside the site, never published — and exports a
//! compact browser index ([`browser`]) into `<build-dir>/search/` from tantivy's own analysed
//! terms and BM25 scores, so `lore search` ([`query`]) and the browser rank alike.
//!
//! Both sides share one analysis ([`analyzer`]): split on non-alphanumeric characters, drop
//! tokens of 40 bytes or more, lowercase, stem (English Snowball).

pub mod browser;
pub mod dictionary;
pub mod gzip;
pub mod index;
pub mod ledger;
pub mod merge;
pub mod query;
pub mod schema;
pub mod stats;
pub mod stats_reader;
pub mod stem;
pub mod vocabulary;

use std::path::{Path, PathBuf};

use tantivy::tokenizer::{LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, TokenStream};

use crate::config::SiteConfig;
use crate::markdown::Rendered;
use crate::site::Site;

/// Tokens this long (in bytes) or longer are dropped: hashes, base64, minified code.
pub const MAX_TOKEN_BYTES: usize = 40;
/// Name of the analyser registered with tantivy.
pub const ANALYZER: &str = "lore_en";

/// Where `build` writes the tantivy index: a folder beside the build folder, so it is not
/// published with the site.
pub fn index_dir(config: &SiteConfig) -> PathBuf {
    index_dir_in(&config.root)
}

/// [`index_dir`] of the site whose project root is `root`.
pub fn index_dir_in(root: &Path) -> PathBuf {
    root.join(".lore").join("search")
}

/// The full analysis chain: tokenize, drop long tokens, lowercase, stem.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(stem::CachedStemmer)
        .build()
}

/// The same chain without the stemmer: the surface words readers type.
pub fn surface_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .build()
}

/// Tokens of `text` through `analyzer`.
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// The stem of one surface word (already lowercased).
pub fn stem(analyzer: &mut TextAnalyzer, word: &str) -> String {
    tokens(analyzer, word).into_iter().next().unwrap_or_else(|| word.to_owned())
}

/// The freshness state of a page (`stale`, `due-soon`, `unverified`, `fresh`, `exempt`).
pub fn freshness(site: &Site, page: usize) -> &'static str {
    site.freshness.get(page).map_or("unknown", |f| f.state.name())
}

/// Status values that rank a page lower (superseded or deprecated decisions), and the
/// freshness state that does.
pub fn demoted(status: &str, freshness: &str) -> bool {
    matches!(status, "superseded" | "deprecated") || freshness == "stale"
}

/// Score factor of demoted pages, the same in the terminal and the browser.
pub const DEMOTION: f32 = 0.5;

/// One page as search sees it.
#[derive(Debug, Clone, Default)]
pub struct PageDoc {
    /// Site-relative URL (`runbooks/db/`).
    pub url: String,
    /// Page title.
    pub title: String,
    /// `runbook`, `adr`, …
    pub kind: String,
    /// Owner, or empty.
    pub owner: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Service (runbooks), or empty.
    pub service: String,
    /// ADR status, or empty.
    pub status: String,
    /// Freshness state.
    pub freshness: String,
    /// The heading sections, the intro (no heading) first.
    pub sections: Vec<SectionDoc>,
}

/// What search indexes of every page, in the site model's order: shared by `serve` with its
/// background export without copying any page.
pub type Docs = std::sync::Arc<Vec<std::sync::Arc<PageDoc>>>;

/// One heading section: the unit of the index, so results can deep-link.
#[derive(Debug, Clone, Default)]
pub struct SectionDoc {
    /// Heading id, empty for the intro.
    pub anchor: String,
    /// Heading path below the page title (`Recovery › Promote the replica`).
    pub heading: Vec<String>,
    /// Plain text.
    pub text: String,
}

/// Splits page `i`, rendered as `r`, into heading sections (`serve` redoes one page at a time).
pub fn collect_page(site: &Site, i: usize, r: &Rendered) -> PageDoc {
    let page = &site.pages[i];
    let meta = &page.meta;
    let text_field = |k: &str| match meta.fields.get(k) {
        Some(serde_json::Value::String(s)) => s.trim().to_lowercase(),
        _ => String::new(),
    };
    let mut sections = Vec::with_capacity(r.toc.len() + 1);
    let first = r.text_marks.first().copied().unwrap_or(r.text.len());
    sections.push(SectionDoc { anchor: String::new(), heading: Vec::new(), text: clean(&r.text[..first]) });
    let mut h2 = String::new();
    for (k, entry) in r.toc.iter().enumerate() {
        let start = r.text_marks[k] + entry.title.len();
        let end = r.text_marks.get(k + 1).copied().unwrap_or(r.text.len());
        let heading = if entry.level == 2 {
            h2 = entry.title.clone();
            vec![entry.title.clone()]
        } else if h2.is_empty() {
            vec![entry.title.clone()]
        } else {
            vec![h2.clone(), entry.title.clone()]
        };
        let text = r.text.get(start.min(end)..end).unwrap_or("");
        sections.push(SectionDoc { anchor: entry.id.clone(), heading, text: clean(text) });
    }
    PageDoc {
        url: crate::site::encode_path(&site.urls[i]).into_owned(),
        title: page.title.clone(),
        kind: page.kind.name().to_owned(),
        owner: meta.owner.clone().unwrap_or_default(),
        tags: meta.tags.clone(),
        service: match page.kind {
            crate::config::Kind::Service => site
                .services
                .by_page
                .get(&i)
                .map(|s| site.services.list[*s].name.to_lowercase())
                .unwrap_or_default(),
            _ => text_field("service"),
        },
        // The lifecycle state (custom statuses mapped), else the status as written.
        status: site.adrs.lifecycle_of(i).map_or_else(|| text_field("status"), |l| l.name().to_owned()),
        freshness: freshness(site, i).to_owned(),
        sections,
    }
}

/// A service without a page of its own (read from the catalog), as search sees it: its
/// description and facts as the intro, so `lore search --kind service` finds every service.
pub fn service_doc(site: &Site, s: &crate::site::services::Service) -> PageDoc {
    let mut text = s.description.clone().unwrap_or_default();
    for (key, value) in &s.fields {
        text.push_str(&format!(" {}: {}.", key.replace('_', " "), value.value));
    }
    for slo in &s.slos {
        text.push_str(&format!(" SLO {}.", slo.name));
    }
    let (_, worst) = s.runbook_states(site);
    PageDoc {
        url: crate::site::encode_path(&s.url).into_owned(),
        title: s.title.clone(),
        kind: "service".to_owned(),
        owner: s.field("owner").unwrap_or("").to_owned(),
        tags: s.tags.clone(),
        service: s.name.to_lowercase(),
        status: s.field("lifecycle").unwrap_or("").to_lowercase(),
        // A service without runbooks has nothing to review.
        freshness: if worst == "none" { "exempt" } else { worst }.to_owned(),
        sections: vec![SectionDoc { anchor: String::new(), heading: Vec::new(), text: clean(&text) }],
    }
}

/// Collapses runs of whitespace (and trims it) as `split_whitespace` would, copying each word
/// whole: every page's text goes through here on every build (4 % of a warm build's CPU went
/// to decoding it char by char).
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word: Option<usize> = None;
    let end_word = |out: &mut String, from: Option<usize>, to: usize| {
        if let Some(from) = from {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&text[from..to]);
        }
    };
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let (space, len) = if bytes[i].is_ascii() {
            // `char::is_whitespace` of ASCII: space, and tab through carriage return.
            (matches!(bytes[i], b' ' | b'\t'..=b'\r'), 1)
        } else {
            let c = text[i..].chars().next().unwrap_or_default();
            (c.is_whitespace(), c.len_utf8())
        };
        if space {
            end_word(&mut out, word.take(), i);
        } else if word.is_none() {
            word = Some(i);
        }
        i += len;
    }
    end_word(&mut out, word, bytes.len());
    out
}

#[cfg(test)]
mod tests;
