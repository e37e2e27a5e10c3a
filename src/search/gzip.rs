//! gzip for the browser index, with a memo of the last build's files.
//!
//! Compressing the ~11,000 files of a 10,000-page site's browser index was the largest single
//! cost of a warm build (13 % of its CPU), and a build that changed ten pages changes a few of
//! those files. So `lore build` keeps every file it compressed in `.lore/cache/gzip.bin`, keyed
//! by the xxh3-128 of the uncompressed bytes, and the next build takes a file from there when
//! the same bytes come again. A file taken from the memo is inflated and compared with the bytes
//! it stands for before it is used, so a damaged or planted memo costs time, never a wrong
//! file: the output is byte-identical with and without it (gzip here is deterministic: no
//! timestamp, one level).
//!
//! The memo is read lazily: its index (32 bytes per file) at open, each file when asked for.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::Error;

/// The compression level, libdeflate's. Its level 1 compressed the browser index of 10,000
/// pages (and a portal's merged index of 100,000) 4 to 6 times as fast as `flate2`'s
/// miniz_oxide at its default level 6, into files 0.1 to 0.5 % smaller.
const LEVEL: u32 = 1;
/// The memo's first bytes; the lore version follows, so another lore's memo is not used.
/// (`01` held miniz_oxide's files: reusing them would make a cached build differ.)
const MAGIC: &[u8; 8] = b"LOREGZ02";
/// A memo file larger than this is ignored (a 30,000-page site's index is about 100 MB).
const MAX_MEMO: u64 = 1 << 30;
/// One compressed file in the memo larger than this is ignored.
const MAX_ENTRY: u32 = 64 << 20;

/// The memo `lore build` installed for its export, used by [`compress`].
static INSTALLED: std::sync::RwLock<Option<std::sync::Arc<Gzip>>> = std::sync::RwLock::new(None);

/// Keeps a memo installed until dropped.
#[derive(Debug)]
pub struct Installed(std::sync::Arc<Gzip>);

/// Makes [`compress`] go through `gz` until the returned guard is dropped. A memo only ever
/// saves work (every file it gives is checked against the bytes it stands for), so an export
/// running beside the build that installed it is still right.
pub fn install(gz: std::sync::Arc<Gzip>) -> Installed {
    *INSTALLED.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(gz.clone());
    Installed(gz)
}

impl Drop for Installed {
    fn drop(&mut self) {
        let mut slot = INSTALLED.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        if slot.as_ref().is_some_and(|g| std::sync::Arc::ptr_eq(g, &self.0)) {
            *slot = None;
        }
    }
}

/// `bytes` gzipped, through the installed memo if there is one.
pub fn compress(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    let memo = INSTALLED.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
    match memo {
        Some(gz) => gz.compress(bytes),
        None => deflate(bytes),
    }
}

/// Compresses browser-index files, reusing the memo's when the bytes are the same.
#[derive(Debug, Default)]
pub struct Gzip {
    memo: Option<Memo>,
    /// xxh3-64 of each file compressed (or reused) this run → xxh3-128 of its bytes, so
    /// [`Gzip::save`] can key the files it is given.
    made: Mutex<HashMap<u64, u128>>,
    reused: AtomicUsize,
}

/// The memo of the last build: where each file is in it.
#[derive(Debug)]
struct Memo {
    file: Mutex<File>,
    index: HashMap<u128, (u64, u32)>,
}

impl Gzip {
    /// Without a memo (`lore serve`, `check`, tests).
    pub fn plain() -> Self {
        Self::default()
    }

    /// With the memo at `path`, when there is one this lore wrote; any other file (missing,
    /// damaged, another version's) is no memo.
    pub fn open(path: &Path) -> Self {
        Self { memo: Memo::open(path), ..Self::default() }
    }

    /// How many files came from the memo.
    pub fn reused(&self) -> usize {
        self.reused.load(Ordering::Relaxed)
    }

