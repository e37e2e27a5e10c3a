//! `lore verify`: record that a page was checked, by setting `last_verified` (and
//! `verified_by`) in its front matter.
//!
//! Only those lines change: every other byte of the file (comments, key order, quoting, line
//! endings, a byte-order mark) is kept. A missing key is added at the end of the front matter;
//! a file without front matter gets one. A file whose front matter does not parse is left
//! untouched and reported with its line. The file keeps what it is: a symlink's target is
//! written, a hard link keeps its inode, and owner, group and mode stay; a file that changed
//! while lore worked on it is left alone (see [`crate::output::rewrite`]).

use std::path::{Path, PathBuf};

use jiff::civil::Date;

use crate::diag::Diagnostic;
use crate::error::Error;
use crate::site::freshness::LAST_VERIFIED_KEYS;

/// What to write.
#[derive(Debug, Clone)]
pub struct Verification {
    /// The date to record.
    pub date: Date,
    /// Who verified, written as `verified_by` when given.
    pub by: Option<String>,
}

/// Returns `text` with the verification recorded, or the diagnostic that stops it.
pub fn rewrite(text: &str, path: &Path, v: &Verification) -> Result<String, Diagnostic> {
    let fm = crate::content::split(text, path)?;
    crate::content::parse_front_matter(&fm, text, path)?;
    let (bom, rest) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    };
    let eol = if rest.contains("\r\n") { "\r\n" } else { "\n" };
    let date = v.date.to_string();
    if fm.yaml_line == fm.body_line || !rest.starts_with("---") {
        // No front matter: create one.
        let mut out = format!("{bom}---{eol}last_verified: {date}{eol}");
        if let Some(by) = &v.by {
            out.push_str(&format!("verified_by: {}{eol}", scalar(by, None)));
        }
        out.push_str(&format!("---{eol}"));
        out.push_str(rest);
        return Ok(out);
    }
    let mut lines: Vec<String> = rest.split_inclusive('\n').map(str::to_owned).collect();
    // Lines 1..close are the YAML block (index 0 is the opening fence).
    let close = fm.body_line - 2;
    let date_at = find_key(&lines[1..close], LAST_VERIFIED_KEYS).map(|i| i + 1);
    let by_at = find_key(&lines[1..close], &["verified_by"]).map(|i| i + 1);
    let mut insert_at = close;
    match date_at {
        Some(i) => lines[i] = set_value(&lines[i], &date, true),
        None => {
            lines.insert(insert_at, format!("last_verified: {date}{eol}"));
            insert_at += 1;
        }
    }
    if let Some(by) = &v.by {
        match by_at {
            Some(i) => {
                let i = if date_at.is_none() && i >= close { i + 1 } else { i };
                lines[i] = set_value(&lines[i], by, false);
            }
            None => lines.insert(insert_at, format!("verified_by: {}{eol}", scalar(by, None))),
        }
    }
    let out = format!("{bom}{}", lines.concat());
    check_result(&out, text, path, v, date_at.map_or(1, |i| i + 1))?;
    Ok(out)
}

/// Reads the rewritten front matter back: a value lore could not replace cleanly (one written
/// over several lines, say) must stop the rewrite rather than corrupt the page.
fn check_result(
    out: &str,
    original: &str,
    path: &Path,
    v: &Verification,
    line: usize,
) -> Result<(), Diagnostic> {
    let problem = || {
        Diagnostic::error("cannot update `last_verified` here without changing other lines")
            .at_text(path, original, line, 1)
            .hint("write the date on one line, e.g. `last_verified: 2026-03-31`, and run again")
    };
    let fm = crate::content::split(out, path).map_err(|_| problem())?;
    let map = crate::content::parse_front_matter(&fm, out, path).map_err(|_| problem())?;
    let date = LAST_VERIFIED_KEYS.iter().find_map(|k| map.get(*k)).and_then(|d| d.as_str());
    let by_ok = v.by.as_ref().is_none_or(|by| map.get("verified_by").and_then(|b| b.as_str()) == Some(by));
    if date == Some(v.date.to_string().as_str()) && by_ok { Ok(()) } else { Err(problem()) }
}

/// The index of the first top-level line `key:` for one of `keys`.
fn find_key(lines: &[String], keys: &[&str]) -> Option<usize> {
    lines
        .iter()
        .position(|l| keys.iter().any(|k| l.strip_prefix(k).is_some_and(|r| r.trim_start().starts_with(':'))))
}

