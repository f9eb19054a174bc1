//! The multi-pattern matcher: which rules hit which lines.
//!
//! All phrases of all phrase rules go into ONE Aho-Corasick automaton, run
//! once over the folded text of the whole document; all `shape` regexes go
//! into ONE [`RegexSet`], run once per line. Both are compiled when the
//! [`Matcher`] is built and shared read-only between threads.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::bytes::{Regex, RegexSet, RegexSetBuilder};

use crate::error::Error;
use crate::fold::{fold_phrase, is_unspaced_script};
use crate::lines::{Folded, Line};
use crate::rules::{Rule, RuleKind, RuleSet, Scope};

/// The default word limit of a `section` header line.
const SECTION_MAX_WORDS: usize = 25;
/// The size limit of one compiled regex, generous for long alternations.
const REGEX_SIZE_LIMIT: usize = 64 << 20;

/// What the matcher keeps of a rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleInfo {
    /// The rule's name, the removal reason.
    pub name: Arc<str>,
    /// How it matches.
    pub kind: RuleKind,
    /// Word limit of matching lines.
    pub max_words: Option<usize>,
    /// Where it may fire.
    pub scope: Scope,
    /// Whether it ends a teaser unit in a related-links section.
    pub marker: bool,
}

/// An index into [`Matcher::rules`].
pub type RuleIndex = u32;

/// A compiled rule set.
#[derive(Debug, Clone)]
pub struct Matcher {
    rules: Vec<RuleInfo>,
    phrases: Option<AhoCorasick>,
    /// For each automaton pattern: the rules that own it (a folded phrase may
    /// belong to several rules).
    pattern_rules: Vec<Vec<RuleIndex>>,
    /// For each automaton pattern: whether its first and last characters need
    /// a word boundary next to them.
    pattern_bounds: Vec<(bool, bool)>,
    shapes: Option<RegexSet>,
    shape_rules: Vec<RuleIndex>,
    strips: Vec<(RuleIndex, Regex)>,
}

/// The rules that hit each line of one document.
#[derive(Debug, Default, Clone)]
pub struct Hits {
    /// `(line, rule)` pairs, sorted and unique.
    pairs: Vec<(u32, RuleIndex)>,
    /// `pairs[offsets[i]..offsets[i + 1]]` are line `i`'s hits.
    offsets: Vec<u32>,
}

impl Hits {
    /// Keeps only the hits of rules for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(RuleIndex) -> bool) {
        let mut offsets = Vec::with_capacity(self.offsets.len());
        let mut pairs = Vec::with_capacity(self.pairs.len());
        for i in 0..self.offsets.len().saturating_sub(1) {
            offsets.push(pairs.len() as u32);
            let (a, b) = (self.offsets[i] as usize, self.offsets[i + 1] as usize);
            pairs.extend(self.pairs[a..b].iter().copied().filter(|&(_, r)| keep(r)));
        }
        offsets.push(pairs.len() as u32);
        self.pairs = pairs;
        self.offsets = offsets;
    }

    /// The rules hitting line `i`, in rule order.
    pub fn line(&self, i: usize) -> impl Iterator<Item = RuleIndex> + '_ {
        let (a, b) = match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&a), Some(&b)) => (a as usize, b as usize),
            _ => (0, 0),
        };
        self.pairs[a..b].iter().map(|&(_, r)| r)
    }
}

