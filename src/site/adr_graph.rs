//! The decision log: every ADR with its number, and supersession, amendment and "relates to"
//! as one graph. A relation is one fact, declared on either side (or both) and shown on both.
//!
//! Input: the site's pages of kind `adr` (fields read by `content::adr`). Problems found here:
//! a number used twice in one folder, a relation naming a record that does not exist, a
//! supersession cycle, and a record whose status contradicts a supersession.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{Site, Target, url_for};
use crate::content::adr::{self, Adr, Lifecycle, RelationKind};
use crate::content::{Kind, Page};
use crate::diag::Diagnostic;

/// One record in the log.
#[derive(Debug, Clone)]
pub struct AdrRecord {
    /// Index into [`Site::pages`].
    pub page: usize,
    /// Its fields.
    pub adr: Adr,
    /// The state it is in, supersession by another record included.
    pub lifecycle: Option<Lifecycle>,
    /// The status shown ("Accepted", "Partly superseded").
    pub status_label: Option<String>,
    /// Relations, both declared and implied by the other side, as (kind, record index).
    pub links: Vec<(RelationKind, usize)>,
}

impl AdrRecord {
    /// `ADR-0007`, or `None` for a record without a number.
    pub fn id(&self) -> Option<String> {
        self.adr.number.map(|n| format!("ADR-{n:04}"))
    }

    /// `ADR-0007: Title` or the title.
    pub fn label(&self) -> String {
        match self.id() {
            Some(id) => format!("{id}: {}", self.adr.title),
            None => self.adr.title.clone(),
        }
    }
}

/// The ADRs of one folder: a log page (the folder's own page or listing) shows them.
#[derive(Debug, Clone)]
pub struct AdrLog {
    /// The folder, relative to the source folder (`adr`).
    pub folder: String,
    /// The page or listing at the folder's URL, when there is one.
    pub target: Option<Target>,
    /// Record indices, by number, then date, then file name.
    pub records: Vec<usize>,
}

/// Every ADR of the site.
#[derive(Debug, Clone, Default)]
pub struct AdrGraph {
    /// The records, in source order.
    pub records: Vec<AdrRecord>,
    /// Page index → record index.
    pub by_page: HashMap<usize, usize>,
    /// One log per folder holding ADRs.
    pub logs: Vec<AdrLog>,
}

impl AdrGraph {
    /// The lifecycle state of the ADR on page `page`, if it is one with a known state.
    pub fn lifecycle_of(&self, page: usize) -> Option<Lifecycle> {
        self.by_page.get(&page).and_then(|r| self.records[*r].lifecycle)
    }

    /// Whether page `page` is a superseded ADR, shown de-emphasised everywhere.
    pub fn is_superseded(&self, page: usize) -> bool {
        self.lifecycle_of(page) == Some(Lifecycle::Superseded)
    }
}

/// A supersession fact: `new` supersedes `old`, with where it was declared.
#[derive(Debug, Clone, Copy)]
struct Declared {
    from: usize,
    kind: RelationKind,
    to: usize,
    line: usize,
    col: usize,
}

/// Reads every ADR and links them. Returns the graph and its diagnostics.
pub fn build(site: &Site, config: &crate::config::SiteConfig) -> (AdrGraph, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut graph = AdrGraph::default();
    for (i, page) in site.pages.iter().enumerate() {
        if page.kind != Kind::Adr || !adr::is_record(&page.source.rel) {
            continue;
        }
        let (fields, mut d) = adr::read(page, &config.adr_statuses);
        diags.append(&mut d);
        graph.by_page.insert(i, graph.records.len());
        graph.records.push(AdrRecord {
            page: i,
            lifecycle: fields.status.as_ref().map(|s| s.lifecycle),
            status_label: fields.status.as_ref().map(|s| s.label.clone()),
            adr: fields,
            links: Vec::new(),
        });
    }
    check_numbers(site, &graph, &mut diags);
    let declared = resolve(site, &graph, &mut diags);
    link(&mut graph, &declared);
    check_cycles(site, &graph, &declared, &mut diags);
    check_statuses(site, &mut graph, &declared, &mut diags);
    graph.logs = logs(site, &graph);
    (graph, diags)
}

fn folder(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(d, _)| d)
}

