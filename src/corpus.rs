//! Corpus-level evidence: which lines repeat across the documents of a batch.
//!
//! Site chrome (menus, footers, consent banners, "Share this" rows) repeats
//! on every page of a site, while article text does not. A first pass over a
//! batch counts, for every normalised line, how many documents contain it;
//! the cleaner then treats a line found in many documents as chrome unless it
//! is clearly body text.
//!
//! A line's [`fingerprint`] is a 64-bit hash of its normalised form: letters
//! lower-cased, every digit turned into `0`, punctuation and symbols dropped,
//! white space collapsed. So `Posted on 12 May 2024 | 3 comments` and
//! `Posted on 9 June 2023 - 14 Comments` differ (the month names differ) but
//! `© 2024 Example Inc.` and `© 2023 Example Inc.` share one fingerprint.
//! The hash is XXH3-64 of the normalised UTF-8 bytes, so fingerprints are
//! the same on every machine and can be computed in one process (or one
//! cluster task) and used in another.
//!
//! [`Corpus`] holds the counts of one group of documents (one site, or the
//! whole batch). It costs about 16 bytes per distinct line plus hash-table
//! slack (at most about 36 bytes per distinct line in all); past its cap it
//! forgets the lines seen in only one document so far (a lossy count, see
//! [`Corpus::with_capacity_limit`]). [`CorpusIndex`] holds one per group
//! for a batch, under one cap that also counts the groups (a crawl has
//! about as many as sites), so that it bounds memory.
//!
//! # Example
//! ```
//! use declutter::corpus::{fingerprints, Corpus};
//!
//! let pages: [&[u8]; 3] = [
//!     b"Home\nFirst story, with its own words.\nShare this article\n",
//!     b"Home\nSecond story, about something else.\nShare this article\n",
//!     b"Home\nA third story.\n",
//! ];
//! let mut corpus = Corpus::new();
//! for page in pages {
//!     corpus.add_document(&fingerprints(page));
//! }
//! let share = declutter::corpus::fingerprint(b"Share this article!").unwrap();
//! assert_eq!(corpus.documents(), 3);
//! assert_eq!(corpus.count(share), 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::swar;
use bstr::ByteSlice;
use rustc_hash::FxHashMap;

/// The default cap on distinct lines held by one [`Corpus`] or one
/// [`CorpusIndex`] (where a group counts as [`GROUP_COST`] lines): 8 Mi
/// lines, about 300 MB at worst.
pub const DEFAULT_MAX_LINES: usize = 1 << 23;

/// The fingerprint of one line, or `None` when the line has no letter or
/// digit (blank lines and rules of punctuation carry no evidence).
pub fn fingerprint(line: &[u8]) -> Option<u64> {
    fingerprint_with(line, &mut Vec::with_capacity(line.len()))
}

/// [`fingerprint`] with a caller's scratch buffer, for hot loops.
pub fn fingerprint_with(line: &[u8], scratch: &mut Vec<u8>) -> Option<u64> {
    let len = normalise_into(line, scratch);
    let normal = scratch.get(..len).unwrap_or_default();
    (!normal.is_empty()).then(|| xxhash_rust::xxh3::xxh3_64(normal))
}

/// The fingerprint of every line of a document, in line order: `None` for
/// lines without evidence. Lines are split on `\n` (a trailing `\r` is part
/// of no fingerprint), as the cleaner splits them.
pub fn line_fingerprints(text: &[u8]) -> Vec<Option<u64>> {
    let mut buf = Vec::new();
    text.lines().map(|line| fingerprint_with(line, &mut buf)).collect()
}

