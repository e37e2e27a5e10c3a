//! Freshness (issue 4): states from `last_verified`, intervals and a fixed `--today`; the page
//! banner, sidebar and listing badges, the `freshness/` dashboard, `freshness.json`, `lore
//! check --fail-on/--format/--owner`, and bad input.

use crate::harness::SiteTest;

/// Eleven pages on 2026-03-01: three stale (one flagged `outdated`), one due soon, one
/// unverified, two fresh, one exempt ADR (plus generated listings).
fn team() -> SiteTest {
    SiteTest::fixture("freshness/team")
}

const HUMAN: &str = "freshness on 2026-03-01: 3 stale, 1 due soon, 1 unverified, 2 fresh, 1 exempt
  stale       src/runbooks/db.md:4                last verified 2025-08-01, 122 days overdue (review every 90 days) · owner: dba-team
  stale       src/runbooks/payments/refunds.md:4  last verified 2026-01-20, 10 days overdue (review every 30 days) · owner: payments-team
  stale       src/runbooks/vpn.md:4               flagged outdated: uses the old VPN gateway · owner: payments-team
  due soon    src/runbooks/cache.md:4             last verified 2025-12-10, due 2026-03-10 (in 9 days; review every 90 days) · owner: dba-team
  unverified  src/runbooks/new.md:1               never verified (review every 90 days) · owner: payments-team
";

#[test]
fn check_prints_the_summary_and_fails_on_stale_by_default() {
    team()
        .run(&["check", "--today", "2026-03-01"])
        .code(1)
        .stdout_eq(HUMAN)
        .stderr_eq("checked 11 pages: no errors\nerror: 3 pages need review (`--fail-on stale`)\n");
}

#[test]
fn exit_code_per_fail_on() {
    let site = team();
    // Only the due-soon and unverified pages remain once the stale ones are removed or verified.
    site.remove("src/runbooks/db.md").remove("src/runbooks/vpn.md");
    let refunds = site.read("src/runbooks/payments/refunds.md").replace("2026-01-20", "2026-02-25");
    site.write("src/runbooks/payments/refunds.md", refunds);
    let cases = [
        ("never", 0, ""),
        ("stale", 0, ""),
        ("due-soon", 1, "error: 1 page needs review (`--fail-on due-soon`)\n"),
        ("unverified", 1, "error: 1 page needs review (`--fail-on unverified`)\n"),
    ];
    for (fail_on, code, tail) in cases {
        site.run(&["check", "--today", "2026-03-01", "--fail-on", fail_on])
            .code(code)
            .stderr_eq(&format!("checked 9 pages: no errors\n{tail}"));
    }
    // The default comes from `book.toml`; `unverified-is-stale` adds unverified pages to `stale`.
    let toml = site.read("book.toml").replace("[freshness]\n", "[freshness]\nfail-on = \"due-soon\"\n");
    site.write("book.toml", toml);
    site.run(&["check"]).code(1).stderr_contains("error: 1 page needs review (`--fail-on due-soon`)");
}

#[test]
fn unverified_is_stale_when_configured() {
    let site = team();
    site.remove("src/runbooks/db.md").remove("src/runbooks/vpn.md");
    let refunds = site.read("src/runbooks/payments/refunds.md").replace("2026-01-20", "2026-02-25");
    site.write("src/runbooks/payments/refunds.md", refunds);
    let toml = site
        .read("book.toml")
        .replace("due-soon = \"14 days\"", "due-soon = \"14 days\"\nunverified-is-stale = true");
    site.write("book.toml", toml);
    site.run(&["check"]).code(1).stderr_contains("error: 1 page needs review (`--fail-on stale`)");
}

#[test]
fn unknown_fail_on_is_a_usage_error() {
    let run = team().run(&["check", "--fail-on", "sometimes"]);
    run.code(2).stderr_contains("invalid value 'sometimes' for '--fail-on <STATE>'");
    run.stderr_contains("[possible values: stale, due-soon, unverified, never]");
}

