//! mdBook's `{{#include path}}` (and `{{#rustdoc_include}}`, `{{#playground}}`): the file's
//! lines, a line range (`:3`, `:3:10`, `::10`, `:3:`) or an anchored region (`:name`, between
//! `ANCHOR: name` and `ANCHOR_END: name`). Paths are relative to the including page.
//!
//! Expansion keeps a line map so every later diagnostic still points at the page's own line
//! (lines that came from an include point at the `{{#include}}` line).
//!
//! Page content is untrusted (DESIGN.md, Trust model): an included path must resolve, symlinks
//! followed, inside the content root ([`ContentRoot`]) and never into `.git`; a file already
//! being included is a cycle; and includes add at most [`MAX_EXPANDED`] bytes to a page. Each of
//! these is an error at the page's `{{#include}}`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::config::{ContentRoot, Refusal, Trust, display_path};
use crate::diag::Diagnostic;

/// Markdown after expansion, with the file line of every expanded line.
#[derive(Debug, Clone)]
pub struct Expanded {
    /// The expanded markdown.
    pub text: String,
    /// `lines[i]` is the 1-based file line of expanded line `i`.
    pub lines: Vec<usize>,
    /// For expanded lines that hold included text, the column (in characters) of the first
    /// `{{#` directive on their file line: a column inside included text means nothing on the
    /// page's own line, so diagnostics point at the directive.
    directive_cols: HashMap<usize, usize>,
    /// Line starts of `text`, built once: a page with thousands of diagnostics must not scan
    /// its text once per diagnostic.
    index: crate::diag::LineIndex,
}

impl Expanded {
    /// The file (line, column) of a byte offset in the expanded text.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let (line, col) = self.index.line_col(&self.text, offset);
        let col = self.directive_cols.get(&(line - 1)).copied().unwrap_or(col);
        (self.lines.get(line - 1).copied().unwrap_or(line), col)
    }
}

const MAX_DEPTH: usize = 10;

/// The most text includes may add to one page. A page that needs more is almost certainly an
/// include bomb (five self-includes nested ten deep wrote 205 MB before this limit).
const MAX_EXPANDED: usize = 4 << 20;

/// Whether a page's text may include other files (`{{#include}}` and the like, or an MkDocs
/// `--8<--` snippet): its rendering then depends on more than its own text.
pub fn may_include(text: &str) -> bool {
    text.contains("{{#") || text.contains("--8<--")
}

/// The largest file an include reads.
const MAX_FILE: u64 = 64 << 20;

/// Expands includes in `body` (which starts at file line `first_line` of `page_path`). Included
/// files must resolve inside the content root of `trust`. For a site read from `mkdocs.yml`,
/// `--8<--` snippets are included too, and MkDocs blocks (admonitions, tabs, `[TOC]`) become
/// HTML around their markdown (see [`super::mkdocs`]).
pub fn expand(
    body: &str,
    first_line: usize,
    page_path: &Path,
    shown: &Path,
    file_text: &crate::diag::Source,
    trust: &Trust,
) -> (Expanded, Vec<Diagnostic>) {
    let Some(bases) = &trust.mkdocs else {
        return expand_includes(body, first_line, (page_path, shown), file_text, &trust.content_root, &[]);
    };
    let rewritten = super::mkdocs::rewrite_snippets(body);
    let body = rewritten.as_deref().unwrap_or(body);
    let (expanded, diags) =
        expand_includes(body, first_line, (page_path, shown), file_text, &trust.content_root, bases);
    let expanded = match super::mkdocs::blocks(&expanded.text) {
        Some((text, origin)) => expanded.remap(text, &origin),
        None => expanded,
    };
    (expanded, diags)
}

impl Expanded {
    /// The expansion of `text`, whose line `j` came from line `origin[j]` of `self.text`.
    fn remap(self, text: String, origin: &[usize]) -> Self {
        let lines = origin.iter().map(|&o| self.lines.get(o).copied().unwrap_or(1)).collect();
        let directive_cols = origin
            .iter()
            .enumerate()
            .filter_map(|(j, o)| self.directive_cols.get(o).map(|c| (j, *c)))
            .collect();
        let index = crate::diag::LineIndex::new(&text);
        Self { text, lines, directive_cols, index }
    }
}

