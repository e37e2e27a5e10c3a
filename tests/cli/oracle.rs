//! The serve oracle: `lore serve` rebuilds only what a change affects, and what it serves must
//! always equal a fresh `lore build` of the same sources (DESIGN.md, "Pipeline and layout").
//!
//! A generated site of 300 pages ([`model`]: runbooks, numbered ADRs, onboarding paths, guides,
//! a `SUMMARY.md`, a snippet several pages include, links between pages, front matter of every
//! kind) is served; a fixed-seed series of 30 changes (edits of bodies, titles and front matter,
//! pages added, deleted and renamed, the snippet and `SUMMARY.md` edited, five changes written
//! at once) is applied, each waited for; then a fresh build of the final sources is compared
//! with the server byte for byte, file by file, and `GET /api/search` with `lore search --json`.
//!
//! Content errors (broken links, front matter that does not parse) do not stop a preview: the
//! series makes some, and the fresh build is `lore build --keep-going` (issue 15).
//!
//! Only two things are set aside: the live-reload script tag serve injects into pages (with
//! the problems it carries for the overlay), and the hashed name of the search head (after an edit, serve's pages keep naming the head they were
//! built with, and the server answers every head name with the newest head).

pub mod model;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::harness::{SiteTest, copy_tree};
use crate::rng::Rng;
use crate::serve::{Events, Server, gunzip, raw_get_bytes};
use model::{Change, ChangeKind, Op, Site};

/// The seed of the sites and of the series; a failure names it.
const SEED: u64 = 20_261_201;
/// The harness's "today" (2026-03-01): freshness is the same in serve and in the fresh build.
const TODAY: &str = "1772323200";
/// What `reload::inject` adds to every served page (no build error, so no overlay text).
const SCRIPT_TAG: &[u8] = b"<script src=\"/__lore/live.js\"></script>";
/// What serve injects before it while the site has content errors.
const PROBLEMS: &[u8] = b"<template id=\"lore-problems-data\">";
const BOOK_TOML: &str =
    "[book]\ntitle = \"Oracle handbook\"\n\n[output.html]\nsite-url = \"https://docs.example/handbook/\"\n";
/// How long one change may take to be served.
const CHANGE_DEADLINE: Duration = Duration::from_secs(60);

/// A site with `SUMMARY.md`: 25 single changes of every kind and a burst of 5.
#[test]
fn serve_ends_byte_identical_to_a_fresh_build_after_thirty_changes() {
    use ChangeKind::*;
    #[rustfmt::skip]
    let singles = [
        Body, Body, Body, Body, Body, Title, Title, Title, Owner, Owner, Tags, Tags, LastVerified,
        LastVerified, Add, Add, Add, Delete, Delete, Delete, Rename, Rename, Rename, Snippet, Summary,
        BrokenLink, BrokenLink, BadFrontMatter,
    ];
    oracle(&Oracle { name: "summary", pages: 300, summary: true, singles: &singles });
}

/// A smaller site without `SUMMARY.md`: navigation is the folder tree ordered by title, so a
/// title change, an add, a delete or a rename changes the sidebar of every page.
#[test]
fn serve_with_folder_navigation_ends_byte_identical_to_a_fresh_build() {
    use ChangeKind::*;
    let singles = [
        Body,
        Title,
        Title,
        Owner,
        Tags,
        LastVerified,
        Add,
        Add,
        Delete,
        Rename,
        Rename,
        Snippet,
        BrokenLink,
        BadFrontMatter,
    ];
    oracle(&Oracle { name: "folders", pages: 120, summary: false, singles: &singles });
}

/// One oracle run.
struct Oracle<'a> {
    name: &'a str,
    pages: usize,
    /// With a `SUMMARY.md` (else folder navigation).
    summary: bool,
    /// The single changes, shuffled; a burst of 5 is added.
    singles: &'a [ChangeKind],
}

