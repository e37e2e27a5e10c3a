//! The `[freshness]` table of `book.toml`: review intervals (site default, per kind, per
//! folder), the due-soon window, whether unverified pages count as stale, what fails `check`,
//! and the optional git signal.
//!
//! Validation only: states are computed by [`crate::site::freshness`].

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::{Kind, ReviewInterval};
use crate::diag::Diagnostic;

/// `[freshness]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct RawFreshness {
    /// Interval of pages no other rule covers (default `never`).
    pub default: Option<String>,
    /// Window before the due date in which a page is "due soon" (default `14 days`).
    pub due_soon: Option<String>,
    /// Count unverified pages as stale for `--fail-on` (default false).
    pub unverified_is_stale: Option<bool>,
    /// Default of `check --fail-on` (default `stale`).
    pub fail_on: Option<String>,
    /// Mark pages whose file changed in git after `last_verified`.
    pub git: Option<bool>,
    /// A link shown as "how to verify" in banners.
    pub how_to_verify: Option<String>,
    /// `[freshness.kinds]`: interval per kind.
    pub kinds: BTreeMap<String, String>,
    /// `[freshness.folders]`: interval per folder of the source folder.
    pub folders: BTreeMap<String, String>,
}

/// Which states make `lore check` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// Never fail on freshness.
    Never,
    /// Fail on stale pages (and unverified ones when `unverified-is-stale`).
    Stale,
    /// Fail on stale or unverified pages.
    Unverified,
    /// Fail on stale and due-soon pages (and unverified ones when `unverified-is-stale`).
    DueSoon,
}

impl FailOn {
    /// Parses `never`, `stale`, `unverified` or `due-soon`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "never" => Some(Self::Never),
            "stale" => Some(Self::Stale),
            "unverified" => Some(Self::Unverified),
            "due-soon" => Some(Self::DueSoon),
            _ => None,
        }
    }

    /// The name as written.
    pub fn name(self) -> &'static str {
        match self {
            Self::Never => "never",
            Self::Stale => "stale",
            Self::Unverified => "unverified",
            Self::DueSoon => "due-soon",
        }
    }
}

/// A folder rule with the line it was written on (for the "matches nothing" warning).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderRule {
    /// Folder relative to the source folder, `/`-separated, no trailing `/`.
    pub folder: String,
    /// Its interval.
    pub interval: ReviewInterval,
    /// Line of the key in `book.toml`.
    pub line: usize,
}

/// The validated `[freshness]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreshnessConfig {
    /// Interval when nothing else applies.
    pub default: ReviewInterval,
    /// Per-kind intervals (built-in: runbooks 90 days, onboarding 180 days, ADRs never).
    pub kinds: BTreeMap<Kind, ReviewInterval>,
    /// Per-folder intervals, longest folder first so the nearest wins.
    pub folders: Vec<FolderRule>,
    /// The due-soon window.
    pub due_soon: ReviewInterval,
    /// Unverified counts as stale for `--fail-on`.
    pub unverified_is_stale: bool,
    /// Default `--fail-on`.
    pub fail_on: FailOn,
    /// Read git history for "changed since verified".
    pub git: bool,
    /// "How to verify" link.
    pub how_to_verify: Option<String>,
    /// `book.toml` as shown in messages, and its text (for warnings found later).
    pub config_path: std::path::PathBuf,
    /// The config text.
    pub config_text: String,
}

impl Default for FreshnessConfig {
    fn default() -> Self {
        Self {
            default: ReviewInterval::Never,
            kinds: default_kinds(),
            folders: Vec::new(),
            due_soon: ReviewInterval::Days(14),
            unverified_is_stale: false,
            fail_on: FailOn::Stale,
            git: false,
            how_to_verify: None,
            config_path: std::path::PathBuf::from("book.toml"),
            config_text: String::new(),
        }
    }
}

fn default_kinds() -> BTreeMap<Kind, ReviewInterval> {
    BTreeMap::from([
        (Kind::Runbook, ReviewInterval::Days(90)),
        (Kind::Onboarding, ReviewInterval::Days(180)),
        (Kind::Adr, ReviewInterval::Never),
        // On-call, owner and dependencies drift: a service page is reviewed twice a year.
        (Kind::Service, ReviewInterval::Days(180)),
    ])
}

