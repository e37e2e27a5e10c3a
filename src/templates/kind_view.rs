//! Building [`KindsView`]s from the site model, and the pages lore generates for kinds:
//! taxonomy indexes and value pages, the alert index and one redirect page per alert.
//!
//! [`KindViews`] needs only the site model and the config; `view` calls it.

use super::context::{
    AdrLinkView, AdrLogView, AdrRowView, AdrView, AlertRowView, Chrome, Field, GroupView, KindsView,
    LinkView, ListItem, NamedLink, PageInfo, PageView, PathPositionView, PathView, RuleView, RunbookView,
    SiteView, StepGroupView, StepView,
};
use super::service_view::ServiceViews;
use crate::config::{Kind, SiteConfig};
use crate::error::Error;
use crate::site::adr_graph::AdrRecord;
use crate::site::paths::{Prerequisite, StepKind, describe_minutes};
use crate::site::taxonomy::{Taxonomy, slug};
use crate::site::{Site, Target, encode_path, relative_url};

/// A page lore generates for a kind, ready to render.
#[derive(Debug)]
pub struct Generated {
    /// Site-relative output path (`alerts/DiskFull/index.html`).
    pub path: String,
    /// Template name.
    pub template: &'static str,
    /// The view.
    pub view: PageView,
}

/// Builds what kinds add to views.
#[derive(Debug, Clone, Copy)]
pub(super) struct KindViews<'a> {
    /// The site model.
    pub(super) site: &'a Site,
    /// The config (a path's progress key holds the site title).
    pub(super) config: &'a SiteConfig,
}

