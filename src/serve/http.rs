//! HTTP: the request head read within its caps, the Host check, the response to a request
//! path as a pure function of the path and the site folder, and the response on the wire.
//!
//! Paths are percent-decoded, then every segment is checked: `..`, absolute and drive paths,
//! backslashes and NUL bytes get a 404 rather than being normalised, and a file reached through
//! a symlink that leads outside the site folder is a 404 too.

use std::path::{Path, PathBuf};

/// A response, before it goes on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// `Location`, for redirects.
    pub location: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

impl Reply {
    /// A reply without a `Location`.
    pub fn new(status: u16, content_type: &'static str, body: Vec<u8>) -> Self {
        Self { status, content_type, location: None, body }
    }

    /// A plain-text reply.
    pub fn text(status: u16, body: impl Into<String>) -> Self {
        Self::new(status, TEXT, body.into().into_bytes())
    }

    /// The reply as sent: status line, headers, and the body unless `head_only` (a `HEAD`
    /// request). Every connection closes after its reply.
    pub fn wire(&self, head_only: bool) -> Vec<u8> {
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n",
            self.status,
            reason(self.status),
            self.content_type,
            self.body.len()
        );
        if let Some(location) = &self.location {
            // Built from a request path that had no CR or LF; strip them anyway.
            head.push_str(&format!("Location: {}\r\n", location.replace(['\r', '\n'], "")));
        }
        match self.status {
            405 => head.push_str("Allow: GET, HEAD\r\n"),
            503 => head.push_str("Retry-After: 1\r\n"),
            _ => {}
        }
        head.push_str("\r\n");
        let mut out = head.into_bytes();
        if !head_only {
            out.extend_from_slice(&self.body);
        }
        out
    }

    /// Whether the body is an HTML page.
    pub fn is_html(&self) -> bool {
        self.content_type.starts_with("text/html")
    }
}

/// The content type of HTML replies.
pub const HTML: &str = "text/html; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// The reason phrase of a status.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

/// The longest request line read (method, target and version): 8 KiB, as nginx and Node.
pub const MAX_REQUEST_LINE: usize = 8 * 1024;
/// The longest request head read, request line and headers: 16 KiB, as Node.
pub const MAX_HEAD: usize = 16 * 1024;
/// The most header fields a request may have.
pub const MAX_HEADERS: usize = 100;

/// A request head that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// `GET` or `HEAD`.
    pub method: String,
    /// The request target: an absolute path, maybe with a query.
    pub target: String,
    /// `HTTP/1.0` or `HTTP/1.1`.
    pub version: String,
    /// Header fields, names lowercased, values trimmed.
    pub headers: Vec<(String, String)>,
}

impl Head {
    /// The value of the header `name` (lowercase), when it appears once.
    pub fn header(&self, name: &str) -> Option<&str> {
        let mut values = self.headers.iter().filter(|(n, _)| n == name);
        let first = values.next()?;
        values.next().is_none().then_some(first.1.as_str())
    }

    /// The path of the target, without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// The query of the target, without `?`.
    pub fn query(&self) -> &str {
        self.target.split_once('?').map_or("", |(_, q)| q)
    }
}

/// Where the request head ends in `buf` (the index after the blank line), if it does.
pub fn head_end(buf: &[u8]) -> Option<usize> {
    let crlf = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4);
    let lf = buf.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Reads a request head from the bytes a client sent (all of them, or the first
/// [`MAX_HEAD`] and a little more): 414 for a request line over [`MAX_REQUEST_LINE`], 431 for
/// a head over [`MAX_HEAD`] or with more than [`MAX_HEADERS`] fields, 400 for anything
/// malformed or cut short, 505 for a version other than HTTP/1.0 and 1.1. Only GET and HEAD
/// get past it (405 otherwise); the Host check is the caller's.
pub fn parse_head(raw: &[u8]) -> Result<Head, Reply> {
    let line_end = raw.iter().position(|&b| b == b'\n');
    if line_end.unwrap_or(raw.len()) > MAX_REQUEST_LINE {
        return Err(Reply::text(414, format!("the request line is longer than {MAX_REQUEST_LINE} bytes\n")));
    }
    let Some(end) = head_end(raw) else {
        if raw.len() > MAX_HEAD {
            return Err(Reply::text(431, format!("the request head is longer than {MAX_HEAD} bytes\n")));
        }
        return Err(Reply::text(400, "the request head is incomplete\n"));
    };
    if end > MAX_HEAD {
        return Err(Reply::text(431, format!("the request head is longer than {MAX_HEAD} bytes\n")));
    }
    let bad = |what: &str| Reply::text(400, format!("{what}\n"));
    let text = std::str::from_utf8(&raw[..end]).map_err(|_| bad("the request head is not UTF-8"))?;
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let line = lines.next().unwrap_or("");
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("the request line is malformed"));
    };
    if !version.starts_with("HTTP/") {
        return Err(bad("the request line is malformed"));
    }
    if version != "HTTP/1.1" && version != "HTTP/1.0" {
        return Err(Reply::text(505, "only HTTP/1.0 and HTTP/1.1 are served\n"));
    }
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(bad("the request method is malformed"));
    }
    if !target.starts_with('/') || target.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(bad("the request target must be a path starting with `/`"));
    }
    let mut headers = Vec::new();
    for line in lines.take_while(|l| !l.is_empty()) {
        if headers.len() == MAX_HEADERS {
            return Err(Reply::text(431, format!("more than {MAX_HEADERS} header fields\n")));
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(bad("a header field has no `:`"));
        };
        let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
        if name.is_empty() || !name.bytes().all(token) || value.bytes().any(|b| b < b' ' && b != b'\t') {
            return Err(bad("a header field is malformed"));
        }
        headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
    }
    if method != "GET" && method != "HEAD" {
        return Err(Reply::text(405, "only GET and HEAD are served\n"));
    }
    Ok(Head { method: method.to_owned(), target: target.to_owned(), version: version.to_owned(), headers })
}

