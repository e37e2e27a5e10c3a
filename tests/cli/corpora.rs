//! Markdown from the wild: the third-party corpora in `$LORE_CORPORA` (default
//! `../shared/corpora`, see its README). Each is copied into a temporary site first; the corpora
//! themselves are read-only and never written.
//!
//! What a user expects of each: no panic, every page rendered, and exactly the problems that
//! really are in the files reported with their place. Every location asserted below was checked
//! by reading the corpus: the targets are not in it (images and code that were not copied, or
//! paths outside the copied folder).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::harness::{SiteTest, copy_tree};

/// The corpora folder, or `None` (with a message) when it is absent.
fn corpora() -> Option<PathBuf> {
    let dir = std::env::var_os("LORE_CORPORA")
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora"), PathBuf::from);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: corpora not found at {} (set LORE_CORPORA)", dir.display());
        None
    }
}

/// A site whose source folder `corpus/` is a copy of corpus `name`.
fn corpus_site(corpora: &Path, name: &str) -> SiteTest {
    let site = SiteTest::empty(&format!("corpus-{name}"));
    copy_tree(&corpora.join(name), &site.path("corpus"));
    site.write("book.toml", "[book]\nsrc = \"corpus\"\n");
    site
}

/// The errors (or warnings) among `diagnostics`.
fn only(diagnostics: &[String], severity: &str) -> Vec<String> {
    let marker = format!(": {severity}: ");
    diagnostics.iter().filter(|d| d.contains(&marker)).cloned().collect()
}

/// The `index.html` files a build of `src` must produce: one per page at its pretty URL, and
/// one per folder on the way to a page (its README/index page, or the listing lore generates).
fn expected_pages(src: &Path) -> BTreeSet<String> {
    let mut pages = BTreeSet::from(["index.html".to_owned()]);
    for rel in markdown_files(src, "") {
        let stem = rel.strip_suffix(".md").expect("a markdown file");
        let (dir, name) = stem.rsplit_once('/').unwrap_or(("", stem));
        let is_index = name.eq_ignore_ascii_case("readme") || name.eq_ignore_ascii_case("index");
        pages.insert(if is_index { folder_page(dir) } else { format!("{stem}/index.html") });
        let mut folder = dir;
        while !folder.is_empty() {
            pages.insert(folder_page(folder));
            folder = folder.rsplit_once('/').map_or("", |(parent, _)| parent);
        }
    }
    pages
}

fn folder_page(dir: &str) -> String {
    if dir.is_empty() { "index.html".to_owned() } else { format!("{dir}/index.html") }
}

fn markdown_files(dir: &Path, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read a corpus folder") {
        let entry = entry.expect("entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() { name.clone() } else { format!("{prefix}/{name}") };
        if entry.file_type().expect("file type").is_dir() {
            out.extend(markdown_files(&entry.path(), &rel));
        } else if name.ends_with(".md") && rel != "SUMMARY.md" {
            out.push(rel);
        }
    }
    out
}

/// Builds with broken links as warnings and checks that every markdown file became a page.
fn assert_every_file_becomes_a_page(site: &SiteTest) {
    site.append("book.toml", "\n[check]\nbroken-links = \"warn\"\n");
    let run = site.run(&["build"]);
    run.success();
    let built: BTreeSet<String> =
        site.files("book").into_keys().filter(|p| p.ends_with("index.html")).collect();
    let mut expected = expected_pages(&site.path("corpus"));
    expected.insert("freshness/index.html".to_owned());
    assert_eq!(built, expected);
}

#[test]
fn mdbook_guide_reports_missing_includes_and_image() {
    let Some(corpora) = corpora() else { return };
    // A complete mdBook project: its own book.toml and SUMMARY.md.
    let site = SiteTest::empty("corpus-mdbook-guide");
    copy_tree(&corpora.join("mdbook-guide/guide"), site.root());
    let run = site.run(&["build"]);
    run.code(2);
    let diagnostics = run.diagnostics();
    assert_eq!(
        only(&diagnostics, "error"),
        [
            "src/for_developers/preprocessors.md:42:1: error: cannot include `../../../examples/nop-preprocessor.rs`: it does not exist",
            "src/for_developers/preprocessors.md:69:1: error: cannot include `../../../examples/remove-emphasis/mdbook-remove-emphasis/src/main.rs`: it does not exist",
            "src/format/markdown.md:125:1: error: broken link: `images/rust-logo-blk.svg` does not exist",
            "src/format/mdbook.md:295:1: error: cannot include `example.rs`: it does not exist",
        ]
    );
    // The warnings are the mdBook settings lore ignores, one each, all in book.toml.
    let warnings = only(&diagnostics, "warning");
    assert!(warnings.iter().all(|w| w.starts_with("book.toml:")), "{warnings:#?}");
    assert!(run.stderr().ends_with(&format!("error: found 4 errors and {} warnings\n", warnings.len())));
    assert!(!site.path("book").exists());

    // Broken links can be made warnings; a missing include stays an error.
    site.append("book.toml", "\n[check]\nbroken-links = \"warn\"\n");
    let run = site.run(&["build"]);
    run.code(2);
    let diagnostics = run.diagnostics();
    let locations = |severity| -> Vec<String> {
        only(&diagnostics, severity)
            .iter()
            .filter(|d| !d.starts_with("book.toml:"))
            .map(|d| d.splitn(3, ':').take(2).collect::<Vec<_>>().join(":"))
            .collect()
    };
    assert_eq!(
        locations("error"),
        [
            "src/for_developers/preprocessors.md:42",
            "src/for_developers/preprocessors.md:69",
            "src/format/mdbook.md:295"
        ]
    );
    assert_eq!(locations("warning"), ["src/format/markdown.md:125"]);
}

