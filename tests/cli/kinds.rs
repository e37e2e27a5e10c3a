//! Runbooks, ADRs, onboarding paths and `lore new` (issue 3): the pages they produce and the
//! exact diagnostics for their mistakes.

use crate::harness::SiteTest;

fn site(name: &str) -> SiteTest {
    let site = SiteTest::empty(name);
    site.write("book.toml", "");
    site
}

const RUNBOOK_A: &str = "---\nowner: db\nservice: postgres\nseverity: critical\nalerts: [PgDown, PgLag]\ndashboards:\n  - title: Overview\n    url: https://grafana.example/d/pg\n---\n\n# A\n\n## Mitigation\n\nPromote.\n";

#[test]
fn alert_urls_redirect_to_the_runbook_and_are_listed_in_alerts_json() {
    let site = site("kinds-alerts");
    site.write("src/runbooks/a.md", RUNBOOK_A);
    let run = site.run(&["build"]);
    run.success();
    let redirect = run.page("alerts/PgDown/index.html");
    assert!(
        redirect.contains("<meta http-equiv=\"refresh\" content=\"0; url=../../runbooks/a/\">"),
        "{redirect}"
    );
    assert!(redirect.contains("<a href=\"../../runbooks/a/\">A</a>"), "{redirect}");
    let json = run.page("alerts.json");
    assert!(
        json.contains(
            "\"PgDown\": {\n      \"alert_url\": \"alerts/PgDown/\",\n      \"runbook\": \"runbooks/a/\""
        ),
        "{json}"
    );
    let page = run.main_of("runbooks/a/index.html");
    assert!(
        page.contains("<dt>Service</dt><dd><a href=\"../../services/postgres/\">postgres</a></dd>"),
        "{page}"
    );
    assert!(page.contains("<span class=\"severity severity-critical\">critical</span>"), "{page}");
    assert!(page.contains("<a href=\"https://grafana.example/d/pg\">Overview</a>"), "{page}");
    let index = run.main_of("alerts/index.html");
    assert!(index.find(">PgDown<").unwrap() < index.find(">PgLag<").unwrap(), "{index}");
}

#[test]
fn an_alert_claimed_by_two_runbooks_names_both_files() {
    let site = site("kinds-duplicate-alert");
    site.write("src/runbooks/a.md", RUNBOOK_A);
    site.write("src/runbooks/b.md", RUNBOOK_A.replace("[PgDown, PgLag]", "[PgLag]"));
    site.run(&["build"]).code(2).stderr_eq(
        "src/runbooks/b.md:5:10: error: alert `PgLag` is claimed by both `runbooks/a.md` and `runbooks/b.md`
 5 | alerts: [PgLag]
   |          ^
  = hint: an alert leads to one runbook: remove it from one of them

error: found 1 error
",
    );
}

#[test]
fn a_runbook_without_owner_or_mitigation_warns_or_fails_when_configured() {
    let site = site("kinds-runbook-sections");
    site.write("src/runbooks/a.md", "---\nservice: x\n---\n\n# A\n");
    let expected = "src/runbooks/a.md:1:1: SEV: runbook has no `owner`
 1 | ---
   | ^
  = hint: add `owner: <team>` to the front matter so the reader knows whom to call

src/runbooks/a.md:4:1: SEV: runbook has no Mitigation section
 4 | 
   | ^
  = hint: add a `## Mitigation` section with the steps that stop the bleeding

";
    site.run(&["check"]).success().stderr_eq(&format!(
        "{}checked 3 pages: no errors, 2 warnings\n",
        expected.replace("SEV", "warning")
    ));
    site.write("book.toml", "[check]\nrunbook-sections = \"error\"\n");
    site.run(&["check"])
        .code(1)
        .stderr_eq(&format!("{}error: found 2 errors\n", expected.replace("SEV", "error")));
}

