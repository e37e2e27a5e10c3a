//! Markdown → HTML on small inputs: one behaviour per test, the exact HTML asserted.

use std::path::PathBuf;

use super::*;
use crate::config::SiteConfig;
use crate::content::{Content, Page, SourceFile};

/// A site of pages given as (relative path, text); renders the first one.
fn render_first(pages: &[(&str, &str)]) -> Rendered {
    render_first_with(&SiteConfig::for_tests(std::path::Path::new(".")), pages)
}

/// [`render_first`] with `config`.
fn render_first_with(config: &SiteConfig, pages: &[(&str, &str)]) -> Rendered {
    let mut content = Content::default();
    for (rel, text) in pages {
        let source =
            SourceFile { path: PathBuf::from(rel), rel: (*rel).to_owned(), shown: PathBuf::from(rel) };
        let (page, _) = Page::from_text(source, (*text).to_owned(), config).unwrap();
        content.pages.push(page);
    }
    let (site, _) = crate::site::build(content, config);
    let first = site.by_source[pages[0].0];
    render(first, &site, &Highlighter::new(), true)
}

fn html(markdown: &str) -> String {
    render_first(&[("a.md", markdown)]).html
}

#[test]
fn leading_h1_is_the_title_not_body() {
    assert_eq!(html("# Title\n\nText\n"), "<p>Text</p>\n");
}

#[test]
fn heading_ids_are_slugged_and_deduplicated() {
    let out = html("## Check the DB!\n\n## Check the DB!\n\n### Custom {#mine}\n");
    assert_eq!(
        out,
        "<h2 id=\"check-the-db\">Check the DB!<a class=\"anchor\" href=\"#check-the-db\" aria-label=\"Link to this section\">#</a></h2>\n\
         <h2 id=\"check-the-db-1\">Check the DB!<a class=\"anchor\" href=\"#check-the-db-1\" aria-label=\"Link to this section\">#</a></h2>\n\
         <h3 id=\"mine\">Custom<a class=\"anchor\" href=\"#mine\" aria-label=\"Link to this section\">#</a></h3>\n"
    );
}

#[test]
fn toc_has_levels_two_and_three() {
    let r = render_first(&[("a.md", "## One\n### Two\n#### Three\n")]);
    let toc: Vec<(u8, &str)> = r.toc.iter().map(|e| (e.level, e.id.as_str())).collect();
    assert_eq!(toc, [(2, "one"), (3, "two")]);
}

#[test]
fn gfm_alert_is_a_callout() {
    assert_eq!(
        html("> [!WARNING]\n> Do not restart.\n"),
        "<div class=\"callout callout-warning\" role=\"note\">\n<p class=\"callout-title\">Warning</p>\n<p>Do not restart.</p>\n</div>\n"
    );
}

/// Issue 15: text on the marker line is the callout's title (as Obsidian renders it; GitHub
/// would show a plain quote), with the rest of the quote its body; a plain quote stays a quote.
#[test]
fn issue_15_callout_with_a_title_on_the_marker_line() {
    assert_eq!(
        html("> [!NOTE] This is just a suggestion <b>\n> Ask in #ops first.\n"),
        "<div class=\"callout callout-note\" role=\"note\">\n<p class=\"callout-title\">This is just a suggestion &lt;b&gt;</p>\n<p>Ask in #ops first.</p>\n</div>\n"
    );
    assert_eq!(
        html("> [!tip] Only a title\n\nAfter.\n"),
        "<div class=\"callout callout-tip\" role=\"note\">\n<p class=\"callout-title\">Only a title</p>\n</div>\n<p>After.</p>\n"
    );
    assert_eq!(
        html("> [!NOTE]\n> Body.\n"),
        "<div class=\"callout callout-note\" role=\"note\">\n<p class=\"callout-title\">Note</p>\n<p>Body.</p>\n</div>\n"
    );
    assert_eq!(html("> [!TODO] Not a kind\n"), "<blockquote>\n<p>[!TODO] Not a kind</p>\n</blockquote>\n");
    assert_eq!(
        html("> Outer\n>\n> > [!WARNING] Inner\n> > Careful.\n"),
        "<blockquote>\n<p>Outer</p>\n<div class=\"callout callout-warning\" role=\"note\">\n<p class=\"callout-title\">Inner</p>\n<p>Careful.</p>\n</div>\n</blockquote>\n"
    );
    let r = render_first(&[(
        "a.md",
        "Intro.\n\n> [!NOTE] Titled\n> Body.\n\nTerm\n: Definition\n\nNext\n: Other\n",
    )]);
    assert!(r.text.contains("Titled Body."), "{:?}", r.text);
    assert!(r.text.contains("Term Definition Next Other"), "definition list parts keep apart: {:?}", r.text);
}

#[test]
fn mermaid_stays_text() {
    let r = render_first(&[("a.md", "```mermaid\ngraph TD; A-->B\n```\n")]);
    assert_eq!(r.html, "<pre class=\"mermaid\">graph TD; A--&gt;B\n</pre>\n");
    assert!(r.diagrams, "the page loads the diagram script");
    assert!(!render_first(&[("a.md", "```sh\nls\n```\n")]).diagrams, "a page without one does not");
}

