//! Finding `book.toml`: the nearest one in the working folder or its ancestors.

use std::path::{Path, PathBuf};

/// The config file name, shared with mdBook so an mdBook project builds unchanged.
pub const CONFIG_FILE: &str = "book.toml";

/// The nearest folder, starting at `start` and walking up, that holds a `book.toml` (or, for an
/// MkDocs project, a `mkdocs.yml`).
pub fn find_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join(CONFIG_FILE).is_file() || super::mkdocs::find(dir).is_some())
        .map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nearest_ancestor() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CONFIG_FILE), "").unwrap();
        let deep = dir.path().join("a/b");
        std::fs::create_dir_all(&deep).unwrap();
        assert_eq!(find_root(&deep).as_deref(), Some(dir.path()));
    }

    #[test]
    fn issue_15_an_mkdocs_project_is_a_root() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("docs-repo");
        std::fs::create_dir_all(project.join("docs/runbooks")).unwrap();
        std::fs::write(project.join("mkdocs.yml"), "site_name: x\n").unwrap();
        assert_eq!(find_root(&project.join("docs/runbooks")).as_deref(), Some(project.as_path()));
    }
}
