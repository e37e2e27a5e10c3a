//! View structs: what templates see. Templates never receive domain types, only these
//! serializable views, so the template contract is written down in one place: the frame every
//! page shares ([`Chrome`]: `site`, `page`, `nav`, `breadcrumbs`, which `base.html` uses), a
//! page's own parts ([`PageView`]), what each kind adds ([`KindsView`]) and freshness badges
//! and banners. The dashboard's own view is in `freshness.rs`.
//!
//! This file imports nothing else from `templates`: the modules that build views depend on it,
//! never the other way round.

use serde::Serialize;
use serde_json::{Map, Value};

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
    /// The diagram script, relative to this page: only on a page holding a diagram.
    pub diagrams: Option<String>,
}

impl SiteView {
    /// These values with `root` set and the stylesheet, script and search links (relative to
    /// the site root here) prefixed with it.
    pub fn rooted_at(&self, root: &str) -> Self {
        let rooted = |list: &[String]| list.iter().map(|l| format!("{root}{l}")).collect();
        Self {
            root: root.to_owned(),
            css: rooted(&self.css),
            js: rooted(&self.js),
            search: self.search.as_ref().map(|s| SearchLinks {
                js: format!("{root}{}", s.js),
                css: format!("{root}{}", s.css),
                head: format!("{root}{}", s.head),
            }),
            ..self.clone()
        }
    }
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

/// The frame of every page: header, sidebar and theme (`base.html`), and the breadcrumbs.
#[derive(Debug, Clone, Serialize)]
pub struct Chrome {
    /// Site values.
    pub site: SiteView,
    /// This page.
    pub page: PageInfo,
    /// Sidebar.
    pub nav: Vec<NavEntry>,
    /// Home first, this page excluded.
    pub breadcrumbs: Vec<LinkView>,
}

/// Everything a page template receives.
#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    /// The frame: `site`, `page`, `nav`, `breadcrumbs`.
    #[serde(flatten)]
    pub chrome: Chrome,
    /// Body HTML.
    pub content: String,
    /// Table of contents.
    pub toc: Vec<TocEntry>,
    /// Previous page in reading order.
    pub prev: Option<LinkView>,
    /// Next page in reading order.
    pub next: Option<LinkView>,
    /// Generated listings only: the folder's entries.
    pub listing: Vec<ListItem>,
    /// What the page's kind adds (runbook header, ADR status, path steps, …).
    pub kinds: KindsView,
}

impl PageView {
    /// A page with the frame only: no body, contents, neighbours, listing or kind parts
    /// (generated pages fill in what they list).
    pub fn framed(chrome: Chrome) -> Self {
        Self {
            chrome,
            content: String::new(),
            toc: Vec::new(),
            prev: None,
            next: None,
            listing: Vec::new(),
            kinds: KindsView::default(),
        }
    }
}

/// A small state label next to a link.
#[derive(Debug, Clone, Serialize)]
pub struct Badge {
    /// `stale`, `due-soon` or `unverified` (a CSS class).
    pub state: &'static str,
    /// `Stale`, `Due soon`, `Unverified`.
    pub label: &'static str,
}

/// The banner at the top of a page that needs review.
#[derive(Debug, Clone, Serialize)]
pub struct Banner {
    /// The state name (a CSS class).
    pub state: &'static str,
    /// The state label.
    pub label: &'static str,
    /// "Last verified 212 days ago (review every 90 days)".
    pub message: String,
    /// The `outdated` reason, when flagged with one.
    pub outdated: Option<String>,
    /// The owner.
    pub owner: Option<String>,
    /// The file changed in git after it was verified.
    pub changed_since_verified: bool,
    /// A "how to verify" link from `[freshness] how-to-verify`, relative to this page.
    pub how_to_verify: Option<String>,
    /// The command that records a review, e.g. `lore verify src/runbooks/db.md`.
    pub verify_command: String,
}

