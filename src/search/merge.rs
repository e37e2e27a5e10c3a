//! Organisation-wide search: one browser index merged from the search statistics
//! ([`super::stats`]) that many sites published, for a portal over them.
//!
//! The merged index has the format of a site's own ([`super::browser`]; the same searcher
//! reads it), with BM25 recomputed over the records of every site, exactly as tantivy would
//! score one index holding all their pages: per field, document frequencies summed over the
//! sites, the record count and average lengths of the whole corpus, each record's own
//! quantised lengths. Every page links into its site (its base URL, absolute or relative to
//! the portal, then its own URL) and carries the site's name as a facet (`site`) and a label
//! (`w` in its fragment).
//!
//! Each stats file is another team's CI output, so untrusted: [`super::stats_reader`] checks
//! it (the first pass everything but the postings, which it only counts; the second pass
//! every posting), and every problem is an error naming the site.
//!
//! Work, on both cores: the first pass reads the sites two at a time (each file inflated in
//! one go), writes their pages' fragment packs and counts their terms' postings; the second
//! reads every site's terms again through a small inflating window, a run of stems at a
//! time: the sites' streams read a run, its stems are scored (BM25's document frequencies
//! counted from the postings of every site, which the run holds), then encoded and
//! compressed while the next run is read. The files only a merged index has are compressed
//! with libdeflate ([`super::gzip::deflate`]); compressing is still the largest part.
//!
//! Memory: the first pass holds two inflated files and their pages (32 MB and 25 MB a site
//! at 5,000 pages), the second two runs' postings (2 million each at most), and the output.
//! Measured at 20 sites x 5,000 pages (`bench/portal-search.sh`, 2 cores, load average
//! about 2, median of 3): 6.9 s (12.6 s of CPU) and 740 MiB peak with the 244 MB of
//! statistics and the 345 MB of output held (before: 20.6 s, 32.6 s of CPU, 978 MiB); the
//! whole process, reading the statistics and writing the 106,000 files, 12.2 s (26.9 s). A
//! first one-word query fetches 47.2 KB, as before (one 5,000-page site: 43.7 KB).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rayon::prelude::*;
use tantivy::query::Bm25Weight;

use super::browser::{
    self, Bundle, FRAGMENT_CHARS, FRAGMENT_GROUP, HEAD, HeadParts, MAX_SHARD_BYTES, SHARD_BYTES,
};
use super::dictionary::{PostingsSource, RunPostings};
use super::gzip::deflate;
use super::schema::TITLE_BOOST;
use super::stats::{self, Posting, Stats, TermStream};
use super::{PageDoc, analyzer};
use crate::error::Error;
use crate::output::hash8;

/// Most sites in one portal.
pub const MAX_SITES: usize = 2000;
/// Most records (sections) over all sites: record numbers are `u32` in the browser.
pub const MAX_RECORDS: u64 = 50_000_000;
/// Pages per fragment pack in a merged index: one, as a site of up to 12,000 pages has. A
/// first query fetches the packs of its top five pages, so a pack of several pages costs
/// each of them (measured: 8 pages a pack made the first query 2.7 times as heavy); the price
/// is one file per page (100,000 files under `search/f/` for 100,000 pages).
const MERGED_PACK_PAGES: usize = 1;

/// One site to merge: its name (a facet and a label), its base URL (absolute `http(s)` or
/// relative to the portal's root, e.g. `payments/`), and its `search/stats.bin.gz` bytes.
#[derive(Debug, Clone)]
pub struct SiteSearch {
    /// Name shown with its results.
    pub name: String,
    /// Base URL of the site's pages.
    pub base: String,
    /// The site's stats file (gzip), as published.
    pub stats: Vec<u8>,
}

