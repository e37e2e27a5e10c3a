//! The ledger kept inside the tantivy index folder (`lore-ledger.bin`): what a build indexed,
//! so the next build replaces only the pages that changed, and the exact statistics BM25
//! needs once segments hold deleted documents.
//!
//! - per page, in page order: the xxh3-128 of every field its documents hold (record and page
//!   numbers included), so a page counts as unchanged only when its documents would be
//!   written again byte for byte;
//! - the token totals of the title and body fields over the live documents: tantivy keeps
//!   exact totals only for segments without deletes (merging one with deletes estimates them
//!   from the quantised field norms), and BM25's average length must not depend on the
//!   history of the index;
//! - the segments (id and deleted documents) the ledger describes, and every file of the index
//!   with its length and xxh3-64: an index changed by anyone else (`lore serve` replacing
//!   pages, a crash between commit and ledger, a damaged or planted file in a restored CI
//!   cache) no longer matches, and the next build writes the index afresh. tantivy does not
//!   checksum its files, so this is what keeps a damaged index from giving wrong results.
//!
//! Format: `LORELEDG`, format version, lore version, a length-prefixed body, its xxh3-64. A
//! ledger that does not read back exactly is ignored.

use std::path::{Path, PathBuf};

use super::PageDoc;

/// The ledger's file name inside the index folder (tantivy removes only files it made).
pub const FILE: &str = "lore-ledger.bin";
const MAGIC: &[u8; 8] = b"LORELEDG";
const FORMAT: u32 = 1;

/// What an index holds, as far as the next build needs to know.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ledger {
    /// Per page, in page order: the digest of its documents.
    pub pages: Vec<u128>,
    /// Tokens of the title and body fields over the live documents.
    pub totals: [u64; 2],
    /// The searchable segments: (id, deleted documents), sorted.
    pub segments: Vec<(String, u32)>,
    /// The index's files: (name, length, xxh3-64), sorted by name.
    pub files: Vec<(String, u64, u64)>,
}

/// The files of the index folder `dir` that make the index (not the ledger, the word list or
/// tantivy's lock files), with their length and hash; `None` when anything else is there (a
/// folder, a symlink) or a file cannot be read.
pub fn fingerprint(dir: &Path) -> Option<Vec<(String, u64, u64)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).ok()? {
        let entry = entry.ok()?;
        let name = entry.file_name().into_string().ok()?;
        if name == FILE || name == "words.tsv" || name.starts_with(".tantivy-") {
            continue;
        }
        if !entry.file_type().ok()?.is_file() {
            return None;
        }
        let bytes = std::fs::read(entry.path()).ok()?;
        out.push((name, bytes.len() as u64, xxhash_rust::xxh3::xxh3_64(&bytes)));
    }
    out.sort();
    Some(out)
}

/// The ledger's path in the index folder `dir`.
pub fn path(dir: &Path) -> PathBuf {
    dir.join(FILE)
}

/// The digest of the documents of page number `p` whose first record is `record`.
pub fn digest(page: &PageDoc, p: usize, record: u64) -> u128 {
    let mut h = crate::output::Hasher::default();
    let mut put = |s: &[u8]| h.field(s);
    put(&(p as u64).to_le_bytes());
    put(&record.to_le_bytes());
    for field in
        [&page.url, &page.title, &page.kind, &page.owner, &page.service, &page.status, &page.freshness]
    {
        put(field.as_bytes());
    }
    put(&(page.tags.len() as u64).to_le_bytes());
    for t in &page.tags {
        put(t.as_bytes());
    }
    put(&(page.sections.len() as u64).to_le_bytes());
    for s in &page.sections {
        put(s.anchor.as_bytes());
        put(&(s.heading.len() as u64).to_le_bytes());
        for part in &s.heading {
            put(part.as_bytes());
        }
        put(s.text.as_bytes());
    }
    h.digest128()
}

