//! Browser tests: the built example site opened in headless Chromium, checking what only a
//! browser shows — the theme's script ran, links work from `file://`, dark mode applies.
//!
//! Opt-in like mdBook's GUI tests: run by `.ci/run` (which installs Chromium) and by
//! `cargo test --test browser`. Without Chromium they say so and pass.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A test gets the Chromium binary and the built site folder.
type BrowserTest = fn(&Path, &Path);

fn main() {
    let Some(chromium) = find_chromium() else {
        // CI installs Chromium: there a missing browser is a failure, never a silent skip.
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "no Chromium found under CI=true (set LORE_CHROMIUM or install `chromium`)"
        );
        eprintln!("browser tests skipped: no Chromium found (set LORE_CHROMIUM or install `chromium`)");
        return;
    };
    let site = build_example();
    let tests: &[(&str, BrowserTest)] = &[
        ("file_links_point_at_index_html", file_links_point_at_index_html),
        ("script_adds_copy_buttons_and_toggles", script_adds_copy_buttons_and_toggles),
        ("theme_follows_the_system_scheme", theme_follows_the_system_scheme),
        ("serve_reloads_an_open_page_on_edit", serve_reloads_an_open_page_on_edit),
        ("issue_10_overlay_on_a_page_opened_while_broken", issue_10_overlay_on_a_page_opened_while_broken),
        ("search_finds_and_follows_a_heading", search_finds_and_follows_a_heading),
        ("search_snippets_never_run_page_text", search_snippets_never_run_page_text),
        (
            "issue_16_portal_search_labels_and_links_into_sites",
            issue_16_portal_search_labels_and_links_into_sites,
        ),
        ("path_progress_survives_a_reload", path_progress_survives_a_reload),
        ("decision_log_sorts_and_filters", decision_log_sorts_and_filters),
        ("freshness_tables_become_sortable", freshness_tables_become_sortable),
        ("issue_10_odd_file_names_link_from_a_static_host", issue_10_odd_file_names_link_from_a_static_host),
        (
            "issue_12_diagrams_are_drawn_and_follow_the_theme",
            issue_12_diagrams_are_drawn_and_follow_the_theme,
        ),
        ("issue_12_diagram_text_never_runs", issue_12_diagram_text_never_runs),
        ("issue_17_every_page_type_passes_axe", issue_17_every_page_type_passes_axe),
        ("issue_17_keyboard_only", issue_17_keyboard_only),
        ("issue_17_reduced_motion_forced_colors_and_print", issue_17_reduced_motion_forced_colors_and_print),
        ("issue_12_services_index_filters_and_sorts", issue_12_services_index_filters_and_sorts),
    ];
    // `cargo test --test browser -- NAME`: only the tests whose name contains NAME.
    let filter: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let chosen: Vec<_> = tests
        .iter()
        .filter(|(name, _)| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str())))
        .collect();
    let start = std::time::Instant::now();
    for (name, test) in &chosen {
        let began = std::time::Instant::now();
        test(&chromium, &site);
        eprintln!("test {name} ... ok ({:.1} s)", began.elapsed().as_secs_f64());
    }
    eprintln!("browser tests: {} passed in {:.1} s", chosen.len(), start.elapsed().as_secs_f64());
}

