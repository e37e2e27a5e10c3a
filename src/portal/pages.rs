//! The organisation's pages: the front page (sites, unavailable ones with the reason), the
//! freshness dashboard by owner and `freshness.json`, the alert namespace (`alerts/<Name>/`
//! redirects with lowercase aliases, `alerts.json`), the service catalog and the decision log.
//!
//! Every page uses the theme's `portal.html` (one generic table page, sorted by the theme's
//! table script); every value from a manifest reaches HTML through tera's escaping, and every
//! link is the site's base plus a URL the manifest reader already checked.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Portal;
use crate::error::Error;
use crate::report::FreshnessReport;
use crate::site::freshness::State;
use crate::templates::Templates;
use crate::templates::context::Chrome;
use crate::templates::view::ViewInputs;

/// The schema version of the portal's `alerts.json` and `freshness.json` additions.
pub const PORTAL_JSON_VERSION: u32 = 1;

/// One table page.
#[derive(Debug, Clone, Serialize)]
struct PortalView {
    #[serde(flatten)]
    chrome: Chrome,
    portal: PageBody,
}

/// What `portal.html` shows under the frame.
#[derive(Debug, Clone, Default, Serialize)]
struct PageBody {
    heading: String,
    lead: String,
    links: Vec<Cell>,
    unavailable: Vec<super::Unavailable>,
    tables: Vec<Table>,
}

/// A sortable table.
#[derive(Debug, Clone, Default, Serialize)]
struct Table {
    id: String,
    title: String,
    empty: String,
    columns: Vec<String>,
    rows: Vec<Vec<Cell>>,
}

/// One cell: text, maybe a link, maybe a state badge.
#[derive(Debug, Clone, Default, Serialize)]
struct Cell {
    text: String,
    href: Option<String>,
    badge: Option<&'static str>,
    /// Several linked values in one cell (dependencies).
    items: Vec<Cell>,
}

fn text(t: impl Into<String>) -> Cell {
    Cell { text: t.into(), ..Cell::default() }
}

fn opt(t: Option<&String>) -> Cell {
    text(t.cloned().unwrap_or_default())
}

/// A link from the page at `from` to `link` (absolute, or relative to the portal's root).
fn href(from: &str, link: &str) -> String {
    if crate::config::data_url::scheme(link).is_some() {
        link.to_owned()
    } else {
        crate::site::relative_href(from, link)
    }
}

fn link(t: impl Into<String>, from: &str, to: &str) -> Cell {
    Cell { text: t.into(), href: Some(href(from, to)), ..Cell::default() }
}

fn badge(state: State) -> Cell {
    Cell { text: state.label().to_owned(), badge: Some(state.name()), ..Cell::default() }
}

/// Where the organisation's files go: `(site-relative path, bytes)`.
pub type WriteFile<'a> = &'a dyn Fn(&str, &[u8]) -> Result<(), Error>;

/// Writes every page and file of the organisation through `write_file`.
pub fn write(
    portal: &Portal,
    report: &FreshnessReport,
    inputs: &ViewInputs<'_>,
    templates: &Templates,
    write_file: WriteFile<'_>,
) -> Result<(), Error> {
    let sink = Writer(write_file);
    let render = |url: &str, title: &str, body: PageBody| -> Result<(), Error> {
        let view = PortalView { chrome: inputs.generated_chrome(title, "portal", url), portal: body };
        sink.write(&format!("{url}index.html"), templates.render("portal.html", &view)?.as_bytes())
    };
    if !matches!(inputs.site.home(), Some(crate::site::Target::Page(_))) {
        render("", inputs.config.title.as_str(), front(portal, report))?;
    }
    render("freshness/", "Freshness", freshness(report))?;
    sink.write("freshness.json", freshness_json(portal, report)?.as_bytes())?;
    render("alerts/", "Alerts", alerts_page(portal))?;
    for (path, html) in alert_redirects(portal) {
        sink.write(&path, html.as_bytes())?;
    }
    sink.write("alerts.json", alerts_json(portal)?.as_bytes())?;
    render("services/", "Services", services(portal))?;
    render("decisions/", "Decisions", decisions(portal))?;
    Ok(())
}

