//! Loading `book.toml` into a validated [`SiteConfig`].
//!
//! Three steps: deserialize ([`RawConfig`]), validate every key (collecting all problems, see
//! [`validate`]), then compute absolute paths once. Downstream code never re-checks config.
//!
//! An empty `book.toml` is a valid site. A fuller example:
//!
//! ```
//! let config = lore::config::SiteConfig::from_str(r#"
//! [book]
//! title = "Northwind handbook"
//! src = "content"
//!
//! [build]
//! build-dir = "public"
//!
//! [output.html]
//! site-url = "https://docs.example.com/handbook/"
//! edit-url-template = "https://git.example.com/docs/edit/main/{path}"
//!
//! [kinds]
//! runbook = ["runbooks", "playbooks"]
//!
//! [check]
//! broken-links = "warn"
//! "#).unwrap();
//! assert_eq!(config.title, "Northwind handbook");
//! assert!(config.build_dir.ends_with("public"));
//! ```

pub mod alerts;
pub mod content_root;
pub mod data_url;
mod discover;
mod freshness;
mod interval;
mod kind;
pub mod mkdocs;
pub mod portal;
pub mod services;
mod trust;
mod validate;

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diag::{self, Diagnostic};
use crate::error::Error;

pub use alerts::AlertsConfig;
pub use content_root::{ContentRoot, Refusal};
pub use discover::{CONFIG_FILE, find_root};
pub use freshness::{FailOn, FolderRule, FreshnessConfig, RawFreshness};
pub use interval::{IntervalError, MAX_INTERVAL_YEARS, ReviewInterval};
pub use kind::Kind;
pub use services::ServicesConfig;
pub use trust::Trust;

/// `book.toml` as written (serde only; unknown keys are caught by [`validate`]).
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct RawConfig {
    /// `[book]`
    pub book: RawBook,
    /// `[build]`
    pub build: RawBuild,
    /// `[output]`
    pub output: RawOutput,
    /// `[kinds]`
    pub kinds: RawKinds,
    /// `[check]`
    pub check: RawCheck,
    /// `[serve]`
    pub serve: RawServe,
    /// `[freshness]`
    pub freshness: RawFreshness,
    /// `[alerts]`
    pub alerts: alerts::RawAlerts,
    /// `[services]`
    pub services: services::RawServices,
    /// `[portal]`
    pub portal: Option<portal::RawPortal>,
}

/// `[book]`
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct RawBook {
    /// Site title.
    pub title: Option<String>,
    /// Site description.
    pub description: Option<String>,
    /// Authors (shown in metadata).
    pub authors: Vec<String>,
    /// Language code for `<html lang>`.
    pub language: Option<String>,
    /// Source folder, relative to the root.
    pub src: Option<PathBuf>,
}

/// `[build]`
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct RawBuild {
    /// Output folder, relative to the root.
    pub build_dir: Option<PathBuf>,
    /// Folders outside the repository that page content may include from.
    pub extra_roots: Vec<PathBuf>,
    /// Whether `lore build` keeps and reuses its cache under `.lore/` (default true).
    pub cache: Option<bool>,
}

/// `[output]`
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct RawOutput {
    /// `[output.html]`
    pub html: RawHtml,
}

/// `[output.html]`
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct RawHtml {
    /// Absolute URL the site is published at; enables `sitemap.xml`.
    pub site_url: Option<String>,
    /// Link to the repository, shown in the header.
    pub git_repository_url: Option<String>,
    /// "Edit this page" URL with `{path}` for the source path.
    pub edit_url_template: Option<String>,
    /// Extra stylesheets, relative to the root.
    pub additional_css: Vec<PathBuf>,
    /// Extra scripts, relative to the root.
    pub additional_js: Vec<PathBuf>,
    /// `light`, `dark` or `auto` (follow the system).
    pub default_theme: Option<String>,
    /// The site's theme folder, relative to the root (default `theme`).
    pub theme: Option<PathBuf>,
    /// `[output.html.search]`
    pub search: RawSearch,
    /// Whether raw HTML in pages is kept (default) or escaped as text.
    pub raw_html: Option<bool>,
    /// Whether `mermaid` fences are drawn by the bundled mermaid (default) or kept as code.
    pub mermaid: Option<bool>,
    /// Whether the build writes `search/stats.bin.gz` for a portal's merged search (default no).
    pub search_stats: Option<bool>,
}

