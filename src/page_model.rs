//! The page-level threshold: how strict the line model should be on this
//! page.
//!
//! One threshold for every page is a compromise: article pages want a strict
//! one (teasers and captions score just below body), listings and product
//! pages a lenient one (their body is short lines). The page model is a small
//! ensemble of regression trees that predicts, for a page and a candidate
//! threshold, how much better or worse than the page's average the page's
//! token F1 would be; the cleaner uses the candidate with the best
//! prediction. It reads the distribution of the page's line scores and the
//! page-level features ([`PAGE_FEATURE_NAMES`]), and ships inside the model
//! file as `"page_model": {"features": [...], "thresholds": [...], "trees":
//! [...]}` (trees as in [`crate::model`]).

use serde::Deserialize;

use crate::error::Error;
use crate::model::{FeatureMatrix, TreeFile, FEATURE_NAMES};

/// Names of the page model's inputs, in order: quantiles of the page's line
/// scores, the shares of lines scoring at least 0.2, 0.35, 0.5 and 0.7, the
/// log of the number of scored lines, five page-level line features, and the
/// candidate threshold.
pub const PAGE_FEATURE_NAMES: &[&str] = &[
    "score_q10",
    "score_q25",
    "score_q50",
    "score_q75",
    "score_q90",
    "score_max",
    "above_0.2",
    "above_0.35",
    "above_0.5",
    "above_0.7",
    "scored_lines_log",
    "doc_lines_log",
    "doc_len_log",
    "doc_good_share",
    "doc_removed_share",
    "doc_lex",
    "threshold",
];

/// The line features copied into a page's inputs (constant over a page).
const PAGE_LEVEL: [&str; 5] =
    ["doc_lines_log", "doc_len_log", "doc_good_share", "doc_removed_share", "doc_lex"];

const QUANTILES: [f64; 5] = [0.1, 0.25, 0.5, 0.75, 0.9];
const SHARES_ABOVE: [f32; 4] = [0.2, 0.35, 0.5, 0.7];

/// A trained page-threshold model.
#[derive(Debug, Clone)]
pub struct PageModel {
    thresholds: Vec<f32>,
    /// The indices of [`PageModel::thresholds`] in increasing order of
    /// value, and those values: a split on the threshold input sends a run
    /// of them left and the rest right.
    by_value: Vec<(usize, f64)>,
    /// The nodes of every tree, each tree's in one run, in the file's order
    /// within it: one array, walked in order, instead of five per tree.
    nodes: Vec<PageNode>,
    /// Where each tree's run starts in `nodes` (its root), in tree order.
    roots: Vec<usize>,
    /// Where the [`PAGE_LEVEL`] features are in a line-feature row.
    columns: [usize; PAGE_LEVEL.len()],
}

/// One node of a page-model tree, in 16 bytes.
#[derive(Debug, Clone, Copy)]
struct PageNode {
    /// A split's threshold (an input `<=` it goes left), or a leaf's value.
    value: f64,
    /// The input a split reads, or [`LEAF`].
    feature: u16,
    /// The children, as offsets from the tree's root.
    left: u16,
    right: u16,
}

/// The [`PageNode::feature`] of a leaf.
const LEAF: u16 = u16::MAX;

/// The `page_model` object of a model file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PageModelFile {
    features: Vec<String>,
    thresholds: Vec<f32>,
    trees: Vec<TreeFile>,
}

impl PageModel {
    /// Checks a model file's `page_model`; `origin` names the file in errors.
    pub(crate) fn from_file(file: PageModelFile, origin: &str) -> Result<PageModel, Error> {
        let bad = |message: String| Error::model(origin, format!("page_model: {message}"));
        if file.features.iter().map(String::as_str).ne(PAGE_FEATURE_NAMES.iter().copied()) {
            return Err(bad("trained on other page features than this version computes".into()));
        }
        if file.thresholds.is_empty() || file.thresholds.iter().any(|t| !(0.0..=1.0).contains(t)) {
            return Err(bad("thresholds must be a non-empty list within 0..=1".into()));
        }
        let inputs = PAGE_FEATURE_NAMES.len();
        let mut nodes = Vec::new();
        let mut roots = Vec::with_capacity(file.trees.len());
        for (t, tree) in file.trees.into_iter().enumerate() {
            tree.check(inputs, t).map_err(&bad)?;
            // Children are within the tree, so its size bounds them.
            if tree.feature.len() > usize::from(LEAF) {
                return Err(bad(format!("tree {t}: more than {LEAF} nodes")));
            }
            roots.push(nodes.len());
            for k in 0..tree.feature.len() {
                let split = u16::try_from(tree.feature[k]).ok();
                nodes.push(PageNode {
                    value: if split.is_some() { tree.threshold[k] } else { tree.value[k] },
                    feature: split.unwrap_or(LEAF),
                    left: tree.left[k] as u16,
                    right: tree.right[k] as u16,
                });
            }
        }
        let mut columns = [0; PAGE_LEVEL.len()];
        for (slot, name) in columns.iter_mut().zip(PAGE_LEVEL) {
            *slot = FEATURE_NAMES
                .iter()
                .position(|&n| n == name)
                .ok_or_else(|| bad(format!("line feature {name:?} is missing")))?;
        }
        let mut by_value: Vec<(usize, f64)> =
            file.thresholds.iter().map(|&t| f64::from(t)).enumerate().collect();
        by_value.sort_by(|a, b| a.1.total_cmp(&b.1));
        Ok(PageModel { thresholds: file.thresholds, by_value, nodes, roots, columns })
    }

