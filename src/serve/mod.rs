//! The preview server: listen at once, build into a private folder while answering pages
//! (those not written yet are rendered on demand from the site model), watch the sources and
//! rebuild only what a change affects, and tell open pages to reload once the new files are in
//! place. A change is classified ([`Change`]: the table there says what each rebuilds), the
//! kept build state (`build::State`) renders, checks and writes what it needs, then the open
//! pages reload; search and the rest of the site follow after the reload.
//!
//! - [`server`]: the sockets, with bounded connections, workers and event streams;
//! - [`answer`]: the answer to a request, a pure function of its bytes and the server's state;
//! - [`first`]: the first build as requests see it, and pages rendered on demand during it;
//! - [`http`]: the request head within its caps, the Host check, and the site's files;
//! - [`watch`]: the watcher and the classification of changed paths;
//! - [`live`]: the kept site and incremental rebuilds;
//! - [`reload`]: the event stream, the injected script and the error overlay;
//! - [`search`]: both search indexes kept current after incremental rebuilds.
//!
//! Nothing here prints: progress goes to the caller's [`Note`] callback.

pub mod answer;
pub mod first;
pub mod http;
pub mod live;
pub mod problems;
pub mod reload;
pub mod search;
pub mod server;
pub mod watch;

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::diag::Diagnostic;
use crate::error::Error;
pub use live::{Live, Update};
use reload::Hub;
use watch::{Plan, Roots};

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The project root.
    pub root: PathBuf,
    /// An explicit config file.
    pub config_file: Option<PathBuf>,
    /// Address to bind.
    pub bind: IpAddr,
    /// Port (0: any free port).
    pub port: u16,
    /// Use the polling watcher.
    pub poll: bool,
    /// Host names answered besides IP addresses and `localhost` names (`--allow-host`), with
    /// those of `[serve] allowed-hosts`.
    pub allowed_hosts: Vec<String>,
    /// Full builds reuse and keep the build cache in `.lore/cache/` (not `--no-cache`).
    pub cache: bool,
}

/// Something worth telling the user.
#[derive(Debug)]
pub enum Note<'a> {
    /// The server is listening and watching; the first build starts (pages are answered
    /// while it runs).
    Listening {
        /// `http://127.0.0.1:3000/`
        url: &'a str,
        /// Bound to an address other machines can reach.
        exposed: bool,
        /// The watcher polls (asked for, or native events are unavailable).
        polling: bool,
    },
    /// The first build wrote every page (its failure is a [`Note::Failed`]).
    Built {
        /// Pages and folder listings written.
        pages: usize,
        /// Wall time from the start of the server.
        elapsed: Duration,
        /// Problems of the site (content errors too: they do not stop a preview).
        diagnostics: &'a [crate::diag::Diagnostic],
    },
    /// A rebuild worked.
    Rebuilt {
        /// Pages rendered again.
        pages: usize,
        /// Whether everything was rebuilt.
        full: bool,
        /// Wall time from the change batch to the event.
        elapsed: Duration,
        /// Problems of the site (content errors too).
        diagnostics: &'a [crate::diag::Diagnostic],
        /// The errors this rebuild found that the last one did not: shown in full.
        new_errors: &'a [crate::diag::Diagnostic],
        /// How many errors of the last rebuild are gone.
        fixed: usize,
    },
    /// A build failed; the last good site is still served.
    Failed(&'a Error),
    /// After a change of the site model, the pages no tab showed were written too.
    Finished {
        /// Pages, listings and generated pages written.
        pages: usize,
        /// Wall time after the reload event.
        elapsed: Duration,
    },
    /// Updating a search index after an edit failed: search answers from before the edit.
    SearchStale(&'a Error),
    /// Requests were refused (a limit reached, or a thread that could not start); logged at
    /// most once every 5 seconds.
    Refused {
        /// Why the last one was.
        why: &'a str,
        /// Refusals since the last time this was said.
        count: u64,
    },
}

/// What a change to the sources is, from the cheapest to rebuild to the dearest. The watcher
/// sorts changed paths ([`watch::plan`]: the config, `SUMMARY.md`, the theme or a folder are
/// [`Change::Full`]); [`Live::files`] reads the changed pages and sorts them further. The
/// dearest change of a batch decides what it rebuilds, and [`Change::rebuilds`] says what.
///
/// | change        | example                         | site model | pages written     | search        |
/// |---------------|---------------------------------|------------|-------------------|---------------|
/// | `Body`        | a paragraph, an included file   | kept       | the page(s)       | their entries |
/// | `Asset`       | an image                        | kept       | none (copied)     | —             |
/// | `Shape`       | a title, `owner:`, a tag        | again      | all (viewed first)| their entries |
/// | `Pages`       | a page added, deleted, renamed  | again      | all (viewed first)| whole index   |
/// | `Stylesheets` | the theme's CSS                 | full build |                   |               |
/// | `Full`        | `book.toml`, `SUMMARY.md`       | full build |                   |               |
///
/// A title edit is a `Shape` change: the site model is built again from the pages in memory
/// (no other page is read or rendered again), the edited page is rendered again, the pages
/// open tabs show are written before the reload, and every other page and listing after it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// Nothing the site uses.
    #[default]
    Nothing,
    /// A page's body, or a file pages include: those pages are rendered and written again.
    Body,
    /// A file copied as it is: copied again.
    Asset,
    /// What other pages show of a page: its title, kind or front matter (an ADR's status
    /// written in its body, whether a runbook has a Mitigation section).
    Shape,
    /// Pages added, deleted or renamed: as [`Change::Shape`], and the pages naming the changed
    /// files are rendered again (their links changed).
    Pages,
    /// The theme's stylesheet: a full build, then open pages swap stylesheets without a reload.
    Stylesheets,
    /// The config, `SUMMARY.md`, the theme, a folder: a full build.
    Full,
}

