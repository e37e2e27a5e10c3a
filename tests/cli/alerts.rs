//! Alert rules ↔ runbooks (issue 11): `[alerts]` in `book.toml`, reading Prometheus, PrometheusRule,
//! Grafana and Sloth rule files, matching alerts to runbooks, and the checks at the rule's line.

use crate::harness::SiteTest;

const RUNBOOK: &str = "---\nowner: dba\nlast_verified: 2026-02-20\n---\n# Postgres down\n\n## Mitigation\n\nPromote the replica.\n";

/// A site with a `.git` folder (its own content root) and one runbook.
fn site(name: &str, book: &str) -> SiteTest {
    let site = SiteTest::empty(name);
    std::fs::create_dir(site.path(".git")).expect("create .git");
    site.write("book.toml", book).write("src/runbooks/postgres-down.md", RUNBOOK);
    site
}

#[test]
fn issue_11_bad_alerts_config_is_an_error_at_its_line() {
    let site = site(
        "alerts-config",
        "[alerts]\nrules = [\"../ops/*.yml\", \"[x\", \".git/*.yml\"]\nurl-annotations = [\"runbook\", \"\"]\n\n[check]\nalert-links = \"loud\"\nalert-coverage = \"maybe\"\n",
    );
    site.run(&["check"]).code(2).stdout_empty().stderr_eq(
        "book.toml:2:11: error: `rules` pattern `../ops/*.yml` reads from outside the content root
 2 | rules = [\"../ops/*.yml\", \"[x\", \".git/*.yml\"]
   |           ^
  = hint: rule files are read from `[ROOT]` only; list other folders in `extra-roots` of `[build]` in `book.toml`

book.toml:2:27: error: invalid pattern `[x` in `rules`: unclosed character class; missing ']'
 2 | rules = [\"../ops/*.yml\", \"[x\", \".git/*.yml\"]
   |                           ^
  = hint: write a glob such as `monitoring/**/*.yml`

book.toml:2:33: error: `rules` pattern `.git/*.yml` reads from `.git`, inside a `.git` folder
 2 | rules = [\"../ops/*.yml\", \"[x\", \".git/*.yml\"]
   |                                 ^
  = hint: lore never reads from `.git`: it may hold credentials

book.toml:3:19: error: `url-annotations` names an empty annotation
 3 | url-annotations = [\"runbook\", \"\"]
   |                   ^
  = hint: list annotation names, e.g. `[\"runbook_url\"]`

book.toml:6:15: error: unknown `alert-links` value `loud`
 6 | alert-links = \"loud\"
   |               ^
  = hint: expected `error` or `warn`

book.toml:7:18: error: unknown `alert-coverage` value `maybe`
 7 | alert-coverage = \"maybe\"
   |                  ^
  = hint: expected `error` or `warn`

error: found 6 errors
",
    );
}

#[test]
fn issue_11_unknown_alerts_key_names_its_line() {
    let site = site("alerts-key", "[alerts]\nrule = [\"monitoring/*.yml\"]\n");
    site.run(&["check"]).code(2).stderr_eq(
        "book.toml:2:1: error: unknown key `alerts.rule` in `book.toml`
 2 | rule = [\"monitoring/*.yml\"]
   | ^
  = hint: did you mean `rules`?

error: found 1 error
",
    );
}
