//! The team's alert rules, read from the files `[alerts] rules` names: Prometheus rule files,
//! Kubernetes `PrometheusRule` objects (several YAML documents to a file), Grafana alerting
//! provisioning files and Sloth SLO specs, each document recognised by its shape.
//!
//! Every alert keeps the file, line and column of its rule, its labels, annotations, `expr` and
//! `for`. Recording rules are skipped. Problems are diagnostics at their place: a file that is
//! not YAML (at the parser's line and column), a rule without a name, a name that cannot become
//! a URL path segment. Matching alerts to runbooks is [`crate::site::coverage`]'s.
//!
//! Rule files are untrusted input (whoever opens a pull request can change them): each must
//! resolve, symlinks followed, inside the content root and out of `.git`, be a regular file and
//! be at most [`MAX_FILE`] bytes; parsing runs under the YAML parser's budgets.

mod prometheus;
pub mod sloth;
pub mod yaml;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::{AlertsConfig, ContentRoot, Refusal, display_path};
use crate::diag::Diagnostic;
use yaml::Node;

/// The largest rule file read (as for includes).
pub const MAX_FILE: u64 = 64 << 20;

/// Which kind of file an alert came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// A Prometheus rule file (`groups[].rules[]`).
    Prometheus,
    /// A Kubernetes `PrometheusRule` object (`spec.groups`).
    PrometheusRule,
    /// A Grafana alerting provisioning file (`apiVersion: 1`, rules with `title`).
    Grafana,
    /// A Sloth SLO spec (`slos[].alerting`).
    Sloth,
}

/// An annotation with the place of its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// Its key (`runbook_url`).
    pub key: String,
    /// Its value.
    pub value: String,
    /// 1-based line of the value.
    pub line: usize,
    /// 1-based column of the value.
    pub col: usize,
    /// The text of its line, for messages.
    pub source_line: String,
}

/// What a rule file says of one alert, before [`Reader::push`] places it.
struct Said {
    format: Format,
    expr: Option<String>,
    for_: Option<String>,
    labels: Vec<(String, String)>,
    annotations: Vec<Annotation>,
}

/// One alerting rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertRule {
    /// The alert name as written (`alert`, Grafana's `title`, Sloth's `alerting.name`).
    pub name: String,
    /// The name as a URL path segment (see [`segment`]); equal to `name` for ordinary names.
    pub segment: String,
    /// The rule file, as shown in messages.
    pub file: PathBuf,
    /// The rule file relative to the folder of `book.toml`, `/`-separated (what output shows,
    /// whatever the working folder).
    pub rel: String,
    /// 1-based line of the rule.
    pub line: usize,
    /// 1-based column of the rule.
    pub col: usize,
    /// The kind of file.
    pub format: Format,
    /// `expr` (Grafana: the first query's `expr`).
    pub expr: Option<String>,
    /// `for`.
    pub for_: Option<String>,
    /// Labels, the group's first, then the rule's (a rule's label overrides its group's).
    pub labels: Vec<(String, String)>,
    /// Annotations in file order.
    pub annotations: Vec<Annotation>,
    /// The text of the rule's line, for messages.
    pub source_line: String,
}

impl AlertRule {
    /// The value of label `key`.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The annotation `key`.
    pub fn annotation(&self, key: &str) -> Option<&Annotation> {
        self.annotations.iter().find(|a| a.key == key)
    }

    /// `diag` placed at this rule, with its source line.
    pub fn place(&self, diag: Diagnostic) -> Diagnostic {
        place(diag, &self.file, self.line, self.col, &self.source_line)
    }

    /// `diag` placed at annotation `at` of this rule, with its source line.
    pub fn place_at(&self, diag: Diagnostic, at: &Annotation) -> Diagnostic {
        place(diag, &self.file, at.line, at.col, &at.source_line)
    }
}

fn place(diag: Diagnostic, file: &Path, line: usize, col: usize, text: &str) -> Diagnostic {
    let mut diag = diag.at(file, line.max(1), col.max(1));
    diag.source_line = Some(text.to_owned());
    diag
}

/// The rules of one file, with the problems found in it.
#[derive(Debug, Default)]
pub struct Parsed {
    /// The alerting rules, in file order.
    pub rules: Vec<AlertRule>,
    /// Problems, each at its place.
    pub diagnostics: Vec<Diagnostic>,
    /// No document of the file has the shape of a rule file.
    pub unrecognised: bool,
}

