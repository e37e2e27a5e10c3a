//! The build cache in `.lore/cache/` (issue 13): a build that reuses it writes exactly what a
//! `--no-cache` build of the same sources writes, whatever changed in between; a damaged cache
//! is set aside with one note and never changes the output.

use std::collections::{BTreeMap, BTreeSet};

use crate::harness::{SiteTest, copy_tree};
use crate::oracle::apply;
use crate::oracle::model::{ChangeKind, Site};

const SEED: u64 = 20_261_202;
const BOOK_TOML: &str = "[book]\ntitle = \"Cache handbook\"\n\n[output.html]\nsite-url = \"https://docs.example/\"\n\n[check]\nbroken-links = \"warn\"\n";
const CACHE: &str = ".lore/cache/pages.bin";

/// Builds with the cache, then without it; asserts both wrote the same files and printed the
/// same diagnostics, and returns the cached build's `--verbose` line about reuse.
fn cached_equals_uncached(site: &SiteTest, context: &str) -> String {
    cached_equals_uncached_in(site, "book", context)
}

fn cached_equals_uncached_in(site: &SiteTest, out: &str, context: &str) -> String {
    let stderr = cached_equals_uncached_stderr(site, out, context);
    stderr.lines().find(|l| l.contains("reused from the build cache")).unwrap_or("").to_owned()
}

/// [`cached_equals_uncached_in`], returning the cached build's whole `--verbose` stderr.
fn cached_equals_uncached_stderr(site: &SiteTest, out: &str, context: &str) -> String {
    let cached = site.run(&["build", "-v", "."]);
    cached.success();
    let with_cache = site.files(out);
    // The uncached build writes the search index afresh: it runs beside the cached builds'
    // index, so through a series the cached builds keep replacing pages in their own (segments
    // and deletions pile up as they would on a CI runner).
    let (index, kept) = (site.path(".lore/search"), site.path(".lore/search.kept"));
    std::fs::rename(&index, &kept).unwrap();
    let fresh = site.run(&["build", "--no-cache", "."]);
    fresh.success();
    std::fs::remove_dir_all(&index).unwrap();
    std::fs::rename(&kept, &index).unwrap();
    let without = site.files(out);
    assert_same(&with_cache, &without, context);
    assert_eq!(diagnostics(cached.stderr()), diagnostics(fresh.stderr()), "{context}: diagnostics differ");
    cached.stderr().to_owned()
}

/// The diagnostics of a run's stderr, without the verbose and summary lines.
fn diagnostics(stderr: &str) -> String {
    let verbose = |l: &&str| {
        l.contains(" ms  ")
            || l.starts_with("copied ")
            || l.starts_with("built ")
            || l.contains("reused from")
            || l.contains("from the last build")
            || l.contains("indexed again")
            || l.starts_with("note: the search index `.lore/search` does not match")
    };
    stderr.lines().filter(|l| !verbose(l)).collect::<Vec<_>>().join("\n")
}

fn assert_same(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>, context: &str) {
    let names_a: BTreeSet<&String> = a.keys().collect();
    let names_b: BTreeSet<&String> = b.keys().collect();
    assert_eq!(names_a, names_b, "{context}: the cached and uncached builds wrote other files");
    for (rel, bytes) in a {
        assert!(bytes == &b[rel], "{context}: `{rel}` differs between the cached and the uncached build");
    }
}

/// Issue 13: after every step of a series of edits, adds, deletes and renames (bodies, titles,
/// owners, tags, dates, the included snippet, links whose targets move), a build reusing the
/// cache writes byte for byte what a build without it writes.
#[test]
fn issue_13_cached_builds_equal_uncached_builds_through_a_series_of_changes() {
    use ChangeKind::*;
    let mut model = Site::generate(SEED, 120, false);
    let site = SiteTest::empty("cache-series");
    site.write("book.toml", BOOK_TOML);
    for (rel, text) in model.files() {
        site.write(&format!("src/{rel}"), text);
    }
    let first = cached_equals_uncached(&site, "first build");
    assert!(first.starts_with("0 of ") && first.ends_with(" pages reused from the build cache"), "{first:?}");
    assert!(site.path(CACHE).is_file(), "the build wrote no cache");
    let steps =
        [Body, Title, Add, Delete, Rename, Snippet, Owner, Tags, LastVerified, Rename, Add, Delete, Body];
    let mut replaced = Vec::new();
    for (n, kind) in steps.into_iter().enumerate() {
        let change = model.change(kind, &mut BTreeSet::new());
        apply(&site, &change.ops);
        let context = format!("seed {SEED}, step {n} ({})", change.what);
        let stderr = cached_equals_uncached_stderr(&site, "book", &context);
        if let Some(line) = stderr.lines().find(|l| l.contains("pages indexed again")) {
            replaced.push(format!("{n}: {line}"));
        }
        let reused = stderr.lines().find(|l| l.contains("reused from the build cache")).unwrap_or("");
        let numbers: Vec<usize> = reused.split(' ').filter_map(|n| n.parse().ok()).collect();
        // Pages that include the snippet are always rendered; most others come from the cache.
        assert!(
            reused.ends_with(" pages reused from the build cache") && numbers[0] > numbers[1] * 3 / 4,
            "{context}: {reused:?}"
        );
    }
    // Most steps replaced a few pages in the search index the earlier steps left (segments and
    // deletions piling up), rather than writing it afresh, and gave the same site.
    assert!(replaced.len() >= 8, "{replaced:#?}");
}

