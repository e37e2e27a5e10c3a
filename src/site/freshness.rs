//! Freshness: the state of each page from its `last_verified` date, its review interval and
//! "today" (DESIGN.md, Freshness).
//!
//! Input: the site model and `[freshness]`. The interval comes from the page, else the nearest
//! folder rule, else the kind, else the site default. Output: one [`Freshness`] per page, plus
//! diagnostics (a `last_verified` in the future, a folder rule that matches nothing). The git
//! signal is read by [`git_changes`], outside this pure computation.

use std::collections::HashMap;
use std::path::Path;

use jiff::civil::Date;

use super::Site;
use crate::config::{FailOn, FreshnessConfig, SiteConfig};
use crate::content::{Page, ReviewInterval};
use crate::diag::Diagnostic;
use crate::error::Error;

/// How far a page can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Past its due date, or flagged `outdated`.
    Stale,
    /// Inside the due-soon window before its due date.
    DueSoon,
    /// Has an interval but no `last_verified` date.
    Unverified,
    /// Verified within its interval.
    Fresh,
    /// Never needs review (interval `never`).
    Exempt,
}

impl State {
    /// All states, most urgent first.
    pub const ALL: [State; 5] =
        [State::Stale, State::DueSoon, State::Unverified, State::Fresh, State::Exempt];

    /// The name used in JSON, CSS classes and `--fail-on`.
    pub fn name(self) -> &'static str {
        match self {
            State::Stale => "stale",
            State::DueSoon => "due-soon",
            State::Unverified => "unverified",
            State::Fresh => "fresh",
            State::Exempt => "exempt",
        }
    }

    /// The label shown to readers.
    pub fn label(self) -> &'static str {
        match self {
            State::Stale => "Stale",
            State::DueSoon => "Due soon",
            State::Unverified => "Unverified",
            State::Fresh => "Fresh",
            State::Exempt => "Exempt",
        }
    }

    /// Whether pages in this state get a banner and a badge.
    pub fn needs_attention(self) -> bool {
        matches!(self, State::Stale | State::DueSoon | State::Unverified)
    }

    /// Whether this state makes `check --fail-on` fail.
    pub fn fails(self, fail_on: FailOn, unverified_is_stale: bool) -> bool {
        let unverified = self == State::Unverified;
        match fail_on {
            FailOn::Never => false,
            FailOn::Stale => self == State::Stale || (unverified && unverified_is_stale),
            FailOn::Unverified => self == State::Stale || unverified,
            FailOn::DueSoon => {
                matches!(self, State::Stale | State::DueSoon) || (unverified && unverified_is_stale)
            }
        }
    }
}

/// The freshness of one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Freshness {
    /// Its state.
    pub state: State,
    /// `last_verified`.
    pub last_verified: Option<Date>,
    /// The interval that applies.
    pub interval: ReviewInterval,
    /// `last_verified` plus the interval (none when exempt or unverified).
    pub due: Option<Date>,
    /// Days from `last_verified` to today.
    pub age_days: Option<i64>,
    /// Days past the due date (negative: days left).
    pub days_overdue: Option<i64>,
    /// The `outdated` reason, when flagged.
    pub outdated: Option<String>,
    /// The file changed in git after `last_verified`.
    pub changed_since_verified: bool,
}

/// Computes the state from the inputs of one page. Due on the due date itself (not stale yet);
/// stale from the day after.
pub fn compute(
    last_verified: Option<Date>,
    interval: ReviewInterval,
    window: ReviewInterval,
    outdated: Option<&str>,
    today: Date,
) -> Freshness {
    let due = last_verified.and_then(|d| add(d, interval));
    let age_days = last_verified.map(|d| days_between(d, today));
    let days_overdue = due.map(|d| days_between(d, today));
    let state = if outdated.is_some() {
        State::Stale
    } else if interval == ReviewInterval::Never {
        State::Exempt
    } else {
        match due {
            None => State::Unverified,
            Some(due) if today > due => State::Stale,
            Some(due) if sub(due, window).is_none_or(|start| today >= start) => State::DueSoon,
            Some(_) => State::Fresh,
        }
    };
    Freshness {
        state,
        last_verified,
        interval,
        due,
        age_days,
        days_overdue,
        outdated: outdated.map(str::to_owned),
        changed_since_verified: false,
    }
}

/// `date + interval`; months clamp to the end of shorter months (Jan 31 + 1 month = Feb 28/29).
/// `None` past the calendar's end: intervals are bounded when parsed, but this must never panic.
fn add(date: Date, interval: ReviewInterval) -> Option<Date> {
    date.checked_add(span(interval)?).ok()
}

