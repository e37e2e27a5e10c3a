//! Runbooks: their header fields (`service`, `severity`, `alerts`, `dashboards`, `escalation`)
//! and the alert → runbook map behind the stable `alerts/<AlertName>/` URLs and `alerts.json`.
//!
//! Input: the site's pages of kind `runbook`. Problems found here: a field of the wrong shape,
//! an alert claimed by two runbooks (an error naming both), and a runbook without an owner or
//! a Mitigation section (a warning, or an error with `[check] runbook-sections = "error"`).

use std::collections::BTreeMap;

use serde_json::Value;

use super::Site;
use super::fields::Fields;
use crate::content::{Kind, Page};
use crate::diag::Diagnostic;

/// A dashboard link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    /// Link text.
    pub title: String,
    /// URL.
    pub url: String,
}

/// The runbook fields of one page.
#[derive(Debug, Clone, Default)]
pub struct Runbook {
    /// Index into [`Site::pages`].
    pub page: usize,
    /// `service`
    pub service: Option<String>,
    /// `severity`
    pub severity: Option<String>,
    /// `alerts`
    pub alerts: Vec<String>,
    /// `dashboards`
    pub dashboards: Vec<Dashboard>,
    /// `escalation`, as (label, value): channel, pager and timing first, then the rest A–Z.
    pub escalation: Vec<(String, String)>,
}

/// Every runbook and alert of the site.
#[derive(Debug, Clone, Default)]
pub struct Runbooks {
    /// The runbooks, in source order.
    pub runbooks: Vec<Runbook>,
    /// Page index → index in `runbooks`.
    pub by_page: BTreeMap<usize, usize>,
    /// Alert name → page index of its runbook, A–Z.
    pub alerts: BTreeMap<String, usize>,
    /// URLs of the folders that hold runbooks directly (`runbooks/`).
    pub folders: std::collections::BTreeSet<String>,
}

/// Reads every runbook's fields and builds the alert map.
pub fn build(site: &Site, sections_are_errors: bool) -> (Runbooks, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut out = Runbooks::default();
    for (i, page) in site.pages.iter().enumerate() {
        if page.kind != Kind::Runbook {
            continue;
        }
        let mut reader = Fields { page, diags: &mut diags };
        let runbook = reader.read(i);
        let alerts_line = reader.line_of("alerts");
        for alert in &runbook.alerts {
            if let Some(&other) = out.alerts.get(alert) {
                let line = alerts_line;
                let col = col_in_line(&page.text, line, alert);
                diags.push(
                    Diagnostic::error(format!(
                        "alert `{alert}` is claimed by both `{}` and `{}`",
                        site.pages[other].source.rel, page.source.rel
                    ))
                    .at_text(&page.source.shown, &page.text, line, col)
                    .hint("an alert leads to one runbook: remove it from one of them"),
                );
            } else {
                out.alerts.insert(alert.clone(), i);
            }
        }
        check_sections(page, sections_are_errors, &mut diags);
        let url = &site.urls[i];
        let parent = url.trim_end_matches('/').rsplit_once('/').map_or("", |(p, _)| p);
        out.folders.insert(if parent.is_empty() { String::new() } else { format!("{parent}/") });
        out.by_page.insert(i, out.runbooks.len());
        out.runbooks.push(runbook);
    }
    (out, diags)
}

/// The line of `alerts:` in a runbook's front matter (1 when not written).
pub fn alerts_line(page: &Page) -> usize {
    Fields { page, diags: &mut Vec::new() }.line_of("alerts")
}

/// An alert name is a URL path segment: letters, digits, `_`, `-`, `.` and `:`.
fn valid_alert(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
}

/// Owner and Mitigation: the two things a reader at 3 a.m. needs.
fn check_sections(page: &Page, as_errors: bool, diags: &mut Vec<Diagnostic>) {
    let make = |m: String| if as_errors { Diagnostic::error(m) } else { Diagnostic::warning(m) };
    if page.meta.owner.is_none() {
        diags.push(
            make("runbook has no `owner`".to_owned())
                .at_text(&page.source.shown, &page.text, 1, 1)
                .hint("add `owner: <team>` to the front matter so the reader knows whom to call"),
        );
    }
    let has_mitigation = page.body().lines().any(|l| {
        let t = l.trim_start();
        t.starts_with('#') && t.trim_start_matches('#').trim().to_ascii_lowercase().starts_with("mitigation")
    });
    if !has_mitigation {
        diags.push(
            make("runbook has no Mitigation section".to_owned())
                .at_text(&page.source.shown, &page.text, page.body_line, 1)
                .hint("add a `## Mitigation` section with the steps that stop the bleeding"),
        );
    }
}

