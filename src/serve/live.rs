//! The site being served: the build state of the last good full build kept in memory, and
//! incremental rebuilds of what a change affects: read and classify the changed files
//! ([`Change`]), ask the build state for what that change rebuilds, write, reload.
//!
//! The first build is written into the folder already served, file by file, while requests
//! render on demand what it has not written yet ([`super::first`]). Every later full build
//! goes into a fresh folder `site-N` of the private folder and is swapped in only when
//! complete; an incremental rebuild writes each file beside its old version and
//! renames it over, so a request never sees a half-written file.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::Change;
use super::first::First;
use super::problems::Problems;
use crate::build::steps::Steps;
use crate::build::write::Sink;
use crate::build::{self, BuildOptions, State};
use crate::config::SiteConfig;
use crate::content::{Kind, Page, SourceFile};
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::markdown::Highlighter;
use crate::search::Docs;
use crate::site::Target;

/// What a rebuild did.
#[derive(Debug)]
pub enum Update {
    /// Nothing changed.
    Nothing,
    /// New files are in place: reload.
    Rebuilt {
        /// Pages rendered again.
        pages: usize,
        /// Whether everything was rebuilt.
        full: bool,
        /// Pages (source paths) rendered again by an incremental rebuild; empty after a full one.
        changed: Vec<String>,
        /// Problems of the whole site: warnings, and the content errors that no longer stop a
        /// preview (issue 15).
        diagnostics: Vec<Diagnostic>,
        /// Wall time.
        elapsed: Duration,
    },
    /// The rebuild failed; the last good site is still served.
    Failed(Error),
}

/// How the last rebuild went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Health {
    /// It worked.
    Good,
    /// An incremental rebuild failed (a file could not be written): the next one retries what
    /// it left.
    Failed,
    /// A full build failed, or a rebuild stopped half-way: only a full build can clear it.
    NeedsFull,
}

/// What the rebuilds since the last write left to write.
#[derive(Debug, Default)]
struct Pending {
    /// Pages rendered again (source paths), written by the next good rebuild.
    pages: BTreeSet<String>,
    /// The site model changed: every page and listing is written again.
    every_page: bool,
    /// URLs of removed pages whose files the next good write removes.
    gone: Vec<String>,
    /// Pages were added or removed since search was last updated: it indexes every page again.
    all_search: bool,
}

/// A batch of changed files, read and classified.
#[derive(Debug, Default)]
struct Batch {
    /// The dearest change of the batch.
    change: Change,
    /// Pages read again: their number in the site model, the page, its warnings.
    edited: Vec<(usize, Page, Vec<Diagnostic>)>,
    /// New pages, with their warnings.
    added: Vec<(Page, Vec<Diagnostic>)>,
    /// Pages deleted (source paths).
    removed: HashSet<String>,
    /// Assets to copy again (source paths).
    copies: Vec<String>,
    /// Pages to render again (source paths).
    render: BTreeSet<String>,
    /// Pages that no longer parse, with their errors (the last good version stays).
    parse_errors: BTreeMap<String, Vec<Diagnostic>>,
}

impl Batch {
    fn add(&mut self, change: Change) {
        self.change = self.change.max(change);
    }
}

/// The served site.
#[derive(Debug)]
pub struct Live {
    options: BuildOptions,
    /// The private folder; each full build is a `site-N` folder inside it.
    base: PathBuf,
    /// The folder being served.
    dir: PathBuf,
    /// The folder served before `dir`, removed at the next swap.
    previous: Option<PathBuf>,
    builds: u64,
    /// The build state of the last good full build, kept current by incremental rebuilds.
    state: Option<Box<State>>,
    /// Pages that failed to parse in an incremental rebuild, with their errors: retried with
    /// every later incremental rebuild.
    broken: BTreeMap<String, Vec<Diagnostic>>,
    pending: Pending,
    health: Health,
}

impl Live {
    /// Full builds reuse and keep the build cache (`lore serve` without `--no-cache`); a cache
    /// that cannot be used is said on stderr.
    pub fn use_cache(&mut self, cache: bool) {
        self.options.cache = cache;
        self.options.note = cache.then_some(crate::diag::print_note);
    }

