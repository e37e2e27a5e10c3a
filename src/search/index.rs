//! Writing the tantivy index of record.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use tantivy::schema::Schema;
use tantivy::{Index, IndexWriter, TantivyDocument};

use super::ledger::{self, Ledger};
use super::schema::{self, Fields};
use super::vocabulary::vocabulary;
use super::{PageDoc, analyzer};
use crate::error::Error;

/// Writer heap of a build: large enough that a 10,000-page site fits one segment before merging.
const WRITER_HEAP: usize = 200_000_000;
/// Writer heap of `lore serve`'s exports, which run beside the kept site: a 10,000-page site
/// then indexes in a few segments merged at the end (same index, a little slower, in the
/// background), and the server stays under its memory budget.
pub const SERVE_HEAP: usize = 48_000_000;
/// Indexing threads of a full build.
const INDEX_THREADS: usize = 2;

/// A freshly written index and what the browser export needs besides it.
pub struct Written {
    /// The index (one segment).
    pub index: Index,
    /// Its fields.
    pub fields: Fields,
    /// Every surface word of the corpus and its stem, sorted by word.
    pub words: BTreeMap<String, String>,
    /// Tokens of the title and body fields over the live documents, counted by lore (exact
    /// whatever the segments' history; see [`super::ledger`]).
    pub totals: [u64; 2],
}

/// Takes the project's lock, `.lore/lock` beside the index folder `dir`, until the returned file
/// is dropped (waiting while another lore holds it): builds of one project, and `lore serve`
/// putting a new index in place, then never write `.lore/` at the same time (two builds both
/// wrote `.lore/search.new`, and one failed).
pub fn lock(dir: &Path) -> Result<std::fs::File, Error> {
    let lore = dir.parent().unwrap_or(Path::new("."));
    crate::fs::create_dir_all(lore)?;
    let path = lore.join("lock");
    // Only a file of lore's own: a symlink planted there (from a pull request, say) is removed
    // rather than followed, so nothing is created where it points.
    if std::fs::symlink_metadata(&path).is_ok_and(|m| !m.is_file()) {
        let _ = std::fs::remove_file(&path);
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io("open", &path, e))?;
    file.lock().map_err(|e| Error::io("lock", &path, e))?;
    Ok(file)
}

/// Opens an index and registers lore's analyser on it.
pub fn open(dir: &Path) -> Result<(Index, Fields), Error> {
    let index = Index::open_in_dir(dir)?;
    register(&index);
    let fields = schema::fields(&index.schema())?;
    Ok((index, fields))
}

fn register(index: &Index) {
    index.tokenizers().register(super::ANALYZER, analyzer());
}

/// Writes the index of `pages` into `dir`, replacing what was there only once the new index is
/// complete.
pub fn write(pages: &[Arc<PageDoc>], dir: &Path) -> Result<Written, Error> {
    write_with(pages, dir, None)
}

/// [`write`], the word list made through the memo at `memo` ([`vocabulary`]).
fn write_with(pages: &[Arc<PageDoc>], dir: &Path, memo: Option<&Path>) -> Result<Written, Error> {
    let tmp = dir.with_extension("new");
    let Written { index, words, totals, .. } = write_beside(pages, &tmp, INDEX_THREADS, WRITER_HEAP, memo)?;
    write_ledger(&index, &tmp, pages, totals)?;
    drop(index);
    swap_in(&tmp, dir)?;
    let (index, fields) = open(dir)?;
    Ok(Written { index, fields, words, totals })
}

/// How [`update`] brought the index up to date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Updated {
    /// Written afresh (no ledger, another lore's, or too much changed).
    Afresh,
    /// Written afresh because the index or its ledger was damaged or changed since the last
    /// build wrote them.
    Damaged,
    /// The documents of this many pages replaced; the rest kept.
    Replaced(usize),
}

