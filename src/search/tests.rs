use super::browser::{self, front_code, quantise, varint, write_postings};
use super::query::{self, Parsed, Vocabulary, edit_distance, parse};
use super::*;
use std::sync::Arc;

#[test]
fn analyser_splits_lowercases_stems_and_drops_long_tokens() {
    let long = "a".repeat(MAX_TOKEN_BYTES);
    let just_short = "b".repeat(MAX_TOKEN_BYTES - 1);
    let text = format!("Failover: DB-failovers RUNNING queries {long} {just_short} naïve Ünïcode");
    assert_eq!(
        tokens(&mut analyzer(), &text),
        ["failov", "db", "failov", "run", "queri", just_short.as_str(), "naïv", "ünïcode"]
    );
    assert_eq!(tokens(&mut surface_analyzer(), "Failover: DB-failovers"), ["failover", "db", "failovers"]);
    assert_eq!(stem(&mut analyzer(), "replicas"), "replica");
}

#[test]
fn varints_and_front_coding() {
    let mut buf = Vec::new();
    varint(&mut buf, 0);
    varint(&mut buf, 127);
    varint(&mut buf, 128);
    varint(&mut buf, 300);
    assert_eq!(buf, [0, 127, 0x80, 1, 0xac, 2]);
    let mut buf = Vec::new();
    front_code(&mut buf, "failov", "failur");
    assert_eq!(buf, [4, 2, b'u', b'r']);
}

#[test]
fn postings_are_delta_coded_with_one_byte_impacts() {
    let mut buf = Vec::new();
    write_postings(&mut buf, &[(3, 1.0), (5, 2.0), (300, 4.0)]);
    assert_eq!(buf, [3, 0, 0, 0x80, 0x40, 3, 64, 2, 128, 0xa7, 2, 255]);
    assert_eq!(quantise(0.0001, 4.0), 1, "every posting counts");
    assert_eq!(quantise(4.0, 4.0), 255);
}

fn page(url: &str, title: &str, sections: &[(&str, &str)]) -> Arc<PageDoc> {
    Arc::new(PageDoc {
        url: url.to_owned(),
        title: title.to_owned(),
        kind: "runbook".to_owned(),
        owner: "sre".to_owned(),
        tags: vec!["db".to_owned()],
        service: String::new(),
        status: String::new(),
        freshness: "unknown".to_owned(),
        sections: sections
            .iter()
            .map(|(a, t)| SectionDoc { anchor: (*a).to_owned(), heading: vec![], text: (*t).to_owned() })
            .collect(),
    })
}

/// A decoded dictionary entry: key, flags, stem (when it differs), postings.
type Entry = (String, u8, Option<String>, Vec<(u64, u8)>);

/// Decodes a shard (the same layout the browser reads).
fn decode(bytes: &[u8]) -> Vec<Entry> {
    let mut pos = 0;
    let mut prev: Vec<u8> = Vec::new();
    let mut out = Vec::new();
    let varint = |pos: &mut usize| {
        let (mut v, mut shift) = (0u64, 0);
        loop {
            let b = bytes[*pos];
            *pos += 1;
            v |= u64::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                return v;
            }
        }
    };
    let front = |pos: &mut usize, base: &[u8]| {
        let (shared, len) = (bytes[*pos] as usize, bytes[*pos + 1] as usize);
        let mut k = base[..shared].to_vec();
        k.extend_from_slice(&bytes[*pos + 2..*pos + 2 + len]);
        *pos += 2 + len;
        k
    };
    while pos < bytes.len() {
        let key = front(&mut pos, &prev);
        let flags = bytes[pos];
        pos += 1;
        let mut stem = None;
        if flags & 4 != 0 {
            stem = Some(String::from_utf8(front(&mut pos, &key)).unwrap());
            varint(&mut pos);
        }
        let mut postings = Vec::new();
        if flags & 2 != 0 {
            let df = varint(&mut pos);
            pos += 4;
            let mut rec = 0;
            for _ in 0..df {
                rec += varint(&mut pos);
                postings.push((rec, bytes[pos]));
                pos += 1;
            }
        }
        out.push((String::from_utf8(key.clone()).unwrap(), flags, stem, postings));
        prev = key;
    }
    out
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).unwrap();
    out
}

