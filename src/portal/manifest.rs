//! `lore-site.json`: what one site tells an organisation portal about itself (issue 16).
//!
//! `lore build` writes it from the site model ([`Manifest::of`]); a portal reads other sites'
//! manifests with [`Manifest::parse`]. A manifest is another team's CI output, so parsing treats
//! it as untrusted: its size is capped, its schema version checked before anything else, every
//! string has its control characters escaped, and every URL must be relative or `http(s)`.
//!
//! The schema is versioned by [`SCHEMA`] (bumped only for incompatible changes) and documented
//! in the README. The file is deterministic: same site and same "today", same bytes.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::config::SiteConfig;
use crate::site::Site;
use crate::site::freshness::State;

/// The manifest's file name, at the root of a built site.
pub const FILE: &str = "lore-site.json";

/// The schema version this lore writes and reads.
pub const SCHEMA: u32 = 1;

/// The largest manifest a portal reads (a 5,000-page site writes about 2 MB).
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// One site, as a portal sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Schema version ([`SCHEMA`]).
    pub schema: u32,
    /// The site's title.
    pub title: String,
    /// `[output.html] site-url`, when set (ends in `/`).
    pub base_url: Option<String>,
    /// The day freshness was computed for (`YYYY-MM-DD`).
    pub today: String,
    /// Every page, by source path.
    pub pages: Vec<PageEntry>,
    /// Every alert the site knows (its rules and its runbooks' `alerts:`), A–Z.
    pub alerts: Vec<AlertEntry>,
    /// Every service, A–Z.
    pub services: Vec<ServiceEntry>,
    /// Every decision record, by number.
    pub adrs: Vec<AdrEntry>,
    /// Every onboarding path.
    pub onboarding: Vec<PathEntry>,
    /// What organisation-wide search needs to merge this site's index: the search statistics
    /// file, its format and counts (`crate::search::stats::Info::manifest`); `null` when the
    /// site was built without `[output.html] search-stats`.
    pub search: Option<serde_json::Value>,
}

/// One page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageEntry {
    /// Site-relative URL, percent-encoded.
    pub url: String,
    /// Title.
    pub title: String,
    /// `page`, `runbook`, `adr`, `onboarding` or `service`.
    pub kind: String,
    /// Owner.
    pub owner: Option<String>,
    /// The runbook's `service`.
    pub service: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// The state on [`Manifest::today`].
    pub state: State,
    /// `last_verified`.
    pub last_verified: Option<String>,
    /// The review interval in words (`90 days`, `never`).
    pub review_every: String,
    /// The due date (none when exempt or unverified).
    pub due: Option<String>,
    /// The first day of the due-soon window.
    pub due_soon_from: Option<String>,
    /// The `outdated` reason, when flagged (stale whatever the dates say).
    pub outdated: Option<String>,
}

/// One alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertEntry {
    /// The name as the rule (or the runbook) writes it.
    pub name: String,
    /// The site-relative URL of the runbook that answers it: the site *claims* the alert. None
    /// when the site only defines the alert (a shared rule set).
    pub runbook: Option<String>,
    /// A rule of it pages someone.
    pub paging: bool,
    /// The rules' `severity` label.
    pub severity: Option<String>,
}

/// One service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceEntry {
    /// Name.
    pub name: String,
    /// Title.
    pub title: String,
    /// Its page, site-relative.
    pub url: String,
    /// Owner.
    pub owner: Option<String>,
    /// Tier.
    pub tier: Option<String>,
    /// Lifecycle.
    pub lifecycle: Option<String>,
    /// The services it depends on, by name (maybe on other sites).
    pub depends_on: Vec<String>,
    /// Its SLOs.
    pub slos: Vec<SloEntry>,
    /// Defined by a page or the catalog (else only named by runbooks or ADRs).
    pub defined: bool,
}

/// One SLO.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SloEntry {
    /// Name.
    pub name: String,
    /// Objective, a percentage (`99.9`).
    pub objective: String,
    /// Window (`30d`).
    pub window: String,
}

/// One decision record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdrEntry {
    /// Its number.
    pub number: Option<u32>,
    /// Title.
    pub title: String,
    /// Status as written (`Accepted`).
    pub status: Option<String>,
    /// Lifecycle state (`accepted`).
    pub lifecycle: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Site-relative URL.
    pub url: String,
}