/// A merged browser index.
#[derive(Debug, Default)]
pub struct Merged {
    /// Its files (paths relative to the portal's root), the head among them under [`HEAD`].
    pub files: Vec<(String, Vec<u8>)>,
    /// Pages over all sites.
    pub pages: usize,
    /// Records (sections) over all sites.
    pub records: usize,
    /// Distinct terms.
    pub terms: usize,
    /// Time taken by each step, in order.
    pub steps: Vec<(&'static str, std::time::Duration)>,
}

/// The head file the portal's pages point their searcher at (`data-search-head`).
pub const PORTAL_HEAD: &str = HEAD;

/// The files to write into the portal's output (paths relative to its root): the merged
/// browser index, its head at [`PORTAL_HEAD`]. The portal's pages load the site's own
/// `search.js`, which reads it like any site's index.
pub fn portal_files(sites: &[SiteSearch]) -> Result<Vec<(String, Vec<u8>)>, Error> {
    Ok(merge(sites)?.files)
}

/// What the first pass keeps of one site.
struct First {
    norms: Vec<[u8; 2]>,
    totals: [u64; 2],
    /// Per term: its postings (records holding it).
    df: Vec<(String, u32)>,
    words: Vec<String>,
    /// Sections of each page.
    counts: Vec<u16>,
}

/// How records are numbered in a merged index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// [`Layout::Strided`] from [`STRIDED_FROM_PAGES`] pages on, when it fits.
    Auto,
    /// Consecutively, as a site's own index: the head lists each page's section count (one
    /// character a page: 52 KB gzipped at 100,000 pages, fetched before any first query).
    Dense,
    /// Page `p`'s section `k` is record `p × stride + k` (stride: the most sections of any
    /// page): the head gives the stride instead of the counts.
    Strided,
}

/// Postings a stem keeps in its dictionary entry; the rest are fetched only when a query
/// needs them (see [`browser::dictionary_shards_of`]).
pub const TIER: usize = 512;

/// Per merged record number, whether its page is demoted.
fn demoted_records(out: &Output, stride: Option<usize>) -> Vec<bool> {
    let mut flags = vec![false; out.records_numbered(stride)];
    let mut first = 0;
    for (page, &count) in out.counts.iter().enumerate() {
        let start = stride.map_or(first, |s| page * s);
        if out.demoted.binary_search(&page).is_ok() {
            flags[start..start + usize::from(count)].iter_mut().for_each(|f| *f = true);
        }
        first += usize::from(count);
    }
    flags
}

/// Pages from which [`Layout::Auto`] numbers records with a stride.
pub const STRIDED_FROM_PAGES: usize = 20_000;
/// Largest strided record space (the browser keeps a few bytes per record number).
pub const MAX_STRIDED_RECORDS: usize = 4_000_000;

/// Merges the search of `sites` (in this order: it orders equal scores) into one index.
pub fn merge(sites: &[SiteSearch]) -> Result<Merged, Error> {
    merge_with(sites, Layout::Auto, TIER)
}

