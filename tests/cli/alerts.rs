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

/// The formats fixture: every rule format, every way of finding a runbook.
fn formats() -> SiteTest {
    let site = SiteTest::fixture("alerts/formats");
    std::fs::create_dir(site.path(".git")).expect("create .git");
    site
}

#[test]
fn issue_11_every_format_matched_to_its_runbook() {
    let site = formats();
    site.run(&["check"]).code(1).stderr_eq(
        "docs/runbooks/node-clock.md:3:37: warning: runbook names alert `NodeClockNotSynchronizing`, which no alert rule defines
 3 | alerts: [NodeClockNotSynchronising, NodeClockNotSynchronizing]
   |                                     ^
  = hint: did you mean `NodeClockNotSynchronising`?

monitoring/k8s/prometheusrule.yaml:31:11: warning: alert `TargetDown` has no runbook
 31 |         - alert: TargetDown
    |           ^
  = hint: write one with `lore new runbook --alert TargetDown`, or list `TargetDown` under `alerts:` in a runbook

monitoring/k8s/prometheusrule.yaml:37:26: warning: `runbook_url` of alert `TargetDown` is built from `{{ $labels.namespace }}` when the alert fires; lore cannot check where it leads
 37 |             runbook_url: https://runbooks.example.com/runbooks/{{ $labels.namespace }}/targetdown
    |                          ^
  = hint: link to `alerts/<AlertName>/` (or use `{{ $labels.alertname }}` only) so the link can be checked

monitoring/sloth/checkout-slo.yml:14:13: warning: paging alert `CheckoutAvailabilityBudgetBurn` sends responders to `docs/runbooks/CheckoutAvailabilityBudgetBurn.md`, which is stale (fails `--fail-on stale`)
 14 |       name: CheckoutAvailabilityBudgetBurn
    |             ^
  = hint: review the runbook, then run `lore verify docs/runbooks/CheckoutAvailabilityBudgetBurn.md`

monitoring/sloth/checkout-slo.yml:32:13: warning: alert `CheckoutLatencyBudgetBurn` has no runbook
 32 |       name: CheckoutLatencyBudgetBurn
    |             ^
  = hint: write one with `lore new runbook --alert CheckoutLatencyBudgetBurn`, or list `CheckoutLatencyBudgetBurn` under `alerts:` in a runbook

checked 11 pages: no errors, 5 warnings
8 alerts: 3 with a fresh runbook, 2 stale, 1 unverified, 2 without
error: 2 pages need review (`--fail-on stale`)
",
    );
}

#[test]
fn issue_11_stale_runbook_is_reported_at_the_rule_exactly_when_it_fails() {
    let site = formats();
    let run = site.run(&["check", "--fail-on", "never"]);
    run.success();
    assert!(!run.stderr().contains("sends responders"), "{}", run.stderr());
    let run = site.run(&["check", "--format", "github"]);
    run.code(1);
    let line = "::warning file=monitoring/sloth/checkout-slo.yml,line=14,col=13::paging alert `CheckoutAvailabilityBudgetBurn` sends responders to `docs/runbooks/CheckoutAvailabilityBudgetBurn.md`, which is stale (fails `--fail-on stale`)%0A= hint: review the runbook, then run `lore verify docs/runbooks/CheckoutAvailabilityBudgetBurn.md`\n";
    assert!(run.stdout().contains(line), "{}", run.stdout());
}

#[test]
fn issue_11_json_report_counts_alerts() {
    let site = formats();
    let run = site.run(&["check", "--format", "json"]);
    run.code(1);
    let json: serde_json::Value = serde_json::from_str(run.stdout()).expect("json");
    assert_eq!(
        json["alerts"],
        serde_json::json!({"total": 8, "fresh": 3, "stale": 2, "unverified": 1, "missing": 2})
    );
    let first = &json["diagnostics"][1];
    assert_eq!(first["file"], "monitoring/k8s/prometheusrule.yaml");
    assert_eq!(first["line"], 31);
    assert_eq!(first["message"], "alert `TargetDown` has no runbook");
}

const PAGING: &str = "groups:
  - name: db
    rules:
      - alert: PostgresDown
        expr: pg_up == 0
        for: 1m
        labels:
          severity: critical
      - alert: PostgresReplicationLag
        expr: pg_replication_lag_seconds > 300
        labels:
          severity: critical
        annotations:
          runbook_url: alerts/PostgresReplicationLagg/
      - alert: NodeClockNotSynchronising
        expr: node_timex_sync_status == 0
        labels:
          severity: warning
        annotations:
          runbook: docs/runbooks/NodeClockNotSynchronizing.md