#[test]
fn supersession_is_shown_on_both_sides_and_the_log_de_emphasises_the_old_record() {
    let site = site("kinds-adr-both-sides");
    site.write("src/adr/0001-old.md", "---\nstatus: accepted\ndate: 2024-01-02\n---\n\n# 1. Old\n");
    site.write(
        "src/adr/0002-new.md",
        "# 2. New\n\nDate: 2024-02-03\n\n## Status\n\nAccepted\n\nSupersedes [1. Old](0001-old.md)\n",
    );
    let run = site.run(&["build"]);
    run.code(2).stderr_eq(
        "src/adr/0001-old.md:2:1: error: status is `accepted`, but ADR-0002 (`adr/0002-new.md`) says it supersedes this record
 2 | status: accepted
   | ^
  = hint: set the status to `superseded`, or remove the supersession

error: found 1 error
",
    );
    site.write("src/adr/0001-old.md", "---\nstatus: superseded\ndate: 2024-01-02\n---\n\n# 1. Old\n");
    let run = site.run(&["build"]);
    run.success();
    let old = run.main_of("adr/0001-old/index.html");
    assert!(old.contains("<span class=\"relation-kind\">Superseded by</span> <a href=\"../../adr/0002-new/\">ADR-0002: New</a>"), "{old}");
    let new = run.main_of("adr/0002-new/index.html");
    assert!(new.contains("<span class=\"relation-kind\">Supersedes</span> <a href=\"../../adr/0001-old/\">ADR-0001: Old</a>"), "{new}");
    // De-emphasised in the sidebar of every page too.
    let page = run.page("adr/0002-new/index.html");
    assert!(
        page.contains(
            "<li class=\"nav-link depth-1 muted\" style=\"--depth: 1\"><a href=\"../../adr/0001-old/\">"
        ),
        "{page}"
    );
    let log = run.main_of("adr/index.html");
    assert!(log.contains("<tr class=\"adr-row adr-superseded\" data-status=\"superseded\" data-number=\"0001\" data-date=\"2024-01-02\">"), "{log}");
    assert!(log.contains("<span class=\"adr-note\">Superseded by ADR-0002</span>"), "{log}");
    assert!(log.contains("<button type=\"button\" data-status=\"superseded\" aria-pressed=\"false\">Superseded <span>1</span></button>"), "{log}");
}

#[test]
fn adr_number_clash_dangling_link_and_cycle() {
    let site = site("kinds-adr-errors");
    site.write("src/adr/0001-a.md", "---\nstatus: superseded\nsuperseded_by: 0002-b.md\n---\n# A\n");
    site.write(
        "src/adr/0002-b.md",
        "---\nstatus: superseded\nsuperseded_by: 0001-a.md\nrelates_to: 0009-gone.md\n---\n# B\n",
    );
    site.write("src/adr/0002-c.md", "# 7. C\n");
    site.run(&["check"]).code(1).stderr_eq(
        "src/adr/0002-b.md:3:1: error: ADR-0001 and ADR-0002 each say they supersede the other
 3 | superseded_by: 0001-a.md
   | ^
  = hint: a newer record supersedes an older one; remove the link that points back

src/adr/0002-b.md:4:1: error: `relates_to` names `0009-gone.md`, which is not an ADR in this site
 4 | relates_to: 0009-gone.md
   | ^
  = hint: name the record by file name (`0005-use-kafka.md`) or number (`5`)

src/adr/0002-c.md:1:1: error: ADR number 2 is used by both `adr/0002-b.md` and `adr/0002-c.md`
  = hint: renumber one of them; `lore new adr` picks the next free number

src/adr/0002-c.md:1:3: warning: the title says ADR 7, but the file name `0002-c.md` makes it ADR 2
 1 | # 7. C
   |   ^
  = hint: change the title to `# 2. C`

error: found 3 errors and 1 warning
",
    );
}

const PATH: &str = "---\ntitle: Backend\nsteps:\n  - group: Day 1\n    steps:\n      - page: a.md\n        estimated_time: 1h\n      - task: Get VPN access\n        who: it\n  - page: b.md\n    estimated_time: 30m\n---\n\nWelcome.\n";

#[test]
fn a_path_lists_its_steps_and_a_step_page_shows_its_place() {
    let site = site("kinds-path");
    site.write("src/a.md", "---\nlast_verified: 2026-01-02\n---\n# A\n");
    site.write("src/b.md", "# B\n");
    site.write("src/onboarding/backend.md", PATH);
    let run = site.run(&["build"]);
    run.success();
    let path = run.main_of("onboarding/backend/index.html");
    assert!(path.contains("<div><dt>Steps</dt><dd>3</dd></div>"), "{path}");
    assert!(path.contains("<h3 class=\"step-group\">Day 1</h3>"), "{path}");
    // Without JavaScript the steps are plain ordered lists, numbered across groups; the
    // checkboxes and the progress line appear only when the script runs.
    assert!(path.contains("<ol class=\"steps\" start=\"1\">"), "{path}");
    assert!(path.contains("<ol class=\"steps\" start=\"3\">"), "{path}");
    assert_eq!(path.matches("aria-label=\"Done: ").count(), 3, "{path}");
    assert_eq!(path.matches("\" hidden></label>").count(), 3, "{path}");
    assert!(path.contains("<p class=\"path-progress\" aria-live=\"polite\" hidden></p>"), "{path}");
    assert!(path.contains("data-path-key=\"lore:Documentation:onboarding/backend/\""), "{path}");
    assert!(
        path.contains(
            "<span class=\"step-verified\">verified <time datetime=\"2026-01-02\">2026-01-02</time></span>"
        ),
        "{path}"
    );
    assert!(path.contains("<span class=\"step-who\">with it</span>"), "{path}");
    let b = run.main_of("b/index.html");
    assert!(b.contains("<a href=\"../onboarding/backend/\">Backend</a> · step 3 of 3"), "{b}");
    assert!(b.contains("<a class=\"pager-prev\" href=\"../onboarding/backend/#s2\" rel=\"prev\"><span>Previous step</span>Get VPN access</a>"), "{b}");
    let a = run.main_of("a/index.html");
    assert!(a.contains("step 1 of 3"), "{a}");
    assert!(a.contains("<span>Next step</span>Get VPN access"), "{a}");
}

