//! Per-line classification with context, for chrome no rule names.
//!
//! Each line gets features (length, stop-word density, terminal punctuation,
//! heading shape) and an initial class, the way jusText classifies
//! paragraphs: long lines dense in stop words are [`Class::Good`], long lines
//! with few stop words are [`Class::Bad`], short lines are [`Class::Short`]
//! and undecided. Context then decides: a short line between good lines is
//! good, between bad lines bad; a near-good line next to bad lines only is
//! bad. Lines a rule removed count as bad neighbours, and the document's
//! edges count as bad, which trims headers and footers. A short heading-like
//! line right before body text (the title, a sub-heading) is good.
//!
//! Everything here is pure: lines in, classes out.

use rustc_hash::FxHashMap;

use crate::fold::is_unspaced_script;
use crate::lines::{Folded, Line};
use crate::stopwords::{bare_ascii, bare_word, languages_of, LanguageCounts, StopList};

/// The class of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// No visible content.
    Blank,
    /// Boilerplate.
    Bad,
    /// Too short to judge alone; context decides.
    Short,
    /// Probably body; context decides.
    NearGood,
    /// Body text.
    Good,
}

/// Thresholds of the classifier. The defaults follow jusText's, adapted to
/// the NLTK stop-word lists (shorter than jusText's, so densities are lower).
#[derive(Debug, Clone, PartialEq)]
pub struct ClassifierConfig {
    /// Lines shorter than this (in characters) are short.
    pub length_low: usize,
    /// Lines longer than this, dense in stop words, are good outright.
    pub length_high: usize,
    /// Below this stop-word density a line is bad.
    pub stopwords_low: f32,
    /// At or above this density a line is (near-)good.
    pub stopwords_high: f32,
    /// How far (in characters of other lines) a heading may be from body text.
    pub max_heading_distance: usize,
    /// The classifier removes nothing unless the lines it calls good hold at
    /// least this share of the text that rules left: on pages that are not
    /// articles (listings, product grids, forums of one-liners) it cannot tell
    /// content from chrome, and deleting content costs more than keeping chrome.
    pub min_body_share: f32,
    /// ... unless they hold at least this many characters: a long article
    /// body is an article however much chrome surrounds it.
    pub min_body_length: usize,
    /// ... or unless one unbroken block holds this share of the good text: a
    /// short article is one block of prose, a listing's prose-like entries
    /// are scattered.
    pub min_block_share: f32,
    /// ... provided that block is at least this share of the page's text (a
    /// listing's intro paragraph is one block too, but a small one).
    pub min_block_body_share: f32,
}

impl Default for ClassifierConfig {
    fn default() -> ClassifierConfig {
        ClassifierConfig {
            length_low: 70,
            length_high: 200,
            stopwords_low: 0.22,
            stopwords_high: 0.28,
            max_heading_distance: 200,
            min_body_share: 0.3,
            min_body_length: 2000,
            min_block_share: 0.8,
            min_block_body_share: 0.1,
        }
    }
}

/// What the classifier measures of one line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LineFeatures {
    /// Visible characters, with characters of unspaced scripts (Chinese,
    /// Japanese, Thai) counted three times: they carry about a word each.
    pub length: usize,
    /// Words in the folded line.
    pub words: usize,
    /// Share of the words that are stop words.
    pub stopword_density: f32,
    /// Whether the line ends like a sentence.
    pub terminal_punctuation: bool,
    /// Whether the line is shaped like a heading: a few words, no sentence end.
    pub heading_like: bool,
}

/// How many of a page's most frequent words stand in for a stop-word list
/// on pages in a language without one.
const PAGE_STOPWORDS: usize = 20;