    /// `bytes` gzipped. Writing into memory fails only when memory does; the error is still
    /// returned, so a failure never becomes an empty file.
    pub fn compress(&self, bytes: &[u8]) -> Result<Vec<u8>, Error> {
        let key = xxhash_rust::xxh3::xxh3_128(bytes);
        let gz = match self.memo.as_ref().and_then(|m| m.get(key, bytes)) {
            Some(gz) => {
                self.reused.fetch_add(1, Ordering::Relaxed);
                gz
            }
            None => deflate(bytes)?,
        };
        let mut made = self.made.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        made.insert(xxhash_rust::xxh3::xxh3_64(&gz), key);
        Ok(gz)
    }

    /// Writes the memo of `files` (this build's browser index) to `path`, through a temporary
    /// file renamed over it. Files this `Gzip` did not make are left out.
    pub fn save(&self, path: &Path, files: &[(String, Vec<u8>)]) -> Result<(), Error> {
        let made = self.made.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let tmp = path.with_extension("bin.tmp");
        let file = crate::fs::create_new(&tmp)?;
        let mut out = BufWriter::new(file);
        let mut write = || -> std::io::Result<()> {
            out.write_all(MAGIC)?;
            let version = env!("CARGO_PKG_VERSION").as_bytes();
            out.write_all(&[u8::try_from(version.len()).unwrap_or(0)])?;
            out.write_all(version)?;
            out.write_all(&LEVEL.to_le_bytes())?;
            for (_, gz) in files {
                let (Some(key), Ok(len)) =
                    (made.get(&xxhash_rust::xxh3::xxh3_64(gz)), u32::try_from(gz.len()))
                else {
                    continue;
                };
                out.write_all(&key.to_le_bytes())?;
                out.write_all(&len.to_le_bytes())?;
                out.write_all(gz)?;
            }
            out.flush()
        };
        write().map_err(|e| Error::io("write", &tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io("replace", path, e))
    }
}

impl Memo {
    fn open(path: &Path) -> Option<Self> {
        // Not through a symlink, and only a regular file: `.lore/` may come from anywhere.
        let meta = std::fs::symlink_metadata(path).ok()?;
        if !meta.is_file() || meta.len() > MAX_MEMO {
            return None;
        }
        let file = File::open(path).ok()?;
        let mut reader = BufReader::new(file);
        let mut magic = [0u8; 8];
        reader.read_exact(&mut magic).ok()?;
        let mut len = [0u8; 1];
        reader.read_exact(&mut len).ok()?;
        let mut version = vec![0u8; usize::from(len[0])];
        reader.read_exact(&mut version).ok()?;
        let mut level = [0u8; 4];
        reader.read_exact(&mut level).ok()?;
        if &magic != MAGIC
            || version != env!("CARGO_PKG_VERSION").as_bytes()
            || u32::from_le_bytes(level) != LEVEL
        {
            return None;
        }
        let mut index = HashMap::new();
        let mut at = 8 + 1 + version.len() as u64 + 4;
        loop {
            let mut head = [0u8; 20];
            match reader.read_exact(&mut head) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
                Err(_) => return None,
            }
            let key = u128::from_le_bytes(head[..16].try_into().ok()?);
            let len = u32::from_le_bytes(head[16..].try_into().ok()?);
            if len > MAX_ENTRY || at + 20 + u64::from(len) > meta.len() {
                // Cut short or damaged from here on: what came before still counts.
                break;
            }
            index.insert(key, (at + 20, len));
            reader.seek_relative(i64::from(len)).ok()?;
            at += 20 + u64::from(len);
        }
        Some(Self { file: Mutex::new(reader.into_inner()), index })
    }

    /// The memo's file for `bytes` (whose xxh3-128 is `key`), when it inflates to exactly them.
    fn get(&self, key: u128, bytes: &[u8]) -> Option<Vec<u8>> {
        let &(offset, len) = self.index.get(&key)?;
        let mut gz = vec![0u8; len as usize];
        {
            let mut file = self.file.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            file.seek(SeekFrom::Start(offset)).ok()?;
            file.read_exact(&mut gz).ok()?;
        }
        // Into a buffer of exactly the size it must have: a longer stream fails, a shorter
        // one is told apart by its length.
        let mut inflated = vec![0u8; bytes.len()];
        let n = libdeflater::Decompressor::new().gzip_decompress(&gz, &mut inflated).ok()?;
        (n == bytes.len() && inflated == bytes).then_some(gz)
    }
}

