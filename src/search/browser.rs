//! The browser index, exported from the tantivy segment.
//!
//! Files under `search/` in the build folder (all gzip, content-hashed names):
//! - `head.json.gz` (`head.<hash>.json.gz` while `lore serve` exports): format version, record count, score scale, shard table (first key,
//!   hash, and `1` when the shard starts between a word and its stem), word-pack table,
//!   sections per page (one character each), demoted pages (deltas), fragment-pack naming,
//!   filter values with counts;
//! - `s/<hash>.bin.gz` shards: dictionary entries in bytewise order, cut after ~8 KB where the
//!   cut parts no surface word from its stem (so one shard answers an exact word). An entry
//!   is `shared u8, suffix_len u8, suffix, flags u8`, then, if flag 4 (a surface word whose
//!   stem differs), `stem_shared u8, stem_len u8, stem suffix, stem_df varint`, then, if flag 2
//!   (a stem with postings), `df varint`, the stem's largest score (f32 LE) and
//!   `df × (record delta varint, impact u8)`. Flag 1 marks a surface word;
//! - `w/<hash>.txt.gz` word packs: `word TAB df [TAB stem]` lines grouped by the first two
//!   letters (typo candidates and short prefixes);
//! - `f/<hash>-<n>.json.gz` fragment packs: page URL, title, facets and section texts (the
//!   first `FRAGMENT_CHARS` characters of each, the number the head gives); `<hash>` is that of
//!   the pack's group of `FRAGMENT_GROUP` packs (the head lists them), so an edit renames one
//!   group;
//! - `filter-<facet>.<hash>.json.gz`: value → page numbers (delta-coded), loaded when used;
//! - only in a portal's merged index ([`super::merge`]): `t/<hash>.bin.gz`, the postings a
//!   tiered entry (flag 8, see [`super::dictionary`]) leaves out; the head's `stride` when
//!   page `p`'s sections are records `p × stride + k` (its `sections` is then empty); and
//!   each fragment's `w`, the page's site.
//!
//! An impact is tantivy's BM25 score of a stem in a record (title boosted, summed over fields),
//! quantised linearly to one byte against the stem's largest; the browser only multiplies and
//! adds.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::{Value, json};
use tantivy::postings::Postings;
use tantivy::query::Bm25Weight;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocSet, TERMINATED};

use super::PageDoc;
pub use super::dictionary::{PostingsList, PostingsSource, dictionary_shards_of};
use super::index::Written;
use super::schema::TITLE_BOOST;
use crate::error::Error;
use crate::output::hash8;

/// The head file as `lore build` writes it and pages name it: a fixed name (the searcher fetches
/// it revalidated), so pages do not change when only the index does. `lore serve` names heads by
/// their hash and answers this name with the newest one.
pub const HEAD: &str = "search/head.json.gz";
/// Format version, checked by the searcher.
pub const VERSION: u32 = 2;
/// Fragment packs share a hash in groups of this many.
pub const FRAGMENT_GROUP: usize = 128;
/// A shard is cut once it holds this many bytes.
pub const SHARD_BYTES: usize = 8 * 1024;
/// A shard grows past `SHARD_BYTES` while cutting it would part a word from its stem, up to
/// this size.
pub const MAX_SHARD_BYTES: usize = 4 * SHARD_BYTES;
/// A word pack is cut once it holds this many bytes.
pub const WORD_PACK_BYTES: usize = 4 * 1024;
/// Characters of section text kept per section in the fragments.
pub const FRAGMENT_CHARS: usize = 480;

/// The browser files, ready to write.
#[derive(Debug, Default)]
pub struct Bundle {
    /// (path relative to the site root, bytes).
    pub files: Vec<(String, Vec<u8>)>,
    /// The head file, relative to the site root.
    pub head: String,
    /// `word TAB stem TAB df` lines, for `lore search` (kept beside the tantivy index).
    pub words: String,
}

/// Per stem, the (record, score) postings merged over the title and body fields.
pub type Impacts = BTreeMap<String, Vec<(u32, f32)>>;