/// Everything kind-specific on one page; empty for an ordinary page.
#[derive(Debug, Clone, Default, Serialize)]
pub struct KindsView {
    /// A runbook's header fields.
    pub runbook: Option<RunbookView>,
    /// An ADR's status, date, people and relations.
    pub adr: Option<AdrView>,
    /// The decision log, on the ADR folder's page.
    pub adr_log: Option<AdrLogView>,
    /// An onboarding path's steps.
    pub path: Option<PathView>,
    /// This page's place in each path it is a step of.
    pub in_paths: Vec<PathPositionView>,
    /// Taxonomy pages: values or kinds, each with its pages.
    pub groups: Vec<GroupView>,
    /// Alert pages: where the alert's runbook is (relative URL).
    pub redirect: Option<String>,
    /// Links to the runbook indexes, on the runbook folder's page.
    pub indexes: Vec<LinkView>,
    /// The Alerts page of a site with `[alerts] rules`: every alert with its state.
    pub alert_table: Option<Vec<AlertRowView>>,
    /// A service's page: its facts, SLOs, dependencies, runbooks, alerts and decisions.
    pub service: Option<super::service_view::ServiceView>,
    /// The services index (`services/`).
    pub services_index: Option<super::service_view::ServicesIndexView>,
}

/// One row of the Alerts page.
#[derive(Debug, Clone, Serialize)]
pub struct AlertRowView {
    /// The alert name.
    pub name: String,
    /// Its `alerts/<Name>/` URL, when it has a runbook.
    pub href: Option<String>,
    /// `fresh`, `stale`, `unverified` or `missing`.
    pub state: &'static str,
    /// Whether it pages someone.
    pub paging: bool,
    /// Its `severity` label.
    pub severity: String,
    /// Its runbook.
    pub runbook: Option<LinkView>,
    /// Where its first rule lives (`monitoring/db.yml:12`), and how many rules it has.
    pub rule: String,
}

/// An alert rule as it fires, on its runbook's page.
#[derive(Debug, Clone, Serialize)]
pub struct RuleView {
    /// The alert name.
    pub alert: String,
    /// `expr`.
    pub expr: Option<String>,
    /// `for`.
    pub for_: Option<String>,
    /// Labels.
    pub labels: Vec<Field>,
    /// Whether it pages someone.
    pub paging: bool,
    /// Where the rule lives (`monitoring/db.yml:12`).
    pub location: String,
}

/// A name linking to its page.
#[derive(Debug, Clone, Serialize)]
pub struct NamedLink {
    /// Text.
    pub name: String,
    /// Relative URL, when it has a page.
    pub href: Option<String>,
}

/// A label and its value.
#[derive(Debug, Clone, Serialize)]
pub struct Field {
    /// Label.
    pub label: String,
    /// Value.
    pub value: String,
}

/// A runbook's header.
#[derive(Debug, Clone, Serialize)]
pub struct RunbookView {
    /// Service, linking to its page.
    pub service: Option<NamedLink>,
    /// Severity as written.
    pub severity: Option<String>,
    /// Severity for CSS (`critical`, `high`, …).
    pub severity_class: String,
    /// Owner, linking to its page.
    pub owner: Option<NamedLink>,
    /// Alerts, each linking to its stable URL.
    pub alerts: Vec<NamedLink>,
    /// Dashboards.
    pub dashboards: Vec<LinkView>,
    /// Escalation, in the order written.
    pub escalation: Vec<Field>,
    /// The alert rules this runbook answers, as they fire.
    pub rules: Vec<RuleView>,
}

/// A link to another ADR with its state.
#[derive(Debug, Clone, Serialize)]
pub struct AdrLinkView {
    /// "Superseded by", "Amends", …
    pub relation: String,
    /// `ADR-0005: Use Kafka`.
    pub title: String,
    /// Relative URL.
    pub href: String,
    /// Lifecycle of the other record (CSS).
    pub status: String,
}

