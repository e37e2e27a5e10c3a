//! The organisation portal (issue 16): a lore site whose `book.toml` has a `[portal]` table
//! merges what other sites published in their `lore-site.json`.
//!
//! Input: the validated [`PortalConfig`] and the portal's own "today". [`load`] reads every
//! site's manifest ([`fetch`]), keeps the ones that parse ([`manifest`]) and lists the others
//! as unavailable with the reason; [`Portal::diagnostics`] finds what `lore check` reports
//! (alert conflicts, dangling cross-site dependencies, stale paging runbooks); [`pages`] writes
//! the organisation's pages. Nothing here prints.
//!
//! Organisation-wide search: [`load`] also reads the search statistics each manifest names
//! ([`search`]); the build merges them with the portal's own pages through
//! [`search::merge_sites`], the one call site of `crate::search::merge`.

pub mod fetch;
pub mod manifest;
pub mod pages;
pub mod search;

use std::collections::BTreeMap;
use std::path::PathBuf;

use jiff::civil::Date;

use crate::config::portal::{PortalConfig, PortalSite, SiteSource};
use crate::diag::Diagnostic;
use crate::report::{Counts, Entry, FreshnessReport};
use crate::site::freshness::State;

pub use manifest::Manifest;

/// One site the portal merged: its manifest and where it lives. This is what the
/// organisation-wide search merge takes (one per site, in `[portal] sites` order).
#[derive(Debug, Clone)]
pub struct LoadedSite {
    /// The name given in `[portal] sites`.
    pub name: String,
    /// Where links into the site go, ending in `/`: an absolute `http(s)` URL, or a URL
    /// relative to the portal's root (`<name>/`) when neither `url` nor the site's `site-url`
    /// says where it is published.
    pub base: String,
    /// The site's build folder, when it was read from a path (its search files are there).
    pub local: Option<PathBuf>,
    /// What the site published.
    pub manifest: Manifest,
    /// Its part in the organisation's search.
    pub search: search::SearchState,
}

/// A site the portal could not read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unavailable {
    /// Its name.
    pub name: String,
    /// Why (one line, escaped).
    pub reason: String,
}

/// Every site of the portal, read.
#[derive(Debug, Clone)]
pub struct Portal {
    /// The sites that loaded, in `[portal] sites` order.
    pub sites: Vec<LoadedSite>,
    /// The sites that did not.
    pub unavailable: Vec<Unavailable>,
    /// The portal's own "today": every state is computed again for it.
    pub today: Date,
    /// Problems found while loading (unavailable sites, sites without a base URL).
    pub load_diagnostics: Vec<Diagnostic>,
}

/// Reads every site of `config` and the search statistics their manifests name (fetches run in
/// parallel, a few at a time). A site that fails is a warning, or an error when `require_all`
/// (`--require-all-sites`).
pub fn load(config: &PortalConfig, today: Date, require_all: bool) -> Portal {
    let fetcher = fetch::Fetcher::new(config);
    let results: Vec<Result<Vec<u8>, String>> = match &fetcher {
        Ok(fetcher) => in_parallel(&config.sites, |site| fetcher.read(site)),
        Err(reason) => config.sites.iter().map(|_| Err(reason.clone())).collect(),
    };
    let mut portal =
        Portal { sites: Vec::new(), unavailable: Vec::new(), today, load_diagnostics: Vec::new() };
    for (site, result) in config.sites.iter().zip(results) {
        let parsed = result.and_then(|bytes| Manifest::parse(&bytes).map_err(|e| e.to_string()));
        match parsed {
            Ok(manifest) => portal.sites.push(loaded(site, manifest, config, &mut portal.load_diagnostics)),
            Err(reason) => {
                let message = format!("portal site `{}` is unavailable: {reason}", site.name);
                let diag =
                    if require_all { Diagnostic::error(message) } else { Diagnostic::warning(message) };
                let hint = if require_all {
                    "without `--require-all-sites` the portal is built without it and lists it as unavailable"
                } else {
                    "the portal lists it as unavailable on its front page"
                };
                portal.load_diagnostics.push(diag.at(&config.config_path, site.line, 1).hint(hint));
                portal.unavailable.push(Unavailable { name: site.name.clone(), reason });
            }
        }
    }
    if let Ok(fetcher) = &fetcher {
        let diags = search::read(fetcher, &mut portal.sites, config, require_all);
        portal.load_diagnostics.extend(diags);
    }
    portal
}

/// Fetches at most this many files at once.
const PARALLEL_FETCHES: usize = 8;