/// Reads every term of the title and body fields with its BM25 score per record, over the
/// live documents only: the statistics are those of the pages indexed now, whatever the
/// segments' history (a build that replaced a few pages gives what a fresh index gives).
pub fn impacts(written: &Written) -> Result<Impacts, Error> {
    let reader = written.index.reader()?;
    let searcher = reader.searcher();
    let mut out: Impacts = BTreeMap::new();
    let n_docs = live_docs(&searcher);
    if n_docs == 0 {
        return Ok(out);
    }
    let fields = [(written.fields.title, TITLE_BOOST), (written.fields.body, 1.0)];
    for (slot, (field, boost)) in fields.into_iter().enumerate() {
        let bm25 = Bm25Stats { boost, n_docs, avg: written.totals[slot] as f32 / n_docs as f32 };
        let df = live_doc_freqs(&searcher, field)?;
        for seg in searcher.segment_readers() {
            collect_field(seg, field, bm25, df.as_ref(), &mut out)?;
        }
    }
    out.values_mut().for_each(merge_fields);
    Ok(out)
}

/// What BM25 needs besides a term's postings: the field's boost and the corpus statistics.
#[derive(Debug, Clone, Copy)]
struct Bm25Stats {
    /// The field's boost ([`TITLE_BOOST`] for titles, 1 for the body).
    boost: f32,
    /// Documents in the index.
    n_docs: u64,
    /// Average tokens of the field per document.
    avg: f32,
}

/// The live documents of the index.
fn live_docs(searcher: &tantivy::Searcher) -> u64 {
    searcher.segment_readers().iter().map(|s| u64::from(s.num_docs())).sum()
}

/// Live documents per term of `field`, when tantivy's own counts would not do: they count
/// deleted documents, and are per segment. `None` for one segment without deletes (a freshly
/// written index), whose counts are exact.
fn live_doc_freqs(
    searcher: &tantivy::Searcher,
    field: Field,
) -> Result<Option<HashMap<Vec<u8>, u32>>, Error> {
    let segs = searcher.segment_readers();
    if segs.len() == 1 && !segs[0].has_deletes() {
        return Ok(None);
    }
    let mut df: HashMap<Vec<u8>, u32> = HashMap::new();
    for seg in segs {
        let inverted = seg.inverted_index(field)?;
        let alive = seg.alive_bitset();
        let mut stream = inverted.terms().stream().map_err(|e| Error::search("read", e.into()))?;
        while stream.advance() {
            let n = count_live(&inverted, stream.value(), alive)?;
            if n > 0 {
                *df.entry(stream.key().to_vec()).or_default() += n;
            }
        }
    }
    Ok(Some(df))
}

/// Postings of the title and body fields, in record order, one per record (scores summed).
fn merge_fields(postings: &mut Vec<(u32, f32)>) {
    postings.sort_by_key(|p| p.0);
    postings.dedup_by(|b, a| {
        if a.0 == b.0 {
            a.1 += b.1;
            true
        } else {
            false
        }
    });
}

/// Appends the postings of every term of `field` in `seg` to `out`.
fn collect_field(
    seg: &tantivy::SegmentReader,
    field: Field,
    bm25: Bm25Stats,
    df: Option<&HashMap<Vec<u8>, u32>>,
    out: &mut Impacts,
) -> Result<(), Error> {
    let reader = SegmentField::open(seg, field)?;
    let mut stream = reader.inverted.terms().stream().map_err(|e| Error::search("read", e.into()))?;
    while stream.advance() {
        let Ok(term) = std::str::from_utf8(stream.key()) else { continue };
        let info = stream.value();
        let freq = match df {
            None => info.doc_freq,
            Some(df) => match df.get(stream.key()) {
                Some(&n) => n,
                None => continue,
            },
        };
        let list = out.entry(term.to_owned()).or_default();
        reader.score_postings(info, freq, bm25, list)?;
    }
    Ok(())
}

/// The readers of one field of one segment that scoring its postings needs.
struct SegmentField<'a> {
    inverted: std::sync::Arc<tantivy::InvertedIndexReader>,
    norms: tantivy::fieldnorm::FieldNormReader,
    records: tantivy::columnar::Column<u64>,
    alive: Option<&'a tantivy::fastfield::AliveBitSet>,
}

impl<'a> SegmentField<'a> {
    fn open(seg: &'a tantivy::SegmentReader, field: Field) -> Result<Self, Error> {
        Ok(Self {
            inverted: seg.inverted_index(field)?,
            norms: seg.get_fieldnorms_reader(field)?,
            records: seg.fast_fields().u64("record")?,
            alive: seg.alive_bitset(),
        })
    }

