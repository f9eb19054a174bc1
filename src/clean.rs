//! The [`Cleaner`]: rules, detectors and classifier run over one document.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use bstr::ByteSlice;

use crate::classify::{self, Class, ClassifierConfig};
use crate::corpus::{self, Corpus};
use crate::error::Error;
use crate::lexicon::Lexicon;
use crate::lines::{split_lines, Folded};
use crate::matcher::Matcher;
use crate::model::{self, FeatureMatrix, Model};
use crate::page_model;
use crate::passes::{self, Doc};
use crate::rules::RuleSet;

/// Which stage of the cleaner removed something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Layer {
    /// A whole-line rule from the rule set (phrase, prefix, contains, shape).
    Rule,
    /// A section starter and the related-links block it opens.
    Section,
    /// A structural detector (breadcrumbs, repeated lines).
    Structure,
    /// The context classifier.
    Classifier,
    /// Corpus evidence: the line repeats across many documents of its group.
    Corpus,
    /// The learned line model.
    Model,
    /// A `strip` rule cut part of a kept line.
    Inline,
}

impl Layer {
    /// The layer's name as shown to users.
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Rule => "rule",
            Layer::Section => "section",
            Layer::Structure => "structure",
            Layer::Classifier => "classifier",
            Layer::Corpus => "corpus",
            Layer::Model => "model",
            Layer::Inline => "inline",
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One removal: a whole line, or (for [`Layer::Inline`]) part of a kept line.
#[derive(Debug, Clone, PartialEq)]
pub struct Removal {
    /// 1-based line number in the input.
    pub line: usize,
    /// Byte range of what was removed, in the input.
    pub range: Range<usize>,
    /// The name of the rule or detector that removed it.
    pub rule: Arc<str>,
    /// The stage that removed it.
    pub layer: Layer,
    /// The evidence behind a scored removal: the stop-word density for the
    /// context classifier, the share of the group's documents that contain
    /// the line for corpus evidence, the body probability for the line model.
    pub score: Option<f32>,
}

/// The result of cleaning one document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cleaned {
    /// The kept text: kept lines in order, trailing white space trimmed, runs
    /// of blank lines collapsed to one, no leading or trailing blank line,
    /// a final newline (the convention of text files; see
    /// [`Cleaned::end_like`] for text held in a field or a string); empty
    /// when nothing is kept.
    pub text: Vec<u8>,
    /// Every removal, in input order.
    pub removals: Vec<Removal>,
    /// Number of lines in the input.
    pub lines_in: usize,
    /// The body probability below which the line model removed lines on
    /// this page (chosen by the model's page-threshold model, or fixed), or
    /// `None` when the model did not decide (no model, `--no-classifier`, or
    /// too few candidate lines).
    pub model_threshold: Option<f32>,
}

impl Cleaned {
    /// Ends [`Cleaned::text`] as `input`, the document it was cleaned from,
    /// ends: drops the final newline when `input` has none.
    ///
    /// For text that is a value rather than a file (a JSONL record's field, a
    /// Python `str`): a value from which nothing was removed then comes back
    /// as it was, but for the white space the output normalises, instead of
    /// gaining the newline that a text file ends with. Only the last byte of
    /// `input` counts: `"a\n "` ends in a space, so its text gets no newline.
    pub fn end_like(&mut self, input: &[u8]) {
        if !input.ends_with(b"\n") && self.text.last() == Some(&b'\n') {
            self.text.pop();
        }
    }

    /// The removal of whole line `line` (1-based), if it was removed.
    pub fn removed_line(&self, line: usize) -> Option<&Removal> {
        let i = self.removals.partition_point(|r| r.line < line);
        self.removals[i..].iter().take_while(|r| r.line == line).find(|r| r.layer != Layer::Inline)
    }

    /// The number of whole lines removed.
    pub fn lines_removed(&self) -> usize {
        self.removals.iter().filter(|r| r.layer != Layer::Inline).count()
    }
}