fn expand_includes(
    body: &str,
    first_line: usize,
    (page_path, shown): (&Path, &Path),
    file_text: &crate::diag::Source,
    root: &ContentRoot,
    snippet_bases: &[PathBuf],
) -> (Expanded, Vec<Diagnostic>) {
    let mut out = Expanded {
        text: String::with_capacity(body.len()),
        lines: Vec::new(),
        directive_cols: HashMap::new(),
        index: Default::default(),
    };
    let mut diags = Vec::new();
    if !body.contains("{{#") {
        out.text.push_str(body);
        out.lines = (0..=body.matches('\n').count()).map(|i| first_line + i).collect();
        out.index = crate::diag::LineIndex::new(&out.text);
        return (out, diags);
    }
    let dir = page_path.parent().unwrap_or(Path::new("."));
    let mut ctx = Ctx {
        shown,
        file_text,
        file_line: 0,
        col: 1,
        root,
        diags: &mut diags,
        stack: vec![(crate::config::content_root::resolve(page_path), shown.to_path_buf())],
        spent: 0,
        over_budget: false,
        resolved: HashMap::new(),
        texts: HashMap::new(),
        snippet_bases,
        snippet: false,
    };
    for (i, line) in body.split_inclusive('\n').enumerate() {
        let file_line = first_line + i;
        ctx.file_line = file_line;
        let expanded = expand_line(line, dir, 0, &mut ctx);
        let directive = (expanded != line).then(|| line.find("{{#")).flatten();
        for _ in 0..expanded.matches('\n').count().max(1) {
            if let Some(at) = directive {
                out.directive_cols.insert(out.lines.len(), line[..at].chars().count() + 1);
            }
            out.lines.push(file_line);
        }
        out.text.push_str(&expanded);
    }
    out.lines.push(first_line + body.matches('\n').count());
    out.index = crate::diag::LineIndex::new(&out.text);
    (out, diags)
}

/// The state of one page's expansion.
struct Ctx<'a> {
    shown: &'a Path,
    file_text: &'a crate::diag::Source,
    /// The page line being expanded; every diagnostic points at it.
    file_line: usize,
    /// The column (in characters) of the page's directive being expanded.
    col: usize,
    root: &'a ContentRoot,
    diags: &'a mut Vec<Diagnostic>,
    /// The page and the files being included, outermost first: (resolved path, shown path).
    stack: Vec<(PathBuf, PathBuf)>,
    /// Bytes the includes of this page have added so far.
    spent: usize,
    /// The page went over [`MAX_EXPANDED`]: no more includes (the error is reported once).
    over_budget: bool,
    /// (folder, path as written) → resolved path, so a file included many times is resolved once.
    resolved: HashMap<(PathBuf, String), Result<PathBuf, Refusal>>,
    /// Resolved path → contents.
    texts: HashMap<PathBuf, Rc<str>>,
    /// Folders `{{#snippet}}` paths are relative to (MkDocs sites only; else empty).
    snippet_bases: &'a [PathBuf],
    /// A snippet is being read (its problems get a snippet's hint).
    snippet: bool,
}

impl Ctx<'_> {
    /// An error at the page's directive; one met inside an included file names that file.
    fn error(&mut self, message: String, hint: &str) {
        let message = match self.stack.last() {
            Some((_, from)) if self.stack.len() > 1 => format!("{message} (in `{}`)", from.display()),
            _ => message,
        };
        self.error_here(message, hint);
    }

    /// An error at the page's directive.
    fn error_here(&mut self, message: String, hint: &str) {
        self.diags.push(
            Diagnostic::error(message)
                .at_text(self.shown, self.file_text, self.file_line, self.col)
                .hint(hint),
        );
    }
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
        if depth == 0 {
            // Columns count characters, as every other diagnostic does.
            let byte = line.len() - rest.len() + start;
            ctx.col = line[..byte].chars().count() + 1;
        }
        out.push_str(&run(directive, dir, depth, ctx));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn run(directive: &str, dir: &Path, depth: usize, ctx: &mut Ctx<'_>) -> String {
    let (name, arg) = directive.split_once(char::is_whitespace).unwrap_or((directive, ""));
    match name {
        // Without a path (`{{#include}}` in prose) it is not a directive, as in mdBook.
        "include" | "rustdoc_include" | "playground" if !arg.trim().is_empty() => {
            include(arg.trim(), dir, depth, ctx)
        }
        // `--8<-- "file"` of an MkDocs site (see `super::mkdocs`).
        "snippet" if !ctx.snippet_bases.is_empty() && !arg.trim().is_empty() => {
            snippet(arg.trim(), depth, ctx)
        }
        // `{{#title}}` sets the browser title in mdBook; lore takes titles from front matter.
        "title" => String::new(),
        _ => format!("{{{{#{directive}}}}}"),
    }
}