    /// Appends the (record, BM25 score) postings of one term found in `df` live documents,
    /// deleted documents left out.
    fn score_postings(
        &self,
        info: &tantivy::postings::TermInfo,
        df: u32,
        bm25: Bm25Stats,
        list: &mut Vec<(u32, f32)>,
    ) -> Result<(), Error> {
        let weight = Bm25Weight::for_one_term_without_explain(u64::from(df), bm25.n_docs, bm25.avg)
            .boost_by(bm25.boost);
        let mut postings = self
            .inverted
            .read_postings_from_terminfo(info, IndexRecordOption::WithFreqs)
            .map_err(|e| Error::search("read", e.into()))?;
        let mut doc = postings.doc();
        while doc != TERMINATED {
            if self.alive.is_none_or(|a| a.is_alive(doc)) {
                let score = weight.score(self.norms.fieldnorm_id(doc), postings.term_freq());
                let record = self.records.first(doc).unwrap_or(0) as u32;
                list.push((record, score));
            }
            doc = postings.advance();
        }
        Ok(())
    }
}

/// The token totals of the title and body fields of the index in `dir`: the ledger's exact
/// counts when it describes the index, else tantivy's (exact for segments that never merged
/// deletes away).
pub fn token_totals(
    searcher: &tantivy::Searcher,
    fields: &super::schema::Fields,
    dir: &std::path::Path,
) -> Result<[u64; 2], Error> {
    if let super::ledger::Read::Ledger(ledger) = super::ledger::Ledger::read(dir) {
        let mut ids: Vec<(String, u32)> = searcher
            .segment_readers()
            .iter()
            .map(|s| (s.segment_id().uuid_string(), s.num_deleted_docs()))
            .collect();
        ids.sort();
        if ids == ledger.segments {
            return Ok(ledger.totals);
        }
    }
    let mut totals = [0u64; 2];
    for (slot, field) in [fields.title, fields.body].into_iter().enumerate() {
        for s in searcher.segment_readers() {
            totals[slot] += s.inverted_index(field)?.total_num_tokens();
        }
    }
    Ok(totals)
}

/// The postings of one stem exactly as `impacts` exports them (title and body merged per
/// record), for explaining a score; `totals` from [`token_totals`].
pub fn stem_postings(
    searcher: &tantivy::Searcher,
    fields: &super::schema::Fields,
    totals: [u64; 2],
    stem: &str,
) -> Result<Vec<(u32, f32)>, Error> {
    let n_docs = live_docs(searcher);
    let mut list = Vec::new();
    if n_docs == 0 {
        return Ok(list);
    }
    for (slot, (field, boost)) in [(fields.title, TITLE_BOOST), (fields.body, 1.0)].into_iter().enumerate() {
        let bm25 = Bm25Stats { boost, n_docs, avg: totals[slot] as f32 / n_docs as f32 };
        let term = tantivy::Term::from_field_text(field, stem);
        let mut found = Vec::new();
        let mut df = 0u32;
        for seg in searcher.segment_readers() {
            let reader = SegmentField::open(seg, field)?;
            let Some(info) =
                reader.inverted.get_term_info(&term).map_err(|e| Error::search("read", e.into()))?
            else {
                continue;
            };
            df += count_live(&reader.inverted, &info, reader.alive)?;
            found.push((reader, info));
        }
        for (reader, info) in &found {
            reader.score_postings(info, df, bm25, &mut list)?;
        }
    }
    merge_fields(&mut list);
    Ok(list)
}

/// The live documents among a term's postings in one segment.
fn count_live(
    inverted: &tantivy::InvertedIndexReader,
    info: &tantivy::postings::TermInfo,
    alive: Option<&tantivy::fastfield::AliveBitSet>,
) -> Result<u32, Error> {
    let Some(alive) = alive else { return Ok(info.doc_freq) };
    let mut postings = inverted
        .read_postings_from_terminfo(info, IndexRecordOption::Basic)
        .map_err(|e| Error::search("read", e.into()))?;
    let mut n = 0;
    let mut doc = postings.doc();
    while doc != TERMINATED {
        n += u32::from(alive.is_alive(doc));
        doc = postings.advance();
    }
    Ok(n)
}

/// One byte per impact, at least 1 so every posting counts.
pub fn quantise(score: f32, max: f32) -> u8 {
    if max <= 0.0 {
        return 1;
    }
    (score / max * 255.0).round().clamp(1.0, 255.0) as u8
}