/// Issue 13: a body edit renders that page again and no other (pages without includes).
#[test]
fn issue_13_an_edit_renders_only_the_edited_page_again() {
    let site = SiteTest::empty("cache-one-edit");
    site.write("book.toml", BOOK_TOML);
    site.write("src/a.md", "# Alpha\n\nSee [beta](b.md#steps).\n");
    site.write("src/b.md", "# Beta\n\n## Steps\n\nOne.\n");
    site.write("src/c.md", "# Gamma\n\nText.\n");
    assert_eq!(cached_equals_uncached(&site, "first"), "0 of 3 pages reused from the build cache");
    site.write("src/c.md", "# Gamma\n\nOther text.\n");
    assert_eq!(cached_equals_uncached(&site, "edit"), "2 of 3 pages reused from the build cache");
    assert!(site.read("book/c/index.html").contains("Other text."));
    // The anchor `a.md` links to is gone: `a.md` comes from the cache, and the anchor check,
    // made afresh, reports it.
    site.write("src/b.md", "# Beta\n\n## Procedure\n\nOne.\n");
    assert_eq!(cached_equals_uncached(&site, "anchor"), "2 of 3 pages reused from the build cache");
    site.run(&["build"])
        .success()
        .stderr_contains("src/a.md:3:5: warning: broken link: `b.md` has no heading `#steps`");
    // The target of `a.md`'s link is renamed: the link is broken, so `a.md` is rendered again.
    std::fs::rename(site.path("src/b.md"), site.path("src/bb.md")).unwrap();
    assert_eq!(cached_equals_uncached(&site, "rename"), "1 of 3 pages reused from the build cache");
    site.run(&["build"])
        .success()
        .stderr_contains("src/a.md:3:5: warning: broken link: `b.md` does not exist");
    // Config that changes rendering renders every page again.
    site.write("src/c.md", "# Gamma\n\n<b>bold</b>\n");
    cached_equals_uncached(&site, "raw HTML kept");
    assert!(site.read("book/c/index.html").contains("<b>bold</b>"));
    site.write("book.toml", BOOK_TOML.replace("[output.html]\n", "[output.html]\nraw-html = false\n"));
    assert_eq!(cached_equals_uncached(&site, "raw HTML escaped"), "0 of 3 pages reused from the build cache");
    assert!(site.read("book/c/index.html").contains("&lt;b&gt;bold&lt;/b&gt;"));
}

/// Issue 13: an MkDocs site caches its pages too, except those with `--8<--` snippets, which
/// render again when a snippet changes.
#[test]
fn issue_13_mkdocs_snippet_pages_follow_their_snippets() {
    let site = SiteTest::fixture("mkdocs/techdocs").with_build_dir("site");
    cached_equals_uncached_in(&site, "site", "first");
    let again = cached_equals_uncached_in(&site, "site", "again");
    let snippets: Vec<String> = site.files("snippets").into_keys().collect();
    assert!(!snippets.is_empty(), "the fixture has snippets");
    let numbers: Vec<usize> = again.split(' ').filter_map(|n| n.parse().ok()).collect();
    assert!(numbers[0] > 0 && numbers[0] < numbers[1], "{again:?}");
    for rel in &snippets {
        site.append(&format!("snippets/{rel}"), "\nSnippet changed: zebra-{rel}.\n");
    }
    cached_equals_uncached_in(&site, "site", "snippets changed");
    let built = site.files("site");
    assert!(
        built.values().any(|b| String::from_utf8_lossy(b).contains("zebra-")),
        "no page shows the new snippet text"
    );
}

