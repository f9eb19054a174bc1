#!/usr/bin/env bash
# declutter against the tools a user would reach for instead, on one corpus,
# in one run.
#
# Builds a corpus of page dumps (seeds/*.txt and ../shared/eval-dev/*/
# *.input.txt, repeated with per-copy changes; see benches/make_corpus.py):
# one file per page under corpus/, and the same bytes concatenated in
# corpus.cat. Then times, median of RUNS runs each:
#   cat corpus.cat > /dev/null                     the I/O floor
#   wc -l corpus.cat
#   LC_ALL=C grep -v -F -i -f phrases.txt corpus.cat | wc -c
#                                                  the naive filter, with
#                                                  declutter's own phrases
#                                                  (`declutter rules --export-phrases`)
#   declutter clean corpus -o out, 1 thread and all threads, and with
#     --no-corpus as well when `declutter clean --help` offers it
#   datatrove's C4QualityFilter line rules and jusText (one paragraph per
#     line), per document, on the first SAMPLE_MB of the corpus (they are
#     slow), installed from PyPI into a venv under the work directory
# and prints MB/s (input bytes / wall time, and / CPU time) with the ratio
# of declutter (1 thread, no corpus pass when there is one) to each tool. The
# table also goes to benches/runs/<date>-compare.csv (-2, -3... for later runs
# on the same day).
#
# The work directory defaults to /dev/shm (a RAM disk) when it exists:
# creating thousands of small output files on a virtual machine's disk can
# take longer than cleaning them, and that would measure the disk. Set
# BENCH_DIR to use another place.
#
# Usage: benches/compare.sh
# Env:   BENCH_DIR=dir  CORPUS_MB=300  SAMPLE_MB=20  RUNS=3  PEERS=1 (0: skip Python tools)
# Needs: cargo, python3 (with venv and pip), GNU time (installed with apt-get if missing).
set -euo pipefail

root=$(git rev-parse --show-toplevel)
cd "$root"
if [ -n "${BENCH_DIR:-}" ]; then
    work=$BENCH_DIR
elif [ -d /dev/shm ] && [ -w /dev/shm ]; then
    work=/dev/shm/declutter-compare
else
    work=$root/target/compare
fi
corpus_mb=${CORPUS_MB:-300}
sample_mb=${SAMPLE_MB:-20}
runs=${RUNS:-3}
peers=${PEERS:-1}
mkdir -p "$work"

if [ ! -x /usr/bin/time ]; then
    echo "installing GNU time" >&2
    apt-get install -y time >/dev/null || { echo "cannot install GNU time" >&2; exit 1; }
fi

eval_dev="$root/../shared/eval-dev"
pages=("$root"/seeds/*.txt)
if [ -d "$eval_dev" ]; then
    shopt -s nullglob
    pages+=("$eval_dev"/*/*.input.txt)
    shopt -u nullglob
else
    echo "note: $eval_dev is absent; the corpus is built from seeds/ only" >&2
fi

key="${#pages[@]} pages, $corpus_mb MB, sample $sample_mb MB, v1"
if [ "$(cat "$work/corpus.key" 2>/dev/null)" != "$key" ]; then
    echo "building the corpus in $work ($key)"
    rm -rf "$work/corpus" "$work/sample" "$work/corpus.cat" "$work/sample.cat"
    python3 benches/make_corpus.py "$work" "$corpus_mb" "$sample_mb" "${pages[@]}"
    echo "$key" > "$work/corpus.key"
else
    echo "reusing the corpus in $work ($key)"
fi
corpus_bytes=$(stat -c %s "$work/corpus.cat")
sample_bytes=$(stat -c %s "$work/sample.cat")
files=$(find "$work/corpus" -type f | wc -l)

cargo build --release --quiet
bin="$root/target/release/declutter"
"$bin" rules --export-phrases > "$work/phrases.txt"
threads=$(nproc)

# The Python peers, from PyPI. datatrove's C4 filter also needs `regex`
# and spaCy (its sentence splitter); jusText needs lxml's html cleaner.
venv="$work/venv"
if [ "$peers" = 1 ] && [ ! -x "$venv/bin/python" ]; then
    echo "installing datatrove and jusText into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q datatrove justext lxml_html_clean regex spacy \
        || echo "note: pip could not install every peer; the missing ones are reported below" >&2
fi

