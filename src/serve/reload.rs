//! Live reload: the server-sent-events hub, the script injected into served pages, and the
//! error overlay shown while the last rebuild failed.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::{Arc, Mutex};

/// Where the injected script and the event stream live (no site file can start with `__`).
pub const PREFIX: &str = "/__lore/";
/// The event stream.
pub const EVENTS: &str = "/__lore/events";
/// The injected script.
pub const SCRIPT: &str = "/__lore/live.js";
/// The build status as JSON (generation and error text).
pub const STATUS: &str = "/__lore/status";

/// The browser side: reload on `reload` (and on `settled` when the first build found
/// problems), swap stylesheets on `css`, show the overlay on `failed`, point a searcher not
/// loaded yet at the new browser index on `search`; the scroll
/// position of a page survives its own reload.
pub const LIVE_JS: &str = r##"(() => {
  "use strict";
  const key = "lore-scroll:" + location.pathname;
  const saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    const y = Number(saved);
    const restore = () => window.scrollTo(0, y);
    if (document.readyState === "complete") restore(); else addEventListener("load", restore);
  }
  const reload = () => {
    sessionStorage.setItem(key, String(window.scrollY));
    location.reload();
  };
  const overlay = (text) => {
    let el = document.getElementById("lore-overlay");
    if (!text) { if (el) el.remove(); return; }
    if (!el) {
      el = document.createElement("div");
      el.id = "lore-overlay";
      el.setAttribute("role", "alert");
      el.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;background:rgba(20,20,20,.94);color:#f5f5f5;font:14px/1.5 ui-monospace,monospace";
      const h = document.createElement("h2");
      h.textContent = "Build failed — showing the last good version";
      h.style.cssText = "margin:0 0 1rem;font:600 18px system-ui,sans-serif;color:#ff8a80";
      const pre = document.createElement("pre");
      pre.style.cssText = "white-space:pre-wrap;margin:0";
      el.append(h, pre);
      document.body.append(el);
    }
    el.querySelector("pre").textContent = text;
  };
  // Content problems of a site served anyway: a panel, the page's own first, that collapses to
  // a badge; collapsed or open, it stays so across reloads and pages.
  const remember = (value) => {
    try {
      if (value === undefined) return localStorage.getItem("lore-problems");
      localStorage.setItem("lore-problems", value);
    } catch (_) { /* storage off: the panel opens on each page */ }
    return null;
  };
  const problems = (d) => {
    const plural = (n, w) => n + " " + w + (n === 1 ? "" : "s");
    let label = d.errors ? plural(d.errors, "problem") : plural(d.here.length, "warning") + " on this page";
    if (d.errors && d.here.length) label += " · " + d.here.length + " on this page";
    const el = document.createElement("div");
    el.id = "lore-problems";
    el.setAttribute("role", "region");
    el.setAttribute("aria-label", "Problems found while building");
    el.style.cssText = "position:fixed;right:1rem;bottom:1rem;z-index:2147483646;max-width:min(46rem,calc(100vw - 2rem));color:#f5f5f5;font:13px/1.5 ui-monospace,monospace;text-align:left";
    const toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "lore-problems-badge";
    toggle.textContent = "\u26a0 " + label;
    toggle.style.cssText = "display:block;margin-left:auto;padding:.35rem .8rem;border:1px solid #ff8a80;border-radius:999px;background:" + (d.here.some((t) => / error: /.test(t)) ? "#8e1b12" : "#2b2b2b") + ";color:#fff;font:600 13px/1.4 system-ui,sans-serif;cursor:pointer";
    const body = document.createElement("div");
    body.className = "lore-problems-list";
    body.style.cssText = "margin-bottom:.5rem;max-height:45vh;overflow:auto;padding:1rem;border-radius:8px;background:rgba(20,20,20,.96);box-shadow:0 4px 24px rgba(0,0,0,.4)";
    const note = document.createElement("p");
    note.textContent = "Served anyway: `lore build` and `lore check` fail until the errors are fixed.";
    note.style.cssText = "margin:0 0 .75rem;font:13px/1.4 system-ui,sans-serif;color:#ccc";
    body.append(note);
    const section = (title, lines) => {
      if (!lines.length) return;
      const h = document.createElement("h2");
      h.textContent = title;
      h.style.cssText = "margin:.5rem 0;padding:0;border:0;font:600 14px system-ui,sans-serif;color:#ff8a80;background:none";
      const pre = document.createElement("pre");
      pre.textContent = lines.join("\n\n");
      // Set in full: the site's own `pre` style must not show through.
      pre.style.cssText = "margin:0 0 .75rem;padding:0;border:0;border-radius:0;box-shadow:none;background:none;color:inherit;font:inherit;white-space:pre-wrap;overflow:visible";
      body.append(h, pre);
    };
    section("On this page", d.here);
    section(d.here.length ? "Elsewhere" : "In the site", d.elsewhere);
    if (d.more) {
      const more = document.createElement("p");
      more.textContent = "\u2026 and " + d.more + " more: the terminal lists them all";
      more.style.cssText = "margin:0;font:13px/1.4 system-ui,sans-serif;color:#ccc";
      body.append(more);
    }
    const show = (open) => {
      body.hidden = !open;
      toggle.setAttribute("aria-expanded", String(open));
      toggle.title = open ? "Collapse to a badge" : "Show the problems";
    };
    toggle.addEventListener("click", () => {
      const open = body.hidden;
      show(open);
      remember(open ? "open" : "collapsed");
    });
    show(remember() !== "collapsed");
    // The badge stays in the corner; the list opens above it.
    el.append(body, toggle);
    document.body.append(el);
  };
  const swapCss = (names) => {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const m = link.getAttribute("href").match(/^(.*\/)?([^\/]+?)\.[0-9a-f]{8}\.css$/);
      if (!m) continue;
      const next = names.find((n) => n.replace(/^.*\//, "").startsWith(m[2] + "."));
      if (next) link.setAttribute("href", (m[1] || "") + next.replace(/^.*\//, ""));
    }
  };
  // The text of a page served while the build is broken: a template's text is in its content.
  const pending = document.getElementById("lore-overlay-text");
  if (pending) overlay((pending.content || pending).textContent);
  const found = document.getElementById("lore-problems-data");
  if (found) {
    try { problems(JSON.parse((found.content || found).textContent)); } catch (_) { /* not ours */ }
  }
  // The page being shown: a change that rewrites the whole site writes it first.
  const source = new EventSource("/__lore/events?page=" + encodeURIComponent(location.pathname));
  let generation = null;
  source.addEventListener("hello", (e) => {
    const g = JSON.parse(e.data).generation;
    // The server restarted or rebuilt while we were disconnected.
    if (generation !== null && g !== generation) reload();
    generation = g;
  });
  source.addEventListener("reload", (e) => { generation = JSON.parse(e.data).generation; reload(); });
  source.addEventListener("css", (e) => {
    const d = JSON.parse(e.data);
    generation = d.generation;
    overlay(null);
    swapCss(d.css);
  });
  source.addEventListener("failed", (e) => overlay(JSON.parse(e.data).error));
  // The first build checked the site: a page served before shows the problems it found.
  source.addEventListener("settled", (e) => { if (JSON.parse(e.data).reload) reload(); });
  // A newer browser index: a searcher that has not loaded yet (it loads on first use) takes
  // it; one already loaded keeps its own until the page reloads (the server keeps its files).
  source.addEventListener("search", (e) => {
    const box = document.querySelector(".search[data-search-head]");
    if (!box || box.querySelector(".search-panel")) return;
    const head = box.getAttribute("data-search-head"), at = head.lastIndexOf("search/head.");
    if (at >= 0) box.setAttribute("data-search-head", head.slice(0, at) + JSON.parse(e.data).head);
  });
  addEventListener("pagehide", () => source.close());
})();
"##;

/// Adds the live-reload script to a page, with the overlay text while the last rebuild failed
/// and the site's content problems ([`Problems::for_page`](super::problems::Problems::for_page)
/// JSON), each in a `<template>`: escaped, never markup.
pub fn inject(html: &[u8], error: Option<&str>, problems: Option<&str>) -> Vec<u8> {
    let mut tail = String::new();
    for (id, text) in [("lore-overlay-text", error), ("lore-problems-data", problems)] {
        let Some(text) = text else { continue };
        tail.push_str("<template id=\"");
        tail.push_str(id);
        tail.push_str("\">");
        tail.push_str(&crate::markdown::escape(text));
        tail.push_str("</template>");
    }
    tail.push_str("<script src=\"");
    tail.push_str(SCRIPT);
    tail.push_str("\"></script>");
    let at = find_last(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tail.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tail.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w.eq_ignore_ascii_case(needle))
}

/// The response head of an event stream.
pub const STREAM_HEAD: &str = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\nX-Accel-Buffering: no\r\n\r\n";

/// One server-sent event.
pub fn event(name: &str, data: &serde_json::Value) -> String {
    format!("event: {name}\ndata: {data}\n\n")
}

/// Events a stream may have waiting before it counts as stuck and is dropped: far more than
/// a rebuild sends, so only a tab that stopped reading reaches it.
pub const QUEUE: usize = 64;

/// Open event streams. Each stream has its own writer and a bounded queue, so a tab that stops
/// reading (its TCP window full) never holds up the others: [`Hub::send`] only queues. A stream
/// whose queue is full, or whose write failed (the tab closed), is dropped.
#[derive(Default)]
pub struct Hub {
    clients: Mutex<Vec<Client>>,
}

/// The hub's end of one stream.
struct Client {
    queue: SyncSender<Arc<str>>,
    /// Cleared by the writer when a write fails.
    open: Arc<AtomicBool>,
    /// The site-relative URL of the page the tab shows, when it said.
    page: Option<String>,
}

/// The writing end of one stream: run it on the stream's own thread.
pub struct Stream {
    writer: Box<dyn Write + Send>,
    queue: Receiver<Arc<str>>,
    open: Arc<AtomicBool>,
    /// Says whether the tab is still there (a closed socket), between events.
    alive: Option<Box<dyn FnMut() -> bool + Send>>,
}

/// How often a stream with nothing to write checks that its tab is still there.
const CHECK: std::time::Duration = std::time::Duration::from_millis(500);

impl Stream {
    /// Checks with `alive` between events that the tab is still there, so a closed tab's
    /// stream ends within half a second rather than at the next write.
    pub fn watching(mut self, alive: Box<dyn FnMut() -> bool + Send>) -> Self {
        self.alive = Some(alive);
        self
    }

    /// Writes queued events until a write fails, the tab is gone or the hub drops the stream,
    /// then closes it.
    ///
    /// A write to a tab that stopped reading blocks until the socket's write timeout; only
    /// this thread waits, and the hub has already dropped the stream by the time its queue is
    /// full.
    pub fn run(mut self) {
        loop {
            match self.queue.recv_timeout(CHECK) {
                Ok(text) => {
                    if self.writer.write_all(text.as_bytes()).and_then(|()| self.writer.flush()).is_err() {
                        break;
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    if self.alive.as_mut().is_some_and(|alive| !alive()) {
                        break;
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        self.open.store(false, Ordering::SeqCst);
    }
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub").field("clients", &self.len()).finish()
    }
}

impl Hub {
    /// Starts a stream on `writer` with a greeting event, and keeps it; the caller runs the
    /// returned [`Stream`] on a thread of its own.
    /// `page` is the site-relative URL the tab shows, when it said.
    pub fn add(&self, writer: Box<dyn Write + Send>, hello: &str, page: Option<String>) -> Stream {
        let (queue, receiver) = std::sync::mpsc::sync_channel(QUEUE);
        let open = Arc::new(AtomicBool::new(true));
        let greeting = format!("{STREAM_HEAD}retry: 300\n\n{hello}");
        // The queue is empty: the greeting always fits.
        let _ = queue.try_send(greeting.into());
        self.lock().push(Client { queue, open: open.clone(), page });
        Stream { writer, queue: receiver, open, alive: None }
    }

    /// Queues `text` (one or more events, or a comment) for every stream, without waiting for
    /// any; returns how many streams are kept.
    pub fn send(&self, text: &str) -> usize {
        let text: Arc<str> = text.into();
        let mut clients = self.lock();
        clients.retain(|c| c.open.load(Ordering::SeqCst) && c.queue.try_send(text.clone()).is_ok());
        clients.len()
    }

    /// Queues for every stream the text `text` makes of the page its tab shows (when it said),
    /// as [`Hub::send`] does.
    pub fn send_each(&self, text: impl Fn(Option<&str>) -> String) {
        let mut clients = self.lock();
        clients.retain(|c| {
            c.open.load(Ordering::SeqCst) && c.queue.try_send(text(c.page.as_deref()).into()).is_ok()
        });
    }

    /// The site-relative URLs the open tabs show.
    pub fn pages(&self) -> Vec<String> {
        let mut pages: Vec<String> = self
            .lock()
            .iter()
            .filter(|c| c.open.load(Ordering::SeqCst))
            .filter_map(|c| c.page.clone())
            .collect();
        pages.sort();
        pages.dedup();
        pages
    }

    /// Open streams.
    pub fn len(&self) -> usize {
        self.lock().iter().filter(|c| c.open.load(Ordering::SeqCst)).count()
    }

    /// Whether no stream is open.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every stream (at shutdown): their writers end without waiting for anything.
    pub fn close(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Client>> {
        // A panic while holding the lock only loses streams; keep serving.
        self.clients.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injects_before_the_body_end() {
        let out = inject(b"<html><body><p>x</p></body></html>", None, None);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<html><body><p>x</p><script src=\"/__lore/live.js\"></script></body></html>"
        );
        let out = String::from_utf8(inject(b"<p>no body", Some("a.md:1:2: error: <bad>"), None)).unwrap();
        assert!(out.starts_with(
            "<p>no body<template id=\"lore-overlay-text\">a.md:1:2: error: &lt;bad&gt;</template>"
        ));
        // Problems are page text: a `</template>` in them is escaped like the rest.
        let json = r#"{"here":["a.md:1:1: error: broken link: `</template><script>x()</script>`"]}"#;
        let out = String::from_utf8(inject(b"<body></body>", None, Some(json))).unwrap();
        assert_eq!(
            out,
            "<body><template id=\"lore-problems-data\">{&quot;here&quot;:[&quot;a.md:1:1: error: broken link: `&lt;/template&gt;&lt;script&gt;x()&lt;/script&gt;`&quot;]}</template><script src=\"/__lore/live.js\"></script></body>"
        );
    }

    #[derive(Clone, Default)]
    struct Sink(std::sync::Arc<Mutex<Vec<u8>>>, bool);

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.1 {
                return Err(std::io::Error::new(std::io::ErrorKind::BrokenPipe, "closed"));
            }
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// Waits until `sink` holds text ending with `end`.
    fn wait_for(sink: &Sink, end: &str) -> String {
        let start = std::time::Instant::now();
        loop {
            let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
            if text.ends_with(end) {
                return text;
            }
            assert!(start.elapsed() < std::time::Duration::from_secs(10), "got {text:?}");
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    fn start(hub: &Hub, writer: impl Write + Send + 'static, hello: &str) -> std::thread::JoinHandle<()> {
        let stream = hub.add(Box::new(writer), hello, None);
        std::thread::spawn(move || stream.run())
    }

    #[test]
    fn broadcasts_and_drops_closed_streams() {
        let hub = Hub::default();
        let open = Sink::default();
        start(&hub, open.clone(), "event: hello\ndata: {}\n\n");
        start(&hub, Sink(Default::default(), true), "").join().unwrap();
        assert_eq!(hub.len(), 1, "the closed stream's writer ended");
        assert_eq!(hub.send(&event("reload", &serde_json::json!({"generation": 2}))), 1);
        let text = wait_for(&open, "event: reload\ndata: {\"generation\":2}\n\n");
        assert!(text.starts_with("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"));
        assert!(text.contains("retry: 300\n\nevent: hello\ndata: {}\n\nevent: reload"), "{text:?}");
    }

    /// A stream whose writes block until told, like a tab that stopped reading; says when its
    /// first write started.
    struct Stuck(std::sync::mpsc::Receiver<()>, std::sync::mpsc::Sender<()>);

    impl Write for Stuck {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            let _ = self.1.send(());
            let _ = self.0.recv();
            Err(std::io::Error::new(std::io::ErrorKind::BrokenPipe, "closed"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_stream_that_stopped_reading_never_holds_up_the_others() {
        let hub = Hub::default();
        let (unblock, blocked) = std::sync::mpsc::channel();
        let (started, writing) = std::sync::mpsc::channel();
        let stuck = start(&hub, Stuck(blocked, started), "");
        writing.recv().unwrap();
        let open = Sink::default();
        start(&hub, open.clone(), "");
        // The stuck writer holds the greeting; the queue takes `QUEUE` more, then it is dropped.
        for n in 0..QUEUE {
            assert_eq!(hub.send(&format!(": {n}\n\n")), 2, "event {n}");
            // The reading stream gets each event while the stuck one is still kept.
            wait_for(&open, &format!(": {n}\n\n"));
        }
        assert_eq!(hub.send(": one too many\n\n"), 1, "the stuck stream is dropped");
        assert_eq!(hub.len(), 1);
        wait_for(&open, ": one too many\n\n");
        drop(unblock);
        stuck.join().unwrap();
    }
}
