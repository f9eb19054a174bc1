//! Rules as data: the rule model and the parser for the rules file format.
//!
//! The embedded default rules (`src/rules/default.toml`) and a user's
//! `--rules FILE` are read by the same parser. A rules file is TOML:
//!
//! ```toml
//! [[rule]]
//! name = "skip-link"              # stable name, shown as the removal reason
//! kind = "line"                   # line | prefix | contains | shape | section | strip | breadcrumb
//! phrases = ["Skip to main content", "Skip to content"]
//!
//! [[rule]]
//! name = "counter"
//! kind = "shape"
//! patterns = ['(?i)^bookmark\s*\(\d+\)$']
//! ```
//!
//! Phrases are matched case-insensitively on *folded* text: typographic
//! quotes, apostrophes and dashes become their ASCII forms, runs of white
//! space become one space, and punctuation at the line's edges is ignored, so
//! `Editors' Recommendations` matches `Editors’ Recommendations:`.

use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;

use crate::error::Error;

/// The default rules, embedded at compile time.
pub const DEFAULT_RULES: &str = include_str!("rules/default.toml");

/// The source name used in errors about the embedded default rules.
pub const DEFAULT_SOURCE: &str = "<default rules>";

/// How a rule decides that a line is chrome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RuleKind {
    /// The whole (folded) line equals one of the phrases.
    Line,
    /// The line starts with one of the phrases, at a word boundary.
    Prefix,
    /// The line contains one of the phrases, at word boundaries.
    Contains,
    /// The line matches one of the regular expressions.
    Shape,
    /// The line opens a block of related links or promos; the block goes too.
    Section,
    /// The regex matches are cut out of a kept line (inline chrome).
    Strip,
    /// The phrases are the first item of a breadcrumb trail ("Home").
    Breadcrumb,
}

impl RuleKind {
    /// The name of the kind as written in a rules file.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Line => "line",
            RuleKind::Prefix => "prefix",
            RuleKind::Contains => "contains",
            RuleKind::Shape => "shape",
            RuleKind::Section => "section",
            RuleKind::Strip => "strip",
            RuleKind::Breadcrumb => "breadcrumb",
        }
    }

    fn parse(s: &str) -> Option<RuleKind> {
        Some(match s {
            "line" => RuleKind::Line,
            "prefix" => RuleKind::Prefix,
            "contains" => RuleKind::Contains,
            "shape" => RuleKind::Shape,
            "section" => RuleKind::Section,
            "strip" => RuleKind::Strip,
            "breadcrumb" => RuleKind::Breadcrumb,
            _ => return None,
        })
    }

    /// Whether rules of this kind are written with `phrases` (else `patterns`).
    pub fn uses_phrases(self) -> bool {
        !matches!(self, RuleKind::Shape | RuleKind::Strip)
    }
}

impl fmt::Display for RuleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in a document a rule may fire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Scope {
    /// Anywhere in the document. The default.
    #[default]
    Anywhere,
    /// Only in the document's tail: after the article body has ended. Used for
    /// site templates and promos whose words could also occur in a body.
    Tail,
}

/// One named rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// The stable name shown as the removal reason.
    pub name: String,
    /// How the rule matches.
    pub kind: RuleKind,
    /// Phrases, for phrase kinds.
    pub phrases: Vec<String>,
    /// Regular expressions, for `shape` and `strip`.
    pub patterns: Vec<String>,
    /// Only lines with at most this many words can match, when set.
    pub max_words: Option<usize>,
    /// Where in the document the rule may fire.
    pub scope: Scope,
    /// Whether a line matched by this rule ends a teaser unit ("Read more")
    /// in a related-links section.
    pub marker: bool,
    /// Free text explaining the rule, for people.
    pub description: Option<String>,
    /// The languages (ISO 639-1 codes) of documents the rule applies to;
    /// empty means every document. A document whose language cannot be
    /// guessed gets every rule.
    pub languages: Vec<String>,
    /// Where the rule was defined, for error messages (`file:line`).
    pub origin: Option<String>,
}

impl Rule {
    /// Whether the rule applies to a document in `language` (`None`: the
    /// language is unknown, and every rule applies).
    pub fn applies_to(&self, language: Option<&str>) -> bool {
        match language {
            Some(lang) if !self.languages.is_empty() => self.languages.iter().any(|l| l == lang),
            _ => true,
        }
    }
}

/// An ordered set of rules with unique names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleSet {
    rules: Vec<Rule>,
}

impl RuleSet {
    /// An empty rule set.
    pub fn new() -> RuleSet {
        RuleSet::default()
    }

    /// The embedded default rules.
    pub fn defaults() -> RuleSet {
        // The default rules are checked by the test suite, so failing to parse
        // them is a build defect; fall back to an empty set rather than panic.
        RuleSet::parse(DEFAULT_RULES, DEFAULT_SOURCE).unwrap_or_default()
    }

    /// Parses a rules file. `source` names it in errors (usually its path).
    pub fn parse(text: &str, source: &str) -> Result<RuleSet, Error> {
        let file: RulesFile = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|span| line_of(text, span.start));
            Error::rules_syntax(source, line, e.message().to_string())
        })?;
        let mut set = RuleSet::new();
        for raw in file.rule {
            let line = line_of(text, raw.name.span().start);
            let rule = raw.into_rule(source, line)?;
            if set.get(&rule.name).is_some() {
                return Err(Error::invalid_rule(
                    source,
                    &rule.name,
                    format!("defined twice (second definition at line {line})"),
                ));
            }
            set.rules.push(rule);
        }
        Ok(set)
    }

    /// Adds `other`'s rules; a rule whose name already exists replaces it in place.
    pub fn merge(&mut self, other: RuleSet) {
        let index: HashMap<String, usize> =
            self.rules.iter().enumerate().map(|(i, r)| (r.name.clone(), i)).collect();
        for rule in other.rules {
            match index.get(&rule.name) {
                Some(&i) => self.rules[i] = rule,
                None => self.rules.push(rule),
            }
        }
    }

    /// Adds one rule, replacing any rule of the same name.
    pub fn push(&mut self, rule: Rule) {
        let mut one = RuleSet::new();
        one.rules.push(rule);
        self.merge(one);
    }

    /// The rule with this name.
    pub fn get(&self, name: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.name == name)
    }

    /// All rules, in definition order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

