//! `lore search`: query parsing, term expansion (prefix, typos) and ranking over tantivy.
//!
//! The browser searcher implements the same rules over the exported index:
//! - every word is required; when no record has them all, any word may match (with a notice);
//! - the last word also matches words it starts with (3 letters or more; the 30 most frequent);
//! - a word the corpus does not contain matches words one edit away from 4 letters, two from 8,
//!   among words sharing its first two letters (or those two letters swapped);
//! - an expansion scores like the exact term times 0.8 (prefix), 0.6 (one edit) or 0.4 (two);
//!   a record takes its best expansion per word;
//! - `"quoted phrases"` require the words next to each other; `-word` excludes.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use tantivy::collector::{DocSetCollector, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Index, TantivyDocument, Term};

use super::schema::{Fields, TITLE_BOOST};
use super::{analyzer, surface_analyzer, tokens};
use crate::error::Error;

/// Weight of a prefix expansion.
pub const PREFIX_WEIGHT: f32 = 0.8;
/// Weight of a one-edit correction.
pub const TYPO1_WEIGHT: f32 = 0.6;
/// Weight of a two-edit correction.
pub const TYPO2_WEIGHT: f32 = 0.4;
/// Prefix expansions kept for the last word.
pub const MAX_PREFIX: usize = 30;
/// Records collected before grouping into pages.
const CANDIDATES: usize = 1000;
/// The longest query searched, in bytes: queries are typed, and every word costs a vocabulary
/// scan and a term query (a 200 KB query took 27 s before this cap).
pub const MAX_QUERY_BYTES: usize = 1000;
/// The most words (required and excluded, phrase words included) a query may have.
pub const MAX_QUERY_WORDS: usize = 32;

/// Refuses a query longer than [`MAX_QUERY_BYTES`] or with more than [`MAX_QUERY_WORDS`] words.
pub fn check_query(query: &str) -> Result<(), Error> {
    if query.len() > MAX_QUERY_BYTES {
        return Err(Error::Usage(format!(
            "the search query is too long: {} bytes, at most {MAX_QUERY_BYTES}\n  = hint: search for a few distinctive words",
            query.len()
        )));
    }
    let parsed = parse(query);
    let words = parsed.words.len() + parsed.excluded.len();
    if words > MAX_QUERY_WORDS {
        return Err(Error::Usage(format!(
            "the search query has too many words: {words}, at most {MAX_QUERY_WORDS}\n  = hint: search for a few distinctive words"
        )));
    }
    Ok(())
}

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// Required words (surface forms), phrase words included, in order.
    pub words: Vec<String>,
    /// Phrases: runs of words that must be adjacent.
    pub phrases: Vec<Vec<String>>,
    /// Excluded words.
    pub excluded: Vec<String>,
    /// True when the last word may be a prefix (it is not in a phrase).
    pub prefix_last: bool,
}

/// Splits a query into words, `"phrases"` and `-excluded` words.
pub fn parse(query: &str) -> Parsed {
    let mut surface = surface_analyzer();
    let mut p = Parsed::default();
    let mut last_is_phrase = false;
    let mut rest = query;
    while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
        rest = &rest[start..];
        if let Some(after) = rest.strip_prefix('"') {
            let end = after.find('"').unwrap_or(after.len());
            let words = tokens(&mut surface, &after[..end]);
            if !words.is_empty() {
                p.words.extend(words.iter().cloned());
                p.phrases.push(words);
                last_is_phrase = true;
            }
            rest = after.get(end + 1..).unwrap_or("");
            continue;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let token = &rest[..end];
        rest = &rest[end..];
        if let Some(ex) = token.strip_prefix('-').filter(|t| !t.is_empty()) {
            p.excluded.extend(tokens(&mut surface, ex));
        } else {
            let words = tokens(&mut surface, token);
            if !words.is_empty() {
                p.words.extend(words);
                last_is_phrase = false;
            }
        }
    }
    p.prefix_last = !last_is_phrase && !p.words.is_empty();
    p
}

/// The corpus words: word → (stem, number of records holding the stem).
#[derive(Debug, Default)]
pub struct Vocabulary {
    /// Sorted by word.
    pub words: BTreeMap<String, (String, u32)>,
}

