//! Services: one record per service, merged from catalog entities ([`crate::services`]) and
//! service pages (kind `service`), with their SLOs, dependencies both ways, runbooks
//! (`service:`), decisions (`services:`/`service:`) and alerts (`service` label, or the alert
//! Sloth generates for one of its SLOs).
//!
//! A service page with the name of a catalog entity adds its body and front matter to it;
//! front matter wins field by field and each field remembers where it came from. Problems:
//! two definitions of one service (an error naming both), a name nothing defines (a warning
//! with "did you mean", only once at least one service is defined, so sites without services
//! are not nagged), and an SLO for an unknown service. A dependency cycle is shown, not an
//! error.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use super::Site;
use super::alerts::Runbooks;
use super::service_pages::{self, PageService};
use crate::config::{Kind, SiteConfig};
use crate::diag::{Diagnostic, did_you_mean};
use crate::services::{Entity, EntityKind, SloDef};

/// Where a field's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The service page's front matter.
    Page,
    /// A catalog file, at `file:line`.
    Catalog(String),
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced {
    /// The value.
    pub value: String,
    /// Its source.
    pub origin: Origin,
}

/// One service.
#[derive(Debug, Clone, Default)]
pub struct Service {
    /// Its name (`ledger`).
    pub name: String,
    /// Its title (the page's, else the catalog's, else the name).
    pub title: String,
    /// A description.
    pub description: Option<String>,
    /// Its URL: the service page's, else `services/<name>/`.
    pub url: String,
    /// The service page.
    pub page: Option<usize>,
    /// The catalog entity (a Component).
    pub entity: Option<Entity>,
    /// Owner, tier, lifecycle, on-call, chat, repository, system, type, PagerDuty service,
    /// source location, by key.
    pub fields: BTreeMap<&'static str, Sourced>,
    /// Dashboards and links as (title, url).
    pub links: Vec<(String, String)>,
    /// Tags.
    pub tags: Vec<String>,
    /// APIs it provides and consumes.
    pub apis: (Vec<String>, Vec<String>),
    /// Services it depends on (names, as written).
    pub depends_on: Vec<String>,
    /// Those its page's `depends_on` names (the rest come from the catalog).
    pub page_depends: Vec<String>,
    /// Services that depend on it.
    pub depended_on_by: Vec<String>,
    /// Its SLOs.
    pub slos: Vec<SloDef>,
    /// Its runbooks (page indices).
    pub runbooks: Vec<usize>,
    /// Its decision records (page indices).
    pub adrs: Vec<usize>,
    /// Its alerts (indices into the site's rule alerts).
    pub alerts: Vec<usize>,
    /// Defined by a page or a catalog entity (else only named by runbooks).
    pub defined: bool,
}

impl Service {
    /// How many of its runbooks are in each freshness state (in [`State::ALL`] order), and
    /// the state of the service as a whole: its stalest runbook's (`none` without runbooks).
    ///
    /// [`State::ALL`]: super::freshness::State::ALL
    pub fn runbook_states(&self, site: &Site) -> ([usize; 5], &'static str) {
        use super::freshness::State;
        let mut counts = [0; 5];
        for p in &self.runbooks {
            let state = site.freshness.get(*p).map_or(State::Exempt, |f| f.state);
            if let Some(i) = State::ALL.iter().position(|x| *x == state) {
                counts[i] += 1;
            }
        }
        let worst = State::ALL.iter().zip(counts).find(|(_, n)| *n > 0).map_or("none", |(s, _)| s.name());
        (counts, worst)
    }

    /// The value of field `key`.
    pub fn field(&self, key: &str) -> Option<&str> {
        self.fields.get(key).map(|s| s.value.as_str())
    }
}

/// Every service of the site.
#[derive(Debug, Clone, Default)]
pub struct Services {
    /// The services, A–Z.
    pub list: Vec<Service>,
    /// Name → index in `list`.
    pub by_name: BTreeMap<String, usize>,
    /// Page index → the service it is the page of.
    pub by_page: BTreeMap<usize, usize>,
    /// Catalog groups: name → title.
    pub groups: BTreeMap<String, String>,
}

impl Services {
    /// Whether any service is defined (by a page or the catalog).
    pub fn enabled(&self) -> bool {
        self.list.iter().any(|s| s.defined)
    }

