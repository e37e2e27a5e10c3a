//! A page: its source, kind and validated front matter ([`Meta`]).
//!
//! Front matter keys are snake_case. Keys lore knows are validated here (dates are dates,
//! intervals parse, kinds exist); kind-specific keys are kept raw for the kind's own stage;
//! unknown keys are kept for templates (`page.extra.KEY`), with a "did you mean" warning when one
//! looks like a typo of a known key, and an error for every one in strict mode.

use std::path::Path;

use jiff::civil::Date;
use serde_json::{Map, Value};

use super::discover::SourceFile;
use super::front_matter::{self, FrontMatter};
use crate::config::{Kind, ReviewInterval, SiteConfig};
use crate::diag::{self, Diagnostic, Source};

/// Validated front matter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Meta {
    /// `title`
    pub title: Option<String>,
    /// `description`
    pub description: Option<String>,
    /// `owner`: a team or a person.
    pub owner: Option<String>,
    /// `tags`
    pub tags: Vec<String>,
    /// `last_verified` (aliases `last_reviewed`, `last_reviewed_on`)
    pub last_verified: Option<Date>,
    /// `verified_by`
    pub verified_by: Option<String>,
    /// `review_every` (aliases `review_interval`, `review_in`)
    pub review_every: Option<ReviewInterval>,
    /// `draft`: not rendered.
    pub draft: bool,
    /// `weight`: ordering within a folder.
    pub weight: Option<i64>,
    /// Known kind-specific keys, kept as written for the kind's own stage.
    pub fields: Map<String, Value>,
    /// Unknown keys, for templates.
    pub extra: Map<String, Value>,
}

/// Keys every page may have.
const COMMON_KEYS: &[&str] = &[
    "title",
    "description",
    "owner",
    "tags",
    "last_verified",
    "last_reviewed",
    "last_reviewed_on",
    "verified_by",
    "review_every",
    "review_interval",
    "review_in",
    "draft",
    "weight",
    "kind",
    "outdated",
];

/// Keys of runbooks, ADRs and onboarding paths (validated by their own stages).
const KIND_KEYS: &[&str] = &[
    "service",
    "severity",
    "alerts",
    "dashboards",
    "escalation",
    "status",
    "date",
    "decision_makers",
    "deciders",
    "consulted",
    "informed",
    "supersedes",
    "superseded_by",
    "amends",
    "amended_by",
    "relates_to",
    "steps",
    "estimated_time",
    "prerequisites",
    "audience",
    "outcome",
    "services",
    "name",
    "tier",
    "lifecycle",
    "on_call",
    "chat",
    "repository",
    "depends_on",
    "slos",
    "links",
];

/// A page with its warnings, or the errors that stopped it.
pub type Loaded = Result<(Page, Vec<Diagnostic>), Vec<Diagnostic>>;

/// A parsed page, body not yet rendered.
#[derive(Debug, Clone)]
pub struct Page {
    /// Where it came from.
    pub source: SourceFile,
    /// The whole file, for diagnostics (with a line index built on first use).
    pub text: Source,
    /// Byte offset of the body in `text`.
    pub body_offset: usize,
    /// 1-based file line where the body starts.
    pub body_line: usize,
    /// Its kind.
    pub kind: Kind,
    /// Validated front matter.
    pub meta: Meta,
    /// Title: front matter, else the first `#` heading, else the file name.
    pub title: String,
}

impl Page {
    /// The markdown body.
    pub fn body(&self) -> &str {
        &self.text[self.body_offset..]
    }

    /// Lets go of the file's text once nothing reads it any more (`lore build`, after
    /// rendering): the body is then empty.
    pub fn forget_text(&mut self) {
        self.text = Source::default();
        self.body_offset = 0;
    }

