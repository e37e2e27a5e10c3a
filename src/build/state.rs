//! The build state: the site model and one [`Record`] per page, keyed by the page's source
//! path. `lore build` makes one, renders every page, checks and writes it all; `lore serve`
//! keeps it and asks it again for the pages a change affects. A record never moves when pages
//! are added or removed: only the site model, built again as a whole, numbers pages.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;

use super::Progress;
use super::cache::Cache;
use super::write::{self, Listings, Sink};
use crate::config::SiteConfig;
use crate::content::SourceFile;
use crate::diag::{self, Diagnostic};
use crate::error::Error;
use crate::markdown::links::AnchorRef;
use crate::markdown::{self, Highlighter, Rendered};
use crate::report::FreshnessReport;
use crate::search::PageDoc;
use crate::site::{self, Site, Target};
use crate::templates::Templates;
use crate::templates::context::{PageView, SearchLinks};
use crate::templates::view::ViewInputs;

/// Pages rendered between two writes of new cache entries.
pub const RENDER_CHUNK: usize = 256;

/// What the build made of one page (the page itself is in [`Site::pages`]).
#[derive(Debug, Default)]
pub struct Record {
    /// The rendered body. `lore build` drops it once the page is written.
    pub body: Body,
    /// Every `id` of the body, for the anchor check.
    pub ids: HashSet<String>,
    /// Anchors this page links to in other pages (or itself), checked once all are rendered.
    pub anchor_refs: Vec<AnchorRef>,
    /// Problems found rendering the page.
    pub diagnostics: Vec<Diagnostic>,
    /// What search indexes of the page, when the site has search.
    pub search: Option<Arc<PageDoc>>,
    /// The page uses `{{#…}}` includes: a change to a file it names renders it again.
    pub includes: bool,
}

/// A page's rendered body as kept between rendering and writing: the HTML lz4-compressed (at
/// 10,000 pages the bodies are about 250 MB of HTML, which compresses about fivefold) and the
/// table of contents.
#[derive(Debug, Default)]
pub struct Body {
    /// The HTML, compressed, its length first.
    html: Vec<u8>,
    /// Headings of level 2 and 3.
    toc: Vec<markdown::TocEntry>,
    /// The body holds a diagram.
    pub diagrams: bool,
}

impl Body {
    #[cfg(test)]
    fn pack(rendered: Rendered) -> Self {
        Self {
            html: lz4_flex::compress_prepend_size(rendered.html.as_bytes()),
            toc: rendered.toc,
            diagrams: rendered.diagrams,
        }
    }

    /// The body as the templates take it, without its HTML (which [`Body::digest`] stands for).
    fn shell(&self) -> Rendered {
        Rendered { toc: self.toc.clone(), diagrams: self.diagrams, ..Rendered::default() }
    }

    /// xxh3-64 of the kept (compressed) HTML: the same HTML gives the same digest.
    fn digest(&self) -> u64 {
        xxhash_rust::xxh3::xxh3_64(&self.html)
    }

    /// The body as the templates take it.
    pub fn unpack(&self) -> Result<Rendered, Error> {
        let bytes = lz4_flex::decompress_size_prepended(&self.html)
            .map_err(|e| Error::Bug(format!("a page's kept body does not decompress: {e}")))?;
        let html = String::from_utf8(bytes)
            .map_err(|e| Error::Bug(format!("a page's kept body is not UTF-8: {e}")))?;
        Ok(Rendered { html, toc: self.toc.clone(), diagrams: self.diagrams, ..Rendered::default() })
    }
}

/// The theme a site is written with.
#[derive(Debug)]
pub struct Theme {
    /// Compiled templates.
    pub templates: Templates,
    /// Stylesheets, site-relative (hashed names).
    pub css: Vec<String>,
    /// Scripts, site-relative (hashed names).
    pub js: Vec<String>,
    /// The searcher's assets, linked from every page, once the index is written.
    pub search: Option<SearchLinks>,
    /// The diagram script (site-relative), loaded by the pages holding a diagram; `None` when
    /// `[output.html] mermaid` is off.
    pub diagrams: Option<String>,
    /// The diagram script is in the site folder (`lore serve` writes it once a page gains a
    /// diagram).
    pub diagrams_written: AtomicBool,
    /// The page memo (`lore build` with the cache): pages whose view is unchanged are linked
    /// from the last site instead of rendered.
    pub views: Option<super::views::Views>,
}