/// Issue 13: a truncated, scribbled, foreign or old-version cache is set aside with one note,
/// the output is what a build without the cache writes, and the cache is written anew.
#[test]
fn issue_13_a_damaged_cache_is_rebuilt_with_one_note() {
    let site = SiteTest::empty("cache-damaged");
    site.write("book.toml", BOOK_TOML);
    site.write("src/a.md", "# Alpha\n\nSee [beta](b.md).\n");
    site.write("src/b.md", "# Beta\n\n```rust\nfn main() {}\n```\n");
    site.run(&["build", "--no-cache"]).success();
    assert!(!site.path(CACHE).exists(), "`--no-cache` wrote a cache");
    let want = site.files("book");
    site.run(&["build"]).success();
    let good = std::fs::read(site.path(CACHE)).unwrap();
    let mut scribbled = good.clone();
    let middle = scribbled.len() / 2;
    scribbled[middle..middle + 16].copy_from_slice(b"scribbled-bytes!");
    let mut old_version = good.clone();
    old_version[12..14].copy_from_slice(&5u16.to_le_bytes());
    old_version.splice(14.., b"0.0.1".iter().copied().chain(good[14 + version_len(&good)..].iter().copied()));
    let mut scribbled_index = good.clone();
    let at = good.len() - 40;
    scribbled_index[at..at + 4].copy_from_slice(b"oops");
    let not_used = |why: &str| {
        format!(
            "note: the build cache `.lore/cache/pages.bin` was not used ({why}); every page was rendered and the cache written anew"
        )
    };
    let entry_damaged = "note: the build cache `.lore/cache/pages.bin` is damaged (an entry does not match its checksum); its pages were rendered anew and the cache written anew".to_owned();
    let cases: [(&str, Vec<u8>, String); 6] = [
        ("truncated", good[..good.len() - 40].to_vec(), not_used("it is damaged or truncated")),
        ("cut to its header", good[..20].to_vec(), not_used("it is damaged or truncated")),
        ("scribbled entry", scribbled, entry_damaged),
        ("scribbled index", scribbled_index, not_used("it is damaged or truncated")),
        ("foreign", b"<html>not a cache</html>".to_vec(), not_used("it is not a lore cache file")),
        ("old version", old_version, not_used("it was written by lore 0.0.1, cache format 3")),
    ];
    for (what, bytes, note) in cases {
        std::fs::write(site.path(CACHE), &bytes).unwrap();
        let run = site.run(&["build"]);
        run.success();
        assert_eq!(run.stderr().matches("note: ").count(), 1, "{what}: {}", run.stderr());
        run.stderr_contains(&note);
        assert_same(&site.files("book"), &want, what);
        if what == "foreign" {
            // `check` reads the cache and never writes it: its note says only what it did.
            std::fs::write(site.path(CACHE), &bytes).unwrap();
            let check = site.run(&["check"]);
            check.stderr_contains("note: the build cache `.lore/cache/pages.bin` was not used (it is not a lore cache file); every page was rendered\n");
            site.run(&["build"]).success();
        }
        // Written anew: the next build uses it without a note.
        let again = site.run(&["build", "-v"]);
        again.success().stderr_contains("2 of 2 pages reused from the build cache");
        assert!(!again.stderr().contains("note: "), "{what}: {}", again.stderr());
    }
}

/// Issue 13: the unfinished cache file of a build that was killed is removed by the next build.
#[test]
fn issue_13_a_killed_builds_unfinished_cache_file_is_removed() {
    let site = SiteTest::empty("cache-leftover");
    site.write("book.toml", BOOK_TOML);
    site.write("src/a.md", "# Alpha\n");
    // No process has this number (above the kernel's largest).
    site.write(".lore/cache/.pages.bin.4999999", "half a cache");
    site.run(&["build"]).success();
    assert!(!site.path(".lore/cache/.pages.bin.4999999").exists(), "the leftover is still there");
    assert!(site.path(CACHE).is_file());
}

fn version_len(file: &[u8]) -> usize {
    usize::from(u16::from_le_bytes([file[12], file[13]]))
}

/// Issue 13: the cache holds no absolute path of the machine (a CI cache restores on another
/// runner); a copy of the project elsewhere, built from another folder, reuses it whole, and its
/// messages name the pages as this run shows them.
#[test]
fn issue_13_the_cache_moves_with_the_project() {
    let site = SiteTest::empty("cache-moves");
    site.write("book.toml", BOOK_TOML);
    site.write("src/a.md", "# Alpha\n\nSee [beta](b.md) and [nothing](missing.md).\n");
    site.write("src/b.md", "# Beta\n\nText.\n");
    site.run(&["build"])
        .success()
        .stderr_contains("src/a.md:3:22: warning: broken link: `missing.md` does not exist");
    let bytes = std::fs::read(site.path(CACHE)).unwrap();
    let root = site.root().canonicalize().unwrap();
    for needle in [root.to_str().unwrap(), "src/a.md"] {
        let needle = needle.as_bytes();
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "the cache names `{}`",
            String::from_utf8_lossy(needle)
        );
    }
    let elsewhere = SiteTest::empty("cache-moved");
    copy_tree(site.root(), elsewhere.root());
    // From the site's `src/`, the site is `..` and its pages are shown as `../src/…`.
    elsewhere
        .run_in("src", &["build", "-v", ".."])
        .success()
        .stderr_contains("2 of 2 pages reused from the build cache")
        .stderr_contains("../src/a.md:3:22: warning: broken link: `missing.md` does not exist");
    let bytes = std::fs::read(elsewhere.path(CACHE)).unwrap();
    let root = elsewhere.root().canonicalize().unwrap();
    let needle = root.to_str().unwrap().as_bytes();
    assert!(!bytes.windows(needle.len()).any(|w| w == needle), "the cache names `{}`", root.display());
}

