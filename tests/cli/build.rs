//! `lore build` on good input: the files a site gets, the links inside them, and the pages a
//! reader sees. The site is `fixtures/build/basic`: a home page, `runbooks/` with a README and
//! two runbooks, `adr/` without a README (so lore generates its listing) and an image.

use std::collections::BTreeSet;
use std::path::Path;

use crate::harness::{SiteTest, main_region};

fn basic() -> SiteTest {
    SiteTest::fixture("build/basic")
}

/// The HTML files of a build folder, relative to it.
fn html_files(site: &SiteTest, build_dir: &str) -> BTreeSet<String> {
    site.files(build_dir).into_keys().filter(|p| p.ends_with(".html")).collect()
}

#[test]
fn every_page_gets_a_pretty_url() {
    let site = basic();
    site.run(&["build"]).success().stdout_empty().stderr_eq("built 7 pages in [TIME] s → book/\n");
    let expected = [
        "404.html",
        "adr/0001-use-postgresql/index.html",
        "adr/0002-use-kafka-for-events/index.html",
        "adr/index.html",
        "freshness/index.html",
        "index.html",
        // Owners and tags each get an index and a page per value.
        "owners/dba-team/index.html",
        "owners/index.html",
        "owners/platform-team/index.html",
        "runbooks/cache-flush/index.html",
        "runbooks/db-failover/index.html",
        "runbooks/index.html",
        "tags/database/index.html",
        "tags/index.html",
        "tags/postgres/index.html",
    ];
    assert_eq!(html_files(&site, "book"), expected.iter().map(|s| (*s).to_owned()).collect());
}

