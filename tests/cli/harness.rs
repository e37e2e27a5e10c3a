//! The test harness: a [`SiteTest`] is a site in a fresh folder under `CARGO_TARGET_TMPDIR`,
//! made from a fixture (`tests/fixtures/<area>/<case>/`) or from files written inline; `run`
//! executes the real `lore` binary in it and returns a [`Run`] with chained assertions.
//!
//! Every command runs with the site as its working folder, so the paths lore prints are
//! relative (`src/runbooks/db.md:3:1`). Output is compared after [`redact`]: the site's
//! absolute path becomes `[ROOT]` and build times become `[TIME]`.
//!
//! Set `LORE_TEST_KEEP=1` to keep the folders of a run for inspection.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Where the fixtures live.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A site in a temporary folder.
pub struct SiteTest {
    dir: tempfile::TempDir,
    build_dir: String,
}

impl SiteTest {
    /// An empty folder (no `book.toml`, no source folder).
    pub fn empty(name: &str) -> Self {
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        std::fs::create_dir_all(tmp).expect("create CARGO_TARGET_TMPDIR");
        let mut dir = tempfile::Builder::new()
            .prefix(&format!("{}-", name.replace('/', "-")))
            .tempdir_in(tmp)
            .expect("create a temporary folder");
        if std::env::var_os("LORE_TEST_KEEP").is_some() {
            dir.disable_cleanup(true);
            eprintln!("keeping {}", dir.path().display());
        }
        Self { dir, build_dir: "book".to_owned() }
    }

    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> Self {
        let site = Self::empty(name);
        site.overlay(name);
        site
    }

    /// Copies the files of `tests/fixtures/<name>` into the site, replacing files of the same
    /// name (the broken sites under `invalid/` are overlays on a good one).
    pub fn overlay(&self, name: &str) -> &Self {
        let from = fixtures_dir().join(name);
        assert!(from.is_dir(), "no fixture at {}", from.display());
        copy_tree(&from, self.root());
        self
    }

    /// The build folder `page`, `no_file` and friends look in (default `book`).
    pub fn with_build_dir(mut self, rel: &str) -> Self {
        self.build_dir = rel.to_owned();
        self
    }

    /// The site's folder.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// `rel` inside the site.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    /// Writes a file (creating folders), replacing any file of that name.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> &Self {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().expect("a file has a parent")).expect("create folders");
        std::fs::write(&path, contents).unwrap_or_else(|e| panic!("write {rel}: {e}"));
        self
    }

    /// Appends to a file.
    pub fn append(&self, rel: &str, text: &str) -> &Self {
        let mut contents = self.read(rel);
        contents.push_str(text);
        self.write(rel, contents)
    }

    /// Removes a file.
    pub fn remove(&self, rel: &str) -> &Self {
        std::fs::remove_file(self.path(rel)).unwrap_or_else(|e| panic!("remove {rel}: {e}"));
        self
    }

    /// A file of the site as text.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// Every file under `rel` (the whole site for `""`), by path relative to `rel`, with its
    /// bytes. Use it to prove a command changed nothing.
    pub fn files(&self, rel: &str) -> BTreeMap<String, Vec<u8>> {
        let mut out = BTreeMap::new();
        collect_files(&self.path(rel), "", &mut out);
        out
    }

    /// Runs `lore ARGS` in the site's folder.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_in("", args)
    }

    /// Runs `lore ARGS` in the folder `rel` of the site.
    pub fn run_in(&self, rel: &str, args: &[&str]) -> Run {
        self.run_wrapped(&[], rel, args)
    }

    /// Runs `WRAPPER… lore ARGS` in the folder `rel` of the site (`setpriv …` to run as
    /// another user, for instance).
    pub fn run_wrapped(&self, wrapper: &[&str], rel: &str, args: &[&str]) -> Run {
        self.guard_against_ancestor_config(args);
        let lore = env!("CARGO_BIN_EXE_lore");
        let mut command = match wrapper.split_first() {
            Some((program, rest)) => {
                let mut c = Command::new(program);
                c.args(rest).arg(lore);
                c
            }
            None => Command::new(lore),
        };
        let output = command
            .args(args)
            .current_dir(self.path(rel))
            .env_remove("RUST_LOG")
            .env("RUST_BACKTRACE", "0")
            .env("NO_COLOR", "1")
            // Freshness depends on "today": every test runs on 2026-03-01 unless it passes `--today`.
            .env("SOURCE_DATE_EPOCH", "1772323200")
            .output()
            .expect("run lore");
        Run::new(self, args, &output)
    }

    /// The temporary folders live inside this repository, whose own `book.toml` lore would find
    /// by walking up. A test of a site without `book.toml` must name the folder explicitly.
    fn guard_against_ancestor_config(&self, args: &[&str]) {
        let command = args.iter().find(|a| !a.starts_with('-'));
        let names_a_folder =
            args.iter().skip_while(|a| a.starts_with('-')).skip(1).any(|a| !a.starts_with('-'));
        let needs_config = matches!(command, Some(&"build" | &"check"));
        assert!(
            !needs_config || names_a_folder || self.path("book.toml").is_file(),
            "this site has no book.toml: pass its folder (`lore {} .`), or lore finds the \
             repository's own book.toml",
            command.unwrap_or(&"")
        );
    }
}

