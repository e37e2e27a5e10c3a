//! Issue 16: a portal's build reads the search statistics each site's `lore-site.json` names
//! and publishes one organisation-wide index (the fixture `tests/fixtures/portal/org/`, its
//! sites built with `search-stats = true`). What a site's manifest names is untrusted; a site
//! whose statistics cannot be read or decoded is left out of search with a warning naming it,
//! and the others are still merged.

use crate::harness::SiteTest;
use crate::portal::{https_files, org};
use crate::search::node;
use crate::search_portal::results;

const DAY: &str = "2026-06-01";

/// The portal over `payments` (fetched from a loopback HTTPS server on `port`, with a token)
/// and `platform` (by path). Its `sites` entries are on lines 8 and 9.
fn https_portal(org: &SiteTest, port: u16, pem: &str) {
    org.write("portal/ca.pem", pem).write(
        "portal/book.toml",
        format!(
            "[book]\ntitle = \"Example Corp docs\"\n\n[portal]\nca-file = \"ca.pem\"\ntimeout-secs = 5\nsites = [\n  {{ name = \"payments\", url = \"https://localhost:{port}/payments/\", auth-env = \"DOCS_TOKEN\" }},\n  {{ name = \"platform\", path = \"../platform/book\" }},\n]\n"
        ),
    );
}

/// What the loopback server publishes of the payments site: its manifest and `stats`.
fn published(org: &SiteTest, stats: Vec<u8>) -> Vec<(String, Vec<u8>)> {
    let manifest = std::fs::read(org.path("payments/book/lore-site.json")).expect("manifest");
    vec![
        ("/payments/lore-site.json".to_owned(), manifest),
        ("/payments/search/stats.bin.gz".to_owned(), stats),
    ]
}

fn build_with_token(org: &SiteTest, more: &[&str]) -> crate::harness::Run {
    let mut args = vec!["build", "portal", "--today", DAY];
    args.extend(more);
    org.run_wrapped(&["env", "DOCS_TOKEN=Bearer s3cret"], "", &args)
}

const DAMAGED: &str = "portal site `payments` is left out of search: invalid search statistics: cannot inflate it (gzip): incomplete deflate stream";

#[test]
fn issue_16_portal_search_fetches_statistics_over_https_and_leaves_out_a_damaged_site() {
    if !node() {
        return;
    }
    let org = org("portal-search-https");
    let stats = std::fs::read(org.path("payments/book/search/stats.bin.gz")).expect("stats");
    let (port, pem, server) = https_files(published(&org, stats.clone()), 2);
    https_portal(&org, port, &pem);
    let run = build_with_token(&org, &[]);
    run.success();
    assert!(!run.stderr().contains("left out of search"), "{}", run.stderr());
    let book = org.path("portal/book");
    // The fetched site links to where it was fetched from; the path site to its `site-url`.
    assert_eq!(
        results(&book, &["refund", "crash"]),
        [
            vec![format!("payments https://localhost:{port}/payments/runbooks/refunds/")],
            vec!["platform https://docs.example.com/platform/runbooks/KubePodCrashLooping/".to_owned()],
        ]
    );
    let seen = server.join().expect("server thread");
    assert_eq!(seen, ["GET /payments/lore-site.json HTTP/1.1", "GET /payments/search/stats.bin.gz HTTP/1.1"]);

    // Damaged in transit (cut in half): the site is named, the rest is merged.
    let (port, pem, server) = https_files(published(&org, stats[..stats.len() / 2].to_vec()), 4);
    https_portal(&org, port, &pem);
    let run = build_with_token(&org, &[]);
    run.success().stderr_contains(&format!(
        "portal/book.toml:8:1: warning: {DAMAGED}\n  = hint: its pages are missing from the portal's search; the other sites are in it\n"
    ));
    assert_eq!(
        results(&book, &["refund", "crash"]),
        [vec![], vec!["platform https://docs.example.com/platform/runbooks/KubePodCrashLooping/".to_owned()]]
    );
    let front = run.main_of("index.html");
    assert!(
        front.contains("<td data-sort=\"no: invalid search statistics: cannot inflate it (gzip): incomplete deflate stream\">"),
        "{front}"
    );
    // `--require-all-sites`: an error, and the portal published before is left as it was.
    let before = org.files("portal/book");
    build_with_token(&org, &["--require-all-sites"]).code(2).stderr_contains(&format!(
        "portal/book.toml:8:1: error: {DAMAGED}\n  = hint: without `--require-all-sites` the portal is built without this site's pages in search\n"
    ));
    assert!(org.files("portal/book") == before, "a failed build leaves the portal untouched");
    assert_eq!(server.join().expect("server thread").len(), 4);
}

/// Replaces the `search.stats` a built site's manifest names.
fn name_stats(org: &SiteTest, site: &str, rel: &str) {
    let path = format!("{site}/book/lore-site.json");
    let text = org.read(&path);
    let named = "\"stats\": \"search/stats.bin.gz\"";
    assert!(text.contains(named), "{text}");
    org.write(&path, text.replacen(named, &format!("\"stats\": \"{rel}\""), 1));
}

