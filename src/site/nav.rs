//! Navigation from the folder tree (when there is no `SUMMARY.md`), and the reading order and
//! ancestry that breadcrumbs and previous/next links come from.

use std::collections::BTreeMap;

use super::{Section, Site, Target};
use crate::content::page_title_from_path;

/// What a navigation entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NavKind {
    /// A link (or a folder with a link).
    Link,
    /// A part title (`# Part` in `SUMMARY.md`).
    Part,
    /// A separator line.
    Separator,
    /// A draft chapter: a title with no page yet.
    Draft,
    /// A link out of the site (`- Title: https://…` in the `nav` of `mkdocs.yml`).
    External(String),
}

/// One entry of the sidebar.
#[derive(Debug, Clone)]
pub struct NavItem {
    /// What kind of entry.
    pub kind: NavKind,
    /// Shown text.
    pub title: String,
    /// Where it links.
    pub target: Option<Target>,
    /// Nested entries.
    pub children: Vec<NavItem>,
}

#[derive(Default)]
struct Dir {
    index: Option<usize>,
    pages: Vec<usize>,
    dirs: BTreeMap<String, Dir>,
}

/// Builds the nav tree from folders, ordered by `weight`, then title.
pub(super) fn from_tree(site: &mut Site) {
    let mut root = Dir::default();
    for (i, page) in site.pages.iter().enumerate() {
        let parts: Vec<&str> = page.source.rel.split('/').collect();
        let (file, dirs) = parts.split_last().expect("a relative path has at least one part");
        let mut dir = &mut root;
        for d in dirs {
            dir = dir.dirs.entry((*d).to_owned()).or_default();
        }
        let stem = file.trim_end_matches(".md");
        if stem.eq_ignore_ascii_case("readme") || stem.eq_ignore_ascii_case("index") {
            // `index.md` wins over `README.md` in the same folder (both cannot be published; the
            // site stage has already reported the clash).
            dir.index.get_or_insert(i);
        } else {
            dir.pages.push(i);
        }
    }
    site.nav = children_of(site, &root, "");
}

fn children_of(site: &mut Site, dir: &Dir, path: &str) -> Vec<NavItem> {
    let mut items: Vec<(Option<i64>, String, NavItem)> = Vec::new();
    for &i in &dir.pages {
        let page = &site.pages[i];
        let item = NavItem {
            kind: NavKind::Link,
            title: page.title.clone(),
            target: Some(Target::Page(i)),
            children: vec![],
        };
        // Decision records read in number order, which their file names carry (`0007-…`).
        let key = if page.kind == crate::content::Kind::Adr {
            page.source.rel.rsplit('/').next().unwrap_or("").to_lowercase()
        } else {
            page.title.to_lowercase()
        };
        items.push((page.meta.weight, key, item));
    }
    for (name, sub) in &dir.dirs {
        let sub_path = if path.is_empty() { name.clone() } else { format!("{path}/{name}") };
        let children = children_of(site, sub, &sub_path);
        let (target, title, weight) = match sub.index {
            Some(i) => (Target::Page(i), site.pages[i].title.clone(), site.pages[i].meta.weight),
            None => {
                let title = page_title_from_path(&format!("{sub_path}/README.md"));
                let listed = children.iter().filter_map(|c| c.target).collect();
                site.sections.push(Section {
                    url: format!("{sub_path}/"),
                    title: title.clone(),
                    children: listed,
                });
                (Target::Section(site.sections.len() - 1), title, None)
            }
        };
        let item = NavItem { kind: NavKind::Link, title: title.clone(), target: Some(target), children };
        items.push((weight, title.to_lowercase(), item));
    }
    // Pages with a weight come first, lightest first; the rest follow by title, with numbers in
    // titles compared as numbers ("Step 2" before "Step 10").
    items.sort_by(|a, b| {
        let wa = a.0.unwrap_or(i64::MAX);
        let wb = b.0.unwrap_or(i64::MAX);
        wa.cmp(&wb).then_with(|| natural_cmp(&a.1, &b.1))
    });
    items.into_iter().map(|(_, _, item)| item).collect()
}

/// Compares strings with runs of digits compared by value.
fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        match (a.chars().next(), b.chars().next()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (na, ra) = split_digits(a);
                let (nb, rb) = split_digits(b);
                let (ta, tb) = (na.trim_start_matches('0'), nb.trim_start_matches('0'));
                let order =
                    ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb)).then_with(|| na.len().cmp(&nb.len()));
                if order != std::cmp::Ordering::Equal {
                    return order;
                }
                (a, b) = (ra, rb);
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(&y);
                }
                (a, b) = (&a[x.len_utf8()..], &b[y.len_utf8()..]);
            }
        }
    }
}

fn split_digits(s: &str) -> (&str, &str) {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s.split_at(end)
}

/// Fills [`Site::order`] and [`Site::parents`] from the nav tree.
pub(super) fn compute_order(site: &mut Site) {
    let mut order = Vec::new();
    let mut parents = std::collections::HashMap::new();
    if let Some(home) = site.home() {
        order.push(home);
        parents.insert(home, Vec::new());
    }
    walk(&site.nav, &mut Vec::new(), &mut order, &mut parents);
    site.order = order;
    site.parents = parents;
}

fn walk(
    items: &[NavItem],
    stack: &mut Vec<Target>,
    order: &mut Vec<Target>,
    parents: &mut std::collections::HashMap<Target, Vec<Target>>,
) {
    for item in items {
        if let Some(target) = item.target {
            if let std::collections::hash_map::Entry::Vacant(slot) = parents.entry(target) {
                order.push(target);
                slot.insert(stack.clone());
            }
            stack.push(target);
            walk(&item.children, stack, order, parents);
            stack.pop();
        } else {
            walk(&item.children, stack, order, parents);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::natural_cmp;

    #[test]
    fn numbers_sort_by_value() {
        let mut v = vec!["step 10", "step 2", "step 1", "adr", "step 02"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, ["adr", "step 1", "step 2", "step 02", "step 10"]);
    }
}
