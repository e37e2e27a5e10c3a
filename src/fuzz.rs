//! Entry points for fuzzing: each takes arbitrary bytes and drives one input path of lore to
//! the end, the way a build would. None of them may panic, whatever the bytes.
//!
//! The fuzz targets under `fuzz/` call these functions, and `cargo test` replays every input
//! kept under `fuzz/regressions/<target>/` through the same functions on stable Rust, so an
//! input that once crashed lore stays fixed. What each function covers:
//!
//! - [`page`]: front matter and page load, as a runbook, a decision record, an onboarding path
//!   and a plain page of one site, then the site model, freshness and rendering;
//! - [`adr`]: the decision-record readers (front matter, MADR 2 bullets, adr-tools);
//! - [`markdown`](fn@markdown): rendering with `{{#include}}` expansion against files on disk;
//! - [`book_toml`]: `book.toml` parsing and validation;
//! - [`summary`]: `SUMMARY.md` parsing and the navigation built from it;
//! - [`mkdocs_yml`]: `mkdocs.yml` parsing, the navigation built from its `nav`, and a page
//!   rendered with MkDocs markdown (admonitions, tabs, snippets);
//! - [`http`]: one request to `lore serve`, from its raw bytes to the bytes of the reply;
//! - [`alert_rules`]: an alert rule file (`[alerts] rules`) read, matched to the runbooks of a
//!   small site and checked, then the site's alert pages and `alerts.json` made;
//! - [`service_catalog`]: a Backstage catalog file (`[services] catalog`) read into services
//!   with a service page and a runbook, and every service page and the index rendered;
//! - [`slo_file`]: an OpenSLO or Sloth file (`[services] slos`) read, its error budgets
//!   computed and the service pages rendered;
//! - [`search_stats`]: a site's search statistics (inflated; compressed here) merged by a
//!   portal into one browser index;
//! - [`search_ledger`]: the search index's ledger, as `.lore/` restored from a cache holds it;
//! - [`words_memo`]: the build cache's word lists (`.lore/cache/words.bin`), read for a build.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::config::SiteConfig;
use crate::content::{self, Content, Page, SourceFile};
use crate::markdown::{self, Highlighter};
use crate::serve::answer::{self, Answer, View};
use crate::site;

/// Where the pages of [`page`] claim to live: one per kind.
const PAGE_PATHS: [&str; 4] =
    ["runbooks/db-failover.md", "adr/0007-use-postgres.md", "onboarding/day-one.md", "guide.md"];

/// The day freshness is computed for, fixed so a run is repeatable.
const TODAY: jiff::civil::Date = jiff::civil::date(2026, 3, 1);

/// Loads `data` as a page of each kind in one site, builds the site model, assesses freshness
/// and renders every page.
pub fn page(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let root = scratch();
    let config = config(root);
    let pages: Vec<(&str, &str)> = PAGE_PATHS.iter().map(|rel| (*rel, text)).collect();
    build_and_render(&config, &pages, None);
}

/// Reads `data` as a decision record, in a site where it is the only page.
pub fn adr(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let config = config(scratch());
    let Some(page) = load(&config, "adr/0007-use-postgres.md", text) else { return };
    let _ = content::adr::read(&page, &config.adr_statuses);
}

/// Renders `data` as a page whose `{{#include}}`s resolve against real files. The bytes before
/// the first NUL are the page; the bytes after it become `inc.md`, which the page (or itself)
/// may include. `code.rs` (with anchors) and `self.md` (including itself) are always there.
pub fn markdown(data: &[u8]) {
    let (page, included) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &b""[..]),
    };
    let (Ok(page), Ok(included)) = (std::str::from_utf8(page), std::str::from_utf8(included)) else {
        return;
    };
    let root = scratch();
    let config = config(root);
    if std::fs::write(config.src.join("inc.md"), included).is_err() {
        return;
    }
    build_and_render(&config, &[("page.md", page)], None);
}

/// Parses `data` as `book.toml`.
pub fn book_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = SiteConfig::from_str(text);
}

