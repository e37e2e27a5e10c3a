//! `lore serve`: a real server on a free port against a copy of a fixture. Each test edits the
//! site's files and waits (with a deadline) for the server-sent event, then checks what is
//! served. The server is killed when the test ends, whatever happens.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::harness::SiteTest;

/// How long any single wait may take before the test fails.
const DEADLINE: Duration = Duration::from_secs(20);

/// A running `lore serve`.
pub(crate) struct Server {
    pub(crate) child: Child,
    /// `127.0.0.1:PORT`
    pub(crate) addr: String,
    stderr: mpsc::Receiver<String>,
}

impl Server {
    fn start(site: &SiteTest, extra: &[&str]) -> Self {
        Self::start_env(site, extra, &[])
    }

    /// Starts with extra environment variables.
    pub(crate) fn start_env(site: &SiteTest, extra: &[&str], env: &[(&str, &std::path::Path)]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lore"))
            .args(["serve", "--port", "0"])
            .args(extra)
            .envs(env.iter().map(|(k, v)| (*k, *v)))
            .current_dir(site.root())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start lore serve");
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        let (url_tx, url_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = url_tx.send(line);
            }
        });
        let (err_tx, err_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = err_tx.send(line);
            }
        });
        let mut server = Self { child, addr: String::new(), stderr: err_rx };
        let line = url_rx.recv_timeout(DEADLINE).unwrap_or_else(|_| {
            let _ = server.child.kill();
            panic!("lore serve printed no URL; stderr:\n{}", server.stderr_text())
        });
        let url =
            line.strip_prefix("serving at http://").unwrap_or_else(|| panic!("unexpected line {line:?}"));
        server.addr = url.trim_end_matches('/').to_owned();
        server
    }

    /// Everything printed to stderr so far.
    pub(crate) fn stderr_text(&self) -> String {
        let mut out = String::new();
        while let Ok(line) = self.stderr.recv_timeout(Duration::from_millis(50)) {
            out.push_str(&line);
            out.push('\n');
        }
        out
    }

    /// A raw GET: (status, head, body).
    fn get(&self, path: &str) -> (u16, String, String) {
        raw_get(&self.addr, path)
    }

    /// Waits until search answers: pages are served first, and the search indexes of a full
    /// build are exported behind them (the head answers 503 until then).
    pub(crate) fn wait_search(&self) {
        let start = Instant::now();
        while raw_get_bytes(&self.addr, "/search/head.json.gz").0 != 200 {
            assert!(start.elapsed() < DEADLINE, "search never became ready");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until a line of stderr contains `needle`; returns everything read until then.
    fn wait_stderr(&self, needle: &str) -> String {
        let start = Instant::now();
        let mut out = String::new();
        while !out.contains(needle) {
            assert!(start.elapsed() < DEADLINE, "no `{needle}` on stderr; got {out:?}");
            if let Ok(line) = self.stderr.recv_timeout(Duration::from_millis(50)) {
                out.push_str(&line);
                out.push('\n');
            }
        }
        out
    }

    /// Opens the event stream and reads up to the greeting.
    pub(crate) fn events(&self) -> Events {
        self.events_on("")
    }

    /// Opens the event stream as a tab showing `page` (its `location.pathname`).
    fn events_on(&self, page: &str) -> Events {
        let mut stream = TcpStream::connect(&self.addr).expect("connect");
        stream.set_read_timeout(Some(Duration::from_millis(200))).expect("timeout");
        let query = if page.is_empty() { String::new() } else { format!("?page={page}") };
        write!(
            stream,
            "GET /__lore/events{query} HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
            self.addr
        )
        .expect("send");
        let mut events = Events { stream, buf: String::new() };
        events.next("hello");
        events
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Ctrl-C first, so the server removes its private folder; then no mercy.
        #[cfg(unix)]
        {
            let _ = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status();
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(3) {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn raw_get(addr: &str, path: &str) -> (u16, String, String) {
    let (status, head, body) = raw_get_bytes(addr, path);
    (status, head, String::from_utf8_lossy(&body).into_owned())
}

/// A raw GET of a file that may be binary: (status, head, body).
pub(crate) fn raw_get_bytes(addr: &str, path: &str) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(DEADLINE)).expect("timeout");
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").expect("send");
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).expect("read the response");
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n").map_or(bytes.len(), |i| i + 4);
    let head = String::from_utf8_lossy(&bytes[..end]).trim_end().to_owned();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, head, bytes[end..].to_vec())
}

/// An open event stream.
pub(crate) struct Events {
    stream: TcpStream,
    buf: String,
}

impl Events {
    /// Waits for the next event named `name` (skipping others) and returns its data.
    fn next(&mut self, name: &str) -> String {
        self.next_of(&[name]).1
    }

    /// Waits for the next event named one of `names` (skipping others): its name and data.
    pub(crate) fn next_of(&mut self, names: &[&str]) -> (String, String) {
        let start = Instant::now();
        loop {
            while let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let mut event = None;
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(e) = line.strip_prefix("event: ") {
                        event = Some(e.to_owned());
                    } else if let Some(d) = line.strip_prefix("data: ") {
                        data.push_str(d);
                    }
                }
                if let Some(event) = event.filter(|e| names.contains(&e.as_str())) {
                    return (event, data);
                }
            }
            assert!(start.elapsed() < DEADLINE, "no {names:?} event; got so far: {:?}", self.buf);
            let mut chunk = [0u8; 4096];
            match self.stream.read(&mut chunk) {
                Ok(0) => panic!("the event stream closed"),
                Ok(n) => self.buf.push_str(&String::from_utf8_lossy(&chunk[..n])),
                Err(e)
                    if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
                Err(e) => panic!("reading the event stream: {e}"),
            }
        }
    }

    /// Asserts no event named `name` arrives within `wait`.
    fn none(&mut self, name: &str, wait: Duration) {
        let start = Instant::now();
        while start.elapsed() < wait {
            let mut chunk = [0u8; 4096];
            if let Ok(n) = self.stream.read(&mut chunk) {
                self.buf.push_str(&String::from_utf8_lossy(&chunk[..n]));
            }
        }
        assert!(!self.buf.contains(&format!("event: {name}\n")), "unexpected `{name}`: {:?}", self.buf);
    }
}

fn basic() -> SiteTest {
    SiteTest::fixture("build/basic")
}

#[test]
fn serves_the_site_with_the_reload_script_and_no_caching() {
    let site = basic();
    let server = Server::start(&site, &[]);
    let (status, head, body) = server.get("/runbooks/db-failover/");
    assert_eq!(status, 200, "{head}");
    assert!(head.contains("Content-Type: text/html; charset=utf-8"), "{head}");
    assert!(head.contains("Cache-Control: no-store"), "{head}");
    assert!(body.contains("<script src=\"/__lore/live.js\"></script></body>"));
    let (status, head, _) = server.get("/runbooks/db-failover");
    assert_eq!(status, 301);
    assert!(head.contains("Location: /runbooks/db-failover/"), "{head}");
    let (status, head, _) = server.get("/__lore/live.js");
    assert_eq!(status, 200);
    assert!(head.contains("text/javascript"));
    let (status, head, _) = server.get("/images/topology.png");
    assert_eq!(status, 200);
    assert!(head.contains("image/png"));
    for path in ["/../book.toml", "/%2e%2e/book.toml", "/..%2fbook.toml", "//etc/passwd", "/nope/"] {
        let (status, _, body) = server.get(path);
        assert_eq!(status, 404, "{path}");
        assert!(body.contains("<script src=\"/__lore/live.js\">"), "the 404 page reloads too");
    }
    assert!(!site.path("book").exists(), "serve never writes the user's build folder");
}

