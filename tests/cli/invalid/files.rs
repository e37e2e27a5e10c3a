//! Files lore cannot read as pages: bytes that are not UTF-8, permissions, symlink loops; and
//! several broken files in one run.

use std::os::unix::fs::PermissionsExt;

use super::{assert_build_fails_keeping_previous_site, built_site};

#[test]
fn file_that_is_not_utf8() {
    let site = built_site();
    site.overlay("invalid/non-utf8");
    // `Caf\xe9` (Latin-1): the first bad byte is the 11th character of line 2.
    assert_build_fails_keeping_previous_site(
        &site,
        &["build"],
        "src/runbooks/cafe.md:2:11: error: file is not valid UTF-8
  = hint: save the file as UTF-8

error: found 1 error
",
    );
}

#[test]
fn unreadable_file() {
    let site = built_site();
    site.write("src/runbooks/secret.md", "# Secret\n");
    let path = site.path("src/runbooks/secret.md");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).expect("chmod 000");
    let expected = "src/runbooks/secret.md:1:1: error: cannot read this file: Permission denied (os error 13)

error: found 1 error
";
    if std::fs::read(&path).is_err() {
        assert_build_fails_keeping_previous_site(&site, &["build"], expected);
        return;
    }
    // Privileged (root reads any file): run lore as `nobody` when `setpriv` can, else skip.
    let nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];
    let can_drop = std::process::Command::new(nobody[0])
        .args(&nobody[1..])
        .arg("true")
        .status()
        .is_ok_and(|s| s.success());
    if !can_drop {
        eprintln!("skipped: running as root and `setpriv` cannot switch to nobody");
        return;
    }
    // The temporary folder is private to its owner; `nobody` must be able to enter it.
    std::fs::set_permissions(site.root(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let before = site.files("book");
    site.run_wrapped(&nobody, "", &["build"]).code(2).stderr_eq(expected);
    site.run_wrapped(&nobody, "", &["check"]).code(1).stderr_eq(expected);
    assert!(site.files("book") == before, "the previous build folder changed");
}

#[test]
fn symlink_loop_in_the_source_folder() {
    let site = built_site();
    std::os::unix::fs::symlink("..", site.path("src/runbooks/loop")).expect("create a symlink");
    assert_build_fails_keeping_previous_site(
        &site,
        &["build"],
        "error: symlink loop: `src/runbooks/loop` points back to `src`
  = hint: remove the link, or add its path to `.gitignore` so lore skips it

error: found 1 error
",
    );
}

#[test]
fn problems_in_two_files_are_reported_together() {
    let site = built_site();
    site.overlay("invalid/two-broken-files");
    assert_build_fails_keeping_previous_site(
        &site,
        &["build"],
        "src/adr/0003-use-redis.md:3:12: error: broken link: `0002-use-kafka.md` does not exist
 3 | Supersedes [ADR 2](0002-use-kafka.md).
   |            ^
  = hint: links are relative to this file; check the path and its case

src/runbooks/disk-full.md:3:16: error: `last_verified` is not a date: `2026-13-01`
 3 | last_verified: 2026-13-01
   |                ^
  = hint: write dates as YYYY-MM-DD, e.g. `2026-03-31`

error: found 2 errors
",
    );
}