    /// A served site for `root`, building into folders under `base` (which must not exist yet
    /// or be empty). Nothing is built until [`Live::full`].
    pub fn new(root: &Path, config_file: Option<PathBuf>, base: PathBuf) -> Result<Self, Error> {
        crate::fs::create_dir_all(&base)?;
        let dir = base.join("site-0");
        crate::fs::create_dir_all(&dir)?;
        let options = BuildOptions {
            root: root.to_path_buf(),
            config_file,
            write: true,
            keep: true,
            highlighter: Some(Arc::new(Highlighter::new())),
            // Pages first: the search indexes are exported behind them ([`Live::full`]).
            defer_search: true,
            // A preview shows every page that renders; content errors go to the overlay.
            keep_going: true,
            ..BuildOptions::default()
        };
        Ok(Self {
            options,
            base,
            dir,
            previous: None,
            builds: 0,
            state: None,
            broken: BTreeMap::new(),
            pending: Pending::default(),
            health: Health::Good,
        })
    }

    /// The problems in `diags` (those of the last rebuild), placed on the pages they are in.
    pub fn problems(&self, diags: &[Diagnostic]) -> Problems {
        let pages: HashMap<PathBuf, String> = self.state.as_deref().map_or_else(HashMap::new, |state| {
            let site = &state.site;
            site.pages.iter().zip(&site.urls).map(|(p, url)| (p.source.shown.clone(), url.clone())).collect()
        });
        Problems::new(diags, &pages)
    }

    /// The folder to serve.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The config of the last good build.
    pub fn config(&self) -> Option<&SiteConfig> {
        self.state.as_ref().map(|s| &s.config)
    }

    /// Stylesheets of the last good build, site-relative.
    pub fn stylesheets(&self) -> Vec<String> {
        self.state.as_ref().map(|s| s.theme.css.clone()).unwrap_or_default()
    }

    /// Whether `rel` (a path in the source folder) is a page or asset of the current site that
    /// still exists: a change to it is an edit, not an add, delete or rename.
    pub fn knows(&self, rel: &str) -> bool {
        let Some(state) = &self.state else { return false };
        let site = &state.site;
        let known = site.by_source.contains_key(rel)
            || self.broken.contains_key(rel)
            || site.assets.iter().any(|a| a.rel == rel);
        known && state.config.src.join(rel).is_file()
    }

    /// The first build, in steps, into the folder already served: the site model is published
    /// to `first` as soon as it is read (pages are then rendered on demand), then every page
    /// is rendered and written, files appearing one by one (each written beside and renamed
    /// in place), the listings, the copied files; the state is taken back at the end. The
    /// caller settles `first` once the server's state says how it went.
    pub fn first(&mut self, first: &First) -> Update {
        let start = Instant::now();
        #[cfg(debug_assertions)]
        hold_for_tests("read");
        let options = BuildOptions { out_dir: Some(self.dir.clone()), ..self.options.clone() };
        let (state, steps) = match build::steps::begin(&options) {
            Ok(begun) => begun,
            Err(e) => return self.failed(Health::NeedsFull, e),
        };
        match self.write_first(state, steps, first) {
            Ok((mut state, diagnostics)) => {
                let pages = state.site.pages.len() + state.site.sections.len();
                // The highlighter kept every code block it highlighted (about 100 MB at 10,000
                // pages rendered afresh): rebuilds start with an empty cache, as after a build
                // that took its pages from the build cache.
                let highlighter = Arc::new(Highlighter::new());
                state.highlighter = highlighter.clone();
                self.options.highlighter = Some(highlighter);
                self.state = Some(state);
                self.broken.clear();
                // The build wrote no search index: the next search update exports all of it.
                self.pending = Pending { all_search: true, ..Pending::default() };
                self.health = Health::Good;
                Update::Rebuilt {
                    pages,
                    full: true,
                    changed: Vec::new(),
                    diagnostics,
                    elapsed: start.elapsed(),
                }
            }
            Err(e) => {
                drop(first.take());
                self.discard_first();
                self.failed(Health::NeedsFull, e)
            }
        }
    }