/// The first day of the due-soon `window` before `due` (`None` before the calendar's start).
pub fn window_start(due: Date, window: ReviewInterval) -> Option<Date> {
    sub(due, window)
}

fn sub(date: Date, interval: ReviewInterval) -> Option<Date> {
    date.checked_sub(span(interval)?).ok()
}

/// The interval as a span; `None` for `never` or one out of jiff's range (`ToSpan` panics there).
fn span(interval: ReviewInterval) -> Option<jiff::Span> {
    match interval {
        ReviewInterval::Never => None,
        ReviewInterval::Days(n) => jiff::Span::new().try_days(n).ok(),
        ReviewInterval::Months(n) => jiff::Span::new().try_months(n).ok(),
    }
}

/// Whole days from `a` to `b` (negative when `b` is earlier).
pub fn days_between(a: Date, b: Date) -> i64 {
    a.until(b).map_or(0, |span| i64::from(span.get_days()))
}

/// `90 days`, `6 months`, `1 year`, `never`, as shown to readers.
pub fn describe(interval: ReviewInterval) -> String {
    let plural = |n: i64, w: &str| if n == 1 { format!("1 {w}") } else { format!("{n} {w}s") };
    match interval {
        ReviewInterval::Never => "never".to_owned(),
        ReviewInterval::Days(n) if n % 7 == 0 && n < 70 => plural(n / 7, "week"),
        ReviewInterval::Days(n) => plural(n, "day"),
        ReviewInterval::Months(n) if n % 12 == 0 => plural(n / 12, "year"),
        ReviewInterval::Months(n) => plural(n, "month"),
    }
}

/// The interval for a page: its own, else the nearest folder rule, else its kind's, else the
/// site default.
pub fn interval_for(page: &Page, config: &FreshnessConfig) -> ReviewInterval {
    if let Some(i) = page.meta.review_every {
        return i;
    }
    let rel = page.source.rel.as_str();
    let folder = config.folders.iter().find(|f| in_folder(rel, &f.folder));
    folder.map(|f| f.interval).or_else(|| config.kinds.get(&page.kind).copied()).unwrap_or(config.default)
}

fn in_folder(rel: &str, folder: &str) -> bool {
    folder.is_empty() || rel.strip_prefix(folder).is_some_and(|r| r.starts_with('/'))
}

/// The freshness of every page, with diagnostics: a `last_verified` after today is an error; a
/// folder rule that matches no page is a warning.
pub fn assess(pages: &[Page], config: &FreshnessConfig, today: Date) -> (Vec<Freshness>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let list = pages
        .iter()
        .map(|page| {
            let outdated = outdated_reason(page);
            let f = compute(
                page.meta.last_verified,
                interval_for(page, config),
                config.due_soon,
                outdated.as_deref(),
                today,
            );
            if let Some(date) = page.meta.last_verified.filter(|d| *d > today) {
                let line = key_line(page, LAST_VERIFIED_KEYS).unwrap_or(1);
                diags.push(
                    Diagnostic::error(format!("`last_verified` {date} is in the future (today is {today})"))
                        .at_text(&page.source.shown, &page.text, line, 1)
                        .hint("write the date the page was last checked; set `--today` if the build date is wrong"),
                );
            }
            f
        })
        .collect();
    for rule in &config.folders {
        if !pages.iter().any(|p| in_folder(&p.source.rel, &rule.folder)) {
            diags.push(
                Diagnostic::warning(format!("`[freshness.folders]` rule `{}` matches no page", rule.folder))
                    .at_text(&config.config_path, &config.config_text, rule.line, 1)
                    .hint("folders are relative to the source folder, e.g. `runbooks/payments`"),
            );
        }
    }
    (list, diags)
}

/// The keys that hold the verification date, canonical first.
pub const LAST_VERIFIED_KEYS: &[&str] = &["last_verified", "last_reviewed", "last_reviewed_on"];

/// The `outdated` flag: a reason string, or `true` (no reason given).
fn outdated_reason(page: &Page) -> Option<String> {
    match page.meta.fields.get("outdated")? {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        serde_json::Value::Bool(true) => Some(String::new()),
        _ => None,
    }
}

/// The 1-based line of the first of `keys` in the page's front matter.
pub fn key_line(page: &Page, keys: &[&str]) -> Option<usize> {
    let front = &page.text[..page.body_offset];
    front
        .lines()
        .position(|l| keys.iter().any(|k| l.strip_prefix(k).is_some_and(|r| r.trim_start().starts_with(':'))))
        .map(|i| i + 1)
}

