//! Pages whose file names hold characters that mean something in a URL (`#`, `?`, `%`, a
//! space): every URL lore writes is percent-encoded, and the files keep their real names, so a
//! static host that decodes `what%3F/` finds `what?/index.html`.

use crate::harness::SiteTest;

/// Every way a user may link to such a page: escaped, in `<…>`, or as the file is named.
const HOME: &str = "# Home\n\n\
- [c1](c%23%20notes.md) [c2](<c# notes.md>)\n\
- [w1](what%3F.md) [w2](<what?.md>) [w3](what?.md)\n\
- [p1](100%25done.md) [p2](100%done.md)\n\
- [s1](a%20b.md) [s2](<a b.md>)\n";

fn odd_names(name: &str) -> SiteTest {
    let site = SiteTest::empty(name);
    site.write(
        "book.toml",
        "[book]\ntitle = \"Odd names\"\n\n[output.html]\nsite-url = \"https://docs.example/\"\n\
         edit-url-template = \"https://git.example/edit/main/src/{path}\"\n",
    );
    site.write("src/README.md", HOME);
    site.write("src/c# notes.md", "# C sharp notes\n\nSee [why](<what?.md#why>) and [up](../README.md).\n");
    site.write("src/what?.md", "---\nlast_verified: 2026-01-01\n---\n# What\n\n## Why\n\nBecause.\n");
    site.write("src/100%done.md", "# Done\n");
    site.write("src/a b.md", "# A b\n");
    site.write(
        "src/runbooks/disk full?.md",
        "---\nalerts: [DiskFull]\n---\n# Disk full\n\n## Meaning\n\nx\n\n## Impact\n\nx\n\n\
         ## Diagnosis\n\nx\n\n## Mitigation\n\nx\n\n## Escalation\n\nx\n",
    );
    site
}

/// The `href` values of `html`, in order.
fn hrefs(html: &str) -> Vec<&str> {
    html.split(" href=\"").skip(1).filter_map(|s| s.split_once('"').map(|(h, _)| h)).collect()
}