/// [`merge`] with records numbered as `layout` says and at most `tier` postings a dictionary
/// entry.
pub fn merge_with(sites: &[SiteSearch], layout: Layout, tier: usize) -> Result<Merged, Error> {
    if sites.len() > MAX_SITES {
        return Err(Error::Usage(format!("{} sites to merge, at most {MAX_SITES}", sites.len())));
    }
    let bases: Vec<String> = sites.iter().map(check_site).collect::<Result<_, _>>()?;
    let mut clock = std::time::Instant::now();
    let mut steps = Vec::new();
    let mut step = |name: &'static str| {
        steps.push((name, clock.elapsed()));
        clock = std::time::Instant::now();
    };
    let (mut out, firsts) = first_pass(sites, &bases)?;
    step("read the sites, write fragments");
    let stride = out.max_sections.max(1);
    let strided = match layout {
        Layout::Dense => false,
        Layout::Strided => true,
        Layout::Auto => out.pages >= STRIDED_FROM_PAGES,
    } && out.pages.saturating_mul(stride) <= MAX_STRIDED_RECORDS;
    let mut source = Source::new(sites, &firsts, strided.then_some(stride))?;
    let words = merged_words(&firsts);
    let mut bundle = Bundle::default();
    source.demoted = demoted_records(&out, strided.then_some(stride));
    let sizes = (SHARD_BYTES, MAX_SHARD_BYTES);
    step("open term streams, stem the words");
    // The filters (of the first pass's pages) are written beside the dictionary.
    let mut filter_files = Vec::new();
    let (shards, facets) = rayon::join(
        || browser::dictionary_shards_of(&words, &mut source, &mut bundle.files, sizes, Some(tier.max(1))),
        || browser::facet_lists(&out.facets(), &mut filter_files),
    );
    let shards = shards?;
    step("score and write the dictionary, filters");
    let word_table = browser::word_packs(&words, &source, &mut bundle)?;
    let facets = facets?;
    bundle.files.append(&mut filter_files);
    let parts = HeadParts {
        records: if strided { out.pages * stride } else { out.records as usize },
        stride: strided.then_some(stride),
        shards,
        words: word_table,
        sections: if strided { String::new() } else { std::mem::take(&mut out.sections) },
        fragments: (std::mem::take(&mut out.groups), MERGED_PACK_PAGES),
        facets,
        demoted: std::mem::take(&mut out.demoted),
    };
    browser::write_head(&parts, &mut bundle)?;
    for (rel, _) in bundle.files.iter_mut().filter(|(rel, _)| *rel == bundle.head) {
        HEAD.clone_into(rel);
    }
    let mut files = std::mem::take(&mut out.files);
    files.append(&mut bundle.files);
    step("word packs, head");
    Ok(Merged { files, pages: out.pages, records: out.records as usize, terms: source.df.len(), steps })
}

/// The first pass: the sites read two at a time (both cores busy, two inflated files in
/// memory at most), each pair while the one before is added to the output.
fn first_pass(sites: &[SiteSearch], bases: &[String]) -> Result<(Output, Vec<First>), Error> {
    let mut out = Output::default();
    let mut firsts = Vec::with_capacity(sites.len());
    let mut pairs = sites.chunks(2).zip(bases.chunks(2));
    let mut ready: Vec<(&SiteSearch, Decoded)> = Vec::new();
    loop {
        let pair = pairs.next();
        if pair.is_none() && ready.is_empty() {
            break;
        }
        let adding = std::mem::take(&mut ready);
        let (added, read) = rayon::join(
            || {
                adding.into_iter().try_for_each(|(site, d)| {
                    firsts.push(out.add_site(site, d)?);
                    Ok::<(), Error>(())
                })
            },
            || {
                pair.map(|(sites, bases)| {
                    let read = sites.par_iter().zip(bases).map(|(s, base)| prepare(s, base).map(|d| (s, d)));
                    read.collect::<Result<Vec<_>, Error>>()
                })
            },
        );
        added?;
        if let Some(read) = read {
            ready = read?;
        }
    }
    out.finish_fragments();
    Ok((out, firsts))
}

/// Checks a site's name and base URL; returns the base ending in `/`.
fn check_site(site: &SiteSearch) -> Result<String, Error> {
    let bad = |problem: String| Error::SearchStats { site: site.name.clone(), problem };
    if site.name.is_empty() || site.name.chars().any(char::is_control) || site.name.len() > 200 {
        return Err(bad("the site name is empty, too long or holds control characters".to_owned()));
    }
    let base = &site.base;
    let scheme = base.split_once(':').map(|(s, _)| s).filter(|s| !s.contains('/'));
    let ok = match scheme {
        Some(s) => (s == "https" || s == "http") && base[s.len()..].starts_with("://"),
        None => super::stats_reader::check_url(base).is_ok(),
    };
    if !ok || base.chars().any(|c| c.is_control() || c.is_whitespace() || "\"<>\\".contains(c)) {
        return Err(bad(format!(
            "the base URL `{}` is neither `http(s)://…` nor a relative path",
            base.escape_debug()
        )));
    }
    Ok(if base.is_empty() || base.ends_with('/') { base.clone() } else { format!("{base}/") })
}

