//! Which URLs a data field may hold: the one check for every value that lore turns into a link
//! on its own (front-matter `dashboards`, `[output.html] git-repository-url` and
//! `edit-url-template`, `[freshness] how-to-verify`).
//!
//! A data field accepts `http:`, `https:`, `mailto:` and relative URLs. Anything else
//! (`javascript:`, `data:`, `vbscript:`, `file:`, …) runs code or reads local files when clicked,
//! and a docs pull request must not be able to plant one (DESIGN.md, Trust model). Markdown
//! links in page bodies are a different rule (warned and rendered inert by `markdown`).

/// Schemes a data field may use.
pub const ALLOWED_SCHEMES: &[&str] = &["http", "https", "mailto"];

/// A URL's scheme as a browser reads it, lowercased; `None` for a relative URL.
///
/// Follows the WHATWG URL parser where it matters for safety: leading and trailing spaces and
/// control characters are dropped and tabs and newlines removed anywhere, so ` javascript:`,
/// `JaVaScRiPt:` and `java\tscript:` all have the scheme `javascript`.
pub fn scheme(url: &str) -> Option<String> {
    let trimmed = url.trim_matches(|c: char| c <= ' ');
    let cleaned: String = trimmed.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let colon = cleaned.find(':')?;
    let candidate = &cleaned[..colon];
    let mut chars = candidate.chars();
    let first = chars.next()?;
    let valid = first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| candidate.to_ascii_lowercase())
}

/// The scheme that makes `url` unfit for a data field, if any.
pub fn unsafe_scheme(url: &str) -> Option<String> {
    scheme(url).filter(|s| !ALLOWED_SCHEMES.contains(&s.as_str()))
}

/// The error message and hint for a data field `key` whose URL has the scheme `scheme`.
pub fn message(key: &str, url: &str, scheme: &str) -> (String, &'static str) {
    (
        format!("`{key}` has a `{scheme}:` URL: `{url}`"),
        "links in data fields must be `http:`, `https:`, `mailto:` or relative URLs",
    )
}

#[cfg(test)]
mod tests {
    use super::unsafe_scheme;

    #[test]
    fn only_web_mail_and_relative_urls_pass() {
        let cases = [
            ("https://grafana.example/d/1", None),
            ("http://x", None),
            ("mailto:oncall@example.com", None),
            ("HTTPS://x", None),
            ("../runbooks/db/", None),
            ("/abs/path", None),
            ("#anchor", None),
            ("?q=a:b", None),
            ("dir/a:b", None),
            ("//cdn.example/x", None),
            ("", None),
            ("javascript:alert(1)", Some("javascript")),
            ("JaVaScRiPt:alert(1)", Some("javascript")),
            (" javascript:alert(1)", Some("javascript")),
            ("\u{1}javascript:alert(1)", Some("javascript")),
            ("java\tscr\nipt:alert(1)", Some("javascript")),
            ("data:text/html,<script>", Some("data")),
            ("vbscript:msgbox", Some("vbscript")),
            ("file:///etc/passwd", Some("file")),
        ];
        for (url, want) in cases {
            assert_eq!(unsafe_scheme(url).as_deref(), want, "{url:?}");
        }
    }
}
