//! The learned line model: features of each line in its context, and a small
//! ensemble of regression trees that turns them into a body probability.
//!
//! The model ships as data (`src/rules/model.json`, embedded like the
//! default rules) and is trained by `scripts/train_model.py` from pages with
//! human gold text; a user can train their own and load it with
//! [`crate::CleanerBuilder::model`]. The file names the features it was
//! trained on, and loading fails when they differ from [`FEATURE_NAMES`], so
//! a model never silently reads the wrong columns.
//!
//! # Format
//! ```json
//! { "format": "declutter-model/1", "features": ["len_log", ...],
//!   "threshold": 0.35, "base_score": 0.0,
//!   "trees": [ { "feature": [3, -1, -1], "threshold": [0.5, 0, 0],
//!                "left": [1, 0, 0], "right": [2, 0, 0],
//!                "value": [0, -0.2, 0.4] } ] }
//! ```
//! An optional `"page_threshold": {"feature": "doc_good_share", "split": 0.5,
//! "above": 0.45}` gives pages whose (page-level) feature is above `split`
//! their own threshold: article pages want a stricter one than listings.
//! An optional `"page_model"` picks each page's threshold instead (see
//! [`crate::page_model`]). An optional `"lexicon": {"share": -2.1, ...}` holds the word evidence
//! (see [`crate::lexicon`]) that the `lex_*` features read; without it they
//! are 0.
//!
//! Node 0 is the root. A node with `feature` -1 is a leaf holding `value`;
//! otherwise a line goes to `left` when its feature is `<=` the threshold.
//! The probability is the logistic function of `base_score` plus the leaf
//! values reached in all trees; lines below `threshold` are not body.

use serde::Deserialize;

use crate::classify::Class;
use crate::corpus::{Corpus, GENERAL_PUNCTUATION};
use crate::error::Error;
use crate::lexicon::{Evidence, Lexicon};
use crate::page_model::{PageModel, PageModelFile};
use crate::passes::Doc;
use crate::swar;

/// The format tag of a model file.
pub const FORMAT: &str = "declutter-model/1";

/// The embedded default model.
pub const DEFAULT_MODEL: &str = include_str!("rules/model.json");

/// Names of the features, in the order the model reads them.
pub const FEATURE_NAMES: &[&str] = &[
    "len_log",
    "words",
    "stopword_density",
    "terminal_punct",
    "heading_like",
    "ends_colon",
    "title_case_share",
    "punct_share",
    "digit_share",
    "separators",
    "removed_by_rule",
    "jus_initial",
    "jus_revised",
    "rel_pos",
    "blank_before",
    "blank_after",
    "block_lines",
    "block_mean_words",
    "copies_in_doc",
    "corpus_share",
    "corpus_log_count",
    "ctx2_good",
    "ctx2_words",
    "ctx2_stop",
    "ctx2_punct",
    "ctx2_removed",
    "ctx2_corpus",
    "ctx5_good",
    "ctx5_words",
    "ctx5_stop",
    "ctx5_punct",
    "ctx5_removed",
    "ctx5_corpus",
    "ctx10_good",
    "ctx10_words",
    "ctx10_stop",
    "ctx10_punct",
    "ctx10_removed",
    "ctx10_corpus",
    "good_before",
    "good_after",
    "doc_lines_log",
    "doc_len_log",
    "doc_good_share",
    "doc_removed_share",
    "lex_mean",
    "lex_min",
    "lex_max",
    "lex_known",
    "ctx2_lex",
    "ctx5_lex",
    "ctx10_lex",
    "doc_lex",
];

/// The number of features per line.
pub const FEATURES: usize = FEATURE_NAMES.len();

/// The feature value that stands for "no corpus evidence" (a document
/// cleaned alone). Models are trained with some documents in that state.
pub const NO_CORPUS: f32 = -1.0;

/// The fewest documents a corpus group needs before its counts are used as
/// features: with fewer, every line looks repeated or unique by chance.
pub const MIN_CORPUS_DOCUMENTS: u64 = 5;

/// The features of every line of a document, row by row: line `i` is
/// `values[i * FEATURES..(i + 1) * FEATURES]`. Blank lines have rows of
/// zeros; they are never scored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeatureMatrix {
    /// The values, [`FEATURES`] per line.
    pub values: Vec<f32>,
}

impl FeatureMatrix {
    /// The features of line `i` (0-based).
    pub fn row(&self, i: usize) -> &[f32] {
        &self.values[i * FEATURES..(i + 1) * FEATURES]
    }

    /// The number of lines.
    pub fn lines(&self) -> usize {
        self.values.len() / FEATURES
    }
}

