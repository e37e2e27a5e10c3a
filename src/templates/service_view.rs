//! What a service page and the services index show, built from the site model's
//! [`Services`](crate::site::services::Services): header facts with their sources, SLOs with
//! computed error budgets, dependencies both ways (with the SVG diagram), runbooks with their
//! freshness and alerts, alerts with coverage, decisions with status, onboarding paths, and
//! the freshness of the service as a whole.

use serde::Serialize;

use super::context::{Badge, LinkView, NamedLink};
use crate::config::data_url;
use crate::services::budget;
use crate::site::freshness::State;
use crate::site::services::{Origin, Service};
use crate::site::{Site, Target, relative_url};

/// A service's page.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceView {
    /// Its name.
    pub name: String,
    /// Header facts (owner, tier, lifecycle, on-call, chat, repository, …).
    pub facts: Vec<FactView>,
    /// Where its data came from (`catalog-info.yaml:4`, `services/ledger.md`).
    pub sources: Vec<String>,
    /// Dashboards and links.
    pub links: Vec<LinkView>,
    /// Tags.
    pub tags: Vec<String>,
    /// APIs it provides, and consumes.
    pub provides_apis: Vec<String>,
    /// APIs it consumes.
    pub consumes_apis: Vec<String>,
    /// SLOs.
    pub slos: Vec<SloRowView>,
    /// Services it depends on.
    pub depends_on: Vec<NamedLink>,
    /// Services that depend on it.
    pub depended_on_by: Vec<NamedLink>,
    /// The dependency diagram (SVG built by lore, every name escaped).
    pub diagram: Option<String>,
    /// Its runbooks.
    pub runbooks: Vec<ServiceRunbookView>,
    /// Its alerts, with coverage.
    pub alerts: Vec<ServiceAlertView>,
    /// Its decision records.
    pub adrs: Vec<ServiceAdrView>,
    /// Onboarding paths that visit its pages.
    pub paths: Vec<LinkView>,
    /// "7 of 9 runbooks fresh · 1 stale · 1 never verified".
    pub freshness: Option<String>,
    /// The freshness state of the service as a whole (its stalest runbook).
    pub state: &'static str,
    /// Only named by runbooks or ADRs: no page or catalog entity defines it.
    pub undefined: bool,
}

/// One header fact.
#[derive(Debug, Clone, Serialize)]
pub struct FactView {
    /// `Owner`.
    pub label: &'static str,
    /// The value.
    pub value: String,
    /// A link, when the value is one (or the owner has a page).
    pub href: Option<String>,
    /// `catalog` or `page`.
    pub source: &'static str,
    /// `catalog-info.yaml:4` or the page's file.
    pub source_place: String,
}

/// One SLO row.
#[derive(Debug, Clone, Serialize)]
pub struct SloRowView {
    /// Name.
    pub name: String,
    /// "99.9 %".
    pub objective: String,
    /// "30 days".
    pub window: String,
    /// "43 min 12 s" (empty when the window cannot be read).
    pub downtime: String,
    /// "0.1 %".
    pub bad_events: String,
    /// Description.
    pub description: Option<String>,
    /// `openslo`, `sloth` or `page`, and `file:line`.
    pub source: String,
    /// The alert Sloth generates for it.
    pub alert: Option<NamedLink>,
}

/// A runbook of the service.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceRunbookView {
    /// Title.
    pub title: String,
    /// Link.
    pub href: String,
    /// Freshness state name (`fresh`, `stale`…).
    pub state: &'static str,
    /// Freshness label.
    pub label: &'static str,
    /// The badge, when it needs review.
    pub badge: Option<Badge>,
    /// Alerts it answers.
    pub alerts: Vec<NamedLink>,
}

/// An alert of the service.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceAlertView {
    /// Name.
    pub name: String,
    /// Its `alerts/<Name>/` page, when it has a runbook.
    pub href: Option<String>,
    /// Coverage (`fresh`, `stale`, `unverified`, `missing`).
    pub state: &'static str,
    /// Whether it pages.
    pub paging: bool,
}

