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
