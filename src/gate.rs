//! Cheap necessary conditions for a regex to match a line, read off the
//! regex's syntax tree, so that most lines never reach a regex engine.
//!
//! A [`Gate`] holds what every match of a pattern must satisfy: the set of
//! bytes a match can start or end with (used when the pattern is anchored at
//! the start or end of the line), the shortest match, and the longest match
//! (when anchored at both ends), and words one of which the line's folded
//! form must contain. These are worked out from the pattern itself, never
//! guessed: a line a gate turns away cannot match.
//! [`GateSet`] turns the first and last byte tests of many patterns into two
//! table lookups per line.

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;

use aho_corasick::{Anchored, MatchKind};
use regex_syntax::hir::{Class, Hir, HirKind, Look};

use crate::fold::fold_char;

/// A set of bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ByteSet([u64; 4]);

impl ByteSet {
    /// Every byte.
    pub const ALL: ByteSet = ByteSet([u64::MAX; 4]);

    fn insert_range(&mut self, lo: u8, hi: u8) {
        for b in lo..=hi {
            self.0[usize::from(b >> 6)] |= 1 << (b & 63);
        }
    }

    fn union(&mut self, other: ByteSet) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a |= b;
        }
    }

    /// Whether `b` is in the set.
    pub fn contains(&self, b: u8) -> bool {
        self.0[usize::from(b >> 6)] & (1 << (b & 63)) != 0
    }
}

/// What a match of one pattern needs from the line it is found in.
#[derive(Debug, Clone)]
pub struct Gate {
    /// The line's first byte is in this set (anchored at the start).
    pub first: ByteSet,
    /// The line's last byte is in this set (anchored at the end).
    pub last: ByteSet,
    /// The line has at least this many bytes.
    pub min_len: usize,
    /// The line has at most this many bytes (anchored at both ends).
    pub max_len: Option<usize>,
    /// The folded line (see [`crate::fold`]) contains one of these
    /// literals: letters, digits and single inner spaces that every match
    /// spells out, as they fold.
    pub literals: Option<Vec<String>>,
}

/// `pattern` parsed as `regex::bytes` parses it, or `None` when it does not
/// parse (compiling it then reports the error).
pub(crate) fn parse(pattern: &str) -> Option<Hir> {
    regex_syntax::ParserBuilder::new().utf8(false).build().parse(pattern).ok()
}

impl Gate {
    /// A gate that lets every line through.
    pub const OPEN: Gate =
        Gate { first: ByteSet::ALL, last: ByteSet::ALL, min_len: 0, max_len: None, literals: None };

    /// The gate of `pattern`, parsed as `regex::bytes` parses it; an open
    /// gate when the pattern does not parse.
    pub fn of(pattern: &str) -> Gate {
        parse(pattern).map_or(Gate::OPEN, |hir| Gate::of_hir(&hir))
    }

    /// The gate of a parsed pattern (see [`parse`]).
    pub(crate) fn of_hir(hir: &Hir) -> Gate {
        let props = hir.properties();
        let start = props.look_set_prefix().contains(Look::Start);
        let end = props.look_set_suffix().contains(Look::End);
        let (first, first_nullable) = edge(hir, Edge::First);
        let (last, last_nullable) = edge(hir, Edge::Last);
        Gate {
            // A pattern that can match the empty string needs no byte at all.
            first: if start && !first_nullable { first } else { ByteSet::ALL },
            last: if end && !last_nullable { last } else { ByteSet::ALL },
            min_len: props.minimum_len().unwrap_or(0),
            max_len: if start && end { props.maximum_len() } else { None },
            literals: required(hir).filter(|l| worth_searching(l)),
        }
    }

    /// Whether a match in `line` is possible at all, judging by its bytes.
    pub fn admits(&self, line: &[u8]) -> bool {
        let (Some(&first), Some(&last)) = (line.first(), line.last()) else {
            return self.min_len == 0;
        };
        self.first.contains(first)
            && self.last.contains(last)
            && line.len() >= self.min_len
            && self.max_len.is_none_or(|max| line.len() <= max)
    }

    /// Whether a match is possible in a line whose folded form is `folded`,
    /// judging by the literals a match needs.
    pub fn admits_folded(&self, folded: &str) -> bool {
        self.literals.as_ref().is_none_or(|all| all.iter().any(|l| folded.contains(l.as_str())))
    }
}