/// What one run of `lore` did.
pub struct Run {
    args: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
    out: PathBuf,
}

impl Run {
    fn new(site: &SiteTest, args: &[&str], output: &Output) -> Self {
        let root = site.root();
        Self {
            args: args.join(" "),
            code: output.status.code(),
            stdout: redact(&String::from_utf8_lossy(&output.stdout), root),
            stderr: redact(&String::from_utf8_lossy(&output.stderr), root),
            out: root.join(&site.build_dir),
        }
    }

    fn context(&self) -> String {
        format!(
            "`lore {}` exited with {:?}\n--- stdout\n{}--- stderr\n{}---",
            self.args, self.code, self.stdout, self.stderr
        )
    }

    /// Exit code 0.
    #[track_caller]
    pub fn success(&self) -> &Self {
        self.code(0)
    }

    /// Exit code `n` (101, a panic, is never what a test expects).
    #[track_caller]
    pub fn code(&self, n: i32) -> &Self {
        assert_eq!(self.code, Some(n), "{}", self.context());
        self
    }

    /// The redacted stdout.
    pub fn stdout(&self) -> &str {
        &self.stdout
    }

    /// The redacted stderr.
    pub fn stderr(&self) -> &str {
        &self.stderr
    }

    /// stderr is exactly `expected` (after redaction).
    #[track_caller]
    pub fn stderr_eq(&self, expected: &str) -> &Self {
        if self.stderr != expected {
            panic!(
                "stderr of `lore {}` differs\n--- expected\n{expected}--- actual\n{}---",
                self.args, self.stderr
            );
        }
        self
    }

    /// stderr contains `part`.
    #[track_caller]
    pub fn stderr_contains(&self, part: &str) -> &Self {
        assert!(self.stderr.contains(part), "expected {part:?} in\n{}", self.context());
        self
    }

    /// stdout is exactly `expected` (after redaction).
    #[track_caller]
    pub fn stdout_eq(&self, expected: &str) -> &Self {
        if self.stdout != expected {
            panic!(
                "stdout of `lore {}` differs\n--- expected\n{expected}--- actual\n{}---",
                self.args, self.stdout
            );
        }
        self
    }

    /// Nothing on stdout (lore prints everything to stderr).
    #[track_caller]
    pub fn stdout_empty(&self) -> &Self {
        assert_eq!(self.stdout, "", "{}", self.context());
        self
    }

    /// The first line of every diagnostic (`path:line:col: error: message`), in order.
    pub fn diagnostics(&self) -> Vec<String> {
        self.stderr.lines().filter(|l| is_diagnostic_line(l)).map(str::to_owned).collect()
    }

    /// The contents of `rel` in the build folder.
    #[track_caller]
    pub fn page(&self, rel: &str) -> String {
        let path = self.out.join(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            let mut found = BTreeMap::new();
            collect_files(&self.out, "", &mut found);
            panic!(
                "cannot read {rel} in the build folder: {e}\nthe build folder holds:\n  {}",
                found.keys().cloned().collect::<Vec<_>>().join("\n  ")
            )
        })
    }

    /// The `<main …>…</main>` region of page `rel`, for snapshots.
    #[track_caller]
    pub fn main_of(&self, rel: &str) -> String {
        main_region(&self.page(rel)).unwrap_or_else(|| panic!("{rel} has no <main> element")).to_owned()
    }

    /// `rel` exists in the build folder.
    #[track_caller]
    pub fn file(&self, rel: &str) -> &Self {
        assert!(self.out.join(rel).is_file(), "expected {rel} in the build folder");
        self
    }

    /// `rel` does not exist in the build folder.
    #[track_caller]
    pub fn no_file(&self, rel: &str) -> &Self {
        assert!(!self.out.join(rel).exists(), "expected no {rel} in the build folder");
        self
    }
}