    /// The steps of [`Live::first`] after the site model is read: returns the state and every
    /// diagnostic of the site.
    fn write_first(
        &self,
        state: Box<State>,
        mut steps: Steps,
        first: &First,
    ) -> Result<(Box<State>, Vec<Diagnostic>), Error> {
        let sink = Sink::InPlace(&self.dir);
        // Marked as lore's, as every build folder is.
        drop(crate::output::owner::claim(&self.dir)?);
        steps.write_theme(&state, &sink)?;
        let chunks = Steps::chunks(&state);
        first.publish(state);
        #[cfg(debug_assertions)]
        hold_for_tests("write");
        for chunk in chunks {
            let renders = first.with(|state| state.render_some(&chunk, &|| {}))?;
            first.with_mut(|state| state.keep(renders))?;
            first.with(|state| Steps::write_pages(state, &chunk, &sink))??;
        }
        first.step();
        let listings = first.with(|state| steps.write_listings(state, &sink))??;
        first.step();
        first.with(|state| steps.write_copies(state, &sink))??;
        let mut state =
            first.take().ok_or_else(|| Error::Bug("the first build lost its state".to_owned()))?;
        state.listings = listings;
        let diagnostics = steps.finish(&mut state)?;
        Ok((state, diagnostics))
    }

    /// After the first build failed half-way: a new, empty folder is served (a site that was
    /// never built shows the error alone), and the half-written one is removed.
    pub fn discard_first(&mut self) {
        self.builds += 1;
        let dir = self.base.join(format!("site-{}", self.builds));
        if crate::fs::create_dir_all(&dir).is_ok() {
            let old = std::mem::replace(&mut self.dir, dir);
            std::thread::spawn(move || {
                let _ = std::fs::remove_dir_all(old);
            });
        }
    }

    /// Rebuilds everything into a new folder and swaps it in. Its search indexes are not written
    /// yet: [`Live::take_all_search`] says so, and the rebuild thread posts their export.
    pub fn full(&mut self) -> Update {
        let start = Instant::now();
        // The last good site stays served from its folder, but its build state is let go
        // first: a failed full build leaves only another full build to do, and keeping both
        // states raised a 10,000-page rebuild's peak from about 500 to 658 MiB.
        self.state = None;
        self.builds += 1;
        let dir = self.base.join(format!("site-{}", self.builds));
        let options = BuildOptions { out_dir: Some(dir.clone()), ..self.options.clone() };
        match build::build(&options, None) {
            Ok(out) => {
                self.state = out.state;
                self.broken.clear();
                // The build wrote no search index: the next search update exports all of it.
                self.pending = Pending { all_search: true, ..Pending::default() };
                self.health = Health::Good;
                if let Some(old) = self.previous.take() {
                    // Thousands of files: remove them without holding up the reload.
                    std::thread::spawn(move || {
                        let _ = std::fs::remove_dir_all(old);
                    });
                }
                self.previous = Some(std::mem::replace(&mut self.dir, dir));
                Update::Rebuilt {
                    pages: out.pages,
                    full: true,
                    changed: Vec::new(),
                    diagnostics: out.diagnostics,
                    elapsed: start.elapsed(),
                }
            }
            Err(e) => self.failed(Health::NeedsFull, e),
        }
    }

    /// Rebuilds after changes of files in the source folder (paths relative to it): classifies
    /// the batch ([`Change`]), then asks the build state for what that rebuilds: the site model
    /// again, the changed pages (and the pages including or naming them) rendered again, links
    /// checked, and the pages written. A change that needs a full build gets one, as does any
    /// change after a failed full build.
    ///
    /// `viewed` are the site-relative URLs open tabs show: after a change of the site model,
    /// they and the edited pages are written before this returns (the reload can go out), and
    /// [`Live::finish`] writes the rest.
    pub fn files(&mut self, rels: &BTreeSet<String>, viewed: &[String]) -> Update {
        let start = Instant::now();
        if self.health == Health::NeedsFull {
            return self.full();
        }
        let Some(mut batch) = self.read(rels) else { return self.full() };
        if batch.change == Change::Nothing && batch.parse_errors.is_empty() {
            // Only files outside the site changed (ignored, or gone before they were read).
            return Update::Nothing;
        }
        if batch.change.rebuilds().full {
            return self.full();
        }
        let copies = std::mem::take(&mut batch.copies);
        let parse_errors = std::mem::take(&mut batch.parse_errors);
        let render = match self.apply(batch) {
            Ok(Some(render)) => render,
            Ok(None) => return self.full(),
            Err(e) => return self.failed(Health::NeedsFull, e),
        };
        let Some(state) = self.state.as_deref_mut() else { return self.full() };
        state.render(&render);
        self.pending.pages.extend(render.iter().cloned());
        let diags = state.check(parse_errors.values().flatten().cloned());
        self.broken = parse_errors;
        match self.write(&copies, viewed) {
            Ok(written) => {
                self.health = Health::Good;
                Update::Rebuilt {
                    pages: written,
                    full: false,
                    changed: render.into_iter().collect(),
                    diagnostics: diags,
                    elapsed: start.elapsed(),
                }
            }
            Err(e) => self.failed(Health::Failed, e),
        }
    }