/// The merged pages' side of the index: fragment packs, facets, sections, demoted pages.
#[derive(Default)]
struct Output {
    files: Vec<(String, Vec<u8>)>,
    pages: usize,
    records: u64,
    sections: String,
    max_sections: usize,
    /// Sections of every page.
    counts: Vec<u16>,
    demoted: Vec<usize>,
    /// Per page: site, kind, owner, tags, freshness, status.
    facet_rows: Vec<[Arc<str>; 6]>,
    tags: Vec<Vec<Arc<str>>>,
    /// The packs of the group being filled: number, gzip.
    group: Vec<(usize, Vec<u8>)>,
    groups: Vec<String>,
    interned: HashMap<String, Arc<str>>,
}

/// A site read, its fragment packs made (one page each, compressed) and its document
/// frequencies counted: the part of the first pass that runs for two sites at once.
struct Decoded {
    first: First,
    packs: Vec<Vec<u8>>,
    pages: Vec<PageMeta>,
}

/// What the merge keeps of a page once its fragment pack is made (its texts are dropped).
struct PageMeta {
    sections: usize,
    kind: String,
    owner: String,
    tags: Vec<String>,
    status: String,
    freshness: String,
}

fn prepare(site: &SiteSearch, base: &str) -> Result<Decoded, Error> {
    let mut df = Vec::new();
    // Postings are only counted here; the second pass reads (and checks) them.
    let st = stats::decode_counting(&site.name, &site.stats, |term, n| df.push((term.to_owned(), n as u32)))?;
    let packs = st
        .pages
        .par_iter()
        .map(|page| deflate(&fragment_pack(page, base, &site.name)?))
        .collect::<Result<_, Error>>()?;
    let Stats { norms, totals, words, pages, .. } = st;
    let counts = pages.iter().map(|p| p.sections.len() as u16).collect();
    let pages = pages
        .into_iter()
        .map(|p| PageMeta {
            sections: p.sections.len(),
            kind: p.kind,
            owner: p.owner,
            tags: p.tags,
            status: p.status,
            freshness: p.freshness,
        })
        .collect();
    Ok(Decoded { first: First { norms, totals, df, words, counts }, packs, pages })
}

/// The fragment pack of one page of site `site`, its URL after the site's `base`: the JSON
/// [`browser::fragment`] gives with `u` replaced and `w` (the site) added, in serde_json's
/// order (keys sorted), written without building it as a value first.
fn fragment_pack(page: &PageDoc, base: &str, site: &str) -> Result<Vec<u8>, Error> {
    let mut b = Vec::with_capacity(1024 + page.sections.iter().map(|s| s.text.len() + 64).sum::<usize>());
    // `before` (JSON punctuation and a key), then `value` as a JSON string.
    let string = |b: &mut Vec<u8>, before: &str, value: &str| {
        b.extend_from_slice(before.as_bytes());
        serde_json::to_writer(&mut *b, value).map_err(|e| Error::encode("a search fragment pack", e))
    };
    string(&mut b, "[{\"f\":", &page.freshness)?;
    b.extend_from_slice(b",\"g\":[");
    for (i, tag) in page.tags.iter().enumerate() {
        string(&mut b, if i == 0 { "" } else { "," }, tag)?;
    }
    string(&mut b, "],\"k\":", &page.kind)?;
    string(&mut b, ",\"o\":", &page.owner)?;
    string(&mut b, ",\"s\":", &page.status)?;
    string(&mut b, ",\"t\":", &page.title)?;
    string(&mut b, ",\"u\":", &format!("{base}{}", page.url))?;
    string(&mut b, ",\"w\":", site)?;
    b.extend_from_slice(b",\"x\":[");
    for (i, section) in page.sections.iter().enumerate() {
        string(&mut b, if i == 0 { "[" } else { ",[" }, &section.anchor)?;
        string(&mut b, ",", &section.heading.join(" \u{203a} "))?;
        let text = &section.text;
        // A text of at most `FRAGMENT_CHARS` bytes has at most as many characters.
        let cut = if text.len() <= FRAGMENT_CHARS {
            text.len()
        } else {
            text.char_indices().nth(FRAGMENT_CHARS).map_or(text.len(), |(at, _)| at)
        };
        string(&mut b, ",", &text[..cut])?;
        b.push(b']');
    }
    b.extend_from_slice(b"]}]");
    Ok(b)
}

