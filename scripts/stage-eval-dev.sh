#!/usr/bin/env bash
# Lays out eval-dev pages for `declutter clean DIR`: STAGING/<dataset>/<id>.txt
# as symlinks to DEV/<dataset>/<id>.input.txt, so the outputs are named as
# score.py expects. Used by eval-dev.sh and eval-cv.sh.
#   scripts/stage-eval-dev.sh DEV STAGING
set -euo pipefail
dev=${1:?usage: stage-eval-dev.sh DEV STAGING}
staging=${2:?usage: stage-eval-dev.sh DEV STAGING}
# The links are absolute, so a relative DEV works from any directory.
dev=$(cd "$dev" && pwd)
for d in "$dev"/*/; do
  name=$(basename "$d")
  mkdir -p "$staging/$name"
  for f in "$d"*.input.txt; do ln -s "$f" "$staging/$name/$(basename "$f" .input.txt).txt"; done
done
