//! Page content is untrusted (DESIGN.md, Trust model; issue 10): what a page includes resolves
//! only inside the content root, never from `.git`; expansion is bounded; dangerous link
//! schemes are rendered inert; raw HTML can be turned off.
//!
//! Sites whose behaviour depends on "the nearest ancestor holding `.git`" create their own
//! `.git` folder: the temporary folders live inside this repository.

use std::time::{Duration, Instant};

use crate::harness::SiteTest;

/// A site in `repo/` (with its own `.git` holding a token) and a secret file beside it, outside
/// the repository.
fn repo_with_secret_outside(name: &str) -> SiteTest {
    let site = SiteTest::empty(name);
    site.write("outside.txt", "SECRET_TOKEN=outside\n");
    site.write("repo/.git/config", "[http]\n\textraheader = AUTHORIZATION: basic SECRET\n");
    site.write("repo/book.toml", "");
    site
}

#[test]
fn issue_10_include_outside_content_root() {
    let site = repo_with_secret_outside("include-outside");
    let absolute = site.path("outside.txt");
    site.write(
        "repo/src/index.md",
        format!(
            "# Home\n\n```\n{{{{#include ../../outside.txt}}}}\n```\n\n{{{{#include {}}}}}\n\n{{{{#include ../.git/config}}}}\n",
            absolute.display()
        ),
    );
    std::os::unix::fs::symlink(&absolute, site.path("repo/src/leak.txt")).expect("create a symlink");
    site.write("repo/src/via-link.md", "# Via a link\n\n{{#include leak.txt}}\n");
    site.run_in("repo", &["build", "."]).code(2).stdout_empty().stderr_eq(
        "warning: `src/leak.txt` is a symlink to `[ROOT]/outside.txt`, outside the content root; it is not published
  = hint: copy the file into the repository, or list its folder in `extra-roots` of `[build]` in `book.toml`

src/index.md:4:1: error: cannot include `../../outside.txt`: `[ROOT]/outside.txt` is outside the content root
 4 | {{#include ../../outside.txt}}
   | ^
  = hint: pages may include files under `[ROOT]/repo` only; list other folders in `extra-roots` of `[build]` in `book.toml`

src/index.md:7:1: error: cannot include `[ROOT]/outside.txt`: `[ROOT]/outside.txt` is outside the content root
 7 | {{#include [ROOT]/outside.txt}}
   | ^
  = hint: pages may include files under `[ROOT]/repo` only; list other folders in `extra-roots` of `[build]` in `book.toml`

src/index.md:9:1: error: cannot include `../.git/config`: `.git/config` is inside a `.git` folder
 9 | {{#include ../.git/config}}
   | ^
  = hint: lore never reads from `.git`: it may hold credentials

src/via-link.md:3:1: error: cannot include `leak.txt`: `[ROOT]/outside.txt` is outside the content root
 3 | {{#include leak.txt}}
   | ^
  = hint: pages may include files under `[ROOT]/repo` only; list other folders in `extra-roots` of `[build]` in `book.toml`

error: found 4 errors and 1 warning
",
    );
    assert!(!site.path("repo/book").exists());
}

#[test]
fn issue_10_include_proc_self_environ() {
    let site = repo_with_secret_outside("include-environ");
    site.write("repo/src/index.md", "# Home\n\n```\n{{#include /proc/self/environ}}\n```\n");
    let run = site.run_wrapped(&["env", "SECRET_TOKEN=hunter2"], "repo", &["build", "."]);
    run.code(2).stdout_empty();
    // `/proc/self` resolves to the process's own id.
    let stderr = run.stderr();
    let pid_start = "src/index.md:4:1: error: cannot include `/proc/self/environ`: `/proc/".len();
    let pid_len = stderr[pid_start..].bytes().take_while(u8::is_ascii_digit).count();
    assert!(pid_len > 0, "{stderr}");
    let stderr = format!("{}[PID]{}", &stderr[..pid_start], &stderr[pid_start + pid_len..]);
    assert_eq!(
        stderr,
        "src/index.md:4:1: error: cannot include `/proc/self/environ`: `/proc/[PID]/environ` is outside the content root
 4 | {{#include /proc/self/environ}}
   | ^
  = hint: pages may include files under `[ROOT]/repo` only; list other folders in `extra-roots` of `[build]` in `book.toml`

error: found 1 error
"
    );
    assert!(!site.path("repo/book").exists());
}

#[test]
fn issue_10_include_from_the_repository_keeps_working() {
    // mdBook's own guide includes `../../examples/x.rs` from beside the book.
    let site = SiteTest::empty("include-mdbook-style");
    std::fs::create_dir(site.path(".git")).expect("create .git");
    site.write("examples/x.rs", "fn main() {}\n");
    site.write("guide/book.toml", "");
    site.write("guide/src/index.md", "# Guide\n\n```rust\n{{#include ../../examples/x.rs}}\n```\n");
    site.run_in("guide", &["build", "."]).success();
    let page = std::fs::read_to_string(site.path("guide/book/index.html")).expect("read the page");
    assert!(page.contains("main"), "{page}");

    // Without the repository, the content root is the folder of `book.toml`…
    std::fs::remove_dir(site.path(".git")).expect("remove .git");
    std::fs::create_dir(site.path("guide/.git")).expect("create guide/.git");
    site.run_in("guide", &["build", "."]).code(2).stderr_eq(
        "src/index.md:4:1: error: cannot include `../../examples/x.rs`: `[ROOT]/examples/x.rs` is outside the content root
 4 | {{#include ../../examples/x.rs}}
   | ^
  = hint: pages may include files under `[ROOT]/guide` only; list other folders in `extra-roots` of `[build]` in `book.toml`

error: found 1 error
",
    );
    // …and `extra-roots` lets it read another folder.
    site.write("guide/book.toml", "[build]\nextra-roots = [\"../examples\"]\n");
    site.run_in("guide", &["build", "."]).success();
}

#[test]
fn issue_10_symlink_outside_the_project_is_not_published() {
    let site = repo_with_secret_outside("symlink-outside");
    site.write("repo/src/index.md", "# Home\n");
    site.write("repo/notes/inside.txt", "inside\n");
    std::os::unix::fs::symlink(site.path("outside.txt"), site.path("repo/src/leak.txt")).expect("symlink");
    std::os::unix::fs::symlink("../notes", site.path("repo/src/notes")).expect("symlink");
    std::os::unix::fs::symlink("../.git", site.path("repo/src/git")).expect("symlink");
    let run = site.run_in("repo", &["build", "."]);
    run.success().stderr_eq(
        "warning: `src/git` is a symlink to `[ROOT]/repo/.git`, inside a `.git` folder; it is not published
  = hint: copy the file into the repository, or list its folder in `extra-roots` of `[build]` in `book.toml`

warning: `src/leak.txt` is a symlink to `[ROOT]/outside.txt`, outside the content root; it is not published
  = hint: copy the file into the repository, or list its folder in `extra-roots` of `[build]` in `book.toml`

built 1 page in [TIME] s → book/
",
    );
    let published = site.files("repo/book");
    assert!(published.contains_key("notes/inside.txt"), "{:?}", published.keys());
    assert!(!published.contains_key("leak.txt"));
    assert!(!published.keys().any(|k| k.starts_with("git/")), "{:?}", published.keys());
    assert!(!published.values().any(|bytes| bytes.windows(6).any(|w| w == b"SECRET")));
}

#[test]
fn issue_10_config_paths_never_into_git() {
    let site = repo_with_secret_outside("config-into-git");
    site.write("repo/src/index.md", "# Home\n");
    site.write(
        "repo/book.toml",
        "[book]\nsrc = \".git\"\n\n[output.html]\nadditional-css = [\".git/config\"]\n\n[build]\nextra-roots = [\"missing\", \".git\"]\n",
    );
    site.run_in("repo", &["build", "."]).code(2).stderr_eq(
        "book.toml:2:1: error: `src` points into a `.git` folder (`[ROOT]/repo/.git`)
 2 | src = \".git\"
   | ^
  = hint: lore never reads from `.git`: it may hold credentials

book.toml:5:1: error: `additional-css` points into a `.git` folder (`[ROOT]/repo/.git/config`)
 5 | additional-css = [\".git/config\"]
   | ^
  = hint: lore never reads from `.git`: it may hold credentials

book.toml:8:1: error: `extra-roots` names `missing`, which is not a folder
 8 | extra-roots = [\"missing\", \".git\"]
   | ^
  = hint: paths in `extra-roots` are relative to the folder of `book.toml`

book.toml:8:1: error: `extra-roots` points into a `.git` folder (`[ROOT]/repo/.git`)
 8 | extra-roots = [\"missing\", \".git\"]
   | ^
  = hint: lore never reads from `.git`: it may hold credentials

error: found 4 errors
",
    );
}

#[test]
fn issue_10_include_cycle_prints_the_chain() {
    let site = repo_with_secret_outside("include-cycle");
    site.write("repo/src/index.md", "# Home\n\n{{#include a.txt}}\n");
    site.write("repo/src/a.txt", "a\n{{#include parts/b.txt}}\n");
    site.write("repo/src/parts/b.txt", "b\n{{#include ../a.txt}}\n");
    site.run_in("repo", &["build", "."]).code(2).stderr_eq(
        "src/index.md:3:1: error: include cycle: `src/a.txt` → `src/parts/b.txt` → `src/a.txt`
 3 | {{#include a.txt}}
   | ^
  = hint: remove the `{{#include}}` that leads back to a file already being included

error: found 1 error
",
    );
}

#[test]
fn issue_10_self_include_bomb_ends_fast() {
    // Five self-includes: 39 s, 1.2 GB and a 205 MB page before cycles were detected.
    let site = repo_with_secret_outside("include-bomb");
    site.write("repo/src/index.md", "# Home\n\n{{#include inc.txt}}\n");
    site.write("repo/src/inc.txt", "{{#include inc.txt}}\n".repeat(5));
    let start = Instant::now();
    site.run_in("repo", &["build", "."]).code(2).stderr_eq(
        "src/index.md:3:1: error: include cycle: `src/inc.txt` → `src/inc.txt`
 3 | {{#include inc.txt}}
   | ^
  = hint: remove the `{{#include}}` that leads back to a file already being included

error: found 1 error
",
    );
    assert!(start.elapsed() < Duration::from_secs(10), "took {:?}", start.elapsed());
}

#[test]
fn issue_10_include_budget_names_the_file() {
    // No cycle: f0 includes f1 five times, f1 includes f2 five times, … f8 holds 1 KiB, so the
    // page would grow to 5^8 KiB (381 MiB).
    let site = repo_with_secret_outside("include-budget");
    site.write("repo/src/index.md", "# Home\n\n```\n{{#include f0.txt}}\n```\n");
    for i in 0..8 {
        site.write(&format!("repo/src/f{i}.txt"), format!("{{{{#include f{}.txt}}}}\n", i + 1).repeat(5));
    }
    site.write("repo/src/f8.txt", "x".repeat(1023) + "\n");
    let start = Instant::now();
    site.run_in("repo", &["build", "."]).code(2).stderr_eq(
        "src/index.md:4:1: error: cannot include `f8.txt`: includes would make this page larger than 4 MiB (in `src/f7.txt`)
 4 | {{#include f0.txt}}
   | ^
  = hint: include a part of the file (a line range or an anchor), or link to it

error: found 1 error
",
    );
    assert!(start.elapsed() < Duration::from_secs(10), "took {:?}", start.elapsed());
}

#[test]
fn issue_10_anchor_line_holding_both_markers() {
    // Panicked with "slice index starts at 2 but ends at 1".
    let site = repo_with_secret_outside("anchor-both-markers");
    site.write("repo/src/index.md", "# Home\n\n```\n{{#include code.txt:x}}\n```\n");
    site.write(
        "repo/src/code.txt",
        "before\n// ANCHOR: x ANCHOR: ANCHOR_END: x ANCHOR_END:\nkept\n// ANCHOR_END: x\nafter\n",
    );
    site.run_in("repo", &["build", "."]).success();
    let page = std::fs::read_to_string(site.path("repo/book/index.html")).expect("read the page");
    assert!(page.contains("<code>kept\n</code>"), "{page}");
}

#[test]
fn issue_16_include_error_column_counts_characters() {
    let site = repo_with_secret_outside("include-column");
    site.write("repo/src/index.md", "# Home\n\né日本 {{#include nope.txt}}\n");
    site.run_in("repo", &["build", "."]).code(2).stderr_eq(
        "src/index.md:3:5: error: cannot include `nope.txt`: it does not exist
 3 | é日本 {{#include nope.txt}}
   |     ^
  = hint: paths are relative to the page that includes them

error: found 1 error
",
    );
}

#[test]
fn issue_11_markdown_links_with_script_schemes_are_inert() {
    let site = repo_with_secret_outside("script-links");
    site.write(
        "repo/src/index.md",
        "# Home\n\n[a](javascript:alert(1)) and [b](<java\tscript:alert(2)>)\n\n\
         [c](  VBScript:msgbox) [d](data:text/html,x) <JAVASCRIPT:alert(3)>\n\n\
         ![ok](data:image/png;base64,iVBORw0K) ![bad](data:text/html,y) [safe](https://example.com)\n",
    );
    let run = site.run_in("repo", &["build", "."]);
    run.success();
    assert_eq!(
        run.diagnostics(),
        [
            "src/index.md:3:1: warning: link to a `javascript:` URL, rendered inert",
            "src/index.md:3:30: warning: link to a `javascript:` URL, rendered inert",
            "src/index.md:5:1: warning: link to a `vbscript:` URL, rendered inert",
            "src/index.md:5:24: warning: link to a `data:` URL, rendered inert",
            "src/index.md:5:46: warning: link to a `javascript:` URL, rendered inert",
            "src/index.md:7:39: warning: image from a `data:` URL, rendered inert",
        ]
    );
    let main = crate::harness::main_region(
        &std::fs::read_to_string(site.path("repo/book/index.html")).expect("page"),
    )
    .expect("a main region")
    .to_owned();
    let body = &main[main.find("<div class=\"markdown\">").expect("the page body")..];
    let urls: Vec<&str> = body
        .split(" href=\"")
        .chain(body.split(" src=\""))
        .filter(|part| !part.starts_with('<'))
        .map(|part| part.split('"').next().unwrap_or(""))
        .collect();
    assert_eq!(urls, ["#", "#", "#", "#", "#", "https://example.com", "data:image/png;base64,iVBORw0K", "#"]);
}

#[test]
fn issue_10_raw_html_can_be_escaped() {
    let site = repo_with_secret_outside("raw-html-off");
    site.write(
        "repo/src/index.md",
        "# Home\n\n<script>alert(1)</script>\n\nText <b onclick=\"x()\">bold</b>.\n\n## Head {onClick=alert(2) data-x=y}\n",
    );
    site.run_in("repo", &["build", "."]).success();
    let page = std::fs::read_to_string(site.path("repo/book/index.html")).expect("page");
    assert!(page.contains("<script>alert(1)</script>"), "raw HTML is kept by default");
    assert!(page.contains(r#"<h2 id="head" onClick="alert(2)" data-x="y">"#), "so are heading attributes");

    site.write("repo/book.toml", "[output.html]\nraw-html = false\n");
    site.run_in("repo", &["build", "."]).success();
    let page = std::fs::read_to_string(site.path("repo/book/index.html")).expect("page");
    let main = crate::harness::main_region(&page).expect("a main region");
    assert!(main.contains("<p>&lt;script&gt;alert(1)&lt;/script&gt;\n</p>"), "{main}");
    assert!(main.contains(r#"<p>Text &lt;b onclick="x()"&gt;bold&lt;/b&gt;.</p>"#), "{main}");
    assert!(main.contains(r#"<h2 id="head" data-x="y">Head<a"#), "{main}");
}

#[test]
fn issue_19_huge_code_line_is_plain_text() {
    let site = repo_with_secret_outside("huge-code-line");
    let line = "let x = 1; ".repeat(2000);
    site.write(
        "repo/src/index.md",
        format!("# Home\n\nText.\n\n```rust\n{line}\n```\n\n```rust\nlet y = 2;\n```\n"),
    );
    let run = site.run_in("repo", &["build", "-v", "."]);
    run.success().stderr_contains(
        "src/index.md:5: code block not highlighted (22001 bytes, longest line 22000 bytes; the limits are 262144 and 16384): shown as plain text\n",
    );
    let page = std::fs::read_to_string(site.path("repo/book/index.html")).expect("page");
    assert!(page.contains(&format!("<pre class=\"code\" data-lang=\"rust\"><code>{line}\n</code></pre>")));
    // The small block is still highlighted.
    assert!(page.contains("<span class=\"hl-"), "the small block is highlighted");
    // Without `-v`, nothing is said.
    let quiet = site.run_in("repo", &["build", "."]);
    assert!(!quiet.stderr().contains("not highlighted"), "{}", quiet.stderr());
}

#[test]
fn issue_9_repeated_headings_get_distinct_ids() {
    let site = repo_with_secret_outside("repeated-headings");
    let mut body = String::from("# Home\n\n## A-2\n\n");
    body.push_str(&"## A\n\n".repeat(4));
    site.write("repo/src/index.md", body);
    site.run_in("repo", &["build", "."]).success();
    let page = std::fs::read_to_string(site.path("repo/book/index.html")).expect("page");
    let ids: Vec<&str> = page.split("<h2 id=\"").skip(1).map(|s| s.split('"').next().unwrap_or("")).collect();
    assert_eq!(ids, ["a-2", "a", "a-1", "a-3", "a-4"]);
}

#[test]
fn issue_9_heading_ids_are_linear() {
    // 20,000 copies of `## A` took 57 s in a release build (each tried `a-1`, `a-2`, … again);
    // now about as long as 20,000 distinct headings (1 s in a debug build).
    let site = repo_with_secret_outside("many-same-headings");
    site.write("repo/book.toml", "[output.html.search]\nenable = false\n");
    site.write("repo/src/index.md", format!("# Home\n\n{}", "## A\n\n".repeat(20_000)));
    let start = Instant::now();
    site.run_in("repo", &["build", "."]).success();
    assert!(start.elapsed() < Duration::from_secs(20), "took {:?}", start.elapsed());
    let page = std::fs::read_to_string(site.path("repo/book/index.html")).expect("page");
    assert!(page.contains("<h2 id=\"a-19999\">"));
    assert!(!page.contains("<h2 id=\"a-20000\">"));
}

/// A problem inside included text is reported on the page's line at the `{{#include}}`
/// directive: a column counted in the included text would point past the end of that line.
#[test]
fn issue_10_problems_in_included_text_point_at_the_directive() {
    let site = SiteTest::empty("include-column");
    site.write(".git/HEAD", "");
    site.write("book.toml", "");
    site.write("src/README.md", "# Home\n\nSee: {{#include parts/long.txt}}\n");
    site.write("src/parts/long.txt", "A rather long included line that goes on and on, then [x](nope.md).\n");
    site.run(&["build"]).code(2).stdout_empty().stderr_eq(
        "src/README.md:3:6: error: broken link: `nope.md` does not exist
 3 | See: {{#include parts/long.txt}}
   |      ^
  = hint: links are relative to this file; check the path and its case

error: found 1 error
",
    );
}