impl Theme {
    /// What the templates are rendered from, for `site`.
    fn inputs<'a>(&'a self, config: &'a SiteConfig, site: &'a Site) -> ViewInputs<'a> {
        ViewInputs {
            config,
            site,
            css: &self.css,
            js: &self.js,
            search: self.search.as_ref(),
            diagrams: self.diagrams.as_deref(),
            nav_digests: std::sync::OnceLock::new(),
        }
    }

    /// The template of `target` and its view; a page's view is made without its body's HTML,
    /// which is hashed compressed as it is kept and unpacked only when the page is rendered.
    /// Without `nav`, the view has no sidebar rows ([`ViewInputs::nav_key`] stands for them).
    fn template_view(
        inputs: &ViewInputs<'_>,
        target: Target,
        body: Option<&Body>,
        nav: bool,
    ) -> Result<(&'static str, PageView), Error> {
        let (template, mut view) = match (target, body) {
            (Target::Page(_), Some(body)) => ("page.html", inputs.frame(target, Some(&body.shell()))),
            (Target::Page(i), None) => {
                let rel = &inputs.site.pages[i].source.rel;
                return Err(Error::Bug(format!("page `{rel}` was to be written before it was rendered")));
            }
            (Target::Section(_), _) => {
                let view = inputs.frame(target, None);
                // The services folder without a page of its own is the services index.
                let template =
                    if view.kinds.services_index.is_some() { "services.html" } else { "section.html" };
                (template, view)
            }
        };
        if nav {
            view.chrome.nav = inputs.nav(target);
        }
        Ok((template, view))
    }

    /// The HTML of `target` as it is written (without the page memo); a page needs its `body`.
    fn html(&self, inputs: &ViewInputs<'_>, target: Target, body: Option<&Body>) -> Result<String, Error> {
        let (template, mut view) = Self::template_view(inputs, target, body, true)?;
        if let Some(body) = body {
            view.content = body.unpack()?.html;
        }
        self.templates.render(template, &view)
    }

    /// Renders `target` through its template and writes it; a page needs its kept `body`.
    fn write_target(
        &self,
        inputs: &ViewInputs<'_>,
        target: Target,
        body: Option<&Body>,
        sink: &Sink<'_>,
    ) -> Result<(), Error> {
        let rel = format!("{}index.html", inputs.site.url(target));
        let Some(views) = &self.views else {
            return sink.write(&rel, self.html(inputs, target, body)?.as_bytes());
        };
        // The sidebar rows are built only for a page rendered again: a key stands for them.
        let (template, mut view) = Self::template_view(inputs, target, body, false)?;
        let unpack = |view: &mut PageView| -> Result<(), Error> {
            if let Some(body) = body {
                view.content = body.unpack()?.html;
            }
            Ok(())
        };
        let body_digest = body.map_or(0, Body::digest);
        let nav_key = inputs.nav_key(target);
        let key = super::views::key(self.templates.digest, template, &(body_digest, nav_key, &view));
        if let (Some(key), Some(last)) = (key, views.last(&rel))
            && last.key == key
            && let Some(stamp) = sink.link_same(&rel, last)?
        {
            views.made(&rel, super::views::Made { stamp, ..last }, true);
            return Ok(());
        }
        view.chrome.nav = inputs.nav(target);
        unpack(&mut view)?;
        let html = self.templates.render(template, &view)?;
        sink.write(&rel, html.as_bytes())?;
        if let Some(key) = key {
            let made = super::views::Made {
                key,
                hash: xxhash_rust::xxh3::xxh3_64(html.as_bytes()),
                len: html.len() as u64,
                stamp: sink.stamp_of(&rel),
            };
            views.made(&rel, made, false);
        }
        Ok(())
    }
}

