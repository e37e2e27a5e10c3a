//! Mutation: real third-party markdown (the corpora in `$LORE_CORPORA`, see `corpora`) damaged
//! the ways files get damaged — cut off at any byte (inside a UTF-8 sequence, inside front
//! matter), a chunk of another file spliced in, bytes flipped, `---` lines doubled, `{{#include`
//! fragments inserted — must never make `lore build` or `lore check` panic, hang or exit above
//! 2, and a build that fails must leave the previous site exactly as it was (DESIGN.md, "Bad
//! input"; the build is all-or-nothing).
//!
//! Everything comes from one seed and the number of rounds is fixed, so every run tries the
//! same mutations; a failure names the seed, the round, the file and the exact mutation (byte
//! offsets included), enough to reproduce it by hand. Set `LORE_TEST_KEEP=1` to keep the site;
//! `LORE_MUTATION_SEED` and `LORE_MUTATION_ROUNDS` explore other series (by hand, not in CI).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::SiteTest;
use crate::rng::Rng;

const SEED: u64 = 424_242;
/// Mutated variants built and checked; each costs two runs of `lore` on a site of a dozen pages.
const ROUNDS: usize = 24;
/// Corpus files per corpus in the site.
const PER_CORPUS: usize = 3;
/// A run of `lore` that takes longer has hung.
const RUN_DEADLINE: Duration = Duration::from_secs(60);

