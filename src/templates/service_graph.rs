//! The dependency diagram of a service page: inline SVG drawn at build time, with no script
//! and nothing loaded from outside.
//!
//! Layered: the services that depend on this one (up to two hops) above it, its dependencies
//! (up to two hops) below. Colours come from the theme's CSS classes (`svc-node`, `svc-edge`),
//! so the diagram follows light and dark mode. An edge that points back up (a dependency
//! cycle) is drawn dashed with the class `svc-cycle`. Every name is XML-escaped: names come
//! from pages and catalog files.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::site::services::Services;

/// Above this many services the page shows lists only.
pub const MAX_NODES: usize = 25;

const NODE_W: usize = 150;
const NODE_H: usize = 34;
const GAP_X: usize = 20;
const GAP_Y: usize = 46;

/// The diagram around service `name`, as SVG; `hrefs` gives each service's link from the
/// page. `None` when the service has no dependencies either way, or the neighbourhood has
/// more than [`MAX_NODES`] services.
pub fn diagram(services: &Services, name: &str, href: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let layers = layers(services, name)?;
    let count: usize = layers.values().map(Vec::len).sum();
    if count <= 1 || count > MAX_NODES {
        return None;
    }
    let widest = layers.values().map(Vec::len).max().unwrap_or(1);
    let width = widest * (NODE_W + GAP_X) + GAP_X;
    let height = layers.len() * (NODE_H + GAP_Y) - GAP_Y + 2 * 12;
    let mut place: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (row, names) in layers.values().enumerate() {
        let offset = (width - names.len() * (NODE_W + GAP_X) + GAP_X) / 2;
        for (i, n) in names.iter().enumerate() {
            place.insert(n, (offset + i * (NODE_W + GAP_X), 12 + row * (NODE_H + GAP_Y)));
        }
    }
    let mut svg = format!(
        "<svg class=\"svc-graph\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"Dependencies of {}\" xmlns=\"http://www.w3.org/2000/svg\">",
        escape(name)
    );
    svg.push_str("<defs><marker id=\"svc-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path class=\"svc-arrow\" d=\"M0 0L10 5L0 10z\"/></marker></defs>");
    edges(services, &place, &mut svg);
    for (n, (x, y)) in &place {
        node(services, n, (*x, *y), *n == name, href, &mut svg);
    }
    svg.push_str("</svg>");
    Some(svg)
}

/// Layer → names (A–Z within a layer): negative layers depend on `name` (up to two hops),
/// positive ones are its dependencies (up to two hops). Within each side a service sits one
/// layer past the furthest service that leads to it (longest path), so edges point one way;
/// the relaxation runs a bounded number of rounds, so a cycle cannot loop.
fn layers<'a>(services: &'a Services, name: &'a str) -> Option<BTreeMap<i32, Vec<&'a str>>> {
    let start = services.get(name)?;
    let mut layer_of: BTreeMap<&str, i32> = BTreeMap::from([(start.name.as_str(), 0)]);
    for step in [-1, 1] {
        let mut side: Vec<&str> = vec![start.name.as_str()];
        let mut frontier = side.clone();
        for _hop in 0..2 {
            let mut next = Vec::new();
            for n in frontier {
                for m in neighbours(services, n, step) {
                    if !layer_of.contains_key(m) && !side.contains(&m) {
                        side.push(m);
                        next.push(m);
                    }
                }
            }
            frontier = next;
        }
        let mut depth: BTreeMap<&str, i32> = side.iter().map(|n| (*n, 0)).collect();
        for _round in 0..side.len() {
            for from in &side {
                let d = depth[from];
                for to in neighbours(services, from, step) {
                    if let Some(t) = depth.get_mut(to).filter(|t| **t <= d && d < 2 && to != start.name) {
                        *t = d + 1;
                    }
                }
            }
        }
        for (n, d) in depth {
            layer_of.entry(n).or_insert(step * d.max(1));
        }
    }
    let mut layers: BTreeMap<i32, Vec<&str>> = BTreeMap::new();
    for (n, l) in layer_of {
        layers.entry(l).or_default().push(n);
    }
    Some(layers)
}

/// The services `name` depends on (`step` 1) or that depend on it (`step` -1).
fn neighbours<'a>(services: &'a Services, name: &str, step: i32) -> impl Iterator<Item = &'a str> {
    let s = services.get(name);
    let list = s.map(|s| if step > 0 { &s.depends_on } else { &s.depended_on_by });
    list.into_iter().flatten().map(String::as_str)
}

