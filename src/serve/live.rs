//! The site being served: the last good full build kept in memory, and incremental rebuilds of
//! the pages a change affects.
//!
//! Every full build goes into a fresh folder `site-N` of the private folder and is swapped in
//! only when complete; an incremental rebuild writes each file beside its old version and
//! renames it over, so a request never sees a half-written file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::build::{self, BuildOptions, Kept};
use crate::content::{Page, SourceFile};
use crate::diag::{self, Diagnostic};
use crate::error::Error;
use crate::markdown::{self, Highlighter};
use crate::search::PageDoc;
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
        /// Pages (by number) written again by an incremental rebuild; empty after a full one.
        changed: Vec<usize>,
        /// Warnings of the whole site.
        warnings: Vec<Diagnostic>,
        /// Wall time.
        elapsed: Duration,
    },
    /// The rebuild failed; the last good site is still served.
    Failed(Error),
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
    kept: Option<Box<Kept>>,
    /// Pages that failed to parse in an incremental rebuild, with their errors: retried with
    /// every later incremental rebuild.
    broken: BTreeMap<String, Vec<Diagnostic>>,
    /// Pages rendered again by a failed incremental rebuild, written by the next good one.
    unwritten: BTreeSet<usize>,
    /// The site model changed since the last write: every page and listing is written again.
    rewrite_all: bool,
    /// Pages were added or removed since search was last updated: page numbers moved.
    renumbered: bool,
    /// URLs of removed pages whose files the next good write removes.
    gone: Vec<String>,
    /// The last rebuild failed.
    failing: bool,
    /// Pages that use `{{#…}}` includes (scanning 10,000 pages for them on every edit is slow).
    including: BTreeSet<usize>,
}

