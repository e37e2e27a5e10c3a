//! Links that lead nowhere: a missing `.md` file, a missing `#anchor`, a missing image, a
//! `SUMMARY.md` entry without its file. Errors by default; `[check] broken-links = "warn"`
//! makes the link problems warnings (the site is then built, links left as written).

use super::{assert_build_fails_keeping_previous_site, built_site};

const BROKEN: &str = "src/runbooks/links.md:1:1: warning: runbook has no `owner`
 1 | # Links
   | ^
  = hint: add `owner: <team>` to the front matter so the reader knows whom to call

src/runbooks/links.md:3:9: SEVERITY: broken link: `db-failovr.md` does not exist
 3 | See the [failover runbook](db-failovr.md) and its
   |         ^
  = hint: links are relative to this file; check the path and its case

src/runbooks/links.md:4:1: SEVERITY: broken link: `runbooks/db-failover.md` has no heading `#step`
 4 | [steps](db-failover.md#step) or [timeline](db-failover.md#timeline).
   | ^
  = hint: did you mean `#steps`?

src/runbooks/links.md:4:33: SEVERITY: broken link: `runbooks/db-failover.md` has no heading `#timeline`
 4 | [steps](db-failover.md#step) or [timeline](db-failover.md#timeline).
   |                                 ^

src/runbooks/links.md:6:1: SEVERITY: broken link: `../images/dashboard.png` does not exist
 6 | ![Dashboard](../images/dashboard.png)
   | ^
  = hint: links are relative to this file; check the path and its case

";

#[test]
fn broken_links_and_anchors_are_errors_by_default() {
    let site = built_site();
    site.overlay("invalid/broken-links");
    let expected = format!("{}error: found 4 errors and 1 warning\n", BROKEN.replace("SEVERITY", "error"));
    assert_build_fails_keeping_previous_site(&site, &["build"], &expected);
    site.run(&["check"]).code(1).stderr_eq(&expected);
}

#[test]
fn broken_links_are_warnings_when_configured() {
    let site = built_site();
    site.overlay("invalid/broken-links");
    site.append("book.toml", "\n[check]\nbroken-links = \"warn\"\n");
    let run = site.run(&["build"]);
    run.success()
        .stderr_eq(&format!("{}built 8 pages in [TIME] s → book/\n", BROKEN.replace("SEVERITY", "warning")));
    let page = run.page("runbooks/links/index.html");
    assert!(page.contains(r#"<a href="db-failovr.md">failover runbook</a>"#), "left as written");
    assert!(page.contains(r#"<a href="../../runbooks/db-failover/#step">steps</a>"#));
}

#[test]
fn summary_entry_without_its_file() {
    let site = built_site();
    site.overlay("invalid/summary-missing-file");
    assert_build_fails_keeping_previous_site(
        &site,
        &["build"],
        "src/SUMMARY.md:7:5: error: `SUMMARY.md` links to `runbooks/disk-full.md`, which does not exist
 7 |   - [Disk full](runbooks/disk-full.md)
   |     ^
  = hint: create the file, or make the entry a draft: `- [Title]()`

error: found 1 error
",
    );
}
