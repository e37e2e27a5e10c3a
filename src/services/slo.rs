//! SLO files: OpenSLO v1 (`kind: SLO`) and Sloth specs (`version: prometheus/v1`, read by
//! [`crate::alerts::sloth`], the one Sloth reader), each objective as one [`SloDef`] with its
//! objective as a percentage.
//!
//! OpenSLO's `target` is a ratio (`0.999`) and its `targetPercent` a percentage; Sloth's
//! `objective` is a percentage. Anything outside (0, 100) once converted is an error at its
//! value. Other OpenSLO kinds (Service, SLI, AlertPolicy…) are skipped.

use std::path::{Path, PathBuf};

use super::budget::{self, DEFAULT_WINDOW};
use crate::alerts::sloth;
use crate::alerts::yaml::{self, Node};
use crate::diag::Diagnostic;

/// Where an SLO was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SloFormat {
    /// OpenSLO v1.
    OpenSlo,
    /// A Sloth spec.
    Sloth,
    /// A service page's `slos`.
    Page,
    /// None of these (a catalog has no SLOs; kept for completeness of `source`).
    Catalog,
}

/// One objective of one service.
#[derive(Debug, Clone, PartialEq)]
pub struct SloDef {
    /// The service it belongs to.
    pub service: String,
    /// Its name.
    pub name: String,
    /// The objective, a percentage in (0, 100).
    pub objective: f64,
    /// The window (`30d`).
    pub window: String,
    /// A description.
    pub description: Option<String>,
    /// The alert Sloth generates for it.
    pub alert: Option<String>,
    /// Which kind of file.
    pub format: SloFormat,
    /// The file, as shown.
    pub file: PathBuf,
    /// The file relative to the folder of `book.toml` (a page's: relative to the source
    /// folder), `/`-separated: what pages show.
    pub rel: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
    /// Where the service is named: line, column and the text of the line.
    pub service_at: (usize, usize, String),
}

/// What one SLO file holds.
#[derive(Debug, Default)]
pub struct Parsed {
    /// The objectives, in file order.
    pub slos: Vec<SloDef>,
    /// Problems, each at its place.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads the SLOs of one file's text (`shown` names it in messages).
pub fn parse(text: &str, shown: &Path) -> Parsed {
    let mut out = Parsed::default();
    let docs = match super::documents(text, shown, "SLO file") {
        Ok(docs) => docs,
        Err(diag) => {
            out.diagnostics.push(diag);
            return out;
        }
    };
    let mut reader = Reader { shown, text, out: &mut out };
    let mut recognised = docs.is_empty();
    for doc in docs.iter().filter(|d| d.is_map()) {
        if sloth::is_spec(doc) {
            reader.sloth(doc);
            recognised = true;
        } else if doc.text_at("apiVersion").is_some_and(|v| v.starts_with("openslo/")) {
            if doc.text_at("kind") == Some("SLO") {
                reader.openslo(doc);
            }
            recognised = true;
        }
    }
    if !recognised {
        out.diagnostics.push(
            Diagnostic::warning("no SLOs here: not an OpenSLO or Sloth file")
                .at(shown, 1, 1)
                .hint("narrow `slos` in `[services]` of `book.toml` to the SLO files"),
        );
    }
    out
}

struct Reader<'a> {
    shown: &'a Path,
    text: &'a str,
    out: &'a mut Parsed,
}