#[test]
fn missing_step_page_empty_path_and_prerequisite_cycle() {
    let site = site("kinds-path-errors");
    site.write(
        "src/onboarding/a.md",
        "---\nprerequisites: [onboarding/b.md]\nsteps:\n  - page: nowhere.md\n  - task: x\n---\n",
    );
    site.write("src/onboarding/b.md", "---\nprerequisites: [onboarding/a.md]\nsteps: []\n---\n");
    site.run(&["check"]).code(1).stderr_eq(
        "src/onboarding/a.md:2:1: error: prerequisites form a cycle: onboarding/a.md → onboarding/b.md → onboarding/a.md
 2 | prerequisites: [onboarding/b.md]
   | ^
  = hint: a path cannot require itself; remove one of the prerequisites

src/onboarding/a.md:4:11: error: step names `nowhere.md`, which is not a page in this site
 4 |   - page: nowhere.md
   |           ^
  = hint: give the page's path from the source folder, e.g. `runbooks/db-failover.md`

src/onboarding/b.md:3:1: error: onboarding path has no steps
 3 | steps: []
   | ^
  = hint: add steps (`- page: path/to/page.md` or `- task: \"…\"`), or remove `steps` to make it an ordinary page

error: found 3 errors
",
    );
}

#[test]
fn lore_new_numbers_adrs_supersedes_and_never_overwrites() {
    let site = site("kinds-new");
    site.write("src/adr/0007-use-postgres.md", "---\ntitle: Use Postgres\nstatus: accepted\ndate: 2020-01-01\n---\n\nstatus: accepted stays in the body\n");
    let run = site.run(&["new", "adr", "Use Kafka for events", "--supersedes", "7"]);
    run.success();
    assert_eq!(run.stdout(), "src/adr/0008-use-kafka-for-events.md\n");
    assert_eq!(
        site.read("src/adr/0007-use-postgres.md"),
        "---\ntitle: Use Postgres\nstatus: superseded\ndate: 2020-01-01\n---\n\nstatus: accepted stays in the body\n"
    );
    let new = site.read("src/adr/0008-use-kafka-for-events.md");
    assert!(new.starts_with("---\ntitle: \"Use Kafka for events\"\nstatus: proposed\n"), "{new}");
    assert!(new.contains("supersedes: 0007-use-postgres.md\n"), "{new}");
    site.run(&["build"]).success();
    let run = site.run(&["new", "runbook", "Postgres primary failover"]);
    run.success();
    assert_eq!(run.stdout(), "src/runbooks/postgres-primary-failover.md\n");
    site.run(&["new", "runbook", "Postgres primary failover"]).code(2).stderr_eq(
        "error: `src/runbooks/postgres-primary-failover.md` already exists\n  = hint: lore new never overwrites; choose another title\n",
    );
    site.run(&["new", "onboarding", "Backend engineer"]).success();
    site.run(&["new", "page", "Glossary"]).success();
    assert!(site.path("src/onboarding/backend-engineer.md").is_file());
    assert!(site.path("src/glossary.md").is_file());
}

#[test]
fn custom_adr_statuses_map_to_the_lifecycle() {
    let site = site("kinds-adr-custom-status");
    site.write("src/adr/0001-a.md", "---\nstatus: parked\n---\n# A\n");
    site.run(&["check"]).code(1).stderr_eq(
        "src/adr/0001-a.md:2:1: error: unknown ADR status `parked`
 2 | status: parked
   | ^
  = hint: expected `proposed`, `accepted`, `rejected`, `deprecated` or `superseded`, or map it under `[kinds.adr-statuses]` in `book.toml`

error: found 1 error
",
    );
    site.write("book.toml", "[kinds.adr-statuses]\nparked = \"later\"\n");
    site.run(&["check"]).code(2).stderr_eq(
        "book.toml:2:1: error: ADR status `parked` must map to a lifecycle state, not `later`
 2 | parked = \"later\"
   | ^
  = hint: expected `proposed`, `accepted`, `rejected`, `deprecated` or `superseded`

error: found 1 error
",
    );
    site.write("book.toml", "[kinds.adr-statuses]\nparked = \"deprecated\"\n");
    let run = site.run(&["build"]);
    run.success();
    let log = run.main_of("adr/index.html");
    assert!(log.contains("<span class=\"status status-deprecated\">Parked</span>"), "{log}");
}

