//! The summary printed after the details when a run finds many problems (issue 15): counts by
//! kind, the files with the most problems, and the one line of `[check]` config that turns a
//! kind of error into warnings. Text only: the `json`, `github` and `markdown` formats stay one
//! entry per diagnostic, for scripts and annotations.
//!
//! A kind is a message with its quoted parts left out ([`diag::kind_of`]), so 378 broken links
//! to different files are one kind.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use crate::diag::{self, Diagnostic, Severity, escape};

/// More problems than this get a summary.
pub const SUMMARY_THRESHOLD: usize = 20;

/// How many files the summary names.
const TOP_FILES: usize = 5;

/// The `[check]` setting that makes errors of a kind warnings, by the start of its message.
const TO_WARNINGS: &[(&str, &str, &str)] = &[
    ("broken link:", "broken links and anchors", "[check] broken-links = \"warn\""),
    (
        "runbook has no",
        "runbooks without an owner or a Mitigation section",
        "[check] runbook-sections = \"warn\"",
    ),
    (
        "unknown key `…` in front matter",
        "unknown front-matter keys",
        "[check] strict-front-matter = false (and no `--strict`)",
    ),
];

/// The summary of `diags` when there are more than [`SUMMARY_THRESHOLD`], else `None`. Ends
/// with a newline.
pub fn summary(diags: &[&Diagnostic]) -> Option<String> {
    if diags.len() <= SUMMARY_THRESHOLD {
        return None;
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let mut out = format!(
        "summary of {} problems ({}, {}):\n",
        diags.len(),
        plural(errors, "error"),
        plural(warnings, "warning")
    );
    out.push_str("  by kind:\n");
    for ((severity, kind), n) in by_kind(diags) {
        let _ = writeln!(out, "    {n:>6}  {:<8} {}", severity.label(), escape(&kind));
    }
    let files = top_files(diags);
    if !files.is_empty() {
        out.push_str("  files with the most problems:\n");
        for (path, n) in files {
            let _ = writeln!(out, "    {n:>6}  {}", escape(&path.display().to_string()));
        }
    }
    for (what, line) in to_warnings(diags) {
        let _ = writeln!(out, "  = hint: to report {what} as warnings: {line}");
    }
    Some(out)
}

/// Kinds, most frequent first (then errors first, then by text).
fn by_kind(diags: &[&Diagnostic]) -> Vec<((Severity, String), usize)> {
    let mut counts: HashMap<(Severity, String), usize> = HashMap::new();
    for d in diags {
        *counts.entry(diag::kind_of(d)).or_default() += 1;
    }
    let mut list: Vec<_> = counts.into_iter().collect();
    list.sort_by(|(ka, a), (kb, b)| b.cmp(a).then_with(|| ka.cmp(kb)));
    list
}

/// The files with the most problems, most first (then by path).
fn top_files<'a>(diags: &[&'a Diagnostic]) -> Vec<(&'a Path, usize)> {
    let mut counts: HashMap<&Path, usize> = HashMap::new();
    for d in diags {
        if let Some(span) = &d.span {
            *counts.entry(span.path.as_path()).or_default() += 1;
        }
    }
    let mut list: Vec<_> = counts.into_iter().collect();
    list.sort_by(|(pa, a), (pb, b)| b.cmp(a).then_with(|| pa.cmp(pb)));
    list.truncate(TOP_FILES);
    list
}

/// The config lines that would turn the run's errors into warnings, each once.
fn to_warnings(diags: &[&Diagnostic]) -> Vec<(&'static str, &'static str)> {
    TO_WARNINGS
        .iter()
        .filter(|(start, _, _)| diags.iter().any(|d| d.is_error() && diag::kind_of(d).1.starts_with(start)))
        .map(|(_, what, line)| (*what, *line))
        .collect()
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_15_no_summary_for_a_few_problems() {
        let diags: Vec<Diagnostic> = (0..SUMMARY_THRESHOLD)
            .map(|i| Diagnostic::error(format!("broken link: `{i}.md` does not exist")))
            .collect();
        let refs: Vec<&Diagnostic> = diags.iter().collect();
        assert_eq!(summary(&refs), None);
    }

    #[test]
    fn issue_15_summary_counts_kinds_and_files() {
        let at = |d: Diagnostic, file: &str| d.at(Path::new(file), 1, 1);
        let mut diags = Vec::new();
        for i in 0..15 {
            diags.push(at(Diagnostic::error(format!("broken link: `{i}.md` does not exist")), "src/a.md"));
        }
        for i in 0..4 {
            diags.push(at(
                Diagnostic::error(format!("broken link: `b.md` has no heading `#h{i}`")),
                "src/b.md",
            ));
        }
        diags.push(at(Diagnostic::warning("unknown key `ownr` in front matter"), "src/c.md"));
        diags.push(at(Diagnostic::warning("unknown key `tgas` in front matter"), "src/a.md"));
        let refs: Vec<&Diagnostic> = diags.iter().collect();
        assert_eq!(
            summary(&refs).unwrap(),
            "summary of 21 problems (19 errors, 2 warnings):
  by kind:
        15  error    broken link: `…` does not exist
         4  error    broken link: `…` has no heading `…`
         2  warning  unknown key `…` in front matter
  files with the most problems:
        16  src/a.md
         4  src/b.md
         1  src/c.md
  = hint: to report broken links and anchors as warnings: [check] broken-links = \"warn\"
"
        );
    }
}