impl Ledger {
    /// The ledger's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut body = Vec::with_capacity(self.pages.len() * 16 + 64);
        body.extend_from_slice(&self.totals[0].to_le_bytes());
        body.extend_from_slice(&self.totals[1].to_le_bytes());
        body.extend_from_slice(&(self.segments.len() as u64).to_le_bytes());
        for (id, deleted) in &self.segments {
            body.extend_from_slice(&(id.len() as u64).to_le_bytes());
            body.extend_from_slice(id.as_bytes());
            body.extend_from_slice(&deleted.to_le_bytes());
        }
        body.extend_from_slice(&(self.files.len() as u64).to_le_bytes());
        for (name, len, hash) in &self.files {
            body.extend_from_slice(&(name.len() as u64).to_le_bytes());
            body.extend_from_slice(name.as_bytes());
            body.extend_from_slice(&len.to_le_bytes());
            body.extend_from_slice(&hash.to_le_bytes());
        }
        body.extend_from_slice(&(self.pages.len() as u64).to_le_bytes());
        for d in &self.pages {
            body.extend_from_slice(&d.to_le_bytes());
        }
        let mut out = Vec::with_capacity(body.len() + 64);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT.to_le_bytes());
        put_str(&mut out, env!("CARGO_PKG_VERSION"));
        out.extend_from_slice(&(body.len() as u64).to_le_bytes());
        out.extend_from_slice(&body);
        out.extend_from_slice(&xxhash_rust::xxh3::xxh3_64(&body).to_le_bytes());
        out
    }

    /// Reads a ledger back; `None` for anything but a ledger this lore wrote, intact.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let mut r = Bytes(bytes);
        if r.take(8)? != MAGIC || r.u32()? != FORMAT || r.string()? != env!("CARGO_PKG_VERSION") {
            return None;
        }
        let len = usize::try_from(r.u64()?).ok()?;
        let body = r.take(len)?;
        if r.u64()? != xxhash_rust::xxh3::xxh3_64(body) || !r.0.is_empty() {
            return None;
        }
        let mut r = Bytes(body);
        let totals = [r.u64()?, r.u64()?];
        let n = r.count(12)?;
        let mut segments = Vec::with_capacity(n);
        for _ in 0..n {
            segments.push((r.string()?, r.u32()?));
        }
        let n = r.count(24)?;
        let mut files = Vec::with_capacity(n);
        for _ in 0..n {
            files.push((r.string()?, r.u64()?, r.u64()?));
        }
        let n = r.count(16)?;
        let mut pages = Vec::with_capacity(n);
        for _ in 0..n {
            pages.push(u128::from_le_bytes(r.take(16)?.try_into().ok()?));
        }
        r.0.is_empty().then_some(Self { pages, totals, segments, files })
    }

    /// The ledger of the index folder `dir`, if there is one this lore can trust to be whole.
    /// Never followed through a symlink (that is [`Read::Damaged`]).
    pub fn read(dir: &Path) -> Read {
        let path = path(dir);
        let Ok(meta) = std::fs::symlink_metadata(&path) else { return Read::Missing };
        let Some(bytes) = meta.is_file().then(|| std::fs::read(&path).ok()).flatten() else {
            return Read::Damaged;
        };
        match Self::decode(&bytes) {
            Some(ledger) => Read::Ledger(ledger),
            None if other_version(&bytes) => Read::OtherVersion,
            None => Read::Damaged,
        }
    }
}

/// What [`Ledger::read`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    /// A whole ledger of this lore.
    Ledger(Ledger),
    /// None (a first build, or `lore serve` changed the index).
    Missing,
    /// One written by another lore version or format.
    OtherVersion,
    /// Something else: damaged, truncated, or not a file.
    Damaged,
}

/// Whether `bytes` start like a ledger of another format or lore version.
fn other_version(bytes: &[u8]) -> bool {
    let mut r = Bytes(bytes);
    r.take(8) == Some(MAGIC.as_slice())
        && match (r.u32(), r.string()) {
            (Some(format), Some(version)) => format != FORMAT || version != env!("CARGO_PKG_VERSION"),
            _ => false,
        }
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u64).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// A cursor over bytes that answers `None` past their end.
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    /// A count of items at least `each` bytes long, no more than the bytes left can hold.
    fn count(&mut self, each: usize) -> Option<usize> {
        let n = usize::try_from(self.u64()?).ok()?;
        (n <= self.0.len() / each).then_some(n)
    }

    fn string(&mut self) -> Option<String> {
        let n = usize::try_from(self.u64()?).ok()?;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ledger() -> Ledger {
        Ledger {
            pages: vec![1, u128::MAX, 7 << 70],
            totals: [12, 3456],
            segments: vec![("0a1b".into(), 0), ("ffee".into(), 3)],
            files: vec![("0a1b.idx".into(), 10, 99), ("meta.json".into(), 3, 1 << 60)],
        }
    }

    #[test]
    fn issue_13_a_ledger_reads_back_and_a_damaged_one_is_refused() {
        let bytes = ledger().encode();
        assert_eq!(Ledger::decode(&bytes), Some(ledger()));
        for cut in 0..bytes.len() {
            assert_eq!(Ledger::decode(&bytes[..cut]), None, "cut at {cut}");
        }
        for at in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[at] ^= 0x40;
            assert_eq!(Ledger::decode(&bad), None, "byte {at} flipped");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(Ledger::decode(&longer), None);
        // Another lore's ledger is told apart from a damaged one.
        let mut other = bytes[..12].to_vec();
        put_str(&mut other, "0.0.1");
        other.extend_from_slice(&bytes[12 + 8 + env!("CARGO_PKG_VERSION").len()..]);
        assert_eq!(Ledger::decode(&other), None);
        assert!(other_version(&other));
        assert!(!other_version(&bytes));
        assert!(!other_version(b"LORELEDX"));
    }

    #[test]
    fn issue_13_a_page_digest_covers_what_its_documents_hold() {
        let page = PageDoc {
            url: "runbooks/db/".into(),
            title: "DB".into(),
            sections: vec![super::super::SectionDoc {
                anchor: String::new(),
                heading: vec![],
                text: "fail over".into(),
            }],
            ..PageDoc::default()
        };
        let base = digest(&page, 3, 10);
        assert_ne!(digest(&page, 4, 10), base, "page number");
        assert_ne!(digest(&page, 3, 11), base, "first record");
        let mut edited = page.clone();
        edited.sections[0].text.push('!');
        assert_ne!(digest(&edited, 3, 10), base, "text");
        let mut moved = page.clone();
        moved.tags = vec!["db".into()];
        assert_ne!(digest(&moved, 3, 10), base, "tags");
        let mut fresh = page.clone();
        fresh.freshness = "stale".into();
        assert_ne!(digest(&fresh, 3, 10), base, "freshness");
        assert_eq!(digest(&page.clone(), 3, 10), base);
    }
}