impl Live {
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
            ..BuildOptions::default()
        };
        Ok(Self {
            options,
            base,
            dir,
            previous: None,
            builds: 0,
            kept: None,
            broken: BTreeMap::new(),
            unwritten: BTreeSet::new(),
            rewrite_all: false,
            renumbered: false,
            gone: Vec::new(),
            failing: false,
            including: BTreeSet::new(),
        })
    }

    /// The folder to serve.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The config of the last good build.
    pub fn config(&self) -> Option<&crate::config::SiteConfig> {
        self.kept.as_ref().map(|k| &k.config)
    }

    /// Stylesheets of the last good build, site-relative.
    pub fn stylesheets(&self) -> Vec<String> {
        self.kept.as_ref().map(|k| k.css.clone()).unwrap_or_default()
    }

    /// Whether `rel` (a path in the source folder) is a page or asset of the current site that
    /// still exists: a change to it is an edit, not an add, delete or rename.
    pub fn knows(&self, rel: &str) -> bool {
        let Some(kept) = &self.kept else { return false };
        let site = &kept.site;
        let path = kept.config.src.join(rel);
        let known = site.by_source.contains_key(rel)
            || self.broken.contains_key(rel)
            || site.assets.iter().any(|a| a.rel == rel);
        known && path.is_file()
    }

    /// Rebuilds everything into a new folder and swaps it in.
    pub fn full(&mut self) -> Update {
        let start = Instant::now();
        self.builds += 1;
        let dir = self.base.join(format!("site-{}", self.builds));
        let options = BuildOptions { out_dir: Some(dir.clone()), ..self.options.clone() };
        match build::build(&options, None) {
            Ok(out) => {
                self.kept = out.kept;
                self.including = self.kept.as_ref().map(|k| including(k)).unwrap_or_default();
                self.broken.clear();
                self.unwritten.clear();
                self.rewrite_all = false;
                self.renumbered = false;
                self.gone.clear();
                self.failing = false;
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
                    warnings: out.warnings,
                    elapsed: start.elapsed(),
                }
            }
            Err(e) => {
                self.failing = true;
                Update::Failed(e)
            }
        }
    }

    /// Rebuilds after edits of existing files (paths in the source folder): each page again,
    /// and the pages that include a changed file. When an edit changes what other pages show
    /// of a page (title, kind, front matter), the site model is built again from the kept pages
    /// and every page and listing is written again, without reading or rendering the other
    /// pages' markdown; pages added or deleted do the same after renumbering what is kept.
    /// Falls back to a full rebuild when a page becomes a draft, an added page does not parse
    /// or takes a URL in use, an asset is added or deleted, or the last full build failed.
    ///
    /// `viewed` are the site-relative URLs open tabs show: after a change of the site model,
    /// they and the edited pages are written before this returns (the reload can go out), and
    /// [`Live::finish`] writes the rest.
    pub fn files(&mut self, rels: &BTreeSet<String>, viewed: &[String]) -> Update {
        let start = Instant::now();
        let Some(kept) = self.kept.as_deref() else { return self.full() };
        if self.failing && self.broken.is_empty() && self.unwritten.is_empty() {
            // The last failure came from a full build: only a full build can clear it.
            return self.full();
        }
        let mut rels = rels.clone();
        rels.extend(self.broken.keys().cloned());
        let mut targets: BTreeSet<usize> = BTreeSet::new();
        let mut reshaped = false;
        let mut loaded: Vec<(usize, Page, Vec<Diagnostic>)> = Vec::new();
        let mut copies: Vec<String> = Vec::new();
        let mut parse_errors: BTreeMap<String, Vec<Diagnostic>> = BTreeMap::new();
        let mut added: Vec<(Page, Vec<Diagnostic>)> = Vec::new();
        let mut removed: BTreeSet<usize> = BTreeSet::new();
        for rel in &rels {
            let path = kept.config.src.join(rel);
            let is_page = rel.to_ascii_lowercase().ends_with(".md");
            if let Some(&i) = kept.site.by_source.get(rel) {
                let old = &kept.site.pages[i];
                if !path.is_file() {
                    removed.insert(i);
                    continue;
                }
                match Page::load(&old.source, &kept.config) {
                    Ok((page, warnings)) => {
                        reshaped |= shape(&page, &kept.config) != shape(old, &kept.config);
                        loaded.push((i, page, warnings));
                        targets.insert(i);
                    }
                    Err(errors) => {
                        parse_errors.insert(rel.clone(), errors);
                    }
                }
            } else if kept.site.assets.iter().any(|a| &a.rel == rel) {
                copies.push(rel.clone());
            } else if is_page && path.is_file() && !crate::content::is_discovered(&path) {
                // Ignored by a `.gitignore`: not part of the site, as in a full build.
                continue;
            } else if is_page && path.is_file() && !self.broken.contains_key(rel) {
                let source = SourceFile { shown: crate::config::display_path(&path), path, rel: rel.clone() };
                match Page::load(&source, &kept.config) {
                    Ok(page) => added.push(page),
                    // A full build reports it with everything else.
                    Err(_) => return self.full(),
                }
            } else if is_page && !path.is_file() {
                // Came and went, or a page that never parsed was deleted.
                continue;
            } else if !self.broken.contains_key(rel) {
                return self.full();
            }
            targets.extend(includers(kept, &self.including, rel));
        }
        if targets.is_empty()
            && copies.is_empty()
            && added.is_empty()
            && removed.is_empty()
            && parse_errors.is_empty()
        {
            // Only files outside the site changed (ignored, or gone before they were read).
            return Update::Nothing;
        }
        let Some(kept) = self.kept.as_deref_mut() else { return Update::Nothing };
        for (i, page, warnings) in loaded {
            if page.text.contains("{{#") {
                self.including.insert(i);
            } else {
                self.including.remove(&i);
            }
            let shown = page.source.shown.clone();
            kept.other_diags.retain(|d| d.span.as_ref().is_none_or(|s| s.path != shown));
            kept.other_diags.extend(warnings);
            kept.site.pages[i] = page;
        }
        if !added.is_empty() || !removed.is_empty() {
            // Pages came or went: numbers shift, navigation and listings change everywhere.
            match self.restructure(added, &removed, &targets) {
                Ok(Some(renumbered)) => targets = renumbered,
                Ok(None) => return self.full(),
                Err(e) => {
                    self.failing = true;
                    return Update::Failed(e);
                }
            }
        } else if reshaped {
            // What other pages show of these changed: the site model again, then every page.
            match build::remodel(kept, self.options.today.as_deref()) {
                Ok(true) => {}
                Ok(false) => return self.full(),
                Err(e) => {
                    self.failing = true;
                    return Update::Failed(e);
                }
            }
            self.rewrite_all = true;
        }
        let Some(kept) = self.kept.as_deref_mut() else { return Update::Nothing };
        let config = &kept.config;
        let rendered: Vec<(usize, markdown::Rendered)> = targets
            .par_iter()
            .map(|&i| (i, markdown::render(i, &kept.site, &kept.highlighter, config.broken_links_are_errors)))
            .collect();
        for (i, mut r) in rendered {
            kept.ids.insert(i, std::mem::take(&mut r.ids));
            kept.anchor_refs[i] = std::mem::take(&mut r.anchor_refs);
            kept.page_diags[i] = std::mem::take(&mut r.diagnostics);
            kept.rendered[i] = r;
        }
        self.unwritten.extend(targets.iter().copied());
        let mut diags = kept.other_diags.clone();
        diags.extend(kept.site_diags.iter().cloned());
        diags.extend(parse_errors.values().flatten().cloned());
        diags.extend(kept.page_diags.iter().flatten().cloned());
        let refs: Vec<_> = kept.anchor_refs.iter().flatten().cloned().collect();
        diags.extend(markdown::links::check_anchors(
            &refs,
            &kept.ids,
            &kept.site,
            config.broken_links_are_errors,
        ));
        diag::sort(&mut diags);
        self.broken = parse_errors;
        if diags.iter().any(Diagnostic::is_error) {
            self.failing = true;
            return Update::Failed(Error::Diagnostics(diags));
        }
        let rendered: Vec<usize> = targets.into_iter().collect();
        match self.write(&copies, viewed) {
            Ok(written) => {
                self.failing = false;
                Update::Rebuilt {
                    pages: written,
                    full: false,
                    changed: rendered,
                    warnings: diags,
                    elapsed: start.elapsed(),
                }
            }
            Err(e) => {
                self.failing = true;
                Update::Failed(e)
            }
        }
    }

    /// Pages were added (loaded, with their warnings) or removed (by number): renumbers what is
    /// kept of every page and builds the site model again; the removed pages' files go with the
    /// next good write. Returns the new numbers of `targets`, with the added pages and the pages that may link
    /// to an added or removed one (they name its file), all to render again; `None` when only a
    /// full build will do.
    fn restructure(
        &mut self,
        added: Vec<(Page, Vec<Diagnostic>)>,
        removed: &BTreeSet<usize>,
        targets: &BTreeSet<usize>,
    ) -> Result<Option<BTreeSet<usize>>, Error> {
        let Some(kept) = self.kept.as_deref_mut() else { return Ok(None) };
        let old_len = kept.site.pages.len();
        let mut names: Vec<String> = Vec::new();
        let mut name_of = |rel: &str| names.push(rel.rsplit('/').next().unwrap_or(rel).to_owned());
        let gone: Vec<String> = removed.iter().map(|&i| kept.site.urls[i].clone()).collect();
        for &i in removed {
            let shown = &kept.site.pages[i].source.shown;
            kept.other_diags.retain(|d| d.span.as_ref().is_none_or(|s| &s.path != shown));
            name_of(&kept.site.pages[i].source.rel);
        }
        let mut entries: Vec<(Option<usize>, Page)> = std::mem::take(&mut kept.site.pages)
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !removed.contains(i))
            .map(|(i, p)| (Some(i), p))
            .collect();
        for (page, warnings) in added {
            name_of(&page.source.rel);
            kept.other_diags.extend(warnings);
            entries.push((None, page));
        }
        // The order `lore build` reads pages in.
        entries.sort_by(|a, b| a.1.source.rel.cmp(&b.1.source.rel));
        let mut new_of_old: Vec<Option<usize>> = vec![None; old_len];
        let mut fresh = BTreeSet::new();
        for (j, (old, _)) in entries.iter().enumerate() {
            match old {
                Some(i) => new_of_old[*i] = Some(j),
                None => {
                    fresh.insert(j);
                }
            }
        }
        let n = entries.len();
        kept.site.pages = entries.into_iter().map(|(_, p)| p).collect();
        let at = |i: usize| new_of_old.get(i).copied().flatten();
        kept.rendered = renumber(std::mem::take(&mut kept.rendered), &new_of_old, n);
        kept.page_diags = renumber(std::mem::take(&mut kept.page_diags), &new_of_old, n);
        kept.anchor_refs = renumber(std::mem::take(&mut kept.anchor_refs), &new_of_old, n);
        for refs in &mut kept.anchor_refs {
            refs.retain_mut(|r| at(r.page).map(|j| r.page = j).is_some());
        }
        kept.ids =
            std::mem::take(&mut kept.ids).into_iter().filter_map(|(i, ids)| Some((at(i)?, ids))).collect();
        if !kept.search_docs.is_empty() {
            let docs = std::mem::take(Arc::make_mut(&mut kept.search_docs));
            kept.search_docs = Arc::new(renumber(docs, &new_of_old, n));
        }
        self.including = self.including.iter().filter_map(|&i| at(i)).collect();
        self.unwritten = self.unwritten.iter().filter_map(|&i| at(i)).collect();
        if !build::remodel(kept, self.options.today.as_deref())? {
            return Ok(None);
        }
        // Their files go with the next good write.
        self.gone.extend(gone.into_iter().filter(|u| kept.site.by_url(u).is_none()));
        let pages = &kept.site.pages;
        let linking: Vec<usize> = (0..n)
            .into_par_iter()
            .filter(|&j| names.iter().any(|name| pages[j].text.contains(name.as_str())))
            .collect();
        for &j in &fresh {
            if pages[j].text.contains("{{#") {
                self.including.insert(j);
            }
        }
        self.rewrite_all = true;
        self.renumbered = true;
        Ok(Some(targets.iter().filter_map(|&i| at(i)).chain(fresh).chain(linking).collect()))
    }

    /// After a rebuild panicked half-way: what is kept may be inconsistent, so the next
    /// change builds everything again (the folder served is left as it was).
    pub fn after_panic(&mut self) {
        self.failing = true;
        self.broken.clear();
        self.unwritten.clear();
        self.rewrite_all = false;
        self.gone.clear();
    }

    /// Whether page numbers changed since the last call (pages added or removed): search must
    /// index every page again rather than replace some.
    pub fn take_renumbered(&mut self) -> bool {
        std::mem::take(&mut self.renumbered)
    }

    /// Writes the pages rendered since the last write (and, after a change of the site model,
    /// the pages and listings open tabs show), and copies `copies`; returns how many pages were
    /// written.
    fn write(&mut self, copies: &[String], viewed: &[String]) -> Result<usize, Error> {
        let mut listings = 0;
        if self.rewrite_all {
            // A tab on a generated page (an owner, a tag, the dashboard) sees it current too.
            let Some(kept) = self.kept.as_deref_mut() else { return Ok(0) };
            if viewed.iter().any(|url| kept.site.by_url(url).is_none()) {
                build::rewrite_listings(kept, &self.dir)?;
                listings = kept.generated.len();
            }
        }
        let Some(kept) = self.kept.as_ref() else { return Ok(0) };
        let mut targets: Vec<Target> = self.unwritten.iter().map(|&i| Target::Page(i)).collect();
        if self.rewrite_all {
            targets.extend(viewed.iter().filter_map(|url| kept.site.by_url(url)));
            targets.sort();
            targets.dedup();
        }
        self.write_targets(&targets)?;
        for url in std::mem::take(&mut self.gone) {
            let _ = std::fs::remove_file(self.dir.join(url).join("index.html"));
        }
        for rel in copies {
            let bytes = crate::fs::read(&kept.config.src.join(rel))?;
            crate::output::replace(&self.dir, rel, &bytes)?;
        }
        self.unwritten.clear();
        Ok(targets.len() + listings)
    }

    /// Renders `targets` (pages and folder listings) through their templates and writes each
    /// over its old version.
    fn write_targets(&self, targets: &[Target]) -> Result<(), Error> {
        let Some(kept) = self.kept.as_ref() else { return Ok(()) };
        let inputs = kept.inputs();
        targets.par_iter().try_for_each(|&target| {
            let html = match target {
                Target::Page(i) => {
                    kept.templates.render("page.html", &inputs.view(target, Some(&kept.rendered[i])))
                }
                Target::Section(_) => kept.templates.render("section.html", &inputs.view(target, None)),
            }?;
            crate::output::replace(
                &self.dir,
                &format!("{}index.html", kept.site.url(target)),
                html.as_bytes(),
            )
        })
    }

    /// After a change of the site model, writes every page, listing and generated page that
    /// [`Live::files`] left for later, a few hundred at a time; stops early, leaving the rest
    /// to the next call, as soon as `interrupted` says another change is waiting. Returns how
    /// many were written. A failure leaves the site to a full rebuild at the next change.
    pub fn finish(&mut self, interrupted: &mut dyn FnMut() -> bool) -> Result<usize, Error> {
        if !self.rewrite_all {
            return Ok(0);
        }
        let Some(kept) = self.kept.as_deref() else { return Ok(0) };
        let all: Vec<Target> = (0..kept.site.pages.len())
            .map(Target::Page)
            .chain((0..kept.site.sections.len()).map(Target::Section))
            .collect();
        let fail = |live: &mut Self, e: Error| {
            live.failing = true;
            live.unwritten.clear();
            live.rewrite_all = false;
            Err(e)
        };
        for chunk in all.chunks(FINISH_CHUNK) {
            if interrupted() {
                return Ok(0);
            }
            if let Err(e) = self.write_targets(chunk) {
                return fail(self, e);
            }
        }
        let Some(kept) = self.kept.as_deref_mut() else { return Ok(0) };
        if let Err(e) = build::rewrite_listings(kept, &self.dir) {
            return fail(self, e);
        }
        self.rewrite_all = false;
        Ok(all.len() + kept.generated.len())
    }

    /// What search indexes of every page, the pages `changed` collected again from their new
    /// rendering; `None` when the site has no search. Cheap to call while an earlier copy is
    /// still being exported: only then are the pages copied.
    pub fn search_docs(&mut self, changed: &[usize]) -> Option<Arc<Vec<PageDoc>>> {
        let kept = self.kept.as_deref_mut()?;
        if kept.search_docs.is_empty() {
            return None;
        }
        let docs = Arc::make_mut(&mut kept.search_docs);
        for &i in changed {
            if let (Some(doc), Some(r)) = (docs.get_mut(i), kept.rendered.get(i)) {
                *doc = crate::search::collect_page(&kept.site, i, r);
            }
        }
        Some(kept.search_docs.clone())
    }
}