    /// The candidate thresholds.
    pub fn thresholds(&self) -> &[f32] {
        &self.thresholds
    }

    /// The page model's inputs for a page, without the threshold: `scores`
    /// are the line model's scores of the page's scored lines, `row` any
    /// line-feature row of the page (the page-level features are the same
    /// in every row).
    pub fn inputs(&self, scores: &[f32], row: &[f32]) -> Vec<f64> {
        let mut sorted: Vec<f64> = scores.iter().map(|&s| f64::from(s)).collect();
        // Values equal under `total_cmp` are the same bits: an unstable
        // sort gives the same order, without a stable sort's buffer.
        sorted.sort_unstable_by(f64::total_cmp);
        let mut out = Vec::with_capacity(PAGE_FEATURE_NAMES.len());
        for q in QUANTILES {
            out.push(quantile(&sorted, q));
        }
        out.push(sorted.last().copied().unwrap_or(0.0));
        let n = scores.len().max(1) as f64;
        for t in SHARES_ABOVE {
            out.push(scores.iter().filter(|&&s| s >= t).count() as f64 / n);
        }
        out.push((1.0 + scores.len() as f64).ln());
        for &c in &self.columns {
            out.push(row.get(c).map_or(0.0, |&v| f64::from(v)));
        }
        out
    }

    /// The threshold with the best predicted page F1 for a page (the first
    /// of equals), from the inputs made by [`PageModel::inputs`].
    pub fn choose(&self, inputs: &[f64]) -> f32 {
        first_best(&self.thresholds, &self.gains(inputs))
    }

    /// The predicted gain of every candidate threshold (in the order of
    /// [`PageModel::thresholds`]) for a page's inputs.
    ///
    /// Each tree is walked once for all candidates: the page's other inputs
    /// are the same for every candidate, so a split on one of them sends all
    /// candidates the same way, and a split on the threshold sends a run of
    /// the candidates sorted by value left and the rest right. Every
    /// candidate still gets its leaf of each tree, added in tree order, so
    /// the gains are those of walking the trees once per candidate.
    fn gains(&self, inputs: &[f64]) -> Vec<f64> {
        let mut row = inputs.to_vec();
        row.resize(PAGE_FEATURE_NAMES.len(), 0.0);
        let last = PAGE_FEATURE_NAMES.len() - 1;
        let n = self.by_value.len();
        // In `by_value` order, so that a leaf adds to a run of candidates;
        // starts as `Iterator::sum` does, so the sums agree bit for bit.
        let mut sorted = vec![-0.0f64; n];
        // Nodes still to finish, each with its run `lo..hi` of `by_value`.
        let mut stack: Vec<(usize, usize, usize)> = Vec::new();
        for &root in &self.roots {
            let tree = &self.nodes[root..];
            stack.push((0, 0, n));
            while let Some((mut at, lo, hi)) = stack.pop() {
                // Follow splits on the page's inputs down to a leaf or a
                // split on the threshold. Parse checked every walk ends.
                loop {
                    let node = tree[at];
                    let f = usize::from(node.feature);
                    if node.feature == LEAF {
                        for gain in &mut sorted[lo..hi] {
                            *gain += node.value;
                        }
                        break;
                    }
                    if f == last {
                        let mid =
                            lo + self.by_value[lo..hi].partition_point(|&(_, t)| t <= node.value);
                        if mid < hi {
                            stack.push((usize::from(node.right), mid, hi));
                        }
                        if lo < mid {
                            stack.push((usize::from(node.left), lo, mid));
                        }
                        break;
                    }
                    let next = if row[f] <= node.value { node.left } else { node.right };
                    at = usize::from(next);
                }
            }
        }
        let mut gains = vec![0.0f64; n];
        for (&(k, _), &gain) in self.by_value.iter().zip(&sorted) {
            gains[k] = gain;
        }
        gains
    }

