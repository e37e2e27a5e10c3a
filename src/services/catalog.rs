//! Backstage catalog files (`catalog-info.yaml`): the Component, System and Group entities of
//! each YAML document, read and never written.
//!
//! Read: `metadata` (`name`, `namespace`, `title`, `description`, `tags`, `links`,
//! `annotations`) and `spec` (`type`, `lifecycle`, `owner`, `system`, `dependsOn`,
//! `providesApis`, `consumesApis`). Entity references (`component:default/ledger`) are parsed
//! into kind, namespace and name; annotation values lose a `url:` prefix. Other kinds (API,
//! Resource, Location…) are returned by name so the caller can note them once.

use std::path::{Path, PathBuf};

use crate::alerts::yaml::{self, Node};
use crate::diag::Diagnostic;

/// The entity kinds lore reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EntityKind {
    /// A piece of software: a service page.
    Component,
    /// A group of components.
    System,
    /// A team (an owner).
    Group,
}

/// A reference to another entity: `[kind:][namespace/]name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityRef {
    /// `component`, `group`… (lowercase), when written.
    pub kind: Option<String>,
    /// The namespace, when written.
    pub namespace: Option<String>,
    /// The name.
    pub name: String,
}

impl EntityRef {
    /// Parses `component:default/ledger`, `group:payments`, `ledger`.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (kind, rest) = match text.split_once(':') {
            Some((k, rest)) if !k.contains('/') => (Some(k.trim().to_ascii_lowercase()), rest),
            _ => (None, text),
        };
        let (namespace, name) = match rest.split_once('/') {
            Some((ns, name)) => (Some(ns.trim().to_owned()), name.trim()),
            None => (None, rest.trim()),
        };
        (!name.is_empty()).then(|| Self { kind, namespace, name: name.to_owned() })
    }

    /// Whether this reference may name a component (no kind, or `component`).
    pub fn is_component(&self) -> bool {
        self.kind.as_deref().is_none_or(|k| k == "component")
    }
}