/// Reads every file the `rules` patterns match (each once, in path order).
pub fn read(config: &AlertsConfig, root: &ContentRoot) -> (Vec<AlertRule>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let files = find_inputs(&alert_globs(config), &mut diags);
    let parsed: Vec<(Vec<AlertRule>, Vec<Diagnostic>)> = files
        .par_iter()
        .map(|path| {
            let shown = display_path(path);
            match load_input(path, root, &shown, &RULES) {
                Ok(text) => {
                    let mut p = parse(&text, &shown);
                    let rel = path.strip_prefix(&config.base).unwrap_or(path);
                    let rel = rel.to_string_lossy().replace('\\', "/");
                    for rule in &mut p.rules {
                        rule.rel.clone_from(&rel);
                    }
                    if p.unrecognised {
                        p.diagnostics.push(
                            Diagnostic::warning("no alert rules here: not a Prometheus, `PrometheusRule`, Grafana or Sloth file")
                                .at(&shown, 1, 1)
                                .hint("narrow `rules` in `[alerts]` of `book.toml` to the rule files"),
                        );
                    }
                    (p.rules, p.diagnostics)
                }
                Err(d) => (Vec::new(), vec![d]),
            }
        })
        .collect();
    let mut rules = Vec::new();
    for (r, d) in parsed {
        rules.extend(r);
        diags.extend(d);
    }
    (rules, diags)
}

/// Each pattern of `[alerts] rules` as the folder (or file) it starts from and the glob its
/// files match relative to that folder (`None`: the pattern names one file). `lore serve`
/// watches them too.
pub fn rule_globs(config: &AlertsConfig) -> Vec<(PathBuf, Option<globset::GlobMatcher>)> {
    globs_of(&config.rules, &config.base)
}

/// Each pattern as the folder (or file) it starts from and the glob its files match relative
/// to that folder (`None`: the pattern names one file).
pub fn globs_of(patterns: &[String], base: &Path) -> Vec<(PathBuf, Option<globset::GlobMatcher>)> {
    patterns
        .iter()
        .map(|pattern| {
            let prefix = crate::config::alerts::literal_prefix(pattern);
            let start = base.join(&prefix);
            let rest = pattern[prefix.as_os_str().len().min(pattern.len())..].trim_start_matches('/');
            let glob = (!rest.is_empty())
                .then(|| globset::GlobBuilder::new(rest).literal_separator(true).build().ok())
                .flatten()
                .map(|g| g.compile_matcher());
            (start, glob)
        })
        .collect()
}

/// Input files named by globs of `book.toml` (`[alerts] rules`, `[services] catalog`).
pub struct InputGlobs<'a> {
    /// The patterns, relative to `base`.
    pub patterns: &'a [String],
    /// The folder of `book.toml`.
    pub base: &'a Path,
    /// The key that lists them (`rules`).
    pub key: &'a str,
    /// The line of the key in `book.toml`.
    pub line: usize,
    /// `book.toml` as shown.
    pub config_path: &'a Path,
    /// Its text.
    pub config_text: &'a str,
}

fn alert_globs(config: &AlertsConfig) -> InputGlobs<'_> {
    InputGlobs {
        patterns: &config.rules,
        base: &config.base,
        key: "rules",
        line: config.rules_line,
        config_path: &config.config_path,
        config_text: &config.config_text,
    }
}

/// The files the patterns match, sorted and without repeats; a pattern that matches nothing is
/// a warning at its key in `book.toml`.
pub fn find_inputs(globs: &InputGlobs<'_>, diags: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for (pattern, (start, glob)) in globs.patterns.iter().zip(globs_of(globs.patterns, globs.base)) {
        let before = files.len();
        match glob {
            None if start.is_file() => files.push(start),
            None => {}
            Some(glob) => walk(&start, &glob, &mut files),
        }
        if files.len() == before {
            diags.push(
                Diagnostic::warning(format!("`{}` pattern `{pattern}` matches no file", globs.key))
                    .at_text(globs.config_path, globs.config_text, globs.line, 1)
                    .hint("patterns are relative to the folder of `book.toml`"),
            );
        }
    }
    files.sort();
    files.dedup();
    files
}

