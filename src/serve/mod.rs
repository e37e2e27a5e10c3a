//! The preview server: build once into a private folder, serve it, watch the sources and
//! rebuild only what a change affects, and tell open pages to reload once the new files are in
//! place.
//!
//! - [`http`]: request path → response, a pure function of the path and the site folder;
//! - [`watch`]: the watcher and the classification of changed paths;
//! - [`live`]: the kept site and incremental rebuilds;
//! - [`reload`]: the event stream, the injected script and the error overlay;
//! - [`search`]: both search indexes kept current after incremental rebuilds.
//!
//! Nothing here prints: progress goes to the caller's [`Note`] callback.

pub mod http;
pub mod live;
pub mod reload;
pub mod search;
pub mod watch;

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::error::Error;
use live::{Live, Update};
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
}

/// Something worth telling the user.
#[derive(Debug)]
pub enum Note<'a> {
    /// The first build finished (or failed) and the server is listening.
    Listening {
        /// `http://127.0.0.1:3000/`
        url: &'a str,
        /// Pages built, when the first build worked.
        pages: Option<usize>,
        /// Wall time of the first build.
        elapsed: Duration,
        /// Bound to an address other machines can reach.
        exposed: bool,
        /// The watcher polls (asked for, or native events are unavailable).
        polling: bool,
        /// Warnings of the first build.
        warnings: &'a [crate::diag::Diagnostic],
    },
    /// A rebuild worked.
    Rebuilt {
        /// Pages rendered again.
        pages: usize,
        /// Whether everything was rebuilt.
        full: bool,
        /// Wall time from the change batch to the event.
        elapsed: Duration,
        /// Warnings of the site.
        warnings: &'a [crate::diag::Diagnostic],
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
}

/// State shared with the request threads.
#[derive(Debug)]
struct Shared {
    /// The folder being served.
    dir: RwLock<PathBuf>,
    /// The overlay text while the last build failed.
    error: RwLock<Option<String>>,
    /// Incremented by every good rebuild.
    generation: AtomicU64,
    hub: Hub,
    /// The tantivy index the build writes, for `GET /api/search`.
    search_dir: PathBuf,
    /// Search after incremental rebuilds.
    search: search::Search,
}

impl Shared {
    fn hello(&self) -> String {
        reload::event("hello", &serde_json::json!({ "generation": self.generation.load(Ordering::SeqCst) }))
    }
}

/// `GET /api/search?q=…[&kind=…&owner=…&tag=…&state=…&limit=N&explain=1]`: the same results as
/// `lore search --json [--explain]`, answered from the tantivy index of the last good build.
fn search_reply(dir: &Path, query: &str) -> http::Reply {
    let param = |name: &str| {
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| decode_query(v))
    };
    let filters = crate::search::query::Filters {
        kind: param("kind"),
        owner: param("owner"),
        tag: param("tag"),
        state: param("state"),
    };
    let limit = param("limit").and_then(|l| l.parse().ok()).unwrap_or(10).clamp(1, 100);
    let explain = param("explain").is_some_and(|v| v == "1" || v == "true");
    let q = param("q").unwrap_or_default();
    // The index may be being replaced (pages added or removed): try once more a moment later.
    let open = || crate::search::query::Searcher::open(dir);
    let searcher = open().or_else(|_| {
        std::thread::sleep(Duration::from_millis(50));
        open()
    });
    let result = searcher
        .and_then(|s| if explain { s.explain(&q, &filters, limit) } else { s.search(&q, &filters, limit) });
    let (status, body) = match result {
        Ok(results) => (200, serde_json::to_vec(&results).unwrap_or_default()),
        Err(e) => (503, serde_json::json!({ "error": e.to_string() }).to_string().into_bytes()),
    };
    http::Reply { status, content_type: "application/json", location: None, body }
}

/// Whether `path` asks for the head file of the browser index.
fn is_search_head(path: &str) -> bool {
    path.strip_prefix("/search/head.").is_some_and(|rest| rest.ends_with(".json.gz") && !rest.contains('/'))
}