    /// Reads and parses one file. Errors stop this page; warnings travel with it.
    pub fn load(file: &SourceFile, config: &SiteConfig) -> Loaded {
        let bytes = std::fs::read(&file.path).map_err(|e| {
            vec![Diagnostic::error(format!("cannot read this file: {e}")).at(&file.shown, 1, 1)]
        })?;
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let diag = not_utf8(file, e.as_bytes(), e.utf8_error());
                if !config.keep_going {
                    return Err(vec![diag]);
                }
                // Previewed anyway: the bytes that are not UTF-8 show as U+FFFD.
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let (page, mut diags) = Self::from_text(file.clone(), text, config)?;
                diags.insert(0, diag);
                return Ok((page, diags));
            }
        };
        Self::from_text(file.clone(), text, config)
    }

    /// Parses a page from its text.
    pub fn from_text(source: SourceFile, text: String, config: &SiteConfig) -> Loaded {
        let path = source.shown.clone();
        // Indexed once: a page with thousands of problems must not be rescanned for each.
        let text = Source::new(text);
        let (fm, map) = match front_matter::split(&text, &path)
            .and_then(|fm| front_matter::parse(&fm, &text, &path).map(|map| (fm, map)))
        {
            Ok(parsed) => parsed,
            Err(diag) if config.keep_going => return Ok(Self::salvaged(source, text, config, diag)),
            Err(diag) => return Err(vec![diag]),
        };
        let mut lines = std::collections::HashMap::new();
        for (key, line) in front_matter::key_lines(&fm) {
            lines.entry(key).or_insert(line);
        }
        let mut reader = MetaReader { fm: &fm, text: &text, path: &path, lines, diags: Vec::new() };
        let (meta, kind_key) = reader.read(map, config.strict_front_matter);
        let kind = kind_key.unwrap_or_else(|| kind_from_folder(&source.rel, config));
        let mut diags = reader.diags;
        if diags.iter().any(Diagnostic::is_error) {
            diag::sort(&mut diags);
            // Kept going: the fields in error are left out, the rest of the page stands.
            if !config.keep_going {
                return Err(diags);
            }
        }
        let body_offset = text.len() - fm.body.len();
        let title = meta
            .title
            .clone()
            .or_else(|| first_heading(fm.body))
            .unwrap_or_else(|| title_from_path(&source.rel));
        let body_line = fm.body_line;
        Ok((Page { source, text, body_offset, body_line, kind, meta, title }, diags))
    }
}

impl Page {
    /// A page whose front matter does not split or parse, kept going: its body is the text
    /// after the closing fence (the whole file when there is none), with no front matter, and
    /// `diag` travels with it.
    fn salvaged(
        source: SourceFile,
        text: Source,
        config: &SiteConfig,
        diag: Diagnostic,
    ) -> (Page, Vec<Diagnostic>) {
        let fm = front_matter::split(&text, &source.shown).unwrap_or(FrontMatter {
            yaml: "",
            yaml_line: 1,
            body: text.as_str().strip_prefix('\u{feff}').unwrap_or(text.as_str()),
            body_line: 1,
        });
        let body_offset = text.len() - fm.body.len();
        let body_line = fm.body_line;
        let title = first_heading(fm.body).unwrap_or_else(|| title_from_path(&source.rel));
        let kind = kind_from_folder(&source.rel, config);
        let page = Page { source, text, body_offset, body_line, kind, meta: Meta::default(), title };
        (page, vec![diag])
    }
}

fn not_utf8(file: &SourceFile, bytes: &[u8], err: std::str::Utf8Error) -> Diagnostic {
    let valid = &bytes[..err.valid_up_to()];
    let text = String::from_utf8_lossy(valid);
    let (line, col) = diag::line_col(&text, text.len());
    Diagnostic::error("file is not valid UTF-8").at(&file.shown, line, col).hint("save the file as UTF-8")
}

/// Reads typed values out of the front-matter map, recording problems at the key's file line.
struct MetaReader<'a> {
    fm: &'a FrontMatter<'a>,
    text: &'a Source,
    path: &'a Path,
    /// The first line of each top-level key.
    lines: std::collections::HashMap<String, usize>,
    diags: Vec<Diagnostic>,
}

