#!/usr/bin/env python3
"""Trains declutter's line model from pages with human gold text.

Input: a directory laid out like the WCXB/scrapinghub eval set
(`DIR/<dataset>/<id>.input.txt` next to `DIR/<dataset>/<id>.gold.txt`).
Output: a model file (`declutter-model/1` JSON, see src/model.rs) and, with
`--cv-dir`, one model per cross-validation fold plus the page lists, so that
`scripts/eval-cv.sh` can score every page with a model that never saw it.

Steps:
1. `declutter features --corpus` computes every line's features exactly as
   the cleaner does (the corpus group is the whole input set); a share of the
   pages (`--no-corpus-share`) is trained without corpus evidence, so the
   model also works on documents cleaned alone.
2. Labels: each input line is body when at least half of its tokens align
   with the gold text (difflib alignment of the token sequences, in order, so
   a repeated heading gets the right copy).
3. Word evidence (src/lexicon.rs): for every word on at least
   `--lexicon-min-pages` pages, the log-odds of pages having it in body lines
   against chrome lines. The `lex_*` features are stacked: a line's word
   evidence always comes from a lexicon that did not see its page (in
   cross-validation, one that saw neither its fold nor the held-out fold),
   computed by `declutter features --lexicon` itself.
4. Gradient-boosted trees (LightGBM), each line weighted by its share of its
   page's tokens, each dataset weighted the same: the weights mirror the
   page-level, dataset-macro token F1 that the benchmark reports.
5. The keep threshold is chosen for page-level macro F1. In cross-validation
   it is chosen on inner folds of the training pages only, so no figure is
   measured on a page that fitted the model or its threshold.
6. The page-threshold model (src/page_model.rs, `--page-trees`): trees that
   predict a page's F1 (plus `--page-recall-weight` times its recall) at each
   candidate threshold from the distribution of its line scores, trained on
   the inner folds' held-out scores (in cross-validation) or on the
   cross-validated scores (for the shipped model). It replaces the single
   threshold when present.

Requirements (a venv is enough): `pip install lightgbm numpy pandas`.

    scripts/train_model.py --data ../shared/eval-dev --out src/rules/model.json \\
        --cv-dir /tmp/cv
"""
import argparse
import atexit
import collections
import difflib
import json
import os
import pickle
import random
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata

import lightgbm as lgb
import numpy as np
import pandas as pd

FORMAT = "declutter-model/1"
WS = re.compile(r"\s+")
QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
                        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"',
                        "\u00ab": '"', "\u00bb": '"'})
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
THRESHOLDS = [round(0.05 * k, 2) for k in range(2, 17)]
MIN_RECALL = [0.0]  # set by --min-recall
SPLITS = [2.0]  # --page-split adds 0.3..0.8: a stricter threshold for prose-heavy pages


def norm_tokens(text):
    text = unicodedata.normalize("NFKC", text).translate(QUOTES).translate(ZERO_WIDTH)
    text = text.strip()
    return WS.split(text) if text else []


