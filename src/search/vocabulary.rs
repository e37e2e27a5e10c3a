//! The corpus word list: every surface word of the indexed text with its stem from the same
//! analyser, and the token totals of the title and body fields over all documents (the
//! analyser's stemmer maps tokens one to one, so the surface tokens count what tantivy
//! indexes). The browser index and `words.tsv` are made from it.
//!
//! Reading every page's text again took an eighth of a warm build's CPU when ten pages of
//! 10,000 had changed. So a build with the cache keeps, in `.lore/cache/words.bin`, each
//! page's distinct words (as numbers into the word list) and token totals, keyed by the
//! xxh3-128 of the text the list is made from (title, headings, section text). The next build
//! reads only the pages whose text is not there, and the word list is the union of the kept
//! and new pages' words: exactly what reading every page gives, since a page's words are a
//! function of its text. A memo that is damaged, cut short, from another lore, or names a word
//! it does not have is not used (the words are read from every page).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{PageDoc, analyzer, surface_analyzer};
use crate::error::Error;

/// Hashing for the maps keyed by page text: foldhash, several times as fast as SipHash (which
/// took a third of this pass) and seeded at random per process, so words crafted in a pull
/// request cannot be made to collide.
type Seeded = foldhash::fast::RandomState;

/// Surface words and their stems.
type Words = HashMap<String, String, Seeded>;

/// The word list and the token totals of the title and body fields.
pub type Vocabulary = (BTreeMap<String, String>, [u64; 2]);

/// The memo file's first bytes; a memo of another format or lore version is not read.
const MAGIC: &[u8; 8] = b"LOREWD01";
/// A memo larger than this is not read (a 10,000-page site's is about 12 MB).
const MAX_MEMO: u64 = 1 << 30;

/// The word list of `pages`; with `memo`, through the memo at that path (read, then written
/// anew for the next build).
pub fn vocabulary(pages: &[Arc<PageDoc>], memo: Option<&Path>) -> Result<Vocabulary, Error> {
    let Some(path) = memo else { return Ok(read_all(pages)) };
    let last = Memo::read(path).unwrap_or_default();
    let known: HashMap<u128, usize> = last.pages.iter().enumerate().map(|(i, p)| (p.0, i)).collect();
    let keys: Vec<u128> = pages.par_iter().map(|p| text_key(p)).collect();
    let missing: Vec<usize> = (0..pages.len()).filter(|&p| !known.contains_key(&keys[p])).collect();
    // The pages not in the memo, read in parallel chunks that share a word table each (one
    // table per page would stem every page's words again: three times as slow on a first build).
    let size = missing.len().div_ceil(2 * rayon::current_num_threads()).max(64);
    let chunks: Vec<Chunk> = missing.par_chunks(size).map(|which| read_chunk(pages, which)).collect();
    let read: HashMap<usize, (usize, usize)> = chunks
        .iter()
        .enumerate()
        .flat_map(|(c, chunk)| chunk.pages.iter().enumerate().map(move |(row, page)| (page.0, (c, row))))
        .collect();
    // The words of the kept pages, then those of the pages read.
    let mut used = vec![false; last.words.len()];
    let mut totals = [0u64; 2];
    for (p, key) in keys.iter().enumerate() {
        let t = match read.get(&p) {
            Some(&(c, row)) => chunks[c].pages[row].1,
            None => {
                let kept = &last.pages[known[key]];
                kept.2.iter().for_each(|&id| used[id as usize] = true);
                kept.1
            }
        };
        totals[0] += t[0];
        totals[1] += t[1];
    }
    let mut all: Vec<&(String, String)> =
        last.words.iter().zip(&used).filter(|(_, u)| **u).map(|(w, _)| w).collect();
    all.extend(chunks.iter().flat_map(|c| c.table.iter()));
    // Sorted and deduplicated once; the tree is then built from sorted words.
    all.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    all.dedup_by(|a, b| a.0 == b.0);
    let words: BTreeMap<String, String> = all.into_iter().cloned().collect();
    let next = Memo::of(&words, &keys, &last, &known, &chunks, &read);
    next.write(path)?;
    Ok((words, totals))
}

