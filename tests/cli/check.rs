//! `lore check`: the same checks as `build`, writing nothing. Exit 0 with no errors (warnings
//! allowed), 1 when the content has errors, 2 for a config or usage problem.

use crate::harness::SiteTest;

#[test]
fn a_good_site_passes_and_nothing_is_written() {
    let site = SiteTest::fixture("build/basic");
    let before = site.files("");
    site.run(&["check"])
        .success()
        .stdout_eq(
            "freshness on 2026-03-01: 0 stale, 0 due soon, 1 unverified, 1 fresh, 4 exempt
  unverified  src/runbooks/cache-flush.md:1  never verified (review every 90 days) · owner: platform-team
",
        )
        .stderr_eq("checked 7 pages: no errors\n");
    assert_eq!(site.files(""), before, "check changed the site folder");
}

#[test]
fn content_errors_exit_1_and_nothing_is_written() {
    let site = SiteTest::fixture("build/basic");
    site.write("src/guides/broken.md", "# Broken\n\nSee [the runbook](db-failovr.md).\n");
    let before = site.files("");
    site.run(&["check"]).code(1).stderr_eq(
        "src/guides/broken.md:3:5: error: broken link: `db-failovr.md` does not exist
 3 | See [the runbook](db-failovr.md).
   |     ^
  = hint: links are relative to this file; check the path and its case

error: found 1 error
",
    );
    assert_eq!(site.files(""), before, "check changed the site folder");
}

#[test]
fn warnings_alone_pass() {
    let site = SiteTest::fixture("build/basic");
    site.write("src/notes.md", "---\nownr: someone\n---\n\nNotes.\n");
    site.run(&["check"]).success().stderr_eq(
        "src/notes.md:2:1: warning: unknown key `ownr` in front matter
 2 | ownr: someone
   | ^
  = hint: did you mean `owner`?

checked 8 pages: no errors, 1 warning
",
    );
    site.run(&["-q", "check"]).success().stderr_eq("");
}

#[test]
fn a_config_error_exits_2() {
    let site = SiteTest::fixture("build/basic");
    site.append("book.toml", "\n[check]\nbroken-links = \"ignore\"\n");
    site.run(&["check"]).code(2).stderr_eq(
        "book.toml:9:1: error: unknown `broken-links` value `ignore`
 9 | broken-links = \"ignore\"
   | ^
  = hint: expected `error` or `warn`

error: found 1 error
",
    );
    assert!(!site.path("book").exists());
}

#[test]
fn a_missing_folder_is_a_usage_error() {
    let site = SiteTest::fixture("build/basic");
    site.run(&["check", "nowhere"]).code(2).stderr_eq("error: `nowhere` is not a folder\n");
}

/// Runs `lore ARGS` in `site` with stdout (or stderr) a pipe whose reader is already closed;
/// returns the exit code and what the other stream got.
fn run_into_closed_pipe(site: &SiteTest, args: &[&str], close_stdout: bool) -> (Option<i32>, String) {
    use std::process::{Command, Stdio};
    let mut command = Command::new(env!("CARGO_BIN_EXE_lore"));
    command
        .args(args)
        .current_dir(site.root())
        .env("SOURCE_DATE_EPOCH", "1772323200")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("run lore");
    // Close the reading end before lore writes anything (it builds the site first).
    if close_stdout {
        drop(child.stdout.take());
    } else {
        drop(child.stderr.take());
    }
    let output = child.wait_with_output().expect("wait for lore");
    let other = if close_stdout { &output.stderr } else { &output.stdout };
    (output.status.code(), String::from_utf8_lossy(other).into_owned())
}

/// Issue 10, item 18: `lore search failover | head -1` panicked ("failed printing to stdout:
/// Broken pipe"). A closed stdout or stderr ends every command quietly with exit 0.
#[test]
fn issue_10_a_closed_pipe_ends_quietly() {
    let site = SiteTest::fixture("build/basic");
    site.run(&["build"]).success();
    let stdout_cases: [&[&str]; 5] = [
        &["check"],
        &["check", "--format", "json"],
        &["check", "--format", "github"],
        &["search", "failover"],
        &["search", "failover", "--json"],
    ];
    for args in stdout_cases {
        assert_eq!(
            run_into_closed_pipe(&site, args, true),
            (Some(0), String::new()),
            "lore {args:?} | head -0"
        );
    }
    let stderr_cases: [&[&str]; 3] = [&["check"], &["build"], &["search", "no-such-word"]];
    for args in stderr_cases {
        let (code, _) = run_into_closed_pipe(&site, args, false);
        assert_eq!(code, Some(0), "lore {args:?} 2>&1 | head -0");
    }
    // The commands that write files say what they wrote; a closed pipe does not undo the write.
    let (code, stderr) = run_into_closed_pipe(&site, &["new", "page", "Piped"], true);
    assert_eq!((code, stderr), (Some(0), String::new()), "lore new page Piped | head -0");
    assert!(site.path("src/piped.md").is_file(), "the page is written");
    let (code, stderr) = run_into_closed_pipe(&site, &["verify", "src/piped.md"], true);
    assert_eq!((code, stderr), (Some(0), String::new()), "lore verify src/piped.md | head -0");
    assert!(site.read("src/piped.md").contains("last_verified: 2026-03-01"), "the page is verified");
}