/// The distinct fingerprints of a document's lines, sorted: what one document
/// contributes to a [`Corpus`].
pub fn fingerprints(text: &[u8]) -> Vec<u64> {
    let mut buf = Vec::new();
    let mut all: Vec<u64> =
        text.lines().filter_map(|line| fingerprint_with(line, &mut buf)).collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// A key for a whole document, from its distinct fingerprints (as
/// [`fingerprints`] returns them): two documents with the same lines have the
/// same key. [`CorpusIndex`] counts a document only once per key and group,
/// and a distributed corpus pass should drop such copies the same way.
pub fn document_key(distinct: &[u64]) -> u64 {
    let mut bytes = Vec::with_capacity(distinct.len() * 8);
    for fp in distinct {
        bytes.extend_from_slice(&fp.to_le_bytes());
    }
    xxhash_rust::xxh3::xxh3_64(&bytes)
}

/// The normalised form of a line, as fingerprinted: lower case, digits as
/// `0`, only letters, digits and single spaces.
pub fn normalise(line: &[u8]) -> String {
    let mut out = Vec::new();
    let len = normalise_into(line, &mut out);
    out.truncate(len);
    // Only whole characters are written, so this never fails.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Writes the normalised form of `line` as UTF-8 bytes at the start of
/// `buf` and returns its length. `buf` is only ever lengthened, as room to
/// write in: its bytes past the returned length are left over.
fn normalise_into(line: &[u8], buf: &mut Vec<u8>) -> usize {
    // Runs of ASCII bytes (most of most lines, even of lines with curly
    // quotes or accents) go through the table; other characters are
    // decoded as `bstr`'s `chars()` decodes them (U+FFFD for invalid
    // UTF-8, which vanishes like any symbol).
    let mut out = Writer { buf, end: 0, space: false };
    let mut rest = line;
    while !rest.is_empty() {
        let ascii = normalise_ascii_run(rest, &mut out);
        let Some(tail) = rest.get(ascii..).filter(|tail| !tail.is_empty()) else {
            break;
        };
        let (c, size) = bstr::decode_utf8(tail);
        rest = tail.get(size.max(1)..).unwrap_or_default();
        normalise_char(c.unwrap_or('\u{FFFD}'), &mut out);
    }
    out.end
}

/// Where [`normalise_into`] writes: `buf[..end]` is written, and `space`
/// says whether white space came since the last letter or digit.
struct Writer<'a> {
    buf: &'a mut Vec<u8>,
    end: usize,
    space: bool,
}

impl Writer<'_> {
    /// Makes room for `extra` more bytes after `end`.
    fn room(&mut self, extra: usize) {
        let need = self.end + extra;
        if self.buf.len() < need {
            self.buf.resize(need.max(2 * self.buf.len()), 0);
        }
    }

    /// Writes `bytes` after `end`, where [`Writer::room`] made room.
    fn put(&mut self, bytes: &[u8]) {
        self.buf[self.end..self.end + bytes.len()].copy_from_slice(bytes);
        self.end += bytes.len();
    }

    /// Writes the space owed before a word: once a word is written.
    fn owed_space(&mut self) {
        if self.space && self.end > 0 {
            self.buf[self.end] = b' ';
            self.end += 1;
        }
        self.space = false;
    }
}

/// [`normalise_into`] for the ASCII bytes at the start of `line`, up to its
/// first other byte; returns how many bytes it read. Every byte gives at
/// most one byte (a word after white space owes one more, the space), so
/// room for the whole run is made once, with no check per byte.
fn normalise_ascii_run(line: &[u8], out: &mut Writer) -> usize {
    // One more than the run for a space owed from before it, and a chunk
    // more so that a chunk can always be written whole.
    out.room(line.len() + 1 + swar::WIDTH);
    let mut at = 0;
    while at < line.len() {
        // Eight letters and single spaces at a time: they come out as they
        // are, lower-cased (most of a line of prose).
        if let Some(word) = swar::word_at(line, at) {
            if let Some((lower, trailing_space)) = plain_chunk(word, out.space || out.end == 0) {
                out.owed_space();
                out.put(&lower.to_le_bytes());
                out.end -= usize::from(trailing_space);
                out.space = trailing_space;
                at += swar::WIDTH;
                continue;
            }
        }
        let Some(&v) = ASCII_NORMAL.get(usize::from(line[at])) else {
            break;
        };
        at += 1;
        if v > WHITE {
            out.owed_space();
            out.buf[out.end] = v;
            out.end += 1;
        } else {
            out.space |= v == WHITE;
        }
    }
    at
}

/// Eight bytes (little-endian) that normalise to themselves lower-cased:
/// ASCII letters and spaces, no two spaces side by side, and no space first
/// when `no_leading_space` (white space is already owed, or nothing is
/// written yet). Returns the bytes lower-cased, and whether the last one
/// is a space (which is then owed, not written).
fn plain_chunk(word: u64, no_leading_space: bool) -> Option<(u64, bool)> {
    let (letters, spaces) = swar::letters_and_spaces(word)?;
    let first_space = spaces & 0x80 != 0;
    if letters | spaces != swar::HIGH
        || spaces & (spaces << 8) != 0
        || (first_space && no_leading_space)
    {
        return None;
    }
    Some((swar::to_lower(word), spaces >> 63 != 0))
}

/// What [`ASCII_NORMAL`] maps a byte that vanishes to.
const GONE: u8 = 0;
/// What [`ASCII_NORMAL`] maps white space (as [`char::is_whitespace`] has
/// it) to.
const WHITE: u8 = 1;