impl Output {
    /// Adds one site's pages; returns what the second pass needs of it.
    fn add_site(&mut self, site: &SiteSearch, d: Decoded) -> Result<First, Error> {
        let Decoded { first, packs, pages } = d;
        self.records += first.norms.len() as u64;
        if self.records > MAX_RECORDS {
            return Err(Error::SearchStats {
                site: site.name.clone(),
                problem: format!("the sites have more than {MAX_RECORDS} sections in all"),
            });
        }
        let name: Arc<str> = self.intern(&site.name);
        for (page, pack) in pages.iter().zip(packs) {
            self.sections.push(char::from_u32(48 + page.sections as u32).unwrap_or('0'));
            self.max_sections = self.max_sections.max(page.sections);
            self.counts.push(page.sections as u16);
            if super::demoted(&page.status, &page.freshness) {
                self.demoted.push(self.pages);
            }
            let row = [
                name.clone(),
                self.intern(&page.kind),
                self.intern(&page.owner),
                self.intern(&page.freshness),
                self.intern(&page.status),
                self.intern(""),
            ];
            let tags = page.tags.iter().map(|t| self.intern(t)).collect();
            self.tags.push(tags);
            self.facet_rows.push(row);
            self.group.push((self.pages, pack));
            self.pages += 1;
            if self.group.len() == FRAGMENT_GROUP {
                self.close_group();
            }
        }
        Ok(first)
    }

    /// How many record numbers there are, with or without a stride.
    fn records_numbered(&self, stride: Option<usize>) -> usize {
        stride.map_or(self.records as usize, |s| self.pages * s)
    }

    fn intern(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.interned.get(s) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(s);
        self.interned.insert(s.to_owned(), a.clone());
        a
    }

    /// Names a group of packs by the hash of their (compressed) contents.
    fn close_group(&mut self) {
        let group = std::mem::take(&mut self.group);
        let mut all = Vec::with_capacity(group.iter().map(|(_, gz)| gz.len()).sum());
        group.iter().for_each(|(_, gz)| all.extend_from_slice(gz));
        let hash = hash8(&all);
        for (n, gz) in group {
            self.files.push((format!("search/f/{hash}-{n}.json.gz"), gz));
        }
        self.groups.push(hash);
    }

    fn finish_fragments(&mut self) {
        if !self.group.is_empty() {
            self.close_group();
        }
    }

    /// Facet values: site, kind, owner, tag, freshness, status.
    fn facets(&self) -> browser::FacetValues {
        let mut out: browser::FacetValues = Vec::new();
        for (facet, col) in
            [("site", 0), ("kind", 1), ("owner", 2), ("tag", 9), ("freshness", 3), ("status", 4)]
        {
            let mut values: BTreeMap<String, Vec<u64>> = BTreeMap::new();
            for (i, row) in self.facet_rows.iter().enumerate() {
                let vals: &[Arc<str>] =
                    if col == 9 { &self.tags[i] } else { std::slice::from_ref(&row[col]) };
                for v in vals.iter().filter(|v| !v.is_empty()) {
                    values.entry(v.to_string()).or_default().push(i as u64);
                }
            }
            out.push((facet, values));
        }
        out
    }
}

