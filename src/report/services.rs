//! The per-service summaries of `freshness.json` and `lore check --format json`: each
//! service's owner, tier, lifecycle, the freshness of its runbooks and its SLOs with their
//! computed error budgets.

use serde::Serialize;

use crate::services::budget;
use crate::site::Site;

/// One service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceSummary {
    /// Its name.
    pub name: String,
    /// Its title.
    pub title: String,
    /// Its page, site-relative.
    pub url: String,
    /// Owner, tier and lifecycle, when known.
    pub owner: Option<String>,
    /// Tier.
    pub tier: Option<String>,
    /// Lifecycle.
    pub lifecycle: Option<String>,
    /// The state of its stalest runbook (`none` without runbooks).
    pub state: &'static str,
    /// "7 of 9 runbooks fresh · 1 stale · 1 never verified".
    pub summary: Option<String>,
    /// Runbooks per freshness state.
    pub runbooks: RunbookCounts,
    /// Its SLOs.
    pub slos: Vec<SloSummary>,
    /// Defined by a page or the catalog (else only named by runbooks or ADRs).
    pub defined: bool,
}

/// Runbooks per freshness state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunbookCounts {
    /// All.
    pub total: usize,
    /// Fresh (or exempt).
    pub fresh: usize,
    /// Due soon.
    pub due_soon: usize,
    /// Stale.
    pub stale: usize,
    /// Never verified.
    pub unverified: usize,
}

/// One SLO.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SloSummary {
    /// Name.
    pub name: String,
    /// The objective, a percentage as written by lore (`99.9`).
    pub objective: String,
    /// The window (`30d`).
    pub window: String,
    /// The downtime the objective allows over the window (`43 min 12 s`).
    pub error_budget: Option<String>,
}

/// The summaries, A–Z; `None` when the site defines no service.
pub fn summaries(site: &Site) -> Option<Vec<ServiceSummary>> {
    if !site.services.enabled() {
        return None;
    }
    let list = site.services.list.iter().map(|s| {
        let (counts, state) = s.runbook_states(site);
        let [stale, due_soon, unverified, fresh, exempt] = counts;
        ServiceSummary {
            name: s.name.clone(),
            title: s.title.clone(),
            url: crate::site::encode_path(&s.url).into_owned(),
            owner: s.field("owner").map(str::to_owned),
            tier: s.field("tier").map(str::to_owned),
            lifecycle: s.field("lifecycle").map(str::to_owned),
            state,
            summary: crate::services::runbook_summary(&counts, s.runbooks.len()),
            runbooks: RunbookCounts {
                total: s.runbooks.len(),
                fresh: fresh + exempt,
                due_soon,
                stale,
                unverified,
            },
            slos: s
                .slos
                .iter()
                .map(|slo| SloSummary {
                    name: slo.name.clone(),
                    objective: budget::format_percent(slo.objective),
                    window: slo.window.clone(),
                    error_budget: budget::downtime(slo.objective, &slo.window),
                })
                .collect(),
            defined: s.defined,
        }
    });
    Some(list.collect())
}