/// The normalised form of each ASCII byte: letters lower-cased, digits
/// `0`, else [`WHITE`] or [`GONE`].
static ASCII_NORMAL: [u8; 128] = {
    let mut table = [GONE; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = match b as u8 {
            b'\t'..=b'\r' | b' ' => WHITE,
            b'0'..=b'9' => b'0',
            c if c.is_ascii_alphabetic() => c.to_ascii_lowercase(),
            _ => GONE,
        };
        b += 1;
    }
    table
};

/// Unicode's General Punctuation block: spaces, dashes, quotes and marks,
/// no letter or digit.
pub(crate) const GENERAL_PUNCTUATION: std::ops::RangeInclusive<char> = '\u{2000}'..='\u{206F}';

/// One character of [`normalise_into`].
fn normalise_char(c: char, out: &mut Writer) {
    if GENERAL_PUNCTUATION.contains(&c) {
        // Curly quotes and dashes, most of the non-ASCII characters of
        // English text, without the alphanumeric tables' slow search.
        out.space |= c.is_whitespace();
        return;
    }
    if c.is_alphanumeric() {
        // A space, and at most three characters of four bytes.
        out.room(1 + 3 * 4);
        out.owed_space();
        let mut buf = [0u8; 4];
        if c.is_numeric() {
            out.put(b"0");
        } else if c.is_uppercase() {
            for lower in c.to_lowercase() {
                out.put(lower.encode_utf8(&mut buf).as_bytes());
            }
        } else {
            out.put(c.encode_utf8(&mut buf).as_bytes());
        }
    } else if c.is_whitespace() {
        out.space = true;
    }
    // Punctuation and symbols vanish without separating words, so
    // "e-mail" and "email" agree.
}

/// The group a JSONL record belongs to, from its URL: the lower-cased host
/// without a leading `www.`. Returns the input trimmed and lower-cased when
/// it is a bare domain rather than a URL.
pub fn site_of(url: &str) -> String {
    let rest = url.trim();
    let rest = match rest.find("://") {
        Some(at) => &rest[at + 3..],
        None => rest,
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..end];
    // Drop credentials and the port.
    let host = host.rsplit('@').next().unwrap_or(host);
    let host = match host.rfind(':') {
        Some(at) if !host.ends_with(']') => &host[..at],
        _ => host,
    };
    let host = host.to_lowercase();
    match host.strip_prefix("www.") {
        Some(bare) => bare.to_string(),
        None => host,
    }
}

/// How many documents of a group contain each line fingerprint.
#[derive(Debug, Clone)]
pub struct Corpus {
    documents: u64,
    counts: FxHashMap<u64, u32>,
    max_lines: usize,
    pruned: bool,
}

impl Default for Corpus {
    fn default() -> Corpus {
        Corpus::new()
    }
}

impl Corpus {
    /// An empty corpus with the default cap, [`DEFAULT_MAX_LINES`].
    pub fn new() -> Corpus {
        Corpus::with_capacity_limit(DEFAULT_MAX_LINES)
    }

    /// An empty corpus that holds at most about `max_lines` distinct lines.
    ///
    /// When a new document would take it past the cap, the corpus forgets
    /// every line seen in only one document so far (then two, and so on,
    /// until at most half the cap is used). Counts of lines that survive
    /// are then lower bounds. Which lines are forgotten depends only on the
    /// order documents are added, so a batch that adds them in input order
    /// gets the same counts with any number of threads.
    pub fn with_capacity_limit(max_lines: usize) -> Corpus {
        Corpus {
            documents: 0,
            counts: FxHashMap::default(),
            max_lines: max_lines.max(1),
            pruned: false,
        }
    }

    /// The counts of one group of pages, each given by its distinct
    /// fingerprints (see [`fingerprints`]), as the batch's corpus pass
    /// counts a batch without URLs: an exact copy of a page is counted
    /// once (see [`CorpusIndex::add_document`]). No cap.
    pub fn from_pages<P: AsRef<[u64]>>(pages: impl IntoIterator<Item = P>) -> Corpus {
        let mut index = CorpusIndex::new(usize::MAX);
        for page in pages {
            index.add_document("", page.as_ref());
        }
        index.group("").cloned().unwrap_or_else(|| Corpus::with_capacity_limit(usize::MAX))
    }

    /// A corpus from counts computed elsewhere (for example by a cluster
    /// job): `documents` documents in all, and `(fingerprint, documents
    /// containing it)` pairs. Pairs with a count of 0 are ignored; a count
    /// above `documents` is clamped to it.
    pub fn from_counts(documents: u64, counts: impl IntoIterator<Item = (u64, u32)>) -> Corpus {
        let cap = u32::try_from(documents).unwrap_or(u32::MAX);
        let mut corpus = Corpus::with_capacity_limit(usize::MAX);
        corpus.documents = documents;
        for (fp, n) in counts {
            if n > 0 {
                corpus.counts.insert(fp, n.min(cap));
            }
        }
        corpus
    }