impl KindViews<'_> {
    /// What the page's kind adds to `target`'s view (its URL is `url`).
    pub(super) fn kinds(&self, target: Target, url: &str) -> KindsView {
        let site = self.site;
        let mut view = KindsView::default();
        if let Some(log) = site.adrs.logs.iter().find(|l| l.target == Some(target)) {
            view.adr_log = Some(self.adr_log(url, &log.records));
        }
        if self.is_runbook_folder(target) {
            view.indexes = self.runbook_indexes(url);
        }
        let services = ServiceViews { site };
        if url == "services/" && site.services.enabled() {
            view.services_index = Some(services.index(url));
        }
        let Target::Page(i) = target else { return view };
        if let Some(s) = site.services.by_page.get(&i) {
            view.service = Some(services.service(&site.services.list[*s], url));
        }
        let page = &site.pages[i];
        match page.kind {
            Kind::Runbook => view.runbook = self.runbook(i, url),
            Kind::Adr => view.adr = site.adrs.by_page.get(&i).map(|r| self.adr(*r, url)),
            Kind::Onboarding => view.path = site.paths.by_page.get(&i).map(|p| self.path(*p, url)),
            Kind::Page | Kind::Service => {}
        }
        view.in_paths = self.in_paths(i, url);
        view
    }

    fn is_runbook_folder(&self, target: Target) -> bool {
        self.site.runbooks.folders.contains(self.site.url(target))
    }

    fn runbook_indexes(&self, from: &str) -> Vec<LinkView> {
        let mut out: Vec<LinkView> = self
            .site
            .taxonomies
            .iter()
            .filter(|t| matches!(t.name, "services" | "owners" | "severities"))
            .map(|t| LinkView {
                title: format!("By {}", t.singular.to_lowercase()),
                href: relative_url(from, &t.url()),
            })
            .collect();
        if self.site.services.enabled() {
            out.insert(0, LinkView { title: "By service".to_owned(), href: relative_url(from, "services/") });
        }
        if !self.site.runbooks.alerts.is_empty() {
            out.push(LinkView { title: "Alerts A–Z".to_owned(), href: relative_url(from, "alerts/") });
        }
        out
    }

    fn taxonomy_link(&self, name: &str, value: &str, from: &str) -> NamedLink {
        let href = self
            .site
            .taxonomies
            .iter()
            .find(|t| t.name == name && t.values.contains_key(value))
            .map(|t| relative_url(from, &t.value_url(value)));
        NamedLink { name: value.to_owned(), href }
    }

    fn runbook(&self, page: usize, from: &str) -> Option<RunbookView> {
        let site = self.site;
        let rb = &site.runbooks.runbooks[*site.runbooks.by_page.get(&page)?];
        Some(RunbookView {
            service: rb.service.as_deref().map(|s| {
                if site.services.enabled() {
                    ServiceViews { site }.link(s, from)
                } else {
                    self.taxonomy_link("services", s, from)
                }
            }),
            severity: rb.severity.clone(),
            severity_class: rb.severity.as_deref().map(slug).unwrap_or_default(),
            owner: site.pages[page].meta.owner.as_deref().map(|o| self.taxonomy_link("owners", o, from)),
            alerts: rb
                .alerts
                .iter()
                .map(|a| NamedLink { name: a.clone(), href: Some(relative_url(from, &alert_url(a))) })
                .collect(),
            dashboards: rb
                .dashboards
                .iter()
                .map(|d| LinkView { title: d.title.clone(), href: d.url.clone() })
                .collect(),
            escalation: rb
                .escalation
                .iter()
                .map(|(l, v)| Field { label: l.clone(), value: v.clone() })
                .collect(),
            rules: self.rules_of(page),
        })
    }

    /// The rules of the alerts page `page` answers.
    fn rules_of(&self, page: usize) -> Vec<RuleView> {
        let paging = &self.config.alerts;
        self.site
            .coverage
            .answered_by(page)
            .flat_map(|a| a.rules.iter().map(move |r| (a, r)))
            .map(|(a, r)| RuleView {
                alert: a.name.clone(),
                expr: r.expr.clone(),
                for_: r.for_.clone(),
                labels: r.labels.iter().map(|(k, v)| Field { label: k.clone(), value: v.clone() }).collect(),
                paging: paging.pages(|k| r.label(k)),
                location: format!("{}:{}", r.rel, r.line),
            })
            .collect()
    }

    /// The Alerts page's table: every alert of the rules, then alerts only runbooks name.
    fn alert_table(&self, from: &str) -> Vec<AlertRowView> {
        let site = self.site;
        let runbook_of = |page: usize| LinkView {
            title: site.pages[page].title.clone(),
            href: relative_url(from, &site.urls[page]),
        };
        let mut rows: Vec<AlertRowView> = site
            .coverage
            .alerts
            .iter()
            .map(|a| AlertRowView {
                name: a.name.clone(),
                href: a.runbook.map(|_| relative_url(from, &alert_url(&a.segment))),
                state: a.coverage.name(),
                paging: a.paging,
                severity: a.rules.iter().find_map(|r| r.label("severity")).unwrap_or("").to_owned(),
                runbook: a.runbook.map(runbook_of),
                rule: match a.rules.len() {
                    1 => format!("{}:{}", a.rules[0].rel, a.rules[0].line),
                    n => format!("{}:{} (+{} more)", a.rules[0].rel, a.rules[0].line, n - 1),
                },
            })
            .collect();
        let known: std::collections::HashSet<String> =
            site.coverage.alerts.iter().map(|a| a.segment.to_lowercase()).collect();
        for (alert, page) in &site.runbooks.alerts {
            if known.contains(&alert.to_lowercase()) {
                continue;
            }
            let state = crate::site::coverage::Coverage::of(site.freshness.get(*page).map(|f| f.state));
            rows.push(AlertRowView {
                name: alert.clone(),
                href: Some(relative_url(from, &alert_url(alert))),
                state: state.name(),
                paging: false,
                severity: String::new(),
                runbook: Some(runbook_of(*page)),
                rule: String::new(),
            });
        }
        rows.sort_by_key(|r| r.name.to_lowercase());
        rows
    }

    fn record_href(&self, r: &AdrRecord, from: &str) -> String {
        relative_url(from, &self.site.urls[r.page])
    }

    fn adr(&self, index: usize, from: &str) -> AdrView {
        let records = &self.site.adrs.records;
        let r = &records[index];
        AdrView {
            id: r.id(),
            status: r.status_label.clone(),
            status_class: r.lifecycle.map_or("unknown", |l| l.name()).to_owned(),
            date: r.adr.date.map(|d| d.to_string()),
            decision_makers: r.adr.decision_makers.clone(),
            consulted: r.adr.consulted.clone(),
            informed: r.adr.informed.clone(),
            relations: r
                .links
                .iter()
                .map(|(kind, other)| {
                    let o = &records[*other];
                    AdrLinkView {
                        relation: kind.label().to_owned(),
                        title: o.label(),
                        href: self.record_href(o, from),
                        status: o.lifecycle.map_or("unknown", |l| l.name()).to_owned(),
                    }
                })
                .collect(),
        }
    }

    fn adr_log(&self, from: &str, indices: &[usize]) -> AdrLogView {
        let records = &self.site.adrs.records;
        let rows: Vec<AdrRowView> = indices
            .iter()
            .map(|&i| {
                let r = &records[i];
                let by = r.links.iter().find(|(k, _)| *k == crate::content::adr::RelationKind::SupersededBy);
                AdrRowView {
                    number: r.adr.number.map(|n| format!("{n:04}")).unwrap_or_default(),
                    title: r.adr.title.clone(),
                    href: self.record_href(r, from),
                    status: r.status_label.clone().unwrap_or_default(),
                    status_class: r.lifecycle.map_or("unknown", |l| l.name()).to_owned(),
                    date: r.adr.date.map(|d| d.to_string()).unwrap_or_default(),
                    note: by.map(|(_, o)| {
                        let o = &records[*o];
                        format!("Superseded by {}", o.id().unwrap_or_else(|| o.adr.title.clone()))
                    }),
                }
            })
            .collect();
        let mut statuses: Vec<Field> = Vec::new();
        for row in &rows {
            match statuses.iter_mut().find(|f| f.label == row.status_class) {
                Some(f) => f.value = (f.value.parse::<usize>().unwrap_or(0) + 1).to_string(),
                None => statuses.push(Field { label: row.status_class.clone(), value: "1".to_owned() }),
            }
        }
        statuses.sort_by(|a, b| a.label.cmp(&b.label));
        AdrLogView { rows, statuses }
    }

    fn path(&self, index: usize, from: &str) -> PathView {
        let site = self.site;
        let path = &site.paths.paths[index];
        let mut groups: Vec<StepGroupView> = Vec::new();
        for (n, step) in path.steps.iter().enumerate() {
            let title = step.group.map(|g| path.groups[g].clone());
            if groups.last().is_none_or(|g| g.title != title) {
                groups.push(StepGroupView { title, steps: Vec::new() });
            }
            let (text, href, who, last_verified, freshness) = match &step.kind {
                StepKind::Page(p) => (
                    site.pages[*p].title.clone(),
                    Some(relative_url(from, &site.urls[*p])),
                    None,
                    site.pages[*p].meta.last_verified.map(|d| d.to_string()),
                    super::freshness::badge(site, crate::site::Target::Page(*p)),
                ),
                StepKind::Task { text, who } => (text.clone(), None, who.clone(), None, None),
            };
            if let Some(g) = groups.last_mut() {
                g.steps.push(StepView {
                    n: n + 1,
                    id: format!("s{}", n + 1),
                    title: text,
                    href,
                    who,
                    estimated_time: step.estimated_time.clone(),
                    minutes: step.minutes.unwrap_or(0),
                    optional: step.optional,
                    last_verified,
                    freshness,
                });
            }
        }
        let total: u32 = path.steps.iter().filter_map(|s| s.minutes).sum();
        PathView {
            key: format!("lore:{}:{}", self.config.title, site.urls[path.page]),
            audience: path.audience.clone(),
            outcome: path.outcome.clone(),
            estimated_time: path.estimated_time.clone(),
            total_time: (total > 0).then(|| format!("about {}", describe_minutes(total))),
            count: path.steps.len(),
            prerequisites: path
                .prerequisites
                .iter()
                .map(|p| match p {
                    Prerequisite::Path(i) => NamedLink {
                        name: site.pages[*i].title.clone(),
                        href: Some(relative_url(from, &site.urls[*i])),
                    },
                    Prerequisite::Text(t) => NamedLink { name: t.clone(), href: None },
                })
                .collect(),
            groups,
        }
    }

    fn in_paths(&self, page: usize, from: &str) -> Vec<PathPositionView> {
        let site = self.site;
        let Some(memberships) = site.paths.steps_of.get(&page) else { return Vec::new() };
        memberships
            .iter()
            .map(|&(p, s)| {
                let path = &site.paths.paths[p];
                let path_url = &site.urls[path.page];
                let link = |i: usize| -> LinkView {
                    match &path.steps[i].kind {
                        StepKind::Page(q) => LinkView {
                            title: site.pages[*q].title.clone(),
                            href: relative_url(from, &site.urls[*q]),
                        },
                        StepKind::Task { text, .. } => LinkView {
                            title: text.clone(),
                            href: format!("{}#s{}", relative_url(from, path_url), i + 1),
                        },
                    }
                };
                PathPositionView {
                    path: LinkView {
                        title: site.pages[path.page].title.clone(),
                        href: relative_url(from, path_url),
                    },
                    n: s + 1,
                    total: path.steps.len(),
                    prev: s.checked_sub(1).map(link),
                    next: (s + 1 < path.steps.len()).then(|| link(s + 1)),
                }
            })
            .collect()
    }

    fn item(&self, from: &str, page: usize) -> ListItem {
        let p = &self.site.pages[page];
        ListItem {
            title: p.title.clone(),
            href: relative_url(from, &self.site.urls[page]),
            kind: p.kind.label().to_owned(),
            description: p.meta.description.clone(),
            owner: p.meta.owner.clone(),
            status: self.site.adrs.lifecycle_of(page).map(|l| l.name().to_owned()),
            badge: super::freshness::badge(self.site, crate::site::Target::Page(page)),
        }
    }

    /// Pages grouped by kind, in the order runbooks, ADRs, onboarding, pages.
    fn by_kind(&self, from: &str, pages: &[usize]) -> Vec<GroupView> {
        let kinds = [
            (Kind::Runbook, "Runbooks"),
            (Kind::Adr, "Decision records"),
            (Kind::Onboarding, "Onboarding"),
            (Kind::Service, "Services"),
            (Kind::Page, "Pages"),
        ];
        kinds
            .iter()
            .filter_map(|(kind, title)| {
                let items: Vec<ListItem> = pages
                    .iter()
                    .filter(|p| self.site.pages[**p].kind == *kind)
                    .map(|p| self.item(from, *p))
                    .collect();
                (!items.is_empty()).then(|| GroupView { title: (*title).to_owned(), href: None, items })
            })
            .collect()
    }

    /// Every page lore generates for kinds: taxonomy indexes and values, the alert index and
    /// one redirect per alert. `site_base` is [`SiteView`] relative to the site root.
    pub(super) fn generated(&self, site_base: &SiteView) -> Vec<Generated> {
        let mut out = Vec::new();
        for t in &self.site.taxonomies {
            out.push(self.taxonomy_index(t, site_base));
            for (value, pages) in &t.values {
                let url = t.value_url(value);
                let title = format!("{}: {value}", t.singular);
                let mut view = generated_view(self.site, site_base, &url, &title, "taxonomy");
                view.kinds.groups = self.by_kind(&url, pages);
                if t.name == "owners" {
                    view.kinds.groups.retain(|g| g.title != "Services");
                    view.kinds.groups.extend(self.owned_services(&url, value));
                }
                view.chrome.breadcrumbs.push(LinkView { title: t.title.to_owned(), href: "../".to_owned() });
                out.push(Generated { path: format!("{url}index.html"), template: "taxonomy.html", view });
            }
        }
        let alerts = &self.site.runbooks.alerts;
        let has_alerts = !alerts.is_empty() || !self.site.coverage.alerts.is_empty();
        if has_alerts && self.site.by_url("alerts/").is_none() && self.site.coverage.enabled {
            let url = "alerts/";
            let mut view = generated_view(self.site, site_base, url, "Alerts", "taxonomy");
            view.kinds.alert_table = Some(self.alert_table(url));
            out.push(Generated { path: "alerts/index.html".to_owned(), template: "taxonomy.html", view });
        } else if !alerts.is_empty() && self.site.by_url("alerts/").is_none() {
            let url = "alerts/";
            let mut view = generated_view(self.site, site_base, url, "Alerts", "taxonomy");
            let mut groups: Vec<GroupView> = Vec::new();
            for (alert, page) in alerts {
                let letter =
                    alert.chars().next().map(|c| c.to_ascii_uppercase().to_string()).unwrap_or_default();
                let mut item = self.item(url, *page);
                item.description = Some(format!("Runbook: {}", item.title));
                item.title = alert.clone();
                match groups.last_mut() {
                    Some(g) if g.title == letter => g.items.push(item),
                    _ => groups.push(GroupView { title: letter, href: None, items: vec![item] }),
                }
            }
            view.kinds.groups = groups;
            out.push(Generated { path: "alerts/index.html".to_owned(), template: "taxonomy.html", view });
        }
        out.extend(self.redirects(site_base));
        out.extend(self.service_pages(site_base));
        out
    }

    /// A page for each service without a page of its own, and the services index unless a
    /// page of the site is published at `services/`.
    fn service_pages(&self, site_base: &SiteView) -> Vec<Generated> {
        let site = self.site;
        let mut out = Vec::new();
        if !site.services.enabled() {
            return out;
        }
        let views = ServiceViews { site };
        for s in site.services.list.iter().filter(|s| s.page.is_none()) {
            if site.by_url(&s.url).is_some() {
                continue;
            }
            let mut view = generated_view(site, site_base, &s.url, &s.title, "service");
            view.chrome.page.description.clone_from(&s.description);
            view.chrome.breadcrumbs.push(LinkView { title: "Services".to_owned(), href: "../".to_owned() });
            view.kinds.service = Some(views.service(s, &s.url));
            out.push(Generated { path: format!("{}index.html", s.url), template: "service.html", view });
        }
        if site.by_url("services/").is_none() {
            let url = "services/";
            let mut view = generated_view(site, site_base, url, "Services", "services");
            view.kinds.services_index = Some(views.index(url));
            out.push(Generated { path: "services/index.html".to_owned(), template: "services.html", view });
        }
        out
    }

    /// The services `owner` owns, as a group of an owner's page.
    fn owned_services(&self, from: &str, owner: &str) -> Option<GroupView> {
        let items: Vec<ListItem> = self
            .site
            .services
            .list
            .iter()
            .filter(|s| s.field("owner") == Some(owner))
            .map(|s| ListItem {
                title: s.title.clone(),
                href: relative_url(from, &s.url),
                kind: "Service".to_owned(),
                description: s.description.clone(),
                owner: None,
                status: None,
                badge: None,
            })
            .collect();
        (!items.is_empty()).then(|| GroupView { title: "Services".to_owned(), href: None, items })
    }

    /// One redirect per alert at `alerts/<Name>/`, and at `alerts/<name>/` when the name has
    /// capitals (kube-prometheus lowercases names in its URLs). A page of the site published at
    /// such a URL is the page there: no redirect is written over it. On a file system that
    /// ignores case the alias and the redirect are one file, so the alias is the same bytes; an
    /// alias that would fall on any other file (ignoring case) is left out.
    fn redirects(&self, site_base: &SiteView) -> Vec<Generated> {
        let site = self.site;
        let mut taken: std::collections::HashSet<String> =
            site.urls.iter().chain(site.sections.iter().map(|s| &s.url)).map(|u| u.to_lowercase()).collect();
        let mut out = Vec::new();
        let mut aliases = Vec::new();
        for (alert, page) in &site.runbooks.alerts {
            let url = alert_url(alert);
            if !taken.insert(url.to_lowercase()) {
                continue;
            }
            let mut view = generated_view(site, site_base, &url, &format!("Alert {alert}"), "alert");
            view.kinds.redirect = Some(relative_url(&url, &site.urls[*page]));
            view.chrome.page.description = Some(site.pages[*page].title.clone());
            let lower = url.to_lowercase();
            if lower != url {
                aliases.push((lower, view.clone()));
            }
            out.push(Generated { path: format!("{url}index.html"), template: "alert.html", view });
        }
        // `taken` compared every URL ignoring case, so where a redirect was written no other
        // page, listing or redirect shares its lowercase form: the alias can only fall on it.
        for (lower, view) in aliases {
            out.push(Generated { path: format!("{lower}index.html"), template: "alert.html", view });
        }
        out
    }

    fn taxonomy_index(&self, t: &Taxonomy, site_base: &SiteView) -> Generated {
        let url = t.url();
        let mut view = generated_view(self.site, site_base, &url, t.title, "taxonomy");
        let mut values: Vec<(&String, &Vec<usize>)> = t.values.iter().collect();
        if t.name == "severities" {
            // Most urgent first, not A–Z.
            values.sort_by_key(|(v, _)| severity_rank(v));
        }
        view.kinds.groups = values
            .into_iter()
            .map(|(value, pages)| GroupView {
                title: value.clone(),
                href: Some(relative_url(&url, &t.value_url(value))),
                items: pages.iter().map(|p| self.item(&url, *p)).collect(),
            })
            .collect();
        Generated { path: format!("{url}index.html"), template: "taxonomy.html", view }
    }
}