/// Issue 13: `--no-cache` and `[build] cache = false` neither read nor write the cache; `check`
/// reads it and never writes it; a `cache` that is not a boolean is an error at its line.
#[test]
fn issue_13_the_cache_can_be_turned_off() {
    let site = SiteTest::empty("cache-off");
    site.write("book.toml", BOOK_TOML);
    site.write("src/a.md", "# Alpha\n");
    site.run(&["build", "--no-cache"]).success();
    assert!(!site.path(".lore/cache").exists(), "a cache was written");
    site.run(&["check"]).success();
    assert!(!site.path(".lore/cache").exists(), "a cache was written");
    site.write("book.toml", format!("{BOOK_TOML}\n[build]\ncache = false\n"));
    site.run(&["build", "-v"]).success();
    assert!(!site.path(".lore/cache").exists(), "a cache was written");
    site.write("book.toml", format!("{BOOK_TOML}\n[build]\ncache = \"yes\"\n"));
    let run = site.run(&["build"]);
    run.code(2);
    assert!(
        run.stderr().starts_with(
            "book.toml:11:9: error: invalid `book.toml`: invalid type: string \"yes\", expected a boolean"
        ),
        "{}",
        run.stderr()
    );
}

/// Issue 13: a page a build would write with the bytes the previous build wrote is hard-linked
/// from it, not written again (the same file, once the previous site is gone); a changed page is
/// a new file, and the search head keeps its name, so an edit changes no other page.
#[cfg(unix)]
#[test]
fn issue_13_unchanged_files_are_linked_from_the_previous_site() {
    use std::os::unix::fs::MetadataExt;
    let site = SiteTest::empty("cache-links");
    site.write("book.toml", BOOK_TOML);
    site.write("src/a.md", "# Alpha\n\nText.\n");
    site.write("src/b.md", "# Beta\n\nText.\n");
    site.run(&["build"]).success();
    let inode = |rel: &str| std::fs::metadata(site.path(rel)).unwrap().ino();
    let (a, b) = (inode("book/a/index.html"), inode("book/b/index.html"));
    site.write("src/b.md", "# Beta\n\nOther text.\n");
    site.run(&["build"]).success();
    assert_eq!(inode("book/a/index.html"), a, "the unchanged page was written again");
    assert_ne!(inode("book/b/index.html"), b, "the changed page was not written");
    assert!(site.read("book/b/index.html").contains("Other text."));
    assert!(site.read("book/a/index.html").contains("data-search-head=\"../search/head.json.gz\""));
    // Once the previous site is gone, its one other name is the kept copy in `.lore/cache/site/`.
    assert_eq!(std::fs::metadata(site.path("book/a/index.html")).unwrap().nlink(), 2);
    assert_eq!(inode(".lore/cache/site/a/index.html"), a);
}

/// Issue 13: a few pages rendered again are appended to the cache file (the rest of it is not
/// written again); a build killed while appending leaves a file the next build sets aside.
#[cfg(unix)]
#[test]
fn issue_13_an_edit_appends_to_the_cache_file() {
    use std::os::unix::fs::MetadataExt;
    let site = SiteTest::empty("cache-append");
    site.write("book.toml", BOOK_TOML);
    for name in ["a", "b", "c"] {
        site.write(&format!("src/{name}.md"), format!("# Page {name}\n\nText of {name}.\n"));
    }
    site.run(&["build"]).success();
    let before = std::fs::read(site.path(CACHE)).unwrap();
    let inode = std::fs::metadata(site.path(CACHE)).unwrap().ino();
    site.write("src/c.md", "# Page c\n\nOther text of c.\n");
    assert_eq!(cached_equals_uncached(&site, "edit"), "2 of 3 pages reused from the build cache");
    let after = std::fs::read(site.path(CACHE)).unwrap();
    assert_eq!(std::fs::metadata(site.path(CACHE)).unwrap().ino(), inode, "the file was written anew");
    // Everything but the old index (3 rows of 36 bytes) and footer (28 bytes) is kept as it was.
    let kept = before.len() - (3 * 36 + 28);
    assert!(after.len() > before.len() && after[..kept] == before[..kept]);
    // Killed half-way through an append: the footer is gone.
    std::fs::write(site.path(CACHE), &after[..after.len() - 10]).unwrap();
    site.write("src/b.md", "# Page b\n\nOther text of b.\n");
    let run = site.run(&["build", "-v"]);
    run.success().stderr_contains("0 of 3 pages reused from the build cache");
    run.stderr_contains("(it is damaged or truncated); every page was rendered and the cache written anew");
    assert_eq!(cached_equals_uncached(&site, "after"), "3 of 3 pages reused from the build cache");
}

