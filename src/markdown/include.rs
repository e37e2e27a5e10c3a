//! mdBook's `{{#include path}}` (and `{{#rustdoc_include}}`, `{{#playground}}`): the file's
//! lines, a line range (`:3`, `:3:10`, `::10`, `:3:`) or an anchored region (`:name`, between
//! `ANCHOR: name` and `ANCHOR_END: name`). Paths are relative to the including page.
//!
//! Expansion keeps a line map so every later diagnostic still points at the page's own line
//! (lines that came from an include point at the `{{#include}}` line).

use std::path::Path;

use crate::diag::Diagnostic;

/// Markdown after expansion, with the file line of every expanded line.
#[derive(Debug, Clone)]
pub struct Expanded {
    /// The expanded markdown.
    pub text: String,
    /// `lines[i]` is the 1-based file line of expanded line `i`.
    pub lines: Vec<usize>,
}

impl Expanded {
    /// The file (line, column) of a byte offset in the expanded text.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let (line, col) = crate::diag::line_col(&self.text, offset);
        (self.lines.get(line - 1).copied().unwrap_or(line), col)
    }
}

const MAX_DEPTH: usize = 10;

/// Expands includes in `body` (which starts at file line `first_line` of `page_path`).
pub fn expand(
    body: &str,
    first_line: usize,
    page_path: &Path,
    shown: &Path,
    file_text: &str,
) -> (Expanded, Vec<Diagnostic>) {
    let mut out = Expanded { text: String::with_capacity(body.len()), lines: Vec::new() };
    let mut diags = Vec::new();
    if !body.contains("{{#") {
        out.text.push_str(body);
        out.lines = (0..=body.matches('\n').count()).map(|i| first_line + i).collect();
        return (out, diags);
    }
    let dir = page_path.parent().unwrap_or(Path::new("."));
    for (i, line) in body.split_inclusive('\n').enumerate() {
        let file_line = first_line + i;
        let mut ctx = Ctx { shown, file_text, file_line, diags: &mut diags };
        let expanded = expand_line(line, dir, 0, &mut ctx);
        for _ in 0..expanded.matches('\n').count().max(1) {
            out.lines.push(file_line);
        }
        out.text.push_str(&expanded);
    }
    out.lines.push(first_line + body.matches('\n').count());
    (out, diags)
}

struct Ctx<'a> {
    shown: &'a Path,
    file_text: &'a str,
    file_line: usize,
    diags: &'a mut Vec<Diagnostic>,
}

fn expand_line(line: &str, dir: &Path, depth: usize, ctx: &mut Ctx<'_>) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find("{{#") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        let end = start + len + 2;
        if start > 0 && rest.as_bytes()[start - 1] == b'\\' {
            out.push_str(&rest[..start - 1]);
            out.push_str(&rest[start..end]);
            rest = &rest[end..];
            continue;
        }
        out.push_str(&rest[..start]);
        let directive = rest[start + 3..end - 2].trim();
        let col = line.len() - rest.len() + start + 1;
        out.push_str(&run(directive, dir, depth, col, ctx));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn run(directive: &str, dir: &Path, depth: usize, col: usize, ctx: &mut Ctx<'_>) -> String {
    let (name, arg) = directive.split_once(char::is_whitespace).unwrap_or((directive, ""));
    match name {
        // Without a path (`{{#include}}` in prose) it is not a directive, as in mdBook.
        "include" | "rustdoc_include" | "playground" if !arg.trim().is_empty() => {
            include(arg.trim(), dir, depth, col, ctx)
        }
        // `{{#title}}` sets the browser title in mdBook; lore takes titles from front matter.
        "title" => String::new(),
        _ => format!("{{{{#{directive}}}}}"),
    }
}

fn include(arg: &str, dir: &Path, depth: usize, col: usize, ctx: &mut Ctx<'_>) -> String {
    let arg = arg.split_whitespace().next().unwrap_or("");
    let (file, selector) = split_selector(arg);
    let path = dir.join(file);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            let reason = if e.kind() == std::io::ErrorKind::NotFound {
                "does not exist".to_owned()
            } else {
                e.to_string()
            };
            ctx.diags.push(
                Diagnostic::error(format!("cannot include `{file}`: it {reason}"))
                    .at_text(ctx.shown, ctx.file_text, ctx.file_line, col)
                    .hint("paths are relative to the page that includes them"),
            );
            return String::new();
        }
    };
    let selected = match select(&text, selector) {
        Ok(s) => s,
        Err(message) => {
            ctx.diags.push(Diagnostic::error(format!("cannot include `{arg}`: {message}")).at_text(
                ctx.shown,
                ctx.file_text,
                ctx.file_line,
                col,
            ));
            return String::new();
        }
    };
    if depth + 1 >= MAX_DEPTH || !selected.contains("{{#") {
        return selected;
    }
    let inner_dir = path.parent().unwrap_or(dir).to_path_buf();
    selected.split_inclusive('\n').map(|l| expand_line(l, &inner_dir, depth + 1, ctx)).collect()
}