/// The files under `start` whose path relative to it `glob` matches; `.git` is never entered.
fn walk(start: &Path, glob: &globset::GlobMatcher, files: &mut Vec<PathBuf>) {
    let walker = ignore::WalkBuilder::new(start)
        .standard_filters(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build();
    for entry in walker.flatten() {
        let path = entry.path();
        let is_file = entry.file_type().is_some_and(|t| t.is_file() || t.is_symlink());
        if is_file && path.strip_prefix(start).is_ok_and(|rel| glob.is_match(rel)) {
            files.push(path.to_path_buf());
        }
    }
}

/// What an input file holds, for messages.
pub struct InputKind {
    /// `alert rules`: "cannot read alert rules: …".
    pub what: &'static str,
    /// `rule files`: "rule files are read from … only".
    pub noun: &'static str,
    /// How to make a file smaller.
    pub split_hint: &'static str,
}

/// Alert rule files.
pub const RULES: InputKind =
    InputKind { what: "alert rules", noun: "rule files", split_hint: "split the rules into several files" };

/// The text of an input file, held to the content root, regular files and [`MAX_FILE`].
pub fn load_input(
    path: &Path,
    root: &ContentRoot,
    shown: &Path,
    kind: &InputKind,
) -> Result<String, Diagnostic> {
    let what = kind.what;
    let refuse = |message: String, hint: String| Err(Diagnostic::error(message).at(shown, 1, 1).hint(hint));
    let resolved = match root.check(path) {
        Ok(p) => p,
        Err(Refusal::Outside(p)) => {
            return refuse(
                format!("cannot read {what}: `{}` is outside the content root", display_path(&p).display()),
                format!(
                    "{} are read from {} only; list other folders in `extra-roots` of `[build]` in `book.toml`",
                    kind.noun,
                    root.describe()
                ),
            );
        }
        Err(Refusal::InGit(p)) => {
            return refuse(
                format!("cannot read {what}: `{}` is inside a `.git` folder", display_path(&p).display()),
                "lore never reads from `.git`: it may hold credentials".to_owned(),
            );
        }
    };
    match std::fs::metadata(&resolved) {
        Ok(m) if !m.is_file() => {
            return refuse(
                format!("cannot read {what}: not a regular file"),
                format!("list {} only", kind.noun),
            );
        }
        Ok(m) if m.len() > MAX_FILE => {
            return refuse(
                format!("cannot read {what}: the file is larger than {} MiB", MAX_FILE >> 20),
                kind.split_hint.to_owned(),
            );
        }
        _ => {}
    }
    let bytes = std::fs::read(&resolved)
        .map_err(|e| Diagnostic::error(format!("cannot read {what}: {e}")).at(shown, 1, 1))?;
    String::from_utf8(bytes)
        .map_err(|_| Diagnostic::error(format!("cannot read {what}: the file is not UTF-8")).at(shown, 1, 1))
}

/// The line and column of a YAML error (1:1 when the parser could not tell).
pub fn error_place(err: &serde_saphyr::Error) -> (usize, usize) {
    err.location()
        .filter(|l| l.line() > 0)
        .map_or((1, 1), |l| (l.line() as usize, l.column().max(1) as usize))
}

/// Reads the alert rules of one file's text (`shown` names it in messages).
pub fn parse(text: &str, shown: &Path) -> Parsed {
    let mut out = Parsed::default();
    let docs = match yaml::documents(text) {
        Ok(docs) => docs,
        Err(err) => {
            let (line, col) = err
                .location()
                .filter(|l| l.line() > 0)
                .map_or((1, 1), |l| (l.line() as usize, l.column().max(1) as usize));
            out.diagnostics.push(
                Diagnostic::error(format!(
                    "invalid YAML in alert rules: {}",
                    crate::content::yaml_message(&err)
                ))
                .at_text(shown, text, line, col),
            );
            return out;
        }
    };
    let mut recognised = docs.is_empty();
    for doc in &docs {
        let mut reader = Reader { shown, text, out: &mut out };
        recognised |= reader.document(doc);
    }
    out.unrecognised = !recognised && docs.iter().any(Node::is_map);
    let index = crate::diag::LineIndex::new(text);
    let line_of = |n: usize| index.line(text, n).unwrap_or("").to_owned();
    for rule in &mut out.rules {
        rule.file = shown.to_path_buf();
        rule.rel = shown.to_string_lossy().into_owned();
        rule.source_line = line_of(rule.line);
        for a in &mut rule.annotations {
            a.source_line = line_of(a.line);
        }
    }
    out
}

/// Reads documents into [`Parsed`].
struct Reader<'a> {
    shown: &'a Path,
    text: &'a str,
    out: &'a mut Parsed,
}