/// "Today": `--today`, else `SOURCE_DATE_EPOCH` (UTC), else the real date in the local zone.
pub fn today(flag: Option<&str>) -> Result<Date, Error> {
    if let Some(text) = flag {
        return text.parse::<Date>().map_err(|_| {
            Error::Usage(format!(
                "`--today` is not a date: `{text}`\n  = hint: write it as YYYY-MM-DD, e.g. `2026-03-31`"
            ))
        });
    }
    if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
        let seconds: i64 = epoch.trim().parse().map_err(|_| {
            Error::Usage(format!("`SOURCE_DATE_EPOCH` is not a number of seconds: `{epoch}`"))
        })?;
        let stamp = jiff::Timestamp::from_second(seconds)
            .map_err(|_| Error::Usage(format!("`SOURCE_DATE_EPOCH` is out of range: `{epoch}`")))?;
        return Ok(jiff::tz::Offset::UTC.to_datetime(stamp).date());
    }
    Ok(jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::system()).date())
}

/// What git knows: the date of the last commit that touched each file, or why it cannot say.
#[derive(Debug, Default)]
pub struct GitChanges {
    /// Repository-relative path → date of the last commit touching it.
    pub last_change: HashMap<String, Date>,
    /// Prefix from the repository root to the source folder (`docs/`).
    pub prefix: String,
    /// A warning to show once (shallow clone, not a repository).
    pub warning: Option<String>,
}

/// Reads the history once (`git log --name-only`), not one process per file. A shallow clone
/// gives incomplete dates, so the signal is skipped with a warning rather than guessed.
pub fn git_changes(src: &Path) -> GitChanges {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(src)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
    };
    let skip = |why: &str| GitChanges { warning: Some(why.to_owned()), ..GitChanges::default() };
    let Some(prefix) = git(&["rev-parse", "--show-prefix"]) else {
        return skip(
            "`[freshness] git = true`, but the source folder is not in a git repository; the git signal is skipped",
        );
    };
    if git(&["rev-parse", "--is-shallow-repository"]).is_some_and(|s| s.trim() == "true") {
        return skip(
            "this is a shallow git clone, so file history is incomplete; \"changed since verified\" is skipped (fetch with `--unshallow` to enable it)",
        );
    }
    let Some(log) = git(&["log", "--format=%x00%cs", "--name-only", "--no-renames", "--", "."]) else {
        return skip("`git log` failed; the git signal is skipped");
    };
    let mut last_change = HashMap::new();
    let mut date = None;
    for line in log.lines() {
        if let Some(d) = line.strip_prefix('\0') {
            date = d.parse::<Date>().ok();
        } else if let (Some(d), false) = (date, line.is_empty()) {
            // Newest commits come first: the first date seen for a file is its last change.
            last_change.entry(line.to_owned()).or_insert(d);
        }
    }
    GitChanges { last_change, prefix: prefix.trim().to_owned(), warning: None }
}

/// Marks pages whose file changed after `last_verified`.
pub fn apply_git(pages: &[Page], list: &mut [Freshness], git: &GitChanges) {
    for (page, f) in pages.iter().zip(list) {
        let path = format!("{}{}", git.prefix, page.source.rel);
        if let (Some(changed), Some(verified)) = (git.last_change.get(&path), f.last_verified) {
            f.changed_since_verified = *changed > verified;
        }
    }
}

/// Computes every page's freshness into [`Site::freshness`], reading git once when configured.
pub fn apply(site: &mut Site, config: &SiteConfig, today: Date) -> Vec<Diagnostic> {
    let (mut list, mut diags) = assess(&site.pages, &config.freshness, today);
    if config.freshness.git {
        let git = git_changes(&config.src);
        match &git.warning {
            Some(warning) => diags.push(Diagnostic::warning(warning.clone())),
            None => apply_git(&site.pages, &mut list, &git),
        }
    }
    stalest_step(site, &mut list);
    site.freshness = list;
    diags.extend(super::coverage::assess(site, config));
    diags
}

/// An onboarding path is only as fresh as its stalest step: a path with a stale step page is
/// stale itself, with the step named as the reason.
fn stalest_step(site: &Site, list: &mut [Freshness]) {
    for path in &site.paths.paths {
        let stale_step = path.steps.iter().find_map(|step| match step.kind {
            super::paths::StepKind::Page(p) if list[p].state == State::Stale => Some(p),
            _ => None,
        });
        if let Some(p) = stale_step {
            let f = &mut list[path.page];
            if f.state != State::Stale {
                f.state = State::Stale;
                f.outdated = Some(format!("its step “{}” is stale", site.pages[p].title));
            }
        }
    }
}

#[cfg(test)]
mod tests;
