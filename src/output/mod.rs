//! Output: writing the site all-or-nothing.
//!
//! Everything is written into a hidden temporary folder beside the build folder, which is
//! swapped in only when every file was written. A failed build leaves the previous site as it
//! was, and nothing is ever deleted outside the build folder and that temporary folder.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// A file to write, relative to the build folder.
#[derive(Debug, Clone)]
pub struct OutputFile {
    /// Relative path with `/` separators.
    pub path: String,
    /// Contents.
    pub contents: Vec<u8>,
}

/// A file to copy from the source, relative to the build folder.
#[derive(Debug, Clone)]
pub struct CopiedFile {
    /// Relative destination.
    pub path: String,
    /// Absolute source.
    pub from: PathBuf,
}

/// Writes `files` and copies `copies` into `build_dir`, replacing it only once all succeeded.
pub fn write_site(build_dir: &Path, files: &[OutputFile], copies: &[CopiedFile]) -> Result<(), Error> {
    let parent = build_dir.parent().unwrap_or(Path::new("."));
    let name = build_dir.file_name().map_or_else(|| "book".into(), |n| n.to_string_lossy().into_owned());
    let tmp = parent.join(format!(".{name}.lore-tmp-{}", std::process::id()));
    let old = parent.join(format!(".{name}.lore-old-{}", std::process::id()));
    crate::fs::remove_dir_all(&tmp)?;
    let result = fill(&tmp, files, copies);
    if let Err(e) = result {
        // Best effort: the temporary folder is ours; the real build folder was not touched.
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    if build_dir.exists() {
        crate::fs::rename(build_dir, &old)?;
        if let Err(e) = crate::fs::rename(&tmp, build_dir) {
            // Put the previous site back so a failed swap loses nothing.
            let _ = std::fs::rename(&old, build_dir);
            return Err(e);
        }
        crate::fs::remove_dir_all(&old)?;
    } else {
        crate::fs::create_dir_all(parent)?;
        crate::fs::rename(&tmp, build_dir)?;
    }
    Ok(())
}

fn fill(tmp: &Path, files: &[OutputFile], copies: &[CopiedFile]) -> Result<(), Error> {
    use rayon::prelude::*;
    crate::fs::create_dir_all(tmp)?;
    files.par_iter().try_for_each(|f| crate::fs::write(&tmp.join(&f.path), &f.contents))?;
    copies.par_iter().try_for_each(|c| crate::fs::copy(&c.from, &tmp.join(&c.path)))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_build_folder_only_on_success() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("book");
        let files = vec![OutputFile { path: "index.html".into(), contents: b"one".to_vec() }];
        write_site(&out, &files, &[]).unwrap();
        assert_eq!(std::fs::read(out.join("index.html")).unwrap(), b"one");

        let missing = vec![CopiedFile { path: "x.png".into(), from: dir.path().join("nope.png") }];
        let files2 = vec![OutputFile { path: "index.html".into(), contents: b"two".to_vec() }];
        assert!(write_site(&out, &files2, &missing).is_err());
        assert_eq!(std::fs::read(out.join("index.html")).unwrap(), b"one", "the old site survives");
        let leftovers: Vec<_> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("book")]);
    }

    #[test]
    fn hashed_names() {
        assert_eq!(hashed_name("lore.css", b"x").len(), "assets/lore.12345678.css".len());
        assert!(hashed_name("lore.css", b"x").starts_with("assets/lore."));
    }
}