impl MetaReader<'_> {
    fn read(&mut self, map: Map<String, Value>, strict: bool) -> (Meta, Option<Kind>) {
        let mut meta = Meta::default();
        let mut kind = None;
        for (key, value) in map {
            match key.as_str() {
                "title" => meta.title = self.string(&key, &value),
                "description" => meta.description = self.string(&key, &value),
                "owner" => meta.owner = self.string(&key, &value),
                "verified_by" => meta.verified_by = self.string(&key, &value),
                "tags" => meta.tags = self.strings(&key, &value),
                "last_verified" | "last_reviewed" | "last_reviewed_on" => {
                    meta.last_verified = meta.last_verified.or(self.date(&key, &value));
                }
                "review_every" | "review_interval" | "review_in" => {
                    meta.review_every = self.interval(&key, &value)
                }
                "draft" => meta.draft = self.boolean(&key, &value),
                "weight" => meta.weight = self.integer(&key, &value),
                "kind" => kind = self.kind(&key, &value),
                "outdated" => {
                    meta.fields.insert(key, value);
                }
                k if KIND_KEYS.contains(&k) => {
                    if matches!(k, "dashboards" | "links" | "repository") {
                        self.data_urls(&key, &value);
                    }
                    meta.fields.insert(key, value);
                }
                _ => {
                    self.unknown(&key, strict);
                    meta.extra.insert(key, value);
                }
            }
        }
        (meta, kind)
    }

    fn line_of(&self, key: &str) -> usize {
        self.lines.get(key).copied().unwrap_or(self.fm.yaml_line)
    }

    /// Column of the value on the key's line (1 when the value starts on a later line).
    fn value_col(&self, key: &str) -> usize {
        let line = self.line_of(key);
        let text = diag::Lines::line(self.text, line).unwrap_or("");
        text.find(':').map_or(1, |i| {
            let rest = &text[i + 1..];
            let value_start = i + 1 + (rest.len() - rest.trim_start().len());
            if value_start >= text.trim_end().len() { 1 } else { text[..value_start].chars().count() + 1 }
        })
    }

    /// Errors for the link URLs of a field that becomes links (`dashboards`) whose scheme a
    /// data field may not have, each at the URL's own place when it is written plainly.
    fn data_urls(&mut self, key: &str, value: &Value) {
        let urls: Vec<&str> = match value {
            Value::String(url) => vec![url],
            Value::Array(items) => items
                .iter()
                .filter_map(|item| match item {
                    Value::String(url) => Some(url.as_str()),
                    Value::Object(map) => map.get("url").and_then(Value::as_str),
                    _ => None,
                })
                .collect(),
            Value::Object(map) => map.values().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        for url in urls {
            let Some(scheme) = crate::config::data_url::unsafe_scheme(url) else { continue };
            let (line, col) = self.value_place(key, url);
            let (message, hint) = crate::config::data_url::message(key, url, &scheme);
            self.diags.push(Diagnostic::error(message).at_text(self.path, self.text, line, col).hint(hint));
        }
    }

    /// Where `value` is written at or after the line of `key` in the front matter; the key's
    /// value column when it is not written as is (quoted with escapes).
    fn value_place(&self, key: &str, value: &str) -> (usize, usize) {
        let line = self.line_of(key);
        let start = self.text.index().line_start(line).unwrap_or(0);
        let end = self.text.len() - self.fm.body.len();
        match self.text.get(start..end).and_then(|block| block.find(value)).filter(|_| !value.is_empty()) {
            Some(at) => self.text.line_col(start + at),
            None => (line, self.value_col(key)),
        }
    }

    fn problem(&mut self, key: &str, message: String, hint: &str) {
        let (line, col) = (self.line_of(key), self.value_col(key));
        self.diags.push(Diagnostic::error(message).at_text(self.path, self.text, line, col).hint(hint));
    }

    fn string(&mut self, key: &str, value: &Value) -> Option<String> {
        match value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null => None,
            _ => {
                self.problem(
                    key,
                    format!("`{key}` must be text"),
                    "write it on one line, e.g. `owner: payments-team`",
                );
                None
            }
        }
    }

    fn strings(&mut self, key: &str, value: &Value) -> Vec<String> {
        match value {
            Value::Array(items) => items.iter().filter_map(|v| self.string(key, v)).collect(),
            Value::Null => Vec::new(),
            Value::String(s) => s.split(',').map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect(),
            other => self.string(key, other).into_iter().collect(),
        }
    }

    fn date(&mut self, key: &str, value: &Value) -> Option<Date> {
        let text = match value {
            Value::Null => return None,
            Value::String(s) => s.trim().to_owned(),
            other => other.to_string(),
        };
        // Accept a full timestamp too, keeping its date part.
        let date_part =
            text.get(..10).filter(|_| text.len() > 10 && text.as_bytes()[10] == b'T').unwrap_or(&text);
        match date_part.parse::<Date>() {
            Ok(date) => Some(date),
            Err(_) => {
                self.problem(
                    key,
                    format!("`{key}` is not a date: `{text}`"),
                    "write dates as YYYY-MM-DD, e.g. `2026-03-31`",
                );
                None
            }
        }
    }

    fn interval(&mut self, key: &str, value: &Value) -> Option<ReviewInterval> {
        let text = match value {
            Value::Null => return None,
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match ReviewInterval::parse(&text) {
            Ok(interval) => Some(interval),
            Err(err) => {
                let (message, hint) = err.describe(key, &text);
                self.problem(key, message, &hint);
                None
            }
        }
    }

    fn boolean(&mut self, key: &str, value: &Value) -> bool {
        match value {
            Value::Bool(b) => *b,
            Value::Null => false,
            _ => {
                self.problem(key, format!("`{key}` must be `true` or `false`"), "write `true` or `false`");
                false
            }
        }
    }

    fn integer(&mut self, key: &str, value: &Value) -> Option<i64> {
        match value {
            Value::Number(n) if n.is_i64() => n.as_i64(),
            Value::Null => None,
            _ => {
                self.problem(key, format!("`{key}` must be a whole number"), "write e.g. `weight: 10`");
                None
            }
        }
    }

    fn kind(&mut self, key: &str, value: &Value) -> Option<Kind> {
        let text = self.string(key, value)?;
        let kind = Kind::parse(&text);
        if kind.is_none() {
            self.problem(
                key,
                format!("unknown kind `{text}`"),
                "expected one of `page`, `runbook`, `adr`, `onboarding`",
            );
        }
        kind
    }

    fn unknown(&mut self, key: &str, strict: bool) {
        let known: Vec<&str> = COMMON_KEYS.iter().chain(KIND_KEYS).copied().collect();
        let guess = diag::did_you_mean(key, &known);
        if !strict && guess.is_none() {
            return;
        }
        let line = self.line_of(key);
        let message = format!("unknown key `{key}` in front matter");
        let diag = if strict { Diagnostic::error(message) } else { Diagnostic::warning(message) };
        let diag = diag.at_text(self.path, self.text, line, 1);
        self.diags.push(match guess {
            Some(g) => diag.hint(format!("did you mean `{g}`?")),
            None => {
                diag.hint("strict mode (`--strict` or `strict-front-matter`) allows only the keys lore knows")
            }
        });
    }
}

