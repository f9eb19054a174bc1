//! Per-language stop-word lists (from the `stop-words` crate, NLTK lists) and
//! the choice of the list that fits a document.
//!
//! A document's list is the one that covers most of its tokens: on a page in
//! one language the right list wins by a wide margin, and it costs one hash
//! lookup per token. Pages whose best list covers almost nothing (a language
//! without a list, or no running text at all) get no stop-word list, and the
//! classifier falls back to the page's own most frequent words.

use rustc_hash::FxHashMap;
use std::sync::LazyLock;

/// The languages whose lists are used, as ISO 639-1 codes.
const LANGUAGES: &[&str] = &[
    "en", "de", "fr", "es", "it", "pt", "nl", "ru", "sv", "da", "no", "fi", "pl", "ro", "hu", "tr",
    "id", "ca", "el", "sl", "ar", "he",
];

/// Below this share of tokens covered by its best list, a page has no list.
const MIN_COVERAGE: f32 = 0.08;

/// All stop words, each with the set of languages (a bit per language) that list it.
static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut words: FxHashMap<&'static str, u32> = FxHashMap::default();
    for (bit, code) in LANGUAGES.iter().enumerate() {
        for word in stop_words::lookup(code).unwrap_or_default() {
            *words.entry(word).or_default() |= 1 << bit;
        }
    }
    Table::new(words)
});

/// Words of at most this many bytes are looked up by value, without hashing
/// a string.
const SHORT: usize = 15;

/// The stop-word table: short words packed into a `u128` (bytes and length)
/// in an open-addressing table probed with one multiplication; the few
/// longer words in a hash map.
struct Table {
    /// `(key, languages)`; key 0 marks an empty slot (no word packs to 0).
    slots: Vec<(u128, u32)>,
    shift: u32,
    long: FxHashMap<&'static str, u32>,
    /// The length in bytes of the longest stop word.
    max_len: usize,
}

impl Table {
    fn new(words: FxHashMap<&'static str, u32>) -> Table {
        let short = words.keys().filter(|w| !w.is_empty() && w.len() <= SHORT).count();
        let bits = (short.max(1) * 4).next_power_of_two().trailing_zeros();
        let mut table = Table {
            slots: vec![(0, 0); 1 << bits],
            shift: 64 - bits,
            long: FxHashMap::default(),
            max_len: words.keys().map(|w| w.len()).max().unwrap_or(0),
        };
        for (word, mask) in words {
            if word.is_empty() {
                continue;
            }
            if word.len() > SHORT {
                table.long.insert(word, mask);
                continue;
            }
            let key = pack(word.as_bytes());
            let mut slot = table.slot(key);
            while table.slots[slot].0 != 0 {
                slot = (slot + 1) & (table.slots.len() - 1);
            }
            table.slots[slot] = (key, mask);
        }
        table
    }

