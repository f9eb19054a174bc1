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

/// Word weights: a normalised word to its body-against-chrome log-odds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lexicon {
    weights: FxHashMap<String, f32>,
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
        Lexicon { weights: pairs.into_iter().map(|(w, v)| (w.into(), v)).collect() }
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
        Ok(Lexicon { weights })
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
        self.weights.get(word).copied()
    }

    /// Calls `each` with every normalised word of a folded line, in order.
    /// `scratch` is reused between calls to avoid allocating.
    pub fn words(folded_line: &str, scratch: &mut String, mut each: impl FnMut(&str)) {
        let bytes = folded_line.as_bytes();
        let mut start = 0;
        while start < bytes.len() {
            let end =
                bytes[start..].iter().position(|&b| b == b' ').map_or(bytes.len(), |k| start + k);
            // Spaces are ASCII, so both ends are char boundaries.
            let token = folded_line.get(start..end).unwrap_or("");
            start = end + 1;
            if token.is_empty() {
                continue;
            }
            let trimmed = trim_to_word(token);
            if trimmed.is_empty() {
                scratch.clear();
                scratch.extend(token.chars().take(3));
                each(scratch);
            } else if trimmed.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
                scratch.clear();
                scratch.extend(trimmed.chars().map(|c| if c.is_ascii_digit() { '0' } else { c }));
                each(scratch);
            } else {
                // Most words need no change: no copy.
                each(trimmed);
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
        Lexicon::words(folded_line, scratch, |word| {
            words += 1;
            if let Some(&w) = self.weights.get(word) {
                known += 1;
                sum += w;
                min = min.min(w);
                max = max.max(w);
            }
        });
        if known == 0 {
            return Evidence::default();
        }
        Evidence { mean: sum / known as f32, min, max, known: known as f32 / words as f32 }
    }
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
    fn parse_rejects_bad_files() {
        assert!(Lexicon::parse("{\"a\": 1.5}", "t").is_ok());
        assert!(Lexicon::parse("[1, 2]", "t").is_err());
        assert!(Lexicon::parse("{\"a\": \"x\"}", "t").is_err());
    }
}