/// Many needles looked for at once: an Aho-Corasick DFA walked byte by
/// byte over a haystack, reporting every occurrence of every needle
/// (overlapping ones too) without setting up a search per call.
#[derive(Debug, Clone)]
pub struct Needles {
    dfa: DFA,
    shortest: usize,
}

impl Needles {
    /// The automaton for `needles` (none may be empty); `None` when there
    /// are no needles or the automaton cannot be built.
    pub fn new<I, P>(needles: I) -> Option<Needles>
    where
        I: IntoIterator<Item = P>,
        P: AsRef<[u8]>,
    {
        let needles: Vec<P> = needles.into_iter().collect();
        let shortest = needles.iter().map(|n| n.as_ref().len()).min()?;
        if shortest == 0 {
            return None;
        }
        let dfa = aho_corasick::dfa::Builder::new()
            .match_kind(MatchKind::Standard)
            .start_kind(aho_corasick::StartKind::Unanchored)
            .build(&needles)
            .ok()?;
        Some(Needles { dfa, shortest })
    }

    /// The length in bytes of the shortest needle.
    pub fn shortest(&self) -> usize {
        self.shortest
    }

    /// Calls `found(needle, end)` for every occurrence of a needle in
    /// `haystack`, by end offset.
    #[inline]
    pub fn each(&self, haystack: &[u8], mut found: impl FnMut(usize, usize)) {
        if haystack.len() < self.shortest {
            return;
        }
        let dfa = &self.dfa;
        let Ok(mut sid) = dfa.start_state(Anchored::No) else {
            return;
        };
        let mut at = 0;
        while let Some((step, state)) = haystack.get(at..).and_then(|rest| to_match(dfa, sid, rest))
        {
            at += step;
            sid = state;
            for k in 0..dfa.match_len(sid) {
                found(dfa.match_pattern(sid, k).as_usize(), at);
            }
        }
    }

    /// The length in bytes of needle `needle`.
    pub fn len_of(&self, needle: usize) -> usize {
        aho_corasick::PatternID::new(needle).map_or(0, |pid| self.dfa.pattern_len(pid))
    }
}

/// Walks `dfa` from state `sid` over `bytes` to the first match state:
/// the number of bytes read to reach it and the state, or `None` when the
/// bytes end first. Kept out of line so that the loop (most bytes lead to
/// no match) runs in registers of its own, not among its callers'.
#[inline(never)]
fn to_match(dfa: &DFA, mut sid: StateID, bytes: &[u8]) -> Option<(usize, StateID)> {
    for (at, &b) in bytes.iter().enumerate() {
        sid = dfa.next_state(Anchored::No, sid, b);
        if dfa.is_match(sid) {
            return Some((at + 1, sid));
        }
    }
    None
}

/// Literals are searched for only when they are rare enough to pay for it.
fn worth_searching(literals: &[String]) -> bool {
    !literals.is_empty() && literals.len() <= 64 && literals.iter().all(|l| l.chars().count() >= 3)
}

/// Literals one of which the folded form of every line that `hir` matches
/// contains: runs of characters that each fold to one letter or digit
/// (`(?i)p` is `[Pp]`, which folds to `p` either way), with single spaces
/// inside. A character that folds to something else, or not always to the
/// same letter (`(?i)s` also matches `ſ`, which folding keeps), ends a run.
fn required(hir: &Hir) -> Option<Vec<String>> {
    match hir.kind() {
        HirKind::Capture(cap) => required(&cap.sub),
        HirKind::Repetition(rep) if rep.min >= 1 => required(&rep.sub),
        HirKind::Alternation(subs) => {
            let mut all = Vec::new();
            for sub in subs {
                all.extend(required(sub)?);
            }
            all.sort();
            all.dedup();
            Some(all)
        }
        HirKind::Concat(subs) => {
            let mut runs = Runs::default();
            for sub in subs {
                match units(sub) {
                    Some(units) => runs.extend(units),
                    None => {
                        runs.flush();
                        if let Some(inner) = required(sub) {
                            runs.consider(inner);
                        }
                    }
                }
            }
            runs.finish()
        }
        HirKind::Literal(_) | HirKind::Class(_) => {
            let mut runs = Runs::default();
            runs.extend(units(hir)?);
            runs.finish()
        }
        _ => None,
    }
}

