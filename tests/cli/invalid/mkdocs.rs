//! Bad `mkdocs.yml` input and bad MkDocs markdown (issue 15): broken YAML, `nav` entries
//! without their page, snippets that leave the content root, and Python YAML tags. Each
//! problem is reported at its `file:line:col`, all together, and nothing is written.

use crate::harness::SiteTest;

/// A small MkDocs project with `mkdocs.yml` written as `config`.
fn mkdocs_site(name: &str, config: &str) -> SiteTest {
    let site = SiteTest::empty(name);
    // Content root = this site's own repository, not the worktree holding the test folders.
    std::fs::create_dir(site.path(".git")).expect("create .git");
    site.write("mkdocs.yml", config);
    site.write("docs/index.md", "# Home\n\nWelcome.\n");
    site.write("docs/guide/setup.md", "# Setup\n\nSteps.\n");
    site
}

#[test]
fn issue_15_broken_yaml_is_an_error_at_its_line() {
    let site = mkdocs_site("mkdocs-broken-yaml", "site_name: Docs\nnav:\n  - Home: index.md\n  - [Setup\n");
    site.run(&["build", "."]).code(2).stdout_empty().stderr_eq(
        "mkdocs.yml:4:5: error: invalid `mkdocs.yml`: unclosed bracket '['
 4 |   - [Setup
   |     ^

error: found 1 error
",
    );
    assert!(!site.path("site").exists(), "nothing written");
}

#[test]
fn issue_15_nav_entries_without_their_page() {
    let config = "site_name: Docs\nnav:\n  - Home: index.md\n  - Setup: {a: b}\n  - 3\n  - guide/setup.md\n";
    let site = mkdocs_site("mkdocs-nav-missing", config);
    site.run(&["build", "."]).code(2).stdout_empty().stderr_eq(
        "mkdocs.yml:4:5: error: `nav` entry `Setup` must name a page, a URL or a list
 4 |   - Setup: {a: b}
   |     ^
  = hint: write `- Title: page.md` or `- Section:` followed by its entries

mkdocs.yml:5:5: error: `nav` entries must be `- page.md`, `- Title: page.md` or `- Section: [...]`
 5 |   - 3
   |     ^

error: found 2 errors
",
    );
    site.write("mkdocs.yml", "site_name: Docs\nnav:\n  - Home: index.md\n  - Guide:\n    - Gone: guide/gone.md\n    - guide/setup.md\n");
    site.run(&["check", "."]).code(1).stdout_empty().stderr_eq(
        "mkdocs.yml:5:13: error: `nav` names `guide/gone.md`, which does not exist
 5 |     - Gone: guide/gone.md
   |             ^
  = hint: paths in `nav` are relative to `docs_dir`; create the page or fix the path

error: found 1 error
",
    );
    site.run(&["build", "."]).code(2);
    assert!(!site.path("site").exists(), "nothing written");
}

#[test]
fn issue_15_snippets_stay_inside_the_content_root() {
    let site = mkdocs_site("mkdocs-snippet-escape", "site_name: Docs\n");
    let outside = site
        .root()
        .parent()
        .expect("a parent")
        .join(format!("{}-outside.md", site.root().file_name().expect("a name").to_string_lossy()));
    std::fs::write(&outside, "secret\n").expect("write outside");
    let name = outside.file_name().expect("a name").to_string_lossy().into_owned();
    site.write("docs/index.md", format!("# Home\n\n--8<-- \"../{name}\"\n\n  --8<-- \".git/config\"\n"));
    site.write(".git/config", "[remote]\ntoken = x\n");
    let run = site.run(&["build", "."]);
    std::fs::remove_file(&outside).expect("remove outside");
    run.code(2).stdout_empty().stderr_eq(&format!(
        "docs/index.md:3:1: error: cannot include `../{name}`: `[ROOT]-outside.md` is outside the content root
 3 | --8<-- \"../{name}\"
   | ^
  = hint: pages may include files under `[ROOT]` only; list other folders in `extra-roots` of `[build]` in `book.toml`

docs/index.md:5:3: error: cannot include `.git/config`: `.git/config` is inside a `.git` folder
 5 |   --8<-- \".git/config\"
   |   ^
  = hint: lore never reads from `.git`: it may hold credentials

error: found 2 errors
"
    ));
    assert!(!site.path("site").exists(), "nothing written");
}

#[test]
fn issue_15_python_yaml_tags_and_unknown_keys_do_not_fail() {
    let config = "site_name: Docs\nsite_nmae: x\nnav:\n  - Home: index.md\n  - guide/setup.md\nmarkdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n  - pymdownx.slugs: !!python/object/apply:pymdownx.slugs.slugify {kwds: {case: lower}}\nsite_url: !ENV [SITE_URL, 'https://docs.example.com/']\n";
    let site = mkdocs_site("mkdocs-python-tags", config);
    let run = site.run(&["build", "."]);
    run.success().stderr_eq(
        "mkdocs.yml:2:1: warning: unknown key `site_nmae` in `mkdocs.yml`; ignored
 2 | site_nmae: x
   | ^
  = hint: did you mean `site_name`?

mkdocs.yml:6:1: warning: lore ignores these `mkdocs.yml` settings: `markdown_extensions` (`pymdownx.emoji`, `pymdownx.slugs`)
 6 | markdown_extensions:
   | ^
  = hint: lore uses its own theme and search, and renders admonitions, tabs, snippets and `[TOC]` itself

built 2 pages in [TIME] s → site/
",
    );
    assert!(site.read("site/guide/setup/index.html").contains("<title>Setup"));
    // `!ENV [NAME, default]` is read as its default: lore does not read the environment.
    assert!(site.read("site/sitemap.xml").contains("<loc>https://docs.example.com/guide/setup/</loc>"));
}
