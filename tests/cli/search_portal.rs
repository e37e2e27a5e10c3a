//! Organisation-wide search (issue 16): three sites built by `lore build`, their published
//! `search/stats.bin.gz` merged by `lore::search::merge::portal_files` as a portal does, and
//! the merged index searched by the theme's `search.js` under Node; compared with `lore search`
//! over one site holding all three sites' pages.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use lore::search::merge::{Layout, PORTAL_HEAD, SiteSearch, TIER, merge_with, portal_files};
use lore::search::stats::{self, STATS};

use crate::harness::{SiteTest, copy_tree};
use crate::search::{cli_pages, node};

/// The example site, its two onboarding paths made plain pages (their steps name pages from
/// the site's root, which the combined site moves under `alpha/`).
fn alpha(src: &Path) {
    copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example"), src);
    std::fs::write(
        src.join("onboarding/sre-on-call.md"),
        "# SRE on call\n\nShadow the primary on-call engineer for a week, then take the pager with a buddy.\n",
    )
    .unwrap();
    std::fs::write(
        src.join("onboarding/backend-engineer.md"),
        "# Backend engineer\n\nSet up the dev environment, get access, and ship a small change in the first week.\n",
    )
    .unwrap();
}

const BETA: &[(&str, &str)] = &[
    ("README.md", "# Billing\n\nThe billing team runs invoicing, the ledger and the payment exports.\n"),
    (
        "runbooks/invoice-run-stuck.md",
        "---\ntitle: Invoice run stuck\nowner: billing\n---\n\nThe nightly invoice run has not finished.\n\n## Diagnosis\n\nCheck the ledger lock and the queue of pending invoices. A stuck lock holds every invoice behind it.\n\n## Mitigation\n\nRelease the ledger lock, then restart the invoice worker. Invoices resume within minutes.\n",
    ),
    (
        "runbooks/ledger-replica-lag.md",
        "---\ntitle: Ledger replica lag\nowner: billing\n---\n\nThe ledger replica falls behind the primary database.\n\n## Mitigation\n\nPause the payment export, let the replica catch up, then resume the export.\n",
    ),
    (
        "guides/payment-exports.md",
        "# Payment exports\n\nExports leave the ledger every hour as signed files. A failed export is retried three times before it pages billing.\n\n## Formats\n\nCSV for finance, JSON for the data warehouse.\n",
    ),
];

const GAMMA: &[(&str, &str)] = &[
    ("README.md", "# Network\n\nThe network team owns DNS, the edge proxies and the VPN.\n"),
    (
        "runbooks/dns-resolution-failures.md",
        "---\ntitle: DNS resolution failures\nowner: network\n---\n\nResolvers return SERVFAIL for internal names.\n\n## Diagnosis\n\nQuery each resolver directly; compare the zone serials. A stale zone transfer explains most failures.\n\n## Mitigation\n\nForce a zone transfer, then flush the resolver cache.\n",
    ),
    (
        "runbooks/vpn-tunnel-down.md",
        "---\ntitle: VPN tunnel down\nowner: network\n---\n\nThe site-to-site tunnel to the data centre is down; replication between regions stops.\n\n## Mitigation\n\nRestart the tunnel on the edge proxy; check the certificate it presents has not expired.\n",
    ),
    (
        "guides/edge-proxies.md",
        "# Edge proxies\n\nThe edge proxies terminate TLS and route traffic to the clusters. Certificates rotate every sixty days.\n",
    ),
];

