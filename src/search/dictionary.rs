//! The dictionary writer of the browser index: stems and surface words in bytewise order,
//! cut into shards, each stem's postings from a [`PostingsSource`] (a site's own BM25 impacts,
//! or a portal's merge computing them a run of stems at a time), long lists tiered for a
//! portal. Entries are encoded in parallel, a run of keys at a time; only cutting shards and
//! front coding keys, which depend on the entry before, are sequential.

use std::borrow::Cow;
use std::collections::BTreeMap;

use rayon::prelude::*;
use serde_json::{Value, json};

use super::browser::{Impacts, front_code, gzip, joined_boundaries, varint, write_postings};
use super::gzip::deflate;
use crate::error::Error;
use crate::output::hash8;

/// A stem's (record, score) postings, borrowed or made for the occasion.
pub type PostingsList<'a> = Cow<'a, [(u32, f32)]>;

/// The postings of a run of stems, each `None` when the source has none for it.
pub type RunPostings = Vec<Option<Vec<(u32, f32)>>>;

/// A tiered list: the best postings, the rest, and the best factored score of the rest.
type Tiered = (Vec<(u32, f32)>, Vec<(u32, f32)>, f32);

/// Where the dictionary writer gets each stem's postings: a site's own [`Impacts`], or a
/// portal's merge computing them a run of stems at a time.
pub trait PostingsSource {
    /// Postings count of `stem` (0 when it has none).
    fn df(&self, stem: &str) -> usize;
    /// Every stem with postings.
    fn stems(&self) -> Vec<&str>;
    /// The (record, score) postings of each of `stems` (records ascending), in their order.
    /// The dictionary writer asks for consecutive runs of the stems with postings, in bytewise
    /// order, each once, one run at a time; it encodes a run's entries while it takes the next.
    fn take_run(&self, stems: &[&str]) -> Result<RunPostings, Error>;
    /// What the searcher multiplies a record's score by (demoted pages rank lower).
    fn factor(&self, _record: u32) -> f32 {
        1.0
    }
}

impl PostingsSource for Impacts {
    fn df(&self, stem: &str) -> usize {
        self.get(stem).map_or(0, Vec::len)
    }

    fn stems(&self) -> Vec<&str> {
        self.keys().map(String::as_str).collect()
    }

    fn take_run(&self, stems: &[&str]) -> Result<RunPostings, Error> {
        Ok(stems.iter().map(|stem| self.get(*stem).cloned()).collect())
    }
}

/// [`super::browser::dictionary_shards_sized`] over the corpus `words` (surface word → stem)
/// and the postings of `source`. Shards are compressed in batches as they are cut.
///
/// With a `tier`, a stem with more postings than that keeps only the `tier` best (by score
/// times the record's factor) in its entry, flag 8: after them come its full postings count,
/// the best factored score of the rest (f32 LE: the searcher needs the rest only when a
/// result could score that much) and the 8 characters of the hash naming the file of the
/// rest, `t/<hash>.bin.gz` (postings as in an entry; the hash is of the uncompressed
/// bytes). A portal's merged index is tiered, so a first query fetches about as much of a
/// common word as on one site.
pub fn dictionary_shards_of(
    words: &BTreeMap<String, String>,
    source: &mut (impl PostingsSource + Sync),
    files: &mut Vec<(String, Vec<u8>)>,
    (shard_bytes, max_bytes): (usize, usize),
    tier: Option<usize>,
) -> Result<Vec<Value>, Error> {
    let stems: Vec<String> = source.stems().into_iter().map(str::to_owned).collect();
    let mut keys: BTreeMap<&str, (Option<&str>, bool)> = BTreeMap::new();
    for (word, stem) in words {
        let alias = (stem != word).then_some(stem.as_str());
        keys.insert(word, (alias, true));
    }
    for stem in &stems {
        keys.entry(stem).or_insert((None, false));
    }
    let has_postings: std::collections::HashSet<&str> = stems.iter().map(String::as_str).collect();
    let joined = joined_boundaries(&keys);
    let keys: Vec<Key> = keys
        .iter()
        .map(|(key, (alias, surface))| Key {
            key,
            alias: *alias,
            kind: Kind { surface: *surface, postings: has_postings.contains(key) },
        })
        .collect();
    let mut w = Writer {
        files,
        shards: Vec::new(),
        packed: Vec::new(),
        buf: Vec::new(),
        first: String::new(),
        starts_joined: false,
    };
    let source = &*source;
    let runs = runs(&keys, source);
    let stems_of = |&(start, end): &(usize, usize)| -> Vec<&str> {
        keys[start..end].iter().filter(|k| k.kind.postings).map(|k| k.key).collect()
    };
    let mut lists = match runs.first() {
        Some(run) => source.take_run(&stems_of(run))?,
        None => Vec::new(),
    };
    let mut prev: &str = "";
    for (r, &(start, end)) in runs.iter().enumerate() {
        let this = std::mem::take(&mut lists);
        // This run's entries are encoded while the next run's postings are taken.
        let (entries, next) = rayon::join(
            || entries(&keys[start..end], this, source, tier),
            || runs.get(r + 1).map(|run| source.take_run(&stems_of(run))),
        );
        if let Some(next) = next {
            lists = next?;
        }
        for ((i, key), entry) in keys.iter().enumerate().skip(start).take(end - start).zip(entries?) {
            if w.buf.len() >= shard_bytes && (!joined[i] || w.buf.len() >= max_bytes) {
                w.cut()?;
                prev = "";
            }
            if w.buf.is_empty() {
                key.key.clone_into(&mut w.first);
                w.starts_joined = joined[i];
            }
            front_code(&mut w.buf, prev, key.key);
            w.buf.extend_from_slice(&entry.bytes);
            w.files.extend(entry.tail);
            prev = key.key;
        }
    }
    w.finish()
}

