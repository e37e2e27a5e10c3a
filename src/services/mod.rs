//! Service data read from the files teams already keep: Backstage catalog files
//! (`[services] catalog`) and SLO files (`[services] slos`: OpenSLO and Sloth). Service pages
//! (kind `service`) and the merge of all sources into one service each are the site model's
//! ([`crate::site::services`]).
//!
//! Catalog and SLO files are untrusted input, held to the content root like alert rule files
//! ([`crate::alerts::load_input`]); parsing runs under the YAML parser's budgets.

pub mod budget;
pub mod catalog;
pub mod slo;

use crate::alerts::{InputGlobs, InputKind, find_inputs, load_input};
use crate::config::{ContentRoot, ServicesConfig, display_path};
use crate::diag::Diagnostic;
pub use catalog::{Entity, EntityKind, EntityRef};
pub use slo::{SloDef, SloFormat};

/// Everything the catalog and SLO files say.
#[derive(Debug, Default)]
pub struct Sources {
    /// Catalog entities (Component, System, Group), in path order.
    pub entities: Vec<Entity>,
    /// SLOs, in path order.
    pub slos: Vec<SloDef>,
}

const CATALOG: InputKind = InputKind {
    what: "the service catalog",
    noun: "catalog files",
    split_hint: "split the catalog into several files",
};
const SLOS: InputKind =
    InputKind { what: "SLOs", noun: "SLO files", split_hint: "split the SLOs into several files" };

/// Reads every catalog and SLO file the `[services]` patterns match. An entity kind lore does
/// not read is noted once, at its first entity.
pub fn read(config: &ServicesConfig, root: &ContentRoot) -> (Sources, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut out = Sources::default();
    let globs = |patterns, key, line| InputGlobs {
        patterns,
        base: &config.base,
        key,
        line,
        config_path: &config.config_path,
        config_text: &config.config_text,
    };
    let mut skipped: Vec<String> = Vec::new();
    for path in find_inputs(&globs(&config.catalog, "catalog", config.catalog_line), &mut diags) {
        let shown = display_path(&path);
        let text = match load_input(&path, root, &shown, &CATALOG) {
            Ok(text) => text,
            Err(d) => {
                diags.push(d);
                continue;
            }
        };
        let mut parsed = catalog::parse(&text, &shown);
        let rel = rel_path(&path, &config.base);
        for e in &mut parsed.entities {
            e.rel.clone_from(&rel);
        }
        out.entities.extend(parsed.entities);
        diags.extend(parsed.diagnostics);
        for (kind, line, col) in parsed.skipped {
            if skipped.contains(&kind) {
                continue;
            }
            diags.push(
                Diagnostic::warning(format!(
                    "catalog entities of kind `{kind}` are skipped: lore reads Component, System and Group"
                ))
                .at_text(&shown, text.as_str(), line, col),
            );
            skipped.push(kind);
        }
    }
    for path in find_inputs(&globs(&config.slos, "slos", config.slos_line), &mut diags) {
        let shown = display_path(&path);
        match load_input(&path, root, &shown, &SLOS) {
            Ok(text) => {
                let mut parsed = slo::parse(&text, &shown);
                let rel = rel_path(&path, &config.base);
                for s in &mut parsed.slos {
                    s.rel.clone_from(&rel);
                }
                out.slos.extend(parsed.slos);
                diags.extend(parsed.diagnostics);
            }
            Err(d) => diags.push(d),
        }
    }
    (out, diags)
}

/// `path` relative to `base`, `/`-separated.
fn rel_path(path: &std::path::Path, base: &std::path::Path) -> String {
    path.strip_prefix(base).unwrap_or(path).to_string_lossy().replace('\\', "/")
}

/// "7 of 9 runbooks fresh · 1 stale · 1 never verified" (counts in `site::freshness::State::ALL` order).
pub fn runbook_summary(counts: &[usize; 5], total: usize) -> Option<String> {
    if total == 0 {
        return None;
    }
    let [stale, due, unverified, fresh, exempt] = *counts;
    let noun = if total == 1 { "runbook" } else { "runbooks" };
    let mut parts = vec![format!("{} of {total} {noun} fresh", fresh + exempt)];
    for (n, what) in [(due, "due soon"), (stale, "stale"), (unverified, "never verified")] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    Some(parts.join(" · "))
}

/// The YAML documents of a service data file, or the parse error at its place in `shown`
/// (`what` names the file's kind: "catalog file", "SLO file").
fn documents(
    text: &str,
    shown: &std::path::Path,
    what: &str,
) -> Result<Vec<crate::alerts::yaml::Node>, Diagnostic> {
    crate::alerts::yaml::documents(text).map_err(|err| {
        let (line, col) = crate::alerts::error_place(&err);
        let message = format!("invalid YAML in {what}: {}", crate::content::yaml_message(&err));
        Diagnostic::error(message).at_text(shown, text, line, col)
    })
}
