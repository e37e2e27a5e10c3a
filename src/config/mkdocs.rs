//! Reading `mkdocs.yml` (MkDocs and Backstage TechDocs projects) into the same [`SiteConfig`] a
//! `book.toml` gives, when a project has no `book.toml` (issue 15).
//!
//! Mapped: `site_name`, `site_description`, `site_author`, `docs_dir` (default `docs`),
//! `site_dir`, `site_url`, `repo_url` with `edit_uri`/`edit_uri_template` (the edit link),
//! `extra_css`/`extra_javascript` (relative to `docs_dir`, as MkDocs has them), `nav` (see
//! [`MkNav`]) and the `base_path` of `pymdownx.snippets`. `theme`, `plugins`, `hooks`,
//! `INHERIT` and the markdown extensions lore does not implement are accepted with one warning
//! listing them; other MkDocs keys are accepted silently; a key neither MkDocs nor lore knows
//! is a warning (MkDocs itself only warns). YAML tags (`!!python/name:…`, `!ENV`) never fail
//! the parse: the tagged value is read as plain YAML.
//!
//! `mkdocs.yml` is configuration (trusted, like `book.toml`); the pages it names are content.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::{RawConfig, SiteConfig, data_url};
use crate::diag::{self, Diagnostic};
use crate::error::Error;

/// The file names MkDocs reads, in its order.
pub const MKDOCS_FILES: [&str; 2] = ["mkdocs.yml", "mkdocs.yaml"];

/// Keys lore maps into its config.
const MAPPED: &[&str] = &[
    "site_name",
    "site_description",
    "site_author",
    "docs_dir",
    "site_dir",
    "site_url",
    "repo_url",
    "edit_uri",
    "edit_uri_template",
    "extra_css",
    "extra_javascript",
    "nav",
    "markdown_extensions",
];

/// MkDocs keys that change nothing in lore's output (or that lore does its own way).
const QUIET: &[&str] = &[
    "repo_name",
    "copyright",
    "extra",
    "extra_templates",
    "google_analytics",
    "remote_branch",
    "remote_name",
    "dev_addr",
    "strict",
    "use_directory_urls",
    "validation",
    "watch",
    "exclude_docs",
    "not_in_nav",
    "draft_docs",
    "draft",
];

/// MkDocs keys whose effect lore does not reproduce: listed in the one note.
const IGNORED: &[&str] = &["theme", "plugins", "hooks", "INHERIT"];

/// Markdown extensions lore renders itself (or that change nothing in its output).
const SUPPORTED_EXTENSIONS: &[&str] = &[
    "admonition",
    "attr_list",
    "def_list",
    "footnotes",
    "md_in_html",
    "meta",
    "tables",
    "toc",
    "fenced_code",
    "codehilite",
    "sane_lists",
    "pymdownx.details",
    "pymdownx.tabbed",
    "pymdownx.snippets",
    "pymdownx.superfences",
    "pymdownx.highlight",
    "pymdownx.inlinehilite",
    "pymdownx.tasklist",
    "pymdownx.tilde",
    "markdown_inline_graphviz",
    "plantuml_markdown",
];

/// The MkDocs side of a site read from `mkdocs.yml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MkDocs {
    /// `mkdocs.yml` as shown in messages.
    pub shown: PathBuf,
    /// Its text, for the source lines of diagnostics.
    pub text: String,
    /// `nav`, when given (else the folder tree).
    pub nav: Option<Vec<MkNav>>,
    /// Absolute folders `--8<--` snippets are looked up in, in order (`pymdownx.snippets`
    /// `base_path`, default the folder of `mkdocs.yml`).
    pub snippet_bases: Vec<PathBuf>,
}

/// One entry of `nav`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MkNav {
    /// `- path.md` or `- Title: path.md`, relative to `docs_dir`.
    Page {
        /// The title given, else the page's own.
        title: Option<String>,
        /// The path as written.
        path: String,
        /// Where it is written in `mkdocs.yml`.
        line: usize,
        /// Its column.
        col: usize,
    },
    /// `- Title: https://…`.
    Link {
        /// Shown text.
        title: String,
        /// Where it leads.
        url: String,
    },
    /// `- Title: [ … ]`.
    Section {
        /// Shown text.
        title: String,
        /// What it holds.
        children: Vec<MkNav>,
    },
}

