//! `nav` of `mkdocs.yml`: nested lists of bare paths (`- index.md`), titled entries
//! (`- Title: path.md`), external links (`- Title: https://…`) and sections
//! (`- Title: [ … ]`). Each entry's place in the file is found by reading the lines after
//! `nav:` in order, so a missing page is reported at its own line and column.

use serde_json::Value;

use super::{MkNav, Reader};
use crate::diag::Diagnostic;

/// How deep sections may nest: deeper is a mistake, and the sidebar could not show it.
const MAX_DEPTH: usize = 16;

/// Where the next entry is searched from: a line (0-based) of the text.
struct Cursor {
    line: usize,
}

impl Reader<'_> {
    /// `nav`, or `None` (after an error) when it is not a list.
    pub(super) fn nav(&mut self, value: &Value) -> Option<Vec<MkNav>> {
        let line = self.key_line("nav");
        let Value::Array(items) = value else {
            if !value.is_null() {
                self.at(
                    Diagnostic::error("`nav` must be a list")
                        .hint("write one `- Title: page.md` line per entry"),
                    line,
                    1,
                );
            }
            return None;
        };
        let mut cursor = Cursor { line: line.saturating_sub(1) };
        Some(self.entries(items, &mut cursor, 0))
    }

    fn entries(&mut self, items: &[Value], cursor: &mut Cursor, depth: usize) -> Vec<MkNav> {
        items.iter().filter_map(|item| self.entry(item, cursor, depth)).collect()
    }

    fn entry(&mut self, item: &Value, cursor: &mut Cursor, depth: usize) -> Option<MkNav> {
        match item {
            Value::String(path) => {
                let (line, col) = self.find(path, cursor);
                Some(page_or_link(None, path, line, col))
            }
            Value::Object(map) if map.len() == 1 => {
                let (title, value) = map.iter().next()?;
                let (line, col) = self.find(title, cursor);
                match value {
                    Value::String(path) => {
                        let (line, col) = self.find_on(path, line, col, cursor);
                        Some(page_or_link(Some(title.clone()), path, line, col))
                    }
                    Value::Array(children) if depth < MAX_DEPTH => {
                        let children = self.entries(children, cursor, depth + 1);
                        Some(MkNav::Section { title: title.clone(), children })
                    }
                    Value::Array(_) => {
                        self.at(
                            Diagnostic::error(format!("`nav` nests deeper than {MAX_DEPTH} sections")),
                            line,
                            col,
                        );
                        None
                    }
                    _ => {
                        let diag = Diagnostic::error(format!(
                            "`nav` entry `{title}` must name a page, a URL or a list"
                        ))
                        .hint("write `- Title: page.md` or `- Section:` followed by its entries");
                        self.at(diag, line, col);
                        None
                    }
                }
            }
            other => {
                let (line, col) = match other {
                    Value::Number(_) | Value::Bool(_) => self.find(&other.to_string(), cursor),
                    _ => ((cursor.line + 1).min(self.text.lines().count().max(1)), 1),
                };
                let diag = Diagnostic::error(
                    "`nav` entries must be `- page.md`, `- Title: page.md` or `- Section: [...]`",
                );
                self.at(diag, line, col);
                None
            }
        }
    }

    /// The line and column of `needle`, searched from the cursor on; the cursor moves there.
    fn find(&self, needle: &str, cursor: &mut Cursor) -> (usize, usize) {
        for (i, l) in self.text.lines().enumerate().skip(cursor.line) {
            if let Some(at) = l.find(needle).filter(|_| !needle.is_empty()) {
                cursor.line = i;
                return (i + 1, l[..at].chars().count() + 1);
            }
        }
        (cursor.line + 1, 1)
    }

    /// `path` after the title on line `line` (a titled entry), else on the lines that follow.
    fn find_on(&self, path: &str, line: usize, col: usize, cursor: &mut Cursor) -> (usize, usize) {
        let text = self.text.lines().nth(line - 1).unwrap_or("");
        let skip: usize = text.chars().take(col).map(char::len_utf8).sum();
        match text.get(skip..).and_then(|rest| rest.find(path).map(|at| skip + at)) {
            Some(at) if !path.is_empty() => (line, text[..at].chars().count() + 1),
            _ => self.find(path, cursor),
        }
    }
}

/// A URL (with a scheme, or root-absolute) is a link; anything else a page under `docs_dir`.
fn page_or_link(title: Option<String>, path: &str, line: usize, col: usize) -> MkNav {
    let is_url = path.starts_with('/') || crate::config::data_url::scheme(path).is_some();
    match title {
        Some(title) if is_url => MkNav::Link { title, url: path.to_owned() },
        None if is_url => MkNav::Link { title: path.to_owned(), url: path.to_owned() },
        title => MkNav::Page { title, path: path.to_owned(), line, col },
    }
}