impl Vocabulary {
    /// Parses `word TAB stem TAB df` lines.
    pub fn parse(text: &str) -> Self {
        let words = text
            .lines()
            .filter_map(|l| {
                let mut it = l.split('\t');
                let (w, s, d) = (it.next()?, it.next()?, it.next()?);
                Some((w.to_owned(), (s.to_owned(), d.parse().ok()?)))
            })
            .collect();
        Self { words }
    }

    /// The stems a query word stands for, with their weights (best weight per stem).
    pub fn expand(&self, word: &str, prefix: bool) -> Vec<(String, f32)> {
        let mut out: HashMap<String, f32> = HashMap::new();
        let mut add = |stem: &str, w: f32| {
            let e = out.entry(stem.to_owned()).or_insert(0.0);
            if w > *e {
                *e = w;
            }
        };
        let exact = self.words.get(word);
        match exact {
            Some((stem, _)) => add(stem, 1.0),
            None => add(&super::stem(&mut analyzer(), word), 1.0),
        }
        if prefix && word.chars().count() >= 3 {
            let mut found: Vec<(&String, &(String, u32))> = self
                .words
                .range(word.to_owned()..)
                .take_while(|(w, _)| w.starts_with(word))
                .filter(|(w, _)| **w != *word)
                .collect();
            found.sort_by(|a, b| b.1.1.cmp(&a.1.1).then(a.0.cmp(b.0)));
            for (_, (stem, _)) in found.into_iter().take(MAX_PREFIX) {
                add(stem, PREFIX_WEIGHT);
            }
        }
        let len = word.chars().count();
        if exact.is_none() && len >= 4 {
            let max = if len >= 8 { 2 } else { 1 };
            for b in buckets(word) {
                for (w, (stem, _)) in self.words.range(b.clone()..).take_while(|(w, _)| w.starts_with(&b)) {
                    let d = edit_distance(word, w, max);
                    if d >= 1 && d <= max {
                        add(stem, if d == 1 { TYPO1_WEIGHT } else { TYPO2_WEIGHT });
                    }
                }
            }
        }
        let mut v: Vec<(String, f32)> = out.into_iter().collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }
}

/// The word-pack buckets searched for typo candidates: the first two letters, and swapped.
pub fn buckets(word: &str) -> Vec<String> {
    let c: Vec<char> = word.chars().take(2).collect();
    let mut out = vec![c.iter().collect::<String>()];
    if c.len() == 2 && c[0] != c[1] {
        out.push([c[1], c[0]].iter().collect());
    }
    out
}

/// Optimal-string-alignment distance, or `max + 1` when larger.
pub fn edit_distance(a: &str, b: &str, max: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return max + 1;
    }
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[n][m].min(max + 1)
}

/// Filters: all must hold (AND across facets).
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Kind.
    pub kind: Option<String>,
    /// Owner.
    pub owner: Option<String>,
    /// Tag.
    pub tag: Option<String>,
    /// Freshness state.
    pub state: Option<String>,
}

impl Filters {
    /// The filters with the kind and freshness state written as the index keeps them, or an
    /// error naming what is accepted: `--kind decision` or `--kind runbooks` finds the pages a
    /// reader means, and `--kind nonsense` says so instead of finding nothing.
    pub fn checked(mut self) -> Result<Self, Error> {
        use crate::config::Kind;
        if let Some(kind) = &self.kind {
            let k = kind.trim();
            let parsed = Kind::parse(k).or_else(|| k.strip_suffix(['s', 'S']).and_then(Kind::parse));
            let Some(parsed) = parsed else {
                return Err(Error::Usage(format!(
                    "unknown kind `{}`\n  = hint: kinds are page, runbook, adr (or decision), onboarding and service",
                    crate::diag::escape(k)
                )));
            };
            self.kind = Some(parsed.name().to_owned());
        }
        if let Some(state) = &self.state {
            let names = crate::site::freshness::State::ALL.map(crate::site::freshness::State::name);
            let s = state.trim().to_ascii_lowercase().replace(['_', ' '], "-");
            if !names.contains(&s.as_str()) {
                return Err(Error::Usage(format!(
                    "unknown freshness state `{}`\n  = hint: states are {}",
                    crate::diag::escape(state.trim()),
                    names.join(", ")
                )));
            }
            self.state = Some(s);
        }
        Ok(self)
    }

