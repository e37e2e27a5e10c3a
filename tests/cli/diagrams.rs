//! Diagrams in pages (issue 12, "Diagrams in pages"): a `mermaid` fence stays its source text in
//! `<pre class="mermaid">`; the theme's copy of mermaid is written only for a site with a
//! diagram and loaded only by the pages holding one; `[output.html] mermaid = false` keeps the
//! fence a code block. That the script draws the diagram is the browser tests' part.

use crate::harness::SiteTest;

const DIAGRAM: &str = "# Architecture\n\n```mermaid\nflowchart TB\n  a[\"<b>edge</b>\"] --> b[api]\n```\n";

/// A site of a page with a diagram (`arch.md`) and one without (`plain.md`).
fn site(name: &str, book_toml: &str) -> SiteTest {
    let site = SiteTest::empty(name);
    site.write("book.toml", book_toml)
        .write("src/README.md", "# Home\n")
        .write("src/arch.md", DIAGRAM)
        .write("src/plain.md", "# Plain\n\n```sh\nls\n```\n");
    site
}

/// The site's file names under `assets/` starting with `mermaid`.
fn diagram_assets(site: &SiteTest) -> Vec<String> {
    site.files("book/assets").into_keys().filter(|n| n.starts_with("mermaid")).collect()
}

/// The diagram script the build wrote: its name under `assets/`.
fn script_name(site: &SiteTest) -> String {
    let names = diagram_assets(site);
    let scripts: Vec<&String> = names.iter().filter(|n| n.ends_with(".js")).collect();
    assert_eq!(scripts.len(), 1, "one diagram script: {names:?}");
    scripts[0].clone()
}

#[test]
fn issue_12_a_page_with_a_diagram_loads_the_script() {
    let site = site("diagrams-on", "[book]\ntitle = \"Diagrams\"\n");
    let run = site.run(&["build"]);
    run.success();
    let script = script_name(&site);
    assert!(
        script.starts_with("mermaid.min.") && script.len() == "mermaid.min.12345678.js".len(),
        "{script}"
    );
    // The vendored build, unchanged, and its licence beside it.
    let written = std::fs::read(site.path(&format!("book/assets/{script}"))).expect("the script");
    let vendored = include_bytes!("../../themes/default/assets/mermaid.min.js");
    assert!(written == vendored, "the script is the theme's copy of mermaid");
    assert_eq!(diagram_assets(&site), ["mermaid.LICENSE".to_owned(), script.clone()]);
    assert!(site.read("book/assets/mermaid.LICENSE").contains("The MIT License"));

    let page = run.page("arch/index.html");
    assert!(page.contains(&format!("<script src=\"../assets/{script}\" defer></script>")), "{page}");
    // The source stays readable text; its markup is escaped, never HTML.
    let main = run.main_of("arch/index.html");
    assert!(
        main.contains("<pre class=\"mermaid\">flowchart TB\n  a[&quot;&lt;b&gt;edge&lt;/b&gt;&quot;] --&gt; b[api]\n</pre>"),
        "{main}"
    );
    for other in ["plain/index.html", "index.html", "404.html", "freshness/index.html"] {
        assert!(!run.page(other).contains("mermaid"), "{other} loads no diagram script");
    }
}

#[test]
fn issue_12_a_site_without_diagrams_gets_no_script() {
    let site = site("diagrams-none", "[book]\ntitle = \"Diagrams\"\n");
    site.remove("src/arch.md");
    let run = site.run(&["build"]);
    run.success();
    assert_eq!(diagram_assets(&site), Vec::<String>::new());
    assert!(!run.page("plain/index.html").contains("mermaid"));
}

#[test]
fn issue_12_mermaid_false_keeps_the_fence_a_code_block() {
    let site = site("diagrams-off", "[book]\ntitle = \"Diagrams\"\n\n[output.html]\nmermaid = false\n");
    let run = site.run(&["build"]);
    run.success().stderr_eq("built 3 pages in [TIME] s → book/\n");
    assert_eq!(diagram_assets(&site), Vec::<String>::new(), "no script written");
    let page = run.page("arch/index.html");
    assert!(!page.contains("<script src=\"../assets/mermaid"), "{page}");
    assert!(
        page.contains("<pre class=\"code\" data-lang=\"mermaid\"><code>flowchart TB\n  a[&quot;&lt;b&gt;edge&lt;/b&gt;&quot;] --&gt; b[api]\n</code></pre>"),
        "{page}"
    );
}

/// The build cache keeps whether a page has a diagram, and turning diagrams off renders the
/// page again rather than reuse a rendering made with them on.
#[test]
fn issue_12_the_build_cache_keeps_diagrams() {
    let site = site("diagrams-cache", "[book]\ntitle = \"Diagrams\"\n");
    site.run(&["build"]).success();
    let first = site.files("book");
    let again = site.run(&["build", "-v"]);
    again.success().stderr_contains("3 of 3 pages reused from the build cache");
    assert!(site.files("book") == first, "a cached build writes the same site");
    site.write("book.toml", "[book]\ntitle = \"Diagrams\"\n\n[output.html]\nmermaid = false\n");
    let off = site.run(&["build", "-v"]);
    off.success().stderr_contains("0 of 3 pages reused from the build cache");
    assert!(off.page("arch/index.html").contains("data-lang=\"mermaid\""));
    assert_eq!(diagram_assets(&site), Vec::<String>::new());
}

/// A theme may bring its own diagram script (`[output.html] mermaid = false` is for sites that
/// load theirs another way): `theme/assets/mermaid.min.js` replaces the bundled copy.
#[test]
fn issue_12_a_theme_replaces_the_diagram_script() {
    let site = site("diagrams-theme", "[book]\ntitle = \"Diagrams\"\n");
    site.write("theme/assets/mermaid.min.js", "window.mermaid = {};\n");
    let run = site.run(&["build"]);
    run.success();
    let script = script_name(&site);
    assert_eq!(site.read(&format!("book/assets/{script}")), "window.mermaid = {};\n");
    assert!(run.page("arch/index.html").contains(&format!("../assets/{script}")));
}
