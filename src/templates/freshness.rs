//! Freshness in templates: the banner of a page that needs review, the badges of navigation
//! and listings, and the view of the `freshness/` dashboard.
//!
//! Input: [`Site::freshness`] (computed by the build) and the [`FreshnessReport`]. Wording is
//! calm and factual (DESIGN.md, Freshness).

use std::collections::BTreeMap;

use serde::Serialize;

use super::context::{Badge, Banner, Chrome};
use crate::config::{Kind, SiteConfig};
use crate::report::{self, Entry, FreshnessReport};
use crate::site::freshness::{self, Freshness, State};
use crate::site::{Site, Target, relative_href, relative_url};

/// Where the dashboard is published.
pub const DASHBOARD_URL: &str = "freshness/";

/// The badge of a target: only pages that need review get one.
pub fn badge(site: &Site, target: Target) -> Option<Badge> {
    let Target::Page(i) = target else { return None };
    site.freshness
        .get(i)
        .filter(|f| f.state.needs_attention())
        .map(|f| Badge { state: f.state.name(), label: f.state.label() })
}

/// The banner of page `i`, if it needs review or its file changed since it was verified.
pub(super) fn banner(site: &Site, config: &SiteConfig, i: usize, from: &str) -> Option<Banner> {
    let f = site.freshness.get(i).filter(|f| f.state.needs_attention() || f.changed_since_verified)?;
    let page = &site.pages[i];
    let how_to_verify = config.freshness.how_to_verify.as_ref().map(|h| {
        if h.contains("://") || h.starts_with('/') || h.starts_with('#') {
            h.clone()
        } else {
            relative_href(from, h)
        }
    });
    let src = config.src.strip_prefix(&config.root).unwrap_or(&config.src);
    let path = src.join(&page.source.rel);
    Some(Banner {
        state: f.state.name(),
        label: f.state.label(),
        message: message(f),
        outdated: f.outdated.clone().filter(|r| !r.is_empty()),
        owner: page.meta.owner.clone(),
        changed_since_verified: f.changed_since_verified,
        how_to_verify,
        verify_command: format!("lore verify {}", path.display().to_string().replace('\\', "/")),
    })
}

/// "Last verified 212 days ago (review every 90 days)", "Due for review in 5 days", …
fn message(f: &Freshness) -> String {
    let every = format!("review every {}", freshness::describe(f.interval));
    let ago = match f.age_days {
        Some(0) => "Last verified today".to_owned(),
        Some(n) => format!("Last verified {} ago", report::days(n)),
        None => "Not verified yet".to_owned(),
    };
    match (f.state, f.days_overdue) {
        (State::Stale, _) if f.outdated.is_some() => format!("Marked outdated · {ago}"),
        (State::DueSoon, Some(0)) => format!("{ago} · due for review today ({every})"),
        (State::DueSoon, Some(n)) => format!("{ago} · due for review in {} ({every})", report::days(-n)),
        _ => format!("{ago} ({every})"),
    }
}

/// A state and how many pages are in it.
#[derive(Debug, Clone, Serialize)]
pub struct StateCount {
    /// State name.
    pub state: &'static str,
    /// State label.
    pub label: &'static str,
    /// Pages.
    pub count: usize,
}

/// A row of a counts table (per owner or per kind).
#[derive(Debug, Clone, Serialize)]
pub struct CountsRow {
    /// Owner or kind label.
    pub name: String,
    /// Counts in [`State::ALL`] order.
    pub counts: Vec<usize>,
    /// All pages.
    pub total: usize,
}

/// A page that needs review, on the dashboard.
#[derive(Debug, Clone, Serialize)]
pub struct DashboardRow {
    /// Title.
    pub title: String,
    /// Relative URL.
    pub href: String,
    /// Kind label.
    pub kind: &'static str,
    /// State name.
    pub state: &'static str,
    /// State label.
    pub state_label: &'static str,
    /// Position of the state, most urgent first (sort key).
    pub state_rank: usize,
    /// `YYYY-MM-DD` or empty.
    pub last_verified: String,
    /// `YYYY-MM-DD` or empty.
    pub due: String,
    /// Days overdue (sort key; unverified sorts as most overdue).
    pub overdue_key: i64,
    /// "183 days overdue", "due in 9 days", "never verified", "flagged outdated".
    pub overdue: String,
    /// The `outdated` reason.
    pub outdated: Option<String>,
    /// Changed in git since verified.
    pub changed_since_verified: bool,
}

/// Pages an owner must review.
#[derive(Debug, Clone, Serialize)]
pub struct OwnerGroup {
    /// Owner, or "No owner".
    pub owner: String,
    /// An id for the heading.
    pub id: String,
    /// Most urgent first, then oldest first.
    pub rows: Vec<DashboardRow>,
}

/// The dashboard's data.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    /// The day states are computed for.
    pub today: String,
    /// Count per state.
    pub states: Vec<StateCount>,
    /// Column labels of count tables, in [`State::ALL`] order.
    pub columns: Vec<StateCount>,
    /// Per owner counts.
    pub by_owner: Vec<CountsRow>,
    /// Per kind counts.
    pub by_kind: Vec<CountsRow>,
    /// What each owner must review.
    pub owners: Vec<OwnerGroup>,
    /// Pages not due yet whose file changed in git after they were verified.
    pub changed: Vec<DashboardRow>,
    /// Pages in all.
    pub total: usize,
    /// Link to `freshness.json`.
    pub json_href: String,
    /// Alert coverage, when `[alerts] rules` is set.
    pub alerts: Option<AlertCoverage>,
}

