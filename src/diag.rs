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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The run fails.
    Error,
    /// Reported, but the run succeeds.
    Warning,
}

/// A place in a source file. Lines and columns count from 1.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceSpan {
    /// The file, as the user should see it (relative to the project root when possible).
    pub path: PathBuf,
    /// 1-based line number in the file.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub col: usize,
}

/// One problem in the user's input.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    #[must_use]
    pub fn at_text(self, path: &Path, text: &str, line: usize, col: usize) -> Self {
        let source_line = text.lines().nth(line.saturating_sub(1)).map(str::to_owned);
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

/// Sorts diagnostics by place and removes exact duplicates, so output is deterministic.
pub fn sort(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()).then(a.severity.cmp(&b.severity)));
    diags.dedup();
}

/// Counts errors and warnings.
pub fn count(diags: &[Diagnostic]) -> (usize, usize) {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    (errors, diags.len() - errors)
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if let Some(span) = &self.span {
            write!(f, "{}:{}:{}: ", span.path.display(), span.line, span.col)?;
        }
        write!(f, "{label}: {}", self.message)?;
        if let (Some(span), Some(line)) = (&self.span, &self.source_line) {
            let number = span.line.to_string();
            let pad = " ".repeat(number.len());
            let line = line.replace('\t', " ");
            let caret_pad = " ".repeat(span.col.saturating_sub(1).min(line.chars().count()));
            write!(f, "\n {number} | {line}\n {pad} | {caret_pad}^")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  = hint: {hint}")?;
        }
        Ok(())
    }
}

/// Converts a byte offset in `text` to a 1-based (line, column), columns in characters.
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
    fn suggests_close_keys_only() {
        let keys = ["last_verified", "owner", "tags"];
        assert_eq!(did_you_mean("last_verifed", &keys), Some("last_verified"));
        assert_eq!(did_you_mean("ownr", &keys), Some("owner"));
        assert_eq!(did_you_mean("service_tier", &keys), None);
    }
}
