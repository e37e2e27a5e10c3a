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

/// The corpora folder, or `None` (with a message) when it is absent. Under `CI=true` a missing
/// corpus is a failure: a test that passes without its input proves nothing.
pub(crate) fn corpora() -> Option<PathBuf> {
    let dir = std::env::var_os("LORE_CORPORA")
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora"), PathBuf::from);
    if dir.is_dir() {
        Some(dir)
    } else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "corpora not found at {} (set LORE_CORPORA); CI must run the corpora tests",
            dir.display()
        );
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
    // A complete mdBook project: its own book.toml and SUMMARY.md, in `guide/` of a repository
    // (as in mdBook's own), whose `examples/` the corpus does not carry. The repository is
    // made here: the content root must not depend on where the test's folder happens to be.
    let site = SiteTest::empty("corpus-mdbook-guide");
    copy_tree(&corpora.join("mdbook-guide/guide"), &site.path("guide"));
    std::fs::create_dir(site.path(".git")).expect("create .git");
    let run = site.run_in("guide", &["build", "."]);
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
    assert!(!site.path("guide/book").exists());

    // Broken links can be made warnings; a missing include stays an error.
    site.append("guide/book.toml", "\n[check]\nbroken-links = \"warn\"\n");
    let run = site.run_in("guide", &["build", "."]);
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
    let dir = "corpus/docs/architecture/decisions";
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
            // Two records were copied from ADR 3 and kept its number in their titles.
            format!(
                "{dir}/0033-ip-ranges.md:1:3: warning: the title says ADR 3, but the file name `0033-ip-ranges.md` makes it ADR 33"
            ),
            format!(
                "{dir}/0035-bouncer-load-balancer-on-port-80-and-443.md:1:3: warning: the title says ADR 3, but the file name `0035-bouncer-load-balancer-on-port-80-and-443.md` makes it ADR 35"
            ),
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
    assert!(run.stderr().ends_with("error: found 6 errors and 2 warnings\n"));
    assert_every_file_becomes_a_page(&site);
    assert_decision_log(&site, "book/docs/architecture/decisions/index.html", GOVUK_LOG);
    // adr-tools relations, declared on one side or both, are shown on both.
    let relation = |page: &str, kind: &str, other: &str, title: &str| {
        let html = site.read(&format!("book/docs/architecture/decisions/{page}/index.html"));
        let expected = format!(
            "<span class=\"relation-kind\">{kind}</span> <a href=\"../../../../docs/architecture/decisions/{other}/\">{title}</a>"
        );
        assert!(html.contains(&expected), "{page}: no {expected}");
    };
    let dns = "0004-dns-definitions-for-hosts-and-services";
    relation(dns, "Superseded by", "0015-dns-infrastructure", "ADR-0015: DNS infrastructure");
    relation(
        "0015-dns-infrastructure",
        "Supersedes",
        dns,
        "ADR-0004: DNS definitions for hosts and services",
    );
    let terraform = "0010-terraform-directory-structure";
    relation(terraform, "Amended by", "0017-terraform-data-structure", "ADR-0017: Terraform Data Structure");
    relation("0017-terraform-data-structure", "Amends", terraform, "ADR-0010: Terraform directory structure");
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
    // Files are named by date, not number; `template.md` is not a record.
    assert_decision_log(
        &site,
        "book/packages/core/docs/adr/index.html",
        &[
            ("", "Use Explicit Architecture and DDD for the core API", "Accepted", "2020-10-02"),
            ("", "Markdown parsing is part of the domain", "Accepted", "2020-10-03"),
            ("", "ADR link resolver in the domain", "Accepted", "2020-10-27"),
        ],
    );
    let accepted = |title, date| ("", title, "Accepted", date);
    assert_decision_log(
        &site,
        "book/docs/adr/index.html",
        &[
            accepted("Use Markdown Architectural Decision Records", "2020-09-24"),
            accepted("Multi-packages architecture in a monorepo with Yarn and Lerna", "2020-09-25"),
            accepted("Use Prettier-ESLint Airbnb for the code style", "2020-09-25"),
            ("", "Use the ADR number as its unique ID", "Superseded", "2020-09-26"),
            accepted("Avoid default exports", "2020-09-27"),
            accepted("Use the ADR slug as its unique ID", "2020-10-16"),
            accepted(
                "The core API is responsible for enhancing the ADR markdown body with MDX",
                "2020-10-26",
            ),
            accepted("Use Lunr for search", "2020-11-03"),
            accepted("Distribute Log4brains as a global NPM package", "2021-01-13"),
        ],
    );
    assert_decision_log(
        &site,
        "book/packages/web/docs/adr/index.html",
        &[
            accepted("Use Next.js for Static Site Generation", "2020-09-25"),
            accepted("React file structure organized by feature", "2020-09-26"),
            accepted("Avoid React.FC type", "2020-09-27"),
            accepted("Use React hooks", "2020-09-27"),
            accepted("Next.js persistent layout pattern", "2020-10-07"),
        ],
    );
    // Supersession declared on one side is shown on both.
    let old = site.read("book/docs/adr/20200926-use-the-adr-number-as-its-unique-id/index.html");
    assert!(old.contains("<span class=\"relation-kind\">Superseded by</span> <a href=\"../../../docs/adr/20201016-use-the-adr-slug-as-its-unique-id/\">Use the ADR slug as its unique ID</a>"), "{old}");
    let new = site.read("book/docs/adr/20201016-use-the-adr-slug-as-its-unique-id/index.html");
    assert!(new.contains("<span class=\"relation-kind\">Supersedes</span> <a href=\"../../../docs/adr/20200926-use-the-adr-number-as-its-unique-id/\">Use the ADR number as its unique ID</a>"), "{new}");
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