/// Names of the built-in detectors, as they appear in removals.
pub mod detector {
    /// A copy of a short line repeated in the document that is not prose;
    /// one copy stays for the later passes to judge.
    pub const REPEATED: &str = "repeated-line";
    /// A later copy of a body line.
    pub const DUPLICATE: &str = "duplicate-line";
    /// A short line that its context marks as boilerplate.
    pub const SHORT: &str = "classifier:short-in-boilerplate";
    /// A long line with too few stop words to be prose.
    pub const LOW_STOPWORDS: &str = "classifier:few-stopwords";
    /// A prose-like line surrounded by boilerplate only.
    pub const ISOLATED: &str = "classifier:isolated";
    /// A line found in many documents of the same site or batch.
    pub const CORPUS_REPEATED: &str = "corpus:repeated-across-documents";
    /// A line the learned line model scores below its threshold.
    pub const MODEL: &str = "model:not-body";
}

/// Builds a [`Cleaner`].
#[derive(Debug, Clone)]
pub struct CleanerBuilder {
    default_rules: bool,
    extra: Vec<RuleSet>,
    classifier: bool,
    duplicates: bool,
    config: ClassifierConfig,
    model: ModelChoice,
    threshold: Option<f32>,
}

#[derive(Debug, Clone)]
enum ModelChoice {
    Default,
    Custom(Box<Model>),
    Off,
}

impl Default for CleanerBuilder {
    fn default() -> CleanerBuilder {
        CleanerBuilder::new()
    }
}

impl CleanerBuilder {
    /// A builder with the default configuration.
    pub fn new() -> CleanerBuilder {
        CleanerBuilder {
            default_rules: true,
            extra: Vec::new(),
            classifier: true,
            duplicates: true,
            config: ClassifierConfig::default(),
            model: ModelChoice::Default,
            threshold: None,
        }
    }

    /// Whether to start from the embedded default rules. Enabled by default.
    pub fn default_rules(&mut self, yes: bool) -> &mut CleanerBuilder {
        self.default_rules = yes;
        self
    }

    /// Adds rules on top of the others; a rule with an existing name replaces
    /// it. None are added by default.
    pub fn rules(&mut self, rules: RuleSet) -> &mut CleanerBuilder {
        self.extra.push(rules);
        self
    }

    /// Whether the line model or the context classifier removes lines no
    /// rule names. Enabled by default.
    pub fn classifier(&mut self, yes: bool) -> &mut CleanerBuilder {
        self.classifier = yes;
        self
    }

    /// Whether repeated lines are removed. Enabled by default.
    pub fn duplicates(&mut self, yes: bool) -> &mut CleanerBuilder {
        self.duplicates = yes;
        self
    }

    /// The classifier's thresholds. [`ClassifierConfig::default`] by default.
    pub fn classifier_config(&mut self, config: ClassifierConfig) -> &mut CleanerBuilder {
        self.config = config;
        self
    }

    /// Whether the learned line model decides which lines are body. When it
    /// is off, the context classifier (jusText-style) does. Enabled by
    /// default, with the embedded model ([`model::DEFAULT_MODEL`]).
    pub fn line_model(&mut self, yes: bool) -> &mut CleanerBuilder {
        self.model = if yes { ModelChoice::Default } else { ModelChoice::Off };
        self
    }

    /// Uses `model` instead of the embedded one (see [`Model::parse`]).
    pub fn model(&mut self, model: Model) -> &mut CleanerBuilder {
        self.model = ModelChoice::Custom(Box::new(model));
        self
    }

    /// Overrides the line model's body-probability threshold (0 to 1):
    /// lower keeps more. By default the model's own threshold applies.
    pub fn model_threshold(&mut self, threshold: f32) -> &mut CleanerBuilder {
        self.threshold = Some(threshold);
        self
    }

