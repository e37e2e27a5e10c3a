//! The build cache: what the last build rendered of each page, kept in `.lore/cache/pages.bin`
//! and reused while nothing it depends on has changed.
//!
//! A page's entry is found by a key hashing everything its rendering reads of the page: lore's
//! version and cache format, the config that changes rendering (`raw-html`, `broken-links`, `mermaid`, MkDocs syntax),
//! the page's source path and its text. What it reads of other
//! pages is its links: the entry keeps each link destination with a digest of what it resolved
//! to, and is reused only while every one resolves the same (a renamed, added or removed target
//! renders the page again). Pages that include other files are not cached: their text is not
//! all in the page. Navigation, freshness and search are made afresh from the site model on
//! every build, so a title or a date never comes from the cache.
//!
//! The file holds no absolute path: where a page's messages name the page, the entry holds an
//! empty path, put back as the page is shown in this run (`lore build` from another folder, or
//! on another CI runner, reuses the same entries). A file that is damaged, truncated or written by another
//! version is ignored with one note and written anew; it never yields wrong output.
//!
//! Layout: a header (`MAGIC`, format u32, lore's version as u16 length and bytes, the rendering
//! fingerprint u64), the entries back to back, an index of (key u128, offset u64, length u32,
//! xxh3 of the entry u64) rows, and a footer (the index's offset u64, its row count u32, its
//! xxh3 u64, `END`); integers little-endian. An entry is the length of its metadata (u32), the
//! metadata (postcard), the length of the compressed HTML (u32), the HTML as the build keeps it
//! (lz4), and the plain text (lz4) to its end. Entries are read one by one when used and
//! written as pages are rendered, so neither the old file nor the new one is ever in memory.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use crate::config::SiteConfig;
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::markdown::links::{self, AnchorRef};
use crate::markdown::{Rendered, TocEntry};
use crate::site::Site;

/// The first bytes of the file.
const MAGIC: &[u8; 8] = b"lore-pc\n";
/// Bumped whenever the layout or what rendering produces changes (3: whether a page has a
/// diagram).
const FORMAT: u32 = 3;
/// The file, in the project's `.lore/cache/`.
const FILE: &str = "pages.bin";
/// The last bytes of the file.
const END: &[u8; 8] = b"lore-pc.";
/// Where an entry is in the file: (offset, length, xxh3 of its bytes).
type Slot = (u64, u32, u64);

/// Bytes of an index row.
const ROW: usize = 16 + 8 + 4 + 8;
/// New entries kept in memory, at most, before the next file is written whole instead of
/// appending to the old one.
const PENDING_MAX: usize = 16 << 20;
/// Bytes of the footer.
const FOOTER: usize = 8 + 4 + 8 + END.len();

/// The cache a build reads from and writes to.
#[derive(Debug)]
pub struct Cache {
    path: PathBuf,
    /// What every key starts from: version, format and the config that changes rendering.
    fingerprint: u64,
    /// The file as found, and its index: key → (offset, length, checksum) of an entry.
    old: Option<Mutex<File>>,
    index: HashMap<u128, Slot>,
    /// An entry did not match its checksum (its page was rendered instead).
    damaged: AtomicBool,
    /// Where the old file's entries end (its index starts).
    entries_end: u64,
    /// `lore build` writes the cache; `check` only reads it.
    writable: bool,
    /// Entries made by this build, kept while few: then they are appended to the old file.
    pending: Vec<(u128, Vec<u8>)>,
    pending_bytes: usize,
    /// Past [`PENDING_MAX`], the next file is written whole beside the old one.
    new: Option<Writer>,
    /// Why the file was not used, said once.
    note: Option<String>,
}

