//! Service pages (issue 12): `[services]` catalog and SLO files, service pages of kind
//! `service`, the merge, the checks at their `file:line:col`, and what `services/<name>/` and
//! `services/` show.

use crate::harness::SiteTest;

const BOOK: &str = "[services]\ncatalog = [\"catalog/*.yaml\"]\nslos = [\"slo/*.yaml\"]\n";

const CATALOG_ONLY: &str = "[services]\ncatalog = [\"catalog/*.yaml\"]\n";

const CATALOG: &str = "apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ledger
  title: Ledger
  description: Double-entry ledger
  annotations:
    backstage.io/source-location: url:https://git.example.com/payments/ledger
    pagerduty.com/service-id: PLEDGER
spec:
  type: service
  lifecycle: production
  owner: group:default/payments
  dependsOn: [component:default/accounts]
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: accounts
spec:
  type: service
  lifecycle: experimental
  owner: payments
";

const OPENSLO: &str = "apiVersion: openslo/v1
kind: SLO
metadata:
  name: ledger-availability
  displayName: Ledger availability
spec:
  service: ledger
  timeWindow:
    - duration: 30d
      isRolling: true
  objectives:
    - target: 0.999
";

const SLOTH: &str = "version: prometheus/v1
service: accounts
slos:
  - name: requests
    objective: 99.5
    alerting:
      name: AccountsBudgetBurn
";

const RUNBOOK: &str = "---\nowner: payments\nservice: ledger\nlast_verified: 2026-02-20\n---\n# Ledger down\n\n## Mitigation\n\nRestart it.\n";

/// A site with its own `.git` folder (its own content root).
fn site(name: &str, book: &str) -> SiteTest {
    let site = SiteTest::empty(name);
    std::fs::create_dir(site.path(".git")).expect("create .git");
    site.write("book.toml", book);
    site
}

fn full_site(name: &str) -> SiteTest {
    let site = site(name, BOOK);
    site.write("catalog/payments.yaml", CATALOG)
        .write("slo/ledger.yaml", OPENSLO)
        .write("slo/accounts.yaml", SLOTH)
        .write("src/runbooks/ledger-down.md", RUNBOOK)
        .write("src/adr/0001-ledger-in-postgres.md", "---\nstatus: accepted\ndate: 2026-01-02\nservices: [ledger]\n---\n# 1. Keep the ledger in Postgres\n")
        .write(
            "src/services/ledger.md",
            "---\ntier: \"1\"\non_call: https://pager.example.com/ledger\nlast_verified: 2026-02-01\nslos:\n  - {name: writes, objective: 99.99, window: 7d}\n---\n# Ledger\n\nThe ledger runs in two regions.\n",
        );
    site
}

#[test]
fn issue_12_catalog_slos_and_a_page_make_one_service_page() {
    let site = full_site("services-full");
    let run = site.run(&["build", "--today", "2026-03-01"]);
    run.success();
    let main = run.main_of("services/ledger/index.html");
    insta::assert_snapshot!(main);
    let accounts = run.main_of("services/accounts/index.html");
    assert!(accounts.contains("<a href=\"../../services/ledger/\">ledger</a>"), "depended on by: {accounts}");
    assert!(accounts.contains("<strong>3 h 36 min</strong> of downtime"), "99.5 % over 30 days: {accounts}");
    assert!(accounts.contains("<code>AccountsBudgetBurn</code>"), "{accounts}");
    let index = run.main_of("services/index.html");
    assert!(
        index.contains(
            "data-owner=\"payments\" data-tier=\"1\" data-lifecycle=\"production\" data-state=\"fresh\""
        ),
        "{index}"
    );
    assert!(index.contains("<option>experimental</option>"), "{index}");
    let owner = run.main_of("owners/payments/index.html");
    assert!(
        owner.contains("<a href=\"../../services/accounts/\">accounts</a>"),
        "owner page lists a catalog-only service: {owner}"
    );
    let runbook = run.page("runbooks/ledger-down/index.html");
    assert!(
        runbook.contains("<a href=\"../../services/ledger/\">ledger</a>"),
        "the runbook links its service page"
    );
}

