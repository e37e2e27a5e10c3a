//! Resolving links found in markdown: `.md` links become the target page's pretty URL, links to
//! files in the source folder are rewritten for the page's output depth, and anything that does
//! not resolve is a diagnostic. Anchors are checked after every page is rendered (see
//! [`check_anchors`]), since only then are all heading ids known.

use std::collections::HashSet;

use crate::diag::{Diagnostic, SourceSpan};
use crate::site::{Site, Target, decode_path, relative_url};

/// A link whose `#anchor` must exist in the target page.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AnchorRef {
    /// The page that must have the anchor, by source path (`runbooks/db.md`).
    pub page: String,
    /// The anchor, without `#`.
    pub anchor: String,
    /// Where the link is written.
    pub span: SourceSpan,
    /// The link's line, for the diagnostic.
    pub source_line: Option<String>,
}

/// What a link destination resolved to.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// Leave as written (external, mailto, unknown root-absolute).
    Keep,
    /// Use this URL instead; check `anchor` in page `page` when set.
    Rewrite {
        /// The URL to write instead.
        url: String,
        /// A page and anchor to check once all pages are rendered.
        check: Option<(usize, String)>,
    },
    /// Broken: the message to report.
    Broken {
        /// What is wrong.
        message: String,
        /// The target exists but is a draft (a warning, not an error).
        draft: bool,
    },
}

/// A digest of what a link resolved to, naming target pages by source path (their numbers move
/// when pages are added or removed): the build cache reuses a page's rendering only while each
/// of its links resolves to the same digest.
pub fn digest(resolved: &Resolved, site: &Site) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    match resolved {
        Resolved::Keep => 0u8.hash(&mut h),
        Resolved::Rewrite { url, check } => {
            1u8.hash(&mut h);
            url.hash(&mut h);
            if let Some((page, anchor)) = check {
                site.pages.get(*page).map(|p| p.source.rel.as_str()).hash(&mut h);
                anchor.hash(&mut h);
            }
        }
        Resolved::Broken { message, draft } => {
            2u8.hash(&mut h);
            message.hash(&mut h);
            draft.hash(&mut h);
        }
    }
    h.finish()
}

/// Resolves `dest` written in page `from` (index into `site.pages`).
pub fn resolve(dest: &str, from: usize, site: &Site) -> Resolved {
    if dest.is_empty() || dest.starts_with("//") || has_scheme(dest) {
        return Resolved::Keep;
    }
    let (path, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (dest, None),
    };
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() {
        return match fragment {
            Some(f) if !f.is_empty() => {
                Resolved::Rewrite { url: dest.to_owned(), check: Some((from, decode_path(f))) }
            }
            _ => Resolved::Keep,
        };
    }
    let page = &site.pages[from];
    let from_url = &site.urls[from];
    let root_absolute = path.starts_with('/');
    let base = if root_absolute { "" } else { page.source.rel.rsplit_once('/').map_or("", |(d, _)| d) };
    let rel = normalize(base, &decode_path(path));
    if let Some(found) =
        rewrite(site, from_url, &rel, fragment).or_else(|| odd_name(dest, base, from_url, site))
    {
        return found;
    }
    if root_absolute || site.failed.contains(&rel) {
        // Root-absolute: written for another generator's URL scheme, lore cannot know where it
        // leads. Failed: the target's own error is reported; a second one here would be noise.
        return Resolved::Keep;
    }
    let draft = site.drafts.contains(&rel);
    let message = if draft {
        format!("link to `{path}`, which is a draft and is not published")
    } else {
        format!("broken link: `{path}` does not exist")
    };
    Resolved::Broken { message, draft }
}

