//! Bad input: every problem is reported as `path:line:col: message` (with the offending line, a
//! caret and a hint where the fix is obvious), all problems of a run together, with a non-zero
//! exit, and a failed build leaves the previous site exactly as it was.
//!
//! The broken sites under `fixtures/invalid/<case>/` are overlays: each holds only the files that
//! break `fixtures/build/basic`, so a test can build the good site first, then break it.

mod config;
mod files;
mod front_matter;
mod links;
mod mkdocs;

use std::collections::BTreeMap;

use crate::harness::SiteTest;

/// `build/basic`, built once successfully.
fn built_site() -> SiteTest {
    let site = SiteTest::fixture("build/basic");
    site.run(&["build"]).success();
    site
}

/// `lore build` fails with exit 2 and exactly `stderr`, and the previous build folder is
/// untouched: every file (`index.html` included) byte-identical, no temporary folder left.
#[track_caller]
fn assert_build_fails_keeping_previous_site(site: &SiteTest, args: &[&str], stderr: &str) {
    let before = site.files("book");
    assert!(before.contains_key("index.html"), "build the site before breaking it");
    site.run(args).code(2).stdout_empty().stderr_eq(stderr);
    assert_previous_site_kept(site, &before, "");
}

/// After a failed build, the build folder holds exactly `before` (every file byte-identical)
/// and no temporary file or folder is left in the site; `context` starts each failure message.
#[track_caller]
pub(crate) fn assert_previous_site_kept(site: &SiteTest, before: &BTreeMap<String, Vec<u8>>, context: &str) {
    let after = site.files("book");
    assert!(after.get("index.html") == before.get("index.html"), "{context}index.html changed");
    assert!(after == *before, "{context}the previous build folder changed");
    let hidden: Vec<String> = site
        .files("")
        .into_keys()
        .filter(|p| !p.starts_with(".lore/search/"))
        // The build cache (issue 13: pages, search files, page memo, word lists) is kept even
        // when a build fails: the next one reuses it. Its temporary files are leftovers.
        .filter(|p| {
            let kept = [
                ".lore/cache/pages.bin",
                ".lore/cache/gzip.bin",
                ".lore/cache/views.bin",
                ".lore/cache/words.bin",
            ];
            !kept.contains(&p.as_str())
        })
        // The kept copy of the last site's pages (hard links) is the cache too.
        .filter(|p| !p.starts_with(".lore/cache/site/"))
        // The lock builds of one project take in turn.
        .filter(|p| p != ".lore/lock")
        // lore's marker of its build folder (issue 10) is no leftover.
        .filter(|p| p != "book/.lore-build")
        .filter(|p| p.starts_with('.') || p.contains("/."))
        .collect();
    assert!(hidden.is_empty(), "{context}temporary files left behind: {hidden:?}");
}
