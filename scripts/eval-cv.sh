#!/usr/bin/env bash
# Cross-validated quality: every eval-dev page is cleaned by the fold model
# that was trained (and had its threshold chosen) without it, through the
# release binary with the corpus pass over all pages, then scored with the
# benchmark's scorer.
#   scripts/train_model.py --data ../shared/eval-dev --cv-dir CV   (writes CV/fold*.json, CV/fold*.pages)
#   scripts/eval-cv.sh CV [extra `declutter clean` flags]
# Env: EVAL_DEV=gold dir (default ../shared/eval-dev; its score.py scores,
# else `declutter eval`), EVAL_OUT=where the predictions go, SCORE_ARGS.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cv=${1:?usage: eval-cv.sh CV_DIR [flags]}
shift
dev=${EVAL_DEV:-$here/../shared/eval-dev}
out=${EVAL_OUT:-$(mktemp -d)}
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
staging=$(mktemp -d)
work=$(mktemp -d)
trap 'rm -rf "$staging" "$work"' EXIT
"$here/scripts/stage-eval-dev.sh" "$dev" "$staging"
for model in "$cv"/fold*.json; do
  fold=$(basename "$model" .json)
  "$here/target/release/declutter" clean "$staging" -o "$work/$fold" --force -q --model "$model" "$@"
  while read -r page; do
    mkdir -p "$out/$(dirname "$page")"
    cp "$work/$fold/$page.txt" "$out/$page.txt"
  done < "$cv/$fold.pages"
done
if [ -f "$dev/score.py" ]; then
  # shellcheck disable=SC2086  # SCORE_ARGS is a list of flags
  python3 "$dev/score.py" --gold-dir "$dev" --pred-dir "$out" ${SCORE_ARGS:-}
else
  # No scorer next to the gold (a user's own pages): the binary's, which
  # computes the same figures and takes the same --json; it has no --quiet.
  args=()
  for a in ${SCORE_ARGS:-}; do [ "$a" = --quiet ] || args+=("$a"); done
  "$here/target/release/declutter" eval --gold "$dev" --pred "$out" "${args[@]}"
fi
echo "predictions in $out" >&2