impl Reader<'_> {
    /// Reads one document; returns whether it had a known shape.
    fn document(&mut self, doc: &Node) -> bool {
        if sloth::is_spec(doc) {
            let spec = sloth::spec(doc);
            self.sloth(&spec);
            return true;
        }
        if doc.text_at("kind") == Some("PrometheusRule") {
            if let Some(spec) = doc.get("spec") {
                prometheus::groups(self, spec, Format::PrometheusRule);
            }
            return true;
        }
        if doc.get("groups").is_some() {
            let grafana = doc.text_at("apiVersion") == Some("1") || prometheus::looks_grafana(doc);
            prometheus::groups(self, doc, if grafana { Format::Grafana } else { Format::Prometheus });
            return true;
        }
        false
    }

    /// An error at `(line, col)` of the file.
    fn error(&mut self, message: String, at: (usize, usize), hint: &str) {
        let (line, col) = (at.0.max(1), at.1.max(1));
        self.out
            .diagnostics
            .push(Diagnostic::error(message).at_text(self.shown, self.text, line, col).hint(hint));
    }

    /// Adds an alert named `name` (written at `at`) that says `said`, unless its name cannot be
    /// made safe. Its file and source line are filled in once the file is read.
    fn push(&mut self, name: &str, at: (usize, usize), said: Said) {
        match segment(name) {
            Some(segment) => self.out.rules.push(AlertRule {
                name: name.trim().to_owned(),
                segment,
                file: PathBuf::new(),
                rel: String::new(),
                line: at.0,
                col: at.1,
                format: said.format,
                expr: said.expr,
                for_: said.for_,
                labels: said.labels,
                annotations: said.annotations,
                source_line: String::new(),
            }),
            None => self.error(
                format!("alert name `{name}` cannot be made into a URL path segment"),
                at,
                "give the alert a name with letters or digits",
            ),
        }
    }

    fn sloth(&mut self, spec: &sloth::SlothSpec) {
        for slo in &spec.slos {
            let Some(alerting) = &slo.alerting else { continue };
            let Some(name) = alerting.name.clone() else {
                let slo_name = slo.name.as_deref().unwrap_or("?");
                self.error(
                    format!("SLO `{slo_name}` has `alerting` but no `alerting.name`"),
                    alerting.at,
                    "name the alert Sloth generates, e.g. `name: CheckoutAvailabilityBudgetBurn`",
                );
                continue;
            };
            for (severity, alert) in [("page", &alerting.page), ("ticket", &alerting.ticket)] {
                let Some(alert) = alert else { continue };
                let mut labels = alerting.labels.clone();
                labels.extend(alert.labels.iter().cloned());
                labels.push(("sloth_severity".to_owned(), severity.to_owned()));
                let annotations = alerting.annotations.iter().chain(&alert.annotations);
                let annotations = annotations
                    .map(|(k, v, line, col)| Annotation {
                        key: k.clone(),
                        value: v.clone(),
                        line: *line,
                        col: *col,
                        source_line: String::new(),
                    })
                    .collect();
                let expr = slo.objective.as_ref().map(|o| {
                    format!(
                        "error budget burn of SLO `{}` (objective {o}%)",
                        slo.name.as_deref().unwrap_or("?")
                    )
                });
                let at = alerting.at;
                self.push(&name, at, Said { format: Format::Sloth, expr, for_: None, labels, annotations });
            }
        }
    }
}

/// An alert name as a URL path segment and file name: letters, digits, `_`, `-`, `.` and `:`
/// are kept, every run of other characters (spaces, `/`, `\`) becomes one `-`, and leading dots
/// and dashes go. `None` when nothing is left (`..`, `/`, `???`).
pub fn segment(name: &str) -> Option<String> {
    let mut out = String::with_capacity(name.len());
    for c in name.trim().chars() {
        if c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':') {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_start_matches(['.', '-']).trim_end_matches('-');
    (!out.is_empty() && out.chars().any(char::is_alphanumeric)).then(|| out.to_owned())
}

#[cfg(test)]
mod tests;
