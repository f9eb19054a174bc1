//! Cheap necessary conditions for a regex to match a line, read off the
//! regex's syntax tree, so that most lines never reach a regex engine.
//!
//! A [`Gate`] holds what every match of a pattern must satisfy: the set of
//! bytes a match can start or end with (used when the pattern is anchored at
//! the start or end of the line), the shortest match, and the longest match
//! (when anchored at both ends). These are supersets worked out from the
//! pattern itself, never guesses: a line a gate turns away cannot match.
//! [`GateSet`] turns the first and last byte tests of many patterns into two
//! table lookups per line.

use regex_syntax::hir::{Class, Hir, HirKind, Look};

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gate {
    /// The line's first byte is in this set (anchored at the start).
    pub first: ByteSet,
    /// The line's last byte is in this set (anchored at the end).
    pub last: ByteSet,
    /// The line has at least this many bytes.
    pub min_len: usize,
    /// The line has at most this many bytes (anchored at both ends).
    pub max_len: Option<usize>,
}

impl Gate {
    /// A gate that lets every line through.
    pub const OPEN: Gate =
        Gate { first: ByteSet::ALL, last: ByteSet::ALL, min_len: 0, max_len: None };

    /// The gate of `pattern`, parsed as `regex::bytes` parses it; an open
    /// gate when the pattern does not parse.
    pub fn of(pattern: &str) -> Gate {
        let parsed = regex_syntax::ParserBuilder::new().utf8(false).build().parse(pattern);
        match parsed {
            Ok(hir) => Gate::of_hir(&hir),
            Err(_) => Gate::OPEN,
        }
    }

    fn of_hir(hir: &Hir) -> Gate {
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
        }
    }

    /// Whether a match in `line` is possible at all. `line` is not empty.
    pub fn admits(&self, line: &[u8]) -> bool {
        let (Some(&first), Some(&last)) = (line.first(), line.last()) else {
            return self.min_len == 0;
        };
        self.first.contains(first)
            && self.last.contains(last)
            && line.len() >= self.min_len
            && self.max_len.is_none_or(|max| line.len() <= max)
    }
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
        let (gates, max_words) = gates.into_iter().unzip();
        GateSet { gates, max_words, width, by_first, by_last }
    }

    /// Whether there are no patterns.
    pub fn is_empty(&self) -> bool {
        self.gates.is_empty()
    }

    /// Calls `f` with the index of every pattern that may match `line`, a
    /// non-empty line of `words` words, in pattern order.
    #[inline]
    pub fn candidates(&self, line: &[u8], words: usize, mut f: impl FnMut(usize)) {
        let (Some(&first), Some(&last)) = (line.first(), line.last()) else {
            return;
        };
        let (fa, la) = (usize::from(first) * self.width, usize::from(last) * self.width);
        for chunk in 0..self.width {
            let mut mask = self.by_first[fa + chunk] & self.by_last[la + chunk];
            while mask != 0 {
                let i = chunk * 64 + mask.trailing_zeros() as usize;
                mask &= mask - 1;
                let gate = &self.gates[i];
                if line.len() >= gate.min_len
                    && gate.max_len.is_none_or(|max| line.len() <= max)
                    && self.max_words[i].is_none_or(|max| words <= max)
                {
                    f(i);
                }
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

    #[test]
    fn gate050_set_candidates() {
        let set = GateSet::new(vec![
            (Gate::of("^a"), None),
            (Gate::of("b$"), Some(2)),
            (Gate::of("x"), None),
        ]);
        let found = |line: &str, words| {
            let mut v = Vec::new();
            set.candidates(line.as_bytes(), words, |i| v.push(i));
            v
        };
        // "x" has no anchor: only its length can turn a line away.
        assert_eq!(found("a b", 2), vec![0, 1, 2]);
        assert_eq!(found("a b", 3), vec![0, 2]);
        assert_eq!(found("c", 1), vec![2]);
        assert_eq!(found("xx", 1), vec![2]);
    }
}