/// What a [`Change`] rebuilds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rebuilds {
    /// A full build into a fresh folder, swapped in when complete.
    pub full: bool,
    /// The site model again (navigation, listings, kinds, freshness), from the pages in memory.
    pub model: bool,
    /// Every page and listing written again: those open tabs show before the reload.
    pub every_page: bool,
    /// Search indexes every page again, instead of replacing the changed pages' entries.
    pub all_search: bool,
}

impl Change {
    /// What this change rebuilds (besides rendering the changed pages again).
    pub const fn rebuilds(self) -> Rebuilds {
        let (full, model, every_page, all_search) = match self {
            Change::Nothing | Change::Body | Change::Asset => (false, false, false, false),
            Change::Shape => (false, true, true, false),
            Change::Pages => (false, true, true, true),
            Change::Stylesheets | Change::Full => (true, true, true, true),
        };
        Rebuilds { full, model, every_page, all_search }
    }
}

/// State shared with the request threads.
#[derive(Debug)]
struct Shared {
    /// The folder being served.
    dir: RwLock<PathBuf>,
    /// The overlay text while the last build failed.
    error: RwLock<Option<String>>,
    /// The content problems of the last good build, shown in each page's overlay.
    problems: RwLock<Arc<problems::Problems>>,
    /// Incremented by every good rebuild.
    generation: AtomicU64,
    hub: Hub,
    /// The tantivy index the build writes, for `GET /api/search`.
    search_dir: PathBuf,
    /// Search after incremental rebuilds.
    search: search::Search,
    /// Host names answered besides IP addresses and `localhost` names: `--allow-host` and
    /// `[serve] allowed-hosts` of the last good config.
    allowed_hosts: RwLock<Vec<String>>,
    /// Exports of the browser index done (finished or given up).
    exports: AtomicU64,
    /// The first build, which requests may render pages from.
    first: first::First,
    /// Requests answered.
    requests: AtomicU64,
}

impl Shared {
    fn new(dir: PathBuf, search_dir: PathBuf, allowed_hosts: Vec<String>) -> Self {
        Self {
            dir: RwLock::new(dir),
            error: RwLock::new(None),
            problems: RwLock::new(Arc::default()),
            generation: AtomicU64::new(1),
            hub: Hub::default(),
            search_dir,
            search: search::Search::default(),
            allowed_hosts: RwLock::new(allowed_hosts),
            exports: AtomicU64::new(0),
            first: first::First::default(),
            requests: AtomicU64::new(0),
        }
    }

    fn hello(&self) -> String {
        reload::event("hello", &serde_json::json!({ "generation": self.generation.load(Ordering::SeqCst) }))
    }