    /// Adds one document, given its distinct fingerprints (see
    /// [`fingerprints`]). Repeats in `distinct` are counted once.
    pub fn add_document(&mut self, distinct: &[u64]) {
        self.documents += 1;
        if self.counts.len() + distinct.len() > self.max_lines {
            self.prune(distinct.len());
        }
        let mut last = None;
        for &fp in distinct {
            if last == Some(fp) {
                continue;
            }
            last = Some(fp);
            let n = self.counts.entry(fp).or_insert(0);
            *n = n.saturating_add(1);
        }
    }

    /// Adds the counts of another corpus (for example one built by another
    /// thread over other documents).
    pub fn merge(&mut self, other: &Corpus) {
        self.documents += other.documents;
        self.pruned |= other.pruned;
        for (&fp, &n) in &other.counts {
            let c = self.counts.entry(fp).or_insert(0);
            *c = c.saturating_add(n);
        }
        if self.counts.len() > self.max_lines {
            self.prune(0);
        }
    }

    fn prune(&mut self, incoming: usize) {
        let target = self.max_lines / 2;
        let mut floor = 1;
        while self.counts.len() + incoming > target && !self.counts.is_empty() {
            self.counts.retain(|_, n| *n > floor);
            floor = floor.saturating_mul(2);
            self.pruned = true;
        }
    }

    /// The number of documents added.
    pub fn documents(&self) -> u64 {
        self.documents
    }

    /// How many documents contain the line with fingerprint `fp` (0 when
    /// unknown).
    pub fn count(&self, fp: u64) -> u32 {
        self.counts.get(&fp).copied().unwrap_or(0)
    }

    /// The number of distinct lines held.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// Whether no line is held.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Whether the cap forced the corpus to forget lines (counts are then
    /// lower bounds).
    pub fn is_lossy(&self) -> bool {
        self.pruned
    }

    /// Drops every line found in fewer than `min` documents and gives their
    /// room back: a line seen once carries no evidence, and dropping those
    /// shrinks what must be kept (or broadcast to a cluster) for the
    /// cleaning pass, and the table it looks every line up in. Do it once
    /// every document is added: a dropped line found again later is
    /// counted from 0.
    pub fn retain_repeated(&mut self, min: u32) {
        self.counts.retain(|_, n| *n >= min);
        self.counts.shrink_to_fit();
    }

    /// The `(fingerprint, documents)` pairs held, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        self.counts.iter().map(|(&fp, &n)| (fp, n))
    }
}

/// What a group of a [`CorpusIndex`] costs against its cap, in distinct
/// lines: a group takes about 300 bytes, a line at most about 36.
pub const GROUP_COST: usize = 8;

/// Corpus evidence for a whole batch: one [`Corpus`] per group (a site, or
/// `""` for documents without a URL), under one cap on what it holds:
/// distinct lines, groups (each [`GROUP_COST`] lines) and the keys that
/// tell a group's pages apart (one line each), so that the cap bounds
/// memory however many sites a crawl has.
#[derive(Debug, Clone, Default)]
pub struct CorpusIndex {
    /// One entry per group: a broad crawl has about as many groups as
    /// sites, most of them with one document, so an entry is kept small.
    groups: FxHashMap<Box<str>, Group>,
    /// Distinct lines held, over all groups.
    lines: usize,
    /// What is held against the cap: `lines`, plus [`GROUP_COST`] per
    /// group, plus one per page key beyond a group's first.
    used: usize,
    max_lines: usize,
    /// Documents added (copies not counted), forgotten groups' included.
    documents: u64,
    pruned: bool,
}

impl CorpusIndex {
    /// An empty index holding at most about `max_lines` distinct lines over
    /// all groups, a group counting as [`GROUP_COST`] lines. At the cap it
    /// forgets the lines seen in only one document so far, and the groups
    /// with only one document (then two, and so on, until at most half the
    /// cap is used); a forgotten group that comes back starts again from
    /// its next document, so counts are lower bounds, as in
    /// [`Corpus::with_capacity_limit`]. What is forgotten depends only on
    /// the order documents are added.
    pub fn new(max_lines: usize) -> CorpusIndex {
        CorpusIndex { max_lines: max_lines.max(1), ..CorpusIndex::default() }
    }