fn front(portal: &Portal, report: &FreshnessReport) -> PageBody {
    let from = "";
    let mut rows = Vec::new();
    let counts = site_counts(report);
    for site in &portal.sites {
        let stale = counts.get(site.name.as_str()).map_or(0, |c| c.stale);
        rows.push(vec![
            link(&site.name, from, &site.base),
            text(&site.manifest.title),
            text(site.manifest.pages.len().to_string()),
            text(stale.to_string()),
            text(&site.manifest.today),
            text(site.search.describe()),
        ]);
    }
    PageBody {
        heading: "Sites".to_owned(),
        lead: format!(
            "{} sites, {} pages · freshness as of {}",
            portal.sites.len(),
            report.pages.len(),
            report.today
        ),
        links: vec![
            link("Freshness", from, "freshness/"),
            link("Alerts", from, "alerts/"),
            link("Services", from, "services/"),
            link("Decisions", from, "decisions/"),
        ],
        unavailable: portal.unavailable.clone(),
        tables: vec![
            Table {
                id: "sites".to_owned(),
                title: "Sites".to_owned(),
                empty: "No site could be read.".to_owned(),
                columns: ["Site", "Title", "Pages", "Stale", "Built for", "Search"]
                    .map(str::to_owned)
                    .to_vec(),
                rows,
            },
            onboarding(portal, from),
        ],
    }
}

/// Every site's onboarding paths.
fn onboarding(portal: &Portal, from: &str) -> Table {
    let rows = portal
        .sites
        .iter()
        .flat_map(|site| {
            site.manifest.onboarding.iter().map(move |p| {
                vec![
                    link(&p.title, from, &site.link(&p.url)),
                    text(&site.name),
                    text(p.steps.to_string()),
                    opt(p.audience.as_ref()),
                    opt(p.estimated_time.as_ref()),
                ]
            })
        })
        .collect();
    Table {
        id: "onboarding".to_owned(),
        title: "Onboarding paths".to_owned(),
        empty: "No site has an onboarding path.".to_owned(),
        columns: ["Path", "Site", "Steps", "For", "Time"].map(str::to_owned).to_vec(),
        rows,
    }
}

fn freshness(report: &FreshnessReport) -> PageBody {
    let from = "freshness/";
    let mut by_owner: BTreeMap<&str, Vec<&crate::report::Entry>> = BTreeMap::new();
    for entry in report.attention() {
        by_owner.entry(entry.owner.as_deref().unwrap_or("(no owner)")).or_default().push(entry);
    }
    let columns =
        ["Page", "Site", "Kind", "State", "Last verified", "Due", "Overdue"].map(str::to_owned).to_vec();
    let tables = by_owner
        .into_iter()
        .map(|(owner, entries)| Table {
            id: format!("owner-{}", crate::site::encode_path(owner)),
            title: format!("{owner} · {} to review", entries.len()),
            empty: String::new(),
            columns: columns.clone(),
            rows: entries
                .iter()
                .map(|e| {
                    vec![
                        link(&e.title, from, &e.url),
                        text(e.path.split('/').next().unwrap_or_default()),
                        text(e.kind.name()),
                        badge(e.state),
                        opt(e.last_verified.as_ref()),
                        opt(e.due.as_ref()),
                        text(
                            e.days_overdue
                                .filter(|d| *d > 0)
                                .map(|d| format!("{d} days"))
                                .unwrap_or_default(),
                        ),
                    ]
                })
                .collect(),
        })
        .collect();
    let mut tables: Vec<Table> = tables;
    tables.push(owner_counts(report));
    PageBody {
        heading: "Freshness".to_owned(),
        lead: format!(
            "Pages to review across the organisation, by owner, as of {}: {}.",
            report.today,
            report.counts.summary()
        ),
        links: vec![link("freshness.json", from, "freshness.json")],
        tables,
        ..PageBody::default()
    }
}

/// Pages per state for each owner, across every site.
fn owner_counts(report: &FreshnessReport) -> Table {
    let mut owners: BTreeMap<&str, Vec<&crate::report::Entry>> = BTreeMap::new();
    for entry in &report.pages {
        owners.entry(entry.owner.as_deref().unwrap_or("(no owner)")).or_default().push(entry);
    }
    let mut columns = vec!["Owner".to_owned()];
    columns.extend(State::ALL.iter().map(|s| s.label().to_owned()));
    columns.push("Pages".to_owned());
    let rows = owners
        .into_iter()
        .map(|(owner, entries)| {
            let counts = crate::report::Counts::of(entries.iter().copied());
            let mut row = vec![text(owner)];
            row.extend(State::ALL.iter().map(|s| text(counts.get(*s).to_string())));
            row.push(text(entries.len().to_string()));
            row
        })
        .collect();
    Table { id: "by-owner".to_owned(), title: "By owner".to_owned(), empty: String::new(), columns, rows }
}

