//! `lore check`: the same checks as `build`, writing nothing. Exit 0 with no errors (warnings
//! allowed), 1 when the content has errors, 2 for a config or usage problem.

use crate::harness::SiteTest;

#[test]
fn a_good_site_passes_and_nothing_is_written() {
    let site = SiteTest::fixture("build/basic");
    let before = site.files("");
    site.run(&["check"])
        .success()
        .stdout_eq(
            "freshness on 2026-03-01: 0 stale, 0 due soon, 1 unverified, 1 fresh, 4 exempt
  unverified  src/runbooks/cache-flush.md:1  never verified (review every 90 days) · owner: platform-team
",
        )
        .stderr_eq("checked 7 pages: no errors\n");
    assert_eq!(site.files(""), before, "check changed the site folder");
}

#[test]
fn content_errors_exit_1_and_nothing_is_written() {
    let site = SiteTest::fixture("build/basic");
    site.write("src/guides/broken.md", "# Broken\n\nSee [the runbook](db-failovr.md).\n");
    let before = site.files("");
    site.run(&["check"]).code(1).stderr_eq(
        "src/guides/broken.md:3:5: error: broken link: `db-failovr.md` does not exist
 3 | See [the runbook](db-failovr.md).
   |     ^
  = hint: links are relative to this file; check the path and its case

error: found 1 error
",
    );
    assert_eq!(site.files(""), before, "check changed the site folder");
}

#[test]
fn warnings_alone_pass() {
    let site = SiteTest::fixture("build/basic");
    site.write("src/notes.md", "---\nownr: someone\n---\n\nNotes.\n");
    site.run(&["check"]).success().stderr_eq(
        "src/notes.md:2:1: warning: unknown key `ownr` in front matter
 2 | ownr: someone
   | ^
  = hint: did you mean `owner`?

checked 8 pages: no errors, 1 warning
",
    );
    site.run(&["-q", "check"]).success().stderr_eq("");
}

#[test]
fn a_config_error_exits_2() {
    let site = SiteTest::fixture("build/basic");
    site.append("book.toml", "\n[check]\nbroken-links = \"ignore\"\n");
    site.run(&["check"]).code(2).stderr_eq(
        "book.toml:9:1: error: unknown `broken-links` value `ignore`
 9 | broken-links = \"ignore\"
   | ^
  = hint: expected `error` or `warn`

error: found 1 error
",
    );
    assert!(!site.path("book").exists());
}

#[test]
fn a_missing_folder_is_a_usage_error() {
    let site = SiteTest::fixture("build/basic");
    site.run(&["check", "nowhere"]).code(2).stderr_eq("error: `nowhere` is not a folder\n");
}