    /// Adds one document of `group`, given its distinct fingerprints. A
    /// document whose lines are exactly those of one already added to the
    /// group is not counted again: copies of a page are not a template.
    pub fn add_document(&mut self, group: &str, distinct: &[u64]) {
        let whole = document_key(distinct);
        if self.groups.get(group).is_some_and(|entry| entry.has(whole)) {
            return;
        }
        // Room for a new group, which the group becomes if pruning forgets
        // it (a known one needs only its page key's).
        let incoming = distinct.len() + GROUP_COST;
        if self.used + incoming > self.max_lines {
            self.prune(incoming);
        }
        // Pruning may have forgotten the group: it then starts again here.
        let entry = match self.groups.get_mut(group) {
            Some(entry) => {
                entry.others.insert(whole);
                self.used += 1;
                entry
            }
            None => {
                self.used += GROUP_COST;
                self.groups.entry(group.into()).or_insert_with(|| Group::new(whole))
            }
        };
        let before = entry.corpus.len();
        entry.corpus.add_document(distinct);
        let added = entry.corpus.len() - before;
        self.lines += added;
        self.used += added;
        self.documents += 1;
    }

    /// Forgets the lines seen in the fewest documents and the groups with
    /// the fewest, over all groups, until at most half the cap is used
    /// (making room for `incoming`).
    fn prune(&mut self, incoming: usize) {
        let target = self.max_lines / 2;
        let mut floor = 1u64;
        while self.used + incoming > target && !self.groups.is_empty() {
            let count_floor = u32::try_from(floor).unwrap_or(u32::MAX);
            self.groups.retain(|_, group| group.corpus.documents() > floor);
            for Group { corpus, others, .. } in self.groups.values_mut() {
                corpus.counts.retain(|_, n| *n > count_floor);
                // What the cap bounds is memory: give back the room of
                // what was forgotten.
                corpus.counts.shrink_to_fit();
                others.shrink_to_fit();
                corpus.pruned = true;
            }
            self.lines = self.groups.values().map(|g| g.corpus.len()).sum();
            self.used = self.lines
                + self.groups.values().map(|g| GROUP_COST + g.others.len()).sum::<usize>();
            floor = floor.saturating_mul(2);
            self.pruned = true;
        }
    }

    /// Drops, in every group, the lines found in fewer than `min`
    /// documents, and gives their room back; the counts of the lines kept
    /// and the documents are unchanged, and the index is not made lossy.
    /// With `min` 2 cleaning is unchanged (a line found in one document,
    /// its own, is no evidence, as an unknown line), and the table it looks
    /// lines up in is a fraction of the size: most lines of most pages are
    /// unique. As [`Corpus::retain_repeated`], do it once every document is
    /// added.
    pub fn retain_repeated(&mut self, min: u32) {
        for group in self.groups.values_mut() {
            group.corpus.retain_repeated(min);
        }
        let lines: usize = self.groups.values().map(|g| g.corpus.len()).sum();
        self.used -= self.lines - lines;
        self.lines = lines;
    }

    /// The counts of `group`, if any document of it was added.
    pub fn group(&self, group: &str) -> Option<&Corpus> {
        self.groups.get(group).map(|g| &g.corpus)
    }

    /// The number of groups held (after the cap, those not forgotten).
    pub fn groups(&self) -> usize {
        self.groups.len()
    }

    /// The number of documents added, over all groups: an exact copy of a
    /// page of its group is not counted, unless the cap forgot the group
    /// first; a forgotten group's documents are.
    pub fn documents(&self) -> u64 {
        self.documents
    }

    /// The number of distinct lines held, over all groups.
    pub fn lines(&self) -> usize {
        self.lines
    }

    /// Whether the cap forced the index to forget lines or groups.
    pub fn is_lossy(&self) -> bool {
        self.pruned
    }
}

/// One group of a [`CorpusIndex`]: its counts, and which documents it
/// has (to count an exact copy once).
#[derive(Debug, Clone)]
struct Group {
    corpus: Corpus,
    /// The [`document_key`] of the group's first document: most groups of
    /// a crawl have one, and then need no set.
    first: u64,
    /// The keys of its other documents.
    others: rustc_hash::FxHashSet<u64>,
}

impl Group {
    /// A group whose first document has key `first` (not yet counted).
    fn new(first: u64) -> Group {
        Group {
            corpus: Corpus::with_capacity_limit(usize::MAX),
            first,
            others: rustc_hash::FxHashSet::default(),
        }
    }