#[test]
fn a_page_edit_sends_the_event_after_the_new_page_is_in_place() {
    let site = basic();
    let server = Server::start(&site, &[]);
    let mut events = server.events();
    let mut second = server.events();
    site.append("src/runbooks/db-failover.md", "\n\nFresh paragraph MARKER-ONE.\n");
    events.next("reload");
    second.next("reload");
    let (_, _, body) = server.get("/runbooks/db-failover/");
    assert!(body.contains("MARKER-ONE"), "the event came before the new page");
    // A rename-and-replace save, as vim and JetBrains do it.
    let path = site.path("src/runbooks/db-failover.md");
    let text = std::fs::read_to_string(&path).unwrap().replace("MARKER-ONE", "MARKER-TWO");
    let tmp = site.path("src/runbooks/db-failover.md___jb_tmp___");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&path, site.path("src/runbooks/db-failover.md~")).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
    std::fs::remove_file(site.path("src/runbooks/db-failover.md~")).unwrap();
    events.next("reload");
    let (_, _, body) = server.get("/runbooks/db-failover/");
    assert!(body.contains("MARKER-TWO") && !body.contains("MARKER-ONE"));
    // An included file re-renders the page that includes it.
    let snippet =
        site.read("src/runbooks/snippets/promote.txt").replace("pg_ctl promote", "pg_ctl INCLUDED-MARKER");
    site.write("src/runbooks/snippets/promote.txt", snippet);
    events.next("reload");
    let (_, _, body) = server.get("/runbooks/db-failover/");
    assert!(body.contains("INCLUDED-MARKER"), "the including page is rebuilt");
}

#[test]
fn adds_deletes_renames_and_folder_moves() {
    let site = basic();
    let server = Server::start(&site, &[]);
    let mut events = server.events();
    let _ = server.stderr_text();
    site.write("src/runbooks/new-one.md", "# Brand new\n\nNEW-PAGE-BODY\n");
    events.next("reload");
    let (status, _, body) = server.get("/runbooks/new-one/");
    assert_eq!(status, 200);
    assert!(body.contains("NEW-PAGE-BODY"));
    // Added pages do not rebuild everything: the site model is built again from the pages
    // kept, and the rest of the site is written after the reload.
    let said = server.wait_stderr("then the rest of the site");
    assert!(!said.contains("rebuilt everything"), "{said}");
    let (_, _, listing) = server.get("/runbooks/db-failover/");
    assert!(listing.contains("Brand new"), "the sidebar of other pages shows the new page");

    std::fs::rename(site.path("src/runbooks/new-one.md"), site.path("src/runbooks/renamed.md")).unwrap();
    reload_until_served(&server, &mut events, "/runbooks/renamed/");
    assert_eq!(server.get("/runbooks/new-one/").0, 404);
    server.wait_stderr("then the rest of the site");
    let (_, _, listing) = server.get("/runbooks/");
    assert!(listing.contains("renamed/") && !listing.contains("new-one/"), "{listing}");

    site.remove("src/runbooks/renamed.md");
    events.next("reload");
    assert_eq!(server.get("/runbooks/renamed/").0, 404);
    server.wait_stderr("then the rest of the site");
    assert!(!server.get("/runbooks/").2.contains("renamed/"), "the listing lost the deleted page");

    site.write("src/team/first.md", "# First\n\nTEAM-PAGE\n");
    events.next("reload");
    std::fs::rename(site.path("src/team"), site.path("src/crew")).unwrap();
    reload_until_served(&server, &mut events, "/crew/first/");
    assert_eq!(server.get("/team/first/").0, 404);

    // A burst of saves (a branch switch) ends in one consistent site.
    for i in 0..20 {
        site.write(&format!("src/burst/page-{i:02}.md"), format!("# Burst {i}\n\nBURST-{i}\n"));
    }
    let deadline = Instant::now() + DEADLINE;
    loop {
        events.next("reload");
        if (0..20).all(|i| server.get(&format!("/burst/page-{i:02}/")).0 == 200) {
            break;
        }
        assert!(Instant::now() < deadline, "the burst never settled");
    }
}

/// Issue 15: content errors do not stop the preview. A page with a broken link is served as
/// it now is, its problem first in its overlay; other pages carry the site's errors; a page
/// whose front matter does not parse is served as its body; fixing both clears the overlay.
#[test]
fn issue_15_pages_with_content_errors_are_served_with_their_problems() {
    let site = basic();
    let server = Server::start(&site, &[]);
    let mut events = server.events();
    let good = site.read("src/runbooks/cache-flush.md");
    site.append("src/runbooks/cache-flush.md", "\n\nSee [gone](missing-page.md) NEWTEXT.\n");
    events.next("reload");
    let (status, _, body) = server.get("/runbooks/cache-flush/");
    assert_eq!(status, 200, "the page is served with its error");
    assert!(body.contains("NEWTEXT"), "the page as it now is");
    let problems = problems_of(&body).expect("the page carries its problems");
    assert_eq!(problems["errors"], 1, "{problems}");
    let here = problems["here"][0].as_str().unwrap();
    assert!(
        here.starts_with("src/runbooks/cache-flush.md:")
            && here.contains("error: broken link: `missing-page.md` does not exist"),
        "{here}"
    );
    // Another page shows the site's error under "elsewhere".
    let (_, _, other) = server.get("/runbooks/db-failover/");
    let other = problems_of(&other).expect("other pages carry the site's errors");
    assert_eq!(other["here"], serde_json::json!([]));
    assert!(other["elsewhere"][0].as_str().unwrap().contains("missing-page.md"), "{other}");
    let (_, _, status) = server.get("/__lore/status");
    assert!(status.contains("\"error\":null") && status.contains("\"problems\":{\"errors\":1,"), "{status}");
    server.wait_stderr("1 error, 1 new (served anyway; run `lore check` to see them all)");

    // Front matter that does not parse: the page is served as its body, the error shown.
    let failover = site.read("src/runbooks/db-failover.md");
    site.write("src/runbooks/db-failover.md", "---\ntitle: [unclosed\n---\n# Failover by hand\n\nBODYWORD\n");
    events.next("reload");
    let (status, _, body) = server.get("/runbooks/db-failover/");
    assert_eq!(status, 200);
    assert!(body.contains("<h1>Failover by hand</h1>") && body.contains("BODYWORD"), "{body}");
    let problems = problems_of(&body).unwrap();
    assert_eq!(problems["errors"], 2, "{problems}");
    assert!(
        problems["here"][0].as_str().unwrap().starts_with(
            "src/runbooks/db-failover.md:2:8: error: invalid YAML in front matter: unclosed bracket"
        ),
        "{problems}"
    );

    site.write("src/runbooks/cache-flush.md", &good);
    site.write("src/runbooks/db-failover.md", &failover);
    let (_, _, status) = poll_status(&server, |s| s.contains("\"problems\":{\"errors\":0,"));
    assert!(status.contains("\"error\":null"), "{status}");
    let (_, _, body) = server.get("/runbooks/cache-flush/");
    assert!(
        !body.contains("lore-problems-data") && !body.contains("NEWTEXT"),
        "the overlay is gone once fixed"
    );
    server.wait_stderr("fixed (served anyway");
}

