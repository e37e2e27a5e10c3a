//! Front matter: YAML syntax, unknown and misspelt keys, values of the wrong type. Lines count
//! from the first line of the file (the opening `---`), not of the YAML block.

use super::{assert_build_fails_keeping_previous_site, built_site};

#[test]
fn yaml_syntax_error() {
    let site = built_site();
    site.overlay("invalid/yaml-syntax");
    assert_build_fails_keeping_previous_site(
        &site,
        &["build"],
        "src/runbooks/disk-full.md:4:17: error: invalid YAML in front matter: mapping values are not allowed in this context
 4 | description: Use: `df -h` first
   |                 ^

error: found 1 error
",
    );
}

#[test]
fn unclosed_front_matter() {
    let site = built_site();
    site.write("src/runbooks/disk-full.md", "---\ntitle: Disk full\n\nFree some space.\n");
    assert_build_fails_keeping_previous_site(
        &site,
        &["build"],
        "src/runbooks/disk-full.md:1:1: error: front matter is not closed
 1 | ---
   | ^
  = hint: did you forget the closing `---`?

error: found 1 error
",
    );
}

const UNKNOWN_KEY_IN_STRICT_MODE: &str =
    "src/runbooks/disk-full.md:4:1: error: unknown key `service_tier` in front matter
 4 | service_tier: 1
   | ^
  = hint: strict mode (`--strict` or `strict-front-matter`) allows only the keys lore knows

error: found 1 error
";

#[test]
fn unknown_key_with_strict_flag() {
    let site = built_site();
    site.overlay("invalid/unknown-key-strict");
    assert_build_fails_keeping_previous_site(&site, &["build", "--strict"], UNKNOWN_KEY_IN_STRICT_MODE);
    site.run(&["check", "--strict"]).code(1).stderr_eq(UNKNOWN_KEY_IN_STRICT_MODE);
}

#[test]
fn unknown_key_with_strict_config() {
    let site = built_site();
    site.overlay("invalid/unknown-key-strict");
    site.append("book.toml", "\n[check]\nstrict-front-matter = true\n");
    assert_build_fails_keeping_previous_site(&site, &["build"], UNKNOWN_KEY_IN_STRICT_MODE);
}

#[test]
fn unknown_key_without_strict_mode_is_kept_silently() {
    let site = built_site();
    site.overlay("invalid/unknown-key-strict");
    site.run(&["build"]).success().stderr_eq("built 8 pages in [TIME] s → book/\n");
}

#[test]
fn misspelt_key_warns_with_a_suggestion_and_the_build_succeeds() {
    let site = built_site();
    site.write(
        "src/runbooks/disk-full.md",
        "---\ntitle: Disk full\nlast_verifed: 2026-01-10\nowner: storage-team\n---\n\n## Mitigation\n\nFree some space.\n",
    );
    let run = site.run(&["build"]);
    run.success().stderr_eq(
        "src/runbooks/disk-full.md:3:1: warning: unknown key `last_verifed` in front matter
 3 | last_verifed: 2026-01-10
   | ^
  = hint: did you mean `last_verified`?

built 8 pages in [TIME] s → book/
",
    );
    // The misspelt key does not count: the runbook header says it was never verified.
    assert!(run.page("runbooks/disk-full/index.html").contains("<span class=\"missing\">never</span>"));
    site.run(&["--quiet", "build"]).success().stderr_eq("");
}

#[test]
fn date_that_is_not_a_date() {
    let site = built_site();
    site.overlay("invalid/bad-date");
    assert_build_fails_keeping_previous_site(
        &site,
        &["build"],
        "src/runbooks/disk-full.md:4:16: error: `last_verified` is not a date: `not-a-date`
 4 | last_verified: not-a-date
   |                ^
  = hint: write dates as YYYY-MM-DD, e.g. `2026-03-31`

error: found 1 error
",
    );
}

#[test]
fn unknown_kind() {
    let site = built_site();
    site.overlay("invalid/unknown-kind");
    assert_build_fails_keeping_previous_site(
        &site,
        &["build"],
        "src/runbooks/disk-full.md:3:7: error: unknown kind `playbook`
 3 | kind: playbook
   |       ^
  = hint: expected one of `page`, `runbook`, `adr`, `onboarding`

error: found 1 error
",
    );
}

