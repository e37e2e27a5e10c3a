//! A full build taken in steps, for `lore serve`, which answers requests between them: pages
//! can be rendered on demand ([`State::html`]) as soon as [`begin`] returns, while the steps
//! render and write the rest.
//!
//! The files written are those of [`super::build`] with `keep` and `defer_search` (no search
//! index: the caller exports it), and where two could have the same path, the same one is
//! written last: the theme's generated files and `404.html` come first (no page, listing or
//! portal page writes those paths), then the pages and folder listings, the generated
//! listings, the portal's pages, and last every file copied from the source and theme folders.

use rayon::prelude::*;

use super::state::RENDER_CHUNK;
use super::write::{self, Listings, Sink, ThemeAssets};
use super::{Stages, State, cache, model};
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::report::FreshnessReport;
use crate::site::Target;

/// What the steps carry from one to the next besides the state.
pub struct Steps {
    /// The theme's generated files and the files copied from its folder.
    assets: ThemeAssets,
    /// The organisation's sites, once [`Steps::write_listings`] read them.
    portal: Option<crate::portal::Portal>,
    /// `--require-all-sites`.
    require_all_sites: bool,
    /// Told once when the cache on disk could not be used.
    note: Option<fn(&str)>,
}

/// The first step: the config, the pages and the site model, with what every page links set
/// on the theme (stylesheets, scripts, the searcher and the index head it will have).
pub fn begin(options: &super::BuildOptions) -> Result<(Box<State>, Steps), Error> {
    let mut state = model(options, &mut Stages::new())?;
    if options.cache && state.config.cache {
        state.cache = Some(cache::Cache::open(&state.config, options.write));
    }
    let mut assets = write::theme_assets(&state.config)?;
    state.theme.css = std::mem::take(&mut assets.css);
    state.theme.js = std::mem::take(&mut assets.js);
    // The script's files are written with the first page holding a diagram (`State::write`).
    if let Some(diagrams) = write::diagram_assets(&state.config)? {
        state.theme.diagrams = Some(diagrams.script);
    }
    if state.searched {
        let head = crate::search::browser::HEAD;
        state.theme.search = Some(write::search_links(&state.config, head, &mut assets.files)?);
    }
    let steps =
        Steps { assets, portal: None, require_all_sites: options.require_all_sites, note: options.note };
    Ok((Box::new(state), steps))
}

impl Steps {
    /// Writes what pages load besides themselves: the theme's stylesheets and scripts (and
    /// the files of its folder, copied again by [`Steps::write_copies`]), and `404.html`.
    pub fn write_theme(&self, state: &State, sink: &Sink<'_>) -> Result<(), Error> {
        self.assets.files.par_iter().try_for_each(|(rel, bytes)| sink.write(rel, bytes))?;
        self.assets.copies.par_iter().try_for_each(|(from, rel)| sink.copy(from, rel))?;
        let not_found = state.theme.templates.render("404.html", &state.inputs().not_found())?;
        sink.write("404.html", not_found.as_bytes())
    }

    /// The pages of the site model to render, in chunks, in its order.
    pub fn chunks(state: &State) -> Vec<Vec<usize>> {
        let all: Vec<usize> = (0..state.site.pages.len()).collect();
        all.chunks(RENDER_CHUNK).map(<[usize]>::to_vec).collect()
    }

    /// Writes rendered pages `numbers` through their templates.
    pub fn write_pages(state: &State, numbers: &[usize], sink: &Sink<'_>) -> Result<(), Error> {
        let targets: Vec<Target> = numbers.iter().map(|&i| Target::Page(i)).collect();
        state.write(&targets, sink)
    }

    /// Writes the folder listings, the generated listings and the portal's pages (its sites
    /// are read here: they may be fetched); returns the listings, for [`State::listings`].
    pub fn write_listings(&mut self, state: &State, sink: &Sink<'_>) -> Result<Listings, Error> {
        state.write(&state.written_sections(), sink)?;
        let listings = state.write_generated(sink)?;
        let config = &state.config;
        let portal =
            config.portal.as_ref().map(|c| crate::portal::load(c, state.today, self.require_all_sites));
        if let (Some(portal), Some(_)) = (&portal, &config.portal) {
            let report = FreshnessReport::new(&state.site, &config.freshness, state.today);
            let report = portal.report(&report);
            let write_file = |rel: &str, bytes: &[u8]| sink.write(rel, bytes);
            crate::portal::pages::write(
                portal,
                &report,
                &state.inputs(),
                &state.theme.templates,
                &write_file,
            )?;
        }
        self.portal = portal;
        Ok(listings)
    }

    /// Copies the files of the source folder and of the theme's folder, last, as `build` does.
    pub fn write_copies(&self, state: &State, sink: &Sink<'_>) -> Result<usize, Error> {
        let copies = state.site.assets.iter().map(|a| (a.path.clone(), a.rel.clone()));
        let copies: Vec<_> = copies.chain(self.assets.copies.iter().cloned()).collect();
        copies.par_iter().try_for_each(|(from, rel)| sink.copy(from, rel))?;
        Ok(copies.len())
    }

    /// The last step, once every page is rendered and kept: every diagnostic of the site (the
    /// anchor check, the portal's), and the build cache written.
    pub fn finish(self, state: &mut State) -> Result<Vec<Diagnostic>, Error> {
        let mut diags = state.check([]);
        if let (Some(portal), Some(config)) = (&self.portal, &state.config.portal) {
            diags.extend(portal.diagnostics(config));
            crate::diag::sort(&mut diags);
        }
        if let (Some(note), Some(tell)) = (state.save_cache()?, self.note) {
            tell(&note);
        }
        Ok(diags)
    }
}