    /// Compiles the rules and returns the cleaner.
    pub fn build(&self) -> Result<Cleaner, Error> {
        let mut rules = if self.default_rules {
            RuleSet::parse(crate::rules::DEFAULT_RULES, crate::rules::DEFAULT_SOURCE)?
        } else {
            RuleSet::new()
        };
        for extra in &self.extra {
            rules.merge(extra.clone());
        }
        let matcher = Matcher::new(&rules)?;
        let mut model = match &self.model {
            ModelChoice::Default => Some(Model::default_model()?),
            ModelChoice::Custom(model) => Some((**model).clone()),
            ModelChoice::Off => None,
        };
        if let (Some(model), Some(threshold)) = (&mut model, self.threshold) {
            model.set_threshold(threshold);
        }
        Ok(Cleaner {
            inner: Arc::new(Inner {
                matcher,
                rules,
                model,
                classifier: self.classifier,
                duplicates: self.duplicates,
                config: self.config.clone(),
                repeated: Arc::from(detector::REPEATED),
                duplicate: Arc::from(detector::DUPLICATE),
                short: Arc::from(detector::SHORT),
                low_stopwords: Arc::from(detector::LOW_STOPWORDS),
                isolated: Arc::from(detector::ISOLATED),
                corpus_repeated: Arc::from(detector::CORPUS_REPEATED),
                model_reason: Arc::from(detector::MODEL),
            }),
        })
    }
}

/// Removes page chrome from documents. Built once, shared by all threads
/// (`Send + Sync`, cheap to clone).
///
/// # Example
/// ```
/// let cleaner = declutter::Cleaner::new()?;
/// let page = b"Skip to main content\nA short headline\n\nThe body of the article, which \
///     says what it has to say in one long sentence that runs on for a while.\n";
/// let cleaned = cleaner.clean(page);
/// assert!(!cleaned.text.starts_with(b"Skip"));
/// assert_eq!(&*cleaned.removals[0].rule, "skip-link");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Cleaner {
    inner: Arc<Inner>,
}

#[derive(Debug, Clone)]
struct Inner {
    matcher: Matcher,
    rules: RuleSet,
    model: Option<Model>,
    classifier: bool,
    duplicates: bool,
    config: ClassifierConfig,
    repeated: Arc<str>,
    duplicate: Arc<str>,
    short: Arc<str>,
    low_stopwords: Arc<str>,
    isolated: Arc<str>,
    corpus_repeated: Arc<str>,
    model_reason: Arc<str>,
}

impl Cleaner {
    /// A cleaner with the default rules and settings.
    pub fn new() -> Result<Cleaner, Error> {
        CleanerBuilder::new().build()
    }

    /// A builder, to configure a cleaner.
    pub fn builder() -> CleanerBuilder {
        CleanerBuilder::new()
    }

    /// A copy that shares nothing mutable with this one: its own regex
    /// caches and name strings. Clones share one regex cache pool, which
    /// threads then contend for; give each worker thread its own fork
    /// instead (as the regex crate advises for regexes).
    pub fn fork(&self) -> Cleaner {
        let mut inner = (*self.inner).clone();
        inner.repeated = Arc::from(detector::REPEATED);
        inner.duplicate = Arc::from(detector::DUPLICATE);
        inner.short = Arc::from(detector::SHORT);
        inner.low_stopwords = Arc::from(detector::LOW_STOPWORDS);
        inner.isolated = Arc::from(detector::ISOLATED);
        inner.corpus_repeated = Arc::from(detector::CORPUS_REPEATED);
        inner.model_reason = Arc::from(detector::MODEL);
        Cleaner { inner: Arc::new(inner) }
    }

    /// The rules this cleaner uses, after merging.
    pub fn rules(&self) -> &RuleSet {
        &self.inner.rules
    }

    /// Cleans one document. Never panics; invalid UTF-8 is kept as it is.
    pub fn clean(&self, input: &[u8]) -> Cleaned {
        self.clean_with_corpus(input, None)
    }

    /// Cleans one document with corpus evidence: the line counts of the
    /// document's group (its site, or the whole batch), which should include
    /// this document. Lines found in many documents of the group go unless
    /// they read as prose (see [`crate::corpus`]). `None` is [`Cleaner::clean`].
    pub fn clean_with_corpus(&self, input: &[u8], corpus: Option<&Corpus>) -> Cleaned {
        self.clean_scored(input, corpus, false).0
    }

    /// [`Cleaner::clean_with_corpus`] and [`Cleaner::line_scores`] at once,
    /// from one analysis of the document (for explaining it).
    pub fn clean_explained(
        &self,
        input: &[u8],
        corpus: Option<&Corpus>,
    ) -> (Cleaned, Vec<Option<f32>>) {
        let (cleaned, scores) = self.clean_scored(input, corpus, true);
        let scores = scores.unwrap_or_else(|| vec![None; cleaned.lines_in]);
        (cleaned, scores)
    }

