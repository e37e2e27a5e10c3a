//! Navigation from `SUMMARY.md` (mdBook's format): the sidebar follows its order, with part
//! titles, a separator, a draft chapter shown without a link, nesting and suffix chapters; the
//! reading order (previous/next) and breadcrumbs follow it too. Fixture: `build/summary`.

use crate::harness::SiteTest;

/// The sidebar of a page as one line per entry: `kind depth title -> href`.
fn sidebar(html: &str) -> Vec<String> {
    let start = html.find("<ul class=\"nav\">").expect("a sidebar");
    let end = html[start..].find("</ul>").expect("a closed sidebar") + start;
    html[start..end]
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("<li class=\""))
        .map(|l| {
            // Only the classes that say what an entry is; layout classes may come and go.
            let class = l["<li class=\"".len()..].split('"').next().unwrap_or("");
            let class: Vec<&str> = class
                .split_whitespace()
                .filter(|c| c.starts_with("nav-") || ["active", "open", "has-children"].contains(c))
                .collect();
            let class = class.join(" ");
            let depth = l.split("--depth: ").nth(1).and_then(|r| r.split('"').next()).unwrap_or("-");
            let href = l.split(" href=\"").nth(1).and_then(|r| r.split('"').next());
            let text = strip_tags(l);
            match href {
                Some(href) => format!("{class} {depth} {text} -> {href}"),
                None => format!("{class} {depth} {text}").trim_end().to_owned(),
            }
        })
        .collect()
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn sidebar_follows_summary_order_with_parts_separator_and_draft() {
    let site = SiteTest::fixture("build/summary");
    let run = site.run(&["build"]);
    run.success().stderr_eq("built 5 pages in [TIME] s → book/\n");
    assert_eq!(
        sidebar(&run.page("runbooks/replication/index.html")),
        [
            "nav-link 0 Introduction -> ../../",
            "nav-part 0 Operations",
            "nav-link open has-children 0 Database failover -> ../../runbooks/db-failover/",
            "nav-link active open 1 Check replication -> ../../runbooks/replication/",
            "nav-draft 0 Capacity planning",
            "nav-separator -",
            "nav-part 0 Decisions",
            "nav-link 0 Use PostgreSQL -> ../../adr/0001-use-postgresql/",
            "nav-link 0 Contributors -> ../../contributors/",
        ]
    );
}

#[test]
fn nested_chapters_are_shown_only_on_their_branch() {
    let site = SiteTest::fixture("build/summary");
    let run = site.run(&["build"]);
    run.success();
    let home = sidebar(&run.page("index.html"));
    assert!(home.contains(&"nav-link has-children 0 Database failover -> runbooks/db-failover/".to_owned()));
    assert!(!home.iter().any(|e| e.contains("Check replication")), "{home:#?}");
}

#[test]
fn previous_next_and_breadcrumbs_follow_the_summary() {
    let site = SiteTest::fixture("build/summary");
    let run = site.run(&["build"]);
    run.success();
    let main = run.main_of("runbooks/replication/index.html");
    assert!(main.contains(
        "<li><a href=\"../../\">Home</a></li>\n<li><a href=\"../../runbooks/db-failover/\">Database failover</a></li>"
    ));
    assert!(main.contains(
        r#"<a class="pager-prev" href="../../runbooks/db-failover/" rel="prev"><span>Previous</span>Database failover</a>"#
    ));
    assert!(main.contains(
        r#"<a class="pager-next" href="../../adr/0001-use-postgresql/" rel="next"><span>Next</span>1. Use PostgreSQL for the order store</a>"#
    ));
    // The suffix chapter is last: it has a previous page and no next one.
    let last = run.main_of("contributors/index.html");
    assert!(last.contains(r#"<a class="pager-prev" href="../adr/0001-use-postgresql/" rel="prev">"#));
    assert!(!last.contains("rel=\"next\""), "{last}");
}

#[test]
fn the_summary_itself_is_not_a_page() {
    let site = SiteTest::fixture("build/summary");
    site.run(&["build"]).success().no_file("SUMMARY/index.html").no_file("SUMMARY.md");
}