/// Measures every line of a document whose rule passes and context
/// classifier have run; `lexicon` gives the word evidence.
pub(crate) fn line_features(
    doc: &Doc,
    corpus: Option<&Corpus>,
    lexicon: &Lexicon,
) -> FeatureMatrix {
    let n = doc.lines.len();
    let mut values = vec![0.0f32; n * FEATURES];
    if n == 0 {
        return FeatureMatrix { values };
    }
    // Per-line base values, and the sequence of non-blank lines for context.
    let mut seq: Vec<usize> = Vec::with_capacity(n);
    let mut good = vec![0.0f32; n];
    let mut words_log = vec![0.0f32; n];
    let mut stop = vec![0.0f32; n];
    let mut punct = vec![0.0f32; n];
    let mut removed = vec![0.0f32; n];
    let mut corpus_share = vec![NO_CORPUS; n];
    let mut evidence = vec![Evidence::default(); n];
    let mut scratch = String::new();
    let mut copies: rustc_hash::FxHashMap<&str, u32> = rustc_hash::FxHashMap::default();
    copies.reserve(n);
    for i in 0..n {
        if !doc.lines[i].is_blank() {
            *copies.entry(doc.folded.line(i)).or_default() += 1;
        }
    }
    // A group too small to compare with carries no evidence.
    let corpus = corpus.filter(|c| c.documents() >= MIN_CORPUS_DOCUMENTS);
    // Shares count the other documents: a line is always in its own.
    let others = corpus.map_or(0, |c| c.documents().saturating_sub(1).max(1)) as f32;
    let mut total_len = 0.0f32;
    let mut good_len = 0.0f32;
    let mut removed_lines = 0usize;
    for i in 0..n {
        if doc.lines[i].is_blank() {
            continue;
        }
        seq.push(i);
        let f = &doc.features[i];
        good[i] = match doc.initial[i] {
            Class::Good => 1.0,
            Class::NearGood => 0.5,
            _ => 0.0,
        };
        words_log[i] = (1.0 + f.words as f32).ln();
        stop[i] = f.stopword_density;
        punct[i] = f32::from(u8::from(f.terminal_punctuation));
        removed[i] = f32::from(u8::from(doc.verdicts[i].is_some()));
        removed_lines += usize::from(doc.verdicts[i].is_some());
        evidence[i] = lexicon.evidence(doc.folded.line(i), &mut scratch);
        if corpus.is_some() {
            let found_elsewhere = doc.corpus_counts.get(i).map_or(0, |n| n.saturating_sub(1));
            corpus_share[i] = found_elsewhere as f32 / others;
        }
        total_len += f.length as f32;
        if doc.classes.get(i) == Some(&Class::Good) {
            good_len += f.length as f32;
        }
    }
    let m = seq.len();
    // Prefix sums over the non-blank sequence, for window means.
    let series: [&[f32]; 6] = [&good, &words_log, &stop, &punct, &removed, &corpus_share];
    let prefix: Vec<Vec<f64>> = series
        .iter()
        .map(|s| {
            let mut p = Vec::with_capacity(m + 1);
            p.push(0.0f64);
            for &i in &seq {
                let last = p.last().copied().unwrap_or(0.0);
                p.push(last + f64::from(s[i]));
            }
            p
        })
        .collect();
    let mut good_prefix = Vec::with_capacity(m + 1);
    good_prefix.push(0.0f32);
    for &i in &seq {
        let last = good_prefix.last().copied().unwrap_or(0.0);
        let add = if doc.classes.get(i) == Some(&Class::Good) {
            doc.features[i].length as f32
        } else {
            0.0
        };
        good_prefix.push(last + add);
    }
    // Blank-line-delimited blocks.
    let mut block_of = vec![(0usize, 0usize); n]; // (lines, words)
    let mut start = 0;
    while start < n {
        if doc.lines[start].is_blank() {
            start += 1;
            continue;
        }
        let mut end = start;
        let mut w = 0;
        while end < n && !doc.lines[end].is_blank() {
            w += doc.features[end].words;
            end += 1;
        }
        for b in &mut block_of[start..end] {
            *b = (end - start, w);
        }
        start = end;
    }

    let doc_lines_log = (1.0 + m as f32).ln();
    let doc_len_log = (1.0 + total_len).ln();
    let doc_good_share = if total_len > 0.0 { good_len / total_len } else { 0.0 };
    let doc_removed_share = removed_lines as f32 / m.max(1) as f32;
    let mut lex_prefix = Vec::with_capacity(m + 1);
    lex_prefix.push(0.0f64);
    for &i in &seq {
        let last = lex_prefix.last().copied().unwrap_or(0.0);
        lex_prefix.push(last + f64::from(evidence[i].mean));
    }
    let doc_lex = (lex_prefix[m] / m.max(1) as f64) as f32;
    for (k, &i) in seq.iter().enumerate() {
        let f = &doc.features[i];
        let raw = &doc.input[doc.lines[i].content.clone()];
        let text = doc.folded.line(i);
        let CharCounts { chars, title, puncts, digits, seps } = CharCounts::of(raw);
        let chars = chars.max(1) as f32;
        let words = f.words.max(1) as f32;
        let (block_lines, block_words) = block_of[i];
        let row = &mut values[i * FEATURES..(i + 1) * FEATURES];
        let mut col = 0;
        let mut put = |v: f32| {
            row[col] = v;
            col += 1;
        };
        put((1.0 + f.length as f32).ln());
        put(f.words as f32);
        put(f.stopword_density);
        put(punct[i]);
        put(f32::from(u8::from(f.heading_like)));
        put(f32::from(u8::from(raw.ends_with(b":"))));
        put(title as f32 / words);
        put(puncts as f32 / chars);
        put(digits as f32 / chars);
        put(seps as f32);
        put(removed[i]);
        put(class_value(doc.initial[i]));
        put(doc.classes.get(i).map_or(0.0, |&c| class_value(c)));
        put(i as f32 / n as f32);
        put(f32::from(u8::from(i == 0 || doc.lines[i - 1].is_blank())));
        put(f32::from(u8::from(i + 1 == n || doc.lines[i + 1].is_blank())));
        put(block_lines as f32);
        put(block_words as f32 / block_lines.max(1) as f32);
        put(copies.get(text).copied().unwrap_or(1) as f32);
        put(corpus_share[i]);
        put(if corpus.is_some() { (1.0 + corpus_share[i] * others).ln() } else { NO_CORPUS });
        for radius in [2usize, 5, 10] {
            let lo = k.saturating_sub(radius);
            let hi = (k + radius + 1).min(m);
            let count = (hi - lo) as f64;
            for p in &prefix {
                put(((p[hi] - p[lo]) / count) as f32);
            }
        }
        let all_good = good_prefix[m].max(1.0);
        put(good_prefix[k] / all_good);
        put((good_prefix[m] - good_prefix[k + 1]) / all_good);
        put(doc_lines_log);
        put(doc_len_log);
        put(doc_good_share);
        put(doc_removed_share);
        let e = evidence[i];
        put(e.mean);
        put(e.min);
        put(e.max);
        put(e.known);
        for radius in [2usize, 5, 10] {
            let lo = k.saturating_sub(radius);
            let hi = (k + radius + 1).min(m);
            put(((lex_prefix[hi] - lex_prefix[lo]) / (hi - lo) as f64) as f32);
        }
        put(doc_lex);
        debug_assert_eq!(col, FEATURES);
    }
    FeatureMatrix { values }
}

/// The character counts behind the shape features of one line: characters
/// as `bstr` decodes them (one U+FFFD per invalid sequence), words starting
/// with an upper-case letter, digits, other non-letters, and separators.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct CharCounts {
    chars: u32,
    title: u32,
    puncts: u32,
    digits: u32,
    seps: u32,
}

/// Bits of [`CHAR_CLASS`]: what the `char` methods say of an ASCII byte.
const WHITE: u8 = 1; // char::is_whitespace
const UPPER: u8 = 2; // char::is_uppercase
const DIGIT: u8 = 4; // char::is_numeric
const PUNCT: u8 = 8; // neither white space nor alphanumeric
const SEP: u8 = 16; // a separator (see `is_separator`)

/// The class bits of each ASCII byte, so that ASCII characters (most of
/// most lines) are counted without the `char` methods' Unicode tables.
static CHAR_CLASS: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = match c {
            b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ' => WHITE,
            b'A'..=b'Z' => UPPER,
            b'a'..=b'z' => 0,
            b'0'..=b'9' => DIGIT,
            _ if is_separator(c as char) => PUNCT | SEP,
            _ => PUNCT,
        };
        b += 1;
    }
    table
};

