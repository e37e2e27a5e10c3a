//! `lore new` creates a file and never writes anywhere else: not through a symlink, not over a
//! file that appears meanwhile; the title is text, and ADR numbers never wrap. Issue 10, item 13.

use crate::harness::SiteTest;

fn site(name: &str) -> SiteTest {
    let site = SiteTest::empty(name);
    site.write("book.toml", "[book]\ntitle = \"Ops\"\n").write("src/README.md", "# Ops\n");
    site
}

#[cfg(unix)]
#[test]
fn issue_10_new_does_not_write_through_a_dangling_symlink() {
    let site = site("new-symlink");
    let outside = SiteTest::empty("new-symlink-outside");
    let victim = outside.path("victim.md");
    std::os::unix::fs::symlink(&victim, site.path("src/victim.md")).unwrap();
    site.run(&["new", "page", "Victim"]).code(2).stdout_empty().stderr_eq(
        "error: `src/victim.md` is a symlink; lore new never writes through one
  = hint: remove the link, or choose another title
",
    );
    assert!(!victim.exists(), "lore wrote outside the source folder");
    assert!(std::fs::symlink_metadata(site.path("src/victim.md")).unwrap().file_type().is_symlink());
    // A link to an existing file is refused the same way, and the file is left alone.
    outside.write("victim.md", "theirs\n");
    site.run(&["new", "page", "Victim"]).code(2).stderr_contains("error: `src/victim.md` is a symlink");
    assert_eq!(outside.read("victim.md"), "theirs\n");
}

/// Issue 10, item 13: a folder under `src` that is a symlink out of the project does not take a
/// new page (nor the folders made for it) outside.
#[cfg(unix)]
#[test]
fn issue_10_new_does_not_write_through_a_symlinked_folder() {
    let site = site("new-symlinked-folder");
    std::fs::create_dir(site.path(".git")).unwrap();
    let outside = SiteTest::empty("new-symlinked-folder-outside");
    std::fs::remove_dir_all(site.path("src/runbooks")).ok();
    std::os::unix::fs::symlink(outside.root(), site.path("src/runbooks")).unwrap();
    let run = site.run(&["new", "runbook", "Escape"]);
    run.code(2).stdout_empty();
    let expected = format!(
        "error: `src/runbooks/escape.md` would be written at `{}/escape.md`, outside the content root; lore new never writes there
  = hint: a folder on the way is a symlink; create the page where it leads, or remove the link
",
        outside.root().canonicalize().unwrap().display()
    );
    assert_eq!(run.stderr(), expected);
    assert!(outside.files("").is_empty(), "lore wrote outside the project");
}

#[test]
fn issue_10_new_keeps_placeholders_in_the_title_as_text() {
    let site = site("new-title");
    let run = site.run(&["new", "page", "Release {date} and {number} {supersedes} {title}"]);
    run.success().stdout_eq("src/release-date-and-number-supersedes-title.md\n");
    let text = site.read("src/release-date-and-number-supersedes-title.md");
    assert!(text.starts_with("---\ntitle: \"Release {date} and {number} {supersedes} {title}\"\n"), "{text}");
    assert!(text.contains("last_verified: 2026-03-01\n"), "{text}");
    site.run(&["new", "adr", "Keep {number} literal"])
        .success()
        .stdout_eq("src/adr/0001-keep-number-literal.md\n");
    assert!(
        site.read("src/adr/0001-keep-number-literal.md")
            .starts_with("---\ntitle: \"Keep {number} literal\"\n")
    );
}

#[test]
fn issue_10_new_adr_after_the_largest_number_is_an_error() {
    let site = site("new-adr-max");
    site.write("src/adr/4294967295-big.md", "---\ntitle: Big\nstatus: accepted\n---\n");
    let before = site.files("");
    site.run(&["new", "adr", "Next"]).code(2).stdout_empty().stderr_eq(
        "error: cannot number a new ADR: `src/adr/4294967295-big.md` already has the largest number lore supports (4294967295)
  = hint: renumber that record
",
    );
    assert!(site.files("") == before, "a file changed");
}

#[cfg(unix)]
#[test]
fn issue_10_new_supersedes_keeps_the_old_records_link_and_mode() {
    use std::os::unix::fs::PermissionsExt;
    let site = site("new-supersedes-link");
    site.write("records/0001-use-postgres.md", "---\ntitle: Use Postgres\nstatus: accepted\n---\n");
    std::fs::set_permissions(
        site.path("records/0001-use-postgres.md"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    std::fs::create_dir(site.path("src/adr")).unwrap();
    std::os::unix::fs::symlink(
        "../../records/0001-use-postgres.md",
        site.path("src/adr/0001-use-postgres.md"),
    )
    .unwrap();
    site.run(&["new", "adr", "Use Kafka", "--supersedes", "1"]).success();
    assert!(
        std::fs::symlink_metadata(site.path("src/adr/0001-use-postgres.md"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        site.read("records/0001-use-postgres.md"),
        "---\ntitle: Use Postgres\nstatus: superseded\n---\n"
    );
    let mode = std::fs::metadata(site.path("records/0001-use-postgres.md")).unwrap().permissions().mode();
    assert_eq!(mode & 0o7777, 0o640);
}