#[test]
fn mutated_corpus_files_never_panic_and_failed_builds_keep_the_previous_site() {
    let Some(corpora) = crate::corpora::corpora() else { return };
    let started = Instant::now();
    let number = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    let seed = number("LORE_MUTATION_SEED").unwrap_or(SEED);
    let rounds = number("LORE_MUTATION_ROUNDS").map_or(ROUNDS, |n| n as usize);
    let all = markdown_files(&corpora, "");
    assert!(all.len() > 50, "the corpora hold {} markdown files", all.len());
    let mut rng = Rng::new(seed);
    let site = clean_site(&all, &mut rng);
    let pages: Vec<String> = site.files("src").into_keys().filter(|p| p.ends_with(".md")).collect();
    let logs = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("a folder for output");
    let mut failed_builds = 0;
    for round in 0..rounds {
        let target = format!("src/{}", rng.pick(&pages));
        let original = std::fs::read(site.path(&target)).expect("read a page");
        let name = target.rsplit('/').next().unwrap_or(&target);
        let (mutated, what) = mutate(&mut rng, name, &original, &all);
        let context = format!("seed {seed}, round {round}, `{target}`: {what}: ");
        site.write(&target, &mutated);
        let before = site.files("book");
        let build = run(&site, "build", logs.path(), &context);
        eprintln!("{context}build exited with {build}");
        if build == 2 {
            failed_builds += 1;
            crate::invalid::assert_previous_site_kept(&site, &before, &context);
        }
        let before = site.files("book");
        run(&site, "check", logs.path(), &context);
        assert!(site.files("book") == before, "{context}`lore check` changed the build folder");
        site.write(&target, &original);
    }
    // A series in which nothing fails would not test the failure path.
    assert!(failed_builds > rounds / 10, "only {failed_builds} of {rounds} mutated builds failed");
    eprintln!(
        "mutation: {rounds} variants, {failed_builds} failed builds, {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// Every markdown file under `dir` (its path relative to the corpora folder, and its bytes),
/// in a fixed order.
fn markdown_files(dir: &Path, prefix: &str) -> Vec<(String, Vec<u8>)> {
    let mut entries: Vec<_> = std::fs::read_dir(dir.join(prefix))
        .expect("read a corpus folder")
        .map(|e| e.expect("a folder entry"))
        .collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    let mut out = Vec::new();
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() { name.clone() } else { format!("{prefix}/{name}") };
        if entry.file_type().expect("a file type").is_dir() {
            out.extend(markdown_files(dir, &rel));
        } else if name.ends_with(".md") && name != "SUMMARY.md" && !prefix.is_empty() {
            // (Files at the top are the corpora's own README, not a corpus.)
            out.push((rel, std::fs::read(entry.path()).expect("read a corpus file")));
        }
    }
    out
}

/// A site of a few files of each corpus, at their corpus paths under `src/`, that builds: files
/// whose problems are errors (includes whose targets were not copied) are left out, and broken
/// links are warnings.
fn clean_site(all: &[(String, Vec<u8>)], rng: &mut Rng) -> SiteTest {
    let site = SiteTest::empty("mutation");
    // The site is its own content root, as a checkout is.
    std::fs::create_dir(site.path(".git")).expect("create .git");
    site.write("book.toml", "[book]\ntitle = \"Mutants\"\n\n[check]\nbroken-links = \"warn\"\n");
    site.write("src/README.md", "# Mutants\n\nCorpus files, damaged one at a time.\n");
    let corpora: std::collections::BTreeSet<&str> =
        all.iter().map(|(rel, _)| rel.split('/').next().unwrap_or("")).collect();
    for corpus in corpora {
        let files: Vec<&(String, Vec<u8>)> = all.iter().filter(|(rel, _)| rel.starts_with(corpus)).collect();
        for _ in 0..PER_CORPUS {
            let (rel, bytes) = *rng.pick(&files);
            site.write(&format!("src/{rel}"), bytes);
        }
    }
    let run = site.run(&["build"]);
    for line in run.diagnostics().iter().filter(|d| d.contains(": error: ")) {
        let file = line.split(':').next().unwrap_or("");
        if site.path(file).is_file() {
            std::fs::remove_file(site.path(file)).expect("remove a file with errors");
        }
    }
    site.run(&["build"]).success();
    site
}

/// Runs `lore COMMAND` in the site with the harness's environment and asserts it neither
/// panicked, nor hung, nor was killed, nor exited above 2; returns the exit code.
fn run(site: &SiteTest, command: &str, logs: &Path, context: &str) -> i32 {
    let (out, err) = (logs.join("stdout"), logs.join("stderr"));
    let file = |p: &Path| std::fs::File::create(p).expect("create an output file");
    let mut child = Command::new(env!("CARGO_BIN_EXE_lore"))
        .arg(command)
        .current_dir(site.root())
        .env_remove("RUST_LOG")
        .env("RUST_BACKTRACE", "1")
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1772323200")
        .stdin(Stdio::null())
        .stdout(file(&out))
        .stderr(file(&err))
        .spawn()
        .expect("run lore");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for lore") {
            break status;
        }
        if start.elapsed() > RUN_DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{context}`lore {command}` still runs after {RUN_DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stderr = String::from_utf8_lossy(&std::fs::read(&err).unwrap_or_default()).into_owned();
    let code = status.code();
    assert!(
        code != Some(101) && !stderr.contains("panicked"),
        "{context}`lore {command}` panicked:\n{stderr}"
    );
    let code = code.unwrap_or_else(|| panic!("{context}`lore {command}` was killed: {status}\n{stderr}"));
    assert!((0..=2).contains(&code), "{context}`lore {command}` exited with {code}:\n{stderr}");
    code
}

/// One or two mutations of `text`, and what they were, exactly.
/// `name` is the file's own name (a page may include itself).
fn mutate(rng: &mut Rng, name: &str, text: &[u8], all: &[(String, Vec<u8>)]) -> (Vec<u8>, String) {
    let (once, what) = mutate_once(rng, name, text, all);
    if rng.chance(25) {
        let (twice, then) = mutate_once(rng, name, &once, all);
        return (twice, format!("{what}, then {then}"));
    }
    (once, what)
}

fn mutate_once(rng: &mut Rng, name: &str, text: &[u8], all: &[(String, Vec<u8>)]) -> (Vec<u8>, String) {
    match rng.below(6) {
        0 => {
            let at = rng.below(text.len() + 1);
            (text[..at].to_vec(), format!("truncated at byte {at}"))
        }
        1 => truncate_inside(rng, text),
        2 => {
            let (from, other) = rng.pick(all);
            let start = rng.below(other.len());
            let end = (start + rng.range(1, 400)).min(other.len());
            let at = rng.below(text.len() + 1);
            let out = [&text[..at], &other[start..end], &text[at..]].concat();
            (out, format!("bytes {start}..{end} of corpus file `{from}` inserted at byte {at}"))
        }
        3 => {
            let mut out = text.to_vec();
            let mut flips = Vec::new();
            for _ in 0..rng.range(1, 8) {
                if out.is_empty() {
                    break;
                }
                let at = rng.below(out.len());
                let mask = u8::try_from(rng.range(1, 255)).expect("a byte");
                out[at] ^= mask;
                flips.push(format!("{at}^{mask:#04x}"));
            }
            (out, format!("bytes flipped (offset^mask): {}", flips.join(" ")))
        }
        4 => duplicate_rules(rng, text),
        _ => insert_include(rng, name, text),
    }
}

/// Cut inside a UTF-8 sequence when the text has one, else inside the front matter, else anywhere.
fn truncate_inside(rng: &mut Rng, text: &[u8]) -> (Vec<u8>, String) {
    let inside: Vec<usize> = (0..text.len()).filter(|&i| text[i] & 0xC0 == 0x80).collect();
    let front_matter_end = text.starts_with(b"---").then(|| find(text, b"\n---", 3)).flatten();
    if !inside.is_empty() && rng.chance(50) {
        let at = *rng.pick(&inside);
        (text[..at].to_vec(), format!("truncated at byte {at}, inside a UTF-8 sequence"))
    } else if let Some(end) = front_matter_end {
        let at = rng.range(1, end + 2);
        (text[..at].to_vec(), format!("truncated at byte {at}, inside the front matter"))
    } else {
        let at = rng.below(text.len() + 1);
        (text[..at].to_vec(), format!("truncated at byte {at}"))
    }
}

/// Doubles a `---` line (or adds some where the text has none).
fn duplicate_rules(rng: &mut Rng, text: &[u8]) -> (Vec<u8>, String) {
    let starts = line_starts(text);
    let rules: Vec<usize> = starts.iter().copied().filter(|&s| text[s..].starts_with(b"---")).collect();
    let mut out = text.to_vec();
    let mut at_list = Vec::new();
    for _ in 0..rng.range(1, 3) {
        let at = if rules.is_empty() { *rng.pick(&starts) } else { *rng.pick(&rules) };
        at_list.push(at);
    }
    at_list.sort_unstable();
    for &at in at_list.iter().rev() {
        out.splice(at..at, b"---\n".iter().copied());
    }
    (out, format!("`---` lines inserted at bytes {at_list:?}"))
}

/// Fragments of mdBook's include syntax: unclosed, out of range, outside the content root,
/// recursive, empty.
const INCLUDES: &[&str] = &[
    "{{#include",
    "{{#include }}",
    "{{#include ../",
    "{{#include missing.md}}",
    "{{#include ./}}",
    "{{#include /etc/passwd}}",
    "{{#include ../../../../../../etc/hostname}}",
    "{{#include ../../.git/config}}",
    "{{#include README.md:99999999999999999999999}}",
    "{{#include README.md:5:2}}",
    "{{#include README.md::}}",
    "{{#include README.md:anchor}}",
    "{{#rustdoc_include README.md:1}}",
    "{{#include {{#include README.md}}}}",
    "{{#include \u{0}}}",
    "{{#include ü}}",
    "{{#include README.md}}{{#include README.md}}",
    "```\n{{#include ",
];

fn insert_include(rng: &mut Rng, name: &str, text: &[u8]) -> (Vec<u8>, String) {
    let starts = line_starts(text);
    // A page including itself makes a cycle.
    let fragment =
        if rng.chance(15) { format!("{{{{#include {name}}}}}") } else { (*rng.pick(INCLUDES)).to_owned() };
    let at = if rng.chance(70) { *rng.pick(&starts) } else { rng.below(text.len() + 1) };
    let out = [&text[..at], fragment.as_bytes(), b"\n", &text[at..]].concat();
    (out, format!("{fragment:?} inserted at byte {at}"))
}

fn line_starts(text: &[u8]) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1))
        .collect()
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|i| i + from)
}

#[test]
fn mutations_are_exact_and_reproducible() {
    let all = vec![("c/other.md".to_owned(), b"OTHER".to_vec())];
    let text = "---\ntitle: Ünïcode\n---\n# x\n".as_bytes();
    let (a, what_a) = mutate(&mut Rng::new(5), "x.md", text, &all);
    let (b, what_b) = mutate(&mut Rng::new(5), "x.md", text, &all);
    assert_eq!((a, what_a), (b, what_b));
    let (cut, what) = truncate_inside(&mut Rng::new(1), text);
    assert!(what.starts_with("truncated at byte "), "{what}");
    assert!(cut.len() < text.len());
    let (doubled, what) = duplicate_rules(&mut Rng::new(2), text);
    assert!(what.starts_with("`---` lines inserted at bytes ["), "{what}");
    assert_eq!(doubled.len() - text.len(), 4 * (what.matches(',').count() + 1));
}