    /// Cleans a document; with `want_scores`, also returns the line model's
    /// score of every line [`Cleaner::line_scores`] would score (`None`
    /// when no model is in use).
    fn clean_scored(
        &self,
        input: &[u8],
        corpus: Option<&Corpus>,
        want_scores: bool,
    ) -> (Cleaned, Option<Vec<Option<f32>>>) {
        let inner = &*self.inner;
        let mut doc = self.analyse(input, corpus);
        let n = doc.lines.len();
        let judged: Vec<usize> = (0..n).filter(|&i| doc.kept_line(i)).collect();
        let decides = inner.classifier && judged.len() >= MODEL_MIN_LINES;
        let scored = match &inner.model {
            Some(model) if decides || want_scores => {
                let matrix = model::line_features(&doc, corpus, model.lexicon());
                let scores = model.predict_rows(&matrix, &judged);
                Some((model, matrix, scores))
            }
            _ => None,
        };
        let line_scores = want_scores.then(|| {
            let mut all = vec![None; n];
            if let Some((_, _, scores)) = &scored {
                for (&i, &p) in judged.iter().zip(scores) {
                    all[i] = Some(p);
                }
            }
            all
        });
        let mut model_threshold = None;
        if !inner.classifier {
        } else if let Some((model, matrix, scores)) = scored.as_ref().filter(|_| decides) {
            let page_threshold = model.page_model().map(|page| {
                // The page model reads the lines with words, as in training.
                let (lines, worded): (Vec<usize>, Vec<f32>) = judged
                    .iter()
                    .zip(scores)
                    .filter(|(&i, _)| doc.features[i].words > 0)
                    .map(|(&i, &p)| (i, p))
                    .unzip();
                let chosen = page.threshold_for(matrix, &lines, &worded);
                // The page model's choice, tempered by the page's own
                // expected-F cut (their geometric mean): the two err on
                // different pages.
                let tokens: Vec<f32> =
                    lines.iter().map(|&i| doc.features[i].words as f32).collect();
                match page_model::expected_f_cut(&worded, &tokens) {
                    Some(cut) => (chosen * cut).sqrt(),
                    None => chosen,
                }
            });
            // Every threshold depends on page-level values only.
            model_threshold = page_threshold
                .or_else(|| judged.first().map(|&i| model.threshold_for(matrix.row(i))));
            for (&i, &p) in judged.iter().zip(scores) {
                let threshold =
                    page_threshold.unwrap_or_else(|| model.threshold_for(matrix.row(i)));
                if p < threshold {
                    doc.remove(i, &Arc::clone(&inner.model_reason), Layer::Model, Some(p));
                }
            }
            keep_title(&mut doc);
        } else if inner.classifier && has_body(&doc, &inner.config) {
            for i in 0..n {
                if doc.classes[i] != Class::Bad || doc.verdicts[i].is_some() {
                    continue;
                }
                let reason = match doc.initial[i] {
                    Class::Short => &inner.short,
                    Class::Bad => &inner.low_stopwords,
                    _ => &inner.isolated,
                };
                let score = Some(doc.features[i].stopword_density);
                doc.remove(i, &Arc::clone(reason), Layer::Classifier, score);
            }
        }
        let mut cleaned = self.assemble(&doc);
        cleaned.model_threshold = model_threshold;
        (cleaned, line_scores)
    }

    /// The line model's features for every line of a document, as the
    /// cleaner computes them before the model decides (for training a model
    /// and for explaining one). The word evidence comes from `lexicon`, else
    /// from the cleaner's model, else it is zero.
    pub fn features(
        &self,
        input: &[u8],
        corpus: Option<&Corpus>,
        lexicon: Option<&Lexicon>,
    ) -> FeatureMatrix {
        let doc = self.analyse(input, corpus);
        let empty = Lexicon::new();
        let lexicon =
            lexicon.or_else(|| self.inner.model.as_ref().map(|m| m.lexicon())).unwrap_or(&empty);
        model::line_features(&doc, corpus, lexicon)
    }