/// Validates `[freshness]`, pushing one error per bad value.
pub(super) fn compute(
    raw: RawFreshness,
    text: &str,
    shown: &Path,
    diags: &mut Vec<Diagnostic>,
) -> FreshnessConfig {
    let mut value_diags = Vec::new();
    // Interval problems point at the value; an unknown kind or `fail-on` at its key.
    let mut error = |key: &str, message: String, hint: &str| {
        let line = table_key_line(text, key);
        diags.push(Diagnostic::error(message).at_text(shown, text, line, 1).hint(hint));
    };
    let mut value_error = |line: usize, message: String, hint: &str| {
        let col = super::value_col(text, line);
        value_diags.push(Diagnostic::error(message).at_text(shown, text, line, col).hint(hint));
    };
    let mut interval = |line: usize, key: &str, value: &str| {
        ReviewInterval::parse(value)
            .map_err(|err| {
                let (message, hint) = err.describe(key, value);
                value_error(line, message, &hint);
            })
            .ok()
    };
    let mut config = FreshnessConfig::default();
    if let Some(v) = &raw.default {
        config.default = interval(table_key_line(text, "default"), "default", v).unwrap_or(config.default);
    }
    if let Some(v) = &raw.due_soon {
        config.due_soon =
            interval(table_key_line(text, "due-soon"), "due-soon", v).unwrap_or(config.due_soon);
    }
    // Which key set each kind, to refuse two names of one kind (`adr` and `decision`).
    let mut set_by: BTreeMap<Kind, &str> = BTreeMap::new();
    for (name, value) in &raw.kinds {
        let Some(kind) = Kind::parse(name) else {
            error(
                name,
                format!("unknown kind `{name}` in `[freshness.kinds]`"),
                "expected `page`, `runbook`, `adr` or `onboarding`",
            );
            continue;
        };
        if let Some(first) = set_by.insert(kind, name) {
            error(
                name,
                format!("`{name}` and `{first}` both set the interval of kind `{}`", kind.name()),
                "keep one of them",
            );
            continue;
        }
        if let Some(i) = interval(table_key_line(text, name), name, value) {
            config.kinds.insert(kind, i);
        }
    }
    for (folder, value) in &raw.folders {
        let line = folder_line(text, folder);
        if let Some(i) = interval(line, folder, value) {
            let folder = folder.trim_matches('/').to_owned();
            config.folders.push(FolderRule { folder, interval: i, line });
        }
    }
    config.folders.sort_by(|a, b| b.folder.len().cmp(&a.folder.len()).then(a.folder.cmp(&b.folder)));
    if let Some(v) = &raw.fail_on {
        match FailOn::parse(v) {
            Some(f) => config.fail_on = f,
            None => error(
                "fail-on",
                format!("unknown `fail-on` value `{v}`"),
                "expected `stale`, `due-soon`, `unverified` or `never`",
            ),
        }
    }
    config.unverified_is_stale = raw.unverified_is_stale.unwrap_or(false);
    config.git = raw.git.unwrap_or(false);
    if let Some(url) = &raw.how_to_verify
        && let Some(scheme) = super::data_url::unsafe_scheme(url)
    {
        let (message, hint) = super::data_url::message("how-to-verify", url, &scheme);
        value_error(table_key_line(text, "how-to-verify"), message, hint);
    }
    diags.append(&mut value_diags);
    config.how_to_verify = raw.how_to_verify;
    config.config_path = shown.to_path_buf();
    config.config_text = text.to_owned();
    config
}

/// The line of `key = …` inside a `[freshness…]` table (1 when not found): the same key
/// names appear in other tables (`[kinds] runbook = …`).
fn table_key_line(text: &str, key: &str) -> usize {
    let start = text.lines().position(|l| l.trim_start().starts_with("[freshness")).unwrap_or(0);
    text.lines()
        .enumerate()
        .skip(start)
        .find(|(_, l)| l.trim_start().strip_prefix(key).is_some_and(|r| r.trim_start().starts_with('=')))
        .map_or_else(|| super::key_line(text, key), |(i, _)| i + 1)
}