/// The next cache file, written beside the old one and renamed over it when complete.
#[derive(Debug)]
struct Writer {
    tmp: PathBuf,
    /// `None` when the file could not be created (`failed` says why).
    out: Option<BufWriter<File>>,
    at: u64,
    rows: Vec<(u128, u64, u32, u64)>,
    written: HashSet<u128>,
    /// The first write that failed (the cache is then not written at all).
    failed: Option<String>,
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
    diagrams: bool,
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
    diagrams: bool,
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
    /// Opens the cache of the site configured by `config` (an absent file is an empty cache);
    /// a `writable` cache writes the next file as pages are rendered.
    pub fn open(config: &SiteConfig, writable: bool) -> Self {
        let path = dir(&config.root).join(FILE);
        let mut cache = Self {
            fingerprint: fingerprint(config),
            path,
            old: None,
            index: HashMap::new(),
            damaged: AtomicBool::new(false),
            entries_end: 0,
            writable,
            pending: Vec::new(),
            pending_bytes: 0,
            new: None,
            note: None,
        };
        // A symlink or a FIFO planted where the cache goes is never read (a FIFO would block)
        // and is replaced by the file this build writes.
        if std::fs::symlink_metadata(&cache.path).is_ok_and(|m| !m.is_file()) {
            cache.note = Some(cache.not_used("it is not a regular file"));
            return cache;
        }
        match File::open(&cache.path) {
            Ok(mut file) => match read_index(&mut file, cache.fingerprint) {
                Ok((index, entries_end)) => {
                    cache.index = index;
                    cache.entries_end = entries_end;
                    cache.old = Some(Mutex::new(file));
                }
                Err(Unusable::Other) => {}
                Err(Unusable::Damaged(why)) => cache.note = Some(cache.not_used(&why)),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => cache.note = Some(cache.not_used(&format!("it could not be read: {e}"))),
        }
        cache
    }

    fn shown(&self) -> String {
        crate::config::display_path(&self.path).display().to_string()
    }

    fn not_used(&self, why: &str) -> String {
        format!(
            "the build cache `{}` was not used ({why}); every page was rendered{}",
            self.shown(),
            self.anew()
        )
    }

    /// What the note adds when this run writes the cache (`check` does not).
    fn anew(&self) -> &'static str {
        if self.writable { " and the cache written anew" } else { "" }
    }

    /// Why the cache on disk was not (wholly) used, if it was not.
    pub fn note(&self) -> Option<String> {
        if self.note.is_some() || !self.damaged.load(Ordering::Relaxed) {
            return self.note.clone();
        }
        Some(format!(
            "the build cache `{}` is damaged (an entry does not match its checksum); its pages were rendered anew{}",
            self.shown(),
            self.anew()
        ))
    }

    /// Page `i`'s key, or `None` when the page is not cached (it includes files).
    pub fn key(&self, site: &Site, i: usize) -> Option<u128> {
        let page = &site.pages[i];
        if crate::markdown::include::may_include(&page.text) {
            return None;
        }
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(&self.fingerprint.to_le_bytes());
        h.update(&(page.source.rel.len() as u64).to_le_bytes());
        h.update(page.source.rel.as_bytes());
        h.update(&(page.body_line as u64).to_le_bytes());
        h.update(page.text.as_bytes());
        Some(h.digest128())
    }

    /// The bytes of the old file's entry `key`, checked against its checksum.
    fn old_entry(&self, key: u128) -> Option<Vec<u8>> {
        let &(offset, len, sum) = self.index.get(&key)?;
        let mut bytes = vec![0; len as usize];
        let read = {
            let mut file = self.old.as_ref()?.lock().ok()?;
            file.seek(SeekFrom::Start(offset)).and_then(|_| file.read_exact(&mut bytes))
        };
        if read.is_err() || xxhash_rust::xxh3::xxh3_64(&bytes) != sum {
            self.damaged.store(true, Ordering::Relaxed);
            return None;
        }
        Some(bytes)
    }

    /// Page `i`'s rendering from the last build, when its key is unchanged and every link still
    /// resolves as it did.
    pub fn get(&self, site: &Site, i: usize, key: u128) -> Option<Hit> {
        let bytes = self.old_entry(key)?;
        let (meta, html, text) = split(&bytes)?;
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
        let shown = &site.pages[i].source.shown;
        let mut diagnostics = meta.diagnostics;
        diagnostics.iter_mut().filter_map(|d| d.span.as_mut()).for_each(|s| s.path.clone_from(shown));
        let mut anchor_refs = meta.anchor_refs;
        anchor_refs.iter_mut().for_each(|a| a.span.path.clone_from(shown));
        let at = crate::markdown::note_path(shown);
        let notes = meta.notes.into_iter().map(|n| format!("{at}{n}")).collect();
        let rendered = Rendered {
            html: String::new(),
            toc: meta.toc,
            ids: meta.ids,
            anchor_refs,
            diagnostics,
            text,
            text_marks: meta.text_marks,
            notes,
            links: meta.links,
            diagrams: meta.diagrams,
        };
        Some(Hit { html: html.to_vec(), rendered })
    }