    /// The normalised words of every line of a document, as the lexicon
    /// reads them (see [`crate::lexicon`]), for training one.
    pub fn line_words(&self, input: &[u8]) -> Vec<Vec<String>> {
        let lines = split_lines(input);
        let folded = Folded::new(input, &lines);
        let mut scratch = String::new();
        (0..lines.len())
            .map(|i| {
                let mut words = Vec::new();
                Lexicon::words(folded.line(i), &mut scratch, |w| words.push(w.to_string()));
                words
            })
            .collect()
    }

    /// The line model's body probability for every line (`None` for blank
    /// lines, lines removed before the model and when no model is in use).
    pub fn line_scores(&self, input: &[u8], corpus: Option<&Corpus>) -> Vec<Option<f32>> {
        let doc = self.analyse(input, corpus);
        let Some(model) = &self.inner.model else {
            return vec![None; doc.lines.len()];
        };
        let matrix = model::line_features(&doc, corpus, model.lexicon());
        (0..doc.lines.len())
            .map(|i| doc.kept_line(i).then(|| model.predict(matrix.row(i))))
            .collect()
    }

    /// Runs the rules, detectors and context classifier: everything before
    /// the final keep-or-drop decision.
    fn analyse<'a>(&self, input: &'a [u8], corpus: Option<&Corpus>) -> Doc<'a> {
        let inner = &*self.inner;
        let matcher = &inner.matcher;
        let lines = split_lines(input);
        let folded = Folded::new(input, &lines);
        let mut hits = matcher.scan(input, &lines, &folded);
        let language = crate::lang::detect_lines(
            (0..lines.len()).filter(|&i| folded.words[i] >= 6).map(|i| folded.line(i)),
        );
        if language.is_some() && inner.rules.rules().iter().any(|r| !r.languages.is_empty()) {
            let rules = inner.rules.rules();
            hits.retain(|r| rules.get(r as usize).is_none_or(|rule| rule.applies_to(language)));
        }
        let features = classify::features(input, &lines, &folded, language);
        let initial: Vec<Class> =
            features.iter().map(|f| classify::initial_class(f, &inner.config)).collect();
        let n = lines.len();
        let mut doc = Doc {
            input,
            lines,
            folded,
            hits,
            features,
            initial,
            classes: Vec::new(),
            verdicts: vec![None; n],
            corpus_counts: Vec::new(),
        };
        // Each line's count is looked up once, for the corpus rule and the
        // line model both; a group too small to compare with is never used.
        if let Some(corpus) = corpus.filter(|c| c.documents() >= model::MIN_CORPUS_DOCUMENTS) {
            let mut scratch = Vec::new();
            doc.corpus_counts = doc
                .lines
                .iter()
                .map(|l| {
                    corpus::fingerprint_with(&input[l.content.clone()], &mut scratch)
                        .map_or(0, |fp| corpus.count(fp))
                })
                .collect();
        }

        passes::line_rules(&mut doc, matcher);
        passes::breadcrumbs(&mut doc, matcher);
        passes::sections(&mut doc, matcher);
        passes::tail_templates(&mut doc, matcher);

        let fixed: Vec<bool> = doc.verdicts.iter().map(Option::is_some).collect();
        let seeded: Vec<Class> =
            doc.initial.iter().zip(&fixed).map(|(&c, &f)| if f { Class::Bad } else { c }).collect();
        doc.classes = classify::revise(&seeded, &fixed, &doc.features, &inner.config);
        if let Some(corpus) = corpus {
            repeated_across_documents(&mut doc, corpus, &inner.corpus_repeated);
        }

        if inner.duplicates {
            passes::duplicates(&mut doc, &inner.repeated, &inner.duplicate);
        }
        doc
    }

    /// Writes the kept lines and collects the removals.
    fn assemble(&self, doc: &Doc) -> Cleaned {
        let matcher = &self.inner.matcher;
        let mut text = Vec::with_capacity(doc.input.len());
        let mut removals = Vec::new();
        let mut pending_blank = false;
        let mut scratch = Vec::new();
        for (i, line) in doc.lines.iter().enumerate() {
            if let Some(v) = &doc.verdicts[i] {
                removals.push(Removal {
                    line: i + 1,
                    range: line.range.clone(),
                    rule: Arc::clone(&v.rule),
                    layer: v.layer,
                    score: v.score,
                });
                continue;
            }
            if line.is_blank() {
                pending_blank = !text.is_empty();
                continue;
            }
            // Leading white space is the line's own; trailing white space goes.
            let kept = &doc.input[line.range.start..line.content.end];
            let lead = line.content.start - line.range.start;
            let strips = matcher.strips_folded(&kept[lead..], Some(doc.folded.line(i)));
            let kept: &[u8] = if strips.is_empty() {
                kept
            } else {
                scratch.clear();
                let mut at = 0;
                for (range, rule) in &strips {
                    let cut = lead + range.start..lead + range.end;
                    scratch.extend_from_slice(&kept[at..cut.start]);
                    at = cut.end;
                    removals.push(Removal {
                        line: i + 1,
                        range: line.range.start + cut.start..line.range.start + cut.end,
                        rule: Arc::clone(&matcher.rule(*rule).name),
                        layer: Layer::Inline,
                        score: None,
                    });
                }
                scratch.extend_from_slice(&kept[at..]);
                let visible = scratch.trim_end().len();
                scratch.truncate(visible);
                &scratch
            };
            if kept.trim().is_empty() {
                continue;
            }
            if pending_blank {
                text.push(b'\n');
                pending_blank = false;
            }
            text.extend_from_slice(kept);
            text.push(b'\n');
        }
        Cleaned { text, removals, lines_in: doc.lines.len(), model_threshold: None }
    }
}

