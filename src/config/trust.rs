//! What page content may do, from the config: page content is untrusted (DESIGN.md, Trust
//! model).

use super::{ContentRoot, SiteConfig};

/// What page content may do, from the config (page content is untrusted: DESIGN.md, Trust
/// model).
#[derive(Debug, Clone)]
pub struct Trust {
    /// Where includes may read from.
    pub content_root: ContentRoot,
    /// Raw HTML is kept; when false it is escaped as text.
    pub raw_html: bool,
    /// For a site read from `mkdocs.yml`: MkDocs markdown is on, and `--8<--` snippets are
    /// read from these folders (inside the content root, as includes are).
    pub mkdocs: Option<Vec<std::path::PathBuf>>,
    /// `mermaid` fences become diagrams (the page then loads the theme's mermaid, which runs
    /// with `securityLevel: 'strict'`); when false they stay code blocks.
    pub mermaid: bool,
}

impl Trust {
    /// The settings of `config`.
    pub fn of(config: &SiteConfig) -> Self {
        let mkdocs = config.mkdocs.as_ref().map(|m| m.snippet_bases.clone());
        Self {
            content_root: config.content_root.clone(),
            raw_html: config.raw_html,
            mkdocs,
            mermaid: config.mermaid,
        }
    }
}

impl Default for Trust {
    /// Raw HTML kept, as documented; an empty content root, so nothing can be included.
    fn default() -> Self {
        Self { content_root: ContentRoot::default(), raw_html: true, mkdocs: None, mermaid: true }
    }
}