";

#[test]
fn issue_11_paging_alert_without_runbook_and_links_to_nothing_are_errors() {
    let site = site("alerts-paging", "[alerts]\nrules = [\"monitoring/*.yml\"]\n");
    site.write("monitoring/db.yml", PAGING);
    site.write("src/runbooks/NodeClockNotSynchronising.md", RUNBOOK);
    site.write("src/runbooks/replication-lag.md", "---\nowner: dba\nlast_verified: 2026-02-20\nalerts: [PostgresReplicationLag]\n---\n# Lag\n\n## Mitigation\n\nWait.\n");
    site.run(&["check"]).code(1).stderr_eq(
        "monitoring/db.yml:4:9: error: paging alert `PostgresDown` has no runbook
 4 |       - alert: PostgresDown
   |         ^
  = hint: write one with `lore new runbook --alert PostgresDown`, or list `PostgresDown` under `alerts:` in a runbook

monitoring/db.yml:14:24: error: `runbook_url` of alert `PostgresReplicationLag` leads to nothing in this site (`alerts/PostgresReplicationLagg/`)
 14 |           runbook_url: alerts/PostgresReplicationLagg/
    |                        ^
  = hint: did you mean `alerts/PostgresReplicationLag/`?

monitoring/db.yml:20:20: error: `runbook` of alert `NodeClockNotSynchronising` leads to nothing in this site (`docs/runbooks/NodeClockNotSynchronizing.md`)
 20 |           runbook: docs/runbooks/NodeClockNotSynchronizing.md
    |                    ^
  = hint: did you mean `src/runbooks/NodeClockNotSynchronising.md`?

error: found 3 errors
",
    );
}

#[test]
fn issue_11_yaml_error_in_a_rule_file_fails_at_its_line_and_column() {
    let site = site("alerts-yaml", "[alerts]\nrules = [\"monitoring/*.yml\"]\n");
    site.write(
        "monitoring/broken.yml",
        "groups:\n  - name: db\n    rules:\n      - alert: PostgresDown\n        expr: [pg_up == 0\n",
    );
    site.run(&["build"]).code(2).stderr_eq(
        "monitoring/broken.yml:5:15: error: invalid YAML in alert rules: unclosed bracket '['
 5 |         expr: [pg_up == 0
   |               ^

error: found 1 error
",
    );
    assert!(!site.path("book").exists(), "a failed build writes nothing");
}

#[test]
fn issue_11_alert_coverage_warn_makes_a_missing_paging_runbook_a_warning() {
    let site = site(
        "alerts-warn",
        "[alerts]\nrules = [\"monitoring/*.yml\"]\n\n[check]\nalert-coverage = \"warn\"\n",
    );
    site.write(
        "monitoring/db.yml",
        "groups:\n  - name: db\n    rules:\n      - alert: PostgresDown\n        labels: {severity: page}\n",
    );
    let run = site.run(&["check"]);
    run.success();
    assert_eq!(
        run.diagnostics(),
        ["monitoring/db.yml:4:9: warning: paging alert `PostgresDown` has no runbook"]
    );
    assert!(
        run.stderr().ends_with("1 alert: 0 with a fresh runbook, 0 stale, 1 without\n"),
        "{}",
        run.stderr()
    );
}

#[test]
fn issue_11_alerts_json_has_version_rules_and_state() {
    let site = formats();
    site.run(&["build"]).success();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(site.path("book/alerts.json")).unwrap()).unwrap();
    assert_eq!(json["version"], 1);
    let crash = &json["alerts"]["KubePodCrashLooping"];
    assert_eq!(crash["runbook"], "https://runbooks.example.com/runbooks/kubernetes/KubePodCrashLooping/");
    assert_eq!(crash["alert_url"], "https://runbooks.example.com/alerts/KubePodCrashLooping/");
    assert_eq!(crash["state"], "fresh");
    assert_eq!(crash["paging"], true);
    assert_eq!(crash["severity"], "critical");
    assert_eq!(crash["for"], "15m");
    assert_eq!(crash["summary"], "Pod is crash looping.");
    assert_eq!(
        crash["rules"],
        serde_json::json!([{
            "file": "monitoring/kube-prometheus/kubernetes-apps.yml", "line": 5, "format": "prometheus",
            "expr": "max_over_time(kube_pod_container_status_waiting_reason{reason=\"CrashLoopBackOff\", job=\"kube-state-metrics\"}[5m]) >= 1",
            "for": "15m", "labels": {"severity": "critical"},
        }])
    );
    let burn = &json["alerts"]["CheckoutAvailabilityBudgetBurn"];
    assert_eq!((burn["state"].as_str(), burn["rules"].as_array().map(Vec::len)), (Some("stale"), Some(2)));
    let missing = &json["alerts"]["TargetDown"];
    assert_eq!(missing["state"], "missing");
    assert!(missing.get("runbook").is_none() && missing.get("alert_url").is_none(), "{missing}");
}