/// The `mkdocs.yml` of `root`, if it has one.
pub fn find(root: &Path) -> Option<PathBuf> {
    MKDOCS_FILES.iter().map(|f| root.join(f)).find(|p| p.is_file())
}

/// Whether `path` names an MkDocs config (`*.yml`, `*.yaml`).
pub fn is_mkdocs_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "yml" || e == "yaml")
}

/// Reads `text` as the `mkdocs.yml` of a site rooted at `root` (for tests and fuzzing).
pub fn from_str(text: &str, root: &Path) -> Result<SiteConfig, Error> {
    parse(text, root, Path::new(MKDOCS_FILES[0]))
}

/// Reads `mkdocs.yml` (`text`, shown as `shown`) for a site rooted at `root`.
pub(super) fn parse(text: &str, root: &Path, shown: &Path) -> Result<SiteConfig, Error> {
    let map = read_yaml(text, shown)?;
    let mut diags = Vec::new();
    let mut reader = Reader { text, shown, diags: &mut diags };
    reader.check_keys(&map);
    let raw = reader.raw(&map);
    let nav = map.get("nav").and_then(|v| reader.nav(v));
    let snippet_bases = reader.snippet_bases(&map, root);
    let mkdocs = MkDocs { shown: shown.to_path_buf(), text: text.to_owned(), nav, snippet_bases };
    let mut config = SiteConfig::finish(raw, root, text, shown, diags)?;
    config.src_explicit = true;
    config.mkdocs = Some(mkdocs);
    Ok(config)
}

/// The top-level mapping, or the syntax error at its line and column.
fn read_yaml(text: &str, shown: &Path) -> Result<Map<String, Value>, Error> {
    let options = serde_saphyr::options! { strict_booleans: true, with_snippet: false };
    let error = |message: String, line: usize, col: usize| {
        Error::Config(vec![Diagnostic::error(message).at_text(shown, text, line, col)])
    };
    match serde_saphyr::from_str_with_options::<Value>(text, options) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(Value::Null) => Ok(Map::new()),
        Ok(_) => Err(error("`mkdocs.yml` must be a mapping of `key: value` lines".to_owned(), 1, 1)),
        Err(err) => {
            let (line, col) = err
                .location()
                .filter(|l| l.line() > 0)
                .map_or((1, 1), |l| (l.line() as usize, l.column().max(1) as usize));
            let message = err.to_string();
            let message = message.lines().next().unwrap_or("").trim();
            let message = message.trim_start_matches("error: ");
            let message = match message.split_once(": ") {
                Some((place, rest)) if place.starts_with("line ") => rest,
                _ => message,
            };
            let message = message.split(" at line ").next().unwrap_or(message);
            Err(error(format!("invalid `mkdocs.yml`: {}", message.trim_end_matches('.')), line, col))
        }
    }
}

struct Reader<'a> {
    text: &'a str,
    shown: &'a Path,
    diags: &'a mut Vec<Diagnostic>,
}