    fn failed(&mut self, health: Health, e: Error) -> Update {
        self.health = health;
        Update::Failed(e)
    }

    /// Reads the changed files (and the pages that failed to parse last time) and classifies
    /// each; `None` when only a full build will do (an unknown file, a new page that does not
    /// parse: a full build reports it with everything else).
    fn read(&self, rels: &BTreeSet<String>) -> Option<Batch> {
        let state = self.state.as_deref()?;
        let config = &state.config;
        let mut batch = Batch::default();
        let rels: BTreeSet<&String> = rels.iter().chain(self.broken.keys()).collect();
        for rel in rels {
            let path = config.src.join(rel);
            let is_page = rel.to_ascii_lowercase().ends_with(".md");
            if let Some(&i) = state.site.by_source.get(rel) {
                let old = &state.site.pages[i];
                if !path.is_file() {
                    batch.removed.insert(rel.clone());
                    batch.add(Change::Pages);
                    continue;
                }
                match Page::load(&old.source, config) {
                    Ok((page, warnings)) => {
                        let reshaped = Shape::of(&page, config) != Shape::of(old, config);
                        batch.add(if reshaped { Change::Shape } else { Change::Body });
                        batch.edited.push((i, page, warnings));
                        batch.render.insert(rel.clone());
                    }
                    Err(errors) => {
                        batch.parse_errors.insert(rel.clone(), errors);
                    }
                }
            } else if state.site.assets.iter().any(|a| &a.rel == rel) {
                batch.copies.push(rel.clone());
                batch.add(Change::Asset);
            } else if is_page && path.is_file() && !crate::content::is_discovered(&path) {
                // Ignored by a `.gitignore`: not part of the site, as in a full build.
                continue;
            } else if is_page && path.is_file() && !self.broken.contains_key(rel) {
                let source = SourceFile { shown: crate::config::display_path(&path), path, rel: rel.clone() };
                batch.added.push(Page::load(&source, config).ok()?);
                batch.add(Change::Pages);
            } else if is_page && !path.is_file() {
                // Came and went, or a page that never parsed was deleted.
                continue;
            } else if !self.broken.contains_key(rel) {
                return None;
            }
            let includers = state.includers(rel);
            if !includers.is_empty() {
                batch.add(Change::Body);
            }
            batch.render.extend(includers);
        }
        Some(batch)
    }

    /// Puts the pages read again into the site model and, when the change needs it, builds
    /// the model again; returns the pages to render again, or `None` when only a full build
    /// will do (a page became a draft, or took a URL in use).
    fn apply(&mut self, batch: Batch) -> Result<Option<BTreeSet<String>>, Error> {
        let rebuilds = batch.change.rebuilds();
        let Some(state) = self.state.as_deref_mut() else { return Ok(None) };
        let mut render = batch.render;
        let forget = |diags: &mut Vec<Diagnostic>, page: &Page| {
            diags.retain(|d| d.span.as_ref().is_none_or(|s| s.path != page.source.shown));
        };
        for (i, page, warnings) in batch.edited {
            forget(&mut state.input_diags, &state.site.pages[i]);
            state.input_diags.extend(warnings);
            state.site.pages[i] = page;
        }
        if !rebuilds.model {
            return Ok(Some(render));
        }
        // Pages that may link to an added or removed page name its file: render them again.
        let mut names: Vec<String> = Vec::new();
        let mut name_of = |rel: &str| names.push(rel.rsplit('/').next().unwrap_or(rel).to_owned());
        let mut gone = Vec::new();
        for (i, page) in state.site.pages.iter().enumerate() {
            if batch.removed.contains(&page.source.rel) {
                forget(&mut state.input_diags, page);
                name_of(&page.source.rel);
                gone.push(state.site.urls[i].clone());
            }
        }
        let mut added = Vec::with_capacity(batch.added.len());
        for (page, warnings) in batch.added {
            name_of(&page.source.rel);
            state.input_diags.extend(warnings);
            render.insert(page.source.rel.clone());
            added.push(page);
        }
        if !state.remodel(added, &batch.removed, self.options.today.as_deref())? {
            return Ok(None);
        }
        // Their files go with the next good write, unless another page took the URL.
        self.pending.gone.extend(gone.into_iter().filter(|u| state.site.by_url(u).is_none()));
        let naming: Vec<String> = (state.site.pages.par_iter())
            .filter(|p| names.iter().any(|n| p.text.contains(n.as_str())))
            .map(|p| p.source.rel.clone())
            .collect();
        render.extend(naming);
        render.retain(|rel| state.site.by_source.contains_key(rel));
        self.pending.every_page = true;
        self.pending.all_search |= rebuilds.all_search;
        Ok(Some(render))
    }