#[test]
fn shard_writer_covers_every_word_in_order_and_cuts_by_size() {
    let dir = tempfile::tempdir().unwrap();
    let mut pages = vec![page(
        "runbooks/db/",
        "Database failover",
        &[("", "Promote the replica."), ("steps", "Check replication lag, then promote replicas.")],
    )];
    // Enough distinct words for several shards.
    let filler: Vec<String> = (0..3000).map(|i| format!("word{i:05}x")).collect();
    pages.push(page("glossary/", "Glossary", &[("", &filler.join(" "))]));
    let written = index::write(&pages, &dir.path().join("idx")).unwrap();
    let bundle = browser::export(&pages, &written).unwrap();
    let shards: Vec<&(String, Vec<u8>)> =
        bundle.files.iter().filter(|(p, _)| p.starts_with("search/s/")).collect();
    assert!(shards.len() > 2, "{} shards", shards.len());
    let mut keys = Vec::new();
    for (_, gz) in &shards {
        let raw = gunzip(gz);
        assert!(raw.len() < browser::SHARD_BYTES + 600, "a shard of {} bytes", raw.len());
        keys.extend(decode(&raw));
    }
    // The head lists shards in key order, so concatenating them in file order is not enough:
    // order by the head's first keys.
    let head: serde_json::Value =
        serde_json::from_slice(&gunzip(&bundle.files.iter().find(|(p, _)| p == &bundle.head).unwrap().1))
            .unwrap();
    let firsts: Vec<&str> =
        head["shards"].as_array().unwrap().iter().map(|r| r[0].as_str().unwrap()).collect();
    assert!(firsts.windows(2).all(|w| w[0] < w[1]));
    let mut sorted: Vec<&String> = keys.iter().map(|k| &k.0).collect();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), keys.len(), "every key once");
    let get = |k: &str| keys.iter().find(|e| e.0 == k).unwrap_or_else(|| panic!("no {k}"));
    let replicas = get("replicas");
    assert_eq!(
        (replicas.1, replicas.2.as_deref()),
        (1 | 4, Some("replica")),
        "a surface word pointing at its stem"
    );
    let replica = get("replica");
    assert_eq!(replica.1 & 3, 3, "a surface word that is also a stem with postings");
    assert_eq!(replica.3.iter().map(|p| p.0).collect::<Vec<_>>(), [0, 1], "both sections of the first page");
    let promot = get("promot");
    assert_eq!(promot.1, 2, "a stem no one types");
    assert_eq!(head["n"], 3);
    assert_eq!(head["sections"], "21");
    assert!(bundle.words.contains("replicas\treplica\t2\n"));
}