/// Whether `c` separates the items of a breadcrumb or menu row.
const fn is_separator(c: char) -> bool {
    matches!(c, '|' | '»' | '›' | '·' | '•' | '/' | '>' | '«' | '‹')
}

/// The class bits of a character, by the `char` methods (the reference
/// [`CHAR_CLASS`] agrees with on ASCII).
fn char_class(c: char) -> u8 {
    if c.is_whitespace() {
        return WHITE;
    }
    if GENERAL_PUNCTUATION.contains(&c) {
        // No letter or digit there: skips the alphanumeric tables' search
        // for curly quotes and dashes.
        return if is_separator(c) { PUNCT | SEP } else { PUNCT };
    }
    let mut bits = 0;
    if c.is_uppercase() {
        bits |= UPPER;
    }
    if c.is_numeric() {
        bits |= DIGIT;
    } else if !c.is_alphanumeric() {
        bits |= PUNCT;
        if is_separator(c) {
            bits |= SEP;
        }
    }
    bits
}

impl CharCounts {
    /// Counts the characters of `raw`: eight ASCII letters and spaces at a
    /// time where they come in such runs, other ASCII bytes through
    /// [`CHAR_CLASS`], other characters decoded and classified by
    /// [`char_class`].
    fn of(raw: &[u8]) -> CharCounts {
        let mut counts = CharCounts::default();
        let mut at_word_start = true;
        let mut at = 0;
        while let Some(&b) = raw.get(at) {
            // Eight letters and spaces at a time (most of a line of prose):
            // no digit, punctuation or separator among them.
            let plain = swar::word_at(raw, at).and_then(|word| {
                let (letters, spaces) = swar::letters_and_spaces(word)?;
                (letters | spaces == swar::HIGH).then_some((word, letters, spaces))
            });
            if let Some((word, letters, spaces)) = plain {
                // A letter starts a word after a space, or first when the
                // bytes before ended in white space.
                let starts = spaces << 8 | u64::from(at_word_start) << 7;
                counts.chars += swar::WIDTH as u32;
                counts.title += (swar::capitals(word, letters) & starts).count_ones();
                at_word_start = spaces >> 63 != 0;
                at += swar::WIDTH;
                continue;
            }
            let bits = match CHAR_CLASS.get(usize::from(b)) {
                Some(&bits) => {
                    at += 1;
                    bits
                }
                None => {
                    let (c, size) = bstr::decode_utf8(&raw[at..]);
                    at += size.max(1);
                    char_class(c.unwrap_or('\u{FFFD}'))
                }
            };
            counts.add(bits, &mut at_word_start);
        }
        counts
    }

    /// Counts one character of class `bits`; `at_word_start` is whether
    /// white space (or the line start) came right before it.
    #[inline(always)]
    fn add(&mut self, bits: u8, at_word_start: &mut bool) {
        self.chars += 1;
        if bits & WHITE != 0 {
            *at_word_start = true;
            return;
        }
        self.title += u32::from(*at_word_start && bits & UPPER != 0);
        *at_word_start = false;
        self.digits += u32::from(bits & DIGIT != 0);
        self.puncts += u32::from(bits & PUNCT != 0);
        self.seps += u32::from(bits & SEP != 0);
    }
}

fn class_value(class: Class) -> f32 {
    match class {
        Class::Blank | Class::Bad => 0.0,
        Class::Short => 1.0,
        Class::NearGood => 2.0,
        Class::Good => 3.0,
    }
}

/// A trained ensemble of regression trees over [`FEATURE_NAMES`].
///
/// The trees are stored flat: every split of every tree in one array, every
/// leaf value in another, so a walk touches 16-byte nodes and a leaf is
/// known from its parent's child reference (see `Child`).
#[derive(Debug, Clone)]
pub struct Model {
    /// The splits of all trees, each tree's in one run.
    nodes: Vec<Node>,
    /// The leaf values of all trees.
    leaves: Vec<f64>,
    /// Each tree's root, in the file's order (the order the sum runs in).
    roots: Vec<Child>,
    /// The trees laid out for [`Model::predict_rows`]; `None` when the copy
    /// would outgrow the model (see [`Model::walk`]).
    walk: Option<Walk>,
    base_score: f64,
    threshold: f32,
    page_threshold: Option<PageThreshold>,
    page_model: Option<PageModel>,
    lexicon: Lexicon,
}

