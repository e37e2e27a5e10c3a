//! Renderings of a [`FreshnessReport`]: a terminal summary, JSON, GitHub Actions annotations and
//! a per-owner markdown checklist.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{Entry, FreshnessReport, describe};
use crate::diag::escape;
use crate::site::freshness::State;

/// An output format of `lore check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A summary and one line per page needing review.
    Human,
    /// The `freshness.json` schema.
    Json,
    /// `::warning`/`::error` workflow commands, shown inline in pull requests.
    Github,
    /// A per-owner checklist to paste into an issue.
    Markdown,
}

/// Renders the report; `fails` tells which states fail the run (annotated as errors).
pub fn render(report: &FreshnessReport, format: Format, fails: &dyn Fn(State) -> bool) -> String {
    match format {
        Format::Human => human(report),
        Format::Json => {
            let mut text = serde_json::to_string_pretty(report).expect("the report is plain data");
            text.push('\n');
            text
        }
        Format::Github => github(report, fails),
        Format::Markdown => markdown(report),
    }
}

fn human(report: &FreshnessReport) -> String {
    let mut out = format!("freshness on {}: {}\n", report.today, report.counts.summary());
    let rows: Vec<(&Entry, String)> = report
        .attention()
        .into_iter()
        .map(|e| (e, format!("{}:{}", escape(&e.shown.display().to_string()), e.line)))
        .collect();
    let width = rows.iter().map(|(_, p)| p.chars().count()).max().unwrap_or(0);
    for (e, place) in rows {
        let owner =
            e.owner.as_deref().map_or_else(|| "no owner".to_owned(), |o| format!("owner: {}", escape(o)));
        let label = e.state.label().to_lowercase();
        let _ = writeln!(out, "  {label:<10}  {place:<width$}  {} · {owner}", escape(&describe(e)));
    }
    out
}

fn github(report: &FreshnessReport, fails: &dyn Fn(State) -> bool) -> String {
    let mut out = String::new();
    for e in report.attention() {
        let level = if fails(e.state) { "error" } else { "warning" };
        let owner = e.owner.as_deref().map_or_else(String::new, |o| format!(" · owner: {o}"));
        let _ = writeln!(
            out,
            "::{level} file={},line={},title={}::{}",
            property(&e.shown.display().to_string()),
            e.line,
            property(&format!("{} page", e.state.label())),
            data(&format!("{}: {}{owner}", e.title, describe(e))),
        );
    }
    let _ = writeln!(out, "::notice title=Freshness::{}", data(&report.counts.summary()));
    out
}

/// Escapes a workflow-command message as GitHub reads it (`%`, CR and LF as `%25`, `%0D`,
/// `%0A`), and any other control character as the terminal output does (`\x1b`): a page cannot
/// end an annotation early or colour the log.
pub(super) fn data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push_str(&escape(c.encode_utf8(&mut [0; 4]))),
        }
    }
    out
}

/// Escapes a workflow-command property value: as [`data`], and `:` and `,` too.
pub(super) fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

fn markdown(report: &FreshnessReport) -> String {
    let mut out = format!("## Docs to review ({})\n\n{}\n", report.today, report.counts.summary());
    let mut owners: BTreeMap<Option<&str>, Vec<&Entry>> = BTreeMap::new();
    for e in report.attention() {
        owners.entry(e.owner.as_deref()).or_default().push(e);
    }
    // `None` sorts first in a BTreeMap; pages without an owner go last.
    let mut groups: Vec<_> = owners.into_iter().collect();
    let unowned_first = groups.first().is_some_and(|(o, _)| o.is_none());
    groups.rotate_left(usize::from(unowned_first));
    if groups.is_empty() {
        out.push_str("\nNothing to review.\n");
    }
    for (owner, entries) in groups {
        let _ = write!(out, "\n### {}\n\n", escape(owner.unwrap_or("No owner")));
        for e in entries {
            let _ = writeln!(
                out,
                "- [ ] **{}** (`{}`): {}, {}",
                escape(&e.title).replace('*', "\\*"),
                escape(&e.shown.display().to_string()),
                e.state.label().to_lowercase(),
                escape(&describe(e))
            );
        }
    }
    out
}