/// `file.rs:3:10` → (`file.rs`, `3:10`). Windows drive letters are not a concern for URLs here.
fn split_selector(arg: &str) -> (&str, &str) {
    arg.split_once(':').unwrap_or((arg, ""))
}

/// Applies a line range or anchor to `text`; anchor marker lines are always dropped.
fn select(text: &str, selector: &str) -> Result<String, String> {
    let lines: Vec<&str> = text.lines().collect();
    let selected: Vec<&str> = if selector.is_empty() {
        lines
    } else if selector.chars().next().is_some_and(|c| c.is_ascii_digit() || c == ':') {
        let (from, to) = match selector.split_once(':') {
            Some((a, b)) => (parse_line(a)?, parse_line(b)?),
            None => {
                let n = parse_line(selector)?;
                (n, n)
            }
        };
        let from = from.unwrap_or(1).max(1) - 1;
        let to = to.unwrap_or(lines.len()).min(lines.len());
        lines.get(from..to).map(<[&str]>::to_vec).unwrap_or_default()
    } else {
        anchored(&lines, selector)?
    };
    // No trailing newline, as in mdBook: the directive's own line ending follows, and a second
    // one would add a blank line to every code block that includes a file.
    Ok(selected
        .into_iter()
        .filter(|l| !l.contains("ANCHOR:") && !l.contains("ANCHOR_END:"))
        .collect::<Vec<_>>()
        .join("\n"))
}

fn parse_line(s: &str) -> Result<Option<usize>, String> {
    if s.is_empty() {
        return Ok(None);
    }
    s.parse().map(Some).map_err(|_| format!("`{s}` is not a line number"))
}

fn anchored<'a>(lines: &[&'a str], name: &str) -> Result<Vec<&'a str>, String> {
    let start = lines
        .iter()
        .position(|l| l.split("ANCHOR:").nth(1).is_some_and(|n| n.trim() == name))
        .ok_or_else(|| format!("no `ANCHOR: {name}` in the file"))?;
    let end = lines[start..]
        .iter()
        .position(|l| l.split("ANCHOR_END:").nth(1).is_some_and(|n| n.trim() == name))
        .map_or(lines.len(), |i| start + i);
    Ok(lines[start + 1..end].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ranges() {
        let text = "a\nb\nc\nd\n";
        assert_eq!(select(text, "2").unwrap(), "b");
        assert_eq!(select(text, "2:3").unwrap(), "b\nc");
        assert_eq!(select(text, ":2").unwrap(), "a\nb");
        assert_eq!(select(text, "3:").unwrap(), "c\nd");
        assert_eq!(select(text, "").unwrap(), "a\nb\nc\nd");
    }

    #[test]
    fn anchors() {
        let text = "x\n// ANCHOR: here\nkeep\n// ANCHOR_END: here\ny\n";
        assert_eq!(select(text, "here").unwrap(), "keep");
        assert_eq!(select(text, "").unwrap(), "x\nkeep\ny");
        assert!(select(text, "missing").is_err());
    }

    #[test]
    fn expansion_keeps_file_lines() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("inc.txt"), "one\ntwo\n").unwrap();
        let page = dir.path().join("page.md");
        let body = "a\n{{#include inc.txt}}\nb [x](y.md)\n{{#include missing.txt}}\n";
        let (exp, diags) = expand(body, 5, &page, Path::new("page.md"), body);
        assert_eq!(exp.text, "a\none\ntwo\nb [x](y.md)\n\n");
        let b = exp.text.find("b [").unwrap();
        assert_eq!(exp.position(b), (7, 1));
        assert_eq!(diags.len(), 1);
        assert!(diags[0].message.starts_with("cannot include `missing.txt`: it does not exist"));
    }
}
