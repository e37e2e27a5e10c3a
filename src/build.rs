//! The orchestrator: `build` calls each stage in order and gathers every diagnostic.
//!
//! `config` → `content` → `site` → `markdown` (parallel) → anchor check → `templates`
//! (parallel) → `output`. `lore check` runs the same pipeline without the last step.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::diag::{self, Diagnostic};
use crate::error::Error;
use crate::markdown::links::AnchorRef;
use crate::markdown::{self, Highlighter, Rendered};
use crate::output::{self, Staging};
use crate::report::FreshnessReport;
use crate::site::{self, Site, Target};
use crate::templates::view::ViewInputs;
use crate::templates::{self, Templates};

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
    /// Keep the site model and rendered pages in [`BuildOutput::kept`] for incremental rebuilds.
    pub keep: bool,
    /// A highlighter to reuse, with its cache of highlighted blocks (`serve` keeps one).
    pub highlighter: Option<Arc<Highlighter>>,
    /// `--today YYYY-MM-DD`: the day freshness is computed for (else `SOURCE_DATE_EPOCH`,
    /// else the real date).
    pub today: Option<String>,
}

/// What a successful build did.
#[derive(Debug)]
pub struct BuildOutput {
    /// HTML pages produced (pages and generated listings).
    pub pages: usize,
    /// Where the site was written.
    pub build_dir: PathBuf,
    /// Warnings (a successful build has no errors).
    pub warnings: Vec<Diagnostic>,
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
    /// The site model and rendered pages, when [`BuildOptions::keep`] asked for them.
    pub kept: Option<Box<Kept>>,
}

/// Everything an incremental rebuild reuses from a full build.
#[derive(Debug)]
pub struct Kept {
    /// The config the site was built with (its `build_dir` is where the site was written).
    pub config: SiteConfig,
    /// The site model.
    pub site: Site,
    /// Each page's rendered body (its ids, anchor references and diagnostics moved out below).
    pub rendered: Vec<Rendered>,
    /// Ids of each page, for the anchor check.
    pub ids: HashMap<usize, HashSet<String>>,
    /// Anchor references made by each page (indexed by the linking page).
    pub anchor_refs: Vec<Vec<AnchorRef>>,
    /// Diagnostics of rendering each page.
    pub page_diags: Vec<Vec<Diagnostic>>,
    /// Diagnostics of the config and content stages.
    pub other_diags: Vec<Diagnostic>,
    /// Diagnostics of the site model and freshness.
    pub site_diags: Vec<Diagnostic>,
    /// `SUMMARY.md`, when the site has one (the site model is built from it again).
    pub summary: Option<crate::content::SourceFile>,
    /// The day freshness was judged on.
    pub today: jiff::civil::Date,
    /// Site-relative paths of the pages generated for kinds, and the freshness dashboard.
    pub generated: Vec<String>,
    /// Site-relative paths of the alert redirect pages (`alerts/<Name>/`).
    pub redirects: Vec<String>,
    /// Compiled templates.
    pub templates: Templates,
    /// The searcher's assets, linked from every page.
    pub search: Option<crate::templates::context::SearchLinks>,
    /// What search indexed of each page (empty when the site has no search), shared with
    /// `serve`'s background export of the browser index.
    pub search_docs: Arc<Vec<crate::search::PageDoc>>,
    /// Stylesheets, site-relative.
    pub css: Vec<String>,
    /// Scripts, site-relative.
    pub js: Vec<String>,
    /// The highlighter and its cache.
    pub highlighter: Arc<Highlighter>,
}

impl Kept {
    /// What the templates are rendered from.
    pub fn inputs(&self) -> ViewInputs<'_> {
        ViewInputs {
            config: &self.config,
            site: &self.site,
            css: &self.css,
            js: &self.js,
            search: self.search.as_ref(),
        }
    }
}