    /// After a rebuild panicked half-way: what is kept may be inconsistent, so the next
    /// change builds everything again (the folder served is left as it was).
    pub fn after_panic(&mut self) {
        self.health = Health::NeedsFull;
        self.broken.clear();
        self.pending = Pending::default();
    }

    /// Whether pages were added or removed since the last call: search must index every page
    /// again rather than replace some (the index numbers pages in the site model's order).
    pub fn take_all_search(&mut self) -> bool {
        std::mem::take(&mut self.pending.all_search)
    }

    /// Writes the pages rendered since the last write (and, after a change of the site model,
    /// the pages and listings open tabs show), and copies `copies`; returns how many pages were
    /// written.
    fn write(&mut self, copies: &[String], viewed: &[String]) -> Result<usize, Error> {
        let Some(state) = self.state.as_deref_mut() else { return Ok(0) };
        let sink = Sink::InPlace(&self.dir);
        let mut listings = 0;
        // A tab on a generated page (an owner, a tag, the dashboard) sees it current too.
        if self.pending.every_page && viewed.iter().any(|url| state.site.by_url(url).is_none()) {
            state.write_listings(&sink)?;
            listings = state.listings.browsed.len();
        }
        let mut targets: Vec<Target> = self
            .pending
            .pages
            .iter()
            .filter_map(|rel| state.site.by_source.get(rel))
            .map(|&i| Target::Page(i))
            .collect();
        if self.pending.every_page {
            targets.extend(viewed.iter().filter_map(|url| state.site.by_url(url)));
            targets.sort();
            targets.dedup();
        }
        state.write(&targets, &sink)?;
        for url in std::mem::take(&mut self.pending.gone) {
            sink.remove(&format!("{url}index.html"));
        }
        for rel in copies {
            sink.copy(&state.config.src.join(rel), rel)?;
        }
        self.pending.pages.clear();
        Ok(targets.len() + listings)
    }

    /// After a change of the site model, writes every page, listing and generated page that
    /// [`Live::files`] left for later, a few hundred at a time; stops early, leaving the rest
    /// to the next call, as soon as `interrupted` says another change is waiting. Returns how
    /// many were written. A failure leaves the site to a full rebuild at the next change.
    pub fn finish(&mut self, interrupted: &mut dyn FnMut() -> bool) -> Result<usize, Error> {
        if !self.pending.every_page {
            return Ok(0);
        }
        let Some(state) = self.state.as_deref_mut() else { return Ok(0) };
        let sink = Sink::InPlace(&self.dir);
        let all = state.targets();
        let mut written = Ok(());
        for chunk in all.chunks(FINISH_CHUNK) {
            if interrupted() {
                return Ok(0);
            }
            written = state.write(chunk, &sink);
            if written.is_err() {
                break;
            }
        }
        if let Err(e) = written.and_then(|()| state.write_listings(&sink)) {
            self.after_panic();
            return Err(e);
        }
        self.pending.every_page = false;
        Ok(all.len() + state.listings.browsed.len())
    }

    /// What search indexes of every page, in the site model's order, and the numbers of the
    /// `changed` pages (source paths) in it; `None` when the site has no search.
    pub fn search_docs(&mut self, changed: &[String]) -> Option<(Docs, Vec<usize>)> {
        let state = self.state.as_deref_mut()?;
        if !state.searched {
            return None;
        }
        let numbers = changed.iter().filter_map(|rel| state.site.by_source.get(rel).copied()).collect();
        Some((state.search_docs(), numbers))
    }
}