#[test]
fn issue_12_names_nothing_defines_warn_with_did_you_mean() {
    let site = full_site("services-unknown");
    site.write("src/runbooks/ledger-down.md", RUNBOOK.replace("service: ledger", "service: ledgr"))
        .write(
            "src/adr/0001-ledger-in-postgres.md",
            "---\nstatus: accepted\nservice: acounts\n---\n# 1. Keep the ledger in Postgres\n",
        )
        .write("src/services/ledger.md", "---\ndepends_on: [accounts, billing]\n---\n# Ledger\n");
    site.run(&["build", "--today", "2026-03-01"]).success().stderr_eq(
        "src/adr/0001-ledger-in-postgres.md:3:10: warning: names service `acounts`, which no service page or catalog entity defines
 3 | service: acounts
   |          ^
  = hint: did you mean `accounts`?

src/runbooks/ledger-down.md:3:10: warning: names service `ledgr`, which no service page or catalog entity defines
 3 | service: ledgr
   |          ^
  = hint: did you mean `ledger`?

src/services/ledger.md:2:24: warning: `depends_on` names service `billing`, which no service page or catalog entity defines
 2 | depends_on: [accounts, billing]
   |                        ^
  = hint: add a page in `services/` or an entity to the catalog

built 7 pages in [TIME] s → book/
",
    );
}

#[test]
fn issue_12_site_without_services_keeps_its_runbooks_and_taxonomy() {
    let site = site("services-none", "");
    site.write("src/runbooks/ledger-down.md", RUNBOOK.replace("service: ledger", "service: ledgr"));
    let run = site.run(&["build", "--today", "2026-03-01"]);
    run.success().stderr_eq("built 3 pages in [TIME] s → book/\n");
    let page = run.main_of("services/ledgr/index.html");
    assert!(page.contains("<h1>Service: ledgr</h1>"), "the taxonomy page as before: {page}");
}

