//! The page memo: what each page's template was given last build, so a warm build links the
//! page's file from the last site instead of rendering the template again.
//!
//! Every HTML file `lore build` writes is the template applied to a view (the page's body,
//! navigation, freshness, links…). `.lore/cache/views.bin` keeps, per file, the xxh3-128 of the
//! template set, the template's name and the view, and the xxh3-64 and length of the file that
//! came out. When the key is the same this build, the file in the site being replaced is used
//! as it is — after checking that it still has that length and hash (or the same inode and
//! modification time it had when written), so a file edited or damaged in the build folder is
//! written anew, and the output stays byte-identical to a
//! build without the cache.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// The memo file's first bytes; a memo of another format or lore version is not read.
const MAGIC: &[u8; 8] = b"LOREVW02";
/// A memo larger than this is not read (a 30,000-page site's is about 2 MB).
const MAX_MEMO: u64 = 256 << 20;

/// What became of one file last build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Made {
    /// The template set, template name and view it was rendered from.
    pub key: u128,
    /// xxh3-64 of the file.
    pub hash: u64,
    /// Its length in bytes.
    pub len: u64,
    /// Its [`crate::output::stamp`] once written (0: unknown): while the file keeps it, it is
    /// taken without being read again.
    pub stamp: u128,
}

/// The memo of the last build, and this build's, by site-relative file (`runbooks/db/index.html`).
#[derive(Debug, Default)]
pub struct Views {
    last: HashMap<String, Made>,
    now: Mutex<Vec<(String, Made)>>,
    linked: AtomicUsize,
}

#[derive(Serialize, Deserialize)]
struct File {
    version: String,
    files: Vec<(String, Made)>,
}

impl Views {
    /// The memo at `path`; empty when there is none, or it is damaged, or from another lore.
    pub fn open(path: &Path) -> Self {
        Self { last: read(path).unwrap_or_default(), ..Self::default() }
    }

    /// The last build's file at `rel`.
    pub fn last(&self, rel: &str) -> Option<Made> {
        self.last.get(rel).copied()
    }

    /// Records the file at `rel` of this build; `linked` when it came from the last site.
    pub fn made(&self, rel: &str, made: Made, linked: bool) {
        if linked {
            self.linked.fetch_add(1, Ordering::Relaxed);
        }
        self.now.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push((rel.to_owned(), made));
    }

    /// How many files were taken from the last site without rendering.
    pub fn linked(&self) -> usize {
        self.linked.load(Ordering::Relaxed)
    }

    /// Writes this build's memo to `path` (a temporary file renamed over it).
    pub fn save(&self, path: &Path) -> Result<(), Error> {
        let mut files = self.now.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let file = File { version: env!("CARGO_PKG_VERSION").to_owned(), files };
        let body = postcard::to_stdvec(&file).map_err(|e| Error::encode("the page memo", e))?;
        let bytes = crate::fs::framed(MAGIC, &body);
        let tmp = path.with_extension("bin.tmp");
        crate::fs::write_new(&tmp, &bytes)?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io("replace", path, e))
    }

    /// Brings `kept` up to date as a copy of this build's pages in the site just written at
    /// `site`, by hard links (no bytes copied): a page still there from the last build (the
    /// same inode) is left, one written anew is linked again, one gone is removed. The next
    /// build links its unchanged pages from there when the build folder is not there (a CI
    /// runner that restores only `.lore/`). A folder holding anything but files and folders
    /// (a planted symlink) is removed and made anew, so nothing is written through it.
    pub fn keep_site(&self, site: &Path, kept: &Path) -> Result<(), Error> {
        if !plain_tree(kept) {
            remove_any(kept)?;
        }
        let now = self.now.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let current: std::collections::HashSet<&str> = now.iter().map(|(rel, _)| rel.as_str()).collect();
        for rel in self.last.keys().filter(|rel| !current.contains(rel.as_str())) {
            let _ = std::fs::remove_file(kept.join(rel));
        }
        now.par_iter().try_for_each(|(rel, made)| -> Result<(), Error> {
            let to = kept.join(rel);
            let there = std::fs::symlink_metadata(&to).ok();
            if made.stamp != 0 && there.as_ref().is_some_and(|m| crate::output::stamp(m) == made.stamp) {
                return Ok(());
            }
            if there.is_some() {
                std::fs::remove_file(&to).map_err(|e| Error::io("remove", &to, e))?;
            }
            if let Some(parent) = to.parent() {
                crate::fs::create_dir_all(parent)?;
            }
            // A page that cannot be linked is only not kept.
            let _ = std::fs::hard_link(site.join(rel), &to);
            Ok(())
        })
    }
}

