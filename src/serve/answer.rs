//! The answer to one request, as a pure function of the bytes a client sent and a snapshot of
//! the server's state: no sockets, no threads, so it can be called from tests and fuzz targets.
//!
//! [`answer`] reads the head within the caps of [`http::parse_head`], checks the `Host`
//! header ([`http::host_allowed`]), and routes: the injected script, the build status, the
//! event stream (which the caller runs), `/api/search`, and the site's files.

use std::path::Path;
use std::time::Duration;

use super::http::{self, Head, Reply};
use super::problems::Problems;
use super::reload;

/// What [`answer`] needs to know of the server, taken when the request is complete.
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    /// The folder being served.
    pub dir: &'a Path,
    /// The overlay text while the last build failed.
    pub error: Option<&'a str>,
    /// The content problems of the last good build, shown in each page's overlay.
    pub problems: &'a Problems,
    /// The tantivy index `GET /api/search` answers from.
    pub search_dir: &'a Path,
    /// The newest exported browser-index head, answering for every head file.
    pub head_alias: Option<&'a str>,
    /// The build generation.
    pub generation: u64,
    /// Open event streams.
    pub streams: usize,
    /// Host names allowed besides IP addresses and `localhost` names.
    pub allowed_hosts: &'a [String],
    /// The first build, which renders pages it has not written yet.
    pub first: Option<&'a super::first::First>,
    /// The first export of the search indexes is done: `GET /api/search` answers.
    pub search_ready: bool,
}

/// What to do with a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Send the reply (only its head when `head_only`), then close.
    Reply {
        /// The reply.
        reply: Reply,
        /// A `HEAD` request.
        head_only: bool,
    },
    /// Keep the connection as an event stream for a tab showing `page` (site-relative).
    Events {
        /// The page the tab shows, when it said.
        page: Option<String>,
    },
}

impl Answer {
    fn reply(reply: Reply) -> Self {
        Self::Reply { reply, head_only: false }
    }
}

/// The answer to the request in `raw` (the bytes a client sent: its head, maybe cut short or
/// too long), given the server's state in `view`.
///
/// Never panics, whatever the bytes. Statuses: 400 (malformed or cut short, or HTTP/1.1
/// without a `Host`), 403 (a host name not allowed), 405 (not GET or HEAD), 414 and 431 (over
/// the caps of [`http::parse_head`]), 505; `/api/search` answers 400 with a JSON `error` for
/// a query over the caps of [`crate::search::query::check_query`].
pub fn answer(raw: &[u8], view: &View<'_>) -> Answer {
    let head = match http::parse_head(raw) {
        Ok(head) => head,
        Err(reply) => return Answer::reply(reply),
    };
    match head.header("host") {
        Some(host) if !http::host_is_valid(host) => {
            return Answer::reply(Reply::text(400, "the `Host` header is malformed\n"));
        }
        Some(host) => {
            if !http::host_allowed(host, view.allowed_hosts) {
                return Answer::reply(http::host_refused(host));
            }
        }
        // HTTP/1.0 clients may leave it out; a browser never does.
        None if head.version == "HTTP/1.0" && !head.headers.iter().any(|(n, _)| n == "host") => {}
        _ => return Answer::reply(Reply::text(400, "an HTTP/1.1 request needs exactly one `Host` header\n")),
    }
    let head_only = head.method == "HEAD";
    if head.path() == reload::EVENTS && !head_only {
        return Answer::Events { page: shown_page(head.query()) };
    }
    Answer::Reply { reply: route(&head, view), head_only }
}