/// The best literal set found so far in a concatenation, and the run of
/// folded characters being read.
#[derive(Default)]
struct Runs {
    best: Option<Vec<String>>,
    run: String,
}

impl Runs {
    fn extend(&mut self, units: Vec<Option<char>>) {
        for unit in units {
            match unit {
                Some(c) => self.push(c),
                None => self.flush(),
            }
        }
    }

    fn push(&mut self, unit: char) {
        if unit == ' ' && (self.run.is_empty() || self.run.ends_with(' ')) {
            // Runs never start with a space or double one (folding would
            // collapse it).
            self.flush();
        } else {
            self.run.push(unit);
        }
    }

    /// Ends the current run; without its trailing space it is a candidate.
    fn flush(&mut self) {
        let literal = self.run.trim_end_matches(' ').to_string();
        self.run.clear();
        if !literal.is_empty() {
            self.consider(vec![literal]);
        }
    }

    fn consider(&mut self, candidate: Vec<String>) {
        if self.best.as_ref().is_none_or(|b| better(&candidate, b)) {
            self.best = Some(candidate);
        }
    }

    fn finish(mut self) -> Option<Vec<String>> {
        self.flush();
        self.best
    }
}

/// Whether literal set `a` is a better filter than `b`: a longer shortest
/// literal, then fewer literals.
fn better(a: &[String], b: &[String]) -> bool {
    let shortest = |set: &[String]| set.iter().map(|l| l.chars().count()).min().unwrap_or(0);
    (shortest(a), std::cmp::Reverse(a.len())) > (shortest(b), std::cmp::Reverse(b.len()))
}

/// The folded characters `hir` matches, one after the other, if it is a
/// literal or a one-character class that always folds to the same letter or
/// digit; a space stands for a literal space, and `None` for a character
/// that ends a run (punctuation, say). `None` for anything else.
fn units(hir: &Hir) -> Option<Vec<Option<char>>> {
    match hir.kind() {
        HirKind::Literal(lit) => {
            let text = String::from_utf8_lossy(&lit.0);
            Some(text.chars().map(|c| if c == ' ' { Some(' ') } else { letter(c) }).collect())
        }
        HirKind::Class(Class::Unicode(class)) => {
            let mut chars = class.ranges().iter().flat_map(|r| r.start()..=r.end());
            one_letter(&mut chars)
        }
        HirKind::Class(Class::Bytes(class)) => {
            let bytes = class.ranges().iter().flat_map(|r| r.start()..=r.end());
            // A byte outside ASCII is not a character of its own.
            let mut chars = bytes.map(|b| if b.is_ascii() { char::from(b) } else { '\u{FFFD}' });
            one_letter(&mut chars)
        }
        _ => None,
    }
}

/// The one letter or digit all of (at most 8) `chars` fold to.
fn one_letter(chars: &mut dyn Iterator<Item = char>) -> Option<Vec<Option<char>>> {
    let mut folded = None;
    for (count, c) in chars.enumerate() {
        let f = letter(c)?;
        if count >= 8 || folded.is_some_and(|g| g != f) {
            return None;
        }
        folded = Some(f);
    }
    folded.map(|f| vec![Some(f)])
}

