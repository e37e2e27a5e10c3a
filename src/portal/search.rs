//! Organisation-wide search, the portal's side (issue 16): which sites published search
//! statistics (their manifest's `search` field), reading them, and handing them with the
//! portal's own pages to the merge ([`crate::search::merge`]), which makes one browser index.
//!
//! A manifest is untrusted. The file its `search` names must be a relative path inside the site
//! (no `..`, no absolute path or URL, nothing in `.git`, no symlink out of a local build
//! folder); it is read with the manifests' client (timeout, `auth-env`, `https` only) and at
//! most [`stats::MAX_COMPRESSED`] bytes. A site whose statistics cannot be read or decoded is
//! left out of search with a warning naming it and the reason (an error with
//! `--require-all-sites`): its pages are missing from search, the other sites are merged. A
//! site built without statistics is listed as not searchable.

use std::path::Path;

use rayon::prelude::*;
use serde_json::Value;

use super::{LoadedSite, Portal};
use crate::config::content_root::{self, ContentRoot, Refusal};
use crate::config::portal::{PortalConfig, PortalSite, SiteSource};
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::search::merge::{self, SiteSearch};
use crate::search::stats;

/// How a site takes part in the organisation's search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SearchState {
    /// Its manifest's `search` is `null`: built without `search-stats`.
    #[default]
    NotBuilt,
    /// Its statistics (gzip), read and their header checked, waiting for the merge.
    Read(Vec<u8>),
    /// In the merged index.
    Merged,
    /// Left out of search (one line, escaped).
    Failed(String),
}

impl SearchState {
    /// What the portal's front page says of it: `yes`, or `no` and why.
    pub fn describe(&self) -> String {
        match self {
            Self::Read(_) | Self::Merged => "yes".to_owned(),
            Self::NotBuilt => "no: built without `search-stats`".to_owned(),
            Self::Failed(reason) => format!("no: {reason}"),
        }
    }
}

/// What a manifest's `search` names, checked: the statistics file and the counts it claims.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    /// Relative to the site's root.
    rel: String,
    sections: Option<u64>,
    terms: Option<u64>,
}

/// Longest statistics path a manifest may name.
const MAX_REL: usize = 256;

/// Reads the `search` field of a manifest (already escaped by the manifest reader).
fn entry(search: &Value) -> Result<Entry, String> {
    let Some(rel) = search.get("stats").and_then(Value::as_str) else {
        return Err("its manifest's `search` names no `stats` file".to_owned());
    };
    match search.get("format").and_then(Value::as_u64) {
        Some(stats::FORMAT) => {}
        Some(n) => {
            return Err(format!(
                "its search statistics are of format {n}, this lore reads {}",
                stats::FORMAT
            ));
        }
        None => return Err("its manifest's `search` gives no `format`".to_owned()),
    }
    let shown: String = rel.chars().take(MAX_REL).collect();
    let inside = rel.len() <= MAX_REL
        && !rel.is_empty()
        && !rel.ends_with('/')
        && !rel.split('/').any(|s| s.is_empty() || s == "." || s == ".git")
        && crate::search::stats_reader::check_url(rel).is_ok();
    if !inside {
        return Err(format!(
            "its manifest names the search statistics `{shown}`, which is not a path inside the site"
        ));
    }
    Ok(Entry {
        rel: rel.to_owned(),
        sections: search.get("sections").and_then(Value::as_u64),
        terms: search.get("terms").and_then(Value::as_u64),
    })
}

/// Reads the search statistics of every loaded site whose manifest names them (in parallel, as
/// the manifests), checks their header, and sets each site's [`SearchState`]; the problems
/// come back as diagnostics at the site's entry.
pub(super) fn read(
    fetcher: &super::fetch::Fetcher,
    sites: &mut [LoadedSite],
    config: &PortalConfig,
    require_all: bool,
) -> Vec<Diagnostic> {
    let wanted: Vec<(usize, Result<Entry, String>)> = sites
        .iter()
        .enumerate()
        .filter_map(|(i, site)| Some((i, entry(site.manifest.search.as_ref()?))))
        .collect();
    let shared: &[LoadedSite] = sites;
    let results = super::in_parallel(&wanted, |(i, entry)| {
        let entry = entry.as_ref().map_err(Clone::clone)?;
        let site = &shared[*i];
        let bytes = read_one(fetcher, site, config_site(config, &site.name), entry)?;
        check_header(&site.name, &bytes, entry)?;
        Ok(bytes)
    });
    let mut diags = Vec::new();
    for ((i, _), result) in wanted.iter().zip(results) {
        sites[*i].search = match result {
            Ok(bytes) => SearchState::Read(bytes),
            Err(reason) => {
                diags.push(left_out(config, &sites[*i].name, &reason, require_all));
                SearchState::Failed(reason)
            }
        };
    }
    for site in sites.iter().filter(|s| s.search == SearchState::NotBuilt) {
        diags.push(
            Diagnostic::warning(format!(
                "portal site `{}` is not searchable: it was built without search statistics",
                site.name
            ))
            .at(&config.config_path, line(config, &site.name), 1)
            .hint("build it with `search-stats = true` in its `[output.html]`, then the portal again"),
        );
    }
    diags
}

