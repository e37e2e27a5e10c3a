//! The markdown MkDocs projects use, for sites read from `mkdocs.yml` only (a `book.toml`
//! site renders exactly as before): Python-Markdown admonitions (`!!! note "Title"`), collapsible
//! ones from `pymdownx.details` (`??? warning`, `???+ tip`), `pymdownx.tabbed` tabs
//! (`=== "Tab"`), `[TOC]`, and `pymdownx.snippets` (`--8<-- "file.md"`).
//!
//! Two passes around include expansion, both line-based, before pulldown-cmark sees the text:
//! - [`rewrite_snippets`] turns each snippet line into a `{{#snippet …}}` directive at the same
//!   column, so snippets are read by [`super::include`] under the same containment rules,
//!   cycle check and size budget as `{{#include}}` (only the folder a path is relative to
//!   differs: the `base_path` of `pymdownx.snippets`, default the folder of `mkdocs.yml`);
//! - [`blocks`] turns admonitions, tabs and `[TOC]` into HTML blocks around their markdown
//!   content (dedented), returning for every output line the input line it came from, so
//!   diagnostics keep pointing at the page's own lines.
//!
//! Admonitions become lore's callouts (`<div class="callout callout-note">`), collapsible ones
//! `<details class="callout …">`. Tabs work without JavaScript: one radio input per tab and CSS
//! (`.tabbed-set` in the theme) show the checked tab's panel. `[TOC]` is filled with the page's
//! table of contents once the page is rendered ([`fill_toc`]).

use std::fmt::Write as _;

use super::highlight::escape;
use super::render::TocEntry;

/// Nesting deeper than this is left as written: each level re-reads its body, so the depth
/// bounds the work per line.
const MAX_NESTING: usize = 8;

/// Where [`fill_toc`] puts the table of contents.
const TOC_MARK: &str = "<!--lore:toc-->";

/// `--8<-- "file.md"` (and the block form, a file per line between two `--8<--` lines) →
/// `{{#snippet file.md}}` at the column of `--8<--`. `;--8<--` is the escaped form: it stays
/// as text, without the `;`. Line count is kept.
pub(super) fn rewrite_snippets(body: &str) -> Option<String> {
    if !body.contains("--8<--") {
        return None;
    }
    let mut out = String::with_capacity(body.len() + 16);
    let mut in_block = false;
    for line in body.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let ending = &line[content.len()..];
        let trimmed = content.trim_start();
        let indent = &content[..content.len() - trimmed.len()];
        if trimmed == "--8<--" {
            in_block = !in_block;
            out.push_str(indent);
        } else if in_block && !trimmed.is_empty() && !trimmed.starts_with(';') {
            let _ = write!(out, "{indent}{{{{#snippet {}}}}}", directive_path(trimmed));
        } else if let Some(rest) = trimmed.strip_prefix("--8<--").filter(|r| r.starts_with([' ', '\t'])) {
            match quoted(rest.trim()) {
                Some(path) if !path.is_empty() => {
                    let _ = write!(out, "{indent}{{{{#snippet {}}}}}", directive_path(path));
                }
                _ => out.push_str(content),
            }
        } else if let Some(rest) = trimmed.strip_prefix(";--8<--") {
            let _ = write!(out, "{indent}--8<--{rest}");
        } else {
            out.push_str(content);
        }
        out.push_str(ending);
    }
    Some(out)
}

/// A path as a directive argument: whitespace and `}}` would end it early, so a path holding
/// them is cut there (and then reported as missing).
fn directive_path(path: &str) -> &str {
    let end = path.find(|c: char| c.is_whitespace()).unwrap_or(path.len());
    let path = &path[..end];
    path.split("}}").next().unwrap_or(path)
}

/// `"x"` or `'x'` → `x`.
fn quoted(s: &str) -> Option<&str> {
    let q = s.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    s[1..].strip_suffix(q)
}

/// The text with admonitions, tabs and `[TOC]` turned into HTML blocks, and for each output
/// line the 0-based input line it came from. `None` when the text has none of them.
pub(super) fn blocks(text: &str) -> Option<(String, Vec<usize>)> {
    let has_any =
        text.contains("!!!") || text.contains("???") || text.contains("===") || text.contains("[TOC]");
    if !has_any {
        return None;
    }
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = Out { text: String::with_capacity(text.len() * 5 / 4), origin: Vec::new(), tab_sets: 0 };
    let indexed: Vec<(usize, &str)> = lines.iter().copied().enumerate().collect();
    out.lines(&indexed, 0);
    // `split('\n')` gives one more piece than there are newlines: drop the last newline added.
    if out.text.ends_with('\n') {
        out.text.pop();
    }
    Some((out.text, out.origin))
}

struct Out {
    text: String,
    origin: Vec<usize>,
    /// Tab sets so far on the page: their radio groups need names unique on the page.
    tab_sets: usize,
}

