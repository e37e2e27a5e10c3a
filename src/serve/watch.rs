//! Watching: notify through a debouncer (native events, or polling with `--poll` or when native
//! events are unavailable), and the classification of each changed path into what it forces to
//! be rebuilt.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use notify_debouncer_full::notify::{self, PollWatcher, RecommendedWatcher, RecursiveMode};
/// How a folder is watched (with its subfolders or alone).
pub type Recursion = RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer_opt};

use crate::config::SiteConfig;
use crate::error::Error;

/// What one changed path is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeKind {
    /// `book.toml`: everything is rebuilt.
    Config,
    /// `SUMMARY.md`: navigation changes everywhere.
    Summary,
    /// A template (or another theme file): everything is rebuilt.
    Theme,
    /// A stylesheet of the theme or from `additional-css`: rebuilt, then swapped in place.
    Stylesheet,
    /// A markdown page, by its path in the source folder.
    Page(String),
    /// Any other file of the source folder, copied as it is (and maybe included by a page).
    Asset(String),
    /// A folder of the source folder (moved, created or deleted wholesale).
    Folder(String),
    /// Not part of the site: editor swap files, the build folder, other files of the project.
    Ignored,
}

/// The folders and files that make up a site, for [`classify`].
#[derive(Debug, Clone)]
pub struct Roots {
    /// The config file.
    pub config_file: PathBuf,
    /// The source folder.
    pub src: PathBuf,
    /// The theme folder.
    pub theme: PathBuf,
    /// The user's build folder (never part of the input).
    pub build: PathBuf,
    /// Stylesheets from `additional-css`.
    pub extra_css: Vec<PathBuf>,
    /// Scripts from `additional-js`.
    pub extra_js: Vec<PathBuf>,
    /// Alert rule files (`[alerts] rules`) and service catalog and SLO files (`[services]`):
    /// where each pattern starts and the glob below it.
    pub rules: Vec<(PathBuf, Option<globset::GlobMatcher>)>,
}

impl Roots {
    /// The roots of a loaded config, made absolute so they compare with watcher paths.
    pub fn of(config: &SiteConfig, config_file: Option<&Path>) -> Self {
        let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        // A site read from `mkdocs.yml` (no `book.toml`) is configured by that file.
        let default_config = || match &config.mkdocs {
            Some(_) => crate::config::mkdocs::find(&config.root),
            None => None,
        };
        let config_file = config_file.map_or_else(
            || default_config().unwrap_or_else(|| config.root.join(crate::config::CONFIG_FILE)),
            Path::to_path_buf,
        );
        Self {
            config_file: abs(&config_file),
            src: abs(&config.src),
            theme: abs(&config.theme_dir),
            build: abs(&config.build_dir),
            extra_css: config.additional_css.iter().map(|p| abs(p)).collect(),
            extra_js: config.additional_js.iter().map(|p| abs(p)).collect(),
            rules: crate::alerts::rule_globs(&config.alerts)
                .into_iter()
                // Catalog and SLO files (`[services]`) are read like rule files: a change to one
                // rebuilds everything.
                .chain(crate::alerts::globs_of(&config.services.catalog, &config.services.base))
                .chain(crate::alerts::globs_of(&config.services.slos, &config.services.base))
                .map(|(start, glob)| (abs(&start), glob))
                .collect(),
        }
    }

    /// Whether `path` is an alert rule file of `[alerts] rules`.
    fn is_rule_file(&self, path: &Path) -> bool {
        self.rules.iter().any(|(start, glob)| match glob {
            None => path == start,
            Some(glob) => path.strip_prefix(start).is_ok_and(|rel| glob.is_match(rel)),
        })
    }