/// Builds navigation from `data` as `SUMMARY.md`, in a site with a few pages it may name.
pub fn summary(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let config = config(scratch());
    let path = config.src.join("SUMMARY.md");
    if std::fs::write(&path, text).is_err() {
        return;
    }
    let summary = SourceFile { path, rel: "SUMMARY.md".to_owned(), shown: "src/SUMMARY.md".into() };
    let pages = [("intro.md", "# Intro\n"), ("runbooks/db.md", "# DB\n"), ("adr/0001-x.md", "# 1. X\n")];
    build_and_render(&config, &pages, Some(summary));
}

/// Reads the bytes before the first NUL as `mkdocs.yml` and the rest as a page of that site,
/// then builds the site model (its `nav`) and renders the page with MkDocs markdown on.
pub fn mkdocs_yml(data: &[u8]) {
    let (yml, page) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &b""[..]),
    };
    let (Ok(yml), Ok(page)) = (std::str::from_utf8(yml), std::str::from_utf8(page)) else { return };
    let root = scratch().join("mkdocs");
    if std::fs::create_dir_all(root.join("snippets")).is_err()
        || std::fs::write(root.join("snippets/note.md"), "!!! note\n    From a snippet.\n").is_err()
    {
        return;
    }
    let Ok(mut config) = crate::config::mkdocs::from_str(yml, &root) else { return };
    config.freshness.git = false;
    build_and_render(&config, &[("index.md", "# Home\n"), ("guide/page.md", page)], None);
}

/// Answers `data` as one request to `lore serve`, against a small built site with its search
/// index, as the preview server would (an error overlay is shown when the first byte is odd).
pub fn http(data: &[u8]) {
    let Some(site) = served_site() else { return };
    // Content problems on the home page and `a/`, shown in their overlays (issue 15).
    let diag =
        crate::diag::Diagnostic::error("broken link: `</template><script>`").at(Path::new("src/a.md"), 1, 1);
    let pages = [(std::path::PathBuf::from("src/a.md"), "a/".to_owned())].into();
    let problems = crate::serve::problems::Problems::new(&[diag], &pages);
    let view = View {
        dir: &site.join("book"),
        error: data.first().filter(|b| *b % 2 == 1).map(|_| "src/a.md:1:1: error: <b>broken</b>"),
        problems: &problems,
        search_dir: &site.join(".lore/search"),
        head_alias: None,
        generation: 1,
        streams: 0,
        allowed_hosts: &["docs.internal".to_owned()],
        first: None,
        search_ready: true,
    };
    if let Answer::Reply { reply, head_only } = answer::answer(data, &view) {
        let _ = reply.wire(head_only);
    }
}

/// Reads `data` as an alert rule file of a site with a few runbooks, matches its alerts to
/// them (links, front matter, file names), assesses freshness and makes the alert pages and
/// `alerts.json`.
pub fn alert_rules(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parsed = crate::alerts::parse(text, Path::new("rules.yml"));
    for rule in &parsed.rules {
        assert_eq!(
            crate::alerts::segment(&rule.segment).as_deref(),
            Some(rule.segment.as_str()),
            "a segment is its own segment"
        );
    }
    let root = scratch().join("alerts");
    if std::fs::create_dir_all(root.join("monitoring")).is_err()
        || std::fs::write(root.join("monitoring/rules.yml"), text).is_err()
    {
        return;
    }
    let mut config = config(&root);
    config.alerts.rules = vec!["monitoring/*.yml".to_owned()];
    config.alerts.base = root.clone();
    config.content_root = crate::config::ContentRoot::of(&root);
    let runbook = "---\nowner: dba\nalerts: [PgDown, KubePodCrashLooping]\n---\n# Database failover\n\n## Mitigation\n\nPromote the replica.\n";
    let pages = [
        ("runbooks/db-failover.md", runbook),
        ("alerts/HighCPU.md", "# High CPU\n"),
        ("guide.md", "# Guide\n"),
    ];
    let Some(site) = site_of(&config, &pages) else { return };
    let _ = crate::templates::kind_view::alerts_json(&site, Some("https://x.example/"));
}