/// The problems a served page carries for its overlay (`None` when it has none).
fn problems_of(body: &str) -> Option<serde_json::Value> {
    let (_, rest) = body.split_once("<template id=\"lore-problems-data\">")?;
    let (json, _) = rest.split_once("</template>")?;
    let json = json.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'");
    Some(serde_json::from_str(&json.replace("&amp;", "&")).unwrap())
}

/// Polls `/__lore/status` until `ready` holds for it.
fn poll_status(server: &Server, ready: impl Fn(&str) -> bool) -> (u16, String, String) {
    let start = Instant::now();
    loop {
        let reply = server.get("/__lore/status");
        if ready(&reply.2) {
            return reply;
        }
        assert!(start.elapsed() < DEADLINE, "the status never became ready: {}", reply.2);
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_stylesheet_change_swaps_the_stylesheet() {
    let site = basic();
    let css = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/assets/lore.css"),
    )
    .unwrap();
    site.write("theme/assets/lore.css", &css);
    let server = Server::start(&site, &[]);
    let mut events = server.events();
    site.write("theme/assets/lore.css", format!("{css}\n.css-marker {{ color: red }}\n"));
    let data = events.next("css");
    let name = data
        .split('"')
        .find(|s| s.starts_with("assets/lore."))
        .expect("the new stylesheet's name")
        .to_owned();
    let (status, head, body) = server.get(&format!("/{name}"));
    assert_eq!(status, 200);
    assert!(head.contains("text/css"));
    assert!(body.contains(".css-marker"));
    events.none("reload", Duration::from_millis(300));
}

#[test]
fn polling_sees_changes_too() {
    let site = basic();
    site.write("book.toml", format!("{}\n[serve]\npoll-interval-ms = 100\n", site.read("book.toml")));
    let server = Server::start(&site, &["--poll"]);
    let mut events = server.events();
    site.append("src/runbooks/db-failover.md", "\n\nPOLLED-MARKER\n");
    events.next("reload");
    assert!(server.get("/runbooks/db-failover/").2.contains("POLLED-MARKER"));
}

#[test]
fn many_connections_at_once_and_closed_streams_are_dropped() {
    let site = basic();
    let server = Server::start(&site, &[]);
    let streams: Vec<Events> = (0..12).map(|_| server.events()).collect();
    let addr = server.addr.clone();
    let handles: Vec<_> = (0..24)
        .map(|_| {
            let addr = addr.clone();
            std::thread::spawn(move || raw_get(&addr, "/runbooks/db-failover/").0)
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 200);
    }
    assert!(server.get("/__lore/status").2.contains("\"streams\":12"));
    drop(streams);
    let mut events = server.events();
    site.append("src/runbooks/db-failover.md", "\n\nAFTER-CLOSE\n");
    events.next("reload");
    // Closed tabs are noticed by the next write to their stream (a ping every 2 s at most).
    let start = Instant::now();
    while !server.get("/__lore/status").2.contains("\"streams\":1,")
        && !server.get("/__lore/status").2.contains("\"streams\":1}")
    {
        assert!(start.elapsed() < DEADLINE, "closed streams were kept: {}", server.get("/__lore/status").2);
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_title_change_updates_every_page_that_shows_it() {
    let site = basic();
    let server = Server::start(&site, &[]);
    let mut events = server.events();
    let text = site.read("src/runbooks/cache-flush.md");
    assert!(server.get("/runbooks/db-failover/").2.contains("Cache flush"), "the sidebar shows the title");
    let renamed = if text.starts_with("---") {
        text.replacen("title:", "title: Renamed-Title-X #", 1)
    } else {
        format!("---\ntitle: Renamed-Title-X\n---\n{text}")
    };
    site.write("src/runbooks/cache-flush.md", renamed);
    events.next("reload");
    server.wait_stderr("then the rest of the site");
    assert!(server.get("/runbooks/db-failover/").2.contains("Renamed-Title-X"));
    assert!(server.get("/runbooks/").2.contains("Renamed-Title-X"), "and the listing");
}

#[test]
fn a_theme_folder_created_later_is_watched() {
    let site = basic();
    let server = Server::start(&site, &[]);
    // Later than the first build: `serve` answers (and prints its URL) while that runs.
    server.wait_stderr("built 7 pages in ");
    let mut events = server.events();
    site.write(
        "theme/templates/page.html",
        "<!doctype html><html><body>CUSTOM-TEMPLATE {{ page.title }}</body></html>",
    );
    // The new folder may be seen before its template is written: a reload shows it in the end.
    reload_until(&server, &mut events, "/runbooks/db-failover/", "CUSTOM-TEMPLATE Database failover");
    site.write(
        "theme/templates/page.html",
        "<!doctype html><html><body>CUSTOM-AGAIN {{ page.title }}</body></html>",
    );
    reload_until(&server, &mut events, "/runbooks/db-failover/", "CUSTOM-AGAIN Database failover");
}

/// Waits for reloads until `url` contains `needle`.
fn reload_until(server: &Server, events: &mut Events, url: &str, needle: &str) {
    loop {
        events.next("reload");
        if server.get(url).2.contains(needle) {
            return;
        }
    }
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let site = basic();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    site.run(&["serve", "--port", &port])
        .code(2)
        .stderr_contains("is already in use")
        .stderr_contains("--port 0");
}

#[test]
fn exposed_addresses_get_a_warning() {
    let site = basic();
    let server = Server::start(&site, &["--bind", "0.0.0.0"]);
    assert!(server.addr.starts_with("127.0.0.1:"), "{}", server.addr);
    assert_eq!(server.get("/").0, 200);
    let stderr = server.stderr_text();
    assert!(stderr.contains("warning: listening on 0.0.0.0"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_within_a_second() {
    let site = basic();
    let mut server = Server::start(&site, &[]);
    let _events = server.events();
    let pid = server.child.id().to_string();
    let start = Instant::now();
    assert!(Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "still running after Ctrl-C");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(start.elapsed() < Duration::from_secs(1), "took {:?}", start.elapsed());
    assert!(status.success(), "{status:?}");
    let private = format!("lore-serve-{pid}-");
    let left: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(&private))
        .collect();
    assert!(left.is_empty(), "the private folder is left behind: {left:?}");
}

#[test]
fn config_and_summary_changes_rebuild_everything() {
    let site = basic();
    let server = Server::start(&site, &[]);
    let mut events = server.events();
    site.write("book.toml", site.read("book.toml").replace("Acme operations", "Renamed-Site-Title"));
    events.next("reload");
    assert!(server.get("/runbooks/db-failover/").2.contains("Renamed-Site-Title"));
    site.write(
        "src/SUMMARY.md",
        "# Summary\n\n[Home](README.md)\n\n# Part-Marker-X\n\n- [DB](runbooks/db-failover.md)\n- [Cache](runbooks/cache-flush.md)\n- [Runbooks](runbooks/README.md)\n- [PG](adr/0001-use-postgresql.md)\n- [Kafka](adr/0002-use-kafka-for-events.md)\n",
    );
    events.next("reload");
    let (_, _, body) = server.get("/runbooks/db-failover/");
    assert!(body.contains("Part-Marker-X"), "the sidebar follows SUMMARY.md");
}

/// Issue 15: a site with content errors from the start is served whole, every page with the
/// problems in its overlay.
#[test]
fn issue_15_a_site_with_content_errors_from_the_start_is_served() {
    let site = basic();
    site.append("src/runbooks/cache-flush.md", "\n\n[gone](nowhere.md)\n");
    let server = Server::start(&site, &[]);
    // Pages answered before the first build has checked the site do not know its problems
    // yet (issue 13): ask once it has.
    let stderr = server.wait_stderr("built 7 pages in ");
    for page in ["/", "/runbooks/cache-flush/", "/adr/0001-use-postgresql/"] {
        let (status, _, body) = server.get(page);
        assert_eq!(status, 200, "{page} is served");
        let problems = problems_of(&body).unwrap_or_else(|| panic!("{page} shows the problems"));
        assert_eq!(problems["errors"], 1, "{page}: {problems}");
    }
    assert!(
        stderr.contains("src/runbooks/cache-flush.md:")
            && stderr.contains("1 error found: every page is served anyway, with the problems in an overlay; `lore build` fails until they are fixed"),
        "{stderr}"
    );
}

/// Issue 15: only a broken configuration stops the preview. The first build then serves a page
/// that shows the error (503, not a 404), and the site once it is fixed.
#[test]
fn issue_15_a_config_broken_from_the_start_shows_the_error_then_the_site() {
    let site = basic();
    let good = site.read("book.toml");
    site.append("book.toml", "\n[frobnicate]\nx = 1\n");
    let server = Server::start(&site, &[]);
    let (status, _, body) = server.get("/runbooks/cache-flush/");
    assert_eq!(status, 503, "nothing good to serve yet");
    assert!(body.contains("<h1>The site could not be built</h1>"), "{body}");
    assert!(body.contains("book.toml:8:2: error: unknown key `frobnicate` in `book.toml`"), "{body}");
    assert!(body.contains("id=\"lore-overlay-text\"") && body.contains("/__lore/live.js"), "{body}");
    let mut events = server.events();
    site.write("book.toml", good);
    events.next("reload");
    let (status, _, body) = server.get("/runbooks/cache-flush/");
    assert_eq!(status, 200);
    assert!(!body.contains("lore-overlay-text"));
}

#[test]
fn api_search_answers_from_the_index() {
    let site = basic();
    let server = Server::start(&site, &[]);
    server.wait_search();
    let (status, head, body) = server.get("/api/search?q=replica&limit=1");
    assert_eq!(status, 200, "{head}");
    assert!(head.contains("Content-Type: application/json"), "{head}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(v["query"], "replica");
    assert_eq!(v["pages"].as_array().map(Vec::len), Some(1), "limit is honoured");
    assert_eq!(v["pages"][0]["title"], "Database failover");
    let (_, _, body) = server.get("/api/search?q=database+failover&kind=adr");
    let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert!(
        v["pages"].as_array().expect("pages").iter().all(|p| p["kind"] == "adr"),
        "the kind filter applies: {v}"
    );
    let (_, _, body) = server.get("/api/search?q=replica&limit=1&explain=1");
    let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let section = &v["pages"][0]["sections"][0];
    assert_eq!(section["explain"]["tantivy"], section["score"], "{v}");
    assert_eq!(section["explain"]["words"][0]["stem"], "replica", "{v}");
    assert!(v["pages"][0]["sections"][0]["explain"]["browser"].as_f64().is_some(), "{v}");
    let (_, _, body) = server.get("/api/search?q=replica&limit=1");
    assert!(!body.contains("explain"), "only on request: {body}");
    let (status, _, _) = server.get("/api/nothing");
    assert_eq!(status, 404);
}

/// A front-matter edit builds the site model again without reading every page: listings and
/// owner pages follow, an owner page nobody has any more is removed, search sees the new title.
#[test]
fn a_front_matter_edit_updates_listings_without_a_full_rebuild() {
    let site = basic();
    let server = Server::start(&site, &[]);
    assert_eq!(server.get("/owners/dba-team/").0, 200);
    let _ = server.stderr_text();
    let mut events = server.events();
    let text = site.read("src/runbooks/db-failover.md");
    let text = text
        .replace("title: Database failover", "title: Database promotion")
        .replace("dba-team", "storage-team");
    site.write("src/runbooks/db-failover.md", text);
    events.next("reload");
    let said = server.wait_stderr("then the rest of the site");
    assert!(said.contains("rebuilt: ") && !said.contains("rebuilt everything"), "{said}");
    assert!(server.get("/runbooks/").2.contains("Database promotion"), "the listing shows the new title");
    assert!(server.get("/runbooks/cache-flush/").2.contains("Database promotion"), "and every sidebar");
    let (status, _, owner) = server.get("/owners/storage-team/");
    assert_eq!(status, 200);
    assert!(owner.contains("Database promotion"), "{owner}");
    assert_eq!(server.get("/owners/dba-team/").0, 404, "an owner with no pages left has no page");
    // The tantivy index follows right after the rest of the site is written.
    let start = Instant::now();
    loop {
        let (_, _, body) = server.get("/api/search?q=promotion");
        if body.contains("\"title\":\"Database promotion\"") {
            break;
        }
        assert!(start.elapsed() < DEADLINE, "search never saw the new title: {body}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// After a change of the site model, the pages open tabs show are written before the reload
/// event (the rest of the site follows): a tab on another page, or on an owner page, reloads
/// into the new title.
#[test]
fn pages_open_tabs_show_are_current_when_the_reload_arrives() {
    let site = basic();
    let server = Server::start(&site, &[]);
    let mut on_page = server.events_on("/runbooks/db-failover/");
    let mut on_owner = server.events_on("/owners/platform-team/index.html");
    let text = site.read("src/runbooks/cache-flush.md").replace("title: Cache flush", "title: Cache purge");
    site.write("src/runbooks/cache-flush.md", text);
    on_page.next("reload");
    assert!(server.get("/runbooks/db-failover/").2.contains("Cache purge"), "the sidebar of the open page");
    on_owner.next("reload");
    assert!(server.get("/owners/platform-team/").2.contains("Cache purge"), "the open owner page");
    server.wait_stderr("then the rest of the site");
}

/// Pages added and deleted while serving keep links and search right: search finds an added
/// page and forgets a deleted one; deleting a page others link to fails with the broken links
/// (the last good site stays), and bringing it back clears that.
#[test]
fn added_and_deleted_pages_update_links_and_search() {
    let site = basic();
    let server = Server::start(&site, &[]);
    let mut events = server.events();
    let searched = |q: &str, want: bool| {
        let start = Instant::now();
        // Until an export is in place, search may answer 503 (the pages are served first, and
        // an export swaps the index in).
        let finds =
            || found_when_ready(&server, q).map(|pages| pages.contains(&"runbooks/zebra/".to_owned()));
        while finds() != Some(want) {
            assert!(
                start.elapsed() < DEADLINE,
                "search for {q} never {}",
                if want { "found it" } else { "forgot it" }
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    site.write("src/runbooks/zebra.md", "# Zebra crossing\n\nZEBRAWORD marks the spot.\n");
    events.next("reload");
    searched("zebraword", true);
    site.remove("src/runbooks/zebra.md");
    events.next("reload");
    searched("zebraword", false);

    // Deleting a page others link to: they are served with the broken links shown (issue 15).
    let record = site.read("src/adr/0001-use-postgresql.md");
    site.remove("src/adr/0001-use-postgresql.md");
    events.next("reload");
    assert_eq!(server.get("/adr/0001-use-postgresql/").0, 404, "the deleted page is gone");
    let (status, _, body) = server.get("/runbooks/db-failover/");
    assert_eq!(status, 200);
    let problems = problems_of(&body).expect("the broken links are shown");
    assert!(
        problems["here"][0].as_str().unwrap().starts_with("src/runbooks/db-failover.md:13:"),
        "{problems}"
    );
    assert!(problems.to_string().contains("README.md:6:"), "{problems}");
    site.write("src/adr/0001-use-postgresql.md", record);
    events.next("reload");
    let (status, _, body) = server.get("/runbooks/db-failover/");
    assert_eq!(status, 200);
    assert!(problems_of(&body).is_none(), "the problems are gone");
}

/// A page a `.gitignore` leaves out, added while serving, stays out as in a full build.
#[test]
fn an_ignored_page_added_while_serving_stays_out() {
    let site = basic();
    site.write("src/.gitignore", "scratch.md\n");
    let server = Server::start(&site, &[]);
    let mut events = server.events();
    site.write("src/scratch.md", "# Scratch\n\nNot for the site.\n");
    events.none("reload", Duration::from_millis(500));
    assert_eq!(server.get("/scratch/").0, 404);
    site.write("src/kept.md", "# Kept\n\nFor the site.\n");
    events.next("reload");
    assert_eq!(server.get("/kept/").0, 200);
    assert_eq!(server.get("/scratch/").0, 404);
}

#[test]
fn a_status_change_in_an_adr_tools_record_updates_the_decision_log() {
    let site = SiteTest::empty("serve-adr-status");
    site.write("book.toml", "");
    site.write("src/README.md", "# Home\n");
    site.write(
        "src/adr/0001-use-queues.md",
        "# 1. Use queues\n\nDate: 2024-01-10\n\n## Status\n\nAccepted\n\n## Context\n\nWhy.\n",
    );
    let server = Server::start(&site, &[]);
    let (_, _, log) = server.get("/adr/");
    assert!(log.contains("class=\"adr-row adr-accepted\""), "{log}");
    let mut events = server.events();
    let text = site.read("src/adr/0001-use-queues.md").replace("Accepted", "Deprecated");
    site.write("src/adr/0001-use-queues.md", text);
    events.next("reload");
    server.wait_stderr("then the rest of the site");
    let (_, _, log) = server.get("/adr/");
    assert!(log.contains("class=\"adr-row adr-deprecated\""), "the log shows the new status: {log}");
}

/// What [`found`] gives, or `None` while search answers 503 (no index in place yet).
fn found_when_ready(server: &Server, q: &str) -> Option<Vec<String>> {
    let (status, head, body) = server.get(&format!("/api/search?q={q}"));
    if status == 503 {
        return None;
    }
    assert_eq!(status, 200, "{head}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(v["query"], q);
    let pages = v["pages"].as_array().expect("pages");
    Some(
        pages
            .iter()
            .map(|p| p["url"].as_str().expect("url").split('#').next().unwrap_or("").to_owned())
            .collect(),
    )
}

/// The pages (URLs without the heading anchor) `GET /api/search` finds for `q`.
fn found(server: &Server, q: &str) -> Vec<String> {
    found_when_ready(server, q).expect("search answered 503: no index in place")
}

/// The browser index as a page of the served site sees it: the head the page names, and
/// every word of the word packs that head lists.
fn browser_words(server: &Server, page: &str) -> (serde_json::Value, String) {
    let (_, _, html) = server.get(page);
    let named = html.split("data-search-head=\"").nth(1).and_then(|s| s.split('"').next()).expect("a head");
    let named = named.trim_start_matches("../");
    let (status, head, gz) = raw_get_bytes(&server.addr, &format!("/{named}"));
    assert_eq!(status, 200, "{named}: {head}");
    let head: serde_json::Value = serde_json::from_slice(&gunzip(&gz)).expect("the head is JSON");
    let mut words = String::new();
    for pack in head["words"].as_array().expect("word packs") {
        let (status, _, gz) = raw_get_bytes(&server.addr, &format!("/search/{}", pack[1].as_str().unwrap()));
        assert_eq!(status, 200, "{pack}");
        words.push_str(&String::from_utf8_lossy(&gunzip(&gz)));
    }
    (head, words)
}

pub(crate) fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).expect("gzip");
    out
}

/// The data of the next `search` event of build `generation` or later (a full build's export
/// runs behind its pages and may end before or after the stream opens).
fn search_event(events: &mut Events, generation: u64) -> String {
    loop {
        let data = events.next("search");
        let v: serde_json::Value = serde_json::from_str(&data).expect("JSON");
        if v["generation"].as_u64().is_some_and(|g| g >= generation) {
            return data;
        }
    }
}

/// Issue "lore serve": an edit of a page's text is found by search without a full rebuild.
#[test]
fn a_body_edit_updates_both_search_indexes_after_the_reload() {
    let site = basic();
    let server = Server::start(&site, &[]);
    let mut events = server.events();
    site.append("src/runbooks/db-failover.md", "\nCheck the quokkaword gauge.\n");
    events.next("reload");
    let data = search_event(&mut events, 2);
    assert_eq!(found(&server, "quokkaword"), ["runbooks/db-failover/"]);
    let v: serde_json::Value = serde_json::from_str(&data).expect("JSON");
    assert_eq!(v["generation"], 2);
    let text = site.read("src/runbooks/db-failover.md").replace("quokkaword", "pelicanword");
    site.write("src/runbooks/db-failover.md", text);
    events.next("reload");
    let data = search_event(&mut events, 3);
    assert_eq!(found(&server, "pelicanword"), ["runbooks/db-failover/"], "the new text is found");
    assert_eq!(found(&server, "quokkaword"), Vec::<String>::new(), "the old text is not");
    assert_eq!(found(&server, "replica"), ["runbooks/db-failover/"], "the rest of the page still is");

    // The pages still name the head they were built with; it answers with the new index.
    let v: serde_json::Value = serde_json::from_str(&data).expect("JSON");
    assert_eq!(v["generation"], 3);
    let new_head = v["head"].as_str().expect("the new head");
    assert!(new_head.starts_with("search/head.") && new_head.ends_with(".json.gz"), "{new_head}");
    let (head, words) = browser_words(&server, "/runbooks/cache-flush/");
    assert_eq!(
        gunzip(&raw_get_bytes(&server.addr, &format!("/{new_head}")).2),
        head.to_string().into_bytes()
    );
    assert!(words.contains("pelicanword\t"), "the browser index has the new word");
    assert!(!words.contains("quokkaword"), "and not the old one");

    // A full rebuild serves its pages first, then exports its search behind them.
    site.write("book.toml", site.read("book.toml").replace("Acme operations", "Acme ops"));
    events.next("reload");
    search_event(&mut events, 4);
    let (_, words) = browser_words(&server, "/runbooks/cache-flush/");
    assert!(words.contains("pelicanword\t") && !words.contains("quokkaword"));
    assert_eq!(found(&server, "pelicanword"), ["runbooks/db-failover/"]);
}

/// Issue "lore serve": one tab that stops reading its event stream must not stall the others.
#[test]
fn a_stream_that_is_never_read_does_not_hold_up_the_others() {
    let site = basic();
    let server = Server::start(&site, &[]);
    let mut stuck = TcpStream::connect(&server.addr).expect("connect");
    write!(stuck, "GET /__lore/events HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr).expect("send");
    let mut events = server.events();
    // A failed build sends its whole error text to every stream: about 1 MB here, so a few of
    // them fill the unread stream's socket buffers (4 MB at most on Linux) many times over.
    // (At most 50 diagnostics of a kind are shown per file: the key names make up the size.
    // Only a broken configuration fails a preview's build.)
    let good = site.read("book.toml");
    let long = "a-long-name-for-a-large-error-".repeat(400);
    let tables: String = (0..60).map(|i| format!("[unknown-{i:05}-{long}]\n")).collect();
    for round in 0..12 {
        site.write("book.toml", format!("{good}\n# round {round}\n{tables}"));
        let data = events.next("failed");
        assert!(data.len() > 500_000, "{} bytes", data.len());
    }
    site.write("book.toml", &good);
    events.next("reload");
    assert!(server.get("/__lore/status").2.contains("\"error\":null"));
    drop(stuck);
}

/// Waits for reloads until `url` is served. The watcher may report the two sides of a rename,
/// or a new folder and its file, in separate batches, each a reload of its own.
fn reload_until_served(server: &Server, events: &mut Events, url: &str) {
    let deadline = Instant::now() + DEADLINE;
    loop {
        events.next("reload");
        if server.get(url).0 == 200 {
            return;
        }
        assert!(Instant::now() < deadline, "{url} was never served");
    }
}

/// A raw request: the status line and the rest of the response.
fn raw_request(addr: &str, request: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(DEADLINE)).expect("timeout");
    stream.write_all(request).expect("send");
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes);
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, text)
}

/// A line of `/proc/PID/status`, as a number (`Threads`, `VmRSS` in kB).
#[cfg(target_os = "linux")]
fn proc_status(pid: u32, key: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let line = status.lines().find(|l| l.starts_with(&format!("{key}:"))).expect("the key");
    line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("a number")
}

/// Issue 10, item 3: a rebuild that panics (a bug in lore) keeps the last good site served,
/// shows the overlay, and the server keeps rebuilding. The panic comes from a test-only hook
/// of debug builds (`LORE_TEST_REBUILD_PANIC`): real inputs that panicked are being fixed.
#[test]
fn issue_10_a_panicking_rebuild_keeps_the_last_good_site_and_the_server() {
    let site = basic();
    let marker = std::path::Path::new("PANIC-NOW-MARKER");
    let server = Server::start_env(&site, &[], &[("LORE_TEST_REBUILD_PANIC", marker)]);
    let mut events = server.events();
    let good = site.read("src/runbooks/cache-flush.md");
    for round in 0..2 {
        site.write("src/runbooks/cache-flush.md", format!("{good}\n\nround {round} PANIC-NOW-MARKER\n"));
        let data = events.next("failed");
        assert!(
            data.contains(
                "the rebuild stopped on a bug in lore: test panic: a changed file contains `PANIC-NOW-MARKER`"
            ),
            "{data}"
        );
        let (status, _, body) = server.get("/runbooks/cache-flush/");
        assert_eq!(status, 200, "the last good page is still served");
        assert!(!body.contains(&format!("round {round}")), "the page is the last good one");
        assert!(
            body.contains("id=\"lore-overlay-text\"")
                && body.contains("the rebuild stopped on a bug in lore")
        );
    }
    server.wait_stderr("still serving the last good version");
    site.write("src/runbooks/cache-flush.md", format!("{good}\n\nAFTER-THE-PANIC\n"));
    events.next("reload");
    let (_, _, body) = server.get("/runbooks/cache-flush/");
    assert!(
        body.contains("AFTER-THE-PANIC") && !body.contains("lore-overlay-text"),
        "rebuilt after the panic"
    );
    assert!(server.get("/__lore/status").2.contains("\"error\":null"));
}

/// Issue 10, item 20: the private folder has a random name and mode 0700, in the temporary
/// folder `TMPDIR` names, and goes when the server stops.
#[cfg(unix)]
#[test]
fn issue_10_the_private_folder_is_random_and_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let site = basic();
    let tmp = site.path("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let server = Server::start_env(&site, &[], &[("TMPDIR", &tmp)]);
    let entries: Vec<_> = std::fs::read_dir(&tmp).unwrap().map(|e| e.unwrap()).collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let name = entries[0].file_name().into_string().unwrap();
    let suffix = name.strip_prefix("lore-serve-").expect("named lore-serve-…");
    assert_eq!(suffix.len(), 16, "{name}");
    assert!(suffix.bytes().all(|b| b.is_ascii_hexdigit()), "{name}");
    assert!(!suffix.contains(&server.child.id().to_string()), "{name}");
    let mode = entries[0].metadata().unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "{mode:o}");
    // Stopped once idle: the removal at Ctrl-C gets a fifth of a second, not more.
    server.wait_search();
    drop(server);
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(left.is_empty(), "removed at Ctrl-C: {left:?}");
}

/// Issue 10, item 7: DNS rebinding. Other host names than IP addresses and `localhost` get a
/// 403 naming the setting, unless `--allow-host` or `[serve] allowed-hosts` lists them.
#[test]
fn issue_10_unknown_hosts_get_a_403_that_says_what_to_set() {
    let site = basic();
    site.write(
        "book.toml",
        format!("{}\n[serve]\nallowed-hosts = [\"docs.example\"]\n", site.read("book.toml")),
    );
    let server = Server::start(&site, &["--allow-host", "cli.example"]);
    let get = |path: &str, host: &str| {
        raw_request(&server.addr, format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes())
    };
    for path in ["/", "/api/search?q=failover", "/__lore/events", "/__lore/status"] {
        let (status, text) = get(path, "evil.example");
        assert_eq!(status, 403, "{path}: {text}");
        assert!(text.contains("allowed-hosts = [\"evil.example\"]"), "{text}");
        assert!(text.contains("`lore serve --allow-host evil.example`"), "{text}");
    }
    for host in
        ["localhost:1234", "docs.localhost", "127.0.0.1", "[::1]:3000", "docs.example", "cli.example:80"]
    {
        assert_eq!(get("/", host).0, 200, "{host}");
    }
    assert_eq!(raw_request(&server.addr, b"GET / HTTP/1.1\r\n\r\n").0, 400, "HTTP/1.1 needs a Host");
    assert_eq!(raw_request(&server.addr, b"GET / HTTP/1.0\r\n\r\n").0, 200);
}

/// Issue 10, item 6: 300 half-open requests hold no thread and time out; a request line or
/// head over the caps gets 414 or 431 without reading it all; other requests are answered
/// meanwhile.
#[cfg(target_os = "linux")]
#[test]
fn issue_10_half_open_and_huge_requests_are_bounded() {
    let site = basic();
    let server = Server::start(&site, &[]);
    let pid = server.child.id();
    assert_eq!(server.get("/").0, 200);
    let threads = proc_status(pid, "Threads");
    let rss = proc_status(pid, "VmRSS");
    let half: Vec<TcpStream> = (0..300)
        .map(|_| {
            let mut stream = TcpStream::connect(&server.addr).expect("connect");
            stream.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ").expect("send");
            stream
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    assert_eq!(server.get("/runbooks/db-failover/").0, 200);
    assert!(start.elapsed() < Duration::from_secs(2), "{:?}", start.elapsed());
    assert!(
        proc_status(pid, "Threads") <= threads + 2,
        "{} threads, {threads} before",
        proc_status(pid, "Threads")
    );
    // 64 MiB of request line: answered 414 after the first few KiB.
    let addr = server.addr.clone();
    let sender = std::thread::spawn(move || {
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream.set_read_timeout(Some(DEADLINE)).unwrap();
        let chunk = vec![b'a'; 1 << 20];
        let mut sent = 0;
        let _ = stream.write_all(b"GET /");
        while sent < 64 && stream.write_all(&chunk).is_ok() {
            sent += 1;
        }
        let mut reply = String::new();
        let _ = stream.read_to_string(&mut reply);
        (sent, reply)
    });
    let (sent, reply) = sender.join().unwrap();
    assert!(sent < 64, "the server stopped reading: {sent} MiB sent");
    assert!(reply.is_empty() || reply.starts_with("HTTP/1.1 414 URI Too Long\r\n"), "{reply}");
    let (status, text) = raw_request(
        &server.addr,
        format!("GET /{} HTTP/1.1\r\nHost: localhost\r\n\r\n", "a".repeat(9000)).as_bytes(),
    );
    assert_eq!(status, 414, "{text}");
    assert!(text.ends_with("the request line is longer than 8192 bytes\n"), "{text}");
    let headers: String = (0..400).map(|i| format!("X-Header-{i}: {}\r\n", "v".repeat(40))).collect();
    let (status, _) =
        raw_request(&server.addr, format!("GET / HTTP/1.1\r\nHost: localhost\r\n{headers}\r\n").as_bytes());
    assert_eq!(status, 431);
    assert!(proc_status(pid, "VmRSS") < rss + 20_000, "{} kB, {rss} kB before", proc_status(pid, "VmRSS"));
    // The head timeout (10 s): each half-open request gets a 408 and is closed.
    for mut stream in half {
        stream.set_read_timeout(Some(DEADLINE)).unwrap();
        let mut text = String::new();
        let _ = stream.read_to_string(&mut text);
        assert!(text.starts_with("HTTP/1.1 408 Request Timeout\r\n"), "{text}");
    }
    assert_eq!(server.get("/").0, 200);
}

/// Issue 11: `lore serve` watches the alert rule files of `[alerts] rules`: a paging alert
/// added to one without a runbook shows as an error at its rule, and removing it builds again.
#[test]
fn issue_11_an_edited_alert_rule_file_rebuilds() {
    let site = basic();
    site.append("book.toml", "\n[alerts]\nrules = [\"monitoring/*.yml\"]\n");
    let rules = "groups:\n  - name: db\n    rules:\n      - alert: PostgresPrimaryDown\n        expr: up == 0\n        labels:\n          severity: warning\n";
    site.write("monitoring/db.yml", rules);
    let server = Server::start(&site, &[]);
    let mut events = server.events();
    let paging = "      - alert: DiskAlmostFull\n        expr: disk_free < 0.05\n        labels:\n          severity: critical\n";
    site.write("monitoring/db.yml", format!("{rules}{paging}"));
    events.next("reload");
    let (_, _, body) = server.get("/");
    let problems = problems_of(&body).expect("the coverage error is shown");
    assert!(
        problems["elsewhere"][0]
            .as_str()
            .unwrap()
            .starts_with("monitoring/db.yml:8:9: error: paging alert `DiskAlmostFull` has no runbook"),
        "{problems}"
    );
    site.write("monitoring/db.yml", rules);
    events.next("reload");
    assert!(server.get("/__lore/status").2.contains("\"problems\":{\"errors\":0,"));
}

/// Issue 15: a site read from `mkdocs.yml` is rebuilt when `mkdocs.yml` changes, as a
/// `book.toml` site is when `book.toml` does.
#[test]
fn issue_15_an_edited_mkdocs_yml_rebuilds() {
    let site = SiteTest::fixture("mkdocs/techdocs");
    let server = Server::start(&site, &[]);
    let mut events = server.events();
    let config = site.read("mkdocs.yml");
    let name =
        config.lines().find_map(|l| l.strip_prefix("site_name:")).expect("a site_name").trim().to_owned();
    site.write("mkdocs.yml", config.replacen(&name, "Renamed handbook", 1));
    events.next("reload");
    let (status, _, body) = server.get("/");
    assert_eq!(status, 200);
    assert!(body.contains("Renamed handbook"), "{body}");
}

/// Issue 12, diagrams: a page that gains a `mermaid` fence while served loads the diagram
/// script, and the script is there (the first build wrote none: no page had a diagram).
#[test]
fn issue_12_a_page_that_gains_a_diagram_gets_the_script() {
    let site = basic();
    let server = Server::start(&site, &[]);
    let mut events = server.events();
    let (_, _, body) = server.get("/runbooks/db-failover/");
    assert!(!body.contains("mermaid"), "no diagram yet");
    site.append("src/runbooks/db-failover.md", "\n\n```mermaid\nflowchart TB\n  a --> b\n```\n");
    events.next("reload");
    let (_, _, body) = server.get("/runbooks/db-failover/");
    assert!(body.contains("<pre class=\"mermaid\">flowchart TB\n  a --&gt; b\n</pre>"), "{body}");
    let script = body
        .split("<script src=\"../../assets/mermaid.min.")
        .nth(1)
        .and_then(|rest| rest.split_once('"'))
        .map(|(name, _)| format!("/assets/mermaid.min.{name}"))
        .expect("the page loads the diagram script");
    let (status, head, _) = server.get(&script);
    assert_eq!(status, 200, "{script}: {head}");
    assert!(head.contains("text/javascript"), "{head}");
}

/// Starts `lore serve` on `site` with its first build held (issue 13): it waits before
/// reading the site model until `hold/read` exists, and after publishing it until
/// `hold/write` does (`LORE_TEST_HOLD_FIRST`, a hook of debug builds).
fn start_held(site: &SiteTest) -> (Server, std::path::PathBuf) {
    let hold = site.path("hold");
    std::fs::create_dir(&hold).unwrap();
    (Server::start_env(site, &[], &[("LORE_TEST_HOLD_FIRST", &hold)]), hold)
}

/// Issue 13: `lore serve` answers before its first build has written anything. A request made
/// right after the start waits for the site model, then gets its page rendered on demand, as
/// do pages and folder listings asked for while none is written yet, with exactly the bytes the
/// settled site serves; files of the source folder come from there. A generated listing waits
/// until the build writes it.
#[test]
fn issue_13_pages_asked_for_during_the_first_build_are_the_settled_bytes() {
    let site = basic();
    let (server, hold) = start_held(&site);
    let addr = server.addr.clone();
    let early = std::thread::spawn(move || raw_get(&addr, "/runbooks/db-failover/"));
    std::thread::sleep(Duration::from_millis(300));
    assert!(!early.is_finished(), "a request before the site model is read waits for it");
    std::fs::write(hold.join("read"), "").unwrap();
    let (status, _, early_body) = early.join().unwrap();
    assert_eq!(status, 200, "{early_body}");
    // The build holds before writing any page: each of these is rendered on demand.
    let urls = [
        "/",
        "/runbooks/",
        "/runbooks/db-failover/",
        "/runbooks/cache-flush/index.html",
        "/adr/",
        "/adr/0002-use-kafka-for-events/",
    ];
    let during: Vec<(u16, String, String)> = urls.iter().map(|url| server.get(url)).collect();
    let (status, head, _) = server.get("/runbooks/cache-flush");
    assert_eq!(status, 301, "{head}");
    assert!(head.contains("Location: /runbooks/cache-flush/"), "{head}");
    let (status, head, png) = raw_get_bytes(&server.addr, "/images/topology.png");
    assert_eq!(status, 200, "{head}");
    assert!(head.contains("Content-Type: image/png"), "{head}");
    assert_eq!(png, std::fs::read(site.path("src/images/topology.png")).unwrap());
    // Generated listings wait until written, four requests at most; the next is asked to
    // come back; a favicon the site does not have never waits.
    let listings: Vec<_> = (0..4)
        .map(|_| {
            let addr = server.addr.clone();
            std::thread::spawn(move || raw_get(&addr, "/owners/dba-team/"))
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    assert!(listings.iter().all(|l| !l.is_finished()), "a generated listing waits until it is written");
    let (status, head, body) = server.get("/tags/");
    assert_eq!(status, 503, "{head}");
    assert!(head.contains("Retry-After: 1"), "{head}");
    assert!(body.contains("<meta http-equiv=\"refresh\" content=\"1\">"), "{body}");
    assert_eq!(server.get("/favicon.ico").0, 204);
    std::fs::write(hold.join("write"), "").unwrap();
    server.wait_stderr("built 7 pages in ");
    for (url, (status, _, body)) in urls.iter().zip(&during) {
        assert_eq!(*status, 200, "{url}: {body}");
        let (status, _, settled) = server.get(url);
        assert_eq!(status, 200, "{url}");
        assert!(
            *body == settled,
            "{url} rendered on demand differs from the page written:\n{body}\n---\n{settled}"
        );
    }
    assert_eq!(early_body, server.get("/runbooks/db-failover/").2);
    for listing in listings {
        let (status, _, body) = listing.join().unwrap();
        assert_eq!(status, 200, "{body}");
        assert_eq!(body, server.get("/owners/dba-team/").2);
    }
    assert_eq!(server.get("/tags/").0, 200);
}

/// Issue 13: until the first build's search indexes are exported, search says so: the browser
/// index head and `GET /api/search` answer 503 (retry in a second), then search answers.
#[test]
fn issue_13_search_says_it_is_being_built_until_its_index_is_ready() {
    let site = basic();
    let (server, hold) = start_held(&site);
    std::fs::write(hold.join("read"), "").unwrap();
    let (status, head, body) = server.get("/api/search?q=replica");
    assert_eq!(status, 503, "{head}");
    assert!(head.contains("Content-Type: application/json\r\n") && head.contains("Retry-After: 1"), "{head}");
    assert_eq!(body, r#"{"error":"the search index is being built"}"#);
    let (status, head, body) = server.get("/search/head.json.gz");
    assert_eq!((status, body.as_str()), (503, "the search index is being built\n"), "{head}");
    assert!(head.contains("Retry-After: 1"), "{head}");
    std::fs::write(hold.join("write"), "").unwrap();
    server.wait_search();
    assert_eq!(found(&server, "replica"), ["runbooks/db-failover/"]);
}

/// Issue 13: a page saved while the first build writes the site is rebuilt once it is done
/// (the sources are watched from the start), and open pages reload.
#[test]
fn issue_13_a_change_saved_during_the_first_build_is_rebuilt_after_it() {
    let site = basic();
    let (server, hold) = start_held(&site);
    std::fs::write(hold.join("read"), "").unwrap();
    let mut events = server.events();
    assert!(!server.get("/runbooks/db-failover/").2.contains("SAVED-MID-WRITE"));
    site.append("src/runbooks/db-failover.md", "\n\nSAVED-MID-WRITE\n");
    std::thread::sleep(Duration::from_millis(200));
    std::fs::write(hold.join("write"), "").unwrap();
    events.next("reload");
    assert!(server.get("/runbooks/db-failover/").2.contains("SAVED-MID-WRITE"));
}

/// Issue 13: a page answered before the first build checked the site carries no problems; once
/// the build finds some, the tabs whose page has problems to show are told to reload
/// (`settled`), and the page then shows them; other tabs stay as they are.
#[test]
fn issue_13_pages_served_before_the_site_is_checked_reload_to_show_their_problems() {
    let site = basic();
    site.write("src/runbooks/no-steps.md", "# No steps\n\nNothing to do.\n");
    let (server, hold) = start_held(&site);
    std::fs::write(hold.join("read"), "").unwrap();
    let mut warned = server.events_on("%2Frunbooks%2Fno-steps%2F");
    let mut clean = server.events_on("%2Fadr%2F");
    assert_eq!(problems_of(&server.get("/runbooks/no-steps/").2), None, "not checked yet");
    std::fs::write(hold.join("write"), "").unwrap();
    assert_eq!(warned.next("settled"), r#"{"reload":true}"#);
    assert_eq!(clean.next("settled"), r#"{"reload":false}"#);
    let problems = problems_of(&server.get("/runbooks/no-steps/").2).expect("the problems once checked");
    assert_eq!(problems["warnings"], 2, "{problems}");
    let here = problems["here"].to_string();
    assert!(
        here.contains("runbook has no Mitigation section") && here.contains("runbook has no `owner`"),
        "{here}"
    );
    assert_eq!(problems_of(&server.get("/adr/").2), None);
}

/// Issue 13: a full rebuild lets go of the last good build state before it builds (memory),
/// so after a broken config the site is still served from its folder, a page edited
/// meanwhile rebuilds everything again, and fixing the config serves the edit.
#[test]
fn issue_13_after_a_failed_full_rebuild_the_last_site_is_served_and_edits_rebuild_it_all() {
    let site = basic();
    let server = Server::start(&site, &[]);
    server.wait_stderr("built 7 pages in ");
    let mut events = server.events();
    let good = site.read("book.toml");
    site.append("book.toml", "\n[frobnicate]\nx = 1\n");
    events.next("failed");
    let (status, _, body) = server.get("/runbooks/db-failover/");
    assert_eq!(status, 200);
    assert!(body.contains("Database failover") && body.contains("lore-overlay-text"), "{body}");
    site.append("src/runbooks/db-failover.md", "\n\nEDITED-WHILE-BROKEN\n");
    events.next("failed");
    site.write("book.toml", good);
    events.next("reload");
    let (status, _, body) = server.get("/runbooks/db-failover/");
    assert_eq!(status, 200);
    assert!(body.contains("EDITED-WHILE-BROKEN") && !body.contains("lore-overlay-text"), "{body}");
    // The edit came with a broken config: a full rebuild, which lore says.
    server.wait_stderr("rebuilt everything: 7 pages in ");
}
