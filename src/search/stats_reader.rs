//! Reading a search statistics file ([`super::stats`]) that another team's build wrote: every
//! count and size is checked against the bytes left and the caps before anything is allocated,
//! every string is UTF-8 with control characters replaced, every URL is site-relative. A
//! problem is a message naming where it is; nothing here panics.

use super::stats::{
    FORMAT, Info, MAX_KEY, MAX_LIST, MAX_PAGES, MAX_SECTIONS, MAX_STRING, MAX_TERM_FREQ, Posting, Stats,
};
use super::{PageDoc, SectionDoc};

/// The problem of a file cut short (a streaming reader inflates more and tries again).
pub const ENDS_EARLY: &str = "the file ends early";

/// The counts and totals at the start of a file.
#[derive(Debug, Clone, Copy)]
pub struct Header {
    /// The counts.
    pub info: Info,
    /// Token totals of the title and body fields.
    pub totals: [u64; 2],
}

/// A cursor over inflated bytes.
pub struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `b`.
    pub fn new(b: &'a [u8]) -> Self {
        Self { b, pos: 0 }
    }

    /// A reader at `pos`.
    pub fn at(b: &'a [u8], pos: usize) -> Self {
        Self { b, pos }
    }

    /// Where it is.
    pub fn pos(&self) -> usize {
        self.pos
    }

    fn left(&self) -> usize {
        self.b.len().saturating_sub(self.pos)
    }

    fn bytes(&mut self, n: usize) -> Result<&'a [u8], String> {
        if n > self.left() {
            return Err(ENDS_EARLY.to_owned());
        }
        let s = &self.b[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn varint(&mut self) -> Result<u64, String> {
        varint_at(self.b, &mut self.pos)
    }

    /// A count of at most `max`, each item taking at least `min_bytes` of what is left.
    fn count(&mut self, what: &str, max: u64, min_bytes: usize) -> Result<u64, String> {
        let n = self.varint()?;
        if n > max {
            return Err(format!("{n} {what}, at most {max}"));
        }
        if n.saturating_mul(min_bytes as u64) > self.left() as u64 {
            return Err(ENDS_EARLY.to_owned());
        }
        Ok(n)
    }

    fn raw_str(&mut self, max: u64) -> Result<&'a str, String> {
        let n = self.varint()?;
        if n > max {
            return Err(format!("a string of {n} bytes, at most {max}"));
        }
        std::str::from_utf8(self.bytes(n as usize)?).map_err(|_| "a string is not UTF-8".to_owned())
    }

    /// A string with control characters replaced (they would reach terminals and pages).
    fn string(&mut self) -> Result<String, String> {
        let s = self.raw_str(MAX_STRING)?;
        // Control characters are U+0000–U+001F and U+007F–U+009F: bytes below 0x20, 0x7f, or
        // 0xc2 leading the two-byte ones; most strings have none of these bytes.
        let maybe = s.bytes().fold(false, |any, b| any | (b < 0x20) | (b == 0x7f) | (b == 0xc2));
        Ok(if maybe && s.chars().any(char::is_control) {
            s.chars().map(|c| if c.is_control() { '\u{fffd}' } else { c }).collect()
        } else {
            s.to_owned()
        })
    }

    /// A front-coded key after `prev`, in strictly ascending bytewise order.
    fn key(&mut self, prev: &str, what: &str) -> Result<String, String> {
        let shared = self.varint()?;
        if shared > prev.len() as u64 || !prev.is_char_boundary(shared as usize) {
            return Err(format!("a {what} after `{}` shares more than it has", prev.escape_debug()));
        }
        let rest = self.raw_str(MAX_KEY as u64)?;
        let key = format!("{}{rest}", &prev[..shared as usize]);
        if key.len() >= MAX_KEY || key.is_empty() || key.as_str() <= prev || key.chars().any(char::is_control)
        {
            return Err(format!("the {what} `{}` is empty, too long or out of order", key.escape_debug()));
        }
        Ok(key)
    }

    /// Magic, version, counts and totals.
    pub fn header(&mut self) -> Result<Header, String> {
        const MAGIC: &[u8] = b"LORESTATS";
        let start = &self.b[self.pos.min(self.b.len())..];
        if !start.starts_with(MAGIC) {
            let cut = start.len() < MAGIC.len() && MAGIC.starts_with(start);
            return Err(if cut { ENDS_EARLY } else { "not a lore search statistics file" }.to_owned());
        }
        self.pos += MAGIC.len();
        let v = self.varint()?;
        if v != FORMAT {
            return Err(format!("format {v}, this lore reads format {FORMAT}"));
        }
        let pages = self.varint()?;
        let sections = self.varint()?;
        let words = self.varint()?;
        let terms = self.varint()?;
        if pages > MAX_PAGES || sections > pages.saturating_mul(MAX_SECTIONS) || sections < pages {
            return Err(format!(
                "{pages} pages and {sections} sections: too many, or fewer sections than pages"
            ));
        }
        let totals = [self.varint()?, self.varint()?];
        if totals.iter().any(|t| *t > 1 << 40) {
            return Err("token totals past 2^40".to_owned());
        }
        Ok(Header { info: Info { pages, sections, words, terms }, totals })
    }

    fn norms(&mut self, records: u64) -> Result<Vec<[u8; 2]>, String> {
        let b = self.bytes(records as usize * 2)?;
        Ok(b.chunks_exact(2).map(|c| [c[0], c[1]]).collect())
    }

    fn words(&mut self, n: u64) -> Result<Vec<String>, String> {
        if n.saturating_mul(2) > self.left() as u64 {
            return Err(ENDS_EARLY.to_owned());
        }
        let mut out: Vec<String> = Vec::with_capacity(n.min(1 << 16) as usize);
        for _ in 0..n {
            let prev = out.last().map_or("", String::as_str);
            let w = self.key(prev, "word")?;
            out.push(w);
        }
        Ok(out)
    }

    /// Moves past the norms and words to the first term.
    pub fn skip_to_terms(&mut self, h: &Header) -> Result<(), String> {
        self.bytes(h.info.sections as usize * 2)?;
        self.words(h.info.words)?;
        Ok(())
    }

    /// One term after `prev` and its postings (records below `records`, ascending).
    pub fn term(&mut self, prev: &str, records: u64) -> Result<(String, Vec<Posting>), String> {
        let mut list = Vec::new();
        let key = self.term_into(prev, records, &mut list)?;
        Ok((key, list))
    }

    /// [`Reader::term`] with the postings appended to `out` (left as it was on an error), so
    /// a reader of many terms allocates nothing per term.
    pub fn term_into(&mut self, prev: &str, records: u64, out: &mut Vec<Posting>) -> Result<String, String> {
        let start = out.len();
        let read = self.postings_into(prev, records, out);
        if read.is_err() {
            out.truncate(start);
        }
        read
    }

    /// A term's key (front-coded after `prev`) and its number of postings, at least one.
    fn term_head(&mut self, prev: &str, records: u64) -> Result<(String, u64), String> {
        let key = self.key(prev, "term")?;
        let n = self
            .count("postings", records, 3)
            .map_err(|e| if e == ENDS_EARLY { e } else { format!("term `{key}`: {e}") })?;
        if n == 0 {
            return Err(format!("term `{key}` has no postings"));
        }
        Ok((key, n))
    }

    fn postings_into(&mut self, prev: &str, records: u64, out: &mut Vec<Posting>) -> Result<String, String> {
        let (key, n) = self.term_head(prev, records)?;
        out.reserve(n.min(1 << 16) as usize);
        // The hottest loop of a merge (every posting of every site): the position in a local.
        let (b, mut pos) = (self.b, self.pos);
        let mut record = 0u64;
        for i in 0..n {
            let delta = varint_at(b, &mut pos)?;
            if i > 0 && delta == 0 {
                return Err(format!("term `{key}`: records out of order"));
            }
            record = record.saturating_add(delta);
            let tf = [varint_at(b, &mut pos)?, varint_at(b, &mut pos)?];
            if record >= records || tf[0] > MAX_TERM_FREQ || tf[1] > MAX_TERM_FREQ || tf == [0, 0] {
                return Err(format!(
                    "term `{key}`: a posting of record {record} of {records} or a bad frequency"
                ));
            }
            out.push(Posting { record: record as u32, tf: [tf[0] as u32, tf[1] as u32] });
        }
        self.pos = pos;
        Ok(key)
    }

    fn page(&mut self, number: u64) -> Result<(PageDoc, u64), String> {
        let url = self.string()?;
        check_url(&url).map_err(|e| format!("page {number}: {e}"))?;
        let (title, kind, owner) = (self.string()?, self.string()?, self.string()?);
        let n = self.count("tags", MAX_LIST, 1)?;
        let tags = (0..n).map(|_| self.string()).collect::<Result<_, _>>()?;
        let (service, status, freshness) = (self.string()?, self.string()?, self.string()?);
        let n = self.count("sections", MAX_SECTIONS, 3).map_err(|e| format!("page `{url}`: {e}"))?;
        if n == 0 {
            return Err(format!("page `{url}` has no sections"));
        }
        let mut sections = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let anchor = self.string()?;
            if anchor.chars().any(|c| c.is_whitespace() || "\"'<>#`".contains(c)) {
                return Err(format!("page `{url}`: the anchor `{anchor}` is not an id"));
            }
            let levels = self.count("heading levels", MAX_LIST, 1)?;
            let heading = (0..levels).map(|_| self.string()).collect::<Result<_, _>>()?;
            sections.push(SectionDoc { anchor, heading, text: self.string()? });
        }
        let page = PageDoc { url, title, kind, owner, tags, service, status, freshness, sections };
        Ok((page, n))
    }

    /// The whole file; with `terms`, the postings too (else they are only checked).
    pub fn stats(&mut self, terms: bool) -> Result<Stats, String> {
        let mut kept = Vec::new();
        let mut list = Vec::new();
        let mut out = self.stats_with(|r, prev, records| {
            list.clear();
            let key = r.term_into(prev, records, &mut list)?;
            if terms {
                kept.push((key.clone(), list.clone()));
            }
            Ok(key)
        })?;
        out.terms = kept;
        Ok(out)
    }

    /// One term after `prev` and the number of its postings, which are skipped, not read:
    /// only their varints are counted (a merge's first pass; its second reads and checks them).
    pub fn term_skip(&mut self, prev: &str, records: u64) -> Result<(String, u64), String> {
        let (key, n) = self.term_head(prev, records)?;
        // A varint ends at a byte below 0x80; 3 varints a posting. Eight bytes at a time.
        let mut left = 3 * n as usize;
        let rest = &self.b[self.pos.min(self.b.len())..];
        let mut at = 0;
        for chunk in rest.chunks_exact(8) {
            let ends = (!u64::from_le_bytes([
                chunk[0], chunk[1], chunk[2], chunk[3], chunk[4], chunk[5], chunk[6], chunk[7],
            ]) & 0x8080_8080_8080_8080)
                .count_ones() as usize;
            if ends >= left {
                break;
            }
            left -= ends;
            at += 8;
        }
        for &b in &rest[at..] {
            at += 1;
            if b < 0x80 {
                left -= 1;
                if left == 0 {
                    self.pos += at;
                    return Ok((key, n));
                }
            }
        }
        Err(ENDS_EARLY.to_owned())
    }

    /// The whole file with its terms left out of the result: `read_term` reads each (from
    /// the reader, after the term before, with the records count) and returns its key.
    pub fn stats_with(
        &mut self,
        mut read_term: impl FnMut(&mut Self, &str, u64) -> Result<String, String>,
    ) -> Result<Stats, String> {
        let h = self.header()?;
        let norms = self.norms(h.info.sections)?;
        let words = self.words(h.info.words)?;
        let mut out = Stats { norms, totals: h.totals, words, ..Stats::default() };
        let mut prev = String::new();
        if h.info.terms.saturating_mul(5) > self.left() as u64 {
            return Err(format!("{} terms do not fit in the file", h.info.terms));
        }
        for _ in 0..h.info.terms {
            prev = read_term(self, &prev, h.info.sections)?;
        }
        if h.info.pages.saturating_mul(12) > self.left() as u64 {
            return Err(format!("{} pages do not fit in the file", h.info.pages));
        }
        let mut records = 0;
        for number in 0..h.info.pages {
            let (page, n) = self.page(number)?;
            records += n;
            out.pages.push(page);
        }
        if records != h.info.sections {
            return Err(format!("the pages have {records} sections, the header says {}", h.info.sections));
        }
        if self.left() > 0 {
            return Err(format!("{} bytes after the last page", self.left()));
        }
        Ok(out)
    }
}

