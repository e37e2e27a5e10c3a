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