    /// The answer to the request in `raw`, from a snapshot of the state (no lock is held while
    /// answering).
    fn answer(&self, raw: &[u8]) -> answer::Answer {
        self.requests.fetch_add(1, Ordering::Relaxed);
        // Nothing can be answered before the site model is read (or its config failed).
        self.first.wait_reading();
        let dir = read(&self.dir).clone();
        let error = read(&self.error).clone();
        let problems = read(&self.problems).clone();
        let alias = self.search.head_alias();
        let allowed_hosts = read(&self.allowed_hosts).clone();
        let view = answer::View {
            dir: &dir,
            error: error.as_deref(),
            problems: &problems,
            search_dir: &self.search_dir,
            head_alias: alias.as_deref(),
            generation: self.generation.load(Ordering::SeqCst),
            streams: self.hub.len(),
            allowed_hosts: &allowed_hosts,
            first: Some(&self.first),
            search_ready: self.search.is_ready(),
        };
        answer::answer(raw, &view)
    }

    /// `--allow-host` names and those of `config`.
    fn allow_hosts(&self, cli: &[String], config: &crate::config::SiteConfig) {
        let mut hosts = cli.to_vec();
        hosts.extend(config.serve.allowed_hosts.iter().cloned());
        *write(&self.allowed_hosts) = hosts;
    }
}

/// The watcher's quiet time before it reports a change: enough for an editor's
/// rename-and-replace save to arrive as one batch.
const SETTLE: Duration = Duration::from_millis(10);

/// How often open event streams get a comment line, so closed tabs are noticed and dropped.
const PING: Duration = Duration::from_secs(2);

/// Turns an error into the overlay text (the CLI passes the function it prints errors with).
pub type ErrorText = dyn Fn(&Error) -> String + Send + Sync;
/// Receives what is worth telling the user.
pub type Notes = dyn Fn(Note<'_>) + Send + Sync;

/// Serves until `stop` becomes true, then returns within a second, even in the middle of a
/// rebuild: builds and watching run on a worker thread that is not waited for.
pub fn run(
    options: &ServeOptions,
    stop: Arc<AtomicBool>,
    error_text: Arc<ErrorText>,
    note: Arc<Notes>,
) -> Result<(), Error> {
    let listener = server::bind(options.bind, options.port)?;
    crate::memory::limit_arenas();
    empty_trash();
    let base = private_dir()?;
    let mut live = Live::new(&options.root, options.config_file.clone(), base.clone())?;
    live.use_cache(options.cache);
    let shared = Arc::new(Shared::new(
        live.dir().to_path_buf(),
        crate::search::index_dir_in(&options.root),
        options.allowed_hosts.clone(),
    ));
    let server = server::Server::start(listener, shared.clone(), note.clone())?;
    let addr = server.addr();
    let exporter = {
        let (shared, stop, note) = (shared.clone(), stop.clone(), note.clone());
        std::thread::Builder::new()
            .name("lore-search".into())
            .spawn(move || {
                // An export cut short by the server stopping (its folder removed) is no news.
                let done = |job: &search::Job, outcome| {
                    if !stop.load(Ordering::SeqCst) {
                        exported(&shared, job, outcome, &*note);
                    }
                };
                shared.search.run(&stop, &done);
            })
            .map_err(|e| Error::Thread { name: "lore-search", source: Some(e) })?
    };
    let worker = {
        let (options, shared, stop) = (options.clone(), shared.clone(), stop.clone());
        std::thread::Builder::new()
            .name("lore-rebuild".into())
            .spawn(move || {
                let worker = Worker {
                    live,
                    errors: HashSet::new(),
                    shared: &shared,
                    error_text: &*error_text,
                    note: &*note,
                };
                worker.run(&options, addr, &stop)
            })
            .map_err(|e| Error::Thread { name: "lore-rebuild", source: Some(e) })?
    };
    while !stop.load(Ordering::SeqCst) && !worker.is_finished() {
        std::thread::sleep(Duration::from_millis(50));
    }
    stop.store(true, Ordering::SeqCst);
    server.stop();
    // An export under way is abandoned like a rebuild; one waiting for work sees `stop` at once.
    drop(exporter);
    // Each stream's writer ends once the hub lets go of it; a writer stuck on a tab that
    // stopped reading goes with the process.
    shared.hub.close();
    // A rebuild still running is abandoned with the process; its files go with the folder.
    let result = if worker.is_finished() {
        worker.join().unwrap_or_else(|_| Err(Error::Thread { name: "lore-rebuild", source: None }))
    } else {
        Ok(())
    };
    let suffix =
        base.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_prefix(PRIVATE)).unwrap_or("");
    // Removing tens of thousands of files can take seconds on a busy disk: move the folder
    // aside at once, give its removal a fifth of a second, and let the next `serve` finish the job.
    let trash = std::env::temp_dir().join(format!("{TRASH}{suffix}"));
    if std::fs::rename(&base, &trash).is_ok() {
        let remover = std::thread::spawn(move || std::fs::remove_dir_all(trash));
        let deadline = Instant::now() + Duration::from_millis(200);
        while !remover.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    result
}

/// The name prefix of private folders left to remove.
const TRASH: &str = "lore-serve-trash-";
/// The name prefix of the private folder builds are served from.
const PRIVATE: &str = "lore-serve-";

/// Creates the private folder the served builds go to: a random name in the temporary folder,
/// created anew (never an existing folder or a symlink planted there), readable by its owner
/// only (mode 0700).
fn private_dir() -> Result<PathBuf, Error> {
    use std::hash::{BuildHasher, Hasher};
    let tmp = std::env::temp_dir();
    let mut last = None;
    for attempt in 0..16u32 {
        // Random keys from the operating system, per `RandomState`.
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u32(std::process::id());
        hasher.write_u32(attempt);
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
        hasher.write_u128(now.map(|d| d.as_nanos()).unwrap_or(0));
        let path = tmp.join(format!("{PRIVATE}{:016x}", hasher.finish()));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        match builder.create(&path) {
            Ok(()) => {
                // The umask may have taken bits away; never more than 0700 anyway.
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700))
                        .map_err(|source| Error::io("set the mode of", &path, source))?;
                }
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => {
                last = Some(e);
                break;
            }
        }
    }
    let why = last.map(|e| e.to_string()).unwrap_or_default();
    Err(Error::Usage(format!(
        "cannot create a private folder in `{}`: {why}\n  = hint: set TMPDIR to a folder you can write",
        tmp.display()
    )))
}

