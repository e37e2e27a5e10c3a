//! The `[alerts]` table of `book.toml`: which files hold the team's alert rules, which
//! annotation carries the runbook link, which alerts page someone, and which to ignore; and the
//! two `[check]` keys that say how strict alert coverage is (`alert-coverage`, `alert-links`).
//!
//! Validation only: the rule files are read by [`crate::alerts`] and matched to runbooks by
//! [`crate::site::coverage`]. Rule files are input, not configuration (whoever opens a pull
//! request can change them), so every `rules` pattern must stay inside the content root, as
//! includes must (DESIGN.md, Trust model).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::content_root::ContentRoot;
use crate::diag::Diagnostic;

/// `[alerts]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct RawAlerts {
    /// Globs of rule files, relative to the folder of `book.toml`.
    pub rules: Option<Vec<String>>,
    /// Annotations that hold the runbook link, first found wins.
    pub url_annotations: Option<Vec<String>>,
    /// Label → values: an alert pages when one of its labels has one of the values.
    pub paging: Option<BTreeMap<String, Vec<String>>>,
    /// Alert names that need no runbook.
    pub ignore: Option<Vec<String>>,
}

/// The validated `[alerts]` table (with the two `[check]` keys about alerts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertsConfig {
    /// Rule file globs as written, relative to [`AlertsConfig::base`]. Empty: no rules are read
    /// (alerts come from runbook front matter only, and nothing is an orphan).
    pub rules: Vec<String>,
    /// The folder the globs are relative to (the folder of `book.toml`).
    pub base: PathBuf,
    /// Annotations that hold the runbook link (default `runbook_url`, `runbook`, `playbook`).
    pub url_annotations: Vec<String>,
    /// Label → values that make an alert page (default `severity` in `critical`, `page`).
    pub paging: BTreeMap<String, Vec<String>>,
    /// Alert names that need no runbook (default `Watchdog`, `InfoInhibitor`).
    pub ignore: Vec<String>,
    /// A paging alert without a runbook fails the build (`[check] alert-coverage`, default).
    pub coverage_is_error: bool,
    /// A runbook link that resolves to nothing fails the build (`[check] alert-links`, default).
    pub links_are_errors: bool,
    /// The line of `rules` in `book.toml` (1 when not written).
    pub rules_line: usize,
    /// `book.toml` as shown in messages, and its text (for warnings found later).
    pub config_path: PathBuf,
    /// The config text.
    pub config_text: String,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        let owned = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        Self {
            rules: Vec::new(),
            base: PathBuf::new(),
            url_annotations: owned(&["runbook_url", "runbook", "playbook"]),
            paging: BTreeMap::from([("severity".to_owned(), owned(&["critical", "page"]))]),
            ignore: owned(&["Watchdog", "InfoInhibitor"]),
            coverage_is_error: true,
            links_are_errors: true,
            rules_line: 1,
            config_path: PathBuf::from(super::CONFIG_FILE),
            config_text: String::new(),
        }
    }
}

impl AlertsConfig {
    /// Whether an alert with these labels pages someone: one of its labels has one of the
    /// values `paging` lists for it (compared without regard to case).
    pub fn pages<'a>(&self, mut label: impl FnMut(&str) -> Option<&'a str>) -> bool {
        self.paging.iter().any(|(key, values)| {
            label(key).is_some_and(|v| values.iter().any(|want| want.eq_ignore_ascii_case(v.trim())))
        })
    }

    /// Whether `name` is ignored (compared without regard to case, as all alert matching is).
    pub fn ignores(&self, name: &str) -> bool {
        self.ignore.iter().any(|i| i.eq_ignore_ascii_case(name))
    }
}

/// What `compute` needs to report a bad value at its line of `book.toml`.
pub(super) struct Place<'a> {
    /// The config text.
    pub(super) text: &'a str,
    /// `book.toml` as shown.
    pub(super) shown: &'a Path,
}

/// Validates `[alerts]` and the `[check]` keys `alert-coverage` and `alert-links`.
pub(super) fn compute(
    raw: RawAlerts,
    check: &super::RawCheck,
    root: &Path,
    at: &Place<'_>,
    diags: &mut Vec<Diagnostic>,
) -> AlertsConfig {
    let rules = raw.rules.unwrap_or_default();
    let rules_line = super::key_line(at.text, "rules");
    check_syntax("rules", &rules, at, diags);
    let defaults = AlertsConfig::default();
    let mut error = |key: &str, message: String, hint: &str| {
        let line = super::key_line(at.text, key);
        let col = super::value_col(at.text, line);
        diags.push(Diagnostic::error(message).at_text(at.shown, at.text, line, col).hint(hint));
    };
    let mut level = |key: &str, value: Option<&str>| match value {
        None | Some("error") => true,
        Some("warn") => false,
        Some(other) => {
            error(key, format!("unknown `{key}` value `{other}`"), "expected `error` or `warn`");
            true
        }
    };
    let coverage_is_error = level("alert-coverage", check.alert_coverage.as_deref());
    let links_are_errors = level("alert-links", check.alert_links.as_deref());
    let url_annotations = raw.url_annotations.unwrap_or(defaults.url_annotations);
    if url_annotations.iter().any(|a| a.trim().is_empty()) {
        error(
            "url-annotations",
            "`url-annotations` names an empty annotation".to_owned(),
            "list annotation names, e.g. `[\"runbook_url\"]`",
        );
    }
    AlertsConfig {
        rules,
        base: root.to_path_buf(),
        url_annotations,
        paging: raw.paging.unwrap_or(defaults.paging),
        ignore: raw.ignore.unwrap_or(defaults.ignore),
        coverage_is_error,
        links_are_errors,
        rules_line,
        config_path: at.shown.to_path_buf(),
        config_text: at.text.to_owned(),
    }
}