/// The view of a generated page. Alert redirects have no sidebar: their template shows only a
/// link, and a site may have thousands of them.
fn generated_view(site: &Site, site_base: &SiteView, url: &str, title: &str, kind: &str) -> PageView {
    let nav = if kind == "alert" { Vec::new() } else { super::nav::entries(site, None, url) };
    PageView::framed(Chrome {
        site: site_base.rooted_at(&relative_url(url, "")),
        page: PageInfo::generated(title, kind, "", url),
        nav,
        breadcrumbs: vec![LinkView { title: "Home".to_owned(), href: relative_url(url, "") }],
    })
}

/// Where a severity sorts: the usual names and their numbered forms, most urgent first.
fn severity_rank(value: &str) -> (usize, String) {
    const ORDER: [&[&str]; 5] = [
        &["critical", "sev1", "p1", "sev-1", "emergency"],
        &["high", "sev2", "p2", "sev-2", "major"],
        &["medium", "sev3", "p3", "sev-3", "moderate"],
        &["low", "sev4", "p4", "sev-4", "minor"],
        &["info", "sev5", "p5", "informational"],
    ];
    let v = value.to_ascii_lowercase();
    (ORDER.iter().position(|names| names.contains(&v.as_str())).unwrap_or(ORDER.len()), v)
}