fn edges(services: &Services, place: &BTreeMap<&str, (usize, usize)>, svg: &mut String) {
    for (from, (fx, fy)) in place {
        let Some(s) = services.get(from) else { continue };
        for to in &s.depends_on {
            let Some((tx, ty)) = place.get(to.as_str()) else { continue };
            let (x1, x2) = (fx + NODE_W / 2, tx + NODE_W / 2);
            if ty > fy {
                let (y1, y2) = (fy + NODE_H, *ty);
                let mid = (y1 + y2) / 2;
                let _ = write!(
                    svg,
                    "<path class=\"svc-edge\" d=\"M{x1} {y1}C{x1} {mid} {x2} {mid} {x2} {y2}\" marker-end=\"url(#svc-arrow)\"/>"
                );
            } else {
                // Up or sideways: a dependency cycle, drawn around the right of the nodes.
                let (y1, y2) = (fy + NODE_H / 2, ty + NODE_H / 2);
                let (sx, ex) = (fx + NODE_W, tx + NODE_W);
                let bend = sx.max(ex) + GAP_X;
                let _ = write!(
                    svg,
                    "<path class=\"svc-edge svc-cycle\" d=\"M{sx} {y1}C{bend} {y1} {bend} {y2} {ex} {y2}\" marker-end=\"url(#svc-arrow)\"/>"
                );
            }
        }
    }
}

fn node(
    services: &Services,
    name: &str,
    (x, y): (usize, usize),
    this: bool,
    href: &dyn Fn(&str) -> Option<String>,
    svg: &mut String,
) {
    let defined = services.get(name).is_some_and(|s| s.defined);
    let class = match (this, defined) {
        (true, _) => "svc-node svc-self",
        (false, true) => "svc-node",
        (false, false) => "svc-node svc-undefined",
    };
    let label: String = if name.chars().count() > 19 {
        name.chars().take(18).chain(std::iter::once('…')).collect()
    } else {
        name.to_owned()
    };
    let shape = format!(
        "<g class=\"{class}\"><title>{}</title><rect x=\"{x}\" y=\"{y}\" width=\"{NODE_W}\" height=\"{NODE_H}\" rx=\"7\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text></g>",
        escape(name),
        x + NODE_W / 2,
        y + NODE_H / 2 + 5,
        escape(&label)
    );
    match href(name).filter(|_| !this && defined) {
        Some(link) => {
            let _ = write!(svg, "<a href=\"{}\">{shape}</a>", escape(&link));
        }
        None => svg.push_str(&shape),
    }
}

/// XML text and attribute escaping; XML 1.0 has no control characters, so they are dropped.
fn escape(text: &str) -> String {
    let text: String = text.chars().filter(|c| !c.is_control()).collect();
    crate::markdown::escape(&text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::services::Service;

    fn services(edges: &[(&str, &[&str])]) -> Services {
        let mut out = Services::default();
        for (name, deps) in edges {
            out.by_name.insert((*name).to_owned(), out.list.len());
            out.list.push(Service {
                name: (*name).to_owned(),
                depends_on: deps.iter().map(|d| (*d).to_owned()).collect(),
                defined: true,
                ..Service::default()
            });
        }
        out.link_dependencies();
        out
    }

    #[test]
    fn layers_put_dependents_above_and_dependencies_below() {
        let s = services(&[("web", &["checkout"]), ("checkout", &["ledger", "<x>"]), ("ledger", &["db"])]);
        let l = layers(&s, "checkout").unwrap();
        let got: Vec<(i32, Vec<&str>)> = l.into_iter().collect();
        assert_eq!(
            got,
            vec![(-1, vec!["web"]), (0, vec!["checkout"]), (1, vec!["<x>", "ledger"]), (2, vec!["db"])]
        );
        let svg = diagram(&s, "checkout", &|n| Some(format!("../{n}/"))).unwrap();
        assert!(svg.contains("&lt;x&gt;") && !svg.contains("<x>"), "names are escaped");
        assert!(svg.contains("<a href=\"../ledger/\">"), "{svg}");
        assert_eq!(svg.matches("class=\"svc-edge\"").count(), 4, "{svg}");
        assert!(!svg.contains("svc-cycle"), "no cycle here");
    }

    #[test]
    fn a_cycle_is_drawn_not_refused_and_big_graphs_are_lists() {
        let s = services(&[("a", &["b"]), ("b", &["a"])]);
        let svg = diagram(&s, "a", &|_| None).unwrap();
        assert!(svg.contains("svc-cycle"), "{svg}");
        let many: Vec<String> = (0..30).map(|i| format!("s{i}")).collect();
        let deps: Vec<&str> = many.iter().map(String::as_str).collect();
        let mut edges: Vec<(&str, &[&str])> = vec![("hub", &deps)];
        edges.extend(deps.iter().map(|d| (*d, &[][..])));
        assert_eq!(diagram(&services(&edges), "hub", &|_| None), None);
        assert_eq!(diagram(&services(&[("lonely", &[])]), "lonely", &|_| None), None);
    }
}