/// Issue 13: builds of one project started together all succeed: they take `.lore/lock` in
/// turn to write the search index and the cache (they all wrote `.lore/search.new` at once, and
/// one failed), and the project ends with a whole site, index and cache.
#[test]
fn issue_13_concurrent_builds_of_one_project_all_succeed() {
    let site = SiteTest::empty("cache-concurrent");
    site.write("book.toml", BOOK_TOML);
    for n in 0..150 {
        let words = "failover replica promotion checkpoint ".repeat(40);
        site.write(
            &format!("src/runbooks/page-{n:03}.md"),
            format!("# Page {n}\n\n## Steps\n\n{words} zebra{n}\n"),
        );
    }
    for round in 0..3 {
        let builds: Vec<_> = (0..3)
            .map(|_| {
                std::process::Command::new(env!("CARGO_BIN_EXE_lore"))
                    .args(["build", "-q"])
                    .current_dir(site.root())
                    .env("SOURCE_DATE_EPOCH", "1772323200")
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("start lore build")
            })
            .collect();
        for build in builds {
            let out = build.wait_with_output().expect("wait for lore build");
            assert!(out.status.success(), "round {round}: {}", String::from_utf8_lossy(&out.stderr));
        }
    }
    assert!(site.path("book/search/head.json.gz").is_file());
    let found = site.run(&["search", "zebra7"]);
    assert!(found.success().stdout().contains("Page 7"), "{}", found.stdout());
    site.run(&["build", "-v"]).success().stderr_contains("150 of 150 pages reused from the build cache");
}