/// Whether a `Host` value may be answered (the defence against DNS rebinding, as Vite's
/// `server.allowedHosts`): IP literals (`127.0.0.1`, `[::1]`), `localhost` and `*.localhost`
/// always; other names only when `allowed` lists them, exactly or, for an entry starting with
/// `.`, as the name or any name under it. Ports and a trailing dot are ignored, case too.
pub fn host_allowed(host: &str, allowed: &[String]) -> bool {
    let Some(name) = host_name(host) else { return false };
    if name.parse::<std::net::Ipv4Addr>().is_ok() || name.starts_with('[') {
        return true;
    }
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    allowed.iter().any(|entry| {
        let entry = entry.trim_end_matches('.').to_ascii_lowercase();
        match entry.strip_prefix('.') {
            Some(domain) => name == domain || name.strip_suffix(&entry).is_some_and(|sub| !sub.is_empty()),
            None => name == entry,
        }
    })
}

/// Whether a `Host` value is a host name or IP literal, with maybe a port.
pub fn host_is_valid(host: &str) -> bool {
    host_name(host).is_some()
}

/// The host of a `Host` value without its port; an IPv6 literal keeps its brackets. `None`
/// when malformed.
fn host_name(host: &str) -> Option<&str> {
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        let close = rest.find(']')?;
        rest[..close].parse::<std::net::Ipv6Addr>().ok()?;
        (&host[..close + 2], &rest[close + 1..])
    } else {
        match host.rsplit_once(':') {
            Some((name, _)) => (name, &host[name.len()..]),
            None => (host, ""),
        }
    };
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    let name_ok = !name.is_empty()
        && (name.starts_with('[')
            || name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_'));
    (port_ok && name_ok).then_some(name)
}

/// The 403 for a host name not allowed: says what to set, for Docker port mappings,
/// `--bind 0.0.0.0` and remote development environments.
pub fn host_refused(host: &str) -> Reply {
    let name = host_name(host).unwrap_or(host).trim_end_matches('.');
    // Echoed as plain text (and `nosniff`): keep it printable all the same.
    let name: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
    Reply::text(
        403,
        format!(
            "403 Forbidden: `lore serve` does not answer requests for the host `{name}`.\n\n\
             The preview answers IP addresses, `localhost` and `*.localhost`, and only the other\n\
             host names you allow, so that a web page cannot read it through DNS rebinding.\n\n\
             To allow this name, add it to book.toml:\n\n    [serve]\n    allowed-hosts = [\"{name}\"]\n\n\
             or start the server with `lore serve --allow-host {name}`.\n"
        ),
    )
}

/// The content type of a file, by extension.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => HTML,
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "wasm" => "application/wasm",
        "xml" => "application/xml",
        "txt" | "md" | "sh" | "toml" | "yaml" | "yml" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

/// The response to a GET of `url` (path and maybe query) from the site in `out_dir`.
pub fn respond(url: &str, out_dir: &Path) -> Reply {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let Some(rel) = safe_path(path) else {
        return not_found(out_dir);
    };
    let mut file = out_dir.to_path_buf();
    for part in &rel {
        file.push(part);
    }
    if file.is_dir() {
        if !path.ends_with('/') {
            // Pretty URLs: `runbooks/db` → `runbooks/db/`, so relative links resolve.
            let mut r = Reply::new(301, HTML, Vec::new());
            r.location = Some(format!("{path}/"));
            return r;
        }
        file.push("index.html");
    }
    match read_inside(&file, out_dir) {
        Some(body) => Reply::new(200, content_type(&file), body),
        None => not_found(out_dir),
    }
}

/// The site-relative URL of the page a request path asks for (as an event stream names it):
/// `/runbooks/db/index.html` → `runbooks/db/`.
pub fn site_url(path: &str) -> String {
    let page = crate::site::decode_path(path);
    let page = page.trim_start_matches('/');
    page.strip_suffix("index.html").unwrap_or(page).to_owned()
}