#[test]
fn github_format_annotates_each_page() {
    team().run(&["check", "--format", "github", "-q"]).code(1).stdout_eq(
        "::error file=src/runbooks/db.md,line=4,title=Stale page::Database failover: last verified 2025-08-01, 122 days overdue (review every 90 days) · owner: dba-team
::error file=src/runbooks/payments/refunds.md,line=4,title=Stale page::Refunds: last verified 2026-01-20, 10 days overdue (review every 30 days) · owner: payments-team
::error file=src/runbooks/vpn.md,line=4,title=Stale page::VPN access: flagged outdated: uses the old VPN gateway · owner: payments-team
::warning file=src/runbooks/cache.md,line=4,title=Due soon page::Cache flush: last verified 2025-12-10, due 2026-03-10 (in 9 days; review every 90 days) · owner: dba-team
::warning file=src/runbooks/new.md,line=1,title=Unverified page::New service: never verified (review every 90 days) · owner: payments-team
::notice title=Freshness::3 stale, 1 due soon, 1 unverified, 2 fresh, 1 exempt
",
    );
}

#[test]
fn markdown_format_is_a_checklist_per_owner() {
    team().run(&["check", "--format", "markdown", "-q"]).code(1).stdout_eq(
        "## Docs to review (2026-03-01)

3 stale, 1 due soon, 1 unverified, 2 fresh, 1 exempt

### dba-team

- [ ] **Database failover** (`src/runbooks/db.md`): stale, last verified 2025-08-01, 122 days overdue (review every 90 days)
- [ ] **Cache flush** (`src/runbooks/cache.md`): due soon, last verified 2025-12-10, due 2026-03-10 (in 9 days; review every 90 days)

### payments-team

- [ ] **Refunds** (`src/runbooks/payments/refunds.md`): stale, last verified 2026-01-20, 10 days overdue (review every 30 days)
- [ ] **VPN access** (`src/runbooks/vpn.md`): stale, flagged outdated: uses the old VPN gateway
- [ ] **New service** (`src/runbooks/new.md`): unverified, never verified (review every 90 days)
",
    );
}

const DBA_JSON: &str = r#"{
  "version": 1,
  "today": "2026-03-01",
  "counts": {
    "stale": 1,
    "due-soon": 1,
    "unverified": 0,
    "fresh": 0,
    "exempt": 1
  },
  "pages": [
    {
      "path": "adr/0001-use-postgres.md",
      "url": "adr/0001-use-postgres/",
      "title": "Use PostgreSQL",
      "kind": "adr",
      "owner": "dba-team",
      "state": "exempt",
      "last_verified": null,
      "verified_by": null,
      "review_every": "never",
      "due": null,
      "days_overdue": null,
      "outdated": null,
      "changed_since_verified": false
    },
    {
      "path": "runbooks/cache.md",
      "url": "runbooks/cache/",
      "title": "Cache flush",
      "kind": "runbook",
      "owner": "dba-team",
      "state": "due-soon",
      "last_verified": "2025-12-10",
      "verified_by": null,
      "review_every": "90 days",
      "due": "2026-03-10",
      "days_overdue": -9,
      "outdated": null,
      "changed_since_verified": false
    },
    {
      "path": "runbooks/db.md",
      "url": "runbooks/db/",
      "title": "Database failover",
      "kind": "runbook",
      "owner": "dba-team",
      "state": "stale",
      "last_verified": "2025-08-01",
      "verified_by": "ann",
      "review_every": "90 days",
      "due": "2025-10-30",
      "days_overdue": 122,
      "outdated": null,
      "changed_since_verified": false
    }
  ]
}
"#;

#[test]
fn json_format_narrowed_to_one_owner() {
    team().run(&["check", "--format", "json", "--owner", "dba-team", "-q"]).code(1).stdout_eq(DBA_JSON);
}