/// The site-relative URL in an event stream's `page=` parameter (the tab's `location.pathname`):
/// `/runbooks/db/index.html` → `runbooks/db/`, `/` → `` (the home page); `None` without one.
fn shown_page(query: &str) -> Option<String> {
    let page = query.split('&').filter_map(|kv| kv.split_once('=')).find(|(k, _)| *k == "page")?.1;
    let page = decode_query(page);
    let page = page.trim_start_matches('/');
    Some(page.strip_suffix("index.html").unwrap_or(page).to_owned())
}

/// Decodes a query-string value: `+` is a space, `%XX` a byte.
fn decode_query(value: &str) -> String {
    crate::markdown::links::decode(&value.replace('+', " "))
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
    let server = Arc::new(bind(options.bind, options.port)?);
    empty_trash();
    let addr = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| Error::Usage("the server has no IP address".to_owned()))?;
    let base = std::env::temp_dir().join(format!("lore-serve-{}-{}", std::process::id(), addr.port()));
    let _ = std::fs::remove_dir_all(&base);
    let live = Live::new(&options.root, options.config_file.clone(), base.clone())?;
    let shared = Arc::new(Shared {
        dir: RwLock::new(live.dir().to_path_buf()),
        error: RwLock::new(None),
        generation: AtomicU64::new(1),
        hub: Hub::default(),
        search_dir: options.root.join(".lore").join("search"),
        search: search::Search::default(),
    });
    let accept = {
        let (server, shared) = (server.clone(), shared.clone());
        std::thread::spawn(move || accept_loop(&server, &shared))
    };
    let exporter = {
        let (shared, stop, note) = (shared.clone(), stop.clone(), note.clone());
        std::thread::Builder::new()
            .name("lore-search".into())
            .spawn(move || shared.search.run(&stop, &|job, outcome| exported(&shared, job, outcome, &*note)))
            .map_err(|e| Error::Usage(format!("cannot start the search thread: {e}")))?
    };
    let worker = {
        let (options, shared, stop) = (options.clone(), shared.clone(), stop.clone());
        std::thread::Builder::new()
            .name("lore-rebuild".into())
            .spawn(move || work(live, &options, addr, &shared, &stop, &*error_text, &*note))
            .map_err(|e| Error::Usage(format!("cannot start the rebuild thread: {e}")))?
    };
    while !stop.load(Ordering::SeqCst) && !worker.is_finished() {
        std::thread::sleep(Duration::from_millis(50));
    }
    stop.store(true, Ordering::SeqCst);
    server.unblock();
    let _ = accept.join();
    // An export under way is abandoned like a rebuild; one waiting for work sees `stop` at once.
    drop(exporter);
    // Each stream's writer ends once the hub lets go of it; a writer stuck on a tab that
    // stopped reading goes with the process.
    shared.hub.close();
    // A rebuild still running is abandoned with the process; its files go with the folder.
    let result = if worker.is_finished() {
        worker.join().unwrap_or_else(|_| Err(Error::Usage("the rebuild thread failed".to_owned())))
    } else {
        Ok(())
    };
    // Removing tens of thousands of files can take seconds on a busy disk: move the folder
    // aside at once, give its removal a fifth of a second, and let the next `serve` finish the job.
    let trash = std::env::temp_dir().join(format!("{TRASH}{}-{}", std::process::id(), addr.port()));
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

