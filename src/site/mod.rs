//! The whole-site model: every page with its URL, the generated folder listings, navigation,
//! breadcrumbs and previous/next order. It is the one input of rendering.
//!
//! Input: the parsed [`Content`]. URLs are "pretty": `runbooks/db.md` becomes `runbooks/db/`
//! (written as `runbooks/db/index.html`) and a folder's `README.md` or `index.md` becomes the
//! folder's own URL.

pub mod adr_graph;
pub mod alerts;
pub mod freshness;
mod nav;
pub mod paths;
mod summary;
pub mod taxonomy;

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::config::SiteConfig;
use crate::content::{Content, Page, SourceFile};
use crate::diag::Diagnostic;

pub use nav::{NavItem, NavKind};

/// Something with a URL: a page, or a folder listing lore generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// Index into [`Site::pages`].
    Page(usize),
    /// Index into [`Site::sections`].
    Section(usize),
}

/// A folder without a `README.md`/`index.md`: lore generates a listing page for it.
#[derive(Debug, Clone)]
pub struct Section {
    /// URL (`runbooks/`; empty for the home page).
    pub url: String,
    /// Title (the folder name, prettified).
    pub title: String,
    /// What it lists.
    pub children: Vec<Target>,
}

/// The site model.
#[derive(Debug, Default)]
pub struct Site {
    /// Pages (drafts excluded), sorted by source path.
    pub pages: Vec<Page>,
    /// URL of each page, by index.
    pub urls: Vec<String>,
    /// Generated folder listings.
    pub sections: Vec<Section>,
    /// The sidebar tree.
    pub nav: Vec<NavItem>,
    /// Reading order for previous/next links.
    pub order: Vec<Target>,
    /// Ancestors of each target in the navigation, outermost first.
    pub parents: HashMap<Target, Vec<Target>>,
    /// Source path (`runbooks/db.md`) → page index.
    pub by_source: HashMap<String, usize>,
    /// Source paths of draft pages (links to them warn instead of failing).
    pub drafts: Vec<String>,
    /// Source paths of pages that failed to parse: links to them are not reported again.
    pub failed: HashSet<String>,
    /// Non-markdown files copied as they are.
    pub assets: Vec<SourceFile>,
    /// The home page (set once the model is complete).
    pub home: Option<Target>,
    /// Position of each target in [`Site::order`].
    pub position: HashMap<Target, usize>,
    /// The decision records and their relations.
    pub adrs: adr_graph::AdrGraph,
    /// Runbook fields and the alert → runbook map.
    pub runbooks: alerts::Runbooks,
    /// Onboarding paths.
    pub paths: paths::Paths,
    /// Tags, owners, services, severities.
    pub taxonomies: Vec<taxonomy::Taxonomy>,
    /// Freshness of each page, by index (filled in by the build once "today" is known).
    pub freshness: Vec<freshness::Freshness>,
    /// What page content may do: where includes read from, whether raw HTML is kept.
    pub trust: crate::markdown::Trust,
}

impl Site {
    /// The URL of a target.
    pub fn url(&self, target: Target) -> &str {
        match target {
            Target::Page(i) => &self.urls[i],
            Target::Section(i) => &self.sections[i].url,
        }
    }

    /// The title of a target.
    pub fn title(&self, target: Target) -> &str {
        match target {
            Target::Page(i) => &self.pages[i].title,
            Target::Section(i) => &self.sections[i].title,
        }
    }

    /// The target whose URL is the home page.
    pub fn home(&self) -> Option<Target> {
        self.home.or_else(|| self.by_url(""))
    }

    /// The target at `url`.
    pub fn by_url(&self, url: &str) -> Option<Target> {
        self.urls
            .iter()
            .position(|u| u == url)
            .map(Target::Page)
            .or_else(|| self.sections.iter().position(|s| s.url == url).map(Target::Section))
    }
}

