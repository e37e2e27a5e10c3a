//! The freshness report: every page's state in one serializable value, and its renderings for
//! the terminal and CI (`human`, `json`, `github`, `markdown`).
//!
//! Input: the site model with its freshness computed (see [`crate::site::freshness`]). The JSON
//! form is also written as `freshness.json`; its schema is documented in the README and
//! versioned by [`FreshnessReport::version`]. Nothing here prints.

mod diagnostics;
mod format;
pub mod services;
mod summary;

use std::path::PathBuf;

use jiff::civil::Date;
use serde::Serialize;

use crate::config::{FailOn, FreshnessConfig, Kind};
use crate::site::Site;
use crate::site::freshness::{self, Freshness, State};

pub use diagnostics::DiagnosticJson;
pub use format::{Format, render};
pub use summary::{SUMMARY_THRESHOLD, summary};

use crate::diag::Diagnostic;

/// What `lore check` prints on stdout: the report in `format` with the run's diagnostics
/// (warnings) in the same format; none in `human`, which has them on stderr.
pub fn render_check(
    report: &FreshnessReport,
    format: Format,
    fails: &dyn Fn(State) -> bool,
    diags: &[Diagnostic],
) -> String {
    match format {
        Format::Human => render(report, format, fails),
        Format::Json => {
            #[derive(Serialize)]
            struct Check<'a> {
                #[serde(flatten)]
                report: &'a FreshnessReport,
                #[serde(skip_serializing_if = "Vec::is_empty")]
                diagnostics: Vec<DiagnosticJson>,
            }
            let check = Check { report, diagnostics: DiagnosticJson::all(diags) };
            let mut text = serde_json::to_string_pretty(&check).expect("the report is plain data");
            text.push('\n');
            text
        }
        Format::Github => diagnostics::github(diags) + &render(report, format, fails),
        Format::Markdown => render(report, format, fails) + &diagnostics::markdown(diags),
    }
}

/// What `lore check` prints on stdout when the content has errors (there is no report then):
/// the diagnostics in `format`; nothing in `human`, which has them on stderr.
pub fn render_failed_check(format: Format, diags: &[Diagnostic]) -> String {
    match format {
        Format::Human => String::new(),
        Format::Json => {
            let value = serde_json::json!({
                "version": SCHEMA_VERSION,
                "diagnostics": DiagnosticJson::all(diags),
            });
            let mut text = serde_json::to_string_pretty(&value).expect("diagnostics are plain data");
            text.push('\n');
            text
        }
        Format::Github => diagnostics::github(diags),
        Format::Markdown => diagnostics::markdown(diags).trim_start().to_owned(),
    }
}

/// The schema version of `freshness.json`; bumped only for incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

/// Pages per state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Counts {
    /// Stale pages.
    pub stale: usize,
    /// Due-soon pages.
    pub due_soon: usize,
    /// Unverified pages.
    pub unverified: usize,
    /// Fresh pages.
    pub fresh: usize,
    /// Exempt pages.
    pub exempt: usize,
}

impl Counts {
    /// Counts the states of `entries`.
    pub fn of<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> Self {
        let mut c = Self::default();
        for e in entries {
            *c.get_mut(e.state) += 1;
        }
        c
    }

    /// The count of one state.
    pub fn get(&self, state: State) -> usize {
        match state {
            State::Stale => self.stale,
            State::DueSoon => self.due_soon,
            State::Unverified => self.unverified,
            State::Fresh => self.fresh,
            State::Exempt => self.exempt,
        }
    }

    fn get_mut(&mut self, state: State) -> &mut usize {
        match state {
            State::Stale => &mut self.stale,
            State::DueSoon => &mut self.due_soon,
            State::Unverified => &mut self.unverified,
            State::Fresh => &mut self.fresh,
            State::Exempt => &mut self.exempt,
        }
    }