/// Builds (or checks) the site. Errors carry every diagnostic of the run, warnings included.
// Longer than most functions on purpose: it is the pipeline, one stage after another, and
// reads best as a single list; each stage lives in its own module.
pub fn build(options: &BuildOptions, progress: Option<Progress<'_>>) -> Result<BuildOutput, Error> {
    let start = Instant::now();
    let mut config = SiteConfig::load(&options.root, options.config_file.as_deref())?;
    config.strict_front_matter |= options.strict;
    check_build_dir(&config)?;
    if options.write {
        // Fail before any work when the folder is not lore's to replace; the swap checks again.
        output::owner::resolve(options.out_dir.as_deref().unwrap_or(&config.build_dir))?;
    }
    let mut diags = std::mem::take(&mut config.warnings);

    let mut stages = Stages::new();
    let content = crate::content::load(&config, &[&config.build_dir, &config.theme_dir]);
    if let Some(dir) = &options.out_dir {
        config.build_dir = dir.clone();
    }
    diags.extend(content.diagnostics.iter().cloned());
    stages.done("read and parse pages");
    let other_diags = if options.keep { diags.clone() } else { Vec::new() };
    let summary = if options.keep { content.summary.clone() } else { None };
    let (mut site, mut site_diags) = site::build(content, &config);
    let today = site::freshness::today(options.today.as_deref())?;
    site_diags.extend(site::freshness::apply(&mut site, &config, today));
    diags.extend(site_diags.iter().cloned());
    let report = FreshnessReport::new(&site, &config.freshness, today);
    stages.done("site model, navigation and freshness");

    let highlighter = options.highlighter.clone().unwrap_or_default();
    let total = site.pages.len() + site.sections.len();
    let done = AtomicUsize::new(0);
    let mut rendered: Vec<Rendered> = (0..site.pages.len())
        .into_par_iter()
        .map(|i| {
            let r = markdown::render(i, &site, &highlighter, config.broken_links_are_errors);
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            if let Some(p) = progress {
                p(n, total);
            }
            r
        })
        .collect();
    let ids: HashMap<usize, HashSet<String>> =
        rendered.iter_mut().enumerate().map(|(i, r)| (i, std::mem::take(&mut r.ids))).collect();
    let anchor_refs: Vec<Vec<AnchorRef>> =
        rendered.iter_mut().map(|r| std::mem::take(&mut r.anchor_refs)).collect();
    let page_diags: Vec<Vec<Diagnostic>> =
        rendered.iter_mut().map(|r| std::mem::take(&mut r.diagnostics)).collect();
    let notes: Vec<String> = rendered.iter_mut().flat_map(|r| std::mem::take(&mut r.notes)).collect();
    diags.extend(page_diags.iter().flatten().cloned());
    diags.extend(markdown::links::check_anchors(
        &anchor_refs.concat(),
        &ids,
        &site,
        config.broken_links_are_errors,
    ));

    stages.done("render markdown and check links");
    diag::sort(&mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(Error::Diagnostics(diags));
    }

    let templates = Templates::load(&config.theme_dir)?;
    let mut assets = theme_assets(&config)?;
    // Search indexes: only when writing (`check` has nothing to search).
    let mut search_docs = Vec::new();
    let search = if options.write && !site.pages.is_empty() {
        let docs = crate::search::collect(&site, &rendered);
        let index = crate::search::index::write(&docs, &crate::search::index_dir(&config))?;
        stages.done("search: tantivy index");
        let bundle = crate::search::browser::export(&docs, &index)?;
        crate::fs::write(&crate::search::index_dir(&config).join("words.tsv"), bundle.words.as_bytes())?;
        let links = search_links(&config, &bundle.head, &mut assets.files)?;
        assets.files.extend(bundle.files);
        stages.done("search: browser index");
        if options.keep {
            search_docs = docs;
        }
        Some(links)
    } else {
        None
    };
    if !options.keep {
        // The plain text was for search; the templates need only the HTML.
        rendered.iter_mut().for_each(|r| r.text = String::new());
    }
    let inputs = ViewInputs {
        config: &config,
        site: &site,
        css: &assets.css,
        js: &assets.js,
        search: search.as_ref(),
    };
    // `check` renders every template too (a template error is a build error) but writes nothing.
    let staging = if options.write { Some(Staging::create(&config.build_dir)?) } else { None };
    let sink = Sink::Staging(staging.as_ref());
    write_pages(&site, &mut rendered, options.keep, &inputs, &templates, &sink)?;
    sink.write("404.html", templates.render("404.html", &inputs.not_found())?.as_bytes())?;
    let listings = write_listings(&site, &report, &inputs, &templates, &sink, config.site_url.as_deref())?;
    for (path, bytes) in &assets.files {
        sink.write(path, bytes)?;
    }
    let copies = site.assets.iter().map(|a| (a.path.clone(), a.rel.clone())).chain(assets.copies);
    let copies: Vec<_> = copies.collect();
    copies.par_iter().try_for_each(|(from, rel)| sink.copy(from, rel))?;
    if let Some(staging) = staging {
        staging.commit()?;
    }
    stages.done(if options.write { "apply templates and write" } else { "apply templates" });
    let pages = site.pages.len() + site.sections.len();
    let build_dir = config.build_dir.clone();
    let kept = options.keep.then(|| {
        Box::new(Kept {
            config,
            site,
            rendered,
            ids,
            anchor_refs,
            page_diags,
            other_diags,
            site_diags,
            summary,
            today,
            generated: listings.browsed,
            redirects: listings.redirects,
            templates,
            search: search.clone(),
            search_docs: Arc::new(search_docs),
            css: assets.css,
            js: assets.js,
            highlighter,
        })
    });
    Ok(BuildOutput {
        pages,
        build_dir,
        warnings: diags,
        elapsed: start.elapsed(),
        stages: stages.list,
        copied: copies.len(),
        notes,
        kept,
        freshness: report,
    })
}

