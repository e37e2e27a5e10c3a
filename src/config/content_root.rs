//! The content root: the folders page content may read from (includes, and the files of the
//! source folder that are copied). Page content is untrusted (DESIGN.md, Trust model), so a path
//! it names is resolved first (symlinks followed) and then must lie inside the repository that
//! holds `book.toml` (the nearest ancestor with a `.git` folder or file), else the folder of
//! `book.toml`, or inside a folder of `[build] extra-roots`. Nothing is ever read from inside a
//! `.git` folder: a CI checkout may keep its token in `.git/config`.
//!
//! Paths in `book.toml` are configuration and may point anywhere, except into `.git`
//! (`check_config_paths`).

use std::path::{Component, Path, PathBuf};

use crate::diag::Diagnostic;

/// Where page content may read from. Every path is absolute and canonical.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContentRoot {
    /// The repository holding `book.toml`, else the folder of `book.toml`.
    pub main: PathBuf,
    /// The folders of `[build] extra-roots`.
    pub extra: Vec<PathBuf>,
}

/// Why a path page content names may not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The resolved path is outside every content root.
    Outside(PathBuf),
    /// The path is, or resolves to, something inside a `.git` folder.
    InGit(PathBuf),
}

impl ContentRoot {
    /// The content root of a site whose `book.toml` is in `book_dir`, with no extra roots.
    pub fn of(book_dir: &Path) -> Self {
        let dir = resolve(book_dir);
        let main = dir.ancestors().find(|d| d.join(".git").exists()).unwrap_or(&dir).to_path_buf();
        Self { main, extra: Vec::new() }
    }

    /// The resolved `path` when page content may read it.
    pub fn check(&self, path: &Path) -> Result<PathBuf, Refusal> {
        let resolved = resolve(path);
        if in_git(path) || in_git(&resolved) {
            return Err(Refusal::InGit(resolved));
        }
        if self.contains(&resolved) { Ok(resolved) } else { Err(Refusal::Outside(resolved)) }
    }

    /// Whether the resolved path `resolved` is inside a content root.
    fn contains(&self, resolved: &Path) -> bool {
        !self.main.as_os_str().is_empty() && resolved.starts_with(&self.main)
            || self.extra.iter().any(|r| resolved.starts_with(r))
    }

    /// The content root for messages: the main folder, and the extra ones.
    pub fn describe(&self) -> String {
        let mut s = format!("`{}`", self.main.display());
        for extra in &self.extra {
            s.push_str(&format!(", `{}`", extra.display()));
        }
        s
    }
}

/// `path` made absolute with symlinks resolved. The part that does not exist is appended with
/// `.` and `..` resolved by name, so a missing file still gets a place to check.
pub fn resolve(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    if let Ok(p) = absolute.canonicalize() {
        return p;
    }
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    while let (Some(parent), Some(name)) = (existing.parent(), existing.file_name()) {
        rest.push(name.to_owned());
        existing = parent;
        if let Ok(base) = existing.canonicalize() {
            return lexical_join(base, rest.iter().rev().map(PathBuf::from));
        }
    }
    lexical_join(PathBuf::new(), absolute.components().map(|c| PathBuf::from(c.as_os_str())))
}

fn lexical_join(mut base: PathBuf, parts: impl Iterator<Item = PathBuf>) -> PathBuf {
    for part in parts {
        for c in part.components() {
            match c {
                Component::ParentDir => {
                    base.pop();
                }
                Component::CurDir => {}
                other => base.push(other.as_os_str()),
            }
        }
    }
    base
}

/// Whether a component of `path` is `.git`.
pub fn in_git(path: &Path) -> bool {
    path.components().any(|c| c.as_os_str() == ".git")
}

/// The paths of `book.toml` that lore reads (`src`, `theme`, `additional-css`, `additional-js`,
/// `extra-roots`) may point outside the project, but never into `.git`.
pub(super) fn check_config_paths(
    paths: &[(&str, &Path)],
    text: &str,
    shown: &Path,
    diags: &mut Vec<Diagnostic>,
) {
    for (key, path) in paths {
        if in_git(path) || in_git(&resolve(path)) {
            let line = super::key_line(text, key);
            diags.push(
                Diagnostic::error(format!(
                    "`{key}` points into a `.git` folder (`{}`)",
                    resolve(path).display()
                ))
                .at_text(shown, text, line, 1)
                .hint("lore never reads from `.git`: it may hold credentials"),
            );
        }
    }
}

/// `[build] extra-roots`, relative to the folder of `book.toml`: each must be a folder.
pub(super) fn extra_roots(
    root: &Path,
    extra: &[PathBuf],
    text: &str,
    shown: &Path,
    diags: &mut Vec<Diagnostic>,
) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for path in extra {
        let full = root.join(path);
        if !full.is_dir() {
            let line = super::key_line(text, "extra-roots");
            diags.push(
                Diagnostic::error(format!("`extra-roots` names `{}`, which is not a folder", path.display()))
                    .at_text(shown, text, line, 1)
                    .hint("paths in `extra-roots` are relative to the folder of `book.toml`"),
            );
            continue;
        }
        check_config_paths(&[("extra-roots", &full)], text, shown, diags);
        out.push(resolve(&full));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_missing_files_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        std::fs::create_dir(base.join("a")).unwrap();
        assert_eq!(resolve(&base.join("a/../b/c.txt")), base.join("b/c.txt"));
        assert_eq!(resolve(&base.join("a/x/../../../y")), base.parent().unwrap().join("y"));
    }

    #[test]
    fn repository_with_a_git_file_is_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(base.join("docs/guide")).unwrap();
        // A git worktree has a `.git` file, not a folder.
        std::fs::write(base.join(".git"), "gitdir: /elsewhere\n").unwrap();
        let root = ContentRoot::of(&base.join("docs/guide"));
        assert_eq!(root.main, base);
        assert!(root.check(&base.join("docs/x.rs")).is_ok());
        assert_eq!(root.check(&base.join(".git")), Err(Refusal::InGit(base.join(".git"))));
        let outside = base.parent().unwrap().join("x");
        assert_eq!(root.check(&outside), Err(Refusal::Outside(outside)));
    }
}
