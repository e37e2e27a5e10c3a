//! The `[portal]` table of `book.toml`: the sites an organisation portal merges (issue 16).
//!
//! Validation only: the sites' `lore-site.json` manifests are read by [`crate::portal`]. The
//! table is configuration (trusted): a site is read from a path (a CI artifact) or fetched from
//! an `http(s)` URL; what the manifests say is not trusted.
//!
//! ```toml
//! [portal]
//! sites = [
//!   { name = "payments", url = "https://docs.example.com/payments/" },
//!   { name = "platform", path = "../platform-docs/book", url = "https://docs.example.com/platform/" },
//! ]
//! timeout-secs = 10
//! ca-file = "certs/internal-ca.pem"
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::alerts::Place;
use crate::diag::Diagnostic;

/// `[portal]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct RawPortal {
    /// The sites.
    pub sites: Vec<RawPortalSite>,
    /// Seconds a fetch may take, connecting and reading included.
    pub timeout_secs: Option<u64>,
    /// A PEM file of extra root certificates trusted for `https` sites (an internal CA).
    pub ca_file: Option<PathBuf>,
}

/// One entry of `sites`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawPortalSite {
    /// A short name: the site column of the portal's tables.
    pub name: String,
    /// Where the site is published (its manifest is fetched from `<url>lore-site.json` unless
    /// `path` is given; links go there).
    pub url: Option<String>,
    /// A local build folder (a CI artifact) holding `lore-site.json`.
    pub path: Option<PathBuf>,
    /// An environment variable holding the `Authorization` header value for fetching.
    pub auth_env: Option<String>,
}

/// Where a site's manifest is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteSource {
    /// Fetched from this URL (`<url>lore-site.json`).
    Url(String),
    /// Read from this build folder (absolute).
    Path(PathBuf),
}

/// One validated site of the portal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalSite {
    /// Its name.
    pub name: String,
    /// Where its manifest comes from.
    pub source: SiteSource,
    /// Where it is published, ending in `/` (links go there), when `url` is given.
    pub url: Option<String>,
    /// The environment variable holding the `Authorization` header value.
    pub auth_env: Option<String>,
    /// The line of its entry in `book.toml`.
    pub line: usize,
}

/// The validated `[portal]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalConfig {
    /// The sites, in the order written.
    pub sites: Vec<PortalSite>,
    /// The fetch timeout.
    pub timeout: Duration,
    /// Extra root certificates (absolute path).
    pub ca_file: Option<PathBuf>,
    /// `book.toml` as shown in messages.
    pub config_path: PathBuf,
}

/// The default fetch timeout, in seconds.
pub const DEFAULT_TIMEOUT_SECS: u64 = 10;

/// Validates `[portal]`; `None` when the table is absent.
pub(super) fn compute(
    raw: Option<RawPortal>,
    root: &Path,
    at: &Place<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Option<PortalConfig> {
    let raw = raw?;
    let sites_line = super::key_line(at.text, "sites");
    let mut sites: Vec<PortalSite> = Vec::new();
    // Entries are found in order: each at or after the previous one (after it for a repeated name).
    let mut last_line = sites_line;
    let mut lines_of: Vec<(String, usize)> = Vec::new();
    for site in raw.sites {
        let repeated = lines_of.iter().rev().find(|(n, _)| *n == site.name).map(|(_, l)| l + 1);
        let line = entry_line(at.text, &site.name, repeated.unwrap_or(last_line).max(last_line));
        last_line = line;
        lines_of.push((site.name.clone(), line));
        let col = name_col(at.text, line, &site.name);
        let error = |message: String, hint: &str| {
            Diagnostic::error(message).at_text(at.shown, at.text, line, col).hint(hint.to_owned())
        };
        if let Some(problem) = name_problem(&site.name) {
            diags.push(error(problem, "use lowercase letters, digits, `-` and `_`, e.g. `payments`"));
            continue;
        }
        if sites.iter().any(|s| s.name == site.name) {
            diags.push(error(
                format!("portal site `{}` is listed twice", site.name),
                "give each site its own name",
            ));
            continue;
        }
        let url = site.url.as_deref().map(|u| if u.ends_with('/') { u.to_owned() } else { format!("{u}/") });
        if let Some(u) = &url
            && !matches!(super::data_url::scheme(u).as_deref(), Some("http" | "https"))
        {
            diags.push(error(
                format!("portal site `{}` has a URL that is not `http(s)`: `{u}`", site.name),
                "write the address the site is published at, e.g. `https://docs.example.com/payments/`",
            ));
            continue;
        }
        let source = match (&site.path, &url) {
            (Some(path), _) => SiteSource::Path(root.join(path)),
            (None, Some(url)) => SiteSource::Url(url.clone()),
            (None, None) => {
                diags.push(error(
                    format!("portal site `{}` has neither `url` nor `path`", site.name),
                    "add `url = \"https://…/\"` (a published site) or `path = \"…/book\"` (a local build)",
                ));
                continue;
            }
        };
        sites.push(PortalSite { name: site.name, source, url, auth_env: site.auth_env, line });
    }
    Some(PortalConfig {
        sites,
        timeout: Duration::from_secs(raw.timeout_secs.unwrap_or(DEFAULT_TIMEOUT_SECS).clamp(1, 600)),
        ca_file: raw.ca_file.map(|p| root.join(p)),
        config_path: at.shown.to_path_buf(),
    })
}

/// Why `name` cannot name a site (it becomes a column value and a CSS-safe id), if it cannot.
fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("a portal site needs a `name`".to_owned());
    }
    let ok = name.len() <= 64
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_'));
    (!ok).then(|| format!("portal site name `{}` is not a short lowercase name", crate::diag::escape(name)))
}

/// The 1-based column of `"name"` on line `line` (1 when not there).
fn name_col(text: &str, line: usize, name: &str) -> usize {
    let l = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
    let quoted = format!("\"{name}\"");
    l.find(&quoted).filter(|_| !name.is_empty()).map_or(1, |at| l[..at].chars().count() + 1)
}

/// The line of the entry naming `name` (the first line at or after `from` that holds
/// `"name"`), else `from`.
fn entry_line(text: &str, name: &str, from: usize) -> usize {
    let quoted = format!("\"{name}\"");
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| !name.is_empty() && l.contains(&quoted))
        .map_or(from, |(i, _)| i + 1)
}
