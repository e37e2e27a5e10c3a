//! `lore verify`: sets `last_verified` (and `verified_by`) and changes no other byte; a file it
//! cannot parse is left untouched with an error naming its line.

use crate::harness::SiteTest;

fn site() -> SiteTest {
    SiteTest::fixture("freshness/team")
}

#[test]
fn crlf_comments_and_quoting_are_kept_byte_for_byte() {
    let site = site();
    let before = "---\r\n# Reviewed every quarter\r\ntitle: \"DB: failover\"\r\nlast_verified: '2025-08-01'  # by the on-call\r\nowner: dba-team\r\n---\r\nBody\r\n";
    site.write("src/runbooks/db.md", before);
    site.run(&["verify", "src/runbooks/db.md", "--by", "Ann Lee", "--date", "2026-02-27"])
        .success()
        .stdout_eq("verified src/runbooks/db.md\n")
        .stderr_eq("");
    let after = std::fs::read(site.path("src/runbooks/db.md")).unwrap();
    assert_eq!(
        String::from_utf8(after).unwrap(),
        "---\r\n# Reviewed every quarter\r\ntitle: \"DB: failover\"\r\nlast_verified: '2026-02-27'  # by the on-call\r\nowner: dba-team\r\nverified_by: Ann Lee\r\n---\r\nBody\r\n"
    );
}

#[test]
fn existing_verified_by_is_replaced_in_place_and_today_is_the_default() {
    let site = site();
    site.run(&["verify", "src/runbooks/db.md", "--by", "bo"]).success();
    assert_eq!(
        site.read("src/runbooks/db.md"),
        "---\ntitle: Database failover\nowner: dba-team\nlast_verified: 2026-03-01\nverified_by: bo\n---\nPromote the replica.\n\n## Mitigation\n\nFollow the steps above, then tell the owner.\n"
    );
}

#[test]
fn a_file_without_front_matter_gets_one() {
    let site = site();
    site.write("src/notes.md", "# Notes\n\nPlain.\n");
    site.run(&["verify", "src/notes.md"]).success();
    assert_eq!(site.read("src/notes.md"), "---\nlast_verified: 2026-03-01\n---\n# Notes\n\nPlain.\n");
}

#[test]
fn an_unparsable_file_is_left_untouched_and_the_others_are_verified() {
    let site = site();
    let broken = "---\ntitle: [unclosed\nlast_verified: 2025-01-01\n---\nBody\n";
    site.write("src/broken.md", broken);
    site.write("src/open.md", "---\ntitle: x\n");
    let run = site.run(&["verify", "src/broken.md", "src/open.md", "src/runbooks/cache.md"]);
    run.code(1).stdout_eq("verified src/runbooks/cache.md\n");
    assert_eq!(
        run.diagnostics(),
        vec![
            "src/broken.md:3:14: error: invalid YAML in front matter: illegal placement of ':' indicator; the file was left unchanged",
            "src/open.md:1:1: error: front matter is not closed; the file was left unchanged",
        ]
    );
    run.stderr_contains("error: 2 files could not be verified\n");
    assert_eq!(site.read("src/broken.md"), broken);
    assert_eq!(site.read("src/open.md"), "---\ntitle: x\n");
    assert!(site.read("src/runbooks/cache.md").contains("last_verified: 2026-03-01\n"));
    // Nothing is left behind from the temporary files.
    let names: Vec<String> = site.files("src").into_keys().filter(|n| n.contains("lore-verify")).collect();
    assert_eq!(names, Vec::<String>::new());
}

#[test]
fn all_stale_of_one_owner() {
    let site = site();
    site.run(&["verify", "--all-stale", "--owner", "payments-team", "--by", "pat"])
        .success()
        .stdout_eq("verified src/runbooks/payments/refunds.md\nverified src/runbooks/vpn.md\n");
    // The database runbook belongs to another team; the outdated flag stays until someone removes it.
    site.run(&["check", "--owner", "payments-team", "-q", "--fail-on", "never"]).success().stdout_eq(
        "freshness on 2026-03-01: 1 stale, 0 due soon, 1 unverified, 1 fresh, 0 exempt
  stale       src/runbooks/vpn.md:4  flagged outdated: uses the old VPN gateway · owner: payments-team
  unverified  src/runbooks/new.md:1  never verified (review every 90 days) · owner: payments-team
",
    );
    assert!(site.read("src/runbooks/db.md").contains("last_verified: 2025-08-01\n"));
}

