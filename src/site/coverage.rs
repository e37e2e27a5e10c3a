//! Alert coverage: which runbook answers each alert the rule files define (`[alerts] rules`),
//! and the checks at the rule's file:line (DESIGN.md, Alert rules and runbooks).
//!
//! An alert is answered by a page when, in this order: its link annotation resolves to a page
//! of this site (an `alerts/<Name>/` URL or a page URL under `site-url`, a site path, or a
//! repository-relative `.md` path); a runbook lists it under `alerts:`; or a page's file is
//! named after it. Matching ignores case (kube-prometheus lowercases names in its URLs).
//! Nothing is fetched: links to other hosts are not checked.
//!
//! Input: the site's pages and runbooks, and the rules [`crate::alerts::read`] gives. The
//! freshness-dependent part ([`assess`]) runs once freshness is known.

use std::collections::{BTreeMap, HashMap};

use super::Site;
use super::alerts::Runbooks;
use crate::alerts::{AlertRule, Annotation};
use crate::config::{AlertsConfig, SiteConfig};
use crate::diag::{self, Diagnostic};
use crate::site::freshness::State;

/// How an alert found its runbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Via {
    /// Its link annotation.
    Link,
    /// The runbook's `alerts:` front matter.
    FrontMatter,
    /// The runbook's file name.
    FileName,
}

/// Whether an alert's runbook can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Coverage {
    /// No runbook answers it.
    Missing,
    /// Its runbook is stale.
    Stale,
    /// Its runbook was never verified.
    Unverified,
    /// Its runbook is fresh (or due soon, or exempt from review).
    Fresh,
}

impl Coverage {
    /// The name used in JSON and CSS classes.
    pub fn name(self) -> &'static str {
        match self {
            Coverage::Missing => "missing",
            Coverage::Stale => "stale",
            Coverage::Unverified => "unverified",
            Coverage::Fresh => "fresh",
        }
    }

    /// The coverage an alert gets from its runbook's freshness (`None`: no runbook).
    pub fn of(state: Option<State>) -> Self {
        match state {
            None => Coverage::Missing,
            Some(State::Stale) => Coverage::Stale,
            Some(State::Unverified) => Coverage::Unverified,
            Some(State::Fresh | State::DueSoon | State::Exempt) => Coverage::Fresh,
        }
    }
}

/// One alert name and every rule that defines it.
#[derive(Debug, Clone)]
pub struct Alert {
    /// The name as the first rule writes it.
    pub name: String,
    /// The name as a URL path segment (`alerts/<segment>/`).
    pub segment: String,
    /// Its rules, in path order (one alert at several thresholds has several).
    pub rules: Vec<AlertRule>,
    /// One of its rules pages someone (`[alerts] paging`).
    pub paging: bool,
    /// The page of its runbook.
    pub runbook: Option<usize>,
    /// How the runbook was found.
    pub via: Option<Via>,
    /// Coverage, once freshness is known.
    pub coverage: Coverage,
}

/// Every alert the rule files define, A–Z (ignoring case).
#[derive(Debug, Clone, Default)]
pub struct Alerts {
    /// `[alerts] rules` is set: the rule files are the truth about which alerts exist.
    pub enabled: bool,
    /// The alerts.
    pub alerts: Vec<Alert>,
}

/// How many alerts are in each coverage state.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Alerts.
    pub total: usize,
    /// With a fresh runbook.
    pub fresh: usize,
    /// With a stale runbook.
    pub stale: usize,
    /// With an unverified runbook.
    pub unverified: usize,
    /// Without a runbook.
    pub missing: usize,
}

impl Counts {
    /// "142 alerts: 131 with a fresh runbook, 6 stale, 5 without".
    pub fn summary(&self) -> String {
        let alerts = if self.total == 1 { "1 alert".to_owned() } else { format!("{} alerts", self.total) };
        let mut out = format!("{alerts}: {} with a fresh runbook, {} stale", self.fresh, self.stale);
        if self.unverified > 0 {
            out.push_str(&format!(", {} unverified", self.unverified));
        }
        out.push_str(&format!(", {} without", self.missing));
        out
    }
}

impl Alerts {
    /// The counts per coverage state; `None` when `[alerts] rules` is not set.
    pub fn counts(&self) -> Option<Counts> {
        if !self.enabled {
            return None;
        }
        let mut c = Counts { total: self.alerts.len(), ..Counts::default() };
        for a in &self.alerts {
            *match a.coverage {
                Coverage::Missing => &mut c.missing,
                Coverage::Stale => &mut c.stale,
                Coverage::Unverified => &mut c.unverified,
                Coverage::Fresh => &mut c.fresh,
            } += 1;
        }
        Some(c)
    }