/// Test hook, in debug builds only: with `LORE_TEST_HOLD_FIRST=DIR` in the environment, the
/// first build waits (at most 20 s) before it reads the site model until `DIR/read` exists,
/// and after publishing it until `DIR/write` exists. The tests of requests answered during the
/// first build need it to last as long as they take.
#[cfg(debug_assertions)]
fn hold_for_tests(step: &str) {
    let Some(dir) = std::env::var_os("LORE_TEST_HOLD_FIRST") else { return };
    let release = Path::new(&dir).join(step);
    let start = Instant::now();
    while !release.exists() && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Pages written between checks for another change while [`Live::finish`] rewrites a site.
const FINISH_CHUNK: usize = 128;

/// What other pages show of a page: navigation, listings, neighbours and breadcrumbs use the
/// title, kind and front matter. When it changes, every page may change (the site model is
/// built again). Decision records written for adr-tools or MADR 2 keep their status and links
/// in the body, so for them what the body says of those is part of the shape; for runbooks,
/// whether a Mitigation section exists (a warning).
#[derive(Debug, PartialEq)]
struct Shape<'a> {
    title: &'a str,
    kind: Kind,
    meta: &'a crate::content::Meta,
    adr: Option<(crate::content::adr::Adr, Vec<Diagnostic>)>,
    mitigation: Option<bool>,
}

impl<'a> Shape<'a> {
    fn of(page: &'a Page, config: &SiteConfig) -> Self {
        let adr = (page.kind == Kind::Adr).then(|| crate::content::adr::read(page, &config.adr_statuses));
        let mitigation = (page.kind == Kind::Runbook).then(|| {
            page.body().lines().any(|l| l.starts_with('#') && l.to_ascii_lowercase().contains("mitigation"))
        });
        Self { title: &page.title, kind: page.kind, meta: &page.meta, adr, mitigation }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 14: each kind of edit is classified as the change it is.
    #[test]
    fn issue_14_edits_are_classified() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        let write = |rel: &str, text: &str| {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write("book.toml", "[book]\ntitle = \"T\"\n");
        write("src/a.md", "# Alpha\n\nBody.\n");
        write("src/runbooks/r.md", "---\nkind: runbook\nowner: sre\n---\n# R\n\n## Mitigation\n\nDo.\n");
        write("src/decisions/0001-x.md", "# 1. X\n\n## Status\n\nAccepted\n\n## Context\n\nC.\n");
        write("src/img.png", "png");
        let mut live = Live::new(&root, None, dir.path().join("serve")).unwrap();
        assert!(matches!(live.full(), Update::Rebuilt { .. }));
        let cases: [(&str, Option<&str>, Change); 9] = [
            ("a.md", Some("# Alpha\n\nAnother body.\n"), Change::Body),
            ("a.md", Some("# Beta\n\nBody.\n"), Change::Shape),
            ("a.md", Some("---\ntags: [x]\n---\n# Alpha\n\nBody.\n"), Change::Shape),
            (
                "runbooks/r.md",
                Some("---\nkind: runbook\nowner: sre\n---\n# R\n\n## Mitigation\n\nUndo.\n"),
                Change::Body,
            ),
            (
                "runbooks/r.md",
                Some("---\nkind: runbook\nowner: sre\n---\n# R\n\n## Steps\n\nDo.\n"),
                Change::Shape,
            ),
            (
                "decisions/0001-x.md",
                Some("# 1. X\n\n## Status\n\nSuperseded\n\n## Context\n\nC.\n"),
                Change::Shape,
            ),
            ("img.png", Some("png2"), Change::Asset),
            ("b.md", Some("# New\n"), Change::Pages),
            ("a.md", None, Change::Pages),
        ];
        for (rel, text, expected) in cases {
            let path = root.join("src").join(rel);
            let old = std::fs::read_to_string(&path).ok();
            match text {
                Some(text) => write(&format!("src/{rel}"), text),
                None => std::fs::remove_file(&path).unwrap(),
            }
            let batch = live.read(&BTreeSet::from([rel.to_owned()])).expect("no full build");
            assert_eq!(batch.change, expected, "{rel}: {text:?}");
            match old {
                Some(old) => write(&format!("src/{rel}"), &old),
                None => std::fs::remove_file(&path).unwrap(),
            }
        }
        // A file no page names, outside the site's assets: only a full build knows.
        write("src/new.png", "png");
        assert!(live.read(&BTreeSet::from(["new.png".to_owned()])).is_none());
    }
}