/// Issue 13: what is planted where lore keeps its state (`.lore/` can arrive with a pull
/// request) is never followed: a cache file that is a symlink to a FIFO is set aside with a
/// note instead of blocking the build, and a symlinked `.lore/lock` creates nothing where it
/// points. The build's output is as without them, and the cache is then a file of lore's own.
#[cfg(unix)]
#[test]
fn issue_13_planted_links_in_lore_folder_are_not_followed() {
    let site = SiteTest::empty("cache-planted");
    site.write("book.toml", BOOK_TOML);
    site.write("src/a.md", "# Alpha\n\nText.\n");
    site.run(&["build", "--no-cache"]).success();
    let want = site.files("book");
    std::fs::create_dir_all(site.path(".lore/cache")).unwrap();
    let fifo = site.path("fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success(), "mkfifo");
    std::os::unix::fs::symlink(&fifo, site.path(CACHE)).unwrap();
    let outside = site.path("outside-lock");
    std::fs::remove_file(site.path(".lore/lock")).unwrap();
    std::os::unix::fs::symlink(&outside, site.path(".lore/lock")).unwrap();
    let run = site.run(&["build"]);
    run.success().stderr_contains(
        "note: the build cache `.lore/cache/pages.bin` was not used (it is not a regular file); every page was rendered and the cache written anew",
    );
    assert_same(&site.files("book"), &want, "planted links");
    assert!(!outside.exists(), "the lock's symlink was followed");
    assert!(
        std::fs::symlink_metadata(site.path(CACHE)).unwrap().is_file(),
        "the cache is a file of lore's own"
    );
    site.run(&["build", "-v"]).success().stderr_contains("1 of 1 pages reused from the build cache");
}

/// Issue 12 with issue 13: the example site's services (catalog, OpenSLO and Sloth files, a
/// service page) come out of a cached build byte for byte as out of an uncached one, also after
/// a runbook's review date (the service's freshness line), a service page's body and the
/// catalog change.
#[test]
fn issue_12_example_services_are_the_same_with_and_without_the_cache() {
    let site = SiteTest::empty("cache-services");
    std::fs::create_dir(site.path(".git")).expect("create .git");
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["content-example", "catalog", "monitoring"] {
        crate::harness::copy_tree(&repo.join(dir), &site.path(dir));
    }
    site.write("book.toml", std::fs::read_to_string(repo.join("book.toml")).expect("read book.toml"));
    let compare = |context: &str| {
        site.run(&["build", "--today", "2026-12-01", "."]).success();
        let with_cache = site.files("book");
        site.run(&["build", "--no-cache", "--today", "2026-12-01", "."]).success();
        assert_same(&with_cache, &site.files("book"), context);
    };
    compare("example with services");
    assert!(site.read("book/services/payments/index.html").contains("21 min 36 s"));
    let runbook = "content-example/runbooks/payments-provider-timeouts.md";
    let text = site.read(runbook);
    let date = text.lines().find(|l| l.starts_with("last_verified:")).expect("a review date").to_owned();
    site.write(runbook, text.replace(&date, "last_verified: 2026-11-30"));
    site.append("content-example/services/checkout-api.md", "\nA new paragraph.\n");
    let catalog = site.read("catalog/platform/catalog-info.yaml");
    site.write(
        "catalog/platform/catalog-info.yaml",
        catalog.replace("The event backbone", "The event spine"),
    );
    compare("after edits");
    assert!(site.read("book/services/kafka/index.html").contains("The event spine"));
}

/// Issue 13: the browser index's compressed files are kept in `.lore/cache/gzip.bin`, and what
/// each page's template was given in `.lore/cache/views.bin`; a build that changed nothing
/// takes every search file from there and links every page from the last site, an edit
/// compresses and renders only what it changed, and the output equals a build without the
/// cache.
#[test]
fn issue_13_search_files_are_reused_from_the_build_cache() {
    let site = SiteTest::empty("cache-gzip");
    site.write("book.toml", BOOK_TOML);
    for i in 0..30 {
        site.write(
            &format!("src/p{i:02}.md"),
            format!("# Page {i}\n\nWords of page {i}: quokka{i} wombat.\n"),
        );
    }
    let search_line = |run: &crate::harness::Run| {
        let line = run.stderr().lines().find(|l| l.contains("search files reused")).unwrap_or("").to_owned();
        let n: Vec<usize> = line.split(' ').filter_map(|w| w.parse().ok()).collect();
        assert_eq!(n.len(), 2, "{line:?}");
        (n[0], n[1])
    };
    let first = site.run(&["build", "-v"]);
    let (reused, all) = search_line(first.success());
    assert_eq!(reused, 0);
    assert!(site.path(".lore/cache/gzip.bin").is_file());
    let again = site.run(&["build", "-v"]);
    assert_eq!(search_line(again.success()), (all, all), "nothing changed");
    // Nor did any page's template input: each page is linked from the last site unrendered.
    again.stderr_contains("31 of 31 pages linked from the last build unchanged");
    // A page edited in the build folder is no page to link: it is written as it should be.
    let good = site.read("book/p03/index.html");
    site.write("book/p03/index.html", good.replace("quokka3", "tampered"));
    site.run(&["build", "-v"])
        .success()
        .stderr_contains("30 of 31 pages linked from the last build unchanged");
    assert_eq!(site.read("book/p03/index.html"), good);
    // Linked files are taken by their inode and modification time; an edit in place that keeps
    // the length changes the time, and the file is read, found changed, and written anew.
    std::thread::sleep(std::time::Duration::from_millis(50));
    site.write("book/p03/index.html", good.replace("quokka3", "quokka9"));
    site.run(&["build", "-v"])
        .success()
        .stderr_contains("30 of 31 pages linked from the last build unchanged");
    assert_eq!(site.read("book/p03/index.html"), good);
    site.write("src/p07.md", "# Page 7\n\nOther words: platypus.\n");
    let (reused, now) = search_line(site.run(&["build", "-v"]).success());
    assert!(reused > 0 && reused < now, "{reused} of {now}");
    cached_equals_uncached(&site, "after an edit");
    // A scribbled memo is no memo for the files it spoils: the output stays right.
    let memo = site.path(".lore/cache/gzip.bin");
    let mut bytes = std::fs::read(&memo).unwrap();
    for b in bytes.iter_mut().skip(40).step_by(7) {
        *b ^= 0x5a;
    }
    std::fs::write(&memo, bytes).unwrap();
    cached_equals_uncached(&site, "scribbled memo");
}

/// Issue 13: the search index is brought up to date page by page from what the last build
/// left; an index file damaged or changed since (tantivy does not checksum its files), or a
/// damaged ledger, is written anew with one note, and the site is what a build without the
/// cache writes.
#[test]
fn issue_13_a_damaged_search_index_is_written_anew() {
    let site = SiteTest::empty("cache-damaged-index");
    site.write("book.toml", BOOK_TOML);
    for n in 0..6 {
        site.write(&format!("src/p{n}.md"), format!("# Page {n}\n\nFailover step {n} for the primary.\n"));
    }
    site.run(&["build"]).success();
    let index = site.path(".lore/search");
    let biggest = |ext: &str| {
        std::fs::read_dir(&index)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == ext))
            .max_by_key(|p| std::fs::metadata(p).unwrap().len())
            .unwrap()
    };
    let note = "note: the search index `.lore/search` does not match what the last build left (damaged, or changed since); it was written anew";
    type Damage<'a> = Box<dyn Fn() + 'a>;
    let damages: [(&str, Damage); 4] = [
        ("postings scribbled", Box::new(|| scribble(&biggest("idx")))),
        ("stored text scribbled", Box::new(|| scribble(&biggest("store")))),
        ("ledger truncated", Box::new(|| cut_in_half(&index.join("lore-ledger.bin")))),
        ("a file planted", Box::new(|| std::fs::write(index.join("planted.idx"), "x").unwrap())),
    ];
    for (n, (what, damage)) in damages.iter().enumerate() {
        site.write("src/p1.md", format!("# Page 1\n\nFailover step one, edit {n}.\n"));
        damage();
        let stderr = cached_equals_uncached_stderr(&site, "book", what);
        assert_eq!(stderr.matches("note: ").count(), 1, "{what}: {stderr}");
        assert!(stderr.contains(note), "{what}: {stderr}");
        assert!(!stderr.contains("indexed again"), "{what}: {stderr}");
        let _ = std::fs::remove_file(index.join("planted.idx"));
    }
    // Undamaged, the next edit replaces one page, without a note.
    site.write("src/p1.md", "# Page 1\n\nFailover step one, edited again.\n");
    let stderr = cached_equals_uncached_stderr(&site, "book", "after");
    assert!(stderr.contains("1 of 6 pages indexed again, the rest kept in the search index"), "{stderr}");
    assert!(!stderr.contains("note: "), "{stderr}");
}