#[cfg(unix)]
#[test]
fn issue_16_search_statistics_outside_the_site_are_refused() {
    let org = org("portal-search-outside");
    name_stats(&org, "identity", "../../etc/passwd");
    name_stats(&org, "platform", "https://evil.example.com/stats.bin.gz");
    // A symlink out of the build folder, to a file that is valid statistics.
    let stats = org.path("payments/book/search/stats.bin.gz");
    std::fs::rename(&stats, org.path("outside.bin.gz")).expect("move");
    std::os::unix::fs::symlink(org.path("outside.bin.gz"), &stats).expect("symlink");
    let run = org.run(&["build", "portal", "--today", DAY]);
    run.success();
    let warnings: Vec<String> = run.diagnostics().into_iter().filter(|d| d.contains("search")).collect();
    assert_eq!(
        warnings,
        [
            "portal/book.toml:6:1: warning: portal site `payments` is left out of search: `search/stats.bin.gz` resolves outside the site's build folder",
            "portal/book.toml:7:1: warning: portal site `platform` is left out of search: its manifest names the search statistics `https://evil.example.com/stats.bin.gz`, which is not a path inside the site",
            "portal/book.toml:8:1: warning: portal site `identity` is left out of search: its manifest names the search statistics `../../etc/passwd`, which is not a path inside the site",
        ]
    );
    // No site is searchable: the portal (no pages of its own) publishes no index.
    run.no_file("search/head.json.gz");
}

#[test]
fn issue_16_site_built_without_search_statistics_is_listed_not_searchable() {
    let org = org("portal-search-off");
    org.write("identity/book.toml", "[book]\ntitle = \"Identity docs\"\n");
    org.run(&["build", "-q", "identity", "--today", "2026-04-01"]).success();
    let manifest: serde_json::Value =
        serde_json::from_str(&org.read("identity/book/lore-site.json")).expect("json");
    assert_eq!(manifest["search"], serde_json::Value::Null, "no statistics written, none named");
    let run = org.run(&["build", "portal", "--today", DAY]);
    run.success().stderr_contains(
        "portal/book.toml:8:1: warning: portal site `identity` is not searchable: it was built without search statistics
  = hint: build it with `search-stats = true` in its `[output.html]`, then the portal again
",
    );
    let front = run.main_of("index.html");
    let rows: Vec<&str> = front.lines().filter(|l| l.starts_with("<tr><td data-sort=\"")).collect();
    let search_column: Vec<&str> =
        rows.iter().filter_map(|r| r.rsplit("<td data-sort=\"").next()?.split('"').next()).collect();
    assert_eq!(search_column[..3], ["yes", "yes", "no: built without `search-stats`"], "{front}");
    run.file("search/head.json.gz");
}

#[test]
fn issue_16_check_reports_damaged_search_statistics_in_every_format() {
    let org = org("portal-search-check");
    // Cut after its header: only reading the whole file finds it.
    let path = org.path("platform/book/search/stats.bin.gz");
    let stats = std::fs::read(&path).expect("stats");
    std::fs::write(&path, &stats[..stats.len() / 2]).expect("cut");
    let message = "portal site `platform` is left out of search: invalid search statistics: cannot inflate it (gzip): incomplete deflate stream";
    let human = org.run(&["check", "portal", "--today", DAY]);
    human.code(1).stderr_contains(&format!("portal/book.toml:7:1: warning: {message}\n"));
    let github = org.run(&["check", "portal", "--today", DAY, "--format", "github"]);
    github.code(1);
    assert!(
        github.stdout().contains(&format!(
            "::warning file=portal/book.toml,line=7,col=1::{message}%0A= hint: its pages are missing from the portal's search; the other sites are in it\n"
        )),
        "{}",
        github.stdout()
    );
    let json = org.run(&["check", "portal", "--today", DAY, "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(json.stdout()).expect("json");
    let messages: Vec<&str> = value["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert!(messages.contains(&message), "{messages:?}");
    org.run(&["check", "portal", "--today", DAY, "--require-all-sites"])
        .code(1)
        .stderr_contains(&format!("portal/book.toml:7:1: error: {message}\n"));
    // The build finds it too, in its merge.
    org.run(&["build", "portal", "--today", DAY]).success().stderr_contains(&format!("warning: {message}\n"));
}

/// A path site whose named statistics file is gone, and one whose file is past the 64 MiB cap
/// (read no further than the cap): each left out of search with the reason, the third merged.
#[test]
fn issue_16_missing_or_oversized_search_statistics_leave_the_site_out() {
    let org = org("portal-search-missing");
    std::fs::remove_file(org.path("payments/book/search/stats.bin.gz")).expect("remove");
    let big = std::fs::File::create(org.path("platform/book/search/stats.bin.gz")).expect("create");
    big.set_len((64 << 20) + 1).expect("a sparse file past the cap");
    let run = org.run(&["build", "portal", "--today", DAY]);
    run.success();
    let warnings: Vec<String> = run.diagnostics().into_iter().filter(|d| d.contains("search")).collect();
    assert_eq!(
        warnings,
        [
            "portal/book.toml:6:1: warning: portal site `payments` is left out of search: `payments/book/search/stats.bin.gz` does not exist (was the site built with `lore build`?)",
            "portal/book.toml:7:1: warning: portal site `platform` is left out of search: `search/stats.bin.gz` is larger than 64 MiB",
        ]
    );
    let front = run.main_of("index.html");
    assert!(front.contains("<td data-sort=\"no: `search/stats.bin.gz` is larger than 64 MiB\">"), "{front}");
    // The third site is still searchable.
    if !node() {
        return;
    }
    let searched = results(&org.path("portal/book"), &["refund", "crash", "login"]);
    assert_eq!(searched[0], Vec::<String>::new());
    assert_eq!(searched[1], Vec::<String>::new());
    assert!(!searched[2].is_empty(), "{searched:?}");
}
