#!/usr/bin/env bash
# Cross-validated quality over several training seeds, with its spread.
#
# One cross-validation run is one draw: the seed picks the folds, the pages
# cleaned without the corpus pass in training, and LightGBM's row and feature
# sampling, and on eval-dev it moves the overall F1 by about +-0.003 (more
# on the small datasets). Compare changes on the mean of several seeds, not
# on one run.
#
# For each seed: scripts/train_model.py --seed S --cv-dir OUT/seed-S, then
# scripts/eval-cv.sh on those fold models; at the end, a table of F1 per
# dataset and overall for every seed with the mean and standard deviation.
#
#   scripts/cv-seeds.sh OUT [SEED...]          (default seeds: 7 8 9)
# Env: TRAIN_ARGS="..." extra train_model.py flags (e.g. "--trees 100"),
#      EVAL_DEV=dir (default ../shared/eval-dev), PYTHON (default python3).
# Takes about 15 minutes per seed on 2 cores; needs lightgbm, numpy, pandas.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: cv-seeds.sh OUT [SEED...]}
shift
seeds=("$@")
[ ${#seeds[@]} -gt 0 ] || seeds=(7 8 9)
dev=${EVAL_DEV:-$here/../shared/eval-dev}
python=${PYTHON:-python3}
mkdir -p "$out"
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
for seed in "${seeds[@]}"; do
  dir="$out/seed-$seed"
  mkdir -p "$dir"
  # shellcheck disable=SC2086  # TRAIN_ARGS is a list of flags
  "$python" "$here/scripts/train_model.py" --data "$dev" --seed "$seed" \
    --declutter "$here/target/release/declutter" \
    --cv-dir "$dir" --out "$dir/full.json" ${TRAIN_ARGS:-} 2> "$dir/train.log"
  EVAL_DEV=$dev EVAL_OUT="$dir/pred" SCORE_ARGS="--quiet --json $dir/score.json" \
    "$here/scripts/eval-cv.sh" "$dir" > /dev/null 2>&1
  echo "seed $seed: $("$python" -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["overall"]["f1"], 4))' "$dir/score.json")"
done
"$python" - "$out" "${seeds[@]}" <<'EOF'
import json, statistics, sys
out, seeds = sys.argv[1], sys.argv[2:]
scores = [json.load(open(f"{out}/seed-{s}/score.json")) for s in seeds]
rows = sorted(scores[0]["per_dataset"]) + ["overall"]
def f1(score, row):
    return score["overall"]["f1"] if row == "overall" else score["per_dataset"][row]["f1"]
print(f"{'dataset':<22}" + "".join(f"{'seed ' + s:>10}" for s in seeds) + f"{'mean':>10}{'sd':>10}")
for row in rows:
    values = [f1(s, row) for s in scores]
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    print(f"{row:<22}" + "".join(f"{v:>10.4f}" for v in values)
          + f"{statistics.mean(values):>10.4f}{sd:>10.4f}")
EOF
