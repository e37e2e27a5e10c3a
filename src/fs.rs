//! Thin `std::fs` wrappers whose errors name the path they failed on.

use std::path::Path;

use crate::error::Error;

/// Reads a file to bytes.
pub fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::io("read", path, source))
}

/// Reads a UTF-8 file to a string.
pub fn read_to_string(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|source| Error::io("read", path, source))
}

/// Writes a file, creating its parent folders.
pub fn write(path: &Path, contents: impl AsRef<[u8]>) -> Result<(), Error> {
    if let Some(parent) = path.parent() {
        create_dir_all(parent)?;
    }
    std::fs::write(path, contents).map_err(|source| Error::io("write", path, source))
}

/// Writes `contents` to a new file at `path` ([`create_new`]).
pub fn write_new(path: &Path, contents: &[u8]) -> Result<(), Error> {
    let mut file = create_new(path)?;
    std::io::Write::write_all(&mut file, contents).map_err(|source| Error::io("write", path, source))
}

/// A new, empty file at `path`, whatever was there removed first without being followed: a
/// temporary file in `.lore/` (which can arrive with a pull request) may be a planted symlink,
/// and writing through it would write where it points.
pub fn create_new(path: &Path) -> Result<std::fs::File, Error> {
    if let Some(parent) = path.parent() {
        create_dir_all(parent)?;
    }
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::io("remove", path, e)),
        _ => {}
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|source| Error::io("write", path, source))
}

/// `body` framed as a cache file: `magic`, the body's xxh3-64, the body.
pub fn framed(magic: &[u8; 8], body: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(body.len() + 16);
    bytes.extend_from_slice(magic);
    bytes.extend_from_slice(&xxhash_rust::xxh3::xxh3_64(body).to_le_bytes());
    bytes.extend_from_slice(body);
    bytes
}

/// The body of the cache file [`framed`] wrote at `path`, when it is a regular file (never
/// through a symlink: `.lore/` may come from anywhere) of at most `max` bytes, starting with
/// `magic`, whose checksum matches.
pub fn read_framed(path: &Path, magic: &[u8; 8], max: u64) -> Option<Vec<u8>> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() || meta.len() > max {
        return None;
    }
    let mut bytes = std::fs::read(path).ok()?;
    let body = bytes.strip_prefix(magic)?;
    let (sum, body) = body.split_at_checked(8)?;
    if xxhash_rust::xxh3::xxh3_64(body).to_le_bytes() != sum {
        return None;
    }
    bytes.drain(..16);
    Some(bytes)
}

/// Creates a folder and its parents.
pub fn create_dir_all(path: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(path).map_err(|source| Error::io("create folder", path, source))
}

/// Copies a file, creating the destination's parent folders.
pub fn copy(from: &Path, to: &Path) -> Result<(), Error> {
    if let Some(parent) = to.parent() {
        create_dir_all(parent)?;
    }
    std::fs::copy(from, to).map(|_| ()).map_err(|source| Error::io("copy", from, source))
}

/// Renames a file or folder.
pub fn rename(from: &Path, to: &Path) -> Result<(), Error> {
    std::fs::rename(from, to).map_err(|source| Error::io("rename", from, source))
}

/// Removes a folder and everything in it; a missing folder is not an error.
pub fn remove_dir_all(path: &Path) -> Result<(), Error> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io("remove", path, e)),
        _ => Ok(()),
    }
}
