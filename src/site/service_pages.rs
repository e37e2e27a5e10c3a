//! The front matter of service pages (kind `service`): `name` (default: the file stem),
//! `tier`, `lifecycle`, `on_call`, `chat`, `repository`, `dashboards`, `depends_on`, `slos`
//! and `links`, each kept with its line for messages.

use serde_json::Value;

use super::fields::{Fields, key_line};
use crate::content::Page;
use crate::diag::Diagnostic;
use crate::services::budget;
use crate::services::{SloDef, SloFormat};

/// What a service page says of its service.
#[derive(Debug, Clone, Default)]
pub struct PageService {
    /// `name`, else the file stem.
    pub name: String,
    /// Line of `name` (1 when the stem gave it).
    pub name_line: usize,
    /// `tier`.
    pub tier: Option<String>,
    /// `lifecycle`.
    pub lifecycle: Option<String>,
    /// `on_call`.
    pub on_call: Option<String>,
    /// `chat`.
    pub chat: Option<String>,
    /// `repository`.
    pub repository: Option<String>,
    /// `dashboards` as (title, url).
    pub dashboards: Vec<(String, String)>,
    /// `links` as (title, url).
    pub links: Vec<(String, String)>,
    /// `depends_on`, with the line where it is written.
    pub depends_on: Vec<String>,
    /// Line of `depends_on`.
    pub depends_line: usize,
    /// `slos`.
    pub slos: Vec<SloDef>,
}

/// Reads a service page's fields; problems (a bad objective, a field of the wrong shape) are
/// errors at the key's line.
pub fn read(page: &Page, diags: &mut Vec<Diagnostic>) -> PageService {
    let mut r = Fields { page, diags };
    let fields = &page.meta.fields;
    let stem = page.source.rel.rsplit('/').next().unwrap_or("").trim_end_matches(".md").to_owned();
    let name = fields.get("name").and_then(|v| r.text("name", v, "…")).unwrap_or(stem);
    let mut out = PageService { name_line: r.line_of("name"), name, ..PageService::default() };
    out.tier = fields.get("tier").and_then(|v| r.text("tier", v, "…"));
    out.lifecycle = fields.get("lifecycle").and_then(|v| r.text("lifecycle", v, "…"));
    if let Some(lifecycle) = &out.lifecycle {
        r.check_lifecycle(lifecycle);
    }
    out.on_call = fields.get("on_call").and_then(|v| r.text("on_call", v, "…"));
    out.chat = fields.get("chat").and_then(|v| r.text("chat", v, "…"));
    out.repository = fields.get("repository").and_then(|v| r.text("repository", v, "…"));
    out.dashboards = fields.get("dashboards").map(links).unwrap_or_default();
    out.links = fields.get("links").map(links).unwrap_or_default();
    out.depends_line = r.line_of("depends_on");
    if let Some(v) = fields.get("depends_on") {
        out.depends_on = r.names("depends_on", v, "service names", "write e.g. `depends_on: [ledger]`");
    }
    if let Some(Value::Array(items)) = fields.get("slos") {
        let mut objectives: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for item in items {
            let written = objective_text(item);
            let nth = objectives.entry(written).or_insert(0);
            let slo = r.slo(&out.name, item, *nth);
            *nth += 1;
            if let Some(slo) = slo {
                out.slos.push(slo);
            }
        }
    } else if fields.get("slos").is_some_and(|v| !v.is_null()) {
        r.error(
            "slos",
            "`slos` must be a list".to_owned(),
            "write e.g. `slos: [{name: availability, objective: 99.9, window: 30d}]`",
        );
    }
    out
}

/// An SLO item's `objective` as written.
fn objective_text(item: &Value) -> String {
    match item.get("objective") {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    }
}