/// Issue 10, item 15: the output had `href="c#-notes/"`, `"what?/"` and `"100%done/"`.
#[test]
fn issue_10_odd_file_names_get_encoded_urls() {
    let site = odd_names("urls-odd-names");
    let run = site.run(&["build", "--today", "2026-02-01"]);
    run.success();
    for file in ["c# notes/index.html", "what?/index.html", "100%done/index.html", "a b/index.html"] {
        run.file(file);
    }
    run.file("runbooks/disk full?/index.html");

    let home = run.main_of("index.html");
    let content = &home[..home.find("<footer").expect("a page footer")];
    let body: Vec<&str> = hrefs(content).into_iter().filter(|h| !h.starts_with('#')).collect();
    assert_eq!(
        body,
        [
            "c%23%20notes/",
            "c%23%20notes/",
            "what%3F/",
            "what%3F/",
            "what%3F/",
            "100%25done/",
            "100%25done/",
            "a%20b/",
            "a%20b/",
        ],
        "{home}"
    );
    let page = run.page("index.html");
    let nav = &page[page.find("<nav id=\"sidebar\"").expect("a sidebar")..];
    let nav = &nav[..nav.find("</nav>").expect("the sidebar ends")];
    for href in ["c%23%20notes/", "what%3F/", "100%25done/", "a%20b/"] {
        assert!(nav.contains(&format!("<a href=\"{href}\"")), "{href} not in the sidebar:\n{nav}");
    }
    let listing = run.main_of("runbooks/index.html");
    assert!(listing.contains("<a href=\"../runbooks/disk%20full%3F/\">Disk full</a>"), "{listing}");

    // From a page one folder down: prev/next, breadcrumbs, body links and the edit link.
    let notes = run.page("c# notes/index.html");
    assert!(notes.contains("<a href=\"../what%3F/#why\">why</a>"), "{notes}");
    assert!(notes.contains("<a href=\"../\">up</a>"), "{notes}");
    assert!(
        notes.contains("<a href=\"https://git.example/edit/main/src/c%23%20notes.md\">Edit this page</a>"),
        "{notes}"
    );
    let pager: Vec<&str> =
        hrefs(&notes).into_iter().filter(|h| h.contains("done") || h.contains("b/")).collect();
    assert!(pager.iter().all(|h| ["../100%25done/", "../a%20b/"].contains(h)), "{pager:?}");

    assert_eq!(
        run.page("sitemap.xml").lines().filter(|l| l.contains('%')).collect::<Vec<_>>(),
        [
            "  <url><loc>https://docs.example/100%25done/</loc></url>",
            "  <url><loc>https://docs.example/a%20b/</loc></url>",
            "  <url><loc>https://docs.example/c%23%20notes/</loc></url>",
            "  <url><loc>https://docs.example/runbooks/disk%20full%3F/</loc></url>",
            "  <url><loc>https://docs.example/what%3F/</loc><lastmod>2026-01-01</lastmod></url>",
        ]
    );

    let freshness: serde_json::Value = serde_json::from_str(&run.page("freshness.json")).expect("json");
    let urls: Vec<(&str, &str)> = freshness["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .map(|p| (p["path"].as_str().unwrap_or(""), p["url"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        urls,
        [
            ("100%done.md", "100%25done/"),
            ("README.md", ""),
            ("a b.md", "a%20b/"),
            ("c# notes.md", "c%23%20notes/"),
            ("runbooks/disk full?.md", "runbooks/disk%20full%3F/"),
            ("what?.md", "what%3F/"),
        ]
    );
    let dashboard = run.page("freshness/index.html");
    assert!(dashboard.contains("<a href=\"../what%3F/\">What</a>"), "{dashboard}");

    let alerts: serde_json::Value = serde_json::from_str(&run.page("alerts.json")).expect("json");
    assert_eq!(alerts["alerts"]["DiskFull"]["runbook"], "https://docs.example/runbooks/disk%20full%3F/");
    let redirect = run.page("alerts/DiskFull/index.html");
    assert!(
        redirect.contains("<meta http-equiv=\"refresh\" content=\"0; url=../../runbooks/disk%20full%3F/\">"),
        "{redirect}"
    );
}

/// The search index (terminal and browser) holds the encoded URL too.
#[test]
fn issue_10_odd_file_names_in_search_results() {
    let site = odd_names("urls-odd-search");
    site.run(&["build", "-q"]).success();
    let run = site.run(&["search", "because", "--json"]);
    run.success();
    let results: serde_json::Value = serde_json::from_str(run.stdout()).expect("json");
    let page = &results["pages"][0];
    assert_eq!(page["title"], "What", "{results}");
    assert_eq!(page["url"], "what%3F/#why", "{results}");
}

/// `SUMMARY.md` names such files escaped or in `<…>`, and the sidebar links to them.
#[test]
fn issue_10_summary_links_to_odd_file_names() {
    let site = odd_names("urls-odd-summary");
    site.write(
        "src/SUMMARY.md",
        "# Summary\n\n[Home](README.md)\n\n- [C](<c# notes.md>)\n- [W](what%3F.md)\n- [P](100%done.md)\n- [S](a%20b.md)\n",
    );
    let run = site.run(&["build", "-q"]);
    run.success();
    let page = run.page("index.html");
    let nav = &page[page.find("<nav id=\"sidebar\"").expect("a sidebar")..];
    let nav = &nav[..nav.find("</nav>").expect("the sidebar ends")];
    let links: Vec<&str> = hrefs(nav).into_iter().filter(|h| !h.contains("freshness")).collect();
    assert_eq!(links, ["./", "c%23%20notes/", "what%3F/", "100%25done/", "a%20b/"], "{nav}");
}
