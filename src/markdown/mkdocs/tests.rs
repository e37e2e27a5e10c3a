use super::{blocks, rewrite_snippets};

#[test]
fn issue_15_snippet_lines_become_directives_at_their_column() {
    let body = "a\n  --8<-- \"x.md:2:3\"\n--8<--\nb.md\n--8<--\n;--8<-- \"kept\"\n";
    assert_eq!(
        rewrite_snippets(body).unwrap(),
        "a\n  {{#snippet x.md:2:3}}\n\n{{#snippet b.md}}\n\n--8<-- \"kept\"\n"
    );
    assert_eq!(rewrite_snippets("no snippets"), None);
}

#[test]
fn issue_15_blocks_keep_the_line_each_output_line_came_from() {
    let text = "intro\n!!! warning \"Careful <now>\"\n    body [x](y.md)\n\nafter";
    let (html, origin) = blocks(text).unwrap();
    let lines: Vec<&str> = html.split('\n').collect();
    assert_eq!(lines.len(), origin.len());
    assert_eq!(
        lines[1],
        "<div class=\"callout callout-warning admonition-warning\" role=\"note\"><p class=\"callout-title\">Careful &lt;now&gt;</p>"
    );
    let body = lines.iter().position(|l| *l == "body [x](y.md)").unwrap();
    assert_eq!(origin[body], 2);
    assert_eq!(origin[lines.iter().position(|l| *l == "after").unwrap()], 4);
}

#[test]
fn issue_15_fenced_code_and_deep_nesting_stay_as_written() {
    let (html, _) = blocks("```\n!!! note\n    x\n```\n").unwrap();
    assert_eq!(html, "```\n!!! note\n    x\n```\n");
    let deep: String = (0..12).map(|i| format!("{}!!! note\n", "    ".repeat(i))).collect();
    let (html, _) = blocks(&deep).unwrap();
    assert_eq!(html.matches("<div class=\"callout").count(), 8);
}