/// The site-relative paths of the pages [`write_listings`] generated.
struct Listings {
    /// The pages a reader browses (kind pages, the freshness dashboard): the sitemap lists them.
    browsed: Vec<String>,
    /// The alert redirects, which only forward to a runbook.
    redirects: Vec<String>,
}

/// The pages that list other pages: generated kind pages, the freshness dashboard and its JSON,
/// `sitemap.xml`.
fn write_listings(
    site: &Site,
    report: &FreshnessReport,
    inputs: &ViewInputs<'_>,
    templates: &Templates,
    sink: &Sink<'_>,
    site_url: Option<&str>,
) -> Result<Listings, Error> {
    let mut listings = write_generated(site, inputs, templates, sink, site_url)?;
    listings.browsed.extend(write_freshness(report, inputs, templates, sink)?);
    // A sitemap needs absolute URLs: only a `site-url` with a scheme gives one.
    if let Some(url) = site_url.filter(|u| u.contains("://")) {
        sink.write("sitemap.xml", sitemap(site, &listings.browsed, url).as_bytes())?;
    }
    Ok(listings)
}

/// Serve, after edits that change what other pages show of a page (title, kind, front matter)
/// or that add or delete pages: builds the site model again from the kept pages (navigation,
/// listings, kinds, freshness). Returns `false` when a page would not be published (it became
/// a draft, or its URL is taken): then only a full build will do, and `kept` is left to it.
pub fn remodel(kept: &mut Kept, today: Option<&str>) -> Result<bool, Error> {
    if kept.site.pages.iter().any(|p| p.meta.draft) {
        return Ok(false);
    }
    let today = site::freshness::today(today)?;
    let published = kept.site.pages.len();
    // The pages move into the new model.
    let content = crate::content::Content {
        pages: std::mem::take(&mut kept.site.pages),
        assets: kept.site.assets.clone(),
        summary: kept.summary.clone(),
        failed: kept.site.failed.iter().cloned().collect(),
        diagnostics: Vec::new(),
    };
    let (mut site, mut diags) = site::build(content, &kept.config);
    if site.pages.len() != published {
        kept.site.pages = site.pages;
        return Ok(false);
    }
    diags.extend(site::freshness::apply(&mut site, &kept.config, today));
    kept.site = site;
    kept.site_diags = diags;
    kept.today = today;
    Ok(true)
}