/// The reply to a GET of anything but the event stream.
fn route(head: &Head, view: &View<'_>) -> Reply {
    let path = head.path();
    match path {
        reload::EVENTS => Reply::new(200, "text/event-stream", Vec::new()),
        reload::SCRIPT => {
            Reply::new(200, "text/javascript; charset=utf-8", reload::LIVE_JS.as_bytes().to_vec())
        }
        reload::STATUS => {
            let body = serde_json::json!({
                "generation": view.generation,
                "error": view.error,
                "problems": { "errors": view.problems.errors, "warnings": view.problems.warnings },
                "streams": view.streams,
            });
            Reply::new(200, "application/json", body.to_string().into_bytes())
        }
        "/api/search" if !view.search_ready => Reply::new(
            503,
            "application/json",
            serde_json::json!({ "error": SEARCH_BUILDING }).to_string().into_bytes(),
        ),
        "/api/search" => search_reply(view.search_dir, head.query()),
        p if p.starts_with("/api/") => {
            Reply::new(404, "application/json", br#"{"error":"no such endpoint"}"#.to_vec())
        }
        _ => {
            // A page names the head it was built with; after an export, the newest answers.
            let alias = view.head_alias.filter(|_| is_search_head(path));
            let mut reply = match alias {
                Some(head) => http::respond(&format!("/{head}"), view.dir),
                None => http::respond(&head.target, view.dir),
            };
            if reply.status == 404
                && !is_search_head(path)
                && let Some(found) = view.first.and_then(|first| first.missing(&head.target, view.dir))
            {
                // The first build has not written it yet.
                reply = found;
            }
            if reply.status == 404 && is_search_head(path) {
                // A full build serves pages before its search index is exported.
                reply =
                    Reply::new(503, "text/plain; charset=utf-8", format!("{SEARCH_BUILDING}\n").into_bytes());
            }
            if reply.status == 404 && view.error.is_some() && !view.dir.join("404.html").is_file() {
                // No good build yet (its configuration or theme is broken): a page that says
                // so, which reloads once the problem is fixed.
                reply = Reply::new(503, http::HTML, never_built(view.error.unwrap_or_default()));
            }
            if reply.status == 404 && path == "/favicon.ico" {
                // Browsers ask for it on their own; a site without one should not log an error
                // in the console of every preview tab.
                reply = Reply::new(204, "image/x-icon", Vec::new());
            }
            if reply.is_html() {
                let problems = view.problems.for_page(&http::site_url(path));
                reply.body = reload::inject(&reply.body, view.error, problems.as_deref());
            }
            reply
        }
    }
}

/// `GET /api/search?q=…[&kind=…&owner=…&tag=…&state=…&limit=N&explain=1]`: the same results as
/// `lore search --json [--explain]`, answered from the tantivy index of the last good build.
/// A query over the caps is a 400 with `{"error": "…"}`; a missing index a 503.
fn search_reply(dir: &Path, query: &str) -> Reply {
    let param = |name: &str| {
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| decode_query(v))
    };
    let json = |status: u16, value: serde_json::Value| {
        Reply::new(status, "application/json", value.to_string().into_bytes())
    };
    let q = param("q").unwrap_or_default();
    if let Err(e) = crate::search::query::check_query(&q) {
        return json(400, serde_json::json!({ "error": e.to_string() }));
    }
    let filters = crate::search::query::Filters {
        kind: param("kind"),
        owner: param("owner"),
        tag: param("tag"),
        state: param("state"),
    };
    let filters = match filters.checked() {
        Ok(filters) => filters,
        Err(e) => return json(400, serde_json::json!({ "error": e.to_string() })),
    };
    let limit = param("limit").and_then(|l| l.parse().ok()).unwrap_or(10).clamp(1, 100);
    let explain = param("explain").is_some_and(|v| v == "1" || v == "true");
    // The index may be being replaced (pages added or removed): try once more a moment later.
    let open = || crate::search::query::Searcher::open(dir);
    let searcher = open().or_else(|_| {
        std::thread::sleep(Duration::from_millis(50));
        open()
    });
    let result = searcher
        .and_then(|s| if explain { s.explain(&q, &filters, limit) } else { s.search(&q, &filters, limit) });
    match result.map(|results| serde_json::to_vec(&results)) {
        Ok(Ok(body)) => Reply::new(200, "application/json", body),
        // Results that cannot be encoded are a bug in lore, never an empty answer.
        Ok(Err(e)) => json(500, serde_json::json!({ "error": format!("cannot encode the results: {e}") })),
        Err(e) => json(503, serde_json::json!({ "error": e.to_string() })),
    }
}