    /// Whether the group has a document with key `whole`.
    fn has(&self, whole: u64) -> bool {
        whole == self.first || self.others.contains(&whole)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The character-by-character reference for [`normalise_into`].
    fn reference(line: &[u8]) -> String {
        let mut out = String::new();
        let mut space = false;
        for c in line.chars() {
            if c.is_alphanumeric() {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                if c.is_numeric() {
                    out.push('0');
                } else if c.is_uppercase() {
                    out.extend(c.to_lowercase());
                } else {
                    out.push(c);
                }
            } else if c.is_whitespace() {
                space = true;
            }
        }
        out
    }

    #[test]
    fn normalise_table() {
        for line in [
            "",
            "  Hello,   World! 2024 ",
            "e-mail\tE\u{b}MAIL\r",
            "Ünïcödé ÉDITION \u{a0} İstanbul K",
            "\u{1c}\u{1f}x\u{85}y",
        ] {
            assert_eq!(normalise(line.as_bytes()), reference(line.as_bytes()), "{line:?}");
        }
        assert_eq!(normalise(b"a\xff\xfeb \xe2\x82 c"), reference(b"a\xff\xfeb \xe2\x82 c"));
    }

    proptest::proptest! {
        #[test]
        fn normalise_is_the_reference(line in proptest::collection::vec(proptest::num::u8::ANY, 0..40)) {
            proptest::prop_assert_eq!(normalise(&line), reference(&line));
        }

        #[test]
        fn normalise_ascii_is_the_reference(line in proptest::collection::vec(0u8..128, 0..40)) {
            proptest::prop_assert_eq!(normalise(&line), reference(&line));
        }

        #[test]
        fn normalise_words_are_the_reference(line in "[ \t\x0bA-Za-z0-9.,:|-]{0,40}") {
            proptest::prop_assert_eq!(normalise(line.as_bytes()), reference(line.as_bytes()));
        }

        #[test]
        fn normalise_letters_and_spaces_are_the_reference(
            line in "[ a-zA-Z]{0,20}[\t\x00 0-9.’@]?[ a-zA-Z]{0,50}( ?é)?[ a-zA-Z]{0,20}"
        ) {
            proptest::prop_assert_eq!(normalise(line.as_bytes()), reference(line.as_bytes()));
        }

        #[test]
        fn a_reused_scratch_changes_nothing(first in "(?s).{0,60}", second in "(?s).{0,30}") {
            let mut scratch = Vec::new();
            fingerprint_with(first.as_bytes(), &mut scratch);
            proptest::prop_assert_eq!(
                fingerprint_with(second.as_bytes(), &mut scratch),
                fingerprint(second.as_bytes())
            );
        }

        #[test]
        fn normalise_mixed_is_the_reference(line in "[ \tA-Za-z0-9.,’é—İẞ\u{0301}٣]{0,60}") {
            proptest::prop_assert_eq!(normalise(line.as_bytes()), reference(line.as_bytes()));
        }

        #[test]
        fn normalise_text_is_the_reference(line in "(?s).{0,30}") {
            proptest::prop_assert_eq!(normalise(line.as_bytes()), reference(line.as_bytes()));
        }
    }

    #[test]
    fn general_punctuation_has_no_letter_or_digit() {
        assert!(GENERAL_PUNCTUATION.clone().all(|c| !c.is_alphanumeric()));
    }

    #[test]
    fn normalisation_table() {
        for (input, want) in [
            ("Hello,  World!", "hello world"),
            ("© 2024 Example Inc.", "0000 example inc"),
            ("  e-mail  ", "email"),
            ("ÉDITION Spéciale", "édition spéciale"),
            ("»»» ---", ""),
            ("", ""),
            ("日本語 テキスト", "日本語 テキスト"),
        ] {
            assert_eq!(normalise(input.as_bytes()), want, "{input:?}");
        }
    }

    #[test]
    fn fingerprint_ignores_digits_case_and_punctuation() {
        assert_eq!(fingerprint(b"(c) 2023 Example"), fingerprint(b"C 1999 example!"));
        assert_ne!(fingerprint(b"Share this"), fingerprint(b"Share that"));
        assert_eq!(fingerprint(b" -- | "), None);
        assert_eq!(fingerprint(b"\xff\xfe"), fingerprint("\u{FFFD}\u{FFFD}".as_bytes()));
    }

    #[test]
    fn fingerprint_is_stable_across_versions() {
        // Fingerprints travel between processes and machines; their values
        // are part of the format.
        assert_eq!(
            fingerprint(b"Share this article"),
            Some(xxhash_rust::xxh3::xxh3_64(b"share this article"))
        );
    }

    #[test]
    fn documents_count_once_per_line() {
        let mut corpus = Corpus::new();
        corpus.add_document(&fingerprints(b"Home\nHome\nText one.\n"));
        corpus.add_document(&fingerprints(b"home\r\nText two.\n"));
        let home = fingerprint(b"Home").unwrap();
        assert_eq!(corpus.count(home), 2);
        assert_eq!(corpus.documents(), 2);
        assert_eq!(corpus.count(fingerprint(b"Text one.").unwrap()), 1);
        assert_eq!(corpus.count(12345), 0);
    }

    proptest::proptest! {
        /// Pages from a few sites, each a few lines from a small pool:
        /// without a cap the index counts exactly what a plain count per
        /// site (copies of a page once) gives; under any cap it never holds
        /// more than the cap (or one page and its group) and every line
        /// count is a lower bound of that.
        #[test]
        fn index_counts_are_exact_without_a_cap_and_lower_bounds_under_one(
            pages in proptest::collection::vec(
                (0usize..6, proptest::collection::vec(0usize..12, 1..5)), 0..80),
            cap in 1usize..200,
        ) {
            use std::collections::{BTreeMap, BTreeSet};
            let text = |lines: &[usize]| -> Vec<u8> {
                lines.iter().map(|l| format!("line {}\n", char::from(b'a' + *l as u8))).collect::<String>().into_bytes()
            };
            // Per site: its distinct pages, and its count per line.
            type Site = (BTreeSet<Vec<u64>>, BTreeMap<u64, u32>);
            let mut want: BTreeMap<usize, Site> = BTreeMap::new();
            let (mut exact, mut capped) = (CorpusIndex::new(usize::MAX), CorpusIndex::new(cap));
            for (site, lines) in &pages {
                let fps = fingerprints(&text(lines));
                let (seen, counts) = want.entry(*site).or_default();
                if seen.insert(fps.clone()) {
                    for &fp in &fps {
                        *counts.entry(fp).or_default() += 1;
                    }
                }
                exact.add_document(&site.to_string(), &fps);
                capped.add_document(&site.to_string(), &fps);
                proptest::prop_assert!(capped.used <= cap.max(fps.len() + GROUP_COST), "{} > {cap}", capped.used);
            }
            let documents: usize = want.values().map(|(seen, _)| seen.len()).sum();
            proptest::prop_assert_eq!(exact.documents(), documents as u64);
            // A copy of a forgotten group's page counts again.
            proptest::prop_assert!((documents as u64..=pages.len() as u64).contains(&capped.documents()));
            proptest::prop_assert_eq!(exact.groups(), want.len());
            proptest::prop_assert!(!exact.is_lossy());
            for (site, (_, counts)) in &want {
                let group = exact.group(&site.to_string()).expect("group");
                for (&fp, &n) in counts {
                    proptest::prop_assert_eq!(group.count(fp), n);
                    let kept = capped.group(&site.to_string()).map_or(0, |g| g.count(fp));
                    proptest::prop_assert!(kept <= n, "{kept} > {n}");
                }
            }
        }
    }

    #[test]
    fn merge_equals_sequential_adds() {
        let docs: Vec<Vec<u64>> = ["a\nb\n", "b\nc\n", "c\nd\na\n", "a\n"]
            .iter()
            .map(|d| fingerprints(d.as_bytes()))
            .collect();
        let mut one = Corpus::new();
        docs.iter().for_each(|d| one.add_document(d));
        let mut left = Corpus::new();
        let mut right = Corpus::new();
        docs[..2].iter().for_each(|d| left.add_document(d));
        docs[2..].iter().for_each(|d| right.add_document(d));
        left.merge(&right);
        let mut a: Vec<_> = one.iter().collect();
        let mut b: Vec<_> = left.iter().collect();
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a, b);
        assert_eq!(one.documents(), left.documents());
    }