/// `[{title, url}]`, `{title: url}` or `[url]`.
fn links(value: &Value) -> Vec<(String, String)> {
    match value {
        Value::Array(items) => items
            .iter()
            .filter_map(|item| match item {
                Value::String(url) => Some((url.clone(), url.clone())),
                Value::Object(map) => {
                    let url = map.get("url").and_then(Value::as_str)?.to_owned();
                    let title =
                        map.get("title").and_then(Value::as_str).map_or_else(|| url.clone(), str::to_owned);
                    Some((title, url))
                }
                _ => None,
            })
            .collect(),
        Value::Object(map) => {
            map.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect()
        }
        Value::String(url) => vec![(url.clone(), url.clone())],
        _ => Vec::new(),
    }
}

impl Fields<'_> {
    /// A lifecycle other than the three lore knows is a warning (kept as written).
    fn check_lifecycle(&mut self, lifecycle: &str) {
        const KNOWN: [&str; 3] = ["experimental", "production", "deprecated"];
        if KNOWN.contains(&lifecycle) {
            return;
        }
        let (line, col) = place_in_value(self.page, "lifecycle", lifecycle, 0);
        let p = self.page;
        let hint = match crate::diag::did_you_mean(lifecycle, &KNOWN) {
            Some(guess) => format!("did you mean `{guess}`?"),
            None => "expected `experimental`, `production` or `deprecated`".to_owned(),
        };
        self.diags.push(
            Diagnostic::warning(format!("unknown `lifecycle` `{lifecycle}`"))
                .at_text(&p.source.shown, &p.text, line, col)
                .hint(hint),
        );
    }

    /// One `slos` item: `{name, objective, window, description}`.
    fn slo(&mut self, service: &str, item: &Value, nth: usize) -> Option<SloDef> {
        let Value::Object(map) = item else {
            self.error(
                "slos",
                "each of `slos` must be a mapping".to_owned(),
                "write e.g. `- {name: availability, objective: 99.9}`",
            );
            return None;
        };
        let name = map.get("name").and_then(Value::as_str).unwrap_or("slo").to_owned();
        let written = objective_text(item);
        let written = match map.get("objective") {
            Some(Value::Number(_) | Value::String(_)) => written,
            _ => {
                self.error("slos", format!("SLO `{name}` has no `objective`"), "add e.g. `objective: 99.9`");
                return None;
            }
        };
        let (line, col) = place_in_value(self.page, "slos", &format!("objective: {written}"), nth);
        let col = col + "objective: ".len();
        let objective = match budget::objective(&written, false) {
            Ok(pct) => pct,
            Err(e) => {
                let p = self.page;
                self.diags.push(
                    Diagnostic::error(e.message(&written))
                        .at_text(&p.source.shown, &p.text, line, col)
                        .hint("objectives are percentages such as `99.9`"),
                );
                return None;
            }
        };
        Some(SloDef {
            service: service.to_owned(),
            name,
            objective,
            window: map.get("window").and_then(Value::as_str).unwrap_or(budget::DEFAULT_WINDOW).to_owned(),
            description: map.get("description").and_then(Value::as_str).map(str::to_owned),
            alert: None,
            format: SloFormat::Page,
            file: self.page.source.shown.clone(),
            rel: self.page.source.rel.clone(),
            line,
            col,
            service_at: (line, col, String::new()),
        })
    }
}

/// Where the `nth` (0-based) occurrence of `needle` is written in the value of top-level
/// `key` (on its line or the indented lines under it), as (line, column); the key's line and
/// column 1 when it is not written as is.
pub fn place_in_value(page: &Page, key: &str, needle: &str, nth: usize) -> (usize, usize) {
    let start = key_line(page, key);
    let text: &str = &page.text;
    let mut seen = 0;
    for (n, line) in text.lines().enumerate().skip(start.saturating_sub(1)) {
        let first = n + 1 == start;
        if !first && !line.starts_with([' ', '\t', '-']) {
            break;
        }
        // On the key's own line, only the value counts.
        let from = if first { line.find(':').map_or(0, |i| i + 1) } else { 0 };
        let mut rest = &line[from..];
        let mut offset = from;
        while let Some(at) = rest.find(needle).filter(|_| !needle.is_empty()) {
            if seen == nth {
                return (n + 1, line[..offset + at].chars().count() + 1);
            }
            seen += 1;
            offset += at + needle.len();
            rest = &line[offset..];
        }
    }
    (start, 1)
}
