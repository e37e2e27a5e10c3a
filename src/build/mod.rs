//! The orchestrator: `build` calls each stage in order and gathers every diagnostic.
//!
//! `config` → `content` → `site` → `markdown` (parallel) → anchor check → `templates`
//! (parallel) → `output`. `lore check` runs the same pipeline without the last step.
//!
//! The stages fill a [`State`]: the site model and one record per page, keyed by source path.
//! `build` is "render all, check, write all"; `lore serve` keeps the state and asks it again
//! for the pages a change affects (see `serve`'s `Change`).

pub mod cache;
pub mod state;
pub mod steps;
pub mod views;
pub mod write;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::markdown::Highlighter;
use crate::output::{self, Staging};
use crate::report::FreshnessReport;
use crate::site;
use crate::templates::Templates;
pub use state::{Record, State, Theme};
use write::{Listings, Sink};

/// Reports progress as (pages done, pages in all).
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// What to build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The project root (the folder holding `book.toml`).
    pub root: PathBuf,
    /// An explicit config file instead of `<root>/book.toml`.
    pub config_file: Option<PathBuf>,
    /// Write the site (`build`) or only check (`check`).
    pub write: bool,
    /// Make unknown front-matter keys errors, whatever the config says.
    pub strict: bool,
    /// Write into this folder instead of the configured build folder (`serve` writes into a
    /// private folder and never touches the user's).
    pub out_dir: Option<PathBuf>,
    /// Keep the build state in [`BuildOutput::state`] for incremental rebuilds.
    pub keep: bool,
    /// A highlighter to reuse, with its cache of highlighted blocks (`serve` keeps one).
    pub highlighter: Option<Arc<Highlighter>>,
    /// `--today YYYY-MM-DD`: the day freshness is computed for (else `SOURCE_DATE_EPOCH`,
    /// else the real date).
    pub today: Option<String>,
    /// Reuse and keep renderings in `.lore/cache/` (unless `[build] cache = false`); `check`
    /// reads the cache but never writes it.
    pub cache: bool,
    /// Told once when the cache on disk could not be used (it is then rendered anew).
    pub note: Option<fn(&str)>,
    /// Write no search index: pages link the searcher and name the head, which the caller
    /// exports later (`lore serve` answers pages first and makes search behind them).
    pub defer_search: bool,
    /// `check --fail-on`: overrides `[freshness] fail-on` (alert rules are checked against it).
    pub fail_on: Option<crate::config::FailOn>,
    /// Content errors do not stop the build (`lore serve`, `lore build --keep-going`): every
    /// page that can be rendered is written, and the errors come back in
    /// [`BuildOutput::diagnostics`]. Configuration and theme errors still stop it.
    pub keep_going: bool,
    /// `--require-all-sites`: a portal site that cannot be read fails the build.
    pub require_all_sites: bool,
}