/// Whether `dir` is a folder whose tree holds only folders and regular files.
fn plain_tree(dir: &Path) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(dir) else { return true };
    if !meta.is_dir() {
        return false;
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { return false };
        for entry in entries {
            let Ok(entry) = entry else { return false };
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(entry.path()),
                Ok(t) if t.is_file() => {}
                _ => return false,
            }
        }
    }
    true
}

/// Removes `path` whatever it is, never following a symlink.
fn remove_any(path: &Path) -> Result<(), Error> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(path).map_err(|e| Error::io("remove", path, e)),
        Ok(_) => std::fs::remove_file(path).map_err(|e| Error::io("remove", path, e)),
        Err(_) => Ok(()),
    }
}

fn read(path: &Path) -> Option<HashMap<String, Made>> {
    let body = crate::fs::read_framed(path, MAGIC, MAX_MEMO)?;
    let file: File = postcard::from_bytes(&body).ok()?;
    (file.version == env!("CARGO_PKG_VERSION")).then(|| file.files.into_iter().collect())
}

/// The key of a file rendered by `template` (of the set whose digest is `templates`) from
/// `view`; `None` when the view cannot be encoded (the file is then always rendered).
pub fn key<T: Serialize>(templates: u128, template: &str, view: &T) -> Option<u128> {
    let mut hasher = crate::output::Hasher::default();
    hasher.update(&templates.to_le_bytes());
    hasher.update(template.as_bytes());
    hasher.update(&[0]);
    // JSON: the views flatten their chrome into a map, which compact binary encodings refuse.
    serde_json::to_writer(&mut hasher, view).ok()?;
    Some(hasher.digest128())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_13_the_memo_round_trips_and_refuses_damage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("views.bin");
        let views = Views::open(&path);
        assert!(views.last("a/index.html").is_none());
        let made = Made { key: 7, hash: 9, len: 11, stamp: 13 };
        views.made("a/index.html", made, false);
        views.save(&path).unwrap();
        assert_eq!(Views::open(&path).last("a/index.html"), Some(made));
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&path, bytes).unwrap();
        assert!(Views::open(&path).last("a/index.html").is_none(), "a damaged memo is no memo");
        // `.lore/` may arrive with a pull request: a symlinked memo is never followed.
        #[cfg(unix)]
        {
            let real = dir.path().join("real.bin");
            views.made("a/index.html", made, false);
            views.save(&real).unwrap();
            assert_eq!(Views::open(&real).last("a/index.html"), Some(made));
            std::fs::remove_file(&path).unwrap();
            std::os::unix::fs::symlink(&real, &path).unwrap();
            assert!(Views::open(&path).last("a/index.html").is_none(), "a symlinked memo is no memo");
        }
    }

    #[test]
    fn issue_13_keys_change_with_the_view_the_template_and_the_templates() {
        let view = ("Title", vec![1, 2, 3]);
        let a = key(1, "page.html", &view).unwrap();
        assert_eq!(a, key(1, "page.html", &view).unwrap());
        assert_ne!(a, key(1, "page.html", &("Title", vec![1, 2, 4])).unwrap());
        assert_ne!(a, key(1, "section.html", &view).unwrap());
        assert_ne!(a, key(2, "page.html", &view).unwrap());
    }
}