/// 1-based line number of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    1 + memchr::memchr_iter(b'\n', &text.as_bytes()[..offset]).count()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    #[allow(dead_code, reason = "read so that files may declare their schema version")]
    version: Option<u32>,
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    name: toml::Spanned<String>,
    kind: String,
    #[serde(default)]
    phrases: Vec<String>,
    #[serde(default)]
    patterns: Vec<String>,
    #[serde(default)]
    max_words: Option<usize>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    marker: bool,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    languages: Vec<String>,
}

impl RawRule {
    fn into_rule(self, source: &str, line: usize) -> Result<Rule, Error> {
        let name = self.name.into_inner();
        if name.trim().is_empty() {
            return Err(Error::invalid_rule(source, &name, format!("empty name at line {line}")));
        }
        let kind = RuleKind::parse(&self.kind).ok_or_else(|| {
            Error::invalid_rule(
                source,
                &name,
                format!(
                    "unknown kind '{}' (expected line, prefix, contains, shape, section, \
                     strip or breadcrumb)",
                    self.kind
                ),
            )
        })?;
        if kind.uses_phrases() {
            if self.phrases.is_empty() || !self.patterns.is_empty() {
                return Err(Error::invalid_rule(
                    source,
                    &name,
                    format!("a {kind} rule needs `phrases` and no `patterns`"),
                ));
            }
            if let Some(p) = self.phrases.iter().find(|p| crate::fold::fold_phrase(p).is_empty()) {
                return Err(Error::invalid_rule(
                    source,
                    &name,
                    format!("phrase {p:?} has no letters or digits"),
                ));
            }
        } else if self.patterns.is_empty() || !self.phrases.is_empty() {
            return Err(Error::invalid_rule(
                source,
                &name,
                format!("a {kind} rule needs `patterns` and no `phrases`"),
            ));
        }
        let scope = match self.scope.as_deref() {
            None | Some("anywhere") => Scope::Anywhere,
            Some("tail") => Scope::Tail,
            Some(other) => {
                return Err(Error::invalid_rule(
                    source,
                    &name,
                    format!("unknown scope '{other}' (expected anywhere or tail)"),
                ))
            }
        };
        Ok(Rule {
            name,
            kind,
            phrases: self.phrases,
            patterns: self.patterns,
            max_words: self.max_words,
            scope,
            marker: self.marker,
            description: self.description,
            languages: self.languages.iter().map(|l| l.trim().to_lowercase()).collect(),
            origin: Some(format!("{source}:{line}")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse() {
        let set = RuleSet::parse(DEFAULT_RULES, DEFAULT_SOURCE).expect("default rules parse");
        assert!(set.len() > 10);
        assert!(set.rules().iter().any(|r| r.kind == RuleKind::Section));
    }

    #[test]
    fn merge_overrides_by_name() {
        let mut a = RuleSet::parse(
            "[[rule]]\nname='x'\nkind='line'\nphrases=['a b']\n\
             [[rule]]\nname='y'\nkind='line'\nphrases=['c']\n",
            "a",
        )
        .expect("parses");
        let b = RuleSet::parse("[[rule]]\nname='x'\nkind='line'\nphrases=['z']\n", "b")
            .expect("parses");
        a.merge(b);
        assert_eq!(a.len(), 2);
        assert_eq!(a.rules()[0].phrases, vec!["z".to_string()]);
        assert_eq!(a.rules()[0].origin.as_deref(), Some("b:2"));
    }

    macro_rules! bad {
        ($name:ident, $text:expr, $needle:expr) => {
            #[test]
            fn $name() {
                let err = RuleSet::parse($text, "f.toml").unwrap_err().to_string();
                assert!(err.contains($needle), "{err:?} should contain {:?}", $needle);
                assert!(err.starts_with("f.toml"), "{err:?} should name the file");
            }
        };
    }

    bad!(bad010_syntax, "[[rule]\nname=", "f.toml:1");
    bad!(bad020_unknown_kind, "[[rule]]\nname='x'\nkind='nope'\nphrases=['a']", "unknown kind");
    bad!(bad030_no_phrases, "[[rule]]\nname='x'\nkind='line'\n", "needs `phrases`");
    bad!(bad040_patterns_on_line, "[[rule]]\nname='x'\nkind='line'\npatterns=['a']", "phrases");
    bad!(bad050_empty_phrase, "[[rule]]\nname='x'\nkind='line'\nphrases=['»']", "no letters");
    bad!(bad060_twice, "[[rule]]\nname='x'\nkind='line'\nphrases=['a']\n[[rule]]\nname='x'\nkind='line'\nphrases=['b']", "defined twice");
    bad!(bad070_unknown_field, "[[rule]]\nname='x'\nkind='line'\nphrase=['a']", "unknown field");
    bad!(
        bad080_scope,
        "[[rule]]\nname='x'\nkind='contains'\nphrases=['a']\nscope='top'",
        "unknown scope"
    );
    bad!(
        bad090_shape_phrases,
        "[[rule]]\nname='x'\nkind='shape'\nphrases=['a']",
        "needs `patterns`"
    );
}