thread_local! {
    /// Each thread's compressor and output buffer, kept from file to file.
    static DEFLATE: RefCell<Option<(libdeflater::Compressor, Vec<u8>)>> = const { RefCell::new(None) };
}

/// gzip of `bytes` with libdeflate at [`LEVEL`] (no timestamp or name in its header: the same
/// bytes always give the same file), without the memo: the browser index's files go through
/// [`compress`]; a portal's merged index and the search statistics come here directly.
pub fn deflate(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    let level = libdeflater::CompressionLvl::new(LEVEL as i32)
        .map_err(|e| Error::Bug(format!("libdeflate has no level {LEVEL}: {e:?}")))?;
    DEFLATE.with(|cell| {
        let mut slot = cell.borrow_mut();
        let (compressor, buf) = slot.get_or_insert_with(|| (libdeflater::Compressor::new(level), Vec::new()));
        let bound = compressor.gzip_compress_bound(bytes.len());
        if buf.len() < bound {
            buf.resize(bound, 0);
        }
        let n = compressor
            .gzip_compress(bytes, &mut buf[..bound])
            .map_err(|e| Error::encode("a search file with gzip", e))?;
        Ok(buf[..n].to_vec())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(gz: &Gzip, texts: &[&str]) -> Vec<(String, Vec<u8>)> {
        texts.iter().enumerate().map(|(i, t)| (format!("f{i}"), gz.compress(t.as_bytes()).unwrap())).collect()
    }

    #[test]
    fn issue_13_the_memo_gives_the_same_files_and_never_a_wrong_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gzip.bin");
        let texts = ["alpha beta gamma ".repeat(50), "delta ".repeat(80), "epsilon".to_owned()];
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        let first = Gzip::plain();
        let made = files(&first, &texts);
        first.save(&path, &made).unwrap();

        let second = Gzip::open(&path);
        assert_eq!(files(&second, &texts), made, "the same bytes, from the memo");
        assert_eq!(second.reused(), 3);
        // Bytes the memo does not hold are compressed.
        let other = Gzip::open(&path);
        let new = other.compress(b"zeta zeta zeta").unwrap();
        assert_eq!(new, deflate(b"zeta zeta zeta").unwrap());
        assert_eq!(other.reused(), 0);

        // A file in the memo scribbled over: it no longer inflates to its bytes, so it is
        // compressed anew; the output stays right.
        let mut bytes = std::fs::read(&path).unwrap();
        let at = bytes.len() - 5;
        bytes[at] ^= 0xff;
        std::fs::write(&path, &bytes).unwrap();
        let damaged = Gzip::open(&path);
        assert_eq!(files(&damaged, &texts), made);
        assert_eq!(damaged.reused(), 2, "the two files before the damage are still used");

        // Cut short, another version's, or a symlink: the files are made anew.
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let cut = Gzip::open(&path);
        assert_eq!(files(&cut, &texts), made);
        std::fs::write(&path, b"LOREGZ02\x050.0.0\x01\x00\x00\x00").unwrap();
        assert!(Gzip::open(&path).memo.is_none());
        #[cfg(unix)]
        {
            first.save(&dir.path().join("real.bin"), &made).unwrap();
            std::fs::remove_file(&path).unwrap();
            std::os::unix::fs::symlink(dir.path().join("real.bin"), &path).unwrap();
            assert!(Gzip::open(&path).memo.is_none(), "a symlinked memo is not followed");
        }
    }

    /// Issues 13 and 16: what `deflate` writes is gzip that inflates to its input.
    #[test]
    fn issue_16_deflate_inflates_to_its_input() {
        let text = "fragment packs and postings ".repeat(5000);
        let noise: Vec<u8> = (0..300_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for input in [Vec::new(), b"a".to_vec(), text.into_bytes(), noise] {
            let gz = deflate(&input).unwrap();
            assert_eq!(gz[..3], [0x1f, 0x8b, 8]);
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(gz.as_slice()), &mut out).unwrap();
            assert_eq!(out, input);
            assert_eq!(deflate(&input).unwrap(), gz, "the same bytes each time");
        }
    }
}