/// The fewest lines a document must have left after the rules for the line
/// model to judge them: a line or two carry no context to judge by (a short
/// post, a caption on its own), so they stay.
const MODEL_MIN_LINES: usize = 3;

/// Keeps the headline: the line shaped like a heading that stands right
/// before the first body line the model kept, with only blank lines or
/// lines removed by rules and detectors between them. Benchmarks often leave
/// the title out of the gold text, so the model learns to drop it; but a
/// reader of the cleaned article expects its headline.
fn keep_title(doc: &mut Doc) {
    let Some(first_body) = (0..doc.lines.len())
        .find(|&i| doc.kept_line(i) && matches!(doc.initial[i], Class::Good | Class::NearGood))
    else {
        return;
    };
    for i in (0..first_body).rev() {
        if doc.lines[i].is_blank() {
            continue;
        }
        match &doc.verdicts[i] {
            None => return,
            Some(v) if v.layer == Layer::Model => {
                if doc.features[i].heading_like {
                    doc.verdicts[i] = None;
                }
                return;
            }
            Some(_) => {}
        }
    }
}

/// The fewest other documents of its group a line must be found in to count
/// as repeated.
const CORPUS_MIN_OTHERS: u32 = 3;
/// The least share of the other documents of its group a repeated line must
/// be found in.
const CORPUS_MIN_SHARE: f32 = 0.1;

/// Lines found in many documents of the group, unless they read as prose.
fn repeated_across_documents(doc: &mut Doc, corpus: &Corpus, rule: &Arc<str>) {
    if corpus.documents() < model::MIN_CORPUS_DOCUMENTS {
        return;
    }
    let others = corpus.documents().saturating_sub(1) as f32;
    let need = CORPUS_MIN_OTHERS.max((CORPUS_MIN_SHARE * others).ceil() as u32);
    for i in 0..doc.lines.len() {
        // Prose by its own features is body even when repeated (a quoted
        // statement, a syndicated paragraph); a heading is not exempt: a
        // headline is unique to its article, a repeated one is template.
        if !doc.kept_line(i) || doc.initial[i] == Class::Good {
            continue;
        }
        let found_elsewhere = doc.corpus_counts.get(i).map_or(0, |n| n.saturating_sub(1));
        if found_elsewhere >= need {
            doc.remove(i, rule, Layer::Corpus, Some(found_elsewhere as f32 / others));
        }
    }
}

