//! `groups[].rules[]`: Prometheus rule files, the `spec` of a `PrometheusRule`, and Grafana
//! alerting provisioning files (same outline, rules named by `title`, the query under
//! `data[].model.expr`).

use super::yaml::Node;
use super::{Annotation, Format, Reader, Said};

/// Whether a `groups:` document is Grafana's: its rules have `title` or `uid` and no
/// `alert`/`record`.
pub(super) fn looks_grafana(doc: &Node) -> bool {
    doc.list_at("groups").iter().flat_map(|g| g.list_at("rules")).any(|r| {
        (r.get("title").is_some() || r.get("uid").is_some())
            && r.get("alert").is_none()
            && r.get("record").is_none()
    })
}

/// Every alerting rule of `doc.groups`.
pub(super) fn groups(reader: &mut Reader<'_>, doc: &Node, format: Format) {
    for group in doc.list_at("groups") {
        let group_labels = group.strings_at("labels");
        for rule in group.list_at("rules") {
            if !rule.is_map() || rule.get("record").is_some() {
                continue;
            }
            match format {
                Format::Grafana => grafana_rule(reader, rule),
                _ => prometheus_rule(reader, rule, &group_labels, format),
            }
        }
    }
}

fn prometheus_rule(reader: &mut Reader<'_>, rule: &Node, group_labels: &[(String, String)], format: Format) {
    let at = (rule.line, rule.col);
    let Some(name) = rule.text_at("alert").filter(|n| !n.trim().is_empty()) else {
        reader.error(
            "alert rule has no name: neither `alert` nor `record` is set".to_owned(),
            at,
            "name it with `alert: <AlertName>`",
        );
        return;
    };
    let mut labels = group_labels.to_vec();
    labels.extend(rule.strings_at("labels"));
    let expr = rule.text_at("expr").map(|e| e.trim().to_owned());
    let for_ = rule.text_at("for").map(str::to_owned);
    reader.push(name, at, Said { format, expr, for_, labels, annotations: annotations(rule) });
}

fn grafana_rule(reader: &mut Reader<'_>, rule: &Node) {
    let at = (rule.line, rule.col);
    let Some(name) = rule.text_at("title").filter(|n| !n.trim().is_empty()) else {
        reader.error(
            "Grafana alert rule has no `title`".to_owned(),
            at,
            "the title is the alert's name: add `title: <AlertName>`",
        );
        return;
    };
    let expr = rule.list_at("data").iter().find_map(|d| d.get("model")?.text_at("expr").map(str::to_owned));
    let said = Said {
        format: Format::Grafana,
        expr: expr.map(|e| e.trim().to_owned()),
        for_: rule.text_at("for").map(str::to_owned),
        labels: rule.strings_at("labels"),
        annotations: annotations(rule),
    };
    reader.push(name, at, said);
}

fn annotations(rule: &Node) -> Vec<Annotation> {
    rule.placed_strings_at("annotations")
        .into_iter()
        .map(|(key, value, line, col)| Annotation { key, value, line, col, source_line: String::new() })
        .collect()
}