    /// The alerts whose runbook is page `page`.
    pub fn answered_by(&self, page: usize) -> impl Iterator<Item = &Alert> {
        self.alerts.iter().filter(move |a| a.runbook == Some(page))
    }
}

/// Reads the rule files, matches every alert to its runbook and reports what is missing, wrong
/// or orphaned. Alerts that found a runbook join `runbooks.alerts` (their `alerts/<Name>/`
/// URL leads there).
pub fn build(site: &Site, runbooks: &mut Runbooks, config: &SiteConfig) -> (Alerts, Vec<Diagnostic>) {
    let cfg = &config.alerts;
    if cfg.rules.is_empty() {
        return (Alerts::default(), Vec::new());
    }
    let (rules, mut diags) = crate::alerts::read(cfg, &config.content_root);
    let mut by_key: BTreeMap<String, Alert> = BTreeMap::new();
    for rule in rules {
        if cfg.ignores(&rule.name) || cfg.ignores(&rule.segment) {
            continue;
        }
        let paging = cfg.pages(|k| rule.label(k));
        let alert = by_key.entry(rule.segment.to_lowercase()).or_insert_with(|| Alert {
            name: rule.name.clone(),
            segment: rule.segment.clone(),
            rules: Vec::new(),
            paging: false,
            runbook: None,
            via: None,
            coverage: Coverage::Missing,
        });
        alert.paging |= paging;
        alert.rules.push(rule);
    }
    let mut alerts: Vec<Alert> = by_key.into_values().collect();
    let index = Index::new(site, runbooks, config, &alerts);
    let mut known: std::collections::HashSet<String> =
        runbooks.alerts.keys().map(|k| k.to_lowercase()).collect();
    for alert in &mut alerts {
        index.answer(alert, &mut diags);
        match alert.runbook {
            None => diags.push(missing(alert, cfg)),
            Some(page) => {
                if known.insert(alert.segment.to_lowercase()) {
                    runbooks.alerts.insert(alert.segment.clone(), page);
                }
            }
        }
    }
    diags.extend(orphans(site, runbooks, &alerts, cfg));
    (Alerts { enabled: true, alerts }, diags)
}

/// The rule messages about `alert` point at: its first paging rule, else its first.
fn first_rule<'a>(alert: &'a Alert, cfg: &AlertsConfig) -> &'a AlertRule {
    alert.rules.iter().find(|r| cfg.pages(|k| r.label(k))).unwrap_or(&alert.rules[0])
}

/// The diagnostic of an alert no runbook answers.
fn missing(alert: &Alert, cfg: &AlertsConfig) -> Diagnostic {
    let rule = first_rule(alert, cfg);
    let message = if alert.paging {
        format!("paging alert `{}` has no runbook", alert.name)
    } else {
        format!("alert `{}` has no runbook", alert.name)
    };
    let diag = if alert.paging && cfg.coverage_is_error {
        Diagnostic::error(message)
    } else {
        Diagnostic::warning(message)
    };
    rule.place(diag).hint(format!(
        "write one with `lore new runbook --alert {}`, or list `{}` under `alerts:` in a runbook",
        alert.segment, alert.segment
    ))
}

/// Runbooks that name an alert no rule defines: warnings at the runbook's `alerts:` line.
fn orphans(site: &Site, runbooks: &Runbooks, alerts: &[Alert], cfg: &AlertsConfig) -> Vec<Diagnostic> {
    let known: HashMap<String, &str> =
        alerts.iter().map(|a| (a.segment.to_lowercase(), a.segment.as_str())).collect();
    let names: Vec<&str> = alerts.iter().map(|a| a.segment.as_str()).collect();
    let mut diags = Vec::new();
    for rb in &runbooks.runbooks {
        let page = &site.pages[rb.page];
        for name in &rb.alerts {
            if known.contains_key(&name.to_lowercase()) || cfg.ignores(name) {
                continue;
            }
            let line = super::alerts::alerts_line(page);
            let text = crate::diag::Lines::line(&page.text, line).unwrap_or("");
            let col = text.find(name.as_str()).map_or(1, |i| text[..i].chars().count() + 1);
            let mut d =
                Diagnostic::warning(format!("runbook names alert `{name}`, which no alert rule defines"))
                    .at_text(&page.source.shown, &page.text, line, col);
            d = match diag::did_you_mean(name, &names) {
                Some(guess) => d.hint(format!("did you mean `{guess}`?")),
                None => d.hint("remove it, or add its rule file to `rules` in `[alerts]` of `book.toml`"),
            };
            diags.push(d);
        }
    }
    diags
}