/// Serve: the generated pages, the freshness dashboard and the sitemap of `kept`, written over
/// their old versions in `dir`; generated pages the site no longer has are removed.
pub fn rewrite_listings(kept: &mut Kept, dir: &Path) -> Result<(), Error> {
    let report = FreshnessReport::new(&kept.site, &kept.config.freshness, kept.today);
    let inputs = kept.inputs();
    let site_url = kept.config.site_url.as_deref();
    let listings =
        write_listings(&kept.site, &report, &inputs, &kept.templates, &Sink::InPlace(dir), site_url)?;
    let browsed_gone = kept.generated.iter().filter(|g| !listings.browsed.contains(g));
    let redirects_gone = kept.redirects.iter().filter(|g| !listings.redirects.contains(g));
    for gone in browsed_gone.chain(redirects_gone) {
        let _ = std::fs::remove_file(dir.join(gone).join("index.html"));
    }
    if kept.site.runbooks.alerts.is_empty() {
        let _ = std::fs::remove_file(dir.join("alerts.json"));
    }
    kept.generated = listings.browsed;
    kept.redirects = listings.redirects;
    Ok(())
}

/// `freshness.json`, and the `freshness/` dashboard unless a page of the site has that URL.
/// Returns the dashboard's URL when it was written (a page of the site may own that URL).
fn write_freshness(
    report: &FreshnessReport,
    inputs: &ViewInputs<'_>,
    templates: &Templates,
    sink: &Sink<'_>,
) -> Result<Option<String>, Error> {
    let json = crate::report::render(report, crate::report::Format::Json, &|_| false);
    sink.write("freshness.json", json.as_bytes())?;
    if inputs.site.by_url(templates::freshness::DASHBOARD_URL).is_some() {
        return Ok(None);
    }
    let html = templates.render("freshness.html", &inputs.dashboard(report))?;
    sink.write(&format!("{}index.html", templates::freshness::DASHBOARD_URL), html.as_bytes())?;
    Ok(Some(templates::freshness::DASHBOARD_URL.to_owned()))
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

/// Where output goes: the staging folder, nowhere for `check`, or over the files of a served
/// folder.
enum Sink<'a> {
    Staging(Option<&'a Staging>),
    InPlace(&'a Path),
}

impl Sink<'_> {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), Error> {
        match self {
            Sink::Staging(staging) => staging.map_or(Ok(()), |s| s.write(rel, bytes)),
            Sink::InPlace(dir) => output::replace(dir, rel, bytes),
        }
    }

    fn copy(&self, from: &Path, rel: &str) -> Result<(), Error> {
        match self {
            Sink::Staging(staging) => staging.map_or(Ok(()), |s| s.copy(from, rel)),
            Sink::InPlace(dir) => output::replace(dir, rel, &crate::fs::read(from)?),
        }
    }
}

/// Renders every page and listing through its template and writes it at once, so a large
/// site's HTML is never all in memory together.
/// Unless `keep` (serve reuses them), each page's rendered body is dropped once written, so a
/// large site's HTML is never all in memory twice.
fn write_pages(
    site: &Site,
    rendered: &mut [Rendered],
    keep: bool,
    inputs: &ViewInputs<'_>,
    templates: &Templates,
    sink: &Sink<'_>,
) -> Result<(), Error> {
    let write = |target: Target, template: &str, body: Option<&Rendered>| {
        let html = templates.render(template, &inputs.view(target, body))?;
        sink.write(&format!("{}index.html", site.url(target)), html.as_bytes())
    };
    rendered.par_iter_mut().enumerate().try_for_each(|(i, r)| {
        write(Target::Page(i), "page.html", Some(r))?;
        if !keep {
            *r = Rendered::default();
        }
        Ok::<(), Error>(())
    })?;
    (0..site.sections.len()).into_par_iter().try_for_each(|i| write(Target::Section(i), "section.html", None))
}

/// The pages lore generates for kinds (taxonomies, alert index and redirects) and
/// `alerts.json`.
fn write_generated(
    site: &Site,
    inputs: &ViewInputs<'_>,
    templates: &Templates,
    sink: &Sink<'_>,
    site_url: Option<&str>,
) -> Result<Listings, Error> {
    let pages = inputs.generated();
    pages.par_iter().try_for_each(|page| {
        sink.write(&page.path, templates.render(page.template, &page.view)?.as_bytes())
    })?;
    if !site.runbooks.alerts.is_empty() {
        let base = site_url.filter(|u| u.contains("://"));
        sink.write("alerts.json", templates::kind_view::alerts_json(site, base)?.as_bytes())?;
    }
    let url = |p: &&crate::templates::kind_view::Generated| p.path.trim_end_matches("index.html").to_owned();
    let (redirects, browsed): (Vec<_>, Vec<_>) = pages.iter().partition(|p| p.template == "alert.html");
    let mut browsed: Vec<String> = browsed.iter().map(url).collect();
    let mut redirects: Vec<String> = redirects.iter().map(url).collect();
    browsed.sort();
    redirects.sort();
    Ok(Listings { browsed, redirects })
}

