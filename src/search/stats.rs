//! The search statistics file, `search/stats.bin.gz` ([`STATS`]): what a portal needs to merge
//! this site's search into one organisation-wide browser index with BM25 recomputed over the
//! records of every site (the browser index's one-byte impacts are already normalised against
//! one site's corpus, so they cannot be merged).
//!
//! It is gzip of, in order (integers LEB128, strings a length then UTF-8):
//! - `LORESTATS`, the format version ([`FORMAT`]);
//! - counts: pages, records (heading sections), surface words, terms; then the token totals of
//!   the title and body fields (BM25's average lengths);
//! - per record, two bytes: tantivy's fieldnorm ids (quantised token counts) of its title and
//!   body;
//! - the surface words, front-coded (`shared`, `suffix length`, suffix), bytewise order;
//! - the terms (stems) front-coded in bytewise order, each with its postings count and per
//!   posting: record delta, term frequency in the title, in the body;
//! - per page: URL (site-relative), title, kind, owner, tags (count, then each), service,
//!   status, freshness, sections (count, then per section: anchor, heading path (count, then
//!   each), the first [`FRAGMENT_CHARS`] characters of its text).
//!
//! Terms come before pages so a merge can read them again without inflating the texts.
//! Written by `build` and by `serve` from the same tantivy segment as the browser index;
//! read by [`super::merge`], which treats every byte as untrusted: [`decode`] caps every size
//! and count and never panics.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Arc;

use serde_json::{Value, json};
use tantivy::postings::Postings;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, TERMINATED};

use super::browser::{FRAGMENT_CHARS, varint};
use super::index::Written;
use super::stats_reader::{ENDS_EARLY, Reader};
use super::{MAX_TOKEN_BYTES, PageDoc, SectionDoc};
use crate::error::Error;

/// The file's path in the built site.
pub const STATS: &str = "search/stats.bin.gz";
/// Format version: a reader refuses any other.
pub const FORMAT: u64 = 1;
const MAGIC: &[u8] = b"LORESTATS";

/// Largest stats file read (gzip).
pub const MAX_COMPRESSED: usize = 64 << 20;
/// Largest stats file read once inflated: about 35,000 pages of the benchmark corpus.
pub const MAX_INFLATED: usize = 256 << 20;
/// Most pages of one site.
pub const MAX_PAGES: u64 = 200_000;
/// Most sections of one page (the head codes a page's count in one character).
pub const MAX_SECTIONS: u64 = 1000;
/// Most bytes of one string (a title, a heading, a URL, a section's text).
pub const MAX_STRING: u64 = 16 * 1024;
/// Most tags of a page, levels of a heading path.
pub const MAX_LIST: u64 = 256;
/// Largest term frequency read.
const MAX_TF: u64 = 1 << 24;

/// One posting: a record and the term's frequency in its title and its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posting {
    /// Record number within the site.
    pub record: u32,
    /// Occurrences in the title field, then in the body field.
    pub tf: [u32; 2],
}

/// The statistics of one site, as [`collect`] gathers them and [`decode`] reads them.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    /// Per record: the fieldnorm ids of its title and body.
    pub norms: Vec<[u8; 2]>,
    /// Tokens of the title and body fields over all records.
    pub totals: [u64; 2],
    /// Surface words, bytewise order.
    pub words: Vec<String>,
    /// Terms with their postings, bytewise order.
    pub terms: Vec<(String, Vec<Posting>)>,
    /// Pages (section texts cut to [`FRAGMENT_CHARS`] characters).
    pub pages: Vec<PageDoc>,
}

/// The counts at the start of the file, enough for a manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Info {
    /// Pages.
    pub pages: u64,
    /// Records (heading sections).
    pub sections: u64,
    /// Surface words.
    pub words: u64,
    /// Terms (stems with postings).
    pub terms: u64,
}

impl Info {
    /// What a site manifest (`lore-site.json`) says of the file:
    /// `{"stats": "search/stats.bin.gz", "format": 1, "sections": n, "terms": n}`.
    pub fn manifest(&self) -> Value {
        json!({"stats": STATS, "format": FORMAT, "sections": self.sections, "terms": self.terms})
    }
}