/// Writes the browser index of `pages`.
pub fn export(pages: &[Arc<PageDoc>], written: &Written) -> Result<Bundle, Error> {
    let mut impacts = impacts(written)?;
    let records: usize = pages.iter().map(|p| p.sections.len()).sum();
    let mut bundle = Bundle::default();
    let shard_table = dictionary_shards_of(
        &written.words,
        &mut impacts,
        &mut bundle.files,
        (SHARD_BYTES, MAX_SHARD_BYTES),
        None,
    )?;
    let word_table = word_packs(&written.words, &impacts, &mut bundle)?;
    let (frag_groups, per_pack) = fragment_packs(pages, &mut bundle.files)?;
    let facets = facet_lists(&page_facets(pages), &mut bundle.files)?;
    let demoted: Vec<usize> = pages
        .iter()
        .enumerate()
        .filter(|(_, p)| super::demoted(&p.status, &p.freshness))
        .map(|(i, _)| i)
        .collect();
    let parts = HeadParts {
        records,
        stride: None,
        shards: shard_table,
        words: word_table,
        sections: section_counts(pages),
        fragments: (frag_groups, per_pack),
        facets,
        demoted,
    };
    write_head(&parts, &mut bundle)?;
    Ok(bundle)
}

/// What the head lists, made by [`export`] for one site or by a portal's merge.
#[derive(Debug, Default)]
pub struct HeadParts {
    /// Records (sections) in all; with a stride, pages × stride.
    pub records: usize,
    /// Record numbers per page, when records are numbered `page × stride + section` (a
    /// portal's merged index) and `sections` is empty.
    pub stride: Option<usize>,
    /// The shard table.
    pub shards: Vec<Value>,
    /// The word-pack table.
    pub words: Vec<Value>,
    /// Sections per page, as [`section_counts`] writes them.
    pub sections: String,
    /// Fragment-pack group hashes and pages per pack.
    pub fragments: (Vec<String>, usize),
    /// Facet names with their files and value counts.
    pub facets: serde_json::Map<String, Value>,
    /// Demoted page numbers, ascending.
    pub demoted: Vec<usize>,
}

/// Writes the head file of `parts` into `bundle` (named by its hash) and names it there.
pub fn write_head(parts: &HeadParts, bundle: &mut Bundle) -> Result<(), Error> {
    let mut head = json!({
        "v": VERSION,
        "n": parts.records,
        "scale": 1.0,
        "shards": parts.shards,
        "words": parts.words,
        "sections": parts.sections,
        "fragments": {"groups": parts.fragments.0, "group": FRAGMENT_GROUP, "per": parts.fragments.1, "chars": FRAGMENT_CHARS},
        "facets": parts.facets,
        "demoted": deltas(&parts.demoted),
        "demotion": super::DEMOTION,
    });
    if let Some(stride) = parts.stride {
        head["stride"] = json!(stride);
    }
    let gz = gzip(&to_json(&head, "the search head")?)?;
    let name = format!("search/head.{}.json.gz", hash8(&gz));
    bundle.head = name.clone();
    bundle.files.push((name, gz));
    Ok(())
}

/// The dictionary (stems with postings and surface words, in bytewise order) cut into shards;
/// returns the shard table of the head.
pub fn dictionary_shards(
    written: &Written,
    impacts: &mut Impacts,
    files: &mut Vec<(String, Vec<u8>)>,
) -> Result<Vec<Value>, Error> {
    dictionary_shards_of(&written.words, impacts, files, (SHARD_BYTES, MAX_SHARD_BYTES), None)
}

/// `dictionary_shards` with the cut sizes given. A shard that had to start between a word and
/// its stem (its predecessor reached `max_bytes`) is marked with a third field, `1`, in the
/// shard table: the searcher then loads its neighbour with it.
pub fn dictionary_shards_sized(
    written: &Written,
    impacts: &mut Impacts,
    files: &mut Vec<(String, Vec<u8>)>,
    shard_bytes: usize,
    max_bytes: usize,
) -> Result<Vec<Value>, Error> {
    dictionary_shards_of(&written.words, impacts, files, (shard_bytes, max_bytes), None)
}