fn check_numbers(site: &Site, graph: &AdrGraph, diags: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<(&str, u32), usize> = HashMap::new();
    for r in &graph.records {
        let Some(n) = r.adr.number else { continue };
        let rel = &site.pages[r.page].source.rel;
        if let Some(&first) = seen.get(&(folder(rel), n)) {
            let other = &site.pages[graph.records[first].page].source.rel;
            let page = &site.pages[r.page];
            diags.push(
                Diagnostic::error(format!("ADR number {n} is used by both `{other}` and `{rel}`"))
                    .at(&page.source.shown, 1, 1)
                    .hint("renumber one of them; `lore new adr` picks the next free number"),
            );
        } else {
            seen.insert((folder(rel), n), graph.by_page[&r.page]);
        }
    }
}

/// Resolves every declared relation to a record; a target that is not an ADR is an error.
fn resolve(site: &Site, graph: &AdrGraph, diags: &mut Vec<Diagnostic>) -> Vec<Declared> {
    let mut out = Vec::new();
    for (from, r) in graph.records.iter().enumerate() {
        let page = &site.pages[r.page];
        for rel in &r.adr.relations {
            match find(site, graph, page, &rel.target) {
                Some(to) if to != from => {
                    out.push(Declared { from, kind: rel.kind, to, line: rel.line, col: rel.col });
                }
                Some(_) => diags.push(
                    Diagnostic::error(format!("`{}` names this record itself", rel.kind.key())).at_text(
                        &page.source.shown,
                        &page.text,
                        rel.line,
                        rel.col,
                    ),
                ),
                None => diags.push(
                    Diagnostic::error(format!(
                        "`{}` names `{}`, which is not an ADR in this site",
                        rel.kind.key(),
                        rel.target
                    ))
                    .at_text(&page.source.shown, &page.text, rel.line, rel.col)
                    .hint("name the record by file name (`0005-use-kafka.md`) or number (`5`)"),
                ),
            }
        }
    }
    out
}

/// A record named by file name (relative to the declaring record or to the source folder),
/// number (`7`, `0007`, `ADR-0007`) or URL.
fn find(site: &Site, graph: &AdrGraph, from: &Page, target: &str) -> Option<usize> {
    let target = target.trim();
    let path = target.split('#').next().unwrap_or(target).trim_start_matches("./");
    let dir = folder(&from.source.rel);
    let candidates = [join(dir, path), path.to_owned(), join(dir, &format!("{path}.md"))];
    for c in &candidates {
        if let Some(i) = site.by_source.get(c).and_then(|p| graph.by_page.get(p)) {
            return Some(*i);
        }
    }
    let digits = target.trim_start_matches(|c: char| !c.is_ascii_digit());
    let n: u32 = digits.parse().ok().filter(|_| target.len() - digits.len() <= 4)?;
    let matching = |same_folder: bool| {
        graph.records.iter().position(|r| {
            r.adr.number == Some(n) && (!same_folder || folder(&site.pages[r.page].source.rel) == dir)
        })
    };
    matching(true).or_else(|| matching(false))
}

