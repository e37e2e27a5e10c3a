//! Keeping search current while serving. A full rebuild writes both search indexes like
//! `lore build`; after an incremental rebuild (a page's body edited):
//!
//! 1. the rebuild thread sends the reload event first, then replaces the edited pages'
//!    sections in the tantivy index of record ([`crate::search::index::replace_pages`], a few
//!    milliseconds), so `GET /api/search` answers from the edit before the next rebuild starts;
//! 2. the browser index is exported again on a thread of its own ([`Search::post`]): indexing
//!    every page in memory and exporting takes seconds on a large site, longer than the 100 ms
//!    a reload may take.
//!
//! Every page names the head file of the browser index it was built with
//! (`data-search-head="search/head.<hash>.json.gz"`), and rendering every page again to name a
//! new head is as slow as a full rebuild. So once an export is complete the server answers a
//! request for any head file with the newest head ([`Search::head_alias`]): the new head names
//! new shards, word packs and fragment packs, written beside the old ones under their own
//! content-hashed names, so a tab still reading the previous head finds its files too. The
//! export ends with a `search` event naming the new head; the injected script hands it to a
//! searcher that has not loaded yet, and a searcher that has loaded keeps its consistent, older
//! index until the page reloads.
//!
//! Exports never race a rebuild: an export only publishes its head and word list (and puts its
//! index of record in place) while holding the lock the rebuild thread holds for each rebuild
//! and while it replaces an edit's pages in the index, and only when no rebuild since its
//! edit has replaced what it was made from (an epoch counter). A rebuild waits at most for that
//! publishing step (renaming one file), never for an export.

use std::collections::{BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, RwLock};
use std::time::Duration;

use super::{read, write};
use crate::error::Error;
use crate::search::Docs;

/// Serve's search state, shared by the rebuild thread, the export thread and requests.
#[derive(Debug, Default)]
pub struct Search {
    /// Bumped by every rebuild that replaced the search files and by every posted export.
    epoch: Mutex<u64>,
    /// The export waiting to run.
    pending: Mutex<Option<Job>>,
    wake: Condvar,
    /// The newest exported head, site-relative, answering for every head file.
    alias: RwLock<Option<String>>,
    /// Pages were added or removed: the tantivy index on disk waits for an export that writes
    /// it whole, and no edit may change it in place meanwhile.
    reindex: AtomicBool,
    /// An export was published (or there is none to wait for): the index on disk is this
    /// site's, and `GET /api/search` answers from it.
    ready: AtomicBool,
}

/// One export of the browser index.
#[derive(Debug)]
pub struct Job {
    /// The pages, edits applied.
    pub docs: Docs,
    /// The folder being served.
    pub site: PathBuf,
    /// The folder of the tantivy index (its `words.tsv` is replaced too).
    pub index_dir: PathBuf,
    /// The build generation the export belongs to.
    pub generation: u64,
    /// Pages were added or removed: until this export puts its index in place, edits leave
    /// the one on disk alone (it numbers pages as before).
    pub reindex: bool,
    /// Write `search/stats.bin.gz` too (`[output.html] search-stats`), as `build` does.
    pub stats: bool,
    epoch: u64,
}

impl Job {
    /// An export of `docs` into `site`.
    pub fn new(docs: Docs, site: PathBuf, index_dir: PathBuf, generation: u64) -> Self {
        Self { docs, site, index_dir, generation, reindex: false, stats: false, epoch: 0 }
    }

    /// The same export, writing the tantivy index on disk whole too.
    pub fn reindexing(mut self) -> Self {
        self.reindex = true;
        self
    }
}

/// Held by the rebuild thread for one rebuild: exports cannot publish meanwhile.
#[derive(Debug)]
pub struct Held<'a> {
    epoch: MutexGuard<'a, u64>,
    search: &'a Search,
}

impl Held<'_> {
    /// A full rebuild wrote new search files: exports under way are outdated, and the built
    /// head is the newest.
    pub fn replaced(&mut self) {
        *self.epoch += 1;
        *write(&self.search.alias) = None;
        self.search.reindex.store(false, Ordering::SeqCst);
    }
}

/// What an export did.
#[derive(Debug, PartialEq, Eq)]
pub enum Exported {
    /// The new head, site-relative, now answering for every head file.
    Published(String),
    /// A rebuild or a newer export came first; nothing was published.
    Outdated,
}

