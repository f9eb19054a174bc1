#!/usr/bin/env bash
# What the corpus pass and the line model cost: one thread, the same inputs,
# median of N runs each, the three in turn, in one run of this script:
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

time_one() { # prints "wall cpu" seconds
  local TIMEFORMAT='%R %U %S' t
  t=$( { time "$bin" clean -q -j1 "$corpus" -o "$work/out" --force "$@" >/dev/null 2>&1; } 2>&1 )
  echo "$t" | awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }'
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A wall cpu flags_of times
flags_of[base]="--no-corpus --no-model"
flags_of[model]="--no-corpus"
flags_of[full]=""
# The variants take turns, run by run, so that a host whose speed drifts
# during the script slows all three alike.
for _ in $(seq 1 "$runs"); do
  for variant in base model full; do
    # shellcheck disable=SC2086  # the flags are a list
    times[$variant]+="$(time_one ${flags_of[$variant]})"$'\n'
  done
done
for variant in base model full; do
  wall[$variant]=$(printf '%s' "${times[$variant]}" | awk 'NF {print $1}' | median)
  cpu[$variant]=$(printf '%s' "${times[$variant]}" | awk 'NF {print $2}' | median)
done
# Each run's ratio to the base run of the same round: a host whose speed
# drifts between rounds moves both alike, so the median of these paired
# ratios is steadier than the ratio of the medians.
paired() { # variant, field (1 wall, 2 cpu): median of per-round ratios to base
  paste <(printf '%s' "${times[$1]}" | awk 'NF') <(printf '%s' "${times[base]}" | awk 'NF') |
    awk -v f="$2" '{ print $(f) / $(f + 2) }' | median
}
echo "median of $runs runs; CPU = user + system seconds (what the work costs, whatever the load)"
echo "x base: the ratio of the medians; paired: the median of each round's ratio to its base run"
printf '%-6s %9s %9s %9s %9s %9s %9s %9s\n' variant wall-s MB/s "x base" paired cpu-s "x base" paired
for variant in base model full; do
  awk -v v="$variant" -v w="${wall[$variant]}" -v c="${cpu[$variant]}" -v b="$bytes" \
    -v wb="${wall[base]}" -v cb="${cpu[base]}" -v pw="$(paired "$variant" 1)" -v pc="$(paired "$variant" 2)" \
    'BEGIN { printf "%-6s %9.3f %9.1f %9.2f %9.2f %9.3f %9.2f %9.2f\n", v, w, b / w / 1e6, w / wb, pw, c, c / cb, pc }'
done
# What the line model and the corpus pass add to the base run, as a multiple
# of the base run itself (the paired CPU ratio of the default run, less one).
awk -v pc="$(paired full 2)" 'BEGIN { printf "the model and the corpus pass add %.2f x the base run'"'"'s CPU time (paired)\n", pc - 1 }'