/// Brings the index in `dir` up to date with `pages`, replacing only the documents of the pages
/// whose documents would change, when the ledger the last build left describes the index as
/// it is. Otherwise, or when more than a third of the pages changed, or the index has grown
/// many segments, writes it afresh ([`write`]). Both give the same browser index. The word list
/// is made through `memo`, the build cache's ([`vocabulary`]).
pub fn update(pages: &[Arc<PageDoc>], dir: &Path, memo: Option<&Path>) -> Result<(Written, Updated), Error> {
    let (index, fields, ledger) = match open_with_ledger(dir) {
        Ok(opened) => opened,
        Err(why) => return Ok((write_with(pages, dir, memo)?, why)),
    };
    let digests = page_digests(pages);
    let changed: Vec<usize> = (0..digests.len().max(ledger.pages.len()))
        .filter(|&p| digests.get(p) != ledger.pages.get(p))
        .collect();
    if changed.len() * 3 > pages.len().max(1) || ledger.segments.len() >= MAX_SEGMENTS {
        drop(index);
        return Ok((write_with(pages, dir, memo)?, Updated::Afresh));
    }
    let (replaced, words) = rayon::join(
        || -> Result<(), Error> {
            if changed.is_empty() {
                return Ok(());
            }
            // One segment for what changed: a larger heap when many pages did.
            let heap = if changed.len() > 50 { WRITER_HEAP / 2 } else { UPDATE_HEAP };
            let mut writer: IndexWriter = index.writer_with_num_threads(1, heap)?;
            writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
            for &p in &changed {
                writer.delete_term(tantivy::Term::from_field_u64(fields.page, p as u64));
            }
            let mut first = 0u64;
            let mut next = changed.iter().peekable();
            for (p, page) in pages.iter().enumerate() {
                if next.peek() == Some(&&p) {
                    next.next();
                    add_page(&writer, fields, p, page, first)?;
                }
                first += page.sections.len() as u64;
            }
            writer.commit()?;
            writer.wait_merging_threads()?;
            Ok(())
        },
        || vocabulary(pages, memo),
    );
    replaced?;
    let (words, totals) = words?;
    write_ledger_digests(&index, dir, digests, totals)?;
    Ok((Written { index, fields, words, totals }, Updated::Replaced(changed.len())))
}

/// Segments an index may grow through updates before the next build writes it afresh.
const MAX_SEGMENTS: usize = 8;

/// The index in `dir` and its ledger, when the ledger describes the index as it is; else why
/// not: no ledger or another lore's is [`Updated::Afresh`], anything else
/// [`Updated::Damaged`].
fn open_with_ledger(dir: &Path) -> Result<(Index, Fields, Ledger), Updated> {
    let ledger = match Ledger::read(dir) {
        ledger::Read::Ledger(ledger) => ledger,
        ledger::Read::Missing | ledger::Read::OtherVersion => return Err(Updated::Afresh),
        ledger::Read::Damaged => return Err(Updated::Damaged),
    };
    if ledger::fingerprint(dir).as_ref() != Some(&ledger.files) {
        return Err(Updated::Damaged);
    }
    let (index, fields) = open(dir).map_err(|_| Updated::Damaged)?;
    match segments(&index) {
        Ok(s) if s == ledger.segments => Ok((index, fields, ledger)),
        _ => Err(Updated::Damaged),
    }
}

/// The searchable segments of `index`: (id, deleted documents), sorted.
fn segments(index: &Index) -> Result<Vec<(String, u32)>, Error> {
    let mut out: Vec<(String, u32)> = index
        .searchable_segment_metas()?
        .iter()
        .map(|m| (m.id().uuid_string(), m.num_deleted_docs()))
        .collect();
    out.sort();
    Ok(out)
}

/// Each page's document digest, in page order.
fn page_digests(pages: &[Arc<PageDoc>]) -> Vec<u128> {
    let mut first = 0u64;
    let mut out = Vec::with_capacity(pages.len());
    for (p, page) in pages.iter().enumerate() {
        out.push(ledger::digest(page, p, first));
        first += page.sections.len() as u64;
    }
    out
}

fn write_ledger(index: &Index, dir: &Path, pages: &[Arc<PageDoc>], totals: [u64; 2]) -> Result<(), Error> {
    write_ledger_digests(index, dir, page_digests(pages), totals)
}

fn write_ledger_digests(index: &Index, dir: &Path, pages: Vec<u128>, totals: [u64; 2]) -> Result<(), Error> {
    let files = ledger::fingerprint(dir).unwrap_or_default();
    let ledger = Ledger { pages, totals, segments: segments(index)?, files };
    crate::fs::write(&ledger::path(dir), ledger.encode())
}

/// Removes the ledger of the index in `dir`: the index is changing under another writer, and
/// the next build writes it afresh.
pub fn forget_ledger(dir: &Path) -> Result<(), Error> {
    let path = ledger::path(dir);
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io("remove", &path, e)),
        _ => Ok(()),
    }
}

/// Writes the index of `pages` into the folder `tmp` (emptied first) with `threads` indexing
/// threads sharing `heap` bytes, to be put in place with [`swap_in`]; the word list through
/// `memo` when given ([`vocabulary`]).
pub fn write_beside(
    pages: &[Arc<PageDoc>],
    tmp: &Path,
    threads: usize,
    heap: usize,
    memo: Option<&Path>,
) -> Result<Written, Error> {
    if tmp.exists() {
        std::fs::remove_dir_all(tmp).map_err(|e| Error::io("remove", tmp, e))?;
    }
    std::fs::create_dir_all(tmp).map_err(|e| Error::io("create", tmp, e))?;
    let (schema, fields): (Schema, Fields) = schema::schema();
    let index = Index::create_in_dir(tmp, schema)?;
    register(&index);
    // The corpus word list is built while tantivy indexes.
    let (indexed, listed) =
        rayon::join(|| add_all(&index, fields, pages, threads, heap), || vocabulary(pages, memo));
    indexed?;
    let (words, totals) = listed?;
    Ok(Written { index, fields, words, totals })
}

