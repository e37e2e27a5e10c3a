//! The first build as requests see it. `lore serve` listens before it has built anything: the
//! rebuild thread reads the site model, publishes it here, then renders and writes every page
//! in the background ([`super::Live::first`]). Meanwhile a request for a file the site folder
//! does not have yet:
//!
//! - waits (at most [`READING_WAIT`]) while the site model is read;
//! - for a page or folder listing, gets it rendered on demand from the published model, with
//!   the templates and the same view the full build writes it with, so the bytes are those the
//!   settled site serves (a URL a generated listing takes, and every page of a portal, is left
//!   to the build). Only the problems panel differs: the site is not checked yet, and open
//!   pages with problems to show reload once it is (the `settled` event);
//! - for a file of the source folder, gets it from there (the build copies it last);
//! - for anything else (generated listings, the diagram script), waits for the next step of
//!   the build and looks again, until the build settles or [`FILE_WAIT`] has passed; at most
//!   [`MAX_WAITING`] requests wait at once (the next ones get a 503 page that asks again in a
//!   second), and `favicon.ico` never waits.
//!
//! Once settled, files are served as they are.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use super::http::{self, Reply};
use crate::build::State;
use crate::error::Error;

/// How long a request waits for the site model.
pub const READING_WAIT: Duration = Duration::from_secs(10);
/// How long a request for a file not written yet waits for it.
pub const FILE_WAIT: Duration = Duration::from_secs(60);
/// Requests waiting for a file at once: half the server's workers, so that a page asked for
/// always finds one to render it. Past it, a request is told to come back in a second.
pub const MAX_WAITING: usize = super::server::LIMITS.workers / 2;

/// Where the first build is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// The config, the pages and the site model are being read.
    Reading,
    /// The site model is published; pages are rendered and written.
    Writing,
    /// Done (or failed): the site folder is what is served.
    Settled,
}

/// The first build, shared by the rebuild thread and the requests.
#[derive(Debug)]
pub struct First {
    /// The build state, from the site model's publication until every file is written.
    state: RwLock<Option<Box<State>>>,
    /// The phase, and a count of the steps that wrote files.
    progress: Mutex<(Phase, u64)>,
    moved: Condvar,
    /// Requests waiting for a file.
    waiting: AtomicUsize,
}

/// A request's place among those waiting for a file, given back when dropped.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Default for First {
    fn default() -> Self {
        Self {
            state: RwLock::new(None),
            progress: Mutex::new((Phase::Reading, 0)),
            moved: Condvar::new(),
            waiting: AtomicUsize::new(0),
        }
    }
}

impl First {
    /// Publishes the site model: pages can be rendered on demand from here on.
    pub fn publish(&self, state: Box<State>) {
        *self.state.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(state);
        self.advance(Some(Phase::Writing));
    }

    /// A step of the build wrote files: requests waiting for one look again.
    pub fn step(&self) {
        self.advance(None);
    }

    /// Runs `f` on the published state; an error when there is none (a bug).
    pub fn with<T>(&self, f: impl FnOnce(&State) -> T) -> Result<T, Error> {
        let guard = self.read();
        guard.as_deref().map(f).ok_or_else(unpublished)
    }

    /// Runs `f` on the published state, alone (requests rendering on demand wait).
    pub fn with_mut<T>(&self, f: impl FnOnce(&mut State) -> T) -> Result<T, Error> {
        let mut guard = self.write();
        guard.as_deref_mut().map(f).ok_or_else(unpublished)
    }

    /// Takes the state back once every file is written (or the build failed); requests then
    /// wait for [`First::settle`] and read the site folder.
    pub fn take(&self) -> Option<Box<State>> {
        self.write().take()
    }

    /// The first build is over: the server's state says how (the folder, the error, the
    /// problems), and every request reads the site folder.
    pub fn settle(&self) {
        drop(self.take());
        self.advance(Some(Phase::Settled));
    }

