//! Sloth SLO specs (`version: prometheus/v1`, or the `PrometheusServiceLevel` Kubernetes object):
//! the service, its SLOs and the alerts Sloth generates for them.
//!
//! [`spec`] reads the spec itself and is kept apart from the alerts so that service pages can
//! use the SLOs too. Sloth generates two alerts per SLO under `alerting.name`, a page alert and
//! a ticket alert, told apart by the label `sloth_severity` (`page` or `ticket`); either can be
//! switched off with `disable: true`.

use super::yaml::Node;

/// One Sloth spec.
#[derive(Debug, Clone, PartialEq)]
pub struct SlothSpec {
    /// `service`.
    pub service: Option<String>,
    /// Spec-level `labels` (Sloth puts them on the recording rules).
    pub labels: Vec<(String, String)>,
    /// `slos`.
    pub slos: Vec<Slo>,
}

/// One SLO of a spec.
#[derive(Debug, Clone, PartialEq)]
pub struct Slo {
    /// `name`.
    pub name: Option<String>,
    /// `objective` (a percentage, as written: `99.9`).
    pub objective: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// Line and column of the SLO in its file.
    pub at: (usize, usize),
    /// `alerting`, when the SLO has alerts.
    pub alerting: Option<SlothAlerting>,
}

/// `slos[].alerting`.
#[derive(Debug, Clone, PartialEq)]
pub struct SlothAlerting {
    /// `name`: the alert name of both generated alerts.
    pub name: Option<String>,
    /// Line and column of `alerting` (or of its `name`).
    pub at: (usize, usize),
    /// Labels of both alerts.
    pub labels: Vec<(String, String)>,
    /// Annotations of both alerts, with their line and column.
    pub annotations: Vec<(String, String, usize, usize)>,
    /// The page alert's own labels and annotations, unless disabled.
    pub page: Option<SlothAlert>,
    /// The ticket alert's own labels and annotations, unless disabled.
    pub ticket: Option<SlothAlert>,
}

/// `page_alert` or `ticket_alert`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SlothAlert {
    /// Labels added to this alert.
    pub labels: Vec<(String, String)>,
    /// Annotations added to this alert, with their line and column.
    pub annotations: Vec<(String, String, usize, usize)>,
}

/// Whether a document is a Sloth spec.
pub fn is_spec(doc: &Node) -> bool {
    let plain =
        doc.text_at("version").is_some_and(|v| v.starts_with("prometheus/")) && doc.get("slos").is_some();
    plain || doc.text_at("kind") == Some("PrometheusServiceLevel")
}

/// Reads a Sloth spec (plain, or the `spec` of a `PrometheusServiceLevel`).
pub fn spec(doc: &Node) -> SlothSpec {
    let body = if doc.text_at("kind") == Some("PrometheusServiceLevel") {
        doc.get("spec").unwrap_or(doc)
    } else {
        doc
    };
    SlothSpec {
        service: body.text_at("service").map(str::to_owned),
        labels: body.strings_at("labels"),
        slos: body.list_at("slos").iter().map(slo).collect(),
    }
}

fn slo(node: &Node) -> Slo {
    Slo {
        name: node.text_at("name").map(str::to_owned),
        objective: node.text_at("objective").map(str::to_owned),
        description: node.text_at("description").map(str::to_owned),
        at: (node.line, node.col),
        alerting: node.get("alerting").filter(|a| a.is_map()).map(alerting),
    }
}

fn alerting(node: &Node) -> SlothAlerting {
    let at = node.get("name").map_or((node.line, node.col), |n| (n.line, n.col));
    SlothAlerting {
        name: node.text_at("name").map(str::to_owned),
        at,
        labels: node.strings_at("labels"),
        annotations: node.placed_strings_at("annotations"),
        page: alert(node.get("page_alert")),
        ticket: alert(node.get("ticket_alert")),
    }
}

/// A `page_alert`/`ticket_alert`: absent means enabled with nothing added.
fn alert(node: Option<&Node>) -> Option<SlothAlert> {
    let Some(node) = node else { return Some(SlothAlert::default()) };
    if node.text_at("disable") == Some("true") {
        return None;
    }
    Some(SlothAlert { labels: node.strings_at("labels"), annotations: node.placed_strings_at("annotations") })
}