/// (number, title, status, date) of every row of the decision log at `page`.
fn decision_log(site: &SiteTest, page: &str) -> Vec<(String, String, String, String)> {
    let html = site.read(page);
    html.split("<tr class=\"adr-row")
        .skip(1)
        .map(|row| {
            let between = |start: &str, end: &str| -> String {
                let from = row.find(start).map_or(0, |i| i + start.len());
                let to = row[from..].find(end).map_or(from, |i| from + i);
                row[from..to].to_owned()
            };
            let title_start = row.find("<a href=").map_or(0, |i| i + row[i..].find('>').unwrap_or(0) + 1);
            let title = row[title_start..].split("</a>").next().unwrap_or("").to_owned();
            let status = between("<span class=\"status status-", "</span>");
            let status = status.split_once("\">").map_or(status.clone(), |(_, s)| s.to_owned());
            (between("data-number=\"", "\""), title, status, between("data-date=\"", "\""))
        })
        .collect()
}

fn assert_decision_log(site: &SiteTest, page: &str, expected: &[(&str, &str, &str, &str)]) {
    let rows = decision_log(site, page);
    let expected: Vec<(String, String, String, String)> = expected
        .iter()
        .map(|(n, t, s, d)| ((*n).to_owned(), (*t).to_owned(), (*s).to_owned(), (*d).to_owned()))
        .collect();
    assert_eq!(rows, expected);
}

/// Every record of adr-govuk-aws as its file says: the number from the file name, the title
/// without its number, the `## Status` line and the `Date:` line.
const GOVUK_LOG: &[(&str, &str, &str, &str)] = &[
    ("0001", "Record architecture decisions", "Accepted", "2017-06-30"),
    ("0002", "Hosting Platforms", "Accepted", "2017-06-30"),
    ("0003", "Networking Outline", "Partly superseded", "2017-06-30"),
    ("0004", "DNS definitions for hosts and services", "Superseded", "2017-07-14"),
    ("0005", "Terraform Module Location", "Accepted", "2017-07-04"),
    ("0006", "Puppet architecture", "Pending", "2017-07-04"),
    ("0007", "Puppet certificate management", "Accepted", "2017-07-04"),
    ("0008", "Postgres on Puppetmaster", "Accepted", "2017-07-04"),
    ("0009", "Environment bootstrapping process", "Pending", "2017-07-04"),
    ("0010", "Terraform directory structure", "Accepted", "2017-07-04"),
    ("0011", "Migration Strategy", "Accepted", "2017-07-04"),
    ("0012", "Security Groups in Terraform", "Accepted", "2017-07-05"),
    ("0013", "Userdata provisioning snippets", "Pending", "2017-07-14"),
    ("0014", "Launch Config change propagation process", "Accepted", "2017-07-14"),
    ("0015", "DNS infrastructure", "Accepted", "2018-03-06"),
    ("0016", "internal DNS zones", "Accepted", "2017-07-19"),
    ("0017", "Terraform Data Structure", "Accepted", "2017-07-14"),
    ("0018", "Use RDS instead of provisioned EC2 databases", "Accepted", "2017-08-01"),
    ("0019", "Centralise MySQL Databases", "Accepted", "2017-08-02"),
    ("0020", "Merge API PostgreSQL instance into main PostgreSQL instance", "Accepted", "2017-08-07"),
    ("0021", "Use ACM for SSL purchases and terminate certificates on ELBs", "Accepted", "2017-08-14"),
    ("0022", "Remove the Elasticsearch proxy", "Accepted", "2017-08-16"),
    ("0023", "Use separate data repository", "Accepted", "2017-08-18"),
    ("0024", "AMI Lookups", "Accepted", "2017-08-29"),
    ("0025", "Use Elasticache for Redis", "Accepted", "2017-09-04"),
    ("0026", "Remove load balancer tier", "Accepted", "2017-08-16"),
    ("0027", "Move PublicAPI away from frontend-lb", "Accepted", "2017-09-04"),
    ("0028", "Combine api-mongo cluster into mongo cluster", "Accepted", "2017-09-14"),
    ("0029", "Combine api-redis into backend-redis", "Accepted", "2017-09-14"),
    ("0030", "Change in architecture to Asset Master", "Accepted", "2017-09-15"),
    ("0031", "Security Groups in Terraform", "Pending", "2017-11-28"),
    ("0032", "transfer artefact binary", "Accepted", "2018-03-26"),
    ("0033", "Networking Outline", "Pending", "2018-09-26"),
    ("0035", "Bouncer Public Load Balancer Configuration", "Pending", "2018-10-22"),
    ("0036", "Performance-Platform-And-BackDrop-Architecture", "Proposed", "2019-01-23"),
    ("0037", "ALB Health Checks", "Accepted", "2019-06-24"),
    ("0038", "Mongo Replacement by DocumentDB", "Approved", "2019-10-17"),
    ("0039", "Non-GOV.UK domain policy", "Accepted", "2022-10-10"),
];