/// `[output.html.search]`
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct RawSearch {
    /// Whether search is built.
    pub enable: Option<bool>,
}

/// `[kinds]`: which folders hold which kind.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct RawKinds {
    /// Folders of runbooks.
    pub runbook: Option<Vec<String>>,
    /// Folders of ADRs.
    pub adr: Option<Vec<String>>,
    /// Folders of onboarding pages.
    pub onboarding: Option<Vec<String>>,
    /// Folders of service pages.
    pub service: Option<Vec<String>>,
    /// Custom ADR statuses, each mapped to `proposed`, `accepted`, `rejected`, `deprecated` or
    /// `superseded`.
    pub adr_statuses: std::collections::BTreeMap<String, String>,
}

/// `[check]`: how strict checks are.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct RawCheck {
    /// `error` (default) or `warn`.
    pub broken_links: Option<String>,
    /// Make every unknown front-matter key an error.
    pub strict_front_matter: Option<bool>,
    /// `warn` (default) or `error`: a runbook without an owner or a Mitigation section.
    pub runbook_sections: Option<String>,
    /// `error` (default) or `warn`: a paging alert without a runbook.
    pub alert_coverage: Option<String>,
    /// `error` (default) or `warn`: a runbook link of an alert rule that resolves to nothing.
    pub alert_links: Option<String>,
}

/// `[serve]`: the preview server.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct RawServe {
    /// How long a burst of file changes must be quiet before a rebuild, in milliseconds.
    pub debounce_ms: Option<u64>,
    /// How often the polling watcher scans, in milliseconds.
    pub poll_interval_ms: Option<u64>,
    /// Host names the preview answers besides IP addresses and `localhost` names.
    pub allowed_hosts: Option<Vec<String>>,
}

/// `[serve]` settings of the preview server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeConfig {
    /// Quiet time a burst of changes (more than two files) needs before a rebuild, in
    /// milliseconds (default 50). A single save rebuilds after 10 ms at most.
    pub debounce_ms: u64,
    /// Scan interval of the polling watcher, in milliseconds (default 500).
    pub poll_interval_ms: u64,
    /// Host names `serve` answers besides IP addresses, `localhost` and `*.localhost`
    /// (`.example.com` allows the name and its subdomains).
    pub allowed_hosts: Vec<String>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self { debounce_ms: 50, poll_interval_ms: 500, allowed_hosts: Vec::new() }
    }
}

/// The light/dark preference a site starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeMode {
    /// Follow `prefers-color-scheme`.
    Auto,
    /// Light unless the reader toggles.
    Light,
    /// Dark unless the reader toggles.
    Dark,
}

