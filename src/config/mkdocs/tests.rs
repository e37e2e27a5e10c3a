use std::path::Path;

use super::{MkNav, from_str};

#[test]
fn issue_15_fields_map_to_the_site_config() {
    let text = "site_name: Ops\nsite_url: https://docs.example.com/ops\nrepo_url: https://github.com/acme/ops\ndocs_dir: content\nnav:\n  - index.md\n  - Guide:\n    - Setup: guide/setup.md\n    - Status: https://status.example.com\n";
    let config = from_str(text, Path::new("/site")).unwrap();
    assert_eq!(config.title, "Ops");
    assert_eq!(config.src, Path::new("/site/content"));
    assert_eq!(config.build_dir, Path::new("/site/site"));
    assert_eq!(config.site_url.as_deref(), Some("https://docs.example.com/ops/"));
    assert_eq!(
        config.edit_url_template.as_deref(),
        Some("https://github.com/acme/ops/edit/master/docs/{path}")
    );
    let nav = config.mkdocs.unwrap().nav.unwrap();
    assert_eq!(nav[0], MkNav::Page { title: None, path: "index.md".into(), line: 6, col: 5 });
    let MkNav::Section { title, children } = &nav[1] else { panic!("{nav:?}") };
    assert_eq!(title, "Guide");
    assert_eq!(
        children[0],
        MkNav::Page { title: Some("Setup".into()), path: "guide/setup.md".into(), line: 8, col: 14 }
    );
    assert_eq!(children[1], MkNav::Link { title: "Status".into(), url: "https://status.example.com".into() });
}

#[test]
fn issue_15_unsafe_repo_url_is_an_error_at_its_line() {
    let Err(crate::error::Error::Config(diags)) =
        from_str("site_name: x\nrepo_url: javascript:alert(1)\n", Path::new("/s"))
    else {
        panic!("expected an error")
    };
    assert_eq!(
        diags[0].to_string().lines().next(),
        Some("mkdocs.yml:2:1: error: `repo_url` has a `javascript:` URL: `javascript:alert(1)`")
    );
}