/// A decision record of the service.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceAdrView {
    /// Title.
    pub title: String,
    /// Link.
    pub href: String,
    /// Status label.
    pub status: String,
    /// Lifecycle class.
    pub status_class: String,
}

/// The services index.
#[derive(Debug, Clone, Serialize)]
pub struct ServicesIndexView {
    /// One row per service, A–Z.
    pub rows: Vec<ServiceRowView>,
    /// Distinct owners, tiers, lifecycles and freshness states, for the filters.
    pub owners: Vec<String>,
    /// Tiers.
    pub tiers: Vec<String>,
    /// Lifecycles.
    pub lifecycles: Vec<String>,
    /// Freshness states.
    pub states: Vec<String>,
}

/// One row of the services index.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceRowView {
    /// Name.
    pub name: String,
    /// Title.
    pub title: String,
    /// Link.
    pub href: String,
    /// Description.
    pub description: Option<String>,
    /// Owner.
    pub owner: String,
    /// Tier.
    pub tier: String,
    /// Lifecycle.
    pub lifecycle: String,
    /// Freshness state of its runbooks (`none` without runbooks).
    pub state: &'static str,
    /// Summary line.
    pub freshness: String,
    /// Number of runbooks.
    pub runbooks: usize,
    /// Number of SLOs.
    pub slos: usize,
}

/// Builds service views for pages at `from`.
pub(super) struct ServiceViews<'a> {
    /// The site model.
    pub(super) site: &'a Site,
}

const FACTS: [(&str, &str); 10] = [
    ("owner", "Owner"),
    ("tier", "Tier"),
    ("lifecycle", "Lifecycle"),
    ("on_call", "On-call"),
    ("chat", "Chat"),
    ("repository", "Repository"),
    ("system", "System"),
    ("type", "Type"),
    ("pagerduty", "PagerDuty"),
    ("escalation", "Escalation"),
];