#[test]
fn shards_are_never_cut_between_a_word_and_its_stem() {
    let mut keys = std::collections::BTreeMap::new();
    keys.insert("happi", (None, false));
    keys.insert("happier", (Some("happi"), true));
    keys.insert("happy", (Some("happi"), true));
    keys.insert("zoo", (None, true));
    assert_eq!(browser::joined_boundaries(&keys), [false, true, true, false]);

    // A corpus of inflected words, big enough for many shards: every word's shard holds its stem.
    let dir = tempfile::tempdir().unwrap();
    let letters = |mut i: usize| {
        let mut s = String::new();
        for _ in 0..3 {
            s.push((b'a' + (i % 26) as u8) as char);
            i /= 26;
        }
        s
    };
    let words: Vec<String> = (0..1500)
        .flat_map(|i| {
            let base = format!("ma{}", letters(i));
            [format!("{base}ing"), format!("{base}ed"), format!("{base}s")]
        })
        .collect();
    let pages = vec![page("glossary/", "Glossary", &[("", &words.join(" "))])];
    let written = index::write(&pages, &dir.path().join("idx")).unwrap();
    let bundle = browser::export(&pages, &written).unwrap();
    let shards: Vec<Vec<Entry>> = bundle
        .files
        .iter()
        .filter(|(p, _)| p.starts_with("search/s/"))
        .map(|(_, gz)| decode(&gunzip(gz)))
        .collect();
    assert!(shards.len() > 5, "{} shards", shards.len());
    let mut aliased = 0;
    for shard in &shards {
        for (key, _, stem, _) in shard {
            let Some(stem) = stem else { continue };
            aliased += 1;
            assert!(shard.iter().any(|e| &e.0 == stem), "{key} and its stem {stem} are in different shards");
        }
    }
    assert!(aliased > 3000, "{aliased} words with a stem of their own");
}

/// When a long postings list forces a cut between a word and its stem, the shard table marks
/// the shard after the cut, and the run of marked shards around a word holds its stem.
#[test]
fn forced_cuts_are_marked_in_the_shard_table() {
    let dir = tempfile::tempdir().unwrap();
    let sections: Vec<(String, String)> = (0..200)
        .map(|i| (format!("s{i}"), format!("connections connected connecting unique{i:03}x")))
        .collect();
    let sections: Vec<(&str, &str)> = sections.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let pages = vec![page("net/", "Network", &sections)];
    let written = index::write(&pages, &dir.path().join("idx")).unwrap();
    let mut impacts = browser::impacts(&written).unwrap();
    let mut files = Vec::new();
    let table = browser::dictionary_shards_sized(&written, &mut impacts, &mut files, 64, 128).unwrap();
    let shards: Vec<Vec<Entry>> = files.iter().map(|(_, gz)| decode(&gunzip(gz))).collect();
    let marked: Vec<bool> = table.iter().map(|r| r.get(2).is_some_and(|v| v == 1)).collect();
    assert!(marked.iter().any(|m| *m), "no forced cut: {table:?}");
    let holding = |key: &str| shards.iter().position(|s| s.iter().any(|e| e.0 == key)).unwrap();
    for word in ["connections", "connected", "connecting"] {
        let (i, stem) = (holding(word), holding("connect"));
        let (mut lo, mut hi) = (i, i);
        while lo > 0 && marked[lo] {
            lo -= 1;
        }
        while hi + 1 < marked.len() && marked[hi + 1] {
            hi += 1;
        }
        assert!((lo..=hi).contains(&stem), "{word} in shard {i}, its stem in {stem}: {table:?}");
    }
}

#[test]
fn query_syntax() {
    assert_eq!(
        parse("  Postgres \"read replica\" -Staging lag"),
        Parsed {
            words: vec!["postgres".into(), "read".into(), "replica".into(), "lag".into()],
            phrases: vec![vec!["read".into(), "replica".into()]],
            excluded: vec!["staging".into()],
            prefix_last: true,
        }
    );
    assert!(!parse("\"read replica\"").prefix_last, "a closing phrase is not a prefix");
    assert!(parse("-").words.is_empty(), "a lone dash is not a word");
}

#[test]
fn edit_distance_counts_transpositions_once() {
    assert_eq!(edit_distance("replcia", "replica", 2), 1);
    assert_eq!(edit_distance("databse", "database", 2), 1);
    assert_eq!(edit_distance("kubctl", "kubectl", 2), 1);
    assert_eq!(edit_distance("abc", "xyzabc", 2), 3, "capped at max + 1");
}