/// Pages per state of each site (the report's paths are `<site>/<url>`), in one pass.
fn site_counts(report: &FreshnessReport) -> BTreeMap<&str, crate::report::Counts> {
    let mut by_site: BTreeMap<&str, Vec<&crate::report::Entry>> = BTreeMap::new();
    for entry in &report.pages {
        by_site.entry(entry.path.split('/').next().unwrap_or_default()).or_default().push(entry);
    }
    by_site.into_iter().map(|(site, entries)| (site, crate::report::Counts::of(entries))).collect()
}

/// `freshness.json` of the organisation: the report (pages `<site>/<url>`) with each page's
/// site and the sites' own counts.
fn freshness_json(portal: &Portal, report: &FreshnessReport) -> Result<String, Error> {
    let counts = site_counts(report);
    let sites: Vec<serde_json::Value> = portal
        .sites
        .iter()
        .map(|s| {
            serde_json::json!({
                "name": s.name,
                "title": s.manifest.title,
                "url": s.base,
                "counts": counts.get(s.name.as_str()).cloned().unwrap_or_default(),
            })
        })
        .collect();
    let unavailable: Vec<serde_json::Value> = portal
        .unavailable
        .iter()
        .map(|u| serde_json::json!({ "name": u.name, "reason": u.reason }))
        .collect();
    let mut value = serde_json::to_value(report).map_err(|e| Error::encode("`freshness.json`", e))?;
    if let serde_json::Value::Object(map) = &mut value {
        map.insert("sites".to_owned(), serde_json::Value::Array(sites));
        map.insert("unavailable".to_owned(), serde_json::Value::Array(unavailable));
        if let Some(serde_json::Value::Array(pages)) = map.get_mut("pages") {
            for page in pages.iter_mut() {
                let site = page
                    .get("path")
                    .and_then(|p| p.as_str())
                    .and_then(|p| p.split('/').next())
                    .map(str::to_owned);
                if let (serde_json::Value::Object(fields), Some(site)) = (page, site) {
                    fields.insert("site".to_owned(), serde_json::Value::String(site));
                }
            }
        }
    }
    let mut text = serde_json::to_string_pretty(&value).map_err(|e| Error::encode("`freshness.json`", e))?;
    text.push('\n');
    Ok(text)
}

/// Whether an alert name from a manifest can name a folder: Prometheus names and a few more
/// characters, never a path (`..`, `/`).
fn safe_segment(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && name != "."
        && name != ".."
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '.'))
}

fn alerts_page(portal: &Portal) -> PageBody {
    let from = "alerts/";
    let alerts = portal.alerts();
    let rows = alerts
        .claimed
        .values()
        .map(|c| {
            vec![
                link(c.name, from, &format!("alerts/{}/", crate::site::encode_path(c.name))),
                text(c.site),
                link(c.title, from, &c.runbook),
                badge(c.state),
                text(if c.paging { "yes" } else { "" }),
            ]
        })
        .collect();
    PageBody {
        heading: "Alerts".to_owned(),
        lead: format!("{} alerts answered by a runbook on one of the sites.", alerts.claimed.len()),
        links: vec![link("alerts.json", from, "alerts.json")],
        tables: vec![Table {
            id: "alerts".to_owned(),
            title: "Alerts".to_owned(),
            empty: "No site's runbook answers an alert.".to_owned(),
            columns: ["Alert", "Site", "Runbook", "Runbook state", "Pages"].map(str::to_owned).to_vec(),
            rows,
        }],
        ..PageBody::default()
    }
}

/// `alerts/<Name>/index.html` for each claimed alert, and its lowercase alias when that is
/// another folder no other alert has.
fn alert_redirects(portal: &Portal) -> Vec<(String, String)> {
    let alerts = portal.alerts();
    let names: std::collections::BTreeSet<&str> =
        alerts.claimed.values().map(|c| c.name).filter(|n| safe_segment(n)).collect();
    let mut out = Vec::new();
    for claim in alerts.claimed.values().filter(|c| safe_segment(c.name)) {
        let mut folders = vec![claim.name.to_owned()];
        let lower = claim.name.to_lowercase();
        if lower != claim.name && !names.contains(lower.as_str()) {
            folders.push(lower);
        }
        for folder in folders {
            let from = format!("alerts/{folder}/");
            let to = crate::diag::escape(&href(&from, &claim.runbook)).into_owned();
            out.push((format!("{from}index.html"), redirect_html(claim.name, claim.title, &to)));
        }
    }
    out
}

fn redirect_html(alert: &str, title: &str, to: &str) -> String {
    let e = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#39;")
    };
    let (alert, title, to) = (e(alert), e(title), e(to));
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{alert}</title>\n<meta http-equiv=\"refresh\" content=\"0; url={to}\">\n<link rel=\"canonical\" href=\"{to}\">\n<meta name=\"robots\" content=\"noindex\">\n</head>\n<body>\n<p>{alert}: the runbook is <a href=\"{to}\">{title}</a>.</p>\n</body>\n</html>\n"
    )
}