impl ServiceViews<'_> {
    /// The link to service `name` from `from`, when it has a page.
    pub(super) fn link(&self, name: &str, from: &str) -> NamedLink {
        let href = self.site.services.get(name).map(|s| relative_url(from, &s.url));
        NamedLink { name: name.to_owned(), href }
    }

    /// The view of `service` on a page at `from`.
    pub(super) fn service(&self, s: &Service, from: &str) -> ServiceView {
        let site = self.site;
        let names = |list: &[String]| list.iter().map(|n| self.link(n, from)).collect::<Vec<_>>();
        let diagram = super::service_graph::diagram(&site.services, &s.name, &|n| {
            site.services.get(n).map(|t| relative_url(from, &t.url))
        });
        let (counts, state) = s.runbook_states(self.site);
        ServiceView {
            name: s.name.clone(),
            facts: self.facts(s, from),
            sources: sources(s, site),
            links: s
                .links
                .iter()
                .filter(|(_, u)| safe_link(u))
                .map(|(t, u)| LinkView { title: t.clone(), href: u.clone() })
                .collect(),
            tags: s.tags.clone(),
            provides_apis: s.apis.0.clone(),
            consumes_apis: s.apis.1.clone(),
            slos: s.slos.iter().map(|slo| self.slo(slo, from)).collect(),
            depends_on: names(&s.depends_on),
            depended_on_by: names(&s.depended_on_by),
            diagram,
            runbooks: s.runbooks.iter().map(|p| self.runbook(*p, from)).collect(),
            alerts: s.alerts.iter().map(|a| self.alert(*a, from)).collect(),
            adrs: s.adrs.iter().map(|p| self.adr(*p, from)).collect(),
            paths: self.paths(s, from),
            freshness: crate::services::runbook_summary(&counts, s.runbooks.len()),
            state,
            undefined: !s.defined,
        }
    }

    fn facts(&self, s: &Service, from: &str) -> Vec<FactView> {
        let owners = self.site.taxonomies.iter().find(|t| t.name == "owners");
        FACTS
            .iter()
            .filter_map(|(key, label)| {
                let sourced = s.fields.get(key)?;
                let value = sourced.value.clone();
                let href = match *key {
                    "owner" => owners
                        .filter(|t| t.values.contains_key(&value))
                        .map(|t| relative_url(from, &t.value_url(&value))),
                    "on_call" | "chat" | "repository" if looks_like_url(&value) && safe_link(&value) => {
                        Some(value.clone())
                    }
                    _ => None,
                };
                let (source, source_place) = match &sourced.origin {
                    Origin::Page => {
                        ("page", s.page.map(|p| self.site.pages[p].source.rel.clone()).unwrap_or_default())
                    }
                    Origin::Catalog(place) => ("catalog", place.clone()),
                };
                let value = match *key {
                    "owner" => self.site.services.groups.get(&value).cloned().unwrap_or(value),
                    _ if href.is_some() => short_url(&value),
                    _ => value,
                };
                Some(FactView { label, value, href, source, source_place })
            })
            .collect()
    }

    fn slo(&self, slo: &crate::services::SloDef, from: &str) -> SloRowView {
        let format = match slo.format {
            crate::services::SloFormat::OpenSlo => "OpenSLO",
            crate::services::SloFormat::Sloth => "Sloth",
            crate::services::SloFormat::Page | crate::services::SloFormat::Catalog => "page",
        };
        SloRowView {
            name: slo.name.clone(),
            objective: format!("{} %", budget::format_percent(slo.objective)),
            window: budget::describe_window(&slo.window),
            downtime: budget::downtime(slo.objective, &slo.window).unwrap_or_default(),
            bad_events: budget::bad_events(slo.objective),
            description: slo.description.clone(),
            source: format!("{format} · {}:{}", slo.rel, slo.line),
            alert: slo.alert.as_ref().map(|a| {
                let known = self.site.runbooks.alerts.keys().any(|k| k.eq_ignore_ascii_case(a));
                NamedLink {
                    name: a.clone(),
                    href: known.then(|| relative_url(from, &super::kind_view::alert_url(a))),
                }
            }),
        }
    }

    fn state_of(&self, page: usize) -> State {
        self.site.freshness.get(page).map_or(State::Exempt, |f| f.state)
    }

    fn runbook(&self, page: usize, from: &str) -> ServiceRunbookView {
        let site = self.site;
        let state = self.state_of(page);
        let rb = site.runbooks.by_page.get(&page).map(|i| &site.runbooks.runbooks[*i]);
        let mut alerts: Vec<NamedLink> = rb
            .map(|rb| {
                rb.alerts
                    .iter()
                    .map(|a| NamedLink {
                        name: a.clone(),
                        href: Some(relative_url(from, &super::kind_view::alert_url(a))),
                    })
                    .collect()
            })
            .unwrap_or_default();
        for a in site.coverage.answered_by(page) {
            if !alerts.iter().any(|n| n.name.eq_ignore_ascii_case(&a.name)) {
                alerts.push(NamedLink {
                    name: a.name.clone(),
                    href: Some(relative_url(from, &super::kind_view::alert_url(&a.segment))),
                });
            }
        }
        ServiceRunbookView {
            title: site.pages[page].title.clone(),
            href: relative_url(from, &site.urls[page]),
            state: state.name(),
            label: state.label(),
            badge: super::freshness::badge(site, Target::Page(page)),
            alerts,
        }
    }

    fn alert(&self, index: usize, from: &str) -> ServiceAlertView {
        let a = &self.site.coverage.alerts[index];
        ServiceAlertView {
            name: a.name.clone(),
            href: a.runbook.map(|_| relative_url(from, &super::kind_view::alert_url(&a.segment))),
            state: a.coverage.name(),
            paging: a.paging,
        }
    }

    fn adr(&self, page: usize, from: &str) -> ServiceAdrView {
        let site = self.site;
        let record = site.adrs.by_page.get(&page).map(|r| &site.adrs.records[*r]);
        ServiceAdrView {
            title: record.map_or_else(|| site.pages[page].title.clone(), |r| r.label()),
            href: relative_url(from, &site.urls[page]),
            status: record.and_then(|r| r.status_label.clone()).unwrap_or_else(|| "Unknown".to_owned()),
            status_class: record.and_then(|r| r.lifecycle).map_or("unknown", |l| l.name()).to_owned(),
        }
    }

    /// Onboarding paths with a step on the service page, a runbook or a decision of it.
    fn paths(&self, s: &Service, from: &str) -> Vec<LinkView> {
        let site = self.site;
        let pages = s.page.iter().chain(&s.runbooks).chain(&s.adrs);
        let mut paths: Vec<usize> =
            pages.filter_map(|p| site.paths.steps_of.get(p)).flatten().map(|(path, _)| *path).collect();
        paths.sort_unstable();
        paths.dedup();
        paths
            .into_iter()
            .map(|p| {
                let page = site.paths.paths[p].page;
                LinkView { title: site.pages[page].title.clone(), href: relative_url(from, &site.urls[page]) }
            })
            .collect()
    }

    /// The services index (rows A–Z) for a page at `from`.
    pub(super) fn index(&self, from: &str) -> ServicesIndexView {
        let rows: Vec<ServiceRowView> = self
            .site
            .services
            .list
            .iter()
            .map(|s| {
                let (counts, state) = s.runbook_states(self.site);
                let field = |k: &str| s.field(k).unwrap_or("").to_owned();
                ServiceRowView {
                    name: s.name.clone(),
                    title: s.title.clone(),
                    href: relative_url(from, &s.url),
                    description: s.description.clone(),
                    owner: field("owner"),
                    tier: field("tier"),
                    lifecycle: field("lifecycle"),
                    state,
                    freshness: crate::services::runbook_summary(&counts, s.runbooks.len())
                        .unwrap_or_else(|| "no runbooks".to_owned()),
                    runbooks: s.runbooks.len(),
                    slos: s.slos.len(),
                }
            })
            .collect();
        let distinct = |f: &dyn Fn(&ServiceRowView) -> String| {
            let mut v: Vec<String> = rows.iter().map(f).filter(|v| !v.is_empty()).collect();
            v.sort();
            v.dedup();
            v
        };
        ServicesIndexView {
            owners: distinct(&|r| r.owner.clone()),
            tiers: distinct(&|r| r.tier.clone()),
            lifecycles: distinct(&|r| r.lifecycle.clone()),
            states: distinct(&|r| r.state.to_owned()),
            rows,
        }
    }
}