/// An admonition or tab marker line, read.
enum Marker<'a> {
    /// `!!! type "Title"`, `??? type`, `???+ type`.
    Admonition { kind: &'a str, title: Option<&'a str>, collapsible: bool, open: bool },
    /// `=== "Title"` (`===!` starts a new set, `===+` selects the tab).
    Tab { title: &'a str, new_set: bool, selected: bool },
}

impl Out {
    fn push(&mut self, origin: usize, line: &str) {
        self.text.push_str(line);
        self.text.push('\n');
        self.origin.push(origin);
    }

    /// Copies `lines` (each with its input line number), turning markers into HTML.
    fn lines(&mut self, lines: &[(usize, &str)], depth: usize) {
        let mut i = 0;
        let mut fence: Option<String> = None;
        while i < lines.len() {
            let (n, line) = lines[i];
            let trimmed = line.trim_start();
            if let Some(f) = &fence {
                if trimmed.starts_with(f.as_str()) {
                    fence = None;
                }
                self.push(n, line);
                i += 1;
                continue;
            }
            if let Some(f) = fence_of(trimmed) {
                fence = Some(f);
                self.push(n, line);
                i += 1;
                continue;
            }
            let indent = &line[..line.len() - trimmed.len()];
            match marker(trimmed).filter(|_| depth < MAX_NESTING) {
                Some(Marker::Admonition { kind, title, collapsible, open }) => {
                    let end = body_end(lines, i + 1, indent.len());
                    self.admonition(lines, (i, end), indent, (kind, title, collapsible, open), depth);
                    i = end;
                }
                Some(Marker::Tab { .. }) => i = self.tab_set(lines, i, indent, depth),
                None if trimmed.trim_end() == "[TOC]" => {
                    self.push(
                        n,
                        &format!(
                            "{indent}<nav class=\"toc-inline\" aria-label=\"Contents\">{TOC_MARK}</nav>"
                        ),
                    );
                    self.push(n, "");
                    i += 1;
                }
                None => {
                    self.push(n, line);
                    i += 1;
                }
            }
        }
    }

    /// One admonition: the marker at `range.0`, its body up to `range.1`.
    fn admonition(
        &mut self,
        lines: &[(usize, &str)],
        range: (usize, usize),
        indent: &str,
        (kind, title, collapsible, open): (&str, Option<&str>, bool, bool),
        depth: usize,
    ) {
        let n = lines[range.0].0;
        let class = callout_class(kind);
        let kind_class = escape(&kind.to_ascii_lowercase());
        let default_title = capitalized(kind);
        let title = escape(title.unwrap_or(&default_title));
        let (tag, title_html) = if collapsible {
            let open = if open { " open" } else { "" };
            (
                "details",
                format!(
                    "<details class=\"callout callout-{class} admonition-{kind_class}\"{open}><summary class=\"callout-title\">{title}</summary>"
                ),
            )
        } else {
            let title = if title.is_empty() {
                String::new()
            } else {
                format!("<p class=\"callout-title\">{title}</p>")
            };
            (
                "div",
                format!(
                    "<div class=\"callout callout-{class} admonition-{kind_class}\" role=\"note\">{title}"
                ),
            )
        };
        self.push(n, &format!("{indent}{title_html}"));
        self.push(n, "");
        let body = dedent(&lines[range.0 + 1..range.1], indent.len() + 4);
        self.lines(&body, depth + 1);
        let last = lines[range.1 - 1].0;
        self.push(last, "");
        self.push(last, &format!("{indent}</{tag}>"));
        self.push(last, "");
    }

    /// A set of consecutive tabs starting at `start`; returns the line after it.
    fn tab_set(&mut self, lines: &[(usize, &str)], start: usize, indent: &str, depth: usize) -> usize {
        self.tab_sets += 1;
        let set = self.tab_sets;
        let mut tabs: Vec<(usize, usize, &str, bool)> = Vec::new();
        let mut i = start;
        while let Some(Marker::Tab { title, new_set, selected }) =
            lines.get(i).and_then(|(_, l)| tab_at(l, indent))
        {
            if new_set && !tabs.is_empty() {
                break;
            }
            let end = body_end(lines, i + 1, indent.len());
            tabs.push((i, end, title, selected));
            i = end;
            // Blank lines between two tabs of one set.
            let next = (i..lines.len()).find(|&j| !lines[j].1.trim().is_empty()).unwrap_or(lines.len());
            if next < lines.len() && tab_at(lines[next].1, indent).is_some() {
                i = next;
            }
        }
        let checked = tabs.iter().rposition(|t| t.3).unwrap_or(0);
        let n = lines[start].0;
        self.push(n, &format!("{indent}<div class=\"tabbed-set\" data-tabs=\"{set}:{}\">", tabs.len()));
        for (k, (at, end, title, _)) in tabs.iter().enumerate() {
            let n = lines[*at].0;
            let id = format!("__tabbed_{set}_{}", k + 1);
            let check = if k == checked { " checked" } else { "" };
            self.push(
                n,
                &format!(
                    "{indent}<input type=\"radio\" name=\"__tabbed_{set}\" id=\"{id}\"{check}><label for=\"{id}\">{}</label><div class=\"tabbed-content\">",
                    escape(title)
                ),
            );
            self.push(n, "");
            let body = dedent(&lines[at + 1..*end], indent.len() + 4);
            self.lines(&body, depth + 1);
            let last = lines[end - 1].0;
            self.push(last, "");
            self.push(last, &format!("{indent}</div>"));
        }
        let last = lines[i.max(start + 1) - 1].0;
        self.push(last, &format!("{indent}</div>"));
        self.push(last, "");
        i
    }
}

