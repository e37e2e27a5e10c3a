//! Checks every key of `book.toml` against what lore and mdBook know, collecting all problems.
//!
//! The rules (DESIGN.md, Configuration): keys lore implements are accepted; mdBook keys that lore
//! does not implement are accepted with one warning each; any other key is an error naming the
//! key and its line, with a "did you mean" hint when it looks like a typo.

use std::path::Path;

use toml::de::{DeTable, DeValue};

use crate::diag::{self, Diagnostic};

/// What a key in a table may be.
enum Rule {
    /// A key lore implements; a table's keys are listed.
    Known,
    /// A table whose keys are all checked against the listed schema.
    Table(&'static Schema),
    /// A table whose keys are free-form (names chosen by the user).
    Free,
    /// A table whose keys the user names and whose values `config` validates
    /// (`[kinds.adr-statuses]`).
    Names,
    /// An mdBook key lore does not implement: warn once, ignore its contents.
    MdBookOnly,
    /// A table whose keys are names the user chooses (folders), checked later.
    UserKeys,
}

type Schema = [(&'static str, Rule)];

static BOOK: &Schema = &[
    ("title", Rule::Known),
    ("description", Rule::Known),
    ("authors", Rule::Known),
    ("language", Rule::Known),
    ("src", Rule::Known),
    ("multilingual", Rule::MdBookOnly),
    ("text-direction", Rule::MdBookOnly),
];

static BUILD: &Schema = &[
    ("build-dir", Rule::Known),
    ("extra-roots", Rule::Known),
    ("cache", Rule::Known),
    ("create-missing", Rule::MdBookOnly),
    ("use-default-preprocessors", Rule::MdBookOnly),
    ("extra-watch-dirs", Rule::MdBookOnly),
];

static HTML_SEARCH: &Schema = &[
    ("enable", Rule::Known),
    ("limit-results", Rule::MdBookOnly),
    ("teaser-word-count", Rule::MdBookOnly),
    ("use-boolean-and", Rule::MdBookOnly),
    ("boost-title", Rule::MdBookOnly),
    ("boost-hierarchy", Rule::MdBookOnly),
    ("boost-paragraph", Rule::MdBookOnly),
    ("expand", Rule::MdBookOnly),
    ("heading-split-level", Rule::MdBookOnly),
    ("copy-js", Rule::MdBookOnly),
    ("chapter", Rule::MdBookOnly),
];

static HTML: &Schema = &[
    ("site-url", Rule::Known),
    ("git-repository-url", Rule::Known),
    ("edit-url-template", Rule::Known),
    ("additional-css", Rule::Known),
    ("additional-js", Rule::Known),
    ("default-theme", Rule::Known),
    ("theme", Rule::Known),
    ("search", Rule::Table(HTML_SEARCH)),
    ("raw-html", Rule::Known),
    ("search-stats", Rule::Known),
    ("mermaid", Rule::Known),
    ("preferred-dark-theme", Rule::MdBookOnly),
    ("smart-punctuation", Rule::MdBookOnly),
    ("curly-quotes", Rule::MdBookOnly),
    ("mathjax-support", Rule::MdBookOnly),
    ("copy-fonts", Rule::MdBookOnly),
    ("no-section-label", Rule::MdBookOnly),
    ("git-repository-icon", Rule::MdBookOnly),
    ("input-404", Rule::MdBookOnly),
    ("cname", Rule::MdBookOnly),
    ("live-reload-endpoint", Rule::MdBookOnly),
    ("hash-files", Rule::MdBookOnly),
    ("sidebar-header-nav", Rule::MdBookOnly),
    ("print", Rule::MdBookOnly),
    ("fold", Rule::MdBookOnly),
    ("playground", Rule::MdBookOnly),
    ("code", Rule::MdBookOnly),
    ("redirect", Rule::MdBookOnly),
];

static OUTPUT: &Schema = &[("html", Rule::Table(HTML))];

static KINDS: &Schema = &[
    ("runbook", Rule::Known),
    ("adr", Rule::Known),
    ("onboarding", Rule::Known),
    ("service", Rule::Known),
    ("adr-statuses", Rule::Names),
];

static CHECK: &Schema = &[
    ("broken-links", Rule::Known),
    ("strict-front-matter", Rule::Known),
    ("runbook-sections", Rule::Known),
    ("alert-coverage", Rule::Known),
    ("alert-links", Rule::Known),
];

static ALERTS: &Schema = &[
    ("rules", Rule::Known),
    ("url-annotations", Rule::Known),
    ("paging", Rule::Known),
    ("ignore", Rule::Known),
];

static SERVICES: &Schema = &[("catalog", Rule::Known), ("slos", Rule::Known)];

static PORTAL: &Schema = &[("sites", Rule::Known), ("timeout-secs", Rule::Known), ("ca-file", Rule::Known)];

static FRESHNESS: &Schema = &[
    ("default", Rule::Known),
    ("due-soon", Rule::Known),
    ("unverified-is-stale", Rule::Known),
    ("fail-on", Rule::Known),
    ("git", Rule::Known),
    ("how-to-verify", Rule::Known),
    ("kinds", Rule::UserKeys),
    ("folders", Rule::UserKeys),
];

static SERVE: &Schema =
    &[("debounce-ms", Rule::Known), ("poll-interval-ms", Rule::Known), ("allowed-hosts", Rule::Known)];

static TOP: &Schema = &[
    ("book", Rule::Table(BOOK)),
    ("build", Rule::Table(BUILD)),
    ("output", Rule::Table(OUTPUT)),
    ("kinds", Rule::Table(KINDS)),
    ("check", Rule::Table(CHECK)),
    ("serve", Rule::Table(SERVE)),
    ("freshness", Rule::Table(FRESHNESS)),
    ("alerts", Rule::Table(ALERTS)),
    ("services", Rule::Table(SERVICES)),
    ("portal", Rule::Table(PORTAL)),
    ("rust", Rule::MdBookOnly),
    ("preprocessor", Rule::Free),
];

/// Checks every key of a parsed `book.toml`, returning warnings and errors.
pub(crate) fn check_keys(table: &DeTable<'_>, text: &str, path: &Path) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    walk(table, TOP, "", text, path, &mut diags);
    diags
}

fn walk(
    table: &DeTable<'_>,
    schema: &Schema,
    prefix: &str,
    text: &str,
    path: &Path,
    diags: &mut Vec<Diagnostic>,
) {
    for (key, value) in table {
        let name: &str = key.get_ref();
        let full = if prefix.is_empty() { name.to_owned() } else { format!("{prefix}.{name}") };
        let (line, col) = diag::line_col(text, key.span().start);
        let rule = schema.iter().find(|(k, _)| *k == name).map(|(_, r)| r);
        match rule {
            Some(Rule::Known | Rule::UserKeys) => {}
            Some(Rule::Table(inner)) => match value.get_ref() {
                DeValue::Table(t) => walk(t, inner, &full, text, path, diags),
                _ => diags.push(
                    Diagnostic::error(format!("`{full}` must be a table")).at_text(path, text, line, col),
                ),
            },
            Some(Rule::Free) => free_table(value.get_ref(), &full, text, path, diags),
            Some(Rule::Names) => {
                if !matches!(value.get_ref(), DeValue::Table(_)) {
                    diags.push(
                        Diagnostic::error(format!("`{full}` must be a table")).at_text(path, text, line, col),
                    );
                }
            }
            Some(Rule::MdBookOnly) => diags.push(
                Diagnostic::warning(format!("`{full}` is an mdBook setting lore does not use; ignored"))
                    .at_text(path, text, line, col),
            ),
            None => diags.push(unknown_key(schema, prefix, name, &full).at_text(path, text, line, col)),
        }
    }
}

/// `[preprocessor.NAME]` and `[output.NAME]` tables name mdBook plugins: one warning each.
fn free_table(value: &DeValue<'_>, full: &str, text: &str, path: &Path, diags: &mut Vec<Diagnostic>) {
    if let DeValue::Table(t) = value {
        for (key, _) in t {
            let (line, col) = diag::line_col(text, key.span().start);
            diags.push(
                Diagnostic::warning(format!(
                    "`{full}.{}` is an mdBook plugin lore does not run; ignored",
                    key.get_ref()
                ))
                .at_text(path, text, line, col),
            );
        }
    }
}

fn unknown_key(schema: &Schema, prefix: &str, name: &str, full: &str) -> Diagnostic {
    // `[output.linkcheck]` and friends are mdBook renderers: a warning, not an error.
    if prefix == "output" {
        return Diagnostic::warning(format!("`{full}` is an mdBook renderer lore does not run; ignored"));
    }
    let known: Vec<&str> = schema.iter().map(|(k, _)| *k).collect();
    let diag = Diagnostic::error(format!("unknown key `{full}` in `book.toml`"));
    match diag::did_you_mean(name, &known) {
        Some(guess) => diag.hint(format!("did you mean `{guess}`?")),
        None => diag.hint(format!("known keys here: {}", known.join(", "))),
    }
}