    /// The threshold for the scored lines `lines` of `matrix` with the line
    /// model's `scores`.
    pub fn threshold_for(&self, matrix: &FeatureMatrix, lines: &[usize], scores: &[f32]) -> f32 {
        let row = lines.first().map_or(&[][..], |&i| matrix.row(i));
        self.choose(&self.inputs(scores, row))
    }
}

/// The candidate with the highest gain, the first of equals.
fn first_best(thresholds: &[f32], gains: &[f64]) -> f32 {
    let mut best = (f64::NEG_INFINITY, thresholds.first().copied().unwrap_or(0.0));
    for (&t, &gain) in thresholds.iter().zip(gains) {
        if gain > best.0 {
            best = (gain, t);
        }
    }
    best.1
}

/// How much more recall counts than precision in [`expected_f_cut`] (the
/// square of F-beta's beta): losing body costs a reader more than keeping
/// some chrome, as with the line model's recall floor in training.
pub const CUT_RECALL_WEIGHT: f64 = 2.0;

/// The threshold that maximises the page's expected token F-score if the
/// line scores are read as probabilities that a line is body: lines are
/// taken in order of score, and keeping the best `k` of them is expected to
/// keep `tp = sum(score * weight)` body tokens out of `kept = sum(weight)`,
/// against about `body = sum(score * weight)` over all lines, so with
/// `b2 =` [`CUT_RECALL_WEIGHT`] the expected F-score is
/// `(1 + b2) tp / (kept + b2 body)` (the plug-in rule of Jansche 2007 and
/// Ye et al. 2012). The answer is the score of the last line kept; `weights`
/// are the lines' tokens. `None` when no line has a positive weight and a
/// score above 0.
///
/// A page whose lines are mostly sure body gets a strict cut, a page of
/// doubtful lines a lenient one: this adapts to the page without training.
pub fn expected_f_cut(scores: &[f32], weights: &[f32]) -> Option<f32> {
    let mut order: Vec<usize> = (0..scores.len().min(weights.len()))
        .filter(|&i| scores[i].is_finite() && weights[i].is_finite() && weights[i] > 0.0)
        .collect();
    // Best first, ties in line order (as a stable sort would leave them).
    order.sort_unstable_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let score = |i: usize| f64::from(scores[i].clamp(0.0, 1.0));
    let body: f64 = order.iter().map(|&i| score(i) * f64::from(weights[i])).sum();
    if body <= 0.0 {
        return None;
    }
    let (mut tp, mut kept) = (0.0, 0.0);
    let mut best: Option<(f64, f32)> = None;
    for &i in &order {
        tp += score(i) * f64::from(weights[i]);
        kept += f64::from(weights[i]);
        let f1 = (1.0 + CUT_RECALL_WEIGHT) * tp / (kept + CUT_RECALL_WEIGHT * body);
        if best.is_none_or(|(b, _)| f1 > b) {
            best = Some((f1, scores[i]));
        }
    }
    best.map(|(_, cut)| cut)
}