/// One onboarding path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathEntry {
    /// Title.
    pub title: String,
    /// Site-relative URL.
    pub url: String,
    /// Number of steps.
    pub steps: usize,
    /// Who it is for.
    pub audience: Option<String>,
    /// The estimated time as written.
    pub estimated_time: Option<String>,
}

/// Why a manifest cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    /// Larger than [`MAX_BYTES`].
    #[error("manifest is larger than {} MiB", MAX_BYTES / 1024 / 1024)]
    TooLarge,
    /// Not JSON, or not the expected shape.
    #[error("manifest is not valid: {0}")]
    Invalid(String),
    /// Written by a lore with another schema.
    #[error("manifest from an incompatible version: schema {found}, this lore reads {SCHEMA}")]
    Version {
        /// The schema it has.
        found: String,
    },
    /// A URL that is neither relative nor `http(s)`.
    #[error("manifest has a `{scheme}:` URL in `{field}`: `{url}`")]
    Url {
        /// Where.
        field: &'static str,
        /// Its scheme.
        scheme: String,
        /// The URL, escaped.
        url: String,
    },
    /// A site-relative URL that is absolute (`/x`) or climbs out of the site (`../`).
    #[error("manifest has a URL outside the site in `{field}`: `{url}`")]
    Outside {
        /// Where.
        field: &'static str,
        /// The URL, escaped.
        url: String,
    },
}

impl Manifest {
    /// The manifest of a built site whose freshness is computed.
    pub fn of(site: &Site, config: &SiteConfig, today: Date) -> Self {
        Self {
            schema: SCHEMA,
            title: config.title.clone(),
            base_url: config.site_url.clone().filter(|u| u.contains("://")),
            today: today.to_string(),
            pages: pages(site, config),
            alerts: alerts(site),
            services: services(site),
            adrs: adrs(site),
            onboarding: onboarding(site),
            search: None,
        }
    }

    /// The JSON text, ending in a newline.
    pub fn to_json(&self) -> Result<String, crate::error::Error> {
        let mut text = serde_json::to_string_pretty(self)
            .map_err(|e| crate::error::Error::encode("`lore-site.json`", e))?;
        text.push('\n');
        Ok(text)
    }

    /// Reads an untrusted manifest.
    pub fn parse(bytes: &[u8]) -> Result<Self, ManifestError> {
        if bytes.len() as u64 > MAX_BYTES {
            return Err(ManifestError::TooLarge);
        }
        // Without a backslash, DEL or a C1 control no string can hold a control character
        // (JSON has the others only escaped): read straight into the manifest, three times as
        // fast as through a `Value`. The text is checked to be UTF-8 first, as a `Value` checks
        // it (the direct reader skips unknown fields unchecked). Anything else (another schema,
        // an error to report) takes the path below.
        if let Ok(text) = std::str::from_utf8(bytes)
            && !may_hold_controls(bytes)
            && let Ok(manifest) = serde_json::from_str::<Self>(text)
            && manifest.schema == SCHEMA
        {
            manifest.check_urls()?;
            return Ok(manifest);
        }
        Self::parse_through_value(bytes)
    }

    /// [`Manifest::parse`] through a `Value`, whose strings are escaped before they are read
    /// into the manifest; the errors it reports name the schema first.
    pub fn parse_through_value(bytes: &[u8]) -> Result<Self, ManifestError> {
        if bytes.len() as u64 > MAX_BYTES {
            return Err(ManifestError::TooLarge);
        }
        let invalid = |e: serde_json::Error| ManifestError::Invalid(format!("{e}"));
        let mut value: serde_json::Value = serde_json::from_slice(bytes).map_err(invalid)?;
        let schema = value.get("schema").cloned();
        match schema.as_ref().and_then(serde_json::Value::as_u64) {
            Some(v) if v == u64::from(SCHEMA) => {}
            Some(v) => return Err(ManifestError::Version { found: v.to_string() }),
            None => {
                let found = schema.map_or_else(|| "missing".to_owned(), |v| escape(&v.to_string()));
                return Err(ManifestError::Version { found });
            }
        }
        escape_strings(&mut value);
        let manifest: Self = serde_json::from_value(value).map_err(invalid)?;
        manifest.check_urls()?;
        Ok(manifest)
    }