#[test]
fn adr_govuk_aws() {
    let Some(corpora) = corpora() else { return };
    let site = corpus_site(&corpora, "adr-govuk-aws");
    let run = site.run(&["check"]);
    run.code(1);
    // The images were not copied with the markdown; the terraform files are outside the corpus.
    let broken = |file: &str, place: &str, target: &str| {
        format!(
            "corpus/docs/architecture/decisions/{file}.md:{place}: error: broken link: `{target}` does not exist"
        )
    };
    assert_eq!(
        run.diagnostics(),
        [
            broken("0015-dns-infrastructure", "24:1", "./0015-govuk-aws-dns.jpg"),
            broken(
                "0027-move-publicapi-away-from-frontend-lb",
                "13:1",
                "./0027-move-publicapi-away-from-frontend-lb-img01.jpg"
            ),
            broken("0032-transfer-artefact-binary", "24:1", "./0032-transfer-artefact-binary-img01.png"),
            broken(
                "0035-bouncer-load-balancer-on-port-80-and-443",
                "27:18",
                "../../../terraform/projects/infra-public-services/main.tf"
            ),
            broken(
                "0035-bouncer-load-balancer-on-port-80-and-443",
                "32:34",
                "../../../terraform/modules/aws/lb/main.tf"
            ),
            broken(
                "0036-performance-platform-and-backdrop-architecture",
                "32:1",
                "./0036-performance-platform-and-backdrop-architecture-img01.png"
            ),
        ]
    );
    assert!(run.stderr().ends_with("error: found 6 errors\n"));
    assert_every_file_becomes_a_page(&site);
}

#[test]
fn adr_log4brains() {
    let Some(corpora) = corpora() else { return };
    let site = corpus_site(&corpora, "adr-log4brains");
    let run = site.run(&["check"]);
    run.code(1);
    // `docs/adr` has both a README.md (for GitHub) and an index.md (log4brains' home): one URL.
    // The template's link is a placeholder. (Its second `yyyymmdd-xxx.md` sits inside an HTML
    // comment, and `/l4b-static/…` is root-absolute: neither is a link lore can check.)
    assert_eq!(
        run.diagnostics(),
        [
            "corpus/docs/adr/index.md:1:1: error: `docs/adr/README.md` and `docs/adr/index.md` would both be published at `docs/adr/`",
            "corpus/docs/adr/template.md:3:84: error: broken link: `yyyymmdd-xxx.md` does not exist",
        ]
    );
    // With only one of the two, every file is a page.
    site.remove("corpus/docs/adr/README.md");
    assert_every_file_becomes_a_page(&site);
}

#[test]
fn onboarding_gitlab_handbook() {
    let Some(corpora) = corpora() else { return };
    let site = corpus_site(&corpora, "onboarding-gitlab-handbook");
    let run = site.run(&["check"]);
    run.success();
    // No broken links (the handbook's links are absolute URLs or root-absolute paths of the
    // Hugo site); every Hugo shortcode is pointed out, once per pair (`{{% /alert %}}` is not).
    let engineering = "corpus/content/handbook/people-group/engineering/onboarding.md";
    let buddies = "corpus/content/handbook/people-group/general-onboarding/onboarding-buddies.md";
    assert_eq!(
        run.diagnostics(),
        [
            format!("{engineering}:170:1: warning: unsupported Hugo shortcode `youtube`, left as text"),
            format!("{engineering}:187:1: warning: unsupported Hugo shortcode `alert`, left as text"),
            format!("{buddies}:22:312: warning: unsupported Hugo shortcode `ref`, left as text"),
            format!("{buddies}:23:45: warning: unsupported Hugo shortcode `ref`, left as text"),
            format!("{buddies}:23:114: warning: unsupported Hugo shortcode `ref`, left as text"),
            format!("{buddies}:31:73: warning: unsupported Hugo shortcode `ref`, left as text"),
        ]
    );
    assert!(run.stderr().ends_with("checked 13 pages: no errors, 6 warnings\n"));
    assert_every_file_becomes_a_page(&site);
}
