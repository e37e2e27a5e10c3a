//! The build cache: what the last build rendered of each page, kept in `.lore/cache/pages.bin`
//! and reused while nothing it depends on has changed.
//!
//! A page's entry is found by a key hashing everything its rendering reads of the page: lore's
//! version and cache format, the config that changes rendering (`raw-html`, `broken-links`, MkDocs syntax),
//! the page's source path, the path shown in messages, and its text. What it reads of other
//! pages is its links: the entry keeps each link destination with a digest of what it resolved
//! to, and is reused only while every one resolves the same (a renamed, added or removed target
//! renders the page again). Pages that include other files are not cached: their text is not
//! all in the page. Navigation, freshness and search are made afresh from the site model on
//! every build, so a title or a date never comes from the cache.
//!
//! The file holds no absolute path (a page shown by an absolute path is not cached), so a CI
//! cache restores on another runner. A file that is damaged, truncated or written by another
//! version is ignored with one note and written anew; it never yields wrong output.
//!
//! Layout: `MAGIC`, format (u32 LE), lore's version (u16 LE length, bytes), the rendering
//! fingerprint (u64 LE), the entry count (u32 LE), an xxh3 checksum of the rest (u64 LE), then
//! per entry its key (u128 LE), length (u32 LE) and bytes: the length of its metadata (u32 LE),
//! the metadata (postcard), the length of the compressed HTML (u32 LE), the HTML as the build
//! keeps it (lz4), and the plain text (lz4) to the end.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::SiteConfig;
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::markdown::links::{self, AnchorRef};
use crate::markdown::{Rendered, TocEntry};
use crate::site::Site;

/// The first bytes of the file.
const MAGIC: &[u8; 8] = b"lore-pc\n";
/// Bumped whenever the layout or what rendering produces changes.
const FORMAT: u32 = 1;
/// The file, in the project's `.lore/cache/`.
const FILE: &str = "pages.bin";

/// The cache a build reads from and writes to.
#[derive(Debug)]
pub struct Cache {
    path: PathBuf,
    /// What every key starts from: version, format and the config that changes rendering.
    fingerprint: u64,
    /// The file as read.
    old: Vec<u8>,
    /// Key → an entry's bytes in `old`.
    index: HashMap<u128, Range<usize>>,
    /// Entries made by this build.
    fresh: HashMap<u128, Vec<u8>>,
    /// Why the file was not used, said once.
    pub note: Option<String>,
}

/// An entry's metadata as written.
#[derive(Serialize)]
struct MetaOut<'a> {
    rel: &'a str,
    links: &'a [(String, u64)],
    toc: &'a [TocEntry],
    ids: &'a HashSet<String>,
    anchor_refs: &'a [AnchorRef],
    diagnostics: &'a [Diagnostic],
    text_marks: &'a [usize],
    notes: &'a [String],
}

/// An entry's metadata as read (the fields of [`MetaOut`], in its order).
#[derive(Deserialize)]
struct MetaIn {
    rel: String,
    links: Vec<(String, u64)>,
    toc: Vec<TocEntry>,
    ids: HashSet<String>,
    anchor_refs: Vec<AnchorRef>,
    diagnostics: Vec<Diagnostic>,
    text_marks: Vec<usize>,
    notes: Vec<String>,
}

/// A page's rendering as the cache gives it back: the HTML still compressed as the build keeps
/// it, everything else as [`crate::markdown::render`] made it.
#[derive(Debug)]
pub struct Hit {
    /// The compressed HTML ([`super::state::Body`]'s form).
    pub html: Vec<u8>,
    /// The rest, with an empty `html`.
    pub rendered: Rendered,
}