/// What search answers until its index is exported (503, and `Retry-After: 1`).
pub const SEARCH_BUILDING: &str = "the search index is being built";

/// The page shown while no build has worked yet; the overlay shows `error` over it, and the
/// text is in the page too, for a browser without scripts.
fn never_built(error: &str) -> Vec<u8> {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>lore: the site could not be built</title></head><body><h1>The site could not be built</h1><p>Fix the problem below and save: this page reloads by itself.</p><pre>{}</pre></body></html>",
        crate::markdown::escape(error)
    )
    .into_bytes()
}

/// Whether `path` asks for the head file of the browser index.
fn is_search_head(path: &str) -> bool {
    path.strip_prefix("/search/head.")
        .is_some_and(|rest| rest == "json.gz" || (rest.ends_with(".json.gz") && !rest.contains('/')))
}

/// The site-relative URL in an event stream's `page=` parameter (the tab's `location.pathname`):
/// `/runbooks/db/index.html` → `runbooks/db/`, `/` → `` (the home page); `None` without one.
fn shown_page(query: &str) -> Option<String> {
    let page = query.split('&').filter_map(|kv| kv.split_once('=')).find(|(k, _)| *k == "page")?.1;
    // The tab sends `encodeURIComponent(location.pathname)`, and the path is itself
    // percent-encoded (`what%3F/` for `what?.md`): decode the value, then the path, to get the
    // page's real URL, as the site model keeps it.
    Some(http::site_url(&decode_query(page)))
}

