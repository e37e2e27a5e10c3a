//! The merge's scores equal tantivy's over one index of every site's pages; the stats file
//! round-trips; bad stats files are errors naming the site.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{SiteSearch, merge};
use crate::search::stats::{self, FORMAT, STATS};
use crate::search::{PageDoc, SectionDoc, browser, index};

fn page(url: &str, title: &str, owner: &str, sections: &[(&str, &str)]) -> Arc<PageDoc> {
    Arc::new(PageDoc {
        url: url.to_owned(),
        title: title.to_owned(),
        kind: "runbook".to_owned(),
        owner: owner.to_owned(),
        tags: vec!["db".to_owned()],
        service: String::new(),
        status: String::new(),
        freshness: "fresh".to_owned(),
        sections: sections
            .iter()
            .map(|(a, t)| SectionDoc {
                anchor: (*a).to_owned(),
                heading: if a.is_empty() { vec![] } else { vec![format!("About {a}")] },
                text: (*t).to_owned(),
            })
            .collect(),
    })
}

fn site_a() -> Vec<Arc<PageDoc>> {
    vec![
        page(
            "db/",
            "Database failover",
            "dba",
            &[
                ("", "Promote the replica when the primary fails."),
                ("lag", "Replication lag grows; the replica falls behind the primary database."),
            ],
        ),
        page(
            "queue/",
            "Queue backlog",
            "sre",
            &[("", "The queue grows when workers stall; restart the workers.")],
        ),
    ]
}

fn site_b() -> Vec<Arc<PageDoc>> {
    vec![
        page(
            "cache/",
            "Cache eviction",
            "web",
            &[
                ("", "Evictions spike when the cache is full; the database takes the load."),
                ("size", "Raise the cache size or shorten lifetimes of keys."),
            ],
        ),
        page(
            "tls/",
            "Certificate rotation",
            "sec",
            &[("", "Rotate certificates before they expire; the replica and primary both need them.")],
        ),
        page(
            "db/",
            "Database upgrade",
            "dba",
            &[("", "Upgrade the replica first, then fail over and upgrade the primary.")],
        ),
    ]
}

fn stats_of(pages: &[Arc<PageDoc>], dir: &std::path::Path) -> Vec<u8> {
    let written = index::write(pages, dir).unwrap();
    stats::encode(&stats::collect(pages, &written).unwrap()).unwrap()
}

/// Files of a bundle under `prefix`, by name.
fn under(files: &[(String, Vec<u8>)], prefix: &str) -> BTreeMap<String, Vec<u8>> {
    files.iter().filter(|(n, _)| n.starts_with(prefix)).cloned().collect()
}

/// Merging two sites gives the dictionary (every postings list, every quantised impact) and
/// the word packs that exporting one tantivy index of both sites' pages gives, byte for byte.
#[test]
fn merged_scores_equal_one_index_of_all_pages() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (site_a(), site_b());
    let sites = vec![
        SiteSearch { name: "alpha".into(), base: String::new(), stats: stats_of(&a, &dir.path().join("a")) },
        SiteSearch { name: "beta".into(), base: String::new(), stats: stats_of(&b, &dir.path().join("b")) },
    ];
    let merged = merge(&sites).unwrap();
    let all: Vec<Arc<PageDoc>> = a.iter().chain(&b).cloned().collect();
    let written = index::write(&all, &dir.path().join("all")).unwrap();
    let one = browser::export(&all, &written).unwrap();
    assert_eq!(under(&merged.files, "search/s/"), under(&one.files, "search/s/"));
    assert_eq!(under(&merged.files, "search/w/"), under(&one.files, "search/w/"));
    assert!(!under(&one.files, "search/s/").is_empty());
    assert_eq!((merged.pages, merged.records), (5, 7));
}

