//! Onboarding paths: a page of kind `onboarding` with `steps`, each step a page of the site or a
//! plain task, optionally grouped (`- group: Day 1`). Steps are resolved to pages here, so a step
//! page can show "Backend onboarding · step 4 of 11" with previous/next inside the path.
//!
//! Input: the site's pages. Problems found here: a step naming a missing page, a path with no
//! steps, a prerequisite naming a missing path, and prerequisites that form a cycle.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::Site;
use crate::content::{Kind, Page};
use crate::diag::Diagnostic;

/// What a step asks the reader to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepKind {
    /// Read this page (index into [`Site::pages`]).
    Page(usize),
    /// Do this, with whom.
    Task {
        /// What to do.
        text: String,
        /// Who helps or grants it.
        who: Option<String>,
    },
}

/// One step of a path.
#[derive(Debug, Clone)]
pub struct Step {
    /// Page or task.
    pub kind: StepKind,
    /// As written (`2h`).
    pub estimated_time: Option<String>,
    /// The same in minutes of working time, when it parses.
    pub minutes: Option<u32>,
    /// Can be skipped.
    pub optional: bool,
    /// Index into [`OnboardingPath::groups`].
    pub group: Option<usize>,
}

/// A prerequisite: another path, or a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prerequisite {
    /// Another path (page index).
    Path(usize),
    /// Free text.
    Text(String),
}

/// One onboarding path.
#[derive(Debug, Clone, Default)]
pub struct OnboardingPath {
    /// Index into [`Site::pages`].
    pub page: usize,
    /// Steps, in order, groups flattened.
    pub steps: Vec<Step>,
    /// Group names, in order.
    pub groups: Vec<String>,
    /// `audience`
    pub audience: Option<String>,
    /// `outcome`
    pub outcome: Option<String>,
    /// `estimated_time` of the whole path, as written.
    pub estimated_time: Option<String>,
    /// `prerequisites`
    pub prerequisites: Vec<Prerequisite>,
}

/// Every path of the site.
#[derive(Debug, Clone, Default)]
pub struct Paths {
    /// The paths, in source order.
    pub paths: Vec<OnboardingPath>,
    /// Page index → index in `paths`.
    pub by_page: HashMap<usize, usize>,
    /// Page index → every (path, step) it is a step of.
    pub steps_of: HashMap<usize, Vec<(usize, usize)>>,
}

/// Resolves every path's steps and prerequisites.
pub fn build(site: &Site) -> (Paths, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut out = Paths::default();
    let mut prereq_lines: Vec<usize> = Vec::new();
    for (i, page) in site.pages.iter().enumerate() {
        if page.kind != Kind::Onboarding {
            continue;
        }
        let Some(steps) = page.meta.fields.get("steps") else { continue };
        let mut reader = Reader { site, page, diags: &mut diags, items: item_lines(page), next_item: 0 };
        let path = reader.read(i, steps);
        prereq_lines.push(reader.key_line("prerequisites"));
        out.by_page.insert(i, out.paths.len());
        out.paths.push(path);
    }
    for (p, path) in out.paths.iter().enumerate() {
        for (s, step) in path.steps.iter().enumerate() {
            if let StepKind::Page(page) = step.kind {
                out.steps_of.entry(page).or_default().push((p, s));
            }
        }
    }
    check_prerequisites(site, &out, &prereq_lines, &mut diags);
    (out, diags)
}

/// Working minutes in `2h`, `30m`, `1h30m`, `45 min`, `3 days` (8 h), `2 weeks` (5 days).
pub fn minutes(text: &str) -> Option<u32> {
    let text = text.trim().to_ascii_lowercase();
    let mut total = 0u32;
    let mut rest = text.as_str();
    let mut any = false;
    while !rest.is_empty() {
        rest = rest.trim_start();
        let digits = rest.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(rest.len());
        let n: f64 = rest[..digits].parse().ok()?;
        rest = rest[digits..].trim_start();
        let unit_end = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
        let per = match &rest[..unit_end] {
            "m" | "min" | "mins" | "minute" | "minutes" => 1.0,
            "h" | "hr" | "hrs" | "hour" | "hours" => 60.0,
            "d" | "day" | "days" => 480.0,
            "w" | "wk" | "week" | "weeks" => 2400.0,
            _ => return None,
        };
        total += (n * per).round() as u32;
        any = true;
        rest = &rest[unit_end..];
    }
    any.then_some(total)
}