    #[test]
    fn cap_forgets_singletons_first() {
        let mut corpus = Corpus::with_capacity_limit(8);
        let common = fingerprint(b"common line").unwrap();
        for i in 0..20 {
            let text = format!("common line\nunique {}\n", char::from(b'a' + i as u8));
            corpus.add_document(&fingerprints(text.as_bytes()));
            assert!(corpus.len() <= 8);
        }
        assert!(corpus.is_lossy());
        assert!(corpus.count(common) >= 10);
    }

    #[test]
    fn index_counts_each_page_of_a_group_once() {
        let mut index = CorpusIndex::new(1 << 10);
        let home = fingerprint(b"Home").unwrap();
        let first = fingerprints(b"Home\nFirst story\n");
        let second = fingerprints(b"Home\nSecond story\n");
        // Copies of a group's first page and of a later one; the same page
        // in another group is that group's own.
        for (group, page) in
            [("x", &first), ("x", &first), ("x", &second), ("x", &second), ("x", &first)]
                .into_iter()
                .chain([("y", &first)])
        {
            index.add_document(group, page);
        }
        let x = index.group("x").unwrap();
        assert_eq!((x.documents(), x.count(home)), (2, 2));
        assert_eq!(index.group("y").unwrap().documents(), 1);
        assert_eq!((index.groups(), index.documents(), index.lines()), (2, 3, 5));
    }