/// What `c` folds to, if that is one letter or digit.
fn letter(c: char) -> Option<char> {
    fold_char(c).filter(|f| f.is_alphanumeric())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Edge {
    First,
    Last,
}

/// The bytes a match of `hir` can start (or end) with, and whether it can
/// match the empty string (then the bytes after it count as well).
fn edge(hir: &Hir, side: Edge) -> (ByteSet, bool) {
    let mut set = ByteSet::default();
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => (set, true),
        HirKind::Literal(lit) => {
            let byte = match side {
                Edge::First => lit.0.first(),
                Edge::Last => lit.0.last(),
            };
            match byte {
                Some(&b) => {
                    set.insert_range(b, b);
                    (set, false)
                }
                None => (set, true),
            }
        }
        HirKind::Class(Class::Bytes(class)) => {
            for range in class.ranges() {
                set.insert_range(range.start(), range.end());
            }
            (set, false)
        }
        HirKind::Class(Class::Unicode(class)) => {
            for range in class.ranges() {
                let (lo, hi) = (u32::from(range.start()), u32::from(range.end()));
                match side {
                    // The lead byte of UTF-8 grows with the code point.
                    Edge::First => set.insert_range(lead_byte(lo), lead_byte(hi)),
                    Edge::Last => {
                        if lo < 0x80 {
                            set.insert_range(lo as u8, hi.min(0x7F) as u8);
                        }
                        if hi >= 0x80 {
                            set.insert_range(0x80, 0xBF);
                        }
                    }
                }
            }
            (set, false)
        }
        HirKind::Repetition(rep) => {
            let (sub, nullable) = edge(&rep.sub, side);
            (sub, nullable || rep.min == 0)
        }
        HirKind::Capture(cap) => edge(&cap.sub, side),
        HirKind::Concat(subs) => {
            let mut in_order: Box<dyn Iterator<Item = &Hir>> = match side {
                Edge::First => Box::new(subs.iter()),
                Edge::Last => Box::new(subs.iter().rev()),
            };
            for sub in &mut in_order {
                let (s, nullable) = edge(sub, side);
                set.union(s);
                if !nullable {
                    return (set, false);
                }
            }
            (set, true)
        }
        HirKind::Alternation(subs) => {
            let mut any_nullable = false;
            for sub in subs {
                let (s, nullable) = edge(sub, side);
                set.union(s);
                any_nullable |= nullable;
            }
            (set, any_nullable)
        }
    }
}

fn lead_byte(cp: u32) -> u8 {
    let mut buf = [0u8; 4];
    match char::from_u32(cp) {
        Some(c) => c.encode_utf8(&mut buf).as_bytes()[0],
        // Surrogates never appear in a class; be generous if one does.
        None => 0xED,
    }
}

/// Only the first this many patterns of a [`GateSet`] are checked for
/// literals (the others skip that test).
const LITERAL_PATTERNS: usize = 256;

/// Gates of many patterns, indexed so that the patterns a line may match
/// come from two table lookups (first and last byte) and a word limit.
#[derive(Debug, Clone, Default)]
pub struct GateSet {
    gates: Vec<Gate>,
    max_words: Vec<Option<usize>>,
    /// 64-bit words per pattern mask.
    width: usize,
    /// For each byte value, the patterns whose gate admits it first.
    by_first: Vec<u64>,
    /// For each byte value, the patterns whose gate admits it last.
    by_last: Vec<u64>,
    /// The patterns that need one of their literals in the folded line.
    needs_literal: Vec<u64>,
    /// Every literal of every pattern.
    literals: Option<Needles>,
    /// For each literal: the patterns it admits.
    literal_owners: Vec<u64>,
}

impl GateSet {
    /// Indexes `gates`, each with the word limit of its rule.
    pub fn new(gates: Vec<(Gate, Option<usize>)>) -> GateSet {
        let width = gates.len().div_ceil(64);
        let mut by_first = vec![0u64; 256 * width];
        let mut by_last = vec![0u64; 256 * width];
        for (i, (gate, _)) in gates.iter().enumerate() {
            for b in 0..=255u8 {
                let slot = usize::from(b) * width + i / 64;
                if gate.first.contains(b) {
                    by_first[slot] |= 1 << (i % 64);
                }
                if gate.last.contains(b) {
                    by_last[slot] |= 1 << (i % 64);
                }
            }
        }
        let mut needs_literal = vec![0u64; width];
        let mut all: Vec<String> = Vec::new();
        let mut literal_owners: Vec<u64> = Vec::new();
        for (i, (gate, _)) in gates.iter().enumerate() {
            let Some(literals) = &gate.literals else { continue };
            if i >= LITERAL_PATTERNS {
                break;
            }
            needs_literal[i / 64] |= 1 << (i % 64);
            for literal in literals {
                let id = match all.iter().position(|l| l == literal) {
                    Some(id) => id,
                    None => {
                        all.push(literal.clone());
                        literal_owners.extend(std::iter::repeat_n(0, width));
                        all.len() - 1
                    }
                };
                literal_owners[id * width + i / 64] |= 1 << (i % 64);
            }
        }
        let literals = Needles::new(&all);
        if literals.is_none() {
            // Without the automaton no literal can be checked: none is needed.
            needs_literal.iter_mut().for_each(|m| *m = 0);
        }
        let (gates, max_words) = gates.into_iter().unzip();
        GateSet {
            gates,
            max_words,
            width,
            by_first,
            by_last,
            needs_literal,
            literals,
            literal_owners,
        }
    }