    /// An entry for a page just rendered (`rel`, shown as `shown`): `html` is its compressed
    /// HTML, `r` the rest. `None` when its messages name another file than the page (it cannot
    /// happen without includes; such an entry would not move with the project).
    pub fn entry(rel: &str, shown: &Path, html: &[u8], r: &Rendered) -> Option<Vec<u8>> {
        let unnamed = PathBuf::new();
        let mut diagnostics = r.diagnostics.clone();
        for span in diagnostics.iter_mut().filter_map(|d| d.span.as_mut()) {
            (span.path == shown).then_some(())?;
            span.path.clone_from(&unnamed);
        }
        let mut anchor_refs = r.anchor_refs.clone();
        for a in &mut anchor_refs {
            (a.span.path == shown).then_some(())?;
            a.span.path.clone_from(&unnamed);
        }
        let at = crate::markdown::note_path(shown);
        let notes: Vec<String> =
            r.notes.iter().map(|n| n.strip_prefix(&at).map(str::to_owned)).collect::<Option<_>>()?;
        let meta = MetaOut {
            rel,
            links: &r.links,
            toc: &r.toc,
            ids: &r.ids,
            anchor_refs: &anchor_refs,
            diagnostics: &diagnostics,
            text_marks: &r.text_marks,
            notes: &notes,
            diagrams: r.diagrams,
        };
        let meta = postcard::to_stdvec(&meta).ok()?;
        let text = lz4_flex::compress_prepend_size(r.text.as_bytes());
        let mut out = Vec::with_capacity(8 + meta.len() + html.len() + text.len());
        push_len(&mut out, meta.len()).ok()?;
        out.extend_from_slice(&meta);
        push_len(&mut out, html.len()).ok()?;
        out.extend_from_slice(html);
        out.extend_from_slice(&text);
        Some(out)
    }

    /// Keeps an entry made by this build for the next file (a read-only cache drops it).
    pub fn insert(&mut self, key: u128, entry: Vec<u8>) {
        if !self.writable {
            return;
        }
        if let Some(new) = &mut self.new {
            new.add(key, &entry);
            return;
        }
        self.pending_bytes += entry.len();
        self.pending.push((key, entry));
        if self.pending_bytes > PENDING_MAX {
            let mut new = Writer::create(&self.path, self.fingerprint);
            for (key, entry) in std::mem::take(&mut self.pending) {
                new.add(key, &entry);
            }
            self.new = Some(new);
        }
    }

    /// Writes this build's entries: appended to the old file when they are few and the old
    /// file is sound and mostly still used, else into a new file with the old entries of `keys`
    /// (this build's pages) it lacks, put in place of the old one. Nothing is written when
    /// nothing changed. Entries of pages the site no longer has are dropped (or, appending,
    /// left until the file is written anew).
    pub fn save(mut self, keys: &[u128]) -> Result<(), Error> {
        if !self.writable {
            return Ok(());
        }
        let sound = self.old.is_some() && self.note().is_none();
        if self.new.is_none()
            && sound
            && self.pending.is_empty()
            && keys.iter().all(|k| self.index.contains_key(k))
        {
            return Ok(());
        }
        // Another build of the project may be writing the cache: take turns.
        let _lock = crate::search::index::lock(self.path.parent().unwrap_or(Path::new(".")))?;
        if self.new.is_none() && sound {
            let fresh: HashSet<u128> = self.pending.iter().map(|(k, _)| *k).collect();
            let live: Vec<(u128, Slot)> = keys
                .iter()
                .filter(|k| !fresh.contains(k))
                .filter_map(|k| Some((*k, *self.index.get(k)?)))
                .collect();
            let live_bytes: u64 = live.iter().map(|(_, (_, len, _))| u64::from(*len)).sum();
            if live_bytes * 2 >= self.entries_end && self.append(&live).is_ok() {
                return Ok(());
            }
        }
        let mut new = self.new.take().unwrap_or_else(|| Writer::create(&self.path, self.fingerprint));
        for (key, entry) in std::mem::take(&mut self.pending) {
            new.add(key, &entry);
        }
        for &key in keys {
            if !new.written.contains(&key)
                && let Some(entry) = self.old_entry(key)
            {
                new.add(key, &entry);
            }
        }
        new.finish(&self.path)
    }