/// A snippet: relative to the first snippet folder that has the file (else the first one, which
/// reports it missing), and read as an include is.
fn snippet(arg: &str, depth: usize, ctx: &mut Ctx<'_>) -> String {
    let (file, _) = split_selector(arg);
    let bases = ctx.snippet_bases;
    let base = bases.iter().find(|b| b.join(file).is_file()).unwrap_or(&bases[0]);
    let was = std::mem::replace(&mut ctx.snippet, true);
    let text = include(arg, base, depth, ctx);
    ctx.snippet = was;
    text
}

fn include(arg: &str, dir: &Path, depth: usize, ctx: &mut Ctx<'_>) -> String {
    if ctx.over_budget {
        return String::new();
    }
    let arg = arg.split_whitespace().next().unwrap_or("");
    let (file, selector) = split_selector(arg);
    let Some((path, text)) = read(file, dir, ctx) else {
        return String::new();
    };
    if let Some(i) = ctx.stack.iter().position(|(p, _)| *p == path) {
        let mut chain: Vec<String> =
            ctx.stack[i..].iter().map(|(_, shown)| format!("`{}`", shown.display())).collect();
        chain.push(format!("`{}`", display_path(&path).display()));
        let message = format!("include cycle: {}", chain.join(" → "));
        ctx.error_here(message, "remove the `{{#include}}` that leads back to a file already being included");
        return String::new();
    }
    let selected = match select(&text, selector) {
        Ok(s) => s,
        Err(message) => {
            ctx.error(format!("cannot include `{arg}`: {message}"), "check the line range or anchor name");
            return String::new();
        }
    };
    ctx.spent += selected.len();
    if ctx.spent > MAX_EXPANDED {
        ctx.over_budget = true;
        let message = format!(
            "cannot include `{file}`: includes would make this page larger than {} MiB",
            MAX_EXPANDED >> 20
        );
        ctx.error(message, "include a part of the file (a line range or an anchor), or link to it");
        return String::new();
    }
    let selected = match ctx.snippet_bases.is_empty() {
        false => super::mkdocs::rewrite_snippets(&selected).unwrap_or(selected),
        true => selected,
    };
    if depth + 1 >= MAX_DEPTH || !selected.contains("{{#") {
        return selected;
    }
    let inner_dir = path.parent().unwrap_or(dir).to_path_buf();
    ctx.stack.push((path.clone(), display_path(&path)));
    let expanded =
        selected.split_inclusive('\n').map(|l| expand_line(l, &inner_dir, depth + 1, ctx)).collect();
    ctx.stack.pop();
    expanded
}

/// The resolved path and contents of `file` (relative to `dir`), or `None` after reporting why
/// it cannot be read.
fn read(file: &str, dir: &Path, ctx: &mut Ctx<'_>) -> Option<(PathBuf, Rc<str>)> {
    let key = (dir.to_path_buf(), file.to_owned());
    let checked = match ctx.resolved.get(&key) {
        Some(r) => r.clone(),
        None => {
            let r = ctx.root.check(&dir.join(file));
            ctx.resolved.insert(key, r.clone());
            r
        }
    };
    let path = match checked {
        Ok(path) => path,
        Err(refusal) => {
            refuse(file, &refusal, ctx);
            return None;
        }
    };
    if let Some(text) = ctx.texts.get(&path) {
        return Some((path, text.clone()));
    }
    // Only regular files, and not ones so large that reading them is the attack (a line range
    // of a huge file would still be read whole).
    let size = std::fs::metadata(&path).ok().filter(|m| m.is_file()).map(|m| m.len());
    let too_large = match size {
        Some(len) if len > MAX_FILE => Some(format!("it is larger than {} MiB", MAX_FILE >> 20)),
        None if path.exists() => Some(format!("`{}` is not a file", display_path(&path).display())),
        _ => None,
    };
    if let Some(reason) = too_large {
        ctx.error(format!("cannot include `{file}`: {reason}"), "include a regular file of the repository");
        return None;
    }
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let text: Rc<str> = text.into();
            ctx.texts.insert(path.clone(), text.clone());
            Some((path, text))
        }
        Err(e) => {
            let reason = if e.kind() == std::io::ErrorKind::NotFound {
                "it does not exist".to_owned()
            } else {
                format!("`{}`: {e}", display_path(&path).display())
            };
            let hint = if ctx.snippet {
                "snippet paths are relative to the folder of `mkdocs.yml` (or the `base_path` of `pymdownx.snippets`)"
            } else {
                "paths are relative to the page that includes them"
            };
            ctx.error(format!("cannot include `{file}`: {reason}"), hint);
            None
        }
    }
}

