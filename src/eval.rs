//! Scoring cleaned text against gold main text: token-level precision,
//! recall and F1, the way web-content-extraction benchmarks score it.
//!
//! A text's tokens are its runs of non-white-space characters
//! (case-sensitive, punctuation attached). Per page, the overlap is the size
//! of the multiset intersection of gold and predicted tokens;
//! `P = overlap / predicted`, `R = overlap / gold`. An empty gold scores 1
//! when the prediction is empty too (else P = 0, R = 1); an empty
//! prediction with a non-empty gold scores 0. Datasets average their pages,
//! and the overall figure averages the datasets (macro).
//!
//! # Example
//! ```
//! let s = declutter::eval::score_page("the cat sat", "the cat sat on Share");
//! assert_eq!((s.precision, s.recall), (0.6, 1.0));
//! ```

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

/// The score of one page.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PageScore {
    /// Share of predicted tokens found in the gold.
    pub precision: f64,
    /// Share of gold tokens found in the prediction.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Number of gold tokens.
    pub gold_tokens: usize,
    /// Number of predicted tokens.
    pub pred_tokens: usize,
}

/// Whether `c` separates tokens: Unicode white space, plus the four ASCII
/// information separators that Python's `str.split` also treats as space.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// The tokens of a text: runs of non-white-space characters.
pub fn tokens(text: &str) -> impl Iterator<Item = &str> {
    text.split(is_separator).filter(|t| !t.is_empty())
}

/// Scores one page's predicted text against its gold text.
pub fn score_page(gold: &str, pred: &str) -> PageScore {
    let mut counts: FxHashMap<&str, i64> = FxHashMap::default();
    let mut gold_tokens = 0;
    for t in tokens(gold) {
        *counts.entry(t).or_default() += 1;
        gold_tokens += 1;
    }
    let mut pred_tokens = 0;
    let mut overlap = 0usize;
    for t in tokens(pred) {
        pred_tokens += 1;
        if let Some(n) = counts.get_mut(t) {
            if *n > 0 {
                *n -= 1;
                overlap += 1;
            }
        }
    }
    let (precision, recall) = if gold_tokens == 0 {
        if pred_tokens == 0 {
            (1.0, 1.0)
        } else {
            (0.0, 1.0)
        }
    } else if pred_tokens == 0 || overlap == 0 {
        (0.0, 0.0)
    } else {
        (overlap as f64 / pred_tokens as f64, overlap as f64 / gold_tokens as f64)
    };
    let f1 = if gold_tokens == 0 && pred_tokens == 0 {
        1.0
    } else if precision + recall == 0.0 || gold_tokens == 0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    PageScore { precision, recall, f1, gold_tokens, pred_tokens }
}

/// The mean scores of a set of pages.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MeanScore {
    /// Number of pages.
    pub pages: usize,
    /// Pages with no prediction (scored as empty).
    pub missing: usize,
    /// Mean precision.
    pub precision: f64,
    /// Mean recall.
    pub recall: f64,
    /// Mean F1.
    pub f1: f64,
    /// Median F1.
    pub f1_median: f64,
}

/// One scored page of a dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredPage {
    /// The dataset (the gold directory's sub-directory).
    pub dataset: String,
    /// The page id (the gold file name without `.gold.txt`).
    pub id: String,
    /// Its score.
    pub score: PageScore,
    /// Whether the prediction file was missing.
    pub missing: bool,
}

/// Scores of many pages, by dataset and overall.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    /// Every page, in dataset and id order.
    pub pages: Vec<ScoredPage>,
}

impl Report {
    /// Mean scores per dataset, by dataset name.
    pub fn per_dataset(&self) -> BTreeMap<&str, MeanScore> {
        let mut by: BTreeMap<&str, Vec<&ScoredPage>> = BTreeMap::new();
        for page in &self.pages {
            by.entry(&page.dataset).or_default().push(page);
        }
        by.into_iter().map(|(name, pages)| (name, mean(&pages))).collect()
    }

    /// The mean over datasets of the per-dataset means (macro); `pages` and
    /// `missing` are totals; the median is the mean of dataset medians.
    pub fn overall(&self) -> MeanScore {
        let per = self.per_dataset();
        let n = per.len().max(1) as f64;
        let mut out = MeanScore::default();
        for m in per.values() {
            out.pages += m.pages;
            out.missing += m.missing;
            out.precision += m.precision / n;
            out.recall += m.recall / n;
            out.f1 += m.f1 / n;
            out.f1_median += m.f1_median / n;
        }
        out
    }

    /// The mean over all pages (micro).
    pub fn overall_micro(&self) -> MeanScore {
        mean(&self.pages.iter().collect::<Vec<_>>())
    }

    /// The `n` pages with the lowest F1, worst first.
    pub fn worst(&self, n: usize) -> Vec<&ScoredPage> {
        let mut pages: Vec<&ScoredPage> = self.pages.iter().collect();
        pages.sort_by(|a, b| a.score.f1.total_cmp(&b.score.f1).then(a.id.cmp(&b.id)));
        pages.truncate(n);
        pages
    }
}

fn mean(pages: &[&ScoredPage]) -> MeanScore {
    let n = pages.len();
    if n == 0 {
        return MeanScore::default();
    }
    let avg = |f: fn(&PageScore) -> f64| pages.iter().map(|p| f(&p.score)).sum::<f64>() / n as f64;
    let mut f1s: Vec<f64> = pages.iter().map(|p| p.score.f1).collect();
    f1s.sort_by(f64::total_cmp);
    let f1_median = if n % 2 == 1 { f1s[n / 2] } else { (f1s[n / 2 - 1] + f1s[n / 2]) / 2.0 };
    MeanScore {
        pages: n,
        missing: pages.iter().filter(|p| p.missing).count(),
        precision: avg(|s| s.precision),
        recall: avg(|s| s.recall),
        f1: avg(|s| s.f1),
        f1_median,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_table() {
        for (gold, pred, p, r) in [
            ("a b c", "a b c", 1.0, 1.0),
            ("a b c", "", 0.0, 0.0),
            ("", "", 1.0, 1.0),
            ("", "x", 0.0, 1.0),
            ("a a b", "a b b", 2.0 / 3.0, 2.0 / 3.0),
            ("A b", "a b", 0.5, 0.5),
            ("x\u{a0}y\u{1f}z", "x y z", 1.0, 1.0),
            ("a b", "c d", 0.0, 0.0),
        ] {
            let s = score_page(gold, pred);
            assert!(
                (s.precision - p).abs() < 1e-9 && (s.recall - r).abs() < 1e-9,
                "{gold:?} {pred:?} {s:?}"
            );
        }
        assert_eq!(score_page("", "x").f1, 0.0);
    }

    #[test]
    fn macro_averages_datasets_not_pages() {
        let page = |dataset: &str, f1: f64| ScoredPage {
            dataset: dataset.to_string(),
            id: format!("{dataset}{f1}"),
            score: PageScore { f1, ..PageScore::default() },
            missing: false,
        };
        let report =
            Report { pages: vec![page("a", 1.0), page("a", 1.0), page("a", 1.0), page("b", 0.0)] };
        assert_eq!(report.overall().f1, 0.5);
        assert_eq!(report.overall_micro().f1, 0.75);
        assert_eq!(report.worst(1)[0].dataset, "b");
        assert_eq!(report.per_dataset()["a"].f1_median, 1.0);
    }
}