fn config_site<'a>(config: &'a PortalConfig, name: &str) -> Option<&'a PortalSite> {
    config.sites.iter().find(|s| s.name == name)
}

fn line(config: &PortalConfig, name: &str) -> usize {
    config_site(config, name).map_or(1, |s| s.line)
}

/// A site left out of search: a warning, or an error with `--require-all-sites`.
fn left_out(config: &PortalConfig, name: &str, reason: &str, require_all: bool) -> Diagnostic {
    let message = format!("portal site `{name}` is left out of search: {reason}");
    let (diag, hint) = if require_all {
        (
            Diagnostic::error(message),
            "without `--require-all-sites` the portal is built without this site's pages in search",
        )
    } else {
        (
            Diagnostic::warning(message),
            "its pages are missing from the portal's search; the other sites are in it",
        )
    };
    diag.at(&config.config_path, line(config, name), 1).hint(hint)
}

/// The statistics file of `site`: from its build folder (resolved inside it), or from its URL.
fn read_one(
    fetcher: &super::fetch::Fetcher,
    site: &LoadedSite,
    config: Option<&PortalSite>,
    entry: &Entry,
) -> Result<Vec<u8>, String> {
    let cap = stats::MAX_COMPRESSED as u64;
    let bytes = match (&site.local, config.map(|c| (&c.source, c.auth_env.as_deref()))) {
        (Some(dir), _) => read_inside(dir, &entry.rel, cap)?,
        (None, Some((SiteSource::Url(url), auth_env))) => {
            fetcher.read_at(&format!("{url}{}", entry.rel), auth_env, cap)?
        }
        _ => return Err("the portal does not know where this site is".to_owned()),
    };
    if bytes.len() > stats::MAX_COMPRESSED {
        return Err(format!("`{}` is larger than {} MiB", entry.rel, stats::MAX_COMPRESSED / 1024 / 1024));
    }
    Ok(bytes)
}

/// `rel` of the build folder `dir`, only if it resolves (symlinks followed) inside it.
fn read_inside(dir: &Path, rel: &str, cap: u64) -> Result<Vec<u8>, String> {
    let root = ContentRoot { main: content_root::resolve(dir), extra: Vec::new() };
    match root.check(&dir.join(rel)) {
        Ok(path) => super::fetch::read_file(&path, cap),
        Err(Refusal::Outside(_)) => Err(format!("`{rel}` resolves outside the site's build folder")),
        Err(Refusal::InGit(_)) => Err(format!("`{rel}` resolves into a `.git` folder")),
    }
}

/// The problem a statistics error names (the site is named by the diagnostic around it).
fn problem(e: Error) -> String {
    match e {
        Error::SearchStats { problem, .. } => format!("invalid search statistics: {problem}"),
        other => other.to_string(),
    }
}

/// The file's header is readable and agrees with what the manifest claims.
fn check_header(name: &str, bytes: &[u8], entry: &Entry) -> Result<(), String> {
    let info = stats::info(name, bytes).map_err(problem)?;
    let claims = (entry.sections.unwrap_or(info.sections), entry.terms.unwrap_or(info.terms));
    if claims != (info.sections, info.terms) {
        return Err(format!(
            "`{}` holds {} sections and {} terms, the manifest says {} and {}: they come from different builds",
            entry.rel, info.sections, info.terms, claims.0, claims.1
        ));
    }
    Ok(())
}

