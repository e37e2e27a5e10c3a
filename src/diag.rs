//! Diagnostics: problems found in the user's input, with the place they were found.
//!
//! Every stage returns its problems as [`Diagnostic`]s instead of stopping at the first one;
//! the CLI renders them all together, compiler-style:
//!
//! ```text
//! src/runbooks/db.md:4:1: error: unknown key `ownr` in front matter
//!     4 | ownr: payments
//!       | ^
//!   = hint: did you mean `owner`?
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Severity {
    /// The run fails.
    Error,
    /// Reported, but the run succeeds.
    Warning,
}

/// A place in a source file. Lines and columns count from 1.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct SourceSpan {
    /// The file, as the user should see it (relative to the project root when possible).
    pub path: PathBuf,
    /// 1-based line number in the file.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub col: usize,
}

/// One problem in the user's input.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, lowercase, no trailing period.
    pub message: String,
    /// Where, when the problem has a place.
    pub span: Option<SourceSpan>,
    /// The text of the offending line, shown under the message with a caret.
    pub source_line: Option<String>,
    /// How to fix it, when the fix is obvious.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error with no location yet.
    pub fn error(message: impl Into<String>) -> Self {
        Self::new(Severity::Error, message)
    }

    /// A warning with no location yet.
    pub fn warning(message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, message)
    }

    fn new(severity: Severity, message: impl Into<String>) -> Self {
        Self { severity, message: message.into(), span: None, source_line: None, hint: None }
    }

    /// Attaches a file location (without a source line).
    #[must_use]
    pub fn at(mut self, path: &Path, line: usize, col: usize) -> Self {
        self.span = Some(SourceSpan { path: path.to_path_buf(), line, col });
        self
    }

    /// Attaches a file location and takes the offending line from `text` (the whole file).
    /// With a [`Source`] (a page's text) the line is found through its [`LineIndex`], so a
    /// file with thousands of diagnostics is not rescanned for each.
    #[must_use]
    pub fn at_text<T: Lines + ?Sized>(self, path: &Path, text: &T, line: usize, col: usize) -> Self {
        let source_line = text.line(line).map(str::to_owned);
        let mut diag = self.at(path, line, col);
        diag.source_line = source_line;
        diag
    }

    /// Adds a hint.
    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Whether this diagnostic fails the run.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Sort key: by file, then line, then column; diagnostics without a place come first.
    fn sort_key(&self) -> (Option<&SourceSpan>, &str) {
        (self.span.as_ref(), &self.message)
    }
}

/// Sorts diagnostics by place and removes exact duplicates, so output is deterministic
/// whatever order they were gathered in.
pub fn sort(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| {
        (a.sort_key().cmp(&b.sort_key()))
            .then(a.severity.cmp(&b.severity))
            .then_with(|| (&a.hint, &a.source_line).cmp(&(&b.hint, &b.source_line)))
    });
    diags.dedup();
}

/// Counts errors and warnings.
pub fn count(diags: &[Diagnostic]) -> (usize, usize) {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    (errors, diags.len() - errors)
}

impl Severity {
    /// `error` or `warning`.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Compiler-style text. Everything that came from the user's files (path, message, hint, the
/// source line) is passed through [`escape`]: a page cannot write control characters to a
/// terminal or a CI log.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(span) = &self.span {
            write!(f, "{}:{}:{}: ", escape(&span.path.display().to_string()), span.line, span.col)?;
        }
        write!(f, "{}: {}", self.severity.label(), escape(&self.message))?;
        if let (Some(span), Some(line)) = (&self.span, &self.source_line) {
            let number = span.line.to_string();
            let pad = " ".repeat(number.len());
            let line = line.replace('\t', " ");
            let before: String = line.chars().take(span.col.saturating_sub(1)).collect();
            let caret_pad = " ".repeat(escape(&before).chars().count());
            write!(f, "\n {number} | {}\n {pad} | {caret_pad}^", escape(&line))?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  = hint: {}", escape(hint))?;
        }
        Ok(())
    }
}

/// Prints `note: TEXT` on stderr, control characters made harmless (a closed stderr is not
/// worth failing for).
pub fn print_note(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "note: {}", escape(text));
}