#[test]
fn owner_narrows_the_exit_code_too() {
    let site = team();
    site.run(&["check", "--owner", "docs-team"])
        .success()
        .stdout_eq("freshness on 2026-03-01: 0 stale, 0 due soon, 0 unverified, 1 fresh, 0 exempt\n");
}

#[test]
fn an_owner_with_no_pages_warns() {
    team().run(&["check", "--owner", "dba"]).success().stderr_eq(
        "warning: no page has `owner: dba`
  = hint: owners here: dba-team, docs-team, payments-team

checked 11 pages: no errors
",
    );
}

#[test]
fn freshness_json_in_the_output_has_every_page() {
    let site = team();
    let check = site.run(&["check", "--format", "json", "-q"]);
    let run = site.run(&["build", "--today", "2026-03-01"]);
    run.success();
    let json = site.read("book/freshness.json");
    assert_eq!(json, check.stdout());
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let states: Vec<(&str, &str)> = value["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["path"].as_str().unwrap(), p["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        vec![
            ("README.md", "fresh"),
            ("adr/0001-use-postgres.md", "exempt"),
            ("guide.md", "fresh"),
            ("runbooks/cache.md", "due-soon"),
            ("runbooks/db.md", "stale"),
            ("runbooks/new.md", "unverified"),
            ("runbooks/payments/refunds.md", "stale"),
            ("runbooks/vpn.md", "stale"),
        ]
    );
}