/// The site model, every page's record, and what writing them needs.
#[derive(Debug)]
pub struct State {
    /// The config the site was built with (its `build_dir` is where the site is written).
    pub config: SiteConfig,
    /// The site model.
    pub site: Site,
    /// One record per published page, by source path (`runbooks/db.md`): exactly the pages of
    /// the site model once every page is rendered.
    pub records: HashMap<String, Record>,
    /// The theme.
    pub theme: Theme,
    /// Diagnostics of the config and content stages.
    pub input_diags: Vec<Diagnostic>,
    /// Diagnostics of the site model and freshness.
    pub site_diags: Vec<Diagnostic>,
    /// `SUMMARY.md`, when the site has one (the site model is built from it again).
    pub summary: Option<SourceFile>,
    /// The day freshness is judged on.
    pub today: jiff::civil::Date,
    /// The generated pages last written.
    pub listings: Listings,
    /// The highlighter and its cache.
    pub highlighter: Arc<Highlighter>,
    /// Records keep what search indexes of each page.
    pub searched: bool,
    /// The records' search documents in the site model's order, once asked for: kept current
    /// by [`State::render`], dropped by [`State::remodel`].
    pub(super) docs: Option<crate::search::Docs>,
    /// The build cache, while a full build renders.
    pub(super) cache: Option<Cache>,
    /// What `lore-site.json` says of the search statistics the build wrote (`search`): which
    /// file, its format and counts; `None` when it wrote none.
    pub search_manifest: Option<serde_json::Value>,
}