fn refuse(file: &str, refusal: &Refusal, ctx: &mut Ctx<'_>) {
    match refusal {
        Refusal::Outside(path) => {
            let message = format!(
                "cannot include `{file}`: `{}` is outside the content root",
                display_path(path).display()
            );
            let hint = format!(
                "pages may include files under {} only; list other folders in `extra-roots` of `[build]` in `book.toml`",
                ctx.root.describe()
            );
            ctx.error(message, &hint);
        }
        Refusal::InGit(path) => {
            let message = format!(
                "cannot include `{file}`: `{}` is inside a `.git` folder",
                display_path(path).display()
            );
            ctx.error(message, "lore never reads from `.git`: it may hold credentials");
        }
    }
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
        .filter(|l| !l.contains("--8<-- [start:") && !l.contains("--8<-- [end:"))
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
    // `--8<-- [start:name]` … `--8<-- [end:name]` mark a section for pymdownx.snippets.
    let (open, close) = (format!("--8<-- [start:{name}]"), format!("--8<-- [end:{name}]"));
    let start = lines
        .iter()
        .position(|l| l.split("ANCHOR:").nth(1).is_some_and(|n| n.trim() == name) || l.contains(&open))
        .ok_or_else(|| format!("no `ANCHOR: {name}` in the file"))?;
    // The end marker is searched after the start line: a line holding both markers starts an
    // anchor that runs to the next end marker (or the end of the file).
    let end = lines[start + 1..]
        .iter()
        .position(|l| l.split("ANCHOR_END:").nth(1).is_some_and(|n| n.trim() == name) || l.contains(&close))
        .map_or(lines.len(), |i| start + 1 + i);
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
        // One line holding both markers starts the anchor (it used to panic).
        let both = "// ANCHOR: x ANCHOR: ANCHOR_END: x ANCHOR_END:\nkept\n// ANCHOR_END: x\n";
        assert_eq!(select(both, "x").unwrap(), "kept");
        assert_eq!(select(text, "").unwrap(), "x\nkeep\ny");
        assert!(select(text, "missing").is_err());
    }

    #[test]
    fn expansion_keeps_file_lines() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("inc.txt"), "one\ntwo\n").unwrap();
        let page = dir.path().join("page.md");
        let body = "a\n{{#include inc.txt}}\nb [x](y.md)\n{{#include missing.txt}}\n";
        let root = ContentRoot::of(dir.path());
        let text = crate::diag::Source::new(body.to_owned());
        let (exp, diags) = expand_includes(body, 5, (&page, Path::new("page.md")), &text, &root, &[]);
        assert_eq!(exp.text, "a\none\ntwo\nb [x](y.md)\n\n");
        let b = exp.text.find("b [").unwrap();
        assert_eq!(exp.position(b), (7, 1));
        assert_eq!(diags.len(), 1);
        assert!(diags[0].message.starts_with("cannot include `missing.txt`: it does not exist"));
    }

    #[test]
    fn a_folder_is_not_included() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let page = dir.path().join("page.md");
        let root = ContentRoot::of(dir.path());
        let (exp, diags) = expand_includes(
            "{{#include sub}}\n",
            1,
            (&page, Path::new("page.md")),
            &Default::default(),
            &root,
            &[],
        );
        assert_eq!(exp.text, "\n");
        let sub = crate::config::display_path(&dir.path().canonicalize().unwrap().join("sub"));
        assert_eq!(diags[0].message, format!("cannot include `sub`: `{}` is not a file", sub.display()));
    }
}