    /// Whether any filter is set.
    pub fn any(&self) -> bool {
        [&self.kind, &self.owner, &self.tag, &self.state].iter().any(|v| v.is_some())
    }
}

/// One heading section in a result.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Hit {
    /// Site-relative URL with the heading anchor.
    pub url: String,
    /// Heading path, empty for the page intro.
    pub heading: String,
    /// Score.
    pub score: f32,
    /// Plain-text snippet.
    pub snippet: String,
    /// Byte ranges of matched words in `snippet`.
    pub matches: Vec<(usize, usize)>,
    /// How the score arises (`lore search --explain`, `/api/search?explain=1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Explain>,
    /// The section's record number in the index.
    #[serde(skip)]
    record: u64,
}

/// A section's score, explained.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Explain {
    /// tantivy's score (the one results are ranked by).
    pub tantivy: f32,
    /// The score the browser index gives the same section.
    pub browser: f32,
    /// Whether the page is ranked lower (stale, or a superseded or deprecated decision).
    pub demoted: bool,
    /// Per query word that matched: the stem that scored best.
    pub words: Vec<WordScore>,
}

/// One query word's part of a section's score.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WordScore {
    /// The word as typed (lowercased).
    pub word: String,
    /// The stem it matched: its own, or a prefix or typo expansion.
    pub stem: String,
    /// The expansion weight (1 for the word itself).
    pub weight: f32,
    /// tantivy's BM25 score of the stem in the section (title and body), times the weight.
    pub tantivy: f32,
    /// The one-byte impact the browser index stores.
    pub impact: u8,
    /// The browser's score: weight × impact × the stem's largest score / 255.
    pub browser: f32,
}

/// One page in the results.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PageHit {
    /// Page title.
    pub title: String,
    /// Site-relative URL of the best section.
    pub url: String,
    /// Kind.
    pub kind: String,
    /// Owner.
    pub owner: String,
    /// Tags.
    pub tags: Vec<String>,
    /// ADR status.
    pub status: String,
    /// Freshness state.
    pub freshness: String,
    /// Best section score.
    pub score: f32,
    /// Up to three matching sections, best first.
    pub sections: Vec<Hit>,
}

/// The answer to a query.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Results {
    /// The query as typed.
    pub query: String,
    /// True when no page had every word and pages with some of them are shown.
    pub partial: bool,
    /// Pages, best first.
    pub pages: Vec<PageHit>,
}

/// An opened index with its vocabulary.
pub struct Searcher {
    index: Index,
    fields: Fields,
    vocab: Vocabulary,
    /// The index folder as messages show it.
    shown: std::path::PathBuf,
    /// The index folder (its ledger holds the exact token totals).
    dir: std::path::PathBuf,
}

impl Searcher {
    /// Opens the index `build` wrote in `dir`.
    pub fn open(dir: &Path) -> Result<Self, Error> {
        if !dir.join("meta.json").is_file() {
            return Err(Error::Usage(format!(
                "no search index at `{}`\n  = hint: run `lore build` first",
                crate::config::display_path(dir).display()
            )));
        }
        let (index, fields) = super::index::open(dir).map_err(|e| e.in_search_action("open"))?;
        let words = crate::fs::read_to_string(&dir.join("words.tsv"))?;
        let shown = crate::config::display_path(dir);
        Ok(Self { index, fields, vocab: Vocabulary::parse(&words), shown, dir: dir.to_path_buf() })
    }

    /// Runs a query: the best `limit` pages. A query over the caps of [`check_query`] is an
    /// error.
    pub fn search(&self, query: &str, filters: &Filters, limit: usize) -> Result<Results, Error> {
        self.guarded(|| self.search_unguarded(query, filters, limit))
    }

