//! Templates: tera 2, with the default theme's templates embedded in the binary. A site
//! overrides any of them by placing a file of the same name in `<theme>/templates/`, and any
//! asset with `<theme>/assets/<name>`.
//!
//! Input is a view ([`context::PageView`], or the dashboard's [`freshness::DashboardView`])
//! built by [`view::ViewInputs`]; output is the page's HTML. The modules depend one way:
//! `context` (the view structs) ← `nav`, `freshness`, `kind_view` (parts, from the site model)
//! ← `view` (whole views).

pub mod context;
pub mod freshness;
pub mod kind_view;
mod nav;
pub mod service_graph;
pub mod service_view;
pub mod view;

use std::path::Path;

use crate::error::Error;

/// The default theme's templates, by name.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../themes/default/templates/base.html")),
    ("page.html", include_str!("../../themes/default/templates/page.html")),
    ("section.html", include_str!("../../themes/default/templates/section.html")),
    ("404.html", include_str!("../../themes/default/templates/404.html")),
    ("kind_header.html", include_str!("../../themes/default/templates/kind_header.html")),
    ("kind_footer.html", include_str!("../../themes/default/templates/kind_footer.html")),
    ("taxonomy.html", include_str!("../../themes/default/templates/taxonomy.html")),
    ("alert.html", include_str!("../../themes/default/templates/alert.html")),
    ("freshness.html", include_str!("../../themes/default/templates/freshness.html")),
    ("portal.html", include_str!("../../themes/default/templates/portal.html")),
    ("service.html", include_str!("../../themes/default/templates/service.html")),
    ("services.html", include_str!("../../themes/default/templates/services.html")),
    ("service_header.html", include_str!("../../themes/default/templates/service_header.html")),
    ("service_body.html", include_str!("../../themes/default/templates/service_body.html")),
    ("services_index.html", include_str!("../../themes/default/templates/services_index.html")),
];

/// The default theme's assets, by name.
pub const ASSETS: &[(&str, &str)] = &[
    ("lore.css", include_str!("../../themes/default/assets/lore.css")),
    ("lore.js", include_str!("../../themes/default/assets/lore.js")),
    ("search.js", include_str!("../../themes/default/assets/search.js")),
    ("search.css", include_str!("../../themes/default/assets/search.css")),
    // mermaid 11.17.2's `dist/mermaid.min.js` from npm (MIT), unchanged: written only for
    // sites with a diagram, loaded only by the pages holding one.
    (DIAGRAM_SCRIPT, include_str!("../../themes/default/assets/mermaid.min.js")),
    (DIAGRAM_LICENSE, include_str!("../../themes/default/assets/mermaid.LICENSE")),
];

/// The diagram renderer's asset name (mermaid's minified build).
pub const DIAGRAM_SCRIPT: &str = "mermaid.min.js";

/// Its licence, written beside it.
pub const DIAGRAM_LICENSE: &str = "mermaid.LICENSE";

/// Compiled templates.
#[derive(Debug)]
pub struct Templates {
    tera: tera::Tera,
    /// xxh3-128 of every template's name and text: what a file rendered from them depends on
    /// besides its view.
    pub digest: u128,
}

impl Templates {
    /// Compiles the default templates, replacing any the site's theme folder overrides.
    pub fn load(theme_dir: &Path) -> Result<Self, Error> {
        let mut sources: Vec<(String, String)> = Vec::new();
        for (name, text) in TEMPLATES {
            let custom = theme_dir.join("templates").join(name);
            let text =
                if custom.is_file() { crate::fs::read_to_string(&custom)? } else { (*text).to_owned() };
            sources.push(((*name).to_owned(), text));
        }
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        for (name, text) in &sources {
            for part in [name.as_bytes(), &[0], text.as_bytes(), &[0]] {
                hasher.update(part);
            }
        }
        let mut tera = tera::Tera::new();
        tera.autoescape_on([".html"]);
        tera.add_raw_templates(sources).map_err(|e| Error::Template(describe(&e)))?;
        Ok(Self { tera, digest: hasher.digest128() })
    }

    /// Renders `template` with a serializable view.
    pub fn render<T: serde::Serialize>(&self, template: &str, view: &T) -> Result<String, Error> {
        let context = tera::Context::from_serialize(view).map_err(|e| Error::Template(describe(&e)))?;
        self.tera.render(template, &context).map_err(|e| Error::Template(describe(&e)))
    }
}

/// A theme asset: the site's override if present, else the default.
pub fn asset(theme_dir: &Path, name: &str) -> Result<String, Error> {
    let custom = theme_dir.join("assets").join(name);
    if custom.is_file() {
        return crate::fs::read_to_string(&custom);
    }
    Ok(ASSETS.iter().find(|(n, _)| *n == name).map(|(_, t)| (*t).to_owned()).unwrap_or_default())
}

/// The error with its causes, one per line (tera puts the template position in the chain).
fn describe(err: &dyn std::error::Error) -> String {
    let mut text = format!("template error: {err}");
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(&format!("\n  caused by: {s}"));
        source = s.source();
    }
    text
}
