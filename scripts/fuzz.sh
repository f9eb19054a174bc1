#!/usr/bin/env bash
# Fuzz each target for a fixed time, one target at a time, at the lowest
# CPU priority and on one thread (the machine is shared).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]    (default: 60, all targets)
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
# Targets (fuzz/fuzz_targets/): clean (Cleaner::clean on arbitrary bytes),
# rules (the rules-file parser, then a cleaner built from what parsed),
# jsonl (a JSONL stream through Batch::clean_stream).
#
# The corpus of each target starts from seeds/, the default rules and the
# small files in fuzz/seeds/<target>/, and grows in fuzz/corpus/<target>/
# (not committed). One summary line per run, with libFuzzer's final stats,
# is appended to fuzz/runs/<date>.txt; the full log of the last run of a
# target is fuzz/runs/<target>.log (not committed). A crash leaves its input
# in fuzz/artifacts/<target>/: minimise it with
# `cargo +nightly fuzz tmin -s none <target> <file>` and make it a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(clean rules jsonl)
fi

summary="fuzz/runs/$(date +%F).txt"
mkdir -p fuzz/runs

# No sanitizer: the crate forbids unsafe code, and without AddressSanitizer
# a target runs ~10x faster; debug assertions (overflow checks) stay on.
flags=(--release --sanitizer none --debug-assertions)
nice -n 19 cargo +nightly fuzz build "${flags[@]}"

seed_corpus() {
  local target=$1 dir=fuzz/corpus/$1
  mkdir -p "$dir"
  if [ -d "fuzz/seeds/$target" ]; then
    cp -n fuzz/seeds/"$target"/* "$dir"/ 2>/dev/null || true
  fi
  case $target in
    clean)
      for f in seeds/*; do
        cp -n "$f" "$dir/seed-$(basename "$f")"
        # The same page with CRLF line ends.
        [ -e "$dir/crlf-$(basename "$f")" ] || sed 's/$/\r/' "$f" > "$dir/crlf-$(basename "$f")"
      done
      ;;
    rules)
      cp -n src/rules/default.toml "$dir/default.toml"
      ;;
  esac
}

failed=0
for target in "${targets[@]}"; do
  seed_corpus "$target"
  log=fuzz/runs/$target.log
  start=$(date +%s)
  status=0
  RAYON_NUM_THREADS=1 nice -n 19 cargo +nightly fuzz run "${flags[@]}" "$target" \
    "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -max_len=16384 >"$log" 2>&1 || status=$?
  elapsed=$(( $(date +%s) - start ))
  stat() { grep -m1 "^stat::$1:" "$log" | awk '{print $2}'; }
  execs=$(stat number_of_executed_units)
  rss=$(stat peak_rss_mb)
  units=$(ls "fuzz/corpus/$target" | wc -l)
  crashes=$(ls "fuzz/artifacts/$target" 2>/dev/null | wc -l)
  line="$(date -u +%FT%TZ) target=$target seconds=$elapsed executions=${execs:-?} \
exec_per_sec=$(( ${execs:-0} / (elapsed > 0 ? elapsed : 1) )) peak_rss_mb=${rss:-?} \
corpus_units=$units artifacts=$crashes exit=$status"
  echo "$line" | tee -a "$summary"
  if [ "$status" -ne 0 ]; then
    failed=1
    echo "fuzz: $target failed; see $log and fuzz/artifacts/$target/" >&2
  fi
done
exit $failed