    /// Appends the pending entries to the old file, after its entries, then the index of them
    /// and of `live` (old entries still used) and the footer. Killed half-way, the file is
    /// damaged: the next build notices, says so, and writes it anew.
    fn append(&mut self, live: &[(u128, Slot)]) -> std::io::Result<()> {
        let mut file = std::fs::OpenOptions::new().write(true).open(&self.path)?;
        file.seek(SeekFrom::Start(self.entries_end))?;
        let mut out = BufWriter::new(file);
        let mut rows: Vec<(u128, u64, u32, u64)> = live.iter().map(|&(k, (o, l, s))| (k, o, l, s)).collect();
        let mut at = self.entries_end;
        for (key, entry) in &self.pending {
            let len = u32::try_from(entry.len()).map_err(std::io::Error::other)?;
            out.write_all(entry)?;
            rows.push((*key, at, len, xxhash_rust::xxh3::xxh3_64(entry)));
            at += u64::from(len);
        }
        out.write_all(&index_and_footer(&rows, at))?;
        let mut file = out.into_inner().map_err(|e| e.into_error())?;
        let end = file.stream_position()?;
        file.set_len(end)
    }
}

/// The index of `rows` (entries ending at `entries_end`) and the footer.
fn index_and_footer(rows: &[(u128, u64, u32, u64)], entries_end: u64) -> Vec<u8> {
    let mut index = Vec::with_capacity(rows.len() * ROW + FOOTER);
    for &(key, offset, len, sum) in rows {
        index.extend_from_slice(&key.to_le_bytes());
        index.extend_from_slice(&offset.to_le_bytes());
        index.extend_from_slice(&len.to_le_bytes());
        index.extend_from_slice(&sum.to_le_bytes());
    }
    let sum = xxhash_rust::xxh3::xxh3_64(&index);
    index.extend_from_slice(&entries_end.to_le_bytes());
    index.extend_from_slice(&(rows.len() as u32).to_le_bytes());
    index.extend_from_slice(&sum.to_le_bytes());
    index.extend_from_slice(END);
    index
}

impl Writer {
    fn create(path: &Path, fingerprint: u64) -> Self {
        let dir = path.parent().unwrap_or(Path::new("."));
        remove_leftovers(dir);
        let tmp = dir.join(format!(".{FILE}.{}", std::process::id()));
        let opened = std::fs::create_dir_all(dir).and_then(|()| File::create(&tmp));
        // A file that cannot be created is said when the cache is saved.
        let (out, failed) = match opened {
            Ok(file) => (Some(BufWriter::new(file)), None),
            Err(e) => (None, Some(e.to_string())),
        };
        let mut writer = Self { tmp, out, at: 0, rows: Vec::new(), written: HashSet::new(), failed };
        writer.raw(&header(fingerprint));
        writer
    }

    fn raw(&mut self, bytes: &[u8]) {
        if self.failed.is_none()
            && let Some(out) = &mut self.out
            && let Err(e) = out.write_all(bytes)
        {
            self.failed = Some(e.to_string());
        }
        self.at += bytes.len() as u64;
    }

    fn add(&mut self, key: u128, entry: &[u8]) {
        let (Ok(len), true) = (u32::try_from(entry.len()), self.written.insert(key)) else { return };
        self.rows.push((key, self.at, len, xxhash_rust::xxh3::xxh3_64(entry)));
        self.raw(entry);
    }

    fn finish(mut self, path: &Path) -> Result<(), Error> {
        let tail = index_and_footer(&self.rows, self.at);
        self.raw(&tail);
        if self.failed.is_none()
            && let Some(out) = &mut self.out
            && let Err(e) = out.flush()
        {
            self.failed = Some(e.to_string());
        }
        if let Some(e) = self.failed.take() {
            self.discard();
            return Err(Error::io("write", path, std::io::Error::other(e)));
        }
        drop(self.out.take());
        crate::fs::rename(&self.tmp, path)
    }

    /// Removes the unfinished file.
    fn discard(self) {
        drop(self.out);
        let _ = std::fs::remove_file(&self.tmp);
    }
}