/// The `q` quantile of sorted values with linear interpolation (numpy's
/// default), 0 for no values.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let Some(last) = sorted.len().checked_sub(1) else {
        return 0.0;
    };
    let pos = q * last as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(last);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(json: &str) -> Result<PageModel, Error> {
        let file: PageModelFile = serde_json::from_str(json).unwrap();
        PageModel::from_file(file, "test")
    }

    fn names() -> String {
        serde_json::to_string(PAGE_FEATURE_NAMES).unwrap()
    }

    /// One walk of tree `t` for one row.
    fn walk(m: &PageModel, t: usize, row: &[f64]) -> f64 {
        let tree = &m.nodes[m.roots[t]..];
        let mut at = 0;
        while tree[at].feature != LEAF {
            let node = tree[at];
            at = usize::from(if row[usize::from(node.feature)] <= node.value {
                node.left
            } else {
                node.right
            });
        }
        tree[at].value
    }

    /// The gains of walking every tree once per candidate threshold, which
    /// [`PageModel::gains`] replaces.
    fn gains_by_walks(m: &PageModel, inputs: &[f64]) -> Vec<f64> {
        let mut row = inputs.to_vec();
        row.resize(PAGE_FEATURE_NAMES.len(), 0.0);
        let last = PAGE_FEATURE_NAMES.len() - 1;
        m.thresholds
            .iter()
            .map(|&t| {
                row[last] = f64::from(t);
                (0..m.roots.len()).map(|t| walk(m, t, &row)).sum()
            })
            .collect()
    }

    /// [`PageModel::choose`] as it was: the first best of the walked gains.
    fn choose_by_walks(m: &PageModel, inputs: &[f64]) -> f32 {
        first_best(&m.thresholds, &gains_by_walks(m, inputs))
    }

    /// The default model's page model, parsed once for all cases.
    fn default_page_model() -> PageModel {
        static PAGE: std::sync::OnceLock<PageModel> = std::sync::OnceLock::new();
        PAGE.get_or_init(|| {
            let model = crate::model::Model::default_model().unwrap();
            model.page_model().unwrap().clone()
        })
        .clone()
    }

    /// A page model whose trees split on the threshold at several depths,
    /// with candidates out of order and repeated.
    fn shuffled_model() -> PageModel {
        let json = format!(
            r#"{{"features": {}, "thresholds": [0.6, 0.2, 0.45, 0.2, 0.9, 0.3],
                "trees": [
                  {{"feature": [16, 0, -1, 16, -1, -1, -1], "threshold": [0.4, 0.5, 0, 0.3, 0, 0, 0],
                    "left": [1, 3, 0, 4, 0, 0, 0], "right": [6, 2, 0, 5, 0, 0, 0],
                    "value": [0, 0, 0.25, 0, -1.5, 0.125, 2.0]}},
                  {{"feature": [1, 16, -1, -1], "threshold": [0.5, 0.45, 0, 0],
                    "left": [1, 2, 0, 0], "right": [3, 3, 0, 0], "value": [0, 0, 0.5, -0.75]}},
                  {{"feature": [-1], "threshold": [0], "left": [0], "right": [0], "value": [0.1]}}
                ]}}"#,
            names()
        );
        model(&json).unwrap()
    }

    #[test]
    fn one_walk_per_tree_equals_walks_per_threshold() {
        for m in [default_page_model(), shuffled_model()] {
            for k in 0..50 {
                let inputs: Vec<f64> = (0..PAGE_FEATURE_NAMES.len() - 1)
                    .map(|f| ((k * 7 + f * 13) % 23) as f64 / 11.0 - 0.5)
                    .collect();
                let (fast, slow) = (m.gains(&inputs), gains_by_walks(&m, &inputs));
                let bits = |g: &[f64]| g.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&fast), bits(&slow), "{inputs:?}");
                assert_eq!(m.choose(&inputs), choose_by_walks(&m, &inputs));
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn choose_is_the_walks(
            scores in proptest::collection::vec(0.0f32..=1.0, 0..60),
            page in proptest::collection::vec(-1.0f32..10.0, 5),
            default in proptest::bool::ANY,
        ) {
            let m = if default { default_page_model() } else { shuffled_model() };
            let mut row = vec![0.0f32; crate::model::FEATURES];
            for (&c, &v) in m.columns.iter().zip(&page) {
                row[c] = v;
            }
            let inputs = m.inputs(&scores, &row);
            let fast: Vec<u64> = m.gains(&inputs).iter().map(|x| x.to_bits()).collect();
            let slow: Vec<u64> = gains_by_walks(&m, &inputs).iter().map(|x| x.to_bits()).collect();
            proptest::prop_assert_eq!(fast, slow);
            proptest::prop_assert_eq!(m.choose(&inputs), choose_by_walks(&m, &inputs));
        }
    }

    #[test]
    fn expected_f_cut_keeps_sure_body() {
        // All lines likely body: keep them all.
        assert_eq!(expected_f_cut(&[0.99, 0.97, 0.98], &[10.0, 10.0, 10.0]), Some(0.97));
        // Two sure lines and two sure chrome lines: cut between them.
        assert_eq!(expected_f_cut(&[0.1, 0.95, 0.05, 0.9], &[10.0; 4]), Some(0.9));
        // A doubtful page keeps its doubtful lines.
        assert_eq!(expected_f_cut(&[0.3, 0.35, 0.02], &[10.0; 3]), Some(0.3));
    }

    #[test]
    fn expected_f_cut_weighs_lines_by_tokens() {
        // A long 0.6 line is worth keeping next to a short sure one.
        assert_eq!(expected_f_cut(&[0.95, 0.6, 0.2], &[10.0, 50.0, 10.0]), Some(0.6));
        assert_eq!(expected_f_cut(&[0.95, 0.25], &[50.0, 30.0]), Some(0.95));
        // On a clean page a line is kept when it scores above about a third
        // of the page's expected F-score (here 0.98).
        assert_eq!(expected_f_cut(&[0.95, 0.4], &[50.0, 1.0]), Some(0.4));
        assert_eq!(expected_f_cut(&[0.95, 0.3], &[50.0, 1.0]), Some(0.95));
    }

    #[test]
    fn expected_f_cut_without_evidence() {
        assert_eq!(expected_f_cut(&[], &[]), None);
        assert_eq!(expected_f_cut(&[0.0, 0.0], &[5.0, 5.0]), None);
        assert_eq!(expected_f_cut(&[0.9, 0.8], &[0.0, 0.0]), None);
        assert_eq!(expected_f_cut(&[f32::NAN, 0.5], &[1.0, 1.0]), Some(0.5));
    }

    proptest::proptest! {
        #[test]
        fn expected_f_cut_is_one_of_the_scores(
            lines in proptest::collection::vec((0.0f32..=1.0, 0.0f32..100.0), 0..40)
        ) {
            let (scores, weights): (Vec<f32>, Vec<f32>) = lines.iter().copied().unzip();
            if let Some(cut) = expected_f_cut(&scores, &weights) {
                proptest::prop_assert!(scores.contains(&cut));
                // The first line taken (the best score) always beats an
                // empty cut, so the cut is above 0 once any line scores so.
                proptest::prop_assert!(cut > 0.0 || scores.iter().all(|&s| s <= 0.0));
            }
        }
    }

    #[test]
    fn quantile_matches_numpy() {
        let v = [0.1, 0.2, 0.4, 0.8];
        // numpy.quantile([.1,.2,.4,.8], [.1,.5,.9]) = [0.13, 0.3, 0.68]
        assert!((quantile(&v, 0.1) - 0.13).abs() < 1e-12);
        assert!((quantile(&v, 0.5) - 0.3).abs() < 1e-12);
        assert!((quantile(&v, 0.9) - 0.68).abs() < 1e-12);
        assert_eq!(quantile(&[], 0.5), 0.0);
        assert_eq!(quantile(&[0.7], 0.9), 0.7);
    }

    #[test]
    fn chooses_the_threshold_with_the_best_prediction() {
        // One tree: gain 1 when the candidate threshold is above 0.45.
        let json = format!(
            r#"{{"features": {}, "thresholds": [0.2, 0.4, 0.6],
                "trees": [{{"feature": [16, -1, -1], "threshold": [0.45, 0, 0],
                            "left": [1, 0, 0], "right": [2, 0, 0], "value": [0, 0, 1]}}]}}"#,
            names()
        );
        let m = model(&json).unwrap();
        let inputs = m.inputs(&[0.1, 0.9], &[]);
        assert_eq!(inputs.len(), PAGE_FEATURE_NAMES.len() - 1);
        assert_eq!(m.choose(&inputs), 0.6);
    }

    #[test]
    fn rejects_bad_files() {
        let tree =
            r#"{"feature": [-1], "threshold": [0], "left": [0], "right": [0], "value": [0]}"#;
        let ok = format!(r#"{{"features": {}, "thresholds": [0.3], "trees": [{tree}]}}"#, names());
        assert!(model(&ok).is_ok());
        let other = format!(r#"{{"features": ["x"], "thresholds": [0.3], "trees": [{tree}]}}"#);
        assert!(model(&other).is_err());
        let empty = format!(r#"{{"features": {}, "thresholds": [], "trees": []}}"#, names());
        assert!(model(&empty).is_err());
        let cycle =
            r#"{"feature": [0], "threshold": [0], "left": [0], "right": [0], "value": [0]}"#;
        let looped =
            format!(r#"{{"features": {}, "thresholds": [0.3], "trees": [{cycle}]}}"#, names());
        assert!(model(&looped).is_err());
        // Children are 16-bit offsets: a larger tree is refused, not cut.
        let leaves = |n: usize| {
            let list = |x: &str| vec![x; n].join(",");
            format!(
                r#"{{"feature": [{}], "threshold": [{}], "left": [{}], "right": [{}], "value": [{}]}}"#,
                list("-1"),
                list("0"),
                list("0"),
                list("0"),
                list("0")
            )
        };
        let sized = |n: usize| {
            format!(r#"{{"features": {}, "thresholds": [0.3], "trees": [{}]}}"#, names(), leaves(n))
        };
        assert!(model(&sized(65_535)).is_ok());
        let err = model(&sized(65_536)).unwrap_err().to_string();
        assert!(err.contains("more than 65535 nodes"), "{err}");
    }
}
