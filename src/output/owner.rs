//! Which folders lore may replace: the build folder is swapped out whole on every build, so it
//! must be empty or lore's own. lore marks its own folders with [`MARKER`], a file with fixed
//! bytes that every build writes; a folder an earlier lore wrote (before the marker existed) is
//! recognised by its `freshness.json` and `assets/lore.*.css`.
//!
//! This module also finds the leftovers of a build that was killed (`.book.lore-tmp-PID`,
//! `.book.lore-old-PID`) and removes them once their owner is gone. A running build holds an
//! advisory lock on the marker of every folder it is working on, so "the owner is gone" means
//! "nobody holds the lock": it does not depend on process ids, which the system reuses.
//!
//! Config-level rules (the build folder may not hold the project, the source, the theme or a
//! `.git` folder) live in `build.rs`, which checks them before anything is read.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// The name of the marker file at the top of every build folder lore writes. Only the build
/// folder holds it: it is no page, so the sitemap and search never list it.
pub const MARKER: &str = ".lore-build";

/// The marker's contents, byte for byte: a file of that name with other contents is not ours.
pub const MARKER_BYTES: &[u8] = b"This folder was written by lore; every build replaces it whole.\n";

/// The folder a build writes to, once symlinks are followed, after checking that lore may
/// replace it: it does not exist yet, or it is an empty folder or a lore build folder.
///
/// A build folder that is a symlink is followed, and the site replaces the folder it points to;
/// the link stays a link. That is what someone who points `book` at a web server's folder
/// (`book → /srv/www/docs`) expects: the server serves the new site and nothing else changes.
/// The target is held to the same rule as any build folder (empty or lore's own), so a link to
/// someone else's folder is refused; a dangling link is refused too, so a link can never make
/// lore create a folder at a place nobody made for it.
pub fn resolve(build_dir: &Path) -> Result<PathBuf, Error> {
    let meta = match std::fs::symlink_metadata(build_dir) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(build_dir.to_path_buf()),
        Err(e) => return Err(Error::io("read", build_dir, e)),
    };
    let target = if meta.file_type().is_symlink() {
        build_dir.canonicalize().map_err(|_| {
            let to = std::fs::read_link(build_dir).unwrap_or_default();
            Error::Usage(format!(
                "`{}` is a symlink to `{}`, which does not exist\n  = hint: create that folder, or point `build-dir` in `[build]` at a folder of its own",
                shown(build_dir),
                to.display()
            ))
        })?
    } else {
        build_dir.to_path_buf()
    };
    if target.is_dir() && is_lores(&target)? {
        return Ok(target);
    }
    let what = if target == build_dir {
        format!("`{}`", shown(build_dir))
    } else {
        format!("`{}` (where the symlink `{}` points)", shown(&target), shown(build_dir))
    };
    Err(Error::Usage(format!(
        "{what} exists and was not written by lore; remove it or choose another build-dir"
    )))
}

/// Whether the folder `dir` may be replaced: it is empty, holds lore's marker, or is a build
/// folder of an earlier lore.
fn is_lores(dir: &Path) -> Result<bool, Error> {
    let mut entries = std::fs::read_dir(dir).map_err(|e| Error::io("read", dir, e))?;
    if entries.next().is_none() {
        return Ok(true);
    }
    Ok(has_marker(dir) || is_from_earlier_lore(dir))
}

/// Whether `dir` holds lore's marker: a regular file (not a link) with exactly the bytes.
pub fn has_marker(dir: &Path) -> bool {
    let path = dir.join(MARKER);
    let regular = std::fs::symlink_metadata(&path)
        .is_ok_and(|m| m.file_type().is_file() && m.len() == MARKER_BYTES.len() as u64);
    regular && std::fs::read(&path).is_ok_and(|bytes| bytes == MARKER_BYTES)
}

/// A build folder written before the marker existed: `freshness.json` and `assets/lore.*.css`.
fn is_from_earlier_lore(dir: &Path) -> bool {
    let is_file = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_file());
    if !is_file(&dir.join("freshness.json")) {
        return false;
    }
    let Ok(assets) = std::fs::read_dir(dir.join("assets")) else { return false };
    assets.filter_map(Result::ok).any(|e| {
        let name = e.file_name().to_string_lossy().into_owned();
        name.starts_with("lore.") && name.ends_with(".css") && is_file(&e.path())
    })
}

/// Writes the marker into `dir` (a folder lore owns) and locks it: while the returned file is
/// open, no other build treats `dir` as a leftover.
pub fn claim(dir: &Path) -> Result<File, Error> {
    claim_with(dir, false)
}

/// [`claim`], waiting while another build holds the folder (it is swapping its site in, which
/// takes a moment): builds of one project started together each replace the site in turn.
pub fn claim_waiting(dir: &Path) -> Result<File, Error> {
    claim_with(dir, true)
}

fn claim_with(dir: &Path, wait: bool) -> Result<File, Error> {
    let path = dir.join(MARKER);
    if !has_marker(dir) {
        // Whatever has the name (a link, say) goes first: the marker is never written through.
        if std::fs::symlink_metadata(&path).is_ok() {
            std::fs::remove_file(&path).map_err(|e| Error::io("remove", &path, e))?;
        }
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| Error::io("write", &path, e))?;
        file.write_all(MARKER_BYTES).map_err(|e| Error::io("write", &path, e))?;
    }
    let file = File::open(&path).map_err(|e| Error::io("read", &path, e))?;
    if wait {
        file.lock().map_err(|e| Error::io("lock", &path, e))?;
        return Ok(file);
    }
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::Usage(format!(
            "another lore build is writing `{}`\n  = hint: wait for it to finish, then build again",
            shown(dir)
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::io("lock", &path, e)),
    }
}

/// Removes what killed builds left beside the build folder `target` (`.NAME.lore-tmp-PID` and
/// `.NAME.lore-old-PID`): a folder holding lore's marker that nobody holds locked, or an
/// empty one whose process is gone. Anything else of that name is left alone. Best effort:
/// a leftover that cannot be removed now is tried again by the next build.
pub fn remove_leftovers(target: &Path) {
    let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else { return };
    let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
    let prefix = format!(".{}.lore-", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.filter_map(Result::ok) {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = file_name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_prefix("tmp-").or_else(|| rest.strip_prefix("old-")))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let path = entry.path();
        if !std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_dir()) {
            continue;
        }
        if has_marker(&path) {
            // Locked: a running build is still writing or swapping it.
            let Ok(marker) = File::open(path.join(MARKER)) else { continue };
            if marker.try_lock().is_ok() {
                let _ = std::fs::remove_dir_all(&path);
            }
        } else if !is_running(pid) {
            // A build killed between creating its folder and marking it: empty, or it is not
            // ours (`remove_dir` removes only an empty folder).
            let _ = std::fs::remove_dir(&path);
        }
    }
}

/// Whether process `pid` runs (on systems without `/proc`, assume it does: keep its folder).
pub fn is_running(pid: u32) -> bool {
    pid == std::process::id()
        || !Path::new("/proc/self").exists()
        || Path::new(&format!("/proc/{pid}")).exists()
}

/// `path` as the user wrote it or relative to the working folder.
pub fn shown(path: &Path) -> String {
    crate::config::display_path(path).display().to_string()
}
