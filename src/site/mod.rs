//! The whole-site model: every page with its URL, the generated folder listings, navigation,
//! breadcrumbs and previous/next order. It is the one input of rendering.
//!
//! Input: the parsed [`Content`]. URLs are "pretty": `runbooks/db.md` becomes `runbooks/db/`
//! (written as `runbooks/db/index.html`) and a folder's `README.md` or `index.md` becomes the
//! folder's own URL.

pub mod adr_graph;
pub mod alerts;
pub mod coverage;
mod fields;
pub mod freshness;
mod mkdocs_nav;
mod nav;
pub mod paths;
pub mod service_pages;
pub mod services;
mod summary;
pub mod taxonomy;

use std::borrow::Cow;
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
    /// The alerts of `[alerts] rules` and the runbook of each.
    pub coverage: coverage::Alerts,
    /// Onboarding paths.
    pub paths: paths::Paths,
    /// Services: catalog entities and service pages, with what joins them.
    pub services: services::Services,
    /// Tags, owners, services, severities.
    pub taxonomies: Vec<taxonomy::Taxonomy>,
    /// Freshness of each page, by index (filled in by the build once "today" is known).
    pub freshness: Vec<freshness::Freshness>,
    /// What page content may do: where includes read from, whether raw HTML is kept.
    pub trust: crate::config::Trust,
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
        trust: crate::config::Trust::of(config),
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
    match (&content.summary, config.mkdocs.as_ref().and_then(|m| Some((m, m.nav.as_ref()?)))) {
        (Some(summary), _) => summary::apply(&mut site, summary, &mut diags),
        (None, Some((mkdocs, nav))) => mkdocs_nav::apply(&mut site, mkdocs, nav, &mut diags),
        (None, None) => nav::from_tree(&mut site),
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
    let (mut runbooks, mut d) = alerts::build(site, config.runbook_sections_are_errors);
    diags.append(&mut d);
    let (coverage, mut d) = coverage::build(site, &mut runbooks, config);
    diags.append(&mut d);
    site.coverage = coverage;
    let (services, mut d) = services::build(site, &runbooks, config);
    diags.append(&mut d);
    site.services = services;
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

/// The link from page URL `from` to site path `to` (both site-relative, as written to disk:
/// `what?/`), percent-encoded by [`encode_path`]. Every link lore writes to a page, listing or
/// feed is built here, so none can name a file differently from the others.
pub fn relative_url(from: &str, to: &str) -> String {
    let href = encode_path(to);
    if !from.contains('/') && href.split('/').next().is_some_and(|first| first.contains(':')) {
        // `a:b/` would read as scheme `a:` (RFC 3986, section 4.2).
        return format!("./{href}");
    }
    relative_href(from, &href)
}

/// The link from page URL `from` to `href`, a site-relative URL that is already encoded (one a
/// user wrote, or one read back from `freshness.json`).
pub fn relative_href(from: &str, href: &str) -> String {
    let depth = from.bytes().filter(|&b| b == b'/').count();
    if depth == 0 && href.is_empty() {
        return "./".to_owned();
    }
    // One allocation: this runs for every link of every sidebar.
    let mut out = String::with_capacity(3 * depth + href.len());
    for _ in 0..depth {
        out.push_str("../");
    }
    out.push_str(href);
    out
}

/// A site path (`c# notes/`, as written to disk) as a URL path: `c%23%20notes/`.
///
/// Kept as they are: letters, digits, `/` and the characters RFC 3986 allows in a path segment
/// (`-._~!$&'()*+,;=:@`), so ordinary names and alert names (`job:up`) come out unchanged.
/// Everything else is written as `%XX` bytes: the delimiters `#`, `?` and `%` that would cut
/// the URL short or start an escape, space, controls, `"` `<` `>` `[` `\` `]` `^` `{` `|` `}`
/// and the backtick, and non-ASCII as UTF-8, which is how pulldown-cmark already writes the
/// links in page bodies. A static host decodes the request, so `what%3F/` finds
/// `what?/index.html`.
pub fn encode_path(path: &str) -> Cow<'_, str> {
    fn keep(b: u8) -> bool {
        b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&b)
    }
    if path.bytes().all(keep) {
        return Cow::Borrowed(path);
    }
    let mut out = String::with_capacity(path.len() + 8);
    for b in path.bytes() {
        if keep(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xF)]));
        }
    }
    Cow::Owned(out)
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Decodes the `%XX` escapes of a path that people wrote (links, `SUMMARY.md`, a tab's
/// address): a `%` without two hex digits after it is kept as written, and bytes that are not
/// UTF-8 become U+FFFD.
pub fn decode_path(path: &str) -> String {
    let bytes = percent_decode(path.as_bytes(), false).unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Decodes the `%XX` escapes of a request path; `None` when an escape is malformed, so a
/// server can refuse the request rather than guess.
pub fn decode_request_path(path: &str) -> Option<Vec<u8>> {
    percent_decode(path.as_bytes(), true)
}

/// The one percent-decoder: `strict` refuses a malformed escape, else it is kept as written.
fn percent_decode(bytes: &[u8], strict: bool) -> Option<Vec<u8>> {
    let hex = |at: usize| bytes.get(at).and_then(|&b| char::from(b).to_digit(16));
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            match (hex(i + 1), hex(i + 2)) {
                (Some(high), Some(low)) => {
                    out.push(u8::try_from(high * 16 + low).unwrap_or(b'?'));
                    i += 3;
                    continue;
                }
                _ if strict => return None,
                _ => {}
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    Some(out)
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
        assert_eq!(relative_url("what?/", "c# notes/"), "../c%23%20notes/");
        assert_eq!(relative_href("a/b/", "what%3F/"), "../../what%3F/");
        assert_eq!(relative_url("", "job:up/"), "./job:up/", "not a scheme");
        assert_eq!(relative_url("", "alerts/job:up/"), "alerts/job:up/");
        assert_eq!(relative_url("a/", "job:up/"), "../job:up/");
    }

    #[test]
    fn encodes_paths() {
        let cases = [
            ("runbooks/db-failover/", "runbooks/db-failover/"),
            ("a_b.c~d/(x)!$&'*+,;=:@/", "a_b.c~d/(x)!$&'*+,;=:@/"),
            ("c# notes/", "c%23%20notes/"),
            ("what?/", "what%3F/"),
            ("100%done/", "100%25done/"),
            ("q\"<>[\\]^`{|}\t/", "q%22%3C%3E%5B%5C%5D%5E%60%7B%7C%7D%09/"),
            ("café/日本/", "caf%C3%A9/%E6%97%A5%E6%9C%AC/"),
        ];
        for (path, url) in cases {
            assert_eq!(encode_path(path), url, "{path}");
            assert_eq!(decode_path(url), path, "{url} decodes back");
        }
        assert!(matches!(encode_path("runbooks/db/"), Cow::Borrowed(_)), "no copy for ordinary names");
    }

    #[test]
    fn one_decoder_lenient_for_links_strict_for_requests() {
        assert_eq!(decode_path("a%20b%3F.md"), "a b?.md");
        assert_eq!(decode_path("100%done%"), "100%done%", "a malformed escape stays");
        assert_eq!(decode_path("%C3%A9"), "é");
        assert_eq!(decode_request_path("/a%2Fb"), Some(b"/a/b".to_vec()));
        assert_eq!(decode_request_path("/100%done"), None);
        // `u8::from_str_radix` would read `+1` as a number.
        assert_eq!(decode_request_path("/%+1"), None);
    }
}
