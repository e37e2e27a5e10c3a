//! A full build taken in steps, for `lore serve`, which answers requests between them: pages
//! can be rendered on demand ([`State::html`]) as soon as [`begin`] returns, while the steps
//! render and write the rest.
//!
//! The files written are those of [`super::build`] with `keep` and `defer_search` (no search
//! index: the caller exports it; content errors never stop it), and where two could have the
//! same path, the same one is written last: the theme's generated files and `404.html` come
//! first (no page, listing or portal page writes those paths), with the files of the theme's
//! folder, then the pages and folder listings, the generated listings, the portal's pages, and
//! last every file copied from the source and theme folders.

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
        if let Some(portal) = &portal {
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use super::*;
    use crate::build::BuildOptions;

    fn files(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let rel = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.file_type().unwrap().is_dir() {
                files(&entry.path(), &format!("{rel}/"), out);
            } else if rel != crate::output::owner::MARKER {
                out.insert(rel, std::fs::read(entry.path()).unwrap());
            }
        }
    }

    /// A site of `pages` taken through the steps, each page and folder listing rendered on
    /// demand before any is rendered; checks that the steps write exactly the files of a full
    /// build. Returns each target's URL, whether the state says it owns its file, and whether
    /// its file is the page rendered on demand.
    fn on_demand_and_written(pages: &[(&str, &str)]) -> Vec<(String, bool, bool)> {
        let dir = tempfile::tempdir().unwrap();
        let write = |rel: &str, text: &str| {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write("book.toml", "[book]\ntitle = \"T\"\n");
        write("src/img.png", "png");
        for (rel, text) in pages {
            write(&format!("src/{rel}"), text);
        }
        let options = |out: &Path| BuildOptions {
            root: dir.path().to_path_buf(),
            write: true,
            keep: true,
            defer_search: true,
            keep_going: true,
            out_dir: Some(out.to_path_buf()),
            today: Some("2026-11-30".to_owned()),
            ..BuildOptions::default()
        };
        let out = dir.path().join("steps");
        std::fs::create_dir(&out).unwrap();
        let (mut state, mut steps) = begin(&options(&out)).unwrap();
        let targets = state.targets();
        let on_demand: Vec<String> = targets.iter().map(|&t| state.html(t).unwrap()).collect();
        let sink = Sink::InPlace(&out);
        steps.write_theme(&state, &sink).unwrap();
        for chunk in Steps::chunks(&state) {
            let renders = state.render_some(&chunk, &|| {});
            state.keep(renders);
            Steps::write_pages(&state, &chunk, &sink).unwrap();
        }
        state.listings = steps.write_listings(&state, &sink).unwrap();
        steps.write_copies(&state, &sink).unwrap();
        assert!(steps.finish(&mut state).unwrap().is_empty());
        let built = dir.path().join("built");
        crate::build::build(&options(&built), None).unwrap();
        let (mut want, mut got) = (BTreeMap::new(), BTreeMap::new());
        files(&built, "", &mut want);
        files(&out, "", &mut got);
        assert!(want.contains_key("img.png") && want.contains_key("tags/x/index.html"), "{:?}", want.keys());
        assert_eq!(got.keys().collect::<Vec<_>>(), want.keys().collect::<Vec<_>>());
        for (rel, bytes) in &want {
            assert!(got[rel] == *bytes, "`{rel}` differs");
        }
        let written = |url: &str| std::fs::read_to_string(out.join(format!("{url}index.html"))).unwrap();
        (targets.iter().zip(&on_demand))
            .map(|(&t, html)| {
                let url = state.site.url(t);
                (url.to_owned(), state.owns_file(t), written(url) == *html)
            })
            .collect()
    }

    const DB: &str = "---\nowner: dba\ntags: [x]\n---\n# DB\n\n## Steps\n\n```sh\npg_ctl promote\n```\n\n## Mitigation\n\nDo.\n";

    /// Issue 13: every page and folder listing rendered on demand before anything is rendered
    /// is the file the steps then write, and the steps write exactly the files of a full build.
    #[test]
    fn issue_13_pages_rendered_on_demand_are_the_pages_written() {
        let written = on_demand_and_written(&[
            ("README.md", "# Home\n\nSee [the runbook](runbooks/db.md#steps).\n"),
            ("runbooks/db.md", DB),
            ("adr/0001-use-x.md", "# 1. Use X\n\n## Status\n\nAccepted\n"),
        ]);
        let own = |url: &str| (url.to_owned(), true, true);
        let listings = [own("adr/"), own("runbooks/")];
        assert_eq!(
            written,
            [&[own(""), own("adr/0001-use-x/"), own("runbooks/db/")][..], &listings].concat()
        );
    }

    /// Issue 13: where the page of a tag is generated over a page (navigation from
    /// `SUMMARY.md`, so no folder listing takes `tags/`), the page is not the state's to answer.
    #[test]
    fn issue_13_a_page_a_generated_listing_replaces_is_not_answered_on_demand() {
        let written = on_demand_and_written(&[
            ("SUMMARY.md", "# Summary\n\n[Home](README.md)\n\n- [DB](runbooks/db.md)\n- [Tag](tags/x.md)\n"),
            ("README.md", "# Home\n"),
            ("runbooks/db.md", DB),
            ("tags/x.md", "# Tag page\n"),
        ]);
        let row = |url: &str, own: bool| (url.to_owned(), own, own);
        assert_eq!(written, [row("", true), row("runbooks/db/", true), row("tags/x/", false)]);
    }
}