results="$work/results.tsv"
: > "$results"
# measure NAME BYTES PREP CMD: runs PREP (untimed) then CMD (timed), RUNS
# times; records every run's wall seconds (bash's clock, microseconds) and
# user and system seconds (GNU time, to 10 ms).
measure() {
    local name=$1 bytes=$2 prep=$3 cmd=$4 start end
    for _ in $(seq "$runs"); do
        bash -c "$prep"
        start=$EPOCHREALTIME
        if ! /usr/bin/time -f "%U %S" -o "$work/time.txt" bash -c "$cmd" \
            > /dev/null 2> "$work/err.txt"; then
            echo "$name: failed: $(tail -3 "$work/err.txt")" >&2
            printf '%s\t%s\tfailed\n' "$name" "$bytes" >> "$results"
            return
        fi
        end=$EPOCHREALTIME
        printf '%s\t%s\t%s %s\n' "$name" "$bytes" \
            "$(python3 -c "print($end - $start)")" "$(tail -1 "$work/time.txt")" >> "$results"
    done
    echo "  $name: done"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "machine: $threads cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average: $load_before"
echo "corpus: $files files, $corpus_bytes bytes; sample for the Python tools: $sample_bytes bytes"
c="$work/corpus.cat"
out="$work/out"
measure "cat" "$corpus_bytes" "" "cat '$c' > /dev/null"
measure "wc -l" "$corpus_bytes" "" "wc -l '$c'"
measure "grep -vFif phrases" "$corpus_bytes" "" \
    "LC_ALL=C grep -v -F -i -f '$work/phrases.txt' '$c' | wc -c"
variants=("")
if "$bin" clean --help | grep -q -- '--no-corpus'; then
    variants+=("--no-corpus")
fi
for variant in "${variants[@]}"; do
    for j in 1 "$threads"; do
        measure "declutter -j$j${variant:+ $variant}" "$corpus_bytes" "rm -rf '$out'" \
            "'$bin' clean '$work/corpus' -o '$out' -j $j --quiet $variant"
    done
done
rm -rf "$out"
if [ "$peers" = 1 ]; then
    measure "datatrove C4QualityFilter (sample)" "$sample_bytes" "rm -rf '$out'" \
        "'$venv/bin/python' benches/peers/c4_lines.py '$work/sample' '$out'"
    measure "jusText per line (sample)" "$sample_bytes" "rm -rf '$out'" \
        "'$venv/bin/python' benches/peers/justext_lines.py '$work/sample' '$out'"
    rm -rf "$out"
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
echo "load average after: $load_after"

mkdir -p benches/runs
csv="benches/runs/$(date +%Y-%m-%d)-compare.csv"
# A second run on the same day keeps the first one's table.
n=2
while [ -e "$csv" ]; do
    csv="benches/runs/$(date +%Y-%m-%d)-compare-$n.csv"
    n=$((n + 1))
done
python3 - "$results" "$csv" "$threads" "$load_before" "$load_after" <<'PY'
import statistics
import sys

results, csv_path, threads, load_before, load_after = sys.argv[1:6]
rows = {}
failed = set()
for line in open(results):
    name, size, *times = line.rstrip("\n").split("\t")
    if times == ["failed"]:
        failed.add(name)
        rows.setdefault(name, (int(size), []))
        continue
    wall, user, system = map(float, times[0].split())
    rows.setdefault(name, (int(size), []))[1].append((wall, user + system))

def speeds(name):
    size, runs = rows[name]
    if name in failed or not runs:
        return None
    wall = statistics.median(w for w, _ in runs)
    cpu = statistics.median(c for _, c in runs)
    return size, wall, cpu, size / 1e6 / wall, size / 1e6 / max(cpu, 1e-9)

ref_name = "declutter -j1 --no-corpus" if "declutter -j1 --no-corpus" in rows else "declutter -j1"
ref = speeds(ref_name)
print()
print("reference: %s; ratio = its MB/s / the tool's MB/s (by wall time, and by CPU time)" % ref_name)
header = ("tool", "MB in", "wall s", "MB/s", "CPU s", "MB/s CPU", "ratio", "ratio CPU")
print("%-36s %8s %8s %8s %8s %9s %8s %9s" % header)
lines = ["tool,mb_in,runs,median_wall_s,mb_per_s,median_cpu_s,mb_per_s_cpu,"
         "declutter_ratio,declutter_ratio_cpu,threads,load_before,load_after"]
for name in rows:
    s = speeds(name)
    if s is None:
        print("%-36s failed (see the messages above)" % name)
        lines.append("%s,,,,,,,,,%s,%s,%s" % (name, threads, load_before, load_after))
        continue
    size, wall, cpu, mbs, mbs_cpu = s
    ratio = ref[3] / mbs if ref else float("nan")
    ratio_cpu = ref[4] / mbs_cpu if ref else float("nan")
    if cpu < 0.05:
        # GNU time counts in 10 ms steps: too coarse to divide by.
        mbs_cpu = ratio_cpu = float("nan")
    print("%-36s %8.1f %8.3f %8.1f %8.3f %9.1f %8.2f %9.2f"
          % (name, size / 1e6, wall, mbs, cpu, mbs_cpu, ratio, ratio_cpu))
    lines.append("%s,%.1f,%d,%.4f,%.2f,%.4f,%.2f,%.3f,%.3f,%s,%s,%s"
                 % (name, size / 1e6, len(rows[name][1]), wall, mbs, cpu, mbs_cpu,
                    ratio, ratio_cpu, threads, load_before, load_after))
one = speeds(ref_name)
many = speeds(ref_name.replace("-j1", "-j" + threads))
if one and many:
    print()
    print("%s threads vs 1: %.2fx by wall time" % (threads, many[3] / one[3]))
busy = float(load_before.split()[0])
if busy > 0.5:
    print("note: the machine was busy (load average %s before, %s after): wall-clock"
          " figures, and the thread ratio most of all, understate declutter; the CPU"
          " columns are steadier" % (load_before, load_after))
with open(csv_path, "w") as f:
    f.write("\n".join(lines) + "\n")
print("table written to %s" % csv_path)
PY