/// The validated configuration, with absolute paths.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    /// The folder holding `book.toml` (the project root).
    pub root: PathBuf,
    /// Site title.
    pub title: String,
    /// Site description.
    pub description: Option<String>,
    /// Authors.
    pub authors: Vec<String>,
    /// Language code.
    pub language: String,
    /// Absolute source folder.
    pub src: PathBuf,
    /// Whether `src` was set explicitly (a missing explicit folder is an error).
    pub src_explicit: bool,
    /// Absolute build folder.
    pub build_dir: PathBuf,
    /// Absolute theme override folder.
    pub theme_dir: PathBuf,
    /// Published URL, normalised to end in `/`.
    pub site_url: Option<String>,
    /// Repository link.
    pub git_repository_url: Option<String>,
    /// Edit link template with `{path}`.
    pub edit_url_template: Option<String>,
    /// Extra stylesheets (absolute).
    pub additional_css: Vec<PathBuf>,
    /// Extra scripts (absolute).
    pub additional_js: Vec<PathBuf>,
    /// Starting colour scheme.
    pub default_theme: ThemeMode,
    /// Folder names per kind.
    pub kind_folders: KindFolders,
    /// Broken links fail the build (else they warn).
    pub broken_links_are_errors: bool,
    /// Unknown front-matter keys are errors.
    pub strict_front_matter: bool,
    /// Content errors do not stop the build (`lore serve`, `lore build --keep-going`): a page
    /// whose front matter does not parse is kept as its body, a file that is not UTF-8 is read
    /// with replacement characters. Set by the command, never by `book.toml`.
    pub keep_going: bool,
    /// `[serve]` settings.
    pub serve: ServeConfig,
    /// A runbook without `owner` or a Mitigation section fails the build.
    pub runbook_sections_are_errors: bool,
    /// Custom ADR statuses (lowercase) → the lifecycle state they mean (`[kinds.adr-statuses]`).
    pub adr_statuses: std::collections::BTreeMap<String, String>,
    /// Warnings found while loading (mdBook-only keys).
    pub warnings: Vec<Diagnostic>,
    /// `[freshness]`: review intervals and what fails `check`.
    pub freshness: FreshnessConfig,
    /// Where page content may read from (includes, copied files).
    pub content_root: ContentRoot,
    /// Raw HTML in pages is kept (`[output.html] raw-html`, default true); else escaped.
    pub raw_html: bool,
    /// The build writes `search/stats.bin.gz`, what a portal's merged search reads
    /// (`[output.html] search-stats`, default false: it costs memory every site would pay).
    pub search_stats: bool,
    /// `mermaid` fences are drawn in the browser by the theme's copy of mermaid
    /// (`[output.html] mermaid`, default true); else they stay code blocks.
    pub mermaid: bool,
    /// `[build] cache`: builds keep and reuse what they rendered under `.lore/` (default true).
    pub cache: bool,
    /// The MkDocs side of a site read from `mkdocs.yml` (its nav, snippet folders); `None`
    /// for a `book.toml` site, whose markdown then has no MkDocs syntax.
    pub mkdocs: Option<mkdocs::MkDocs>,
    /// `[alerts]`: alert rule files and how they are matched to runbooks.
    pub alerts: AlertsConfig,
    /// `[services]`: service catalog and SLO files.
    pub services: ServicesConfig,
    /// `[portal]`: the sites this organisation portal merges (none for an ordinary site).
    pub portal: Option<portal::PortalConfig>,
}

/// Which folder names give pages a kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindFolders {
    /// Runbook folders.
    pub runbook: Vec<String>,
    /// ADR folders.
    pub adr: Vec<String>,
    /// Onboarding folders.
    pub onboarding: Vec<String>,
    /// Service page folders.
    pub service: Vec<String>,
}

impl Default for KindFolders {
    fn default() -> Self {
        let owned = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect();
        Self {
            runbook: owned(&["runbooks"]),
            adr: owned(&["adr", "adrs", "decisions"]),
            onboarding: owned(&["onboarding"]),
            service: owned(&["services"]),
        }
    }
}

impl SiteConfig {
    /// Loads `book.toml` from `root`; a missing file means all defaults.
    pub fn load(root: &Path, config_file: Option<&Path>) -> Result<Self, Error> {
        let path = config_file.map_or_else(|| root.join(CONFIG_FILE), Path::to_path_buf);
        // No `book.toml`: an MkDocs or TechDocs project builds from its `mkdocs.yml` (issue 15).
        let mkdocs_file = match config_file {
            Some(file) => mkdocs::is_mkdocs_file(file).then(|| file.to_path_buf()),
            None if !path.is_file() => mkdocs::find(root),
            None => None,
        };
        if let Some(file) = mkdocs_file {
            let text = crate::fs::read_to_string(&file)?;
            return mkdocs::parse(&text, root, &display_path(&file));
        }
        let text = if path.is_file() || config_file.is_some() {
            crate::fs::read_to_string(&path)?
        } else {
            String::new()
        };
        let shown = display_path(&path);
        Self::parse(&text, root, &shown)
    }

    /// Parses config text for a site rooted at the current folder (used by tests and docs).
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(text: &str) -> Result<Self, Error> {
        Self::parse(text, Path::new("."), Path::new(CONFIG_FILE))
    }

    /// All defaults, rooted at `root`: what an empty `book.toml` gives.
    pub fn for_tests(root: &Path) -> Self {
        Self::parse("", root, Path::new(CONFIG_FILE)).expect("an empty config is always valid")
    }