/// Builds the site model from parsed content.
pub fn build(content: Content, config: &SiteConfig) -> (Site, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let (drafts, pages): (Vec<Page>, Vec<Page>) = content.pages.into_iter().partition(|p| p.meta.draft);
    let mut site = Site {
        drafts: drafts.into_iter().map(|p| p.source.rel).collect(),
        assets: content.assets,
        failed: content.failed.into_iter().collect(),
        trust: crate::markdown::Trust::of(config),
        ..Site::default()
    };
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for page in pages {
        let url = url_for(&page.source.rel);
        if let Some(&first) = seen.get(&url) {
            let other: &Page = &site.pages[first];
            diags.push(
                Diagnostic::error(format!(
                    "`{}` and `{}` would both be published at `{}`",
                    other.source.rel,
                    page.source.rel,
                    if url.is_empty() { "/" } else { &url }
                ))
                .at(&page.source.shown, 1, 1)
                .hint("rename or remove one of them"),
            );
            continue;
        }
        seen.insert(url.clone(), site.pages.len());
        site.by_source.insert(page.source.rel.clone(), site.pages.len());
        site.urls.push(url);
        site.pages.push(page);
    }
    match &content.summary {
        Some(summary) => summary::apply(&mut site, summary, &mut diags),
        None => nav::from_tree(&mut site),
    }
    if site.home().is_none() {
        let children = site.nav.iter().filter_map(|n| n.target).collect();
        site.sections.push(Section { url: String::new(), title: config.title.clone(), children });
    }
    site.home = site.by_url("");
    nav::compute_order(&mut site);
    site.position = site.order.iter().enumerate().map(|(i, t)| (*t, i)).collect();
    add_kinds(&mut site, config, &mut diags);
    (site, diags)
}

/// The kind-specific models: ADR graph, runbooks and alerts, onboarding paths, taxonomies.
fn add_kinds(site: &mut Site, config: &SiteConfig, diags: &mut Vec<Diagnostic>) {
    let (adrs, mut d) = adr_graph::build(site, config);
    diags.append(&mut d);
    let (runbooks, mut d) = alerts::build(site, config.runbook_sections_are_errors);
    diags.append(&mut d);
    let (paths, mut d) = paths::build(site);
    diags.append(&mut d);
    site.taxonomies = taxonomy::build(site, &runbooks);
    site.adrs = adrs;
    site.runbooks = runbooks;
    site.paths = paths;
}

/// `runbooks/db.md` → `runbooks/db/`; `runbooks/README.md` → `runbooks/`; `README.md` → ``.
pub fn url_for(rel: &str) -> String {
    let stem = rel.strip_suffix(".md").or_else(|| rel.strip_suffix(".MD")).unwrap_or(rel);
    let (dir, name) = stem.rsplit_once('/').unwrap_or(("", stem));
    let is_index = name.eq_ignore_ascii_case("readme") || name.eq_ignore_ascii_case("index");
    let path = if is_index { dir.to_owned() } else { stem.to_owned() };
    if path.is_empty() { path } else { format!("{path}/") }
}

/// The relative path from the folder of page URL `from` to URL `to` (both site-relative).
pub fn relative_url(from: &str, to: &str) -> String {
    let depth = from.matches('/').count();
    let mut out = "../".repeat(depth);
    out.push_str(to);
    if out.is_empty() { "./".to_owned() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_urls() {
        assert_eq!(url_for("README.md"), "");
        assert_eq!(url_for("index.md"), "");
        assert_eq!(url_for("runbooks/README.md"), "runbooks/");
        assert_eq!(url_for("runbooks/db-failover.md"), "runbooks/db-failover/");
        assert_eq!(url_for("a/b/c.md"), "a/b/c/");
    }

    #[test]
    fn relative_urls() {
        assert_eq!(relative_url("", "runbooks/db/"), "runbooks/db/");
        assert_eq!(relative_url("runbooks/db/", "adr/x/"), "../../adr/x/");
        assert_eq!(relative_url("runbooks/db/", ""), "../../");
        assert_eq!(relative_url("", ""), "./");
    }
}