    #[inline]
    fn slot(&self, key: u128) -> usize {
        let folded = (key as u64) ^ ((key >> 64) as u64).rotate_left(29);
        (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// The languages listing `word`, a bit each.
    #[inline]
    fn get(&self, word: &str) -> u32 {
        if word.is_empty() || word.len() > self.max_len {
            return 0;
        }
        if word.len() > SHORT {
            return self.long.get(word).copied().unwrap_or(0);
        }
        let key = pack(word.as_bytes());
        let mut slot = self.slot(key);
        loop {
            let (k, mask) = self.slots[slot];
            if k == key {
                return mask;
            }
            if k == 0 {
                return 0;
            }
            slot = (slot + 1) & (self.slots.len() - 1);
        }
    }
}

/// A word of 1 to [`SHORT`] bytes as a number: its bytes, then its length
/// in the top byte (so `a` and `a\0` differ, and nothing packs to 0).
#[inline]
fn pack(word: &[u8]) -> u128 {
    let len = word.len();
    let (lo, hi) = if len <= 8 { (load(word), 0) } else { (load(&word[..8]), load(&word[8..])) };
    u128::from(lo) | u128::from(hi) << 64 | (len as u128) << 120
}

/// Up to 8 bytes as a little-endian number, with overlapping loads instead
/// of a byte loop or a copy.
#[inline]
fn load(b: &[u8]) -> u64 {
    let len = b.len();
    let u32_at = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    match len {
        0 => 0,
        1..=3 => {
            u64::from(b[0])
                | u64::from(b[len / 2]) << (8 * (len / 2))
                | u64::from(b[len - 1]) << (8 * (len - 1))
        }
        4..=7 => u64::from(u32_at(0)) | u64::from(u32_at(len - 4)) << (8 * (len - 4)),
        _ => u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
    }
}

/// The languages (a bit each, in [`StopList`]'s order) whose lists have
/// `word` (lower-case, without surrounding punctuation); 0 for none.
#[inline]
pub fn languages_of(word: &str) -> u32 {
    TABLE.get(word)
}

/// A chosen stop-word list for one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StopList {
    bit: Option<u32>,
}

impl StopList {
    /// No list: every word counts as a content word.
    pub const NONE: StopList = StopList { bit: None };

    /// The list for an ISO 639-1 code, if there is one.
    pub fn for_language(code: &str) -> Option<StopList> {
        LANGUAGES.iter().position(|&c| c == code).map(|i| StopList { bit: Some(1 << i) })
    }

    /// The ISO 639-1 code of the list, if any.
    pub fn language(self) -> Option<&'static str> {
        let bit = self.bit?;
        LANGUAGES.get(bit.trailing_zeros() as usize).copied()
    }

    /// Whether `word` (lower-case, without surrounding punctuation) is a stop word.
    pub fn contains(self, word: &str) -> bool {
        self.covers(TABLE.get(word))
    }

    /// Whether a word listed by `languages` (see [`languages_of`]) is a stop
    /// word of this list.
    pub fn covers(self, languages: u32) -> bool {
        self.bit.is_some_and(|bit| languages & bit != 0)
    }

    /// Chooses the list covering most of `words`, or [`StopList::NONE`].
    pub fn choose<'a>(words: impl Iterator<Item = &'a str>) -> StopList {
        let mut counts = LanguageCounts::default();
        for word in words {
            counts.add(languages_of(word));
        }
        counts.choose()
    }
}

/// Per-language counts of the words of a document, to choose its list.
#[derive(Debug, Clone, Default)]
pub struct LanguageCounts {
    counts: [u32; 32],
    total: u32,
}

impl LanguageCounts {
    /// Counts one word, listed by `languages` (see [`languages_of`]).
    #[inline]
    pub fn add(&mut self, languages: u32) {
        self.total += 1;
        let mut m = languages;
        while m != 0 {
            self.counts[m.trailing_zeros() as usize] += 1;
            m &= m - 1;
        }
    }

    /// The language whose list covers at least `share` of the words counted
    /// and at least `margin` times as many words as any other list: a
    /// language the stop words alone tell apart. `None` when no list stands
    /// out that clearly (or nothing was counted).
    pub fn dominant(&self, share: f32, margin: f32) -> Option<&'static str> {
        let (mut best, mut first, mut second) = (0, 0, 0);
        for (i, &count) in self.counts.iter().enumerate() {
            if count > first {
                (best, first, second) = (i, count, first);
            } else if count > second {
                second = count;
            }
        }
        let clear = first > 0
            && first as f32 >= share * self.total as f32
            && first as f32 >= margin * second as f32;
        if clear {
            LANGUAGES.get(best).copied()
        } else {
            None
        }
    }

    /// The list covering most of the words counted, or [`StopList::NONE`].
    pub fn choose(&self) -> StopList {
        let (counts, total) = (&self.counts, self.total);
        let (best, &hits) =
            match counts.iter().enumerate().max_by_key(|&(i, c)| (*c, usize::MAX - i)) {
                Some(best) => best,
                None => return StopList::NONE,
            };
        if total == 0 || (hits as f32) < MIN_COVERAGE * total as f32 {
            StopList::NONE
        } else {
            StopList { bit: Some(1 << best) }
        }
    }
}

