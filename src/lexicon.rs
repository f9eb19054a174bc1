//! Word evidence for the line model: how much more often a word appears in
//! body lines than in chrome lines of the training pages.
//!
//! Words such as "share", "cookies", "subscribe" or "©" say a line is page
//! chrome whatever its shape; words of running prose say the opposite. The
//! lexicon holds one weight per normalised word, the log-odds of the word
//! appearing in body lines against chrome lines of the training pages
//! (counted once per page, so no page dominates, and kept only for words seen
//! on several pages; `scripts/train_model.py` computes it). It ships inside
//! the line-model file, and the model reads four summaries per line (mean,
//! minimum and maximum weight of the line's known words, and the share of its
//! words that are known) and their means over neighbouring lines.
//!
//! Words are normalised from the folded line (see [`crate::fold`]: already
//! lower-cased, quotes and dashes mapped, white space collapsed): letters and
//! digits at either edge are kept and other characters trimmed, ASCII digits
//! become `0` so numbers of the same shape share one weight, and a token with
//! no letter or digit keeps its first three characters (`|`, `»`, `©`).

use rustc_hash::FxHashMap;

use crate::error::Error;
use crate::swar;
use crate::wordtable::{pack, WordTable, SHORT};

/// Slots per word of the lookup table: at most half the slots are used.
const SPREAD: usize = 2;

/// Word weights: a normalised word to its body-against-chrome log-odds.
#[derive(Clone, Default)]
pub struct Lexicon {
    weights: FxHashMap<String, f32>,
    /// The same weights, for lookups without hashing a string.
    table: WordTable<f32>,
}

impl PartialEq for Lexicon {
    fn eq(&self, other: &Lexicon) -> bool {
        // The table is built from the weights.
        self.weights == other.weights
    }
}

impl std::fmt::Debug for Lexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lexicon").field("weights", &self.weights).finish()
    }
}

/// What a lexicon says about one line.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Evidence {
    /// Mean weight of the line's known words (0 when none is known).
    pub mean: f32,
    /// Lowest weight among the known words (0 when none is known).
    pub min: f32,
    /// Highest weight among the known words (0 when none is known).
    pub max: f32,
    /// Share of the line's words that the lexicon knows.
    pub known: f32,
}

impl Lexicon {
    /// An empty lexicon: every line's evidence is zero.
    pub fn new() -> Lexicon {
        Lexicon::default()
    }

    /// A lexicon from `(word, weight)` pairs; words are used as given, so
    /// they should already be normalised (see [`Lexicon::words`]).
    pub fn from_weights<I, S>(pairs: I) -> Lexicon
    where
        I: IntoIterator<Item = (S, f32)>,
        S: Into<String>,
    {
        Lexicon::with_table(pairs.into_iter().map(|(w, v)| (w.into(), v)).collect())
    }

    /// Parses a JSON object of word weights (`{"share": -2.1, ...}`);
    /// `origin` names the source in errors. Weights must be finite.
    pub fn parse(text: &str, origin: &str) -> Result<Lexicon, Error> {
        let weights: FxHashMap<String, f32> = serde_json::from_str(text)
            .map_err(|e| Error::model(origin, format!("not a lexicon (word: weight): {e}")))?;
        Lexicon::checked(weights, origin)
    }

    /// Checks the weights read from a file.
    pub(crate) fn checked(weights: FxHashMap<String, f32>, origin: &str) -> Result<Lexicon, Error> {
        if let Some((word, _)) = weights.iter().find(|(_, v)| !v.is_finite()) {
            return Err(Error::model(origin, format!("lexicon weight of {word:?} is not finite")));
        }
        Ok(Lexicon::with_table(weights))
    }

    /// A lexicon of `weights`, with their lookup table.
    fn with_table(weights: FxHashMap<String, f32>) -> Lexicon {
        let table = WordTable::new(weights.iter().map(|(w, &v)| (w.as_str(), v)), SPREAD);
        Lexicon { weights, table }
    }

    /// The number of words with a weight.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// Whether the lexicon has no words.
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    /// The weight of a normalised word.
    pub fn weight(&self, word: &str) -> Option<f32> {
        self.table.get(word)
    }

    /// Calls `each` with every normalised word of a folded line, in order.
    /// `scratch` is reused between calls to avoid allocating.
    pub fn words(folded_line: &str, scratch: &mut String, mut each: impl FnMut(&str)) {
        for token in folded_line.split(' ') {
            if !token.is_empty() {
                each(normalise(token, scratch));
            }
        }
    }