/// An ADR's header.
#[derive(Debug, Clone, Serialize)]
pub struct AdrView {
    /// `ADR-0007`.
    pub id: Option<String>,
    /// Status as shown.
    pub status: Option<String>,
    /// Lifecycle (`accepted`, `superseded`, …) for CSS.
    pub status_class: String,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Decision makers.
    pub decision_makers: Vec<String>,
    /// Consulted.
    pub consulted: Vec<String>,
    /// Informed.
    pub informed: Vec<String>,
    /// Relations, both sides.
    pub relations: Vec<AdrLinkView>,
}

/// One row of the decision log.
#[derive(Debug, Clone, Serialize)]
pub struct AdrRowView {
    /// `0007`, empty without a number.
    pub number: String,
    /// Title without the number.
    pub title: String,
    /// Relative URL.
    pub href: String,
    /// Status as shown.
    pub status: String,
    /// Lifecycle for CSS and the filter.
    pub status_class: String,
    /// `YYYY-MM-DD`, or empty.
    pub date: String,
    /// "Superseded by ADR-0005", for a superseded record.
    pub note: Option<String>,
}

/// The decision log.
#[derive(Debug, Clone, Serialize)]
pub struct AdrLogView {
    /// Rows, by number.
    pub rows: Vec<AdrRowView>,
    /// Lifecycle states present, with counts, for the filter.
    pub statuses: Vec<Field>,
}

/// One step on a path page.
#[derive(Debug, Clone, Serialize)]
pub struct StepView {
    /// 1-based position.
    pub n: usize,
    /// Stable id for the browser's progress (`s3`).
    pub id: String,
    /// Page title or task text.
    pub title: String,
    /// Relative URL of a page step.
    pub href: Option<String>,
    /// Who helps with a task.
    pub who: Option<String>,
    /// As written.
    pub estimated_time: Option<String>,
    /// Working minutes (0 when unknown).
    pub minutes: u32,
    /// Can be skipped.
    pub optional: bool,
    /// The step page's last-verified date.
    pub last_verified: Option<String>,
    /// The step page's freshness badge, when it needs review (stale, due soon, unverified).
    pub freshness: Option<Badge>,
}

/// A group of steps (or the steps of an ungrouped path).
#[derive(Debug, Clone, Serialize)]
pub struct StepGroupView {
    /// "Day 1", when grouped.
    pub title: Option<String>,
    /// Its steps.
    pub steps: Vec<StepView>,
}

/// An onboarding path page.
#[derive(Debug, Clone, Serialize)]
pub struct PathView {
    /// localStorage key: site and path.
    pub key: String,
    /// `audience`
    pub audience: Option<String>,
    /// `outcome`
    pub outcome: Option<String>,
    /// `estimated_time` as written.
    pub estimated_time: Option<String>,
    /// Sum of the steps' times, described ("about 3 h").
    pub total_time: Option<String>,
    /// Number of steps.
    pub count: usize,
    /// Prerequisites.
    pub prerequisites: Vec<NamedLink>,
    /// Steps by group.
    pub groups: Vec<StepGroupView>,
}

/// "Backend onboarding · step 4 of 11" with previous/next inside the path.
#[derive(Debug, Clone, Serialize)]
pub struct PathPositionView {
    /// The path.
    pub path: LinkView,
    /// 1-based position.
    pub n: usize,
    /// Steps in the path.
    pub total: usize,
    /// Previous step (a page, or the path itself for a task).
    pub prev: Option<LinkView>,
    /// Next step.
    pub next: Option<LinkView>,
}

/// A heading with a list of pages (taxonomy pages).
#[derive(Debug, Clone, Serialize)]
pub struct GroupView {
    /// Heading.
    pub title: String,
    /// Link of the heading (a value's own page), if any.
    pub href: Option<String>,
    /// The pages.
    pub items: Vec<ListItem>,
}