/// What a successful build did.
#[derive(Debug)]
pub struct BuildOutput {
    /// HTML pages produced (pages and generated listings).
    pub pages: usize,
    /// Where the site was written.
    pub build_dir: PathBuf,
    /// Every diagnostic of the run: warnings, and errors only when [`BuildOptions::keep_going`].
    pub diagnostics: Vec<Diagnostic>,
    /// Wall time.
    pub elapsed: Duration,
    /// Wall time of each stage, in order.
    pub stages: Vec<(&'static str, Duration)>,
    /// Files copied from the source folder.
    pub copied: usize,
    /// What `--verbose` reports besides stage times (code blocks left unhighlighted).
    pub notes: Vec<String>,
    /// Every page's freshness.
    pub freshness: FreshnessReport,
    /// The build state, when [`BuildOptions::keep`] asked for it.
    pub state: Option<Box<State>>,
}

/// Builds (or checks) the site: render every page, check, write every page. Errors carry every
/// diagnostic of the run, warnings included.
pub fn build(options: &BuildOptions, progress: Option<Progress<'_>>) -> Result<BuildOutput, Error> {
    let start = Instant::now();
    let mut stages = Stages::new();
    let mut state = model(options, &mut stages)?;
    let mut report = FreshnessReport::new(&state.site, &state.config.freshness, state.today);
    let mut portal =
        state.config.portal.as_ref().map(|c| crate::portal::load(c, state.today, options.require_all_sites));
    if let (Some(portal), Some(config), false) = (&mut portal, &state.config.portal, options.write) {
        // `check` merges nothing: it decodes every site's search statistics to report them.
        portal.decode_search(config, options.require_all_sites);
    }
    if options.cache && state.config.cache {
        state.cache = Some(cache::Cache::open(&state.config, options.write));
    }
    let mut notes = state.render_all(progress);
    let mut diags = state.check([]);
    if let (Some(portal), Some(config)) = (&portal, &state.config.portal) {
        diags.extend(portal.diagnostics(config));
        crate::diag::sort(&mut diags);
        report = portal.report(&report);
    }
    let cache_note =
        if options.write { state.save_cache()? } else { state.cache.take().and_then(|c| c.note()) };
    if let (Some(note), Some(tell)) = (cache_note, options.note) {
        tell(&note);
    }
    stages.done("render markdown and check links");
    if !options.keep_going && diags.iter().any(Diagnostic::is_error) {
        return Err(Error::Diagnostics(diags));
    }
    if !options.keep {
        // Rendered and checked: the markdown (about 95 MB at 10,000 pages) is not read again.
        state.site.pages.iter_mut().for_each(crate::content::Page::forget_text);
    }
    let mut assets = write::theme_assets(&state.config)?;
    state.theme.css = std::mem::take(&mut assets.css);
    state.theme.js = std::mem::take(&mut assets.js);
    if let Some(diagrams) = write::diagram_assets(&state.config)? {
        state.theme.diagrams = Some(diagrams.script);
        // Only a site with a diagram gets the script (3.5 MB), and only its pages load it.
        if state.has_diagrams() {
            assets.files.extend(diagrams.files);
            state.theme.diagrams_written = AtomicBool::new(true);
        }
    }
    let search_diags =
        write_search(&mut state, &mut assets.files, options, portal.as_mut(), &mut stages, &mut notes)?;
    if !search_diags.is_empty() {
        diags.extend(search_diags);
        crate::diag::sort(&mut diags);
        if !options.keep_going && diags.iter().any(Diagnostic::is_error) {
            return Err(Error::Diagnostics(diags));
        }
    }
    // `lore build` with the cache: pages whose template input is unchanged are linked from the
    // last site (`lore serve` builds into a fresh folder each time: nothing to link from).
    let views_path = cache::dir(&state.config.root).join("views.bin");
    if options.write && options.cache && state.config.cache && !options.keep {
        state.theme.views = Some(views::Views::open(&views_path));
    }
    let kept = cache::dir(&state.config.root).join("site");
    let linked_from = state.theme.views.is_some().then_some(kept.as_path());
    let copied = write_site(&mut state, assets, options, linked_from, portal.as_ref().map(|p| (p, &report)))?;
    if let Some(views) = &state.theme.views {
        crate::fs::create_dir_all(&cache::dir(&state.config.root))?;
        // Builds of one project started together take turns to write the cache.
        let _lock = crate::search::index::lock(&crate::search::index_dir(&state.config))?;
        views.keep_site(&state.config.build_dir, &kept)?;
        views.save(&views_path)?;
        let files = state.site.pages.len() + state.site.sections.len();
        notes.insert(
            1.min(notes.len()),
            format!("{} of {files} pages linked from the last build unchanged", views.linked()),
        );
    }
    stages.done(if options.write { "apply templates and write" } else { "apply templates" });
    Ok(BuildOutput {
        pages: state.site.pages.len() + state.site.sections.len(),
        build_dir: state.config.build_dir.clone(),
        diagnostics: diags,
        elapsed: start.elapsed(),
        stages: stages.list,
        copied,
        notes,
        freshness: report,
        state: options.keep.then(|| Box::new(state)),
    })
}

/// The search indexes (only when writing: `check` has nothing to search), their files added
/// to `files`. A portal's pages enter the merge of its sites' search as one more site, and the
/// merged index replaces the portal's own (one search box over everything); when no site is
/// searchable the portal keeps its own. Returns what the merge reports of the sites.
fn write_search(
    state: &mut State,
    files: &mut Vec<(String, Vec<u8>)>,
    options: &BuildOptions,
    portal: Option<&mut crate::portal::Portal>,
    stages: &mut Stages,
    notes: &mut Vec<String>,
) -> Result<Vec<Diagnostic>, Error> {
    let head = crate::search::browser::HEAD;
    if state.searched && options.defer_search {
        state.theme.search = Some(write::search_links(&state.config, head, files)?);
        return Ok(Vec::new());
    }
    // The last build's compressed search files, reused when their bytes come again.
    let memo = (options.cache && state.config.cache).then(|| cache::dir(&state.config.root).join("gzip.bin"));
    let gz = Arc::new(
        memo.as_deref().map_or_else(crate::search::gzip::Gzip::plain, crate::search::gzip::Gzip::open),
    );
    let mut own = if state.searched {
        Some(index_search(state, files, options.keep, memo.is_some(), &gz, stages)?)
    } else {
        None
    };
    if let Some(own) = &own {
        index_note(state, own.updated, options.note, notes);
    }
    let mut diags = Vec::new();
    if let (Some(portal), Some(config), true) =
        (portal, &state.config.portal, options.write && !options.defer_search)
    {
        let name = crate::portal::search::own_name(portal, &state.config.title);
        let own_stats = own.as_mut().and_then(|o| o.stats.take());
        let own_site =
            own_stats.map(|stats| crate::search::merge::SiteSearch { name, base: String::new(), stats });
        let merged = crate::portal::search::merge_sites(portal, config, own_site, options.require_all_sites)?;
        // The sites' statistics (13 MB a site, compressed) and the merge's working memory are
        // free: handed back before the organisation's pages render.
        crate::memory::release_free();
        diags = merged.diagnostics;
        if let Some(merged) = merged.files {
            if state.theme.search.is_none() {
                state.theme.search = Some(write::search_links(&state.config, head, files)?);
            }
            // The merged head replaces the portal's own: none of its own index's files is written.
            own = None;
            files.extend(merged);
            stages.done("search: the organisation's merged index");
        }
    }
    let made = own.map_or(0, |own| {
        let made = own.bundle.len();
        files.extend(own.bundle);
        made
    });
    if let Some(path) = &memo
        && state.searched
    {
        crate::fs::create_dir_all(&cache::dir(&state.config.root))?;
        // Builds of one project started together take turns to write the cache.
        let _lock = crate::search::index::lock(&crate::search::index_dir(&state.config))?;
        gz.save(path, files)?;
        notes.insert(
            1.min(notes.len()),
            format!("{} of {made} search files reused from the build cache", gz.reused()),
        );
    }
    Ok(diags)
}

/// Tells how the tantivy index was brought up to date: `--verbose` counts the pages indexed
/// again; an index found damaged is noted.
fn index_note(
    state: &State,
    updated: crate::search::index::Updated,
    note: Option<fn(&str)>,
    notes: &mut Vec<String>,
) {
    match updated {
        crate::search::index::Updated::Replaced(n) => {
            let pages = state.site.pages.len();
            notes.push(format!("{n} of {pages} pages indexed again, the rest kept in the search index"));
        }
        crate::search::index::Updated::Damaged => {
            if let Some(tell) = note {
                let dir = crate::config::display_path(&crate::search::index_dir(&state.config));
                tell(&format!(
                    "the search index `{}` does not match what the last build left (damaged, or changed since); it was written anew",
                    dir.display()
                ));
            }
        }
        crate::search::index::Updated::Afresh => {}
    }
}

/// The portal's own browser index, before a merge may replace it.
struct OwnSearch {
    /// The browser index's files.
    bundle: Vec<(String, Vec<u8>)>,
    /// The search statistics, kept in memory for a portal's merge.
    stats: Option<Vec<u8>>,
    /// How the tantivy index was brought up to date.
    updated: crate::search::index::Updated,
}

/// Writes the tantivy index and exports the browser index (returned, not yet in `files`); the
/// state's theme links the searcher. The statistics are written when `search-stats` asks for
/// them, and kept in memory for a portal's merge. Unless `keep`, the records let go of their
/// search documents.
fn index_search(
    state: &mut State,
    files: &mut Vec<(String, Vec<u8>)>,
    keep: bool,
    reuse: bool,
    gz: &Arc<crate::search::gzip::Gzip>,
    stages: &mut Stages,
) -> Result<OwnSearch, Error> {
    let docs = state.search_docs();
    if !keep {
        state.forget_search();
    }
    let dir = crate::search::index_dir(&state.config);
    let _lock = crate::search::index::lock(&dir)?;
    let (index, updated) = if reuse {
        let memo = cache::dir(&state.config.root).join("words.bin");
        crate::search::index::update(&docs, &dir, Some(&memo))?
    } else {
        (crate::search::index::write(&docs, &dir)?, crate::search::index::Updated::Afresh)
    };
    stages.done("search: tantivy index");
    let stats_wanted = state.config.search_stats || state.config.portal.is_some();
    let (bundle, stats) = {
        // The last build's compressed files, reused when their bytes come again.
        let _memo = crate::search::gzip::install(gz.clone());
        // The statistics a portal's merged search reads: only when asked for (they held about
        // 280 MiB more at 10,000 pages).
        rayon::join(
            || crate::search::browser::export(&docs, &index),
            || stats_wanted.then(|| stats_file(&docs, &index)).transpose(),
        )
    };
    let mut bundle = bundle?;
    let stats = stats?;
    state.search_manifest = None;
    if let Some((bytes, info)) = &stats
        && state.config.search_stats
    {
        files.push((crate::search::stats::STATS.to_owned(), bytes.clone()));
        state.search_manifest = Some(info.manifest());
    }
    crate::fs::write(&dir.join("words.tsv"), bundle.words.as_bytes())?;
    // Pages name the head by a fixed name (the searcher revalidates it), so a page whose own
    // content did not change keeps its bytes when the index changes.
    for (rel, _) in bundle.files.iter_mut().filter(|(rel, _)| *rel == bundle.head) {
        crate::search::browser::HEAD.clone_into(rel);
    }
    state.theme.search = Some(write::search_links(&state.config, crate::search::browser::HEAD, files)?);
    stages.done("search: browser index");
    Ok(OwnSearch { bundle: bundle.files, stats: stats.map(|(bytes, _)| bytes), updated })
}

/// The search statistics file of `docs` and the counts `lore-site.json` gives of it.
fn stats_file(
    docs: &[Arc<crate::search::PageDoc>],
    index: &crate::search::index::Written,
) -> Result<(Vec<u8>, crate::search::stats::Info), Error> {
    let stats = crate::search::stats::collect(docs, index)?;
    let info = crate::search::stats::Info {
        pages: stats.pages.len() as u64,
        sections: stats.norms.len() as u64,
        words: stats.words.len() as u64,
        terms: stats.terms.len() as u64,
    };
    Ok((crate::search::stats::encode(&stats)?, info))
}

/// Writes every page, listing and asset into a staging folder swapped in when complete (or,
/// for `check`, renders them and writes nothing); returns how many files were copied.
fn write_site(
    state: &mut State,
    mut assets: write::ThemeAssets,
    options: &BuildOptions,
    kept: Option<&Path>,
    portal: Option<(&crate::portal::Portal, &FreshnessReport)>,
) -> Result<usize, Error> {
    // `check` renders every template too (a template error is a build error) but writes nothing.
    let mut staging = if options.write { Some(Staging::create(&state.config.build_dir)?) } else { None };
    if let (Some(staging), Some(kept)) = (staging.as_mut(), kept) {
        staging.keep_from(kept);
    }
    let sink = Sink::Staging(staging.as_ref());
    // About 11,000 search files at 10,000 pages: written in parallel, as pages are. First, and
    // let go before the pages render: a portal's merged index over 100,000 pages is 350 MB.
    assets.files.par_iter().try_for_each(|(path, bytes)| sink.write(path, bytes))?;
    drop(std::mem::take(&mut assets.files));
    if portal.is_some() {
        crate::memory::release_free();
    }
    state.write_all(&sink, options.keep)?;
    let not_found = state.theme.templates.render("404.html", &state.inputs().not_found())?;
    sink.write("404.html", not_found.as_bytes())?;
    state.write_listings(&sink)?;
    if let Some((portal, report)) = portal {
        crate::portal::pages::write(
            portal,
            report,
            &state.inputs(),
            &state.theme.templates,
            &|rel, bytes| sink.write(rel, bytes),
        )?;
    }
    let copies = state.site.assets.iter().map(|a| (a.path.clone(), a.rel.clone())).chain(assets.copies);
    let copies: Vec<_> = copies.collect();
    copies.par_iter().try_for_each(|(from, rel)| sink.copy(from, rel))?;
    if let Some(staging) = staging {
        staging.commit()?;
    }
    Ok(copies.len())
}

/// The config, the pages and the site model, with nothing rendered yet.
fn model(options: &BuildOptions, stages: &mut Stages) -> Result<State, Error> {
    let mut config = SiteConfig::load(&options.root, options.config_file.as_deref())?;
    config.strict_front_matter |= options.strict;
    config.keep_going = options.keep_going;
    config.freshness.fail_on = options.fail_on.unwrap_or(config.freshness.fail_on);
    check_build_dir(&config)?;
    if options.write {
        // Fail before any work when the folder is not lore's to replace; the swap checks again.
        output::owner::resolve(options.out_dir.as_deref().unwrap_or(&config.build_dir))?;
    }
    let templates = Templates::load(&config.theme_dir)?;
    let mut input_diags = std::mem::take(&mut config.warnings);
    let content = crate::content::load(&config, &[&config.build_dir, &config.theme_dir]);
    if let Some(dir) = &options.out_dir {
        config.build_dir = dir.clone();
    }
    input_diags.extend(content.diagnostics.iter().cloned());
    stages.done("read and parse pages");
    let summary = if options.keep { content.summary.clone() } else { None };
    let (mut site, mut site_diags) = site::build(content, &config);
    let today = site::freshness::today(options.today.as_deref())?;
    site_diags.extend(site::freshness::apply(&mut site, &config, today));
    stages.done("site model, navigation and freshness");
    Ok(State {
        searched: options.write && !site.pages.is_empty(),
        docs: None,
        config,
        site,
        records: HashMap::new(),
        theme: Theme {
            templates,
            css: Vec::new(),
            js: Vec::new(),
            search: None,
            diagrams: None,
            diagrams_written: AtomicBool::new(false),
            views: None,
        },
        input_diags,
        site_diags,
        summary,
        today,
        listings: Listings::default(),
        highlighter: options.highlighter.clone().unwrap_or_else(|| {
            Arc::new(if options.keep { Highlighter::new() } else { Highlighter::without_cache() })
        }),
        cache: None,
        search_manifest: None,
    })
}

/// Stage timings for `--verbose`.
struct Stages {
    last: Instant,
    list: Vec<(&'static str, Duration)>,
}

impl Stages {
    fn new() -> Self {
        Self { last: Instant::now(), list: Vec::new() }
    }

