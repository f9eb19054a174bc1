"""scripts/train_model.py end to end, on small generated pages.

Not a quality test: the pages are made up and the models tiny. It checks
that the training pipeline runs against the current binary (its features,
`--lexicon`, `--words`), that the folds hold out what they say they hold
out, and that the model files it writes load and clean a page. The three
datasets use the same file names, as a user's own gold may.

Needs lightgbm, numpy and pandas, and the release binary
(`DECLUTTER_BIN`, default `target/release/declutter`).
"""

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "train_model.py"
BIN = Path(os.environ.get("DECLUTTER_BIN", ROOT / "target" / "release" / "declutter"))

pytest.importorskip("lightgbm")
pytestmark = pytest.mark.skipif(not BIN.exists(), reason=f"no binary at {BIN}")

STOP = "the of and to in a is that for it was on with as by at from this be".split()
CONTENT = ("river council budget school garden engine market harbour village museum "
           "festival library bridge station railway orchard forest mountain valley "
           "teacher farmer doctor painter writer council report season weather "
           "harvest concert lecture journey history science").split()
MENU = ["Home", "News", "Sport", "Contact Us", "About", "Privacy Policy", "Log In",
        "Subscribe", "Share on Facebook", "Tweet", "Read more", "Terms of Use"]


def sentence(rng):
    words = [rng.choice(STOP if rng.random() < 0.45 else CONTENT)
             for _ in range(rng.randint(8, 18))]
    return " ".join(words).capitalize() + "."


def page(rng):
    """A made-up page dump and its gold: menus around paragraphs."""
    body = [" ".join(sentence(rng) for _ in range(rng.randint(2, 4)))
            for _ in range(rng.randint(4, 8))]
    top = rng.sample(MENU, rng.randint(3, 6))
    bottom = rng.sample(MENU, rng.randint(3, 6)) + [f"Copyright {rng.randint(2000, 2024)}"]
    return "\n".join(top + [""] + body + [""] + bottom) + "\n", "\n\n".join(body) + "\n"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("pages")
    rng = random.Random(1)
    for dataset in ("alpha", "beta", "gamma"):
        (root / dataset).mkdir()
        for k in range(6):
            text, gold = page(rng)
            (root / dataset / f"p{k}.input.txt").write_text(text)
            (root / dataset / f"p{k}.gold.txt").write_text(gold)
    return root


# Tiny models: the pipeline is under test, not their quality.
SMALL = ["--trees", "5", "--page-trees", "5", "--min-data-in-leaf", "5"]


def train(data, out, *flags):
    cmd = [sys.executable, str(SCRIPT), "--data", str(data), "--declutter", str(BIN),
           "--cv-dir", str(out / "cv"), "--out", str(out / "model.json"), *SMALL,
           "--threads", "1", *flags]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    folds = sorted((out / "cv").glob("fold*.pages"))
    return [[line.split("/")[0] for line in f.read_text().split()] for f in folds]


def test_folds_of_pages_hold_out_pages_of_every_dataset(data, tmp_path):
    folds = train(data, tmp_path, "--folds", "3", "--inner-folds", "2")
    assert len(folds) == 3
    for held in folds:
        assert sorted(set(held)) == ["alpha", "beta", "gamma"]
    assert sum(len(held) for held in folds) == 18


@pytest.fixture(scope="module")
def dataset_folds(data, tmp_path_factory):
    """One training with a dataset left out per fold: where it wrote, its folds."""
    out = tmp_path_factory.mktemp("by-dataset")
    return out, train(data, out, "--fold-by", "dataset", "--inner-folds", "2")


def test_fold_by_dataset_holds_out_one_dataset_per_fold(dataset_folds):
    out, folds = dataset_folds
    assert [sorted(set(held)) for held in folds] == [["alpha"], ["beta"], ["gamma"]]
    assert all(len(held) == 6 for held in folds)
    assert json.loads((out / "cv" / "fold1.json").read_text())["trained"]["of"] == 3


def test_written_models_load_and_clean(data, dataset_folds):
    out, _ = dataset_folds
    page_file = data / "alpha" / "p0.input.txt"
    for model in [out / "model.json", *sorted((out / "cv").glob("fold*.json"))]:
        cleaned = subprocess.run([str(BIN), "clean", "--model", str(model), str(page_file)],
                                 check=True, capture_output=True, text=True).stdout
        kept = cleaned.split()
        # What remains is the page's own text.
        assert set(kept) <= set(page_file.read_text().split())


@pytest.mark.skipif(shutil.which("cargo") is None, reason="cv-seeds.sh builds with cargo")
def test_cv_seeds_scores_gold_without_a_scorer(data, tmp_path):
    # No score.py next to this gold: eval-cv.sh scores with `declutter eval`.
    env = dict(os.environ, EVAL_DEV=str(data), PYTHON=sys.executable,
               TRAIN_ARGS=" ".join(SMALL + ["--folds", "3", "--inner-folds", "2"]))
    out = subprocess.run([str(ROOT / "scripts" / "cv-seeds.sh"), str(tmp_path / "cv"), "7"],
                         check=True, capture_output=True, text=True, env=env).stdout
    score = json.loads((tmp_path / "cv" / "seed-7" / "score.json").read_text())
    assert set(score["per_dataset"]) == {"alpha", "beta", "gamma"}
    assert 0.5 < score["overall"]["f1"] <= 1.0
    assert f"seed 7: {round(score['overall']['f1'], 4)}" in out


@pytest.mark.skipif(shutil.which("cargo") is None, reason="eval-cv.sh builds with cargo")
def test_threshold_oracle_orders_its_ceilings(data, dataset_folds, tmp_path):
    out, _ = dataset_folds
    env = dict(os.environ, EVAL_DEV=str(data), PYTHON=sys.executable)
    table = subprocess.run([str(ROOT / "scripts" / "threshold-oracle.sh"), str(out / "cv"),
                            str(tmp_path / "oracle")],
                           check=True, capture_output=True, text=True, env=env).stdout
    lines = table.splitlines()
    assert lines[0].split()[1:] == ["shipped", "fixed", lines[0].split()[3], "per-type",
                                    "per-page"]
    rows = {line.split()[0]: [float(v) for v in line.split()[1:]] for line in lines[1:]}
    assert set(rows) == {"alpha", "beta", "gamma", "overall"}
    for shipped, fixed, per_type, per_page in rows.values():
        # Each choice may pick what the one before it picks, so none is worse.
        assert fixed <= per_type <= per_page
        assert 0.0 <= shipped <= 1.0
    # The "shipped" column is what eval-cv.sh scores for the fold models.
    shipped = json.loads((tmp_path / "oracle" / "shipped.json").read_text())
    assert rows["overall"][0] == round(shipped["overall"]["f1"], 4)
