//! The build folder is replaced whole on every build, so lore replaces only a folder that is
//! empty or that it wrote (it holds lore's marker `.lore-build`, or it is the build folder of
//! an earlier lore), never `.git`, the theme, or a folder someone else made; the leftovers of a
//! killed build are removed by the next one. Issue 10, items 4 and 5.

use std::path::Path;

use crate::harness::SiteTest;

/// lore's marker, byte for byte.
const MARKER: &[u8] = b"This folder was written by lore; every build replaces it whole.\n";

fn basic() -> SiteTest {
    SiteTest::fixture("build/basic")
}

fn set_build_dir(site: &SiteTest, dir: &str) {
    site.append("book.toml", &format!("\n[build]\nbuild-dir = {dir:?}\n"));
}

/// The names in the site's top folder, sorted.
fn top_names(site: &SiteTest) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(site.root())
        .expect("read the site folder")
        .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

const NOT_LORES: &str = "exists and was not written by lore; remove it or choose another build-dir\n";

#[test]
fn issue_10_build_dir_git_is_refused_and_the_repository_kept() {
    let site = basic();
    site.write(".git/HEAD", "ref: refs/heads/main\n").write(".git/config", "[core]\n");
    for dir in [".git", ".git/site", "src/../.git"] {
        set_build_dir(&site, dir);
        let before = site.files("");
        site.run(&["build"]).code(2).stderr_eq(&format!(
            "error: the build folder `{dir}` is a `.git` folder or inside one; building would replace your files
  = hint: set `build-dir` in `[build]` to a folder of its own, e.g. `book`
"
        ));
        assert!(site.files("") == before, "a file of the project changed ({dir})");
        site.write(
            "book.toml",
            std::fs::read(crate::harness::fixtures_dir().join("build/basic/book.toml")).unwrap(),
        );
    }
}

#[test]
fn issue_10_build_dir_holding_a_git_folder_is_refused() {
    let site = basic();
    site.write("other/.git/HEAD", "ref: refs/heads/main\n");
    set_build_dir(&site, "other");
    let before = site.files("");
    site.run(&["build"]).code(2).stderr_eq(
        "error: the build folder `other` holds a `.git` folder; building would replace your files
  = hint: set `build-dir` in `[build]` to a folder of its own, e.g. `book`
",
    );
    assert!(site.files("") == before, "a file of the project changed");
}

#[test]
fn issue_10_build_dir_theme_is_refused_and_the_templates_kept() {
    for (dir, book_toml) in [("theme", None), ("site", Some("[output.html]\ntheme = \"site/theme\"\n"))] {
        let site = basic();
        site.write("theme/page.html", "x").write("site/theme/page.html", "x");
        set_build_dir(&site, dir);
        if let Some(extra) = book_toml {
            let text = site.read("book.toml").replace("[output.html]\n", extra);
            site.write("book.toml", text);
        }
        let before = site.files("");
        site.run(&["build"]).code(2).stderr_eq(&format!(
            "error: the build folder `{dir}` is the theme folder or contains it; building would replace your files
  = hint: set `build-dir` in `[build]` to a folder of its own, e.g. `book`
"
        ));
        assert!(site.files("") == before, "a file of the project changed ({dir})");
    }
}

#[test]
fn issue_10_absolute_build_dir_outside_the_project_is_not_replaced() {
    let site = basic();
    let outside = SiteTest::empty("build-dir-outside");
    outside.write("www/important.txt", "keep me\n");
    let www = outside.path("www");
    set_build_dir(&site, &www.display().to_string());
    let before = site.files("");
    site.run(&["build"]).code(2).stderr_eq(&format!("error: `{}` {NOT_LORES}", www.display()));
    assert_eq!(outside.read("www/important.txt"), "keep me\n");
    assert_eq!(outside.files("").len(), 1, "{:?}", outside.files("").keys());
    assert!(site.files("") == before, "a file of the project changed");
    // Nothing was written beside it either (no temporary folder, no index).
    assert_eq!(top_names(&outside), ["www"]);
    assert!(!site.path(".lore").exists());
}

#[test]
fn issue_10_a_folder_lore_did_not_write_is_not_replaced() {
    let site = basic();
    site.write("book/notes.txt", "mine\n");
    site.run(&["build"]).code(2).stderr_eq(&format!("error: `book` {NOT_LORES}"));
    site.run(&["check"]).success();
    assert_eq!(site.read("book/notes.txt"), "mine\n");
    // A marker with other bytes is not lore's.
    site.write("book/.lore-build", "written by lore\n");
    site.run(&["build"]).code(2).stderr_eq(&format!("error: `book` {NOT_LORES}"));
    assert_eq!(site.files("book").len(), 2);
}

#[test]
fn issue_10_an_empty_folder_is_built_into_and_marked() {
    let site = basic();
    std::fs::create_dir(site.path("book")).unwrap();
    site.run(&["build"]).success().file("index.html");
    assert_eq!(std::fs::read(site.path("book/.lore-build")).unwrap(), MARKER);
}

#[test]
fn issue_10_a_build_folder_of_an_earlier_lore_is_replaced() {
    let site = basic();
    site.write("book/freshness.json", "{}\n")
        .write("book/assets/lore.0123abcd.css", "body{}\n")
        .write("book/old-page/index.html", "old\n");
    site.run(&["build"]).success().file("index.html").no_file("old-page/index.html");
    assert_eq!(std::fs::read(site.path("book/.lore-build")).unwrap(), MARKER);
    // Without its stylesheet, the same folder is not recognisably lore's.
    let site = basic();
    site.write("book/freshness.json", "{}\n").write("book/assets/site.css", "body{}\n");
    site.run(&["build"]).code(2).stderr_eq(&format!("error: `book` {NOT_LORES}"));
}