/// Gathers the statistics of `pages` from their freshly written tantivy index.
pub fn collect(pages: &[Arc<PageDoc>], written: &Written) -> Result<Stats, Error> {
    let records: usize = pages.iter().map(|p| p.sections.len()).sum();
    let reader = written.index.reader()?;
    let searcher = reader.searcher();
    let mut stats = Stats { norms: vec![[0, 0]; records], ..Stats::default() };
    let mut terms: BTreeMap<String, Vec<Posting>> = BTreeMap::new();
    for (slot, field) in [written.fields.title, written.fields.body].into_iter().enumerate() {
        for seg in searcher.segment_readers() {
            let inverted = seg.inverted_index(field)?;
            let alive = seg.alive_bitset();
            let live = |doc: u32| alive.is_none_or(|a| a.is_alive(doc));
            let norms = seg.get_fieldnorms_reader(field)?;
            let ids = seg.fast_fields().u64("record")?;
            let record = |doc: u32| -> Result<usize, Error> {
                let r = ids.first(doc).unwrap_or(u64::MAX) as usize;
                if r >= records {
                    return Err(Error::Bug(format!("search record {r} of {records}")));
                }
                Ok(r)
            };
            for doc in (0..seg.max_doc()).filter(|&d| live(d)) {
                stats.norms[record(doc)?][slot] = norms.fieldnorm_id(doc);
            }
            let mut stream = inverted.terms().stream().map_err(|e| Error::search("read", e.into()))?;
            while stream.advance() {
                let Ok(term) = std::str::from_utf8(stream.key()) else { continue };
                let list = terms.entry(term.to_owned()).or_default();
                let mut postings = inverted
                    .read_postings_from_terminfo(stream.value(), IndexRecordOption::WithFreqs)
                    .map_err(|e| Error::search("read", e.into()))?;
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    if live(doc) {
                        let mut tf = [0, 0];
                        tf[slot] = postings.term_freq();
                        list.push(Posting { record: record(doc)? as u32, tf });
                    }
                    doc = postings.advance();
                }
            }
        }
    }
    // Counted by lore: tantivy's totals are estimates once segments merge deletes away.
    stats.totals = written.totals;
    terms.retain(|_, list| !list.is_empty());
    for list in terms.values_mut() {
        list.sort_by_key(|p| p.record);
        list.dedup_by(|b, a| {
            let same = a.record == b.record;
            if same {
                a.tf[0] += b.tf[0];
                a.tf[1] += b.tf[1];
            }
            same
        });
    }
    stats.terms = terms.into_iter().collect();
    stats.words = written.words.keys().cloned().collect();
    stats.pages = pages.iter().map(|p| cut(p)).collect();
    Ok(stats)
}

/// A page with each section's text cut to what the browser index keeps.
fn cut(p: &PageDoc) -> PageDoc {
    let sections = p
        .sections
        .iter()
        .map(|s| SectionDoc {
            anchor: s.anchor.clone(),
            heading: s.heading.clone(),
            text: s.text.chars().take(FRAGMENT_CHARS).collect(),
        })
        .collect();
    PageDoc { sections, ..PageDoc::clone(p) }
}

/// The file's bytes (gzip).
pub fn encode(stats: &Stats) -> Result<Vec<u8>, Error> {
    let mut b = Vec::with_capacity(1 << 20);
    b.extend_from_slice(MAGIC);
    varint(&mut b, FORMAT);
    let records = stats.norms.len();
    for n in [stats.pages.len(), records, stats.words.len(), stats.terms.len()] {
        varint(&mut b, n as u64);
    }
    varint(&mut b, stats.totals[0]);
    varint(&mut b, stats.totals[1]);
    for n in &stats.norms {
        b.extend_from_slice(n);
    }
    let mut prev = "";
    for w in &stats.words {
        front(&mut b, prev, w);
        prev = w;
    }
    prev = "";
    for (term, list) in &stats.terms {
        front(&mut b, prev, term);
        prev = term;
        varint(&mut b, list.len() as u64);
        let mut last = 0;
        for p in list {
            varint(&mut b, u64::from(p.record - last));
            last = p.record;
            varint(&mut b, u64::from(p.tf[0]));
            varint(&mut b, u64::from(p.tf[1]));
        }
    }
    for p in &stats.pages {
        encode_page(&mut b, p);
    }
    super::gzip::deflate(&b)
}