/// The LEB128 number at `pos` in `b`; moves `pos` past it.
#[inline]
fn varint_at(b: &[u8], pos: &mut usize) -> Result<u64, String> {
    // Most numbers (record deltas, term frequencies) take one byte.
    match b.get(*pos) {
        Some(&x) if x < 0x80 => {
            *pos += 1;
            Ok(u64::from(x))
        }
        _ => long_varint_at(b, pos),
    }
}

#[cold]
fn long_varint_at(b: &[u8], pos: &mut usize) -> Result<u64, String> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let x = *b.get(*pos).ok_or(ENDS_EARLY)?;
        *pos += 1;
        v |= u64::from(x & 0x7f) << shift;
        if x & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err("a number is too long".to_owned())
}

/// A page URL must stay inside its site: a relative path of URL characters, no scheme (the
/// first segment has no `:`), no `..`, no leading `/`.
pub fn check_url(url: &str) -> Result<(), String> {
    let ok_chars = url.bytes().all(|b| b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@%".contains(&b));
    let first = url.split('/').next().unwrap_or("");
    if !ok_chars || url.starts_with('/') || first.contains(':') || url.split('/').any(|s| s == "..") {
        return Err(format!("the URL `{}` is not a site-relative path", url.escape_debug()));
    }
    Ok(())
}