#[test]
fn issue_10_a_second_build_replaces_the_first_and_the_marker_is_not_published() {
    let site = basic();
    site.append("book.toml", "site-url = \"https://docs.example.com/\"\n");
    site.run(&["build"]).success();
    site.write("src/runbooks/new.md", "# New\n");
    let run = site.run(&["build"]);
    run.success().file("runbooks/new/index.html");
    assert_eq!(std::fs::read(site.path("book/.lore-build")).unwrap(), MARKER);
    assert!(!run.page("sitemap.xml").contains("lore-build"));
    let search: String =
        site.files("book/search").into_values().map(|b| String::from_utf8_lossy(&b).into_owned()).collect();
    assert!(!search.contains("lore-build"), "the marker is in the search index");
    assert_eq!(top_names(&site), [".lore", "book", "book.toml", "src"]);
}

#[test]
fn issue_10_a_build_folder_that_is_a_file_fails_before_anything_is_touched() {
    let site = basic();
    site.write("book", "not a folder\n");
    let before = site.files("");
    site.run(&["build"]).code(2).stderr_eq(&format!("error: `book` {NOT_LORES}"));
    assert!(site.files("") == before, "a file of the project changed");
    assert_eq!(top_names(&site), ["book", "book.toml", "src"]);
}

#[cfg(unix)]
#[test]
fn issue_10_a_symlinked_build_folder_is_written_through_and_stays_a_link() {
    let site = basic();
    std::fs::create_dir(site.path("www")).unwrap();
    std::os::unix::fs::symlink("www", site.path("book")).unwrap();
    site.run(&["build"]).success().file("index.html");
    site.write("src/runbooks/new.md", "# New\n");
    site.run(&["build"]).success().file("runbooks/new/index.html");
    assert_eq!(std::fs::read_link(site.path("book")).unwrap(), Path::new("www"));
    assert!(site.path("www/runbooks/new/index.html").is_file());
    assert_eq!(std::fs::read(site.path("www/.lore-build")).unwrap(), MARKER);
    assert_eq!(top_names(&site), [".lore", "book", "book.toml", "src", "www"]);
}

#[cfg(unix)]
#[test]
fn issue_10_a_symlinked_build_folder_follows_the_same_rule() {
    let site = basic();
    site.write("www/index.php", "<?php\n");
    std::os::unix::fs::symlink("www", site.path("book")).unwrap();
    let before = site.files("");
    site.run(&["build"])
        .code(2)
        .stderr_eq(&format!("error: `www` (where the symlink `book` points) {NOT_LORES}"));
    assert!(site.files("") == before, "a file of the project changed");
    std::fs::remove_file(site.path("book")).unwrap();
    std::os::unix::fs::symlink("nowhere/www", site.path("book")).unwrap();
    site.run(&["build"]).code(2).stderr_eq(
        "error: `book` is a symlink to `nowhere/www`, which does not exist
  = hint: create that folder, or point `build-dir` in `[build]` at a folder of its own
",
    );
    assert!(!site.path("nowhere").exists());
}

#[test]
fn issue_10_leftovers_of_a_killed_build_are_removed_by_the_next() {
    let site = basic();
    site.run(&["build"]).success();
    // What `kill -9` leaves: the new site half written, the old one moved aside. Process 1
    // runs, but it is not the owner: nobody holds the lock on the marker.
    for name in [".book.lore-tmp-4000000", ".book.lore-old-4000001", ".book.lore-tmp-1"] {
        site.write(&format!("{name}/.lore-build"), MARKER).write(&format!("{name}/index.html"), "half");
    }
    // Killed before it wrote its marker: empty.
    std::fs::create_dir(site.path(".book.lore-tmp-4000002")).unwrap();
    // Not lore's, whatever the name says.
    site.write(".book.lore-old-4000003/mine.txt", "mine\n");
    site.run(&["build"]).success();
    assert_eq!(top_names(&site), [".book.lore-old-4000003", ".lore", "book", "book.toml", "src"]);
    assert_eq!(site.read(".book.lore-old-4000003/mine.txt"), "mine\n");
}

/// A real `kill -9` while the site is being written, on a site big enough that writing takes a
/// while: the temporary folder is left, and the next build removes it.
#[cfg(unix)]
#[test]
fn issue_10_kill_9_during_a_build_leaves_nothing_after_the_next() {
    let site = basic();
    for i in 0..800 {
        site.write(&format!("src/many/p{i}.md"), format!("# Page {i}\n\n{}\n", "Some text. ".repeat(50)));
    }
    site.run(&["build"]).success();
    // The kill must land while the site is being written: on a machine fast enough to finish
    // first, try again.
    let killed = (0..3).any(|_| kill_while_writing(&site));
    assert!(killed, "every build ended before it could be killed; make the site bigger");
    site.run(&["build"]).success().file("many/p799/index.html");
    assert_eq!(top_names(&site), [".lore", "book", "book.toml", "src"]);
}

/// Starts `lore build`, kills it (`SIGKILL`) once its temporary folder is marked, and says
/// whether it was still running then (its temporary folder is left behind).
#[cfg(unix)]
fn kill_while_writing(site: &SiteTest) -> bool {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_lore"))
        .args(["build", "-q"])
        .current_dir(site.root())
        .env("SOURCE_DATE_EPOCH", "1772323200")
        .spawn()
        .expect("start lore");
    let tmp = site.path(&format!(".book.lore-tmp-{}", child.id()));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while !tmp.join(".lore-build").exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let running = child.try_wait().expect("wait for lore").is_none();
    child.kill().expect("kill -9 lore");
    child.wait().expect("wait for lore");
    running && tmp.is_dir()
}
