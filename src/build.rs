//! The orchestrator: `build` calls each stage in order and gathers every diagnostic.
//!
//! `config` → `content` → `site` → `markdown` (parallel) → anchor check → `templates`
//! (parallel) → `output`. `lore check` runs the same pipeline without the last step.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::diag::{self, Diagnostic};
use crate::error::Error;
use crate::markdown::{self, Highlighter, Rendered};
use crate::output::{self, CopiedFile, OutputFile};
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
}

/// Builds (or checks) the site. Errors carry every diagnostic of the run, warnings included.
pub fn build(options: &BuildOptions, progress: Option<Progress<'_>>) -> Result<BuildOutput, Error> {
    let start = Instant::now();
    let mut config = SiteConfig::load(&options.root, options.config_file.as_deref())?;
    config.strict_front_matter |= options.strict;
    check_build_dir(&config)?;
    let mut diags = std::mem::take(&mut config.warnings);

    let content = crate::content::load(&config, &[&config.build_dir, &config.theme_dir]);
    diags.extend(content.diagnostics.iter().cloned());
    let (site, mut site_diags) = site::build(content, &config);
    diags.append(&mut site_diags);

    let highlighter = Highlighter::new();
    let total = site.pages.len() + site.sections.len();
    let done = AtomicUsize::new(0);
    let rendered: Vec<Rendered> = (0..site.pages.len())
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
    let anchor_refs: Vec<_> = rendered.iter().flat_map(|r| r.anchor_refs.iter().cloned()).collect();
    let ids = rendered.iter().enumerate().map(|(i, r)| (i, r.ids.clone())).collect();
    diags.extend(rendered.iter().flat_map(|r| r.diagnostics.iter().cloned()));
    diags.extend(markdown::links::check_anchors(&anchor_refs, &ids, &site, config.broken_links_are_errors));

    diag::sort(&mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(Error::Diagnostics(diags));
    }

    let templates = Templates::load(&config.theme_dir)?;
    let (asset_files, css, js) = theme_assets(&config)?;
    let inputs = ViewInputs { config: &config, site: &site, css: &css, js: &js };
    let mut files = render_pages(&site, &rendered, &inputs, &templates)?;
    files.push(OutputFile {
        path: "404.html".into(),
        contents: templates.render("404.html", &inputs.not_found())?.into_bytes(),
    });
    if let Some(url) = &config.site_url {
        files.push(OutputFile { path: "sitemap.xml".into(), contents: sitemap(&site, url).into_bytes() });
    }
    let pages = site.pages.len() + site.sections.len();
    files.extend(asset_files.0);
    let mut copies: Vec<CopiedFile> =
        site.assets.iter().map(|a| CopiedFile { path: a.rel.clone(), from: a.path.clone() }).collect();
    copies.extend(asset_files.1);
    if options.write {
        output::write_site(&config.build_dir, &files, &copies)?;
    }
    Ok(BuildOutput { pages, build_dir: config.build_dir.clone(), warnings: diags, elapsed: start.elapsed() })
}

fn render_pages(
    site: &Site,
    rendered: &[Rendered],
    inputs: &ViewInputs<'_>,
    templates: &Templates,
) -> Result<Vec<OutputFile>, Error> {
    let targets: Vec<Target> = (0..site.pages.len())
        .map(Target::Page)
        .chain((0..site.sections.len()).map(Target::Section))
        .collect();
    targets
        .par_iter()
        .map(|&target| {
            let (template, body) = match target {
                Target::Page(i) => ("page.html", Some(&rendered[i])),
                Target::Section(_) => ("section.html", None),
            };
            let html = templates.render(template, &inputs.view(target, body))?;
            Ok(OutputFile { path: format!("{}index.html", site.url(target)), contents: html.into_bytes() })
        })
        .collect()
}

type AssetFiles = (Vec<OutputFile>, Vec<CopiedFile>);

/// The theme's stylesheet and script (hashed names), extra CSS/JS from the config, and the
/// other files of the theme's `assets/` folder.
fn theme_assets(config: &SiteConfig) -> Result<(AssetFiles, Vec<String>, Vec<String>), Error> {
    let mut files = Vec::new();
    let mut copies = Vec::new();
    let mut css = Vec::new();
    let mut js = Vec::new();
    let mut add = |name: &str, bytes: Vec<u8>, list: &mut Vec<String>| {
        let path = output::hashed_name(name, &bytes);
        list.push(path.clone());
        files.push(OutputFile { path, contents: bytes });
    };
    add("lore.css", templates::asset(&config.theme_dir, "lore.css")?.into_bytes(), &mut css);
    add("highlight.css", markdown::stylesheet().into_bytes(), &mut css);
    add("lore.js", templates::asset(&config.theme_dir, "lore.js")?.into_bytes(), &mut js);
    for path in &config.additional_css {
        add(&file_name(path), crate::fs::read(path)?, &mut css);
    }
    for path in &config.additional_js {
        add(&file_name(path), crate::fs::read(path)?, &mut js);
    }
    let extra_dir = config.theme_dir.join("assets");
    if extra_dir.is_dir() {
        for entry in std::fs::read_dir(&extra_dir).map_err(|e| Error::io("read", &extra_dir, e))? {
            let entry = entry.map_err(|e| Error::io("read", &extra_dir, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.path().is_file() && !templates::ASSETS.iter().any(|(n, _)| *n == name) {
                copies.push(CopiedFile { path: format!("assets/{name}"), from: entry.path() });
            }
        }
    }
    Ok(((files, copies), css, js))
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| "extra".to_owned(), |n| n.to_string_lossy().into_owned())
}

fn sitemap(site: &Site, base: &str) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut entries: Vec<(String, Option<String>)> = site
        .urls
        .iter()
        .zip(&site.pages)
        .map(|(u, p)| (u.clone(), p.meta.last_verified.map(|d| d.to_string())))
        .chain(site.sections.iter().map(|s| (s.url.clone(), None)))
        .collect();
    entries.sort();
    for (url, lastmod) in entries {
        out.push_str(&format!("  <url><loc>{}</loc>", markdown::escape(&format!("{base}{url}"))));
        if let Some(d) = lastmod {
            out.push_str(&format!("<lastmod>{d}</lastmod>"));
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

/// The build folder may not be, or contain, the source folder or the project root: swapping it
/// would delete the user's files.
fn check_build_dir(config: &SiteConfig) -> Result<(), Error> {
    let build = absolute(&config.build_dir);
    let root = absolute(&config.root);
    let src = absolute(&config.src);
    let shown = crate::config::display_path(&config.build_dir);
    let problem = if root.starts_with(&build) {
        Some("is the project root or contains it")
    } else if src.starts_with(&build) {
        Some("is the source folder or contains it")
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
