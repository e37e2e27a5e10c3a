//! The dictionary writer of the browser index: stems and surface words in bytewise order,
//! cut into shards, each stem's postings from a [`PostingsSource`] (a site's own BM25 impacts,
//! or a portal's merge computing them one stem at a time), long lists tiered for a portal.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde_json::{Value, json};

use super::browser::{Impacts, front_code, gzip, gzip_fast, joined_boundaries, varint, write_postings};
use crate::error::Error;
use crate::output::hash8;

/// A stem's (record, score) postings, borrowed or made for the occasion.
pub type PostingsList<'a> = std::borrow::Cow<'a, [(u32, f32)]>;

/// A tiered list: the best postings, the rest, and the best factored score of the rest.
type Tiered = (Vec<(u32, f32)>, Vec<(u32, f32)>, f32);

/// Where the dictionary writer gets each stem's postings: a site's own [`Impacts`], or a
/// portal's merge computing them one stem at a time.
pub trait PostingsSource {
    /// Postings count of `stem` (0 when it has none).
    fn df(&self, stem: &str) -> usize;
    /// Every stem with postings.
    fn stems(&self) -> Vec<&str>;
    /// The (record, score) postings of `stem`, records ascending. Asked once per stem, in
    /// bytewise order.
    fn take(&mut self, stem: &str) -> Result<Option<PostingsList<'_>>, Error>;
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

    fn take(&mut self, stem: &str) -> Result<Option<PostingsList<'_>>, Error> {
        Ok(self.get(stem).map(|l| std::borrow::Cow::Borrowed(l.as_slice())))
    }
}

/// [`super::browser::dictionary_shards_sized`] over the corpus `words` (surface word → stem) and the postings
/// of `source`. Shards are compressed in batches as they are cut.
///
/// With a `tier`, a stem with more postings than that keeps only the `tier` best (by score
/// times the record's factor) in its entry, flag 8: after them come its full postings count,
/// the best factored score of the rest (f32 LE: the searcher needs the rest only when a
/// result could score that much) and the 8 characters of the hash naming the file of the
/// rest, `t/<hash>.bin.gz` (postings as in an entry; the hash is of the uncompressed
/// bytes). A portal's merged index is tiered, so a first query fetches about as much of a common word as on one site.
pub fn dictionary_shards_of(
    words: &BTreeMap<String, String>,
    source: &mut impl PostingsSource,
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
    let mut w = Writer {
        files,
        tier,
        shards: Vec::new(),
        packed: Vec::new(),
        tails: Vec::new(),
        buf: Vec::new(),
        first: String::new(),
        starts_joined: false,
    };
    let mut prev: &str = "";
    for (i, (key, (alias, surface))) in keys.iter().enumerate() {
        if w.buf.len() >= shard_bytes && (!joined[i] || w.buf.len() >= max_bytes) {
            w.cut()?;
            prev = "";
        }
        if w.buf.is_empty() {
            w.first = (*key).to_owned();
            w.starts_joined = joined[i];
        }
        let kind = Kind { surface: *surface, postings: has_postings.contains(key) };
        w.entry(source, prev, key, *alias, kind)?;
        prev = key;
    }
    w.finish()
}

/// What a dictionary key is: a surface word, a stem with postings, or both.
#[derive(Debug, Clone, Copy)]
struct Kind {
    surface: bool,
    postings: bool,
}

/// The shards being written.
struct Writer<'f> {
    files: &'f mut Vec<(String, Vec<u8>)>,
    tier: Option<usize>,
    /// Cut and not yet compressed; compressed.
    shards: Vec<(String, Vec<u8>, bool)>,
    packed: Vec<(String, Vec<u8>, bool)>,
    /// Tail files not yet compressed.
    tails: Vec<(String, Vec<u8>)>,
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

    /// Writes the entry of `key` after `prev`.
    fn entry(
        &mut self,
        source: &mut impl PostingsSource,
        prev: &str,
        key: &str,
        alias: Option<&str>,
        kind: Kind,
    ) -> Result<(), Error> {
        let mut flags = u8::from(kind.surface) | if kind.postings { 2 } else { 0 };
        if alias.is_some() {
            flags |= 4;
        }
        let alias_df = alias.map(|stem| source.df(stem));
        let list = if kind.postings { source.take(key)?.map(std::borrow::Cow::into_owned) } else { None };
        let split = match (list.as_ref(), self.tier) {
            (Some(l), Some(t)) if l.len() > t => {
                let f: Vec<f32> = l.iter().map(|p| source.factor(p.0)).collect();
                Some(split_tier(l, &f, t))
            }
            _ => None,
        };
        if split.is_some() {
            flags |= 8;
        }
        front_code(&mut self.buf, prev, key);
        self.buf.push(flags);
        if let (Some(stem), Some(df)) = (alias, alias_df) {
            front_code(&mut self.buf, key, stem);
            varint(&mut self.buf, df as u64);
        }
        match (split, list) {
            (Some((head, tail, bound)), Some(all)) => {
                write_postings(&mut self.buf, &head);
                varint(&mut self.buf, all.len() as u64);
                self.buf.extend_from_slice(&bound.to_le_bytes());
                let mut rest = Vec::new();
                write_postings(&mut rest, &tail);
                let hash = hash8(&rest);
                self.buf.extend_from_slice(hash.as_bytes());
                self.tails.push((format!("search/t/{hash}.bin.gz"), rest));
                if self.tails.len() >= GZIP_BATCH {
                    self.files.extend(gzip_tails(std::mem::take(&mut self.tails))?);
                }
            }
            (_, Some(all)) => write_postings(&mut self.buf, &all),
            _ => {}
        }
        Ok(())
    }

    /// Compresses what is left, adds the files; returns the shard table.
    fn finish(mut self) -> Result<Vec<Value>, Error> {
        if !self.buf.is_empty() {
            self.cut()?;
        }
        self.packed.extend(gzip_shards(std::mem::take(&mut self.shards))?);
        self.files.extend(gzip_tails(std::mem::take(&mut self.tails))?);
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
fn split_tier(list: &[(u32, f32)], factor: &[f32], t: usize) -> Tiered {
    let key = |i: usize| list[i].1 * factor[i];
    let mut order: Vec<usize> = (0..list.len()).collect();
    // Linear: only which `t` are best matters (ties: lower record first), not their order.
    order.select_nth_unstable_by(t, |&a, &b| key(b).total_cmp(&key(a)).then(list[a].0.cmp(&list[b].0)));
    let mut keep = vec![false; list.len()];
    order[..t].iter().for_each(|&i| keep[i] = true);
    let bound = order[t..].iter().map(|&i| key(i)).fold(0.0, f32::max);
    let (mut head, mut tail) = (Vec::with_capacity(t), Vec::with_capacity(list.len() - t));
    for (i, p) in list.iter().enumerate() {
        if keep[i] { head.push(*p) } else { tail.push(*p) }
    }
    (head, tail, bound)
}

/// Tail files (named by their raw bytes) compressed together, in parallel.
fn gzip_tails(tails: Vec<(String, Vec<u8>)>) -> Result<Vec<(String, Vec<u8>)>, Error> {
    tails.into_par_iter().map(|(name, raw)| Ok((name, gzip_fast(&raw)?))).collect()
}

/// Shards compressed together, in parallel.
const GZIP_BATCH: usize = 256;

fn gzip_shards(shards: Vec<(String, Vec<u8>, bool)>) -> Result<Vec<(String, Vec<u8>, bool)>, Error> {
    shards.into_par_iter().map(|(first, bytes, joined)| Ok((first, gzip(&bytes)?, joined))).collect()
}
