//! The merge's scores equal tantivy's over one index of every site's pages; the stats file
//! round-trips; bad stats files are errors naming the site; what the merge writes its own
//! way (fragment packs, inflating in one go) equals what the general way gives.

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

/// A page of generated words (`w` and base-26 letters), some of them shared with other pages.
fn generated_page(site: usize, n: usize) -> Arc<PageDoc> {
    let word = |i: usize| {
        let mut w = String::from("w");
        let mut i = i;
        loop {
            w.push(char::from(b'a' + (i % 26) as u8));
            i /= 26;
            if i == 0 {
                break w;
            }
        }
    };
    // Words of this page only (the vocabulary grows past a run of the dictionary writer),
    // words every page has (long postings lists), and words of some pages (`…s`, `…ing`:
    // stems other than the words).
    let own: Vec<String> = (0..40).map(|k| word(1000 + (site * 60 + n) * 40 + k)).collect();
    let common = (0..5).map(word).collect::<Vec<_>>().join(" ");
    let some = format!("{}s {}ing", word(100 + n % 7), word(200 + n % 11));
    let text = format!("{common} {} {some}", own.join(" "));
    let mut p = PageDoc::clone(&page(
        &format!("p{n}/"),
        &format!("{} {}", word(n), word(300 + n % 13)),
        "sre",
        &[("", &text)],
    ));
    if n.is_multiple_of(4) {
        p.freshness = "stale".to_owned();
    }
    Arc::new(p)
}

/// Issue 16: the dictionary is written a run of stems at a time (each run read from every
/// site's stream, scored and encoded while the next is read), and tiered by a one-pass split:
/// over three sites with 7,000 terms, more than one run, the shards and word packs are still
/// byte for byte those of one index of all their pages; a tiered merge keeps every posting.
#[test]
fn issue_16_merging_in_runs_equals_one_index_of_all_pages() {
    let dir = tempfile::tempdir().unwrap();
    let sites: Vec<Vec<Arc<PageDoc>>> =
        (0..3).map(|site| (0..50).map(|n| generated_page(site, n)).collect()).collect();
    let inputs: Vec<SiteSearch> = sites
        .iter()
        .enumerate()
        .map(|(i, pages)| SiteSearch {
            name: format!("s{i}"),
            base: String::new(),
            stats: stats_of(pages, &dir.path().join(format!("s{i}"))),
        })
        .collect();
    let merged = merge(&inputs).unwrap();
    let all: Vec<Arc<PageDoc>> = sites.concat();
    let written = index::write(&all, &dir.path().join("all")).unwrap();
    let one = browser::export(&all, &written).unwrap();
    assert!(merged.terms > 6000, "{} terms: fewer than two runs", merged.terms);
    assert_eq!(under(&merged.files, "search/s/"), under(&one.files, "search/s/"));
    assert_eq!(under(&merged.files, "search/w/"), under(&one.files, "search/w/"));
    // Tiered at 8 postings an entry: each of the five words on every page (150 postings,
    // 40 of them on stale pages) leaves 142 in its tail file (postings count first).
    let tiered = super::merge_with(&inputs, super::Layout::Dense, 8).unwrap();
    let tails = under(&tiered.files, "search/t/");
    let full = tails.values().filter(|gz| gunzip(gz).starts_with(&[142, 1])).count();
    assert_eq!(full, 5, "{} tails", tails.len());
}

/// Issue 16: a fragment pack written field by field is the JSON the searcher has always read
/// (`browser::fragment` with the site's URL and name, through serde_json), escapes included.
#[test]
fn issue_16_fragment_packs_are_the_json_of_a_fragment() {
    let mut p = PageDoc::clone(&page(
        "a/\"b\"/",
        "Quote \" backslash \\ tab \t bell \u{7} é € 😀 </script>",
        "team \u{85} owner",
        &[
            ("", "short"),
            ("deep", &"é😀x".repeat(300)),
            ("ascii", &"a".repeat(480)),
            ("over", &"b".repeat(481)),
        ],
    ));
    p.tags = vec!["db".to_owned(), "a\"b".to_owned(), String::new()];
    p.status = "superseded".to_owned();
    p.sections[1].heading = vec!["A".to_owned(), "B \u{203a} C".to_owned()];
    for (base, site) in [("https://docs.example.com/alpha/", "alpha \"one\""), ("", "s")] {
        let mut value = browser::fragment(&p);
        value["u"] = serde_json::Value::from(format!("{base}{}", p.url));
        value["w"] = serde_json::Value::from(site);
        let expected = browser::to_json(&[value], "a pack").unwrap();
        assert_eq!(
            String::from_utf8(super::fragment_pack(&p, base, site).unwrap()).unwrap(),
            String::from_utf8(expected).unwrap()
        );
    }
}

/// Issue 16: a stats file is inflated in one go into a buffer of the size it claims; a file
/// that claims a wrong size, or has bytes after its gzip member, reads as the stream reads it.
#[test]
fn issue_16_inflating_in_one_go_reads_what_the_stream_reads() {
    let dir = tempfile::tempdir().unwrap();
    let good = stats_of(&site_a(), &dir.path().join("a"));
    let raw = {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(good.as_slice()), &mut out).unwrap();
        out
    };
    assert_eq!(stats::inflate(&good, usize::MAX).unwrap(), raw);
    assert_eq!(stats::inflate(&good, 12).unwrap(), raw[..12]);
    let mut trailing = good.clone();
    trailing.extend_from_slice(b"trailing bytes");
    assert_eq!(stats::inflate(&trailing, usize::MAX).unwrap(), raw);
    let claim = |size: u32| {
        let mut lying = good.clone();
        let at = lying.len() - 4;
        lying[at..].copy_from_slice(&size.to_le_bytes());
        stats::inflate(&lying, usize::MAX)
    };
    let too_small = claim(raw.len() as u32 - 1).unwrap_err();
    assert_eq!(too_small, claim(raw.len() as u32 + 1).unwrap_err());
    assert_eq!(too_small, claim(u32::MAX).unwrap_err());
    assert_eq!(too_small, "cannot inflate it (gzip): corrupt gzip stream does not have a matching checksum");
}

/// How the stats reader inflated before issue 16: a gzip stream read to its end, capped.
fn inflate_as_a_stream(gz: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(flate2::read::GzDecoder::new(gz), stats::MAX_INFLATED as u64 + 1),
        &mut out,
    )
    .map_err(|e| format!("cannot inflate it (gzip): {e}"))?;
    Ok(out)
}

/// Issue 16: libdeflate reads a damaged stats file (every byte changed in turn, two ways) as
/// the stream read it: the same bytes, or an error (then the stream's own).
#[test]
fn issue_16_a_damaged_file_inflates_in_one_go_as_the_stream_inflates_it() {
    let dir = tempfile::tempdir().unwrap();
    let good = stats_of(&site_b(), &dir.path().join("b"));
    for at in 0..good.len() {
        for flip in [0x01, 0xff] {
            let mut bad = good.clone();
            bad[at] ^= flip;
            assert_eq!(stats::inflate(&bad, usize::MAX), inflate_as_a_stream(&bad), "byte {at} ^ {flip:#x}");
        }
    }
}