    /// What the lexicon says about a folded line.
    pub fn evidence(&self, folded_line: &str, scratch: &mut String) -> Evidence {
        let (mut words, mut known, mut sum) = (0u32, 0u32, 0.0f32);
        let (mut min, mut max) = (f32::INFINITY, f32::NEG_INFINITY);
        if self.weights.is_empty() {
            return Evidence::default();
        }
        let mut add = |weight: Option<f32>| {
            words += 1;
            if let Some(w) = weight {
                known += 1;
                sum += w;
                // Weights are finite and `min`, `max` start infinite, so
                // plain comparisons give `f32::min` and `f32::max` without
                // their NaN handling (and keep the old value on a tie, as
                // the `minss`/`maxss` they compiled to did).
                if w < min {
                    min = w;
                }
                if w > max {
                    max = w;
                }
            }
        };
        // Tokens are found by index, so a short word can be read from the
        // line in whole words of eight bytes (see [`Lexicon::ascii_weight`]).
        let line = folded_line.as_bytes();
        let all_ascii = line.is_ascii();
        let mut i = 0;
        while i < line.len() {
            if line[i] == b' ' {
                i += 1;
                continue;
            }
            let start = i;
            i = next_space(line, i);
            if all_ascii || line[start..i].is_ascii() {
                add(self.ascii_weight(line, start, i, scratch));
            } else {
                // Spaces are ASCII, so both ends are char boundaries.
                let token = folded_line.get(start..i).unwrap_or("");
                add(self.table.get(normalise(token, scratch)));
            }
        }
        if known == 0 {
            return Evidence::default();
        }
        Evidence { mean: sum / known as f32, min, max, known: known as f32 / words as f32 }
    }

    /// The weight of the normalised form of the non-empty ASCII token
    /// `line[start..end]`: the same as `self.weight(normalise(token))`, but a
    /// short word is packed straight from the line's bytes, its digits
    /// folded in the packed key.
    #[inline]
    fn ascii_weight(
        &self,
        line: &[u8],
        start: usize,
        end: usize,
        scratch: &mut String,
    ) -> Option<f32> {
        let token = &line[start..end];
        let (first, last) = (token[0], token[token.len() - 1]);
        let (from, to) = if ALNUM[usize::from(first)] && ALNUM[usize::from(last)] {
            (start, end)
        } else {
            let Some(from) = token.iter().position(u8::is_ascii_alphanumeric) else {
                // No letter or digit: the first three characters, here bytes.
                return self.table.get_packed(pack(&token[..token.len().min(3)]));
            };
            let to = token.iter().rposition(u8::is_ascii_alphanumeric).unwrap_or(from);
            (start + from, start + to + 1)
        };
        if to - from > SHORT {
            // Rare: the hashed path, through the reference normalisation.
            let token = std::str::from_utf8(token).unwrap_or("");
            return self.table.get(normalise(token, scratch));
        }
        self.table.get_packed(pack_ascii_folded(line, from, to))
    }
}

/// Whether a byte is an ASCII letter or digit, by table.
const ALNUM: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    table
};

/// The index of the first space in `line` at or after `i`, or the line's
/// length: eight bytes at a time while the line goes on that far. A byte
/// made zero by xor with spaces shows in `x - 0x01.. & !x & 0x80..`; a
/// borrow can only mark bytes after a true zero, so the lowest mark is the
/// first space. (`memchr::memchr` does the same search but costs 62 M more
/// instructions on the eval-dev pages: most words are a few bytes long, and
/// its call set-up outweighs the search.)
#[inline]
fn next_space(line: &[u8], mut i: usize) -> usize {
    while let Some(word) = swar::word_at(line, i) {
        let x = word ^ (swar::ONES * u64::from(b' '));
        let zero = x.wrapping_sub(swar::ONES) & !x & swar::HIGH;
        if zero != 0 {
            return i + (zero.trailing_zeros() / 8) as usize;
        }
        i += swar::WIDTH;
    }
    while i < line.len() && line[i] != b' ' {
        i += 1;
    }
    i
}