/// Removes private folders earlier servers left behind, in the background.
fn empty_trash() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
    let old: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(TRASH))
        .map(|e| e.path())
        .collect();
    if !old.is_empty() {
        std::thread::spawn(move || {
            for dir in old {
                let _ = std::fs::remove_dir_all(dir);
            }
        });
    }
}

/// The rebuild thread: the served site, and where it tells what happened.
struct Worker<'a> {
    live: Live,
    /// The errors of the last good build, as shown: a rebuild shows only those it adds.
    errors: HashSet<String>,
    shared: &'a Shared,
    error_text: &'a ErrorText,
    note: &'a Notes,
}

/// The sources watched: what the config names, and the watcher on them.
struct Watching {
    roots: Roots,
    /// What `roots` watches, and how.
    watched: Vec<(PathBuf, watch::Recursion)>,
    /// `None` only while being replaced.
    watcher: Option<watch::Watcher>,
    /// The watcher's quiet time before it reports a change.
    settle: Duration,
    /// How often the polling watcher looks (`poll`: it is asked for).
    poll_every: Duration,
    poll: bool,
    /// Where batches of changed paths go.
    tx: mpsc::Sender<Vec<PathBuf>>,
}

impl Watching {
    fn start(&self, roots: &Roots) -> Result<watch::Watcher, Error> {
        watch::start(
            roots,
            self.settle,
            self.poll.then_some(self.poll_every),
            self.poll_every,
            self.tx.clone(),
        )
    }