impl Cache {
    /// Opens the cache of the site configured by `config` (an absent file is an empty cache).
    pub fn open(config: &SiteConfig) -> Self {
        let path = dir(&config.root).join(FILE);
        let mut cache = Self {
            fingerprint: fingerprint(config),
            path,
            old: Vec::new(),
            index: HashMap::new(),
            fresh: HashMap::new(),
            note: None,
        };
        match std::fs::read(&cache.path) {
            Ok(bytes) => match parse(&bytes, cache.fingerprint) {
                Ok(index) => {
                    cache.index = index;
                    cache.old = bytes;
                }
                Err(Unusable::Other) => {}
                Err(Unusable::Damaged(why)) => cache.note = Some(cache.unusable(&why)),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => cache.note = Some(cache.unusable(&format!("it could not be read: {e}"))),
        }
        cache
    }

    fn unusable(&self, why: &str) -> String {
        let shown = crate::config::display_path(&self.path);
        format!(
            "the build cache `{}` was not used ({why}); every page was rendered and the cache written anew",
            shown.display()
        )
    }

    /// Page `i`'s key, or `None` when the page is not cached (it includes files, or is shown by
    /// an absolute path).
    pub fn key(&self, site: &Site, i: usize) -> Option<u128> {
        let page = &site.pages[i];
        let shown = page.source.shown.to_str()?;
        if page.source.shown.is_absolute() || crate::markdown::include::may_include(&page.text) {
            return None;
        }
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(&self.fingerprint.to_le_bytes());
        for part in [page.source.rel.as_str(), shown] {
            h.update(&(part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        h.update(&(page.body_line as u64).to_le_bytes());
        h.update(page.text.as_bytes());
        Some(h.digest128())
    }

    /// Page `i`'s rendering from the last build, when its key is unchanged and every link still
    /// resolves as it did.
    pub fn get(&self, site: &Site, i: usize, key: u128) -> Option<Hit> {
        let bytes = self.old.get(self.index.get(&key)?.clone())?;
        let (meta, html, text) = split(bytes)?;
        let meta: MetaIn = postcard::from_bytes(meta).ok()?;
        if meta.rel != site.pages[i].source.rel {
            return None;
        }
        let same =
            |(dest, digest): &(String, u64)| links::digest(&links::resolve(dest, i, site), site) == *digest;
        if !meta.links.iter().all(same) {
            return None;
        }
        let text = String::from_utf8(lz4_flex::decompress_size_prepended(text).ok()?).ok()?;
        let rendered = Rendered {
            html: String::new(),
            toc: meta.toc,
            ids: meta.ids,
            anchor_refs: meta.anchor_refs,
            diagnostics: meta.diagnostics,
            text,
            text_marks: meta.text_marks,
            notes: meta.notes,
            links: meta.links,
        };
        Some(Hit { html: html.to_vec(), rendered })
    }

    /// An entry for a page just rendered: `html` is its compressed HTML, `r` the rest.
    pub fn entry(rel: &str, html: &[u8], r: &Rendered) -> Result<Vec<u8>, Error> {
        let meta = MetaOut {
            rel,
            links: &r.links,
            toc: &r.toc,
            ids: &r.ids,
            anchor_refs: &r.anchor_refs,
            diagnostics: &r.diagnostics,
            text_marks: &r.text_marks,
            notes: &r.notes,
        };
        let meta = postcard::to_stdvec(&meta)
            .map_err(|e| Error::Bug(format!("a cache entry does not encode: {e}")))?;
        let text = lz4_flex::compress_prepend_size(r.text.as_bytes());
        let mut out = Vec::with_capacity(8 + meta.len() + html.len() + text.len());
        push_len(&mut out, meta.len())?;
        out.extend_from_slice(&meta);
        push_len(&mut out, html.len())?;
        out.extend_from_slice(html);
        out.extend_from_slice(&text);
        Ok(out)
    }

    /// Keeps an entry made by this build.
    pub fn insert(&mut self, key: u128, entry: Vec<u8>) {
        self.fresh.insert(key, entry);
    }

    /// Whether the file on disk differs from what [`Cache::save`] would write for `keys`.
    pub fn changed(&self, keys: &[u128]) -> bool {
        self.note.is_some()
            || !self.fresh.is_empty()
            || keys.len() != self.index.len()
            || !keys.iter().all(|k| self.index.contains_key(k))
    }

    /// Writes the entries of `keys` (this build's pages), new ones or reused, replacing the
    /// file whole. Entries of pages the site no longer has are dropped.
    pub fn save(&self, keys: &[u128]) -> Result<(), Error> {
        let mut body = Vec::new();
        let mut count: u32 = 0;
        let mut seen = HashSet::new();
        for key in keys {
            let entry = match self.fresh.get(key) {
                Some(e) => e.as_slice(),
                None => match self.index.get(key).and_then(|r| self.old.get(r.clone())) {
                    Some(e) => e,
                    None => continue,
                },
            };
            if !seen.insert(*key) {
                continue;
            }
            body.extend_from_slice(&key.to_le_bytes());
            push_len(&mut body, entry.len())?;
            body.extend_from_slice(entry);
            count += 1;
        }
        let mut out = header(self.fingerprint);
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&xxhash_rust::xxh3::xxh3_64(&body).to_le_bytes());
        out.extend_from_slice(&body);
        let dir = self.path.parent().unwrap_or(Path::new("."));
        crate::fs::create_dir_all(dir)?;
        let tmp = dir.join(format!(".{FILE}.{}", std::process::id()));
        crate::fs::write(&tmp, &out)?;
        crate::fs::rename(&tmp, &self.path)
    }
}

/// `.lore/cache` of the project whose root is `root`.
pub fn dir(root: &Path) -> PathBuf {
    root.join(".lore").join("cache")
}

/// What the cache depends on besides each page: lore's version, the format, and the config
/// that changes how pages render.
fn fingerprint(config: &SiteConfig) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(&FORMAT.to_le_bytes());
    h.update(&[u8::from(config.raw_html), u8::from(config.broken_links_are_errors), u8::from(config.mkdocs.is_some())]);
    h.digest()
}

fn header(fingerprint: u64) -> Vec<u8> {
    let version = env!("CARGO_PKG_VERSION").as_bytes();
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&(version.len() as u16).to_le_bytes());
    out.extend_from_slice(version);
    out.extend_from_slice(&fingerprint.to_le_bytes());
    out
}

/// Why a cache file is not used.
enum Unusable {
    /// Damaged, truncated, or another version's: worth a note.
    Damaged(String),
    /// Written for another config: expected, no note.
    Other,
}

/// The entries of a cache file, by key.
fn parse(bytes: &[u8], fingerprint: u64) -> Result<HashMap<u128, Range<usize>>, Unusable> {
    let damaged = |why: &str| Unusable::Damaged(why.to_owned());
    let mut r = Reader { bytes, at: 0 };
    if r.take(MAGIC.len()) != Some(MAGIC.as_slice()) {
        return Err(damaged("it is not a lore cache file"));
    }
    let format = r.u32().ok_or_else(|| damaged("it is truncated"))?;
    let version_len =
        r.take(2).map(|b| u16::from_le_bytes([b[0], b[1]])).ok_or_else(|| damaged("it is truncated"))?;
    let version = r.take(usize::from(version_len)).ok_or_else(|| damaged("it is truncated"))?;
    if format != FORMAT || version != env!("CARGO_PKG_VERSION").as_bytes() {
        let by = String::from_utf8_lossy(version).replace(char::is_control, "\u{fffd}");
        return Err(Unusable::Damaged(format!("it was written by lore {by}, cache format {format}")));
    }
    let written_for = r.u64().ok_or_else(|| damaged("it is truncated"))?;
    if written_for != fingerprint {
        return Err(Unusable::Other);
    }
    let count = r.u32().ok_or_else(|| damaged("it is truncated"))?;
    let sum = r.u64().ok_or_else(|| damaged("it is truncated"))?;
    if xxhash_rust::xxh3::xxh3_64(&bytes[r.at..]) != sum {
        return Err(damaged("it is damaged or truncated"));
    }
    let mut index = HashMap::new();
    for _ in 0..count {
        let key = r.take(16).map(|b| u128::from_le_bytes(b.try_into().unwrap_or([0; 16])));
        let len = r.u32();
        let (Some(key), Some(len)) = (key, len) else { return Err(damaged("it is damaged or truncated")) };
        let start = r.at;
        r.take(len as usize).ok_or_else(|| damaged("it is damaged or truncated"))?;
        index.insert(key, start..r.at);
    }
    Ok(index)
}

/// An entry's metadata, compressed HTML and compressed text.
fn split(entry: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let mut r = Reader { bytes: entry, at: 0 };
    let meta_len = r.u32()? as usize;
    let meta = r.take(meta_len)?;
    let html_len = r.u32()? as usize;
    let html = r.take(html_len)?;
    Some((meta, html, &entry[r.at..]))
}

fn push_len(out: &mut Vec<u8>, len: usize) -> Result<(), Error> {
    let len = u32::try_from(len).map_err(|_| Error::Bug(format!("a cache entry of {len} bytes")))?;
    out.extend_from_slice(&len.to_le_bytes());
    Ok(())
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let out = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(out)
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Option<u64> {
        self.take(8).map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
    }
}
