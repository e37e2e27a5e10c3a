//! Navigation from `SUMMARY.md`, in mdBook's format: a title, prefix chapters, part titles,
//! nested numbered chapters (`- [Title](path.md)`), draft chapters (`- [Title]()`),
//! separators (`---`) and suffix chapters.

use std::path::Path;

use super::nav::{NavItem, NavKind};
use super::{Site, Target};
use crate::content::SourceFile;
use crate::diag::Diagnostic;
use crate::site::decode_path as decode;

/// Reads `SUMMARY.md` and sets [`Site::nav`]; problems (missing files, bad lines) are diagnostics.
pub(super) fn apply(site: &mut Site, file: &SourceFile, diags: &mut Vec<Diagnostic>) {
    let text = match crate::fs::read_to_string(&file.path) {
        Ok(text) => text,
        Err(e) => {
            diags.push(Diagnostic::error(e.to_string()));
            return;
        }
    };
    let mut parser =
        Parser { site, file, text: &text, diags, stack: Vec::new(), items: Vec::new(), seen_title: false };
    for (i, line) in text.lines().enumerate() {
        parser.line(i + 1, line);
    }
    let items = parser.finish();
    site.nav = items;
}

struct Parser<'a> {
    site: &'a Site,
    file: &'a SourceFile,
    text: &'a str,
    diags: &'a mut Vec<Diagnostic>,
    /// Open numbered chapters: (indent, item).
    stack: Vec<(usize, NavItem)>,
    items: Vec<NavItem>,
    seen_title: bool,
}

impl Parser<'_> {
    fn line(&mut self, number: usize, line: &str) {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with("<!--") {
            return;
        }
        if let Some(heading) = trimmed.strip_prefix('#') {
            let title = heading.trim_start_matches('#').trim().to_owned();
            self.close_all();
            if self.seen_title || !self.items.is_empty() {
                self.items.push(NavItem { kind: NavKind::Part, title, target: None, children: vec![] });
            }
            self.seen_title = true;
            return;
        }
        if trimmed.len() >= 3
            && (trimmed.chars().all(|c| c == '-')
                || trimmed.chars().all(|c| c == '*')
                || trimmed.chars().all(|c| c == '_'))
        {
            self.close_all();
            self.items.push(NavItem {
                kind: NavKind::Separator,
                title: String::new(),
                target: None,
                children: vec![],
            });
            return;
        }
        let indent = line.len() - line.trim_start().len();
        let (numbered, rest) = match strip_bullet(trimmed) {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let Some((title, dest, col)) = parse_link(rest) else {
            let col = indent + 1;
            self.diags.push(
                Diagnostic::error("expected a link like `- [Title](path.md)` in `SUMMARY.md`").at_text(
                    &self.file.shown,
                    self.text,
                    number,
                    col,
                ),
            );
            return;
        };
        let col = col + (line.len() - rest.len()) + 1;
        let item = self.item(title, dest, number, col);
        if numbered {
            self.push_nested(indent, item);
        } else {
            self.close_all();
            self.items.push(item);
        }
    }

    fn item(&mut self, title: String, dest: &str, number: usize, col: usize) -> NavItem {
        let dest = dest.trim().trim_start_matches('<').trim_end_matches('>');
        let whole = decode(dest);
        let dest = decode(dest.split('#').next().unwrap_or(""));
        if dest.is_empty() {
            return NavItem { kind: NavKind::Draft, title, target: None, children: vec![] };
        }
        let mut rel = normalize(&dest);
        if !self.site.by_source.contains_key(&rel) && self.site.by_source.contains_key(&normalize(&whole)) {
            // `<c# notes.md>`: the `#` is part of the file's name.
            rel = normalize(&whole);
        }
        let target = self.site.by_source.get(&rel).map(|&i| Target::Page(i));
        if target.is_none() && !self.site.failed.contains(&rel) {
            let message = if self.site.drafts.contains(&rel) {
                format!("`SUMMARY.md` links to `{dest}`, which is a draft")
            } else {
                format!("`SUMMARY.md` links to `{dest}`, which does not exist")
            };
            let exists = self.file.path.parent().is_some_and(|d| d.join(Path::new(&rel)).is_file());
            let hint = if exists {
                "lore only publishes `.md` files"
            } else {
                "create the file, or make the entry a draft: `- [Title]()`"
            };
            self.diags.push(
                Diagnostic::error(message).at_text(&self.file.shown, self.text, number, col).hint(hint),
            );
        }
        NavItem { kind: NavKind::Link, title, target, children: vec![] }
    }

    fn push_nested(&mut self, indent: usize, item: NavItem) {
        while self.stack.last().is_some_and(|(i, _)| *i >= indent) {
            self.pop();
        }
        self.stack.push((indent, item));
    }

    fn pop(&mut self) {
        if let Some((_, item)) = self.stack.pop() {
            match self.stack.last_mut() {
                Some((_, parent)) => parent.children.push(item),
                None => self.items.push(item),
            }
        }
    }

    fn close_all(&mut self) {
        while !self.stack.is_empty() {
            self.pop();
        }
    }

    fn finish(mut self) -> Vec<NavItem> {
        self.close_all();
        self.items
    }
}

fn strip_bullet(s: &str) -> Option<&str> {
    if let Some(rest) = s.strip_prefix("- ").or_else(|| s.strip_prefix("* ")).or_else(|| s.strip_prefix("+ "))
    {
        return Some(rest.trim_start());
    }
    let digits = s.find(|c: char| !c.is_ascii_digit())?;
    (digits > 0).then(|| s[digits..].strip_prefix(". ").map(str::trim_start)).flatten()
}

/// `[Title](dest)` → (title, dest, byte column of `[`). Titles may contain brackets.
fn parse_link(s: &str) -> Option<(String, &str, usize)> {
    let start = s.find('[')?;
    let close = s.rfind("](")?;
    let end = s.rfind(')')?;
    // The `](` must follow the `[`, and the `)` follow the `](` (`[a]()` has an empty one).
    (close > start && end >= close + 2).then_some(())?;
    let title = s[start + 1..close].replace("\\[", "[").replace("\\]", "]");
    Some((title, &s[close + 2..end], start))
}

/// `./a/../b.md` → `b.md` (also for `mkdocs.yml`'s `nav`).
pub(super) fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_10_a_link_marker_before_the_bracket_is_no_link() {
        // Found by fuzzing: a `](` before the `[` sliced the title backwards and panicked.
        assert_eq!(parse_link("x.s]()runbooks/- [Data"), None);
        assert_eq!(parse_link("[a](b"), None);
        assert_eq!(parse_link("[a](b.md)"), Some(("a".to_owned(), "b.md", 0)));
    }

    #[test]
    fn bullets() {
        assert_eq!(strip_bullet("- [a](b.md)"), Some("[a](b.md)"));
        assert_eq!(strip_bullet("12. [a](b.md)"), Some("[a](b.md)"));
        assert_eq!(strip_bullet("[a](b.md)"), None);
    }

    #[test]
    fn links() {
        assert_eq!(parse_link("[A [b]](x.md)"), Some(("A [b]".to_owned(), "x.md", 0)));
        assert_eq!(parse_link("[Draft]()"), Some(("Draft".to_owned(), "", 0)));
        assert_eq!(parse_link("plain text"), None);
    }
}