/// For each key (in order), whether a shard may not start at it: a surface word before it has
/// its stem at or after it, or the other way round. Cutting only where no word is parted from
/// its stem lets the searcher find a word's postings in the shard that holds the word, so an
/// exact word costs one round trip.
pub fn joined_boundaries(keys: &BTreeMap<&str, (Option<&str>, bool)>) -> Vec<bool> {
    let position: BTreeMap<&str, usize> = keys.keys().enumerate().map(|(i, k)| (*k, i)).collect();
    // `open[i]`: spans that start before key i and end at or after it.
    let mut delta = vec![0i64; keys.len() + 1];
    for (i, (_, (alias, _))) in keys.iter().enumerate() {
        let Some(j) = alias.and_then(|stem| position.get(stem)) else { continue };
        let (lo, hi) = if *j < i { (*j, i) } else { (i, *j) };
        if lo < hi {
            delta[lo + 1] += 1;
            delta[hi + 1] -= 1;
        }
    }
    let mut open = 0;
    delta[..keys.len()]
        .iter()
        .map(|d| {
            open += d;
            open > 0
        })
        .collect()
}

/// Word packs by the first two letters (and the word list for the terminal); returns the word
/// table of the head.
pub fn word_packs(
    words: &BTreeMap<String, String>,
    source: &impl PostingsSource,
    bundle: &mut Bundle,
) -> Result<Vec<Value>, Error> {
    let mut packs: Vec<(String, String)> = Vec::new();
    let mut text = String::new();
    let mut pack_first = String::new();
    let mut last_bucket = String::new();
    for (word, stem) in words {
        let b = bucket(word);
        if b != last_bucket && text.len() >= WORD_PACK_BYTES {
            packs.push((std::mem::take(&mut pack_first), std::mem::take(&mut text)));
        }
        if text.is_empty() {
            pack_first = b.clone();
        }
        last_bucket = b;
        let d = source.df(stem);
        if stem == word {
            text.push_str(&format!("{word}\t{d}\n"));
        } else {
            text.push_str(&format!("{word}\t{d}\t{stem}\n"));
        }
        bundle.words.push_str(&format!("{word}\t{stem}\t{d}\n"));
    }
    if !text.is_empty() {
        packs.push((pack_first, text));
    }
    let mut word_table = Vec::new();
    for (first, text) in packs {
        let gz = gzip(text.as_bytes())?;
        let name = format!("search/w/{}.txt.gz", hash8(&gz));
        word_table.push(json!([first, name.trim_start_matches("search/")]));
        bundle.files.push((name, gz));
    }
    Ok(word_table)
}

/// Fragment packs: a fixed number of consecutive pages per file (one page per file up to
/// 12,000 pages, then more: hosts cap file counts at 20,000). Returns (hash, pages per pack).
fn fragment_packs(
    pages: &[Arc<PageDoc>],
    files: &mut Vec<(String, Vec<u8>)>,
) -> Result<(Vec<String>, usize), Error> {
    let per_pack = pages.len().div_ceil(12_000).max(1);
    let fragments: Vec<Vec<u8>> = pages
        .par_chunks(per_pack)
        .map(|chunk| {
            to_json(&chunk.iter().map(|p| fragment(p)).collect::<Vec<_>>(), "a search fragment pack")
        })
        .collect::<Result<_, Error>>()?;
    // Named by the hash of their group: an edit renames one group's packs, not all of them.
    let hashes: Vec<String> = fragments.chunks(FRAGMENT_GROUP).map(|group| hash8(&group.concat())).collect();
    let packed: Vec<Vec<u8>> = fragments.par_iter().map(|f| gzip(f)).collect::<Result<_, Error>>()?;
    for (n, gz) in packed.into_iter().enumerate() {
        files.push((format!("search/f/{}-{n}.json.gz", hashes[n / FRAGMENT_GROUP]), gz));
    }
    Ok((hashes, per_pack))
}