/// The worker: the first build, then watching and rebuilding until `stop`.
fn work(
    mut live: Live,
    options: &ServeOptions,
    addr: SocketAddr,
    shared: &Shared,
    stop: &AtomicBool,
    error_text: &ErrorText,
    note: &Notes,
) -> Result<(), Error> {
    let start = Instant::now();
    let first = live.full();
    *write(&shared.dir) = live.dir().to_path_buf();
    let (pages, warnings) = match &first {
        Update::Rebuilt { pages, warnings, .. } => (Some(*pages), warnings.as_slice()),
        Update::Failed(e) => {
            note(Note::Failed(e));
            *write(&shared.error) = Some(error_text(e));
            (None, &[][..])
        }
        Update::Nothing => (None, &[][..]),
    };
    // Without a good first build, watch what the config names (or its defaults).
    let config = match live.config() {
        Some(c) => c.clone(),
        None => crate::config::SiteConfig::load(&options.root, options.config_file.as_deref())
            .unwrap_or_else(|_| crate::config::SiteConfig::for_tests(&options.root)),
    };
    let mut roots = Roots::of(&config, options.config_file.as_deref());
    let (tx, rx) = mpsc::channel();
    let debounce = Duration::from_millis(config.serve.debounce_ms);
    // The watcher's own quiet time is short so a single save rebuilds at once; a burst of
    // changes is then gathered below until it has been quiet for the whole `debounce`.
    let settle = debounce.min(SETTLE);
    let poll_every = Duration::from_millis(config.serve.poll_interval_ms);
    let start_watcher = |roots: &Roots| {
        watch::start(roots, settle, options.poll.then_some(poll_every), poll_every, tx.clone())
    };
    let mut watcher = start_watcher(&roots)?;
    let mut watched = roots.watched();

    let host = if addr.ip().is_unspecified() { IpAddr::from([127, 0, 0, 1]) } else { addr.ip() };
    let url = format!("http://{}/", SocketAddr::new(host, addr.port()));
    if stop.load(Ordering::SeqCst) {
        return Ok(());
    }
    note(Note::Listening {
        url: &url,
        pages,
        elapsed: start.elapsed(),
        exposed: !addr.ip().is_loopback(),
        polling: watcher.is_polling(),
        warnings,
    });

    let mut last_ping = Instant::now();
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
                // Take every batch that is already waiting: one rebuild for all of them.
                while let Ok(more) = rx.try_recv() {
                    paths.extend(more);
                }
                if watch::is_burst(&paths, &roots) {
                    // A branch switch or a search-and-replace: wait until it is over.
                    while let Ok(more) = rx.recv_timeout(debounce) {
                        paths.extend(more);
                    }
                }
                let (event, changed) = {
                    let mut held = shared.search.hold();
                    rebuild(&mut live, &roots, &paths, shared, &mut held, error_text, note)
                };
                // A changed config may name other folders, and a theme folder may have appeared.
                if let Some(config) = live.config() {
                    let now = Roots::of(config, options.config_file.as_deref());
                    if now.watched() != watched {
                        drop(watcher);
                        watcher = start_watcher(&now)?;
                        watched = now.watched();
                    }
                    roots = now;
                }
                // Sent once the new files are in place and the watcher sees the new folders.
                if let Some(event) = event {
                    shared.hub.send(&event);
                }
                // After the event (the reload never waits for search): the edited pages'
                // search entries, then the rest of a site whose model changed.
                update_search(&mut live, &changed, shared, note);
                let rest = Instant::now();
                // Another change stops it: the next rebuild writes what that one shows first.
                let mut interrupted = || {
                    while let Ok(more) = rx.try_recv() {
                        carried.extend(more);
                    }
                    !carried.is_empty()
                };
                match live.finish(&mut interrupted) {
                    Ok(0) => {}
                    Ok(pages) => note(Note::Finished { pages, elapsed: rest.elapsed() }),
                    Err(e) => note(Note::Failed(&e)),
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        if last_ping.elapsed() >= PING {
            shared.hub.send(": ping\n\n");
            last_ping = Instant::now();
        }
    }
    drop(watcher);
    Ok(())
}

fn bind(ip: IpAddr, port: u16) -> Result<tiny_http::Server, Error> {
    let addr = SocketAddr::new(ip, port);
    tiny_http::Server::http(addr).map_err(|e| {
        let in_use = e
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::AddrInUse);
        if in_use {
            Error::Usage(format!(
                "port {port} on {ip} is already in use\n  = hint: stop the other server, or pass `--port 0` to use any free port"
            ))
        } else {
            Error::Usage(format!("cannot listen on {addr}: {e}"))
        }
    })
}