/// Sets each alert's coverage from its runbook's freshness, and reports paging alerts whose
/// runbook fails `fail-on` (exactly when the runbook page itself fails `lore check`).
pub fn assess(site: &mut Site, config: &SiteConfig) -> Vec<Diagnostic> {
    let fresh = &config.freshness;
    let mut diags = Vec::new();
    let mut alerts = std::mem::take(&mut site.coverage.alerts);
    for alert in &mut alerts {
        let state = alert.runbook.and_then(|p| site.freshness.get(p)).map(|f| f.state);
        alert.coverage = Coverage::of(state);
        let (Some(page), Some(state)) = (alert.runbook, state) else { continue };
        if !alert.paging || !state.fails(fresh.fail_on, fresh.unverified_is_stale) {
            continue;
        }
        let rule = first_rule(alert, &config.alerts);
        let rel = site.pages[page].source.shown.display().to_string();
        diags.push(
            rule.place(Diagnostic::warning(format!(
                "paging alert `{}` sends responders to `{rel}`, which is {} (fails `--fail-on {}`)",
                alert.name,
                state.label().to_lowercase(),
                fresh.fail_on.name()
            )))
            .hint(format!("review the runbook, then run `lore verify {rel}`")),
        );
    }
    site.coverage.alerts = alerts;
    diags
}

/// Where a link annotation leads.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Link {
    /// A page of the site.
    Page(usize),
    /// `alerts/<key>/` of an alert: the lowercase key, and the path as written.
    Alert(String, String),
    /// A template lore cannot fill in.
    Dynamic(String),
    /// Another site: not checked.
    External,
    /// Nothing in this site; the site path and a near miss.
    Nothing(String, Option<String>),
}

/// Lookup tables built once per site (10,000 pages × 5,000 rules must stay linear).
struct Index<'a> {
    site: &'a Site,
    config: &'a SiteConfig,
    /// Lowercase URL without slashes at the ends → page.
    urls: HashMap<String, usize>,
    /// Lowercase source path → page.
    sources: HashMap<String, usize>,
    /// Lowercase file stem → page (the file-name convention).
    stems: HashMap<String, usize>,
    /// Lowercase alert name → page, from runbooks' front matter.
    front_matter: HashMap<String, usize>,
    /// Prefixes a repository-relative path may carry before the source folder (`docs/`).
    prefixes: Vec<String>,
    /// Every alert name (lowercase, as written), for "did you mean".
    names: Vec<(String, String)>,
}

impl<'a> Index<'a> {
    fn new(site: &'a Site, runbooks: &Runbooks, config: &'a SiteConfig, alerts: &[Alert]) -> Self {
        let mut urls = HashMap::new();
        let mut sources = HashMap::new();
        let mut stems = HashMap::new();
        for (i, page) in site.pages.iter().enumerate() {
            urls.entry(site.urls[i].trim_matches('/').to_lowercase()).or_insert(i);
            sources.entry(page.source.rel.to_lowercase()).or_insert(i);
            let file = page.source.rel.rsplit('/').next().unwrap_or("");
            let stem = file.strip_suffix(".md").or_else(|| file.strip_suffix(".MD")).unwrap_or(file);
            if !stem.eq_ignore_ascii_case("readme") && !stem.eq_ignore_ascii_case("index") {
                stems.entry(stem.to_lowercase()).or_insert(i);
            }
        }
        let front_matter = runbooks.alerts.iter().map(|(k, v)| (k.to_lowercase(), *v)).collect();
        let src = crate::config::content_root::resolve(&config.src);
        let mut prefixes = Vec::new();
        for base in [crate::config::content_root::resolve(&config.root), config.content_root.main.clone()] {
            if let Ok(rel) = src.strip_prefix(&base) {
                let rel = rel.to_string_lossy().replace('\\', "/");
                if !rel.is_empty() {
                    prefixes.push(format!("{}/", rel.to_lowercase()));
                }
            }
        }
        let mut names: Vec<(String, String)> = alerts
            .iter()
            .map(|a| a.segment.clone())
            .chain(runbooks.alerts.keys().cloned())
            .map(|n| (n.to_lowercase(), n))
            .collect();
        names.sort();
        names.dedup_by(|a, b| a.0 == b.0);
        Self { site, config, urls, sources, stems, front_matter, prefixes, names }
    }