/// The dashboard's line on alert coverage.
#[derive(Debug, Clone, Serialize)]
pub struct AlertCoverage {
    /// "142 alerts: 131 with a fresh runbook, 6 stale, 5 without".
    pub summary: String,
    /// The counts per coverage state.
    pub counts: crate::site::coverage::Counts,
    /// Link to the Alerts page.
    pub href: String,
}

/// The view of the dashboard page: the frame every page has, and the dashboard. It has none
/// of a page's own parts (`content`, `toc`, `prev`, `next`, `listing`, `kinds`).
#[derive(Debug, Clone, Serialize)]
pub struct DashboardView {
    /// The frame: `site`, `page`, `nav`, `breadcrumbs`.
    #[serde(flatten)]
    pub chrome: Chrome,
    /// The dashboard.
    pub dashboard: Dashboard,
}

/// The dashboard of `report`, its links relative to `from`.
pub(super) fn dashboard(report: &FreshnessReport, from: &str) -> Dashboard {
    let states =
        State::ALL.map(|s| StateCount { state: s.name(), label: s.label(), count: report.counts.get(s) });
    let counts_row = |name: String, entries: &[&Entry]| CountsRow {
        name,
        counts: State::ALL.iter().map(|s| entries.iter().filter(|e| e.state == *s).count()).collect(),
        total: entries.len(),
    };
    let mut by_owner: BTreeMap<Option<&str>, Vec<&Entry>> = BTreeMap::new();
    // Keyed by name first, so kinds are listed by name A–Z.
    let mut by_kind: BTreeMap<(&str, Kind), Vec<&Entry>> = BTreeMap::new();
    for e in &report.pages {
        by_owner.entry(e.owner.as_deref()).or_default().push(e);
        by_kind.entry((e.kind.name(), e.kind)).or_default().push(e);
    }
    let owner_name = |o: Option<&str>| o.unwrap_or("No owner").to_owned();
    // Pages without an owner go last.
    let mut owner_list: Vec<_> = by_owner.into_iter().collect();
    let unowned_first = owner_list.first().is_some_and(|(o, _)| o.is_none());
    owner_list.rotate_left(usize::from(unowned_first));
    let attention = report.attention();
    let mut owners = Vec::new();
    for (owner, _) in &owner_list {
        let rows: Vec<DashboardRow> =
            attention.iter().filter(|e| e.owner.as_deref() == *owner).map(|e| row(e, from)).collect();
        if !rows.is_empty() {
            let id = format!("owner-{}", crate::site::taxonomy::slug(&owner_name(*owner)));
            owners.push(OwnerGroup { owner: owner_name(*owner), id, rows });
        }
    }
    Dashboard {
        today: report.today.clone(),
        columns: states.to_vec(),
        states: states.into_iter().collect(),
        by_owner: owner_list.iter().map(|(o, e)| counts_row(owner_name(*o), e)).collect(),
        by_kind: by_kind.iter().map(|((_, kind), e)| counts_row(kind.label().to_owned(), e)).collect(),
        owners,
        changed: report
            .pages
            .iter()
            .filter(|e| e.changed_since_verified && !e.state.needs_attention())
            .map(|e| row(e, from))
            .collect(),
        total: report.pages.len(),
        json_href: relative_url(from, "freshness.json"),
        alerts: None,
    }
}

fn row(e: &Entry, from: &str) -> DashboardRow {
    let overdue = match (e.state, e.days_overdue) {
        (_, _) if e.outdated.is_some() => "flagged outdated".to_owned(),
        (State::Unverified, _) => "never verified".to_owned(),
        (_, Some(0)) => "due today".to_owned(),
        (_, Some(n)) if n > 0 => format!("{} overdue", report::days(n)),
        (_, Some(n)) => format!("due in {}", report::days(-n)),
        (_, None) => String::new(),
    };
    DashboardRow {
        title: e.title.clone(),
        href: relative_href(from, &e.url),
        kind: e.kind.label(),
        state: e.state.name(),
        state_label: e.state.label(),
        state_rank: State::ALL.iter().position(|s| *s == e.state).unwrap_or(0),
        last_verified: e.last_verified.clone().unwrap_or_default(),
        due: e.due.clone().unwrap_or_default(),
        overdue_key: e.days_overdue.unwrap_or(i64::from(i32::MAX)),
        overdue,
        outdated: e.outdated.clone().filter(|r| !r.is_empty()),
        changed_since_verified: e.changed_since_verified,
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::message;
    use crate::content::ReviewInterval::{Days, Months};
    use crate::site::freshness::compute;

    #[test]
    fn banner_messages() {
        let today = date(2026, 3, 1);
        let cases = [
            (
                compute(Some(date(2025, 8, 1)), Days(90), Days(14), None, today),
                "Last verified 212 days ago (review every 90 days)",
            ),
            (
                compute(Some(date(2025, 12, 1)), Days(90), Days(14), None, today),
                "Last verified 90 days ago · due for review today (review every 90 days)",
            ),
            (
                compute(Some(date(2025, 9, 2)), Months(6), Days(14), None, today),
                "Last verified 180 days ago · due for review in 1 day (review every 6 months)",
            ),
            (compute(None, Days(30), Days(14), None, today), "Not verified yet (review every 30 days)"),
            (
                compute(Some(today), Days(30), Days(14), Some("gone"), today),
                "Marked outdated · Last verified today",
            ),
        ];
        for (f, want) in cases {
            assert_eq!(message(&f), want);
        }
    }
}