/// Every site's surface words, with stems from this lore's analyser (never a site's claim).
fn merged_words(firsts: &[First]) -> BTreeMap<String, String> {
    let mut all: Vec<&str> = firsts.iter().flat_map(|f| f.words.iter().map(String::as_str)).collect();
    all.par_sort_unstable();
    all.dedup();
    all.par_chunks(4096)
        .map(|chunk| {
            let mut a = analyzer();
            chunk.iter().map(|w| ((*w).to_owned(), super::stem(&mut a, w))).collect::<Vec<_>>()
        })
        .flatten_iter()
        .collect()
}

/// `site`, locked (a panic while it was locked stops the merge anyway).
fn lock<'g, 'a>(site: &'g Mutex<SiteTerms<'a>>) -> MutexGuard<'g, SiteTerms<'a>> {
    site.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One site's terms in the second pass: its stream, and the run of terms read last.
struct SiteTerms<'a> {
    name: &'a str,
    stream: TermStream<'a>,
    /// The run's terms, each with the end of its postings in `postings`.
    terms: Vec<(String, usize)>,
    postings: Vec<Posting>,
    /// The term read past the run, with its postings: the next run starts with it.
    next: Option<(String, Vec<Posting>)>,
}

impl SiteTerms<'_> {
    /// Reads the site's terms up to `last` (included) as the run.
    fn read_run(&mut self, last: &str) -> Result<(), Error> {
        self.terms.clear();
        self.postings.clear();
        if let Some((term, list)) = self.next.take() {
            if term.as_str() > last {
                self.next = Some((term, list));
                return Ok(());
            }
            self.postings.extend_from_slice(&list);
            self.terms.push((term, self.postings.len()));
        }
        loop {
            let start = self.postings.len();
            let read = self.stream.next_into(&mut self.postings);
            let term = match read {
                Ok(Some(term)) => term,
                Ok(None) => return Ok(()),
                Err(problem) => return Err(Error::SearchStats { site: self.name.to_owned(), problem }),
            };
            if term.as_str() > last {
                self.next = Some((term, self.postings.split_off(start)));
                return Ok(());
            }
            self.terms.push((term, self.postings.len()));
        }
    }

    /// The postings of `stem` in the run (none when the site does not have it).
    fn postings(&self, stem: &str) -> &[Posting] {
        match self.terms.binary_search_by(|(t, _)| t.as_str().cmp(stem)) {
            Ok(i) => {
                let start = if i == 0 { 0 } else { self.terms[i - 1].1 };
                &self.postings[start..self.terms[i].1]
            }
            Err(_) => &[],
        }
    }
}

/// The second pass: each stem's postings over all sites, scored with the whole corpus's
/// statistics, a run of stems at a time as the dictionary writer asks for them: the sites'
/// streams read the run in parallel, then its stems are scored in parallel.
struct Source<'a> {
    firsts: &'a [First],
    /// Locked one run at a time (the writer takes one run while it encodes the one before).
    sites: Vec<Mutex<SiteTerms<'a>>>,
    /// Per site, the merged record number of each of its records.
    ids: Vec<Vec<u32>>,
    /// Per stem, its postings over all sites.
    df: BTreeMap<String, u32>,
    n_docs: u64,
    avg: [f32; 2],
    /// Per merged record number, whether its page is demoted.
    demoted: Vec<bool>,
}