fn encode_page(b: &mut Vec<u8>, p: &PageDoc) {
    for s in [&p.url, &p.title, &p.kind, &p.owner] {
        string(b, s);
    }
    varint(b, p.tags.len() as u64);
    p.tags.iter().for_each(|t| string(b, t));
    for s in [&p.service, &p.status, &p.freshness] {
        string(b, s);
    }
    varint(b, p.sections.len() as u64);
    for s in &p.sections {
        string(b, &s.anchor);
        varint(b, s.heading.len() as u64);
        s.heading.iter().for_each(|h| string(b, h));
        string(b, &s.text);
    }
}

fn string(b: &mut Vec<u8>, s: &str) {
    varint(b, s.len() as u64);
    b.extend_from_slice(s.as_bytes());
}

/// Front coding with lengths as varints.
fn front(b: &mut Vec<u8>, prev: &str, key: &str) {
    let shared = prev.bytes().zip(key.bytes()).take_while(|(x, y)| x == y).count();
    varint(b, shared as u64);
    string(b, &key[shared..]);
}

/// Inflates `gz` (at most [`MAX_INFLATED`] bytes, or only its start when `limit` is less).
pub fn inflate(gz: &[u8], limit: usize) -> Result<Vec<u8>, String> {
    if gz.len() > MAX_COMPRESSED {
        return Err(format!("the file has {} bytes, at most {MAX_COMPRESSED}", gz.len()));
    }
    let cap = limit.min(MAX_INFLATED);
    // The size the file claims (gzip's last four bytes).
    let claimed = gz
        .len()
        .checked_sub(4)
        .map_or(0, |at| u32::from_le_bytes([gz[at], gz[at + 1], gz[at + 2], gz[at + 3]]) as usize);
    if limit >= MAX_INFLATED && claimed <= MAX_INFLATED {
        // The whole file, into a buffer of the size it claims: libdeflate inflates it in one
        // go, three times as fast as a stream (a merge inflates 640 MB at 20 sites). It checks
        // the size and the CRC; on any problem, the stream below reads the file again and
        // says what it is. The buffer's pages are only taken as they are written.
        let mut out = vec![0u8; claimed];
        if libdeflater::Decompressor::new().gzip_decompress(gz, &mut out).is_ok_and(|n| n == claimed) {
            return Ok(out);
        }
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(gz)
        .take(cap as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("cannot inflate it (gzip): {e}"))?;
    if out.len() > MAX_INFLATED && limit > MAX_INFLATED {
        return Err(format!("it inflates to more than {MAX_INFLATED} bytes"));
    }
    out.truncate(cap);
    Ok(out)
}

/// Reads the counts at the start of the file of site `site`.
pub fn info(site: &str, gz: &[u8]) -> Result<Info, Error> {
    let bad = |problem: String| Error::SearchStats { site: site.to_owned(), problem };
    let head = inflate(gz, 128).map_err(bad)?;
    let mut r = Reader::new(&head);
    r.header().map(|h| h.info).map_err(bad)
}

/// Reads and checks the whole file of site `site`.
pub fn decode(site: &str, gz: &[u8]) -> Result<Stats, Error> {
    let bad = |problem: String| Error::SearchStats { site: site.to_owned(), problem };
    let raw = inflate(gz, usize::MAX).map_err(bad)?;
    Reader::new(&raw).stats(true).map_err(bad)
}

/// [`decode`] without the postings, which are skipped (only their varints are counted, not
/// checked: a merge's second pass reads and checks them all): each term goes to `on_term`
/// with the number of its postings.
pub fn decode_counting(site: &str, gz: &[u8], mut on_term: impl FnMut(&str, u64)) -> Result<Stats, Error> {
    let bad = |problem: String| Error::SearchStats { site: site.to_owned(), problem };
    let raw = inflate(gz, usize::MAX).map_err(bad)?;
    Reader::new(&raw)
        .stats_with(|r, prev, records| {
            let (key, n) = r.term_skip(prev, records)?;
            on_term(&key, n);
            Ok(key)
        })
        .map_err(bad)
}

/// A term of a site's file with its postings, as [`TermStream`] reads them.
pub type TermPostings = (String, Vec<Posting>);

/// Reads a file's terms one at a time (the merge's second pass), inflating as it goes: a
/// merge of many sites holds a small window of each, not its whole term section.
pub struct TermStream<'a> {
    inflater: flate2::read::GzDecoder<&'a [u8]>,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
    inflated: usize,
    left: u64,
    records: u64,
    prev: String,
}