fn sources(s: &Service, site: &Site) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(e) = &s.entity {
        out.push(format!("{}:{}", e.rel, e.line));
    }
    if let Some(p) = s.page {
        out.push(site.pages[p].source.rel.clone());
    }
    let mut slo_files: Vec<String> = s
        .slos
        .iter()
        .filter(|x| x.format != crate::services::SloFormat::Page)
        .map(|x| x.rel.clone())
        .collect();
    slo_files.sort();
    slo_files.dedup();
    out.extend(slo_files);
    out
}

/// A URL as link text: without its scheme and trailing `/` (`git.example.com/payments`).
fn short_url(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.strip_prefix("mailto:").unwrap_or(rest).trim_end_matches('/').to_owned()
}

fn looks_like_url(value: &str) -> bool {
    value.contains("://") || value.starts_with("mailto:")
}

/// Links from catalog and page data: `http(s):`, `mailto:` and relative URLs only.
fn safe_link(url: &str) -> bool {
    data_url::unsafe_scheme(url).is_none()
}

#[cfg(test)]
mod tests {

    #[test]
    fn freshness_summaries() {
        assert_eq!(
            crate::services::runbook_summary(&[1, 0, 1, 7, 0], 9).as_deref(),
            Some("7 of 9 runbooks fresh · 1 stale · 1 never verified")
        );
        assert_eq!(
            crate::services::runbook_summary(&[0, 1, 0, 0, 0], 1).as_deref(),
            Some("0 of 1 runbook fresh · 1 due soon")
        );
        assert_eq!(
            crate::services::runbook_summary(&[0, 0, 0, 2, 1], 3).as_deref(),
            Some("3 of 3 runbooks fresh")
        );
        assert_eq!(crate::services::runbook_summary(&[0; 5], 0), None);
    }
}