/// Decodes a query-string value: `+` is a space, `%XX` a byte.
fn decode_query(value: &str) -> String {
    crate::site::decode_path(&value.replace('+', " "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_decoded() {
        assert_eq!(decode_query("disk+full%21"), "disk full!");
        assert_eq!(decode_query("100%"), "100%");
        assert_eq!(decode_query("%E2%9C%93"), "✓");
    }

    #[test]
    fn event_streams_name_the_page_they_show() {
        assert_eq!(shown_page("page=%2Frunbooks%2Fdb%2Findex.html"), Some("runbooks/db/".to_owned()));
        assert_eq!(shown_page("page=/adr/"), Some("adr/".to_owned()));
        // `what?.md` is at `what%3F/`, which the tab encodes once more.
        assert_eq!(shown_page("page=%2Fwhat%253F%2F"), Some("what?/".to_owned()));
        assert_eq!(shown_page("page=%2F100%2525done%2F"), Some("100%done/".to_owned()));
        assert_eq!(shown_page("page=%2F"), Some(String::new()), "the home page");
        assert_eq!(shown_page(""), None);
        assert_eq!(shown_page("other=1"), None);
    }

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.html"), "<body>home</body>").unwrap();
        dir
    }

    fn status(raw: &[u8], allowed: &[String]) -> (u16, String) {
        let dir = site();
        let view = View {
            dir: dir.path(),
            error: None,
            problems: &Problems::default(),
            search_dir: dir.path(),
            head_alias: None,
            generation: 1,
            streams: 0,
            allowed_hosts: allowed,
            first: None,
            search_ready: true,
        };
        match answer(raw, &view) {
            Answer::Reply { reply, .. } => (reply.status, String::from_utf8_lossy(&reply.body).into_owned()),
            Answer::Events { .. } => (0, String::new()),
        }
    }

    /// Issue 13: pages are served before the search index is exported; until it is, the head
    /// answers 503 (with `Retry-After`), which the searcher shows as "being built". Other
    /// missing files stay 404.
    #[test]
    fn issue_13_search_head_is_503_until_the_index_is_exported() {
        let get =
            |path: &str| status(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes(), &[]);
        assert_eq!(get("/search/head.json.gz"), (503, "the search index is being built\n".to_owned()));
        assert_eq!(get("/search/head.0123abcd.json.gz").0, 503);
        assert_eq!(get("/search/s/0123abcd.bin.gz").0, 404);
        assert_eq!(get("/nothing/").0, 404);
        assert_eq!(get("/").0, 200);
    }

    /// Issue 10, item 7: DNS rebinding. IP literals and `localhost` names are answered, other
    /// names only when allowed; the 403 says what to set.
    #[test]
    fn issue_10_host_header_is_checked() {
        let get = |host: &str| format!("GET / HTTP/1.1\r\nHost: {host}\r\n\r\n").into_bytes();
        for host in [
            "127.0.0.1:3000",
            "127.0.0.1",
            "10.1.2.3:80",
            "[::1]:3000",
            "[::1]",
            "[fe80::1]",
            "localhost",
            "LOCALHOST:3000",
            "localhost.",
            "docs.localhost:3000",
        ] {
            assert_eq!(status(&get(host), &[]).0, 200, "{host}");
        }
        for host in
            ["evil.example", "evil.example:3000", "localhost.evil.example", "2130706433", "[::1", "a b"]
        {
            assert_eq!(
                status(&get(host), &[]).0,
                if matches!(host, "a b" | "[::1") { 400 } else { 403 },
                "{host}"
            );
        }
        let (code, body) = status(&get("evil.example:3000"), &[]);
        assert_eq!(code, 403);
        assert!(body.contains("allowed-hosts = [\"evil.example\"]"), "{body}");
        assert!(body.contains("`lore serve --allow-host evil.example`"), "{body}");
        let allowed = ["docs.example".to_owned(), ".dev.internal".to_owned()];
        assert_eq!(status(&get("docs.example:3000"), &allowed).0, 200);
        assert_eq!(status(&get("DOCS.example"), &allowed).0, 200);
        assert_eq!(status(&get("x.docs.example"), &allowed).0, 403, "an exact entry allows no subdomain");
        assert_eq!(status(&get("dev.internal"), &allowed).0, 200);
        assert_eq!(status(&get("a.b.dev.internal:8080"), &allowed).0, 200);
        assert_eq!(status(&get("notdev.internal"), &allowed).0, 403);
        // A missing Host: 400 on HTTP/1.1 (RFC 9112), fine on HTTP/1.0; two are 400.
        assert_eq!(status(b"GET / HTTP/1.1\r\n\r\n", &[]).0, 400);
        assert_eq!(status(b"GET / HTTP/1.0\r\n\r\n", &[]).0, 200);
        assert_eq!(status(b"GET / HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n", &[]).0, 400);
        assert_eq!(status(b"GET / HTTP/1.1\r\nHost:\r\n\r\n", &[]).0, 400);
        assert_eq!(status(b"GET /api/search?q=x HTTP/1.1\r\nHost: evil.example\r\n\r\n", &[]).0, 403);
        assert_eq!(status(b"GET /__lore/events HTTP/1.1\r\nHost: evil.example\r\n\r\n", &[]).0, 403);
    }

    /// Issue 10, item 6: caps on the request line and head, and malformed requests.
    #[test]
    fn issue_10_request_heads_are_capped_and_checked() {
        let long_line =
            [b"GET /".as_slice(), &vec![b'a'; http::MAX_REQUEST_LINE], b" HTTP/1.1\r\n\r\n"].concat();
        assert_eq!(status(&long_line, &[]).0, 414);
        assert_eq!(status(&vec![b'a'; http::MAX_HEAD + 10], &[]).0, 414, "no line end at all");
        let mut big = b"GET / HTTP/1.1\r\nHost: localhost\r\n".to_vec();
        while big.len() <= http::MAX_HEAD {
            big.extend_from_slice(b"X-Filler: 0123456789012345678901234567890123456789\r\n");
        }
        assert_eq!(status(&big, &[]).0, 431, "still reading headers at the cap");
        big.extend_from_slice(b"\r\n");
        assert_eq!(status(&big, &[]).0, 431, "complete but over the cap");
        let many: String = (0..=http::MAX_HEADERS).map(|i| format!("X-{i}: 1\r\n")).collect();
        assert_eq!(status(format!("GET / HTTP/1.1\r\nHost: localhost\r\n{many}\r\n").as_bytes(), &[]).0, 431);
        for (raw, code) in [
            (&b"POST / HTTP/1.1\r\nHost: localhost\r\n\r\n"[..], 405),
            (b"DELETE / HTTP/1.1\r\nHost: localhost\r\n\r\n", 405),
            (b"HEAD / HTTP/1.1\r\nHost: localhost\r\n\r\n", 200),
            (b"GET / HTTP/1.1\nHost: localhost\n\n", 200),
            (b"GET / HTTP/2.0\r\nHost: localhost\r\n\r\n", 505),
            (b"GET / HTTP/1.1\r\nHost: localhost\r\n", 400),
            (b"", 400),
            (b"\r\n\r\n", 400),
            (b"GET  / HTTP/1.1\r\nHost: localhost\r\n\r\n", 400),
            (b"GET http://evil/ HTTP/1.1\r\nHost: localhost\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nHost: localhost\r\nBad Header: x\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nHost: localhost\r\nX: a\x01b\r\n\r\n", 400),
            (b"GET /\xff HTTP/1.1\r\nHost: localhost\r\n\r\n", 400),
            (b"get / HTTP/1.1\r\nHost: localhost\r\n\r\n", 400),
        ] {
            assert_eq!(status(raw, &[]).0, code, "{}", String::from_utf8_lossy(raw));
        }
    }

    /// Issue 10, item 8: a query over the caps is a 400 with a JSON error, before any index is
    /// opened.
    #[test]
    fn issue_10_api_search_caps_the_query() {
        let long = "page+".repeat(40_000);
        let (code, body) =
            status(format!("GET /api/search?q={long} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes(), &[]);
        assert_eq!(code, 414, "a 200 KB query never gets past the request line cap");
        let many = "page+".repeat(40);
        let (code, body2) =
            status(format!("GET /api/search?q={many} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes(), &[]);
        assert_eq!(code, 400, "{body}");
        let json: serde_json::Value = serde_json::from_str(&body2).unwrap();
        assert_eq!(
            json["error"],
            "the search query has too many words: 40, at most 32\n  = hint: search for a few distinctive words"
        );
        let long = "x".repeat(1001);
        let (code, body) =
            status(format!("GET /api/search?q={long} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes(), &[]);
        assert_eq!(code, 400);
        assert!(body.contains("the search query is too long: 1001 bytes, at most 1000"), "{body}");
        // An unknown kind is a 400 naming the kinds, not an empty answer.
        let (code, body) =
            status(b"GET /api/search?q=x&kind=nonsense HTTP/1.1\r\nHost: localhost\r\n\r\n", &[]);
        assert_eq!(code, 400);
        assert!(body.contains("unknown kind `nonsense`"), "{body}");
    }

    #[test]
    fn events_and_head_requests() {
        let dir = site();
        let view = View {
            dir: dir.path(),
            error: Some("a.md:1:1: error: x"),
            problems: &Problems::default(),
            search_dir: dir.path(),
            head_alias: None,
            generation: 1,
            streams: 0,
            allowed_hosts: &[],
            first: None,
            search_ready: true,
        };
        let events = answer(b"GET /__lore/events?page=%2Fa%2F HTTP/1.1\r\nHost: localhost\r\n\r\n", &view);
        assert_eq!(events, Answer::Events { page: Some("a/".to_owned()) });
        let Answer::Reply { reply, head_only } = answer(b"HEAD / HTTP/1.1\r\nHost: localhost\r\n\r\n", &view)
        else {
            panic!("a reply")
        };
        assert!(head_only);
        let wire = String::from_utf8(reply.wire(true)).unwrap();
        assert!(
            wire.starts_with("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ")
        );
        assert!(wire.ends_with("Connection: close\r\n\r\n"), "{wire}");
        assert!(String::from_utf8(reply.body).unwrap().contains("lore-overlay-text"));
    }
}