impl State {
    /// What the templates are rendered from.
    pub fn inputs(&self) -> ViewInputs<'_> {
        self.theme.inputs(&self.config, &self.site)
    }

    /// The record of page `i` of the site model.
    pub fn record(&self, i: usize) -> Option<&Record> {
        self.records.get(&self.site.pages.get(i)?.source.rel)
    }

    /// Renders every page; returns what `--verbose` reports.
    pub fn render_all(&mut self, progress: Option<Progress<'_>>) -> Vec<String> {
        let all: Vec<usize> = (0..self.site.pages.len()).collect();
        self.render_numbered(&all, progress)
    }

    /// Renders these pages (source paths) again; returns what `--verbose` reports.
    pub fn render<'a>(&mut self, pages: impl IntoIterator<Item = &'a String>) -> Vec<String> {
        let numbers: Vec<usize> =
            pages.into_iter().filter_map(|rel| self.site.by_source.get(rel).copied()).collect();
        self.render_numbered(&numbers, None)
    }

    fn render_numbered(&mut self, pages: &[usize], progress: Option<Progress<'_>>) -> Vec<String> {
        let total = self.site.pages.len() + self.site.sections.len();
        let done = AtomicUsize::new(0);
        let each = || {
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            if let Some(p) = progress {
                p(n, total);
            }
        };
        let (mut notes, mut reused) = (Vec::new(), 0);
        // In chunks, so that new cache entries go to disk as they are made.
        for chunk in pages.chunks(RENDER_CHUNK) {
            let renders = self.render_some(chunk, &each);
            reused += renders.reused();
            notes.extend(self.keep(renders));
        }
        if self.cache.is_some() {
            notes.insert(0, format!("{reused} of {} pages reused from the build cache", pages.len()));
        }
        notes
    }

    /// Renders pages `numbers` of the site model (in parallel, calling `each` after each one)
    /// without changing the state: `lore serve` renders while requests read the state, and
    /// keeps the renderings with [`State::keep`].
    pub fn render_some(&self, numbers: &[usize], each: &(dyn Fn() + Sync)) -> Renders {
        let (site, highlighter, cache) = (&self.site, &*self.highlighter, self.cache.as_ref());
        let (as_errors, searched) = (self.config.broken_links_are_errors, self.searched);
        let made = numbers
            .par_iter()
            .map(|&i| {
                let made = make(site, i, highlighter, as_errors, searched, cache);
                each();
                (i, made)
            })
            .collect();
        Renders { made }
    }

    /// Keeps what [`State::render_some`] rendered: the pages' records, their search documents
    /// and new cache entries. Returns what `--verbose` reports.
    pub fn keep(&mut self, renders: Renders) -> Vec<String> {
        let mut notes = Vec::new();
        for (i, made) in renders.made {
            if let (Some(docs), Some(doc)) = (&mut self.docs, &made.record.search) {
                // Copies the list of pointers only while an export still holds the old one.
                if let Some(slot) = Arc::make_mut(docs).get_mut(i) {
                    *slot = doc.clone();
                }
            }
            if let (Some(cache), Some((key, entry))) = (&mut self.cache, made.entry) {
                cache.insert(key, entry);
            }
            self.records.insert(made.rel, made.record);
            notes.extend(made.notes);
        }
        notes
    }

    /// The HTML of page or folder listing `target` as the build writes it, rendered now: its
    /// kept body, or the page rendered afresh when it has none yet (`lore serve` answers a
    /// page the full build has not written yet). Search and cache entries are left alone.
    pub fn html(&self, target: Target) -> Result<String, Error> {
        let made;
        let body = match target {
            Target::Page(i) => match self.record(i) {
                Some(record) => Some(&record.body),
                None if i < self.site.pages.len() => {
                    let (highlighter, cache) = (&*self.highlighter, self.cache.as_ref());
                    let as_errors = self.config.broken_links_are_errors;
                    made = make(&self.site, i, highlighter, as_errors, false, cache);
                    Some(&made.record.body)
                }
                None => None,
            },
            Target::Section(_) => None,
        };
        self.theme.html(&self.inputs(), target, body)
    }

    /// Writes the build cache (when the build uses one and anything in it changed) and lets go
    /// of it; returns why the cache on disk was not used, if it was not.
    pub fn save_cache(&mut self) -> Result<Option<String>, Error> {
        let Some(cache) = self.cache.take() else { return Ok(None) };
        let keys: Vec<u128> = (0..self.site.pages.len()).filter_map(|i| cache.key(&self.site, i)).collect();
        let note = cache.note();
        if let Err(e) = cache.save(&keys) {
            // The site is still right; only the next build is slower.
            return Ok(Some(format!("the build cache was not written: {e}")));
        }
        Ok(note)
    }

    /// Every diagnostic of the site, sorted: the inputs', the model's, each page's, and the
    /// anchor check's. `more` are added (parse errors `serve` keeps). Records are visited in
    /// any order (the result is sorted): looking each page's up in site order costs a cache
    /// miss per page, which at 10,000 pages was most of an edit's rebuild.
    pub fn check(&self, more: impl IntoIterator<Item = Diagnostic>) -> Vec<Diagnostic> {
        let mut diags = self.input_diags.clone();
        diags.extend(self.site_diags.iter().cloned());
        diags.extend(more);
        let mut refs = Vec::new();
        for record in self.records.values() {
            diags.extend(record.diagnostics.iter().cloned());
            refs.extend(&record.anchor_refs);
        }
        let ids = |rel: &str| self.records.get(rel).map(|r| &r.ids);
        diags.extend(markdown::links::check_anchors(
            refs.into_iter(),
            ids,
            self.config.broken_links_are_errors,
        ));
        diag::sort(&mut diags);
        diags
    }

    /// Builds the site model again from its pages (navigation, listings, kinds, freshness),
    /// after edits that change what other pages show of a page, or pages added (`added`) or
    /// removed (`removed`, source paths). Records stay as they are. Returns `false` when a
    /// page would not be published (it became a draft, or its URL is taken): then only a full
    /// build will do.
    pub fn remodel(
        &mut self,
        added: Vec<crate::content::Page>,
        removed: &HashSet<String>,
        today: Option<&str>,
    ) -> Result<bool, Error> {
        if self.site.pages.iter().chain(&added).any(|p| p.meta.draft) {
            return Ok(false);
        }
        let today = site::freshness::today(today)?;
        let mut pages = std::mem::take(&mut self.site.pages);
        pages.retain(|p| !removed.contains(&p.source.rel));
        pages.extend(added);
        // The order `lore build` reads pages in.
        pages.sort_by(|a, b| a.source.rel.cmp(&b.source.rel));
        let published = pages.len();
        let content = crate::content::Content {
            pages,
            assets: self.site.assets.clone(),
            summary: self.summary.clone(),
            failed: self.site.failed.iter().cloned().collect(),
            diagnostics: Vec::new(),
        };
        let (mut site, mut diags) = site::build(content, &self.config);
        if site.pages.len() != published {
            // A full build follows; until then the model stays whole (its pages moved).
            self.site = site;
            return Ok(false);
        }
        diags.extend(site::freshness::apply(&mut site, &self.config, today));
        for rel in removed {
            self.records.remove(rel);
        }
        self.docs = None;
        self.site = site;
        self.site_diags = diags;
        self.today = today;
        Ok(true)
    }

    /// Writes these targets (pages and folder listings) through their templates, and first the
    /// diagram script when one of them is the first page with a diagram (`lore serve`).
    pub fn write(&self, targets: &[Target], sink: &Sink<'_>) -> Result<(), Error> {
        let diagrams =
            |t: &Target| matches!(t, Target::Page(i) if self.record(*i).is_some_and(|r| r.body.diagrams));
        if !self.theme.diagrams_written.load(Ordering::Relaxed) && targets.iter().any(diagrams) {
            for (rel, bytes) in write::diagram_assets(&self.config)?.map(|d| d.files).unwrap_or_default() {
                sink.write(&rel, &bytes)?;
            }
            self.theme.diagrams_written.store(true, Ordering::Relaxed);
        }
        let inputs = self.inputs();
        targets.par_iter().try_for_each(|&target| {
            let body = match target {
                Target::Page(i) => self.record(i).map(|r| &r.body),
                Target::Section(_) => None,
            };
            self.theme.write_target(&inputs, target, body, sink)
        })
    }

    /// Whether a page of the site has a diagram (before the bodies are written and dropped).
    pub fn has_diagrams(&self) -> bool {
        self.records.values().any(|r| r.body.diagrams)
    }

    /// Writes every page and folder listing; unless `keep`, each page's rendered body is
    /// dropped once written, so a large site's HTML is never all in memory twice.
    pub fn write_all(&mut self, sink: &Sink<'_>, keep: bool) -> Result<(), Error> {
        // Not `self.inputs()`: the records are borrowed mutably beside it.
        let inputs = self.theme.inputs(&self.config, &self.site);
        let (theme, site) = (&self.theme, &self.site);
        self.records.par_iter_mut().try_for_each(|(rel, record)| {
            let Some(&i) = site.by_source.get(rel) else { return Ok(()) };
            theme.write_target(&inputs, Target::Page(i), Some(&record.body), sink)?;
            if !keep {
                record.body = Body::default();
            }
            Ok::<(), Error>(())
        })?;
        let sections = self.written_sections();
        self.write(&sections, sink)
    }

    /// The folder listings a full build writes: every one but a portal's home, which its front
    /// page (`portal::pages`) replaces.
    pub fn written_sections(&self) -> Vec<Target> {
        let (site, portal) = (&self.site, self.config.portal.is_some());
        (0..site.sections.len())
            .filter(|&i| !(portal && site.sections[i].url.is_empty()))
            .map(Target::Section)
            .collect()
    }

    /// Every page and folder listing of the site model.
    pub fn targets(&self) -> Vec<Target> {
        (0..self.site.pages.len())
            .map(Target::Page)
            .chain((0..self.site.sections.len()).map(Target::Section))
            .collect()
    }

    /// Writes the pages that list other pages (kind pages, alert redirects, the freshness
    /// dashboard and its JSON, the sitemap), and removes those the site no longer has.
    pub fn write_listings(&mut self, sink: &Sink<'_>) -> Result<(), Error> {
        let listings = self.write_generated(sink)?;
        let browsed_gone = self.listings.browsed.iter().filter(|g| !listings.browsed.contains(g));
        let redirects_gone = self.listings.redirects.iter().filter(|g| !listings.redirects.contains(g));
        for gone in browsed_gone.chain(redirects_gone) {
            sink.remove(&format!("{gone}index.html"));
        }
        if self.site.runbooks.alerts.is_empty() && self.site.coverage.alerts.is_empty() {
            sink.remove("alerts.json");
        }
        self.listings = listings;
        Ok(())
    }

    /// Whether the file `target` is written as is by a full build: not a URL a generated
    /// listing (a tag or owner page) or a portal page is written over afterwards.
    pub fn owns_file(&self, target: Target) -> bool {
        if self.config.portal.is_some() {
            return false;
        }
        let url = self.site.url(target);
        let listed = |t: &site::taxonomy::Taxonomy| {
            t.url() == url || t.values.keys().any(|value| t.value_url(value) == url)
        };
        !self.site.taxonomies.iter().any(listed)
    }

    /// Writes the pages that list other pages (as [`State::write_listings`]) without removing
    /// any or keeping what was written: returns the listings, for [`State::listings`].
    pub fn write_generated(&self, sink: &Sink<'_>) -> Result<Listings, Error> {
        let report = FreshnessReport::new(&self.site, &self.config.freshness, self.today);
        let listings = write::listings(&self.inputs(), &self.theme.templates, &report, sink)?;
        let mut manifest = crate::portal::Manifest::of(&self.site, &self.config, self.today);
        manifest.search.clone_from(&self.search_manifest);
        sink.write(crate::portal::manifest::FILE, manifest.to_json()?.as_bytes())?;
        Ok(listings)
    }

    /// What search indexes of every page, in the site model's order (empty without search).
    pub fn search_docs(&mut self) -> crate::search::Docs {
        if let Some(docs) = &self.docs {
            return docs.clone();
        }
        let records = &self.records;
        let mut docs: Vec<Arc<PageDoc>> =
            self.site.pages.iter().filter_map(|p| records.get(&p.source.rel)?.search.clone()).collect();
        let complete = docs.len() == self.site.pages.len();
        // Services read only from the catalog have a generated page: search finds them too.
        let services = &self.site.services;
        if services.enabled() {
            let catalog_only = services.list.iter().filter(|s| s.page.is_none());
            docs.extend(catalog_only.map(|s| Arc::new(crate::search::service_doc(&self.site, s))));
        }
        let docs = Arc::new(docs);
        if complete {
            self.docs = Some(docs.clone());
        }
        docs
    }

    /// Lets go of every search document (`lore build`, once the indexes are written).
    pub fn forget_search(&mut self) {
        self.records.values_mut().for_each(|r| r.search = None);
        self.docs = None;
    }

    /// Pages that may include `rel` with `{{#include}}`: those using includes that mention its
    /// file name (only they are searched: scanning every page's text on each edit is slow).
    pub fn includers(&self, rel: &str) -> Vec<String> {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let mut found: Vec<String> = self
            .records
            .iter()
            .filter(|(page, record)| record.includes && page.as_str() != rel)
            .filter_map(|(page, _)| self.site.by_source.get(page).map(|&i| &self.site.pages[i]))
            .filter(|p| p.text.contains(name))
            .map(|p| p.source.rel.clone())
            .collect();
        found.sort();
        found
    }
}