/// `dir` joined with a relative `path`, `..` resolved.
fn join(dir: &str, path: &str) -> String {
    let mut parts: Vec<&str> = if dir.is_empty() { Vec::new() } else { dir.split('/').collect() };
    for part in path.split('/') {
        match part {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// The fact a declaration states, as (newer, kind seen from the newer, older).
fn fact(d: &Declared) -> (usize, RelationKind, usize) {
    match d.kind {
        RelationKind::SupersededBy | RelationKind::AmendedBy => (d.to, d.kind.inverse(), d.from),
        RelationKind::RelatesTo => (d.from.min(d.to), d.kind, d.from.max(d.to)),
        _ => (d.from, d.kind, d.to),
    }
}

fn link(graph: &mut AdrGraph, declared: &[Declared]) {
    let facts: BTreeSet<(usize, RelationKind, usize)> = declared.iter().map(fact).collect();
    for (a, kind, b) in facts {
        graph.records[a].links.push((kind, b));
        graph.records[b].links.push((kind.inverse(), a));
    }
    for r in &mut graph.records {
        r.links.sort();
        r.links.dedup();
    }
}

fn name(site: &Site, graph: &AdrGraph, i: usize) -> String {
    let r = &graph.records[i];
    r.id().unwrap_or_else(|| format!("`{}`", site.pages[r.page].source.rel))
}

/// A record that supersedes itself through others. Two records that each claim to supersede
/// the other contradict each other.
fn check_cycles(site: &Site, graph: &AdrGraph, declared: &[Declared], diags: &mut Vec<Diagnostic>) {
    let mut next: BTreeMap<usize, Vec<(usize, &Declared)>> = BTreeMap::new();
    for d in declared {
        let (new, kind, old) = fact(d);
        if kind == RelationKind::Supersedes {
            next.entry(new).or_default().push((old, d));
        }
    }
    let mut reported: BTreeSet<Vec<usize>> = BTreeSet::new();
    for &start in next.keys() {
        let mut path = vec![start];
        let mut decls: Vec<&Declared> = Vec::new();
        walk(&next, start, &mut path, &mut decls, &mut |cycle, decls| {
            let mut key = cycle.to_vec();
            key.sort_unstable();
            if !reported.insert(key) {
                return;
            }
            let first = decls[0];
            let page = &site.pages[graph.records[first.from].page];
            let names: Vec<String> = cycle.iter().chain([&cycle[0]]).map(|i| name(site, graph, *i)).collect();
            let message = if cycle.len() == 2 {
                format!("{} and {} each say they supersede the other", names[0], names[1])
            } else {
                format!("supersession cycle: {}", names.join(" → "))
            };
            diags.push(
                Diagnostic::error(message)
                    .at_text(&page.source.shown, &page.text, first.line, first.col)
                    .hint("a newer record supersedes an older one; remove the link that points back"),
            );
        });
    }
}

type CycleFound<'a, 'd> = dyn FnMut(&[usize], &[&'d Declared]) + 'a;

fn walk<'d>(
    next: &BTreeMap<usize, Vec<(usize, &'d Declared)>>,
    start: usize,
    path: &mut Vec<usize>,
    decls: &mut Vec<&'d Declared>,
    found: &mut CycleFound<'_, 'd>,
) {
    let Some(&last) = path.last() else { return };
    for &(to, d) in next.get(&last).into_iter().flatten() {
        decls.push(d);
        if to == start {
            found(path, decls);
        } else if !path.contains(&to) && to > start {
            path.push(to);
            walk(next, start, path, decls, found);
            path.pop();
        }
        decls.pop();
    }
}

/// A superseded record whose own status says it is in effect contradicts the other side.
fn check_statuses(site: &Site, graph: &mut AdrGraph, declared: &[Declared], diags: &mut Vec<Diagnostic>) {
    for i in 0..graph.records.len() {
        let Some(&(_, by)) = graph.records[i].links.iter().find(|(k, _)| *k == RelationKind::SupersededBy)
        else {
            continue;
        };
        let record = &graph.records[i];
        match &record.adr.status {
            Some(status) if status.lifecycle != Lifecycle::Superseded => {
                let page = &site.pages[record.page];
                let who = declared
                    .iter()
                    .find(|d| fact(d) == (by, RelationKind::Supersedes, i))
                    .map(|d| d.from)
                    .unwrap_or(by);
                let says = if who == i {
                    format!("this record says {} supersedes it", name(site, graph, by))
                } else {
                    format!(
                        "{} (`{}`) says it supersedes this record",
                        name(site, graph, by),
                        site.pages[graph.records[by].page].source.rel
                    )
                };
                diags.push(
                    Diagnostic::error(format!("status is `{}`, but {says}", status.label.to_lowercase()))
                        .at_text(&page.source.shown, &page.text, status.line, 1)
                        .hint("set the status to `superseded`, or remove the supersession"),
                );
            }
            _ => {
                let r = &mut graph.records[i];
                r.lifecycle = Some(Lifecycle::Superseded);
                if r.status_label.is_none() {
                    r.status_label = Some("Superseded".to_owned());
                }
            }
        }
    }
}

fn logs(site: &Site, graph: &AdrGraph) -> Vec<AdrLog> {
    let mut by_folder: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, r) in graph.records.iter().enumerate() {
        by_folder.entry(folder(&site.pages[r.page].source.rel)).or_default().push(i);
    }
    by_folder
        .into_iter()
        .map(|(dir, mut records)| {
            records.sort_by_key(|&i| {
                let r = &graph.records[i];
                (r.adr.number.is_none(), r.adr.number, r.adr.date, site.pages[r.page].source.rel.clone())
            });
            let url = url_for(&format!("{dir}/README.md"));
            AdrLog { folder: dir.to_owned(), target: site.by_url(&url), records }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn joins_relative_paths() {
        assert_eq!(join("adr", "0005-x.md"), "adr/0005-x.md");
        assert_eq!(join("docs/adr", "../adr/0005-x.md"), "docs/adr/0005-x.md");
        assert_eq!(join("", "x.md"), "x.md");
    }
}
