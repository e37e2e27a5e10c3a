//! The problems of the served site: content errors and warnings do not stop `lore serve`
//! (issue 15), so every page is served, and each page carries the list into its overlay — its
//! own problems first, then the errors of the rest of the site, capped.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::diag::Diagnostic;

/// Errors of other pages carried into each page's overlay; the terminal has them all.
pub const SHOWN_ELSEWHERE: usize = 100;

/// The problems of the last good build.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Problems {
    /// Errors in the whole site.
    pub errors: usize,
    /// Warnings in the whole site.
    pub warnings: usize,
    /// Each page's own problems (errors first), by site-relative URL (`runbooks/db/`, `` for
    /// the home page), as the terminal shows them.
    by_page: HashMap<String, Vec<String>>,
    /// The errors of the site, in order, each with the URL of its page when it has one.
    errors_shown: Vec<(Option<String>, String)>,
}

impl Problems {
    /// The problems in `diags`; `pages` maps a page's source path, as diagnostics show it, to
    /// its URL.
    pub fn new(diags: &[Diagnostic], pages: &HashMap<PathBuf, String>) -> Self {
        let (errors, warnings) = crate::diag::count(diags);
        let mut by_page: HashMap<String, Vec<String>> = HashMap::new();
        let mut errors_shown = Vec::new();
        // Errors first on each page: they are what `lore build` fails on.
        for diag in diags.iter().filter(|d| d.is_error()).chain(diags.iter().filter(|d| !d.is_error())) {
            let url = diag.span.as_ref().and_then(|s| pages.get(&s.path)).cloned();
            let text = diag.to_string();
            if diag.is_error() {
                errors_shown.push((url.clone(), text.clone()));
            }
            if let Some(url) = url {
                by_page.entry(url).or_default().push(text);
            }
        }
        Self { errors, warnings, by_page, errors_shown }
    }

    /// Whether there is nothing to show.
    pub fn is_empty(&self) -> bool {
        self.errors == 0 && self.by_page.is_empty()
    }

    /// What the overlay of the page at `url` (site-relative) shows, as JSON: the counts, the
    /// page's own problems, and at most [`SHOWN_ELSEWHERE`] errors of other pages; `None` when
    /// there is nothing to show.
    pub fn for_page(&self, url: &str) -> Option<String> {
        let here: &[String] = self.by_page.get(url).map_or(&[], Vec::as_slice);
        if self.errors == 0 && here.is_empty() {
            return None;
        }
        let elsewhere: Vec<&str> = (self.errors_shown.iter())
            .filter(|(page, _)| page.as_deref() != Some(url))
            .map(|(_, text)| text.as_str())
            .collect();
        let shown = elsewhere.len().min(SHOWN_ELSEWHERE);
        let json = serde_json::json!({
            "errors": self.errors,
            "warnings": self.warnings,
            "here": here,
            "elsewhere": &elsewhere[..shown],
            "more": elsewhere.len() - shown,
        });
        Some(json.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn diag(error: bool, path: &str, line: usize, message: &str) -> Diagnostic {
        let d = if error { Diagnostic::error(message) } else { Diagnostic::warning(message) };
        d.at(Path::new(path), line, 1)
    }

    #[test]
    fn issue_15_a_page_gets_its_own_problems_first_and_the_others_errors() {
        let pages: HashMap<PathBuf, String> = [
            (PathBuf::from("src/a.md"), "a/".to_owned()),
            (PathBuf::from("src/b.md"), "b/".to_owned()),
            (PathBuf::from("src/index.md"), String::new()),
        ]
        .into();
        let diags = vec![
            diag(false, "src/a.md", 1, "page is stale"),
            diag(true, "src/a.md", 3, "broken link: `x.md` does not exist"),
            diag(true, "src/b.md", 2, "broken link: `y.md` does not exist"),
            diag(false, "src/b.md", 1, "runbook has no owner"),
            diag(true, "book.toml", 1, "not a page"),
        ];
        let problems = Problems::new(&diags, &pages);
        assert_eq!((problems.errors, problems.warnings), (3, 2));
        let a: serde_json::Value = serde_json::from_str(&problems.for_page("a/").unwrap()).unwrap();
        assert_eq!(
            a,
            serde_json::json!({
                "errors": 3,
                "warnings": 2,
                "here": [
                    "src/a.md:3:1: error: broken link: `x.md` does not exist",
                    "src/a.md:1:1: warning: page is stale",
                ],
                "elsewhere": [
                    "src/b.md:2:1: error: broken link: `y.md` does not exist",
                    "book.toml:1:1: error: not a page",
                ],
                "more": 0,
            })
        );
        // A page without problems of its own still shows the site's errors.
        let home: serde_json::Value = serde_json::from_str(&problems.for_page("").unwrap()).unwrap();
        assert_eq!(home["here"], serde_json::json!([]));
        assert_eq!(home["elsewhere"].as_array().unwrap().len(), 3);
        // Warnings alone show only on their own page.
        let calm = Problems::new(&[diag(false, "src/a.md", 1, "page is stale")], &pages);
        assert!(calm.for_page("b/").is_none());
        assert!(calm.for_page("a/").unwrap().contains("page is stale"));
    }

    #[test]
    fn issue_15_other_pages_errors_are_capped() {
        let pages = HashMap::new();
        let diags: Vec<Diagnostic> =
            (1..=250).map(|i| diag(true, "src/many.md", i, "broken link: `x.md` does not exist")).collect();
        let json: serde_json::Value =
            serde_json::from_str(&Problems::new(&diags, &pages).for_page("").unwrap()).unwrap();
        assert_eq!(json["elsewhere"].as_array().unwrap().len(), SHOWN_ELSEWHERE);
        assert_eq!(json["more"], 150);
        assert_eq!(json["errors"], 250);
    }
}
