//! View structs: what templates see. Templates never receive domain types, only these
//! serializable views, so the template contract is written down in one place.

use serde::Serialize;
use serde_json::{Map, Value};

use super::freshness::{Badge, Banner};
use crate::markdown::TocEntry;

/// Site-wide values, the same on every page except `root`.
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    /// Site title.
    pub title: String,
    /// Site description.
    pub description: Option<String>,
    /// `<html lang>`.
    pub language: String,
    /// Relative prefix from this page to the site root (`../../`, or `./`).
    pub root: String,
    /// Repository link.
    pub repository_url: Option<String>,
    /// `auto`, `light` or `dark`.
    pub default_theme: String,
    /// Stylesheets, relative to the root.
    pub css: Vec<String>,
    /// Scripts, relative to the root.
    pub js: Vec<String>,
    /// The searcher and its index, relative to this page (none when nothing was indexed).
    pub search: Option<SearchLinks>,
}

/// Where the searcher's files are: loaded when search is first used.
#[derive(Debug, Clone, Serialize)]
pub struct SearchLinks {
    /// The searcher script.
    pub js: String,
    /// Its stylesheet.
    pub css: String,
    /// The browser index head.
    pub head: String,
}

/// The page being shown.
#[derive(Debug, Clone, Serialize)]
pub struct PageInfo {
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// `page`, `runbook`, `adr`, `onboarding` or `section`.
    pub kind: String,
    /// Human label for the kind.
    pub kind_label: String,
    /// Owner.
    pub owner: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// `YYYY-MM-DD`.
    pub last_verified: Option<String>,
    /// Who verified it.
    pub verified_by: Option<String>,
    /// Site-relative URL (`runbooks/db/`), percent-encoded (`what%3F/`).
    pub url: String,
    /// Source path relative to the source folder.
    pub source: Option<String>,
    /// "Edit this page" link.
    pub edit_url: Option<String>,
    /// Unknown front-matter keys.
    pub extra: Map<String, Value>,
    /// The freshness banner, when the page needs review.
    pub freshness: Option<Banner>,
}

impl PageInfo {
    /// The info of a page lore generates (a folder listing, a taxonomy page, an alert redirect):
    /// no source, owner or dates.
    pub fn generated(title: &str, kind: &str, kind_label: &str, url: &str) -> Self {
        Self {
            title: title.to_owned(),
            description: None,
            kind: kind.to_owned(),
            kind_label: kind_label.to_owned(),
            owner: None,
            tags: Vec::new(),
            last_verified: None,
            verified_by: None,
            url: crate::site::encode_path(url).into_owned(),
            source: None,
            edit_url: None,
            extra: Map::new(),
            freshness: None,
        }
    }
}

/// A link with a title (breadcrumbs, previous/next, listings).
#[derive(Debug, Clone, Serialize)]
pub struct LinkView {
    /// Text.
    pub title: String,
    /// Relative URL from the current page.
    pub href: String,
}

/// One row of the sidebar, flattened: nesting is given by `depth`.
#[derive(Debug, Clone, Serialize)]
pub struct NavEntry {
    /// `link`, `part`, `separator`, `draft` or `more`.
    pub kind: &'static str,
    /// Text.
    pub title: String,
    /// Relative URL, when it links.
    pub href: Option<String>,
    /// 0 for top level.
    pub depth: usize,
    /// The current page.
    pub active: bool,
    /// An ancestor of the current page.
    pub open: bool,
    /// Has nested entries (shown or not).
    pub has_children: bool,
    /// A superseded ADR: shown de-emphasised.
    pub muted: bool,
    /// Freshness badge, when the page needs review.
    pub badge: Option<Badge>,
}

/// A row in a generated folder listing.
#[derive(Debug, Clone, Serialize)]
pub struct ListItem {
    /// Title.
    pub title: String,
    /// Relative URL.
    pub href: String,
    /// Kind label.
    pub kind: String,
    /// Description.
    pub description: Option<String>,
    /// Owner.
    pub owner: Option<String>,
    /// ADRs: lifecycle state (`accepted`, `superseded`, …) for a status badge.
    pub status: Option<String>,
    /// Freshness badge, when the page needs review.
    pub badge: Option<Badge>,
}

/// Everything a page template receives.
#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    /// Site values.
    pub site: SiteView,
    /// This page.
    pub page: PageInfo,
    /// Body HTML.
    pub content: String,
    /// Table of contents.
    pub toc: Vec<TocEntry>,
    /// Sidebar.
    pub nav: Vec<NavEntry>,
    /// Home first, this page excluded.
    pub breadcrumbs: Vec<LinkView>,
    /// Previous page in reading order.
    pub prev: Option<LinkView>,
    /// Next page in reading order.
    pub next: Option<LinkView>,
    /// Generated listings only: the folder's entries.
    pub listing: Vec<ListItem>,
    /// What the page's kind adds (runbook header, ADR status, path steps, …).
    pub kinds: super::kinds::KindsView,
}