#[test]
fn issue_11_lowercase_alias_and_no_redirect_over_a_runbook_published_there() {
    let site = site("alerts-alias", "[alerts]\nrules = [\"monitoring/*.yml\"]\n");
    site.write("monitoring/db.yml", "groups:\n  - name: db\n    rules:\n      - alert: PostgresSplitBrain\n        labels: {severity: page}\n      - alert: KubePodCrashLooping\n        labels: {severity: page}\n        annotations: {runbook_url: runbooks/postgres-down/}\n");
    site.write(
        "src/alerts/PostgresSplitBrain.md",
        RUNBOOK.replace("# Postgres down", "---\n# Split brain").replacen(
            "---\n# Split brain",
            "kind: runbook\n---\n# Split brain",
            1,
        ),
    );
    let run = site.run(&["build"]);
    run.success();
    let page = run.page("alerts/PostgresSplitBrain/index.html");
    assert!(
        page.contains("<h1") && !page.contains("http-equiv=\"refresh\""),
        "the runbook itself is published there"
    );
    assert!(!site.path("book/alerts/postgressplitbrain").exists(), "no alias over a different file");
    let redirect = run.page("alerts/KubePodCrashLooping/index.html");
    assert!(redirect.contains("url=../../runbooks/postgres-down/"), "{redirect}");
    assert_eq!(run.page("alerts/kubepodcrashlooping/index.html"), redirect, "the alias is the same bytes");
}

#[test]
fn issue_11_alerts_page_lists_every_alert_with_its_state() {
    let site = formats();
    let run = site.run(&["build"]);
    run.success();
    let page = run.page("alerts/index.html");
    assert_eq!(page.matches("<tr data-state=").count(), 9, "8 rule alerts and 1 named only by a runbook");
    assert!(
        page.contains("<tr data-state=\"missing\" data-paging=\"no\">\n  <td class=\"alert-cell\"><code>TargetDown</code></td>\n  <td><span class=\"badge coverage-missing\">Missing</span></td>"),
        "{page}"
    );
    assert!(page.contains("<tr data-state=\"stale\" data-paging=\"yes\">\n  <td class=\"alert-cell\"><a href=\"../alerts/CheckoutAvailabilityBudgetBurn/\"><code>CheckoutAvailabilityBudgetBurn</code></a></td>"));
    assert!(page.contains(
        "<td class=\"alert-cell\"><code>monitoring/sloth/checkout-slo.yml:14 (+1 more)</code></td>"
    ));
    assert!(page.contains("<div class=\"alert-filter\" hidden>"), "the filter shows only with the script");
    // The freshness dashboard shows coverage too, linking the Alerts page.
    let dashboard = run.page("freshness/index.html");
    assert!(
        dashboard.contains("<p class=\"alert-coverage-line\">Alert coverage: <a href=\"../alerts/\">8 alerts: 3 with a fresh runbook, 2 stale, 1 unverified, 2 without</a> <span class=\"badge coverage-missing\">2 without a runbook</span></p>"),
        "{dashboard}"
    );
    let runbook = run.page("runbooks/kubernetes/KubePodCrashLooping/index.html");
    assert!(runbook.contains("<p><code>KubePodCrashLooping</code> <span class=\"severity severity-critical\">pages</span> · fires after 15m · <code>monitoring/kube-prometheus/kubernetes-apps.yml:5</code></p>"), "{runbook}");
    assert!(runbook.contains("<pre class=\"alert-expr\"><code>max_over_time(kube_pod_container_status_waiting_reason{reason=&quot;CrashLoopBackOff&quot;"));
}