/// A second threshold for pages whose page-level feature is above a split.
#[derive(Debug, Clone, Copy)]
struct PageThreshold {
    feature: usize,
    split: f64,
    above: f32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PageThresholdFile {
    feature: String,
    split: f64,
    above: f32,
}

/// A reference to a tree node: a split when it is below 2^31 (its index in
/// [`Model::nodes`] or in a document's specialised copy), else the leaf
/// `!child` of [`Model::leaves`]. Parse keeps both counts below 2^31, so a
/// leaf's reference is past the end of any array of splits and the walk
/// needs one test per step: whether the reference names a split.
type Child = u32;

/// One split, packed for the walk: a line goes to `children[0]` when its
/// feature is `<=` the threshold, else to `children[1]`.
#[derive(Debug, Clone, Copy)]
struct Node {
    /// The largest `f32` not above the file's `f64` threshold: for an `f32`
    /// feature `x`, `x <= threshold` is then exactly `x as f64 <= t`.
    threshold: f32,
    /// The feature's column, below [`FEATURES`].
    feature: u8,
    children: [Child; 2],
}

/// A row padded to every value of a `u8` column, so that reading a
/// feature needs no bounds check.
const ROW: usize = 256;
const _: () = assert!(FEATURES <= ROW);

/// The fewest rows for which [`Model::predict_rows`] first specialises the
/// trees to the features that are the same in every row: below it the copy
/// costs more than the walks it shortens.
const SPECIALISE_MIN_ROWS: usize = 16;

/// The trees laid out for [`Model::predict_rows`], which walks eight lines
/// through each tree in lockstep without testing every line at every step.
///
/// A split's two children are adjacent: a line goes to `first` when its
/// feature is `<=` the threshold, else to `first + 1`, so a step adds the
/// side to one loaded index instead of picking one of two. A leaf is a node
/// too, one that sends every line back to itself (see [`WalkNode::leaf`]):
/// a line that reached its leaf can take further steps with the others.
/// Every tree is a real tree here (a file's shared children are copied), so
/// its depth bounds the steps any line needs.
#[derive(Debug, Clone)]
struct Walk {
    /// The nodes of all trees, padded with leaves to a power of two: an
    /// index masked to fit is then still itself, and needs no bounds check
    /// (see [`Walk::nodes`]).
    nodes: Vec<WalkNode>,
    /// The trees in the file's order (the order the sum runs in).
    trees: Vec<WalkTree>,
}

/// One node of a [`Walk`]: a split, or a leaf that leads to itself.
#[derive(Debug, Clone, Copy)]
struct WalkNode {
    /// As [`Node::threshold`]; infinite for a leaf.
    threshold: f32,
    /// The feature's column, below [`FEATURES`]; [`LEAF_COLUMN`] for a leaf.
    feature: u8,
    /// The left child; the right one is next to it. A leaf's own index.
    first: u32,
    /// A leaf's value; 0 for a split.
    value: f64,
}

/// One tree of a [`Walk`].
#[derive(Debug, Clone, Copy)]
struct WalkTree {
    /// The index of the root in [`Walk::nodes`].
    root: u32,
    /// The fewest steps from the root to a leaf.
    min_depth: u32,
    /// The most steps from the root to a leaf: after as many, every line is
    /// at its leaf.
    depth: u32,
}

/// The column a leaf of a [`Walk`] reads: past the features, so always 0 in
/// a padded row, which is not above a leaf's threshold.
const LEAF_COLUMN: u8 = (ROW - 1) as u8;
const _: () = assert!(FEATURES <= LEAF_COLUMN as usize);

impl WalkNode {
    /// The leaf at index `at` of [`Walk::nodes`]: it reads [`LEAF_COLUMN`],
    /// 0 in every padded row and not above infinity, so it sends every line
    /// to its left child, itself.
    fn leaf(at: u32, value: f64) -> WalkNode {
        WalkNode { threshold: f32::INFINITY, feature: LEAF_COLUMN, first: at, value }
    }
}

/// The lines [`Model::predict_rows`] walks through each tree together.
const LANES: usize = 8;

impl Walk {
    /// The nodes, and the mask that keeps an index below their count
    /// without changing one that is (the count is a power of two). The
    /// slice is `mask + 1` long, so the compiler drops the bounds check of
    /// a masked index.
    #[inline(always)]
    fn nodes(&self) -> Option<(&[WalkNode], usize)> {
        let mask = self.nodes.len().checked_sub(1)?;
        Some((self.nodes.get(..=mask)?, mask))
    }
}

/// Moves each of [`LANES`] lines one step in `nodes` (masked by `mask`, see
/// [`Walk::nodes`]): line `k`, whose padded features are `rows[k]`, from
/// node `at[k]` to the child its feature picks, or, at a leaf, to the leaf
/// itself.
#[inline(always)]
fn step(nodes: &[WalkNode], mask: usize, at: &mut [usize; LANES], rows: &[[f32; ROW]; LANES]) {
    for (at, row) in at.iter_mut().zip(rows) {
        if let Some(node) = nodes.get(*at & mask) {
            *at = node.first as usize + side(row[usize::from(node.feature)], node.threshold);
        }
    }
}

/// Whether every line of [`step`] is at a leaf.
#[inline(always)]
fn at_leaves(nodes: &[WalkNode], mask: usize, at: &[usize; LANES]) -> bool {
    at.iter().all(|&at| nodes.get(at & mask).is_none_or(|node| node.feature == LEAF_COLUMN))
}

/// The probability of a sum of leaf values.
fn logistic(sum: f64) -> f32 {
    (1.0 / (1.0 + (-sum).exp())) as f32
}

/// Which child a split sends feature value `x` to: 0 (left) when `x` is at
/// most the threshold, else 1 (right, NaN included).
#[inline(always)]
fn side(x: f32, threshold: f32) -> usize {
    if x <= threshold {
        0
    } else {
        1
    }
}

/// The largest `f32` that is not above `t`.
fn f32_at_most(t: f64) -> f32 {
    let x = t as f32; // rounds to nearest
    if f64::from(x) <= t {
        x
    } else {
        next_down(x)
    }
}

/// The next `f32` towards negative infinity (`f32::next_down`, which needs
/// a newer Rust than our minimum).
fn next_down(x: f32) -> f32 {
    if x.is_nan() || x == f32::NEG_INFINITY {
        return x;
    }
    let bits = x.to_bits();
    if x == 0.0 {
        return -f32::from_bits(1);
    }
    if x > 0.0 {
        f32::from_bits(bits - 1)
    } else {
        f32::from_bits(bits + 1)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    format: String,
    features: Vec<String>,
    threshold: f32,
    #[serde(default)]
    page_threshold: Option<PageThresholdFile>,
    #[serde(default)]
    base_score: f64,
    #[serde(default)]
    lexicon: rustc_hash::FxHashMap<String, f32>,
    #[serde(default)]
    page_model: Option<PageModelFile>,
    trees: Vec<TreeFile>,
    #[serde(default)]
    #[allow(dead_code)]
    trained: Option<serde_json::Value>,
}

/// One tree as a model file stores it: parallel arrays indexed by node,
/// node 0 the root, `feature` -1 for a leaf.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TreeFile {
    pub(crate) feature: Vec<i32>,
    pub(crate) threshold: Vec<f64>,
    pub(crate) left: Vec<u32>,
    pub(crate) right: Vec<u32>,
    pub(crate) value: Vec<f64>,
}

impl TreeFile {
    /// Checks that the arrays agree in length, that every split reads one of
    /// `features` inputs, and that children come after their parent (so
    /// every walk ends). The error names what is wrong, for tree `t`.
    pub(crate) fn check(&self, features: usize, t: usize) -> Result<(), String> {
        let nodes = self.feature.len();
        let same = [self.threshold.len(), self.left.len(), self.right.len(), self.value.len()]
            .iter()
            .all(|&len| len == nodes);
        if nodes == 0 || !same {
            return Err(format!("tree {t}: arrays differ in length"));
        }
        for node in 0..nodes {
            let Ok(feature) = usize::try_from(self.feature[node]) else {
                continue;
            };
            let (l, r) = (self.left[node] as usize, self.right[node] as usize);
            if feature >= features || l <= node || r <= node || l >= nodes || r >= nodes {
                return Err(format!("tree {t}: bad node {node}"));
            }
        }
        Ok(())
    }
}

impl Model {
    /// Parses a model file; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Model, Error> {
        let file: ModelFile = serde_json::from_str(text)
            .map_err(|e| Error::model(origin, format!("not a model file: {e}")))?;
        if file.format != FORMAT {
            return Err(Error::model(
                origin,
                format!("format is {:?}, this version reads {FORMAT:?}", file.format),
            ));
        }
        if file.features.iter().map(String::as_str).ne(FEATURE_NAMES.iter().copied()) {
            return Err(Error::model(
                origin,
                "trained on other features than this version computes; retrain it with \
                 scripts/train_model.py"
                    .to_string(),
            ));
        }
        if !(0.0..=1.0).contains(&file.threshold) {
            return Err(Error::model(origin, "threshold must be within 0..=1".to_string()));
        }
        let page_threshold = match file.page_threshold {
            None => None,
            Some(p) => {
                let Some(feature) = FEATURE_NAMES.iter().position(|&n| n == p.feature) else {
                    return Err(Error::model(origin, format!("unknown feature {:?}", p.feature)));
                };
                if !(0.0..=1.0).contains(&p.above) {
                    return Err(Error::model(origin, "threshold must be within 0..=1".to_string()));
                }
                Some(PageThreshold { feature, split: p.split, above: p.above })
            }
        };
        let mut flat = Vec::new();
        let mut leaves = Vec::new();
        let mut roots = Vec::with_capacity(file.trees.len());
        let mut splits = 0usize;
        for (t, tree) in file.trees.into_iter().enumerate() {
            tree.check(FEATURES, t).map_err(|message| Error::model(origin, message))?;
            let nodes = tree.feature.len();
            // Number the tree's splits and leaves in the flat arrays.
            let refs: Vec<Child> = tree
                .feature
                .iter()
                .zip(&tree.value)
                .map(|(&feature, &value)| {
                    let child = if feature < 0 {
                        leaves.push(value);
                        !(i32::try_from(leaves.len() - 1).ok()? as Child)
                    } else {
                        splits += 1;
                        i32::try_from(splits - 1).ok()? as Child
                    };
                    Some(child)
                })
                .collect::<Option<_>>()
                .ok_or_else(|| Error::model(origin, "too many tree nodes".to_string()))?;
            for k in 0..nodes {
                if tree.feature[k] >= 0 {
                    flat.push(Node {
                        threshold: f32_at_most(tree.threshold[k]),
                        feature: tree.feature[k] as u8,
                        children: [refs[tree.left[k] as usize], refs[tree.right[k] as usize]],
                    });
                }
            }
            roots.push(refs[0]);
        }
        let lexicon = Lexicon::checked(file.lexicon, origin)?;
        let page_model = file.page_model.map(|p| PageModel::from_file(p, origin)).transpose()?;
        let mut model = Model {
            nodes: flat,
            leaves,
            roots,
            walk: None,
            base_score: file.base_score,
            threshold: file.threshold,
            page_threshold,
            page_model,
            lexicon,
        };
        model.walk = model.walk(&[None; FEATURES]);
        Ok(model)
    }