/// Keys whose entries are encoded together: their postings are held at once, so a run ends
/// after this many postings (or [`RUN_KEYS`] keys).
const RUN_POSTINGS: usize = 1 << 21;
/// Most keys in a run.
const RUN_KEYS: usize = 4096;

/// The runs of `keys`, as (start, end).
fn runs(keys: &[Key], source: &impl PostingsSource) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let (mut start, mut postings) = (0, 0);
    for (i, key) in keys.iter().enumerate() {
        if i - start >= RUN_KEYS || (postings >= RUN_POSTINGS && i > start) {
            runs.push((start, i));
            (start, postings) = (i, 0);
        }
        if key.kind.postings {
            postings += source.df(key.key);
        }
    }
    if start < keys.len() {
        runs.push((start, keys.len()));
    }
    runs
}

/// The entries of `run` (without their keys), encoded in parallel; `lists` are the postings
/// of its keys that have some, in order.
fn entries(
    run: &[Key],
    lists: RunPostings,
    source: &(impl PostingsSource + Sync),
    tier: Option<usize>,
) -> Result<Vec<Entry>, Error> {
    let stems = run.iter().filter(|k| k.kind.postings).count();
    if lists.len() != stems {
        return Err(Error::Bug(format!("{} postings lists for {stems} stems", lists.len())));
    }
    let mut lists = lists.into_iter();
    let jobs: Vec<_> =
        run.iter().map(|k| (k, if k.kind.postings { lists.next().flatten() } else { None })).collect();
    jobs.into_par_iter().map(|(key, list)| entry(source, key, list, tier)).collect()
}

/// A dictionary key with what it is.
struct Key<'a> {
    key: &'a str,
    /// The stem of a surface word that differs from it.
    alias: Option<&'a str>,
    kind: Kind,
}

/// What a dictionary key is: a surface word, a stem with postings, or both.
#[derive(Debug, Clone, Copy)]
struct Kind {
    surface: bool,
    postings: bool,
}

/// An entry after its front-coded key, and the file of its tier's rest.
struct Entry {
    bytes: Vec<u8>,
    tail: Option<(String, Vec<u8>)>,
}

/// The entry of `key` with `list`, its postings (when it has any).
fn entry(
    source: &impl PostingsSource,
    key: &Key<'_>,
    list: Option<Vec<(u32, f32)>>,
    tier: Option<usize>,
) -> Result<Entry, Error> {
    let mut flags = u8::from(key.kind.surface) | if key.kind.postings { 2 } else { 0 };
    if key.alias.is_some() {
        flags |= 4;
    }
    let split = match (list.as_ref(), tier) {
        (Some(l), Some(t)) if l.len() > t => Some(split_tier(l, |record| source.factor(record), t)),
        _ => None,
    };
    if split.is_some() {
        flags |= 8;
    }
    let mut bytes = vec![flags];
    if let Some(stem) = key.alias {
        front_code(&mut bytes, key.key, stem);
        varint(&mut bytes, source.df(stem) as u64);
    }
    let mut tail = None;
    match (split, list) {
        (Some((head, rest, bound)), Some(all)) => {
            write_postings(&mut bytes, &head);
            varint(&mut bytes, all.len() as u64);
            bytes.extend_from_slice(&bound.to_le_bytes());
            let mut raw = Vec::new();
            write_postings(&mut raw, &rest);
            let hash = hash8(&raw);
            bytes.extend_from_slice(hash.as_bytes());
            tail = Some((format!("search/t/{hash}.bin.gz"), deflate(&raw)?));
        }
        (_, Some(all)) => write_postings(&mut bytes, &all),
        _ => {}
    }
    Ok(Entry { bytes, tail })
}

/// The shards being written.
struct Writer<'f> {
    files: &'f mut Vec<(String, Vec<u8>)>,
    /// Cut and not yet compressed; compressed.
    shards: Vec<(String, Vec<u8>, bool)>,
    packed: Vec<(String, Vec<u8>, bool)>,
    buf: Vec<u8>,
    first: String,
    starts_joined: bool,
}

