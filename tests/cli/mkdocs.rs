//! MkDocs and Backstage TechDocs projects (issue 15, part 3): without a `book.toml`, lore builds
//! from `mkdocs.yml`, its `nav` and the markdown MkDocs projects use (admonitions, collapsible
//! blocks, tabs, `[TOC]`, `--8<--` snippets). A `book.toml` site renders none of that syntax.

use crate::harness::SiteTest;

const IGNORED: &str = "mkdocs.yml:21:1: warning: lore ignores these `mkdocs.yml` settings: `markdown_extensions` (`pymdownx.emoji`); `plugins` (`techdocs-core`)
 21 | plugins:
    | ^
  = hint: lore uses its own theme and search, and renders admonitions, tabs, snippets and `[TOC]` itself

";

/// The titles of the sidebar rows of a built page, in order, each with its kind
/// (`link`/`part`).
fn sidebar(html: &str) -> Vec<String> {
    let nav = html.split("<ul class=\"nav\">").nth(1).and_then(|r| r.split("</ul>").next()).unwrap_or("");
    nav.split("<li class=\"")
        .skip(1)
        .map(|li| {
            let kind = li.split([' ', '"']).next().unwrap_or("");
            let text = li.split_once('>').map_or("", |(_, r)| r);
            let text = text.trim_start_matches(|c| c != '>' && text.starts_with('<')).trim_start_matches('>');
            let title: String = text
                .split('<')
                .find(|t| !t.trim().is_empty() && !t.starts_with('a'))
                .unwrap_or("")
                .to_owned();
            format!("{kind} {}", title.trim())
        })
        .collect()
}

#[test]
fn issue_15_techdocs_repository_builds_in_nav_order() {
    let site = SiteTest::fixture("mkdocs/techdocs").with_build_dir("site");
    let run = site.run(&["build", "."]);
    run.success().stderr_eq(&format!("{IGNORED}built 7 pages in [TIME] s → site/\n"));
    let home = run.page("index.html");
    assert_eq!(
        sidebar(&home),
        [
            "nav-link Overview",
            "nav-link Onboarding",
            "nav-part Runbooks",
            "nav-link Database failover",
            "nav-link Queue backlog",
            "nav-part Architecture",
            "nav-part Decisions",
            "nav-link Use PostgreSQL for the ledger",
            "nav-link Context",
            "nav-link Status page",
        ]
    );
    assert!(home.contains("<a href=\"https://status.example.com/\">Status page</a>"), "external link");
    // A section index page opens its section.
    assert_eq!(
        sidebar(&run.page("onboarding/first-day/index.html"))[1..3],
        ["nav-link Onboarding".to_owned(), "nav-link First day".to_owned()]
    );
    // Previous/next follow `nav`.
    let runbook = run.page("runbooks/db-failover/index.html");
    assert!(runbook.contains("<span>Previous</span>Your first day</a>"), "{runbook}");
    assert!(runbook.contains("<span>Next</span>Queue backlog</a>"), "{runbook}");
    assert!(runbook.contains(
        "<a href=\"https://github.com/acme/payments-platform/edit/main/docs/runbooks/db-failover.md\">Edit this page</a>"
    ));
    site.run(&["check", "."]).success();
}

#[test]
fn issue_15_mkdocs_markdown() {
    let site = SiteTest::fixture("mkdocs/techdocs").with_build_dir("site");
    let run = site.run(&["-q", "build", "."]);
    run.success();
    insta::assert_snapshot!(run.main_of("runbooks/db-failover/index.html"));
    let home = run.main_of("index.html");
    assert!(
        home.contains("<nav class=\"toc-inline\" aria-label=\"Contents\"><ul><li class=\"toc-h2\"><a href=\"#where-to-start\">Where to start</a></li><li class=\"toc-h2\"><a href=\"#getting-help\">Getting help</a></li></ul></nav>"),
        "{home}"
    );
    let context = run.main_of("architecture/context/index.html");
    assert!(context.contains("<p>The API calls the ledger; the ledger calls PostgreSQL.</p>"), "{context}");
    assert!(!context.contains("Not included") && !context.contains("--8&lt;--"), "{context}");
    let first_day = run.main_of("onboarding/first-day/index.html");
    assert!(first_day.contains("<input type=\"radio\" name=\"__tabbed_1\" id=\"__tabbed_1_3\"><label for=\"__tabbed_1_3\">Windows</label>"), "{first_day}");
    assert!(first_day.contains("<details class=\"callout callout-tip admonition-tip\"><summary class=\"callout-title\">Why a VPN?</summary>"), "{first_day}");
    // Front matter as MkDocs has it: title, description, tags.
    let page = run.page("onboarding/first-day/index.html");
    assert!(page.contains("<title>Your first day"), "title");
    assert!(page.contains("<span class=\"tag\">onboarding</span><span class=\"tag\">access</span>"), "tags");
    assert!(
        run.page("onboarding/index.html").contains("What a new engineer on the payments team does first")
    );
}

#[test]
fn issue_15_mdbook_sites_render_no_mkdocs_syntax() {
    let site = SiteTest::empty("mkdocs-syntax-off");
    site.write("book.toml", "");
    site.write("src/README.md", "# Home\n\n!!! note \"Title\"\n    Body.\n\n[TOC]\n\n--8<-- \"x.md\"\n");
    let run = site.run(&["-q", "build"]);
    let main = run.success().main_of("index.html");
    assert!(
        main.contains("<p>!!! note \"Title\"\nBody.</p>\n<p>[TOC]</p>\n<p>--8&lt;-- \"x.md\"</p>"),
        "{main}"
    );
}