    /// Runs `f` on the index. tantivy does not checksum its files: reading a damaged one can
    /// panic, and that is an error naming the index, never a crash.
    fn guarded<T>(&self, f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
            Err(Error::Usage(format!(
                "the search index in `{}` is damaged\n  = hint: run `lore build` to write it again",
                self.shown.display()
            )))
        })
    }

    fn search_unguarded(&self, query: &str, filters: &Filters, limit: usize) -> Result<Results, Error> {
        check_query(query)?;
        let parsed = parse(query);
        let mut results = Results { query: query.to_owned(), partial: false, pages: Vec::new() };
        if parsed.words.is_empty() {
            if filters.any() {
                results.pages = self.list(&parsed, filters, limit)?;
            }
            return Ok(results);
        }
        let n = parsed.words.len();
        let expansions = self.expansions(&parsed);
        let mut hits = self.run(&parsed, &expansions, filters, Occur::Must)?;
        if hits.is_empty() && n > 1 && parsed.phrases.is_empty() {
            hits = self.run(&parsed, &expansions, filters, Occur::Should)?;
            results.partial = !hits.is_empty();
        }
        results.pages = self.group(hits, &parsed, limit)?;
        Ok(results)
    }

    /// The stems each query word stands for, with their weights.
    fn expansions(&self, parsed: &Parsed) -> Vec<Vec<(String, f32)>> {
        let n = parsed.words.len();
        parsed
            .words
            .iter()
            .enumerate()
            .map(|(i, w)| self.vocab.expand(w, parsed.prefix_last && i + 1 == n))
            .collect()
    }

    /// `search`, with each section's score explained: tantivy's score beside the one the
    /// browser index gives (the same BM25 scores, quantised to one byte per posting), and per
    /// query word the stem that scored, its weight and its impact byte.
    pub fn explain(&self, query: &str, filters: &Filters, limit: usize) -> Result<Results, Error> {
        self.guarded(|| self.explain_unguarded(query, filters, limit))
    }

    fn explain_unguarded(&self, query: &str, filters: &Filters, limit: usize) -> Result<Results, Error> {
        let mut results = self.search_unguarded(query, filters, limit)?;
        let parsed = parse(query);
        let expansions = self.expansions(&parsed);
        let reader = self.index.reader()?;
        let searcher = reader.searcher();
        let totals = super::browser::token_totals(&searcher, &self.fields, &self.dir)?;
        // Per stem: the largest score (the quantisation scale) and the score per record.
        let mut postings: HashMap<String, (f32, HashMap<u32, f32>)> = HashMap::new();
        for stem in expansions.iter().flatten().map(|(s, _)| s) {
            if !postings.contains_key(stem) {
                let list = super::browser::stem_postings(&searcher, &self.fields, totals, stem)?;
                let max = list.iter().map(|p| p.1).fold(0.0, f32::max);
                postings.insert(stem.clone(), (max, list.into_iter().collect()));
            }
        }
        for page in &mut results.pages {
            let demoted = super::demoted(&page.status, &page.freshness);
            for hit in &mut page.sections {
                let mut words = Vec::new();
                for (word, stems) in parsed.words.iter().zip(&expansions) {
                    let mut best: Option<WordScore> = None;
                    for (stem, weight) in stems {
                        let (max, scores) = &postings[stem];
                        let Some(score) = scores.get(&(hit.record as u32)) else { continue };
                        let impact = super::browser::quantise(*score, *max);
                        let browser = weight * max / 255.0 * f32::from(impact);
                        if best.as_ref().is_none_or(|b| browser > b.browser) {
                            best = Some(WordScore {
                                word: word.clone(),
                                stem: stem.clone(),
                                weight: *weight,
                                tantivy: weight * score,
                                impact,
                                browser,
                            });
                        }
                    }
                    words.extend(best);
                }
                let sum: f32 = words.iter().map(|w| w.browser).sum();
                let browser = if demoted { sum * super::DEMOTION } else { sum };
                hit.explain = Some(Explain { tantivy: hit.score, browser, demoted, words });
            }
        }
        Ok(results)
    }

    fn word_query(&self, expansions: &[(String, f32)]) -> Box<dyn Query> {
        let f = self.fields;
        let disjuncts: Vec<Box<dyn Query>> = expansions
            .iter()
            .map(|(stem, w)| {
                let title =
                    TermQuery::new(Term::from_field_text(f.title, stem), IndexRecordOption::WithFreqs);
                let body = TermQuery::new(Term::from_field_text(f.body, stem), IndexRecordOption::WithFreqs);
                let both = BooleanQuery::new(vec![
                    (
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(title), TITLE_BOOST)) as Box<dyn Query>,
                    ),
                    (Occur::Should, Box::new(body)),
                ]);
                Box::new(BoostQuery::new(Box::new(both), *w)) as Box<dyn Query>
            })
            .collect();
        Box::new(DisjunctionMaxQuery::new(disjuncts))
    }

    /// Records matching, with their scores (demotion applied), best first.
    fn run(
        &self,
        parsed: &Parsed,
        expansions: &[Vec<(String, f32)>],
        filters: &Filters,
        occur: Occur,
    ) -> Result<Vec<(f32, TantivyDocument)>, Error> {
        let f = self.fields;
        let words: Vec<(Occur, Box<dyn Query>)> =
            expansions.iter().map(|e| (occur, self.word_query(e))).collect();
        let words = BooleanQuery::with_minimum_required_clauses(words, usize::from(occur == Occur::Should));
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(words))];
        clauses.extend(self.constraints(parsed, filters));
        let query = BooleanQuery::new(clauses);
        let reader = self.index.reader()?;
        let searcher = reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(CANDIDATES).order_by_score())?;
        let mut out = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let status = text(&doc, f.status);
            let fresh = text(&doc, f.freshness);
            let score = if super::demoted(&status, &fresh) { score * super::DEMOTION } else { score };
            if !parsed.phrases.is_empty() && !has_phrases(&doc, f, &parsed.phrases) {
                continue;
            }
            out.push((score, doc));
        }
        let rec = |d: &TantivyDocument| d.get_first(f.record).and_then(|v| v.as_u64()).unwrap_or(0);
        out.sort_by(|a, b| b.0.total_cmp(&a.0).then(rec(&a.1).cmp(&rec(&b.1))));
        Ok(out)
    }

    /// Clauses for excluded words and filters.
    fn constraints(&self, parsed: &Parsed, filters: &Filters) -> Vec<(Occur, Box<dyn Query>)> {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut stems = analyzer();
        for w in &parsed.excluded {
            let s = super::stem(&mut stems, w);
            for field in [f.title, f.body] {
                clauses.push((
                    Occur::MustNot,
                    Box::new(TermQuery::new(Term::from_field_text(field, &s), IndexRecordOption::Basic)),
                ));
            }
        }
        let facets = [
            (f.kind, &filters.kind),
            (f.owner, &filters.owner),
            (f.tag, &filters.tag),
            (f.freshness, &filters.state),
        ];
        for (field, value) in facets {
            if let Some(v) = value {
                let q = TermQuery::new(Term::from_field_text(field, v), IndexRecordOption::Basic);
                clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(q), 0.0))));
            }
        }
        clauses
    }

    /// Pages that pass the filters (no words given), in site order: each page once, with its
    /// first section.
    fn list(&self, parsed: &Parsed, filters: &Filters, limit: usize) -> Result<Vec<PageHit>, Error> {
        let query = BooleanQuery::new(self.constraints(parsed, filters));
        let reader = self.index.reader()?;
        let searcher = reader.searcher();
        let docs = searcher.search(&query, &DocSetCollector)?;
        let mut first: BTreeMap<u64, (u64, tantivy::DocAddress)> = BTreeMap::new();
        let mut columns = HashMap::new();
        for addr in docs {
            if let std::collections::hash_map::Entry::Vacant(e) = columns.entry(addr.segment_ord) {
                let fast = searcher.segment_reader(addr.segment_ord).fast_fields();
                e.insert((fast.u64("page")?, fast.u64("record")?));
            }
            let (pages, records) = &columns[&addr.segment_ord];
            let page = pages.first(addr.doc_id).unwrap_or(0);
            let record = records.first(addr.doc_id).unwrap_or(0);
            let slot = first.entry(page).or_insert((record, addr));
            if record < slot.0 {
                *slot = (record, addr);
            }
        }
        let hits = first
            .values()
            .take(limit)
            .map(|(_, addr)| searcher.doc(*addr).map(|d| (0.0, d)))
            .collect::<tantivy::Result<Vec<_>>>()?;
        self.group(hits, parsed, limit)
    }

    fn group(
        &self,
        hits: Vec<(f32, TantivyDocument)>,
        parsed: &Parsed,
        limit: usize,
    ) -> Result<Vec<PageHit>, Error> {
        let f = self.fields;
        let mut pages: Vec<PageHit> = Vec::new();
        let mut index: HashMap<u64, usize> = HashMap::new();
        let mut stems = analyzer();
        let wanted: Vec<String> = parsed.words.iter().map(|w| super::stem(&mut stems, w)).collect();
        for (score, doc) in hits {
            let page = doc.get_first(f.page).and_then(|v| v.as_u64()).unwrap_or(0);
            let slot = match index.get(&page) {
                Some(i) => *i,
                None => {
                    if pages.len() >= limit {
                        continue;
                    }
                    index.insert(page, pages.len());
                    pages.push(PageHit {
                        title: text(&doc, f.page_title),
                        url: text(&doc, f.url),
                        kind: text(&doc, f.kind),
                        owner: text(&doc, f.owner),
                        tags: doc.get_all(f.tag).filter_map(|v| v.as_str().map(str::to_owned)).collect(),
                        status: text(&doc, f.status),
                        freshness: text(&doc, f.freshness),
                        score,
                        sections: Vec::new(),
                    });
                    pages.len() - 1
                }
            };
            if pages[slot].sections.len() < 3 {
                let (snippet, matches) = snippet(&text(&doc, f.body), &wanted);
                let record = doc.get_first(f.record).and_then(|v| v.as_u64()).unwrap_or(0);
                pages[slot].sections.push(Hit {
                    record,
                    explain: None,
                    url: text(&doc, f.url),
                    heading: text(&doc, f.heading),
                    score,
                    snippet,
                    matches,
                });
            }
        }
        Ok(pages)
    }
}