/// The link to `rel` (a page, folder or asset, decoded) and `#fragment` as written, if it exists.
fn rewrite(site: &Site, from_url: &str, rel: &str, fragment: Option<&str>) -> Option<Resolved> {
    let frag = fragment.map(|f| format!("#{f}")).unwrap_or_default();
    if let Some(target) = find_page(site, rel) {
        let url = format!("{}{frag}", relative_url(from_url, site.url(target)));
        let check = match target {
            Target::Page(i) => fragment.filter(|f| !f.is_empty()).map(|f| (i, decode_path(f))),
            Target::Section(_) => None,
        };
        return Some(Resolved::Rewrite { url, check });
    }
    site.assets
        .iter()
        .any(|a| a.rel == rel)
        .then(|| Resolved::Rewrite { url: format!("{}{frag}", relative_url(from_url, rel)), check: None })
}

/// `[x](<c#-notes.md>)`, `[x](what?.md#why)`: a link that names nothing when read as path, query
/// and fragment is read again with its `?` and `#`s (up to one of them, or all) as part of the
/// file name, so a file whose name holds them can be linked without escaping them
/// (`c%23-notes.md` works too).
fn odd_name(dest: &str, base: &str, from_url: &str, site: &Site) -> Option<Resolved> {
    if !dest.contains(['#', '?']) {
        return None;
    }
    let ends = dest.match_indices('#').map(|(i, _)| i).chain([dest.len()]);
    ends.filter(|&end| end > 0).find_map(|end| {
        let rel = normalize(base, &decode_path(&dest[..end]));
        rewrite(site, from_url, &rel, dest.get(end + 1..))
    })
}

fn find_page(site: &Site, rel: &str) -> Option<Target> {
    if let Some(&i) = site.by_source.get(rel) {
        return Some(Target::Page(i));
    }
    if rel.ends_with(".md") {
        return None;
    }
    // A folder (`runbooks/` or `runbooks`), or `page.html` written for mdBook's URL scheme.
    let trimmed = rel.trim_end_matches('/');
    if let Some(stem) = trimmed.strip_suffix(".html") {
        let as_md = format!("{stem}.md");
        if let Some(&i) = site.by_source.get(&as_md) {
            return Some(Target::Page(i));
        }
        // `cli/index.html` is mdBook's URL for `cli/README.md`.
        return site.by_url(&crate::site::url_for(&as_md));
    }
    let url = if trimmed.is_empty() { String::new() } else { format!("{trimmed}/") };
    site.by_url(&url)
}

fn has_scheme(dest: &str) -> bool {
    match dest.find(':') {
        Some(i) => {
            let scheme = &dest[..i];
            !scheme.is_empty()
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !dest[..i].contains('/')
        }
        None => false,
    }
}

/// The scheme of `dest` (lowercase) when it is `javascript:`, `vbscript:` or `data:` (except
/// `data:image/…` in an image). Read as a browser reads it: leading and trailing control
/// characters and spaces are dropped, tabs and newlines anywhere are ignored, and case does not
/// matter, so `\x01 Java\tScript:` is `javascript:`.
pub fn dangerous_scheme(dest: &str, image: bool) -> Option<&'static str> {
    let cleaned: String =
        dest.trim_matches(|c: char| c <= ' ').chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let (scheme, rest) = cleaned.split_once(':')?;
    let scheme = scheme.to_ascii_lowercase();
    let found = ["javascript", "vbscript", "data"].into_iter().find(|s| *s == scheme)?;
    let image_data = found == "data" && image && rest.trim_start().to_ascii_lowercase().starts_with("image/");
    if image_data { None } else { Some(found) }
}

/// Joins `base` (a folder) and `path`, resolving `.` and `..`.
fn normalize(base: &str, path: &str) -> String {
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let mut out = parts.join("/");
    if path.ends_with('/') && !out.is_empty() {
        out.push('/');
    }
    out
}

