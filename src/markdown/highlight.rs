//! Syntax highlighting with syntect: CSS classes (not inline styles), one stylesheet per colour
//! scheme, the syntax set loaded once, and a cache of highlighted blocks by content hash so a
//! block repeated across pages is highlighted once.
//!
//! Syntaxes come from two-face (syntect's defaults plus TOML, Dockerfile, Terraform/HCL, nginx,
//! INI, Protobuf and others runbooks use). An unknown language renders as plain escaped code.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// Highlights code blocks; shared by all rendering threads.
pub struct Highlighter {
    syntaxes: SyntaxSet,
    /// Highlighted blocks by a hash of language and code (`lore serve` highlights the same
    /// blocks again on every edit); `None` keeps nothing.
    cache: Option<Mutex<HashMap<u64, Arc<str>>>>,
}

impl std::fmt::Debug for Highlighter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Highlighter").finish_non_exhaustive()
    }
}

impl Default for Highlighter {
    fn default() -> Self {
        Self::new()
    }
}

impl Highlighter {
    /// Loads the syntax set (tens of milliseconds: do it once per process).
    pub fn new() -> Self {
        Self { syntaxes: two_face::syntax::extra_newlines(), cache: Some(Mutex::new(HashMap::new())) }
    }

    /// A highlighter that keeps nothing it highlighted: for `lore build`, which highlights each
    /// block once (a kept cache held every block's HTML, about 100 MB at 10,000 pages).
    pub fn without_cache() -> Self {
        Self { syntaxes: two_face::syntax::extra_newlines(), cache: None }
    }

    /// The inner HTML of `<code>` for `code` in language `lang`: classed spans, or escaped text
    /// when the language is unknown.
    pub fn highlight(&self, lang: &str, code: &str) -> Arc<str> {
        let key = xxhash_rust::xxh3::xxh3_64_with_seed(
            code.as_bytes(),
            xxhash_rust::xxh3::xxh3_64(lang.as_bytes()),
        );
        if let Some(hit) = self.cache.as_ref().and_then(|c| {
            c.lock()
                .expect("the cache lock is never poisoned: highlighting does not panic")
                .get(&key)
                .cloned()
        }) {
            return hit;
        }
        let html: Arc<str> = match self.syntax(lang) {
            Some(syntax) => self.classed(syntax, code).unwrap_or_else(|| escape(code)).into(),
            None => escape(code).into(),
        };
        if let Some(cache) = &self.cache {
            cache
                .lock()
                .expect("the cache lock is never poisoned: highlighting does not panic")
                .insert(key, html.clone());
        }
        html
    }

    /// The syntax for a fence's language name, with the aliases people write.
    fn syntax(&self, lang: &str) -> Option<&SyntaxReference> {
        let lang = lang.to_ascii_lowercase();
        let token = match lang.as_str() {
            "" | "text" | "txt" | "plain" | "plaintext" | "output" => return None,
            "sh" | "shell" | "zsh" | "console" | "shell-session" | "shellsession" => "bash",
            "yml" => "yaml",
            "tf" | "terraform" | "hcl" => "tf",
            "docker" | "containerfile" => "Dockerfile",
            "proto" | "protobuf" => "proto",
            "conf" | "cfg" => "ini",
            "js" | "javascript" | "node" => "js",
            "ts" | "typescript" => "ts",
            "golang" => "go",
            "py" | "python3" => "python",
            "rs" => "rust",
            "postgresql" | "psql" | "postgres" => "sql",
            other => other,
        };
        self.syntaxes.find_syntax_by_token(token)
    }

    fn classed(&self, syntax: &SyntaxReference, code: &str) -> Option<String> {
        let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, &self.syntaxes, CLASS_STYLE);
        for line in LinesWithEndings::from(code) {
            generator.parse_html_for_line_which_includes_newline(line).ok()?;
        }
        Some(generator.finalize())
    }
}

/// The highlighting stylesheet: light colours unless the page is dark, dark ones under
/// `[data-theme="dark"]`. The light rules' scope is wrapped in `:where()`, so it adds no weight:
/// in the light scheme they cascade as syntect wrote them, and in the dark scheme none of them
/// can outrank a shorter dark rule.
pub fn stylesheet() -> String {
    use two_face::theme::EmbeddedThemeName;
    let themes = two_face::theme::extra();
    let light = css_for_theme_with_class_style(themes.get(EmbeddedThemeName::Github), CLASS_STYLE)
        .expect("the embedded theme always converts to CSS");
    let dark = css_for_theme_with_class_style(themes.get(EmbeddedThemeName::OneHalfDark), CLASS_STYLE)
        .expect("the embedded theme always converts to CSS");
    let mut css = String::from("/* Code highlighting: GitHub (light) and One Half Dark (dark). */\n");
    css.push_str(&scope(&strip_comments(&light), ":where(html:not([data-theme=\"dark\"]))"));
    css.push_str(&scope(&strip_comments(&dark), "html[data-theme=\"dark\"]"));
    css
}

fn strip_comments(css: &str) -> String {
    let mut out = String::new();
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = rest[start..].find("*/").map_or("", |end| &rest[start + end + 2..]);
    }
    out.push_str(rest);
    out
}

/// Prefixes every selector of a flat stylesheet with `scope`.
fn scope(css: &str, scope: &str) -> String {
    let mut out = String::new();
    for rule in css.split_inclusive('}') {
        match rule.split_once('{') {
            Some((selectors, body)) if !selectors.trim().is_empty() => {
                let scoped: Vec<String> =
                    selectors.split(',').map(|s| format!("{scope} {}", s.trim())).collect();
                out.push_str(&scoped.join(", "));
                out.push_str(" {");
                out.push_str(body);
                out.push('\n');
            }
            _ => out.push_str(rule),
        }
    }
    out
}

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_runbook_languages() {
        let h = Highlighter::new();
        for lang in
            ["bash", "sh", "toml", "dockerfile", "hcl", "terraform", "nginx", "ini", "proto", "yaml", "sql"]
        {
            let html = h.highlight(lang, "x = 1\n");
            assert!(html.contains("<span class=\"hl-"), "{lang}: {html}");
        }
    }

    #[test]
    fn unknown_language_is_escaped_text() {
        let h = Highlighter::new();
        assert_eq!(&*h.highlight("klingon", "<b> & 'q'\n"), "&lt;b&gt; &amp; &#39;q&#39;\n");
    }

    #[test]
    fn dark_rules_are_scoped() {
        let css = stylesheet();
        assert!(css.contains("html[data-theme=\"dark\"] .hl-"));
        let light = ":where(html:not([data-theme=\"dark\"])) .hl-";
        let dark = "html[data-theme=\"dark\"] .hl-";
        for selector in css.lines().filter(|l| l.contains('{')).flat_map(|l| l.split(',')) {
            let s = selector.trim();
            assert!(s.starts_with(light) || s.starts_with(dark), "an unscoped rule: {s}");
        }
        assert!(css.contains(light));
        assert!(!css.contains("/*\n"));
    }
}