#[test]
fn issue_11_new_runbook_for_an_alert_is_prefilled_and_found_by_its_file_name() {
    let site = site("alerts-new", "[alerts]\nrules = [\"monitoring/*.yml\"]\n");
    site.write(
        "monitoring/db.yml",
        "groups:\n  - name: db\n    rules:\n      - alert: PostgresReplicationLag\n        expr: pg_lag > 300\n        labels: {severity: critical, service: orders-db}\n        annotations: {summary: \"Replica is more than 5 minutes behind\"}\n",
    );
    site.run(&["check"]).code(1);
    site.run(&["new", "runbook", "--alert", "postgresreplicationlag"])
        .success()
        .stdout_eq("src/runbooks/PostgresReplicationLag.md\n");
    let text = site.read("src/runbooks/PostgresReplicationLag.md");
    assert!(
        text.starts_with("---\ntitle: \"PostgresReplicationLag\"\ndescription: \"Replica is more than 5 minutes behind\"\nowner:\nservice: \"orders-db\"\nseverity: \"critical\"\nalerts: [\"PostgresReplicationLag\"]\n"),
        "{text}"
    );
    site.run(&["new", "runbook", "--alert", "PostgresReplicationLagg"]).code(2).stderr_eq(
        "error: no alert rule defines `PostgresReplicationLagg`\n  = hint: did you mean `PostgresReplicationLag`?\n",
    );
    let run = site.run(&["check"]);
    assert!(!run.stderr().contains("PostgresReplicationLag` has no runbook"), "{}", run.stderr());
}

/// Rule files come from pull requests too: one that is a symlink leading out of the content
/// root is not read (an error at it), and a FIFO the pattern meets is not a rule file and is
/// never opened (it would block the run); nothing outside is read or shown.
#[cfg(unix)]
#[test]
fn issue_11_rule_files_that_link_outside_or_are_not_files_are_refused() {
    let site = site("alerts-hostile", "[alerts]\nrules = [\"monitoring/*.yml\"]\n");
    let outside = site.path("..").join("alerts-hostile-secret.yml");
    std::fs::write(
        &outside,
        "groups:\n  - name: secret\n    rules:\n      - alert: SecretOutside\n        expr: up\n",
    )
    .unwrap();
    std::fs::create_dir_all(site.path("monitoring")).unwrap();
    std::os::unix::fs::symlink(&outside, site.path("monitoring/linked.yml")).unwrap();
    assert!(
        std::process::Command::new("mkfifo")
            .arg(site.path("monitoring/pipe.yml"))
            .status()
            .unwrap()
            .success()
    );
    let run = site.run(&["check"]);
    run.code(1);
    let diagnostics = run.diagnostics();
    assert!(
        diagnostics
            .iter()
            .any(|d| d.starts_with("monitoring/linked.yml:1:1: error: cannot read alert rules: `")
                && d.contains("` is outside the content root")),
        "{diagnostics:#?}"
    );
    assert_eq!(diagnostics.len(), 1, "the FIFO is no rule file: {diagnostics:#?}");
    assert!(!run.stdout().contains("SecretOutside") && !run.stderr().contains("SecretOutside"));
    std::fs::remove_file(outside).unwrap();
}

/// Runbook and service page fields of the wrong shape are errors at their key's line, all of
/// them together; a key of the same name nested under another (`escalation`) is not taken for
/// the field.
#[test]
fn fields_of_the_wrong_shape_are_errors_at_their_key() {
    let site = site("alerts-fields", "[book]\ntitle = \"Ops\"\n");
    site.write(
        "src/runbooks/disk-full.md",
        "---\nowner: sre\nescalation:\n  alerts: nested\nservice: [a, b]\nseverity: {level: 1}\nalerts: {DiskAlmostFull: yes}\n---\n# Disk full\n\n## Mitigation\n\nFree space.\n",
    );
    site.write(
        "src/services/ledger.md",
        "---\nkind: service\nowner: payments\ntier: [1]\ndepends_on: {db: yes}\n---\n# Ledger\n",
    );
    site.run(&["check"]).code(1).stderr_eq(
        "src/runbooks/disk-full.md:5:1: error: `service` must be text
 5 | service: [a, b]
   | ^
  = hint: write it on one line, e.g. `service: checkout-api`

src/runbooks/disk-full.md:6:1: error: `severity` must be text
 6 | severity: {level: 1}
   | ^
  = hint: write it on one line, e.g. `severity: critical`

src/runbooks/disk-full.md:7:1: error: `alerts` must be a list of alert names
 7 | alerts: {DiskAlmostFull: yes}
   | ^
  = hint: write e.g. `alerts: [DiskAlmostFull]`

src/services/ledger.md:4:1: error: `tier` must be text
 4 | tier: [1]
   | ^
  = hint: write it on one line, e.g. `tier: …`

src/services/ledger.md:5:1: error: `depends_on` must be a list of service names
 5 | depends_on: {db: yes}
   | ^
  = hint: write e.g. `depends_on: [ledger]`

error: found 5 errors
",
    );
}