#[test]
fn taxonomy_pages_group_pages_by_kind() {
    let site = site("kinds-taxonomy");
    site.write("src/runbooks/a.md", RUNBOOK_A.replace("owner: db", "owner: db\ntags: [postgres]"));
    site.write("src/notes.md", "---\ntags: [postgres]\n---\n# Notes\n");
    let run = site.run(&["build"]);
    run.success();
    let tag = run.main_of("tags/postgres/index.html");
    assert!(tag.contains("<h1>Tag: postgres</h1>"), "{tag}");
    let runbooks = tag.find("<h2>Runbooks <span class=\"count\">1</span></h2>").expect(&tag);
    let pages = tag.find("<h2>Pages <span class=\"count\">1</span></h2>").expect(&tag);
    assert!(runbooks < pages, "{tag}");
    let services = run.main_of("services/index.html");
    assert!(
        services.contains(
            "<h2><a href=\"../services/postgres/\">postgres</a> <span class=\"count\">1</span></h2>"
        ),
        "{services}"
    );
    site.write("src/runbooks/b.md", RUNBOOK_A.replace("critical", "low").replace("[PgDown, PgLag]", "[B]"));
    site.write("src/runbooks/c.md", RUNBOOK_A.replace("critical", "high").replace("[PgDown, PgLag]", "[C]"));
    let run = site.run(&["build"]);
    run.success();
    // Severities are listed most urgent first.
    let severities = run.main_of("severities/index.html");
    let at = |s: &str| severities.find(&format!("<h2><a href=\"../severities/{s}/\">")).expect(s);
    assert!(at("critical") < at("high") && at("high") < at("low"), "{severities}");
    let folder = run.main_of("runbooks/index.html");
    assert!(folder.contains("<a href=\"../alerts/\">Alerts A–Z</a>"), "{folder}");
}

#[test]
fn lore_new_uses_the_sites_own_template_and_rejects_supersedes_for_other_kinds() {
    let site = site("kinds-new-template");
    site.write("theme/new/runbook.md", "---\ntitle: {title}\nowner: sre\n---\n\n## Mitigation\n");
    let run = site.run(&["new", "runbook", "Disk full"]);
    run.success();
    assert_eq!(
        site.read("src/runbooks/disk-full.md"),
        "---\ntitle: \"Disk full\"\nowner: sre\n---\n\n## Mitigation\n"
    );
    site.run(&["new", "page", "X", "--supersedes", "1"])
        .code(2)
        .stderr_eq("error: `--supersedes` applies to `lore new adr` only\n");
    site.run(&["new", "adr", "Y", "--supersedes", "4"])
        .code(2)
        .stderr_eq("error: there is no ADR 4 in `src/adr` to supersede\n");
    assert!(!site.path("src/adr").exists(), "nothing is written when the old record is missing");
}

#[test]
fn a_supersession_cycle_names_every_record_in_it() {
    let site = site("kinds-adr-cycle");
    site.write("src/adr/0001-a.md", "---\nstatus: superseded\nsupersedes: 3\n---\n# A\n");
    site.write("src/adr/0002-b.md", "---\nstatus: superseded\nsupersedes: ADR-0001\n---\n# B\n");
    site.write("src/adr/0003-c.md", "---\nstatus: superseded\nsupersedes: 0002-b.md\n---\n# C\n");
    site.run(&["check"]).code(1).stderr_eq(
        "src/adr/0001-a.md:3:1: error: supersession cycle: ADR-0001 → ADR-0003 → ADR-0002 → ADR-0001
 3 | supersedes: 3
   | ^
  = hint: a newer record supersedes an older one; remove the link that points back

error: found 1 error
",
    );
}

#[test]
fn lore_new_adr_goes_to_the_existing_decisions_folder() {
    let site = site("kinds-new-decisions");
    site.write("src/decisions/0003-x.md", "# 3. X\n\n## Status\n\nAccepted\n");
    let run = site.run(&["new", "adr", "Y", "--supersedes", "3"]);
    run.success();
    assert_eq!(run.stdout(), "src/decisions/0004-y.md\n");
    assert_eq!(
        site.read("src/decisions/0003-x.md"),
        "# 3. X\n\n## Status\n\nSuperseded by [0004-y.md](0004-y.md)\n"
    );
    site.run(&["build"]).success();
}