/// Checks every collected anchor against the ids each page ended up with (`ids` gives them by
/// source path; `None` for a page the site no longer has, whose links the link check reports).
pub fn check_anchors<'a>(
    refs: impl Iterator<Item = &'a AnchorRef>,
    ids: impl Fn(&str) -> Option<&'a HashSet<String>>,
    as_errors: bool,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for r in refs {
        let Some(found) = ids(&r.page) else { continue };
        if found.contains(&r.anchor) {
            continue;
        }
        let message = format!("broken link: `{}` has no heading `#{}`", r.page, r.anchor);
        let mut d = if as_errors { Diagnostic::error(message) } else { Diagnostic::warning(message) };
        d.span = Some(r.span.clone());
        d.source_line = r.source_line.clone();
        let similar = similar_anchor(&r.anchor, found);
        diags.push(match similar {
            Some(s) => d.hint(format!("did you mean `#{s}`?")),
            None => d,
        });
    }
    diags
}

/// The id `anchor` most likely meant: one that differs only in case, spacing or punctuation
/// (`#Birthday-Gift-Budget`, `#birthday_gift_budget` for `birthday-gift-budget`; issue 15), else
/// the closest by edit distance. Among equals the smallest id wins, so hints are deterministic.
fn similar_anchor(anchor: &str, ids: &HashSet<String>) -> Option<String> {
    let loose = |s: &str| -> String {
        s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
    };
    let wanted = loose(anchor);
    if !wanted.is_empty() {
        let same = ids.iter().filter(|id| loose(id) == wanted).min_by(|a, b| {
            (!a.eq_ignore_ascii_case(anchor), a.as_str()).cmp(&(!b.eq_ignore_ascii_case(anchor), b.as_str()))
        });
        if let Some(id) = same {
            return Some(id.clone());
        }
    }
    let mut candidates: Vec<&str> = ids.iter().map(String::as_str).collect();
    candidates.sort_unstable();
    crate::diag::did_you_mean(anchor, &candidates).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        assert!(has_scheme("https://x"));
        assert!(has_scheme("mailto:a@b"));
        assert!(!has_scheme("a/b:c.md"));
        assert!(!has_scheme("file.md"));
    }

    #[test]
    fn dangerous_schemes_are_read_as_browsers_read_them() {
        let cases = [
            ("javascript:alert(1)", false, Some("javascript")),
            ("JavaScript:alert(1)", false, Some("javascript")),
            ("java\tscript:alert(1)", false, Some("javascript")),
            ("\u{1} \n javascript:x", false, Some("javascript")),
            ("VBScript:x", false, Some("vbscript")),
            ("data:text/html,<script>", false, Some("data")),
            ("data:image/png;base64,AAA", false, Some("data")),
            ("data:image/png;base64,AAA", true, None),
            ("data:text/html,x", true, Some("data")),
            ("javascript:x", true, Some("javascript")),
            ("https://example.com", false, None),
            ("mailto:a@b", false, None),
            ("docs/javascript:x.md", false, None),
            ("x.md", false, None),
        ];
        for (dest, image, expected) in cases {
            assert_eq!(dangerous_scheme(dest, image), expected, "{dest:?}");
        }
    }

    #[test]
    fn issue_15_anchor_in_another_case_or_spelling() {
        let ids: HashSet<String> =
            ["birthday-gift-budget", "on-call", "setup-1"].iter().map(|s| (*s).to_owned()).collect();
        let cases = [
            ("Birthday-gift-budget", Some("birthday-gift-budget")),
            ("Birthday-Gift-Budget", Some("birthday-gift-budget")),
            ("BirthdayGiftBudget", Some("birthday-gift-budget")),
            ("birthday_gift_budget", Some("birthday-gift-budget")),
            ("On-Call", Some("on-call")),
            ("setup-2", Some("setup-1")),
            ("payroll", None),
            ("---", None),
        ];
        for (anchor, want) in cases {
            assert_eq!(similar_anchor(anchor, &ids).as_deref(), want, "{anchor}");
        }
    }

    #[test]
    fn normalizes() {
        assert_eq!(normalize("runbooks", "../adr/x.md"), "adr/x.md");
        assert_eq!(normalize("", "./a.md"), "a.md");
        assert_eq!(normalize("a/b", "../../c/"), "c/");
    }

    #[test]
    fn decodes() {
        assert_eq!(decode_path("a%20b.md"), "a b.md");
        assert_eq!(decode_path("100%"), "100%");
    }
}