/// `text` with every control character made visible: `\n`, `\r`, `\t`, other C0 controls and
/// DEL as `\x1b`, C1 controls and the bidirectional overrides (which reorder what a reader sees)
/// as `\u{9b}`. Backslashes are left alone.
pub fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_ascii_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Where each line of a text starts, built once so that positions and source lines of many
/// diagnostics in one file cost a binary search each instead of a scan of the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1));
        Self { starts }
    }

    /// 1-based (line, column) of a byte offset, columns in characters (as [`line_col`]).
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        (line, text[start..offset].chars().count() + 1)
    }

    /// The byte offset where 1-based line `n` starts.
    pub fn line_start(&self, n: usize) -> Option<usize> {
        self.starts.get(n.checked_sub(1)?).copied()
    }

    /// The text of 1-based line `n`, without its line ending (as `str::lines` gives it).
    pub fn line<'t>(&self, text: &'t str, n: usize) -> Option<&'t str> {
        let start = *self.starts.get(n.checked_sub(1)?)?;
        if start >= text.len() {
            return None;
        }
        match self.starts.get(n) {
            // `\r\n` ends a line as `\n` does; a lone `\r` at the end of the text stays.
            Some(next) => text.get(start..next - 1).map(|l| l.strip_suffix('\r').unwrap_or(l)),
            None => text.get(start..),
        }
    }
}

/// A text whose lines [`Diagnostic::at_text`] can look up.
pub trait Lines {
    /// The text of 1-based line `n`, without its line ending.
    fn line(&self, n: usize) -> Option<&str>;
}

impl Lines for str {
    fn line(&self, n: usize) -> Option<&str> {
        self.lines().nth(n.checked_sub(1)?)
    }
}

impl Lines for String {
    fn line(&self, n: usize) -> Option<&str> {
        self.as_str().line(n)
    }
}

/// A file's text with its [`LineIndex`], built on first use. Derefs to `str`.
#[derive(Debug, Clone, Default)]
pub struct Source {
    text: String,
    index: std::sync::OnceLock<LineIndex>,
}

impl Source {
    /// Wraps a file's text.
    pub fn new(text: String) -> Self {
        Self { text, index: std::sync::OnceLock::new() }
    }

    /// The line index, built on first use.
    pub fn index(&self) -> &LineIndex {
        self.index.get_or_init(|| LineIndex::new(&self.text))
    }

    /// 1-based (line, column) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.index().line_col(&self.text, offset)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl std::ops::Deref for Source {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl From<String> for Source {
    fn from(text: String) -> Self {
        Self::new(text)
    }
}

impl PartialEq for Source {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for Source {}

impl Lines for Source {
    fn line(&self, n: usize) -> Option<&str> {
        self.index().line(&self.text, n)
    }
}

/// How many diagnostics of one kind in one file are shown before the rest are summed up in
/// one "and N more like this" line.
pub const SHOWN_PER_KIND: usize = 50;

/// What makes two diagnostics "of one kind": the severity and the message with every
/// `` `quoted` `` part (the names, paths and values that vary) replaced by `` `…` ``.
pub fn kind_of(diag: &Diagnostic) -> (Severity, String) {
    let mut template = String::with_capacity(diag.message.len());
    for (i, part) in diag.message.split('`').enumerate() {
        if i > 0 {
            template.push('`');
        }
        template.push_str(if i % 2 == 1 { "…" } else { part });
    }
    (diag.severity, template)
}

/// One item of a capped list of diagnostics: a diagnostic to show, or the line that stands for
/// the rest of its kind in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown<'a> {
    /// Show this diagnostic.
    Diagnostic(&'a Diagnostic),
    /// `count` more diagnostics like `like` (the last one shown) in its file were left out.
    More {
        /// The last diagnostic shown of this kind.
        like: &'a Diagnostic,
        /// How many were left out.
        count: usize,
    },
}

/// The diagnostics to show, in order: at most [`SHOWN_PER_KIND`] of each kind per file, the
/// rest counted in one [`Shown::More`] right after the last one shown. Linear in `diags`.
pub fn capped<'a>(diags: impl IntoIterator<Item = &'a Diagnostic>) -> Vec<Shown<'a>> {
    type Key<'k> = (Option<&'k Path>, (Severity, String));
    let diags: Vec<&Diagnostic> = diags.into_iter().collect();
    let key = |d: &'a Diagnostic| -> Key<'a> { (d.span.as_ref().map(|s| s.path.as_path()), kind_of(d)) };
    let mut totals: std::collections::HashMap<Key<'a>, usize> = std::collections::HashMap::new();
    for d in &diags {
        *totals.entry(key(d)).or_default() += 1;
    }
    let mut seen: std::collections::HashMap<Key<'a>, usize> = std::collections::HashMap::new();
    let mut out = Vec::new();
    for d in diags {
        let k = key(d);
        let total = totals[&k];
        let n = seen.entry(k).or_default();
        *n += 1;
        if *n <= SHOWN_PER_KIND {
            out.push(Shown::Diagnostic(d));
            if *n == SHOWN_PER_KIND && total > SHOWN_PER_KIND {
                out.push(Shown::More { like: d, count: total - SHOWN_PER_KIND });
            }
        }
    }
    out
}