/// Rebuilds for a batch of changed paths; returns the event that tells the open pages, and the
/// pages an incremental rebuild wrote again (their search entries are now out of date).
fn rebuild(
    live: &mut Live,
    roots: &Roots,
    paths: &[PathBuf],
    shared: &Shared,
    held: &mut search::Held<'_>,
    error_text: &ErrorText,
    note: &Notes,
) -> (Option<String>, Vec<usize>) {
    let start = Instant::now();
    let rescan = paths.iter().any(|p| p.as_os_str().is_empty());
    let changes: Vec<_> = paths.iter().map(|p| watch::classify(p, roots)).collect();
    let plan = if rescan { Plan::Full } else { watch::plan(&changes, |rel| live.knows(rel)) };
    let update = match &plan {
        Plan::Nothing => return (None, Vec::new()),
        Plan::Files(rels) => live.files(rels, &shared.hub.pages()),
        Plan::Stylesheets | Plan::Full => live.full(),
    };
    match update {
        Update::Nothing => (None, Vec::new()),
        Update::Rebuilt { pages, full, changed, warnings, .. } => {
            if full {
                held.replaced();
            }
            *write(&shared.dir) = live.dir().to_path_buf();
            *write(&shared.error) = None;
            let generation = shared.generation.fetch_add(1, Ordering::SeqCst) + 1;
            // The files are complete and in place: only now tell the browsers.
            let event = if plan == Plan::Stylesheets {
                reload::event(
                    "css",
                    &serde_json::json!({ "generation": generation, "css": live.stylesheets() }),
                )
            } else {
                reload::event("reload", &serde_json::json!({ "generation": generation }))
            };
            note(Note::Rebuilt { pages, full, elapsed: start.elapsed(), warnings: &warnings });
            (Some(event), changed)
        }
        Update::Failed(e) => {
            let text = error_text(&e);
            let event = reload::event("failed", &serde_json::json!({ "error": text }));
            *write(&shared.error) = Some(text);
            note(Note::Failed(&e));
            (Some(event), Vec::new())
        }
    }
}

/// Replaces the `changed` pages' sections in the tantivy index (after pages were added or
/// removed, the export indexes every page again instead), then queues the export of the
/// browser index. Runs on the rebuild thread, so it never overlaps a rebuild.
fn update_search(live: &mut Live, changed: &[usize], shared: &Shared, note: &Notes) {
    let renumbered = live.take_renumbered();
    if changed.is_empty() && !renumbered {
        return;
    }
    let Some(docs) = live.search_docs(changed) else { return };
    let Some(index_dir) = live.config().map(crate::search::index_dir) else { return };
    // Pages added or removed move the page numbers the index is keyed by: the export writes
    // it whole, and until it has, edits leave it alone.
    let reindex = shared.search.reindex_pending(renumbered);
    if !reindex && let Err(e) = crate::search::index::replace_pages(&index_dir, &docs, changed) {
        note(Note::SearchStale(&e));
    }
    let generation = shared.generation.load(Ordering::SeqCst);
    let job = search::Job::new(docs, live.dir().to_path_buf(), index_dir, generation);
    shared.search.post(if reindex { job.reindexing() } else { job });
}

/// Tells the open pages about a published browser index.
fn exported(shared: &Shared, job: &search::Job, outcome: Result<search::Exported, Error>, note: &Notes) {
    match outcome {
        Ok(search::Exported::Published(head)) => {
            let data = serde_json::json!({ "generation": job.generation, "head": head });
            shared.hub.send(&reload::event("search", &data));
        }
        Ok(search::Exported::Outdated) => {}
        Err(e) => note(Note::SearchStale(&e)),
    }
}

fn accept_loop(server: &tiny_http::Server, shared: &Arc<Shared>) {
    for request in server.incoming_requests() {
        let shared = shared.clone();
        // A thread per request: slow clients and event streams never block each other.
        let spawned =
            std::thread::Builder::new().name("lore-http".into()).spawn(move || handle(request, &shared));
        if spawned.is_err() {
            break;
        }
    }
}