    /// `1 stale, 2 due soon, 0 unverified, 5 fresh, 3 exempt`.
    pub fn summary(&self) -> String {
        State::ALL
            .iter()
            .map(|s| format!("{} {}", self.get(*s), s.label().to_lowercase()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// One page of the report (one object of `pages` in `freshness.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Source path relative to the source folder.
    pub path: String,
    /// Site-relative URL, percent-encoded (`what%3F/`).
    pub url: String,
    /// Title.
    pub title: String,
    /// `page`, `runbook`, `adr` or `onboarding` in `freshness.json`.
    pub kind: Kind,
    /// Owner, if any.
    pub owner: Option<String>,
    /// `fresh`, `due-soon`, `stale`, `unverified` or `exempt`.
    pub state: State,
    /// `YYYY-MM-DD`.
    pub last_verified: Option<String>,
    /// Who verified it.
    pub verified_by: Option<String>,
    /// The interval in words (`90 days`, `6 months`, `never`).
    pub review_every: String,
    /// `YYYY-MM-DD` the page is due; none when exempt or unverified.
    pub due: Option<String>,
    /// Days past the due date; negative when not yet due.
    pub days_overdue: Option<i64>,
    /// The `outdated` reason when flagged (empty when flagged without one).
    pub outdated: Option<String>,
    /// The file changed in git after `last_verified` (`[freshness] git = true`).
    pub changed_since_verified: bool,
    /// Path as shown in the terminal.
    #[serde(skip)]
    pub shown: PathBuf,
    /// Line of `last_verified` (else 1), for annotations.
    #[serde(skip)]
    pub line: usize,
    /// Days since verification, for sorting oldest first.
    #[serde(skip)]
    pub age_days: Option<i64>,
}

/// Every page's freshness on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FreshnessReport {
    /// Schema version ([`SCHEMA_VERSION`]).
    pub version: u32,
    /// The day states were computed for.
    pub today: String,
    /// Pages per state.
    pub counts: Counts,
    /// Every page, by source path.
    pub pages: Vec<Entry>,
    /// Alerts per coverage state, when `[alerts] rules` is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alerts: Option<crate::site::coverage::Counts>,
    /// Every service, when the site defines any (`[services]` or service pages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub services: Option<Vec<services::ServiceSummary>>,
    /// `[freshness] fail-on`: the default of `check --fail-on`.
    #[serde(skip)]
    pub fail_on: FailOn,
    /// `[freshness] unverified-is-stale`.
    #[serde(skip)]
    pub unverified_is_stale: bool,
}

impl FreshnessReport {
    /// The report of a site whose freshness is computed.
    pub fn new(site: &Site, config: &FreshnessConfig, today: Date) -> Self {
        let pages: Vec<Entry> = site
            .pages
            .iter()
            .zip(&site.freshness)
            .zip(&site.urls)
            .map(|((p, f), url)| entry(p, f, url))
            .collect();
        Self {
            version: SCHEMA_VERSION,
            today: today.to_string(),
            counts: Counts::of(&pages),
            pages,
            alerts: site.coverage.counts(),
            services: services::summaries(site),
            fail_on: config.fail_on,
            unverified_is_stale: config.unverified_is_stale,
        }
    }

    /// Only the pages of `owner`.
    #[must_use]
    pub fn for_owner(&self, owner: &str) -> Self {
        let pages: Vec<Entry> =
            self.pages.iter().filter(|e| e.owner.as_deref() == Some(owner)).cloned().collect();
        Self { counts: Counts::of(&pages), pages, ..self.clone() }
    }

    /// The pages that make `check` fail.
    pub fn failing(&self, fail_on: FailOn) -> Vec<&Entry> {
        self.pages.iter().filter(|e| e.state.fails(fail_on, self.unverified_is_stale)).collect()
    }

    /// Pages needing attention, most urgent state first, then oldest first, then by path.
    pub fn attention(&self) -> Vec<&Entry> {
        let mut list: Vec<&Entry> = self.pages.iter().filter(|e| e.state.needs_attention()).collect();
        list.sort_by(|a, b| {
            a.state.cmp(&b.state).then(b.days_overdue.cmp(&a.days_overdue)).then(a.path.cmp(&b.path))
        });
        list
    }
}

fn entry(page: &crate::content::Page, f: &Freshness, url: &str) -> Entry {
    Entry {
        path: page.source.rel.clone(),
        url: crate::site::encode_path(url).into_owned(),
        title: page.title.clone(),
        kind: page.kind,
        owner: page.meta.owner.clone(),
        state: f.state,
        last_verified: f.last_verified.map(|d| d.to_string()),
        verified_by: page.meta.verified_by.clone(),
        review_every: freshness::describe(f.interval),
        due: f.due.map(|d| d.to_string()),
        days_overdue: f.days_overdue,
        outdated: f.outdated.clone(),
        changed_since_verified: f.changed_since_verified,
        shown: page.source.shown.clone(),
        line: freshness::key_line(page, freshness::LAST_VERIFIED_KEYS).unwrap_or(1),
        age_days: f.age_days,
    }
}

/// One factual sentence about an entry: "last verified 2025-06-01, 183 days overdue (review
/// every 90 days)". Shared by every format so they agree.
pub fn describe(e: &Entry) -> String {
    let every = format!("review every {}", e.review_every);
    let mut text = match (e.state, &e.outdated, &e.last_verified) {
        (_, Some(reason), _) if reason.is_empty() => "flagged outdated".to_owned(),
        (_, Some(reason), _) => format!("flagged outdated: {reason}"),
        (State::Unverified, _, _) | (_, _, None) => format!("never verified ({every})"),
        (State::Stale, _, Some(last)) => {
            format!("last verified {last}, {} overdue ({every})", days(e.days_overdue.unwrap_or(0)))
        }
        (State::DueSoon, _, Some(last)) => {
            let due = e.due.as_deref().unwrap_or_default();
            match -e.days_overdue.unwrap_or(0) {
                0 => format!("last verified {last}, due today ({every})"),
                n => format!("last verified {last}, due {due} (in {}; {every})", days(n)),
            }
        }
        (_, _, Some(last)) => format!("last verified {last} ({every})"),
    };
    if e.changed_since_verified {
        text.push_str("; changed since verified");
    }
    text
}

/// `1 day`, `12 days`.
pub fn days(n: i64) -> String {
    if n == 1 { "1 day".to_owned() } else { format!("{n} days") }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::{Entry, describe};
    use crate::config::Kind;
    use crate::site::freshness::State;

    fn entry(state: State, last: Option<&str>, due: Option<&str>, overdue: Option<i64>) -> Entry {
        Entry {
            path: "runbooks/db.md".to_owned(),
            url: "runbooks/db/".to_owned(),
            title: "DB".to_owned(),
            kind: Kind::Runbook,
            owner: None,
            state,
            last_verified: last.map(str::to_owned),
            verified_by: None,
            review_every: "90 days".to_owned(),
            due: due.map(str::to_owned),
            days_overdue: overdue,
            outdated: None,
            changed_since_verified: false,
            shown: PathBuf::from("src/runbooks/db.md"),
            line: 3,
            age_days: None,
        }
    }

    #[test]
    fn descriptions() {
        let d = Some("2026-03-01");
        let last = Some("2025-12-01");
        let cases = [
            (
                entry(State::Stale, last, d, Some(1)),
                "last verified 2025-12-01, 1 day overdue (review every 90 days)",
            ),
            (
                entry(State::DueSoon, last, d, Some(0)),
                "last verified 2025-12-01, due today (review every 90 days)",
            ),
            (
                entry(State::DueSoon, last, d, Some(-1)),
                "last verified 2025-12-01, due 2026-03-01 (in 1 day; review every 90 days)",
            ),
            (entry(State::Fresh, last, d, Some(-40)), "last verified 2025-12-01 (review every 90 days)"),
            (entry(State::Unverified, None, None, None), "never verified (review every 90 days)"),
            (
                Entry { outdated: Some(String::new()), ..entry(State::Stale, last, d, Some(-3)) },
                "flagged outdated",
            ),
            (
                Entry { changed_since_verified: true, ..entry(State::Stale, last, d, Some(2)) },
                "last verified 2025-12-01, 2 days overdue (review every 90 days); changed since verified",
            ),
        ];
        for (e, want) in cases {
            assert_eq!(describe(&e), want);
        }
    }
}