/// Serves a generated site, applies the series, then compares the server with a fresh build.
fn oracle(o: &Oracle<'_>) {
    let started = Instant::now();
    let mut model = Site::generate(SEED, o.pages, o.summary);
    let site = SiteTest::empty(&format!("oracle-{}", o.name));
    site.write("book.toml", BOOK_TOML);
    for (rel, text) in model.files() {
        site.write(&format!("src/{rel}"), text);
    }
    let server = Server::start_env(&site, &[], &[("SOURCE_DATE_EPOCH", Path::new(TODAY))]);
    let (applied, ever) = serve_series(&server, &site, &mut model, o.singles);
    assert_eq!(applied, o.singles.len() + 5, "every change of the series was applied");
    let served_in = started.elapsed();

    let fresh = SiteTest::empty(&format!("oracle-{}-fresh", o.name));
    fresh.write("book.toml", BOOK_TOML);
    copy_tree(&site.path("src"), &fresh.path("src"));
    // Content errors do not stop a preview: serve equals a build that keeps going past them,
    // which still fails.
    let run = fresh.run(&["build", "--keep-going"]);
    run.code(if model.has_errors() { 2 } else { 0 });
    let pages = model.page_count();
    assert!(
        run.stderr().contains(&format!("built {pages} pages in ")),
        "the fresh build wrote other than the {pages} pages the model has:\n{}",
        run.stderr()
    );
    let built = fresh.files("book");
    assert_same_files(&server, &built, model.has_errors());
    let now = model.urls();
    let stale: Vec<&String> = ever.difference(&now).filter(|url| get(&server, url).0 != 404).collect();
    assert!(stale.is_empty(), "seed {SEED}: pages a fresh build no longer has are still served: {stale:?}");
    for query in model.queries() {
        assert_same_search(&server, &fresh, &query);
    }
    eprintln!(
        "oracle {}: {pages} pages, {applied} changes served in {:.1} s, {} files compared, {:.1} s in all",
        o.name,
        served_in.as_secs_f64(),
        built.len(),
        started.elapsed().as_secs_f64()
    );
}

/// Applies the series to the served site, waiting for each step to be served and checking what
/// it must show; returns how many changes were applied and every page URL there ever was.
fn serve_series(
    server: &Server,
    site: &SiteTest,
    model: &mut Site,
    singles: &[ChangeKind],
) -> (usize, BTreeSet<String>) {
    let started = Instant::now();
    let pid = server.child.id();
    let mut events = server.events();
    settle(pid);
    let mut ever = model.urls();
    let mut applied = 0;
    for (n, kinds) in series(singles).into_iter().enumerate() {
        let generation = generation(server);
        let mut avoid = BTreeSet::new();
        let changes: Vec<Change> = kinds.iter().map(|&k| model.change(k, &mut avoid)).collect();
        applied += changes.len();
        let what = changes.iter().map(|c| c.what.as_str()).collect::<Vec<_>>().join("; ");
        let context = format!("seed {SEED}, step {n} ({what})");
        for change in &changes {
            apply(site, &change.ops);
        }
        wait_for_reload(server, &mut events, generation, &context);
        settle(pid);
        for check in changes.iter().flat_map(|c| &c.checks) {
            let (status, body) = get(server, &check.url);
            let body = String::from_utf8_lossy(&body);
            if check.present {
                assert_eq!(status, 200, "{context}: {} is not served", check.url);
                if let Some(text) = &check.text {
                    assert!(body.contains(text.as_str()), "{context}: {} does not show {text:?}", check.url);
                }
            } else {
                assert_eq!(status, 404, "{context}: {} is still served", check.url);
            }
        }
        ever.extend(model.urls());
        eprintln!("oracle: step {n} at {:.1} s: {what}", started.elapsed().as_secs_f64());
    }
    (applied, ever)
}

/// The steps of the series: the single changes shuffled, and a burst of 5 written at once.
fn series(singles: &[ChangeKind]) -> Vec<Vec<ChangeKind>> {
    use ChangeKind::*;
    let mut rng = Rng::new(SEED + 1);
    let mut steps: Vec<Vec<ChangeKind>> = singles.iter().map(|&k| vec![k]).collect();
    rng.shuffle(&mut steps);
    let mut burst = vec![Body, Title, Add, Delete, Owner];
    rng.shuffle(&mut burst);
    let at = rng.range(2, steps.len() - 2);
    steps.insert(at, burst);
    steps
}

/// Writes, removes and renames files of the site, in order and at once.
pub fn apply(site: &SiteTest, ops: &[Op]) {
    for op in ops {
        match op {
            Op::Write(rel, text) => {
                site.write(rel, text);
            }
            Op::Remove(rel) => {
                site.remove(rel);
            }
            Op::Rename(from, to) => {
                let to = site.path(to);
                std::fs::create_dir_all(to.parent().expect("a parent")).expect("create folders");
                std::fs::rename(site.path(from), to).expect("rename");
            }
        }
    }
}

