//! `lore init`: a new site that builds cleanly, and a command that never overwrites.

use crate::harness::SiteTest;

const CREATED: &str = "created ./book.toml
created ./src/README.md
created ./src/runbooks/disk-almost-full.md
created ./src/adr/0001-record-architecture-decisions.md
created ./src/onboarding/first-week.md
next: lore build .
";

#[test]
fn creates_a_site_that_builds_without_warnings() {
    let site = SiteTest::empty("init-new");
    site.run(&["init"]).success().stdout_empty().stderr_eq(CREATED);
    let files: Vec<String> = site.files("").into_keys().collect();
    assert_eq!(
        files,
        [
            "book.toml",
            "src/README.md",
            "src/adr/0001-record-architecture-decisions.md",
            "src/onboarding/first-week.md",
            "src/runbooks/disk-almost-full.md",
        ]
    );
    site.run(&["build"]).success().stderr_eq("built 7 pages in [TIME] s → book/\n");
    site.run(&["check", "--strict"]).success().stderr_eq("checked 7 pages: no errors\n");
    // The onboarding example is a path of four steps; the runbook's alert has its stable URL.
    let run = site.run(&["-q", "build"]);
    assert!(run.main_of("onboarding/first-week/index.html").contains("<div><dt>Steps</dt><dd>4</dd></div>"));
    assert!(
        site.read("book/alerts/DiskAlmostFull/index.html").contains("url=../../runbooks/disk-almost-full/")
    );
}

#[test]
fn a_second_init_refuses_and_changes_nothing() {
    let site = SiteTest::empty("init-twice");
    site.run(&["init"]).success();
    site.append("src/README.md", "\nMy own words.\n");
    let before = site.files("");
    site.run(&["init"]).code(2).stderr_eq(
        "error: not creating a site: `./book.toml`, `./src/README.md`, `./src/runbooks/disk-almost-full.md`, \
         `./src/adr/0001-record-architecture-decisions.md`, `./src/onboarding/first-week.md` already exist
  = hint: lore init never overwrites; choose an empty folder
",
    );
    assert_eq!(site.files(""), before);
}

#[test]
fn one_existing_file_is_enough_to_refuse() {
    let site = SiteTest::empty("init-existing");
    site.write("book.toml", "[book]\ntitle = \"Mine\"\n");
    site.run(&["init"]).code(2).stderr_eq(
        "error: not creating a site: `./book.toml` already exists
  = hint: lore init never overwrites; choose an empty folder
",
    );
    let files: Vec<String> = site.files("").into_keys().collect();
    assert_eq!(files, ["book.toml"], "nothing else was written");
    assert_eq!(site.read("book.toml"), "[book]\ntitle = \"Mine\"\n");
}

#[test]
fn init_in_a_named_folder_with_a_title() {
    let site = SiteTest::empty("init-title");
    site.run(&["init", "handbook", "--title", "Ops: the \"real\" C:\\handbook"]).success();
    site.run(&["build", "handbook"]).success().stderr_eq("built 7 pages in [TIME] s → handbook/book/\n");
    let home = site.read("handbook/book/index.html");
    assert!(home.contains("<title>Ops: the &quot;real&quot; C:\\handbook</title>"), "{home}");
}

/// Issue 15: in a folder that already holds markdown, `lore init` writes a `book.toml` that
/// points at it, creates no sample pages, and says what it found; the site then builds.
#[test]
fn issue_15_init_adopts_existing_markdown() {
    let site = SiteTest::empty("init-adopt");
    site.write("docs/index.md", "# Handbook\n\nSee [setup](guides/setup.md).\n");
    site.write("docs/guides/setup.md", "# Setup\n\nSteps.\n");
    site.write("docs/runbooks/db.md", "# Database\n\nWhat to do.\n");
    site.write("docs/.drafts/hidden.md", "# Hidden\n");
    site.write("content/one.md", "# One\n");
    site.write("README.md", "# Repository\n");
    site.run(&["init"])
        .success()
        .stderr_eq("found 3 pages under docs/\ncreated ./book.toml\nnext: lore build .\n");
    assert_eq!(
        site.read("book.toml"),
        "[book]\ntitle = \"Team handbook\"\nsrc = \"docs\"\n\n[build]\nbuild-dir = \"book\"\n"
    );
    assert!(!site.path("docs/README.md").exists() && !site.path("src").exists(), "no sample pages");
    let run = site.run(&["build"]);
    run.success().file("guides/setup/index.html").file("runbooks/db/index.html");
    // A second init finds the book.toml and refuses, as ever.
    site.run(&["init"]).code(2);
}

/// Issue 15: with an `mkdocs.yml`, `lore init` writes nothing: lore builds from it as it is.
#[test]
fn issue_15_init_leaves_an_mkdocs_project_as_it_is() {
    let site = SiteTest::empty("init-mkdocs");
    site.write("mkdocs.yml", "site_name: Docs\n");
    site.write("docs/index.md", "# Docs\n");
    let before = site.files("");
    site.run(&["init"])
        .success()
        .stderr_eq("found ./mkdocs.yml: lore builds from it as it is; nothing written\nnext: lore build .\n");
    assert_eq!(site.files(""), before);
    site.run(&["build", "."]).success();
}
