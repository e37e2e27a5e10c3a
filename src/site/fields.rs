//! Reading the fields of a page's front matter that a page kind adds (a runbook's `alerts`, a
//! service's `tier`): each problem is an error at the line of its key. [`Fields`] holds what
//! every kind's reader needs; the readers of [`super::alerts`] and [`super::service_pages`]
//! add their own fields to it.

use serde_json::Value;

use crate::content::Page;
use crate::diag::Diagnostic;

/// One page's fields being read, and the problems found so far.
pub(super) struct Fields<'a> {
    /// The page.
    pub(super) page: &'a Page,
    /// Problems, in the order found.
    pub(super) diags: &'a mut Vec<Diagnostic>,
}

impl Fields<'_> {
    /// The file line of top-level `key` (1 when not written).
    pub(super) fn line_of(&self, key: &str) -> usize {
        key_line(self.page, key)
    }

    /// An error at the line of `key`.
    pub(super) fn error(&mut self, key: &str, message: String, hint: &str) {
        let line = self.line_of(key);
        let p = self.page;
        self.diags.push(Diagnostic::error(message).at_text(&p.source.shown, &p.text, line, 1).hint(hint));
    }

    /// A one-line value, trimmed (a number as written); `None` when empty or null. Anything
    /// else is an error whose hint shows `key: example`.
    pub(super) fn text(&mut self, key: &str, value: &Value, example: &str) -> Option<String> {
        match value {
            Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
            Value::Number(n) => Some(n.to_string()),
            Value::Null => None,
            _ => {
                self.error(
                    key,
                    format!("`{key}` must be text"),
                    &format!("write it on one line, e.g. `{key}: {example}`"),
                );
                None
            }
        }
    }

    /// Names: a list of them, or one line separated by commas. Anything else is an error:
    /// "`key` must be a list of `what`", with `hint`.
    pub(super) fn names(&mut self, key: &str, value: &Value, what: &str, hint: &str) -> Vec<String> {
        match value {
            Value::Array(items) => items.iter().filter_map(|v| self.text(key, v, "…")).collect(),
            Value::String(s) => s.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect(),
            Value::Null => Vec::new(),
            _ => {
                self.error(key, format!("`{key}` must be a list of {what}"), hint);
                Vec::new()
            }
        }
    }
}

/// The file line of top-level `key` in a page's front matter (1 when not written).
pub(super) fn key_line(page: &Page, key: &str) -> usize {
    let fm = crate::content::split(&page.text, &page.source.shown).ok();
    fm.and_then(|fm| {
        fm.yaml
            .lines()
            .position(|l| {
                !l.starts_with([' ', '\t', '-']) && l.split(':').next().is_some_and(|k| k.trim() == key)
            })
            .map(|i| i + fm.yaml_line)
    })
    .unwrap_or(1)
}