/// Pages read for the memo: their words, numbered in `table` (word, stem), and per page its
/// number, totals and the sorted numbers of its distinct words.
struct Chunk {
    table: Vec<(String, String)>,
    pages: Vec<(usize, [u64; 2], Vec<u32>)>,
}

/// Reads the pages `which` of `pages` into one [`Chunk`].
fn read_chunk(pages: &[Arc<PageDoc>], which: &[usize]) -> Chunk {
    let mut surface = surface_analyzer();
    let mut stemmer = analyzer();
    let mut number: HashMap<String, u32, Seeded> = HashMap::default();
    let mut table: Vec<(String, String)> = Vec::new();
    let mut out = Vec::with_capacity(which.len());
    for &p in which {
        let mut ids: std::collections::HashSet<u32, Seeded> = std::collections::HashSet::default();
        let totals = page_totals(&pages[p], &mut |text: &str| {
            let mut stream = surface.token_stream(text);
            let mut n = 0;
            while stream.advance() {
                n += 1;
                let w = &stream.token().text;
                let id = match number.get(w.as_str()) {
                    Some(&id) => id,
                    None => {
                        let id = u32::try_from(table.len()).unwrap_or(u32::MAX);
                        table.push((w.clone(), super::stem(&mut stemmer, w)));
                        number.insert(w.clone(), id);
                        id
                    }
                };
                ids.insert(id);
            }
            n
        });
        let mut ids: Vec<u32> = ids.into_iter().collect();
        ids.sort_unstable();
        out.push((p, totals, ids));
    }
    Chunk { table, pages: out }
}

/// The token totals of the title and body fields of `page`, its texts going through `add`
/// (which returns how many tokens a text has).
fn page_totals(page: &PageDoc, add: &mut impl FnMut(&str) -> u64) -> [u64; 2] {
    let mut totals = [0u64; 2];
    let title = add(&page.title);
    for s in &page.sections {
        // The title field of a section: the page title, then its heading path.
        totals[0] += title;
        for h in &s.heading {
            totals[0] += add(h);
        }
        totals[1] += add(&s.text);
    }
    totals
}

/// The word list of `pages`, reading every page: in parallel chunks whose lists are merged.
fn read_all(pages: &[Arc<PageDoc>]) -> Vocabulary {
    let chunk = pages.len().div_ceil(2 * rayon::current_num_threads()).max(256);
    let mut parts: Vec<(Words, [u64; 2])> = pages.par_chunks(chunk).map(chunk_words).collect();
    // Merged in a hash map and sorted once: inserting each chunk's words into the tree
    // compared strings ten times as often.
    let (mut words, mut totals) = parts.pop().unwrap_or_default();
    for (part, t) in parts {
        totals[0] += t[0];
        totals[1] += t[1];
        for (w, stem) in part {
            words.entry(w).or_insert(stem);
        }
    }
    (words.into_iter().collect(), totals)
}

/// Reads the words of pages into one list, with the token totals.
struct Reader {
    surface: tantivy::tokenizer::TextAnalyzer,
    stemmer: tantivy::tokenizer::TextAnalyzer,
    words: Words,
    totals: [u64; 2],
}

impl Reader {
    fn new() -> Self {
        Self { surface: surface_analyzer(), stemmer: analyzer(), words: Words::default(), totals: [0; 2] }
    }

    /// Adds the words of `text`; returns how many tokens it has.
    fn add(&mut self, text: &str) -> u64 {
        let mut stream = self.surface.token_stream(text);
        let mut n = 0;
        while stream.advance() {
            n += 1;
            let w = &stream.token().text;
            // Hashed while reading every token: no allocation for a word already seen.
            if !self.words.contains_key(w.as_str()) {
                self.words.insert(w.clone(), super::stem(&mut self.stemmer, w));
            }
        }
        n
    }

