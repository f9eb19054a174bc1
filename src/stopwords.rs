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
static TABLE: LazyLock<FxHashMap<&'static str, u32>> = LazyLock::new(|| {
    let mut table: FxHashMap<&'static str, u32> = FxHashMap::default();
    for (bit, code) in LANGUAGES.iter().enumerate() {
        for word in stop_words::lookup(code).unwrap_or_default() {
            *table.entry(word).or_default() |= 1 << bit;
        }
    }
    table
});

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
        match self.bit {
            Some(bit) => TABLE.get(word).is_some_and(|&mask| mask & bit != 0),
            None => false,
        }
    }

    /// Chooses the list covering most of `words`, or [`StopList::NONE`].
    pub fn choose<'a>(words: impl Iterator<Item = &'a str>) -> StopList {
        let mut counts = [0u32; 32];
        let mut total = 0u32;
        for word in words {
            total += 1;
            if let Some(&mask) = TABLE.get(word) {
                let mut m = mask;
                while m != 0 {
                    counts[m.trailing_zeros() as usize] += 1;
                    m &= m - 1;
                }
            }
        }
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
    token.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'').trim_matches('\'')
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
    }
}