/// Issue 10, item 10: after 50 diagnostics of one kind (severity and message with its quoted
/// parts left out) in one file, one line stands for the rest.
#[test]
fn issue_10_many_diagnostics_of_one_kind_are_summed_up() {
    let site = SiteTest::fixture("build/basic");
    site.append("book.toml", "\n[check]\nbroken-links = \"warn\"\n");
    let mut page = String::from("# Many\n\n");
    for i in 0..60 {
        page.push_str(&format!("[l](missing-{i}.md)\n\n"));
    }
    page.push_str("{{< ref \"a\" >}}\n");
    site.write("src/guides/many.md", &page);
    let mut expected = String::new();
    for i in 0..50 {
        let line = 3 + 2 * i;
        let pad = " ".repeat(line.to_string().len());
        expected.push_str(&format!(
            "src/guides/many.md:{line}:1: warning: broken link: `missing-{i}.md` does not exist
 {line} | [l](missing-{i}.md)
 {pad} | ^
  = hint: links are relative to this file; check the path and its case

"
        ));
    }
    expected.push_str(
        "src/guides/many.md: warning: and 10 more like this

src/guides/many.md:123:1: warning: unsupported Hugo shortcode `ref`, left as text
 123 | {{< ref \"a\" >}}
     | ^
  = hint: replace it with plain markdown (a link, or a callout like `> [!NOTE]`)

summary of 61 problems (0 errors, 61 warnings):
  by kind:
        60  warning  broken link: `…` does not exist
         1  warning  unsupported Hugo shortcode `…`, left as text
  files with the most problems:
        61  src/guides/many.md

checked 9 pages: no errors, 61 warnings
",
    );
    site.run(&["check"]).success().stderr_eq(&expected);

    // The same cap in `--format github` and `markdown`; JSON keeps every entry.
    let github = site.run(&["check", "--format", "github"]);
    let lines: Vec<&str> = github.success().stdout().lines().collect();
    assert_eq!(
        lines[0],
        "::warning file=src/guides/many.md,line=3,col=1::broken link: `missing-0.md` does not exist%0A= hint: links are relative to this file; check the path and its case"
    );
    assert_eq!(lines[50], "::warning file=src/guides/many.md::and 10 more like this");
    assert_eq!(
        lines[51],
        "::warning file=src/guides/many.md,line=123,col=1::unsupported Hugo shortcode `ref`, left as text%0A= hint: replace it with plain markdown (a link, or a callout like `> [!NOTE]`)"
    );
    assert_eq!(lines.iter().filter(|l| l.starts_with("::warning file=src/guides/many.md")).count(), 52);
    let markdown = site.run(&["check", "--format", "markdown"]);
    let text = markdown.success().stdout();
    assert!(text.contains("\n## Problems\n\n- `src/guides/many.md:3:1` warning: broken link: `missing-0.md` does not exist\n"), "{text}");
    assert!(
        text.contains("- `src/guides/many.md:101:1` warning: broken link: `missing-49.md` does not exist\n- `src/guides/many.md` warning: and 10 more like this\n- `src/guides/many.md:123:1` warning: unsupported Hugo shortcode `ref`, left as text\n"),
        "{text}"
    );
    assert_eq!(text.matches("\n- `src/guides/many.md").count(), 52);
    let json = site.run(&["check", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(json.success().stdout()).unwrap();
    let diags = value["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 61);
    assert_eq!(
        diags[59],
        serde_json::json!({
            "severity": "warning",
            "message": "broken link: `missing-59.md` does not exist",
            "file": "src/guides/many.md",
            "line": 121,
            "col": 1,
            "hint": "links are relative to this file; check the path and its case",
        })
    );

    // Broken links are errors by default: no report, the diagnostics alone, still capped.
    site.write("book.toml", site.read("book.toml").replace("broken-links = \"warn\"", ""));
    let failed = site.run(&["check", "--format", "github"]);
    let lines: Vec<&str> = failed.code(1).stdout().lines().collect();
    assert_eq!(lines.len(), 52);
    assert_eq!(lines[50], "::error file=src/guides/many.md::and 10 more like this");
    let json = site.run(&["check", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(json.code(1).stdout()).unwrap();
    assert_eq!(value["version"], 1);
    assert_eq!(value["diagnostics"].as_array().unwrap().len(), 61);
}

/// Issue 10, item 14: what a page sets (title, owner, `outdated` reason) is escaped in every
/// report format: no raw control character reaches a terminal or a CI log, and `--format
/// github` uses GitHub's own escapes for `%`, CR and LF.
#[test]
fn issue_10_report_formats_escape_control_characters() {
    let site = SiteTest::fixture("build/basic");
    site.write(
        "src/runbooks/evil.md",
        "---\ntitle: \"T\\e[2J 100%\\r\\n::error::forged\"\nowner: \"o\\a, x:y\"\nlast_verified: 2025-01-01\noutdated: \"see\\e]8;;http://x\\a\"\n---\n\n## Mitigation\n\nText.\n",
    );
    let github = site.run(&["check", "--format", "github"]);
    github.code(1);
    assert!(
        github.stdout().starts_with(
            "::error file=src/runbooks/evil.md,line=4,title=Stale page::T\\x1b[2J 100%25%0D%0A::error::forged: flagged outdated: see\\x1b]8;;http://x\\x07 · owner: o\\x07, x:y\n"
        ),
        "{}",
        github.stdout()
    );
    let human = site.run(&["check"]);
    assert!(
        human.stdout().contains(
            "  stale       src/runbooks/evil.md:4         flagged outdated: see\\x1b]8;;http://x\\x07 · owner: o\\x07, x:y\n"
        ),
        "{}",
        human.stdout()
    );
    let markdown = site.run(&["check", "--format", "markdown"]);
    assert!(
        markdown.stdout().contains("### o\\x07, x:y\n\n- [ ] **T\\x1b[2J 100%\\r\\n::error::forged** (`src/runbooks/evil.md`): stale, flagged outdated: see\\x1b]8;;http://x\\x07\n"),
        "{}",
        markdown.stdout()
    );
    for run in [&github, &human, &markdown] {
        assert!(
            !run.stdout().contains(['\u{1b}', '\u{7}', '\r']),
            "raw control characters: {:?}",
            run.stdout()
        );
    }
    let json = site.run(&["check", "--format", "json"]);
    assert!(json.stdout().contains(r#""title": "T\u001b[2J 100%\r\n::error::forged","#), "{}", json.stdout());
}

/// Issue 15, part 2: a run with more than 20 problems ends with a summary after the details
/// (counts by kind, the files with the most problems, the `[check]` line that makes the errors
/// warnings); a broken anchor whose heading exists in another case gets "did you mean". The CI
/// formats on stdout stay one entry per diagnostic, with no summary.
#[test]
fn issue_15_many_problems_end_with_a_summary() {
    let site = SiteTest::fixture("build/basic");
    site.write("src/guides/gifts.md", "# Gifts\n\n## Birthday gift budget\n\nFifty euros.\n");
    let mut page = String::from("# Many\n\n[budget](gifts.md#Birthday-Gift-Budget)\n\n");
    for i in 0..22 {
        page.push_str(&format!("[l](missing-{i}.md)\n\n"));
    }
    site.write("src/guides/many.md", &page);
    site.write("src/guides/few.md", "# Few\n\n[a](gone.md) [b](gone-too.md)\n");
    let run = site.run(&["check"]);
    run.code(1).stdout_empty();
    let stderr = run.stderr();
    assert!(
        stderr.contains(
            "src/guides/many.md:3:1: error: broken link: `guides/gifts.md` has no heading `#Birthday-Gift-Budget`
 3 | [budget](gifts.md#Birthday-Gift-Budget)
   | ^
  = hint: did you mean `#birthday-gift-budget`?
"
        ),
        "{stderr}"
    );
    let tail = "src/guides/many.md:47:1: error: broken link: `missing-21.md` does not exist
 47 | [l](missing-21.md)
    | ^
  = hint: links are relative to this file; check the path and its case

summary of 25 problems (25 errors, 0 warnings):
  by kind:
        24  error    broken link: `…` does not exist
         1  error    broken link: `…` has no heading `…`
  files with the most problems:
        23  src/guides/many.md
         2  src/guides/few.md
  = hint: to report broken links and anchors as warnings: [check] broken-links = \"warn\"

error: found 25 errors
";
    assert!(stderr.ends_with(tail), "{stderr}");
    // `lore build` prints the same text.
    site.run(&["build"]).code(2).stdout_empty().stderr_eq(stderr);

    // Machine-readable formats: every diagnostic, no summary.
    let github = site.run(&["check", "--format", "github"]);
    let out = github.code(1).stdout();
    assert_eq!(out.lines().count(), 25, "{out}");
    assert!(out.lines().all(|l| l.starts_with("::error file=")), "{out}");
    let json = site.run(&["check", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(json.code(1).stdout()).unwrap();
    assert_eq!(value["diagnostics"].as_array().unwrap().len(), 25);

    // Twenty problems or fewer: no summary.
    site.write("src/guides/many.md", "# Many\n\n[budget](gifts.md#Birthday-Gift-Budget)\n");
    let few = site.run(&["check"]);
    assert!(!few.code(1).stderr().contains("summary of"), "{}", few.stderr());
}