    /// Every URL must be relative (and may not climb out of the site) or `http(s)`.
    fn check_urls(&self) -> Result<(), ManifestError> {
        let relative = self
            .pages
            .iter()
            .map(|p| ("pages.url", p.url.as_str()))
            .chain(self.alerts.iter().filter_map(|a| Some(("alerts.runbook", a.runbook.as_deref()?))))
            .chain(self.services.iter().map(|s| ("services.url", s.url.as_str())))
            .chain(self.adrs.iter().map(|a| ("adrs.url", a.url.as_str())))
            .chain(self.onboarding.iter().map(|p| ("onboarding.url", p.url.as_str())));
        for (field, url) in relative {
            if let Some(scheme) = crate::config::data_url::scheme(url) {
                return Err(ManifestError::Url { field, scheme, url: escape(url) });
            }
            if url.starts_with('/') || url.starts_with('\\') || url.split('/').any(|s| s == "..") {
                return Err(ManifestError::Outside { field, url: escape(url) });
            }
        }
        if let Some(url) = &self.base_url
            && !matches!(crate::config::data_url::scheme(url).as_deref(), Some("http" | "https"))
        {
            let scheme = crate::config::data_url::scheme(url).unwrap_or_else(|| "relative".to_owned());
            return Err(ManifestError::Url { field: "base_url", scheme, url: escape(url) });
        }
        Ok(())
    }
}

/// Whether a string of JSON text `bytes` may hold a control character once read: an escape
/// (`\\u001b`), or one of those JSON lets through unescaped, DEL and the C1 controls
/// (U+0080–U+009F, `C2 80`–`C2 9F` in UTF-8).
fn may_hold_controls(bytes: &[u8]) -> bool {
    bytes.iter().any(|&b| b == b'\\' || b == 0x7f)
        || bytes.windows(2).any(|w| w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1]))
}

impl PageEntry {
    /// The state on `today` (the portal's own day), from the dates the site wrote.
    pub fn state_at(&self, today: Date) -> State {
        if self.outdated.is_some() {
            return State::Stale;
        }
        if matches!(self.state, State::Exempt | State::Unverified) {
            return self.state;
        }
        let date = |d: &Option<String>| d.as_deref().and_then(|d| d.parse::<Date>().ok());
        match (date(&self.due), date(&self.due_soon_from)) {
            (None, _) => State::Unverified,
            (Some(due), _) if today > due => State::Stale,
            (Some(_), Some(from)) if today >= from => State::DueSoon,
            (Some(_), None) => State::DueSoon,
            _ => State::Fresh,
        }
    }

    /// Days past due on `today` (negative: days left).
    pub fn days_overdue(&self, today: Date) -> Option<i64> {
        let due = self.due.as_deref()?.parse::<Date>().ok()?;
        Some(i64::from((today - due).get_days()))
    }
}

/// Control characters escaped (`\x1b`), as everything lore prints is.
fn escape(text: &str) -> String {
    crate::diag::escape(text).into_owned()
}

/// Escapes the control characters of every string (keys included) in `value`.
fn escape_strings(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(s) if s.chars().any(char::is_control) => *s = escape(s),
        Value::Array(items) => items.iter_mut().for_each(escape_strings),
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (k, mut v) in entries {
                escape_strings(&mut v);
                map.insert(escape(&k), v);
            }
        }
        _ => {}
    }
}

fn pages(site: &Site, config: &SiteConfig) -> Vec<PageEntry> {
    let window = config.freshness.due_soon;
    let service =
        |i: usize| site.runbooks.by_page.get(&i).and_then(|r| site.runbooks.runbooks[*r].service.clone());
    site.pages
        .iter()
        .zip(&site.freshness)
        .enumerate()
        .map(|(i, (page, f))| PageEntry {
            url: crate::site::encode_path(&site.urls[i]).into_owned(),
            title: page.title.clone(),
            kind: page.kind.name().to_owned(),
            owner: page.meta.owner.clone(),
            service: service(i),
            tags: page.meta.tags.clone(),
            state: f.state,
            last_verified: f.last_verified.map(|d| d.to_string()),
            review_every: crate::site::freshness::describe(f.interval),
            due: f.due.map(|d| d.to_string()),
            due_soon_from: f
                .due
                .and_then(|d| crate::site::freshness::window_start(d, window))
                .map(|d| d.to_string()),
            outdated: f.outdated.clone(),
        })
        .collect()
}