    /// Finds the runbook of `alert`: link, then front matter, then file name.
    fn answer(&self, alert: &mut Alert, diags: &mut Vec<Diagnostic>) {
        let key = alert.segment.to_lowercase();
        let mut linked = None;
        for rule in &alert.rules {
            let Some(annotation) = self.link_of(rule) else { continue };
            match self.resolve(&annotation.value, &alert.name) {
                Link::Page(p) => linked = linked.or(Some(p)),
                Link::Alert(k, _) if k == key => {}
                Link::Alert(k, path) => match self.by_name(&k) {
                    Some(p) => linked = linked.or(Some(p)),
                    None => {
                        let guess = diag::did_you_mean(
                            &k,
                            &self.names.iter().map(|(l, _)| l.as_str()).collect::<Vec<_>>(),
                        )
                        .and_then(|g| self.names.iter().find(|(l, _)| l == g))
                        .map(|(_, name)| format!("alerts/{name}/"));
                        diags.push(self.nothing(rule, annotation, &path, guess));
                    }
                },
                Link::Dynamic(template) => diags.push(dynamic(rule, annotation, &template)),
                Link::External => {}
                Link::Nothing(path, guess) => diags.push(self.nothing(rule, annotation, &path, guess)),
            }
        }
        let (runbook, via) = match (linked, self.front_matter.get(&key), self.stems.get(&key)) {
            (Some(p), _, _) => (Some(p), Some(Via::Link)),
            (None, Some(p), _) => (Some(*p), Some(Via::FrontMatter)),
            (None, None, Some(p)) => (Some(*p), Some(Via::FileName)),
            _ => (None, None),
        };
        alert.runbook = runbook;
        alert.via = via;
    }

    /// The runbook of alert `key` by front matter or file name.
    fn by_name(&self, key: &str) -> Option<usize> {
        self.front_matter.get(key).or_else(|| self.stems.get(key)).copied()
    }

    /// The first of `url-annotations` the rule has.
    fn link_of<'r>(&self, rule: &'r AlertRule) -> Option<&'r Annotation> {
        self.config.alerts.url_annotations.iter().find_map(|k| rule.annotation(k))
    }

    fn nothing(&self, rule: &AlertRule, at: &Annotation, path: &str, guess: Option<String>) -> Diagnostic {
        let make = if self.config.alerts.links_are_errors { Diagnostic::error } else { Diagnostic::warning };
        let d = rule.place_at(
            make(format!("`{}` of alert `{}` leads to nothing in this site (`{path}`)", at.key, rule.name)),
            at,
        );
        match guess {
            Some(g) => d.hint(format!("did you mean `{g}`?")),
            None => d.hint(
                "link to a page of this site, or to `alerts/<AlertName>/` of an alert that has a runbook",
            ),
        }
    }

    /// Where `raw` leads, with `{{ $labels.alertname }}` filled in with `name`.
    fn resolve(&self, raw: &str, name: &str) -> Link {
        let filled = match fill_template(raw, name) {
            Ok(f) => f,
            Err(template) => return Link::Dynamic(template),
        };
        let link = filled.trim();
        let link = link.split(['#', '?']).next().unwrap_or("");
        let Some(path) = self.site_path(link) else { return Link::External };
        let path = super::decode_path(&path);
        let lower = path.trim_matches('/').to_lowercase();
        if lower.ends_with(".md") {
            return self.markdown_path(&path, &lower);
        }
        let lower = lower.strip_suffix("index.html").unwrap_or(&lower).trim_end_matches('/');
        let lower = lower.strip_suffix(".html").unwrap_or(lower);
        if let Some(&p) = self.urls.get(lower) {
            return Link::Page(p);
        }
        if let Some(key) = lower.strip_prefix("alerts/").filter(|k| !k.is_empty() && !k.contains('/')) {
            return Link::Alert(key.to_owned(), path.clone());
        }
        Link::Nothing(path.clone(), self.near_url(lower))
    }

    /// The site path of a link, or `None` for a link to another site.
    fn site_path(&self, link: &str) -> Option<String> {
        let base = self.config.site_url.as_deref().unwrap_or("");
        let base_path =
            base.split_once("://").map_or(base, |(_, rest)| rest.find('/').map_or("/", |i| &rest[i..]));
        if link.contains("://") || link.starts_with("//") || link.starts_with("mailto:") {
            let starts =
                !base.is_empty() && link.len() >= base.len() && link[..base.len()].eq_ignore_ascii_case(base);
            return starts.then(|| link[base.len()..].to_owned());
        }
        match link.strip_prefix('/') {
            Some(_) if base_path.len() > 1 && link.starts_with(base_path) => {
                Some(link[base_path.len()..].to_owned())
            }
            Some(rest) => Some(rest.to_owned()),
            None => Some(link.trim_start_matches("./").to_owned()),
        }
    }

    /// A `.md` path: relative to the source folder, to `book.toml`'s folder or to the repository.
    fn markdown_path(&self, path: &str, lower: &str) -> Link {
        let found = std::iter::once(lower)
            .chain(self.prefixes.iter().filter_map(|p| lower.strip_prefix(p.as_str())))
            .find_map(|candidate| self.sources.get(candidate));
        match found {
            Some(&p) => Link::Page(p),
            None => Link::Nothing(path.to_owned(), self.near_source(lower)),
        }
    }

    /// The page whose source path is a near miss of `lower` or of one of its tails (a
    /// repository-relative path carries folders the source path does not), as shown.
    fn near_source(&self, lower: &str) -> Option<String> {
        let rels: Vec<&str> = self.sources.keys().map(String::as_str).collect();
        let mut tail = lower;
        loop {
            if let Some(g) = diag::did_you_mean(tail, &rels) {
                let page = &self.site.pages[*self.sources.get(g)?];
                return Some(page.source.shown.display().to_string());
            }
            tail = tail.split_once('/')?.1;
        }
    }

    fn near_url(&self, lower: &str) -> Option<String> {
        let urls: Vec<&str> = self.site.urls.iter().map(|u| u.trim_matches('/')).collect();
        let lower_urls: Vec<String> = urls.iter().map(|u| u.to_lowercase()).collect();
        let refs: Vec<&str> = lower_urls.iter().map(String::as_str).collect();
        let guess = diag::did_you_mean(lower, &refs)?;
        let i = refs.iter().position(|u| *u == guess)?;
        Some(format!("{}/", urls[i]))
    }
}