/// `alerts/<AlertName>/`.
pub fn alert_url(alert: &str) -> String {
    format!("alerts/{alert}/")
}

/// The schema version of `alerts.json` (keys are only ever added).
pub const ALERTS_JSON_VERSION: u32 = 1;

/// `alerts.json`: every alert with its runbook's URL (relative to the site root, or absolute
/// with `site-url`), and for alerts of `[alerts] rules` their rules, labels, paging and
/// coverage state. An alert without a runbook has no `runbook`, `title` or `alert_url`.
pub fn alerts_json(site: &Site, base: Option<&str>) -> Result<String, Error> {
    use serde_json::{Value, json};
    let base = base.unwrap_or("");
    let mut map: serde_json::Map<String, Value> = serde_json::Map::new();
    for (alert, page) in &site.runbooks.alerts {
        let state = crate::site::coverage::Coverage::of(site.freshness.get(*page).map(|f| f.state));
        let entry = json!({
            "runbook": format!("{base}{}", encode_path(&site.urls[*page])),
            "title": site.pages[*page].title,
            "alert_url": format!("{base}{}", encode_path(&alert_url(alert))),
            "state": state.name(),
        });
        map.insert(alert.clone(), entry);
    }
    let keys: std::collections::HashMap<String, String> =
        map.keys().map(|k| (k.to_lowercase(), k.clone())).collect();
    for alert in &site.coverage.alerts {
        let key = keys.get(&alert.segment.to_lowercase()).cloned().unwrap_or_else(|| alert.segment.clone());
        let entry = map.entry(key).or_insert_with(|| json!({}));
        if let Value::Object(fields) = entry {
            fields.extend(rule_fields(alert));
        }
    }
    let mut text = serde_json::to_string_pretty(&json!({ "version": ALERTS_JSON_VERSION, "alerts": map }))
        .map_err(|e| Error::encode("`alerts.json`", e))?;
    text.push('\n');
    Ok(text)
}

