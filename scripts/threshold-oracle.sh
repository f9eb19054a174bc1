#!/usr/bin/env bash
# How much is left in the choice of each page's threshold. The fold models
# of a cross-validation run clean every page as scripts/eval-cv.sh does:
# once with their own page thresholds, then at each of 18 fixed thresholds
# (0.05 to 0.90, `--threshold`). The summary shows, per dataset:
#   shipped    each fold model's own choice (its page model): what eval-cv.sh scores
#   fixed      the one fixed threshold best for the macro F1 over all pages
#   per-type   each dataset at its own best fixed threshold (as if the page type were known)
#   per-page   each page at its own best fixed threshold
# The last three look at the gold to choose: they are ceilings, not results.
#   scripts/train_model.py --data ../shared/eval-dev --cv-dir CV
#   scripts/threshold-oracle.sh CV OUT
# Env: EVAL_DEV as for eval-cv.sh, PYTHON (default python3). About 2.5
# minutes on the eval-dev pages on 2 cores.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cv=${1:?usage: threshold-oracle.sh CV_DIR OUT_DIR}
out=${2:?usage: threshold-oracle.sh CV_DIR OUT_DIR}
python=${PYTHON:-python3}
mkdir -p "$out"
run() { # name [clean flags...]: predictions in OUT/NAME, scores in OUT/NAME.json
  local name=$1
  shift
  if ! EVAL_OUT="$out/$name" SCORE_ARGS="--quiet --json $out/$name.json" \
    "$here/scripts/eval-cv.sh" "$cv" "$@" > "$out/$name.log" 2>&1; then
    cat "$out/$name.log" >&2
    exit 1
  fi
}
run shipped
thresholds=()
for t in $(LC_ALL=C seq 0.05 0.05 0.90); do  # a point, whatever the locale
  thresholds+=("$t")
  run "t$t" --threshold "$t"
done
"$python" - "$out" "${thresholds[@]}" <<'EOF'
import collections, json, statistics, sys
out, thresholds = sys.argv[1], sys.argv[2:]
def pages(name):
    with open(f"{out}/{name}.json", encoding="utf-8") as f:
        return {(p["dataset"], p["id"]): p["f1"] for p in json.load(f)["per_page"]}
shipped = pages("shipped")
fixed = {t: pages(f"t{t}") for t in thresholds}
datasets = sorted({ds for ds, _ in shipped})
def macro(score):  # score: page -> F1; the mean of the datasets' means
    per = collections.defaultdict(list)
    for (ds, _), f1 in score.items():
        per[ds].append(f1)
    means = {ds: statistics.mean(per[ds]) for ds in datasets}
    return means, statistics.mean(means.values())
best_fixed = max(thresholds, key=lambda t: macro(fixed[t])[1])
per_type = {}
for ds in datasets:
    t = max(thresholds, key=lambda t: macro(fixed[t])[0][ds])
    per_type.update({k: v for k, v in fixed[t].items() if k[0] == ds})
per_page = {k: max(fixed[t][k] for t in thresholds) for k in shipped}
columns = [("shipped", shipped), (f"fixed {best_fixed}", fixed[best_fixed]),
           ("per-type", per_type), ("per-page", per_page)]
results = [macro(score) for _, score in columns]
print(f"{'dataset':<22}" + "".join(f"{name:>12}" for name, _ in columns))
for ds in datasets:
    print(f"{ds:<22}" + "".join(f"{means[ds]:>12.4f}" for means, _ in results))
print(f"{'overall':<22}" + "".join(f"{overall:>12.4f}" for _, overall in results))
EOF
