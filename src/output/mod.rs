//! Output: writing the site all-or-nothing.
//!
//! Everything is written into a hidden temporary folder beside the build folder, which is
//! swapped in only when every file was written. A failed build leaves the previous site as it
//! was. lore replaces only a build folder that is empty or that it wrote itself (see
//! [`owner`]), and removes nothing else but its own temporary folders.

pub mod owner;
pub mod rewrite;

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// A build folder being written: files go into a hidden temporary folder beside the build
/// folder, which [`Staging::commit`] swaps in. Dropped without a commit, it removes itself and
/// the build folder stays as it was.
#[derive(Debug)]
pub struct Staging {
    /// The build folder as configured (maybe a symlink).
    build_dir: PathBuf,
    /// Where the site goes: the build folder, or the folder its symlink points to.
    target: PathBuf,
    tmp: PathBuf,
    old: PathBuf,
    /// The lock on the temporary folder's marker, held until the build ends.
    _lock: Option<File>,
    committed: bool,
    /// A copy of the last site's pages kept elsewhere (`.lore/cache/site/`), linked from when
    /// the build folder does not have them (a CI runner that restored only `.lore/`).
    kept: Option<PathBuf>,
}

impl Staging {
    /// Checks that lore may replace `build_dir` ([`owner::resolve`]), removes what killed
    /// builds left beside it, and creates the temporary folder.
    pub fn create(build_dir: &Path) -> Result<Self, Error> {
        let target = owner::resolve(build_dir)?;
        owner::remove_leftovers(&target);
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let name = target.file_name().map_or_else(|| "book".into(), |n| n.to_string_lossy().into_owned());
        let tmp = parent.join(format!(".{name}.lore-tmp-{}", std::process::id()));
        let old = parent.join(format!(".{name}.lore-old-{}", std::process::id()));
        crate::fs::create_dir_all(parent)?;
        // Not `create_dir_all`: a folder of this name that is still there is not ours to reuse.
        std::fs::create_dir(&tmp).map_err(|e| Error::io("create folder", &tmp, e))?;
        let mut staging = Self {
            build_dir: build_dir.to_path_buf(),
            target,
            tmp,
            old,
            _lock: None,
            committed: false,
            kept: None,
        };
        staging._lock = Some(owner::claim(&staging.tmp)?);
        Ok(staging)
    }

    /// Writes a file at `rel` (a `/`-separated path inside the site). When the site being
    /// replaced has the same bytes there, the file is hard-linked from it instead: a warm build
    /// that changed a few pages writes a few files (creating thousands of files was most of
    /// the time a build spends writing).
    pub fn write(&self, rel: &str, contents: &[u8]) -> Result<(), Error> {
        let path = self.tmp.join(rel);
        let old = self.target.join(rel);
        if same_bytes(&old, contents) {
            if let Some(parent) = path.parent() {
                crate::fs::create_dir_all(parent)?;
            }
            if std::fs::hard_link(&old, &path).is_ok() {
                return Ok(());
            }
        }
        crate::fs::write(&path, contents)
    }

    /// Hard-links the file at `rel` from the site being replaced (or the kept copy of its
    /// pages) when it is still the file it was (`len` bytes whose xxh3-64 is `hash`); returns
    /// the linked file's [`stamp`] when it did. A file whose stamp is still `stamp` (the same
    /// inode, unmodified since) is taken without reading it; any other is read and hashed.
    pub fn link_same(&self, rel: &str, len: u64, hash: u64, stamp: u128) -> Result<Option<u128>, Error> {
        let same = |old: &Path| -> Option<u128> {
            let meta = std::fs::symlink_metadata(old).ok()?;
            let now = self::stamp(&meta);
            let same = meta.is_file()
                && meta.len() == len
                && ((stamp != 0 && now == stamp)
                    || std::fs::read(old).is_ok_and(|b| xxhash_rust::xxh3::xxh3_64(&b) == hash));
            same.then_some(now)
        };
        let candidates =
            std::iter::once(self.target.join(rel)).chain(self.kept.as_ref().map(|k| k.join(rel)));
        let Some((old, now)) = candidates.into_iter().find_map(|old| same(&old).map(|now| (old, now))) else {
            return Ok(None);
        };
        let path = self.tmp.join(rel);
        if let Some(parent) = path.parent() {
            crate::fs::create_dir_all(parent)?;
        }
        Ok(std::fs::hard_link(&old, &path).is_ok().then_some(now))
    }

    /// Links pages also from `kept`, a copy of the last site's pages (see [`Staging::link_same`]),
    /// unless it is not a real folder.
    pub fn keep_from(&mut self, kept: &Path) {
        if std::fs::symlink_metadata(kept).is_ok_and(|m| m.is_dir()) {
            self.kept = Some(kept.to_path_buf());
        }
    }

    /// The [`stamp`] of the file written at `rel`, 0 when there is none.
    pub fn stamp_of(&self, rel: &str) -> u128 {
        std::fs::symlink_metadata(self.tmp.join(rel)).map_or(0, |m| stamp(&m))
    }

    /// Copies a file to `rel`.
    pub fn copy(&self, from: &Path, rel: &str) -> Result<(), Error> {
        crate::fs::copy(from, &self.tmp.join(rel))
    }

