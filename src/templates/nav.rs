//! The sidebar of one page, flattened for templates.
//!
//! Only the branch that leads to the current page is expanded, and very long folders show a
//! window around the current page with a link to the full listing: a 10,000-page site must not
//! repeat its whole tree in every page.

use super::context::NavEntry;
use crate::site::{NavItem, NavKind, Site, Target, relative_url};

/// Folders with more entries than this show a window of them.
const WINDOW_LIMIT: usize = 60;
/// Entries shown on each side of the current one in a windowed folder.
const WINDOW_SIDE: usize = 20;

/// The sidebar rows for the page at `current` (whose URL is `from`).
pub(crate) fn entries(site: &Site, current: Option<Target>, from: &str) -> Vec<NavEntry> {
    // The current page and its parents: a few, looked up for every row (a list beats a hash).
    let mut open: Vec<Target> = Vec::new();
    if let Some(c) = current {
        open.push(c);
        if let Some(parents) = site.parents.get(&c) {
            open.extend(parents.iter().copied());
        }
    }
    let mut out = Vec::with_capacity(site.nav.len() + 2 * WINDOW_SIDE + 8);
    let ctx = Ctx { site, current, from, open: &open };
    ctx.items(&site.nav, 0, None, &mut out);
    out
}

/// Digests of what the sidebar rows of any page are made from, per list of rows: the top-level
/// list, and the children of each entry that has a page (shown when that page or one below it
/// is the current one). A list's digest covers each of its rows (kind, title, link from the
/// site root, depth, superseded, freshness badge, whether it has children) and, inline, the children
/// of entries without a page (parts and drafts: always shown). With [`key`] they stand for a
/// page's rows without building them: a warm build asks it of every page and builds the rows
/// only for the pages it renders again. A title changed in one folder changes the keys of the
/// pages whose sidebar shows that folder, not every page's.
#[derive(Debug, Default)]
pub(crate) struct Digests {
    root: u128,
    children: std::collections::HashMap<Target, u128>,
}

/// The [`Digests`] of `site`.
pub(crate) fn digests(site: &Site) -> Digests {
    let ctx = Ctx { site, current: None, from: "", open: &[] };
    let mut out = Digests::default();
    out.root = list_digest(&ctx, &site.nav, 0, &mut out.children);
    out
}

/// The digest of one list of rows at `depth`; the lists below entries with a page go into
/// `children`, keyed by that page (a page listed twice gets both lists, in order).
fn list_digest(
    ctx: &Ctx<'_>,
    items: &[NavItem],
    depth: usize,
    children: &mut std::collections::HashMap<Target, u128>,
) -> u128 {
    fn inline(
        ctx: &Ctx<'_>,
        items: &[NavItem],
        depth: usize,
        hasher: &mut crate::output::Hasher,
        children: &mut std::collections::HashMap<Target, u128>,
    ) {
        for item in items {
            // Written to memory, serialising a plain struct cannot fail.
            let _ = serde_json::to_writer(&mut *hasher, &ctx.entry(item, depth, false));
            match item.target {
                None => {
                    hasher.update(b"{");
                    inline(ctx, &item.children, depth + 1, hasher, children);
                    hasher.update(b"}");
                }
                Some(t) if !item.children.is_empty() => {
                    let below = list_digest(ctx, &item.children, depth + 1, children);
                    let both = children.get(&t).map_or(below, |&before| {
                        xxhash_rust::xxh3::xxh3_128(&[before.to_le_bytes(), below.to_le_bytes()].concat())
                    });
                    children.insert(t, both);
                }
                Some(_) => {}
            }
        }
    }
    let mut hasher = crate::output::Hasher::default();
    inline(ctx, items, depth, &mut hasher, children);
    hasher.digest128()
}