    fn parse(text: &str, root: &Path, shown: &Path) -> Result<Self, Error> {
        let table = toml::de::DeTable::parse(text).map_err(|e| syntax_error(&e, text, shown))?;
        let mut diags = validate::check_keys(table.get_ref(), text, shown);
        let raw: RawConfig = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(e) => {
                diags.push(syntax_error(&e, text, shown).into_first());
                RawConfig::default()
            }
        };
        Self::finish(raw, root, text, shown, diags)
    }

    /// The config of `raw` (read from `text`, shown as `shown`), computed and checked, with the
    /// problems found so far in `diags`.
    fn finish(
        mut raw: RawConfig,
        root: &Path,
        text: &str,
        shown: &Path,
        mut diags: Vec<Diagnostic>,
    ) -> Result<Self, Error> {
        let extra_roots = std::mem::take(&mut raw.build.extra_roots);
        let mut config = Self::compute(raw, root, text, shown, &mut diags);
        config.content_root.extra = content_root::extra_roots(root, &extra_roots, text, shown, &mut diags);
        // `src` is configuration: when it points outside the repository, its pages may still
        // include each other.
        let src = content_root::resolve(&config.src);
        if !src.starts_with(&config.content_root.main) {
            config.content_root.extra.push(src);
        }
        let mut paths = vec![("src", config.src.as_path()), ("theme", config.theme_dir.as_path())];
        paths.extend(config.additional_css.iter().map(|p| ("additional-css", p.as_path())));
        paths.extend(config.additional_js.iter().map(|p| ("additional-js", p.as_path())));
        content_root::check_config_paths(&paths, text, shown, &mut diags);
        alerts::check_roots(&config.alerts, &config.content_root, &alerts::Place { text, shown }, &mut diags);
        services::check_roots(
            &config.services,
            &config.content_root,
            &alerts::Place { text, shown },
            &mut diags,
        );
        diag::sort(&mut diags);
        if diags.iter().any(Diagnostic::is_error) {
            return Err(Error::Config(diags));
        }
        Ok(Self { warnings: diags, ..config })
    }

    fn compute(raw: RawConfig, root: &Path, text: &str, shown: &Path, diags: &mut Vec<Diagnostic>) -> Self {
        let html = raw.output.html;
        let mut value_error = |key: &str, message: String, hint: &str| {
            let line = key_line(text, key);
            diags.push(Diagnostic::error(message).at_text(shown, text, line, 1).hint(hint));
        };
        let default_theme = default_theme(html.default_theme.as_deref(), &mut value_error);
        let broken_links_are_errors = match raw.check.broken_links.as_deref() {
            None | Some("error") => true,
            Some("warn") => false,
            Some(other) => {
                value_error(
                    "broken-links",
                    format!("unknown `broken-links` value `{other}`"),
                    "expected `error` or `warn`",
                );
                true
            }
        };
        let runbook_sections_are_errors = match raw.check.runbook_sections.as_deref() {
            None | Some("warn") => false,
            Some("error") => true,
            Some(other) => {
                value_error(
                    "runbook-sections",
                    format!("unknown `runbook-sections` value `{other}`"),
                    "expected `warn` or `error`",
                );
                false
            }
        };
        const LIFECYCLE: [&str; 5] = ["proposed", "accepted", "rejected", "deprecated", "superseded"];
        let mut adr_statuses = std::collections::BTreeMap::new();
        for (status, meaning) in &raw.kinds.adr_statuses {
            if LIFECYCLE.contains(&meaning.as_str()) {
                adr_statuses.insert(status.to_lowercase(), meaning.clone());
            } else {
                value_error(
                    status,
                    format!("ADR status `{status}` must map to a lifecycle state, not `{meaning}`"),
                    "expected `proposed`, `accepted`, `rejected`, `deprecated` or `superseded`",
                );
            }
        }
        let defaults = KindFolders::default();
        let kind_folders = KindFolders {
            runbook: raw.kinds.runbook.unwrap_or(defaults.runbook),
            adr: raw.kinds.adr.unwrap_or(defaults.adr),
            onboarding: raw.kinds.onboarding.unwrap_or(defaults.onboarding),
            service: raw.kinds.service.unwrap_or(defaults.service),
        };
        let freshness = freshness::compute(raw.freshness, text, shown, diags);
        let alerts = alerts::compute(raw.alerts, &raw.check, root, &alerts::Place { text, shown }, diags);
        let services = services::compute(raw.services, root, &alerts::Place { text, shown }, diags);
        let portal = portal::compute(raw.portal, root, &alerts::Place { text, shown }, diags);
        check_data_url("git-repository-url", html.git_repository_url.as_deref(), text, shown, diags);
        check_data_url("edit-url-template", html.edit_url_template.as_deref(), text, shown, diags);
        check_edit_url_prefix(html.edit_url_template.as_deref(), text, shown, diags);
        let site_url = html.site_url.map(|u| if u.ends_with('/') { u } else { format!("{u}/") });
        Self {
            root: root.to_path_buf(),
            title: raw.book.title.unwrap_or_else(|| "Documentation".to_owned()),
            description: raw.book.description,
            authors: raw.book.authors,
            language: raw.book.language.unwrap_or_else(|| "en".to_owned()),
            src_explicit: raw.book.src.is_some(),
            src: root.join(raw.book.src.unwrap_or_else(|| PathBuf::from("src"))),
            build_dir: root.join(raw.build.build_dir.unwrap_or_else(|| PathBuf::from("book"))),
            theme_dir: root.join(html.theme.unwrap_or_else(|| PathBuf::from("theme"))),
            site_url,
            git_repository_url: html.git_repository_url,
            edit_url_template: html.edit_url_template,
            additional_css: html.additional_css.iter().map(|p| root.join(p)).collect(),
            additional_js: html.additional_js.iter().map(|p| root.join(p)).collect(),
            default_theme,
            kind_folders,
            broken_links_are_errors,
            strict_front_matter: raw.check.strict_front_matter.unwrap_or(false),
            keep_going: false,
            serve: ServeConfig {
                debounce_ms: raw.serve.debounce_ms.unwrap_or(50),
                poll_interval_ms: raw.serve.poll_interval_ms.unwrap_or(500).max(10),
                allowed_hosts: raw.serve.allowed_hosts.unwrap_or_default(),
            },
            runbook_sections_are_errors,
            adr_statuses,
            warnings: Vec::new(),
            freshness,
            content_root: ContentRoot::of(root),
            raw_html: html.raw_html.unwrap_or(true),
            search_stats: html.search_stats.unwrap_or(false),
            mermaid: html.mermaid.unwrap_or(true),
            cache: raw.build.cache.unwrap_or(true),
            mkdocs: None,
            alerts,
            services,
            portal,
        }
    }
}

