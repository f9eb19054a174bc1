#!/usr/bin/env bash
# What the corpus pass and the line model cost: one thread, the same inputs,
# median of N runs each, in one run of this script:
#   base   declutter clean -j1 --no-corpus --no-model   (rules, detectors, jusText classifier)
#   model  declutter clean -j1 --no-corpus              (line model, no corpus pass)
#   full   declutter clean -j1                          (corpus pass + line model: the default)
# Inputs: the eval-dev page dumps (../shared/eval-dev/*/*.input.txt), copied
# COPIES times into a temporary directory (default 3), or DIR if given.
#   benches/model_cost.sh [DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-5}
copies=${COPIES:-3}
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin="$here/target/release/declutter"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ $# -ge 1 ]; then
  corpus=$1
else
  dev="$here/../shared/eval-dev"
  [ -d "$dev" ] || { echo "no eval-dev at $dev; give a directory of .txt pages" >&2; exit 1; }
  corpus="$work/in"
  for c in $(seq 1 "$copies"); do
    for d in "$dev"/*/; do
      mkdir -p "$corpus/$c/$(basename "$d")"
      cp "$d"*.input.txt "$corpus/$c/$(basename "$d")/"
    done
  done
fi
bytes=$(cat $(find "$corpus" -type f) | wc -c)
echo "corpus: $corpus, $bytes bytes in $(find "$corpus" -type f | wc -l) files; load: $(cut -d' ' -f1-3 /proc/loadavg)"

time_one() { # prints seconds
  local start end
  start=$(date +%s.%N)
  "$bin" clean -q -j1 "$corpus" -o "$work/out" --force "$@"
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", b - a }' 
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A result
for variant in base model full; do
  case $variant in
    base) flags=(--no-corpus --no-model) ;;
    model) flags=(--no-corpus) ;;
    full) flags=() ;;
  esac
  times=()
  for _ in $(seq 1 "$runs"); do times+=("$(time_one "${flags[@]}")"); done
  result[$variant]=$(printf '%s\n' "${times[@]}" | median)
done
printf '%-6s %9s %9s %7s\n' variant seconds MB/s "x base"
for variant in base model full; do
  t=${result[$variant]}
  awk -v v="$variant" -v t="$t" -v b="$bytes" -v base="${result[base]}" \
    'BEGIN { printf "%-6s %9.3f %9.1f %7.2f\n", v, t, b / t / 1e6, t / base }' 
done