def split_lines(data):
    """The cleaner's line split: on b'\\n', a final unterminated line counts."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


def page_labels(input_bytes, gold_text):
    """Per line: (label, raw whitespace tokens of the line)."""
    lines = split_lines(input_bytes)
    texts = [l.decode("utf-8", errors="replace") for l in lines]
    line_tokens = [norm_tokens(t) for t in texts]
    flat, owner = [], []
    for i, toks in enumerate(line_tokens):
        flat.extend(toks)
        owner.extend([i] * len(toks))
    gold = norm_tokens(gold_text)
    aligned = [0] * len(lines)
    sm = difflib.SequenceMatcher(None, flat, gold, autojunk=False)
    for a, _b, size in sm.get_matching_blocks():
        for k in range(a, a + size):
            aligned[owner[k]] += 1
    labels = [1 if toks and aligned[i] * 2 >= len(toks) else 0 for i, toks in enumerate(line_tokens)]
    raw_tokens = [t.strip().split() for t in texts]
    return labels, raw_tokens


def load_pages(data_dir):
    """The pages under `data_dir` as (dataset, page id) pairs, sorted; a page's
    id is its path below `data_dir` without `.input.txt` (`dataset/name`), so
    two datasets may use the same file names."""
    pages = []
    for dataset in sorted(os.listdir(data_dir)):
        d = os.path.join(data_dir, dataset)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if name.endswith(".input.txt"):
                pid = dataset + "/" + name[: -len(".input.txt")]
                pages.append((dataset, pid))
    return pages


def features(binary, paths, corpus, extra=()):
    cmd = [binary, "features", "--no-model"] + (["--corpus"] if corpus else []) + list(extra) + paths
    out = subprocess.run(cmd, check=True, capture_output=True).stdout
    from io import BytesIO
    frame = pd.read_csv(BytesIO(out), sep="\t", dtype={"path": str, "tokens": str}, quoting=3,
                        keep_default_na=False, na_values=[])
    return frame


LEX_COLUMNS = ["lex_mean", "lex_min", "lex_max", "lex_known", "ctx2_lex", "ctx5_lex",
               "ctx10_lex", "doc_lex"]


def lexicon_weights(page_words, pids, min_pages):
    """Word evidence from the pages `pids`: for each word seen on at least
    `min_pages` pages, log((pages with it in a body line + 1) / (pages with
    it in a chrome line + 1)). Counting pages, not lines, keeps one page's
    repeated menu or one long article from deciding a word's weight."""
    body, chrome = collections.Counter(), collections.Counter()
    for pid in pids:
        b, c = page_words[pid]
        body.update(b)
        chrome.update(c)
    weights = {}
    for word in set(body) | set(chrome):
        if body[word] + chrome[word] >= min_pages:
            weights[word] = round(float(np.log((body[word] + 1) / (chrome[word] + 1))), 4)
    return weights


class LexiconFeatures:
    """The `lex_*` columns of every line under a given lexicon, computed by
    the binary itself (so training reads exactly what the cleaner computes)."""

    def __init__(self, binary, inputs, keys, workdir):
        self.binary, self.inputs, self.keys, self.workdir = binary, inputs, keys, workdir

    def columns(self, weights, name):
        path = os.path.join(self.workdir, f"lexicon-{name}.json")
        with open(path, "w") as f:
            json.dump(weights, f)
        frame = features(self.binary, self.inputs, False, ["--lexicon", path])
        frame = frame.set_index(["path", "line"])[LEX_COLUMNS]
        return frame.loc[self.keys].to_numpy(dtype=np.float32).astype(np.float64)


def page_prf(gold_counter, gold_n, kept_tokens):
    """(F1, recall) of one page, as the benchmark's scorer computes them."""
    pred = collections.Counter(kept_tokens)
    n = sum(pred.values())
    if gold_n == 0:
        return (1.0, 1.0) if n == 0 else (0.0, 1.0)
    if n == 0:
        return 0.0, 0.0
    overlap = sum(min(c, gold_counter.get(t, 0)) for t, c in pred.items())
    if overlap == 0:
        return 0.0, 0.0
    p, r = overlap / n, overlap / gold_n
    return 2 * p * r / (p + r), r


def page_f1(gold_counter, gold_n, kept_tokens):
    return page_prf(gold_counter, gold_n, kept_tokens)[0]


class Page:
    __slots__ = ("dataset", "pid", "rows", "gold", "gold_n", "tokens", "good_share")

    def __init__(self, dataset, pid):
        self.dataset, self.pid = dataset, pid


def f1_table(pages, scores):
    """Each page's F1 at every candidate threshold, and its weight in the macro mean."""
    sizes = collections.Counter(p.dataset for p in pages)
    table, recalls, weights = [], [], []
    for page in pages:
        lines = [(scores[(page.pid, line)], toks) for line, toks in page.tokens.items()
                 if (page.pid, line) in scores]
        row, rec = [], []
        for t in THRESHOLDS:
            kept = [tok for s, toks in lines if s >= t for tok in toks]
            f1, r = page_prf(page.gold, page.gold_n, kept)
            row.append(f1)
            rec.append(r)
        table.append(row)
        recalls.append(rec)
        weights.append(1.0 / sizes[page.dataset] / len(sizes))
    return np.array(table), np.array(recalls), np.array(weights)


