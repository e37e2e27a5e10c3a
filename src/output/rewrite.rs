//! Rewriting a user's file (`lore verify`, and `lore new --supersedes` on the old record)
//! without changing what the file *is*: a symlink stays a link and its target gets the new
//! text, a hard link keeps sharing its inode, and the owner, group and mode stay.
//!
//! [`read`] remembers the file as it was (inode, size, modification time and a hash of the
//! bytes); [`Snapshot::write`] first stages the new bytes in a hidden file beside the target
//! (written and synced: from then on a crash cannot lose them), then checks the file is still
//! the one read, unchanged, and only then replaces its contents:
//! - a file with one link, whose owner and group the staged file can be given: the staged file
//!   is renamed over it (readers see the old text or the new, never half of one);
//! - otherwise (a hard link, or a file owned by someone else that we may write): the bytes are
//!   written in place, through the same inode, and synced; the staged copy is removed after.
//!   Were lore killed (or the disk full) during that write, the file would be cut short, but
//!   the staged copy `.NAME.lore-new-PID` still holds the whole new text and is kept. Keeping the inode is the only way to
//!   keep a hard link, so this is the price, paid only for the files that need it.
//!
//! The check and the write are not one atomic step: an editor saving in the few microseconds
//! between them would still lose. Anything slower (a save while lore computed the new text) is
//! refused with an error, and nothing is written.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::error::Error;

/// A file as [`read`] found it.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The file written: the path given, with symlinks followed.
    target: PathBuf,
    /// The path to name in messages.
    shown: PathBuf,
    state: State,
}

/// What must not change between the read and the write.
#[derive(Debug, Clone, PartialEq, Eq)]
struct State {
    len: u64,
    modified: Option<SystemTime>,
    hash: u64,
    id: Identity,
}

/// Device and inode, link count, owner and group (unix); nothing elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Identity {
    dev: u64,
    ino: u64,
    nlink: u64,
    uid: u32,
    gid: u32,
}

#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> Identity {
    use std::os::unix::fs::MetadataExt;
    Identity { dev: meta.dev(), ino: meta.ino(), nlink: meta.nlink(), uid: meta.uid(), gid: meta.gid() }
}

#[cfg(not(unix))]
fn identity(_: &std::fs::Metadata) -> Identity {
    Identity::default()
}

/// Reads `path`, following symlinks, and remembers the file as it was. `shown` is the path to
/// name in messages.
pub fn read(path: &Path, shown: &Path) -> Result<(Vec<u8>, Snapshot), Error> {
    let target = path.canonicalize().map_err(|e| Error::io("read", path, e))?;
    let mut file = File::open(&target).map_err(|e| Error::io("read", path, e))?;
    let (bytes, state) = read_state(&mut file).map_err(|e| Error::io("read", path, e))?;
    Ok((bytes, Snapshot { target, shown: shown.to_path_buf(), state }))
}

/// The bytes of an open file and what must not change.
fn read_state(file: &mut File) -> std::io::Result<(Vec<u8>, State)> {
    let meta = file.metadata()?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.read_to_end(&mut bytes)?;
    let state = State {
        len: meta.len(),
        modified: meta.modified().ok(),
        hash: xxhash_rust::xxh3::xxh3_64(&bytes),
        id: identity(&meta),
    };
    Ok((bytes, state))
}

impl Snapshot {
    /// The file that is written (symlinks followed).
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Replaces the file's contents with `bytes`, keeping its identity, owner, group and mode,
    /// if it is still as it was read; else writes nothing and says so.
    pub fn write(&self, bytes: &[u8]) -> Result<(), Error> {
        let staged = self.stage(bytes)?;
        let result = self.replace(&staged, bytes);
        let keep = matches!(result, Err(Failed { touched: true, .. }));
        // After a failed write in place, the staged copy is the only whole new text: it stays.
        if !keep && std::fs::symlink_metadata(&staged).is_ok() {
            let _ = std::fs::remove_file(&staged);
        }
        result.map_err(|f| f.error)
    }

    /// Writes `bytes` to a hidden file beside the target, with its mode, and syncs it.
    fn stage(&self, bytes: &[u8]) -> Result<PathBuf, Error> {
        let name =
            self.target.file_name().map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
        let staged = self.target.with_file_name(format!(".{name}.lore-new-{}", std::process::id()));
        // A file of that name is what a run of this same process id left when it was killed.
        if std::fs::symlink_metadata(&staged).is_ok_and(|m| m.file_type().is_file()) {
            let _ = std::fs::remove_file(&staged);
        }
        let io = |e| Error::io("write", &staged, e);
        let mut file = OpenOptions::new().write(true).create_new(true).open(&staged).map_err(io)?;
        // The mode first: a private page is never readable by others, even staged.
        let result = std::fs::metadata(&self.target)
            .and_then(|m| file.set_permissions(m.permissions()))
            .and_then(|()| file.write_all(bytes))
            .and_then(|()| file.sync_all());
        if let Err(e) = result {
            let _ = std::fs::remove_file(&staged);
            return Err(io(e));
        }
        Ok(staged)
    }

    /// Checks the file is unchanged, then puts `bytes` (staged at `staged`) in its place.
    fn replace(&self, staged: &Path, bytes: &[u8]) -> Result<(), Failed> {
        let io = |e| Error::io("write", &self.target, e);
        let mut file = File::open(&self.target).map_err(io)?;
        let (_, now) = read_state(&mut file).map_err(io)?;
        if now != self.state {
            return Err(self.changed().into());
        }
        if self.state.id.nlink <= 1 && self.give_owner(staged) {
            crate::fs::rename(staged, &self.target)?;
            sync_folder(&self.target);
            return Ok(());
        }
        // In place, through the same inode: a hard link stays one, the owner stays.
        let mut file = OpenOptions::new().write(true).open(&self.target).map_err(io)?;
        if file.metadata().map(|m| identity(&m)).map_err(io)? != self.state.id {
            return Err(self.changed().into());
        }
        let touched = |e| Failed { error: io(e), touched: true };
        file.write_all(bytes).map_err(touched)?;
        file.set_len(bytes.len() as u64).map_err(touched)?;
        file.sync_all().map_err(touched)
    }

    fn changed(&self) -> Error {
        Error::Usage(format!(
            "`{}` changed after lore read it; nothing was written\n  = hint: run the command again",
            self.shown.display()
        ))
    }

    /// Gives the staged file the target's owner and group (then its mode again: a change of
    /// owner may clear set-id bits). `false` when the system does not allow it.
    #[cfg(unix)]
    fn give_owner(&self, staged: &Path) -> bool {
        let id = self.state.id;
        std::os::unix::fs::chown(staged, Some(id.uid), Some(id.gid)).is_ok()
            && std::fs::metadata(&self.target)
                .and_then(|m| std::fs::set_permissions(staged, m.permissions()))
                .is_ok()
    }

    #[cfg(not(unix))]
    fn give_owner(&self, _: &Path) -> bool {
        true
    }
}

/// Why [`Snapshot::replace`] failed, and whether the file was already partly written.
struct Failed {
    error: Error,
    touched: bool,
}

impl From<Error> for Failed {
    fn from(error: Error) -> Self {
        Self { error, touched: false }
    }
}

/// Syncs the folder of `path`, so the rename is on disk (best effort: not every system can).
fn sync_folder(path: &Path) {
    if let Some(dir) = path.parent() {
        let _ = File::open(dir).and_then(|d| d.sync_all());
    }
}