/// The ASCII word `line[from..to]` (1 to [`SHORT`] bytes) packed as [`pack`]
/// does, with its digits `1` to `9` made `0`. Where the line goes on far
/// enough, the bytes are read as whole little-endian words and masked to
/// the word's length.
#[inline]
fn pack_ascii_folded(line: &[u8], from: usize, to: usize) -> u128 {
    let len = to - from;
    let word_at = |at: usize| swar::word_at(line, at);
    // Keeps the low `n` bytes, for `n` in 1..=8.
    let keep = |x: u64, n: usize| x & (u64::MAX >> (8 * (8 - n)));
    let length = (len as u64) << 56;
    if len <= 8 {
        match word_at(from) {
            Some(lo) => u128::from(fold_digits(keep(lo, len))) | u128::from(length) << 64,
            None => fold_packed_digits(pack(&line[from..to])),
        }
    } else {
        match (word_at(from), word_at(from + 8)) {
            (Some(lo), Some(hi)) => {
                u128::from(fold_digits(lo))
                    | u128::from(fold_digits(keep(hi, len - 8)) | length) << 64
            }
            _ => fold_packed_digits(pack(&line[from..to])),
        }
    }
}

/// The normalised word of a non-empty token (see the module docs), either a
/// part of `token` or written to `scratch`.
fn normalise<'a>(token: &'a str, scratch: &'a mut String) -> &'a str {
    let trimmed = trim_to_word(token);
    if trimmed.is_empty() {
        scratch.clear();
        scratch.extend(token.chars().take(3));
        scratch
    } else if trimmed.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        scratch.clear();
        scratch.extend(trimmed.chars().map(|c| if c.is_ascii_digit() { '0' } else { c }));
        scratch
    } else {
        // Most words need no change: no copy.
        trimmed
    }
}

/// A word packed by [`pack`], with its ASCII digits `1` to `9` made `0`.
/// Every byte of the word must be ASCII (the length byte is below `0x10`).
#[inline]
fn fold_packed_digits(key: u128) -> u128 {
    u128::from(fold_digits(key as u64)) | u128::from(fold_digits((key >> 64) as u64)) << 64
}

/// Eight ASCII bytes with `1` to `9` made `0`, all at once: a byte's top
/// bit, after adding `0x80 - b'1'`, says it is at least `1`; after adding
/// `0x80 - b':'`, that it is past `9` (no byte carries, all being below
/// `0x80`). A digit then loses its low four bits (`0x31..=0x39` to `0x30`).
#[inline]
fn fold_digits(x: u64) -> u64 {
    let at_least_one = x.wrapping_add(swar::ONES * u64::from(0x80 - b'1'));
    let past_nine = x.wrapping_add(swar::ONES * u64::from(0x80 - b':'));
    let digits = at_least_one & !past_nine & swar::HIGH;
    x & !((digits >> 7) * 0x0F)
}