/// What the rules of an alert add to its `alerts.json` entry.
fn rule_fields(alert: &crate::site::coverage::Alert) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::{Value, json};
    let first = &alert.rules[0];
    let pairs = |v: &[(String, String)]| -> Value {
        Value::Object(v.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect())
    };
    let annotation = |k: &str| alert.rules.iter().find_map(|r| r.annotation(k)).map(|a| a.value.clone());
    let rules: Vec<Value> = alert
        .rules
        .iter()
        .map(|r| {
            json!({
                "file": r.rel,
                "line": r.line,
                "format": r.format,
                "expr": r.expr,
                "for": r.for_,
                "labels": pairs(&r.labels),
            })
        })
        .collect();
    let mut out = serde_json::Map::new();
    out.insert("name".to_owned(), json!(alert.name));
    out.insert("rules".to_owned(), Value::Array(rules));
    out.insert("severity".to_owned(), json!(alert.rules.iter().find_map(|r| r.label("severity"))));
    out.insert("labels".to_owned(), pairs(&first.labels));
    out.insert("paging".to_owned(), json!(alert.paging));
    out.insert("expr".to_owned(), json!(first.expr));
    out.insert("for".to_owned(), json!(first.for_));
    out.insert("summary".to_owned(), json!(annotation("summary").or_else(|| annotation("title"))));
    out.insert("description".to_owned(), json!(annotation("description")));
    out.insert("state".to_owned(), json!(alert.coverage.name()));
    out
}
