//! Writing the tantivy index of record.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use tantivy::schema::Schema;
use tantivy::{Index, IndexWriter, TantivyDocument};

use super::schema::{self, Fields};
use super::{PageDoc, analyzer, surface_analyzer};
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
    let tmp = dir.with_extension("new");
    let Written { index, words, .. } = write_beside(pages, &tmp, INDEX_THREADS, WRITER_HEAP)?;
    drop(index);
    swap_in(&tmp, dir)?;
    let (index, fields) = open(dir)?;
    Ok(Written { index, fields, words })
}

/// Writes the index of `pages` into the folder `tmp` (emptied first) with `threads` indexing
/// threads sharing `heap` bytes, to be put in place with [`swap_in`].
pub fn write_beside(
    pages: &[Arc<PageDoc>],
    tmp: &Path,
    threads: usize,
    heap: usize,
) -> Result<Written, Error> {
    if tmp.exists() {
        std::fs::remove_dir_all(tmp).map_err(|e| Error::io("remove", tmp, e))?;
    }
    std::fs::create_dir_all(tmp).map_err(|e| Error::io("create", tmp, e))?;
    let (schema, fields): (Schema, Fields) = schema::schema();
    let index = Index::create_in_dir(tmp, schema)?;
    register(&index);
    // The corpus word list is built while tantivy indexes.
    let (indexed, words) =
        rayon::join(|| add_all(&index, fields, pages, threads, heap), || vocabulary(pages));
    indexed?;
    Ok(Written { index, fields, words })
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

/// Every surface word of the indexed text, with its stem from the same analyser.
fn vocabulary(pages: &[Arc<PageDoc>]) -> BTreeMap<String, String> {
    let mut surface = surface_analyzer();
    let mut stemmer = analyzer();
    // Hashed while reading every token (no allocation for a word already seen), sorted once.
    let mut words: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut add = |text: &str| {
        let mut stream = surface.token_stream(text);
        while stream.advance() {
            let w = &stream.token().text;
            if !words.contains_key(w.as_str()) {
                words.insert(w.clone(), super::stem(&mut stemmer, w));
            }
        }
    };
    for page in pages {
        add(&page.title);
        for s in &page.sections {
            for h in &s.heading {
                add(h);
            }
            add(&s.text);
        }
    }
    words.into_iter().collect()
}