impl Reader<'_> {
    /// The line of top-level key `key` (1 when not found).
    fn key_line(&self, key: &str) -> usize {
        self.text
            .lines()
            .position(|l| l.strip_prefix(key).is_some_and(|r| r.trim_start().starts_with(':')))
            .map_or(1, |i| i + 1)
    }

    fn at(&mut self, diag: Diagnostic, line: usize, col: usize) {
        self.diags.push(diag.at_text(self.shown, self.text, line, col));
    }

    /// Unknown keys warn; what lore ignores is one warning.
    fn check_keys(&mut self, map: &Map<String, Value>) {
        let known: Vec<&str> = MAPPED.iter().chain(QUIET).chain(IGNORED).copied().collect();
        let mut ignored: Vec<String> = Vec::new();
        let mut first_ignored: Option<usize> = None;
        for (key, value) in map {
            let line = self.key_line(key);
            if IGNORED.contains(&key.as_str()) {
                ignored.push(describe_ignored(key, value));
                first_ignored = Some(first_ignored.map_or(line, |l: usize| l.min(line)));
            } else if key == "markdown_extensions" {
                let names = unsupported_extensions(value);
                if !names.is_empty() {
                    ignored.push(format!("`markdown_extensions` ({})", names.join(", ")));
                    first_ignored = Some(first_ignored.map_or(line, |l: usize| l.min(line)));
                }
            } else if !known.contains(&key.as_str()) {
                let diag = Diagnostic::warning(format!("unknown key `{key}` in `mkdocs.yml`; ignored"));
                let diag = match diag::did_you_mean(key, &known) {
                    Some(guess) => diag.hint(format!("did you mean `{guess}`?")),
                    None => diag,
                };
                self.at(diag, line, 1);
            }
        }
        if let Some(line) = first_ignored {
            let diag = Diagnostic::warning(format!("lore ignores these `mkdocs.yml` settings: {}", ignored.join("; ")))
                .hint("lore uses its own theme and search, and renders admonitions, tabs, snippets and `[TOC]` itself");
            self.at(diag, line, 1);
        }
    }

    /// A string value of a top-level key; another type is an error at its line.
    fn string(&mut self, map: &Map<String, Value>, key: &str) -> Option<String> {
        match map.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            Value::Number(n) => Some(n.to_string()),
            // `!ENV [NAME, default]`: the tag is read as plain YAML, a list; lore does not read
            // the environment, so the default (the last entry) is the value.
            Value::Array(a) if a.len() >= 2 && a.iter().all(Value::is_string) => {
                a.last().and_then(Value::as_str).map(str::to_owned)
            }
            _ => {
                let line = self.key_line(key);
                self.at(Diagnostic::error(format!("`{key}` must be a string")), line, 1);
                None
            }
        }
    }

    /// A URL value that lore turns into a link: `http(s):`, `mailto:` or relative only.
    fn url(&mut self, map: &Map<String, Value>, key: &str) -> Option<String> {
        let url = self.string(map, key)?;
        if let Some(scheme) = data_url::unsafe_scheme(&url) {
            let (message, hint) = data_url::message(key, &url, &scheme);
            let line = self.key_line(key);
            self.at(Diagnostic::error(message).hint(hint), line, 1);
            return None;
        }
        Some(url)
    }

    /// The `book.toml` equivalent of the mapped keys.
    fn raw(&mut self, map: &Map<String, Value>) -> RawConfig {
        let mut raw = RawConfig::default();
        raw.book.title = Some(self.string(map, "site_name").unwrap_or_else(|| "Documentation".to_owned()));
        raw.book.description = self.string(map, "site_description");
        raw.book.authors = self.string(map, "site_author").into_iter().collect();
        let docs = PathBuf::from(self.string(map, "docs_dir").unwrap_or_else(|| "docs".to_owned()));
        raw.build.build_dir =
            Some(PathBuf::from(self.string(map, "site_dir").unwrap_or_else(|| "site".to_owned())));
        raw.output.html.site_url = self.url(map, "site_url");
        let repo = self.url(map, "repo_url");
        raw.output.html.edit_url_template = self.edit_template(map, repo.as_deref());
        raw.output.html.git_repository_url = repo;
        raw.output.html.additional_css = self.files(map, "extra_css", &docs);
        raw.output.html.additional_js = self.files(map, "extra_javascript", &docs);
        raw.book.src = Some(docs);
        raw
    }

    /// The edit link: `edit_uri_template` or `edit_uri` (a URL, or a path under `repo_url`),
    /// else MkDocs' default for GitHub and GitLab (`edit/master/docs/`).
    fn edit_template(&mut self, map: &Map<String, Value>, repo: Option<&str>) -> Option<String> {
        let template = self.url(map, "edit_uri_template");
        let uri = self.url(map, "edit_uri");
        let join = |base: &str, rest: &str| {
            format!("{}/{}", base.trim_end_matches('/'), rest.trim_start_matches('/'))
        };
        let with_path =
            |uri: &str| if uri.ends_with('/') { format!("{uri}{{path}}") } else { format!("{uri}/{{path}}") };
        if let Some(template) = template {
            let absolute = data_url::scheme(&template).is_some();
            return if absolute { Some(template) } else { repo.map(|r| join(r, &template)) };
        }
        match (uri, repo) {
            (Some(uri), _) if uri.is_empty() => None,
            (Some(uri), _) if data_url::scheme(&uri).is_some() => Some(with_path(&uri)),
            (Some(uri), Some(repo)) => Some(with_path(&join(repo, &uri))),
            (None, Some(repo)) if repo.contains("github.com") || repo.contains("gitlab.com") => {
                Some(with_path(&join(repo, "edit/master/docs/")))
            }
            _ => None,
        }
    }

    /// `extra_css`/`extra_javascript`: files under `docs_dir` (a script may be written as
    /// `{path: …, type: module}`); URLs are left out with a warning, since no request leaves a
    /// lore site.
    fn files(&mut self, map: &Map<String, Value>, key: &str, docs: &Path) -> Vec<PathBuf> {
        let Some(Value::Array(items)) = map.get(key) else {
            if map.get(key).is_some_and(|v| !v.is_null()) {
                let line = self.key_line(key);
                self.at(Diagnostic::error(format!("`{key}` must be a list of files")), line, 1);
            }
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            let path = match item {
                Value::String(s) => s.as_str(),
                Value::Object(o) => o.get("path").and_then(Value::as_str).unwrap_or(""),
                _ => "",
            };
            if path.is_empty() {
                continue;
            }
            if path.starts_with("//") || data_url::scheme(path).is_some() {
                let line = self.key_line(key);
                let diag = Diagnostic::warning(format!("`{key}` names the URL `{path}`; left out"))
                    .hint("no request leaves a lore site: copy the file under `docs_dir` and name it there");
                self.at(diag, line, 1);
                continue;
            }
            out.push(docs.join(path));
        }
        out
    }

    /// `pymdownx.snippets` `base_path` (a string or a list, relative to the folder of
    /// `mkdocs.yml`); default that folder.
    fn snippet_bases(&mut self, map: &Map<String, Value>, root: &Path) -> Vec<PathBuf> {
        let options = map.get("markdown_extensions").and_then(|v| extension_options(v, "pymdownx.snippets"));
        let bases: Vec<String> = match options.and_then(|o| o.get("base_path")) {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
            _ => Vec::new(),
        };
        if bases.is_empty() {
            return vec![root.to_path_buf()];
        }
        bases.iter().map(|b| root.join(b)).collect()
    }
}