/// What rendering (or the cache) made of one page.
struct Made {
    rel: String,
    record: Record,
    /// Things `--verbose` reports.
    notes: Vec<String>,
    /// A new cache entry and its key.
    entry: Option<(u128, Vec<u8>)>,
    /// The rendering came from the cache.
    reused: bool,
}

/// Pages rendered by [`State::render_some`], not yet kept.
pub struct Renders {
    /// Each page's number in the site model, and what was made of it.
    made: Vec<(usize, Made)>,
}

impl Renders {
    /// How many renderings came from the build cache.
    pub fn reused(&self) -> usize {
        self.made.iter().filter(|(_, m)| m.reused).count()
    }
}

/// Page `i`'s record: from the cache when it has the page, else rendered (and a cache entry
/// made of it).
fn make(
    site: &Site,
    i: usize,
    highlighter: &Highlighter,
    as_errors: bool,
    searched: bool,
    cache: Option<&Cache>,
) -> Made {
    let key = cache.and_then(|c| c.key(site, i));
    if let (Some(cache), Some(key)) = (cache, key)
        && let Some(hit) = cache.get(site, i, key)
    {
        return Made { reused: true, ..record(site, i, hit.rendered, Some(hit.html), searched, None) };
    }
    let rendered = markdown::render(i, site, highlighter, as_errors);
    record(site, i, rendered, None, searched, key)
}