/// Whether the document has enough prose for the classifier to trust its
/// edges (see [`ClassifierConfig::min_body_share`]); otherwise only rules
/// and detectors apply.
fn has_body(doc: &Doc, config: &ClassifierConfig) -> bool {
    let mut good = 0;
    let mut total = 0;
    let mut block = 0;
    let mut largest_block = 0;
    for i in 0..doc.lines.len() {
        if doc.lines[i].is_blank() || doc.verdicts[i].is_some() {
            continue;
        }
        let length = doc.features[i].length;
        total += length;
        if doc.classes[i] == Class::Good {
            good += length;
            block += length;
            largest_block = largest_block.max(block);
        } else {
            block = 0;
        }
    }
    // A single block of prose may be a short article in heavy chrome, or the
    // intro of a listing; only the first is a fair share of the page.
    let one_block = largest_block as f32 >= config.min_block_share * good as f32
        && good as f32 >= config.min_block_body_share * total as f32;
    good >= config.length_high
        && (good as f32 >= config.min_body_share * total as f32
            || good >= config.min_body_length
            || one_block)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + std::panic::UnwindSafe + std::panic::RefUnwindSafe>() {}

    #[test]
    fn oibits() {
        assert_send_sync::<Cleaner>();
        assert_send_sync::<Matcher>();
        assert_send_sync::<Error>();
        assert_send_sync::<Cleaned>();
    }

    fn clean(text: &str) -> String {
        let cleaner = Cleaner::new().expect("default cleaner");
        String::from_utf8(cleaner.clean(text.as_bytes()).text).expect("utf8")
    }

    #[test]
    fn empty_input_is_empty_output() {
        assert_eq!(clean(""), "");
        assert_eq!(clean("\n\n  \n"), "");
    }

    #[test]
    fn output_normalises_blank_lines() {
        let body = "The committee said on Tuesday that it would not be able to reach a decision \
                    before the end of the year, as the members were still waiting for a report.";
        let got = clean(&format!("\n\n{body}  \r\n\n\n\n{body} again.\n\n"));
        assert_eq!(got, format!("{body}\n\n{body} again.\n"));
    }

    #[test]
    fn end_like_keeps_the_input_s_final_newline_or_its_absence() {
        let cleaner = Cleaner::new().expect("default cleaner");
        let body = "The committee said on Tuesday that it would not be able to reach a decision \
                    before the end of the year, as the members were still waiting for a report.";
        for (input, want) in [
            (body.to_string(), body.to_string()),
            (format!("{body}\n"), format!("{body}\n")),
            (format!("{body}\r\n"), format!("{body}\n")),
            (format!("{body}\n\n"), format!("{body}\n")),
            (format!("{body}\n\nSkip to main content"), body.to_string()),
            (format!("Skip to main content\n{body}"), body.to_string()),
            ("Skip to main content".to_string(), String::new()),
            (String::new(), String::new()),
        ] {
            let mut cleaned = cleaner.clean(input.as_bytes());
            cleaned.end_like(input.as_bytes());
            assert_eq!(String::from_utf8_lossy(&cleaned.text), want, "{input:?}");
        }
    }

    #[test]
    fn clean_explained_is_clean_and_line_scores() {
        let cleaner = Cleaner::new().expect("default cleaner");
        let body = "The committee said on Tuesday that it would not be able to reach a decision \
                    before the end of the year, as the members were still waiting for a report.";
        let page = format!(
            "Skip to main content\nHome\nNews\nSport\n\nA headline here\n{body}\n{body} Again.\n\
             Share this\nRead more\nAbout us\n"
        );
        for input in ["", "one line\n", "a\nb\n", page.as_str()] {
            let (cleaned, scores) = cleaner.clean_explained(input.as_bytes(), None);
            assert_eq!(cleaned, cleaner.clean(input.as_bytes()));
            let want = cleaner.line_scores(input.as_bytes(), None);
            let bits =
                |s: &[Option<f32>]| s.iter().map(|p| p.map(f32::to_bits)).collect::<Vec<_>>();
            assert_eq!(bits(&scores), bits(&want));
        }
    }

    #[test]
    fn invalid_utf8_lines_kept_byte_for_byte() {
        let cleaner = Cleaner::new().expect("default cleaner");
        let mut input = b"Skip to main content\n".to_vec();
        let body: &[u8] = b"The committee said on Tuesday that it would not be able to reach a \
            decision \xff\xfe before the end of the year, as the members were still waiting.";
        input.extend_from_slice(body);
        let got = cleaner.clean(&input);
        assert_eq!(got.text, [body, b"\n"].concat());
    }
}