/// Issue 12, diagrams: markup inside a diagram fence is escaped text, never HTML.
#[test]
fn issue_12_mermaid_markup_is_text() {
    let r = render_first(&[(
        "a.md",
        "```mermaid\ngraph TD; A[\"<script>x()</script>\"]-->B[<img src=x onerror=y()>]\n```\n",
    )]);
    assert_eq!(
        r.html,
        "<pre class=\"mermaid\">graph TD; A[&quot;&lt;script&gt;x()&lt;/script&gt;&quot;]--&gt;B[&lt;img src=x onerror=y()&gt;]\n</pre>\n"
    );
}

/// Issue 12, diagrams: `[output.html] mermaid = false` keeps the fence a code block.
#[test]
fn issue_12_mermaid_off_is_a_code_block() {
    let mut config = SiteConfig::for_tests(std::path::Path::new("."));
    config.mermaid = false;
    let r = render_first_with(&config, &[("a.md", "```mermaid\ngraph TD; A-->B\n```\n")]);
    assert_eq!(r.html, "<pre class=\"code\" data-lang=\"mermaid\"><code>graph TD; A--&gt;B\n</code></pre>\n");
    assert!(!r.diagrams);
}

#[test]
fn unknown_language_is_plain_escaped_code() {
    assert_eq!(
        html("```klingon\n<q>\n```\n"),
        "<pre class=\"code\" data-lang=\"klingon\"><code>&lt;q&gt;\n</code></pre>\n"
    );
}

#[test]
fn tables_footnotes_tasks_strikethrough_definitions() {
    let out = html("| a |\n|---|\n| b |\n\nx[^1] ~~y~~\n\n[^1]: note\n\n- [x] done\n\nTerm\n: Definition\n");
    assert!(out.contains("<div class=\"table-wrap\"><table>"), "{out}");
    assert!(out.contains("<sup class=\"footnote-reference\">"), "{out}");
    assert!(out.contains("<del>y</del>"), "{out}");
    assert!(out.contains("<input disabled=\"\" type=\"checkbox\" checked=\"\"/>"), "{out}");
    assert!(out.contains("<dl>\n<dt>Term</dt>\n<dd>Definition</dd>\n</dl>"), "{out}");
}

#[test]
fn raw_html_passes_through() {
    assert_eq!(
        html("<details><summary>More</summary>x</details>\n"),
        "<details><summary>More</summary>x</details>\n"
    );
}

#[test]
fn md_links_become_relative_pretty_urls() {
    let r = render_first(&[
        ("runbooks/db.md", "[adr](../adr/0001-x.md#context) [home](../README.md) [ext](https://x.example)"),
        ("adr/0001-x.md", "## Context\n"),
        ("README.md", "home"),
    ]);
    assert_eq!(
        r.html,
        "<p><a href=\"../../adr/0001-x/#context\">adr</a> <a href=\"../../\">home</a> <a href=\"https://x.example\">ext</a></p>\n"
    );
    assert!(r.diagnostics.is_empty());
    assert_eq!(r.anchor_refs.len(), 1);
}

#[test]
fn broken_link_is_an_error_at_its_file_line() {
    let r = render_first(&[("a.md", "---\ntitle: A\n---\n\nSee [b](b.md).\n")]);
    let messages: Vec<String> = r.diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "a.md:5:5: error: broken link: `b.md` does not exist\n 5 | See [b](b.md).\n   |     ^\n  = hint: links are relative to this file; check the path and its case"
        ]
    );
}

#[test]
fn hugo_shortcode_is_a_warning() {
    let r = render_first(&[("a.md", "Intro\n\nSee {{< ref \"x.md\" >}} here.\n")]);
    assert_eq!(r.diagnostics.len(), 1);
    assert_eq!(r.diagnostics[0].message, "unsupported Hugo shortcode `ref`, left as text");
    assert_eq!(r.diagnostics[0].span.as_ref().unwrap().line, 3);
}

#[test]
fn slugs() {
    assert_eq!(slugify("Hello, World!"), "hello-world");
    assert_eq!(slugify("  Día 1: café  "), "día-1-café");
    assert_eq!(slugify("a_b-c"), "a_b-c");
}

#[test]
fn issue_11_script_link_written_with_an_entity_or_a_reference_is_inert() {
    let r = render_first(&[("a.md", "[x](javascript&#58;alert(1)) [y][r]\n\n[r]: JavaScript:alert(2)\n")]);
    assert_eq!(r.html, "<p><a href=\"#\">x</a> <a href=\"#\">y</a></p>\n");
    let warnings: Vec<String> =
        r.diagnostics.iter().map(|d| d.to_string().lines().next().unwrap_or("").to_owned()).collect();
    assert_eq!(
        warnings,
        [
            "a.md:1:1: warning: link to a `javascript:` URL, rendered inert",
            "a.md:1:30: warning: link to a `javascript:` URL, rendered inert",
        ]
    );
}
