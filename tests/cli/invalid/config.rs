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