/// `default-theme` (mdBook's theme names map to light or dark); an unknown one is an error.
fn default_theme(value: Option<&str>, value_error: &mut impl FnMut(&str, String, &str)) -> ThemeMode {
    match value.map(str::to_ascii_lowercase).as_deref() {
        None | Some("auto") => ThemeMode::Auto,
        Some("light" | "rust") => ThemeMode::Light,
        Some("dark" | "navy" | "coal" | "ayu") => ThemeMode::Dark,
        Some(other) => {
            value_error(
                "default-theme",
                format!("unknown `default-theme` `{other}`"),
                "expected `auto`, `light` or `dark`",
            );
            ThemeMode::Auto
        }
    }
}

/// The line where `key = …` is written, for value errors (1 when not found).
fn key_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| l.trim_start().strip_prefix(key).is_some_and(|r| r.trim_start().starts_with('=')))
        .map_or(1, |i| i + 1)
}

/// The 1-based column of the value on line `line` of `text` (after `=` and spaces; 1 if none).
fn value_col(text: &str, line: usize) -> usize {
    let l = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
    l.find('=').map_or(1, |eq| {
        let rest = &l[eq + 1..];
        l[..eq + 1 + rest.len() - rest.trim_start().len()].chars().count() + 1
    })
}

/// An error at the value of `key` when `url` is not fit for a link lore emits (see
/// [`data_url`]).
fn check_data_url(key: &str, url: Option<&str>, text: &str, shown: &Path, diags: &mut Vec<Diagnostic>) {
    let Some((url, scheme)) = url.and_then(|u| data_url::unsafe_scheme(u).map(|s| (u, s))) else {
        return;
    };
    let line = key_line(text, key);
    let (message, hint) = data_url::message(key, url, &scheme);
    diags.push(Diagnostic::error(message).at_text(shown, text, line, value_col(text, line)).hint(hint));
}