    /// The embedded default model.
    pub fn default_model() -> Result<Model, Error> {
        Model::parse(DEFAULT_MODEL, "<default model>")
    }

    /// The probability below which a line is not body, for pages without
    /// a page-level threshold.
    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// The threshold for the line with features `row`: the page-level one
    /// when the row's page feature is above its split, else
    /// [`Model::threshold`].
    pub fn threshold_for(&self, row: &[f32]) -> f32 {
        match self.page_threshold {
            Some(p) if row.get(p.feature).is_some_and(|&x| f64::from(x) > p.split) => p.above,
            _ => self.threshold,
        }
    }

    /// Sets one probability below which a line is not body, for every page
    /// (any page-level threshold is dropped).
    pub fn set_threshold(&mut self, threshold: f32) {
        self.threshold = threshold.clamp(0.0, 1.0);
        self.page_threshold = None;
        self.page_model = None;
    }

    /// The page-threshold model, when the file has one: it picks each
    /// page's threshold from the page's scores (see [`crate::page_model`]).
    pub fn page_model(&self) -> Option<&PageModel> {
        self.page_model.as_ref()
    }

    /// The word evidence the model was trained with (empty when its file
    /// has none).
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// The number of trees.
    pub fn trees(&self) -> usize {
        self.roots.len()
    }

    /// The body probabilities of many lines of a matrix at once: `lines`
    /// are row indices, the result is in the same order. Equal to
    /// [`Model::predict`] on each row, bit for bit.
    ///
    /// With many lines, the trees are first specialised to the document:
    /// a split on a feature that has the same value in every row (the
    /// page-level features, the corpus features of a document cleaned
    /// alone) goes the same way for all of them, so the copy keeps only the
    /// side they take. Each line then walks shorter trees to the same
    /// leaves, and the leaf values are added in the same order.
    pub fn predict_rows(&self, matrix: &FeatureMatrix, lines: &[usize]) -> Vec<f32> {
        let Some((&first, rest)) = lines.split_first() else {
            return Vec::new();
        };
        let specialised = if lines.len() >= SPECIALISE_MIN_ROWS {
            let first = matrix.row(first);
            let mut fixed = [None; FEATURES];
            for (f, slot) in fixed.iter_mut().enumerate() {
                let bits = first[f].to_bits();
                if rest.iter().all(|&i| matrix.values[i * FEATURES + f].to_bits() == bits) {
                    *slot = Some(first[f]);
                }
            }
            self.walk(&fixed)
        } else {
            None
        };
        let walk = specialised.as_ref().or(self.walk.as_ref());
        let Some((walk, (nodes, mask))) = walk.and_then(|walk| Some((walk, walk.nodes()?))) else {
            // Trees whose shared children a copy would multiply: walk each
            // line alone through the model's own splits.
            let mut row = [0.0f32; ROW];
            return lines
                .iter()
                .map(|&i| {
                    row[..FEATURES].copy_from_slice(matrix.row(i));
                    self.probability(&row)
                })
                .collect();
        };
        // Eight lines walk each tree in lockstep: their steps are
        // independent, so the processor overlaps their loads, and a step
        // takes no branch. Up to the tree's shallowest leaf no line can have
        // arrived; after that the walk ends once all eight have (at the
        // latest after the tree's depth).
        let mut out = Vec::with_capacity(lines.len());
        let mut rows = [[0.0f32; ROW]; LANES];
        for chunk in lines.chunks(LANES) {
            // A short last chunk repeats its last line in the spare lanes,
            // which then end when it does.
            for (k, row) in rows.iter_mut().enumerate() {
                if let Some(&i) = chunk.get(k).or(chunk.last()) {
                    row[..FEATURES].copy_from_slice(matrix.row(i));
                }
            }
            let mut sums = [self.base_score; LANES];
            for tree in &walk.trees {
                let mut at = [tree.root as usize; LANES];
                for _ in 0..tree.min_depth {
                    step(nodes, mask, &mut at, &rows);
                }
                for _ in tree.min_depth..tree.depth {
                    if at_leaves(nodes, mask, &at) {
                        break;
                    }
                    step(nodes, mask, &mut at, &rows);
                }
                for (sum, &at) in sums.iter_mut().zip(&at) {
                    *sum += nodes.get(at & mask).map_or(0.0, |node| node.value);
                }
            }
            out.extend(sums[..chunk.len()].iter().map(|&sum| logistic(sum)));
        }
        out
    }