/// One entity of a catalog file.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    /// Its kind.
    pub kind: EntityKind,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace` (`default` when absent).
    pub namespace: String,
    /// `metadata.title`.
    pub title: Option<String>,
    /// `metadata.description`.
    pub description: Option<String>,
    /// `metadata.tags`.
    pub tags: Vec<String>,
    /// `metadata.links` as (title, url); the title defaults to the URL.
    pub links: Vec<(String, String)>,
    /// `metadata.annotations`, values without a `url:` prefix.
    pub annotations: Vec<(String, String)>,
    /// `spec.type`.
    pub spec_type: Option<String>,
    /// `spec.lifecycle`.
    pub lifecycle: Option<String>,
    /// `spec.owner`.
    pub owner: Option<EntityRef>,
    /// `spec.system`.
    pub system: Option<EntityRef>,
    /// `spec.dependsOn`.
    pub depends_on: Vec<EntityRef>,
    /// Where each of `depends_on` is written: line, column and the text of its line.
    pub depends_at: Vec<(usize, usize, String)>,
    /// `spec.providesApis`.
    pub provides_apis: Vec<EntityRef>,
    /// `spec.consumesApis`.
    pub consumes_apis: Vec<EntityRef>,
    /// The file, as shown in messages.
    pub file: PathBuf,
    /// The file relative to the folder of `book.toml`, `/`-separated (what pages show,
    /// whatever the working folder).
    pub rel: String,
    /// 1-based line of the entity (its `metadata.name` when written).
    pub line: usize,
    /// 1-based column.
    pub col: usize,
}

impl Entity {
    /// The annotation `key`.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// What one catalog file holds.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Entities of the kinds lore reads, in file order.
    pub entities: Vec<Entity>,
    /// Kinds lore skips, each with the place of its first entity.
    pub skipped: Vec<(String, usize, usize)>,
    /// Problems, each at its place.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads the entities of one catalog file's text (`shown` names it in messages).
pub fn parse(text: &str, shown: &Path) -> Parsed {
    let mut out = Parsed::default();
    let docs = match super::documents(text, shown, "catalog file") {
        Ok(docs) => docs,
        Err(diag) => {
            out.diagnostics.push(diag);
            return out;
        }
    };
    for doc in docs.iter().filter(|d| d.is_map()) {
        let Some(kind_name) = doc.text_at("kind") else {
            let message = "not a catalog entity: the document has no `kind`";
            out.diagnostics.push(
                Diagnostic::error(message).at_text(shown, text, doc.line.max(1), doc.col.max(1)).hint(
                    "catalog entities start with `apiVersion: backstage.io/v1alpha1` and `kind: Component`",
                ),
            );
            continue;
        };
        let kind = match kind_name.to_ascii_lowercase().as_str() {
            "component" => EntityKind::Component,
            "system" => EntityKind::System,
            "group" => EntityKind::Group,
            _ => {
                if !out.skipped.iter().any(|(k, _, _)| k == kind_name) {
                    out.skipped.push((kind_name.to_owned(), doc.line.max(1), doc.col.max(1)));
                }
                continue;
            }
        };
        match entity(doc, kind, shown, text) {
            Ok(e) => out.entities.push(e),
            Err((message, line, col, hint)) => out
                .diagnostics
                .push(Diagnostic::error(message).at_text(shown, text, line.max(1), col.max(1)).hint(hint)),
        }
    }
    out
}

type Problem = (String, usize, usize, &'static str);

fn entity(doc: &Node, kind: EntityKind, shown: &Path, source: &str) -> Result<Entity, Problem> {
    let empty = Node { value: yaml::Value::Null, line: doc.line, col: doc.col };
    let metadata = doc.get("metadata").unwrap_or(&empty);
    let spec = doc.get("spec").unwrap_or(&empty);
    let Some(name_node) = metadata.get("name").filter(|n| n.text().is_some_and(|t| !t.trim().is_empty()))
    else {
        return Err((
            "catalog entity has no `metadata.name`".to_owned(),
            metadata.line,
            metadata.col,
            "name it, e.g. `metadata: {name: ledger}`",
        ));
    };
    let name = name_node.text().unwrap_or_default().trim().to_owned();
    if crate::alerts::segment(&name).as_deref() != Some(name.as_str()) {
        return Err((
            format!("catalog entity name `{name}` is not a valid name"),
            name_node.line,
            name_node.col,
            "Backstage names use letters, digits, `-`, `_` and `.`",
        ));
    }
    let text = |node: &Node, key: &str| {
        node.text_at(key).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
    };
    Ok(Entity {
        kind,
        namespace: text(metadata, "namespace").unwrap_or_else(|| "default".to_owned()),
        title: text(metadata, "title"),
        description: text(metadata, "description"),
        tags: metadata.list_at("tags").iter().filter_map(|t| t.text().map(str::to_owned)).collect(),
        links: links(metadata),
        annotations: metadata
            .strings_at("annotations")
            .into_iter()
            .map(|(k, v)| {
                let v = v.trim().strip_prefix("url:").unwrap_or(v.trim()).to_owned();
                (k, v)
            })
            .collect(),
        spec_type: text(spec, "type"),
        lifecycle: text(spec, "lifecycle"),
        owner: spec.text_at("owner").and_then(EntityRef::parse),
        system: spec.text_at("system").and_then(EntityRef::parse),
        depends_on: refs(spec, "dependsOn"),
        depends_at: spec
            .list_at("dependsOn")
            .iter()
            .filter(|n| n.text().and_then(EntityRef::parse).is_some())
            .map(|n| (n.line, n.col, source.lines().nth(n.line.saturating_sub(1)).unwrap_or("").to_owned()))
            .collect(),
        provides_apis: refs(spec, "providesApis"),
        consumes_apis: refs(spec, "consumesApis"),
        file: shown.to_path_buf(),
        rel: shown.to_string_lossy().into_owned(),
        line: name_node.line,
        col: name_node.col,
        name,
    })
}

fn refs(spec: &Node, key: &str) -> Vec<EntityRef> {
    spec.list_at(key).iter().filter_map(|n| n.text().and_then(EntityRef::parse)).collect()
}

fn links(metadata: &Node) -> Vec<(String, String)> {
    metadata
        .list_at("links")
        .iter()
        .filter_map(|l| {
            let url = l.text_at("url")?.trim().to_owned();
            let title = l.text_at("title").map_or_else(|| url.clone(), str::to_owned);
            Some((title, url))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEDGER: &str = "apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ledger
  title: Ledger
  description: Double-entry ledger
  tags: [java, payments]
  links:
    - url: https://grafana.example.com/d/ledger
      title: Dashboard
  annotations:
    pagerduty.com/service-id: PLEDGER
    backstage.io/source-location: url:https://git.example.com/payments/ledger
spec:
  type: service
  lifecycle: production
  owner: group:default/payments
  system: payments
  dependsOn: [component:default/accounts, resource:ledger-db]
  providesApis: [ledger-api]
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: ledger-api}
---
kind: Group
metadata: {name: payments}
";

    #[test]
    fn reads_components_and_groups_and_notes_other_kinds() {
        let p = parse(LEDGER, Path::new("catalog-info.yaml"));
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        assert_eq!(p.entities.len(), 2);
        let e = &p.entities[0];
        assert_eq!((e.kind, e.name.as_str(), e.line, e.col), (EntityKind::Component, "ledger", 4, 9));
        assert_eq!(e.namespace, "default");
        assert_eq!(
            e.annotation("backstage.io/source-location"),
            Some("https://git.example.com/payments/ledger")
        );
        assert_eq!(e.annotation("pagerduty.com/service-id"), Some("PLEDGER"));
        assert_eq!(
            e.owner,
            Some(EntityRef {
                kind: Some("group".into()),
                namespace: Some("default".into()),
                name: "payments".into()
            })
        );
        assert_eq!(e.depends_on.len(), 2);
        assert!(e.depends_on[0].is_component());
        assert!(!e.depends_on[1].is_component());
        assert_eq!(
            e.links,
            vec![("Dashboard".to_owned(), "https://grafana.example.com/d/ledger".to_owned())]
        );
        assert_eq!(e.tags, vec!["java", "payments"]);
        assert_eq!(p.entities[1].kind, EntityKind::Group);
        assert_eq!(p.skipped, vec![("API".to_owned(), 22, 1)]);
    }

    #[test]
    fn entity_refs() {
        let r = EntityRef::parse("ledger").unwrap();
        assert_eq!((r.kind, r.namespace, r.name.as_str()), (None, None, "ledger"));
        let r = EntityRef::parse("Component:ops/ledger").unwrap();
        assert_eq!(
            (r.kind.as_deref(), r.namespace.as_deref(), r.name.as_str()),
            (Some("component"), Some("ops"), "ledger")
        );
        assert_eq!(EntityRef::parse("group:"), None);
    }

    #[test]
    fn problems_have_places() {
        let p = parse("kind: Component\nmetadata:\n  title: x\n", Path::new("c.yaml"));
        assert_eq!(
            p.diagnostics[0].to_string(),
            "c.yaml:3:3: error: catalog entity has no `metadata.name`\n 3 |   title: x\n   |   ^\n  = hint: name it, e.g. `metadata: {name: ledger}`"
        );
        let p = parse("kind: Component\nmetadata:\n  name: [a\n", Path::new("c.yaml"));
        assert_eq!(
            p.diagnostics[0].to_string(),
            "c.yaml:3:9: error: invalid YAML in catalog file: unclosed bracket '['\n 3 |   name: [a\n   |         ^"
        );
    }
}