    /// After a rebuild: a changed config may name other folders, and a theme folder may have
    /// appeared.
    fn follow(
        &mut self,
        config: &crate::config::SiteConfig,
        config_file: Option<&std::path::Path>,
    ) -> Result<(), Error> {
        let now = Roots::of(config, config_file);
        let watched = now.watched();
        if watched != self.watched {
            // The watcher is changed in place, keeping the changes it has not reported yet (a
            // theme folder created during the build). A file saved into a new folder between the
            // build reading it and the folder being watched is seen by building it once more.
            let added = match self.watcher.as_mut().map(|w| w.rewatch(&self.watched, &watched)) {
                Some(Ok(added)) => !added.is_empty(),
                _ => {
                    self.watcher = Some(self.start(&now)?);
                    true
                }
            };
            self.watched = watched;
            if added {
                // An empty path asks for everything to be read again.
                let _ = self.tx.send(vec![PathBuf::new()]);
            }
        }
        self.roots = now;
        Ok(())
    }
}

impl Worker<'_> {
    /// The first build, then watching and rebuilding until `stop`.
    fn run(mut self, options: &ServeOptions, addr: SocketAddr, stop: &AtomicBool) -> Result<(), Error> {
        let start = Instant::now();
        // Watched from the start, so a change saved during the first build is rebuilt after
        // it; a broken config is watched with the defaults until it is fixed.
        let config = crate::config::SiteConfig::load(&options.root, options.config_file.as_deref())
            .unwrap_or_else(|_| crate::config::SiteConfig::for_tests(&options.root));
        self.shared.allow_hosts(&options.allowed_hosts, &config);
        let (tx, rx) = mpsc::channel();
        let debounce = Duration::from_millis(config.serve.debounce_ms);
        let roots = Roots::of(&config, options.config_file.as_deref());
        let mut watching = Watching {
            watched: roots.watched(),
            roots,
            watcher: None,
            // Short, so a single save rebuilds at once; a burst of changes is then gathered
            // until it has been quiet for the whole `debounce`.
            settle: debounce.min(SETTLE),
            poll_every: Duration::from_millis(config.serve.poll_interval_ms),
            poll: options.poll,
            tx,
        };
        watching.watcher = Some(watching.start(&watching.roots)?);
        if stop.load(Ordering::SeqCst) {
            return Ok(());
        }
        let host = if addr.ip().is_unspecified() { IpAddr::from([127, 0, 0, 1]) } else { addr.ip() };
        (self.note)(Note::Listening {
            url: &format!("http://{}/", SocketAddr::new(host, addr.port())),
            exposed: !addr.ip().is_loopback(),
            polling: watching.watcher.as_ref().is_some_and(watch::Watcher::is_polling),
        });
        // Pages are answered while it runs, rendered on demand until they are written.
        if let Update::Rebuilt { pages, diagnostics, .. } = self.first_build() {
            (self.note)(Note::Built { pages, elapsed: start.elapsed(), diagnostics: &diagnostics });
        }
        // What rendering every page freed goes back to the system before the export allocates.
        crate::memory::release_free();
        // Search is exported behind the pages.
        match unpanicked(|| self.update_search(&[])) {
            Ok(true) => {}
            Ok(false) => self.shared.search.mark_ready(),
            Err(e) => {
                self.shared.search.mark_ready();
                (self.note)(Note::SearchStale(&e));
            }
        }
        if let Some(config) = self.live.config() {
            self.shared.allow_hosts(&options.allowed_hosts, config);
            watching.follow(config, options.config_file.as_deref())?;
        }
        self.watch(&mut watching, &rx, options, stop, debounce)
    }

    /// Rebuilds for each batch of changes until `stop`.
    fn watch(
        &mut self,
        watching: &mut Watching,
        rx: &mpsc::Receiver<Vec<PathBuf>>,
        options: &ServeOptions,
        stop: &AtomicBool,
        debounce: Duration,
    ) -> Result<(), Error> {
        let mut last_ping = Instant::now();
        let mut trim = Trim::default();
        // Changes that arrived while the rest of a site was being written.
        let mut carried: Vec<PathBuf> = Vec::new();
        while !stop.load(Ordering::SeqCst) {
            let next = if carried.is_empty() {
                rx.recv_timeout(Duration::from_millis(100))
            } else {
                Ok(std::mem::take(&mut carried))
            };
            match next {
                Ok(mut paths) => {
                    gather(&mut paths, rx, &watching.roots, debounce);
                    let (event, changed) = self.rebuild(&watching.roots, &paths);
                    if let Some(config) = self.live.config() {
                        self.shared.allow_hosts(&options.allowed_hosts, config);
                        watching.follow(config, options.config_file.as_deref())?;
                    }
                    // Sent once the new files are in place and the watcher sees the new folders.
                    if let Some(event) = event {
                        self.shared.hub.send(&event);
                    }
                    self.after_reload(&changed, rx, &mut carried);
                }
                Err(RecvTimeoutError::Timeout) => trim.when_quiet(self.shared),
                Err(RecvTimeoutError::Disconnected) => break,
            }
            if last_ping.elapsed() >= PING {
                self.shared.hub.send(": ping\n\n");
                last_ping = Instant::now();
            }
        }
        Ok(())
    }

    /// The first build (a panic in it is a failed build); a failure is told at once. Once the
    /// server's state says how it went, requests read the site folder, and open pages showing
    /// a site with problems reload to show them (they were served before the site was checked).
    fn first_build(&mut self) -> Update {
        let (live, first) = (&mut self.live, &self.shared.first);
        let update = unpanicked(|| live.first(first)).unwrap_or_else(|e| {
            drop(first.take());
            live.after_panic();
            live.discard_first();
            Update::Failed(e)
        });
        *write(&self.shared.dir) = self.live.dir().to_path_buf();
        match &update {
            Update::Failed(e) => {
                (self.note)(Note::Failed(e));
                *write(&self.shared.error) = Some((self.error_text)(e));
            }
            Update::Rebuilt { diagnostics, .. } => {
                // Shown with everything else as the server starts: none is new.
                self.show_problems(diagnostics);
            }
            Update::Nothing => {}
        }
        self.shared.first.settle();
        if matches!(update, Update::Rebuilt { .. }) {
            // Pages served before were not checked: those with problems to show reload.
            let problems = read(&self.shared.problems).clone();
            self.shared.hub.send_each(|page| {
                let reload = page.map_or(!problems.is_empty(), |url| problems.for_page(url).is_some());
                reload::event("settled", &serde_json::json!({ "reload": reload }))
            });
        }
        update
    }

    /// Rebuilds for a batch of changed paths (a panic in it is a failed rebuild); returns the
    /// event that tells the open pages, and the pages an incremental rebuild rendered again
    /// (their search entries are now out of date).
    fn rebuild(&mut self, roots: &Roots, paths: &[PathBuf]) -> (Option<String>, Vec<String>) {
        let start = Instant::now();
        let shared = self.shared;
        let mut held = shared.search.hold();
        let live = &mut self.live;
        let rebuilt = unpanicked(|| {
            #[cfg(debug_assertions)]
            panic_for_tests(paths);
            let rescan = paths.iter().any(|p| p.as_os_str().is_empty());
            let changes: Vec<_> = paths.iter().map(|p| watch::classify(p, roots)).collect();
            let plan = if rescan { Plan::Full } else { watch::plan(&changes, |rel| live.knows(rel)) };
            let update = match &plan {
                Plan::Nothing => Update::Nothing,
                Plan::Files(rels) => live.files(rels, &shared.hub.pages()),
                Plan::Stylesheets | Plan::Full => live.full(),
            };
            (plan, update)
        });
        match rebuilt {
            Ok((_, Update::Nothing)) => (None, Vec::new()),
            Ok((plan, Update::Rebuilt { pages, full, changed, diagnostics, .. })) => {
                if full {
                    held.replaced();
                }
                *write(&shared.dir) = self.live.dir().to_path_buf();
                *write(&shared.error) = None;
                let (new_errors, fixed) = self.show_problems(&diagnostics);
                let generation = shared.generation.fetch_add(1, Ordering::SeqCst) + 1;
                // The files are complete and in place: only now tell the browsers.
                let event = if plan == Plan::Stylesheets {
                    let css = self.live.stylesheets();
                    reload::event("css", &serde_json::json!({ "generation": generation, "css": css }))
                } else {
                    reload::event("reload", &serde_json::json!({ "generation": generation }))
                };
                (self.note)(Note::Rebuilt {
                    pages,
                    full,
                    elapsed: start.elapsed(),
                    diagnostics: &diagnostics,
                    new_errors: &new_errors,
                    fixed,
                });
                (Some(event), changed)
            }
            Ok((_, Update::Failed(e))) => self.failed(&e),
            Err(e) => {
                // The last good site is still served; the next change builds it all.
                self.live.after_panic();
                self.failed(&e)
            }
        }
    }

    /// Puts the problems of a good build in the pages' overlays; returns the errors that the
    /// last good build did not have, and how many of its errors are gone.
    fn show_problems(&mut self, diags: &[Diagnostic]) -> (Vec<Diagnostic>, usize) {
        let errors: HashSet<String> =
            diags.iter().filter(|d| d.is_error()).map(ToString::to_string).collect();
        let new: Vec<Diagnostic> =
            diags.iter().filter(|d| d.is_error() && !self.errors.contains(&d.to_string())).cloned().collect();
        let fixed = self.errors.difference(&errors).count();
        self.errors = errors;
        *write(&self.shared.problems) = Arc::new(self.live.problems(diags));
        (new, fixed)
    }

    /// A failed rebuild: the overlay text, and the event that shows it.
    fn failed(&self, e: &Error) -> (Option<String>, Vec<String>) {
        let text = (self.error_text)(e);
        let event = reload::event("failed", &serde_json::json!({ "error": text }));
        *write(&self.shared.error) = Some(text);
        (self.note)(Note::Failed(e));
        (Some(event), Vec::new())
    }

    /// After the event (the reload never waits for search): the edited pages' search entries,
    /// then the rest of a site whose model changed, until another change arrives (kept in
    /// `carried`: the next rebuild writes what that one shows first).
    fn after_reload(
        &mut self,
        changed: &[String],
        rx: &mpsc::Receiver<Vec<PathBuf>>,
        carried: &mut Vec<PathBuf>,
    ) {
        if let Err(e) = unpanicked(|| self.update_search(changed)) {
            (self.note)(Note::SearchStale(&e));
        }
        let rest = Instant::now();
        let mut interrupted = || {
            while let Ok(more) = rx.try_recv() {
                carried.extend(more);
            }
            !carried.is_empty()
        };
        let live = &mut self.live;
        match unpanicked(|| live.finish(&mut interrupted)) {
            Ok(Ok(0)) => {}
            Ok(Ok(pages)) => (self.note)(Note::Finished { pages, elapsed: rest.elapsed() }),
            Ok(Err(e)) => (self.note)(Note::Failed(&e)),
            Err(e) => {
                self.live.after_panic();
                if let (Some(event), _) = self.failed(&e) {
                    self.shared.hub.send(&event);
                }
            }
        }
    }

    /// Replaces the `changed` pages' sections in the tantivy index (after pages were added or
    /// removed, the export indexes every page again instead), then queues the export of the
    /// browser index; returns whether it did. Runs on the rebuild thread, so it never overlaps
    /// a rebuild.
    fn update_search(&mut self, changed: &[String]) -> bool {
        let all_search = self.live.take_all_search();
        if changed.is_empty() && !all_search {
            return false;
        }
        let Some((docs, numbers)) = self.live.search_docs(changed) else { return false };
        let Some(index_dir) = self.live.config().map(crate::search::index_dir) else { return false };
        // Pages added or removed move the page numbers the index is keyed by: the export writes
        // it whole, and until it has, edits leave it alone.
        let search = &self.shared.search;
        let reindex = {
            // An export publishing meanwhile would rename the index away under the writer.
            let _held = search.hold();
            let reindex = search.reindex_pending(all_search);
            if !reindex && let Err(e) = crate::search::index::replace_pages(&index_dir, &docs, &numbers) {
                (self.note)(Note::SearchStale(&e));
            }
            reindex
        };
        let generation = self.shared.generation.load(Ordering::SeqCst);
        let mut job = search::Job::new(docs, self.live.dir().to_path_buf(), index_dir, generation);
        job.stats = self.live.config().is_some_and(|c| c.search_stats);
        search.post(if reindex { job.reindexing() } else { job });
        true
    }
}