impl Writer<'_> {
    /// Ends the shard being filled; compresses in batches (a merged index of many sites
    /// would not fit uncompressed).
    fn cut(&mut self) -> Result<(), Error> {
        self.shards.push((
            std::mem::take(&mut self.first),
            std::mem::take(&mut self.buf),
            self.starts_joined,
        ));
        if self.shards.len() >= GZIP_BATCH {
            self.packed.extend(gzip_shards(std::mem::take(&mut self.shards))?);
        }
        Ok(())
    }

    /// Compresses what is left, adds the files; returns the shard table.
    fn finish(mut self) -> Result<Vec<Value>, Error> {
        if !self.buf.is_empty() {
            self.cut()?;
        }
        self.packed.extend(gzip_shards(std::mem::take(&mut self.shards))?);
        let mut shard_table = Vec::new();
        for (first, gz, joined) in self.packed {
            let hash = hash8(&gz);
            shard_table.push(if joined { json!([first, hash, 1]) } else { json!([first, hash]) });
            self.files.push((format!("search/s/{hash}.bin.gz"), gz));
        }
        Ok(shard_table)
    }
}

/// Splits `list` into its `t` best postings by score times `factor` and the rest, each in
/// record order, and the best factored score of the rest.
fn split_tier(list: &[(u32, f32)], factor: impl Fn(u32) -> f32, t: usize) -> Tiered {
    let key = |p: &(u32, f32)| p.1 * factor(p.0);
    // Best first, ties to the lower record (the list is in record order, so to the lower
    // index): the factored score's bits in descending total order, then the index; the `t`
    // smallest of these are kept. One pass with the `t` smallest so far in a heap: most
    // postings are past its top and cost one comparison.
    let rank = |i: usize, p: &(u32, f32)| (u64::from(!total_order_bits(key(p))) << 32) | i as u64;
    let mut best: std::collections::BinaryHeap<u64> = std::collections::BinaryHeap::with_capacity(t + 1);
    for (i, p) in list.iter().enumerate() {
        let r = rank(i, p);
        if best.len() < t {
            best.push(r);
        } else if best.peek().is_some_and(|&top| r < top) {
            best.pop();
            best.push(r);
        }
    }
    let last = best.peek().copied().unwrap_or(0);
    let (mut head, mut tail) = (Vec::with_capacity(t), Vec::with_capacity(list.len().saturating_sub(t)));
    let mut bound = 0.0f32;
    for (i, p) in list.iter().enumerate() {
        if t > 0 && rank(i, p) <= last {
            head.push(*p);
        } else {
            tail.push(*p);
            bound = bound.max(key(p));
        }
    }
    (head, tail, bound)
}

/// The bits of `x` as an unsigned number ordered as [`f32::total_cmp`] orders floats.
fn total_order_bits(x: f32) -> u32 {
    let bits = x.to_bits();
    if bits >> 31 == 1 { !bits } else { bits | 1 << 31 }
}

/// Shards compressed together, in parallel.
const GZIP_BATCH: usize = 256;

fn gzip_shards(shards: Vec<(String, Vec<u8>, bool)>) -> Result<Vec<(String, Vec<u8>, bool)>, Error> {
    shards.into_par_iter().map(|(first, bytes, joined)| Ok((first, gzip(&bytes)?, joined))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tier split as it was made before issue 16: a selection over all the postings.
    fn split_by_selection(list: &[(u32, f32)], factor: &[f32], t: usize) -> Tiered {
        let key = |i: usize| list[i].1 * factor[i];
        let mut order: Vec<usize> = (0..list.len()).collect();
        order.select_nth_unstable_by(t, |&a, &b| key(b).total_cmp(&key(a)).then(list[a].0.cmp(&list[b].0)));
        let mut keep = vec![false; list.len()];
        order[..t].iter().for_each(|&i| keep[i] = true);
        let bound = order[t..].iter().map(|&i| key(i)).fold(0.0, f32::max);
        let (mut head, mut tail) = (Vec::new(), Vec::new());
        for (i, p) in list.iter().enumerate() {
            if keep[i] { head.push(*p) } else { tail.push(*p) }
        }
        (head, tail, bound)
    }

    /// Issue 16: the one-pass tier split keeps the postings the full selection kept, ties to
    /// the lower record included (scores from a few values, half the records demoted).
    #[test]
    fn issue_16_the_one_pass_tier_split_keeps_what_a_selection_keeps() {
        let mut seed = 0x9e37_79b9_u32;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        for round in 0..300 {
            let len = 2 + (next() % 700) as usize;
            let mut record = 0;
            let list: Vec<(u32, f32)> = (0..len)
                .map(|_| {
                    record += 1 + next() % 5;
                    let score = if round % 2 == 0 { (next() % 6) as f32 * 0.25 } else { next() as f32 / 7.0 };
                    (record, score)
                })
                .collect();
            let of = |record: u32| if record.is_multiple_of(3) { 0.5 } else { 1.0 };
            let factor: Vec<f32> = list.iter().map(|p| of(p.0)).collect();
            for t in [1, len / 3, len - 1].into_iter().filter(|t| (1..len).contains(t)) {
                assert_eq!(
                    split_tier(&list, of, t),
                    split_by_selection(&list, &factor, t),
                    "round {round}, t {t}"
                );
            }
        }
    }
}