/// `read` of every item, [`PARALLEL_FETCHES`] at a time, in order.
fn in_parallel<T: Sync>(
    items: &[T],
    read: impl Fn(&T) -> Result<Vec<u8>, String> + Sync,
) -> Vec<Result<Vec<u8>, String>> {
    let mut out = Vec::with_capacity(items.len());
    for chunk in items.chunks(PARALLEL_FETCHES) {
        std::thread::scope(|scope| {
            let handles: Vec<_> = chunk.iter().map(|item| scope.spawn(|| read(item))).collect();
            for handle in handles {
                out.push(handle.join().unwrap_or_else(|_| Err("reading failed (a bug in lore)".to_owned())));
            }
        });
    }
    out
}

fn loaded(
    site: &PortalSite,
    manifest: Manifest,
    config: &PortalConfig,
    diags: &mut Vec<Diagnostic>,
) -> LoadedSite {
    let base = match (&site.url, &manifest.base_url) {
        (Some(url), _) | (None, Some(url)) => url.clone(),
        (None, None) => {
            diags.push(
                Diagnostic::warning(format!(
                    "portal site `{}` does not say where it is published; links go to `{}/` beside the portal",
                    site.name, site.name
                ))
                .at(&config.config_path, site.line, 1)
                .hint("add `url = \"https://…/\"` to its entry, or set `site-url` in the site's `[output.html]`"),
            );
            format!("{}/", site.name)
        }
    };
    let local = match &site.source {
        SiteSource::Path(dir) => Some(dir.clone()),
        SiteSource::Url(_) => None,
    };
    LoadedSite { name: site.name.clone(), base, local, manifest, search: search::SearchState::default() }
}

impl LoadedSite {
    /// The link to `url` (site-relative) from the portal's root.
    pub fn link(&self, url: &str) -> String {
        format!("{}{url}", self.base)
    }
}

impl Portal {
    /// Everything `lore check` reports about the organisation: loading problems, alert
    /// conflicts (errors), dependencies on services no site defines, and paging alerts whose
    /// runbook is stale on the portal's day.
    pub fn diagnostics(&self, config: &PortalConfig) -> Vec<Diagnostic> {
        let mut diags = self.load_diagnostics.clone();
        let line = |name: &str| config.sites.iter().find(|s| s.name == name).map_or(1, |s| s.line);
        let at = |d: Diagnostic, name: &str| d.at(&config.config_path, line(name), 1);
        for conflict in self.alerts().conflicts {
            let [(a, a_url), (b, b_url)] = conflict.claims;
            diags.push(
                at(
                    Diagnostic::error(format!(
                        "alert `{}` is claimed by two sites: `{a}` (`{a_url}`) and `{b}` (`{b_url}`)",
                        conflict.name
                    )),
                    b,
                )
                .hint("keep one runbook for it: remove the alert from the other site's runbook `alerts:`"),
            );
        }
        let services = self.services();
        for (site, service, dep) in services.dangling() {
            diags.push(at(
                Diagnostic::warning(format!(
                    "service `{service}` of site `{site}` depends on `{dep}`, which no site of the portal defines"
                )),
                site,
            ));
        }
        for alert in self.alerts().claimed.values().filter(|a| a.paging && a.state == State::Stale) {
            diags.push(
                at(
                    Diagnostic::warning(format!(
                        "paging alert `{}` of site `{}` has a stale runbook: `{}`",
                        alert.name, alert.site, alert.runbook
                    )),
                    alert.site,
                )
                .hint("verify the runbook, then `lore verify` it in its repository"),
            );
        }
        diags
    }

    /// The organisation's freshness report on the portal's day: every page of every site
    /// (paths are `<site>/<url>`, URLs are links from the portal's root).
    pub fn report(&self, own: &FreshnessReport) -> FreshnessReport {
        let mut pages: Vec<Entry> = Vec::new();
        for site in &self.sites {
            for page in &site.manifest.pages {
                pages.push(self.entry(site, page));
            }
        }
        FreshnessReport {
            today: self.today.to_string(),
            counts: Counts::of(&pages),
            pages,
            alerts: None,
            services: None,
            ..own.clone()
        }
    }

    fn entry(&self, site: &LoadedSite, page: &manifest::PageEntry) -> Entry {
        let path = format!("{}/{}", site.name, page.url);
        let last = page.last_verified.as_deref().and_then(|d| d.parse::<Date>().ok());
        Entry {
            shown: PathBuf::from(&path),
            path,
            url: site.link(&page.url),
            title: page.title.clone(),
            kind: crate::config::Kind::parse(&page.kind).unwrap_or(crate::config::Kind::Page),
            owner: page.owner.clone(),
            state: page.state_at(self.today),
            last_verified: page.last_verified.clone(),
            verified_by: None,
            review_every: page.review_every.clone(),
            due: page.due.clone(),
            days_overdue: page.days_overdue(self.today),
            outdated: page.outdated.clone(),
            changed_since_verified: false,
            line: 1,
            age_days: last.map(|d| i64::from((self.today - d).get_days())),
        }
    }