/// Page `i`'s record from its rendering (whose HTML comes compressed in `packed` when it comes
/// from the cache), its search document when `searched`, its notes for `--verbose`, and, with
/// a `key`, its cache entry.
fn record(
    site: &Site,
    i: usize,
    mut r: Rendered,
    packed: Option<Vec<u8>>,
    searched: bool,
    key: Option<u128>,
) -> Made {
    let page = &site.pages[i];
    let html =
        packed.unwrap_or_else(|| lz4_flex::compress_prepend_size(std::mem::take(&mut r.html).as_bytes()));
    let entry = key.and_then(|k| Some((k, Cache::entry(&page.source.rel, &page.source.shown, &html, &r)?)));
    let notes = std::mem::take(&mut r.notes);
    let search = searched.then(|| Arc::new(crate::search::collect_page(site, i, &r)));
    let record = Record {
        ids: std::mem::take(&mut r.ids),
        anchor_refs: std::mem::take(&mut r.anchor_refs),
        diagnostics: std::mem::take(&mut r.diagnostics),
        search,
        includes: markdown::include::may_include(&page.text),
        body: Body { html, toc: r.toc, diagrams: r.diagrams },
    };
    Made { rel: page.source.rel.clone(), record, notes, entry, reused: false }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::{BuildOptions, build};

    /// Issue 14: a page asked for before it is rendered is an error naming it, never an empty
    /// page written in its place.
    #[test]
    fn issue_14_a_page_without_a_record_is_a_bug_not_an_empty_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("book.toml"), "[book]\ntitle = \"T\"\n").unwrap();
        std::fs::write(dir.path().join("src/a.md"), "# Alpha\n\nBody.\n").unwrap();
        let options = BuildOptions { root: dir.path().to_path_buf(), keep: true, ..BuildOptions::default() };
        let mut state = build(&options, None).unwrap().state.unwrap();
        assert_eq!(state.records.keys().collect::<Vec<_>>(), ["a.md"]);
        state.records.clear();
        let err = state.write(&[Target::Page(0)], &Sink::Staging(None)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a bug in lore: page `a.md` was to be written before it was rendered\n  = hint: please report it with the change that led to it"
        );
    }

    /// Issue 13: a kept body comes back as it was rendered; a damaged one is an error, never a
    /// page with a wrong or empty body.
    #[test]
    fn issue_13_kept_bodies_unpack_as_rendered() {
        let html = "<h2 id=\"a\">A</h2>\n<p>Body é</p>\n".repeat(50);
        let rendered = Rendered { html: html.clone(), ..Rendered::default() };
        let body = Body::pack(rendered);
        assert!(body.html.len() < html.len() / 4, "{} bytes kept for {}", body.html.len(), html.len());
        assert_eq!(body.unpack().unwrap().html, html);
        let mut damaged = body;
        damaged.html.truncate(damaged.html.len() / 2);
        let err = damaged.unpack().unwrap_err().to_string();
        assert!(err.starts_with("a bug in lore: a page's kept body does not decompress: "), "{err}");
    }
}