#[test]
fn expansion_weights_prefixes_and_typos() {
    let vocab = Vocabulary::parse(
        "failover\tfailov\t3\nfailovers\tfailov\t3\nfailure\tfailur\t5\nreplica\treplica\t2\n",
    );
    assert_eq!(vocab.expand("failover", false), [("failov".to_owned(), 1.0)]);
    let prefix = vocab.expand("fail", true);
    assert!(prefix.contains(&("failur".to_owned(), query::PREFIX_WEIGHT)), "{prefix:?}");
    assert!(prefix.contains(&("failov".to_owned(), query::PREFIX_WEIGHT)), "{prefix:?}");
    let typo = vocab.expand("replcia", false);
    assert!(typo.contains(&("replica".to_owned(), query::TYPO1_WEIGHT)), "{typo:?}");
    assert_eq!(vocab.expand("rep", false).len(), 1, "no typo tolerance under 4 letters");
}

#[test]
fn snippets_mark_matched_words() {
    let (text, marks) = query::snippet(
        "We promote the replica after checking replicas and replication lag.",
        &["replica".to_owned()],
    );
    let marked: Vec<&str> = marks.iter().map(|(s, e)| &text[*s..*e]).collect();
    assert_eq!(marked, ["replica", "replicas"], "by stem: replication stems to replic");
}

/// The pages (by URL) `lore search` finds for `q` in the index in `dir`.
fn found(dir: &std::path::Path, q: &str) -> Vec<String> {
    let searcher = query::Searcher::open(dir).unwrap();
    let results = searcher.search(q, &query::Filters::default(), 10).unwrap();
    results.pages.iter().map(|p| p.url.clone()).collect()
}

#[test]
fn replacing_a_page_finds_its_new_text_and_forgets_the_old() {
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("idx");
    let mut pages = vec![
        page("a/", "Alpha", &[("", "Rotate the walrus keys.")]),
        page("b/", "Beta", &[("", "Drain the queue."), ("more", "Then restart the walrus.")]),
        page("c/", "Gamma", &[("", "Nothing here.")]),
    ];
    let written = index::write(&pages, &idx).unwrap();
    std::fs::write(idx.join("words.tsv"), browser::export(&pages, &written).unwrap().words).unwrap();
    drop(written);
    assert_eq!(found(&idx, "walrus"), ["a/", "b/#more"]);
    pages[1] = page("b/", "Beta", &[("", "Drain the pelican."), ("more", "x"), ("last", "y")]);
    index::replace_pages(&idx, &pages, &[1]).unwrap();
    assert_eq!(found(&idx, "walrus"), ["a/"], "the old text is gone");
    assert_eq!(found(&idx, "pelican"), ["b/"], "the new text is found");
    assert_eq!(found(&idx, "nothing"), ["c/"], "other pages are untouched");
    index::replace_pages(&idx, &pages, &[1]).unwrap();
    assert_eq!(found(&idx, "pelican"), ["b/"], "replacing twice keeps one copy");
}

/// Issue 13: lore's own token totals (the average length BM25 uses) equal tantivy's exact
/// ones for a freshly written index: long tokens, punctuation, Unicode and heading paths
/// included.
#[test]
fn issue_13_token_totals_equal_tantivys_on_a_fresh_index() {
    let dir = tempfile::tempdir().unwrap();
    let long = "z".repeat(MAX_TOKEN_BYTES + 3);
    let mut b =
        (*page("b/", "Beta: DB-failover", &[("", "x"), ("steps", "Naïve Ünïcode; 3.14 — ok")])).clone();
    b.sections[1].heading = vec!["Recovery".into(), "Promote the replica (v2)".into()];
    let pages = vec![
        page("a/", "Alpha", &[("", &format!("Rotate {long} the walrus-keys, twice."))]),
        Arc::new(b),
        page("c/", "", &[("", "")]),
    ];
    let written = index::write(&pages, &dir.path().join("idx")).unwrap();
    let searcher = written.index.reader().unwrap().searcher();
    let tantivy: Vec<u64> = [written.fields.title, written.fields.body]
        .iter()
        .map(|&f| {
            searcher.segment_readers().iter().map(|s| s.inverted_index(f).unwrap().total_num_tokens()).sum()
        })
        .collect();
    assert_eq!(written.totals.to_vec(), tantivy);
    // Titles: `alpha`; `beta db failover` twice, the second with `recovery promote the replica
    // v2`. Bodies: `rotate the walrus keys twice` (the long token dropped); `x`; `naïve
    // ünïcode 3 14 ok`.
    assert_eq!(written.totals, [1 + 3 + 3 + 5, 5 + 1 + 5]);
}