/// Adds every batch of changes already waiting (one rebuild for all of them), and after a
/// burst (a branch switch, a search-and-replace) those until it is over.
fn gather(paths: &mut Vec<PathBuf>, rx: &mpsc::Receiver<Vec<PathBuf>>, roots: &Roots, debounce: Duration) {
    while let Ok(more) = rx.try_recv() {
        paths.extend(more);
    }
    if watch::is_burst(paths, roots) {
        while let Ok(more) = rx.recv_timeout(debounce) {
            paths.extend(more);
        }
    }
}

/// Runs `f`, turning a panic into an error: a bug met while rebuilding must not end the
/// server, which keeps serving the last good site and shows the error in the overlay.
fn unpanicked<T>(f: impl FnOnce() -> T) -> Result<T, Error> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_owned());
        Error::Usage(format!(
            "the rebuild stopped on a bug in lore: {what}\n  = hint: the last good version is still served; please report this bug with the file you changed"
        ))
    })
}

/// Test hook, in debug builds only: with `LORE_TEST_REBUILD_PANIC=TEXT` in the environment, a
/// rebuild after a change to a file containing TEXT panics, as a bug in lore would. The tests
/// of a panicking rebuild need a panic that no real input causes once its bug is fixed.
#[cfg(debug_assertions)]
fn panic_for_tests(paths: &[PathBuf]) {
    let Some(marker) = std::env::var_os("LORE_TEST_REBUILD_PANIC") else { return };
    let marker = marker.to_string_lossy();
    if paths.iter().any(|p| std::fs::read_to_string(p).is_ok_and(|text| text.contains(&*marker))) {
        panic!("test panic: a changed file contains `{marker}`");
    }
}