/// Fragments link into their site and name it; the head has a `site` facet.
#[test]
fn merged_pages_link_into_their_sites() {
    let dir = tempfile::tempdir().unwrap();
    let sites = vec![
        SiteSearch {
            name: "alpha".into(),
            base: "https://docs.example.com/alpha".into(),
            stats: stats_of(&site_a(), &dir.path().join("a")),
        },
        SiteSearch {
            name: "beta".into(),
            base: "beta/".into(),
            stats: stats_of(&site_b(), &dir.path().join("b")),
        },
    ];
    let merged = merge(&sites).unwrap();
    let mut packs: Vec<(usize, serde_json::Value)> = under(&merged.files, "search/f/")
        .iter()
        .map(|(name, gz)| {
            let n = name.rsplit_once('-').unwrap().1.trim_end_matches(".json.gz").parse().unwrap();
            (n, serde_json::from_slice(&gunzip(gz)).unwrap())
        })
        .collect();
    packs.sort_by_key(|p| p.0);
    assert_eq!(packs.len(), 5, "one page a pack");
    let urls: Vec<(&str, &str)> =
        packs.iter().map(|(_, p)| (p[0]["u"].as_str().unwrap(), p[0]["w"].as_str().unwrap())).collect();
    assert_eq!(
        urls,
        [
            ("https://docs.example.com/alpha/db/", "alpha"),
            ("https://docs.example.com/alpha/queue/", "alpha"),
            ("beta/cache/", "beta"),
            ("beta/tls/", "beta"),
            ("beta/db/", "beta"),
        ]
    );
    let head = under(&merged.files, browser::HEAD);
    let head: serde_json::Value = serde_json::from_slice(&gunzip(&head[browser::HEAD])).unwrap();
    assert_eq!(head["facets"]["site"]["values"], serde_json::json!([["alpha", 2], ["beta", 3]]));
    assert_eq!(head["sections"], "21211");
}

fn gunzip(gz: &[u8]) -> Vec<u8> {
    stats::inflate(gz, usize::MAX).unwrap()
}

#[test]
fn stats_round_trip_and_manifest_entry() {
    let dir = tempfile::tempdir().unwrap();
    let pages = site_a();
    let written = index::write(&pages, &dir.path().join("a")).unwrap();
    let collected = stats::collect(&pages, &written).unwrap();
    let bytes = stats::encode(&collected).unwrap();
    let read = stats::decode("alpha", &bytes).unwrap();
    assert_eq!(read.terms, collected.terms);
    assert_eq!(read.norms, collected.norms);
    assert_eq!(read.words, collected.words);
    assert_eq!(read.totals, collected.totals);
    assert_eq!(read.pages.iter().map(|p| p.url.as_str()).collect::<Vec<_>>(), ["db/", "queue/"]);
    let info = stats::info("alpha", &bytes).unwrap();
    assert_eq!(
        info.manifest(),
        serde_json::json!({"stats": STATS, "format": FORMAT, "sections": 3, "terms": collected.terms.len()})
    );
}

/// Damaged or hostile stats files are errors naming the site, never panics.
#[test]
fn bad_stats_files_are_errors_naming_the_site() {
    let dir = tempfile::tempdir().unwrap();
    let good = stats_of(&site_a(), &dir.path().join("a"));
    let raw = gunzip(&good);
    let gz = |raw: &[u8]| browser::gzip(raw).unwrap();
    let err = |stats: Vec<u8>| {
        let site = SiteSearch { name: "payments".into(), base: "payments/".into(), stats };
        merge(&[site]).unwrap_err().to_string()
    };
    assert_eq!(
        err(b"garbage".to_vec()),
        "site `payments`: invalid search statistics: cannot inflate it (gzip): unexpected end of file"
    );
    assert_eq!(
        err(gz(b"LOREstats1")),
        "site `payments`: invalid search statistics: not a lore search statistics file"
    );
    let mut v2 = raw.clone();
    v2[9] = 2;
    assert_eq!(
        err(gz(&v2)),
        "site `payments`: invalid search statistics: format 2, this lore reads format 1"
    );
    assert_eq!(
        err(gz(&raw[..raw.len() - 1])),
        "site `payments`: invalid search statistics: the file ends early"
    );
    let mut evil = raw.clone();
    let at = evil.windows(3).position(|w| w == b"db/").unwrap();
    evil[at..at + 3].copy_from_slice(b"j:/");
    assert_eq!(
        err(gz(&evil)),
        "site `payments`: invalid search statistics: page 0: the URL `j:/` is not a site-relative path"
    );
    // Every truncation and every single-byte change: an error or a merged index, no panic.
    for cut in (0..raw.len()).step_by(7) {
        let _ = merge(&[SiteSearch { name: "x".into(), base: String::new(), stats: gz(&raw[..cut]) }]);
    }
    for at in 0..raw.len().min(400) {
        let mut b = raw.clone();
        b[at] ^= 0xff;
        let _ = merge(&[SiteSearch { name: "x".into(), base: String::new(), stats: gz(&b) }]);
    }
    let site = |base: &str| SiteSearch { name: "p".into(), base: base.into(), stats: good.clone() };
    assert_eq!(
        merge(&[site("javascript:alert(1)")]).unwrap_err().to_string(),
        "site `p`: invalid search statistics: the base URL `javascript:alert(1)` is neither `http(s)://…` nor a relative path"
    );
}