    fn page(&mut self, page: &PageDoc) {
        let t = page_totals(page, &mut |text| self.add(text));
        self.totals[0] += t[0];
        self.totals[1] += t[1];
    }
}

/// The words of one chunk of pages.
fn chunk_words(pages: &[Arc<PageDoc>]) -> (Words, [u64; 2]) {
    let mut reader = Reader::new();
    pages.iter().for_each(|p| reader.page(p));
    (reader.words, reader.totals)
}

/// The xxh3-128 of what a page's words are read from.
fn text_key(page: &PageDoc) -> u128 {
    let mut h = crate::output::Hasher::default();
    h.field(page.title.as_bytes());
    for s in &page.sections {
        h.field(s.text.as_bytes());
        h.update(&(s.heading.len() as u64).to_le_bytes());
        s.heading.iter().for_each(|x| h.field(x.as_bytes()));
    }
    h.digest128()
}

/// A memo file of `body`: the magic, the body's xxh3-64, the body (its first field is the lore
/// version).
pub fn framed(body: &[u8]) -> Vec<u8> {
    crate::fs::framed(MAGIC, body)
}

/// The memo: the word list (word, stem), and per page text key its totals and the numbers of
/// its distinct words in that list.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Memo {
    version: String,
    words: Vec<(String, String)>,
    pages: Vec<(u128, [u64; 2], Vec<u32>)>,
}

impl Memo {
    /// The memo at `path`, when this lore wrote it and it reads back whole.
    fn read(path: &Path) -> Option<Self> {
        let body = crate::fs::read_framed(path, MAGIC, MAX_MEMO)?;
        let memo: Self = postcard::from_bytes(&body).ok()?;
        let n = memo.words.len();
        let sound = memo.version == env!("CARGO_PKG_VERSION")
            && memo.pages.iter().all(|(_, _, ids)| ids.iter().all(|&id| (id as usize) < n));
        sound.then_some(memo)
    }

    /// The memo of this build: `words` numbered in order, every page by its key.
    fn of(
        words: &BTreeMap<String, String>,
        keys: &[u128],
        last: &Self,
        known: &HashMap<u128, usize>,
        chunks: &[Chunk],
        read: &HashMap<usize, (usize, usize)>,
    ) -> Self {
        let number: HashMap<&str, u32> = words
            .keys()
            .enumerate()
            .map(|(i, w)| (w.as_str(), u32::try_from(i).unwrap_or(u32::MAX)))
            .collect();
        // The last memo's and each chunk's numbers in this one's (every word of a page is in
        // `words`).
        let renumber = |table: &[(String, String)]| -> Vec<u32> {
            table.iter().map(|(w, _)| number.get(w.as_str()).copied().unwrap_or(u32::MAX)).collect()
        };
        let from_last = renumber(&last.words);
        let from_chunk: Vec<Vec<u32>> = chunks.iter().map(|c| renumber(&c.table)).collect();
        let mut seen = std::collections::HashSet::new();
        let mut pages = Vec::with_capacity(keys.len());
        for (p, &key) in keys.iter().enumerate() {
            if !seen.insert(key) {
                continue;
            }
            let (totals, ids, map) = match read.get(&p) {
                Some(&(c, row)) => {
                    let (_, totals, ids) = &chunks[c].pages[row];
                    (*totals, ids, &from_chunk[c])
                }
                None => {
                    let (_, totals, ids) = &last.pages[known[&key]];
                    (*totals, ids, &from_last)
                }
            };
            let mut ids: Vec<u32> = ids.iter().map(|&id| map[id as usize]).collect();
            ids.sort_unstable();
            pages.push((key, totals, ids));
        }
        let words = words.iter().map(|(w, s)| (w.clone(), s.clone())).collect();
        Self { version: env!("CARGO_PKG_VERSION").to_owned(), words, pages }
    }

