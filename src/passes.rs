//! Document passes: structural detectors that look at more than one line.
//!
//! Each pass reads the [`Doc`] (lines, rule hits, classes) and records
//! verdicts for the lines it removes; a line keeps the first verdict it got.

use std::collections::HashMap;
use std::sync::Arc;

use bstr::ByteSlice;

use crate::classify::{Class, LineFeatures};
use crate::clean::Layer;
use crate::lines::{Folded, Line};
use crate::matcher::{Hits, Matcher};
use crate::rules::{RuleKind, Scope};

/// Why a line goes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Verdict {
    pub rule: Arc<str>,
    pub layer: Layer,
    pub score: Option<f32>,
}

/// Everything known about one document while it is being cleaned.
pub(crate) struct Doc<'a> {
    pub input: &'a [u8],
    pub lines: Vec<Line>,
    pub folded: Folded,
    pub hits: Hits,
    pub features: Vec<LineFeatures>,
    /// Classes from each line's own features.
    pub initial: Vec<Class>,
    /// Classes after context revision (filled by the cleaner).
    pub classes: Vec<Class>,
    pub verdicts: Vec<Option<Verdict>>,
}

impl Doc<'_> {
    pub fn remove(&mut self, i: usize, rule: &Arc<str>, layer: Layer, score: Option<f32>) {
        if self.verdicts[i].is_none() && !self.lines[i].is_blank() {
            self.verdicts[i] = Some(Verdict { rule: Arc::clone(rule), layer, score });
        }
    }

    fn kept(&self, i: usize) -> bool {
        self.verdicts[i].is_none() && !self.lines[i].is_blank()
    }

    fn content(&self, i: usize) -> &[u8] {
        &self.input[self.lines[i].content.clone()]
    }

    fn hit_kind(&self, matcher: &Matcher, i: usize, kind: RuleKind) -> Option<Arc<str>> {
        self.hits
            .line(i)
            .map(|r| matcher.rule(r))
            .find(|r| r.kind == kind)
            .map(|r| Arc::clone(&r.name))
    }

    fn is_marker(&self, matcher: &Matcher, i: usize) -> bool {
        self.hits.line(i).any(|r| matcher.rule(r).marker)
    }
}

/// Whole-line rules: `line`, `prefix`, `shape`, and `contains` anywhere.
pub(crate) fn line_rules(doc: &mut Doc, matcher: &Matcher) {
    for i in 0..doc.lines.len() {
        let hit = doc.hits.line(i).map(|r| matcher.rule(r)).find(|r| {
            r.scope == Scope::Anywhere
                && matches!(
                    r.kind,
                    RuleKind::Line | RuleKind::Prefix | RuleKind::Shape | RuleKind::Contains
                )
        });
        if let Some(rule) = hit {
            let name = Arc::clone(&rule.name);
            doc.remove(i, &name, Layer::Rule, None);
        }
    }
}

/// How many non-blank lines a teaser unit (headline, image text, teaser
/// paragraphs, byline) may have before its "Read more" marker.
const MAX_TEASER_LINES: usize = 8;

/// Section starters: the header goes, and so does the block it opens.
///
/// The block runs through every teaser unit that ends in a marker line
/// ("Read more"), then through the short or non-prose lines after the last
/// marker, up to where prose resumes or the document ends.
pub(crate) fn sections(doc: &mut Doc, matcher: &Matcher) {
    let n = doc.lines.len();
    let mut i = 0;
    while i < n {
        let Some(rule) = doc.hit_kind(matcher, i, RuleKind::Section) else {
            i += 1;
            continue;
        };
        doc.remove(i, &rule, Layer::Section, None);
        let mut end = i;
        let mut since_marker = 0;
        let mut j = i + 1;
        while j < n {
            if doc.lines[j].is_blank() {
                j += 1;
                continue;
            }
            if doc.hit_kind(matcher, j, RuleKind::Section).is_some() {
                break;
            }
            if doc.is_marker(matcher, j) {
                end = j;
                since_marker = 0;
            } else {
                since_marker += 1;
                if since_marker > MAX_TEASER_LINES {
                    break;
                }
            }
            j += 1;
        }
        let mut j = end + 1;
        while j < n {
            if doc.lines[j].is_blank() {
                j += 1;
                continue;
            }
            let f = &doc.features[j];
            let sentence = f.words >= 10 && f.terminal_punctuation;
            let prose = doc.verdicts[j].is_none()
                && (sentence || matches!(doc.initial[j], Class::Good | Class::NearGood));
            if prose || doc.hit_kind(matcher, j, RuleKind::Section).is_some() {
                break;
            }
            end = j;
            j += 1;
        }
        for k in i + 1..=end {
            doc.remove(k, &rule, Layer::Section, None);
        }
        i = end.max(i) + 1;
    }
}