impl Search {
    /// Holds off exports' publishing for the length of a rebuild.
    pub fn hold(&self) -> Held<'_> {
        Held { epoch: lock(&self.epoch), search: self }
    }

    /// Queues an export, replacing one not started yet; an export under way becomes outdated.
    pub fn post(&self, mut job: Job) {
        {
            let mut epoch = lock(&self.epoch);
            *epoch += 1;
            job.epoch = *epoch;
        }
        *lock(&self.pending) = Some(job);
        self.wake.notify_one();
    }

    /// Whether the tantivy index on disk waits for an export that writes it whole; marks it so
    /// when `now`.
    pub fn reindex_pending(&self, now: bool) -> bool {
        if now {
            self.reindex.store(true, Ordering::SeqCst);
        }
        self.reindex.load(Ordering::SeqCst)
    }

    /// Whether the index on disk is this site's: an export was published, or
    /// [`Search::mark_ready`] said there is none to wait for.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }

    /// Search answers from the index on disk from now on: the server exports none (a site
    /// without search, a failed first build), or the export failed.
    pub fn mark_ready(&self) {
        self.ready.store(true, Ordering::SeqCst);
    }

    /// The head every head file request gets, once an export replaced the built one.
    pub fn head_alias(&self) -> Option<String> {
        read(&self.alias).clone()
    }

    /// Waits up to `wait` for an export to run.
    fn next(&self, wait: Duration) -> Option<Job> {
        let pending = lock(&self.pending);
        let (mut pending, _) = self
            .wake
            .wait_timeout_while(pending, wait, |p| p.is_none())
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        pending.take()
    }

    fn current(&self, job: &Job) -> bool {
        *lock(&self.epoch) == job.epoch
    }

    /// Runs one export: indexes the pages in memory, exports the browser files, writes the new
    /// ones into the site, then publishes the head and the word list unless outdated.
    pub fn export(&self, job: &Job, history: &mut History) -> Result<Exported, Error> {
        // A full rebuild may remove the folder being written to: then the failure is moot.
        self.try_export(job, history)
            .or_else(|e| if self.current(job) { Err(e) } else { Ok(Exported::Outdated) })
    }

    fn try_export(&self, job: &Job, history: &mut History) -> Result<Exported, Error> {
        if !self.current(job) {
            return Ok(Exported::Outdated);
        }
        // A whole new index of record is written beside the one in use, and put in place
        // when the export publishes: edits replace pages in place until then, and tantivy
        // counts the replaced documents in its scoring statistics until their segments
        // merge away; a whole index scores as a fresh build's does.
        let beside = job.index_dir.with_extension("serve-new");
        let written = crate::search::index::write_beside(
            &job.docs,
            &beside,
            1,
            crate::search::index::SERVE_HEAP,
            None,
        )?;
        let bundle = crate::search::browser::export(&job.docs, &written)?;
        let stats = if job.stats {
            Some(
                crate::search::stats::collect(&job.docs, &written)
                    .and_then(|s| crate::search::stats::encode(&s))?,
            )
        } else {
            None
        };
        drop(written);
        if !self.current(job) {
            return Ok(Exported::Outdated);
        }
        history.forget_unless(&job.site);
        let mut created = Vec::new();
        for (rel, bytes) in &bundle.files {
            let path = job.site.join(rel);
            if !path.exists() {
                create_folders_inside(&job.site, rel)?;
                crate::fs::write(&path, bytes)?;
                created.push(rel.clone());
            }
        }
        {
            let epoch = lock(&self.epoch);
            if *epoch != job.epoch {
                return Ok(Exported::Outdated);
            }
            let _lock = crate::search::index::lock(&job.index_dir)?;
            crate::search::index::swap_in(&beside, &job.index_dir)?;
            if job.reindex {
                self.reindex.store(false, Ordering::SeqCst);
            }
            crate::output::replace(&job.index_dir, "words.tsv", bundle.words.as_bytes())?;
            // A fixed name (a portal's manifest names it): replaced, as `build` writes it.
            if let Some(stats) = &stats {
                crate::output::replace(&job.site, crate::search::stats::STATS, stats)?;
            }
            // Ready before the head answers: whoever sees the head finds search answering.
            self.ready.store(true, Ordering::SeqCst);
            *write(&self.alias) = Some(bundle.head.clone());
        }
        history.push(&job.site, bundle.files.iter().map(|(rel, _)| rel.clone()).collect(), created);
        Ok(Exported::Published(bundle.head))
    }

    /// The export thread's loop, until `stop`. Calls `done` with each export's outcome.
    ///
    /// Exports run on a pool of one thread of their own: on the shared pool their parallel
    /// work would queue ahead of a rebuild's and hold up the next reload by seconds.
    pub fn run(&self, stop: &AtomicBool, done: &dyn Fn(&Job, Result<Exported, Error>)) {
        let mut history = History::default();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .thread_name(|_| "lore-search-export".into())
            .build();
        while !stop.load(Ordering::SeqCst) {
            if let Some(job) = self.next(Duration::from_millis(200)) {
                let outcome = match &pool {
                    Ok(pool) => pool.install(|| self.export(&job, &mut history)),
                    Err(_) => self.export(&job, &mut history),
                };
                done(&job, outcome);
            }
        }
    }
}