/// The server's build generation.
fn generation(server: &Server) -> u64 {
    let (_, body) = get(server, "/__lore/status");
    let status: serde_json::Value = serde_json::from_slice(&body).expect("status JSON");
    status["generation"].as_u64().expect("a generation")
}

/// Waits for a reload newer than `generation`; a failed rebuild fails the test with its error.
fn wait_for_reload(server: &Server, events: &mut Events, generation: u64, context: &str) {
    let start = Instant::now();
    loop {
        let (name, data) = events.next_of(&["reload", "failed"]);
        if name == "failed" {
            panic!("{context}: the rebuild failed:\n{data}\nstderr:\n{}", server.stderr_text());
        }
        let v: serde_json::Value = serde_json::from_str(&data).expect("event JSON");
        if v["generation"].as_u64().is_some_and(|g| g > generation) {
            return;
        }
        assert!(start.elapsed() < CHANGE_DEADLINE, "{context}: no reload after {:?}", start.elapsed());
    }
}

/// A GET of `path` from the server: status and body (a chunked body joined).
fn get(server: &Server, path: &str) -> (u16, Vec<u8>) {
    let (status, head, body) = raw_get_bytes(&server.addr, path);
    let chunked = head.lines().any(|l| l.eq_ignore_ascii_case("Transfer-Encoding: chunked"));
    (status, if chunked { dechunk(&body) } else { body })
}

/// The body of a `Transfer-Encoding: chunked` response (tiny_http sends large files so).
fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line = body.windows(2).position(|w| w == b"\r\n").expect("a chunk size line");
        let size =
            std::str::from_utf8(&body[..line]).ok().and_then(|s| usize::from_str_radix(s.trim(), 16).ok());
        let size = size.expect("a hexadecimal chunk size");
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&body[line + 2..line + 2 + size]);
        body = &body[line + 2 + size + 2..];
    }
}

/// Every file of the fresh build, fetched from the server, is byte-identical (after setting
/// aside the injected script and the head's name).
fn assert_same_files(server: &Server, built: &BTreeMap<String, Vec<u8>>, errors: bool) {
    assert!(built.contains_key("index.html") && built.len() > 300, "the build wrote {} files", built.len());
    let mut differ: Vec<(String, String)> = Vec::new();
    for (rel, want) in built {
        let (status, got) = get(server, &format!("/{rel}"));
        if status != 200 {
            differ.push((rel.clone(), format!("the server answers {status}")));
            continue;
        }
        let html = rel.ends_with(".html");
        let got = if html { without_script(&got, errors) } else { got };
        let (want, got) =
            if html { (normalise_head(want), normalise_head(&got)) } else { (want.clone(), got) };
        if want != got {
            differ.push((rel.clone(), first_difference(rel, &want, &got)));
        }
    }
    if let Some((rel, detail)) = differ.first() {
        let names: Vec<&str> = differ.iter().map(|(r, _)| r.as_str()).take(30).collect();
        panic!(
            "seed {SEED}: {} of {} files differ between serve and a fresh build; first `{rel}`:\n{detail}\nall: {names:?}",
            differ.len(),
            built.len()
        );
    }
}

/// A page as built: the script tag serve adds before `</body>` removed, and the problems it
/// carries for the overlay right before the tag (issue 15), checked to be there exactly when
/// the site has content errors.
fn without_script(html: &[u8], errors: bool) -> Vec<u8> {
    let at = html.windows(SCRIPT_TAG.len()).rposition(|w| w == SCRIPT_TAG).expect("serve injects its script");
    let mut start = at;
    if let Some(open) = html[..at].windows(PROBLEMS.len()).rposition(|w| w == PROBLEMS)
        && html[..at].ends_with(b"</template>")
    {
        start = open;
    }
    assert_eq!(start != at, errors, "the problems are carried exactly when the site has errors");
    [&html[..start], &html[at + SCRIPT_TAG.len()..]].concat()
}