/// `plugins (techdocs-core, search)`, `theme (material)`.
fn describe_ignored(key: &str, value: &Value) -> String {
    let names: Vec<String> = match value {
        Value::Array(items) => items.iter().filter_map(entry_name).map(|n| format!("`{n}`")).collect(),
        Value::Object(o) => {
            o.get("name").and_then(Value::as_str).map(|n| format!("`{n}`")).into_iter().collect()
        }
        Value::String(s) => vec![format!("`{s}`")],
        _ => Vec::new(),
    };
    if names.is_empty() { format!("`{key}`") } else { format!("`{key}` ({})", names.join(", ")) }
}

/// The name of a list entry that is a name or a one-key mapping of a name to its options.
fn entry_name(item: &Value) -> Option<String> {
    match item {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) if o.len() == 1 => o.keys().next().cloned(),
        _ => None,
    }
}

/// The names of the markdown extensions lore does not render, in the order given.
fn unsupported_extensions(value: &Value) -> Vec<String> {
    let Value::Array(items) = value else { return Vec::new() };
    items
        .iter()
        .filter_map(entry_name)
        .filter(|n| !SUPPORTED_EXTENSIONS.contains(&n.as_str()))
        .map(|n| format!("`{n}`"))
        .collect()
}

/// The options of extension `name` in `markdown_extensions`.
fn extension_options<'v>(value: &'v Value, name: &str) -> Option<&'v Map<String, Value>> {
    let Value::Array(items) = value else { return None };
    items.iter().find_map(|item| match item {
        Value::Object(o) => o.get(name).and_then(Value::as_object),
        _ => None,
    })
}

mod nav;

#[cfg(test)]
mod tests;