    /// What to watch: the source folder, the theme folder and the config file's folder (not
    /// recursively: it is usually the project root).
    pub fn watched(&self) -> Vec<(PathBuf, RecursiveMode)> {
        let mut out = vec![(self.src.clone(), RecursiveMode::Recursive)];
        if self.theme.is_dir() {
            out.push((self.theme.clone(), RecursiveMode::Recursive));
        }
        if let Some(dir) = self.config_file.parent() {
            out.push((dir.to_path_buf(), RecursiveMode::NonRecursive));
        }
        for file in self.extra_css.iter().chain(&self.extra_js) {
            if let Some(dir) = file.parent().filter(|d| !d.starts_with(&self.src)) {
                out.push((dir.to_path_buf(), RecursiveMode::NonRecursive));
            }
        }
        // Alert rule folders: a changed rule is read again by a full build.
        for (start, glob) in &self.rules {
            match glob {
                Some(_) if start.is_dir() => out.push((start.clone(), RecursiveMode::Recursive)),
                None => out.extend(start.parent().map(|d| (d.to_path_buf(), RecursiveMode::NonRecursive))),
                Some(_) => {}
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

/// Classifies one changed path.
pub fn classify(path: &Path, roots: &Roots) -> ChangeKind {
    if path == roots.config_file || roots.is_rule_file(path) {
        return ChangeKind::Config;
    }
    if roots.extra_css.iter().any(|p| p == path) {
        return ChangeKind::Stylesheet;
    }
    if roots.extra_js.iter().any(|p| p == path) {
        return ChangeKind::Theme;
    }
    let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    if is_scratch(&name) || path.starts_with(&roots.build) {
        return ChangeKind::Ignored;
    }
    if let Ok(rel) = path.strip_prefix(&roots.theme) {
        if rel.components().any(|c| c.as_os_str().to_string_lossy().starts_with('.')) {
            return ChangeKind::Ignored;
        }
        let is_css = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("css"));
        return if is_css && rel.starts_with("assets") { ChangeKind::Stylesheet } else { ChangeKind::Theme };
    }
    let Ok(rel) = path.strip_prefix(&roots.src) else {
        return ChangeKind::Ignored;
    };
    let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    // Hidden files and folders are never part of the site.
    if parts.is_empty() || parts.iter().any(|p| p.starts_with('.')) {
        return if parts.is_empty() { ChangeKind::Folder(String::new()) } else { ChangeKind::Ignored };
    }
    let rel = parts.join("/");
    if rel == "SUMMARY.md" {
        return ChangeKind::Summary;
    }
    let is_md = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("md"));
    if is_md {
        ChangeKind::Page(rel)
    } else if path.is_dir() || (!path.exists() && path.extension().is_none()) {
        ChangeKind::Folder(rel)
    } else {
        ChangeKind::Asset(rel)
    }
}

/// Editor scratch files: vim's swap files and its `4913` write test, backups, JetBrains'
/// `___jb_tmp___`, Emacs' lock and autosave files.
fn is_scratch(name: &str) -> bool {
    name.ends_with('~')
        || name == "4913"
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.contains("___jb_")
        || name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#'))
}

/// Whether a batch touches more than two files of the site: the start of a burst (a branch
/// switch, a search-and-replace, a folder copied in) rather than one save.
pub fn is_burst(paths: &[PathBuf], roots: &Roots) -> bool {
    paths.iter().filter(|p| classify(p, roots) != ChangeKind::Ignored).take(3).count() > 2
}

/// What a batch of changes needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Nothing the site uses changed.
    Nothing,
    /// These pages (edited, added or deleted) or these existing assets changed: re-render them
    /// (and the pages that include them), or build the site model again.
    Files(BTreeSet<String>),
    /// Everything, then swap the stylesheets in open pages instead of reloading.
    Stylesheets,
    /// Everything, then reload.
    Full,
}

/// Plans a batch: `known(rel)` tells whether the current site has an asset at `rel` and the
/// file still exists (an edit, not an add, delete or rename, which rebuild everything).
pub fn plan(changes: &[ChangeKind], known: impl Fn(&str) -> bool) -> Plan {
    let mut files = BTreeSet::new();
    let mut css = false;
    for change in changes {
        match change {
            ChangeKind::Ignored => {}
            ChangeKind::Config | ChangeKind::Summary | ChangeKind::Theme | ChangeKind::Folder(_) => {
                return Plan::Full;
            }
            ChangeKind::Stylesheet => css = true,
            // Pages added or deleted are the rebuild's to sort out; other files only when known.
            ChangeKind::Page(rel) => {
                files.insert(rel.clone());
            }
            ChangeKind::Asset(rel) => {
                if !known(rel) {
                    return Plan::Full;
                }
                files.insert(rel.clone());
            }
        }
    }
    match (css, files.is_empty()) {
        (true, true) => Plan::Stylesheets,
        (true, false) => Plan::Full,
        (false, true) => Plan::Nothing,
        (false, false) => Plan::Files(files),
    }
}

/// A running watcher; dropping it stops watching.
pub enum Watcher {
    /// Native events (inotify, FSEvents, ReadDirectoryChangesW).
    Native(Debouncer<RecommendedWatcher, RecommendedCache>),
    /// Polling.
    Poll(Debouncer<PollWatcher, RecommendedCache>),
}

impl std::fmt::Debug for Watcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.is_polling() { "Watcher::Poll" } else { "Watcher::Native" })
    }
}

impl Watcher {
    /// Whether this watcher polls.
    pub fn is_polling(&self) -> bool {
        matches!(self, Self::Poll(_))
    }