    /// Swaps the finished site in place of the build folder. The folder is checked again first:
    /// it may have changed while the site was rendered.
    pub fn commit(mut self) -> Result<(), Error> {
        let target = owner::resolve(&self.build_dir)?;
        if target != self.target {
            return Err(Error::Usage(format!(
                "`{}` changed while lore was building; nothing was replaced\n  = hint: build again",
                owner::shown(&self.build_dir)
            )));
        }
        if std::fs::symlink_metadata(&target).is_ok() {
            // Marked and locked: were lore killed between the renames, the next build would
            // know the old folder for its own leftover.
            // Another build of the project may be swapping its site in: wait for it.
            let _old_lock = owner::claim_waiting(&target)?;
            crate::fs::rename(&target, &self.old)?;
            if let Err(e) = crate::fs::rename(&self.tmp, &target) {
                // Put the previous site back so a failed swap loses nothing.
                let _ = std::fs::rename(&self.old, &target);
                return Err(e);
            }
            self.committed = true;
            // The new site is in place and no leftover: the next build may replace it while
            // the old one is removed.
            self._lock = None;
            crate::fs::remove_dir_all(&self.old)?;
        } else {
            crate::fs::rename(&self.tmp, &target)?;
            self.committed = true;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            // Best effort: the temporary folder is ours; the build folder was not touched.
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Whether the file at `path` holds exactly `contents` (a regular file, not a link).
fn same_bytes(path: &Path, contents: &[u8]) -> bool {
    use std::io::Read;
    let Ok(meta) = std::fs::symlink_metadata(path) else { return false };
    if !meta.is_file() || meta.len() != contents.len() as u64 {
        return false;
    }
    let mut buf = Vec::with_capacity(contents.len());
    let read = File::open(path).and_then(|f| f.take(contents.len() as u64 + 1).read_to_end(&mut buf));
    read.is_ok() && buf == contents
}

/// Writes `rel` in `dir` beside its old version, then renames it over: a reader sees the old
/// file or the new one, never half of one. Creates the folder when needed.
pub fn replace(dir: &Path, rel: &str, bytes: &[u8]) -> Result<(), Error> {
    let path = dir.join(rel);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.lore-new"));
    if let Err(e) = crate::fs::write(&tmp, bytes) {
        match path.parent() {
            Some(parent) if !parent.exists() => {
                crate::fs::create_dir_all(parent)?;
                crate::fs::write(&tmp, bytes)?;
            }
            _ => return Err(e),
        }
    }
    crate::fs::rename(&tmp, &path)
}

/// xxh3-128 of the bytes written to it: what the build cache keys views and sidebars by
/// (`serde_json::to_writer` writes a view straight into it, with no string in between).
pub struct Hasher(xxhash_rust::xxh3::Xxh3);

impl Default for Hasher {
    fn default() -> Self {
        Self(xxhash_rust::xxh3::Xxh3::new())
    }
}

impl Hasher {
    /// Adds `bytes`.
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// Adds `bytes` after their length, so that fields added one after another cannot run
    /// into each other (`ab`,`c` and `a`,`bc` differ).
    pub fn field(&mut self, bytes: &[u8]) {
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    /// The digest of everything added.
    pub fn digest128(&self) -> u128 {
        self.0.digest128()
    }
}

impl std::io::Write for Hasher {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A short content hash for cache-busting asset names.
pub fn hash8(bytes: &[u8]) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(bytes))[..8].to_owned()
}

/// `lore.css` → `assets/lore.1a2b3c4d.css`.
pub fn hashed_name(name: &str, bytes: &[u8]) -> String {
    let hash = hash8(bytes);
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("assets/{stem}.{hash}.{ext}"),
        None => format!("assets/{name}.{hash}"),
    }
}

/// A file's identity and last change: its inode and modification time in nanoseconds (0 where
/// the platform gives no inode). Hard links and renames keep it; writing the file changes it.
pub fn stamp(meta: &std::fs::Metadata) -> u128 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let nanos = (meta.mtime() as u128) * 1_000_000_000 + meta.mtime_nsec() as u128;
        (u128::from(meta.ino()) << 64) ^ nanos ^ (u128::from(meta.dev()) << 100)
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_build_folder_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("book");
        let staging = Staging::create(&out).unwrap();
        staging.write("index.html", b"one").unwrap();
        staging.commit().unwrap();
        assert_eq!(std::fs::read(out.join("index.html")).unwrap(), b"one");

        let staging = Staging::create(&out).unwrap();
        staging.write("index.html", b"two").unwrap();
        assert!(staging.copy(&dir.path().join("nope.png"), "x.png").is_err());
        drop(staging);
        assert_eq!(std::fs::read(out.join("index.html")).unwrap(), b"one", "the old site survives");
        let leftovers: Vec<_> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("book")]);

        let staging = Staging::create(&out).unwrap();
        staging.write("index.html", b"three").unwrap();
        staging.commit().unwrap();
        assert_eq!(std::fs::read(out.join("index.html")).unwrap(), b"three");
    }

    #[test]
    fn a_leftover_whose_owner_holds_the_lock_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("book");
        let busy = dir.path().join(".book.lore-tmp-4000000");
        std::fs::create_dir(&busy).unwrap();
        let lock = owner::claim(&busy).unwrap();
        let err = owner::claim(&busy).unwrap_err().to_string();
        assert!(err.starts_with("another lore build is writing `"), "{err}");
        drop(Staging::create(&out).unwrap());
        assert!(busy.join(owner::MARKER).is_file(), "a running build's folder was removed");
        drop(lock);
        drop(Staging::create(&out).unwrap());
        assert!(!busy.exists(), "the leftover of a build that is gone was kept");
    }

    #[test]
    fn hashed_names() {
        assert_eq!(hashed_name("lore.css", b"x").len(), "assets/lore.12345678.css".len());
        assert!(hashed_name("lore.css", b"x").starts_with("assets/lore."));
    }
}
