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

use crate::wordtable::WordTable;

/// The languages whose lists are used, as ISO 639-1 codes.
const LANGUAGES: &[&str] = &[
    "en", "de", "fr", "es", "it", "pt", "nl", "ru", "sv", "da", "no", "fi", "pl", "ro", "hu", "tr",
    "id", "ca", "el", "sl", "ar", "he",
];

/// Below this share of tokens covered by its best list, a page has no list.
const MIN_COVERAGE: f32 = 0.08;

/// All stop words, each with the set of languages (a bit per language) that
/// list it.
static TABLE: LazyLock<WordTable<u32>> = LazyLock::new(|| {
    let mut words: FxHashMap<&'static str, u32> = FxHashMap::default();
    for (bit, code) in LANGUAGES.iter().enumerate() {
        for word in stop_words::lookup(code).unwrap_or_default() {
            *words.entry(word).or_default() |= 1 << bit;
        }
    }
    WordTable::new(words, 4)
});

/// The languages (a bit each, in [`StopList`]'s order) whose lists have
/// `word` (lower-case, without surrounding punctuation); 0 for none.
#[inline]
pub fn languages_of(word: &str) -> u32 {
    TABLE.get(word).unwrap_or(0)
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
        self.covers(languages_of(word))
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