    /// The service named `name`.
    pub fn get(&self, name: &str) -> Option<&Service> {
        self.by_name.get(name).map(|i| &self.list[*i])
    }
}

/// Builds the services from the catalog, the SLO files and the site's pages.
pub fn build(site: &Site, runbooks: &Runbooks, config: &SiteConfig) -> (Services, Vec<Diagnostic>) {
    let (sources, mut diags) = crate::services::read(&config.services, &config.content_root);
    let mut out = Services::default();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for entity in sources.entities {
        let place = format!("{}:{}", entity.file.display(), entity.line);
        let rel_place = format!("{}:{}", entity.rel, entity.line);
        match entity.kind {
            EntityKind::Group => {
                out.groups
                    .insert(entity.name.clone(), entity.title.clone().unwrap_or_else(|| entity.name.clone()));
            }
            EntityKind::System => {}
            EntityKind::Component => {
                if let Some(first) = seen.get(&entity.name) {
                    diags.push(duplicate(&entity.name, first, &entity.file, entity.line, entity.col));
                    continue;
                }
                seen.insert(entity.name.clone(), place.clone());
                let service = from_entity(entity, rel_place);
                out.add(service);
            }
        }
    }
    add_pages(site, &mut out, &mut seen, &mut diags);
    for slo in sources.slos {
        match out.by_name.get(&slo.service) {
            Some(&i) => out.list[i].slos.push(slo),
            None => {
                let (line, col, text) = &slo.service_at;
                let mut d = unknown_at(&out, &slo.service, &slo.file, *line, *col, "SLO is for");
                d.source_line = Some(text.clone()).filter(|t| !t.is_empty());
                diags.push(d);
            }
        }
    }
    join(site, runbooks, &mut out, &mut diags);
    check_dependencies(&out, site, &mut diags);
    out.link_dependencies();
    for s in &mut out.list {
        if s.url.is_empty() {
            s.url = service_url(&s.name);
        }
    }
    check_urls(site, &out, &mut diags);
    (out, diags)
}

/// `services/<name>/` (the name as a URL segment).
pub fn service_url(name: &str) -> String {
    format!("services/{}/", crate::site::taxonomy::slug(name))
}

impl Services {
    fn add(&mut self, service: Service) -> usize {
        let i = self.list.len();
        self.by_name.insert(service.name.clone(), i);
        self.list.push(service);
        i
    }

    /// Sorts A–Z and renumbers the maps.
    fn sort(&mut self) {
        let pages: BTreeMap<String, usize> =
            self.by_page.iter().map(|(p, s)| (self.list[*s].name.clone(), *p)).collect();
        self.list.sort_by(|a, b| a.name.cmp(&b.name));
        self.by_name = self.list.iter().enumerate().map(|(i, s)| (s.name.clone(), i)).collect();
        self.by_page = pages.into_iter().map(|(name, p)| (p, self.by_name[&name])).collect();
    }
}

fn duplicate(name: &str, first: &str, file: &std::path::Path, line: usize, col: usize) -> Diagnostic {
    Diagnostic::error(format!("service `{name}` is defined twice: at `{first}` and here"))
        .at(file, line, col)
        .hint("a service has one definition: remove or rename one of them")
}

fn from_entity(entity: Entity, place: String) -> Service {
    let mut fields = BTreeMap::new();
    let mut put = |key: &'static str, value: Option<String>| {
        if let Some(value) = value {
            fields.insert(key, Sourced { value, origin: Origin::Catalog(place.clone()) });
        }
    };
    put("owner", entity.owner.as_ref().map(|r| r.name.clone()));
    put("lifecycle", entity.lifecycle.clone());
    put("type", entity.spec_type.clone());
    put("system", entity.system.as_ref().map(|r| r.name.clone()));
    put("pagerduty", entity.annotation("pagerduty.com/service-id").map(str::to_owned));
    put("repository", entity.annotation("backstage.io/source-location").map(str::to_owned));
    Service {
        name: entity.name.clone(),
        title: entity.title.clone().unwrap_or_else(|| entity.name.clone()),
        description: entity.description.clone(),
        fields,
        links: entity.links.clone(),
        tags: entity.tags.clone(),
        apis: (
            entity.provides_apis.iter().map(|r| r.name.clone()).collect(),
            entity.consumes_apis.iter().map(|r| r.name.clone()).collect(),
        ),
        depends_on: entity.depends_on.iter().filter(|r| r.is_component()).map(|r| r.name.clone()).collect(),
        defined: true,
        entity: Some(entity),
        ..Service::default()
    }
}