/// `search/head.<hash>.json.gz` → `search/head.HASH.json.gz`.
fn normalise_head(bytes: &[u8]) -> Vec<u8> {
    const START: &[u8] = b"search/head.";
    const END: &[u8] = b".json.gz";
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(START) {
            let hash = bytes[i + START.len()..].iter().take_while(|b| b.is_ascii_alphanumeric()).count();
            if hash > 0 && bytes[i + START.len() + hash..].starts_with(END) {
                out.extend_from_slice(b"search/head.HASH.json.gz");
                i += START.len() + hash + END.len();
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// Where two versions of a file first differ, with some context (gzip files unpacked).
fn first_difference(rel: &str, want: &[u8], got: &[u8]) -> String {
    if rel.ends_with(".gz") {
        return format!("(unpacked) {}", first_difference("", &gunzip(want), &gunzip(got)));
    }
    let at = want.iter().zip(got).take_while(|(a, b)| a == b).count();
    let show = |bytes: &[u8]| {
        let from = at.saturating_sub(150);
        let to = (at + 150).min(bytes.len());
        String::from_utf8_lossy(&bytes[from..to]).into_owned()
    };
    format!(
        "at byte {at} ({} bytes built, {} served)\n--- fresh build\n{}\n--- serve\n{}\n---",
        want.len(),
        got.len(),
        show(want),
        show(got)
    )
}

/// `GET /api/search` answers as `lore search --json` on the fresh build: the same pages, in the
/// same order, with the same sections, snippets and scores.
fn assert_same_search(server: &Server, fresh: &SiteTest, query: &str) {
    let (status, body) = get(server, &format!("/api/search?q={}&limit=100", query.replace(' ', "+")));
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let served: serde_json::Value = serde_json::from_slice(&body).expect("search JSON");
    let run = fresh.run(&["search", "--json", "--limit", "100", query]);
    run.success();
    let built: serde_json::Value = serde_json::from_str(run.stdout()).expect("lore search JSON");
    let found = built["pages"].as_array().map_or(0, Vec::len);
    assert!((1..100).contains(&found), "query {query:?} finds {found} pages: choose words fewer pages use");
    assert_eq!(served, built, "seed {SEED}: query {query:?}: other pages, another order or other details");
}

/// How long the server must stay idle to count as done.
const QUIET: Duration = Duration::from_millis(250);
const SAMPLE: Duration = Duration::from_millis(10);

/// Waits until every thread of the server has been asleep for [`QUIET`]: the rebuild after a
/// reload event, the rest of the site and the search export are then done. Reads each thread's
/// state and run time from `/proc`, so a server starved of CPU on a busy machine (its threads
/// runnable) never counts as idle.
#[cfg(target_os = "linux")]
fn settle(pid: u32) {
    let start = Instant::now();
    let mut last = threads(pid);
    let mut quiet = Instant::now();
    while quiet.elapsed() < QUIET {
        std::thread::sleep(SAMPLE);
        let now = threads(pid);
        let busy = now.iter().any(|(tid, (state, ran))| {
            let before = last.get(tid).map_or(0, |(_, r)| *r);
            matches!(state, 'R' | 'D') || ran.saturating_sub(before) > 1_000_000
        });
        if busy {
            quiet = Instant::now();
        }
        last = now;
        assert!(start.elapsed() < CHANGE_DEADLINE, "the server never became idle");
    }
}

/// Without `/proc`, a generous pause.
#[cfg(not(target_os = "linux"))]
fn settle(_pid: u32) {
    std::thread::sleep(Duration::from_secs(2));
}

/// Each thread of `pid`: its state letter and the nanoseconds it has run.
#[cfg(target_os = "linux")]
fn threads(pid: u32) -> BTreeMap<u32, (char, u64)> {
    let mut out = BTreeMap::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else { return out };
    for task in tasks.filter_map(Result::ok) {
        let Ok(tid) = task.file_name().to_string_lossy().parse::<u32>() else { continue };
        // A thread may end between the listing and the reads.
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else { continue };
        let state = stat.rsplit_once(") ").and_then(|(_, rest)| rest.chars().next()).unwrap_or('?');
        let ran = std::fs::read_to_string(task.path().join("schedstat"))
            .ok()
            .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse().ok()))
            .unwrap_or(0);
        out.insert(tid, (state, ran));
    }
    out
}

#[test]
fn head_names_are_set_aside_and_nothing_else() {
    assert_eq!(
        normalise_head(b"<div data-search-head=\"../search/head.0a1b2c3d.json.gz\"> search/head.x.js"),
        b"<div data-search-head=\"../search/head.HASH.json.gz\"> search/head.x.js"
    );
    assert_eq!(
        without_script(b"<p>x</p><script src=\"/__lore/live.js\"></script></body>", false),
        b"<p>x</p></body>"
    );
    let with_problems = b"<p>x</p><template id=\"lore-problems-data\">{}</template><script src=\"/__lore/live.js\"></script></body>";
    assert_eq!(without_script(with_problems, true), b"<p>x</p></body>");
}