/// The kind implied by the nearest folder whose name is configured for a kind.
fn kind_from_folder(rel: &str, config: &SiteConfig) -> Kind {
    let folders = &config.kind_folders;
    let mut dirs: Vec<&str> = rel.split('/').collect();
    let file = dirs.pop().unwrap_or("");
    let stem = file.trim_end_matches(".md");
    if stem.eq_ignore_ascii_case("readme") || stem.eq_ignore_ascii_case("index") {
        // A folder's own page introduces the folder; it is not a runbook or an ADR itself.
        return Kind::Page;
    }
    for dir in dirs.iter().rev() {
        let dir = dir.to_ascii_lowercase();
        if folders.runbook.iter().any(|f| f.eq_ignore_ascii_case(&dir)) {
            return Kind::Runbook;
        }
        if folders.adr.iter().any(|f| f.eq_ignore_ascii_case(&dir)) {
            return Kind::Adr;
        }
        if folders.onboarding.iter().any(|f| f.eq_ignore_ascii_case(&dir)) {
            return Kind::Onboarding;
        }
        if folders.service.iter().any(|f| f.eq_ignore_ascii_case(&dir)) {
            return Kind::Service;
        }
    }
    Kind::Page
}

/// The text of the first level-1 ATX heading outside code fences.
fn first_heading(body: &str) -> Option<String> {
    let mut fence: Option<&str> = None;
    for line in body.lines() {
        let trimmed = line.trim_start();
        if let Some(f) = fence {
            if trimmed.starts_with(f) {
                fence = None;
            }
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
            continue;
        }
        if let Some(rest) = line.strip_prefix("# ") {
            let title = rest.trim().trim_end_matches('#').trim();
            let title = title.split(" {#").next().unwrap_or(title).trim();
            if !title.is_empty() {
                return Some(strip_inline_markup(title));
            }
        }
    }
    None
}

/// Removes the most common inline markdown from a heading used as a title.
fn strip_inline_markup(s: &str) -> String {
    s.replace(['`', '*'], "").replace("\\_", "_")
}

/// `runbooks/db-failover.md` → "Db failover"; `runbooks/README.md` → "Runbooks".
pub(crate) fn title_from_path(rel: &str) -> String {
    let mut parts: Vec<&str> = rel.trim_end_matches(".md").split('/').collect();
    let mut last = parts.pop().unwrap_or("");
    if last.eq_ignore_ascii_case("readme") || last.eq_ignore_ascii_case("index") {
        last = parts.pop().unwrap_or("Home");
    }
    if last.eq_ignore_ascii_case("adr") || last.eq_ignore_ascii_case("adrs") {
        return "ADRs".to_owned();
    }
    let words = last.replace(['-', '_'], " ");
    let mut chars = words.trim().chars();
    chars.next().map_or_else(|| "Untitled".to_owned(), |c| c.to_uppercase().chain(chars).collect())
}

#[cfg(test)]
mod tests;