    /// The organisation's alerts: who claims each, and the conflicts.
    pub fn alerts(&self) -> OrgAlerts<'_> {
        let mut out = OrgAlerts::default();
        for site in &self.sites {
            let pages: BTreeMap<&str, &manifest::PageEntry> =
                site.manifest.pages.iter().map(|p| (p.url.as_str(), p)).collect();
            for alert in &site.manifest.alerts {
                let key = alert.name.to_lowercase();
                out.paging.entry(key.clone()).and_modify(|p| *p |= alert.paging).or_insert(alert.paging);
                let Some(runbook) = &alert.runbook else { continue };
                let page = pages.get(runbook.as_str());
                let claim = Claim {
                    name: &alert.name,
                    site: &site.name,
                    runbook: site.link(runbook),
                    title: page.map_or(runbook.as_str(), |p| p.title.as_str()),
                    state: page.map_or(State::Unverified, |p| p.state_at(self.today)),
                    paging: alert.paging,
                };
                match out.claimed.get(&key) {
                    Some(first) if first.site != site.name => out.conflicts.push(Conflict {
                        name: alert.name.clone(),
                        claims: [(first.site, first.runbook.clone()), (&site.name, claim.runbook.clone())],
                    }),
                    Some(_) => {}
                    None => {
                        out.claimed.insert(key, claim);
                    }
                }
            }
        }
        for claim in out.claimed.values_mut() {
            claim.paging |= out.paging.get(&claim.name.to_lowercase()).copied().unwrap_or(false);
        }
        out
    }

    /// The organisation's services.
    pub fn services(&self) -> OrgServices<'_> {
        let mut by_name: BTreeMap<String, (&LoadedSite, &manifest::ServiceEntry)> = BTreeMap::new();
        for site in &self.sites {
            for service in site.manifest.services.iter().filter(|s| s.defined) {
                by_name.entry(service.name.to_lowercase()).or_insert((site, service));
            }
        }
        OrgServices { by_name, sites: &self.sites }
    }
}

/// One site's claim on an alert.
#[derive(Debug, Clone)]
pub struct Claim<'a> {
    /// The alert's name as the claiming site writes it.
    pub name: &'a str,
    /// The claiming site.
    pub site: &'a str,
    /// The runbook, linked from the portal's root.
    pub runbook: String,
    /// The runbook's title.
    pub title: &'a str,
    /// The runbook's state on the portal's day.
    pub state: State,
    /// A rule of it pages someone, on any site.
    pub paging: bool,
}

/// Two sites claiming one alert.
#[derive(Debug, Clone)]
pub struct Conflict<'a> {
    /// The alert.
    pub name: String,
    /// (site, runbook link) of the first and the second claim.
    pub claims: [(&'a str, String); 2],
}

/// The organisation's alert namespace.
#[derive(Debug, Default)]
pub struct OrgAlerts<'a> {
    /// Lowercased name → the first site's claim.
    pub claimed: BTreeMap<String, Claim<'a>>,
    /// Lowercased name → whether any site's rule pages.
    pub paging: BTreeMap<String, bool>,
    /// Alerts claimed by two sites.
    pub conflicts: Vec<Conflict<'a>>,
}

/// The organisation's service catalog.
#[derive(Debug)]
pub struct OrgServices<'a> {
    /// Lowercased name → (home site, service): the first site defining it.
    pub by_name: BTreeMap<String, (&'a LoadedSite, &'a manifest::ServiceEntry)>,
    sites: &'a [LoadedSite],
}

impl<'a> OrgServices<'a> {
    /// (site, service, dependency) for each dependency no site defines.
    pub fn dangling(&self) -> Vec<(&'a str, &'a str, &'a str)> {
        let mut out = Vec::new();
        for site in self.sites {
            for service in site.manifest.services.iter().filter(|s| s.defined) {
                for dep in &service.depends_on {
                    if !self.by_name.contains_key(&dep.to_lowercase()) {
                        out.push((site.name.as_str(), service.name.as_str(), dep.as_str()));
                    }
                }
            }
        }
        out
    }

    /// The link to the home page of service `name`, if a site defines it.
    pub fn link(&self, name: &str) -> Option<(String, &'a str)> {
        self.by_name.get(&name.to_lowercase()).map(|(site, s)| (site.link(&s.url), site.name.as_str()))
    }
}