#[test]
fn bad_dates_are_usage_errors() {
    let site = site();
    site.run(&["verify", "src/runbooks/db.md", "--date", "2026-03-02"])
        .code(2)
        .stderr_eq("error: `--date` 2026-03-02 is in the future (today is 2026-03-01)\n");
    site.run(&["verify", "src/runbooks/db.md", "--date", "yesterday"]).code(2).stderr_eq(
        "error: `--date` is not a date: `yesterday`\n  = hint: write it as YYYY-MM-DD, e.g. `2026-03-01`\n",
    );
    site.run(&["verify"]).code(2).stderr_contains("the following required arguments were not provided");
}

#[test]
fn paths_may_be_given_inside_the_source_folder() {
    let site = site();
    site.run(&["verify", "runbooks/cache.md"]).success().stdout_eq("verified src/runbooks/cache.md\n");
    assert!(site.read("src/runbooks/cache.md").contains("last_verified: 2026-03-01\n"));
    site.run(&["verify", "runbooks/nope.md"])
        .code(1)
        .stderr_contains("error: failed to read `runbooks/nope.md`");
}

// Issue 10, item 12: `lore verify` keeps what the file is.

#[cfg(unix)]
#[test]
fn issue_10_verify_writes_a_symlinks_target_and_keeps_the_link() {
    let site = site();
    let text = site.read("src/runbooks/db.md");
    site.write("shared/db.md", &text).remove("src/runbooks/db.md");
    std::os::unix::fs::symlink("../../shared/db.md", site.path("src/runbooks/db.md")).unwrap();
    site.run(&["verify", "src/runbooks/db.md"]).success().stdout_eq("verified src/runbooks/db.md\n");
    let link = std::fs::symlink_metadata(site.path("src/runbooks/db.md")).unwrap();
    assert!(link.file_type().is_symlink(), "the link was replaced by a file");
    assert_eq!(
        std::fs::read_link(site.path("src/runbooks/db.md")).unwrap(),
        std::path::Path::new("../../shared/db.md")
    );
    assert_eq!(
        site.read("shared/db.md"),
        text.replace("last_verified: 2025-08-01", "last_verified: 2026-03-01")
    );
    assert_eq!(site.files("shared").len(), 1, "{:?}", site.files("shared").keys());
}

#[cfg(unix)]
#[test]
fn issue_10_verify_keeps_a_hard_link_and_the_mode() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let site = site();
    let page = site.path("src/runbooks/db.md");
    std::fs::create_dir(site.path("copies")).unwrap();
    std::fs::hard_link(&page, site.path("copies/db.md")).unwrap();
    std::fs::set_permissions(&page, std::fs::Permissions::from_mode(0o640)).unwrap();
    let ino = std::fs::metadata(&page).unwrap().ino();
    site.run(&["verify", "src/runbooks/db.md"]).success();
    let meta = std::fs::metadata(&page).unwrap();
    assert_eq!(meta.ino(), ino, "the page has a new inode");
    assert_eq!(meta.nlink(), 2, "the hard link was split");
    assert_eq!(meta.mode() & 0o7777, 0o640);
    assert!(site.read("copies/db.md").contains("last_verified: 2026-03-01\n"));
    assert_eq!(site.read("copies/db.md"), site.read("src/runbooks/db.md"));
    let staged: Vec<String> = site.files("").into_keys().filter(|n| n.contains(".lore-")).collect();
    assert_eq!(staged, Vec::<String>::new());
}

#[cfg(unix)]
#[test]
fn issue_10_verify_keeps_the_mode_of_a_file_with_one_link() {
    use std::os::unix::fs::PermissionsExt;
    let site = site();
    let page = site.path("src/runbooks/db.md");
    std::fs::set_permissions(&page, std::fs::Permissions::from_mode(0o640)).unwrap();
    site.run(&["verify", "src/runbooks/db.md"]).success();
    assert_eq!(std::fs::metadata(&page).unwrap().permissions().mode() & 0o7777, 0o640);
    assert!(site.read("src/runbooks/db.md").contains("last_verified: 2026-03-01\n"));
}

/// Privileged: only root may give a file to another owner. Run as another user, the test
/// checks only what that user can arrange: the group it belongs to stays.
#[cfg(unix)]
#[test]
fn issue_10_verify_keeps_owner_and_group() {
    use std::os::unix::fs::MetadataExt;
    let site = site();
    let page = site.path("src/runbooks/db.md");
    let root = std::fs::metadata(&page).unwrap().uid() == 0;
    let (uid, gid) = if root { (65534, 65534) } else { (std::fs::metadata(&page).unwrap().uid(), 65534) };
    if std::os::unix::fs::chown(&page, Some(uid), Some(gid)).is_err() {
        eprintln!("skipped: cannot give the page to group 65534");
        return;
    }
    site.run(&["verify", "src/runbooks/db.md"]).success();
    let meta = std::fs::metadata(&page).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (uid, gid));
    assert!(site.read("src/runbooks/db.md").contains("last_verified: 2026-03-01\n"));
}