fn handle(request: tiny_http::Request, shared: &Shared) {
    let url = request.url().to_owned();
    let path = url.split('?').next().unwrap_or("");
    let method = request.method().clone();
    if !matches!(method, tiny_http::Method::Get | tiny_http::Method::Head) {
        let _ = request.respond(respond_with(
            405,
            "text/plain; charset=utf-8",
            b"method not allowed".to_vec(),
            None,
        ));
        return;
    }
    let reply = match path {
        reload::EVENTS => {
            // This request's thread becomes the stream's writer.
            let page = url.split_once('?').map_or("", |(_, q)| q);
            shared.hub.add(request.into_writer(), &shared.hello(), shown_page(page)).run();
            return;
        }
        reload::SCRIPT => http::Reply {
            status: 200,
            content_type: "text/javascript; charset=utf-8",
            location: None,
            body: reload::LIVE_JS.as_bytes().to_vec(),
        },
        reload::STATUS => {
            let body = serde_json::json!({
                "generation": shared.generation.load(Ordering::SeqCst),
                "error": *read(&shared.error),
                "streams": shared.hub.len(),
            });
            http::Reply {
                status: 200,
                content_type: "application/json",
                location: None,
                body: body.to_string().into_bytes(),
            }
        }
        "/api/search" => search_reply(&shared.search_dir, url.split_once('?').map_or("", |(_, q)| q)),
        p if p.starts_with("/api/") => http::Reply {
            status: 404,
            content_type: "application/json",
            location: None,
            body: br#"{"error":"no such endpoint"}"#.to_vec(),
        },
        _ => {
            let dir = read(&shared.dir).clone();
            // A page names the head it was built with; after an export, the newest answers.
            let alias = if is_search_head(path) { shared.search.head_alias() } else { None };
            let mut reply = match alias {
                Some(head) => http::respond(&format!("/{head}"), &dir),
                None => http::respond(&url, &dir),
            };
            if reply.status == 404 && path == "/favicon.ico" {
                // Browsers ask for it on their own; a site without one should not log an error
                // in the console of every preview tab.
                reply = http::Reply {
                    status: 204,
                    content_type: "image/x-icon",
                    location: None,
                    body: Vec::new(),
                };
            }
            if reply.is_html() {
                reply.body = reload::inject(&reply.body, read(&shared.error).as_deref());
            }
            reply
        }
    };
    let _ = request.respond(respond_with(reply.status, reply.content_type, reply.body, reply.location));
}

fn respond_with(
    status: u16,
    content_type: &str,
    body: Vec<u8>,
    location: Option<String>,
) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    let header = |k: &str, v: &str| tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).ok();
    let mut response = tiny_http::Response::from_data(body).with_status_code(status);
    for h in [
        header("Content-Type", content_type),
        header("Cache-Control", "no-store"),
        header("X-Content-Type-Options", "nosniff"),
        location.and_then(|l| header("Location", &l)),
    ]
    .into_iter()
    .flatten()
    {
        response.add_header(h);
    }
    response
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    #[test]
    fn query_values_are_decoded() {
        assert_eq!(super::decode_query("disk+full%21"), "disk full!");
        assert_eq!(super::decode_query("100%"), "100%");
        assert_eq!(super::decode_query("%E2%9C%93"), "✓");
    }

    #[test]
    fn event_streams_name_the_page_they_show() {
        use super::shown_page;
        assert_eq!(shown_page("page=%2Frunbooks%2Fdb%2Findex.html"), Some("runbooks/db/".to_owned()));
        assert_eq!(shown_page("page=/adr/"), Some("adr/".to_owned()));
        assert_eq!(shown_page("page=%2F"), Some(String::new()), "the home page");
        assert_eq!(shown_page(""), None);
        assert_eq!(shown_page("other=1"), None);
    }
}