    /// The trees laid out as a [`Walk`] for rows whose feature `f` is
    /// `fixed[f]` when that is not `None`: splits on fixed features are
    /// resolved, the side not taken is dropped. Returns `None` when the copy
    /// would outgrow the model (a file whose splits share children, which
    /// a walk allows but a copy would multiply).
    fn walk(&self, fixed: &[Option<f32>; FEATURES]) -> Option<Walk> {
        // A real tree has at most twice as many nodes as splits, plus one:
        // beyond `limit` nodes the copy is multiplying shared children. The
        // limit is checked before each depth, whose nodes are at most twice
        // those before, so every index stays below `3 * limit`, within a
        // `u32`.
        let limit = (2 * self.nodes.len() + self.roots.len()).min(u32::MAX as usize / 4);
        let mut nodes: Vec<WalkNode> = Vec::with_capacity(self.nodes.len() + self.leaves.len());
        let mut trees = Vec::with_capacity(self.roots.len());
        // A tree's nodes breadth first, as the model's references: the one
        // at `queue[k]` is placed at `base + k`, so a split's children,
        // queued together, are adjacent.
        let mut queue: Vec<Child> = Vec::new();
        for &root in &self.roots {
            let base = nodes.len();
            queue.clear();
            queue.push(root);
            // The nodes at `depth` are `queue[start..end]`.
            let (mut start, mut depth, mut min_depth) = (0, 0, u32::MAX);
            loop {
                let end = queue.len();
                if base + end > limit {
                    return None;
                }
                for k in start..end {
                    let Some(&at) = queue.get(k) else { break };
                    let at = self.resolve(at, fixed);
                    match self.nodes.get(at as usize) {
                        Some(node) => {
                            let first = (base + queue.len()) as u32;
                            queue.extend(node.children);
                            let (threshold, feature) = (node.threshold, node.feature);
                            nodes.push(WalkNode { threshold, feature, first, value: 0.0 });
                        }
                        None => {
                            min_depth = min_depth.min(depth);
                            let value = self.leaves.get(!at as usize).copied().unwrap_or(0.0);
                            nodes.push(WalkNode::leaf(nodes.len() as u32, value));
                        }
                    }
                }
                // Only leaves at this depth: the tree is placed.
                if queue.len() == end {
                    break;
                }
                (start, depth) = (end, depth + 1);
            }
            trees.push(WalkTree { root: base as u32, min_depth, depth });
        }
        // At most `limit` nodes, so the padding's indices are below
        // `2 * limit`, within a `u32`.
        let padded = nodes.len().next_power_of_two();
        nodes.extend((nodes.len()..padded).map(|k| WalkNode::leaf(k as u32, 0.0)));
        Some(Walk { nodes, trees })
    }

    /// Where reference `at` leads for rows whose feature `f` is `fixed[f]`
    /// when that is not `None`: the first leaf or split on a feature that
    /// is not fixed.
    fn resolve(&self, mut at: Child, fixed: &[Option<f32>; FEATURES]) -> Child {
        while let Some(node) = self.nodes.get(at as usize) {
            match fixed.get(usize::from(node.feature)).copied().flatten() {
                Some(x) => at = node.children[side(x, node.threshold)],
                None => break,
            }
        }
        at
    }

    /// The probability from walking every tree of the model's own splits,
    /// one line at a time, for one padded row.
    fn probability(&self, row: &[f32; ROW]) -> f32 {
        let mut sum = self.base_score;
        for &root in &self.roots {
            let mut at = root;
            // Children are checked at parse to lead down the tree, so every
            // walk ends at a leaf.
            while let Some(node) = self.nodes.get(at as usize) {
                let x = row[usize::from(node.feature)];
                at = node.children[side(x, node.threshold)];
            }
            sum += self.leaves.get(!at as usize).copied().unwrap_or(0.0);
        }
        logistic(sum)
    }

