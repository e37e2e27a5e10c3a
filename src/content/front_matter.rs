//! Splitting a page into YAML front matter and body, and parsing the front matter.
//!
//! Positions are kept as lines of the *file*: a YAML error on the third line of the block is
//! reported on line 4 of a file whose first line is `---`.

use std::path::Path;

use serde_json::{Map, Value};

use crate::diag::Diagnostic;

/// A page split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatter<'a> {
    /// The YAML text between the `---` fences (empty when there is none).
    pub yaml: &'a str,
    /// 1-based file line of the first YAML line.
    pub yaml_line: usize,
    /// The markdown after the closing fence.
    pub body: &'a str,
    /// 1-based file line where the body starts.
    pub body_line: usize,
}

/// Splits `text` into front matter and body. An opening `---` without a closing one is an error.
pub fn split<'a>(text: &'a str, path: &Path) -> Result<FrontMatter<'a>, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if text[..first_end].trim_end() != "---" {
        return Ok(FrontMatter { yaml: "", yaml_line: 1, body: text, body_line: 1 });
    }
    let mut offset = first_end;
    let mut line = 2;
    while offset < text.len() {
        let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i + 1);
        let current = text[offset..end].trim_end();
        if current == "---" || current == "..." {
            return Ok(FrontMatter {
                yaml: &text[first_end..offset],
                yaml_line: 2,
                body: &text[end..],
                body_line: line + 1,
            });
        }
        offset = end;
        line += 1;
    }
    Err(Diagnostic::error("front matter is not closed")
        .at_text(path, text, 1, 1)
        .hint("did you forget the closing `---`?"))
}

/// Parses the YAML block into a map of top-level keys (YAML 1.2: `NO` stays a string).
pub fn parse(fm: &FrontMatter<'_>, text: &str, path: &Path) -> Result<Map<String, Value>, Diagnostic> {
    if fm.yaml.trim().is_empty() {
        return Ok(Map::new());
    }
    // YAML 1.2 booleans only (`NO` is Norway, not false); plain messages, lore adds the snippet.
    let options = serde_saphyr::options! { strict_booleans: true, with_snippet: false };
    match serde_saphyr::from_str_with_options::<Value>(fm.yaml, options) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(Value::Null) => Ok(Map::new()),
        Ok(_) => Err(Diagnostic::error("front matter must be a mapping of `key: value` lines").at_text(
            path,
            text,
            fm.yaml_line,
            1,
        )),
        Err(err) => {
            let (line, col) = err
                .location()
                .filter(|l| l.line() > 0)
                .map_or((0, 1), |l| (l.line() as usize - 1, l.column().max(1) as usize));
            let line = (fm.yaml_line + line).min(fm.body_line.saturating_sub(2).max(fm.yaml_line));
            Err(Diagnostic::error(format!("invalid YAML in front matter: {}", first_line(&err)))
                .at_text(path, text, line, col))
        }
    }
}

/// The error's message without the location and snippet the YAML crate appends.
pub fn first_line(err: &serde_saphyr::Error) -> String {
    let text = err.to_string();
    let line = text.lines().next().unwrap_or("").trim();
    let line = line.split(" at line ").next().unwrap_or(line);
    // The crate's advice names its own options, which a page author cannot set.
    let line = line.split(", set DuplicateKeyPolicy").next().unwrap_or(line);
    line.trim_start_matches("error: ").trim_end_matches('.').to_owned()
}

/// The 1-based file line of each top-level key, found by reading the YAML lines. Quoted keys
/// are unquoted as YAML does (`"a\tb"` is the key `a<TAB>b`), so that a key's problems are
/// reported on its own line.
pub(super) fn key_lines(fm: &FrontMatter<'_>) -> Vec<(String, usize)> {
    fm.yaml
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with([' ', '\t', '#', '-']))
        .filter_map(|(i, l)| Some((key_of(l)?, fm.yaml_line + i)))
        .collect()
}

/// The key of a top-level `key: value` line.
fn key_of(line: &str) -> Option<String> {
    if line.starts_with(['"', '\'']) {
        let end = quoted_end(line)?;
        if !line[end..].trim_start().starts_with(':') {
            return None;
        }
        return serde_saphyr::from_str::<String>(&line[..end]).ok();
    }
    let key = line.split(':').next()?.trim();
    (!key.is_empty() && line.contains(':')).then(|| key.to_owned())
}

/// The byte just after the closing quote of the quoted scalar `line` starts with.
fn quoted_end(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let quote = bytes[0];
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> &'static Path {
        Path::new("a.md")
    }

    #[test]
    fn splits_and_counts_lines() {
        let text = "---\ntitle: x\n---\n# Body\n";
        let fm = split(text, p()).unwrap();
        assert_eq!(fm.yaml, "title: x\n");
        assert_eq!(fm.body, "# Body\n");
        assert_eq!(fm.body_line, 4);
    }

    #[test]
    fn crlf_and_bom() {
        let text = "\u{feff}---\r\ntitle: x\r\n---\r\nbody";
        let fm = split(text, p()).unwrap();
        assert_eq!(fm.yaml, "title: x\r\n");
        assert_eq!(fm.body, "body");
    }

    #[test]
    fn no_front_matter() {
        let fm = split("# Hi\n---\n", p()).unwrap();
        assert_eq!(fm.yaml, "");
        assert_eq!(fm.body_line, 1);
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        let err = split("---\ntitle: x\n", p()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a.md:1:1: error: front matter is not closed\n 1 | ---\n   | ^\n  = hint: did you forget the closing `---`?"
        );
    }

    #[test]
    fn yaml_error_line_is_a_file_line() {
        let text = "---\ntitle: ok\nowner: [a, b\n---\nbody\n";
        let fm = split(text, p()).unwrap();
        let err = parse(&fm, text, p()).unwrap_err();
        let line = err.span.as_ref().unwrap().line;
        assert!((3..=4).contains(&line), "line {line}: {err}");
        assert!(err.message.starts_with("invalid YAML in front matter: "), "{}", err.message);
    }

    #[test]
    fn yaml_1_2_keeps_no_as_string() {
        let text = "---\ncountry: NO\n---\n";
        let fm = split(text, p()).unwrap();
        let map = parse(&fm, text, p()).unwrap();
        assert_eq!(map["country"], Value::String("NO".into()));
    }

    #[test]
    fn quoted_keys_are_found_on_their_line() {
        let text = "---\ntitle: x\n\"a\\e[31m\\a\\nb\": 1\n'it''s': 2\n---\n";
        let fm = split(text, p()).unwrap();
        assert_eq!(
            key_lines(&fm),
            vec![("title".into(), 2), ("a\u{1b}[31m\u{7}\nb".into(), 3), ("it's".into(), 4)]
        );
    }

    #[test]
    fn finds_key_lines() {
        let text = "---\ntitle: x\ntags:\n  - a\n# comment\nowner: y\n---\n";
        let fm = split(text, p()).unwrap();
        assert_eq!(key_lines(&fm), vec![("title".into(), 2), ("tags".into(), 3), ("owner".into(), 6)]);
    }
}