fn alerts(site: &Site) -> Vec<AlertEntry> {
    let url = |page: usize| crate::site::encode_path(&site.urls[page]).into_owned();
    let mut out: Vec<AlertEntry> = Vec::new();
    for alert in &site.coverage.alerts {
        let severity = alert.rules.iter().find_map(|r| r.label("severity")).map(str::to_owned);
        out.push(AlertEntry {
            name: alert.name.clone(),
            runbook: alert.runbook.map(url),
            paging: alert.paging,
            severity,
        });
    }
    for (name, page) in &site.runbooks.alerts {
        if !out.iter().any(|a| a.name.eq_ignore_ascii_case(name)) {
            out.push(AlertEntry {
                name: name.clone(),
                runbook: Some(url(*page)),
                paging: false,
                severity: None,
            });
        }
    }
    out.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.name.cmp(&b.name)));
    out
}

fn services(site: &Site) -> Vec<ServiceEntry> {
    let field = |s: &crate::site::services::Service, k: &str| s.field(k).map(str::to_owned);
    site.services
        .list
        .iter()
        .map(|s| ServiceEntry {
            name: s.name.clone(),
            title: s.title.clone(),
            url: crate::site::encode_path(&s.url).into_owned(),
            owner: field(s, "owner"),
            tier: field(s, "tier"),
            lifecycle: field(s, "lifecycle"),
            depends_on: s.depends_on.clone(),
            slos: s
                .slos
                .iter()
                .map(|slo| SloEntry {
                    name: slo.name.clone(),
                    objective: crate::services::budget::format_percent(slo.objective),
                    window: slo.window.clone(),
                })
                .collect(),
            defined: s.defined,
        })
        .collect()
}

fn adrs(site: &Site) -> Vec<AdrEntry> {
    let mut out: Vec<AdrEntry> = site
        .adrs
        .records
        .iter()
        .map(|r| AdrEntry {
            number: r.adr.number,
            title: site.pages[r.page].title.clone(),
            status: r.status_label.clone(),
            lifecycle: r.lifecycle.map(|l| l.name().to_owned()),
            date: r.adr.date.map(|d| d.to_string()),
            url: crate::site::encode_path(&site.urls[r.page]).into_owned(),
        })
        .collect();
    out.sort_by(|a, b| a.number.cmp(&b.number).then(a.url.cmp(&b.url)));
    out
}