/// Breadcrumb trails: a line starting with a trail root ("Home") whose items
/// are glued together (`HomeLatest NewsApp Stores<title>`) or separated by
/// `>`, `»`, `›`, `/`, `|`.
pub(crate) fn breadcrumbs(doc: &mut Doc, matcher: &Matcher) {
    for i in 0..doc.lines.len() {
        let Some(rule) = doc.hit_kind(matcher, i, RuleKind::Breadcrumb) else {
            continue;
        };
        if doc.folded.words[i] > 40 {
            continue;
        }
        let content = doc.content(i);
        let glued = glue_points(content);
        let separators = content
            .chars()
            .filter(|c| matches!(c, '>' | '\u{BB}' | '\u{203A}' | '/' | '|' | '\u{2192}'))
            .count();
        if glued >= 2 || separators >= 2 || glued + separators >= 1 && ends_with_other_line(doc, i)
        {
            doc.remove(i, &rule, Layer::Structure, None);
        }
    }
}

/// Places where a lower-case letter is directly followed by an upper-case
/// one: the seams of navigation items whose separators were lost.
fn glue_points(content: &[u8]) -> usize {
    let mut count = 0;
    let mut prev_lower = false;
    for c in content.chars() {
        if prev_lower && c.is_uppercase() {
            count += 1;
        }
        prev_lower = c.is_lowercase();
    }
    count
}

/// Whether the line ends with the full text of another (title-like) line.
fn ends_with_other_line(doc: &Doc, i: usize) -> bool {
    let content = doc.content(i);
    (0..doc.lines.len()).any(|j| {
        j != i && {
            let other = doc.content(j);
            other.len() >= 12 && other.len() < content.len() && content.ends_with(other)
        }
    })
}

/// Tail templates: `contains` rules scoped to the tail fire only after the
/// body has mostly been read (the last 40% of the document's text lines).
pub(crate) fn tail_templates(doc: &mut Doc, matcher: &Matcher) {
    let text_lines: Vec<usize> =
        (0..doc.lines.len()).filter(|&i| !doc.lines[i].is_blank()).collect();
    let tail_start = text_lines.len() * 3 / 5;
    for &i in &text_lines[tail_start..] {
        let hit = doc.hits.line(i).map(|r| matcher.rule(r)).find(|r| {
            r.scope == Scope::Tail
                && matches!(
                    r.kind,
                    RuleKind::Contains | RuleKind::Line | RuleKind::Prefix | RuleKind::Shape
                )
        });
        if let Some(rule) = hit {
            let name = Arc::clone(&rule.name);
            doc.remove(i, &name, Layer::Rule, None);
        }
    }
}

/// Lines repeated inside the document: the first copy of a body line stays
/// and later copies go; a repeated line that is not prose (image text, a
/// widget label) goes everywhere.
pub(crate) fn duplicates(doc: &mut Doc, rule_repeated: &Arc<str>, rule_duplicate: &Arc<str>) {
    let mut seen: HashMap<&str, Vec<usize>> = HashMap::new();
    for i in 0..doc.lines.len() {
        if doc.lines[i].is_blank() || doc.folded.words[i] < 2 {
            continue;
        }
        seen.entry(doc.folded.line(i)).or_default().push(i);
    }
    let mut groups: Vec<Vec<usize>> = seen.into_values().filter(|v| v.len() > 1).collect();
    groups.sort_unstable();
    for group in groups {
        let prose = group.iter().any(|&i| matches!(doc.initial[i], Class::Good | Class::NearGood));
        let keep = if prose {
            group.iter().copied().find(|&i| doc.kept(i))
        } else {
            // A heading the context judged good (the title before the body)
            // keeps that copy; its other copies are navigation.
            group.iter().copied().find(|&i| doc.kept(i) && doc.classes[i] == Class::Good)
        };
        for &i in &group {
            if Some(i) == keep {
                continue;
            }
            let rule = if keep.is_some() { rule_duplicate } else { rule_repeated };
            doc.remove(i, rule, Layer::Structure, None);
        }
    }
}