    /// Whether there are no patterns.
    pub fn is_empty(&self) -> bool {
        self.gates.is_empty()
    }

    /// Calls `f` with the index of every pattern that may match `line`, a
    /// non-empty line of `words` words whose folded form is `folded` (if
    /// known), in pattern order.
    #[inline]
    pub fn candidates(
        &self,
        line: &[u8],
        folded: Option<&str>,
        words: usize,
        mut f: impl FnMut(usize),
    ) {
        let (Some(&first), Some(&last)) = (line.first(), line.last()) else {
            return;
        };
        let (fa, la) = (usize::from(first) * self.width, usize::from(last) * self.width);
        // The literals are looked for once per line, and only if a pattern
        // that passed the byte, length and word tests needs one.
        let mut found: Option<[u64; LITERAL_PATTERNS / 64]> = None;
        for chunk in 0..self.width {
            let mut mask = self.by_first[fa + chunk] & self.by_last[la + chunk];
            let mut rest = mask;
            while rest != 0 {
                let bit = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                let i = chunk * 64 + bit;
                let Some(gate) = self.gates.get(i) else { continue };
                if line.len() < gate.min_len
                    || gate.max_len.is_some_and(|max| line.len() > max)
                    || self.max_words[i].is_some_and(|max| words > max)
                {
                    mask &= !(1 << bit);
                }
            }
            if let (Some(folded), Some(needles)) = (folded, &self.literals) {
                if mask & self.needs_literal[chunk] != 0 {
                    let found = found.get_or_insert_with(|| {
                        let mut found = [0u64; LITERAL_PATTERNS / 64];
                        needles.each(folded.as_bytes(), |literal, _| {
                            let owners = &self.literal_owners[literal * self.width..];
                            for (f, o) in found.iter_mut().zip(owners) {
                                *f |= o;
                            }
                        });
                        found
                    });
                    mask &= !self.needs_literal[chunk] | found[chunk];
                }
            }
            while mask != 0 {
                f(chunk * 64 + mask.trailing_zeros() as usize);
                mask &= mask - 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admits(pattern: &str, line: &str) -> bool {
        Gate::of(pattern).admits(line.as_bytes())
    }

    #[test]
    fn gate010_anchored_start() {
        assert!(admits("(?i)^(bookmark|like)s?$", "Likes"));
        assert!(!admits("(?i)^(bookmark|like)s?$", "The likes"));
        // Case folding reaches the Kelvin sign's lead byte.
        assert!(Gate::of("(?i)^k").first.contains(0xE2));
    }

    #[test]
    fn gate020_anchored_end() {
        assert!(admits(r"(?i)^.{0,100}\ball rights reserved\.?$", "All Rights Reserved."));
        assert!(!admits(r"(?i)^.{0,100}\ball rights reserved\.?$", "All rights reserved!"));
        assert!(admits(r"\s*(?:»|…)\s*$", "Read more »"));
        assert!(!admits(r"\s*(?:»|…)\s*$", "Read more"));
    }

    #[test]
    fn gate030_lengths() {
        assert!(!admits("^[×✕]$", "××"));
        assert!(admits("^[×✕]$", "✕"));
        assert!(!admits("abc", "ab"));
    }

    #[test]
    fn gate040_nullable_and_unanchored_are_open() {
        assert_eq!(Gate::of("^a*$").first, ByteSet::ALL);
        assert_eq!(Gate::of("(?:^|x)abc").first, ByteSet::ALL);
        assert_eq!(Gate::of("(?m)^abc$").last, ByteSet::ALL);
        assert_eq!(Gate::of("(").first, ByteSet::ALL);
    }

    fn literals(pattern: &str) -> Option<Vec<String>> {
        let hir = parse(pattern)?;
        required(&hir).filter(|l| worth_searching(l))
    }

    #[test]
    fn gate060_literals() {
        let l = |p| literals(p).map(|v| v.join("|"));
        assert_eq!(l(r"(?:^|[.!?]\s+)(?:Photo|Image)s?:\s*\p{Lu}$"), Some("image|photo".into()));
        // `(?i)s` also matches `ſ`, which folds to itself: it ends a run.
        assert_eq!(l(r"(?i)^.{0,9}\ball rights reserved\.?$"), Some("all right".into()));
        assert_eq!(l(r"(?i)\bgetty images\b"), Some("getty image".into()));
        assert_eq!(l(r"Фото"), Some("фото".into()));
        // Case-insensitive `т` also matches `ᲄ` (tall te), which folds to itself.
        assert_eq!(l(r"(?i)Фото"), None);
        assert_eq!(l(r"a  b"), None);
        assert_eq!(l(r"x(?:abc|de)"), None);
        assert_eq!(l(r"\d+ (?:comments|likes)"), Some("comments|likes".into()));
        assert_eq!(l(r"(?:Photo)?\s*x"), None);
        assert!(Gate::of("Photo:").admits_folded("a photo: b"));
        assert!(!Gate::of("Photo:").admits_folded("a foto: b"));
    }

    /// Pieces of lines that the default shape and strip rules care about,
    /// with the characters that folding treats specially.
    const PIECES: &[&str] = &[
        "Photo",
        "photo",
        "PHOTO",
        "Image",
        "Foto",
        "Photos:",
        ": ",
        "Getty Images",
        "AP",
        "(",
        ")",
        "(c)",
        "©",
        "Copyright",
        "All rights reserved",
        "All Rights Reserved.",
        "ſ",
        "\u{212A}",
        "Read more",
        "read more",
        "»",
        "…",
        "...",
        "[",
        "]",
        "12",
        "1,2k",
        " ",
        "  ",
        "\t",
        "\u{a0}",
        "comments",
        "Likes",
        "by",
        "/",
        "×",
        "Latest News, ",
        "Headlines",
        "Ünïcode",
        ".",
        "!",
        "x",
        "Фото",
        "фото",
        "Weiterlesen",
        "\u{200b}",
    ];

    static GATED: std::sync::LazyLock<Vec<(String, Gate, regex::bytes::Regex)>> =
        std::sync::LazyLock::new(|| {
            let rules = crate::RuleSet::defaults();
            rules
                .rules()
                .iter()
                .flat_map(|r| r.patterns.iter())
                .map(|p| {
                    let regex = regex::bytes::Regex::new(p).expect("default pattern");
                    (p.clone(), Gate::of(p), regex)
                })
                .collect()
        });

    proptest::proptest! {
        /// A line a gate turns away never matches its pattern.
        #[test]
        fn gate070_never_wrong(picks in proptest::collection::vec(0..PIECES.len(), 1..8)) {
            let line: String = picks.iter().map(|&i| PIECES[i]).collect();
            let content = bstr::ByteSlice::trim(line.as_bytes());
            if content.is_empty() {
                return Ok(());
            }
            let mut folded = String::new();
            crate::fold::fold_into(content, &mut folded);
            for (pattern, gate, regex) in GATED.iter() {
                if regex.is_match(content) {
                    proptest::prop_assert!(gate.admits(content), "{pattern} / {line:?}");
                    proptest::prop_assert!(gate.admits_folded(&folded), "{pattern} / {line:?}");
                }
            }
        }
    }

    #[test]
    fn gate050_set_candidates() {
        let set = GateSet::new(vec![
            (Gate::of("^a"), None),
            (Gate::of("b$"), Some(2)),
            (Gate::of("x"), None),
        ]);
        let found = |line: &str, words| {
            let mut v = Vec::new();
            set.candidates(line.as_bytes(), None, words, |i| v.push(i));
            v
        };
        // "x" has no anchor: only its length can turn a line away.
        assert_eq!(found("a b", 2), vec![0, 1, 2]);
        assert_eq!(found("a b", 3), vec![0, 2]);
        assert_eq!(found("c", 1), vec![2]);
        assert_eq!(found("xx", 1), vec![2]);
    }
}