/// Strips the punctuation around a folded token (`"(word),"` → `word`).
pub fn bare_word(token: &str) -> &str {
    if token.is_ascii() {
        return bare_ascii(token);
    }
    token.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'').trim_matches('\'')
}

/// [`bare_word`] for an ASCII token, byte by byte.
pub fn bare_ascii(token: &str) -> &str {
    let bytes = token.as_bytes();
    if let (Some(first), Some(last)) = (bytes.first(), bytes.last()) {
        if first.is_ascii_alphanumeric() && last.is_ascii_alphanumeric() {
            return token;
        }
    }
    let kept = |b: &u8| b.is_ascii_alphanumeric() || *b == b'\'';
    let Some(start) = bytes.iter().position(kept) else {
        return "";
    };
    let end = bytes.iter().rposition(kept).map_or(start, |e| e + 1);
    token[start..end].trim_matches('\'')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choose(text: &str) -> Option<&'static str> {
        StopList::choose(text.split(' ').map(bare_word)).language()
    }

    #[test]
    fn chooses_english() {
        assert_eq!(choose("the cat sat on the mat and it was happy"), Some("en"));
    }

    #[test]
    fn chooses_german() {
        assert_eq!(choose("der hund und die katze sind nicht in dem haus"), Some("de"));
    }

    #[test]
    fn chooses_french() {
        assert_eq!(choose("le chat est dans la maison avec les enfants et nous"), Some("fr"));
    }

    fn dominant(text: &str, share: f32, margin: f32) -> Option<&'static str> {
        let mut counts = LanguageCounts::default();
        for word in text.split(' ').map(bare_word) {
            counts.add(languages_of(word));
        }
        counts.dominant(share, margin)
    }

    #[test]
    fn dominant_needs_share_and_margin() {
        let english = "the cat sat on the mat and it was happy";
        assert_eq!(dominant(english, 0.3, 2.5), Some("en"));
        // Too few stop words for the share asked.
        assert_eq!(dominant(english, 0.9, 2.5), None);
        // German stop words as many as English ones: no margin.
        assert_eq!(dominant("the cat and der hund und", 0.3, 1.5), None);
        assert_eq!(dominant("", 0.0, 1.0), None);
        assert_eq!(dominant("xyzzy plugh", 0.0, 1.0), None);
    }

    #[test]
    fn none_for_no_text() {
        assert_eq!(choose(""), None);
        assert_eq!(choose("xyzzy plugh 12345"), None);
    }

    #[test]
    fn bare_word_strips_punctuation() {
        assert_eq!(bare_word("(word),"), "word");
        assert_eq!(bare_word("don't"), "don't");
        assert_eq!(bare_word("'quoted'"), "quoted");
        assert_eq!(bare_word("'(word"), "(word");
        assert_eq!(bare_word("«mot»"), "mot");
    }

    fn reference_bare(token: &str) -> &str {
        token.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'').trim_matches('\'')
    }

    #[test]
    fn table_agrees_with_lists() {
        for (bit, code) in LANGUAGES.iter().enumerate() {
            for word in stop_words::lookup(code).unwrap_or_default() {
                assert_ne!(languages_of(word) & (1 << bit), 0, "{code} {word}");
            }
        }
        for word in ["", "zzzz", "the\0", "a\0", "xyzzy-plugh-long-word"] {
            assert_eq!(languages_of(word), 0, "{word:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn bare_word_ascii_is_reference(token in "[ -~]{0,12}") {
            proptest::prop_assert_eq!(bare_word(&token), reference_bare(&token));
        }
    }
}
