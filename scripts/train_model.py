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
3. Gradient-boosted trees (LightGBM), each line weighted by its share of its
   page's tokens, each dataset weighted the same: the weights mirror the
   page-level, dataset-macro token F1 that the benchmark reports.
4. The keep threshold is chosen for page-level macro F1. In cross-validation
   it is chosen on inner folds of the training pages only, so no figure is
   measured on a page that fitted the model or its threshold.

Requirements (a venv is enough): `pip install lightgbm numpy pandas`.

    scripts/train_model.py --data ../shared/eval-dev --out src/rules/model.json \\
        --cv-dir /tmp/cv
"""
import argparse
import collections
import difflib
import json
import os
import pickle
import random
import re
import subprocess
import sys
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
    pages = []
    for dataset in sorted(os.listdir(data_dir)):
        d = os.path.join(data_dir, dataset)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if name.endswith(".input.txt"):
                pid = name[: -len(".input.txt")]
                pages.append((dataset, pid))
    return pages


def features(binary, paths, corpus):
    cmd = [binary, "features"] + (["--corpus"] if corpus else []) + paths
    out = subprocess.run(cmd, check=True, capture_output=True).stdout
    from io import BytesIO
    frame = pd.read_csv(BytesIO(out), sep="\t", dtype={"path": str}, quoting=3)
    return frame


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
        "min_data_in_leaf": 40,
        "feature_fraction": 0.8,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "lambda_l2": 1.0,
        "verbose": -1,
        "seed": seed,
        "num_threads": args.threads,
        "deterministic": True,
        "force_row_wise": True,
    }
    data = lgb.Dataset(x, label=y, weight=w, free_raw_data=False)
    return lgb.train(params, data, num_boost_round=args.trees)


def export(booster, names, thresholds, path, meta):
    threshold, split, above = thresholds
    dump = booster.dump_model()
    assert dump["feature_names"] == names, "feature order differs"
    trees = []
    for info in dump["tree_info"]:
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
    model = {"format": FORMAT, "features": names, "threshold": threshold,
             "page_threshold": {"feature": "doc_good_share", "split": split, "above": above},
             "base_score": 0.0, "trees": trees, "trained": meta}
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
    ap.add_argument("--min-recall", type=float, default=0.86,
                    help="choose thresholds only among those keeping macro recall at least this")
    ap.add_argument("--page-split", action="store_true",
                    help="also try a second threshold for pages with much prose")
    ap.add_argument("--inner-folds", type=int, default=4,
                    help="folds of the training pages used to choose thresholds")
    ap.add_argument("--trees", type=int, default=150)
    ap.add_argument("--leaves", type=int, default=31)
    ap.add_argument("--learning-rate", type=float, default=0.08)
    ap.add_argument("--no-corpus-share", type=float, default=0.3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--cache", help="cache labels here (a pickle)")
    args = ap.parse_args()
    MIN_RECALL[0] = args.min_recall
    if args.page_split:
        SPLITS[:0] = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8]

    pages = load_pages(args.data)
    print(f"{len(pages)} pages", file=sys.stderr)
    inputs = [os.path.join(args.data, d, pid + ".input.txt") for d, pid in pages]
    with_corpus = features(args.declutter, inputs, True)
    without = features(args.declutter, inputs, False)
    names = [c for c in with_corpus.columns if c not in ("path", "line")]

    rng = random.Random(args.seed)
    alone = {pid for _, pid in pages if rng.random() < args.no_corpus_share}

    labels = None
    if args.cache and os.path.exists(args.cache):
        with open(args.cache, "rb") as f:
            labels = pickle.load(f)
    if labels is None:
        labels = {}
        for n, (dataset, pid) in enumerate(pages):
            base = os.path.join(args.data, dataset, pid)
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
        return os.path.basename(path)[: -len(".input.txt")]

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

    # Folds by page, stratified by dataset.
    fold_of = {}
    for dataset in sorted(datasets):
        members = [pid for d, pid in pages if d == dataset]
        rng.shuffle(members)
        for i, pid in enumerate(members):
            fold_of[pid] = i % args.folds
    row_fold = np.array([fold_of[p] for p in pids])

    def predict_rows(booster, mask):
        return dict(zip(zip(pids[mask], lines[mask].tolist()), booster.predict(x[mask])))

    oof = {}
    fold_thresholds = []
    for k in range(args.folds):
        train_mask = row_fold != k
        test_mask = row_fold == k
        # Threshold from inner folds of the training pages only.
        inner = {}
        others = [j for j in range(args.folds) if j != k]
        halves = [others[i::args.inner_folds] for i in range(args.inner_folds)]
        for j, held in enumerate(halves):
            held_mask = np.isin(row_fold, held)
            fit = train_mask & ~held_mask
            booster = train(x[fit], y[fit], w[fit], args, args.seed + 10 * k + j)
            inner.update(predict_rows(booster, held_mask))
        train_pages = [p for p in by_pid.values() if fold_of[p.pid] != k]
        threshold = choose_thresholds(train_pages, inner)
        booster = train(x[train_mask], y[train_mask], w[train_mask], args, args.seed + 10 * k)
        oof.update(predict_rows(booster, test_mask))
        fold_thresholds.append(threshold)
        test_pages = [p for p in by_pid.values() if fold_of[p.pid] == k]
        f1 = page_scores(test_pages, oof, threshold)
        print(f"fold {k}: threshold {threshold}, held-out macro F1 (model lines only) {f1:.4f}",
              file=sys.stderr)
        if args.cv_dir:
            os.makedirs(args.cv_dir, exist_ok=True)
            export(booster, names, threshold, os.path.join(args.cv_dir, f"fold{k}.json"),
                   {"fold": k, "of": args.folds})
            with open(os.path.join(args.cv_dir, f"fold{k}.pages"), "w") as f:
                for p in test_pages:
                    f.write(f"{p.dataset}/{p.pid}\n")

    # Held-out scores per dataset, each page with its own fold's thresholds.
    per = collections.defaultdict(list)
    for page in by_pid.values():
        per[page.dataset].append(page_f1_at(page, oof, fold_thresholds[fold_of[page.pid]]))
    means = {d: sum(v) / len(v) for d, v in sorted(per.items())}
    print("cross-validated (model lines only, approximate): "
          + " ".join(f"{d}={v:.3f}" for d, v in means.items())
          + f" overall={sum(means.values()) / len(means):.4f}", file=sys.stderr)

    if args.out:
        threshold = choose_thresholds(list(by_pid.values()), oof)
        booster = train(x, y, w, args, args.seed)
        meta = {"pages": len(pages), "lines": int(len(table)), "trees": args.trees,
                "leaves": args.leaves, "learning_rate": args.learning_rate,
                "seed": args.seed, "threshold_from": "cross-validated predictions"}
        export(booster, names, threshold, args.out, meta)
        print(f"wrote {args.out} (threshold {threshold})", file=sys.stderr)


if __name__ == "__main__":
    main()