/// Reads `data` as a catalog file of a small site with a service page, a runbook and an ADR,
/// then renders every service page and the services index.
pub fn service_catalog(data: &[u8]) {
    services_site(data, "catalog/catalog-info.yaml");
}

/// Reads `data` as an SLO file of a small site with a catalog, then renders every service page.
pub fn slo_file(data: &[u8]) {
    services_site(data, "slo/slos.yaml");
}

/// Reads `data` as another site's `lore-site.json` (untrusted; both readers must agree), then
/// merges it twice into a portal (two sites with the same alerts and services: conflicts) and
/// computes every organisation view.
pub fn portal_manifest(data: &[u8]) {
    let parsed = crate::portal::Manifest::parse(data);
    // The direct reader and the one through a `Value` make the same of any input.
    assert_eq!(parsed, crate::portal::Manifest::parse_through_value(data), "the manifest readers disagree");
    let Ok(manifest) = parsed else { return };
    let today = jiff::civil::date(2026, 3, 1);
    for page in &manifest.pages {
        let _ = (page.state_at(today), page.days_overdue(today));
    }
    let site = |name: &str| crate::portal::LoadedSite {
        name: name.to_owned(),
        base: format!("{name}/"),
        local: None,
        manifest: manifest.clone(),
        search: crate::portal::search::SearchState::default(),
    };
    let portal = crate::portal::Portal {
        sites: vec![site("a"), site("b")],
        unavailable: Vec::new(),
        today,
        load_diagnostics: Vec::new(),
    };
    let config = crate::config::portal::PortalConfig {
        sites: Vec::new(),
        timeout: std::time::Duration::from_secs(1),
        ca_file: None,
        config_path: std::path::PathBuf::from("book.toml"),
    };
    let _ = portal.diagnostics(&config);
    let own = crate::report::FreshnessReport::new(&crate::site::Site::default(), &config_freshness(), today);
    let _ = portal.report(&own);
}

fn config_freshness() -> crate::config::FreshnessConfig {
    crate::config::SiteConfig::from_str("")
        .map(|c| c.freshness)
        .unwrap_or_else(|_| unreachable!("an empty book.toml is valid"))
}

/// Merges `data`, compressed, as the search statistics of one site of a portal (the bytes are
/// the inflated file: fuzzing through gzip would mostly test the inflater).
pub fn search_stats(data: &[u8]) {
    let Ok(stats) = crate::search::browser::gzip(data) else { return };
    let site = crate::search::merge::SiteSearch { name: "fuzz".to_owned(), base: "fuzz/".to_owned(), stats };
    let _ = crate::search::merge::merge(&[site]);
}

/// Reads `data` as the search index's ledger (restored with `.lore/` from a CI cache): never
/// a panic, and a ledger that reads is the one its bytes encode.
pub fn search_ledger(data: &[u8]) {
    if let Some(ledger) = crate::search::ledger::Ledger::decode(data) {
        assert_eq!(ledger.encode(), data, "a ledger reads back only from its own bytes");
    }
}

/// Reads `data` as the body of the build cache's word lists (`.lore/cache/words.bin`; framed
/// here with the magic, the checksum and this lore's version, so the fuzzer reaches what they
/// guard): whatever it holds, the word list made through it is the one made by reading every
/// page (a memo can only name a page by the hash of its text), and the memo written is one
/// the next build reads.
pub fn words_memo(data: &[u8]) {
    use crate::search::{PageDoc, SectionDoc, vocabulary};
    let page = |title: &str, text: &str| {
        let section =
            SectionDoc { anchor: String::new(), heading: vec!["Steps".to_owned()], text: text.to_owned() };
        std::sync::Arc::new(PageDoc {
            title: title.to_owned(),
            sections: vec![section],
            ..PageDoc::default()
        })
    };
    let pages = [page("Failover", "Promote the replica."), page("Cache", "Flush it; warm it again.")];
    let Ok(mut body) = postcard::to_stdvec(env!("CARGO_PKG_VERSION")) else { return };
    body.extend_from_slice(data);
    let path = scratch().join("words.bin");
    if std::fs::write(&path, vocabulary::framed(&body)).is_err() {
        return;
    }
    let fresh = vocabulary::vocabulary(&pages, None).ok();
    assert_eq!(vocabulary::vocabulary(&pages, Some(&path)).ok(), fresh, "the memo changed the word list");
    assert_eq!(vocabulary::vocabulary(&pages, Some(&path)).ok(), fresh, "the memo written is wrong");
}