/// Adds each service page to its catalog entity, or as a service of its own.
fn add_pages(
    site: &Site,
    out: &mut Services,
    seen: &mut BTreeMap<String, String>,
    diags: &mut Vec<Diagnostic>,
) {
    let mut pages_seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, page) in site.pages.iter().enumerate() {
        if page.kind != Kind::Service {
            continue;
        }
        let fm = service_pages::read(page, diags);
        if let Some(&first) = pages_seen.get(&fm.name) {
            let first = site.pages[first].source.shown.display().to_string();
            diags.push(duplicate(&fm.name, &first, &page.source.shown, fm.name_line, 1));
            continue;
        }
        if crate::alerts::segment(&fm.name).as_deref() != Some(fm.name.as_str()) {
            diags.push(
                Diagnostic::error(format!(
                    "service name `{}` cannot be made into a URL path segment",
                    fm.name
                ))
                .at_text(&page.source.shown, &page.text, fm.name_line, 1)
                .hint("service names use letters, digits, `-`, `_` and `.`"),
            );
            continue;
        }
        pages_seen.insert(fm.name.clone(), i);
        seen.entry(fm.name.clone()).or_insert_with(|| page.source.rel.clone());
        let index = match out.by_name.get(&fm.name) {
            Some(&s) => s,
            None => out.add(Service { name: fm.name.clone(), defined: true, ..Service::default() }),
        };
        merge_page(&mut out.list[index], site, i, fm);
        out.by_page.insert(i, index);
    }
}

/// Front matter wins, field by field.
fn merge_page(s: &mut Service, site: &Site, i: usize, fm: PageService) {
    let page = &site.pages[i];
    s.page = Some(i);
    s.url.clone_from(&site.urls[i]);
    s.title.clone_from(&page.title);
    if page.meta.description.is_some() {
        s.description.clone_from(&page.meta.description);
    }
    let fields = [
        ("owner", page.meta.owner.clone()),
        ("tier", fm.tier),
        ("lifecycle", fm.lifecycle),
        ("on_call", fm.on_call),
        ("chat", fm.chat),
        ("repository", fm.repository),
    ];
    for (key, value) in fields {
        if let Some(value) = value {
            s.fields.insert(key, Sourced { value, origin: Origin::Page });
        }
    }
    s.links.extend(fm.dashboards);
    s.links.extend(fm.links);
    s.tags.extend(page.meta.tags.iter().cloned());
    s.page_depends.clone_from(&fm.depends_on);
    for d in fm.depends_on {
        if !s.depends_on.contains(&d) {
            s.depends_on.push(d);
        }
    }
    s.slos.extend(fm.slos);
}

/// Runbooks, ADRs and alerts join their services; a name nothing defines is a warning (once
/// anything is defined) and gets a page of its own, so no runbook's service link breaks.
fn join(site: &Site, runbooks: &Runbooks, out: &mut Services, diags: &mut Vec<Diagnostic>) {
    let enabled = out.enabled();
    let mut named: Vec<(String, usize, &'static str)> = Vec::new();
    for rb in &runbooks.runbooks {
        if let Some(s) = &rb.service {
            named.push((s.clone(), rb.page, "service"));
        }
    }
    for (i, page) in site.pages.iter().enumerate().filter(|(_, p)| p.kind == Kind::Adr) {
        for key in ["services", "service"] {
            for name in names(page.meta.fields.get(key)) {
                named.push((name, i, key));
            }
        }
    }
    for (name, page, key) in named {
        let index = match out.by_name.get(&name) {
            Some(&s) => s,
            None => {
                if enabled {
                    let p = &site.pages[page];
                    let (line, col) = service_pages::place_in_value(p, key, &name, 0);
                    let d = unknown_at(out, &name, &p.source.shown, line, col, "names");
                    diags.push(Diagnostic {
                        source_line: p.text.lines().nth(line - 1).map(str::to_owned),
                        ..d
                    });
                }
                out.add(Service { name: name.clone(), title: name.clone(), ..Service::default() })
            }
        };
        let s = &mut out.list[index];
        let list = if site.pages[page].kind == Kind::Adr { &mut s.adrs } else { &mut s.runbooks };
        if !list.contains(&page) {
            list.push(page);
        }
    }
    for (a, alert) in site.coverage.alerts.iter().enumerate() {
        let label = alert.rules.iter().find_map(|r| r.label("service"));
        for s in &mut out.list {
            let by_label = label.is_some_and(|l| l == s.name);
            let by_slo = s
                .slos
                .iter()
                .any(|slo| slo.alert.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(&alert.name)));
            if by_label || by_slo {
                s.alerts.push(a);
            }
        }
    }
    out.sort();
}