/// The end (exclusive) of the body that starts at `from`: lines indented by more than
/// `indent` (4 more, as Python-Markdown reads them) or blank; trailing blank lines are left out.
fn body_end(lines: &[(usize, &str)], from: usize, indent: usize) -> usize {
    let mut end = from;
    let mut last_content = from;
    while end < lines.len() {
        let line = lines[end].1;
        if line.trim().is_empty() {
            end += 1;
            continue;
        }
        if leading_width(line) < indent + 4 {
            break;
        }
        end += 1;
        last_content = end;
    }
    last_content
}

/// The lines with `width` columns of indentation taken off (blank lines become empty).
fn dedent<'a>(lines: &[(usize, &'a str)], width: usize) -> Vec<(usize, &'a str)> {
    lines
        .iter()
        .map(|&(n, l)| {
            let mut cut = 0;
            let mut cols = 0;
            for (i, c) in l.char_indices() {
                if cols >= width || !(c == ' ' || c == '\t') {
                    cut = i;
                    break;
                }
                cols += if c == '\t' { 4 } else { 1 };
                cut = i + 1;
            }
            (n, &l[cut.min(l.len())..])
        })
        .collect()
}

fn leading_width(line: &str) -> usize {
    line.chars().take_while(|c| *c == ' ' || *c == '\t').map(|c| if c == '\t' { 4 } else { 1 }).sum()
}

/// The closing fence a fence-opening line needs.
fn fence_of(trimmed: &str) -> Option<String> {
    let c = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let run = trimmed.chars().take_while(|x| *x == c).count();
    (run >= 3).then(|| c.to_string().repeat(run))
}

/// A tab marker at exactly `indent`.
fn tab_at<'a>(line: &'a str, indent: &str) -> Option<Marker<'a>> {
    let rest = line.strip_prefix(indent)?;
    if rest.starts_with([' ', '\t']) {
        return None;
    }
    marker(rest).filter(|m| matches!(m, Marker::Tab { .. }))
}

/// Reads an admonition or tab marker (the line without its indentation).
fn marker(trimmed: &str) -> Option<Marker<'_>> {
    let line = trimmed.trim_end();
    if let Some(rest) = line.strip_prefix("===") {
        let flags: String = rest.chars().take_while(|c| *c == '!' || *c == '+').collect();
        let title = quoted(rest[flags.len()..].strip_prefix(' ')?.trim())?;
        return Some(Marker::Tab { title, new_set: flags.contains('!'), selected: flags.contains('+') });
    }
    let (collapsible, open, rest) = if let Some(r) = line.strip_prefix("!!!") {
        (false, false, r)
    } else if let Some(r) = line.strip_prefix("???+") {
        (true, true, r)
    } else {
        (true, false, line.strip_prefix("???")?)
    };
    let rest = rest.strip_prefix([' ', '\t'])?.trim_start();
    let (words, title) = match rest.find('"') {
        Some(q) => (&rest[..q], Some(quoted(rest[q..].trim_end())?)),
        None => (rest, None),
    };
    let kind = words.split_whitespace().next()?;
    kind.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_').then_some(())?;
    Some(Marker::Admonition { kind, title, collapsible, open })
}

/// lore's callout colour for a Python-Markdown / Material admonition type.
fn callout_class(kind: &str) -> &'static str {
    match kind.to_ascii_lowercase().as_str() {
        "tip" | "hint" | "success" | "check" | "done" => "tip",
        "important" | "abstract" | "summary" | "tldr" | "example" => "important",
        "warning" | "caution" | "attention" | "question" | "help" | "faq" => "warning",
        "danger" | "error" | "failure" | "fail" | "missing" | "bug" => "caution",
        _ => "note",
    }
}

/// `note` → `Note`.
fn capitalized(kind: &str) -> String {
    let mut chars = kind.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars.flat_map(char::to_lowercase)).collect())
        .unwrap_or_default()
}

/// Puts the page's table of contents where `[TOC]` was.
pub(super) fn fill_toc(html: &mut String, toc: &[TocEntry]) {
    if !html.contains(TOC_MARK) {
        return;
    }
    let mut list = String::from("<ul>");
    for entry in toc {
        let _ = write!(
            list,
            "<li class=\"toc-h{}\"><a href=\"#{}\">{}</a></li>",
            entry.level,
            escape(&entry.id),
            escape(&entry.title)
        );
    }
    list.push_str("</ul>");
    *html = html.replace(TOC_MARK, &list);
}

#[cfg(test)]
mod tests;
