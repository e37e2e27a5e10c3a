use std::path::PathBuf;

use super::*;

fn load(rel: &str, text: &str) -> Result<(Page, Vec<Diagnostic>), Vec<Diagnostic>> {
    let config = SiteConfig::for_tests(Path::new("."));
    load_with(rel, text, &config)
}

fn load_with(rel: &str, text: &str, config: &SiteConfig) -> Result<(Page, Vec<Diagnostic>), Vec<Diagnostic>> {
    let source = SourceFile {
        path: PathBuf::from(rel),
        rel: rel.to_owned(),
        shown: PathBuf::from(format!("src/{rel}")),
    };
    Page::from_text(source, text.to_owned(), config)
}

fn messages(diags: &[Diagnostic]) -> Vec<String> {
    diags.iter().map(ToString::to_string).collect()
}

#[test]
fn reads_common_fields() {
    let text = "---\ntitle: DB failover\nowner: data\ntags: [pg, db]\nlast_verified: 2026-01-02\nreview_every: 90d\nweight: 3\n---\nbody\n";
    let (page, diags) = load("runbooks/db.md", text).unwrap();
    assert!(diags.is_empty());
    assert_eq!(page.title, "DB failover");
    assert_eq!(page.kind, Kind::Runbook);
    assert_eq!(page.meta.owner.as_deref(), Some("data"));
    assert_eq!(page.meta.tags, ["pg", "db"]);
    assert_eq!(page.meta.last_verified, Some(jiff::civil::date(2026, 1, 2)));
    assert_eq!(page.meta.review_every, Some(ReviewInterval::Days(90)));
    assert_eq!(page.meta.weight, Some(3));
    assert_eq!(page.body(), "body\n");
}

#[test]
fn kind_from_front_matter_wins_over_folder() {
    let (page, _) = load("runbooks/x.md", "---\nkind: adr\n---\n").unwrap();
    assert_eq!(page.kind, Kind::Adr);
    let (page, _) = load("docs/decisions/0001-x.md", "# x").unwrap();
    assert_eq!(page.kind, Kind::Adr);
    let (page, _) = load("notes/x.md", "# x").unwrap();
    assert_eq!(page.kind, Kind::Page);
    let (page, _) = load("runbooks/README.md", "# Runbooks").unwrap();
    assert_eq!(page.kind, Kind::Page, "a folder's index page introduces the folder");
}

#[test]
fn title_falls_back_to_heading_then_file_name() {
    let (page, _) = load("a/b.md", "```\n# not this\n```\n# The `real` title\n").unwrap();
    assert_eq!(page.title, "The real title");
    let (page, _) = load("runbooks/disk-full.md", "no heading").unwrap();
    assert_eq!(page.title, "Disk full");
    let (page, _) = load("runbooks/README.md", "").unwrap();
    assert_eq!(page.title, "Runbooks");
}

#[test]
fn typo_key_warns_with_did_you_mean_at_file_line() {
    let (page, diags) = load("a.md", "---\ntitle: x\nlast_verifed: 2026-01-01\n---\n").unwrap();
    assert_eq!(
        messages(&diags),
        [
            "src/a.md:3:1: warning: unknown key `last_verifed` in front matter\n 3 | last_verifed: 2026-01-01\n   | ^\n  = hint: did you mean `last_verified`?"
        ]
    );
    assert!(page.meta.extra.contains_key("last_verifed"));
}

#[test]
fn unrelated_unknown_key_is_kept_silently() {
    let (page, diags) = load("a.md", "---\nslack_channel: \"#ops\"\n---\n").unwrap();
    assert!(diags.is_empty());
    assert_eq!(page.meta.extra["slack_channel"], "#ops");
}

#[test]
fn strict_mode_makes_unknown_keys_errors() {
    let mut config = SiteConfig::for_tests(Path::new("."));
    config.strict_front_matter = true;
    let errs = load_with("a.md", "---\ntitle: x\nslack_channel: ops\n---\n", &config).unwrap_err();
    assert_eq!(
        messages(&errs),
        [
            "src/a.md:3:1: error: unknown key `slack_channel` in front matter\n 3 | slack_channel: ops\n   | ^\n  = hint: strict mode (`--strict` or `strict-front-matter`) allows only the keys lore knows"
        ]
    );
}

#[test]
fn bad_values_are_all_reported_with_their_column() {
    let text = "---\nlast_verified: last tuesday\nreview_every: 90 dayz\nkind: playbook\ndraft: maybe\n---\n";
    let errs = load("a.md", text).unwrap_err();
    let firsts: Vec<String> = errs.iter().map(|d| d.to_string().lines().next().unwrap().to_owned()).collect();
    assert_eq!(
        firsts,
        [
            "src/a.md:2:16: error: `last_verified` is not a date: `last tuesday`",
            "src/a.md:3:15: error: `review_every` is not an interval: `90 dayz`",
            "src/a.md:4:7: error: unknown kind `playbook`",
            "src/a.md:5:8: error: `draft` must be `true` or `false`",
        ]
    );
}

#[test]
fn impossible_date_is_an_error() {
    let errs = load("a.md", "---\nlast_verified: 2026-02-30\n---\n").unwrap_err();
    assert_eq!(errs[0].message, "`last_verified` is not a date: `2026-02-30`");
}