/// The folder a glob starts from: its components before the first one with a glob character.
pub fn literal_prefix(pattern: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for part in pattern.split('/') {
        if part.contains(['*', '?', '[', '{']) {
            break;
        }
        out.push(if part.is_empty() && out.as_os_str().is_empty() { "/" } else { part });
    }
    out
}

/// Each `rules` pattern must stay inside the content root and out of `.git`: rule files are
/// input, read with the same containment as includes. (Called once `extra-roots` is known.)
pub(super) fn check_roots(
    alerts: &AlertsConfig,
    root: &ContentRoot,
    at: &Place<'_>,
    diags: &mut Vec<Diagnostic>,
) {
    let globs = Globs { key: "rules", patterns: &alerts.rules, line: alerts.rules_line, noun: "rule files" };
    check_patterns(&globs, &alerts.base, root, at, diags);
}

/// A list of input globs in `book.toml` (`[alerts] rules`, `[services] catalog`), for
/// [`check_patterns`].
pub(super) struct Globs<'a> {
    /// The key (`rules`).
    pub(super) key: &'a str,
    /// The patterns.
    pub(super) patterns: &'a [String],
    /// The line of the key in `book.toml`.
    pub(super) line: usize,
    /// What the files are, for hints (`rule files`).
    pub(super) noun: &'a str,
}

/// Each pattern of `globs` must stay inside the content root and out of `.git`.
pub(super) fn check_patterns(
    globs: &Globs<'_>,
    base: &Path,
    root: &ContentRoot,
    at: &Place<'_>,
    diags: &mut Vec<Diagnostic>,
) {
    let key = globs.key;
    for pattern in globs.patterns {
        // `check` resolves `..` by name, so a folder that does not exist yet is judged too.
        let folder = base.join(literal_prefix(pattern));
        let (message, hint) = match root.check(&folder) {
            Ok(_) => continue,
            Err(super::Refusal::InGit(path)) => (
                format!(
                    "`{key}` pattern `{pattern}` reads from `{}`, inside a `.git` folder",
                    super::display_path(&path).display()
                ),
                "lore never reads from `.git`: it may hold credentials".to_owned(),
            ),
            Err(super::Refusal::Outside(_)) => (
                format!("`{key}` pattern `{pattern}` reads from outside the content root"),
                format!(
                    "{} are read from {} only; list other folders in `extra-roots` of `[build]` in `book.toml`",
                    globs.noun,
                    root.describe()
                ),
            ),
        };
        let line = globs.line;
        let col = pattern_col(at.text, line, pattern);
        diags.push(Diagnostic::error(message).at_text(at.shown, at.text, line, col).hint(hint));
    }
}

/// An error for each pattern of `key` that is not a glob.
pub(super) fn check_syntax(key: &str, patterns: &[String], at: &Place<'_>, diags: &mut Vec<Diagnostic>) {
    let line = super::key_line(at.text, key);
    for pattern in patterns {
        if let Err(e) = globset::Glob::new(pattern) {
            let col = pattern_col(at.text, line, pattern);
            diags.push(
                Diagnostic::error(format!("invalid pattern `{pattern}` in `{key}`: {}", e.kind()))
                    .at_text(at.shown, at.text, line, col)
                    .hint("write a glob such as `monitoring/**/*.yml`"),
            );
        }
    }
}

/// The column of `pattern` on line `line` (1 when it is written elsewhere).
fn pattern_col(text: &str, line: usize, pattern: &str) -> usize {
    let text = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
    text.find(pattern).map_or(1, |c| text[..c].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_prefixes() {
        assert_eq!(literal_prefix("monitoring/rules/**/*.yml"), PathBuf::from("monitoring/rules"));
        assert_eq!(
            literal_prefix("deploy/prometheus-rules.yaml"),
            PathBuf::from("deploy/prometheus-rules.yaml")
        );
        assert_eq!(literal_prefix("*.yml"), PathBuf::new());
        assert_eq!(literal_prefix("../ops/*.yml"), PathBuf::from("../ops"));
        assert_eq!(literal_prefix("/etc/*.yml"), PathBuf::from("/etc"));
    }

    #[test]
    fn paging_matches_any_listed_label_without_case() {
        let c = AlertsConfig::default();
        assert!(c.pages(|k| (k == "severity").then_some("Critical")));
        assert!(!c.pages(|k| (k == "severity").then_some("warning")));
        assert!(!c.pages(|_| None));
        assert!(c.ignores("watchdog"));
    }
}