    /// The body probability of one line's features (a row of
    /// [`FeatureMatrix`]). Rows shorter than [`FEATURES`] read missing
    /// values as 0.
    pub fn predict(&self, row: &[f32]) -> f32 {
        let mut padded = [0.0f32; ROW];
        let n = row.len().min(FEATURES);
        padded[..n].copy_from_slice(&row[..n]);
        self.probability(&padded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain loop over `char`s that [`CharCounts::of`] replaces.
    fn char_counts_reference(raw: &[u8]) -> CharCounts {
        let mut counts = CharCounts::default();
        let mut at_word_start = true;
        for c in bstr::ByteSlice::chars(raw) {
            counts.chars += 1;
            if c.is_whitespace() {
                at_word_start = true;
                continue;
            }
            if at_word_start && c.is_uppercase() {
                counts.title += 1;
            }
            at_word_start = false;
            if c.is_numeric() {
                counts.digits += 1;
            } else if !c.is_alphanumeric() {
                counts.puncts += 1;
                if is_separator(c) {
                    counts.seps += 1;
                }
            }
        }
        counts
    }

    #[test]
    fn char_class_table_is_the_char_methods() {
        for b in 0..128u8 {
            assert_eq!(CHAR_CLASS[usize::from(b)], char_class(char::from(b)), "{b:#04x}");
        }
    }

    #[test]
    fn char_counts_table() {
        for line in [
            &b""[..],
            b"Home | News \xc2\xbb Sport",
            b"  Hello,  World! 2024\r",
            "\u{bd} \u{2163} \u{660}\u{a0}\u{c9}t\u{e9} \u{130}x \u{1c5}".as_bytes(),
            b"a\xff\xfeb \xe2\x82 C\x0b\x1cD",
        ] {
            assert_eq!(CharCounts::of(line), char_counts_reference(line), "{line:?}");
        }
    }

    #[test]
    fn char_counts_of_general_punctuation() {
        for c in GENERAL_PUNCTUATION {
            let line = format!("a{c}B{c}");
            assert_eq!(
                CharCounts::of(line.as_bytes()),
                char_counts_reference(line.as_bytes()),
                "{c:?}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn char_counts_bytes(line in proptest::collection::vec(proptest::num::u8::ANY, 0..40)) {
            proptest::prop_assert_eq!(CharCounts::of(&line), char_counts_reference(&line));
        }

        #[test]
        fn char_counts_text(line in "(?s).{0,30}") {
            let line = line.as_bytes();
            proptest::prop_assert_eq!(CharCounts::of(line), char_counts_reference(line));
        }

        #[test]
        fn char_counts_words(line in "([a-zA-Z]{0,9}[ \t]{0,2}){0,8}[0-9.é]?([a-zA-Z]{0,9} ?){0,6}") {
            let line = line.as_bytes();
            proptest::prop_assert_eq!(CharCounts::of(line), char_counts_reference(line));
        }

        #[test]
        fn char_counts_mixed(line in "[a-zA-Z0-9 \t|/>.,:\u{a0}\u{bb}\u{2022}\u{2019}\u{2014}\u{203a}\u{2003}\u{2028}\u{c9}\u{e9}\u{130}\u{660}\u{bd}]{0,30}") {
            let line = line.as_bytes();
            proptest::prop_assert_eq!(CharCounts::of(line), char_counts_reference(line));
        }
    }

    fn stump(threshold: f32) -> String {
        let names: Vec<String> = FEATURE_NAMES.iter().map(|n| format!("{n:?}")).collect();
        format!(
            r#"{{"format":"declutter-model/1","features":[{}],"threshold":{threshold},
            "trees":[{{"feature":[1,-1,-1],"threshold":[5.0,0,0],"left":[1,0,0],
            "right":[2,0,0],"value":[0,-2.0,2.0]}}]}}"#,
            names.join(",")
        )
    }

    #[test]
    fn stump_splits_on_its_feature() {
        let model = Model::parse(&stump(0.5), "t").unwrap();
        let mut row = vec![0.0; FEATURES];
        row[1] = 5.0;
        assert!(model.predict(&row) < 0.2);
        row[1] = 5.5;
        assert!(model.predict(&row) > 0.8);
        assert_eq!(model.trees(), 1);
    }

    #[test]
    fn rejects_bad_files() {
        let good = stump(0.5);
        for (bad, why) in [
            (good.replace("declutter-model/1", "other/2"), "format"),
            (good.replace("\"len_log\"", "\"length\""), "features"),
            (good.replace("\"left\":[1,0,0]", "\"left\":[0,0,0]"), "cycle"),
            (good.replace("\"left\":[1,0,0]", "\"left\":[9,0,0]"), "out of range"),
            (good.replace("\"value\":[0,-2.0,2.0]", "\"value\":[0]"), "lengths"),
            (stump(1.5), "threshold"),
            ("{".to_string(), "json"),
        ] {
            assert!(Model::parse(&bad, "t").is_err(), "{why}");
        }
    }

    #[test]
    fn lexicon_and_page_model_are_read_and_checked() {
        let good = stump(0.5);
        let with_lexicon = good.replacen('{', r#"{"lexicon":{"share":-2.5,"the":1.0},"#, 1);
        let model = Model::parse(&with_lexicon, "t").unwrap();
        assert_eq!(model.lexicon().weight("share"), Some(-2.5));
        assert!(model.page_model().is_none());
        let no_lexicon = Model::parse(&good, "t").unwrap();
        assert!(no_lexicon.lexicon().is_empty());
        let page_names: Vec<String> =
            crate::page_model::PAGE_FEATURE_NAMES.iter().map(|n| format!("{n:?}")).collect();
        let page = format!(
            r#"{{"page_model":{{"features":[{}],"thresholds":[0.3,0.6],"trees":[
            {{"feature":[-1],"threshold":[0],"left":[0],"right":[0],"value":[0]}}]}},"#,
            page_names.join(",")
        );
        let mut model = Model::parse(&good.replacen('{', &page, 1), "t").unwrap();
        assert_eq!(model.page_model().map(|p| p.thresholds().len()), Some(2));
        // A threshold set by hand overrides the page model.
        model.set_threshold(0.4);
        assert!(model.page_model().is_none());
        let bad_page = page.replace("\"score_q10\"", "\"q10\"");
        assert!(Model::parse(&good.replacen('{', &bad_page, 1), "t").is_err());
    }

    #[test]
    fn f32_threshold_agrees_with_f64_comparison() {
        for t in [0.1f64, 0.5, -1.0, 1e-8, 3.4028234663852886e38, 0.30000001192092896, 2.5e-3] {
            let t32 = f32_at_most(t);
            let near = t as f32;
            for x in [near, -next_down(-near), next_down(near), t32] {
                assert_eq!(x <= t32, f64::from(x) <= t, "{x} vs {t}");
            }
        }
    }

    #[test]
    fn predict_rows_equals_predict() {
        let model = Model::default_model().unwrap();
        let mut values = Vec::new();
        for i in 0..21 {
            values.extend((0..FEATURES).map(|f| ((i * 7 + f * 13) % 17) as f32 / 9.0 - 0.5));
        }
        let matrix = FeatureMatrix { values };
        let lines: Vec<usize> = (0..21).rev().collect();
        let many = model.predict_rows(&matrix, &lines);
        for (k, &i) in lines.iter().enumerate() {
            assert_eq!(many[k], model.predict(matrix.row(i)));
        }
    }

    #[test]
    fn specialised_trees_equal_predict() {
        // Enough rows to specialise, with columns that are the same in
        // every row (as page-level features are) and columns that differ.
        let model = Model::default_model().unwrap();
        let mut values = Vec::new();
        for i in 0..40 {
            values.extend((0..FEATURES).map(|f| {
                if f % 3 == 0 {
                    (f as f32 * 0.37).sin()
                } else {
                    ((i * 7 + f * 13) % 17) as f32 / 9.0 - 0.5
                }
            }));
        }
        let matrix = FeatureMatrix { values };
        let lines: Vec<usize> = (0..40).collect();
        let many = model.predict_rows(&matrix, &lines);
        for &i in &lines {
            assert_eq!(many[i].to_bits(), model.predict(matrix.row(i)).to_bits());
        }
    }

    #[test]
    fn shared_children_do_not_multiply() {
        // Splits whose both sides lead to the next split: a walk is short,
        // a copy of every path would not be.
        let names: Vec<String> = FEATURE_NAMES.iter().map(|n| format!("{n:?}")).collect();
        let depth = 40;
        let feature: Vec<String> =
            (0..depth).map(|k| (k % 2).to_string()).chain(["-1".to_string()]).collect();
        let next: Vec<String> = (1..=depth).map(|k| k.to_string()).chain(["0".into()]).collect();
        let zeros = vec!["0"; depth + 1].join(",");
        let text = format!(
            r#"{{"format":"declutter-model/1","features":[{}],"threshold":0.5,
            "trees":[{{"feature":[{}],"threshold":[{zeros}],"left":[{n}],"right":[{n}],
            "value":[{zeros}]}}]}}"#,
            names.join(","),
            feature.join(","),
            n = next.join(","),
        );
        let model = Model::parse(&text, "t").unwrap();
        let mut values = vec![0.25; FEATURES * 20];
        for i in 0..20 {
            values[i * FEATURES] = i as f32 - 10.0;
            values[i * FEATURES + 1] = 10.0 - i as f32;
        }
        let matrix = FeatureMatrix { values };
        let lines: Vec<usize> = (0..20).collect();
        assert!(model.predict_rows(&matrix, &lines).iter().all(|&p| p == 0.5));
    }

    /// One node of a random tree for the proptests: its feature (an index
    /// into [`RANDOM_FEATURES`]), whether it is a leaf, its threshold (an
    /// index into [`RANDOM_THRESHOLDS`]), seeds for its children, its value.
    type RandomNode = (usize, bool, usize, u16, u16, f64);

    /// The columns random trees split on: a few, so that rows often agree
    /// on them, and the last one.
    const RANDOM_FEATURES: [usize; 5] = [0, 1, 2, 3, FEATURES - 1];

    /// The thresholds random trees split at, some not an `f32`.
    const RANDOM_THRESHOLDS: [f64; 6] = [0.5, 0.0, -1.0, 1.5, 0.30000001192092896, 1e-40];

    /// A random tree as the file's arrays: node `k`'s children are after
    /// it, chosen by its seeds, so splits may share children.
    fn random_tree(nodes: &[RandomNode]) -> TreeFile {
        let n = nodes.len();
        let mut tree = TreeFile {
            feature: Vec::new(),
            threshold: Vec::new(),
            left: Vec::new(),
            right: Vec::new(),
            value: Vec::new(),
        };
        for (k, &(feature, leaf, threshold, left, right, value)) in nodes.iter().enumerate() {
            let split = !leaf && k + 1 < n;
            let child = |seed: u16| if split { k + 1 + usize::from(seed) % (n - k - 1) } else { 0 };
            tree.feature.push(if split { RANDOM_FEATURES[feature] as i32 } else { -1 });
            tree.threshold.push(RANDOM_THRESHOLDS[threshold]);
            tree.left.push(child(left) as u32);
            tree.right.push(child(right) as u32);
            tree.value.push(value);
        }
        tree
    }

    /// The model file of `trees` with base score `base`.
    fn random_model(trees: &[TreeFile], base: f64) -> Model {
        let trees: Vec<serde_json::Value> = trees
            .iter()
            .map(|t| {
                serde_json::json!({"feature": t.feature, "threshold": t.threshold,
                    "left": t.left, "right": t.right, "value": t.value})
            })
            .collect();
        let file = serde_json::json!({"format": FORMAT, "features": FEATURE_NAMES,
            "threshold": 0.5, "base_score": base, "trees": trees});
        Model::parse(&file.to_string(), "t").unwrap()
    }

    /// The probability of `row` by walking the file's arrays, comparing in
    /// `f64` as the file means.
    fn reference_predict(trees: &[TreeFile], base: f64, row: &[f32]) -> f32 {
        let mut sum = base;
        for tree in trees {
            let mut k = 0;
            while let Ok(f) = usize::try_from(tree.feature[k]) {
                let goes_left = f64::from(row[f]) <= tree.threshold[k];
                k = if goes_left { tree.left[k] } else { tree.right[k] } as usize;
            }
            sum += tree.value[k];
        }
        logistic(sum)
    }

    /// A feature value: often one the thresholds make awkward.
    fn random_value() -> impl proptest::strategy::Strategy<Value = f32> {
        proptest::prop_oneof![
            proptest::strategy::Just(f32::NAN),
            proptest::strategy::Just(f32::INFINITY),
            proptest::strategy::Just(f32::NEG_INFINITY),
            proptest::strategy::Just(0.0),
            proptest::strategy::Just(-0.0),
            proptest::strategy::Just(0.5),
            proptest::strategy::Just(0.3),
            proptest::strategy::Just(1e-40),
            -3.0f32..3.0,
        ]
    }

    proptest::proptest! {
        /// `predict_rows` (specialised or not, walked in lockstep or, for
        /// files whose shared children would multiply, line by line) and
        /// `predict` agree with a walk of the file's arrays, bit for bit.
        #[test]
        fn predict_rows_is_the_reference(
            trees in proptest::collection::vec(
                proptest::collection::vec(
                    (0..RANDOM_FEATURES.len(), proptest::bool::weighted(0.3),
                        0..RANDOM_THRESHOLDS.len(), proptest::num::u16::ANY,
                        proptest::num::u16::ANY, -2.0f64..2.0),
                    1..12,
                ),
                1..6,
            ),
            base in -1.0f64..1.0,
            columns in proptest::collection::vec(
                (proptest::bool::ANY, proptest::collection::vec(random_value(), 40)),
                RANDOM_FEATURES.len(),
            ),
            lines in proptest::collection::vec(0usize..40, 1..40),
        ) {
            let trees: Vec<TreeFile> = trees.iter().map(|t| random_tree(t)).collect();
            let model = random_model(&trees, base);
            // Columns marked constant have one value in every row, as
            // page-level features do, so the trees are specialised to them.
            let mut values = vec![0.0f32; 40 * FEATURES];
            for (&f, (constant, column)) in RANDOM_FEATURES.iter().zip(&columns) {
                for (i, &x) in column.iter().enumerate() {
                    values[i * FEATURES + f] = if *constant { column[0] } else { x };
                }
            }
            let matrix = FeatureMatrix { values };
            let many = model.predict_rows(&matrix, &lines);
            proptest::prop_assert_eq!(many.len(), lines.len());
            for (&p, &i) in many.iter().zip(&lines) {
                let row = matrix.row(i);
                let expected = reference_predict(&trees, base, row);
                proptest::prop_assert_eq!(p.to_bits(), expected.to_bits());
                proptest::prop_assert_eq!(model.predict(row).to_bits(), expected.to_bits());
            }
        }
    }

    #[test]
    fn default_model_walks_in_lockstep() {
        // The default model's trees are real trees: its copy for the
        // lockstep walk does not outgrow it, with or without fixed features.
        let model = Model::default_model().unwrap();
        let walk = model.walk.as_ref().unwrap();
        assert_eq!(walk.trees.len(), model.trees());
        let placed = model.nodes.len() + model.leaves.len();
        assert_eq!(walk.nodes.len(), placed.next_power_of_two());
        let mut fixed = [None; FEATURES];
        fixed[FEATURES - 1] = Some(0.0);
        let specialised = model.walk(&fixed).unwrap();
        assert!(specialised.nodes.len().is_power_of_two());
        assert_eq!(specialised.trees.len(), model.trees());
    }

    #[test]
    fn default_model_loads() {
        let model = Model::default_model().unwrap();
        assert!(model.trees() > 0);
    }
}