def choose_thresholds(pages, scores):
    """The best (threshold, split, threshold above split) for macro page F1.

    Pages whose `doc_good_share` (the share of the page's text that reads as
    prose) is above the split get their own threshold: article pages want a
    stricter one than listings. Pages are independent in the macro mean, so
    each side's threshold is chosen on its own pages."""
    table, recalls, weights = f1_table(pages, scores)
    share = np.array([p.good_share for p in pages])
    best = None
    # Losing body costs a reader more than keeping some chrome: thresholds
    # whose macro recall falls below the floor are not considered.
    recall = (recalls * weights[:, None]).sum(axis=0)
    allowed = recall >= MIN_RECALL[0] - 1e-9
    if not allowed.any():
        allowed = recall >= recall.max() - 1e-9
    penalty = np.where(allowed, 0.0, -1e9)
    for split in SPLITS:
        above = share > split
        below_gain = (table[~above] * weights[~above, None]).sum(axis=0) + penalty
        above_gain = (table[above] * weights[above, None]).sum(axis=0) + penalty
        tb, ta = int(below_gain.argmax()), int(above_gain.argmax())
        total = below_gain[tb] + above_gain[ta]
        if best is None or total > best[0] + 1e-9:
            best = (total, THRESHOLDS[tb], split, THRESHOLDS[ta])
    return best[1:]


def page_f1_at(page, scores, thresholds):
    low, split, high = thresholds
    t = high if page.good_share > split else low
    kept = [tok for line, toks in page.tokens.items() if scores[(page.pid, line)] >= t for tok in toks]
    return page_f1(page.gold, page.gold_n, kept)


def page_scores(pages, scores, thresholds):
    per = collections.defaultdict(list)
    for page in pages:
        per[page.dataset].append(page_f1_at(page, scores, thresholds))
    return sum(sum(v) / len(v) for v in per.values()) / len(per)


def train(x, y, w, args, seed):
    params = {
        "objective": "binary",
        "learning_rate": args.learning_rate,
        "num_leaves": args.leaves,
        "min_data_in_leaf": args.min_data_in_leaf,
        "feature_fraction": args.feature_fraction,
        "bagging_fraction": args.bagging_fraction,
        "bagging_freq": 1,
        "lambda_l2": args.lambda_l2,
        "max_depth": args.max_depth,
        "verbose": -1,
        "seed": seed,
        "num_threads": args.threads,
        "deterministic": True,
        "force_row_wise": True,
    }
    data = lgb.Dataset(x, label=y, weight=w, free_raw_data=False)
    return lgb.train(params, data, num_boost_round=args.trees)


def dump_trees(booster):
    """A LightGBM booster's trees in the model file's array form."""
    trees = []
    for info in booster.dump_model()["tree_info"]:
        feature, thr, left, right, value = [], [], [], [], []

        def visit(node):
            k = len(feature)
            feature.append(-1)
            thr.append(0.0)
            left.append(0)
            right.append(0)
            value.append(0.0)
            if "leaf_value" in node:
                value[k] = node["leaf_value"]
                return k
            assert node["decision_type"] == "<=", node["decision_type"]
            feature[k] = node["split_feature"]
            thr[k] = node["threshold"]
            left[k] = visit(node["left_child"])
            right[k] = visit(node["right_child"])
            return k

        visit(info["tree_structure"])
        trees.append({"feature": feature, "threshold": thr, "left": left,
                      "right": right, "value": value})
    return trees


PAGE_FEATURES = ["score_q10", "score_q25", "score_q50", "score_q75", "score_q90", "score_max",
                 "above_0.2", "above_0.35", "above_0.5", "above_0.7", "scored_lines_log",
                 "doc_lines_log", "doc_len_log", "doc_good_share", "doc_removed_share", "doc_lex",
                 "threshold"]
PAGE_LEVEL = ["doc_lines_log", "doc_len_log", "doc_good_share", "doc_removed_share", "doc_lex"]