/// Tells the open pages about a published browser index.
fn exported(shared: &Shared, job: &search::Job, outcome: Result<search::Exported, Error>, note: &Notes) {
    shared.exports.fetch_add(1, Ordering::SeqCst);
    if outcome.is_err() {
        // `GET /api/search` answers from the index on disk, the note says it may be behind.
        shared.search.mark_ready();
    }
    match outcome {
        Ok(search::Exported::Published(head)) => {
            let data = serde_json::json!({ "generation": job.generation, "head": head });
            shared.hub.send(&reload::event("search", &data));
        }
        Ok(search::Exported::Outdated) => {}
        Err(e) => note(Note::SearchStale(&e)),
    }
}

/// Gives the memory that rebuilds, exports and requests freed back to the system once all is
/// quiet (see [`memory`]).
#[derive(Debug)]
struct Trim {
    /// The generation, exports and requests when last looked at.
    seen: (u64, u64, u64),
    /// When they last changed.
    changed: Instant,
    /// Trimmed since they last changed.
    trimmed: bool,
}

impl Default for Trim {
    fn default() -> Self {
        Self { seen: (0, 0, 0), changed: Instant::now(), trimmed: false }
    }
}

impl Trim {
    /// Trims once after a rebuild, an export or requests, when a second passed without any.
    fn when_quiet(&mut self, shared: &Shared) {
        let now = (
            shared.generation.load(Ordering::SeqCst),
            shared.exports.load(Ordering::SeqCst),
            shared.requests.load(Ordering::Relaxed),
        );
        if now != self.seen {
            (self.seen, self.changed, self.trimmed) = (now, Instant::now(), false);
        } else if !self.trimmed && self.changed.elapsed() >= Duration::from_secs(1) {
            self.trimmed = true;
            crate::memory::release_free();
        }
    }
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::{Change, Rebuilds};

    /// Issue 14: what each change class rebuilds, in one table.
    #[test]
    fn issue_14_what_each_change_rebuilds() {
        let rebuilds = |full, model, every_page, all_search| Rebuilds { full, model, every_page, all_search };
        let table = [
            (Change::Nothing, rebuilds(false, false, false, false)),
            (Change::Body, rebuilds(false, false, false, false)),
            (Change::Asset, rebuilds(false, false, false, false)),
            (Change::Shape, rebuilds(false, true, true, false)),
            (Change::Pages, rebuilds(false, true, true, true)),
            (Change::Stylesheets, rebuilds(true, true, true, true)),
            (Change::Full, rebuilds(true, true, true, true)),
        ];
        for (change, expected) in table {
            assert_eq!(change.rebuilds(), expected, "{change:?}");
        }
        // A batch is its dearest change: a title edit beside a body edit rebuilds the model.
        assert_eq!(Change::Body.max(Change::Shape), Change::Shape);
        assert_eq!(Change::Asset.max(Change::Body), Change::Asset);
        assert_eq!(Change::Pages.max(Change::Shape), Change::Pages);
        assert_eq!(Change::default(), Change::Nothing);
    }
}