/// A site whose file `rel` holds `data`, with one catalog entity (unless `rel` is the catalog),
/// a service page, a runbook and an ADR naming services; every service page is rendered.
fn services_site(data: &[u8], rel: &str) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let root = scratch().join("services");
    let catalog = "kind: Component\nmetadata: {name: ledger}\nspec: {dependsOn: [accounts, ledger]}\n";
    let files = [("catalog/catalog-info.yaml", catalog), ("slo/slos.yaml", "")];
    for (path, default) in files {
        let body = if path == rel { text } else { default };
        let path = root.join(path);
        if path.parent().is_some_and(|p| std::fs::create_dir_all(p).is_err())
            || std::fs::write(&path, body).is_err()
        {
            return;
        }
    }
    let mut config = config(&root);
    config.services.catalog = vec!["catalog/*.yaml".to_owned()];
    config.services.slos = vec!["slo/*.yaml".to_owned()];
    config.services.base = root.clone();
    config.content_root = crate::config::ContentRoot::of(&root);
    let pages = [
        (
            "services/accounts.md",
            "---\ndepends_on: [ledger, nowhere]\nslos: [{name: a, objective: 99.9}]\n---\n# Accounts\n",
        ),
        ("runbooks/db.md", "---\nowner: dba\nservice: ledger\n---\n# Db\n\n## Mitigation\n\nx\n"),
        ("adr/0001-x.md", "---\nstatus: accepted\nservices: [ledger, accounts]\n---\n# 1. X\n"),
    ];
    let Some(site) = site_of(&config, &pages) else { return };
    let Ok(templates) = crate::templates::Templates::load(&config.theme_dir) else { return };
    let inputs = crate::templates::view::ViewInputs {
        config: &config,
        site: &site,
        css: &[],
        js: &[],
        search: None,
        diagrams: None,
        nav_digests: std::sync::OnceLock::new(),
    };
    for page in inputs.generated() {
        let _ = templates.render(page.template, &page.view);
    }
    for i in 0..site.pages.len() {
        let view = inputs.view(site::Target::Page(i), None);
        let _ = templates.render("page.html", &view);
    }
}

/// The site [`http`] serves, built once per process.
fn served_site() -> Option<&'static Path> {
    static SITE: OnceLock<Option<PathBuf>> = OnceLock::new();
    SITE.get_or_init(|| {
        let root = scratch().join("served");
        let src = root.join("src");
        std::fs::create_dir_all(src.join("runbooks")).ok()?;
        std::fs::write(root.join("book.toml"), "[book]\ntitle = \"Served\"\n").ok()?;
        std::fs::write(src.join("README.md"), "# Home\n\nSee [the runbook](runbooks/db.md).\n").ok()?;
        let runbook = "---\nowner: dba\nalerts: [PgDown]\n---\n# Database failover\n\n## Mitigation\n\nPromote the replica.\n";
        std::fs::write(src.join("runbooks/db.md"), runbook).ok()?;
        std::fs::write(src.join("what?.md"), "# What\n").ok()?;
        let options = crate::build::BuildOptions { root: root.clone(), write: true, ..Default::default() };
        crate::build::build(&options, None).ok()?;
        Some(root)
    })
    .as_deref()
}