    /// Writes the memo through a temporary file renamed over `path`.
    fn write(&self, path: &Path) -> Result<(), Error> {
        let body = postcard::to_stdvec(self).map_err(|e| Error::encode("the word list memo", e))?;
        let bytes = framed(&body);
        let tmp = path.with_extension("bin.tmp");
        crate::fs::write_new(&tmp, &bytes)?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io("replace", path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::SectionDoc;

    fn page(title: &str, texts: &[&str]) -> Arc<PageDoc> {
        Arc::new(PageDoc {
            title: title.to_owned(),
            sections: texts
                .iter()
                .enumerate()
                .map(|(i, t)| SectionDoc {
                    anchor: format!("s{i}"),
                    heading: if i == 0 { Vec::new() } else { vec![format!("Heading {i} Rollback")] },
                    text: (*t).to_owned(),
                })
                .collect(),
            ..PageDoc::default()
        })
    }

    /// Issue 13: through the memo, the word list and totals are those of reading every page,
    /// across edits, additions, removals and two pages with the same text; and a damaged,
    /// cut, planted or foreign memo is not used.
    #[test]
    fn issue_13_the_word_list_through_the_memo_is_the_word_list_of_every_page() {
        let dir = tempfile::tempdir().unwrap();
        let memo = dir.path().join("cache/words.bin");
        let mut pages = vec![
            page("Database failover", &["Promote the replica.", "Check replication lag first."]),
            page("Onboarding", &["Welcome aboard, read the handbook."]),
            page("Decision: queues", &["We chose Kafka over RabbitMQ.", "Rollback is manual."]),
        ];
        type Step = Box<dyn Fn(&mut Vec<Arc<PageDoc>>)>;
        let steps: Vec<Step> = vec![
            Box::new(|_| {}),
            Box::new(|p| p[1] = page("Onboarding", &["Welcome aboard, read the runbooks."])),
            Box::new(|p| p.push(page("Cache", &["Flush the cache; warm it again."]))),
            Box::new(|p| {
                p.remove(0);
            }),
            Box::new(|p| p.push(p[0].clone())),
            Box::new(|p| p[2] = page("Cache", &["Évictions happen; naïve caches thrash."])),
            Box::new(|p| p.truncate(1)),
            Box::new(|p| p.clear()),
            Box::new(|p| p.push(page("Back", &["Promote the replica."]))),
        ];
        for (i, step) in steps.iter().enumerate() {
            step(&mut pages);
            let through = vocabulary(&pages, Some(&memo)).unwrap();
            assert_eq!(through, read_all(&pages), "step {i}");
            assert!(Memo::read(&memo).is_some(), "step {i}: the memo is written");
        }
        // Damaged in every way: still the word list of every page, and the memo made anew.
        let good = std::fs::read(&memo).unwrap();
        let mut flipped = good.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        let mut foreign = Memo::read(&memo).unwrap();
        foreign.version = "0.0.0".to_owned();
        let mut planted = Memo::read(&memo).unwrap();
        planted.pages[0].2.push(u32::MAX);
        let encode = |m: &Memo| framed(&postcard::to_stdvec(m).unwrap());
        for (what, bytes) in [
            ("cut", good[..good.len() / 2].to_vec()),
            ("flipped", flipped),
            ("another lore's", encode(&foreign)),
            ("a word it does not have", encode(&planted)),
            ("empty", Vec::new()),
        ] {
            std::fs::write(&memo, &bytes).unwrap();
            assert!(Memo::read(&memo).is_none(), "{what}: not used");
            assert_eq!(vocabulary(&pages, Some(&memo)).unwrap(), read_all(&pages), "{what}");
            assert!(Memo::read(&memo).is_some(), "{what}: written anew");
        }
    }
}
