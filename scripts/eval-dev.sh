#!/usr/bin/env bash
# Cleans every page of ../shared/eval-dev with the release build and scores it
# with the benchmark's scorer. Extra arguments go to `declutter clean`.
#   scripts/eval-dev.sh [--no-classifier ...]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dev=${EVAL_DEV:-$here/../shared/eval-dev}
out=${EVAL_OUT:-$(mktemp -d)}
[ -d "$dev" ] || { echo "no eval-dev at $dev" >&2; exit 1; }
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
"$here/scripts/stage-eval-dev.sh" "$dev" "$staging"
"$here/target/release/declutter" clean "$staging" -o "$out" --force "$@"
python3 "$dev/score.py" --gold-dir "$dev" --pred-dir "$out" ${SCORE_ARGS:-}
echo "predictions in $out" >&2