/// Per facet (in the head's order), value → page numbers ascending.
pub type FacetValues = Vec<(&'static str, BTreeMap<String, Vec<u64>>)>;

/// The facet values of `pages`: kind, owner, tag, freshness, status.
fn page_facets(pages: &[Arc<PageDoc>]) -> FacetValues {
    type Getter = fn(&PageDoc) -> Vec<String>;
    let getters: [(&str, Getter); 5] = [
        ("kind", |p| vec![p.kind.clone()]),
        ("owner", |p| if p.owner.is_empty() { vec![] } else { vec![p.owner.clone()] }),
        ("tag", |p| p.tags.clone()),
        ("freshness", |p| vec![p.freshness.clone()]),
        ("status", |p| if p.status.is_empty() { vec![] } else { vec![p.status.clone()] }),
    ];
    getters
        .into_iter()
        .map(|(facet, get)| {
            let mut values: BTreeMap<String, Vec<u64>> = BTreeMap::new();
            for (i, p) in pages.iter().enumerate() {
                for v in get(p) {
                    values.entry(v).or_default().push(i as u64);
                }
            }
            (facet, values)
        })
        .collect()
}

/// Filters: value → page numbers, one file per facet; returns the facets of the head.
pub fn facet_lists(
    all: &FacetValues,
    files: &mut Vec<(String, Vec<u8>)>,
) -> Result<serde_json::Map<String, Value>, Error> {
    let mut facets = serde_json::Map::new();
    for (facet, values) in all {
        if values.is_empty() {
            continue;
        }
        let counts: Vec<Value> = values.iter().map(|(v, l)| json!([v, l.len()])).collect();
        let lists: serde_json::Map<String, Value> = values
            .iter()
            .map(|(v, l)| {
                let mut last = 0;
                let deltas: Vec<u64> = l
                    .iter()
                    .map(|x| {
                        let d = x - last;
                        last = *x;
                        d
                    })
                    .collect();
                (v.clone(), json!(deltas))
            })
            .collect();
        let gz = gzip(&to_json(&lists, &format!("the search filter `{facet}`"))?)?;
        let name = format!("search/filter-{facet}.{}.json.gz", hash8(&gz));
        facets.insert(
            (*facet).to_owned(),
            json!({"file": name.trim_start_matches("search/"), "values": counts}),
        );
        files.push((name, gz));
    }
    Ok(facets)
}

/// Sections per page, one character each: `char(48 + count)` (`1` for one section, `a` for 49).
/// Counts are capped at 1,000 sections a page by the character range used.
pub fn section_counts(pages: &[Arc<PageDoc>]) -> String {
    pages.iter().map(|p| char::from_u32(48 + p.sections.len().min(1000) as u32).unwrap_or('0')).collect()
}

/// Ascending numbers as differences from the previous one.
pub fn deltas(list: &[usize]) -> Vec<usize> {
    let mut last = 0;
    list.iter()
        .map(|x| {
            let d = x - last;
            last = *x;
            d
        })
        .collect()
}

/// The word-pack bucket of a word: its first two characters.
pub fn bucket(word: &str) -> String {
    word.chars().take(2).collect()
}

/// The fragment record of a page: URL, title, facets and the start of each section's text.
pub fn fragment(p: &PageDoc) -> Value {
    let sections: Vec<Value> = p
        .sections
        .iter()
        .map(|s| {
            let text: String = s.text.chars().take(FRAGMENT_CHARS).collect();
            json!([s.anchor, s.heading.join(" › "), text])
        })
        .collect();
    json!({"u": p.url, "t": p.title, "k": p.kind, "o": p.owner, "g": p.tags, "s": p.status, "f": p.freshness, "x": sections})
}

/// Front coding: bytes shared with the previous key, then the rest.
pub fn front_code(buf: &mut Vec<u8>, prev: &str, key: &str) {
    let shared = prev.bytes().zip(key.bytes()).take_while(|(a, b)| a == b).count().min(255);
    let rest = &key.as_bytes()[shared..];
    buf.push(shared as u8);
    buf.push(rest.len().min(255) as u8);
    buf.extend_from_slice(&rest[..rest.len().min(255)]);
}

/// `df`, the term's largest score (f32, little-endian), then (record delta, impact) pairs with
/// impacts quantised against that largest score: rare and common terms keep the same precision.
pub fn write_postings(buf: &mut Vec<u8>, list: &[(u32, f32)]) {
    let max = list.iter().map(|p| p.1).fold(0.0, f32::max);
    varint(buf, list.len() as u64);
    buf.extend_from_slice(&max.to_le_bytes());
    let mut last = 0u32;
    for (rec, score) in list {
        varint(buf, u64::from(rec - last));
        last = *rec;
        buf.push(quantise(*score, max));
    }
}

/// LEB128.
pub fn varint(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

/// gzip ([`super::gzip::deflate`]), through the last build's memo when `lore build` installed one
/// ([`super::gzip::install`]). Writing into memory fails only when memory does; the error is
/// still returned, so a failure never becomes an empty file.
pub fn gzip(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    super::gzip::compress(bytes)
}

/// `value` as compact JSON; `what` names it in the error.
pub fn to_json(value: &impl serde::Serialize, what: &str) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(value).map_err(|e| Error::encode(what, e))
}
