//! View structs for what each kind adds to a page: the runbook header, the ADR status and
//! relations, the decision log, an onboarding path's steps and a step's place in its paths,
//! taxonomy listings and alert redirects. Like [`super::context`], templates see only these.

use serde::Serialize;

use super::context::{LinkView, ListItem};

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
    pub freshness: Option<super::freshness::Badge>,
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
