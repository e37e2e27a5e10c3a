//! Navigation from the `nav` of `mkdocs.yml` (issue 15), as [`summary`](super::summary) makes
//! it from `SUMMARY.md`: pages in the given order and nesting, titled or with their own title,
//! external links, and sections. A section whose first entry is its folder's `index.md` (or
//! `README.md`) links to that page, as Material for MkDocs' section index pages do; any other
//! section is a heading over its entries. A page `nav` names that does not exist is an error at
//! its line in `mkdocs.yml`.

use super::nav::{NavItem, NavKind};
use super::{Site, Target};
use crate::config::mkdocs::{MkDocs, MkNav};
use crate::diag::Diagnostic;

/// Sets [`Site::nav`] from `mkdocs.nav`.
pub(super) fn apply(site: &mut Site, mkdocs: &MkDocs, nav: &[MkNav], diags: &mut Vec<Diagnostic>) {
    site.nav = items(site, mkdocs, nav, diags);
}

fn items(site: &Site, mkdocs: &MkDocs, nav: &[MkNav], diags: &mut Vec<Diagnostic>) -> Vec<NavItem> {
    nav.iter().filter_map(|entry| item(site, mkdocs, entry, diags)).collect()
}

fn item(site: &Site, mkdocs: &MkDocs, entry: &MkNav, diags: &mut Vec<Diagnostic>) -> Option<NavItem> {
    match entry {
        MkNav::Page { title, path, line, col } => {
            let target = page(site, mkdocs, path, *line, *col, diags)?;
            let title = title.clone().unwrap_or_else(|| site.title(target).to_owned());
            Some(NavItem { kind: NavKind::Link, title, target: Some(target), children: vec![] })
        }
        MkNav::Link { title, url } => {
            if let Some(scheme) = crate::config::data_url::unsafe_scheme(url) {
                let (message, hint) = crate::config::data_url::message("nav", url, &scheme);
                let line = mkdocs.text.lines().position(|l| l.contains(url.as_str())).map_or(1, |i| i + 1);
                diags.push(Diagnostic::error(message).hint(hint).at_text(
                    &mkdocs.shown,
                    &mkdocs.text,
                    line,
                    1,
                ));
                return None;
            }
            Some(NavItem {
                kind: NavKind::External(url.clone()),
                title: title.clone(),
                target: None,
                children: vec![],
            })
        }
        MkNav::Section { title, children } => {
            let index = children.first().and_then(|c| match c {
                MkNav::Page { path, .. } if is_index(path) => {
                    site.by_source.get(&super::summary::normalize(path)).copied()
                }
                _ => None,
            });
            let rest = if index.is_some() { &children[1..] } else { &children[..] };
            let children = items(site, mkdocs, rest, diags);
            let (kind, target) = match index {
                Some(i) => (NavKind::Link, Some(Target::Page(i))),
                None => (NavKind::Part, None),
            };
            Some(NavItem { kind, title: title.clone(), target, children })
        }
    }
}

/// The page `path` names (relative to `docs_dir`), or `None` after an error at its place.
fn page(
    site: &Site,
    mkdocs: &MkDocs,
    path: &str,
    line: usize,
    col: usize,
    diags: &mut Vec<Diagnostic>,
) -> Option<Target> {
    let rel = super::summary::normalize(&crate::site::decode_path(path));
    if let Some(&i) = site.by_source.get(&rel) {
        return Some(Target::Page(i));
    }
    if site.failed.contains(&rel) {
        // The page's own error is reported.
        return None;
    }
    let (message, hint) = if site.drafts.contains(&rel) {
        (format!("`nav` names `{path}`, which is a draft"), "publish the page, or take it out of `nav`")
    } else {
        (
            format!("`nav` names `{path}`, which does not exist"),
            "paths in `nav` are relative to `docs_dir`; create the page or fix the path",
        )
    };
    diags.push(Diagnostic::error(message).at_text(&mkdocs.shown, &mkdocs.text, line, col).hint(hint));
    None
}

fn is_index(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.eq_ignore_ascii_case("index.md") || name.eq_ignore_ascii_case("readme.md")
}