/// A folder of this process for the files a fuzz input needs (`src/` holds the pages).
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("lore-fuzz-{}", std::process::id()));
        let src = dir.join("src");
        let _ = std::fs::create_dir_all(&src);
        let _ = std::fs::write(src.join("code.rs"), "// ANCHOR: all\nfn main() {}\n// ANCHOR_END: all\n");
        let _ = std::fs::write(src.join("self.md"), "before\n{{#include self.md}}\nafter\n");
        let _ = std::fs::write(src.join("inc.md"), "included\n");
        dir
    })
}

/// The site's configuration: defaults, rooted in the scratch folder, no git.
fn config(root: &Path) -> SiteConfig {
    let mut config = SiteConfig::for_tests(root);
    config.freshness.git = false;
    config
}

/// Loads one page from text, as discovery would have found it at `src/<rel>`.
/// The site model of `pages` (source path, text) with freshness applied; `None` when a page
/// does not load.
fn site_of(config: &SiteConfig, pages: &[(&str, &str)]) -> Option<site::Site> {
    let mut content = Content::default();
    for (rel, text) in pages {
        content.pages.push(load(config, rel, text)?);
    }
    let (mut site, _) = site::build(content, config);
    let _ = site::freshness::apply(&mut site, config, TODAY);
    Some(site)
}

fn load(config: &SiteConfig, rel: &str, text: &str) -> Option<Page> {
    let source =
        SourceFile { path: config.src.join(rel), rel: rel.to_owned(), shown: PathBuf::from("src").join(rel) };
    Page::from_text(source, text.to_owned(), config).ok().map(|(page, _)| page)
}

/// Builds a site of `pages`, assesses freshness and renders every page.
fn build_and_render(config: &SiteConfig, pages: &[(&str, &str)], summary: Option<SourceFile>) -> Option<()> {
    let mut content = Content { summary, ..Content::default() };
    for (rel, text) in pages {
        content.pages.push(load(config, rel, text)?);
    }
    let (mut site, _) = site::build(content, config);
    let _ = site::freshness::apply(&mut site, config, TODAY);
    let highlighter = highlighter();
    for index in 0..site.pages.len() {
        let _ = markdown::render(index, &site, highlighter, true);
    }
    Some(())
}

/// One highlighter for the process: loading syntaxes costs far more than one input.
fn highlighter() -> &'static Highlighter {
    static HIGHLIGHTER: OnceLock<Highlighter> = OnceLock::new();
    HIGHLIGHTER.get_or_init(Highlighter::new)
}

/// Removes this process's scratch folder (the replay test calls it when done).
pub fn remove_scratch() {
    let _ = std::fs::remove_dir_all(scratch());
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Every input kept under `fuzz/regressions/<target>/` (each once crashed or hung a fuzz
    /// target) runs through its target again: none may panic.
    #[test]
    fn replay_fuzz_regressions() {
        type Target = fn(&[u8]);
        let targets: [(&str, Target); 14] = [
            ("page", super::page),
            ("adr", super::adr),
            ("markdown", super::markdown),
            ("book_toml", super::book_toml),
            ("summary", super::summary),
            ("http", super::http),
            ("mkdocs_yml", super::mkdocs_yml),
            ("alert_rules", super::alert_rules),
            ("service_catalog", super::service_catalog),
            ("slo_file", super::slo_file),
            ("portal_manifest", super::portal_manifest),
            ("search_stats", super::search_stats),
            ("search_ledger", super::search_ledger),
            ("words_memo", super::words_memo),
        ];
        assert!(super::served_site().is_some(), "the site the http target serves must build");
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
        let mut replayed = 0;
        for (name, run) in targets {
            let dir = root.join(name);
            let mut inputs: Vec<_> = std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
                .map(|entry| entry.expect("a folder entry").path())
                .filter(|path| !path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
                .collect();
            inputs.sort();
            for input in inputs {
                let bytes = std::fs::read(&input).unwrap_or_else(|e| panic!("read {}: {e}", input.display()));
                eprintln!("replaying {}", input.display());
                run(&bytes);
                replayed += 1;
            }
        }
        super::remove_scratch();
        eprintln!("replayed {replayed} fuzz inputs");
    }
}