/// The segments of a request path, or `None` when it tries to leave the site.
fn safe_path(path: &str) -> Option<Vec<String>> {
    if !path.starts_with('/') {
        return None;
    }
    let decoded = String::from_utf8(crate::site::decode_request_path(path)?).ok()?;
    if decoded.contains(['\\', '\0']) || decoded.starts_with("//") {
        return None;
    }
    let mut out = Vec::new();
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            // A drive or stream name (`C:`, `a:b`) would leave the folder on Windows only;
            // elsewhere `a:b.md` is an ordinary page name (`a:b/`).
            p if cfg!(windows) && p.contains(':') => return None,
            p => out.push(p.to_owned()),
        }
    }
    Some(out)
}

/// The file's bytes, only if it is a file that resolves (symlinks followed) inside `root`.
fn read_inside(file: &Path, root: &Path) -> Option<Vec<u8>> {
    let real: PathBuf = file.canonicalize().ok()?;
    let root = root.canonicalize().ok()?;
    if !real.starts_with(&root) || !real.is_file() {
        return None;
    }
    std::fs::read(real).ok()
}

fn not_found(out_dir: &Path) -> Reply {
    let body = read_inside(&out_dir.join("404.html"), out_dir)
        .unwrap_or_else(|| b"<!doctype html><title>Not found</title><h1>Page not found</h1>".to_vec());
    Reply::new(404, HTML, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        for (rel, text) in [
            ("index.html", "home"),
            ("404.html", "not here"),
            ("runbooks/db/index.html", "db"),
            ("assets/lore.css", "css"),
            ("assets/lore.js", "js"),
            ("assets/search.json", "{}"),
            ("assets/logo.svg", "<svg/>"),
            ("assets/x.wasm", "wasm"),
            ("my docs/a b.txt", "spaced"),
        ] {
            let p = out.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        std::fs::write(dir.path().join("secret.txt"), "secret").unwrap();
        dir
    }

    #[test]
    fn serves_files_with_their_types() {
        let dir = site();
        let out = dir.path().join("site");
        let table = [
            ("/", 200, HTML, "home"),
            ("/index.html", 200, HTML, "home"),
            ("/runbooks/db/", 200, HTML, "db"),
            ("/runbooks/db/?x=1#top", 200, HTML, "db"),
            ("/assets/lore.css", 200, "text/css; charset=utf-8", "css"),
            ("/assets/lore.js", 200, "text/javascript; charset=utf-8", "js"),
            ("/assets/search.json", 200, "application/json", "{}"),
            ("/assets/logo.svg", 200, "image/svg+xml", "<svg/>"),
            ("/assets/x.wasm", 200, "application/wasm", "wasm"),
            ("/my%20docs/a%20b.txt", 200, "text/plain; charset=utf-8", "spaced"),
            ("/nope/", 404, HTML, "not here"),
            ("/assets/", 404, HTML, "not here"),
        ];
        for (url, status, ty, body) in table {
            let r = respond(url, &out);
            assert_eq!(
                (r.status, r.content_type, String::from_utf8(r.body).unwrap().as_str()),
                (status, ty, body),
                "{url}"
            );
        }
    }

    #[test]
    fn redirects_folders_to_their_slash() {
        let dir = site();
        let r = respond("/runbooks/db", &dir.path().join("site"));
        assert_eq!(r.status, 301);
        assert_eq!(r.location.as_deref(), Some("/runbooks/db/"));
    }

    #[test]
    fn never_leaves_the_site() {
        let dir = site();
        let out = dir.path().join("site");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.txt"), out.join("link.txt")).unwrap();
            std::os::unix::fs::symlink(dir.path(), out.join("up")).unwrap();
            std::os::unix::fs::symlink(out.join("index.html"), out.join("inside.html")).unwrap();
            assert_eq!(respond("/inside.html", &out).status, 200, "a symlink inside the site is fine");
        }
        for url in [
            "/../secret.txt",
            "/runbooks/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E%2Fsecret.txt",
            "/..%2fsecret.txt",
            "/..%5csecret.txt",
            "/%2e%2e%5csecret.txt",
            "//etc/passwd",
            "/%2F%2Fetc/passwd",
            "/C:/Windows/win.ini",
            "/x%00.html",
            "/%zz",
            "relative/path",
            "/link.txt",
            "/up/secret.txt",
        ] {
            let r = respond(url, &out);
            assert_eq!(r.status, 404, "{url}");
            assert_eq!(r.body, b"not here", "{url}");
        }
        let abs = format!("/{}", dir.path().join("secret.txt").display());
        assert_eq!(respond(&abs, &out).status, 404);
        #[cfg(unix)]
        {
            // A page named `job:up.md` is published at `job:up/` and served there.
            std::fs::create_dir(out.join("job:up")).unwrap();
            std::fs::write(out.join("job:up/index.html"), "up").unwrap();
            assert_eq!(respond("/job:up/", &out).body, b"up");
            assert_eq!(respond("/job%3Aup/", &out).body, b"up");
        }
    }

    #[test]
    fn not_found_without_a_404_page() {
        let dir = tempfile::tempdir().unwrap();
        let r = respond("/x/", dir.path());
        assert_eq!(r.status, 404);
        assert!(String::from_utf8(r.body).unwrap().contains("Page not found"));
    }
}
