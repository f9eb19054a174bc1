//! Document passes: structural detectors that look at more than one line.
//!
//! Each pass reads the [`Doc`] (lines, rule hits, classes) and records
//! verdicts for the lines it removes; a line keeps the first verdict it got.

use std::sync::Arc;

use bstr::ByteSlice;
use rustc_hash::{FxHashMap, FxHashSet};

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
    /// How many documents of the corpus group contain each line (0 for a
    /// line without a fingerprint); empty when there is no corpus or its
    /// group has too few documents to use (see
    /// [`crate::model::MIN_CORPUS_DOCUMENTS`]).
    pub corpus_counts: Vec<u32>,
}

impl Doc<'_> {
    pub fn remove(&mut self, i: usize, rule: &Arc<str>, layer: Layer, score: Option<f32>) {
        if self.verdicts[i].is_none() && !self.lines[i].is_blank() {
            self.verdicts[i] = Some(Verdict { rule: Arc::clone(rule), layer, score });
        }
    }

    fn kept(&self, i: usize) -> bool {
        self.kept_line(i)
    }

    /// Whether line `i` is not blank and no pass removed it yet.
    pub fn kept_line(&self, i: usize) -> bool {
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
    let mut titles: Option<FxHashSet<&[u8]>> = None;
    let mut trails = Vec::new();
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
        let trail = glued >= 2
            || separators >= 2
            || glued + separators >= 1 && {
                let titles = titles.get_or_insert_with(|| {
                    (0..doc.lines.len()).map(|j| doc.content(j)).filter(|c| c.len() >= 12).collect()
                });
                ends_with_other_line(content, titles)
            };
        if trail {
            trails.push((i, rule));
        }
    }
    for (i, rule) in trails {
        doc.remove(i, &rule, Layer::Structure, None);
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

/// Whether the line ends with the full text of another (title-like) line,
/// glued on at a seam (`…StoresTrump signs order…` ends with the title).
/// Only seams are tried, each with one set lookup.
fn ends_with_other_line(content: &[u8], titles: &FxHashSet<&[u8]>) -> bool {
    let mut prev_lower = false;
    for (start, _, c) in content.char_indices() {
        let seam = prev_lower && c.is_uppercase();
        prev_lower = c.is_lowercase();
        if seam && titles.contains(&content[start..]) {
            return true;
        }
    }
    false
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

/// Lines repeated inside the document: one copy stays and the others go. A
/// prose line keeps its first copy; a short line that is not prose (image
/// text, a menu item, a product name shown as picture and as link) keeps
/// the copy in the title's place when there is one, else its first, which
/// the later passes (the line model) judge like any other line. The other
/// copies are `rule_repeated` in that last case, else `rule_duplicate`.
pub(crate) fn duplicates(doc: &mut Doc, rule_repeated: &Arc<str>, rule_duplicate: &Arc<str>) {
    // Each distinct line maps to its first copy and, once it has a second
    // one, to its group: no allocation for the many lines seen once.
    let mut seen: FxHashMap<&str, (usize, usize)> = FxHashMap::default();
    seen.reserve(doc.lines.len());
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for i in 0..doc.lines.len() {
        if doc.lines[i].is_blank() || doc.folded.words[i] < 2 {
            continue;
        }
        let (first, group) = seen.entry(doc.folded.line(i)).or_insert((i, usize::MAX));
        if *first == i {
            continue;
        }
        if *group == usize::MAX {
            *group = groups.len();
            groups.push(vec![*first]);
        }
        groups[*group].push(i);
    }
    // In order of first copies (groups are created in order of second ones).
    groups.sort_unstable();
    let title_slot = title_slot(doc);
    for group in groups {
        let prose = group.iter().any(|&i| matches!(doc.initial[i], Class::Good | Class::NearGood));
        let first_kept = group.iter().copied().find(|&i| doc.kept(i));
        let title = group.iter().copied().find(|&i| Some(i) == title_slot);
        // A repeated short line keeps the copy in the title's place (right
        // before the first prose) when there is one; else its first kept
        // copy, which the later passes (the line model) judge like any
        // other line: the names of a product grid are repeated as image
        // text and link text, and so are menus.
        let keep = if prose { first_kept } else { title.or(first_kept) };
        let rule = if prose || title.is_some() { rule_duplicate } else { rule_repeated };
        for &i in &group {
            if Some(i) == keep {
                continue;
            }
            doc.remove(i, rule, Layer::Structure, None);
        }
    }
}

/// The line where a title would stand: the last kept line before the first
/// prose line, with only blank or removed lines between them.
fn title_slot(doc: &Doc) -> Option<usize> {
    let first_prose = (0..doc.lines.len()).find(|&i| {
        doc.kept(i)
            && doc.classes[i] == Class::Good
            && matches!(doc.initial[i], Class::Good | Class::NearGood)
    })?;
    (0..first_prose).rev().find(|&i| doc.kept(i))
}

#[cfg(test)]
mod tests {
    use crate::{Cleaner, RuleSet};

    const RULES: &str = r#"
[[rule]]
name = "more"
kind = "line"
marker = true
phrases = ["Read more"]

[[rule]]
name = "related"
kind = "section"
phrases = ["Related article:", "Editors' Recommendations"]

[[rule]]
name = "template"
kind = "contains"
scope = "tail"
phrases = ["hope you have enjoyed"]

[[rule]]
name = "crumb"
kind = "breadcrumb"
phrases = ["Home"]
"#;

    const P1: &str = "The committee said on Tuesday that it would not be able to reach a decision \
        before the end of the year, as the members were still waiting for the report.";
    const P2: &str = "Officials added that the delay was not expected to change the outcome, and \
        that the panel would meet again in the new year to review the evidence it had.";

    /// Cleans with only the test rules; returns the removed lines' rule names
    /// (`.` for kept lines, blank lines skipped).
    fn verdicts(text: &str) -> Vec<String> {
        let rules = RuleSet::parse(RULES, "test").expect("rules");
        // The classifier is off: these tests look at the detectors alone.
        let cleaner = Cleaner::builder()
            .default_rules(false)
            .classifier(false)
            .rules(rules)
            .build()
            .expect("cleaner");
        let cleaned = cleaner.clean(text.as_bytes());
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, _)| {
                cleaned.removed_line(i + 1).map_or(".".to_string(), |r| r.rule.to_string())
            })
            .collect()
    }

    macro_rules! t {
        ($name:ident, $text:expr, [$($v:expr),* $(,)?]) => {
            #[test]
            fn $name() {
                let text: String = $text;
                let expected: Vec<&str> = vec![$($v),*];
                assert_eq!(verdicts(&text), expected, "text:\n{text}");
            }
        };
    }

    t!(
        section010_header_and_headline,
        format!("{P1}\nRelated article:\nA headline elsewhere\n\n{P2}\n"),
        [".", "related", "related", "."]
    );
    t!(section020_teaser_units_to_end,
       format!("{P1}\nEditors' Recommendations\nHeadline one\n{P2}\nRead more\nHeadline two\n{P2}\nRead more\n"),
       [".", "related", "related", "related", "more", "related", "related", "more"]);
    t!(
        section030_no_header_no_removal,
        format!("{P1}\nA headline elsewhere\n{P2}\n"),
        [".", ".", "."]
    );
    t!(section040_stops_at_next_header,
       format!("{P1}\nRelated article:\nHeadline\n{P2}\nRelated article:\nOther headline\n{P1} Again.\n"),
       [".", "related", "related", ".", "related", "related", "."]);
    t!(section050_header_at_end, format!("{P1}\nRelated article:\n"), [".", "related"]);
    t!(
        section060_crlf,
        format!("{P1}\r\nRelated article:\r\nHeadline\r\n\r\n{P2}\r\n"),
        [".", "related", "related", "."]
    );

    t!(
        crumb010_glued,
        format!(
            "A title of the page here\nHomeLatest NewsApp StoresA title of the page here\n{P1}\n"
        ),
        [".", "crumb", "."]
    );
    t!(crumb020_separators, format!("Home > News > Politics\n{P1}\n"), ["crumb", "."]);
    t!(
        crumb030_homepod_is_not,
        format!("{P1}\nHomePod owners will like this one.\n{P2}\n"),
        [".", ".", "."]
    );

    t!(
        tail010_template_in_tail,
        format!("{P1}\n{P2}\n{P1} More.\nThe team hope you have enjoyed the article.\n"),
        [".", ".", ".", "template"]
    );
    t!(tail020_not_in_head, format!("We hope you have enjoyed the first part, said the host of the show.\n{P1}\n{P2}\n{P1} More.\n{P2} More.\n"),
       [".", ".", ".", ".", "."]);

    t!(dup010_later_body_copy_goes, format!("{P1}\n{P2}\n{P1}\n"), [".", ".", "duplicate-line"]);
    t!(
        dup020_repeated_short_line_keeps_its_first_copy,
        format!("{P1}\ntiktok logo next to trump\n{P2}\ntiktok logo next to trump\n{P1} Again.\n"),
        [".", ".", ".", "repeated-line", "."]
    );
    t!(
        dup030_title_copy_kept_before_body,
        format!("Panel delays its decision\n\nPanel delays its decision\n{P1}\n{P2}\n"),
        ["duplicate-line", ".", ".", "."]
    );

    t!(edge010_empty, String::new(), []);
    t!(edge020_no_final_newline, format!("{P1}\nRead more"), [".", "more"]);
    t!(
        edge030_non_ascii_case,
        format!("{P1}\nRELATED ARTICLE:\nÜberschrift\n\n{P2}\n"),
        [".", "related", "related", "."]
    );
}