impl<'a> TermStream<'a> {
    /// Opens the terms of a file [`decode`] accepted (read again: checked again).
    pub fn open(site: &str, gz: &'a [u8]) -> Result<Self, Error> {
        let bad = |problem: String| Error::SearchStats { site: site.to_owned(), problem };
        if gz.len() > MAX_COMPRESSED {
            return Err(bad(format!("the file has {} bytes, at most {MAX_COMPRESSED}", gz.len())));
        }
        let mut me = Self {
            inflater: flate2::read::GzDecoder::new(gz),
            buf: Vec::new(),
            pos: 0,
            eof: false,
            inflated: 0,
            left: 0,
            records: 0,
            prev: String::new(),
        };
        let h = me
            .parse(|r| {
                let h = r.header()?;
                r.skip_to_terms(&h)?;
                Ok(h)
            })
            .map_err(bad)?;
        (me.left, me.records) = (h.info.terms, h.info.sections);
        Ok(me)
    }

    /// Runs `f` on the unread bytes, inflating more while it runs out of them.
    fn parse<T>(&mut self, mut f: impl FnMut(&mut Reader<'_>) -> Result<T, String>) -> Result<T, String> {
        loop {
            let mut r = Reader::at(&self.buf, self.pos);
            match f(&mut r) {
                Ok(v) => {
                    self.pos = r.pos();
                    return Ok(v);
                }
                Err(e) if e == ENDS_EARLY && !self.eof => self.refill()?,
                Err(e) => return Err(e),
            }
        }
    }

    /// Drops what was read and inflates at least as much again as is left (256 KiB or more).
    fn refill(&mut self) -> Result<(), String> {
        self.buf.drain(..self.pos);
        self.pos = 0;
        let start = self.buf.len();
        self.buf.resize(start + start.max(1 << 18), 0);
        let mut got = 0;
        while start + got < self.buf.len() {
            match self.inflater.read(&mut self.buf[start + got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) => return Err(format!("cannot inflate it (gzip): {e}")),
            }
        }
        self.buf.truncate(start + got);
        self.eof = got == 0;
        self.inflated += got;
        if self.inflated > MAX_INFLATED {
            return Err(format!("it inflates to more than {MAX_INFLATED} bytes"));
        }
        Ok(())
    }

    /// The next term and its postings.
    pub fn next_term(&mut self) -> Result<Option<TermPostings>, String> {
        let mut list = Vec::new();
        Ok(self.next_into(&mut list)?.map(|term| (term, list)))
    }

    /// The next term, its postings appended to `out` (left as it was on an error).
    pub fn next_into(&mut self, out: &mut Vec<Posting>) -> Result<Option<String>, String> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        let (prev, records) = (std::mem::take(&mut self.prev), self.records);
        let term = self.parse(|r| r.term_into(&prev, records, out))?;
        self.prev.clone_from(&term);
        Ok(Some(term))
    }
}

/// Longest term or word read.
pub const MAX_KEY: usize = MAX_TOKEN_BYTES;
/// Largest term frequency read.
pub const MAX_TERM_FREQ: u64 = MAX_TF;
