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
}

impl Trust {
    /// The settings of `config`.
    pub fn of(config: &SiteConfig) -> Self {
        Self { content_root: config.content_root.clone(), raw_html: config.raw_html }
    }
}

impl Default for Trust {
    /// Raw HTML kept, as documented; an empty content root, so nothing can be included.
    fn default() -> Self {
        Self { content_root: ContentRoot::default(), raw_html: true }
    }
}