impl Reader<'_> {
    fn error(&mut self, message: String, at: (usize, usize), hint: &str) {
        let diag = Diagnostic::error(message).at_text(self.shown, self.text, at.0.max(1), at.1.max(1));
        self.out.diagnostics.push(if hint.is_empty() { diag } else { diag.hint(hint) });
    }

    /// Where `node` is written, with the text of its line.
    fn place(&self, node: Option<&Node>) -> (usize, usize, String) {
        let (line, col) = node.map_or((1, 1), |n| (n.line.max(1), n.col.max(1)));
        (line, col, self.text.lines().nth(line - 1).unwrap_or("").to_owned())
    }

    fn objective(&mut self, node: &Node, ratio: bool) -> Option<f64> {
        let written = node.text().unwrap_or("").trim();
        match budget::objective(written, ratio) {
            Ok(pct) => Some(pct),
            Err(e) => {
                let hint = if ratio {
                    "OpenSLO's `target` is a ratio such as `0.999`; `targetPercent` takes `99.9`"
                } else {
                    "objectives are percentages such as `99.9`"
                };
                self.error(e.message(written), (node.line, node.col), hint);
                None
            }
        }
    }

    fn sloth(&mut self, doc: &Node) {
        let spec = sloth::spec(doc);
        let service_at = self.place(doc.get("spec").unwrap_or(doc).get("service"));
        let Some(service) = spec.service.clone() else {
            self.error(
                "Sloth spec has no `service`".to_owned(),
                (doc.line, doc.col),
                "add `service: <name>`",
            );
            return;
        };
        let body =
            if doc.text_at("kind") == Some("PrometheusServiceLevel") { doc.get("spec") } else { Some(doc) };
        let nodes = body.map_or(&[][..], |b| b.list_at("slos"));
        for (slo, node) in spec.slos.iter().zip(nodes) {
            let Some(objective_node) = node.get("objective") else {
                let name = slo.name.as_deref().unwrap_or("?");
                self.error(format!("SLO `{name}` has no `objective`"), slo.at, "add e.g. `objective: 99.9`");
                continue;
            };
            let Some(objective) = self.objective(objective_node, false) else { continue };
            self.out.slos.push(SloDef {
                service: service.clone(),
                name: slo.name.clone().unwrap_or_else(|| "slo".to_owned()),
                objective,
                window: DEFAULT_WINDOW.to_owned(),
                description: slo.description.clone(),
                alert: slo.alerting.as_ref().and_then(|a| a.name.clone()),
                format: SloFormat::Sloth,
                file: self.shown.to_path_buf(),
                rel: self.shown.to_string_lossy().into_owned(),
                line: slo.at.0,
                col: slo.at.1,
                service_at: service_at.clone(),
            });
        }
    }

    fn openslo(&mut self, doc: &Node) {
        let empty = Node { value: yaml::Value::Null, line: doc.line, col: doc.col };
        let metadata = doc.get("metadata").unwrap_or(&empty);
        let spec = doc.get("spec").unwrap_or(&empty);
        let name = metadata.text_at("displayName").or(metadata.text_at("name")).unwrap_or("slo").to_owned();
        let Some(service) = spec.text_at("service").map(str::trim).filter(|s| !s.is_empty()) else {
            self.error(
                format!("OpenSLO SLO `{name}` has no `spec.service`"),
                (spec.line, spec.col),
                "add `service: <name>` under `spec`",
            );
            return;
        };
        let service_at = self.place(spec.get("service"));
        let window = spec
            .list_at("timeWindow")
            .first()
            .and_then(|w| w.text_at("duration"))
            .unwrap_or(DEFAULT_WINDOW)
            .to_owned();
        let objectives = spec.list_at("objectives");
        for objective in objectives {
            let (node, ratio) = match (objective.get("targetPercent"), objective.get("target")) {
                (Some(n), _) => (n, false),
                (None, Some(n)) => (n, true),
                (None, None) => {
                    self.error(
                        format!("OpenSLO SLO `{name}` has an objective without `target` or `targetPercent`"),
                        (objective.line, objective.col),
                        "add e.g. `target: 0.999`",
                    );
                    continue;
                }
            };
            let Some(pct) = self.objective(node, ratio) else { continue };
            let label = match objective.text_at("displayName") {
                Some(d) if objectives.len() > 1 => format!("{name}: {d}"),
                _ => name.clone(),
            };
            self.out.slos.push(SloDef {
                service: service.to_owned(),
                name: label,
                objective: pct,
                window: window.clone(),
                description: spec.text_at("description").map(str::to_owned),
                alert: None,
                format: SloFormat::OpenSlo,
                file: self.shown.to_path_buf(),
                rel: self.shown.to_string_lossy().into_owned(),
                line: objective.line,
                col: objective.col,
                service_at: service_at.clone(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openslo_targets_are_ratios_and_target_percent_percentages() {
        let text = "apiVersion: openslo/v1
kind: SLO
metadata:
  name: ledger-availability
  displayName: Ledger availability
spec:
  service: ledger
  timeWindow:
    - duration: 28d
      isRolling: true
  objectives:
    - displayName: good
      target: 0.999
    - displayName: ok
      targetPercent: 99.5
---
apiVersion: openslo/v1
kind: Service
metadata: {name: ledger}
";
        let p = parse(text, Path::new("slo.yaml"));
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        let got: Vec<(&str, f64, &str, usize)> =
            p.slos.iter().map(|s| (s.name.as_str(), s.objective, s.window.as_str(), s.line)).collect();
        assert_eq!(
            got,
            vec![
                ("Ledger availability: good", 99.9, "28d", 12),
                ("Ledger availability: ok", 99.5, "28d", 14)
            ]
        );
    }

    #[test]
    fn sloth_objectives_and_their_alerts() {
        let text = "version: prometheus/v1
service: checkout
slos:
  - name: requests-availability
    objective: 99.9
    alerting:
      name: CheckoutHighErrorRate
  - name: latency
    objective: 150
";
        let p = parse(text, Path::new("sloth.yml"));
        assert_eq!(p.slos.len(), 1);
        assert_eq!(p.slos[0].alert.as_deref(), Some("CheckoutHighErrorRate"));
        assert_eq!((p.slos[0].service.as_str(), p.slos[0].window.as_str()), ("checkout", "30d"));
        assert_eq!(
            p.diagnostics[0].to_string(),
            "sloth.yml:9:16: error: objective `150` is outside (0, 100)\n 9 |     objective: 150\n   |                ^\n  = hint: objectives are percentages such as `99.9`"
        );
    }

    #[test]
    fn a_percentage_written_as_openslo_target_is_refused() {
        let text = "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x}\nspec:\n  service: a\n  objectives:\n    - target: 99.9\n";
        let p = parse(text, Path::new("s.yaml"));
        assert_eq!(
            p.diagnostics[0].to_string(),
            "s.yaml:7:15: error: objective `99.9` is 9990 % as a percentage, outside (0, 100)\n 7 |     - target: 99.9\n   |               ^\n  = hint: OpenSLO's `target` is a ratio such as `0.999`; `targetPercent` takes `99.9`"
        );
    }
}