/// A link annotation that is still a template after the alert's name is filled in.
fn dynamic(rule: &AlertRule, at: &Annotation, template: &str) -> Diagnostic {
    rule.place_at(
        Diagnostic::warning(format!(
            "`{}` of alert `{}` is built from `{template}` when the alert fires; lore cannot check where it leads",
            at.key, rule.name
        )),
        at,
    )
    .hint("link to `alerts/<AlertName>/` (or use `{{ $labels.alertname }}` only) so the link can be checked")
}

/// `raw` with each `{{ $labels.alertname }}` (or `.Labels`, `.CommonLabels`, `.GroupLabels`)
/// replaced by `name`; `Err` with the first other template.
fn fill_template(raw: &str, name: &str) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else { break };
        let template = &rest[start..start + len + 2];
        let inner: String = template[2..template.len() - 2].chars().filter(|c| !c.is_whitespace()).collect();
        let inner = inner.trim_start_matches('-').trim_end_matches('-');
        const NAMES: [&str; 4] =
            ["$labels.alertname", ".Labels.alertname", ".CommonLabels.alertname", ".GroupLabels.alertname"];
        if !NAMES.contains(&inner) {
            return Err(template.to_owned());
        }
        out.push_str(&rest[..start]);
        out.push_str(name);
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_with_the_alert_name_are_filled_in() {
        assert_eq!(
            fill_template("https://x/alerts/{{ $labels.alertname }}/", "A").as_deref(),
            Ok("https://x/alerts/A/")
        );
        assert_eq!(fill_template("/a/{{.CommonLabels.alertname}}", "B").as_deref(), Ok("/a/B"));
        assert_eq!(
            fill_template("/r/{{ $labels.namespace }}/x", "B"),
            Err("{{ $labels.namespace }}".to_owned())
        );
        assert_eq!(fill_template("plain", "B").as_deref(), Ok("plain"));
    }

    #[test]
    fn summary_line() {
        let c = Counts { total: 142, fresh: 131, stale: 6, unverified: 0, missing: 5 };
        assert_eq!(c.summary(), "142 alerts: 131 with a fresh runbook, 6 stale, 5 without");
        let c = Counts { total: 1, fresh: 0, stale: 0, unverified: 1, missing: 0 };
        assert_eq!(c.summary(), "1 alert: 0 with a fresh runbook, 0 stale, 1 unverified, 0 without");
    }
}