/// An error when the scheme of the edit URL is not settled before `{path}`: a page named
/// `script:alert(1).md` would then turn `java{path}` into a `javascript:` link.
fn check_edit_url_prefix(template: Option<&str>, text: &str, shown: &Path, diags: &mut Vec<Diagnostic>) {
    let Some(at) = template.and_then(|t| t.find("{path}")) else { return };
    let prefix = &template.unwrap_or_default()[..at];
    if prefix.contains([':', '/', '?', '#']) {
        return;
    }
    let line = key_line(text, "edit-url-template");
    diags.push(
        Diagnostic::error("`edit-url-template` lets a page's file name choose the link's scheme")
            .at_text(shown, text, line, value_col(text, line))
            .hint("begin it with `https://…` or a folder, e.g. `../src/{path}`"),
    );
}

fn syntax_error(e: &toml::de::Error, text: &str, shown: &Path) -> Error {
    let (line, col) = e.span().map_or((1, 1), |s| diag::line_col(text, s.start));
    let message = e.message().trim_end_matches('\n').to_owned();
    Error::Config(vec![
        Diagnostic::error(format!("invalid `book.toml`: {message}")).at_text(shown, text, line, col),
    ])
}

impl Error {
    fn into_first(self) -> Diagnostic {
        match self {
            Error::Config(mut d) if !d.is_empty() => d.swap_remove(0),
            other => Diagnostic::error(other.to_string()),
        }
    }
}

/// `path` as the user should see it in messages: relative to the working folder when it is
/// inside it, without a leading `./`.
pub fn display_path(path: &Path) -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    let path = path.strip_prefix(&cwd).unwrap_or(path);
    let path = path.strip_prefix(".").unwrap_or(path);
    if path.as_os_str().is_empty() { PathBuf::from(".") } else { path.to_path_buf() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        match SiteConfig::from_str(text) {
            Err(Error::Config(d)) => d.iter().map(ToString::to_string).collect(),
            other => panic!("expected diagnostics, got {other:?}"),
        }
    }

    #[test]
    fn empty_config_is_valid() {
        let c = SiteConfig::from_str("").unwrap();
        assert_eq!(c.title, "Documentation");
        assert!(c.build_dir.ends_with("book"));
        assert!(c.src.ends_with("src"));
    }

    #[test]
    fn typo_key_is_an_error_with_line_and_hint() {
        let errs = errors("[book]\ntitle = \"x\"\n\n[build]\nbuild-dri = \"out\"\n");
        assert_eq!(
            errs,
            vec![
                "book.toml:5:1: error: unknown key `build.build-dri` in `book.toml`\n 5 | build-dri = \"out\"\n   | ^\n  = hint: did you mean `build-dir`?"
            ]
        );
    }

    #[test]
    fn all_unknown_keys_are_reported_together() {
        let errs = errors("[book]\ntitel = \"x\"\n[outptu]\n");
        assert_eq!(errs.len(), 2);
        assert!(errs[0].starts_with("book.toml:2:1: error: unknown key `book.titel`"));
        assert!(errs[1].starts_with("book.toml:3:2: error: unknown key `outptu`"));
    }

    #[test]
    fn mdbook_only_keys_warn_once_each() {
        let c = SiteConfig::from_str(
            "[output.html]\nmathjax-support = true\n[preprocessor.katex]\n[output.linkcheck]\n",
        )
        .unwrap();
        let warnings: Vec<String> = c.warnings.iter().map(|d| d.message.clone()).collect();
        assert_eq!(
            warnings,
            vec![
                "`output.html.mathjax-support` is an mdBook setting lore does not use; ignored",
                "`preprocessor.katex` is an mdBook plugin lore does not run; ignored",
                "`output.linkcheck` is an mdBook renderer lore does not run; ignored",
            ]
        );
    }

    #[test]
    fn syntax_error_names_the_line() {
        let errs = errors("[book]\ntitle = \n");
        assert!(errs[0].starts_with("book.toml:2:"), "{}", errs[0]);
    }
}
