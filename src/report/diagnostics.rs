//! The diagnostics of a `lore check` run in its CI formats, next to the freshness report on
//! stdout. (Stderr always gets them compiler-style, see [`crate::diag`].)
//!
//! - `github`: one `::error`/`::warning` workflow command per diagnostic, at its file, line and
//!   column, so pull requests show them inline.
//! - `markdown`: a "Problems" list under the checklist.
//! - `json`: a `diagnostics` array with every entry (no cap: scripts count and filter).
//!
//! The human, GitHub and markdown forms show at most [`SHOWN_PER_KIND`] diagnostics of one
//! kind per file and then one "and N more like this" line, exactly as stderr does.
//!
//! [`SHOWN_PER_KIND`]: crate::diag::SHOWN_PER_KIND

use std::fmt::Write as _;

use serde::Serialize;

use super::format::{data, property};
use crate::diag::{self, Diagnostic, Shown, escape};

/// One diagnostic in `--format json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiagnosticJson {
    /// `error` or `warning`.
    pub severity: &'static str,
    /// The message.
    pub message: String,
    /// The file, as shown in the terminal; none for a problem without a place.
    pub file: Option<String>,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column, in characters.
    pub col: Option<usize>,
    /// How to fix it.
    pub hint: Option<String>,
}

impl DiagnosticJson {
    /// Every diagnostic, in order.
    pub fn all(diags: &[Diagnostic]) -> Vec<Self> {
        diags
            .iter()
            .map(|d| Self {
                severity: d.severity.label(),
                message: d.message.clone(),
                file: d.span.as_ref().map(|s| s.path.display().to_string()),
                line: d.span.as_ref().map(|s| s.line),
                col: d.span.as_ref().map(|s| s.col),
                hint: d.hint.clone(),
            })
            .collect()
    }
}

/// Workflow commands, one per shown diagnostic.
pub(super) fn github(diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for shown in diag::capped(diags) {
        let (d, message) = match shown {
            Shown::Diagnostic(d) => {
                let hint = d.hint.as_deref().map_or_else(String::new, |h| format!("\n= hint: {h}"));
                (d, format!("{}{hint}", d.message))
            }
            Shown::More { like, count } => (like, format!("and {count} more like this")),
        };
        let _ = write!(out, "::{}", d.severity.label());
        if let Some(span) = &d.span {
            let _ = write!(out, " file={}", property(&span.path.display().to_string()));
            if let Shown::Diagnostic(_) = shown {
                let _ = write!(out, ",line={},col={}", span.line, span.col);
            }
        }
        let _ = writeln!(out, "::{}", data(&message));
    }
    out
}

/// A "Problems" section: one list item per shown diagnostic.
pub(super) fn markdown(diags: &[Diagnostic]) -> String {
    if diags.is_empty() {
        return String::new();
    }
    let mut out = String::from("\n## Problems\n\n");
    for shown in diag::capped(diags) {
        let (d, place, message) = match shown {
            Shown::Diagnostic(d) => {
                let place = d.span.as_ref().map(|s| format!("{}:{}:{}", s.path.display(), s.line, s.col));
                (d, place, d.message.clone())
            }
            Shown::More { like, count } => {
                let place = like.span.as_ref().map(|s| s.path.display().to_string());
                (like, place, format!("and {count} more like this"))
            }
        };
        let place = place.map_or_else(String::new, |p| format!("`{}` ", escape(&p)));
        let _ = writeln!(out, "- {place}{}: {}", d.severity.label(), escape(&message));
    }
    out
}
