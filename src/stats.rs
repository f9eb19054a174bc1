//! What a batch did: per-file counts ([`FileStats`]) added up into a
//! [`Summary`], printable for people and serialisable as JSON.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::io::jsonl::RecordProblem;

/// At most this many skipped records are listed one by one in a
/// [`Summary`] (all are counted).
pub const MAX_LISTED_SKIPS: usize = 1000;

/// A record or document passed through unchanged instead of cleaned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skip {
    /// The input it came from (`<stdin>` for stdin).
    pub file: String,
    /// Its 1-based line number (JSONL), or none for a whole text document.
    pub line: Option<u64>,
    /// Why it was not cleaned.
    pub reason: RecordProblem,
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.reason),
            None => write!(f, "{}: {}", self.file, self.reason),
        }
    }
}

/// Counts for one input file (or stdin).
#[derive(Debug, Clone, Default)]
pub struct FileStats {
    /// Documents cleaned (text files, or JSONL records whose field was cleaned).
    pub documents: u64,
    /// Records or documents passed through unchanged (see `skips`).
    pub skipped: u64,
    /// Records dropped because their cleaned text was empty.
    pub dropped_empty: u64,
    /// Uncompressed bytes read.
    pub bytes_in: u64,
    /// Uncompressed bytes written.
    pub bytes_out: u64,
    /// Whole lines removed from documents.
    pub lines_removed: u64,
    /// Removals per rule or detector name.
    pub rules: HashMap<Arc<str>, u64>,
    /// The skipped records, in input order (at most [`MAX_LISTED_SKIPS`]).
    pub skips: Vec<Skip>,
}

impl FileStats {
    /// Records a skip.
    pub(crate) fn skip(&mut self, skip: Skip) {
        self.skipped += 1;
        if self.skips.len() < MAX_LISTED_SKIPS {
            self.skips.push(skip);
        }
    }
}

/// A rule and how many removals it made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleCount {
    /// The rule or detector name.
    pub rule: String,
    /// Its number of removals.
    pub removals: u64,
}

/// The whole batch: counts added up over every file, with failures.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Input files processed without error.
    pub files: u64,
    /// Input files that failed (unreadable, bad output, strict-mode rejects).
    pub files_failed: u64,
    /// Documents cleaned.
    pub documents: u64,
    /// Records or documents passed through unchanged.
    pub records_skipped: u64,
    /// Skips per reason.
    pub skipped_by_reason: BTreeMap<String, u64>,
    /// The first skipped records, as `file:line: reason`.
    pub skips: Vec<String>,
    /// Records dropped because their cleaned text was empty (`--drop-empty`).
    pub dropped_empty: u64,
    /// Uncompressed bytes read.
    pub bytes_in: u64,
    /// Uncompressed bytes written.
    pub bytes_out: u64,
    /// Whole lines removed.
    pub lines_removed: u64,
    /// Removals per rule, most first (ties by name).
    pub rules: Vec<RuleCount>,
    /// One message per failed file.
    pub errors: Vec<String>,
    /// Wall-clock seconds.
    pub elapsed_secs: f64,
    /// Uncompressed input megabytes (10^6 bytes) per second.
    pub mb_per_s: f64,
    /// What the corpus pass counted, when it ran.
    pub corpus: Option<CorpusStats>,
    #[serde(skip)]
    rule_counts: HashMap<Arc<str>, u64>,
}

/// What the corpus pass counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CorpusStats {
    /// Groups (sites, or one for the batch) held at the end (the cap may
    /// have forgotten some).
    pub groups: u64,
    /// Documents counted (exact copies once).
    pub documents: u64,
    /// Distinct line fingerprints held.
    pub distinct_lines: u64,
    /// Whether the cap made the pass forget lines or groups.
    pub lossy: bool,
}

impl Summary {
    /// An empty summary.
    pub fn new() -> Summary {
        Summary::default()
    }