#[test]
fn links_are_rewritten_relative_to_each_page() {
    let site = basic();
    let run = site.run(&["build"]);
    run.success();
    let runbook = run.page("runbooks/db-failover/index.html");
    assert!(runbook.contains(r#"<a href="../../adr/0001-use-postgresql/#context">the decision</a>"#));
    assert!(runbook.contains(r#"<a href="../../runbooks/cache-flush/">Cache flush</a>"#));
    assert!(runbook.contains(r#"<img src="../../images/topology.png" alt="Replication topology" />"#));
    let home = run.page("index.html");
    assert!(home.contains(r#"<a href="runbooks/db-failover/">database failover runbook</a>"#));
    assert!(home.contains(r#"<a href="adr/0001-use-postgresql/">why we use PostgreSQL</a>"#));
}

#[test]
fn every_internal_link_and_anchor_resolves_in_the_output() {
    let site = basic();
    site.run(&["build"]).success();
    let out = site.path("book");
    let mut checked = 0;
    for page in html_files(&site, "book") {
        let html = site.read(&format!("book/{page}"));
        for url in urls_in(&html) {
            if let Some(problem) = check_url(&out, &page, &url) {
                panic!("{page}: {problem}");
            }
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} links checked");
}

/// Every `href`/`src` value of a page.
fn urls_in(html: &str) -> Vec<String> {
    let mut urls = Vec::new();
    for attr in [" href=\"", " src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find('"').expect("a closed attribute");
            urls.push(rest[..end].replace("&amp;", "&"));
            rest = &rest[end..];
        }
    }
    urls
}

/// Why `url`, found in `page`, does not lead to a file (and heading) of the site.
fn check_url(out: &Path, page: &str, url: &str) -> Option<String> {
    if url.starts_with("https://") || url.starts_with("mailto:") {
        return None;
    }
    let (path, fragment) = url.split_once('#').unwrap_or((url, ""));
    let base = if page == "404.html" && path.starts_with('/') {
        // Served at any depth, the 404 page links from the site root.
        out.to_path_buf()
    } else if path.starts_with('/') || path.starts_with("//") {
        return Some(format!("`{url}` is not relative"));
    } else {
        out.join(page).parent().expect("a page has a folder").to_path_buf()
    };
    let mut target = base.join(path.trim_start_matches('/'));
    if path.is_empty() || path.ends_with('/') {
        target = target.join("index.html");
    }
    let Ok(text) = std::fs::read(&target) else {
        return Some(format!("`{url}` leads to {}, which does not exist", target.display()));
    };
    let id = format!("id=\"{fragment}\"");
    let has_id = String::from_utf8_lossy(&text).contains(&id);
    (!fragment.is_empty() && !has_id).then(|| format!("`{url}`: no {id} in the target"))
}

#[test]
fn non_markdown_files_are_copied_unchanged() {
    let site = basic();
    site.run(&["build"]).success();
    let out = site.files("book");
    let source = site.files("src");
    assert_eq!(out["images/topology.png"], source["images/topology.png"]);
    assert_eq!(out["runbooks/snippets/promote.txt"], source["runbooks/snippets/promote.txt"]);
    assert!(!out.keys().any(|p| p.ends_with(".md")), "no markdown source is published");
}

#[test]
fn assets_have_hashed_names_and_every_page_links_them() {
    let site = basic();
    site.run(&["build"]).success();
    let assets: Vec<String> = site.files("book/assets").into_keys().collect();
    assert_eq!(assets.len(), 5, "{assets:?}");
    for (stem, ext) in
        [("lore", "css"), ("highlight", "css"), ("lore", "js"), ("search", "css"), ("search", "js")]
    {
        let hashed = |name: &&String| {
            name.strip_prefix(&format!("{stem}."))
                .and_then(|r| r.strip_suffix(&format!(".{ext}")))
                .is_some_and(|h| h.len() == 8 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        };
        assert_eq!(assets.iter().filter(hashed).count(), 1, "no {stem}.<hash8>.{ext} in {assets:?}");
    }
    let runbook = site.read("book/runbooks/db-failover/index.html");
    for name in &assets {
        assert!(runbook.contains(&format!("\"../../assets/{name}\"")), "{name} not linked");
    }
    let home = site.read("book/index.html");
    for name in &assets {
        assert!(home.contains(&format!("\"./assets/{name}\"")), "{name} not linked from home");
    }
}

#[test]
fn a_theme_asset_override_is_used_and_gets_its_own_hash() {
    let site = basic();
    site.run(&["build"]).success();
    let before: BTreeSet<String> = site.files("book/assets").into_keys().collect();
    site.write("theme/assets/lore.css", "body { color: rebeccapurple; }\n");
    site.run(&["build"]).success();
    let after = site.files("book/assets");
    let css: Vec<&String> = after.keys().filter(|p| p.starts_with("lore.") && p.ends_with(".css")).collect();
    assert_eq!(css.len(), 1);
    assert!(!before.contains(css[0].as_str()), "the hash must change with the contents");
    assert_eq!(after[css[0]], b"body { color: rebeccapurple; }\n");
}

#[test]
fn a_theme_template_override_replaces_the_embedded_one() {
    let site = basic();
    site.write(
        "theme/templates/page.html",
        "{% extends \"base.html\" %}{% block main %}<p class=\"custom\">{{ page.title }}</p>{% endblock main %}",
    );
    let run = site.run(&["build"]);
    run.success();
    let main = run.main_of("runbooks/cache-flush/index.html");
    assert!(main.contains("<p class=\"custom\">Cache flush</p>"), "{main}");
    // Listings keep the embedded `section.html` (the ADR folder's listing is the decision log).
    assert!(run.main_of("adr/index.html").contains("<table class=\"adr-table\">"));
}

#[test]
fn runbook_page() {
    let site = basic();
    let run = site.run(&["build"]);
    run.success();
    insta::assert_snapshot!(run.main_of("runbooks/db-failover/index.html"));
}

#[test]
fn generated_listing_for_a_folder_without_readme() {
    let site = basic();
    let run = site.run(&["build"]);
    run.success();
    insta::assert_snapshot!(run.main_of("adr/index.html"));
}

#[test]
fn breadcrumbs_and_previous_next_follow_the_navigation() {
    let site = basic();
    let run = site.run(&["build"]);
    run.success();
    let main = run.main_of("runbooks/db-failover/index.html");
    assert!(main.contains(
        "<ol>\n<li><a href=\"../../\">Home</a></li>\n<li><a href=\"../../runbooks/\">Runbooks</a></li>\n</ol>"
    ));
    assert!(main.contains(
        r#"<a class="pager-prev" href="../../runbooks/" rel="prev"><span>Previous</span>Runbooks</a>"#
    ));
    assert!(main.contains(
        r#"<a class="pager-next" href="../../runbooks/cache-flush/" rel="next"><span>Next</span>Cache flush</a>"#
    ));
    // The home page has no breadcrumbs and no previous page.
    let home = run.main_of("index.html");
    assert!(!home.contains("breadcrumbs"), "{home}");
    assert!(!home.contains("rel=\"prev\""), "{home}");
}

#[test]
fn edit_link_comes_from_the_template() {
    let site = basic();
    let run = site.run(&["build"]);
    run.success();
    assert!(run.page("runbooks/db-failover/index.html").contains(
        r#"<a href="https://git.example.com/acme/handbook/edit/main/src/runbooks/db-failover.md">Edit this page</a>"#
    ));
    // A generated listing has no source to edit.
    assert!(!run.page("adr/index.html").contains("Edit this page"));
}

#[test]
fn include_takes_the_line_range() {
    let site = basic();
    let run = site.run(&["build"]);
    run.success();
    let main = run.main_of("runbooks/db-failover/index.html");
    let code = "<pre class=\"code\" data-lang=\"text\"><code>psql -c &#39;select now() - pg_last_xact_replay_timestamp()&#39;\npg_ctl promote -D /var/lib/postgresql/data\n</code></pre>";
    assert!(main.contains(code), "{main}");
    assert!(!main.contains("not included"));
}

#[test]
fn repeated_headings_get_distinct_ids() {
    let site = basic();
    let run = site.run(&["build"]);
    run.success();
    let page = run.page("runbooks/db-failover/index.html");
    assert_eq!(page.matches("<h2 id=\"steps\">").count(), 1);
    assert_eq!(page.matches("<h2 id=\"steps-1\">").count(), 1);
    assert!(page.contains(r##"<li class="toc-h2"><a href="#steps">Steps</a></li>"##));
    assert!(page.contains(r##"<li class="toc-h2"><a href="#steps-1">Steps</a></li>"##));
}

#[test]
fn not_found_page_links_from_the_site_root() {
    let site = basic();
    let run = site.run(&["build"]);
    run.success();
    let page = run.page("404.html");
    assert!(page.contains("<h1>Page not found</h1>"));
    assert!(page.contains("<a class=\"site-title\" href=\"/\">"));
    assert!(page.contains("<link rel=\"stylesheet\" href=\"/assets/lore."));
}

#[test]
fn not_found_page_links_under_the_site_url_path() {
    // mdBook's own guide writes `site-url = "/mdBook/"`: a path, not a full URL.
    for site_url in ["https://docs.example.com/handbook/", "/handbook/"] {
        let site = basic();
        site.append("book.toml", &format!("site-url = \"{site_url}\"\n"));
        let run = site.run(&["build"]);
        run.success();
        let page = run.page("404.html");
        assert!(page.contains("<a class=\"site-title\" href=\"/handbook/\">"), "{site_url}");
        assert!(page.contains("<link rel=\"stylesheet\" href=\"/handbook/assets/lore."), "{site_url}");
        assert!(page.contains("<a href=\"/handbook/runbooks/\">Runbooks</a>"), "{site_url}");
    }
}

/// Generated pages a reader browses (taxonomies, the freshness dashboard) are listed too; alert
/// redirects are not (there are none in this fixture's runbooks).
#[test]
fn sitemap_only_when_site_url_is_set() {
    let site = basic();
    site.run(&["build"]).success().no_file("sitemap.xml");

    site.append("book.toml", "site-url = \"https://docs.example.com/ops\"\n");
    let run = site.run(&["build"]);
    run.success();
    let expected = r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://docs.example.com/ops/</loc></url>
  <url><loc>https://docs.example.com/ops/adr/</loc></url>
  <url><loc>https://docs.example.com/ops/adr/0001-use-postgresql/</loc></url>
  <url><loc>https://docs.example.com/ops/adr/0002-use-kafka-for-events/</loc></url>
  <url><loc>https://docs.example.com/ops/freshness/</loc></url>
  <url><loc>https://docs.example.com/ops/owners/</loc></url>
  <url><loc>https://docs.example.com/ops/owners/dba-team/</loc></url>
  <url><loc>https://docs.example.com/ops/owners/platform-team/</loc></url>
  <url><loc>https://docs.example.com/ops/runbooks/</loc></url>
  <url><loc>https://docs.example.com/ops/runbooks/cache-flush/</loc></url>
  <url><loc>https://docs.example.com/ops/runbooks/db-failover/</loc><lastmod>2026-01-15</lastmod></url>
  <url><loc>https://docs.example.com/ops/tags/</loc></url>
  <url><loc>https://docs.example.com/ops/tags/database/</loc></url>
  <url><loc>https://docs.example.com/ops/tags/postgres/</loc></url>
</urlset>
"#;
    assert_eq!(run.page("sitemap.xml"), expected);
}

#[test]
fn two_builds_of_the_same_input_are_byte_identical() {
    let site = basic();
    site.run(&["build"]).success();
    let first = site.files("book");
    site.run(&["build"]).success();
    let second = site.files("book");
    assert_eq!(first.keys().collect::<Vec<_>>(), second.keys().collect::<Vec<_>>());
    for (path, bytes) in &first {
        assert!(bytes == &second[path], "{path} differs between two builds");
    }
    assert!(first.len() > 10);
}

#[test]
fn a_rebuild_drops_pages_whose_source_is_gone() {
    let site = basic();
    site.run(&["build"]).success().file("adr/0002-use-kafka-for-events/index.html");
    site.remove("src/adr/0002-use-kafka-for-events.md");
    site.run(&["build"]).success().no_file("adr/0002-use-kafka-for-events/index.html");
    let entries: Vec<String> = std::fs::read_dir(site.root())
        .expect("read the site")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n != ".lore")
        .collect();
    assert!(entries.is_empty(), "temporary folders left behind: {entries:?}");
}

#[test]
fn an_empty_folder_builds_an_empty_site() {
    let site = SiteTest::empty("build-empty").with_build_dir("docs/book");
    std::fs::create_dir(site.path("docs")).expect("create docs");
    let run = site.run(&["build", "docs"]);
    run.success().stderr_eq(
        "warning: no source folder `docs/src`: building an empty site
  = hint: put your markdown in `src/`, or set `src` in `[book]` of `book.toml`

built 1 page in [TIME] s → docs/book/
",
    );
    let mut files: Vec<String> = site.files("docs/book").into_keys().collect();
    assert_eq!(files.remove(0), ".lore-build", "lore marks its build folder");
    assert_eq!(files.len(), 8, "{files:?}");
    assert_eq!(files[0], "404.html");
    assert!(files[1..4].iter().all(|f| f.starts_with("assets/")), "{files:?}");
    assert_eq!(files[4..6], ["freshness.json", "freshness/index.html"], "{files:?}");
    // The manifest an organisation portal reads (issue 16).
    assert_eq!(files[6..8], ["index.html", "lore-site.json"]);
    let home = run.page("index.html");
    assert!(home.starts_with("<!DOCTYPE html>"));
    assert!(home.trim_end().ends_with("</html>"));
    assert!(main_region(&home).expect("a main element").contains("<h1>Documentation</h1>"));
}

#[test]
fn the_nearest_book_toml_above_the_working_folder_is_used() {
    let site = basic();
    site.run_in("src/runbooks", &["build"]).success();
    assert!(site.path("book/index.html").is_file());
    assert!(!site.path("src/runbooks/book").exists());
}

#[test]
fn quiet_build_prints_nothing() {
    let site = basic();
    site.run(&["-q", "build"]).success().stderr_eq("");
}

#[test]

fn adrs_are_listed_in_number_order() {
    let site = SiteTest::empty("build-adr-order");
    site.write("book.toml", "");
    site.write("src/adr/0001-record-decisions.md", "# 1. Record architecture decisions\n");
    site.write("src/adr/0002-hosting.md", "# 2. Hosting platforms\n");
    site.write("src/adr/0010-terraform.md", "# 10. Terraform directory structure\n");
    let run = site.run(&["build"]);
    run.success();
    let listing = run.main_of("adr/index.html");
    let at = |title: &str| listing.find(title).unwrap_or_else(|| panic!("{title} not listed"));
    // The decision log shows the number in its own column and the title without it.
    assert!(at(">0001<") < at(">Record architecture decisions<"), "{listing}");
    assert!(at("Record architecture") < at("Hosting platforms"), "{listing}");
    assert!(at("Hosting platforms") < at("Terraform directory structure"), "{listing}");
    assert!(at(">0010<") > at("Hosting platforms"), "{listing}");
}

#[test]
fn an_explicit_config_file_replaces_book_toml() {
    let site = basic();
    site.write(
        "alt.toml",
        "[book]\ntitle = \"Alternative\"\nsrc = \"src\"\n\n[build]\nbuild-dir = \"public\"\n",
    );
    let run = site.run(&["build", "--config", "alt.toml"]);
    run.success().stderr_eq("built 7 pages in [TIME] s → public/\n");
    assert!(site.read("public/index.html").contains("<title>Alternative</title>"));
    assert!(!site.path("book").exists());
}

#[test]
fn verbose_build_reports_its_stages() {
    let site = basic();
    let run = site.run(&["--verbose", "build"]);
    run.success();
    for stage in ["read and parse pages", "render markdown and check links", "apply templates and write"] {
        assert!(run.stderr().lines().any(|l| l.ends_with(&format!(" ms  {stage}"))), "{stage}");
    }
    run.stderr_contains(
        "copied 2 files from the source folder\n0 of 6 pages reused from the build cache\n0 of 7 pages linked from the last build unchanged\n0 of 14 search files reused from the build cache\nbuilt 7 pages in [TIME] s → book/\n",
    );
    // A second build renders again only the page that includes a file, and writes no page: the
    // template input of each is unchanged, so each is linked from the last site.
    site.run(&["--verbose", "build"]).success().stderr_contains(
        "\n5 of 6 pages reused from the build cache\n7 of 7 pages linked from the last build unchanged\n14 of 14 search files reused from the build cache\n",
    );
}

#[test]
fn quiet_and_verbose_together_is_a_usage_error() {
    let site = basic();
    site.run(&["-q", "-v", "build"])
        .code(2)
        .stderr_contains("error: the argument '--quiet' cannot be used with '--verbose'");
    assert!(!site.path("book").exists());
}

/// Issue 15: a folder listing names each page's kind once, and says nothing for plain pages.
#[test]
fn issue_15_listings_show_the_kind_once_and_not_for_plain_pages() {
    let site = SiteTest::empty("listing-kind-once");
    site.write("book.toml", "[book]\ntitle = \"T\"\n");
    site.write("src/ops/runbooks/disk.md", "---\nowner: ops\n---\n# Disk full\n\n## Mitigation\n\nClean.\n");
    site.write("src/ops/notes.md", "# Notes\n\nText.\n");
    let run = site.run(&["build"]);
    run.success();
    let listing = run.main_of("ops/index.html");
    assert!(listing.contains("<a href=\"../ops/notes/\">Notes</a>\n  \n"), "{listing}");
    assert!(!listing.contains("listing-kind\">Page"), "{listing}");
    let runbooks = run.main_of("ops/runbooks/index.html");
    assert_eq!(runbooks.matches("<span class=\"listing-kind\">Runbook</span>").count(), 1, "{runbooks}");
}

/// Issue 15: `lore build --keep-going` writes every page that renders, as `lore serve` shows
/// it: a broken link, front matter that does not parse (the page is its body) and a file that
/// is not UTF-8 (read with replacement characters) are reported as errors, all together, and
/// the exit code is still 2. Without the flag nothing is written.
#[test]
fn issue_15_keep_going_writes_the_site_and_still_fails() {
    let site = SiteTest::empty("build-keep-going");
    site.write("book.toml", "[book]\ntitle = \"Kept going\"\n");
    site.write("src/index.md", "# Home\n\nSee [x](nope.md).\n");
    site.write("src/bad.md", "---\ntitle: [unclosed\n---\n# Bad page\n\nBODYWORD\n");
    site.write("src/latin.md", b"# Latin\n\ncaf\xe9 au lait\n".as_slice());
    site.run(&["build"]).code(2).stderr_contains("error: found 3 errors\n").no_file("index.html");
    let run = site.run(&["build", "--keep-going"]);
    run.code(2).stderr_eq(
        "src/bad.md:2:8: error: invalid YAML in front matter: unclosed bracket '['
 2 | title: [unclosed
   |        ^

src/index.md:3:5: error: broken link: `nope.md` does not exist
 3 | See [x](nope.md).
   |     ^
  = hint: links are relative to this file; check the path and its case

src/latin.md:3:4: error: file is not valid UTF-8
  = hint: save the file as UTF-8

error: found 3 errors
built 3 pages in [TIME] s → book/ despite 3 errors
",
    );
    let bad = run.page("bad/index.html");
    assert!(bad.contains("<h1>Bad page</h1>") && bad.contains("BODYWORD"), "{bad}");
    assert!(run.page("latin/index.html").contains("caf\u{fffd} au lait"));
    assert!(run.page("index.html").contains("href=\"nope.md\""));
    // A broken configuration still stops it, and nothing is written.
    site.write("book.toml", "[book]\ntitle = \"Kept going\"\n[frobnicate]\n");
    std::fs::remove_dir_all(site.path("book")).unwrap();
    site.run(&["build", "-k"])
        .code(2)
        .stderr_contains("book.toml:3:2: error: unknown key `frobnicate` in `book.toml`")
        .no_file("index.html");
}
