use std::path::Path;

use jiff::civil::date;

use super::{Verification, rewrite};

fn v(by: Option<&str>) -> Verification {
    Verification { date: date(2026, 3, 1), by: by.map(str::to_owned) }
}

fn run(text: &str, by: Option<&str>) -> String {
    rewrite(text, Path::new("page.md"), &v(by)).unwrap()
}

#[test]
fn only_the_date_lines_change() {
    #[rustfmt::skip]
    let cases: &[(&str, &str, Option<&str>, &str)] = &[
        ("plain value",
         "---\ntitle: DB\nlast_verified: 2025-01-02\nowner: dba\n---\n# DB\n", None,
         "---\ntitle: DB\nlast_verified: 2026-03-01\nowner: dba\n---\n# DB\n"),
        ("comment and spacing kept",
         "---\nlast_verified:   2025-01-02   # checked in staging\n---\nBody\n", None,
         "---\nlast_verified:   2026-03-01   # checked in staging\n---\nBody\n"),
        ("double quotes kept",
         "---\nlast_verified: \"2025-01-02\" # q\nverified_by: \"Ann\"\n---\n", Some("Bo: Lee"),
         "---\nlast_verified: \"2026-03-01\" # q\nverified_by: \"Bo: Lee\"\n---\n"),
        ("single quotes kept",
         "---\nlast_verified: '2025-01-02'\nverified_by: 'ann'\n---\n", Some("o'brien"),
         "---\nlast_verified: '2026-03-01'\nverified_by: 'o''brien'\n---\n"),
        ("alias key kept",
         "---\nlast_reviewed_on: 2025-01-02\n---\n", None,
         "---\nlast_reviewed_on: 2026-03-01\n---\n"),
        ("CRLF kept",
         "---\r\ntitle: DB\r\nlast_verified: 2025-01-02\r\n---\r\nBody\r\n", Some("ann"),
         "---\r\ntitle: DB\r\nlast_verified: 2026-03-01\r\nverified_by: ann\r\n---\r\nBody\r\n"),
        ("keys added at the end",
         "---\n# a comment\ntitle: DB\n---\nBody\n", Some("ann"),
         "---\n# a comment\ntitle: DB\nlast_verified: 2026-03-01\nverified_by: ann\n---\nBody\n"),
        ("verified_by updated in place",
         "---\nverified_by: ann # who\ntitle: x\nlast_verified: 2025-01-02\n---\n", Some("bo"),
         "---\nverified_by: bo # who\ntitle: x\nlast_verified: 2026-03-01\n---\n"),
        ("verified_by kept without --by",
         "---\nverified_by: ann\n---\n", None,
         "---\nverified_by: ann\nlast_verified: 2026-03-01\n---\n"),
        ("empty value",
         "---\nlast_verified:\n---\n", None,
         "---\nlast_verified: 2026-03-01\n---\n"),
        ("names YAML would misread are quoted",
         "---\ntitle: x\n---\n", Some("null"),
         "---\ntitle: x\nlast_verified: 2026-03-01\nverified_by: \"null\"\n---\n"),
        ("no front matter",
         "# Title\n\nBody\n", Some("ann"),
         "---\nlast_verified: 2026-03-01\nverified_by: ann\n---\n# Title\n\nBody\n"),
        ("no front matter, CRLF",
         "# Title\r\n", None,
         "---\r\nlast_verified: 2026-03-01\r\n---\r\n# Title\r\n"),
        ("byte-order mark kept",
         "\u{feff}---\nlast_verified: 2025-01-02\n---\n", None,
         "\u{feff}---\nlast_verified: 2026-03-01\n---\n"),
        ("no final newline",
         "---\nlast_verified: 2025-01-02\n---", None,
         "---\nlast_verified: 2026-03-01\n---"),
        ("nested keys untouched",
         "---\nextra:\n  last_verified: 2020-01-01\n---\n", None,
         "---\nextra:\n  last_verified: 2020-01-01\nlast_verified: 2026-03-01\n---\n"),
    ];
    for (name, input, by, want) in cases {
        assert_eq!(run(input, *by), *want, "{name}");
    }
}

#[test]
fn unparsable_front_matter_is_an_error_with_its_line() {
    let err = rewrite("---\ntitle: [unclosed\n---\n", Path::new("page.md"), &v(None)).unwrap_err();
    assert_eq!(err.span.map(|s| (s.line, s.col)), Some((2, 8)));
    assert!(err.message.starts_with("invalid YAML in front matter"), "{}", err.message);
    let err = rewrite("---\ntitle: x\n", Path::new("page.md"), &v(None)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "page.md:1:1: error: front matter is not closed\n 1 | ---\n   | ^\n  = hint: did you forget the closing `---`?"
    );
}

#[test]
fn a_value_on_several_lines_is_refused() {
    let err =
        rewrite("---\nlast_verified:\n  2025-01-02\n---\n", Path::new("page.md"), &v(None)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "page.md:2:1: error: cannot update `last_verified` here without changing other lines\n 2 | last_verified:\n   | ^\n  = hint: write the date on one line, e.g. `last_verified: 2026-03-31`, and run again"
    );
}

/// Issue 10, item 12: a file saved between lore's read and its write is left as saved. The hook
/// of `verify_file_with` stands for an editor saving at that moment.
#[test]
fn issue_10_a_file_changed_after_the_read_is_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("db.md");
    std::fs::write(&page, "---\nlast_verified: 2025-01-02\n---\nBody\n").unwrap();
    let saved = "---\nlast_verified: 2025-01-02\n---\nBody, edited meanwhile\n";
    let err = super::verify_file_with(&page, Path::new("src/db.md"), &v(None), &|| {
        std::fs::write(&page, saved).unwrap();
    })
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "`src/db.md` changed after lore read it; nothing was written\n  = hint: run the command again"
    );
    assert_eq!(std::fs::read_to_string(&page).unwrap(), saved);
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, vec![std::ffi::OsString::from("db.md")], "a staged file was left behind");
    // The same length and the same second: the content hash still tells.
    std::fs::write(&page, "---\nlast_verified: 2025-01-02\n---\nAAAA\n").unwrap();
    let err = super::verify_file_with(&page, Path::new("src/db.md"), &v(None), &|| {
        let mtime = std::fs::metadata(&page).unwrap().modified().unwrap();
        std::fs::write(&page, "---\nlast_verified: 2025-01-02\n---\nBBBB\n").unwrap();
        std::fs::File::options().write(true).open(&page).unwrap().set_modified(mtime).unwrap();
    })
    .unwrap_err();
    assert!(err.to_string().starts_with("`src/db.md` changed after lore read it"), "{err}");
    assert!(std::fs::read_to_string(&page).unwrap().ends_with("BBBB\n"));
}