fn write_pages(src: &Path, pages: &[(&str, &str)]) {
    for (rel, text) in pages {
        let path = src.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

const TODAY: &str = "2026-11-30";

/// Writes a site's pages into the folder given.
type Fill = fn(&Path);

/// One built site per `(name, filler)`, and one site holding all their pages under `<name>/`.
fn sites() -> (Vec<(&'static str, SiteTest)>, SiteTest) {
    sites_with_home(None)
}

/// [`sites`], the combined site also holding `home` as its own front page (`src/README.md`),
/// as a portal with a page of its own.
fn sites_with_home(home: Option<&str>) -> (Vec<(&'static str, SiteTest)>, SiteTest) {
    let combined = SiteTest::empty("portal-combined");
    combined.write("book.toml", "[book]\ntitle = \"All\"\n\n[output.html]\nsearch-stats = true\n");
    if let Some(home) = home {
        combined.write("src/README.md", home);
    }
    let fill: [(&str, Fill); 3] =
        [("alpha", alpha), ("beta", |src| write_pages(src, BETA)), ("gamma", |src| write_pages(src, GAMMA))];
    let mut built = Vec::new();
    for (name, fill) in fill {
        let site = SiteTest::empty(&format!("portal-{name}"));
        site.write(
            "book.toml",
            format!("[book]\ntitle = \"{name}\"\n\n[output.html]\nsearch-stats = true\n"),
        );
        fill(&site.path("src"));
        fill(&combined.path(&format!("src/{name}")));
        site.run(&["build", "--today", TODAY]).success();
        built.push((name, site));
    }
    combined.run(&["build", "--today", TODAY]).success();
    (built, combined)
}

/// The portal's output folder: the merged index (records numbered as `layout` says; `None`:
/// as `portal_files` numbers them) and the searcher's script.
fn portal(built: &[(&str, SiteTest)], layout: Option<(Layout, usize)>) -> SiteTest {
    let portal = SiteTest::empty("portal");
    let inputs: Vec<SiteSearch> = built
        .iter()
        .map(|(name, site)| SiteSearch {
            name: (*name).to_owned(),
            base: format!("{name}/"),
            stats: std::fs::read(site.path(&format!("book/{STATS}"))).unwrap(),
        })
        .collect();
    let files = match layout {
        Some((layout, tier)) => merge_with(&inputs, layout, tier).unwrap().files,
        None => portal_files(&inputs).unwrap(),
    };
    for (rel, bytes) in files {
        portal.write(&format!("book/{rel}"), bytes);
    }
    copy_tree(&built[0].1.path("book/assets"), &portal.path("book/assets"));
    portal
}

/// `lore build` writes the statistics; their counts agree with the browser index it wrote.
#[test]
fn build_writes_search_statistics_for_a_portal() {
    let site = SiteTest::empty("stats-file");
    site.write("book.toml", "[book]\ntitle = \"Billing\"\n\n[output.html]\nsearch-stats = true\n");
    write_pages(&site.path("src"), BETA);
    site.run(&["build"]).success();
    let bytes = std::fs::read(site.path(&format!("book/{STATS}"))).unwrap();
    let info = stats::info("billing", &bytes).unwrap();
    let head: serde_json::Value = serde_json::from_slice(
        &stats::inflate(&std::fs::read(site.path("book/search/head.json.gz")).unwrap(), usize::MAX).unwrap(),
    )
    .unwrap();
    assert_eq!(info.sections, head["n"].as_u64().unwrap());
    assert_eq!((info.pages, info.sections), (4, 8));
    assert_eq!(info.manifest()["stats"], "search/stats.bin.gz");
    // Deterministic: a second build writes the same bytes.
    site.run(&["build"]).success();
    assert_eq!(std::fs::read(site.path(&format!("book/{STATS}"))).unwrap(), bytes);
}

/// The merged index ranks like `lore search` over one site of all the sites' pages: the same
/// first page for at least 95 % of the queries, top-10 overlap at least 90 % (the parity test
/// of a single site, `search::browser_ranking_matches_the_terminal`); results link into their
/// site. Records numbered as a site numbers them, and with a stride (large portals).
#[test]
fn merged_index_ranks_like_one_index_of_all_sites() {
    if !node() {
        return;
    }
    let (built, combined) = sites();
    parity(&portal(&built, None), &combined);
    parity(&portal(&built, Some((Layout::Strided, TIER))), &combined);
    // Entries of at most 4 postings: most words' postings are mostly in their tail files,
    // which a query loads when a record there could reach its results.
    let tiered = portal(&built, Some((Layout::Dense, 4)));
    assert!(std::fs::read_dir(tiered.path("book/search/t")).unwrap().count() > 100);
    parity(&tiered, &combined);
}

fn parity(portal: &SiteTest, combined: &SiteTest) {
    parity_of(&portal.path("book"), combined, "", &["alpha", "beta", "gamma"]);
}

/// The parity of the merged index in `book` with `lore search` over `combined`, over the
/// shared queries and `more`; the results' site labels are `sites`.
fn parity_of(book: &Path, combined: &SiteTest, more: &str, sites: &[&str]) {
    assert!(book.join(PORTAL_HEAD).is_file());
    let mut queries =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/search/queries.txt"))
            .unwrap();
    queries.push_str(
        "ledger\ninvoice worker\nreplica\nzone transfer\ncertificate\ntunnel\nexport\nresolvr\nledg\n",
    );
    queries.push_str(more);
    let (mut same_top, mut overlap, mut n, mut misses) = (0, 0.0, 0, Vec::new());
    let mut sites_seen = BTreeSet::new();
    for v in run_searcher(book, &queries) {
        let query = v["query"].as_str().unwrap();
        let js: Vec<String> =
            v["pages"].as_array().unwrap().iter().map(|u| u.as_str().unwrap().to_owned()).collect();
        sites_seen.extend(v["sites"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_owned()));
        let cli = cli_pages(combined, query);
        n += 1;
        if js.first() == cli.first() {
            same_top += 1;
        } else {
            misses.push(format!("{query}: terminal {:?}, merged {:?}", cli.first(), js.first()));
        }
        let a: BTreeSet<_> = cli.iter().take(10).collect();
        let b: BTreeSet<_> = js.iter().take(10).collect();
        let most = a.len().max(b.len());
        overlap += if most == 0 { 1.0 } else { a.intersection(&b).count() as f64 / most as f64 };
    }
    assert!(n >= 55, "only {n} queries");
    let top = same_top as f64 / n as f64;
    let overlap = overlap / n as f64;
    eprintln!("merged parity over {n} queries: same top {top:.3}, top-10 overlap {overlap:.3}");
    assert!(top >= 0.95, "same top result for {same_top}/{n}: {misses:#?}");
    assert!(overlap >= 0.90, "top-10 overlap {overlap:.3}");
    assert_eq!(sites_seen, sites.iter().map(|s| (*s).to_owned()).collect::<BTreeSet<_>>());
}

/// The theme's searcher (`tests/search/run.js` under Node) over the index in `book`: one JSON
/// value per line of `queries` (`pages`: the URLs, `sites`: their site labels, best first).
pub(crate) fn run_searcher(book: &Path, queries: &str) -> Vec<serde_json::Value> {
    let file = tempfile::NamedTempFile::new_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    std::fs::write(file.path(), queries).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/search/run.js");
    let out = Command::new("node").arg(script).arg(book).arg(file.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// Every result of each query as `site url`, best first.
pub(crate) fn results(book: &Path, queries: &[&str]) -> Vec<Vec<String>> {
    run_searcher(book, &(queries.join("\n") + "\n"))
        .iter()
        .map(|v| {
            let urls = v["pages"].as_array().unwrap().iter();
            let sites = v["sites"].as_array().unwrap().iter();
            sites.zip(urls).map(|(s, u)| format!("{} {}", s.as_str().unwrap(), u.as_str().unwrap())).collect()
        })
        .collect()
}

/// The portal's own front page in [`issue_16_portal_build_searches_every_site_and_its_own_pages`].
const HOME: &str = "# Organisation\n\nThe zeppelin handbook: where every team keeps its documentation.\n";

/// Issue 16: `lore build` of a portal over three sites (read by path, published beside the
/// portal: links relative to it) with a page of its own writes one merged index. A word of each
/// site finds that site's page, labelled with the site and linked into it; a word of the
/// portal's own page finds it; and the index ranks like `lore search` over one site of all the
/// pages. The portal's own index is not written beside the merged one.
#[test]
fn issue_16_portal_build_searches_every_site_and_its_own_pages() {
    if !node() {
        return;
    }
    let (built, combined) = sites_with_home(Some(HOME));
    let portal = SiteTest::empty("portal-built");
    let entries: String = built
        .iter()
        .map(|(name, site)| {
            format!("  {{ name = \"{name}\", path = \"{}\" }},\n", site.path("book").display())
        })
        .collect();
    portal.write("book.toml", format!("[book]\ntitle = \"Org\"\n\n[portal]\nsites = [\n{entries}]\n"));
    portal.write("src/README.md", HOME);
    let beside: String = (6..9)
        .zip(["alpha", "beta", "gamma"])
        .map(|(line, name)| format!("book.toml:{line}:1: warning: portal site `{name}` does not say where it is published; links go to `{name}/` beside the portal\n  = hint: add `url = \"https://…/\"` to its entry, or set `site-url` in the site's `[output.html]`\n\n"))
        .collect();
    portal
        .run(&["build", "--today", TODAY])
        .success()
        .stderr_eq(&format!("{beside}built 1 page in [TIME] s → book/\n"));
    let book = portal.path("book");
    assert_eq!(
        results(&book, &["cloudwatch", "csv", "servfail", "zeppelin"]),
        [
            vec!["alpha alpha/runbooks/kafka-under-replicated-partitions/"],
            vec!["beta beta/guides/payment-exports/"],
            vec!["gamma gamma/runbooks/dns-resolution-failures/"],
            vec!["Org "],
        ]
    );
    parity_of(&book, &combined, "zeppelin\nhandbook\n", &["alpha", "beta", "gamma", "Org"]);
    // One index: the merged one (its files are named by what the sites published), and none
    // of the portal's own beside it.
    let own = SiteTest::empty("portal-own");
    own.write("book.toml", "[book]\ntitle = \"Org\"\n");
    own.write("src/README.md", HOME);
    own.run(&["build", "-q", "--today", TODAY]).success();
    let merged: BTreeSet<String> = portal.files("book/search").into_keys().collect();
    let stale: Vec<String> =
        own.files("book/search").into_keys().filter(|f| f != "head.json.gz" && merged.contains(f)).collect();
    assert_eq!(stale, Vec::<String>::new(), "files of the portal's own index");
    assert!(!portal.path(&format!("book/{STATS}")).exists(), "the portal wrote no statistics of its own");
}

/// A site whose statistics are damaged stops the merge with an error naming it.
#[test]
fn a_damaged_site_is_named() {
    let site = SiteTest::empty("stats-damaged");
    site.write("book.toml", "[book]\ntitle = \"Network\"\n\n[output.html]\nsearch-stats = true\n");
    write_pages(&site.path("src"), GAMMA);
    site.run(&["build"]).success();
    let mut bytes = std::fs::read(site.path(&format!("book/{STATS}"))).unwrap();
    bytes.truncate(bytes.len() / 2);
    let good = SiteSearch { name: "beta".into(), base: "beta/".into(), stats: Vec::new() };
    let inputs = [
        SiteSearch { stats: std::fs::read(site.path(&format!("book/{STATS}"))).unwrap(), ..good.clone() },
        SiteSearch { name: "network".into(), base: "https://net.example.com/docs/".into(), stats: bytes },
    ];
    assert_eq!(
        portal_files(&inputs).unwrap_err().to_string(),
        "site `network`: invalid search statistics: cannot inflate it (gzip): incomplete deflate stream"
    );
}

/// The statistics cost memory every build would pay (about 280 MiB at 10,000 pages): a site
/// writes them only when `[output.html] search-stats = true` asks for them.
#[test]
fn search_statistics_are_written_only_when_asked_for() {
    let site = SiteTest::empty("search-stats-off");
    site.write("book.toml", "[book]\ntitle = \"Plain\"\n");
    site.write("src/index.md", "# Home\n\nSome words to index.\n");
    site.run(&["build"]).success();
    assert!(site.path("book/search/head.json.gz").is_file());
    assert!(!site.path(&format!("book/{STATS}")).exists(), "no statistics unless asked for");
    site.write("book.toml", "[book]\ntitle = \"Plain\"\n\n[output.html]\nsearch-stats = true\n");
    site.run(&["build"]).success();
    assert!(site.path(&format!("book/{STATS}")).is_file());
}