impl Matcher {
    /// Compiles `rules`.
    pub fn new(rules: &RuleSet) -> Result<Matcher, Error> {
        let mut infos = Vec::with_capacity(rules.len());
        let mut pattern_ids: HashMap<String, usize> = HashMap::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut pattern_rules: Vec<Vec<RuleIndex>> = Vec::new();
        let mut shape_sources: Vec<String> = Vec::new();
        let mut shape_rules = Vec::new();
        let mut strips = Vec::new();

        for (index, rule) in rules.rules().iter().enumerate() {
            let index = index as RuleIndex;
            let source = rule_source(rule);
            infos.push(RuleInfo {
                name: Arc::from(rule.name.as_str()),
                kind: rule.kind,
                max_words: rule.max_words.or(match rule.kind {
                    RuleKind::Section => Some(SECTION_MAX_WORDS),
                    _ => None,
                }),
                scope: rule.scope,
                marker: rule.marker,
            });
            match rule.kind {
                RuleKind::Shape => {
                    for pattern in &rule.patterns {
                        compile(pattern, rule, &source)?;
                        shape_sources.push(pattern.clone());
                        shape_rules.push(index);
                    }
                }
                RuleKind::Strip => {
                    for pattern in &rule.patterns {
                        strips.push((index, compile(pattern, rule, &source)?));
                    }
                }
                _ => {
                    for phrase in &rule.phrases {
                        let folded = fold_phrase(phrase);
                        if folded.is_empty() {
                            return Err(Error::invalid_rule(
                                &source,
                                &rule.name,
                                format!("phrase {phrase:?} has no letters or digits"),
                            ));
                        }
                        let id = *pattern_ids.entry(folded.clone()).or_insert_with(|| {
                            patterns.push(folded);
                            pattern_rules.push(Vec::new());
                            patterns.len() - 1
                        });
                        if !pattern_rules[id].contains(&index) {
                            pattern_rules[id].push(index);
                        }
                    }
                }
            }
        }

        let phrases = if patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    .build(&patterns)
                    .map_err(|e| Error::automaton(e.to_string()))?,
            )
        };
        let pattern_bounds = patterns
            .iter()
            .map(|p| {
                let first = p.chars().next().is_some_and(needs_boundary);
                let last = p.chars().next_back().is_some_and(needs_boundary);
                (first, last)
            })
            .collect();
        let shapes = if shape_sources.is_empty() {
            None
        } else {
            Some(
                RegexSetBuilder::new(&shape_sources)
                    .size_limit(REGEX_SIZE_LIMIT)
                    .dfa_size_limit(REGEX_SIZE_LIMIT)
                    .build()
                    .map_err(|e| Error::automaton(e.to_string()))?,
            )
        };
        Ok(Matcher {
            rules: infos,
            phrases,
            pattern_rules,
            pattern_bounds,
            shapes,
            shape_rules,
            strips,
        })
    }

    /// The compiled rules, indexed by [`RuleIndex`].
    pub fn rules(&self) -> &[RuleInfo] {
        &self.rules
    }

    /// The rule at `index`.
    pub fn rule(&self, index: RuleIndex) -> &RuleInfo {
        &self.rules[index as usize]
    }

    /// Finds every rule hit on every line of a document.
    ///
    /// Phrase rules are checked against the folded lines; `shape` rules against
    /// each line's trimmed original bytes. `strip` rules are not reported here
    /// (see [`Matcher::strips`]); `scope` is left to the caller, which knows
    /// where the body ends.
    pub fn scan(&self, input: &[u8], lines: &[Line], folded: &Folded) -> Hits {
        let mut pairs: Vec<(u32, RuleIndex)> = Vec::new();
        if let Some(ac) = &self.phrases {
            for m in ac.find_overlapping_iter(&folded.text) {
                let line = folded.line_at(m.start());
                let span = folded.spans[line].clone();
                let pattern = m.pattern().as_usize();
                let at_start = m.start() == span.start;
                let at_end = m.end() == span.end;
                // A phrase without a final colon also matches the line with one.
                let at_end_or_colon =
                    at_end || m.end() + 1 == span.end && folded.text.as_bytes()[m.end()] == b':';
                let (need_left, need_right) = self.pattern_bounds[pattern];
                let left_ok = at_start || !need_left || !word_char_before(&folded.text, m.start());
                let right_ok = at_end || !need_right || !word_char_at(&folded.text, m.end());
                for &rule in &self.pattern_rules[pattern] {
                    let info = &self.rules[rule as usize];
                    let kind_ok = match info.kind {
                        RuleKind::Line => at_start && at_end_or_colon,
                        RuleKind::Prefix | RuleKind::Section => at_start && right_ok,
                        RuleKind::Contains => left_ok && right_ok,
                        RuleKind::Breadcrumb => at_start,
                        RuleKind::Shape | RuleKind::Strip => false,
                    };
                    if kind_ok && within_words(info, folded.words[line]) {
                        pairs.push((line as u32, rule));
                    }
                }
            }
        }
        if let Some(set) = &self.shapes {
            for (i, line) in lines.iter().enumerate() {
                if line.is_blank() {
                    continue;
                }
                for pattern in set.matches(&input[line.content.clone()]).iter() {
                    let rule = self.shape_rules[pattern];
                    if within_words(&self.rules[rule as usize], folded.words[i]) {
                        pairs.push((i as u32, rule));
                    }
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut offsets = Vec::with_capacity(lines.len() + 1);
        let mut next = 0usize;
        for i in 0..=lines.len() {
            while next < pairs.len() && (pairs[next].0 as usize) < i {
                next += 1;
            }
            offsets.push(next as u32);
        }
        Hits { pairs, offsets }
    }

    /// The byte ranges (relative to `content`) that `strip` rules cut from a
    /// kept line, each with its rule, sorted and non-overlapping.
    pub fn strips(&self, content: &[u8]) -> Vec<(Range<usize>, RuleIndex)> {
        let mut found: Vec<(Range<usize>, RuleIndex)> = Vec::new();
        for (rule, regex) in &self.strips {
            for m in regex.find_iter(content) {
                if !m.range().is_empty() {
                    found.push((m.range(), *rule));
                }
            }
        }
        found.sort_by_key(|(range, _)| (range.start, std::cmp::Reverse(range.end)));
        let mut merged: Vec<(Range<usize>, RuleIndex)> = Vec::with_capacity(found.len());
        for (range, rule) in found {
            match merged.last_mut() {
                Some((last, _)) if range.start < last.end => last.end = last.end.max(range.end),
                _ => merged.push((range, rule)),
            }
        }
        merged
    }
}

fn rule_source(rule: &Rule) -> String {
    rule.origin
        .as_deref()
        .and_then(|o| o.rsplit_once(':').map(|(file, _)| file.to_string()))
        .unwrap_or_else(|| "<rules>".to_string())
}

fn rule_line(rule: &Rule) -> Option<usize> {
    rule.origin.as_deref().and_then(|o| o.rsplit_once(':')).and_then(|(_, l)| l.parse().ok())
}

fn compile(pattern: &str, rule: &Rule, source: &str) -> Result<Regex, Error> {
    regex::bytes::RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| Error::bad_regex(source, &rule.name, rule_line(rule), e.to_string()))
}

fn within_words(info: &RuleInfo, words: usize) -> bool {
    info.max_words.is_none_or(|max| words <= max)
}

fn needs_boundary(c: char) -> bool {
    c.is_alphanumeric() && !is_unspaced_script(c)
}

fn word_char_before(text: &str, at: usize) -> bool {
    text[..at].chars().next_back().is_some_and(needs_boundary)
}

fn word_char_at(text: &str, at: usize) -> bool {
    text[at..].chars().next().is_some_and(needs_boundary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lines::split_lines;

    fn hits(rules: &str, text: &str) -> Vec<Vec<String>> {
        let set = RuleSet::parse(rules, "t").expect("rules");
        let matcher = Matcher::new(&set).expect("matcher");
        let lines = split_lines(text.as_bytes());
        let folded = Folded::new(text.as_bytes(), &lines);
        let hits = matcher.scan(text.as_bytes(), &lines, &folded);
        (0..lines.len())
            .map(|i| hits.line(i).map(|r| matcher.rule(r).name.to_string()).collect())
            .collect()
    }

    const RULES: &str = r#"
[[rule]]
name = "skip"
kind = "line"
phrases = ["Skip to main content", "Read more »", "Editors' Recommendations"]

[[rule]]
name = "similar"
kind = "section"
phrases = ["Similar News:"]

[[rule]]
name = "enjoyed"
kind = "contains"
phrases = ["hope you have enjoyed"]

[[rule]]
name = "share"
kind = "prefix"
phrases = ["Share on"]
max_words = 4

[[rule]]
name = "counter"
kind = "shape"
patterns = ['(?i)^bookmark\s*\(\d+\)$']

[[rule]]
name = "more-zh"
kind = "line"
phrases = ["阅读更多"]
"#;

    macro_rules! t {
        ($name:ident, $text:expr, $expected:expr) => {
            #[test]
            fn $name() {
                let expected: Vec<Vec<&str>> = $expected;
                let got = hits(RULES, $text);
                assert_eq!(got, expected, "text: {:?}", $text);
            }
        };
    }

    t!(m010_empty, "", vec![]);
    t!(m020_whole_line, "Skip to main content\n", vec![vec!["skip"]]);
    t!(m030_case_and_space, "  SKIP  to\u{a0}main content \r\n", vec![vec!["skip"]]);
    t!(m040_not_whole, "Skip to main content now\n", vec![vec![]]);
    t!(m050_edge_punct, "Read more\nRead more:\n» Read more »", vec![vec!["skip"]; 3]);
    t!(
        m055_colon_phrase_needs_colon,
        "Similar News\nSimilar News: a b",
        vec![vec![], vec!["similar"]]
    );
    t!(m060_curly, "Editors\u{2019} Recommendations", vec![vec!["skip"]]);
    t!(m070_section_prefix, "Similar News:You can also read", vec![vec!["similar"]]);
    t!(m080_contains, "The team at X hope you have enjoyed the article.", vec![vec!["enjoyed"]]);
    t!(m090_contains_boundary, "we hope you have enjoyedness", vec![vec![]]);
    t!(
        m100_prefix_max_words,
        "Share on Facebook\nShare on a lovely sunny day out",
        vec![vec!["share"], vec![]]
    );
    t!(m110_shape, "Bookmark (0)\nBookmark (12) me", vec![vec!["counter"], vec![]]);
    t!(m120_cjk, "阅读更多\n", vec![vec!["more-zh"]]);
    t!(m130_invalid_utf8_no_panic, "Skip to main content\n\u{fffd}", vec![vec!["skip"], vec![]]);
    t!(m140_no_final_newline, "x\nRead more", vec![vec![], vec!["skip"]]);

    #[test]
    fn bad_regex_names_rule_and_line() {
        let set = RuleSet::parse(
            "\n[[rule]]\nname = 'broken'\nkind = 'shape'\npatterns = ['(']\n",
            "r.toml",
        )
        .expect("parses");
        let err = Matcher::new(&set).expect_err("must fail").to_string();
        assert!(err.starts_with("r.toml:3: rule 'broken': bad regex"), "{err}");
    }

    #[test]
    fn strips_merge_overlaps() {
        let set = RuleSet::parse(
            "[[rule]]\nname='more'\nkind='strip'\npatterns=['\\s*Read more\\s*»$', 'more\\s*»$']\n",
            "t",
        )
        .expect("rules");
        let matcher = Matcher::new(&set).expect("matcher");
        let line = "Body text. Read more »".as_bytes();
        let strips = matcher.strips(line);
        assert_eq!(strips.len(), 1);
        assert_eq!(&line[..strips[0].0.start], b"Body text.");
    }
}
