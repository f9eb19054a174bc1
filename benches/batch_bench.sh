#!/usr/bin/env bash
# End-to-end benchmark of `declutter clean` on large zstd JSONL corpora.
#
# Builds two corpora from seeds/*.txt and ../shared/eval-dev/*/*.input.txt:
# ~1 GB and ~250 MB of JSONL (uncompressed size), zstd-compressed. Records
# cycle through every page, in a new shuffled order on each pass, with a
# record id, a URL and small per-record changes (a header line, two
# paragraphs swapped), so no page is simply repeated. Then it reports, in one
# run: MB/s (uncompressed input) for --threads 1 and --threads 2 on the 1 GB
# corpus, and peak RSS (/usr/bin/time -v) for both sizes.
#
# Usage: benches/batch_bench.sh            (corpora cached in target/batch-bench)
# Env:   BENCH_DIR=dir  BIG_MB=1000  SMALL_MB=250
# Needs: cargo, python3, zstd, GNU time (installed with apt-get if missing).
set -euo pipefail

root=$(git rev-parse --show-toplevel)
cd "$root"
work=${BENCH_DIR:-$root/target/batch-bench}
big_mb=${BIG_MB:-1000}
small_mb=${SMALL_MB:-250}
mkdir -p "$work"

need() {
    if ! command -v "$1" >/dev/null 2>&1 && [ ! -x "$1" ]; then
        echo "installing $2 (for $1)" >&2
        apt-get install -y "$2" >/dev/null || { echo "cannot install $2" >&2; exit 1; }
    fi
}
need /usr/bin/time time
need zstd zstd
need python3 python3

eval_dev="$root/../shared/eval-dev"
pages=("$root"/seeds/*.txt)
if [ -d "$eval_dev" ]; then
    shopt -s nullglob
    pages+=("$eval_dev"/*/*.input.txt)
    shopt -u nullglob
else
    echo "note: $eval_dev is absent; the corpus is built from seeds/ only" >&2
fi
echo "pages: ${#pages[@]}"

# make_corpus MB OUT: writes OUT (zstd JSONL with ~MB * 10^6 bytes of JSON).
make_corpus() {
    local mb=$1 out=$2
    if [ -s "$out" ] && [ "$(cat "$out.pages" 2>/dev/null)" = "${#pages[@]} $mb" ]; then
        echo "reusing $out"
        return
    fi
    echo "building $out (~$mb MB of JSONL)"
    printf '%s\n' "${pages[@]}" | python3 -c '
import json, random, sys
limit = int(sys.argv[1]) * 1000 * 1000
paths = [p for p in sys.stdin.read().split("\n") if p]
texts = [open(p, encoding="utf-8", errors="replace").read() for p in paths]
rng = random.Random(42)
out = sys.stdout
written = 0
rid = 0
rounds = 0
while written < limit:
    order = list(range(len(texts)))
    rng.shuffle(order)
    for i in order:
        paras = texts[i].split("\n\n")
        if len(paras) > 2:
            k = rng.randrange(len(paras) - 1)
            paras[k], paras[k + 1] = paras[k + 1], paras[k]
        text = "Story %d\n%s" % (rid, "\n\n".join(paras))
        record = {
            "id": rid,
            "url": "https://example.org/%d/%d" % (rounds, i),
            "lang": "en",
            "text": text,
            "meta": {"source": paths[i].rsplit("/", 2)[-2], "round": rounds, "score": rng.random()},
        }
        line = json.dumps(record, ensure_ascii=False) + "\n"
        out.write(line)
        written += len(line.encode("utf-8"))
        rid += 1
        if written >= limit:
            break
    rounds += 1
print("%d records, %d bytes" % (rid, written), file=sys.stderr)
' "$mb" | zstd -q -3 -T2 -f -o "$out"
    echo "${#pages[@]} $mb" > "$out.pages"
}

cargo build --release --quiet
bin="$root/target/release/declutter"

big="$work/corpus-${big_mb}m.jsonl.zst"
small="$work/corpus-${small_mb}m.jsonl.zst"
make_corpus "$big_mb" "$big"
make_corpus "$small_mb" "$small"

# run NAME INPUT THREADS: cleans INPUT, records wall time, RSS and MB/s.
declare -A mbs rss wall cpu
run() {
    local name=$1 input=$2 threads=$3
    local out="$work/out-$name.jsonl.zst"
    /usr/bin/time -v -o "$work/time-$name.txt" \
        "$bin" clean "$input" -o "$out" --force --quiet --threads "$threads" \
        --stats "$work/stats-$name.json"
    rss[$name]=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time-$name.txt")
    wall[$name]=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time-$name.txt")
    cpu[$name]=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%.1f", u+s}' \
        "$work/time-$name.txt")
    mbs[$name]=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print("%.1f" % s["mb_per_s"])' \
        "$work/stats-$name.json")
    printf '%-12s threads=%s wall=%s cpu=%ss MB/s=%s peakRSS=%s KB\n' \
        "$name" "$threads" "${wall[$name]}" "${cpu[$name]}" "${mbs[$name]}" "${rss[$name]}"
    rm -f "$out"
}

cpu_pressure() { head -1 /proc/pressure/cpu 2>/dev/null || echo "n/a"; }
echo "machine: $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg); CPU pressure: $(cpu_pressure)"
echo "corpora: $(du -h "$big" | cut -f1) zstd ($big_mb MB JSONL), $(du -h "$small" | cut -f1) zstd ($small_mb MB JSONL)"
run big-t1 "$big" 1
run big-t2 "$big" 2
run small-t1 "$small" 1
run small-t2 "$small" 2
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); CPU pressure: $(cpu_pressure)"

ratio=$(python3 -c "print('%.2f' % (${mbs[big-t2]} / ${mbs[big-t1]}))")
echo
echo "== summary =="
echo "${big_mb} MB corpus: ${mbs[big-t1]} MB/s (1 thread), ${mbs[big-t2]} MB/s (2 threads), ratio ${ratio}x (target >= 1.8x)"
echo "CPU seconds (user+sys) on the ${big_mb} MB corpus: ${cpu[big-t1]} (1 thread), ${cpu[big-t2]} (2 threads): equal CPU means the work itself scales; a low ratio with equal CPU means the cores were busy with something else (see load average)"
echo "peak RSS: ${small_mb} MB corpus ${rss[small-t1]} KB (1 thread) / ${rss[small-t2]} KB (2 threads); ${big_mb} MB corpus ${rss[big-t1]} KB (1 thread) / ${rss[big-t2]} KB (2 threads) (target < 100 MB, independent of size)"