fn find_chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("LORE_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

/// Builds the bundled example site into a fresh folder and returns the build folder.
fn build_example() -> PathBuf {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-site");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = out.join("book.toml");
    let src = manifest.join("content-example");
    // The alert rules too, so that the alerts page shows its coverage table.
    copy_tree(&manifest.join("monitoring"), &out.join("monitoring"));
    let rules = "[alerts]\nrules = [\"monitoring/rules/*.yml\"]\n";
    std::fs::write(
        &config,
        format!("[book]\ntitle = \"Example\"\nsrc = {:?}\n\n{rules}", src.display().to_string()),
    )
    .unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_lore")).args(["build", "-q"]).arg(&out).status().unwrap();
    assert!(status.success(), "lore build failed");
    out.join("book")
}

/// The page's DOM after its scripts ran.
fn dump_dom(chromium: &Path, url: &str) -> String {
    dump_dom_with(chromium, url, &[])
}

/// The page's DOM after its scripts ran for 2 s of virtual time, with extra Chromium `flags`.
fn dump_dom_with(chromium: &Path, url: &str, flags: &[&str]) -> String {
    dump_dom_untimed(chromium, url, &[&["--virtual-time-budget=2000"], flags].concat())
}

/// The page's DOM once it loaded, without a virtual-time budget: a page holding an event stream
/// open would keep virtual time from ever running out.
fn dump_dom_untimed(chromium: &Path, url: &str, flags: &[&str]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(flags)
        .args(["--dump-dom", url])
        .output()
        .unwrap();
    assert!(output.status.success(), "chromium failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

fn page_url(site: &Path, page: &str) -> String {
    format!("file://{}", site.join(page).display())
}

fn file_links_point_at_index_html(chromium: &Path, site: &Path) {
    let dom = dump_dom(chromium, &page_url(site, "runbooks/postgres-primary-failover/index.html"));
    assert!(
        dom.contains(r#"href="../../runbooks/auth-login-failures/index.html""#),
        "sidebar link not rewritten"
    );
    assert!(
        dom.contains(r#"href="../../adr/0003-use-postgresql-for-the-order-store/index.html""#),
        "content link not rewritten"
    );
    assert!(dom.contains(r##"href="#mitigation""##), "in-page anchors stay as they are");
    for href in dom.split("href=\"").skip(1).map(|s| &s[..s.find('"').unwrap()]) {
        assert!(!href.ends_with('/') || href.contains("://"), "a folder link survived: {href}");
    }
}

fn script_adds_copy_buttons_and_toggles(chromium: &Path, site: &Path) {
    let page = std::fs::read_to_string(site.join("runbooks/postgres-primary-failover/index.html")).unwrap();
    let blocks = page.matches("<pre class=\"code\"").count();
    assert!(blocks > 3, "the runbook has code blocks");
    let dom = dump_dom(chromium, &page_url(site, "runbooks/postgres-primary-failover/index.html"));
    assert_eq!(dom.matches("class=\"copy-button").count(), blocks, "one copy button per code block");
    assert!(dom.contains("class=\"js"), "the inline script marks the page as scripted");
    assert!(!dom.contains("class=\"theme-toggle\" aria-label=\"Switch between light and dark theme\" title=\"Switch theme\" hidden"));
}

fn theme_follows_the_system_scheme(chromium: &Path, site: &Path) {
    let url = page_url(site, "index.html");
    let light = dump_dom_with(chromium, &url, &[]);
    assert!(light.contains("data-theme=\"light\""), "a light system gives the light theme");
    let dark = dump_dom_with(chromium, &url, &["--force-dark-mode"]);
    assert!(dark.contains("data-theme=\"dark\""), "a dark system gives the dark theme");
}

/// Runs `tests/browser/search.js` (headless Chromium over the DevTools protocol, the site served
/// under a subpath): types `query`, expects `title` first, follows a heading result with the
/// keyboard to `hash`, and fails on console errors.
/// With `kind`, it first chooses that kind in the empty box's filters and expects its pages.
fn search_in_browser(chromium: &Path, site: &Path, case: &SearchCase<'_>) {
    let mut args: Vec<&OsStr> = vec![chromium.as_os_str(), site.as_os_str()];
    args.extend([case.query, case.title, case.hash, case.text, case.kind, case.mark].map(OsStr::new));
    run_script("search in the browser", "search.js", &args);
}

/// What [`search_in_browser`] types and expects.
struct SearchCase<'a> {
    query: &'a str,
    /// The first result's title.
    title: &'a str,
    /// The anchor the keyboard lands on.
    hash: &'a str,
    /// Text a snippet must show as text (empty: none).
    text: &'a str,
    /// A kind to filter on first (empty: none).
    kind: &'a str,
    /// The word the first result's title must mark (empty: not checked).
    mark: &'a str,
}

fn search_finds_and_follows_a_heading(chromium: &Path, site: &Path) {
    let case = SearchCase {
        query: "failover",
        title: "Postgres primary failover",
        hash: "#meaning",
        text: "",
        kind: "runbook",
        mark: "failover",
    };
    search_in_browser(chromium, site, &case);
    // Issue 15: a query corrected for a typo marks the word it was corrected to.
    let typo = SearchCase { query: "failovr", kind: "", ..case };
    search_in_browser(chromium, site, &typo);
}

/// Page text that looks like markup is shown as text in snippets, never run.
fn search_snippets_never_run_page_text(chromium: &Path, _site: &Path) {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-hostile");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(root.join("book.toml"), "[book]\ntitle = \"Hostile\"\n").unwrap();
    std::fs::write(root.join("src/README.md"), "# Home\n\nWelcome.\n").unwrap();
    std::fs::write(
        root.join("src/hostile.md"),
        "# Hostile page\n\n## Payload section\n\nThe zanzibar token sits next to \
         `<script>window.__lorePwned=1</script>` and\n&lt;img src=x onerror=\"window.__lorePwned=2\"&gt; in text.\n",
    )
    .unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_lore")).args(["build", "-q"]).arg(&root).status().unwrap();
    assert!(status.success(), "lore build failed");
    let case = SearchCase {
        query: "zanzibar",
        title: "Hostile page",
        hash: "#payload-section",
        text: "<script>window.__lorePwned=1</script>",
        kind: "",
        mark: "",
    };
    search_in_browser(chromium, &root.join("book"), &case);
}

/// Issue 16: a portal built by `lore build` over a site published under the portal's
/// `billing/` merges that site's search with its own page: the search box finds a page of the
/// other site, shows the site's name with it, and the keyboard follows the result into that
/// site.
fn issue_16_portal_search_labels_and_links_into_sites(chromium: &Path, _site: &Path) {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-portal");
    let _ = std::fs::remove_dir_all(&root);
    let build = |name: &str, toml: &str, pages: &[(&str, &str)]| {
        let dir = root.join(name);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::create_dir_all(dir.join(".git")).unwrap();
        std::fs::write(dir.join("book.toml"), format!("[book]\ntitle = \"{name}\"\n\n{toml}")).unwrap();
        for (rel, text) in pages {
            std::fs::write(dir.join("src").join(rel), text).unwrap();
        }
        let status =
            Command::new(env!("CARGO_BIN_EXE_lore")).args(["build", "-q"]).arg(&dir).status().unwrap();
        assert!(status.success(), "lore build failed");
        dir.join("book")
    };
    let billing = build(
        "billing",
        "[output.html]\nsearch-stats = true\n",
        &[("ledger.md", "# Ledger lock\n\n## Release the lock\n\nRelease the quokka ledger lock.\n")],
    );
    let portal = build(
        "portal",
        "[portal]\nsites = [{ name = \"billing\", path = \"../billing/book\" }]\n",
        &[("README.md", "# Portal\n\nEvery team's documentation.\n")],
    );
    copy_dir(&billing, &portal.join("billing"));
    let case = SearchCase {
        query: "quokka",
        title: "Ledger lock",
        hash: "#release-the-lock",
        text: "billing",
        kind: "",
        mark: "",
    };
    search_in_browser(chromium, &portal, &case);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Ticks two steps of an onboarding path, reloads, and finds them still ticked (the script
/// drives Chromium through the DevTools protocol; it needs Node with a WebSocket client).
fn path_progress_survives_a_reload(chromium: &Path, site: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/path_progress.js");
    let profile = tempfile::tempdir().unwrap();
    let url = page_url(site, "onboarding/backend-engineer/index.html");
    let output = match Command::new("node")
        .arg("--experimental-websocket")
        .arg(&script)
        .arg(chromium)
        .arg(profile.path())
        .arg(&url)
        .arg(page_url(site, "adr/index.html"))
        .output()
    {
        Ok(output) => output,
        Err(e) => {
            eprintln!("path_progress_survives_a_reload skipped: cannot run node: {e}");
            return;
        }
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    if String::from_utf8_lossy(&output.stderr).contains("bad option") {
        eprintln!(
            "path_progress_survives_a_reload skipped: this Node does not know --experimental-websocket"
        );
        return;
    }
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let result: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    if let Some(why) = result["skipped"].as_str() {
        eprintln!("path_progress_survives_a_reload skipped: {why}");
        return;
    }
    assert_eq!(result["before"], "0 of 17 done · about 97 h left", "{result}");
    assert_eq!(result["after"], "2 of 17 done · about 95 h left", "{result}");
    assert_eq!(result["checked"], serde_json::json!([0, 2]), "{result}");
    assert_eq!(result["done"], serde_json::json!(["s1", "s3"]), "{result}");
    assert_eq!(result["progress"], "2 of 17 done · about 95 h left", "{result}");
    // The decision log filters and sorts in the browser, without a server.
    let log = &result["log"];
    assert_eq!(log["accepted"], serde_json::json!(["0001", "0003", "0005"]), "{result}");
    assert_eq!(
        log["byDate"],
        serde_json::json!(["0001", "0002", "0003", "0004", "0005", "0006"]),
        "{result}"
    );
    assert_eq!(
        log["byDateDescending"],
        serde_json::json!(["0006", "0005", "0004", "0003", "0002", "0001"]),
        "{result}"
    );
    assert_eq!(log["sort"], "descending", "{result}");
}

/// The decision log works without a server: its filter buttons appear once the script ran.
fn decision_log_sorts_and_filters(chromium: &Path, site: &Path) {
    let dom = dump_dom(chromium, &page_url(site, "adr/index.html"));
    assert!(
        dom.contains("<div class=\"adr-filter\" role=\"group\" aria-label=\"Filter by status\">"),
        "filter shown"
    );
    assert!(
        dom.contains("<th scope=\"col\" data-sort=\"number\" aria-sort=\"ascending\" tabindex=\"0\">"),
        "sortable"
    );
}

/// Issue 12: the services index shows its filters and sort buttons once its script runs;
/// without a script the filters stay hidden and the table lists every service.
fn issue_12_services_index_filters_and_sorts(chromium: &Path, site: &Path) {
    let page = std::fs::read_to_string(site.join("services/index.html")).unwrap();
    assert!(page.contains("<div class=\"table-filter\" hidden>"), "without a script the filters are hidden");
    let dom = dump_dom(chromium, &page_url(site, "services/index.html"));
    assert!(dom.contains("<div class=\"table-filter\">"), "filters shown");
    assert!(
        dom.contains("<th scope=\"col\"><button type=\"button\">Owner</button></th>"),
        "sort buttons added"
    );
    assert!(
        dom.contains("<a href=\"../services/checkout-api/index.html\">Checkout API</a>"),
        "the service listed"
    );
}

fn freshness_tables_become_sortable(chromium: &Path, site: &Path) {
    let page = std::fs::read_to_string(site.join("freshness/index.html")).unwrap();
    assert!(page.contains("<th scope=\"col\">Owner</th>"), "without a script the headers are plain");
    let dom = dump_dom(chromium, &page_url(site, "freshness/index.html"));
    assert!(
        dom.contains("<th scope=\"col\"><button type=\"button\">Owner</button></th>"),
        "sort buttons added"
    );
    let headers: Vec<&str> = dom.split("<th scope=\"col\"").skip(1).collect();
    assert!(headers.len() > 10, "the dashboard has tables");
    for th in headers {
        let inner = &th[th.find('>').unwrap() + 1..];
        assert!(inner.starts_with("<button type=\"button\">"), "a header without a sort button: {inner:.60}");
    }
}

/// `lore serve` on a copy of the example site; the page open in Chromium shows an edit of its
/// markdown without a manual reload, keeps its scroll position, and logs no errors. Driven over
/// the DevTools protocol by `live_reload.mjs` (needs Node 20+; skipped without it).
fn serve_reloads_an_open_page_on_edit(chromium: &Path, _site: &Path) {
    if Command::new("node").arg("--version").output().is_err() {
        eprintln!("serve_reloads_an_open_page_on_edit skipped: no node");
        return;
    }
    let (dir, server, url) = serve_example();
    let page = "runbooks/postgres-primary-failover";
    let shown = format!("{url}{page}/");
    let source = dir.path().join(format!("src/{page}.md"));
    let args = [chromium.as_os_str(), OsStr::new(&shown), source.as_os_str()];
    run_script("live reload", "live_reload.mjs", &args);
    drop(server);
}

/// Issue 10, item 15: pages named `what?.md`, `c# notes.md`, `100%done.md` and `a b.md`, linked
/// every way markdown allows, are reached by clicking their links on a static host (Python's
/// `http.server`, which decodes the request path as nginx does) and from `file://`; search
/// leads to them too.
fn issue_10_odd_file_names_link_from_a_static_host(chromium: &Path, _site: &Path) {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-odd-names");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(root.join("book.toml"), "[book]\ntitle = \"Odd names\"\n").unwrap();
    let pages = [
        ("README.md", "# Home\n\n[c2](<c# notes.md>) [w3](what?.md) [p2](100%done.md) [s2](<a b.md>)\n"),
        ("c# notes.md", "# C sharp notes\n\n[why](<what?.md#why>)\n"),
        ("what?.md", "# What\n\n## Why\n\nBecause of the quokka.\n"),
        ("100%done.md", "# Done\n"),
        ("a b.md", "# A b\n"),
    ];
    for (name, text) in pages {
        std::fs::write(root.join("src").join(name), text).unwrap();
    }
    let status = Command::new(env!("CARGO_BIN_EXE_lore")).args(["build", "-q"]).arg(&root).status().unwrap();
    assert!(status.success(), "lore build failed");
    let book = root.join("book");
    let links = serde_json::json!([
        {"in": "main", "text": "w3", "title": "What · Odd names"},
        {"in": "main", "text": "c2", "title": "C sharp notes · Odd names"},
        {"in": "main", "text": "p2", "title": "Done · Odd names"},
        {"in": "main", "text": "s2", "title": "A b · Odd names"},
        {"in": "#sidebar", "text": "What", "title": "What · Odd names"},
    ])
    .to_string();
    let Some(server) = StaticServer::start(&book) else { return };
    let landed = follow_links(chromium, &format!("{}index.html", server.url), &links);
    let at: Vec<&str> = landed.as_array().unwrap().iter().map(|l| l["at"].as_str().unwrap()).collect();
    let expected: Vec<String> = ["what%3F/", "c%23%20notes/", "100%25done/", "a%20b/", "what%3F/"]
        .iter()
        .map(|p| format!("{}{p}", server.url))
        .collect();
    assert_eq!(at, expected, "{landed}");
    drop(server);
    let landed = follow_links(chromium, &page_url(&book, "index.html"), &links);
    let at: Vec<&str> = landed.as_array().unwrap().iter().map(|l| l["at"].as_str().unwrap()).collect();
    assert!(at[0].ends_with("/book/what%3F/index.html"), "{landed}");
    let case = SearchCase { query: "quokka", title: "What", hash: "#why", text: "", kind: "", mark: "" };
    search_in_browser(chromium, &book, &case);
}

/// Runs `tests/browser/follow_links.js`: the pages reached by clicking `links` from `start`.
fn follow_links(chromium: &Path, start: &str, links: &str) -> serde_json::Value {
    let args = [chromium.as_os_str(), OsStr::new(start), OsStr::new(links)];
    let stdout = run_script("following links", "follow_links.js", &args);
    serde_json::from_str(stdout.trim()).unwrap()
}

/// Runs `node --experimental-websocket tests/browser/SCRIPT ARGS…` and returns its stdout; the
/// test fails with `what` and the script's output when the script does.
fn run_script(what: &str, script: &str, args: &[&OsStr]) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser").join(script);
    let output = Command::new("node")
        .arg("--experimental-websocket")
        .arg(script)
        .args(args)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{what} failed:\n{stdout}{}", String::from_utf8_lossy(&output.stderr));
    stdout
}

/// `python3 -m http.server` on 127.0.0.1 and a free port, serving `dir`; stopped on drop.
struct StaticServer {
    child: std::process::Child,
    url: String,
}

impl StaticServer {
    /// `None` (with a message) without Python, except under `CI=true`, where that fails.
    fn start(dir: &Path) -> Option<Self> {
        use std::io::{BufRead, BufReader};

        let spawned = Command::new("python3")
            .args(["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory"])
            .arg(dir)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) if std::env::var("CI").as_deref() != Ok("true") => {
                eprintln!("static host skipped: cannot run python3: {e}");
                return None;
            }
            Err(e) => panic!("cannot run python3: {e}"),
        };
        // "Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ..."
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let url = line.split_once("(http://").and_then(|(_, rest)| rest.split_once(')')).map(|(u, _)| u);
        let Some(url) = url else {
            let _ = child.kill();
            panic!("python3 -m http.server said {line:?}");
        };
        Some(Self { url: format!("http://{url}"), child })
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running `lore serve`, stopped when dropped.
struct Kill(std::process::Child);

impl Drop for Kill {
    fn drop(&mut self) {
        // Ctrl-C first, so the server removes its private folder.
        let _ = Command::new("kill").args(["-INT", &self.0.id().to_string()]).status();
        for _ in 0..150 {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `lore serve` on a copy of the example site: the copy, the server and its URL.
fn serve_example() -> (tempfile::TempDir, Kill, String) {
    use std::io::{BufRead, BufReader};

    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    copy_tree(&manifest.join("content-example"), &dir.path().join("src"));
    std::fs::write(dir.path().join("book.toml"), "[book]\ntitle = \"Example\"\n").unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_lore"))
        .args(["serve", "-q", "--port", "0"])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = server.stdout.take().unwrap();
    let server = Kill(server);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let line = rx.recv_timeout(std::time::Duration::from_secs(30)).expect("lore serve printed its URL");
    let url = line.strip_prefix("serving at ").expect("a URL line").to_owned();
    (dir, server, url)
}

/// A raw GET against `lore serve`: the body.
fn http_get(url: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let addr = url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    text
}

/// Issue 10, item 17: a page opened while the build is broken shows the error overlay (its
/// text sits in a `<template>`, whose text is in `content`, not in `textContent`). Since issue
/// 15 only a broken configuration fails a preview's build: content errors are shown in the
/// problems panel instead (`live_reload.mjs`).
fn issue_10_overlay_on_a_page_opened_while_broken(chromium: &Path, _site: &Path) {
    let (dir, server, url) = serve_example();
    let page = "runbooks/postgres-primary-failover";
    let config = dir.path().join("book.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}\n[frobnicate-for-the-overlay]\n")).unwrap();
    let start = std::time::Instant::now();
    while !http_get(&url, "/__lore/status").contains("frobnicate-for-the-overlay") {
        assert!(start.elapsed() < std::time::Duration::from_secs(30), "the build never failed");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let dom = dump_dom_untimed(chromium, &format!("{url}{page}/"), &[]);
    drop(server);
    let overlay = dom.split("<div id=\"lore-overlay\"").nth(1).expect("the overlay is shown");
    assert!(overlay.contains("Build failed — showing the last good version"), "{overlay:.300}");
    assert!(overlay.contains("unknown key `frobnicate-for-the-overlay` in `book.toml`"), "{overlay:.600}");
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Where screenshots go when `LORE_SCREENSHOTS` names a folder (to look at them); else none.
fn screenshot_prefix(name: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("LORE_SCREENSHOTS")?);
    std::fs::create_dir_all(&dir).unwrap();
    Some(dir.join(name))
}

/// Runs `tests/browser/diagram.js` on `url`: what the page showed, as JSON.
fn diagram_page(chromium: &Path, url: &str, shots: &str) -> serde_json::Value {
    let mut args: Vec<&OsStr> = vec![chromium.as_os_str(), OsStr::new(url)];
    let prefix = screenshot_prefix(shots);
    args.extend(prefix.as_deref().map(Path::as_os_str));
    let stdout = run_script("diagrams in the browser", "diagram.js", &args);
    serde_json::from_str(stdout.trim()).unwrap()
}

/// Issue 12, diagrams: the example's architecture diagram becomes an SVG in the light theme,
/// is drawn again in dark colours when the theme toggle switches, hides its source text once
/// drawn, and the page requests nothing outside the site.
fn issue_12_diagrams_are_drawn_and_follow_the_theme(chromium: &Path, site: &Path) {
    let url = page_url(site, "architecture/overview/index.html");
    let seen = diagram_page(chromium, &url, "diagram-overview");
    let (light, dark) = (&seen["light"], &seen["dark"]);
    assert_eq!(light["theme"], "light", "{seen}");
    assert_eq!(light["svgs"], serde_json::json!(["lore-diagram-1"]), "{seen}");
    assert_eq!(dark["theme"], "dark", "{seen}");
    assert_eq!(dark["svgs"], serde_json::json!(["lore-diagram-2"]), "drawn again: {seen}");
    assert_eq!(light["nodeFill"], "rgb(236, 236, 255)", "mermaid's light theme: {seen}");
    assert_eq!(dark["nodeFill"], "rgb(31, 32, 32)", "mermaid's dark theme: {seen}");
    let source = &light["sources"][0];
    assert_eq!(source["hidden"], true, "{seen}");
    assert!(source["text"].as_str().unwrap().starts_with("flowchart TB\n"), "{seen}");
    let root = page_url(site, "");
    for request in seen["requests"].as_array().unwrap() {
        assert!(request.as_str().unwrap().starts_with(&root), "a request left the site: {request}");
    }
    let script = seen["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.as_str().unwrap().contains("/assets/mermaid.min."));
    assert_eq!(script.count(), 1, "{seen}");
    assert_eq!(seen["errors"], serde_json::json!([]), "{seen}");
    // A page without a diagram never loads the script.
    let other = dump_dom(chromium, &page_url(site, "architecture/index.html"));
    assert!(!other.contains("mermaid.min."), "a page without a diagram loads no diagram script");
}

/// Issue 12, diagrams: page text is untrusted. Markup in a diagram's labels is drawn as text
/// (never an element), no handler or `javascript:` link is bound, and a diagram's own
/// `%%{init}%%` cannot lower the security level or turn HTML labels back on.
fn issue_12_diagram_text_never_runs(chromium: &Path, _site: &Path) {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-hostile-diagram");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(root.join("book.toml"), "[book]\ntitle = \"Hostile\"\n").unwrap();
    std::fs::write(
        root.join("src/README.md"),
        "# Home\n\n```mermaid\n\
         %%{init: {\"securityLevel\": \"loose\", \"htmlLabels\": true, \"flowchart\": {\"htmlLabels\": true}}}%%\n\
         flowchart LR\n\
         \x20 A[\"<img src=x onerror='window.__lorePwned=1'>\"] --> B[\"<script>window.__lorePwned=2</script>\"]\n\
         \x20 B --> C[\"<a href='javascript:window.__lorePwned=4'>c</a>\"]\n\
         \x20 click A call pwn()\n\
         \x20 click B href \"javascript:window.__lorePwned=3\"\n```\n",
    )
    .unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_lore")).args(["build", "-q"]).arg(&root).status().unwrap();
    assert!(status.success(), "lore build failed");
    let seen = diagram_page(chromium, &page_url(&root.join("book"), "index.html"), "diagram-hostile");
    assert_eq!(seen["light"]["svgs"], serde_json::json!(["lore-diagram-1"]), "still drawn: {seen}");
    assert_eq!(seen["elements"], 0, "markup in labels became elements: {seen}");
    assert_eq!(seen["pwned"], false, "{seen}");
    for link in seen["links"].as_array().unwrap() {
        assert!(!link.as_str().unwrap().contains("javascript:"), "{seen}");
    }
    assert_eq!(seen["errors"], serde_json::json!([]), "{seen}");
}

/// Every page type the example site has, for the accessibility checks: (name, path in the
/// site, action). A new page type is one line. The action `search:QUERY` opens the search panel
/// with `/` and types QUERY first. Alert redirects (`alerts/<Name>/`) are left out: they forward
/// to their runbook at once, which is checked.
const PAGE_TYPES: &[(&str, &str, &str)] = &[
    ("home", "index.html", ""),
    ("plain page", "glossary/", ""),
    ("page with callouts and tables", "how-to-write-runbooks/", ""),
    ("page with a diagram", "architecture/overview/", ""),
    ("runbook", "runbooks/postgres-primary-failover/", ""),
    ("ADR", "adr/0003-use-postgresql-for-the-order-store/", ""),
    ("superseded ADR", "adr/0002-use-rabbitmq-for-domain-events/", ""),
    ("decision log", "adr/", ""),
    ("onboarding path", "onboarding/backend-engineer/", ""),
    ("step page", "onboarding/dev-environment/", ""),
    ("folder listing", "onboarding/", ""),
    ("freshness dashboard", "freshness/", ""),
    ("taxonomy index", "tags/", ""),
    ("taxonomy value", "tags/architecture/", ""),
    ("owner index", "owners/", ""),
    ("owner page", "owners/payments-team/", ""),
    ("services index", "services/", ""),
    ("service page", "services/payments/", ""),
    ("severity page", "severities/critical/", ""),
    ("alerts page", "alerts/", ""),
    ("404 page", "no/such/page/", ""),
    ("search panel with results", "index.html", "search:failover"),
];

/// Issue 17: axe-core finds no violation of WCAG 2.0/2.1 A and AA or of its best practices on
/// any page type, in the light and the dark theme, at 1280 and 390 px, with no rule disabled
/// and no element excluded. A failure lists each violation with its page, theme, width, rule,
/// message and the selector of every element.
fn issue_17_every_page_type_passes_axe(chromium: &Path, site: &Path) {
    let pages =
        serde_json::to_string(&PAGE_TYPES.iter().map(|(n, p, a)| [n, p, a]).collect::<Vec<_>>()).unwrap();
    let shots = screenshot_prefix("axe");
    let mut args: Vec<&OsStr> = vec![chromium.as_os_str(), site.as_os_str(), OsStr::new(&pages)];
    args.extend(shots.as_deref().map(Path::as_os_str));
    let stdout = run_script("axe-core", "axe.js", &args);
    let result: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(result["checks"], PAGE_TYPES.len() * 4, "{result}");
    let mut report = String::new();
    for v in result["violations"].as_array().unwrap() {
        report.push_str(&format!(
            "{} ({}), {} theme, {} px: {} [{}]: {}\n",
            v["page"].as_str().unwrap(),
            v["path"].as_str().unwrap(),
            v["theme"].as_str().unwrap(),
            v["width"],
            v["rule"].as_str().unwrap(),
            v["impact"].as_str().unwrap_or(""),
            v["help"].as_str().unwrap()
        ));
        for node in v["nodes"].as_array().unwrap() {
            let summary = node["summary"].as_str().unwrap_or("").replace('\n', " ");
            report.push_str(&format!("    {}: {summary}\n", node["target"].as_str().unwrap()));
        }
    }
    assert!(report.is_empty(), "axe-core found violations:\n{report}");
    assert_eq!(result["errors"], serde_json::json!([]), "{result}");
}

/// Issue 17: the site works from the keyboard alone (`tests/browser/keyboard.js`): focus is
/// visible at every Tab stop of a runbook and an onboarding path at both widths; `/` opens
/// search, the arrow keys move through results, Escape closes the panel and returns focus,
/// Enter opens the active result; Space ticks an onboarding step, Enter switches the theme; at
/// phone width Enter opens the sidebar with focus on the current page, and Escape closes it
/// with focus back on its button.
fn issue_17_keyboard_only(chromium: &Path, site: &Path) {
    let stdout = run_script("keyboard", "keyboard.js", &[chromium.as_os_str(), site.as_os_str()]);
    let seen: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(seen["unseen"], serde_json::json!([]), "Tab stops without a visible focus: {seen}");
    for (page, at_least) in
        [("runbooks/postgres-primary-failover/", 40), ("onboarding/backend-engineer/", 30)]
    {
        for width in [1280, 390] {
            let stops = seen[format!("stops {page} {width}")].as_u64().unwrap();
            assert!(stops >= at_least, "{page} at {width} px: only {stops} Tab stops: {seen}");
        }
    }
    assert_eq!(seen["checkbox"], "Done: Access and accounts", "{seen}");
    assert_eq!(seen["ticked"], true, "{seen}");
    assert_eq!(seen["progress"], "1 of 17 done · about 95 h left", "{seen}");
    assert_eq!(seen["theme"], serde_json::json!(["light", "dark"]), "{seen}");
    assert_eq!(seen["navOpen"], serde_json::json!([true, "true"]), "{seen}");
    assert_eq!(seen["navFocus"], serde_json::json!([true, true]), "focus on the current page: {seen}");
    assert_eq!(seen["navNext"], true, "Tab stays in the sidebar: {seen}");
    assert_eq!(seen["navClosed"], serde_json::json!([false, true]), "{seen}");
    assert_eq!(seen["slash"], true, "{seen}");
    assert_eq!(
        seen["active"],
        serde_json::json!({"index": 1, "selected": "true", "expanded": "true", "focus": true})
    );
    assert_eq!(seen["escape"], serde_json::json!([true, "false", true]), "closed, focus returned: {seen}");
    let opened = seen["opened"].as_array().unwrap();
    assert_eq!(opened[0], opened[1], "Enter opens the active result: {seen}");
    assert!(opened[1].as_str().unwrap().contains('#'), "a section result: {seen}");
    assert_eq!(seen["errors"], serde_json::json!([]), "{seen}");
}

/// Issue 17, under emulated media (`tests/browser/media.js`; with `LORE_SCREENSHOTS` it saves
/// what it saw): `prefers-reduced-motion` turns every transition off (the sidebar slides
/// without it); `forced-colors` leaves no badge, status, freshness dot or callout without a
/// border; a stale runbook prints its header (service, owner, last verified) and its freshness
/// banner, and under print no element is wider than an A4 page, nor is any code block clipped,
/// even with a 400-character token in a command, in inline code and in a table cell.
fn issue_17_reduced_motion_forced_colors_and_print(chromium: &Path, site: &Path) {
    let mut args: Vec<&OsStr> = vec![chromium.as_os_str(), site.as_os_str()];
    let shots = screenshot_prefix("media");
    if let Some(dir) = &shots {
        std::fs::create_dir_all(dir).unwrap();
    }
    args.extend(shots.as_deref().map(Path::as_os_str));
    let stdout = run_script("media emulation", "media.js", &args);
    let seen: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let moving: Vec<&str> = seen["motion"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    assert!(moving.contains(&"runbooks/postgres-primary-failover/ nav.sidebar"), "{seen}");
    assert_eq!(seen["reducedMotion"], serde_json::json!([]), "transitions left under reduced motion: {seen}");
    assert_eq!(seen["forcedColors"], true, "{seen}");
    assert!(seen["checked"].as_u64().unwrap() > 20, "{seen}");
    assert_eq!(seen["borderless"], serde_json::json!([]), "no border under forced colours: {seen}");
    let header = seen["printHeader"]["text"].as_str().unwrap();
    for part in
        ["SERVICE\nkafka\n", "OWNER\nstreaming-platform\n", "LAST VERIFIED\n2025-11-14 by tomasz.wojcik\n"]
    {
        assert!(header.contains(part), "the printed header lacks {part:?}: {seen}");
    }
    let banner = seen["printHeader"]["banner"].as_str().unwrap();
    assert!(banner.starts_with("Stale Last verified "), "the printed freshness state: {seen}");
    for (page, wide) in seen["tooWide"].as_object().unwrap() {
        assert_eq!(wide["page"], 718, "{seen}");
        assert_eq!(wide["wide"], serde_json::json!([]), "{page} is wider than the printed page: {seen}");
        assert!(wide["codeBlocks"].as_u64().unwrap() > 5, "{seen}");
    }
    assert_eq!(seen["tooWide"].as_object().unwrap().len(), 2, "{seen}");
    assert_eq!(seen["errors"], serde_json::json!([]), "{seen}");
}