/// Service names of an ADR's `services`/`service`.
fn names(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => {
            s.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
        }
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
        _ => Vec::new(),
    }
}

/// "`what` service `name`, which no service page or catalog entity defines".
fn unknown_at(
    out: &Services,
    name: &str,
    file: &std::path::Path,
    line: usize,
    col: usize,
    what: &str,
) -> Diagnostic {
    let known: Vec<&str> = out.list.iter().filter(|s| s.defined).map(|s| s.name.as_str()).collect();
    let d = Diagnostic::warning(format!(
        "{what} service `{name}`, which no service page or catalog entity defines"
    ))
    .at(file, line.max(1), col.max(1));
    match did_you_mean(name, &known) {
        Some(guess) => d.hint(format!("did you mean `{guess}`?")),
        None => d.hint("add a page in `services/` or an entity to the catalog"),
    }
}

/// Unknown dependencies warn at their definition; `depended_on_by` is filled in.
fn check_dependencies(out: &Services, site: &Site, diags: &mut Vec<Diagnostic>) {
    for s in &out.list {
        for dep in &s.depends_on {
            if out.get(dep).is_some_and(|d| d.defined) {
                continue;
            }
            let (file, line, col, text): (PathBuf, usize, usize, Option<&str>) = match (s.page, &s.entity) {
                (Some(p), _) if s.page_depends.contains(dep) => {
                    let page = &site.pages[p];
                    let (line, col) = service_pages::place_in_value(page, "depends_on", dep, 0);
                    (page.source.shown.clone(), line, col, page.text.lines().nth(line - 1))
                }
                (_, Some(e)) => {
                    let at =
                        e.depends_on.iter().position(|r| &r.name == dep).and_then(|i| e.depends_at.get(i));
                    match at {
                        Some((line, col, text)) => (e.file.clone(), *line, *col, Some(text.as_str())),
                        None => (e.file.clone(), e.line, e.col, None),
                    }
                }
                _ => continue,
            };
            let what =
                if s.page_depends.contains(dep) { "`depends_on` names" } else { "`spec.dependsOn` names" };
            let mut d = unknown_at(out, dep, &file, line, col, what);
            d.source_line = text.map(str::to_owned);
            diags.push(d);
        }
    }
}

impl Services {
    /// Fills in `depended_on_by` (A–Z).
    pub fn link_dependencies(&mut self) {
        let edges: Vec<(String, String)> = self
            .list
            .iter()
            .flat_map(|s| s.depends_on.iter().map(move |d| (d.clone(), s.name.clone())))
            .collect();
        for (to, from) in edges {
            if let Some(&i) = self.by_name.get(&to).filter(|i| !self.list[**i].depended_on_by.contains(&from))
            {
                self.list[i].depended_on_by.push(from);
            }
        }
        for s in &mut self.list {
            s.depended_on_by.sort();
        }
    }
}

/// A page of another kind at a service's generated URL: two sources for one URL.
fn check_urls(site: &Site, out: &Services, diags: &mut Vec<Diagnostic>) {
    for s in out.list.iter().filter(|s| s.page.is_none()) {
        let Some(super::Target::Page(p)) = site.by_url(&s.url) else { continue };
        let page = &site.pages[p];
        let source = match &s.entity {
            Some(e) => format!("catalog entity `{}` (`{}:{}`)", s.name, e.file.display(), e.line),
            None => format!("service `{}`", s.name),
        };
        diags.push(
            Diagnostic::error(format!(
                "`{}` and {source} would both be published at `{}`",
                page.source.rel, s.url
            ))
            .at(&page.source.shown, 1, 1)
            .hint("make the page the service's page (`kind: service`), or rename it"),
        );
    }
}