    /// Adds one file's counts.
    pub fn add(&mut self, stats: FileStats) {
        self.files += 1;
        self.documents += stats.documents;
        self.records_skipped += stats.skipped;
        self.dropped_empty += stats.dropped_empty;
        self.bytes_in += stats.bytes_in;
        self.bytes_out += stats.bytes_out;
        self.lines_removed += stats.lines_removed;
        for (rule, n) in stats.rules {
            *self.rule_counts.entry(rule).or_default() += n;
        }
        for skip in &stats.skips {
            *self.skipped_by_reason.entry(skip.reason.to_string()).or_default() += 1;
            if self.skips.len() < MAX_LISTED_SKIPS {
                self.skips.push(skip.to_string());
            }
        }
        let unlisted = stats.skipped.saturating_sub(stats.skips.len() as u64);
        if unlisted > 0 {
            *self.skipped_by_reason.entry("unlisted".to_string()).or_default() += unlisted;
        }
    }

    /// Records a failed file.
    pub fn add_error(&mut self, message: String) {
        self.files_failed += 1;
        self.errors.push(message);
    }

    /// Sets the elapsed time and sorts the rule counts; call once at the end.
    pub fn finish(&mut self, elapsed_secs: f64) {
        self.elapsed_secs = elapsed_secs;
        self.mb_per_s =
            if elapsed_secs > 0.0 { self.bytes_in as f64 / 1e6 / elapsed_secs } else { 0.0 };
        let mut rules: Vec<RuleCount> = self
            .rule_counts
            .iter()
            .map(|(rule, &removals)| RuleCount { rule: rule.to_string(), removals })
            .collect();
        rules.sort_by(|a, b| b.removals.cmp(&a.removals).then_with(|| a.rule.cmp(&b.rule)));
        self.rules = rules;
    }
}

/// `n` and the noun, in the plural unless `n` is 1: "1 document", "2 documents".
fn counted(n: impl Into<u64>, noun: &str) -> String {
    match n.into() {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

/// The number of rules a printed summary shows.
const TOP_RULES: usize = 10;

/// The number of skipped records a printed summary lists.
const PRINTED_SKIPS: usize = 20;

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} in {} ({} failed), {:.1} MB in, {:.1} MB out, {} removed, {:.1}s, {:.1} MB/s",
            counted(self.documents, "document"),
            counted(self.files + self.files_failed, "file"),
            self.files_failed,
            self.bytes_in as f64 / 1e6,
            self.bytes_out as f64 / 1e6,
            counted(self.lines_removed, "line"),
            self.elapsed_secs,
            self.mb_per_s,
        )?;
        if let Some(c) = &self.corpus {
            writeln!(
                f,
                "corpus pass: {} in {}, {}{}",
                counted(c.documents, "document"),
                counted(c.groups, "group"),
                counted(c.distinct_lines, "distinct line"),
                if c.lossy { " (capped: rare lines and small groups forgotten)" } else { "" }
            )?;
        }
        if self.dropped_empty > 0 {
            writeln!(
                f,
                "{} dropped (empty after cleaning)",
                counted(self.dropped_empty, "record")
            )?;
        }
        if !self.rules.is_empty() {
            let top: Vec<String> = self
                .rules
                .iter()
                .take(TOP_RULES)
                .map(|r| format!("{} {}", r.rule, r.removals))
                .collect();
            writeln!(f, "top rules: {}", top.join(", "))?;
        }
        if self.records_skipped > 0 {
            let why: Vec<String> =
                self.skipped_by_reason.iter().map(|(reason, n)| format!("{reason} {n}")).collect();
            writeln!(
                f,
                "{} passed through unchanged: {}",
                counted(self.records_skipped, "record"),
                why.join(", ")
            )?;
            for skip in self.skips.iter().take(PRINTED_SKIPS) {
                writeln!(f, "  {skip}")?;
            }
            if self.records_skipped as usize > PRINTED_SKIPS {
                writeln!(f, "  ... (--stats FILE lists up to {MAX_LISTED_SKIPS})")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_singular_only_for_one() {
        assert_eq!(counted(0u64, "document"), "0 documents");
        assert_eq!(counted(1u64, "document"), "1 document");
        assert_eq!(counted(2u32, "distinct line"), "2 distinct lines");
    }

    #[test]
    fn summary_of_one_document() {
        let summary = Summary { documents: 1, files: 1, lines_removed: 1, ..Summary::default() };
        let text = summary.to_string();
        assert!(text.starts_with("1 document in 1 file (0 failed)"), "{text}");
        assert!(text.contains(", 1 line removed,"), "{text}");
    }
}