fn onboarding(site: &Site) -> Vec<PathEntry> {
    site.paths
        .paths
        .iter()
        .map(|p| PathEntry {
            title: site.pages[p.page].title.clone(),
            url: crate::site::encode_path(&site.urls[p.page]).into_owned(),
            steps: p.steps.len(),
            audience: p.audience.clone(),
            estimated_time: p.estimated_time.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{Manifest, ManifestError, SCHEMA};
    use crate::site::freshness::State;

    fn manifest(pages: &str) -> String {
        format!(
            r#"{{"schema":{SCHEMA},"title":"T","base_url":null,"today":"2026-03-01","pages":[{pages}],"alerts":[],"services":[],"adrs":[],"onboarding":[],"search":null}}"#
        )
    }

    fn page(url: &str, state: &str, due: &str, from: &str) -> String {
        format!(
            r#"{{"url":"{url}","title":"P","kind":"runbook","owner":null,"service":null,"tags":[],"state":"{state}","last_verified":"2026-01-01","review_every":"90 days","due":{due},"due_soon_from":{from},"outdated":null}}"#
        )
    }

    #[test]
    fn schema_is_checked_before_anything_else() {
        let cases = [
            (r#"{"schema": 7, "pages": "not even a list"}"#, "schema 7, this lore reads 1"),
            (r#"{"schema": "one"}"#, "schema \"one\", this lore reads 1"),
            (r#"{"title": "no schema"}"#, "schema missing, this lore reads 1"),
        ];
        for (text, expected) in cases {
            let err = Manifest::parse(text.as_bytes()).expect_err(text);
            assert_eq!(err.to_string(), format!("manifest from an incompatible version: {expected}"));
        }
    }

    #[test]
    fn urls_must_be_relative_inside_the_site_or_http() {
        let cases = [
            ("javascript:alert(1)", "manifest has a `javascript:` URL in `pages.url`: `javascript:alert(1)`"),
            (" JaVaScRiPt:x", "manifest has a `javascript:` URL in `pages.url`: ` JaVaScRiPt:x`"),
            ("../../etc/", "manifest has a URL outside the site in `pages.url`: `../../etc/`"),
            ("/abs/", "manifest has a URL outside the site in `pages.url`: `/abs/`"),
        ];
        for (url, expected) in cases {
            let text = manifest(&page(url, "fresh", "null", "null"));
            assert_eq!(Manifest::parse(text.as_bytes()).expect_err(url).to_string(), expected);
        }
        let ok = manifest(&page("runbooks/db/", "fresh", "null", "null"));
        assert!(Manifest::parse(ok.as_bytes()).is_ok());
    }

    #[test]
    fn control_characters_are_escaped_and_size_is_capped() {
        let text = manifest(&page("a/", "fresh", "null", "null"))
            .replace(r#""title":"T""#, r#""title":"T\u001b[2J""#);
        assert_eq!(Manifest::parse(text.as_bytes()).expect("parses").title, "T\\x1b[2J");
        let big = vec![b' '; usize::try_from(super::MAX_BYTES).expect("fits") + 1];
        assert_eq!(Manifest::parse(&big), Err(ManifestError::TooLarge));
    }

    /// Issue 16: a manifest read straight into its fields (no backslash in it) is what the
    /// reader through a `Value` makes of it, errors included.
    #[test]
    fn issue_16_the_direct_reader_agrees_with_the_reader_through_a_value() {
        let good = manifest(&page("runbooks/db/", "stale", r#""2026-04-10""#, r#""2026-03-27""#));
        let texts = [
            good.clone(),
            good.replace(r#""title":"T""#, r#""title":"Tête ✓","extra":{"a":[1,2]}"#),
            good.replace(r#""title":"T""#, r#""title":"T","title":"U""#),
            good.replace(&format!(r#""schema":{SCHEMA}"#), r#""schema":1.0"#),
            good.replace(&format!(r#""schema":{SCHEMA}"#), r#""schema":2"#),
            good.replace(r#""pages":["#, r#""pages":[7,"#),
            good.replace(r#""search":null"#, r#""search":{"stats":"search/stats.bin.gz","format":1}"#),
            good.replace("runbooks/db/", "javascript:x"),
            good[..good.len() / 2].to_owned(),
            // Controls JSON lets through unescaped: DEL and C1 (found by the fuzz target).
            good.replace(r#""title":"T""#, "\"title\":\"T\u{7f}\""),
            good.replace(r#""title":"T""#, "\"title\":\"T\u{85}\u{9b}2J\""),
        ];
        for text in texts {
            assert!(!text.contains('\\'), "{text}");
            assert_eq!(
                Manifest::parse(text.as_bytes()),
                Manifest::parse_through_value(text.as_bytes()),
                "{text}"
            );
        }
        assert!(Manifest::parse(good.as_bytes()).is_ok());
        // Not UTF-8 in a field neither reader keeps (found by the fuzz target).
        let mut bytes = good.replace(r#""title":"T""#, r#""title":"T","x":"20?6""#).into_bytes();
        let at = bytes.iter().position(|&b| b == b'?').expect("the marker");
        bytes[at] = 0xca;
        assert!(matches!(Manifest::parse(&bytes), Err(ManifestError::Invalid(_))));
        assert_eq!(Manifest::parse(&bytes), Manifest::parse_through_value(&bytes));
        let del = good.replace(r#""title":"T""#, "\"title\":\"T\u{7f}\u{9b}\"");
        assert_eq!(Manifest::parse(del.as_bytes()).expect("parses").title, "T\\x7f\\u{9b}");
    }

    #[test]
    fn states_are_computed_again_for_the_portal_day() {
        let text = manifest(&page("a/", "fresh", r#""2026-04-10""#, r#""2026-03-27""#));
        let m = Manifest::parse(text.as_bytes()).expect("parses");
        let day = |s: &str| s.parse::<jiff::civil::Date>().expect("date");
        let p = &m.pages[0];
        assert_eq!(p.state_at(day("2026-03-26")), State::Fresh);
        assert_eq!(p.state_at(day("2026-03-27")), State::DueSoon);
        assert_eq!(p.state_at(day("2026-04-10")), State::DueSoon);
        assert_eq!(p.state_at(day("2026-04-11")), State::Stale);
        assert_eq!(p.days_overdue(day("2026-04-20")), Some(10));
    }
}