#[test]
fn issue_12_definitions_twice_and_bad_files_are_errors_together() {
    let site = site("services-errors", BOOK);
    site.write("catalog/a.yaml", CATALOG)
        .write("catalog/b.yaml", "kind: Component\nmetadata:\n  name: ledger\n---\nkind: API\nmetadata: {name: x}\n---\nkind: Resource\nmetadata: {name: y}\n")
        .write("catalog/c.yaml", "kind: Component\nmetadata:\n  name: [broken\n")
        .write("slo/bad.yaml", "version: prometheus/v1\nservice: ledger\nslos:\n  - {name: a, objective: 0}\n  - {name: b, objective: 100}\n  - {name: c, objective: 150}\n  - {name: d, objective: abc}\n")
        .write("src/services/one.md", "---\nname: same\n---\n# One\n")
        .write("src/services/two.md", "---\nname: same\n---\n# Two\n");
    site.run(&["build"]).code(2).stdout_empty().stderr_eq(
        "catalog/b.yaml:3:9: error: service `ledger` is defined twice: at `catalog/a.yaml:4` and here
  = hint: a service has one definition: remove or rename one of them

catalog/b.yaml:5:1: warning: catalog entities of kind `API` are skipped: lore reads Component, System and Group
 5 | kind: API
   | ^

catalog/b.yaml:8:1: warning: catalog entities of kind `Resource` are skipped: lore reads Component, System and Group
 8 | kind: Resource
   | ^

catalog/c.yaml:3:9: error: invalid YAML in catalog file: unclosed bracket '['
 3 |   name: [broken
   |         ^

slo/bad.yaml:4:26: error: objective `0` is outside (0, 100)
 4 |   - {name: a, objective: 0}
   |                          ^
  = hint: objectives are percentages such as `99.9`

slo/bad.yaml:5:26: error: objective `100` is outside (0, 100)
 5 |   - {name: b, objective: 100}
   |                          ^
  = hint: objectives are percentages such as `99.9`

slo/bad.yaml:6:26: error: objective `150` is outside (0, 100)
 6 |   - {name: c, objective: 150}
   |                          ^
  = hint: objectives are percentages such as `99.9`

slo/bad.yaml:7:26: error: objective `abc` is not a number
 7 |   - {name: d, objective: abc}
   |                          ^
  = hint: objectives are percentages such as `99.9`

src/services/two.md:2:1: error: service `same` is defined twice: at `src/services/one.md` and here
  = hint: a service has one definition: remove or rename one of them

error: found 7 errors and 2 warnings
",
    );
    assert!(!site.path("book").exists(), "a failed build writes nothing");
}

#[test]
fn issue_12_a_page_and_a_catalog_entity_at_one_url_is_an_error() {
    let site = site("services-url", CATALOG_ONLY);
    site.write("catalog/a.yaml", CATALOG).write(
        "src/services/ledger.md",
        "---\nkind: runbook\nowner: x\n---\n# Ledger\n\n## Mitigation\n\nx\n",
    );
    let run = site.run(&["build"]);
    run.code(2);
    assert_eq!(
        run.diagnostics(),
        vec![
            "src/services/ledger.md:1:1: error: `services/ledger.md` and catalog entity `ledger` (`catalog/a.yaml:4`) would both be published at `services/ledger/`"
        ]
    );
}

#[test]
fn issue_12_a_dependency_cycle_is_drawn_not_refused() {
    let site = site("services-cycle", BOOK);
    site.write(
        "catalog/a.yaml",
        "kind: Component\nmetadata: {name: a}\nspec: {dependsOn: [b]}\n---\nkind: Component\nmetadata: {name: b}\nspec: {dependsOn: [a]}\n",
    );
    let run = site.run(&["build"]);
    run.success();
    let a = run.main_of("services/a/index.html");
    assert_eq!(a.matches("class=\"svc-edge svc-cycle\"").count(), 1, "{a}");
    assert!(a.contains("<h3>Depends on</h3><ul><li><a href=\"../../services/b/\">b</a>"), "{a}");
    assert!(a.contains("<h3>Depended on by</h3><ul><li><a href=\"../../services/b/\">b</a>"), "{a}");
}

/// Catalog and SLO files come from pull requests: a pattern leading out of the content root is
/// refused in `book.toml`, a symlink leading out is refused at its file, and a FIFO is never
/// opened; nothing of the outside file is shown.
#[cfg(unix)]
#[test]
fn issue_12_catalog_files_outside_the_content_root_are_refused() {
    let site = site(
        "services-escape",
        "[services]\ncatalog = [\"../elsewhere/*.yaml\"]\nslos = [\".git/*.yaml\"]\n",
    );
    site.run(&["check"]).code(2).stderr_eq(
        "book.toml:2:13: error: `catalog` pattern `../elsewhere/*.yaml` reads from outside the content root
 2 | catalog = [\"../elsewhere/*.yaml\"]
   |             ^
  = hint: catalog files are read from `[ROOT]` only; list other folders in `extra-roots` of `[build]` in `book.toml`

book.toml:3:10: error: `slos` pattern `.git/*.yaml` reads from `.git`, inside a `.git` folder
 3 | slos = [\".git/*.yaml\"]
   |          ^
  = hint: lore never reads from `.git`: it may hold credentials

error: found 2 errors
",
    );
    site.write("book.toml", BOOK);
    let outside = site.path("..").join("services-escape-secret.yaml");
    std::fs::write(&outside, "kind: Component\nmetadata: {name: SecretOutside}\n").unwrap();
    std::fs::create_dir_all(site.path("catalog")).unwrap();
    std::os::unix::fs::symlink(&outside, site.path("catalog/linked.yaml")).unwrap();
    let fifo = std::process::Command::new("mkfifo").arg(site.path("catalog/pipe.yaml")).status().unwrap();
    assert!(fifo.success());
    let run = site.run(&["check"]);
    run.code(1);
    let diagnostics = run.diagnostics();
    assert_eq!(diagnostics.len(), 2, "the FIFO is no catalog file: {diagnostics:#?}");
    assert_eq!(diagnostics[0], "book.toml:3:1: warning: `slos` pattern `slo/*.yaml` matches no file");
    assert!(
        diagnostics[1].starts_with("catalog/linked.yaml:1:1: error: cannot read the service catalog: `")
            && diagnostics[1].ends_with("services-escape-secret.yaml` is outside the content root"),
        "{diagnostics:#?}"
    );
    assert!(!run.stderr().contains("SecretOutside"));
    std::fs::remove_file(outside).unwrap();
}

#[test]
fn issue_12_huge_and_deep_documents_are_errors_not_crashes() {
    let site = site("services-deep", BOOK);
    let deep = format!("kind: Component\nmetadata:\n  name: {}\n", "[".repeat(100_000));
    let wide: String =
        (0..3_000).map(|i| format!("---\nkind: Component\nmetadata: {{name: s{i}}}\n")).collect();
    site.write("catalog/deep.yaml", deep).write("catalog/wide.yaml", wide);
    let run = site.run(&["check"]);
    run.code(1);
    let diagnostics = run.diagnostics();
    assert_eq!(
        diagnostics,
        vec![
            "book.toml:3:1: warning: `slos` pattern `slo/*.yaml` matches no file",
            "catalog/deep.yaml:3:264: error: invalid YAML in catalog file: recursion limit exceeded",
            "catalog/wide.yaml:3073:1: error: invalid YAML in catalog file: budget breached: Documents { documents: 1025 }",
        ]
    );
}

#[test]
fn issue_12_search_and_json_reports_carry_services() {
    let site = full_site("services-json");
    site.run(&["build", "--today", "2026-03-01"]).success();
    let json: serde_json::Value = serde_json::from_str(&site.read("book/freshness.json")).unwrap();
    let accounts = &json["services"][0];
    assert_eq!(accounts["name"], "accounts");
    assert_eq!(accounts["url"], "services/accounts/");
    assert_eq!(accounts["state"], "none", "no runbooks");
    assert_eq!(accounts["slos"][0]["error_budget"], "3 h 36 min");
    let ledger = &json["services"][1];
    assert_eq!(ledger["summary"], "1 of 1 runbook fresh");
    assert_eq!(ledger["tier"], "1");
    assert_eq!(ledger["slos"][1]["objective"], "99.9", "OpenSLO's ratio as a percentage");
    let check = site.run(&["check", "--format", "json", "--today", "2026-03-01"]);
    let check: serde_json::Value = serde_json::from_str(check.stdout()).unwrap();
    assert_eq!(check["services"], json["services"]);
    site.run(&["search", "--kind", "service"]).success().stdout_eq(
        "1. Ledger  [service, fresh]
   services/ledger/
   The ledger runs in two regions.
2. accounts  [service, exempt, experimental]
   services/accounts/
   lifecycle: experimental. owner: payments. type: service. SLO requests.
",
    );
}

/// Alerts join a service by their `service` label or as the alert Sloth generates for one of
/// its SLOs; an SLO for a service nothing defines, a catalog `dependsOn` nothing defines, a
/// name in a multi-line `services:` list and an unknown `lifecycle` warn at their place.
#[test]
fn issue_12_alerts_join_and_more_names_warn_at_their_place() {
    let site = site(
        "services-alerts",
        "[services]\ncatalog = [\"catalog/*.yaml\"]\nslos = [\"slo/*.yaml\"]\n\n[alerts]\nrules = [\"monitoring/*.yml\", \"slo/accounts.yaml\"]\n",
    );
    site.write("catalog/payments.yaml", CATALOG.replace("component:default/accounts", "component:default/acounts"))
        .write("slo/accounts.yaml", SLOTH)
        .write("slo/other.yaml", OPENSLO.replace("service: ledger", "service: ledgerr"))
        .write(
            "monitoring/ledger.yml",
            "groups:\n  - name: ledger\n    rules:\n      - alert: LedgerDown\n        expr: up == 0\n        labels: {severity: critical, service: ledger}\n",
        )
        .write("src/runbooks/ledger-down.md", RUNBOOK.replace("service: ledger\n", "service: ledger\nalerts: [LedgerDown, AccountsBudgetBurn]\n"))
        .write("src/adr/0001-x.md", "---\nstatus: accepted\nservices:\n  - ledger\n  - acount\n---\n# 1. X\n")
        .write(
            "src/services/accounts.md",
            "---\nlifecycle: prodution\nslos:\n  - {name: a, objective: 99.9}\n  - {name: b, objective: 99.9}\n  - {name: c, objective: 99.9, window: 1h}\n---\n# Accounts\n",
        );
    let run = site.run(&["build", "--today", "2026-03-01"]);
    run.success();
    assert_eq!(
        run.diagnostics(),
        vec![
            "catalog/payments.yaml:14:15: warning: `spec.dependsOn` names service `acounts`, which no service page or catalog entity defines",
            "slo/other.yaml:7:12: warning: SLO is for service `ledgerr`, which no service page or catalog entity defines",
            "src/adr/0001-x.md:5:5: warning: names service `acount`, which no service page or catalog entity defines",
            "src/services/accounts.md:2:12: warning: unknown `lifecycle` `prodution`",
        ]
    );
    let stderr = run.stderr();
    assert!(
        stderr.contains(" 14 |   dependsOn: [component:default/acounts]\n    |               ^\n  = hint: did you mean `accounts`?"),
        "{stderr}"
    );
    assert!(
        stderr.contains(" 7 |   service: ledgerr\n   |            ^\n  = hint: did you mean `ledger`?"),
        "{stderr}"
    );
    assert!(stderr.contains(" 5 |   - acount\n   |     ^\n  = hint: did you mean `accounts`?"), "{stderr}");
    assert!(stderr.contains("= hint: did you mean `production`?"), "{stderr}");
    let ledger = run.main_of("services/ledger/index.html");
    assert!(ledger.contains("<a href=\"../../alerts/LedgerDown/\"><code>LedgerDown</code></a></td><td><span class=\"badge coverage-fresh\">Fresh</span></td><td>yes</td>"), "{ledger}");
    let accounts = run.main_of("services/accounts/index.html");
    assert!(accounts.contains("<code>AccountsBudgetBurn</code>"), "the Sloth alert of its SLO: {accounts}");
    assert!(
        accounts.contains("page · services/accounts.md:6</span>"),
        "the third SLO at its own line: {accounts}"
    );
    assert!(accounts.contains("<strong>4 s</strong> of downtime"), "99.9 % over 1 hour: {accounts}");
}