/// `path:line:col: error: …` or `path:line:col: warning: …`.
fn is_diagnostic_line(line: &str) -> bool {
    let Some((place, _)) = line.split_once(": error: ").or_else(|| line.split_once(": warning: ")) else {
        return false;
    };
    let mut parts = place.rsplitn(3, ':');
    let col = parts.next().unwrap_or("");
    let row = parts.next().unwrap_or("");
    !col.is_empty()
        && col.bytes().all(|b| b.is_ascii_digit())
        && !row.is_empty()
        && row.bytes().all(|b| b.is_ascii_digit())
}

/// The `<main …>…</main>` element of an HTML page.
pub fn main_region(html: &str) -> Option<&str> {
    let start = html.find("<main")?;
    let end = html[start..].find("</main>")? + start + "</main>".len();
    Some(&html[start..end])
}

/// Replaces the site's absolute path with `[ROOT]` and `in 0.03 s` with `in [TIME] s`.
pub fn redact(text: &str, root: &Path) -> String {
    let mut text = text.to_owned();
    let mut roots = vec![root.to_path_buf()];
    if let Ok(canonical) = root.canonicalize() {
        roots.insert(0, canonical);
    }
    for r in roots {
        text = text.replace(&r.display().to_string(), "[ROOT]");
    }
    redact_times(&text)
}

/// `in 0.03 s` → `in [TIME] s`.
fn redact_times(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(" in ") {
        out.push_str(&rest[..i + 4]);
        rest = &rest[i + 4..];
        let number = rest.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
        if number > 0 && rest[number..].starts_with(" s") {
            out.push_str("[TIME]");
            rest = &rest[number..];
        }
    }
    out.push_str(rest);
    out
}

/// Copies a folder's files into `to`, reading and writing bytes so read-only sources (the
/// corpora) give writable copies.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    let mut entries: Vec<_> = std::fs::read_dir(from)
        .unwrap_or_else(|e| panic!("read {}: {e}", from.display()))
        .map(|e| e.expect("read folder entry"))
        .collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let target = to.join(entry.file_name());
        let kind = entry.file_type().expect("file type");
        if kind.is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            let bytes = std::fs::read(entry.path())
                .unwrap_or_else(|e| panic!("read {}: {e}", entry.path().display()));
            std::fs::write(&target, bytes).expect("write a copied file");
        }
    }
}

fn collect_files(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Vec<u8>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let entry = entry.expect("read folder entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
        let kind = entry.file_type().expect("file type");
        if kind.is_dir() {
            collect_files(&entry.path(), &rel, out);
        } else if kind.is_symlink() {
            let target = std::fs::read_link(entry.path()).expect("read link");
            out.insert(rel, format!("-> {}", target.display()).into_bytes());
        } else {
            // An unreadable file still counts; its contents are unknown.
            out.insert(rel, std::fs::read(entry.path()).unwrap_or_default());
        }
    }
}

#[test]
fn redacts_times_and_roots() {
    let root = Path::new("/tmp/site-x");
    assert_eq!(
        redact("built 3 pages in 0.03 s → /tmp/site-x/book/\nbuilt 1 page in 12 s", root),
        "built 3 pages in [TIME] s → [ROOT]/book/\nbuilt 1 page in [TIME] s"
    );
    assert_eq!(redact("found in it", root), "found in it");
}

#[test]
fn recognises_diagnostic_lines() {
    assert!(is_diagnostic_line("src/a.md:3:1: error: x"));
    assert!(is_diagnostic_line("book.toml:2:1: warning: y"));
    assert!(!is_diagnostic_line("error: found 1 error"));
    assert!(!is_diagnostic_line(" 3 | error: in a source line"));
}