/// Issue 13: replacing pages through the ledger gives the same browser index as writing the
/// index afresh, across several updates (segments with deletions pile up).
#[test]
fn issue_13_an_updated_index_exports_what_a_fresh_one_does() {
    let dir = tempfile::tempdir().unwrap();
    let (kept, fresh) = (dir.path().join("kept"), dir.path().join("fresh"));
    let mut pages: Vec<Arc<PageDoc>> = (0..12)
        .map(|i| {
            page(
                &format!("p{i}/"),
                &format!("Page {i}"),
                &[("", &format!("walrus {i} drains the queue {i}")), ("more", "x")],
            )
        })
        .collect();
    let first = index::update(&pages, &kept, None).unwrap();
    assert_eq!(first.1, index::Updated::Afresh);
    let edits: [(usize, &str); 4] =
        [(3, "pelican pelican"), (7, "walrus walrus walrus"), (3, "the queue again"), (11, "gone quiet")];
    for (round, (p, text)) in edits.into_iter().enumerate() {
        pages[p] = page(&format!("p{p}/"), &format!("Page {p}"), &[("", text), ("more", "walrus")]);
        let (updated, how) = index::update(&pages, &kept, None).unwrap();
        assert_eq!(how, index::Updated::Replaced(1), "round {round}");
        let want = index::write(&pages, &fresh).unwrap();
        let (a, b) = (browser::export(&pages, &updated).unwrap(), browser::export(&pages, &want).unwrap());
        assert_eq!(a.files, b.files, "round {round}");
        assert_eq!(a.words, b.words, "round {round}");
    }
    assert!(updated_segments(&kept) > 1, "the updates kept the first segment and added theirs");
}

fn updated_segments(dir: &std::path::Path) -> usize {
    let (index, _) = index::open(dir).unwrap();
    index.searchable_segment_ids().unwrap().len()
}

/// Issue 13: the one-pass whitespace collapse is `split_whitespace` joined by spaces, for every
/// kind of whitespace Unicode has and for text mixing them with multi-byte words.
#[test]
fn issue_13_clean_collapses_whitespace_as_split_whitespace_does() {
    let spaces = [
        ' ', '\t', '\n', '\u{b}', '\u{c}', '\r', '\u{85}', '\u{a0}', '\u{1680}', '\u{2000}', '\u{2007}',
        '\u{200a}', '\u{2028}', '\u{2029}', '\u{202f}', '\u{205f}', '\u{3000}',
    ];
    // Not whitespace, though they look it or sit next to it.
    let words = ["a", "é", "日本", "\u{200b}", "\u{feff}", "x\u{1f600}y", "\u{1c}", "--"];
    let reference = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut texts = vec![String::new(), " ".to_owned(), "  a  ".to_owned(), "a".to_owned()];
    // Deterministic mixtures of words and runs of spaces.
    let mut seed = 0x9e37_79b9_u32;
    for _ in 0..2000 {
        let mut t = String::new();
        for _ in 0..(seed % 12) {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            if seed >> 31 == 1 {
                t.push(spaces[(seed >> 8) as usize % spaces.len()]);
            } else {
                t.push_str(words[(seed >> 8) as usize % words.len()]);
            }
        }
        texts.push(t);
    }
    for t in &texts {
        assert_eq!(super::clean(t), reference(t), "{t:?}");
    }
}