    /// Waits, at most [`READING_WAIT`], while the site model is read.
    pub fn wait_reading(&self) {
        let progress = self.progress();
        let _unused = self
            .moved
            .wait_timeout_while(progress, READING_WAIT, |(phase, _)| *phase == Phase::Reading)
            .unwrap_or_else(std::sync::PoisonError::into_inner);
    }

    /// The answer to a GET of `target` (path and maybe query) that the site folder `dir` has
    /// no file for; `None` when the build has settled, or the file did not come in time.
    pub fn missing(&self, target: &str, dir: &Path) -> Option<Reply> {
        if self.progress().0 == Phase::Settled {
            return None;
        }
        let path = target.split(['?', '#']).next().unwrap_or("");
        if let Some(reply) = self.on_demand(path) {
            return Some(reply);
        }
        // Browsers ask for it with every page: no step writes one that is not there yet.
        if path == "/favicon.ico" {
            return None;
        }
        let Some(_waiting) = self.wait_slot() else { return Some(still_building()) };
        let deadline = Instant::now() + FILE_WAIT;
        let mut seen = self.progress().1;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            let progress = self.progress();
            let (progress, _) = self
                .moved
                .wait_timeout_while(progress, left, |(_, step)| *step == seen)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let (phase, step) = *progress;
            drop(progress);
            if step == seen {
                return None;
            }
            // A step wrote files: look again.
            seen = step;
            let reply = http::respond(target, dir);
            if reply.status != 404 || phase == Phase::Settled {
                return Some(reply);
            }
            if let Some(reply) = self.on_demand(path) {
                return Some(reply);
            }
        }
    }

    /// One of the [`MAX_WAITING`] places of requests waiting for a file.
    fn wait_slot(&self) -> Option<Waiting<'_>> {
        let take = |n: usize| (n < MAX_WAITING).then_some(n + 1);
        self.waiting.fetch_update(Ordering::SeqCst, Ordering::SeqCst, take).ok()?;
        Some(Waiting(&self.waiting))
    }

    /// A page or folder listing rendered from the published model, a redirect to its
    /// folder's URL, or a file of the source folder.
    fn on_demand(&self, path: &str) -> Option<Reply> {
        let guard = self.read();
        let state = guard.as_deref()?;
        let url = http::site_url(path);
        if let Some(target) = state.site.by_url(&url) {
            if !state.owns_file(target) {
                return None;
            }
            // A page that cannot be rendered now is left to the build, which reports why.
            let html = state.html(target).ok()?;
            return Some(Reply::new(200, http::HTML, html.into_bytes()));
        }
        if !url.is_empty() && !url.ends_with('/') && state.site.by_url(&format!("{url}/")).is_some() {
            // Pretty URLs, as for a folder on disk.
            let mut reply = Reply::new(301, http::HTML, Vec::new());
            reply.location = Some(format!("{path}/"));
            return Some(reply);
        }
        let asset = state.site.assets.iter().find(|a| a.rel == url)?;
        // Still a regular file (a FIFO put in its place would block this thread).
        if !std::fs::metadata(&asset.path).is_ok_and(|m| m.is_file()) {
            return None;
        }
        let bytes = std::fs::read(&asset.path).ok()?;
        Some(Reply::new(200, http::content_type(Path::new(&asset.rel)), bytes))
    }

    fn advance(&self, phase: Option<Phase>) {
        let mut progress = self.progress();
        if let Some(phase) = phase {
            progress.0 = phase;
        }
        progress.1 += 1;
        self.moved.notify_all();
    }

    fn progress(&self) -> MutexGuard<'_, (Phase, u64)> {
        self.progress.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn read(&self) -> RwLockReadGuard<'_, Option<Box<State>>> {
        self.state.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Option<Box<State>>> {
        self.state.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The answer to a request for a file not written yet when [`MAX_WAITING`] others wait: a page
/// that asks again in a second.
fn still_building() -> Reply {
    let body = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"1\"><title>lore: building the site</title></head><body><p>The site is still being built: this page loads once it is written.</p></body></html>";
    Reply::new(503, http::HTML, body.as_bytes().to_vec())
}

fn unpublished() -> Error {
    Error::Bug("the first build's state was used before it was published".to_owned())
}