/// Issue 10, item 3(b): intervals beyond the calendar panicked in date arithmetic (and `n * 7`
/// overflowed for weeks). Each is now an error at its value.
#[test]
fn issue_10_review_interval_too_long() {
    let site = built_site();
    let cases = [
        ("a", "10000000d"),
        ("b", "30000y"),
        ("c", "2000000000000000000w"),
        ("d", "99999999999999999999 days"),
    ];
    let mut expected = String::new();
    for (name, value) in cases {
        site.write(
            &format!("src/guides/{name}.md"),
            format!("---\ntitle: {name}\nlast_verified: 2025-01-01\nreview_every: {value}\n---\n\nText.\n"),
        );
        expected.push_str(&format!(
            "src/guides/{name}.md:4:15: error: `review_every` is too long: `{value}` (at most 100 years)
 4 | review_every: {value}
   |               ^
  = hint: write `never` for a page that needs no review

"
        ));
    }
    expected.push_str("error: found 4 errors\n");
    assert_build_fails_keeping_previous_site(&site, &["build"], &expected);
    site.run(&["check"]).code(1).stderr_eq(&expected);
    // The longest accepted interval still computes a due date.
    for (name, _) in cases {
        site.remove(&format!("src/guides/{name}.md"));
    }
    site.write("src/guides/a.md", "---\ntitle: A\nlast_verified: 2025-01-01\nreview_every: 100y\n---\n");
    let run = site.run(&["check"]);
    assert!(run.success().stdout().contains(", 2 fresh,"), "{}", run.stdout());
}

/// Issue 10, item 14: a key holding ESC, BEL and a line break was printed raw (a page could
/// forge or hide lines of a CI log), and on the wrong line (2, the start of the block, because
/// the quoted key was not unquoted when looking for its line).
#[test]
fn issue_10_control_characters_in_a_key_are_escaped_and_on_their_line() {
    let site = built_site();
    site.write("src/guides/evil.md", "---\ntitle: Evil\n\"x\\e[31m\\a\\nerror: forged\": 1\n---\n\nText.\n");
    let expected =
        "src/guides/evil.md:3:1: error: unknown key `x\\x1b[31m\\x07\\nerror: forged` in front matter
 3 | \"x\\e[31m\\a\\nerror: forged\": 1
   | ^
  = hint: strict mode (`--strict` or `strict-front-matter`) allows only the keys lore knows

error: found 1 error
";
    site.run(&["check", "--strict"]).code(1).stderr_eq(expected);
    let run = site.run(&["check", "--strict"]);
    assert!(!run.stderr().contains(['\u{1b}', '\u{7}']), "raw control characters: {:?}", run.stderr());
}

/// Issue 10, item 11: a dashboard link is emitted as `<a href>`, so it may only be `http(s):`,
/// `mailto:` or relative; any other scheme, however spelt, is an error at the URL itself.
#[test]
fn issue_10_dashboard_urls_must_be_web_mail_or_relative() {
    let site = built_site();
    site.write(
        "src/runbooks/evil.md",
        "---
title: Evil
owner: a-team
dashboards:
  - title: Ok
    url: https://grafana.example/d/1
  - title: Relative
    url: ../README.md
  - title: Mail
    url: mailto:oncall@example.com
  - title: Script
    url: javascript:alert(1)
  - url: \" JaVaScRiPt:alert(1)\"
  - data:text/html,<script>alert(1)</script>
  - {title: V, url: 'vbscript:msgbox'}
  - file:///etc/passwd
---

## Mitigation

Text.
",
    );
    let hint = "  = hint: links in data fields must be `http:`, `https:`, `mailto:` or relative URLs";
    let expected = format!(
        "src/runbooks/evil.md:12:10: error: `dashboards` has a `javascript:` URL: `javascript:alert(1)`
 12 |     url: javascript:alert(1)
    |          ^
{hint}

src/runbooks/evil.md:13:11: error: `dashboards` has a `javascript:` URL: ` JaVaScRiPt:alert(1)`
 13 |   - url: \" JaVaScRiPt:alert(1)\"
    |           ^
{hint}

src/runbooks/evil.md:14:5: error: `dashboards` has a `data:` URL: `data:text/html,<script>alert(1)</script>`
 14 |   - data:text/html,<script>alert(1)</script>
    |     ^
{hint}

src/runbooks/evil.md:15:22: error: `dashboards` has a `vbscript:` URL: `vbscript:msgbox`
 15 |   - {{title: V, url: 'vbscript:msgbox'}}
    |                      ^
{hint}

src/runbooks/evil.md:16:5: error: `dashboards` has a `file:` URL: `file:///etc/passwd`
 16 |   - file:///etc/passwd
    |     ^
{hint}

error: found 5 errors
"
    );
    assert_build_fails_keeping_previous_site(&site, &["build"], &expected);
}
