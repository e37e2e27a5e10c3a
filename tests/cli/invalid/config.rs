//! `book.toml` problems, and build folders that would replace the user's files.

use super::{assert_build_fails_keeping_previous_site, built_site};

#[test]
fn misspelt_key_in_book_toml() {
    let site = built_site();
    site.overlay("invalid/book-toml-typo");
    assert_build_fails_keeping_previous_site(
        &site,
        &["build"],
        "book.toml:5:1: error: unknown key `build.build-dri` in `book.toml`
 5 | build-dri = \"public\"
   | ^
  = hint: did you mean `build-dir`?

error: found 1 error
",
    );
    assert!(!site.path("public").exists());
}

#[test]
fn build_dir_may_not_be_the_project_root() {
    let site = built_site();
    site.append("book.toml", "\n[build]\nbuild-dir = \".\"\n");
    let before = site.files("");
    site.run(&["build"]).code(2).stderr_eq(
        "error: the build folder `.` is the project root or contains it; building would replace your files
  = hint: set `build-dir` in `[build]` to a folder of its own, e.g. `book`
",
    );
    assert!(site.files("") == before, "a file of the project changed");
}

#[test]
fn build_dir_may_not_contain_the_project_root() {
    let site = built_site();
    site.append("book.toml", "\n[build]\nbuild-dir = \"src/..\"\n");
    let before = site.files("");
    site.run(&["build"]).code(2).stderr_contains("error: the build folder `src/..` is the project root");
    assert!(site.files("") == before, "a file of the project changed");
}

#[test]
fn build_dir_may_not_be_the_source_folder() {
    let site = built_site();
    site.append("book.toml", "\n[build]\nbuild-dir = \"src\"\n");
    let before = site.files("");
    site.run(&["build"]).code(2).stderr_eq(
        "error: the build folder `src` is the source folder or contains it; building would replace your files
  = hint: set `build-dir` in `[build]` to a folder of its own, e.g. `book`
",
    );
    site.run(&["check"]).code(2);
    assert!(site.files("") == before, "a file of the project changed");
}

#[test]
fn missing_config_file() {
    let site = built_site();
    assert_build_fails_keeping_previous_site(
        &site,
        &["build", "--config", "missing.toml"],
        "error: failed to read `missing.toml`
  caused by: No such file or directory (os error 2)
",
    );
}

/// Issue 10, item 3(c): a due-soon window beyond the calendar panicked once subtracted from a
/// due date. It is an error at its value in `book.toml`.
#[test]
fn issue_10_due_soon_window_too_long() {
    let site = built_site();
    site.append("book.toml", "\n[freshness]\ndue-soon = \"100000000 days\"\n");
    let expected = "book.toml:9:12: error: `due-soon` is too long: `100000000 days` (at most 100 years)
 9 | due-soon = \"100000000 days\"
   |            ^
  = hint: write `never` for a page that needs no review

error: found 1 error
";
    site.run(&["check", "--today", "2025-01-02"]).code(2).stderr_eq(expected);
    assert_build_fails_keeping_previous_site(&site, &["build", "--today", "2025-01-02"], expected);
}

/// Issue 10, item 11: `git-repository-url`, `edit-url-template` and `how-to-verify` become
/// links on every page; only `http(s):`, `mailto:` and relative URLs are accepted.
#[test]
fn issue_10_config_urls_must_be_web_mail_or_relative() {
    let site = built_site();
    site.write(
        "book.toml",
        "[output.html]
git-repository-url = \"JaVaScRiPt:alert(1)\"
edit-url-template =  ' javascript:alert(\"{path}\")'

[freshness]
how-to-verify = \"data:text/html,<b>hi</b>\"
",
    );
    let hint = "  = hint: links in data fields must be `http:`, `https:`, `mailto:` or relative URLs";
    let expected = format!(
        "book.toml:2:22: error: `git-repository-url` has a `javascript:` URL: `JaVaScRiPt:alert(1)`
 2 | git-repository-url = \"JaVaScRiPt:alert(1)\"
   |                      ^
{hint}

book.toml:3:22: error: `edit-url-template` has a `javascript:` URL: ` javascript:alert(\"{{path}}\")`
 3 | edit-url-template =  ' javascript:alert(\"{{path}}\")'
   |                      ^
{hint}

book.toml:6:17: error: `how-to-verify` has a `data:` URL: `data:text/html,<b>hi</b>`
 6 | how-to-verify = \"data:text/html,<b>hi</b>\"
   |                 ^
{hint}

error: found 3 errors
"
    );
    assert_build_fails_keeping_previous_site(&site, &["build"], &expected);
    // A page's file name must not be able to pick the scheme: `java{path}` + `script:x.md`.
    site.write("book.toml", "[output.html]\nedit-url-template = \"java{path}\"\n");
    assert_build_fails_keeping_previous_site(
        &site,
        &["build"],
        "book.toml:2:21: error: `edit-url-template` lets a page's file name choose the link's scheme
 2 | edit-url-template = \"java{path}\"
   |                     ^
  = hint: begin it with `https://…` or a folder, e.g. `../src/{path}`

error: found 1 error
",
    );
    site.write(
        "book.toml",
        "[output.html]
git-repository-url = \"https://git.example.com/acme\"
edit-url-template = \"mailto:docs@example.com?subject={path}\"

[freshness]
how-to-verify = \"runbooks/README.md\"
",
    );
    site.run(&["build"]).success();
}