/// File lines of the step items (`- page:`, `- task:`, `- group:`), in order.
fn item_lines(page: &Page) -> Vec<(usize, usize)> {
    let Ok(fm) = crate::content::split(&page.text, &page.source.shown) else { return Vec::new() };
    let mut in_steps = false;
    let mut out = Vec::new();
    for (i, line) in fm.yaml.lines().enumerate() {
        if !line.starts_with([' ', '\t', '-']) {
            in_steps = line.starts_with("steps:");
            continue;
        }
        if !in_steps {
            continue;
        }
        let item = line.trim_start().trim_start_matches('-').trim_start();
        if ["page:", "task:", "group:"].iter().any(|k| item.starts_with(k)) {
            let value = item.split_once(':').map_or("", |(_, v)| v.trim_start());
            let col = line.len() - value.len() + 1;
            out.push((fm.yaml_line + i, if value.is_empty() { 1 } else { col }));
        }
    }
    out
}

struct Reader<'a> {
    site: &'a Site,
    page: &'a Page,
    diags: &'a mut Vec<Diagnostic>,
    items: Vec<(usize, usize)>,
    next_item: usize,
}

impl Reader<'_> {
    fn key_line(&self, key: &str) -> usize {
        let fm = crate::content::split(&self.page.text, &self.page.source.shown).ok();
        fm.and_then(|fm| {
            fm.yaml
                .lines()
                .position(|l| l.split(':').next().is_some_and(|k| k == key))
                .map(|i| i + fm.yaml_line)
        })
        .unwrap_or(1)
    }

    fn error(&mut self, (line, col): (usize, usize), message: String, hint: &str) {
        let p = self.page;
        self.diags.push(Diagnostic::error(message).at_text(&p.source.shown, &p.text, line, col).hint(hint));
    }

    fn next_place(&mut self) -> (usize, usize) {
        let place = self.items.get(self.next_item).copied().unwrap_or((self.key_line("steps"), 1));
        self.next_item += 1;
        place
    }

    fn read(&mut self, index: usize, steps: &Value) -> OnboardingPath {
        let fields = &self.page.meta.fields;
        let text = |k: &str| fields.get(k).and_then(Value::as_str).map(str::to_owned);
        let mut path = OnboardingPath {
            page: index,
            audience: text("audience"),
            outcome: text("outcome"),
            estimated_time: fields.get("estimated_time").map(show),
            ..OnboardingPath::default()
        };
        match steps {
            Value::Array(items) => {
                for item in items {
                    self.item(&mut path, item, None);
                }
            }
            Value::Null => {}
            _ => self.error(
                (self.key_line("steps"), 1),
                "`steps` must be a list".to_owned(),
                "write each step as `- page: path/to/page.md` or `- task: \"…\"`",
            ),
        }
        if path.steps.is_empty() {
            self.error(
                (self.key_line("steps"), 1),
                "onboarding path has no steps".to_owned(),
                "add steps (`- page: path/to/page.md` or `- task: \"…\"`), or remove `steps` to make it an ordinary page",
            );
        }
        path.prerequisites = self.prerequisites();
        path
    }

    fn item(&mut self, path: &mut OnboardingPath, item: &Value, group: Option<usize>) {
        let Value::Object(map) = item else {
            let place = self.next_place();
            self.error(
                place,
                "a step must be `page:`, `task:` or `group:`".to_owned(),
                "write e.g. `- page: runbooks/db.md`",
            );
            return;
        };
        if let Some(name) = map.get("group") {
            self.next_place();
            if group.is_some() {
                return;
            }
            path.groups.push(show(name));
            let g = path.groups.len() - 1;
            for step in map.get("steps").and_then(Value::as_array).into_iter().flatten() {
                self.item(path, step, Some(g));
            }
            return;
        }
        let place = self.next_place();
        let kind = if let Some(target) = map.get("page") {
            let target = show(target);
            match self.resolve(&target) {
                Some(page) => StepKind::Page(page),
                None => {
                    let message = if self.site.drafts.contains(&target) {
                        format!("step names `{target}`, which is a draft")
                    } else {
                        format!("step names `{target}`, which is not a page in this site")
                    };
                    self.error(
                        place,
                        message,
                        "give the page's path from the source folder, e.g. `runbooks/db-failover.md`",
                    );
                    return;
                }
            }
        } else if let Some(task) = map.get("task") {
            StepKind::Task { text: show(task), who: map.get("who").map(show) }
        } else {
            self.error(
                place,
                "a step must be `page:`, `task:` or `group:`".to_owned(),
                "write e.g. `- page: runbooks/db.md`",
            );
            return;
        };
        let estimated_time = map.get("estimated_time").map(show);
        path.steps.push(Step {
            kind,
            minutes: estimated_time.as_deref().and_then(minutes),
            estimated_time,
            optional: map.get("optional").and_then(Value::as_bool).unwrap_or(false),
            group,
        });
    }

    /// A page named from the source folder, or relative to the path's own folder.
    fn resolve(&self, target: &str) -> Option<usize> {
        let target = target.trim().trim_start_matches("./").trim_start_matches('/');
        let dir = self.page.source.rel.rsplit_once('/').map_or("", |(d, _)| d);
        let relative = if dir.is_empty() { target.to_owned() } else { format!("{dir}/{target}") };
        [target.to_owned(), relative, format!("{target}.md")]
            .iter()
            .find_map(|c| self.site.by_source.get(c.as_str()).copied())
    }

    fn prerequisites(&mut self) -> Vec<Prerequisite> {
        let Some(value) = self.page.meta.fields.get("prerequisites").cloned() else { return Vec::new() };
        let items: Vec<String> = match &value {
            Value::Array(items) => items.iter().map(show).collect(),
            Value::Null => Vec::new(),
            other => vec![show(other)],
        };
        let line = self.key_line("prerequisites");
        let mut out = Vec::new();
        for item in items {
            if !item.ends_with(".md") {
                out.push(Prerequisite::Text(item));
                continue;
            }
            match self.resolve(&item) {
                Some(p) => out.push(Prerequisite::Path(p)),
                None => self.error(
                    (line, 1),
                    format!("prerequisite `{item}` is not a page in this site"),
                    "name another path by its file, e.g. `onboarding/backend-engineer.md`",
                ),
            }
        }
        out
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Prerequisites that lead back to the path itself.
fn check_prerequisites(site: &Site, paths: &Paths, lines: &[usize], diags: &mut Vec<Diagnostic>) {
    let edges: BTreeMap<usize, Vec<usize>> = paths
        .paths
        .iter()
        .map(|p| {
            let to = p
                .prerequisites
                .iter()
                .filter_map(|q| match q {
                    Prerequisite::Path(page) => Some(*page),
                    Prerequisite::Text(_) => None,
                })
                .collect();
            (p.page, to)
        })
        .collect();
    let mut reported: Vec<Vec<usize>> = Vec::new();
    for (p, path) in paths.paths.iter().enumerate() {
        let mut chain = vec![path.page];
        if let Some(cycle) = find_cycle(&edges, path.page, &mut chain) {
            let mut key = cycle.clone();
            key.sort_unstable();
            if reported.contains(&key) {
                continue;
            }
            reported.push(key);
            let page = &site.pages[path.page];
            let names: Vec<&str> =
                cycle.iter().chain([&cycle[0]]).map(|i| site.pages[*i].source.rel.as_str()).collect();
            let (line, col) = (lines[p], 1);
            diags.push(
                Diagnostic::error(format!("prerequisites form a cycle: {}", names.join(" → ")))
                    .at_text(&page.source.shown, &page.text, line, col)
                    .hint("a path cannot require itself; remove one of the prerequisites"),
            );
        }
    }
}

fn find_cycle(
    edges: &BTreeMap<usize, Vec<usize>>,
    start: usize,
    chain: &mut Vec<usize>,
) -> Option<Vec<usize>> {
    let last = *chain.last()?;
    for &next in edges.get(&last).into_iter().flatten() {
        if next == start {
            return Some(chain.clone());
        }
        if !chain.contains(&next) && edges.contains_key(&next) {
            chain.push(next);
            if let Some(c) = find_cycle(edges, start, chain) {
                return Some(c);
            }
            chain.pop();
        }
    }
    None
}

/// "about 3 h", "45 min".
pub fn describe_minutes(total: u32) -> String {
    if total < 60 {
        format!("{total} min")
    } else {
        let hours = (f64::from(total) / 60.0 * 2.0).round() / 2.0;
        format!("{hours} h")
    }
}

#[cfg(test)]
mod tests {
    use super::minutes;

    #[test]
    fn parses_durations() {
        assert_eq!(minutes("2h"), Some(120));
        assert_eq!(minutes("30m"), Some(30));
        assert_eq!(minutes("1h30m"), Some(90));
        assert_eq!(minutes("2 weeks"), Some(4800));
        assert_eq!(minutes("3 days"), Some(1440));
        assert_eq!(minutes("soon"), None);
    }
}