/// The line of a folder key, which may be quoted (`"runbooks/payments" = "30d"`).
fn folder_line(text: &str, folder: &str) -> usize {
    let quoted = [format!("\"{folder}\""), format!("'{folder}'"), folder.to_owned()];
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            quoted.iter().any(|q| l.strip_prefix(q.as_str()).is_some_and(|r| r.trim_start().starts_with('=')))
        })
        .map_or(1, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use crate::config::{Kind, ReviewInterval, SiteConfig};
    use crate::error::Error;

    use super::FailOn;

    #[test]
    fn defaults() {
        let c = SiteConfig::from_str("").unwrap().freshness;
        assert_eq!(c.default, ReviewInterval::Never);
        assert_eq!(c.kinds[&Kind::Runbook], ReviewInterval::Days(90));
        assert_eq!(c.kinds[&Kind::Adr], ReviewInterval::Never);
        assert_eq!(c.due_soon, ReviewInterval::Days(14));
        assert_eq!(c.fail_on, FailOn::Stale);
    }

    #[test]
    fn folders_nearest_first() {
        let c = SiteConfig::from_str(
            "[freshness]\ndefault = \"1y\"\n[freshness.kinds]\nrunbook = \"30d\"\n[freshness.folders]\n\"runbooks\" = \"60d\"\n\"runbooks/payments/\" = \"2w\"\n",
        )
        .unwrap()
        .freshness;
        assert_eq!(c.default, ReviewInterval::Months(12));
        assert_eq!(c.kinds[&Kind::Runbook], ReviewInterval::Days(30));
        let folders: Vec<_> = c.folders.iter().map(|f| (f.folder.as_str(), f.interval, f.line)).collect();
        assert_eq!(
            folders,
            vec![
                ("runbooks/payments", ReviewInterval::Days(14), 7),
                ("runbooks", ReviewInterval::Days(60), 6)
            ]
        );
    }

    #[test]
    fn bad_values_name_their_line() {
        let text = "[freshness]\ndue-soon = \"90 dayz\"\nfail-on = \"sometimes\"\n[freshness.kinds]\nrecipe = \"30d\"\n";
        let Err(Error::Config(d)) = SiteConfig::from_str(text) else { panic!("expected errors") };
        let shown: Vec<String> = d.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            shown,
            vec![
                "book.toml:2:12: error: `due-soon` is not an interval: `90 dayz`\n 2 | due-soon = \"90 dayz\"\n   |            ^\n  = hint: write e.g. `30d`, `12w`, `6 months`, `1y` or `never`",
                "book.toml:3:1: error: unknown `fail-on` value `sometimes`\n 3 | fail-on = \"sometimes\"\n   | ^\n  = hint: expected `stale`, `due-soon`, `unverified` or `never`",
                "book.toml:5:1: error: unknown kind `recipe` in `[freshness.kinds]`\n 5 | recipe = \"30d\"\n   | ^\n  = hint: expected `page`, `runbook`, `adr` or `onboarding`",
            ]
        );
    }

    /// Issue 14: `decision` is `adr` here as in front matter (one parser, [`Kind::parse`]).
    #[test]
    fn issue_14_decision_is_adr_in_freshness_kinds() {
        let config =
            |kinds: &str| SiteConfig::from_str(&format!("[freshness.kinds]\n{kinds}")).unwrap().freshness;
        let (alias, adr) = (config("decision = \"30d\"\n"), config("adr = \"30d\"\n"));
        assert_eq!(alias.kinds[&Kind::Adr], ReviewInterval::Days(30));
        assert_eq!(alias.kinds, adr.kinds);
    }

    #[test]
    fn kind_keys_are_found_in_the_freshness_table() {
        let text = "[kinds]\nrunbook = [\"runbooks\"]\n\n[freshness.kinds]\nrunbook = \"9 dayz\"\n";
        let Err(Error::Config(d)) = SiteConfig::from_str(text) else { panic!("expected errors") };
        let firsts: Vec<String> =
            d.iter().map(|d| d.to_string().lines().next().unwrap().to_owned()).collect();
        assert_eq!(firsts, vec!["book.toml:5:11: error: `runbook` is not an interval: `9 dayz`"]);
    }
}
