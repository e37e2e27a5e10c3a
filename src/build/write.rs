//! Where output goes, and the files besides the pages: generated listings, the sitemap and the
//! theme's assets.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::error::Error;
use crate::markdown;
use crate::output::{self, Staging};
use crate::report::FreshnessReport;
use crate::site::Site;
use crate::templates::view::ViewInputs;
use crate::templates::{self, Templates};

/// Where output goes: the staging folder, nowhere for `check`, or over the files of a served
/// folder.
pub enum Sink<'a> {
    /// A staging folder swapped in when complete (`None`: `lore check`, which writes nothing).
    Staging(Option<&'a Staging>),
    /// Beside each old file, renamed over it (`serve`).
    InPlace(&'a Path),
}

impl Sink<'_> {
    /// Writes `rel` (site-relative).
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), Error> {
        match self {
            Sink::Staging(staging) => staging.map_or(Ok(()), |s| s.write(rel, bytes)),
            Sink::InPlace(dir) => output::replace(dir, rel, bytes),
        }
    }

    /// Links `rel` from the site being replaced when it is still the file `made` describes
    /// (a staging folder only); returns the linked file's stamp when it did.
    pub fn link_same(&self, rel: &str, made: super::views::Made) -> Result<Option<u128>, Error> {
        match self {
            Sink::Staging(Some(staging)) => staging.link_same(rel, made.len, made.hash, made.stamp),
            _ => Ok(None),
        }
    }

    /// The stamp of the file just written at `rel` (a staging folder only; else 0).
    pub fn stamp_of(&self, rel: &str) -> u128 {
        match self {
            Sink::Staging(Some(staging)) => staging.stamp_of(rel),
            _ => 0,
        }
    }

    /// Copies `from` to `rel` (site-relative).
    pub fn copy(&self, from: &Path, rel: &str) -> Result<(), Error> {
        match self {
            Sink::Staging(staging) => staging.map_or(Ok(()), |s| s.copy(from, rel)),
            Sink::InPlace(dir) => output::replace(dir, rel, &crate::fs::read(from)?),
        }
    }

    /// Removes `rel` (site-relative) if it is there: a staging folder starts empty.
    pub fn remove(&self, rel: &str) {
        if let Sink::InPlace(dir) = self {
            let _ = std::fs::remove_file(dir.join(rel));
        }
    }
}

/// The site-relative URLs of the pages [`listings`] generated.
#[derive(Debug, Default)]
pub struct Listings {
    /// The pages a reader browses (kind pages, the freshness dashboard): the sitemap lists them.
    pub browsed: Vec<String>,
    /// The alert redirects, which only forward to a runbook.
    pub redirects: Vec<String>,
}

/// The pages that list other pages: generated kind pages, the freshness dashboard and its JSON,
/// `sitemap.xml`.
pub fn listings(
    inputs: &ViewInputs<'_>,
    templates: &Templates,
    report: &FreshnessReport,
    sink: &Sink<'_>,
) -> Result<Listings, Error> {
    let mut listings = generated(inputs, templates, sink)?;
    // A portal writes the organisation's dashboard and `freshness.json` instead (`portal::pages`).
    if inputs.config.portal.is_none() {
        listings.browsed.extend(freshness(report, inputs, templates, sink)?);
    }
    // A sitemap needs absolute URLs: only a `site-url` with a scheme gives one.
    if let Some(url) = inputs.config.site_url.as_deref().filter(|u| u.contains("://")) {
        sink.write("sitemap.xml", sitemap(inputs.site, &listings.browsed, url).as_bytes())?;
    }
    Ok(listings)
}

/// `freshness.json`, and the `freshness/` dashboard unless a page of the site has that URL.
/// Returns the dashboard's URL when it was written (a page of the site may own that URL).
fn freshness(
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

/// The pages lore generates for kinds (taxonomies, alert index and redirects) and
/// `alerts.json`.
fn generated(inputs: &ViewInputs<'_>, templates: &Templates, sink: &Sink<'_>) -> Result<Listings, Error> {
    let site = inputs.site;
    let pages = inputs.generated();
    pages.par_iter().try_for_each(|page| {
        sink.write(&page.path, templates.render(page.template, &page.view)?.as_bytes())
    })?;
    if (!site.runbooks.alerts.is_empty() || !site.coverage.alerts.is_empty())
        && inputs.config.portal.is_none()
    {
        let base = inputs.config.site_url.as_deref().filter(|u| u.contains("://"));
        sink.write("alerts.json", templates::kind_view::alerts_json(site, base)?.as_bytes())?;
    }
    let url = |p: &&templates::kind_view::Generated| p.path.trim_end_matches("index.html").to_owned();
    let (redirects, browsed): (Vec<_>, Vec<_>) = pages.iter().partition(|p| p.template == "alert.html");
    let mut browsed: Vec<String> = browsed.iter().map(url).collect();
    let mut redirects: Vec<String> = redirects.iter().map(url).collect();
    browsed.sort();
    redirects.sort();
    Ok(Listings { browsed, redirects })
}

/// The theme's files, ready to write.
pub struct ThemeAssets {
    /// (site-relative path, contents) of generated or embedded files.
    pub files: Vec<(String, Vec<u8>)>,
    /// (source, site-relative path) of files copied from the site's theme folder.
    pub copies: Vec<(PathBuf, String)>,
    /// Stylesheets to link, site-relative.
    pub css: Vec<String>,
    /// Scripts to load, site-relative.
    pub js: Vec<String>,
}

/// The theme's stylesheet and script (hashed names), extra CSS/JS from the config, and the
/// other files of the theme's `assets/` folder.
pub fn theme_assets(config: &SiteConfig) -> Result<ThemeAssets, Error> {
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

/// The diagram script (mermaid) and its licence.
pub struct DiagramAssets {
    /// The script, site-relative (hashed name): what pages holding a diagram load.
    pub script: String,
    /// (site-relative path, contents) of the script and its licence: written only when a page
    /// has a diagram.
    pub files: Vec<(String, Vec<u8>)>,
}

/// The diagram script and its licence, when `[output.html] mermaid` is on.
pub fn diagram_assets(config: &SiteConfig) -> Result<Option<DiagramAssets>, Error> {
    if !config.mermaid {
        return Ok(None);
    }
    let script = templates::asset(&config.theme_dir, templates::DIAGRAM_SCRIPT)?.into_bytes();
    let license = templates::asset(&config.theme_dir, templates::DIAGRAM_LICENSE)?.into_bytes();
    let path = output::hashed_name(templates::DIAGRAM_SCRIPT, &script);
    let files = vec![(path.clone(), script), (format!("assets/{}", templates::DIAGRAM_LICENSE), license)];
    Ok(Some(DiagramAssets { script: path, files }))
}

/// The searcher's script and stylesheet (hashed names) and the index head, site-relative.
pub fn search_links(
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