fn scribble(path: &std::path::Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let at = bytes.len() / 2;
    let end = (at + 8).min(bytes.len());
    bytes[at..end].iter_mut().for_each(|b| *b ^= 0x5a);
    std::fs::write(path, bytes).unwrap();
}

fn cut_in_half(path: &std::path::Path) {
    let bytes = std::fs::read(path).unwrap();
    std::fs::write(path, &bytes[..bytes.len() / 2]).unwrap();
}

/// Issue 13: a CI runner restores only `.lore/`: the pages the last build wrote are kept there
/// as hard links (`.lore/cache/site/`), so unchanged pages are linked from it even with no
/// build folder, and the site is what a build without the cache writes.
#[test]
fn issue_13_pages_are_linked_from_the_cache_without_the_last_build_folder() {
    let site = SiteTest::empty("cache-kept-site");
    site.write("book.toml", BOOK_TOML);
    for n in 0..5 {
        site.write(&format!("src/p{n}.md"), format!("# Page {n}\n\nStep {n}.\n"));
    }
    site.run(&["build"]).success();
    assert_eq!(site.read(".lore/cache/site/p2/index.html"), site.read("book/p2/index.html"));
    // A fresh runner: the build folder is gone, `.lore/` copied (new inodes, new times).
    std::fs::remove_dir_all(site.path("book")).unwrap();
    let lore = site.path(".lore");
    let copy = site.path("lore-restored");
    copy_tree(&lore, &copy);
    std::fs::remove_dir_all(&lore).unwrap();
    std::fs::rename(&copy, &lore).unwrap();
    site.write("src/p1.md", "# Page 1\n\nStep one, edited.\n");
    let stderr = cached_equals_uncached_stderr(&site, "book", "restored");
    assert!(stderr.contains("5 of 6 pages linked from the last build unchanged"), "{stderr}");
    // The kept copy follows the site: the edited page, a removed page.
    site.remove("src/p4.md");
    cached_equals_uncached(&site, "removed");
    assert!(site.read(".lore/cache/site/p1/index.html").contains("Step one, edited."));
    assert!(!site.path(".lore/cache/site/p4/index.html").exists());
}

/// Issue 13: a symlink planted in the kept copy of the site (`.lore/` may come from a pull
/// request's cache) is never written through: the copy is made anew.
#[test]
fn issue_13_a_planted_link_in_the_kept_site_is_not_followed() {
    let site = SiteTest::empty("cache-kept-planted");
    site.write("book.toml", BOOK_TOML);
    site.write("src/a.md", "# Alpha\n\nText.\n");
    site.write("src/b.md", "# Beta\n\nText.\n");
    site.run(&["build"]).success();
    let elsewhere = site.path("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let kept_b = site.path(".lore/cache/site/b");
    std::fs::remove_dir_all(&kept_b).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &kept_b).unwrap();
    site.write("src/b.md", "# Beta\n\nOther text.\n");
    cached_equals_uncached(&site, "planted");
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0, "nothing was written through the link");
    assert!(std::fs::symlink_metadata(&kept_b).unwrap().is_dir());
    assert!(site.read(".lore/cache/site/b/index.html").contains("Other text."));
}