/// Stands for `entries(site, current, from)` where `digests` are [`digests`]`(site)`: the rows
/// are the top-level list, and the lists below the page and its parents (what is expanded),
/// linked from `from`.
pub(crate) fn key(site: &Site, digests: &Digests, current: Option<Target>, from: &str) -> u128 {
    let mut hasher = crate::output::Hasher::default();
    hasher.update(&digests.root.to_le_bytes());
    hasher.update(from.as_bytes());
    hasher.update(&[0]);
    let parents = current.and_then(|c| site.parents.get(&c)).map_or(&[][..], Vec::as_slice);
    for t in current.iter().chain(parents) {
        hasher.update(site.url(*t).as_bytes());
        hasher.update(&[0]);
        hasher.update(&digests.children.get(t).copied().unwrap_or(0).to_le_bytes());
    }
    hasher.digest128()
}

struct Ctx<'a> {
    site: &'a Site,
    current: Option<Target>,
    from: &'a str,
    open: &'a [Target],
}

impl Ctx<'_> {
    fn items(&self, items: &[NavItem], depth: usize, parent: Option<Target>, out: &mut Vec<NavEntry>) {
        let active_at = items.iter().position(|i| i.target.is_some_and(|t| self.open.contains(&t)));
        let range = if items.len() > WINDOW_LIMIT && depth > 0 {
            let center = active_at.unwrap_or(0);
            center.saturating_sub(WINDOW_SIDE)..(center + WINDOW_SIDE + 1).min(items.len())
        } else {
            0..items.len()
        };
        if range.start > 0 {
            out.push(self.more(range.start, parent, depth));
        }
        for item in &items[range.clone()] {
            self.item(item, depth, out);
        }
        if range.end < items.len() {
            out.push(self.more(items.len() - range.end, parent, depth));
        }
    }

    fn item(&self, item: &NavItem, depth: usize, out: &mut Vec<NavEntry>) {
        let is_open = item.target.is_some_and(|t| self.open.contains(&t));
        out.push(self.entry(item, depth, is_open));
        // Parts and drafts have no page of their own, so their children are always shown.
        if is_open || item.target.is_none() {
            self.items(&item.children, depth + 1, item.target, out);
        }
    }

    /// The row of `item`, without its children.
    fn entry(&self, item: &NavItem, depth: usize, is_open: bool) -> NavEntry {
        let kind = match item.kind {
            NavKind::Link | NavKind::External(_) => "link",
            NavKind::Part => "part",
            NavKind::Separator => "separator",
            NavKind::Draft => "draft",
        };
        let href = match &item.kind {
            NavKind::External(url) => Some(url.clone()),
            _ => item.target.map(|t| relative_url(self.from, self.site.url(t))),
        };
        NavEntry {
            kind,
            title: item.title.clone(),
            href,
            depth,
            active: item.target.is_some() && item.target == self.current,
            open: is_open,
            has_children: !item.children.is_empty(),
            muted: matches!(item.target, Some(Target::Page(p)) if self.site.adrs.is_superseded(p)),
            badge: item.target.and_then(|t| super::freshness::badge(self.site, t)),
        }
    }

    fn more(&self, count: usize, parent: Option<Target>, depth: usize) -> NavEntry {
        NavEntry {
            kind: "more",
            title: format!("{count} more…"),
            href: parent.map(|p| relative_url(self.from, self.site.url(p))),
            depth,
            active: false,
            open: false,
            has_children: false,
            muted: false,
            badge: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::config::SiteConfig;
    use crate::content::{Content, Page, SourceFile};

    fn site(root: &std::path::Path, pages: &[(String, String)]) -> Site {
        let mut config = SiteConfig::for_tests(root);
        config.freshness.git = false;
        let mut content = Content::default();
        for (rel, text) in pages {
            let source = SourceFile {
                path: config.src.join(rel),
                rel: rel.clone(),
                shown: PathBuf::from("src").join(rel),
            };
            content.pages.push(Page::from_text(source, text.clone(), &config).unwrap().0);
        }
        let (mut site, _) = crate::site::build(content, &config);
        let _ = crate::site::freshness::apply(&mut site, &config, jiff::civil::date(2026, 3, 1));
        site
    }

    /// A site with a folder long enough to be windowed, a nested folder and two ADRs; `change`
    /// edits it before it is built.
    fn pages(change: impl Fn(&mut Vec<(String, String)>)) -> Vec<(String, String)> {
        let mut pages = vec![("index.md".to_owned(), "# Home\n".to_owned())];
        for i in 0..70 {
            let fm = format!("---\nlast_verified: 2026-02-01\nreview_interval: 90d\n---\n# Runbook {i:02}\n");
            pages.push((format!("runbooks/r{i:02}.md"), fm));
        }
        pages.push(("runbooks/db/failover.md".to_owned(), "# Failover\n".to_owned()));
        pages.push(("adr/0001-a.md".to_owned(), "---\nstatus: accepted\n---\n# 1. A\n".to_owned()));
        pages.push(("adr/0002-b.md".to_owned(), "---\nstatus: accepted\n---\n# 2. B\n".to_owned()));
        change(&mut pages);
        pages
    }

    fn set(pages: &mut [(String, String)], rel: &str, text: &str) {
        pages.iter_mut().find(|(r, _)| r == rel).unwrap().1 = text.to_owned();
    }

    /// Issue 13: a page's sidebar key is equal only when its rows are, whatever changed
    /// elsewhere in the site: a title in a folder, a freshness badge, an ADR superseded, a page
    /// added to a windowed folder. A warm build links a page whose key (and the rest of its
    /// view) is unchanged without building its rows, so a key equal for different rows would
    /// leave a stale sidebar; and a key that changed for every page would render them all.
    #[test]
    fn issue_13_a_sidebar_key_is_equal_only_when_its_rows_are() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let variants: Vec<(&str, Vec<(String, String)>)> = vec![
            ("base", pages(|_| {})),
            ("a title in a windowed folder", pages(|p| set(p, "runbooks/r65.md", "# Renamed\n"))),
            ("a title in a nested folder", pages(|p| set(p, "runbooks/db/failover.md", "# Failing over\n"))),
            (
                "a badge",
                pages(|p| {
                    let stale = "---\nlast_verified: 2024-01-01\nreview_interval: 90d\n---\n# Runbook 03\n";
                    set(p, "runbooks/r03.md", stale);
                }),
            ),
            (
                "an ADR superseded",
                pages(|p| set(p, "adr/0001-a.md", "---\nstatus: superseded by ADR-0002\n---\n# 1. A\n")),
            ),
            ("a page added", pages(|p| p.push(("runbooks/r00a.md".to_owned(), "# Inserted\n".to_owned())))),
        ];
        let sites: Vec<(&str, Site)> = variants.iter().map(|(name, p)| (*name, site(root, p))).collect();
        let rows = |s: &Site, t: Target| serde_json::to_string(&entries(s, Some(t), s.url(t))).unwrap();
        let base = &sites[0].1;
        let d0 = digests(base);
        for (name, other) in &sites[1..] {
            let d1 = digests(other);
            let (mut changed, mut kept) = (0, 0);
            for target in base.order.iter().copied() {
                let url = base.url(target);
                let Some(&t1) = other.order.iter().find(|t| other.url(**t) == url) else { continue };
                let equal_rows = rows(base, target) == rows(other, t1);
                let equal_keys = key(base, &d0, Some(target), url) == key(other, &d1, Some(t1), url);
                assert!(!equal_keys || equal_rows, "{name}: {url} has the same key for other rows");
                changed += usize::from(!equal_rows);
                kept += usize::from(equal_keys);
            }
            assert!(changed > 0, "{name}: no page's rows changed; the variant proves nothing");
            // Pages outside the changed folder keep their keys (the ADRs, the home page).
            assert!(kept > 0, "{name}: every key changed");
        }
        // The same site twice: the same keys; two pages of one site: different keys.
        let again = site(root, &variants[0].1);
        let keys: Vec<u128> = base.order.iter().map(|&t| key(base, &d0, Some(t), base.url(t))).collect();
        let d2 = digests(&again);
        assert_eq!(
            keys,
            again.order.iter().map(|&t| key(&again, &d2, Some(t), again.url(t))).collect::<Vec<_>>()
        );
        assert_eq!(keys.iter().collect::<std::collections::HashSet<_>>().len(), base.order.len());
    }
}
