//! Walking the source folder: markdown files, assets and `SUMMARY.md`.
//!
//! Hidden files and folders are skipped and `.gitignore`/`.ignore` files are honoured (even
//! outside a git repository). Symlinks are followed; a symlink loop is a diagnostic. A symlink
//! that resolves outside the content root, or into `.git`, is skipped with a warning: page
//! content is untrusted, and `src/leak.txt → /etc/…` would publish the file.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::config::{ContentRoot, Refusal, SiteConfig};
use crate::diag::Diagnostic;

/// One file in the source folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Absolute path.
    pub path: PathBuf,
    /// Path relative to the source folder, with `/` separators.
    pub rel: String,
    /// Path as shown in diagnostics (relative to the working folder when possible).
    pub shown: PathBuf,
}

/// What [`discover`] found.
#[derive(Debug, Default)]
pub struct Discovered {
    /// `.md` files other than `SUMMARY.md`, sorted.
    pub markdown: Vec<SourceFile>,
    /// Other files, sorted.
    pub assets: Vec<SourceFile>,
    /// The root `SUMMARY.md`.
    pub summary: Option<SourceFile>,
    /// Walk problems (unreadable folders, symlink loops).
    pub diagnostics: Vec<Diagnostic>,
}

/// Walks `config.src`, skipping the folders in `skip` (the build folder, for instance).
pub fn discover(config: &SiteConfig, skip: &[&Path]) -> Discovered {
    let mut found = Discovered::default();
    if !config.src.is_dir() {
        let shown = crate::config::display_path(&config.src);
        if config.portal.is_some() && !config.src_explicit {
            // A portal's pages come from its sites; pages of its own are optional.
        } else if !config.src_explicit {
            found.diagnostics.push(
                Diagnostic::warning(format!(
                    "no source folder `{}`: building an empty site",
                    shown.display()
                ))
                .hint("put your markdown in `src/`, or set `src` in `[book]` of `book.toml`"),
            );
        } else {
            found.diagnostics.push(
                Diagnostic::error(format!("source folder `{}` does not exist", shown.display()))
                    .hint("create it, or point `src` in `book.toml` at your markdown"),
            );
        }
        return found;
    }
    let skip: Vec<PathBuf> = skip.iter().map(|p| p.to_path_buf()).collect();
    let refused = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&refused);
    let root = config.content_root.clone();
    let walker = walker(&config.src)
        .filter_entry(move |e| {
            if skip.iter().any(|s| e.path() == s) {
                return false;
            }
            match symlink_refusal(e, &root) {
                Some(refusal) => {
                    sink.lock().expect("never poisoned: nothing panics holding it").push(refusal);
                    false
                }
                None => true,
            }
        })
        .build();
    for entry in walker {
        match entry {
            Ok(entry) if entry.file_type().is_some_and(|t| t.is_file()) => {
                classify(config, entry.path(), &mut found);
            }
            Ok(_) => {}
            Err(err) => found.diagnostics.push(walk_error(&err)),
        }
    }
    let refused = std::mem::take(&mut *refused.lock().expect("never poisoned: nothing panics holding it"));
    found.diagnostics.extend(refused.iter().map(|(link, refusal)| refused_link(link, refusal)));
    found.markdown.sort_by(|a, b| a.rel.cmp(&b.rel));
    found.assets.sort_by(|a, b| a.rel.cmp(&b.rel));
    found
}

/// The walk over the source folder: hidden files skipped, `.gitignore` and `.ignore` files
/// respected (in a git repository or not), links followed, in file-name order.
fn walker(root: &Path) -> ignore::WalkBuilder {
    let mut walker = ignore::WalkBuilder::new(root);
    walker
        .hidden(true)
        .follow_links(true)
        .require_git(false)
        .git_global(false)
        .sort_by_file_name(std::cmp::Ord::cmp);
    walker
}

/// Whether [`discover`] would find the file `path` (it is not hidden or ignored), for a file
/// that appears while serving: only its folder is read, with the ignore files above it.
pub fn is_discovered(path: &Path) -> bool {
    let Some(parent) = path.parent() else { return false };
    // Without the config at hand, the content root is that of the nearest `book.toml` (extra
    // roots unknown, so at most stricter than a full build).
    let root = crate::config::find_root(parent).map(|dir| ContentRoot::of(&dir)).unwrap_or_default();
    walker(parent)
        .max_depth(Some(1))
        .build()
        .flatten()
        .any(|e| e.path() == path && symlink_refusal(&e, &root).is_none())
}

/// Why the symlink `entry` may not be followed (it resolves outside the content root or into
/// `.git`); `None` for a file or folder that is not a symlink, or a symlink that may be.
fn symlink_refusal(entry: &ignore::DirEntry, root: &ContentRoot) -> Option<(PathBuf, Refusal)> {
    if !entry.path_is_symlink() {
        return None;
    }
    root.check(entry.path()).err().map(|r| (entry.path().to_path_buf(), r))
}

fn refused_link(link: &Path, refusal: &Refusal) -> Diagnostic {
    let shown = crate::config::display_path(link);
    let (target, place) = match refusal {
        Refusal::Outside(target) => (target, "outside the content root"),
        Refusal::InGit(target) => (target, "inside a `.git` folder"),
    };
    Diagnostic::warning(format!(
        "`{}` is a symlink to `{}`, {place}; it is not published",
        shown.display(),
        target.display()
    ))
    .hint(
        "copy the file into the repository, or list its folder in `extra-roots` of `[build]` in `book.toml`",
    )
}

fn classify(config: &SiteConfig, path: &Path, found: &mut Discovered) {
    let Ok(rel) = path.strip_prefix(&config.src) else {
        return;
    };
    let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
    let file = SourceFile { path: path.to_path_buf(), shown: crate::config::display_path(path), rel };
    let is_md = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("md"));
    if file.rel == "SUMMARY.md" {
        found.summary = Some(file);
    } else if is_md {
        found.markdown.push(file);
    } else {
        found.assets.push(file);
    }
}

fn walk_error(err: &ignore::Error) -> Diagnostic {
    let text = err.to_string();
    if let Some((child, ancestor)) = loop_paths(err) {
        let child = crate::config::display_path(&child);
        let ancestor = crate::config::display_path(&ancestor);
        return Diagnostic::error(format!(
            "symlink loop: `{}` points back to `{}`",
            child.display(),
            ancestor.display()
        ))
        .hint("remove the link, or add its path to `.gitignore` so lore skips it");
    }
    Diagnostic::error(format!("cannot read the source folder: {text}"))
}

fn loop_paths(err: &ignore::Error) -> Option<(PathBuf, PathBuf)> {
    match err {
        ignore::Error::Loop { ancestor, child } => Some((child.clone(), ancestor.clone())),
        ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => loop_paths(err),
        _ => None,
    }
}
