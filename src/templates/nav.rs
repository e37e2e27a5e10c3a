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
        out.push(NavEntry {
            kind,
            title: item.title.clone(),
            href,
            depth,
            active: item.target.is_some() && item.target == self.current,
            open: is_open,
            has_children: !item.children.is_empty(),
            muted: matches!(item.target, Some(Target::Page(p)) if self.site.adrs.is_superseded(p)),
            badge: item.target.and_then(|t| super::freshness::badge(self.site, t)),
        });
        // Parts and drafts have no page of their own, so their children are always shown.
        if is_open || item.target.is_none() {
            self.items(&item.children, depth + 1, item.target, out);
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