    #[test]
    fn from_pages_counts_a_copy_once() {
        let home = fingerprint(b"Home").unwrap();
        let pages = [&b"Home\nOne\n"[..], b"Home\nOne\n", b"Home\nTwo\n"];
        let corpus = Corpus::from_pages(pages.iter().map(|p| fingerprints(p)));
        assert_eq!((corpus.documents(), corpus.count(home)), (2, 2));
        assert!(Corpus::from_pages(Vec::<Vec<u64>>::new()).is_empty());
    }

    #[test]
    fn index_retain_repeated_drops_only_single_document_lines() {
        let mut index = CorpusIndex::new(1 << 10);
        let (home, first) = (fingerprint(b"Home").unwrap(), fingerprint(b"First story").unwrap());
        for (group, page) in
            [("x", "Home\nFirst story\n"), ("x", "Home\nSecond\n"), ("y", "Home\n")]
        {
            index.add_document(group, &fingerprints(page.as_bytes()));
        }
        assert_eq!(index.lines(), 4);
        index.retain_repeated(2);
        let x = index.group("x").unwrap();
        assert_eq!((x.count(home), x.count(first), x.documents()), (2, 0, 2));
        assert_eq!(index.group("y").unwrap().count(home), 0);
        assert_eq!((index.groups(), index.documents(), index.lines()), (2, 3, 1));
        assert!(!index.is_lossy());
        // Page keys are kept: a copy of a page is still not counted again.
        index.add_document("x", &fingerprints(b"Home\nSecond\n"));
        assert_eq!(index.group("x").unwrap().documents(), 2);
    }

    #[test]
    fn index_keeps_groups_apart_and_respects_its_cap() {
        let cap = 2 * GROUP_COST + 12;
        let mut index = CorpusIndex::new(cap);
        let home = fingerprint(b"Home").unwrap();
        for i in 0..10u8 {
            let text = format!("Home\nline {}\n", char::from(b'a' + i));
            index.add_document(
                if i % 2 == 0 { "a.com" } else { "b.com" },
                &fingerprints(text.as_bytes()),
            );
            assert!(index.used <= cap, "{}", index.used);
            assert!(index.lines() <= index.used);
        }
        assert_eq!(index.documents(), 10);
        assert!(index.is_lossy());
        assert!(index.group("c.com").is_none());
        // Counts are lower bounds; the groups stay apart.
        let a = index.group("a.com").map_or(0, |c| c.count(home));
        let b = index.group("b.com").map_or(0, |c| c.count(home));
        assert!(a <= 5 && b <= 5 && a + b > 0, "{a} {b}");
    }

    #[test]
    fn the_cap_bounds_groups_and_forgets_the_smallest_first() {
        let cap = 400;
        let mut index = CorpusIndex::new(cap);
        let home = fingerprint(b"Home").unwrap();
        // One site with a template line among 900 one-page sites; each
        // story is named in letters (digits fold to 0 in a fingerprint).
        let name = |i: u32| -> String {
            (0..3).map(|k| char::from(b'a' + (i / 26u32.pow(k) % 26) as u8)).collect()
        };
        for i in 0..1000u32 {
            let group = if i % 10 == 0 { "big.com".to_string() } else { format!("site{i}.com") };
            let page = format!("Home\nstory {}\n", name(i));
            index.add_document(&group, &fingerprints(page.as_bytes()));
            assert!(index.used <= cap, "{}", index.used);
        }
        assert!(index.is_lossy());
        assert!(index.groups() * GROUP_COST <= cap, "{}", index.groups());
        assert_eq!(index.documents(), 1000);
        let big = index.group("big.com").expect("the site with many pages is kept");
        assert!((90..=100).contains(&big.count(home)), "{}", big.count(home));
        // Without a cap, every group stays.
        let mut all = CorpusIndex::new(usize::MAX);
        for i in 0..1000u32 {
            all.add_document(&format!("site{i}.com"), &fingerprints(b"Home\n"));
        }
        assert_eq!((all.groups(), all.is_lossy()), (1000, false));
    }

    #[test]
    fn from_counts_clamps_and_skips_zero() {
        let corpus = Corpus::from_counts(3, [(1, 5), (2, 0), (3, 2)]);
        assert_eq!(corpus.count(1), 3);
        assert_eq!(corpus.count(2), 0);
        assert_eq!(corpus.count(3), 2);
        assert_eq!(corpus.len(), 2);
    }

    #[test]
    fn site_table() {
        for (url, want) in [
            ("https://www.Example.com/a/b?x=1", "example.com"),
            ("http://user@news.example.org:8080/", "news.example.org"),
            ("example.net", "example.net"),
            ("", ""),
            ("https://[::1]/x", "[::1]"),
        ] {
            assert_eq!(site_of(url), want, "{url:?}");
        }
    }
}
