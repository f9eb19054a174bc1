//! The multi-pattern matcher: which rules hit which lines.
//!
//! Phrases go into two Aho-Corasick automata over folded lines: every phrase
//! of a rule anchored at the line start (`line`, `prefix`, `section`,
//! `breadcrumb`) into one anchored automaton (a contiguous NFA: a few
//! hundred kilobytes where a DFA of the same phrases took 8 MB and a third
//! of the start-up time) walked from the start of each line, which
//! stops as soon as no phrase can begin the line (a few bytes on most
//! lines); the phrases of `contains` rules into one automaton searched
//! through the lines short enough for those rules' word limits. `shape`
//! regexes run one by one, and only on lines their [`Gate`] admits: the
//! first and last bytes, length and word count a match needs are read off
//! each pattern, so most lines reach no regex engine at all. Everything is
//! compiled when the [`Matcher`] is built and shared read-only between
//! threads.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use aho_corasick::automaton::Automaton;
use aho_corasick::nfa::contiguous::NFA;
use aho_corasick::{Anchored, MatchKind};
use regex::bytes::Regex;
use regex_syntax::hir::Hir;

use crate::error::Error;
use crate::fold::{fold_phrase, is_unspaced_script};
use crate::gate::{self, Gate, GateSet, Needles};
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
    /// The phrases of rules anchored at the line start, walked from there.
    anchored: Option<NFA>,
    /// For each pattern of `anchored`: the index of its phrase.
    anchored_ids: Vec<usize>,
    /// The phrases of `contains` rules.
    contains: Option<Needles>,
    /// For each pattern of `contains`: the index of its phrase.
    contains_ids: Vec<usize>,
    /// The largest word limit of a `contains` rule (none: no limit).
    contains_max_words: Option<usize>,
    /// For each phrase: the rules that own it (a folded phrase may belong to
    /// several rules).
    pattern_rules: Vec<Vec<RuleIndex>>,
    /// For each phrase: whether its first and last characters need a word
    /// boundary next to them.
    pattern_bounds: Vec<(bool, bool)>,
    shapes: Vec<Regex>,
    shape_gates: GateSet,
    shape_rules: Vec<RuleIndex>,
    strips: Vec<(RuleIndex, Regex)>,
    strip_gates: GateSet,
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
        let mut shapes = Vec::new();
        let mut shape_gates = Vec::new();
        let mut shape_rules = Vec::new();
        let mut strips = Vec::new();
        let mut strip_gates = Vec::new();

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
            let max_words = infos[index as usize].max_words;
            match rule.kind {
                RuleKind::Shape => {
                    for pattern in &rule.patterns {
                        // One parse serves the gate and the forward form.
                        let hir = gate::parse(pattern);
                        shapes.push(compile(&forwards(pattern, hir.as_ref()), rule, &source)?);
                        let shape_gate = hir.as_ref().map_or(Gate::OPEN, Gate::of_hir);
                        shape_gates.push((shape_gate, max_words));
                        shape_rules.push(index);
                    }
                }
                RuleKind::Strip => {
                    for pattern in &rule.patterns {
                        strips.push((index, compile(pattern, rule, &source)?));
                        strip_gates.push((Gate::of(pattern), None));
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

        // A phrase goes into the automaton of each kind of rule that owns it.
        let is_contains = |id: usize| {
            pattern_rules[id]
                .iter()
                .map(|&r| infos[r as usize].kind)
                .any(|k| k == RuleKind::Contains)
        };
        let is_anchored = |id: usize| {
            pattern_rules[id]
                .iter()
                .map(|&r| infos[r as usize].kind)
                .any(|k| k != RuleKind::Contains)
        };
        let anchored_ids: Vec<usize> = (0..patterns.len()).filter(|&id| is_anchored(id)).collect();
        let contains_ids: Vec<usize> = (0..patterns.len()).filter(|&id| is_contains(id)).collect();
        let anchored = if anchored_ids.is_empty() {
            None
        } else {
            Some(
                aho_corasick::nfa::contiguous::Builder::new()
                    .match_kind(MatchKind::Standard)
                    .build(anchored_ids.iter().map(|&id| &patterns[id]))
                    .map_err(|e| Error::automaton(e.to_string()))?,
            )
        };
        let contains = if contains_ids.is_empty() {
            None
        } else {
            let needles = Needles::new(contains_ids.iter().map(|&id| &patterns[id]));
            Some(needles.ok_or_else(|| {
                Error::automaton("cannot build the contains automaton".to_string())
            })?)
        };
        let contains_rules = infos.iter().filter(|r| r.kind == RuleKind::Contains);
        let contains_max_words =
            contains_rules.map(|r| r.max_words).try_fold(0, |acc, max| max.map(|m| acc.max(m)));
        let pattern_bounds = patterns
            .iter()
            .map(|p| {
                let first = p.chars().next().is_some_and(needs_boundary);
                let last = p.chars().next_back().is_some_and(needs_boundary);
                (first, last)
            })
            .collect();
        Ok(Matcher {
            rules: infos,
            anchored,
            anchored_ids,
            contains,
            contains_ids,
            contains_max_words,
            pattern_rules,
            pattern_bounds,
            shapes,
            shape_gates: GateSet::new(shape_gates),
            shape_rules,
            strips,
            strip_gates: GateSet::new(strip_gates),
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
        for (i, line) in lines.iter().enumerate() {
            if line.is_blank() {
                continue;
            }
            let text = folded.line(i);
            let words = folded.words[i];
            let first = pairs.len();
            if !text.is_empty() {
                if let Some(nfa) = &self.anchored {
                    self.anchored_hits(nfa, text, words, i as u32, &mut pairs);
                }
                if let Some(needles) = &self.contains {
                    if self.contains_max_words.is_none_or(|max| words <= max) {
                        self.contains_hits(needles, text, words, i as u32, &mut pairs);
                    }
                }
            }
            let content = &input[line.content.clone()];
            self.shape_gates.candidates(content, Some(text), words, |pattern| {
                if self.shapes[pattern].is_match(content) {
                    pairs.push((i as u32, self.shape_rules[pattern]));
                }
            });
            if pairs.len() - first > 1 {
                pairs[first..].sort_unstable();
            }
        }
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

    /// Hits of phrases that begin the folded line `text`: the automaton
    /// is walked from the line start until no phrase can match any more.
    fn anchored_hits(
        &self,
        nfa: &NFA,
        text: &str,
        words: usize,
        line: u32,
        pairs: &mut Vec<(u32, RuleIndex)>,
    ) {
        let Ok(mut sid) = nfa.start_state(Anchored::Yes) else {
            return;
        };
        let bytes = text.as_bytes();
        for (at, &b) in bytes.iter().enumerate() {
            sid = nfa.next_state(Anchored::Yes, sid, b);
            if !nfa.is_special(sid) {
                continue;
            }
            if nfa.is_dead(sid) {
                return;
            }
            if !nfa.is_match(sid) {
                continue;
            }
            let end = at + 1;
            for k in 0..nfa.match_len(sid) {
                let pid = nfa.match_pattern(sid, k);
                // Match states also carry phrases that end here but began
                // after the line start; only those of full length count.
                if nfa.pattern_len(pid) != end {
                    continue;
                }
                let pattern = self.anchored_ids[pid.as_usize()];
                let at_end = end == bytes.len();
                // A phrase without a final colon also matches the line with one.
                let at_end_or_colon = at_end || end + 1 == bytes.len() && bytes[end] == b':';
                let (_, need_right) = self.pattern_bounds[pattern];
                let right_ok = at_end || !need_right || !word_char_at(text, end);
                for &rule in &self.pattern_rules[pattern] {
                    let info = &self.rules[rule as usize];
                    let kind_ok = match info.kind {
                        RuleKind::Line => at_end_or_colon,
                        RuleKind::Prefix | RuleKind::Section => right_ok,
                        RuleKind::Breadcrumb => true,
                        RuleKind::Contains | RuleKind::Shape | RuleKind::Strip => false,
                    };
                    if kind_ok && within_words(info, words) {
                        pairs.push((line, rule));
                    }
                }
            }
        }
    }

    /// Hits of `contains` phrases anywhere in the folded line `text`, at
    /// word boundaries.
    fn contains_hits(
        &self,
        needles: &Needles,
        text: &str,
        words: usize,
        line: u32,
        pairs: &mut Vec<(u32, RuleIndex)>,
    ) {
        needles.each(text.as_bytes(), |needle, end| {
            let start = end - needles.len_of(needle);
            let pattern = self.contains_ids[needle];
            let (need_left, need_right) = self.pattern_bounds[pattern];
            let left_ok = start == 0 || !need_left || !word_char_before(text, start);
            let right_ok = end == text.len() || !need_right || !word_char_at(text, end);
            if !(left_ok && right_ok) {
                return;
            }
            for &rule in &self.pattern_rules[pattern] {
                let info = &self.rules[rule as usize];
                if info.kind == RuleKind::Contains && within_words(info, words) {
                    pairs.push((line, rule));
                }
            }
        });
    }

    /// The byte ranges (relative to `content`) that `strip` rules cut from a
    /// kept line, each with its rule, sorted and non-overlapping.
    pub fn strips(&self, content: &[u8]) -> Vec<(Range<usize>, RuleIndex)> {
        self.strips_folded(content, None)
    }

    /// [`Matcher::strips`] for a line whose folded form is known, which
    /// lets more lines skip the regexes.
    pub fn strips_folded(
        &self,
        content: &[u8],
        folded: Option<&str>,
    ) -> Vec<(Range<usize>, RuleIndex)> {
        let mut found: Vec<(Range<usize>, RuleIndex)> = Vec::new();
        self.strip_gates.candidates(content, folded, 0, |i| {
            let (rule, regex) = &self.strips[i];
            for m in regex.find_iter(content) {
                if !m.range().is_empty() {
                    found.push((m.range(), *rule));
                }
            }
        });
        if found.is_empty() {
            return found;
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

/// A pattern that matches a line when `pattern` matches anywhere in it, and
/// that the regex engine searches forwards.
///
/// A pattern that must end at the end of the haystack (`...$`) but may
/// start anywhere is searched backwards from the end, and a reverse search
/// through a bounded repeat of a wide class (`\p{Lu}[^.!?]{0,60}$`) builds
/// a new automaton state at almost every byte: on eval-dev one such shape
/// cost 200,000 instructions a line, a seventh of the whole run without
/// the line model. Written as a match from the start that skips any bytes
/// first, the same pattern is searched forwards, in one pass over the
/// line, with a few states. A shape only asks whether a line matches, so
/// the answer is the same; patterns of other kinds are left as written (a
/// backward search is fast for a plain literal suffix, and a strip needs
/// the match itself).
///
/// `hir` is the pattern as [`gate::parse`] parsed it (`None` when it does
/// not parse). A forward form that does not parse (a verbose pattern ending
/// in a comment) leaves the pattern as written.
fn forwards<'a>(pattern: &'a str, hir: Option<&Hir>) -> std::borrow::Cow<'a, str> {
    use regex_syntax::hir::Look;
    let Some(hir) = hir else {
        // `compile` reports the error.
        return pattern.into();
    };
    let props = hir.properties();
    if !props.look_set_suffix().contains(Look::End) || props.look_set_prefix().contains(Look::Start)
    {
        return pattern.into();
    }
    // Flags set inside the group stay inside it; `(?s-u:.)` is any byte, as
    // in an unanchored search.
    let turned = format!("^(?s-u:.)*?(?:{pattern})");
    // A verbose pattern (`(?x)`) that ends in a comment would swallow the
    // closing parenthesis: the group is then unclosed and does not parse,
    // and the pattern is kept as written.
    if gate::parse(&turned).is_some() {
        turned.into()
    } else {
        pattern.into()
    }
}

fn compile(pattern: &str, rule: &Rule, source: &str) -> Result<Regex, Error> {
    regex::bytes::RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
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

    #[test]
    fn only_end_anchored_patterns_are_turned_forwards() {
        for (pattern, turned) in [
            (r"\p{Lu}[^.!?]{0,60}$", true),
            (r"(?i)\(AP Photo[^()]{0,60}\)$", true),
            (r"(?:^|\. )Photo: .*$", true),
            (r"^Photo: .*$", false),
            (r"(?i)^(?:a|b)$", false),
            (r"Photo", false),
            (r"(?m)Photo$", false),
            (r"(unclosed", false),
            ("(?x) Photo $ # a comment", false),
            ("(?x) Photo $ # a comment\n", true),
        ] {
            let hir = gate::parse(pattern);
            assert_eq!(forwards(pattern, hir.as_ref()) != pattern, turned, "{pattern}");
        }
    }

    /// End-anchored patterns like the default shapes', to check that the
    /// forward form matches exactly the same lines.
    const END_ANCHORED: [&str; 4] = [
        r#"(?:^|[.!?"”]\s+)(?:Photo|Image)s?:\s*\p{Lu}[^.!?]{0,6}$"#,
        r"(?i)\((?:AP|AFP) Photo[^()]{0,6}\)$",
        r"(?i)b+$",
        r"(?:^|x)(?-u:\xFF)a$",
    ];

    proptest::proptest! {
        #[test]
        fn forward_shapes_match_the_same_lines(
            line in proptest::collection::vec(proptest::sample::select(vec![
                b'a', b'A', b'b', b'B', b'x', b' ', b'.', b'(', b')', b':', 0xFF, 0xC3, 0xA9,
                b'P', b'h', b'o', b't', b'I', b'm', b'g', b'e', b's', b'F', b'!',
            ]), 0..24),
            tail in proptest::sample::select(vec![
                "", "a", "Photo: Ab", ". Photos: Xy z", "(AP Photo/x)", "(afp photo)",
                "bbB", "\u{201d} Image: É", "x\u{FF}a",
            ]),
        ) {
            let mut line = line;
            line.extend_from_slice(tail.as_bytes());
            for pattern in END_ANCHORED {
                let turned = forwards(pattern, gate::parse(pattern).as_ref());
                proptest::prop_assert!(turned != pattern);
                let (as_written, forward) =
                    (Regex::new(pattern).unwrap(), Regex::new(&turned).unwrap());
                proptest::prop_assert_eq!(
                    as_written.is_match(&line), forward.is_match(&line), "{} on {:?}", pattern, line
                );
            }
        }
    }
}