/// The organisation's `alerts.json`: each claimed alert's site, runbook and state.
fn alerts_json(portal: &Portal) -> Result<String, Error> {
    let alerts = portal.alerts();
    let mut map = serde_json::Map::new();
    for claim in alerts.claimed.values() {
        let coverage = crate::site::coverage::Coverage::of(Some(claim.state));
        map.insert(
            claim.name.to_owned(),
            serde_json::json!({
                "site": claim.site,
                "runbook": claim.runbook,
                "title": claim.title,
                "alert_url": format!("alerts/{}/", crate::site::encode_path(claim.name)),
                "state": coverage.name(),
                "paging": claim.paging,
            }),
        );
    }
    let conflicts: Vec<serde_json::Value> = alerts
        .conflicts
        .iter()
        .map(|c| serde_json::json!({ "name": c.name, "sites": [c.claims[0].0, c.claims[1].0] }))
        .collect();
    let value = serde_json::json!({
        "version": PORTAL_JSON_VERSION,
        "today": portal.today.to_string(),
        "alerts": map,
        "conflicts": conflicts,
    });
    let mut text = serde_json::to_string_pretty(&value).map_err(|e| Error::encode("`alerts.json`", e))?;
    text.push('\n');
    Ok(text)
}

fn services(portal: &Portal) -> PageBody {
    let from = "services/";
    let catalog = portal.services();
    let rows = catalog
        .by_name
        .values()
        .map(|(site, s)| {
            let deps = s
                .depends_on
                .iter()
                .map(|d| match catalog.link(d) {
                    Some((to, home)) if home == site.name => link(d, from, &to),
                    Some((to, home)) => link(format!("{d} ({home})"), from, &to),
                    None => text(format!("{d} (not defined)")),
                })
                .collect::<Vec<_>>();
            let slos = s.slos.iter().map(|slo| format!("{} {}% / {}", slo.name, slo.objective, slo.window));
            let mut row = vec![
                link(&s.title, from, &site.link(&s.url)),
                text(&site.name),
                opt(s.owner.as_ref()),
                opt(s.tier.as_ref()),
                opt(s.lifecycle.as_ref()),
                text(slos.collect::<Vec<_>>().join(", ")),
            ];
            row.push(deps_cell(deps));
            row
        })
        .collect();
    PageBody {
        heading: "Services".to_owned(),
        lead: format!(
            "{} services across the organisation; each links to its home site.",
            catalog.by_name.len()
        ),
        tables: vec![Table {
            id: "services".to_owned(),
            title: "Service catalog".to_owned(),
            empty: "No site defines a service.".to_owned(),
            columns: ["Service", "Site", "Owner", "Tier", "Lifecycle", "SLOs", "Depends on"]
                .map(str::to_owned)
                .to_vec(),
            rows,
        }],
        ..PageBody::default()
    }
}

/// Dependencies in one cell, each linked to its home site's service page.
fn deps_cell(deps: Vec<Cell>) -> Cell {
    Cell { items: deps, ..Cell::default() }
}

fn decisions(portal: &Portal) -> PageBody {
    let from = "decisions/";
    let mut rows: Vec<(String, u32, Vec<Cell>)> = Vec::new();
    for site in &portal.sites {
        for adr in &site.manifest.adrs {
            let number = adr.number.map(|n| format!("{n:04}")).unwrap_or_default();
            let status = text(adr.status.clone().unwrap_or_default());
            rows.push((
                site.name.clone(),
                adr.number.unwrap_or(u32::MAX),
                vec![
                    text(&site.name),
                    text(number),
                    link(&adr.title, from, &site.link(&adr.url)),
                    status,
                    opt(adr.date.as_ref()),
                ],
            ));
        }
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    PageBody {
        heading: "Decisions".to_owned(),
        lead: format!("{} decision records across the organisation.", rows.len()),
        tables: vec![Table {
            id: "decisions".to_owned(),
            title: "Decision log".to_owned(),
            empty: "No site has a decision record.".to_owned(),
            columns: ["Site", "Number", "Title", "Status", "Date"].map(str::to_owned).to_vec(),
            rows: rows.into_iter().map(|(_, _, r)| r).collect(),
        }],
        ..PageBody::default()
    }
}

/// `write_file` with the name the rest of this module writes through.
struct Writer<'a>(WriteFile<'a>);

impl Writer<'_> {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), Error> {
        (self.0)(rel, bytes)
    }
}