/// The theme's files, ready to write.
struct ThemeAssets {
    /// (site-relative path, contents) of generated or embedded files.
    files: Vec<(String, Vec<u8>)>,
    /// (source, site-relative path) of files copied from the site's theme folder.
    copies: Vec<(PathBuf, String)>,
    /// Stylesheets to link, site-relative.
    css: Vec<String>,
    /// Scripts to load, site-relative.
    js: Vec<String>,
}

/// The theme's stylesheet and script (hashed names), extra CSS/JS from the config, and the
/// other files of the theme's `assets/` folder.
fn theme_assets(config: &SiteConfig) -> Result<ThemeAssets, Error> {
    let mut out = ThemeAssets { files: Vec::new(), copies: Vec::new(), css: Vec::new(), js: Vec::new() };
    let mut add = |name: &str, bytes: Vec<u8>, css: bool| {
        let path = output::hashed_name(name, &bytes);
        if css {
            out.css.push(path.clone())
        } else {
            out.js.push(path.clone())
        }
        out.files.push((path, bytes));
    };
    add("lore.css", templates::asset(&config.theme_dir, "lore.css")?.into_bytes(), true);
    add("highlight.css", markdown::stylesheet().into_bytes(), true);
    add("lore.js", templates::asset(&config.theme_dir, "lore.js")?.into_bytes(), false);
    for path in &config.additional_css {
        add(&file_name(path), crate::fs::read(path)?, true);
    }
    for path in &config.additional_js {
        add(&file_name(path), crate::fs::read(path)?, false);
    }
    let extra_dir = config.theme_dir.join("assets");
    if extra_dir.is_dir() {
        for entry in std::fs::read_dir(&extra_dir).map_err(|e| Error::io("read", &extra_dir, e))? {
            let entry = entry.map_err(|e| Error::io("read", &extra_dir, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.path().is_file() && !templates::ASSETS.iter().any(|(n, _)| *n == name) {
                out.copies.push((entry.path(), format!("assets/{name}")));
            }
        }
    }
    out.copies.sort();
    Ok(out)
}

/// The searcher's script and stylesheet (hashed names) and the index head, site-relative.
fn search_links(
    config: &SiteConfig,
    head: &str,
    files: &mut Vec<(String, Vec<u8>)>,
) -> Result<templates::context::SearchLinks, Error> {
    let mut add = |name: &str| -> Result<String, Error> {
        let bytes = templates::asset(&config.theme_dir, name)?.into_bytes();
        let path = output::hashed_name(name, &bytes);
        files.push((path.clone(), bytes));
        Ok(path)
    };
    Ok(templates::context::SearchLinks {
        js: add("search.js")?,
        css: add("search.css")?,
        head: head.to_owned(),
    })
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| "extra".to_owned(), |n| n.to_string_lossy().into_owned())
}

fn sitemap(site: &Site, generated: &[String], base: &str) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut entries: Vec<(String, Option<String>)> = site
        .urls
        .iter()
        .zip(&site.pages)
        .map(|(u, p)| (u.clone(), p.meta.last_verified.map(|d| d.to_string())))
        .chain(site.sections.iter().map(|s| (s.url.clone(), None)))
        .chain(generated.iter().map(|u| (u.clone(), None)))
        .collect();
    entries.sort();
    for (url, lastmod) in entries {
        out.push_str(&format!(
            "  <url><loc>{}</loc>",
            markdown::escape(&format!("{base}{}", crate::site::encode_path(&url)))
        ));
        if let Some(d) = lastmod {
            out.push_str(&format!("<lastmod>{d}</lastmod>"));
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out
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