impl Portal {
    /// Decodes every site's statistics whole (`lore check`: a build's merge reads every byte of
    /// them anyway); a site that fails is left out of search, as the merge would leave it.
    pub fn decode_search(&mut self, config: &PortalConfig, require_all: bool) {
        let failures: Vec<Option<String>> = self
            .sites
            .par_iter()
            .map(|site| match &site.search {
                SearchState::Read(bytes) => stats::decode(&site.name, bytes).err().map(problem),
                _ => None,
            })
            .collect();
        for (site, failure) in self.sites.iter_mut().zip(failures) {
            if let Some(reason) = failure {
                self.load_diagnostics.push(left_out(config, &site.name, &reason, require_all));
                site.search = SearchState::Failed(reason);
            }
        }
    }
}

/// The merged index's files and what the merge found.
#[derive(Debug, Default)]
pub struct Merged {
    /// The files of the organisation's index, its head at [`merge::PORTAL_HEAD`]; `None` when
    /// no site is in search (the portal keeps its own index).
    pub files: Option<Vec<(String, Vec<u8>)>>,
    /// Sites the merge left out.
    pub diagnostics: Vec<Diagnostic>,
}

/// Merges the portal's own pages (`own`: their statistics; none when it has no pages) and every
/// site whose statistics were read into one index. A site the merge refuses is left out and
/// the others are merged again (with `--require-all-sites` the merge stops at the first).
pub fn merge_sites(
    portal: &mut Portal,
    config: &PortalConfig,
    own: Option<SiteSearch>,
    require_all: bool,
) -> Result<Merged, Error> {
    let own_count = usize::from(own.is_some());
    let mut inputs: Vec<SiteSearch> = own.into_iter().collect();
    let mut members: Vec<usize> = Vec::new();
    for (i, site) in portal.sites.iter_mut().enumerate() {
        if let SearchState::Read(bytes) = &mut site.search {
            let stats = std::mem::take(bytes);
            inputs.push(SiteSearch { name: site.name.clone(), base: site.base.clone(), stats });
            members.push(i);
        }
    }
    let mut out = Merged::default();
    while inputs.len() > own_count {
        match merge::portal_files(&inputs) {
            Ok(files) => {
                members.iter().for_each(|&i| portal.sites[i].search = SearchState::Merged);
                out.files = Some(files);
                break;
            }
            Err(Error::SearchStats { site, problem }) => {
                let Some(k) = members.iter().position(|&i| portal.sites[i].name == site) else {
                    return Err(Error::SearchStats { site, problem });
                };
                let i = members.remove(k);
                inputs.remove(own_count + k);
                let reason = format!("invalid search statistics: {problem}");
                out.diagnostics.push(left_out(config, &site, &reason, require_all));
                portal.sites[i].search = SearchState::Failed(reason);
                if require_all {
                    break;
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// The name the portal's own pages go by in the merged index (their label and `site` filter):
/// its title (at most 100 characters, no control characters), unless a site has that name.
pub fn own_name(portal: &Portal, title: &str) -> String {
    let title: String = title.trim().chars().filter(|c| !c.is_control()).take(100).collect();
    let title = if title.is_empty() { "portal".to_owned() } else { title };
    if portal.sites.iter().any(|s| s.name == title) { format!("{title} (portal)") } else { title }
}

#[cfg(test)]
mod tests {
    use super::entry;

    #[test]
    fn the_statistics_must_be_a_path_inside_the_site() {
        let refused = |rel: &str| {
            format!("its manifest names the search statistics `{rel}`, which is not a path inside the site")
        };
        let cases = [
            ("../../etc/passwd", refused("../../etc/passwd")),
            ("/etc/passwd", refused("/etc/passwd")),
            ("https://evil.example.com/stats.bin.gz", refused("https://evil.example.com/stats.bin.gz")),
            ("//evil.example.com/stats.bin.gz", refused("//evil.example.com/stats.bin.gz")),
            ("search/../../x", refused("search/../../x")),
            (".git/config", refused(".git/config")),
            ("search/", refused("search/")),
            ("C:\\x", refused("C:\\x")),
            ("", refused("")),
        ];
        for (rel, expected) in cases {
            let value = serde_json::json!({"stats": rel, "format": 1});
            assert_eq!(entry(&value).expect_err(rel), expected, "{rel}");
        }
        let ok = entry(&serde_json::json!({"stats": "search/stats.bin.gz", "format": 1, "sections": 8}))
            .expect("inside");
        assert_eq!((ok.rel.as_str(), ok.sections, ok.terms), ("search/stats.bin.gz", Some(8), None));
        assert_eq!(
            entry(&serde_json::json!({"stats": "search/stats.bin.gz", "format": 2})).expect_err("format"),
            "its search statistics are of format 2, this lore reads 1"
        );
    }
}