fn text(doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
    doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("").to_owned()
}

/// Whether the section (title or body) holds every phrase as adjacent stems.
fn has_phrases(doc: &TantivyDocument, f: Fields, phrases: &[Vec<String>]) -> bool {
    let mut a = analyzer();
    let text = format!("{} {} . {}", text(doc, f.page_title), text(doc, f.heading), text(doc, f.body));
    let stems = tokens(&mut a, &text);
    phrases.iter().all(|p| {
        let p: Vec<String> = p.iter().map(|w| super::stem(&mut a, w)).collect();
        stems.windows(p.len()).any(|w| w == p.as_slice())
    })
}

/// Words of context around the densest run of matches.
const SNIPPET_WORDS: usize = 24;

/// A window of `text` around the first match, with the byte ranges of matched words. Words match
/// when their stem is a query stem or starts with one.
pub fn snippet(text: &str, stems: &[String]) -> (String, Vec<(usize, usize)>) {
    let mut a = analyzer();
    let words: Vec<(usize, usize)> = word_spans(text);
    let is_match = |s: &str, a: &mut tantivy::tokenizer::TextAnalyzer| {
        let st = super::stem(a, &s.to_lowercase());
        stems.iter().any(|q| !q.is_empty() && (st == *q || st.starts_with(q.as_str())))
    };
    let flags: Vec<bool> = words.iter().map(|(s, e)| is_match(&text[*s..*e], &mut a)).collect();
    let first = flags.iter().position(|f| *f).unwrap_or(0);
    let start_word = first.saturating_sub(4);
    let end_word = (start_word + SNIPPET_WORDS).min(words.len());
    if words.is_empty() {
        return (String::new(), Vec::new());
    }
    let from = if start_word == 0 { 0 } else { words[start_word].0 };
    let to = if end_word == words.len() { text.len() } else { words[end_word - 1].1 };
    let mut out = String::new();
    if start_word > 0 {
        out.push('…');
    }
    let base = out.len();
    out.push_str(&text[from..to]);
    if end_word < words.len() {
        out.push('…');
    }
    let matches = (start_word..end_word)
        .filter(|i| flags[*i])
        .map(|i| (words[i].0 - from + base, words[i].1 - from + base))
        .collect();
    (out, matches)
}

/// Byte spans of alphanumeric runs.
fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            out.push((s, i));
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}