/// Replaces the value of a `key: value  # comment` line, keeping the key, the spacing, the
/// quoting style, the comment and the line ending.
fn set_value(line: &str, value: &str, is_date: bool) -> String {
    let body_end = line.trim_end_matches(['\r', '\n']).len();
    let (body, ending) = line.split_at(body_end);
    let colon = body.find(':').expect("the line was found by its `key:`");
    let after = &body[colon + 1..];
    let value_start = colon + 1 + (after.len() - after.trim_start().len());
    let rest = &body[value_start..];
    let (old_len, quote) = match rest.chars().next() {
        Some(q @ ('"' | '\'')) => (rest[1..].find(q).map_or(rest.len(), |i| i + 2), Some(q)),
        _ => {
            let end = rest.find(" #").unwrap_or(rest.len());
            (rest[..end].trim_end().len(), None)
        }
    };
    let new = if is_date {
        quote.map_or_else(|| value.to_owned(), |q| format!("{q}{value}{q}"))
    } else {
        scalar(value, quote)
    };
    let space = if value_start == colon + 1 { " " } else { "" };
    format!("{}{space}{new}{}{ending}", &body[..value_start], &rest[old_len..])
}

/// `value` as a YAML scalar: in the given quote style, else plain when that is safe, else
/// double-quoted.
fn scalar(value: &str, quote: Option<char>) -> String {
    let plain_safe = !value.is_empty()
        && !value.contains(": ")
        && !value.contains(" #")
        && !value.starts_with(|c: char| "!&*-?{}[]|>'\"%@`#,".contains(c) || c.is_whitespace())
        && !value.ends_with(char::is_whitespace)
        // A plain `123`, `true` or `null` would be read back as a number, a boolean or nothing.
        && value.chars().any(char::is_alphabetic)
        && !value.starts_with('.')
        && !matches!(value.to_ascii_lowercase().as_str(), "true" | "false" | "null" | "yes" | "no" | "on" | "off");
    match quote {
        Some('\'') => format!("'{}'", value.replace('\'', "''")),
        None if plain_safe => value.to_owned(),
        _ => format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\"")),
    }
}

/// Rewrites one file: through a symlink into its target, keeping a hard link's inode, the
/// owner, group and mode (see [`crate::output::rewrite`]). A file that changed since it was
/// read is left as it is, with an error.
pub fn verify_file(path: &Path, shown: &Path, v: &Verification) -> Result<(), VerifyError> {
    verify_file_with(path, shown, v, &|| {})
}

/// [`verify_file`], with `before_write` run between the read and the write (tests use it to
/// change the file there, as an editor saving at that moment would).
fn verify_file_with(
    path: &Path,
    shown: &Path,
    v: &Verification,
    before_write: &dyn Fn(),
) -> Result<(), VerifyError> {
    let (bytes, snapshot) = crate::output::rewrite::read(path, shown).map_err(VerifyError::Io)?;
    let text = String::from_utf8(bytes).map_err(|_| {
        VerifyError::Content(Diagnostic::error("file is not valid UTF-8; left unchanged").at(shown, 1, 1))
    })?;
    let new = rewrite(&text, shown, v).map_err(|d| {
        let message = format!("{}; the file was left unchanged", d.message);
        VerifyError::Content(Diagnostic { message, ..d })
    })?;
    if new == text {
        return Ok(());
    }
    before_write();
    snapshot.write(new.as_bytes()).map_err(VerifyError::Io)
}

/// Where `path` is: as given (relative to the working folder), else inside the source folder,
/// so `lore verify runbooks/db.md` works from the project root too.
pub fn resolve(path: &Path, src: &Path) -> PathBuf {
    if path.exists() || path.is_absolute() {
        return path.to_path_buf();
    }
    let inside = src.join(path);
    if inside.is_file() { inside } else { path.to_path_buf() }
}

/// The source files of stale pages (of one owner, when given), found by running the checks.
pub fn stale_files(options: &crate::build::BuildOptions, owner: Option<&str>) -> Result<Vec<PathBuf>, Error> {
    let output = crate::build::build(options, None)?;
    let report = match owner {
        Some(o) => output.freshness.for_owner(o),
        None => output.freshness,
    };
    Ok(report
        .pages
        .iter()
        .filter(|e| e.state == crate::site::freshness::State::Stale)
        .map(|e| e.shown.clone())
        .collect())
}

/// Why one file could not be verified.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The file could not be read or written.
    #[error(transparent)]
    Io(Error),
    /// The file's front matter does not parse.
    #[error("{0}")]
    Content(Diagnostic),
}

#[cfg(test)]
mod tests;