/// `old` (one item per old page number) moved to the new numbers; new pages get defaults.
fn renumber<T: Default>(old: Vec<T>, new_of_old: &[Option<usize>], n: usize) -> Vec<T> {
    let mut out: Vec<T> = std::iter::repeat_with(T::default).take(n).collect();
    for (i, item) in old.into_iter().enumerate() {
        if let Some(j) = new_of_old.get(i).copied().flatten() {
            out[j] = item;
        }
    }
    out
}

/// Pages written between checks for another change while [`Live::finish`] rewrites a site.
const FINISH_CHUNK: usize = 128;

/// What other pages show of a page: navigation, listings, neighbours and breadcrumbs use the
/// title, kind and front matter. When it changes, every page may change (the site model is
/// built again). Decision records written for adr-tools or MADR 2 keep their status and links
/// in the body, so for them what the body says of those is part of the shape; for runbooks,
/// whether a Mitigation section exists (a warning).
fn shape(page: &Page, config: &crate::config::SiteConfig) -> String {
    let body = match page.kind {
        crate::content::Kind::Adr => format!("{:?}", crate::content::adr::read(page, &config.adr_statuses)),
        crate::content::Kind::Runbook => {
            let mitigation = page
                .body()
                .lines()
                .any(|l| l.starts_with('#') && l.to_ascii_lowercase().contains("mitigation"));
            mitigation.to_string()
        }
        _ => String::new(),
    };
    format!("{:?}\u{0}{:?}\u{0}{:?}\u{0}{body}", page.title, page.kind, page.meta)
}

/// Pages that use includes.
fn including(kept: &Kept) -> BTreeSet<usize> {
    let pages = &kept.site.pages;
    (0..pages.len())
        .into_par_iter()
        .filter(|&i| pages[i].text.contains("{{#"))
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

/// Pages that may include `rel` with `{{#include}}`: those mentioning its file name in an include.
fn includers(kept: &Kept, including: &BTreeSet<usize>, rel: &str) -> Vec<usize> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    including
        .iter()
        .copied()
        .filter(|&i| {
            let p = &kept.site.pages[i];
            p.source.rel != rel && p.text.contains(name)
        })
        .collect()
}