/// `token` without the characters that are not letters or digits at either
/// edge; ASCII tokens (most) are trimmed byte by byte.
fn trim_to_word(token: &str) -> &str {
    if !token.is_ascii() {
        return token.trim_matches(|c: char| !c.is_alphanumeric());
    }
    let bytes = token.as_bytes();
    let Some(start) = bytes.iter().position(u8::is_ascii_alphanumeric) else {
        return "";
    };
    let end = bytes.iter().rposition(u8::is_ascii_alphanumeric).unwrap_or(start);
    // Both ends are ASCII bytes, so they are char boundaries.
    token.get(start..=end).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;
    use std::collections::HashMap;

    fn words_of(line: &str) -> Vec<String> {
        let mut out = Vec::new();
        Lexicon::words(line, &mut String::new(), |w| out.push(w.to_string()));
        out
    }

    #[test]
    fn words_trim_edges_and_fold_digits() {
        assert_eq!(words_of("share this: (2019) | ©"), ["share", "this", "0000", "|", "©"]);
        assert_eq!(words_of("e-mail  o'brien's"), ["e-mail", "o'brien's"]);
        assert_eq!(words_of("»»»»"), ["»»»"]);
        assert!(words_of("").is_empty());
    }

    #[test]
    fn ascii_trim_equals_the_char_trim() {
        for token in ["(2019)", "--", "a", "o'brien's", "«élan»", "x-", "-x", "", "..a.b..", "ß!"]
        {
            assert_eq!(
                trim_to_word(token),
                token.trim_matches(|c: char| !c.is_alphanumeric()),
                "{token:?}"
            );
        }
    }

    #[test]
    fn evidence_summarises_known_words() {
        let lex = Lexicon::from_weights([("share", -2.0f32), ("the", 1.0)]);
        let e = lex.evidence("share the story", &mut String::new());
        assert_eq!(e, Evidence { mean: -0.5, min: -2.0, max: 1.0, known: 2.0 / 3.0 });
        assert_eq!(lex.evidence("nothing known", &mut String::new()), Evidence::default());
        assert_eq!(Lexicon::new().evidence("share", &mut String::new()), Evidence::default());
    }

    #[test]
    fn fold_digits_is_the_byte_fold() {
        for b in 0u8..0x80 {
            let x = u64::from_le_bytes([b, b'a', b, 0, b'9', b'1', 0x0F, b]);
            let folded = if (b'1'..=b'9').contains(&b) { b'0' } else { b };
            let want = u64::from_le_bytes([folded, b'a', folded, 0, b'0', b'0', 0x0F, folded]);
            assert_eq!(fold_digits(x), want, "{b:#x}");
        }
    }

    #[test]
    fn next_space_is_the_byte_search() {
        let line = "a bb  ccc dddddddd eeeeeeeeeeeeeeeeee «é» ß f  ".as_bytes();
        for i in 0..=line.len() {
            let want = line[i..].iter().position(|&b| b == b' ').map_or(line.len(), |k| i + k);
            assert_eq!(next_space(line, i), want, "{i}");
        }
        assert_eq!(next_space(b"", 0), 0);
    }

    #[test]
    fn pack_ascii_folded_is_pack_of_the_folded_word() {
        let line = b"(2019) a ab abc share12 abcdefgh abcdefghi 0123456789abcde x";
        for from in 0..line.len() {
            for to in from + 1..=(from + SHORT).min(line.len()) {
                let word: Vec<u8> = line[from..to]
                    .iter()
                    .map(|&b| if b.is_ascii_digit() { b'0' } else { b })
                    .collect();
                assert_eq!(pack_ascii_folded(line, from, to), pack(&word), "{from}..{to}");
            }
        }
    }

    /// The evidence as first written: every word normalised by
    /// [`Lexicon::words`] and looked up in a plain hash map.
    fn reference_evidence(weights: &HashMap<String, f32>, line: &str) -> Evidence {
        let (mut words, mut known, mut sum) = (0u32, 0u32, 0.0f32);
        let (mut min, mut max) = (f32::INFINITY, f32::NEG_INFINITY);
        Lexicon::words(line, &mut String::new(), |word| {
            words += 1;
            if let Some(&w) = weights.get(word) {
                known += 1;
                sum += w;
                min = min.min(w);
                max = max.max(w);
            }
        });
        if weights.is_empty() || known == 0 {
            return Evidence::default();
        }
        Evidence { mean: sum / known as f32, min, max, known: known as f32 / words as f32 }
    }

    /// Lines of words that the lexicon knows, nearly knows, or not at all.
    fn line_strategy() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::collection::vec(
            proptest::prop_oneof![
                "[a-c0-9'(),|»©é-]{0,6}",
                "[a-c0-9]{14,18}",
                "[ -~]{0,20}",
                "\\PC{0,8}",
            ],
            0..12,
        )
        .prop_map(|words| words.join(" "))
    }

    proptest::proptest! {
        #[test]
        fn evidence_agrees_with_a_hash_map(
            known in proptest::collection::vec(line_strategy(), 0..6),
            lines in proptest::collection::vec(line_strategy(), 1..6),
        ) {
            // Weights for the normalised words of some lines, and for some
            // raw tokens too; then lines sharing some of those words.
            let mut weights: HashMap<String, f32> = HashMap::new();
            let mut scratch = String::new();
            for (i, line) in known.iter().enumerate() {
                Lexicon::words(line, &mut scratch, |w| {
                    weights.insert(w.to_string(), i as f32 * 0.37 - 1.1 + w.len() as f32 * 0.01);
                });
                for token in line.split(' ') {
                    weights.insert(token.to_string(), i as f32 * 0.5 + 0.25);
                }
            }
            weights.remove("");
            let lex = Lexicon::from_weights(weights.iter().map(|(w, &v)| (w.clone(), v)));
            for line in lines.iter().chain(&known) {
                let got = lex.evidence(line, &mut scratch);
                let want = reference_evidence(&weights, line);
                proptest::prop_assert_eq!(got, want, "{:?}", line);
                Lexicon::words(line, &mut String::new(), |w| {
                    assert_eq!(lex.weight(w), weights.get(w).copied(), "{w:?}");
                });
            }
            for word in weights.keys() {
                proptest::prop_assert_eq!(lex.weight(word), weights.get(word).copied());
            }
        }
    }

    #[test]
    fn parse_rejects_bad_files() {
        assert!(Lexicon::parse("{\"a\": 1.5}", "t").is_ok());
        assert!(Lexicon::parse("[1, 2]", "t").is_err());
        assert!(Lexicon::parse("{\"a\": \"x\"}", "t").is_err());
    }
}