fn col_in_line(text: &str, line: usize, needle: &str) -> usize {
    let l = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
    l.find(needle).map_or(1, |i| l[..i].chars().count() + 1)
}

impl Fields<'_> {
    fn read(&mut self, page_index: usize) -> Runbook {
        let fields = &self.page.meta.fields;
        let mut rb = Runbook { page: page_index, ..Runbook::default() };
        rb.service = fields.get("service").and_then(|v| self.text("service", v, "checkout-api"));
        rb.severity = fields.get("severity").and_then(|v| self.text("severity", v, "critical"));
        if let Some(v) = fields.get("alerts") {
            rb.alerts = self.alerts(v);
        }
        if let Some(v) = fields.get("dashboards") {
            rb.dashboards = self.dashboards(v);
        }
        if let Some(v) = fields.get("escalation") {
            rb.escalation = self.escalation(v);
        }
        rb
    }

    fn alerts(&mut self, value: &Value) -> Vec<String> {
        let names = self.names("alerts", value, "alert names", "write e.g. `alerts: [DiskAlmostFull]`");
        let mut out = Vec::new();
        for name in names {
            if valid_alert(&name) {
                if !out.contains(&name) {
                    out.push(name);
                }
            } else {
                self.error(
                    "alerts",
                    format!("alert name `{name}` cannot be part of a URL"),
                    "use the alert's name as your alerting system has it: letters, digits, `_`, `-`, `.`, `:`",
                );
            }
        }
        out
    }

    fn dashboards(&mut self, value: &Value) -> Vec<Dashboard> {
        let hint = "write a list of `- title: …` and `url: …` pairs";
        match value {
            Value::Array(items) => items
                .iter()
                .filter_map(|item| match item {
                    Value::String(url) => Some(Dashboard { title: url.clone(), url: url.clone() }),
                    Value::Object(map) => {
                        let url = map.get("url").and_then(Value::as_str);
                        let title = map.get("title").and_then(Value::as_str);
                        match (title, url) {
                            (t, Some(u)) => {
                                Some(Dashboard { title: t.unwrap_or(u).to_owned(), url: u.to_owned() })
                            }
                            _ => {
                                self.error("dashboards", "a dashboard needs a `url`".to_owned(), hint);
                                None
                            }
                        }
                    }
                    _ => {
                        self.error("dashboards", "`dashboards` must be a list of links".to_owned(), hint);
                        None
                    }
                })
                .collect(),
            Value::Object(map) => map
                .iter()
                .filter_map(|(t, u)| u.as_str().map(|u| Dashboard { title: t.clone(), url: u.to_owned() }))
                .collect(),
            Value::String(url) => vec![Dashboard { title: url.clone(), url: url.clone() }],
            Value::Null => Vec::new(),
            _ => {
                self.error("dashboards", "`dashboards` must be a list of links".to_owned(), hint);
                Vec::new()
            }
        }
    }

    fn escalation(&mut self, value: &Value) -> Vec<(String, String)> {
        let show = |v: &Value| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match value {
            Value::Object(map) => {
                // Front matter maps come back sorted; show the order a responder acts in.
                const FIRST: [&str; 6] =
                    ["channel", "slack", "pager", "pager_service", "after", "escalate_after"];
                let rank = |k: &str| FIRST.iter().position(|f| *f == k).unwrap_or(FIRST.len());
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by_key(|(k, _)| rank(k));
                entries.into_iter().map(|(k, v)| (label(k), show(v))).collect()
            }
            Value::String(s) => vec![("Contact".to_owned(), s.clone())],
            Value::Array(items) => items.iter().map(|v| ("Contact".to_owned(), show(v))).collect(),
            Value::Null => Vec::new(),
            other => vec![("Contact".to_owned(), show(other))],
        }
    }
}

/// `pager_service` → "Pager service".
fn label(key: &str) -> String {
    let words = key.replace(['_', '-'], " ");
    let mut chars = words.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}