/// The text of the first element with `class="CLASS…"`, tags removed, whitespace collapsed.
fn text_of(html: &str, class: &str) -> Option<String> {
    let start = html.find(&format!("class=\"{class}"))?;
    let open = html[..start].rfind('<')?;
    let tag: String = html[open + 1..].chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let end = html[start..].find(&format!("</{tag}>"))? + start;
    let mut text = String::new();
    let mut in_tag = false;
    for c in html[html[start..].find('>')? + start + 1..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[test]
fn banners_are_calm_and_factual() {
    let site = team();
    let run = site.run(&["build", "--today", "2026-03-01"]);
    run.success();
    let banner = |page: &str| text_of(&run.page(page), "freshness-banner");
    assert_eq!(
        banner("runbooks/db/index.html").as_deref(),
        Some(
            "Stale Last verified 212 days ago (review every 90 days) · owner: dba-team · how to verify \
             Check that the steps still work, then record the review with lore verify src/runbooks/db.md \
             or set last_verified in the front matter."
        )
    );
    assert_eq!(
        banner("runbooks/cache/index.html").as_deref(),
        Some(
            "Due soon Last verified 81 days ago · due for review in 9 days (review every 90 days) · owner: dba-team · how to verify \
             Check that the steps still work, then record the review with lore verify src/runbooks/cache.md \
             or set last_verified in the front matter."
        )
    );
    assert!(
        banner("runbooks/new/index.html")
            .unwrap()
            .starts_with("Unverified Not verified yet (review every 90 days) · owner: payments-team")
    );
    assert!(
        banner("runbooks/vpn/index.html")
            .unwrap()
            .starts_with("Stale Marked outdated · Last verified 9 days ago · owner: payments-team · how to verify Reason: uses the old VPN gateway")
    );
    // Fresh and exempt pages show only the date in the header.
    assert_eq!(banner("guide/index.html"), None);
    assert_eq!(banner("adr/0001-use-postgres/index.html"), None);
}

#[test]
fn how_to_verify_links_to_the_configured_page() {
    let site = team();
    site.append("book.toml", "");
    let toml = site.read("book.toml").replace("[freshness]\n", "[freshness]\nhow-to-verify = \"guide/\"\n");
    site.write("book.toml", toml);
    let run = site.run(&["build"]);
    run.success();
    assert!(run.page("runbooks/db/index.html").contains("<a href=\"../../guide/\">how to verify</a>"));
}

#[test]
fn badges_in_the_sidebar_and_listings() {
    let site = team();
    let run = site.run(&["build", "--today", "2026-03-01"]);
    run.success();
    let html = run.page("guide/index.html");
    let badges: Vec<&str> = html
        .match_indices("badge badge-dot state-")
        .map(|(i, _)| html[i + 23..].split('"').next().unwrap())
        .collect();
    // The sidebar shows the open branch only: runbooks is closed on the guide page.
    assert_eq!(badges, Vec::<&str>::new());
    let html = run.page("runbooks/db/index.html");
    let badges: Vec<String> = html
        .match_indices("<li class=\"nav-link")
        .filter_map(|(i, _)| {
            let li = &html[i..i + html[i..].find("</li>").unwrap()];
            let a = &li[li.find("<a ").unwrap()..];
            let title = a.split('>').nth(1).unwrap().split('<').next().unwrap();
            li.find("state-").map(|s| format!("{title}: {}", li[s + 6..].split('"').next().unwrap()))
        })
        .collect();
    assert_eq!(
        badges,
        vec![
            "Cache flush: due-soon",
            "Database failover: stale",
            "New service: unverified",
            "VPN access: stale"
        ]
    );
    let listing = run.main_of("runbooks/index.html");
    assert!(listing.contains("<span class=\"badge state-stale\">Stale</span>"), "{listing}");
    assert!(listing.contains("<span class=\"badge state-due-soon\">Due soon</span>"), "{listing}");
}

#[test]
fn dashboard_counts_and_rows_per_owner() {
    let site = team();
    let run = site.run(&["build", "--today", "2026-03-01"]);
    run.success();
    let html = run.page("freshness/index.html");
    assert_eq!(
        text_of(&html, "freshness-counts").as_deref(),
        Some("3 Stale 1 Due soon 1 Unverified 2 Fresh 1 Exempt")
    );
    let headings: Vec<String> = html
        .match_indices("<h3 id=\"")
        .map(|(i, _)| {
            let h = &html[i..i + html[i..].find("</h3>").unwrap()];
            h.split('>').nth(1).unwrap().trim().to_owned()
        })
        .collect();
    assert_eq!(headings, vec!["dba-team <span class=\"muted\"", "payments-team <span class=\"muted\""]);
    let rows: Vec<String> = html
        .match_indices("<tr>\n  <td data-sort=")
        .map(|(i, _)| {
            let row = &html[i..i + html[i..].find("</tr>").unwrap()];
            let mut text = String::new();
            let mut in_tag = false;
            for c in row.chars() {
                match c {
                    '<' => {
                        in_tag = true;
                        text.push('|');
                    }
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            text.split('|').map(str::trim).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" | ")
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            "Database failover | Runbook | Stale | 2025-08-01 | 2025-10-30 | 122 days overdue",
            "Cache flush | Runbook | Due soon | 2025-12-10 | 2026-03-10 | due in 9 days",
            "Refunds | Runbook | Stale | 2026-01-20 | 2026-02-19 | 10 days overdue",
            "VPN access | uses the old VPN gateway | Runbook | Stale | 2026-02-20 | 2026-05-21 | flagged outdated",
            "New service | Runbook | Unverified | never | — | never verified",
        ]
    );
    assert!(html.contains("<a href=\"../freshness.json\">freshness.json</a>"));
    assert!(html.contains("<table class=\"freshness-table sortable\">"));
}

#[test]
fn two_builds_on_the_same_day_are_byte_identical() {
    let site = team();
    site.run(&["build", "--today", "2026-02-25"]).success();
    let first = site.files("book");
    site.run(&["build", "--today", "2026-02-25"]).success();
    assert_eq!(site.files("book"), first);
    // `SOURCE_DATE_EPOCH` (2026-03-01 in tests) gives the same site as `--today 2026-03-01`.
    site.run(&["build"]).success();
    let from_epoch = site.files("book");
    site.run(&["build", "--today", "2026-03-01"]).success();
    assert_eq!(site.files("book"), from_epoch);
    assert_ne!(from_epoch, first);
}

#[test]
fn a_future_last_verified_is_an_error() {
    team().run(&["check", "--today", "2026-01-15"]).code(1).stderr_eq(
        "src/README.md:2:1: error: `last_verified` 2026-02-01 is in the future (today is 2026-01-15)
 2 | last_verified: 2026-02-01
   | ^
  = hint: write the date the page was last checked; set `--today` if the build date is wrong

src/runbooks/payments/refunds.md:4:1: error: `last_verified` 2026-01-20 is in the future (today is 2026-01-15)
 4 | last_verified: 2026-01-20
   | ^
  = hint: write the date the page was last checked; set `--today` if the build date is wrong

src/runbooks/vpn.md:4:1: error: `last_verified` 2026-02-20 is in the future (today is 2026-01-15)
 4 | last_verified: 2026-02-20
   | ^
  = hint: write the date the page was last checked; set `--today` if the build date is wrong

error: found 3 errors
",
    );
}

#[test]
fn bad_today_and_bad_intervals() {
    let site = team();
    site.run(&["build", "--today", "2026-02-30"]).code(2).stderr_eq(
        "error: `--today` is not a date: `2026-02-30`\n  = hint: write it as YYYY-MM-DD, e.g. `2026-03-31`\n",
    );
    site.write(
        "src/runbooks/typo.md",
        "---\ntitle: Typo\nreview_every: 90 dayz\nlast_verified: 2026-02-30\n---\nx\n",
    );
    site.run(&["check"]).code(1).stderr_eq(
        "src/runbooks/typo.md:3:15: error: `review_every` is not an interval: `90 dayz`
 3 | review_every: 90 dayz
   |               ^
  = hint: write e.g. `30d`, `12w`, `6 months`, `1y` or `never`

src/runbooks/typo.md:4:16: error: `last_verified` is not a date: `2026-02-30`
 4 | last_verified: 2026-02-30
   |                ^
  = hint: write dates as YYYY-MM-DD, e.g. `2026-03-31`

error: found 2 errors
",
    );
}

#[test]
fn a_folder_rule_that_matches_nothing_warns() {
    let site = team();
    site.append("book.toml", "\"runbooks/payment\" = \"7d\"\n");
    site.run(&["check", "-q", "--fail-on", "never"]).success();
    site.run(&["check", "--fail-on", "never"]).success().stderr_eq(
        "book.toml:12:1: warning: `[freshness.folders]` rule `runbooks/payment` matches no page
 12 | \"runbooks/payment\" = \"7d\"
    | ^
  = hint: folders are relative to the source folder, e.g. `runbooks/payments`

checked 11 pages: no errors, 1 warning
",
    );
}

#[test]
fn bad_freshness_config_names_the_line() {
    let site = team();
    let toml =
        site.read("book.toml").replace("due-soon = \"14 days\"", "due-soon = \"two weeks\"\nstale-after = 3");
    site.write("book.toml", toml);
    let run = site.run(&["check"]);
    run.code(2);
    assert_eq!(
        run.diagnostics(),
        vec![
            "book.toml:5:12: error: `due-soon` is not an interval: `two weeks`",
            "book.toml:6:1: error: unknown key `freshness.stale-after` in `book.toml`",
        ]
    );
}

/// Runs git in the site with fixed dates and identity.
fn git(site: &SiteTest, rel: &str, args: &[&str]) {
    let status = std::process::Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(site.path(rel))
        .env("GIT_AUTHOR_DATE", "2026-01-10T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-10T12:00:00Z")
        .output()
        .expect("run git");
    assert!(status.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&status.stderr));
}

#[test]
fn git_marks_pages_changed_since_verified() {
    let site = team();
    let toml = site.read("book.toml").replace("[freshness]\n", "[freshness]\ngit = true\n");
    site.write("book.toml", toml);
    git(&site, "", &["init", "-q"]);
    git(&site, "", &["add", "."]);
    git(&site, "", &["commit", "-q", "-m", "docs"]);
    let run = site.run(&["check", "--format", "json", "-q", "--fail-on", "never"]);
    run.success();
    let value: serde_json::Value = serde_json::from_str(run.stdout()).unwrap();
    let changed: Vec<&str> = value["pages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["changed_since_verified"] == serde_json::Value::Bool(true))
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    // Committed on 2026-01-10: after the guide and the database and cache runbooks were verified.
    assert_eq!(changed, vec!["guide.md", "runbooks/cache.md", "runbooks/db.md"]);
    // The dashboard lists the fresh page that changed; the others are already listed as due.
    let build = site.run(&["build"]);
    build.success();
    let html = build.page("freshness/index.html");
    let section =
        &html[html.find("<h2 id=\"changed\">").unwrap()..html.find("<h2 id=\"by-owner\">").unwrap()];
    assert_eq!(section.matches("<tr>\n").count(), 1);
    assert!(section.contains("<a href=\"../guide/\">Style guide</a>"), "{section}");
    // The fresh page that changed says so itself, in a banner of its own state.
    let guide = build.page("guide/index.html");
    let banner = &guide[guide.find("<aside class=\"freshness-banner").expect("a banner")..];
    let banner = &banner[..banner.find("</aside>").unwrap()];
    assert!(banner.starts_with("<aside class=\"freshness-banner state-fresh\""), "{banner}");
    assert!(banner.contains(" · changed since verified · "), "{banner}");
    site.run(&["check", "--fail-on", "never"]).success().stdout_eq(
        "freshness on 2026-03-01: 3 stale, 1 due soon, 1 unverified, 2 fresh, 1 exempt
  stale       src/runbooks/db.md:4                last verified 2025-08-01, 122 days overdue (review every 90 days); changed since verified · owner: dba-team
  stale       src/runbooks/payments/refunds.md:4  last verified 2026-01-20, 10 days overdue (review every 30 days) · owner: payments-team
  stale       src/runbooks/vpn.md:4               flagged outdated: uses the old VPN gateway · owner: payments-team
  due soon    src/runbooks/cache.md:4             last verified 2025-12-10, due 2026-03-10 (in 9 days; review every 90 days); changed since verified · owner: dba-team
  unverified  src/runbooks/new.md:1               never verified (review every 90 days) · owner: payments-team
",
    );
}

#[test]
fn a_shallow_clone_skips_the_git_signal_with_one_warning() {
    let site = team();
    let toml = site.read("book.toml").replace("[freshness]\n", "[freshness]\ngit = true\n");
    site.write("book.toml", toml);
    git(&site, "", &["init", "-q"]);
    git(&site, "", &["add", "."]);
    git(&site, "", &["commit", "-q", "-m", "docs"]);
    let origin = format!("file://{}", site.root().display());
    git(&site, "", &["clone", "-q", "--depth", "1", &origin, "shallow"]);
    let run = site.run_in("shallow", &["check", "--fail-on", "never"]);
    run.success().stderr_eq(
        "warning: this is a shallow git clone, so file history is incomplete; \"changed since verified\" is skipped (fetch with `--unshallow` to enable it)

checked 11 pages: no errors, 1 warning
",
    );
    assert!(!run.stdout().contains("changed since verified"));
}

#[test]
fn a_path_is_only_as_fresh_as_its_stalest_step() {
    let site = SiteTest::empty("freshness-path-step");
    site.write("book.toml", "[freshness]\ndefault = \"90 days\"\n");
    site.write(
        "src/runbooks/db.md",
        "---\ntitle: Database failover\nowner: dba\nlast_verified: 2025-06-01\n---\n## Mitigation\n\nPromote.\n",
    );
    site.write(
        "src/onboarding/sre.md",
        "---\ntitle: SRE path\nowner: sre\nlast_verified: 2026-02-20\nsteps:\n  - page: runbooks/db.md\n---\nWelcome.\n",
    );
    let run = site.run(&["build", "--today", "2026-03-01"]);
    run.success();
    let path = run.page("onboarding/sre/index.html");
    assert_eq!(
        text_of(&path, "freshness-reason").as_deref(),
        Some("Reason: its step “Database failover” is stale")
    );
    assert!(path.contains("<span class=\"badge state-stale\">Stale</span>"), "the step shows its state");
    let json: serde_json::Value = serde_json::from_str(&site.read("book/freshness.json")).unwrap();
    let state_of = |p: &str| {
        json["pages"].as_array().unwrap().iter().find(|e| e["path"] == p).map(|e| e["state"].clone())
    };
    assert_eq!(state_of("onboarding/sre.md"), Some(serde_json::json!("stale")));
}

/// The dashboard's section of an owner has the id made by the one slug function the owner pages
/// use too: a name with capitals outside ASCII is lowercased whole (`owner-équipe-données`).
#[test]
fn dashboard_owner_ids_use_the_taxonomy_slug() {
    let site = SiteTest::empty("owner-slug");
    site.write("book.toml", "");
    site.write("src/README.md", "# Home\n");
    site.write("src/runbooks/db.md", "---\nowner: Équipe Données\nlast_verified: 2025-01-01\n---\n# DB\n");
    site.run(&["build", "--today", "2026-03-01"]).success();
    let dashboard = std::fs::read_to_string(site.path("book/freshness/index.html")).unwrap();
    assert!(dashboard.contains("id=\"owner-équipe-données\""), "{dashboard}");
}

/// Issue 14: `[freshness.kinds]` names kinds with the same parser as front matter, so
/// `decision` (the alias of `adr`) gives ADRs exactly the interval `adr` gives them; an unknown
/// kind, or two names of one kind, is still an error at its line.
#[test]
fn issue_14_decision_alias_in_freshness_kinds() {
    let site = team();
    let base = site.read("book.toml");
    let with = |kinds: &str| base.replace("page = \"180 days\"\n", &format!("page = \"180 days\"\n{kinds}"));
    let report = |toml: String| {
        site.write("book.toml", toml);
        let run = site.run(&["check", "--today", "2026-03-01", "--fail-on", "never"]);
        run.success().stderr_eq("checked 11 pages: no errors\n");
        run.stdout().to_owned()
    };
    let by_alias = report(with("decision = \"1 year\"\n"));
    assert_eq!(by_alias, report(with("adr = \"1 year\"\n")));
    assert!(by_alias.contains(
        "  unverified  src/adr/0001-use-postgres.md:1      never verified (review every 1 year) · owner: dba-team\n"
    ));
    site.write("book.toml", with("decision = \"1 year\"\nadr = \"2y\"\nplaybook = \"3d\"\n"));
    site.run(&["check", "--today", "2026-03-01"]).code(2).stdout_empty().stderr_eq(
        "book.toml:9:1: error: `decision` and `adr` both set the interval of kind `adr`
 9 | decision = \"1 year\"
   | ^
  = hint: keep one of them

book.toml:11:1: error: unknown kind `playbook` in `[freshness.kinds]`
 11 | playbook = \"3d\"
    | ^
  = hint: expected `page`, `runbook`, `adr` or `onboarding`

error: found 2 errors
",
    );
}

/// Issue 14: the dashboard has a view of its own: the frame every page has (`site`, `page`,
/// `nav`, `breadcrumbs`) and `dashboard`, none of a page's own parts.
#[test]
fn issue_14_dashboard_view_has_the_frame_and_no_page_parts() {
    let site = team();
    let mut template = String::new();
    for key in ["content", "toc", "prev", "next", "listing", "kinds", "site", "page", "nav", "breadcrumbs"] {
        template.push_str(&format!("{{% if {key} is defined %}}{key} {{% endif %}}"));
    }
    template.push_str("| {{ page.title }} | {{ page.kind }} | {{ dashboard.total }}\n");
    site.write("theme/templates/freshness.html", template);
    site.run(&["build", "-q"]).success();
    assert_eq!(
        site.read("book/freshness/index.html"),
        "site page nav breadcrumbs | Freshness | freshness | 8\n"
    );
}
