//! HTTP: the response to a request path, as a pure function of the path and the site folder.
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
    fn new(status: u16, content_type: &'static str, body: Vec<u8>) -> Self {
        Self { status, content_type, location: None, body }
    }

    /// Whether the body is an HTML page.
    pub fn is_html(&self) -> bool {
        self.content_type.starts_with("text/html")
    }
}

const HTML: &str = "text/html; charset=utf-8";

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

/// The segments of a request path, or `None` when it tries to leave the site.
fn safe_path(path: &str) -> Option<Vec<String>> {
    if !path.starts_with('/') {
        return None;
    }
    let decoded = String::from_utf8(percent_decode(path.as_bytes())?).ok()?;
    if decoded.contains(['\\', '\0']) || decoded.starts_with("//") {
        return None;
    }
    let mut out = Vec::new();
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p if p.contains(':') => return None,
            p => out.push(p.to_owned()),
        }
    }
    Some(out)
}

/// `%2e%2E` → `..`; `None` for a malformed escape.
fn percent_decode(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
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
    }

    #[test]
    fn not_found_without_a_404_page() {
        let dir = tempfile::tempdir().unwrap();
        let r = respond("/x/", dir.path());
        assert_eq!(r.status, 404);
        assert!(String::from_utf8(r.body).unwrap().contains("Page not found"));
    }
}