/// Creates the folders of `rel` inside `site`, never `site` itself: when the server stops, the
/// served folder is moved away and removed while an export may still be writing, and the
/// export must then fail rather than make the folder again.
fn create_folders_inside(site: &Path, rel: &str) -> Result<(), Error> {
    let mut path = site.to_path_buf();
    let folders = rel.split('/').collect::<Vec<_>>();
    for folder in &folders[..folders.len().saturating_sub(1)] {
        path.push(folder);
        match std::fs::create_dir(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
                return Err(Error::io("create folder", &path, e));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Exports kept: files of older ones are removed (a tab may still read the previous one).
const KEPT_EXPORTS: usize = 2;

/// The files of recent exports into one site folder.
#[derive(Debug, Default)]
pub struct History {
    site: PathBuf,
    /// Per export, oldest first: every file it uses, and those it created.
    exports: VecDeque<(BTreeSet<String>, Vec<String>)>,
}

impl History {
    /// A full rebuild serves a new folder: earlier exports went with the old one.
    fn forget_unless(&mut self, site: &Path) {
        if self.site != site {
            self.site = site.to_path_buf();
            self.exports.clear();
        }
    }

    /// Records an export and removes the files only older exports used.
    fn push(&mut self, site: &Path, uses: BTreeSet<String>, created: Vec<String>) {
        self.exports.push_back((uses, created));
        while self.exports.len() > KEPT_EXPORTS {
            let Some((_, created)) = self.exports.pop_front() else { break };
            for rel in created {
                if !self.exports.iter().any(|(uses, _)| uses.contains(&rel)) {
                    // Best effort: a file left over goes with the folder at the next full rebuild.
                    let _ = std::fs::remove_file(site.join(&rel));
                }
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::PageDoc;
    use crate::search::SectionDoc;
    use std::sync::Arc;

    fn docs(text: &str) -> Docs {
        let section = SectionDoc { anchor: String::new(), heading: Vec::new(), text: text.to_owned() };
        Arc::new(vec![Arc::new(PageDoc {
            url: "a/".to_owned(),
            title: "Alpha".to_owned(),
            kind: "page".to_owned(),
            owner: String::new(),
            tags: Vec::new(),
            service: String::new(),
            status: String::new(),
            freshness: "fresh".to_owned(),
            sections: vec![section],
        })])
    }

    /// Posts an export of a page reading `text` and runs it.
    fn export(search: &Search, dir: &Path, text: &str, history: &mut History) -> Exported {
        search.post(Job::new(docs(text), dir.join("site"), dir.join("index"), 2));
        let job = search.next(Duration::ZERO).expect("a job");
        search.export(&job, history).expect("export")
    }

    #[test]
    fn exports_publish_in_order_and_keep_the_previous_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("index")).unwrap();
        std::fs::create_dir_all(dir.path().join("site")).unwrap();
        let (search, mut history) = (Search::default(), History::default());
        let mut heads = Vec::new();
        for text in ["rotate the walrus", "drain the pelican", "flush the puffin"] {
            let Exported::Published(head) = export(&search, dir.path(), text, &mut history) else {
                panic!("not published")
            };
            assert_eq!(search.head_alias().as_deref(), Some(head.as_str()));
            let words = std::fs::read_to_string(dir.path().join("index/words.tsv")).unwrap();
            assert!(words.contains(text.rsplit(' ').next().unwrap()), "{words}");
            heads.push(head);
        }
        let exists = |rel: &str| dir.path().join("site").join(rel).is_file();
        assert!(!exists(&heads[0]), "the oldest export's files are removed");
        assert!(exists(&heads[1]) && exists(&heads[2]), "a tab may still read the previous one");
    }

    #[test]
    fn a_rebuild_outdates_an_export_and_clears_the_alias() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("index")).unwrap();
        std::fs::create_dir_all(dir.path().join("site")).unwrap();
        let (search, mut history) = (Search::default(), History::default());
        assert!(matches!(export(&search, dir.path(), "walrus", &mut history), Exported::Published(_)));
        search.post(Job::new(docs("pelican"), dir.path().join("site"), dir.path().join("index"), 3));
        search.hold().replaced();
        assert_eq!(search.head_alias(), None, "the built head answers again");
        let job = search.next(Duration::ZERO).expect("a job");
        assert_eq!(search.export(&job, &mut history).unwrap(), Exported::Outdated);
        assert_eq!(search.head_alias(), None);
    }

    /// Issue 13: an export into a served folder that is gone (the server stopped and moved it
    /// away) fails, and never makes the folder again.
    #[test]
    fn issue_13_an_export_never_recreates_a_removed_site_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("index")).unwrap();
        let (search, mut history) = (Search::default(), History::default());
        search.post(Job::new(docs("walrus"), dir.path().join("site"), dir.path().join("index"), 2));
        let job = search.next(Duration::ZERO).expect("a job");
        let err = search.try_export(&job, &mut history).unwrap_err().to_string();
        assert!(err.starts_with("failed to create folder `") && err.contains("site/search"), "{err}");
        assert!(!dir.path().join("site").exists(), "the served folder was made again");
    }
}