impl fmt::Display for Shown<'_> {
    /// A diagnostic as [`Diagnostic`] shows it; the summary as
    /// `src/a.md: warning: and 12 more like this`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shown::Diagnostic(d) => write!(f, "{d}"),
            Shown::More { like, count } => {
                if let Some(span) = &like.span {
                    write!(f, "{}: ", escape(&span.path.display().to_string()))?;
                }
                write!(f, "{}: and {count} more like this", like.severity.label())
            }
        }
    }
}

/// Converts a byte offset in `text` to a 1-based (line, column), columns in characters.
/// Scans `text` up to `offset`: for many offsets in one text use a [`LineIndex`].
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Edit distance between two short strings, for "did you mean" hints.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let limit = if word.chars().count() <= 4 { 1 } else { 2 };
    candidates.iter().map(|c| (edit_distance(word, c), *c)).filter(|(d, _)| *d <= limit).min().map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_compiler_style() {
        let text = "---\ntitle: x\nownr: y\n---\n";
        let diag = Diagnostic::error("unknown key `ownr` in front matter")
            .at_text(Path::new("src/a.md"), text, 3, 1)
            .hint("did you mean `owner`?");
        assert_eq!(
            diag.to_string(),
            "src/a.md:3:1: error: unknown key `ownr` in front matter\n 3 | ownr: y\n   | ^\n  = hint: did you mean `owner`?"
        );
    }

    #[test]
    fn line_col_counts_from_one() {
        let text = "ab\ncdé\nf";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 7), (2, 4));
        assert_eq!(line_col(text, 8), (3, 1));
    }

    #[test]
    fn line_index_agrees_with_a_scan() {
        for text in ["ab\r\ncdé\n\nf\n", "", "\n", "x", "a\r", "a\r\n\r\nb"] {
            let index = LineIndex::new(text);
            for offset in 0..=text.len() + 2 {
                assert_eq!(index.line_col(text, offset), line_col(text, offset), "{text:?} offset {offset}");
            }
            for n in 0..7 {
                assert_eq!(index.line(text, n), text.line(n), "{text:?} line {n}");
            }
        }
        let text = "ab\r\ncdé\n\nf\n";
        let source = Source::new(text.to_owned());
        assert_eq!(Lines::line(&source, 2), Some("cdé"));
        assert_eq!(Lines::line(&source, 5), None);
    }

    #[test]
    fn escapes_control_characters_visibly() {
        let cases = [
            ("plain `text` é", "plain `text` é"),
            ("a\u{1b}[31mb\u{7}", "a\\x1b[31mb\\x07"),
            ("l1\nl2\r\tx\u{7f}", "l1\\nl2\\r\\tx\\x7f"),
            ("c1\u{9b}2J rtl\u{202e}x", "c1\\u{9b}2J rtl\\u{202e}x"),
        ];
        for (raw, shown) in cases {
            assert_eq!(escape(raw), shown, "{raw:?}");
        }
        let diag = Diagnostic::error("unknown key `\u{1b}x`")
            .at_text(Path::new("a.md"), "\u{1b}x: 1\n", 1, 2)
            .hint("did you mean `\u{7}`?");
        assert_eq!(
            diag.to_string(),
            "a.md:1:2: error: unknown key `\\x1bx`\n 1 | \\x1bx: 1\n   |     ^\n  = hint: did you mean `\\x07`?"
        );
    }

    #[test]
    fn caps_each_kind_per_file() {
        let at = |file: &str, message: String| Diagnostic::warning(message).at(Path::new(file), 1, 1);
        let mut diags: Vec<Diagnostic> =
            (0..53).map(|i| at("a.md", format!("broken link: `{i}.md`"))).collect();
        diags.push(at("a.md", "unsupported Hugo shortcode `x`, left as text".to_owned()));
        diags.extend((0..51).map(|i| at("b.md", format!("broken link: `{i}.md`"))));
        diags.push(Diagnostic::error("broken link: `z.md`").at(Path::new("a.md"), 9, 1));
        let shown = capped(&diags);
        let lines: Vec<String> =
            shown.iter().map(ToString::to_string).filter(|l| l.contains("more")).collect();
        assert_eq!(lines, ["a.md: warning: and 3 more like this", "b.md: warning: and 1 more like this"]);
        assert_eq!(shown.len(), 50 + 1 + 1 + 50 + 1 + 1);
        assert_eq!(shown[50], Shown::More { like: &diags[49], count: 3 });
        assert_eq!(kind_of(&diags[0]), (Severity::Warning, "broken link: `…`".to_owned()));
    }

    #[test]
    fn suggests_close_keys_only() {
        let keys = ["last_verified", "owner", "tags"];
        assert_eq!(did_you_mean("last_verifed", &keys), Some("last_verified"));
        assert_eq!(did_you_mean("ownr", &keys), Some("owner"));
        assert_eq!(did_you_mean("service_tier", &keys), None);
    }
}