/// Issue 13: each page's words are kept in `.lore/cache/words.bin`, and the next build reads
/// only the pages whose text changed: the search index and `.lore/search/words.tsv` list
/// exactly the words of the pages there are (a word only an edited or removed page had is
/// gone, a new one is found), as a build without the cache lists them. A scribbled or cut memo
/// changes nothing.
#[test]
fn issue_13_the_word_list_is_made_from_the_changed_pages_and_the_memo() {
    let site = SiteTest::empty("cache-words");
    site.write("book.toml", BOOK_TOML);
    for i in 0..10 {
        site.write(
            &format!("src/p{i}.md"),
            format!("# Page {i}\n\nThe zebra{i} grazes near the okavango.\n"),
        );
    }
    site.run(&["build"]).success();
    assert!(site.path(".lore/cache/words.bin").is_file());
    let words = |site: &SiteTest| site.read(".lore/search/words.tsv");
    let uncached_words = |site: &SiteTest| {
        let kept = site.files(".lore");
        site.run(&["build", "--no-cache"]).success();
        let fresh = words(site);
        // Back to the cached builds' own state.
        std::fs::remove_dir_all(site.path(".lore")).unwrap();
        for (rel, bytes) in kept {
            site.write(&format!(".lore/{rel}"), bytes);
        }
        fresh
    };
    type Edit = Box<dyn Fn(&SiteTest)>;
    let edits: [(&str, Edit); 4] = [
        (
            "an edit",
            Box::new(|s: &SiteTest| {
                s.write("src/p3.md", "# Page 3\n\nAn aardvark digs.\n");
            }),
        ),
        ("a removal", Box::new(|s: &SiteTest| std::fs::remove_file(s.path("src/p5.md")).unwrap())),
        (
            "a scribbled memo",
            Box::new(|s: &SiteTest| {
                scribble(&s.path(".lore/cache/words.bin"));
                s.write("src/p1.md", "# Page 1\n\nA pangolin rolls.\n");
            }),
        ),
        (
            "a cut memo",
            Box::new(|s: &SiteTest| {
                cut_in_half(&s.path(".lore/cache/words.bin"));
                s.write("src/p2.md", "# Page 2\n\nA narwhal dives.\n");
            }),
        ),
    ];
    for (what, edit) in &edits {
        edit(&site);
        cached_equals_uncached(&site, what);
        let cached = words(&site);
        assert_eq!(cached, uncached_words(&site), "{what}: words.tsv");
    }
    let listed = words(&site);
    let has = |w: &str| listed.lines().any(|l| l.split('\t').next() == Some(w));
    assert!(has("aardvark") && has("pangolin") && has("narwhal") && has("zebra9"), "{listed}");
    assert!(!has("zebra3") && !has("zebra5") && !has("zebra1") && !has("zebra2"), "{listed}");
    let found = site.run(&["search", "aardvark"]);
    assert!(found.success().stdout().contains("Page 3"), "{}", found.stdout());
}

/// Issue 13: a memo's temporary file planted in `.lore/cache/` as a symlink (`.lore/` can
/// arrive with a pull request) is removed, never written through; the memos are written and
/// the output is as without the cache.
#[cfg(unix)]
#[test]
fn issue_13_planted_temporary_memo_files_are_not_written_through() {
    let site = SiteTest::empty("cache-planted-tmp");
    site.write("book.toml", BOOK_TOML);
    site.write("src/a.md", "# Alpha\n\nText about failover.\n");
    site.write("src/b.md", "# Beta\n\nText about rollback.\n");
    site.run(&["build"]).success();
    let names = ["words.bin", "views.bin", "gzip.bin"];
    for name in names {
        let outside = site.path(&format!("outside-{name}"));
        std::os::unix::fs::symlink(&outside, site.path(&format!(".lore/cache/{name}.tmp"))).unwrap();
    }
    site.write("src/b.md", "# Beta\n\nText about rollback, edited.\n");
    cached_equals_uncached(&site, "planted temporary files");
    for name in names {
        assert!(!site.path(&format!("outside-{name}")).exists(), "{name}: written through the symlink");
        assert!(!site.path(&format!(".lore/cache/{name}.tmp")).exists(), "{name}: temporary file left");
        let memo = std::fs::symlink_metadata(site.path(&format!(".lore/cache/{name}"))).unwrap();
        assert!(memo.is_file(), "{name}: the memo is a file of lore's own");
    }
}