def page_inputs(scores, doc_row):
    """The page model's inputs but the threshold, as src/page_model.rs makes them."""
    s = np.sort(np.asarray(scores, dtype=np.float32))
    n = max(1, len(s))
    wide = s.astype(np.float64)
    q = list(np.quantile(wide, [0.1, 0.25, 0.5, 0.75, 0.9])) if len(s) else [0.0] * 5
    top = [float(wide[-1])] if len(s) else [0.0]
    shares = [float((s >= np.float32(t)).sum()) / n for t in (0.2, 0.35, 0.5, 0.7)]
    return q + top + shares + [float(np.log1p(len(s)))] + [float(v) for v in doc_row]


class PageThresholds:
    """Chooses each page's threshold: trees predict, for a page and a
    candidate threshold, the page's F1 (plus `recall_weight` times its
    recall) minus the page's mean over the candidates."""

    def __init__(self, pages, scores, doc_rows, args, seed):
        table, recalls, weights = f1_table(pages, scores)
        target = table + args.page_recall_weight * recalls
        target = target - target.mean(axis=1, keepdims=True)
        rows, ys, ws = [], [], []
        for page, t_row, weight in zip(pages, target, weights):
            base = page_inputs(self.page_scores(page, scores), doc_rows[page.pid])
            for t, y in zip(THRESHOLDS, t_row):
                rows.append(base + [t])
                ys.append(y)
                ws.append(weight)
        params = {"objective": "regression", "learning_rate": 0.05, "num_leaves": 15,
                  "min_data_in_leaf": 30, "verbose": -1, "seed": seed, "num_threads": args.threads,
                  "deterministic": True, "force_row_wise": True}
        data = lgb.Dataset(pd.DataFrame(rows, columns=PAGE_FEATURES), label=ys, weight=ws)
        self.booster = lgb.train(params, data, num_boost_round=args.page_trees)

    @staticmethod
    def page_scores(page, scores):
        return [scores[(page.pid, line)] for line in page.tokens if (page.pid, line) in scores]

    def choose(self, page, scores, doc_row):
        base = page_inputs(self.page_scores(page, scores), doc_row)
        rows = pd.DataFrame([base + [t] for t in THRESHOLDS], columns=PAGE_FEATURES)
        return THRESHOLDS[int(np.argmax(self.booster.predict(rows)))]

    def export(self):
        return {"features": PAGE_FEATURES, "thresholds": THRESHOLDS,
                "trees": dump_trees(self.booster)}