    fn done(&mut self, name: &'static str) {
        let now = Instant::now();
        self.list.push((name, now - self.last));
        self.last = now;
    }
}

/// The build folder may not be, or contain, the project root, the source folder or the theme,
/// nor be, hold or sit inside a `.git` folder: swapping it would delete the user's files. (That
/// lore replaces only an empty folder or its own is checked when writing: `output::owner`.)
fn check_build_dir(config: &SiteConfig) -> Result<(), Error> {
    let build = absolute(&config.build_dir);
    let holds = |path: &Path| absolute(path).starts_with(&build);
    let shown = crate::config::display_path(&config.build_dir);
    let problem = if holds(&config.root) {
        Some("is the project root or contains it")
    } else if holds(&config.src) {
        Some("is the source folder or contains it")
    } else if holds(&config.theme_dir) {
        Some("is the theme folder or contains it")
    } else if holds(&crate::search::index_dir(config)) {
        Some("holds lore's search index")
    } else if build.components().any(|c| c.as_os_str() == ".git") {
        Some("is a `.git` folder or inside one")
    } else if std::fs::symlink_metadata(build.join(".git")).is_ok() {
        Some("holds a `.git` folder")
    } else {
        None
    };
    match problem {
        Some(what) => Err(Error::Usage(format!(
            "the build folder `{}` {what}; building would replace your files\n  = hint: set `build-dir` in `[build]` to a folder of its own, e.g. `book`",
            shown.display()
        ))),
        None => Ok(()),
    }
}

/// An absolute, normalised path, resolving symlinks for the part that exists.
fn absolute(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => absolute(parent).join(name),
        _ => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
    }
}