/// Removes the unfinished files of builds that were killed (`.pages.bin.PID` whose process is
/// gone).
fn remove_leftovers(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let pid =
            name.to_str().and_then(|n| n.strip_prefix(&format!(".{FILE}."))).and_then(|p| p.parse().ok());
        if pid.is_some_and(|pid| !crate::output::owner::is_running(pid)) {
            let _ = std::fs::remove_file(entry.path());
        }
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
    h.update(&[
        u8::from(config.raw_html),
        u8::from(config.broken_links_are_errors),
        u8::from(config.mkdocs.is_some()),
        u8::from(config.mermaid),
    ]);
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

/// The index of a cache file: key → (offset, length, checksum) of each entry; and where the
/// entries end.
fn read_index(file: &mut File, fingerprint: u64) -> Result<(HashMap<u128, Slot>, u64), Unusable> {
    let damaged = || Unusable::Damaged("it is damaged or truncated".to_owned());
    let mut head = vec![0; MAGIC.len() + 6];
    if file.read_exact(&mut head).is_err() || !head.starts_with(MAGIC) {
        return Err(Unusable::Damaged("it is not a lore cache file".to_owned()));
    }
    let mut r = Reader { bytes: &head, at: MAGIC.len() };
    let format = r.u32().ok_or_else(damaged)?;
    let version_len = r.take(2).map(|b| u16::from_le_bytes([b[0], b[1]])).ok_or_else(damaged)?;
    let mut rest = vec![0; usize::from(version_len) + 8];
    file.read_exact(&mut rest).map_err(|_| damaged())?;
    let (version, written_for) = rest.split_at(usize::from(version_len));
    if format != FORMAT || version != env!("CARGO_PKG_VERSION").as_bytes() {
        let by = String::from_utf8_lossy(version).replace(char::is_control, "\u{fffd}");
        return Err(Unusable::Damaged(format!("it was written by lore {by}, cache format {format}")));
    }
    if (Reader { bytes: written_for, at: 0 }).u64() != Some(fingerprint) {
        return Err(Unusable::Other);
    }
    let mut footer = [0u8; FOOTER];
    file.seek(SeekFrom::End(-(FOOTER as i64)))
        .and_then(|_| file.read_exact(&mut footer))
        .map_err(|_| damaged())?;
    let mut r = Reader { bytes: &footer, at: 0 };
    let (Some(at), Some(count), Some(sum)) = (r.u64(), r.u32(), r.u64()) else { return Err(damaged()) };
    if r.take(END.len()) != Some(END.as_slice()) {
        return Err(damaged());
    }
    let size = (count as usize).checked_mul(ROW).ok_or_else(damaged)?;
    let end = file.seek(SeekFrom::End(0)).map_err(|_| damaged())?;
    if at.checked_add(size as u64).and_then(|e| e.checked_add(FOOTER as u64)) != Some(end) {
        return Err(damaged());
    }
    let mut index = vec![0; size];
    file.seek(SeekFrom::Start(at)).and_then(|_| file.read_exact(&mut index)).map_err(|_| damaged())?;
    if xxhash_rust::xxh3::xxh3_64(&index) != sum {
        return Err(damaged());
    }
    let mut r = Reader { bytes: &index, at: 0 };
    let mut rows = HashMap::with_capacity(count as usize);
    for _ in 0..count {
        let key = r.take(16).map(|b| u128::from_le_bytes(b.try_into().unwrap_or([0; 16])));
        let (Some(key), Some(offset), Some(len), Some(sum)) = (key, r.u64(), r.u32(), r.u64()) else {
            return Err(damaged());
        };
        if offset.checked_add(u64::from(len)).is_none_or(|e| e > at) {
            return Err(damaged());
        }
        rows.insert(key, (offset, len, sum));
    }
    Ok((rows, at))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A file whose index and checksums are consistent but whose rows claim entries past the
    /// entries (a length of 4 GiB, an offset in the index): set aside as damaged before any
    /// allocation of that size, never read out of bounds.
    #[test]
    fn issue_13_rows_pointing_past_the_entries_are_damage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        let entry = b"entry bytes".to_vec();
        let sum = xxhash_rust::xxh3::xxh3_64(&entry);
        let mut file = header(7);
        let start = file.len() as u64;
        file.extend_from_slice(&entry);
        let end = file.len() as u64;
        for rows in
            [vec![(1u128, start, u32::MAX, sum)], vec![(1, end, 4, sum)], vec![(1, u64::MAX - 2, 11, sum)]]
        {
            let mut bytes = file.clone();
            bytes.extend_from_slice(&index_and_footer(&rows, end));
            std::fs::write(&path, &bytes).unwrap();
            let got = read_index(&mut File::open(&path).unwrap(), 7);
            assert!(
                matches!(&got, Err(Unusable::Damaged(why)) if why == "it is damaged or truncated"),
                "{rows:?}"
            );
        }
        // The same file with a sound row reads.
        let mut bytes = file.clone();
        bytes.extend_from_slice(&index_and_footer(&[(1, start, entry.len() as u32, sum)], end));
        std::fs::write(&path, &bytes).unwrap();
        let (index, entries_end) = read_index(&mut File::open(&path).unwrap(), 7).ok().unwrap();
        assert_eq!((index[&1], entries_end), ((start, entry.len() as u32, sum), end));
    }
}