/// Measures every line of a document. `language` is the document's language
/// when known (see [`crate::lang`]): its stop-word list is used when there is
/// one; otherwise the list is chosen by which one covers the most words.
pub fn features(
    input: &[u8],
    lines: &[Line],
    folded: &Folded,
    language: Option<&str>,
) -> Vec<LineFeatures> {
    // One pass over the words: each is looked up once, counted for the
    // choice of the page's list, and remembered with its line if a list has it.
    let mut counts = LanguageCounts::default();
    let mut listed: Vec<(u32, u32)> = Vec::new();
    for i in 0..lines.len() {
        let text = folded.line(i);
        let bare = if text.is_ascii() { bare_ascii } else { bare_word };
        for token in tokens(text) {
            let word = bare(token);
            if word.is_empty() {
                continue;
            }
            let languages = languages_of(word);
            counts.add(languages);
            if languages != 0 {
                listed.push((i as u32, languages));
            }
        }
    }
    let list = language.and_then(StopList::for_language).unwrap_or_else(|| counts.choose());
    let mut stop = vec![0u32; lines.len()];
    if list == StopList::NONE {
        let all_words = folded.text.split(['\n', ' ']).map(bare_word).filter(|w| !w.is_empty());
        let page_words = page_frequent_words(all_words);
        if !page_words.is_empty() {
            for (i, line) in lines.iter().enumerate() {
                if !line.is_blank() {
                    let text = folded.line(i);
                    let n =
                        text.split(' ').map(bare_word).filter(|w| page_words.contains(w)).count();
                    stop[i] = n as u32;
                }
            }
        }
    } else {
        for &(i, languages) in &listed {
            if list.covers(languages) {
                stop[i as usize] += 1;
            }
        }
    }
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            if line.is_blank() {
                return LineFeatures::default();
            }
            let text = folded.line(i);
            let (length, unspaced, chars) = if text.is_ascii() {
                (text.len(), 0, text.len())
            } else {
                let mut length = 0;
                let mut unspaced = 0;
                let mut chars = 0;
                for c in text.chars() {
                    chars += 1;
                    if is_unspaced_script(c) {
                        unspaced += 1;
                        length += 3;
                    } else {
                        length += 1;
                    }
                }
                (length, unspaced, chars)
            };
            let words = folded.words[i];
            let stop = stop[i] as usize;
            let mut stopword_density = if words == 0 { 0.0 } else { stop as f32 / words as f32 };
            let raw = &input[line.content.clone()];
            let terminal_punctuation = ends_like_sentence(raw);
            if unspaced * 2 > chars {
                // Word-based density means nothing without spaces; a sentence
                // end is the best text-only sign of running prose there.
                stopword_density = if terminal_punctuation { 0.5 } else { 0.0 };
            }
            let heading_like = (1..=16).contains(&words)
                && (words >= 2 || length >= 12)
                && !raw.ends_with(b".")
                && !raw.ends_with(b",")
                && !raw.ends_with(b":");
            LineFeatures { length, words, stopword_density, terminal_punctuation, heading_like }
        })
        .collect()
}