    /// Watches `now` instead of `before`, in place: changes this watcher has seen but not yet
    /// reported are kept (a new watcher would drop them). Returns the folders newly watched:
    /// their files may have changed before they were watched.
    pub fn rewatch(
        &mut self,
        before: &[(PathBuf, RecursiveMode)],
        now: &[(PathBuf, RecursiveMode)],
    ) -> Result<Vec<PathBuf>, notify::Error> {
        // A folder that is gone is no longer watched: its unwatch error says nothing new.
        for (path, _) in before.iter().filter(|w| !now.contains(w)) {
            let _ = match self {
                Self::Native(d) => d.unwatch(path),
                Self::Poll(d) => d.unwatch(path),
            };
        }
        let mut added = Vec::new();
        for (path, mode) in now.iter().filter(|w| !before.contains(w)) {
            match self {
                Self::Native(d) => d.watch(path, *mode)?,
                Self::Poll(d) => d.watch(path, *mode)?,
            }
            added.push(path.clone());
        }
        Ok(added)
    }
}

/// Starts watching `roots`, sending each debounced batch of changed paths to `tx`. Native events
/// unless `poll`; falls back to polling when native events cannot be set up.
pub fn start(
    roots: &Roots,
    debounce: Duration,
    poll: Option<Duration>,
    fallback_poll: Duration,
    tx: Sender<Vec<PathBuf>>,
) -> Result<Watcher, Error> {
    if poll.is_none() {
        match native(roots, debounce, tx.clone()) {
            Ok(w) => return Ok(Watcher::Native(w)),
            Err(_) => return polling(roots, debounce, fallback_poll, tx).map(Watcher::Poll),
        }
    }
    polling(roots, debounce, poll.unwrap_or(fallback_poll), tx).map(Watcher::Poll)
}

fn handler(tx: Sender<Vec<PathBuf>>) -> impl FnMut(DebounceEventResult) + Send + 'static {
    move |result: DebounceEventResult| {
        let mut paths: Vec<PathBuf> = match result {
            Ok(events) => events
                .into_iter()
                .filter(|e| changes(&e.event.kind))
                .flat_map(|e| e.event.paths.clone())
                .collect(),
            // Lost events (queue overflow, a watched folder removed): rescan everything.
            Err(_) => vec![PathBuf::new()],
        };
        if events_rescan(&paths) {
            paths = vec![PathBuf::new()];
        }
        paths.sort();
        paths.dedup();
        if !paths.is_empty() {
            let _ = tx.send(paths);
        }
    }
}

/// Whether an event kind can change a file: reads (the build's own among them) cannot.
fn changes(kind: &notify::EventKind) -> bool {
    use notify::EventKind;
    use notify::event::{AccessKind, AccessMode, MetadataKind, ModifyKind};
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => false,
        _ => true,
    }
}

fn events_rescan(paths: &[PathBuf]) -> bool {
    paths.iter().any(|p| p.as_os_str().is_empty())
}

fn native(
    roots: &Roots,
    debounce: Duration,
    tx: Sender<Vec<PathBuf>>,
) -> Result<Debouncer<RecommendedWatcher, RecommendedCache>, notify::Error> {
    let mut d = new_debouncer_opt::<_, RecommendedWatcher, RecommendedCache>(
        debounce,
        Some(debounce / 2),
        handler(tx),
        RecommendedCache::new(),
        notify::Config::default(),
    )?;
    for (path, mode) in roots.watched() {
        d.watch(&path, mode)?;
    }
    Ok(d)
}