def export(booster, names, thresholds, path, meta, lexicon, page_model=None):
    threshold, split, above = thresholds
    assert booster.dump_model()["feature_names"] == names, "feature order differs"
    model = {"format": FORMAT, "features": names, "threshold": threshold,
             "page_threshold": {"feature": "doc_good_share", "split": split, "above": above},
             "base_score": 0.0, "lexicon": dict(sorted(lexicon.items())),
             "trees": dump_trees(booster), "trained": meta}
    if page_model is not None:
        model["page_model"] = page_model.export()
    with open(path, "w") as f:
        json.dump(model, f, separators=(",", ":"))
        f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="dir with <dataset>/<id>.input.txt and .gold.txt")
    ap.add_argument("--declutter", default="target/release/declutter")
    ap.add_argument("--out", help="where to write the model trained on all pages")
    ap.add_argument("--cv-dir", help="write fold models and page lists here")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--fold-by", choices=("page", "dataset"), default="page",
                    help="page: folds of pages, stratified by dataset; dataset: one fold per "
                         "dataset (leave one dataset out: each is scored by models that never "
                         "saw a page of its kind; --folds is then the number of datasets)")
    ap.add_argument("--min-recall", type=float, default=0.86,
                    help="choose thresholds only among those keeping macro recall at least this")
    ap.add_argument("--page-split", action="store_true",
                    help="also try a second threshold for pages with much prose")
    ap.add_argument("--inner-folds", type=int, default=4,
                    help="folds of the training pages used to choose thresholds (groups of the "
                         "other outer folds: from 2 to --folds minus 1)")
    ap.add_argument("--trees", type=int, default=150)
    ap.add_argument("--leaves", type=int, default=31)
    ap.add_argument("--learning-rate", type=float, default=0.08)
    ap.add_argument("--min-data-in-leaf", type=int, default=40)
    ap.add_argument("--feature-fraction", type=float, default=0.8,
                    help="share of the features each tree may split on")
    ap.add_argument("--bagging-fraction", type=float, default=0.8,
                    help="share of the rows each tree is fitted on")
    ap.add_argument("--lambda-l2", type=float, default=1.0)
    ap.add_argument("--max-depth", type=int, default=-1,
                    help="the deepest a tree may grow (-1: no limit); the walk of a batch of "
                         "lines through a tree takes as many steps as its deepest line needs")
    ap.add_argument("--no-corpus-share", type=float, default=0.3)
    ap.add_argument("--lexicon-min-pages", type=int, default=5,
                    help="give a word a weight only when it is on at least this many pages")
    ap.add_argument("--page-trees", type=int, default=200,
                    help="trees of the page-threshold model (0: one threshold for all pages)")
    ap.add_argument("--page-recall-weight", type=float, default=0.1,
                    help="the page-threshold model maximises page F1 plus this times page recall")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--cache", help="cache labels here (a pickle)")
    args = ap.parse_args()

    def folds_fit(folds):
        # Inner folds group the other outer folds: more of them than there
        # are outer folds left would train on no pages.
        return folds >= 3 and 2 <= args.inner_folds <= folds - 1

    if args.fold_by == "page" and not folds_fit(args.folds):
        ap.error(f"--inner-folds must be from 2 to --folds minus 1 ({args.folds - 1}), "
                 f"and --folds at least 3")
    MIN_RECALL[0] = args.min_recall
    if args.page_split:
        SPLITS[:0] = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8]

    pages = load_pages(args.data)
    print(f"{len(pages)} pages", file=sys.stderr)
    if args.fold_by == "dataset":
        args.folds = len({d for d, _ in pages})
        if not folds_fit(args.folds):
            ap.error(f"--fold-by dataset needs at least 3 datasets and --inner-folds from 2 "
                     f"to the datasets minus 1 (found {args.folds} datasets)")
    inputs = [os.path.join(args.data, pid + ".input.txt") for _, pid in pages]
    with_corpus = features(args.declutter, inputs, True)
    without = features(args.declutter, inputs, False, ["--words"])
    names = [c for c in with_corpus.columns if c not in ("path", "line", "tokens")]

    rng = random.Random(args.seed)
    alone = {pid for _, pid in pages if rng.random() < args.no_corpus_share}

    labels = None
    if args.cache and os.path.exists(args.cache):
        with open(args.cache, "rb") as f:
            labels = pickle.load(f)
        if not all(pid in labels for _, pid in pages):
            labels = None  # a cache of other pages, or keyed by file name alone
    if labels is None:
        labels = {}
        for n, (dataset, pid) in enumerate(pages):
            base = os.path.join(args.data, pid)
            with open(base + ".input.txt", "rb") as f:
                data = f.read()
            with open(base + ".gold.txt", encoding="utf-8", errors="replace") as f:
                gold = f.read()
            labels[pid] = page_labels(data, gold) + (gold,)
            if n % 100 == 0:
                print(f"labelled {n}", file=sys.stderr)
        if args.cache:
            with open(args.cache, "wb") as f:
                pickle.dump(labels, f)

    # Rows the model decides: non-blank lines that no rule removed.
    def pid_of(path):
        return os.path.relpath(path, args.data)[: -len(".input.txt")].replace(os.sep, "/")

    rows = []
    for frame, use_alone in ((with_corpus, False), (without, True)):
        frame = frame.copy()
        frame["pid"] = frame["path"].map(pid_of)
        keep = frame["pid"].isin(alone) if use_alone else ~frame["pid"].isin(alone)
        rows.append(frame[keep])
    table = pd.concat(rows, ignore_index=True)
    table = table[(table["words"] > 0) & (table["removed_by_rule"] == 0)].reset_index(drop=True)

    by_pid = {pid: Page(d, pid) for d, pid in pages}
    for page in by_pid.values():
        lab, toks, gold = labels[page.pid]
        page.gold = collections.Counter(WS.split(gold.strip()) if gold.strip() else [])
        page.gold_n = sum(page.gold.values())
        page.tokens = {}
        page.good_share = 0.0
    y = np.zeros(len(table), dtype=np.int8)
    w = np.zeros(len(table))
    datasets = collections.Counter(d for d, _ in pages)
    page_tokens = {pid: max(1, sum(len(t) for t in labels[pid][1])) for _, pid in pages}
    pids = table["pid"].to_numpy()
    good_share = table["doc_good_share"].to_numpy(dtype=np.float32)
    lines = table["line"].to_numpy()
    for k in range(len(table)):
        pid, line = pids[k], int(lines[k])
        lab, toks, _ = labels[pid]
        if line - 1 >= len(lab):
            sys.exit(f"{pid}: line {line} beyond {len(lab)} labelled lines: splits disagree")
        y[k] = lab[line - 1]
        page = by_pid[pid]
        page.tokens[line] = toks[line - 1]
        w[k] = len(toks[line - 1]) / page_tokens[pid] / datasets[page.dataset]
        page.good_share = float(good_share[k])
    w *= len(pages) / w.sum() * 100
    x = table[names].to_numpy(dtype=np.float32).astype(np.float64)
    x = pd.DataFrame(x, columns=names)
    print(f"{len(table)} lines, {y.mean():.3f} body", file=sys.stderr)

    # Word evidence: each page's words of body lines and of chrome lines
    # (every non-blank line, including those the rules remove).
    page_words = {pid: (set(), set()) for _, pid in pages}
    for path, line, toks in zip(without["path"], without["line"], without["tokens"]):
        if not toks:
            continue
        pid = pid_of(path)
        lab = labels[pid][0]
        if line - 1 < len(lab):
            page_words[pid][0 if lab[line - 1] else 1].update(toks.split(" "))
    workdir = tempfile.mkdtemp(prefix="declutter-train-")
    atexit.register(shutil.rmtree, workdir, True)
    lex = LexiconFeatures(args.declutter, inputs, list(zip(table["path"], table["line"])), workdir)
    lex_at = [names.index(c) for c in LEX_COLUMNS]

    lexicons = {}

    def lexicon_without(held):
        """The lexicon of the pages outside the folds `held`, and its features
        (each computed once)."""
        key = frozenset(held)
        if key not in lexicons:
            lexicons[key] = build_lexicon(held)
        return lexicons[key]

    def build_lexicon(held):
        name = "all" if not held else "without-" + "-".join(map(str, sorted(held)))
        weights = lexicon_weights(page_words, [pid for _, pid in pages if fold_of[pid] not in held],
                                  args.lexicon_min_pages)
        return weights, lex.columns(weights, name)

    def stacked(x_base, assignments):
        """`x_base` with the lex columns of each fold's rows taken from the
        lexicon that did not see that fold (and not the folds `assignments` names)."""
        values = x_base.to_numpy(copy=True)
        for fold, cols in assignments.items():
            rows = row_fold == fold
            values[np.ix_(rows, lex_at)] = cols[rows]
        return pd.DataFrame(values, columns=names)

    # Folds by page, stratified by dataset; or one fold per dataset.
    fold_of = {}
    for n, dataset in enumerate(sorted(datasets)):
        members = [pid for d, pid in pages if d == dataset]
        rng.shuffle(members)
        for i, pid in enumerate(members):
            fold_of[pid] = n if args.fold_by == "dataset" else i % args.folds
    row_fold = np.array([fold_of[p] for p in pids])

    def predict_rows(booster, xs, mask):
        return dict(zip(zip(pids[mask], lines[mask].tolist()), booster.predict(xs[mask])))

    # The lex columns are stacked: a line's word evidence always comes from a
    # lexicon that did not see its page, in training as in testing, so the
    # trees learn how far to trust it on unseen pages.
    def doc_rows_of(xs):
        """Each page's page-level features (the same in all its rows)."""
        values = xs[PAGE_LEVEL].to_numpy()
        rows = {}
        for k, pid in enumerate(pids):
            rows.setdefault(pid, [float(v) for v in values[k]])
        return rows

    page_threshold_of = {}

    def page_scores_each(pages_, scores):
        per = collections.defaultdict(list)
        for page in pages_:
            t = page_threshold_of.get(page.pid, fold_thresholds[fold_of[page.pid]])
            per[page.dataset].append(page_f1_at(page, scores, t))
        return sum(sum(v) / len(v) for v in per.values()) / len(per)

    oof = {}
    fold_thresholds = []
    outer_lexicons = {}
    for k in range(args.folds):
        train_mask = row_fold != k
        test_mask = row_fold == k
        others = [j for j in range(args.folds) if j != k]
        weights_k, cols_k = lexicon_without({k})
        outer_lexicons[k] = cols_k
        xk = stacked(x, {j: lexicon_without({k, j})[1] for j in others} | {k: cols_k})
        # Threshold from inner folds of the training pages only.
        inner = {}
        halves = [others[i::args.inner_folds] for i in range(args.inner_folds)]
        for j, held in enumerate(halves):
            held_mask = np.isin(row_fold, held)
            fit = train_mask & ~held_mask
            booster = train(xk[fit], y[fit], w[fit], args, args.seed + 10 * k + j)
            inner.update(predict_rows(booster, xk, held_mask))
        train_pages = [p for p in by_pid.values() if fold_of[p.pid] != k]
        threshold = choose_thresholds(train_pages, inner)
        booster = train(xk[train_mask], y[train_mask], w[train_mask], args, args.seed + 10 * k)
        oof.update(predict_rows(booster, xk, test_mask))
        fold_thresholds.append(threshold)
        test_pages = [p for p in by_pid.values() if fold_of[p.pid] == k]
        f1 = page_scores(test_pages, oof, threshold)
        doc_rows = doc_rows_of(xk)
        page_model = None
        if args.page_trees > 0:
            page_model = PageThresholds(train_pages, inner, doc_rows, args, args.seed + 10 * k)
            for p in test_pages:
                t = page_model.choose(p, oof, doc_rows.get(p.pid, [0.0] * len(PAGE_LEVEL)))
                page_threshold_of[p.pid] = (t, 2.0, t)
        f1_pages = page_scores_each(test_pages, oof)
        print(f"fold {k}: threshold {threshold}, held-out macro F1 (model lines only) {f1:.4f}, "
              f"with page thresholds {f1_pages:.4f}", file=sys.stderr)
        if args.cv_dir:
            os.makedirs(args.cv_dir, exist_ok=True)
            export(booster, names, threshold, os.path.join(args.cv_dir, f"fold{k}.json"),
                   {"fold": k, "of": args.folds}, weights_k, page_model)
            with open(os.path.join(args.cv_dir, f"fold{k}.pages"), "w") as f:
                for p in test_pages:
                    f.write(f"{p.pid}\n")

    # Held-out scores per dataset, each page with its own fold's thresholds.
    per = collections.defaultdict(list)
    for page in by_pid.values():
        per[page.dataset].append(page_f1_at(page, oof, fold_thresholds[fold_of[page.pid]]))
    means = {d: sum(v) / len(v) for d, v in sorted(per.items())}
    print("cross-validated (model lines only, approximate): "
          + " ".join(f"{d}={v:.3f}" for d, v in means.items())
          + f" overall={sum(means.values()) / len(means):.4f}", file=sys.stderr)
    if page_threshold_of:
        print(f"with page thresholds: overall={page_scores_each(list(by_pid.values()), oof):.4f}",
              file=sys.stderr)

    if args.out:
        threshold = choose_thresholds(list(by_pid.values()), oof)
        weights_all, _ = lexicon_without(set())
        x_all = stacked(x, outer_lexicons)
        booster = train(x_all, y, w, args, args.seed)
        page_model = None
        if args.page_trees > 0:
            page_model = PageThresholds(list(by_pid.values()), oof, doc_rows_of(x_all), args,
                                        args.seed)
        meta = {"pages": len(pages), "lines": int(len(table)), "trees": args.trees,
                "leaves": args.leaves, "learning_rate": args.learning_rate,
                "seed": args.seed, "threshold_from": "cross-validated predictions",
                "lexicon_min_pages": args.lexicon_min_pages, "page_trees": args.page_trees,
                "page_recall_weight": args.page_recall_weight}
        export(booster, names, threshold, args.out, meta, weights_all, page_model)
        print(f"wrote {args.out} (threshold {threshold})", file=sys.stderr)


if __name__ == "__main__":
    main()