/// The space-separated tokens of a folded line (`str::split(' ')`, without
/// a search call per token: tokens are short).
fn tokens(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        match current.bytes().position(|b| b == b' ') {
            Some(at) => {
                rest = Some(&current[at + 1..]);
                Some(&current[..at])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

fn page_frequent_words<'a>(words: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut counts: FxHashMap<&str, u32> = FxHashMap::default();
    let mut total = 0;
    for w in words {
        *counts.entry(w).or_default() += 1;
        total += 1;
    }
    if total < 100 {
        return Vec::new();
    }
    let mut ranked: Vec<(&str, u32)> = counts.into_iter().collect();
    ranked.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    ranked.into_iter().take(PAGE_STOPWORDS).map(|(w, _)| w).collect()
}

fn ends_like_sentence(raw: &[u8]) -> bool {
    // An ASCII last byte other than a closing quote or bracket decides alone.
    if let Some(&last) = raw.last() {
        if last.is_ascii() && !matches!(last, b'"' | b'\'' | b')' | b']') {
            return matches!(last, b'.' | b'!' | b'?' | b';');
        }
    }
    let s = bstr::ByteSlice::trim_end_with(raw, |c| {
        matches!(c, '"' | '\'' | ')' | '\u{201D}' | '\u{2019}' | '\u{BB}' | ']')
    });
    let Some(last) = bstr::ByteSlice::chars(s).next_back() else {
        return false;
    };
    matches!(last, '.' | '!' | '?' | '\u{2026}' | '\u{3002}' | '\u{FF01}' | '\u{FF1F}' | ';')
}

/// The class of a line from its own features alone.
pub fn initial_class(f: &LineFeatures, config: &ClassifierConfig) -> Class {
    if f.words == 0 {
        Class::Blank
    } else if f.length < config.length_low || f.heading_like && !f.terminal_punctuation {
        Class::Short
    } else if f.stopword_density >= config.stopwords_high {
        if f.length > config.length_high {
            Class::Good
        } else {
            Class::NearGood
        }
    } else if f.stopword_density >= config.stopwords_low
        || f.terminal_punctuation && f.stopword_density >= config.stopwords_low / 2.0
    {
        // A sentence full of names has few stop words but is still prose.
        Class::NearGood
    } else {
        Class::Bad
    }
}

/// Revises classes with their context (jusText's second stage).
///
/// `classes` holds the initial classes, with lines removed by rules already
/// set to [`Class::Bad`]; `fixed[i]` is true for such lines, which never
/// change class. Returns the final classes: only `Blank`, `Bad` and `Good`.
pub fn revise(
    classes: &[Class],
    fixed: &[bool],
    features: &[LineFeatures],
    config: &ClassifierConfig,
) -> Vec<Class> {
    let mut cls = classes.to_vec();
    let n = cls.len();
    // Headings close before good text are near-good.
    for i in 0..n {
        if cls[i] == Class::Short
            && features[i].heading_like
            && heading_before_good(&cls, fixed, features, i, config)
        {
            cls[i] = Class::NearGood;
        }
    }
    // Short lines take their neighbours' class.
    let mut revised = cls.clone();
    let far = Neighbours::new(&cls, true);
    let near = Neighbours::new(&cls, false);
    for i in 0..n {
        if cls[i] != Class::Short {
            continue;
        }
        let (prev, next) = (far.prev[i], far.next[i]);
        revised[i] = match (prev, next) {
            (Class::Good, Class::Good) => Class::Good,
            (Class::Bad, Class::Bad) => Class::Bad,
            _ if (prev == Class::Bad && near.prev[i] == Class::NearGood)
                || (next == Class::Bad && near.next[i] == Class::NearGood) =>
            {
                Class::Good
            }
            _ => Class::Bad,
        };
    }
    let mut cls = revised;
    // Near-good lines are good unless both neighbours are bad. As in
    // jusText, a line revised earlier in this pass counts as a neighbour of
    // the lines after it; lines after it are seen as they were.
    let far = Neighbours::new(&cls, true);
    let mut prev = Class::Bad;
    for i in 0..n {
        if cls[i] != Class::NearGood {
            if !matches!(cls[i], Class::Blank | Class::Short) {
                prev = cls[i];
            }
            continue;
        }
        let next = far.next[i];
        // A full sentence stays even between boilerplate: text alone cannot
        // tell a last paragraph from a teaser, and losing body costs more.
        let sentence = features[i].terminal_punctuation && features[i].words >= 12;
        cls[i] = if prev == Class::Bad && next == Class::Bad && !sentence {
            Class::Bad
        } else {
            Class::Good
        };
        prev = cls[i];
    }
    // Headings that context made bad are good again when body text follows.
    for i in 0..n {
        if cls[i] == Class::Bad
            && !fixed[i]
            && classes[i] != Class::Bad
            && features[i].heading_like
            && heading_before_good(&cls, fixed, features, i, config)
        {
            cls[i] = Class::Good;
        }
    }
    cls
}

/// Whether good text starts within the heading distance after line `i`,
/// with only blank lines or lines removed by rules in between.
fn heading_before_good(
    cls: &[Class],
    fixed: &[bool],
    features: &[LineFeatures],
    i: usize,
    config: &ClassifierConfig,
) -> bool {
    let mut distance = 0;
    for j in i + 1..cls.len() {
        if distance > config.max_heading_distance {
            return false;
        }
        match cls[j] {
            Class::Good => return true,
            Class::Blank => {}
            _ if fixed[j] => distance += features[j].length,
            _ => return false,
        }
    }
    false
}

/// For every line, the class of the nearest decided line before and after
/// it, skipping blank and short lines (and near-good ones when
/// `skip_neargood`); the edges count as bad. Computed in one pass each way,
/// so context costs O(n) however long the runs of short lines are.
struct Neighbours {
    prev: Vec<Class>,
    next: Vec<Class>,
}

impl Neighbours {
    fn new(cls: &[Class], skip_neargood: bool) -> Neighbours {
        let decided = |c: Class| match c {
            Class::Blank | Class::Short => false,
            Class::NearGood => !skip_neargood,
            _ => true,
        };
        let n = cls.len();
        let mut prev = vec![Class::Bad; n];
        let mut last = Class::Bad;
        for i in 0..n {
            prev[i] = last;
            if decided(cls[i]) {
                last = cls[i];
            }
        }
        let mut next = vec![Class::Bad; n];
        let mut last = Class::Bad;
        for i in (0..n).rev() {
            next[i] = last;
            if decided(cls[i]) {
                last = cls[i];
            }
        }
        Neighbours { prev, next }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lines::split_lines;

    const PROSE: &str = "The committee said on Tuesday that it would not be able to reach a \
        decision before the end of the year, and that the members of the panel were still \
        waiting for the report that had been promised to them in the spring.";

    fn classify(text: &str) -> Vec<Class> {
        let lines = split_lines(text.as_bytes());
        let folded = Folded::new(text.as_bytes(), &lines);
        let feats = features(text.as_bytes(), &lines, &folded, None);
        let config = ClassifierConfig::default();
        let initial: Vec<Class> = feats.iter().map(|f| initial_class(f, &config)).collect();
        let fixed = vec![false; initial.len()];
        revise(&initial, &fixed, &feats, &config)
    }

    use Class::{Bad as B, Blank as E, Good as G};

    macro_rules! t {
        ($name:ident, $text:expr, $expected:expr) => {
            #[test]
            fn $name() {
                let text: String = $text;
                assert_eq!(classify(&text), $expected, "text:\n{text}");
            }
        };
    }

    t!(c010_empty, String::new(), vec![]);
    t!(c020_prose_is_good, format!("{PROSE}\n"), vec![G]);
    t!(
        c030_menu_before_title_is_bad,
        format!("Home\nNews\nSport\nA headline about the panel\n{PROSE}"),
        vec![B, B, B, G, G]
    );
    t!(
        c040_short_between_good_is_good,
        format!("{PROSE}\nA short list item\n{PROSE}"),
        vec![G, G, G]
    );
    t!(c050_footer_after_body_is_bad, format!("{PROSE}\n\nContact us\nPrivacy"), vec![G, E, B, B]);
    t!(c060_keyword_soup_is_bad, format!("{PROSE}\nwidgets gadgets gizmos sprockets doohickeys thingamajigs whatsits contraptions gizmo\n"), vec![G, B]);
    t!(c070_crlf, format!("Menu\r\n{PROSE}\r\n"), vec![B, G]);
    t!(
        c080_title_kept_across_blank,
        format!("The panel delays its decision\n\n{PROSE}"),
        vec![G, E, G]
    );

    #[test]
    fn unspaced_script_sentence_is_long() {
        let text = "委员会周二表示，在今年年底之前将无法作出决定，小组成员仍在等待春季承诺的报告。";
        let lines = split_lines(text.as_bytes());
        let folded = Folded::new(text.as_bytes(), &lines);
        let feats = features(text.as_bytes(), &lines, &folded, None);
        assert!(feats[0].length >= 70, "{:?}", feats[0]);
        assert!(feats[0].terminal_punctuation);
    }
}