fn polling(
    roots: &Roots,
    debounce: Duration,
    interval: Duration,
    tx: Sender<Vec<PathBuf>>,
) -> Result<Debouncer<PollWatcher, RecommendedCache>, Error> {
    // The poll watcher keeps modification times in whole seconds: compare contents too, or a
    // second save within the same second would go unseen.
    let config = notify::Config::default().with_poll_interval(interval).with_compare_contents(true);
    let mut d = new_debouncer_opt::<_, PollWatcher, RecommendedCache>(
        debounce,
        Some(debounce / 2),
        handler(tx),
        RecommendedCache::new(),
        config,
    )
    .map_err(|e| Error::Usage(format!("cannot watch the site for changes: {e}")))?;
    for (path, mode) in roots.watched() {
        d.watch(&path, mode).map_err(|e| Error::Usage(format!("cannot watch `{}`: {e}", path.display())))?;
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roots() -> Roots {
        Roots {
            config_file: PathBuf::from("/s/book.toml"),
            src: PathBuf::from("/s/src"),
            theme: PathBuf::from("/s/theme"),
            build: PathBuf::from("/s/book"),
            extra_css: vec![PathBuf::from("/s/custom.css")],
            extra_js: vec![PathBuf::from("/s/extra.js")],
            rules: vec![
                (
                    PathBuf::from("/s/monitoring"),
                    globset::Glob::new("**/*.yml").ok().map(|g| g.compile_matcher()),
                ),
                (PathBuf::from("/s/deploy/rules.yaml"), None),
            ],
        }
    }

    #[test]
    fn classifies_paths() {
        use ChangeKind::*;
        let page = |s: &str| Page(s.to_owned());
        let asset = |s: &str| Asset(s.to_owned());
        let table: &[(&str, ChangeKind)] = &[
            ("/s/book.toml", Config),
            ("/s/src/SUMMARY.md", Summary),
            ("/s/src/runbooks/SUMMARY.md", page("runbooks/SUMMARY.md")),
            ("/s/src/README.md", page("README.md")),
            ("/s/src/runbooks/db.md", page("runbooks/db.md")),
            ("/s/src/runbooks/DB.MD", page("runbooks/DB.MD")),
            ("/s/src/img/logo.png", asset("img/logo.png")),
            ("/s/src/snippets/setup.sh", asset("snippets/setup.sh")),
            ("/s/src/moved-away", Folder("moved-away".to_owned())),
            ("/s/src", Folder(String::new())),
            ("/s/theme/templates/page.html", Theme),
            ("/s/theme/assets/lore.css", Stylesheet),
            ("/s/theme/assets/lore.js", Theme),
            ("/s/custom.css", Stylesheet),
            ("/s/extra.js", Theme),
            ("/s/src/.git/index", Ignored),
            ("/s/src/.hidden.md", Ignored),
            ("/s/src/runbooks/.db.md.swp", Ignored),
            ("/s/src/runbooks/db.md~", Ignored),
            ("/s/src/runbooks/4913", Ignored),
            ("/s/src/runbooks/db.md___jb_tmp___", Ignored),
            ("/s/src/runbooks/.#db.md", Ignored),
            ("/s/book/index.html", Ignored),
            ("/s/notes.txt", Ignored),
            ("/elsewhere/x.md", Ignored),
            // Issue 11: alert rule files rebuild everything (the rules are read again).
            ("/s/monitoring/rules/api.yml", Config),
            ("/s/monitoring/api.yml", Config),
            ("/s/monitoring/README.md", Ignored),
            ("/s/deploy/rules.yaml", Config),
            ("/s/deploy/other.yaml", Ignored),
        ];
        for (path, want) in table {
            assert_eq!(&classify(Path::new(path), &roots()), want, "{path}");
        }
    }

    #[test]
    fn bursts_are_more_than_two_site_files() {
        let paths = |v: &[&str]| v.iter().map(PathBuf::from).collect::<Vec<_>>();
        let save = paths(&["/s/src/a.md", "/s/src/a.md~", "/s/src/4913", "/s/src/.a.md.swp"]);
        assert!(!is_burst(&save, &roots()));
        assert!(!is_burst(&paths(&["/s/src/a.md", "/s/src/b.md"]), &roots()));
        assert!(is_burst(&paths(&["/s/src/a.md", "/s/src/b.md", "/s/src/c/d.md"]), &roots()));
    }

    #[test]
    fn plans_batches() {
        use ChangeKind::*;
        let known = |rel: &str| rel != "new.md" && rel != "gone.png";
        let files = |v: &[&str]| Plan::Files(v.iter().map(|s| (*s).to_owned()).collect());
        let table: Vec<(Vec<ChangeKind>, Plan)> = vec![
            (vec![], Plan::Nothing),
            (vec![Ignored, Ignored], Plan::Nothing),
            (vec![Page("a.md".into())], files(&["a.md"])),
            (vec![Page("a.md".into()), Page("a.md".into()), Ignored], files(&["a.md"])),
            (vec![Page("a.md".into()), Asset("x.png".into())], files(&["a.md", "x.png"])),
            (vec![Page("new.md".into())], files(&["new.md"])),
            (vec![Page("a.md".into()), Asset("gone.png".into())], Plan::Full),
            (vec![Folder("ops".into())], Plan::Full),
            (vec![Summary], Plan::Full),
            (vec![Config], Plan::Full),
            (vec![Theme], Plan::Full),
            (vec![Stylesheet], Plan::Stylesheets),
            (vec![Stylesheet, Stylesheet], Plan::Stylesheets),
            (vec![Stylesheet, Page("a.md".into())], Plan::Full),
        ];
        for (changes, want) in table {
            assert_eq!(plan(&changes, known), want, "{changes:?}");
        }
    }
}