/// Puts the index written in `tmp` in place of `dir`. The old one is moved aside rather than
/// removed first: readers (`lore serve` answering a search) find no index only between the
/// two renames.
pub fn swap_in(tmp: &Path, dir: &Path) -> Result<(), Error> {
    let old = dir.with_extension("old");
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(|e| Error::io("remove", &old, e))?;
    }
    if dir.exists() {
        std::fs::rename(dir, &old).map_err(|e| Error::io("rename", dir, e))?;
    }
    std::fs::rename(tmp, dir).map_err(|e| Error::io("rename", tmp, e))?;
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(|e| Error::io("remove", &old, e))?;
    }
    Ok(())
}

/// Adds one document per section with `threads` indexing threads, commits and merges into one
/// segment. A build uses two, sharing the heap: at 10,000 pages the stage takes 2.9 s instead
/// of 4.1 s for ~20 MiB more peak memory. Records are numbered by a field, so which thread
/// takes a document does not change the output.
fn add_all(
    index: &Index,
    fields: Fields,
    pages: &[Arc<PageDoc>],
    threads: usize,
    heap: usize,
) -> Result<(), Error> {
    let mut writer: IndexWriter = index.writer_with_num_threads(threads, heap)?;
    let mut record = 0u64;
    for (p, page) in pages.iter().enumerate() {
        add_page(&writer, fields, p, page, record)?;
        record += page.sections.len() as u64;
    }
    writer.commit()?;
    let ids = index.searchable_segment_ids()?;
    if ids.len() > 1 {
        writer.merge(&ids).wait()?;
    }
    writer.wait_merging_threads()?;
    Ok(())
}

/// Adds the sections of page number `p`, numbering records from `record`.
fn add_page(
    writer: &IndexWriter,
    fields: Fields,
    p: usize,
    page: &PageDoc,
    record: u64,
) -> Result<(), Error> {
    for (k, s) in page.sections.iter().enumerate() {
        let mut doc = TantivyDocument::default();
        doc.add_text(fields.title, title_text(page, &s.heading));
        doc.add_text(fields.body, &s.text);
        doc.add_u64(fields.record, record + k as u64);
        doc.add_u64(fields.page, p as u64);
        doc.add_text(fields.page_title, &page.title);
        doc.add_text(fields.heading, s.heading.join(" › "));
        let url = if s.anchor.is_empty() { page.url.clone() } else { format!("{}#{}", page.url, s.anchor) };
        doc.add_text(fields.url, url);
        doc.add_text(fields.kind, &page.kind);
        doc.add_text(fields.owner, &page.owner);
        for t in &page.tags {
            doc.add_text(fields.tag, t);
        }
        doc.add_text(fields.service, &page.service);
        doc.add_text(fields.status, &page.status);
        doc.add_text(fields.freshness, &page.freshness);
        writer.add_document(doc)?;
    }
    Ok(())
}

/// Heap of the writer that replaces a few pages (tantivy's minimum).
const UPDATE_HEAP: usize = 15_000_000;

/// Replaces the sections of the pages numbered `changed` in the index in `dir` with those of
/// `pages` (the whole site, in page order, edits applied): deletes each page's documents by its
/// page number, adds the new ones and commits. Readers opened after it returns see the edit.
///
/// Records are numbered as a full build would number them only while the edited pages keep
/// their number of sections; otherwise later pages' record numbers overlap, which changes only
/// the order of equally scored results. Scores keep counting the deleted documents until
/// segments merge (the next full build starts afresh).
pub fn replace_pages(dir: &Path, pages: &[Arc<PageDoc>], changed: &[usize]) -> Result<(), Error> {
    forget_ledger(dir)?;
    let (index, fields) = open(dir)?;
    let mut writer: IndexWriter = index.writer_with_num_threads(1, UPDATE_HEAP)?;
    for &p in changed {
        let Some(page) = pages.get(p) else { continue };
        writer.delete_term(tantivy::Term::from_field_u64(fields.page, p as u64));
        let first: usize = pages[..p].iter().map(|d| d.sections.len()).sum();
        add_page(&writer, fields, p, page, first as u64)?;
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    Ok(())
}

/// What the title field holds: the page title, then the heading path.
pub fn title_text(page: &PageDoc, heading: &[String]) -> String {
    let mut t = page.title.clone();
    for h in heading {
        t.push(' ');
        t.push_str(h);
    }
    t
}