impl<'a> Source<'a> {
    /// `stride`: number records as [`Layout::Strided`] says, else consecutively.
    fn new(sites: &'a [SiteSearch], firsts: &'a [First], stride: Option<usize>) -> Result<Self, Error> {
        let mut df: BTreeMap<String, u32> = BTreeMap::new();
        let (mut ids, mut n_docs, mut totals, mut page) = (Vec::new(), 0u64, [0u64; 2], 0usize);
        for f in firsts {
            let mut site_ids = Vec::with_capacity(f.norms.len());
            for &count in &f.counts {
                for k in 0..usize::from(count) {
                    let id = stride.map_or(n_docs as usize + site_ids.len(), |s| page * s + k);
                    site_ids.push(id as u32);
                }
                page += 1;
            }
            ids.push(site_ids);
            n_docs += f.norms.len() as u64;
            totals[0] += f.totals[0];
            totals[1] += f.totals[1];
            for (term, n) in &f.df {
                *df.entry(term.clone()).or_default() += n;
            }
        }
        let sites = sites
            .iter()
            .map(|s| {
                let stream = TermStream::open(&s.name, &s.stats)?;
                let site =
                    SiteTerms { name: &s.name, stream, terms: Vec::new(), postings: Vec::new(), next: None };
                Ok(Mutex::new(site))
            })
            .collect::<Result<_, Error>>()?;
        let avg = totals.map(|t| if n_docs == 0 { 0.0 } else { t as f32 / n_docs as f32 });
        Ok(Self { firsts, sites, ids, df, n_docs, avg, demoted: Vec::new() })
    }

    /// The postings of `stem` in the run the `sites` read last, scored.
    fn score(&self, sites: &[&SiteTerms<'_>], stem: &str) -> Result<Option<Vec<(u32, f32)>>, Error> {
        let Some(&postings) = self.df.get(stem) else { return Ok(None) };
        // Documents holding the stem in the title, in the body: BM25's document frequencies.
        let mut df = [0u32; 2];
        for site in sites {
            for p in site.postings(stem) {
                df[0] += u32::from(p.tf[0] > 0);
                df[1] += u32::from(p.tf[1] > 0);
            }
        }
        let weights: [Bm25Weight; 2] = [0, 1].map(|f| {
            let boost = if f == 0 { TITLE_BOOST } else { 1.0 };
            Bm25Weight::for_one_term_without_explain(u64::from(df[f]), self.n_docs, self.avg[f])
                .boost_by(boost)
        });
        let mut list = Vec::with_capacity(postings as usize);
        for ((site, first), ids) in sites.iter().zip(self.firsts).zip(&self.ids) {
            for p in site.postings(stem) {
                let record = p.record as usize;
                // Both read from the same bytes and checked against the same counts.
                let (Some(norm), Some(&id)) = (first.norms.get(record), ids.get(record)) else {
                    return Err(Error::Bug(format!(
                        "record {record} of `{}` read twice differently",
                        site.name
                    )));
                };
                let mut score = 0.0f32;
                if p.tf[0] > 0 {
                    score = weights[0].score(norm[0], p.tf[0]);
                }
                if p.tf[1] > 0 {
                    score += weights[1].score(norm[1], p.tf[1]);
                }
                list.push((id, score));
            }
        }
        Ok(Some(list))
    }
}

impl PostingsSource for Source<'_> {
    fn df(&self, stem: &str) -> usize {
        self.df.get(stem).map_or(0, |&n| n as usize)
    }

    fn stems(&self) -> Vec<&str> {
        self.df.keys().map(String::as_str).collect()
    }

    fn take_run(&self, stems: &[&str]) -> Result<RunPostings, Error> {
        let Some(last) = stems.last() else { return Ok(Vec::new()) };
        self.sites.par_iter().try_for_each(|site| lock(site).read_run(last))?;
        let guards: Vec<_> = self.sites.iter().map(lock).collect();
        let sites: Vec<&SiteTerms<'_>> = guards.iter().map(|g| &**g).collect();
        stems.par_iter().map(|stem| self.score(&sites, stem)).collect()
    }

    fn factor(&self, record: u32) -> f32 {
        if self.demoted.get(record as usize).copied().unwrap_or(false) { super::DEMOTION } else { 1.0 }
    }
}

#[cfg(test)]
#[path = "merge_tests.rs"]
mod tests;
