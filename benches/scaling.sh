#!/usr/bin/env bash
# Scaling and memory bounds of `declutter clean` (issue 6). Not a test: it
# prints figures for a person to read.
#
# 1. One text document of 1, 2, 4 and 8 million lines (the seeds' lines,
#    repeated), cleaned whole (--max-doc-bytes raised to fit): time and
#    peak RSS per size. Linear work shows as time/Mline staying flat.
# 2. The same lines as JSONL, one record per seed page: streamed in
#    chunks, so peak RSS should stay flat while time grows linearly.
# 3. Bounds: a 500 MB single-line text file (as a file and on stdin) and a
#    10-million-line text file with the default --max-doc-bytes (64 MiB):
#    passed through unchanged and counted as skipped, in bounded memory;
#    a 10-million-record JSONL file: cleaned, streamed, bounded memory.
#
# Usage: benches/scaling.sh [MLINES...]     (default: 1 2 4 8)
# Env:   SCALING_DIR=dir (default target/scaling; ~5 GB of inputs)
# Needs: bash, coreutils, cargo; GNU time at /usr/bin/time for peak RSS
#        (without it, peak RSS is reported as "?").
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=${SCALING_DIR:-$root/target/scaling}
mkdir -p "$work"
sizes=("$@")
if [ ${#sizes[@]} -eq 0 ]; then
    sizes=(1 2 4 8)
fi

cargo build --release --quiet
bin=$root/target/release/declutter

# measure LABEL CMD...: runs CMD, prints its wall time and peak RSS; sets
# LAST_CS (centiseconds) and LAST_RSS (MB).
measure() {
    local label=$1
    shift
    local t0 t1
    LAST_RSS="?"
    t0=$(date +%s%N)
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f "%M" -o "$work/time.out" "$@"
        LAST_RSS=$(( $(tail -n 1 "$work/time.out") / 1024 ))
    else
        "$@"
    fi
    t1=$(date +%s%N)
    LAST_CS=$(( (t1 - t0) / 10000000 ))
    printf '%-46s %5d.%02d s %6s MB peak RSS\n' "$label" $(( LAST_CS / 100 )) \
        $(( LAST_CS % 100 )) "$LAST_RSS"
}

# The seeds' lines, doubled until there are at least $1 lines, cut to $1.
text_of_lines() {
    local n=$1 out=$2
    [ -s "$out" ] && [ "$(wc -l <"$out")" -eq "$n" ] && return
    cat seeds/*.txt >"$out.tmp"
    while [ "$(wc -l <"$out.tmp")" -lt "$n" ]; do
        cat "$out.tmp" "$out.tmp" >"$out.tmp2"
        mv "$out.tmp2" "$out.tmp"
    done
    head -n "$n" "$out.tmp" >"$out"
    rm -f "$out.tmp"
}

# One JSONL record per seed page, repeated until about $1 lines of text.
jsonl_of_lines() {
    local n=$1 out=$2
    [ -s "$out" ] && return
    local record lines=0 per=0 f
    : >"$out.one"
    for f in seeds/*.txt; do
        # JSON-escape with sed: backslash, quote, tab, CR, then join lines with \n.
        record=$(sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/\t/\\t/g' -e 's/\r/\\r/g' "$f" |
            sed -e ':a' -e 'N' -e '$!ba' -e 's/\n/\\n/g')
        printf '{"text":"%s\\n"}\n' "$record" >>"$out.one"
        per=$(( per + $(wc -l <"$f") ))
    done
    : >"$out"
    cp "$out.one" "$out.tmp"
    lines=$per
    while [ "$lines" -lt "$n" ]; do
        cat "$out.tmp" "$out.tmp" >"$out.tmp2"
        mv "$out.tmp2" "$out.tmp"
        lines=$(( lines * 2 ))
    done
    # Keep whole records: as many as cover n lines.
    head -n $(( n * $(wc -l <"$out.one") / per )) "$out.tmp" >"$out"
    rm -f "$out.one" "$out.tmp"
}

echo "declutter scaling, $(date -u +%F) on $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "== one text document, cleaned whole (--max-doc-bytes 4G, -j 1)"
for m in "${sizes[@]}"; do
    n=$(( m * 1000000 ))
    f=$work/lines-${m}M.txt
    text_of_lines "$n" "$f"
    mb=$(( $(stat -c %s "$f") / 1000000 ))
    measure "${m}M lines (${mb} MB)" "$bin" clean "$f" -j 1 -q --max-doc-bytes 4000000000 \
        -o "$work/out.txt" --force
    per=$(( LAST_CS / m ))
    printf '    %d.%02d s per million lines\n' $(( per / 100 )) $(( per % 100 ))
done

echo
echo "== the same lines as JSONL, one record per page (-j 1, streamed)"
for m in "${sizes[@]}"; do
    n=$(( m * 1000000 ))
    f=$work/lines-${m}M.jsonl
    jsonl_of_lines "$n" "$f"
    mb=$(( $(stat -c %s "$f") / 1000000 ))
    measure "~${m}M lines in $(wc -l <"$f") records (${mb} MB)" "$bin" clean "$f" -j 1 -q \
        -o "$work/out.jsonl" --force
done

echo
echo "== bounds with the default --max-doc-bytes (64 MiB)"
big=$work/single-line-500M.txt
if [ ! -s "$big" ]; then
    yes 'Read more about it, a sentence without an end' | tr -d '\n' | head -c 500000000 >"$big"
fi
measure "500 MB single line, file" "$bin" clean "$big" -q -o "$work/out-big.txt" --force
cmp "$big" "$work/out-big.txt" && echo "    passed through unchanged"
measure "500 MB single line, stdin" sh -c "'$bin' clean -q --stats '$work/s.json' <'$big' >'$work/out-big.txt'"
cmp "$big" "$work/out-big.txt" && echo "    passed through unchanged; $(tr -d ' \n' <"$work/s.json" |
    grep -o '"skipped_by_reason":{[^}]*}')"

ten=$work/lines-10M.txt
text_of_lines 10000000 "$ten"
measure "10M-line text file ($(( $(stat -c %s "$ten") / 1000000 )) MB)" "$bin" clean "$ten" -q \
    --stats "$work/s.json" -o "$work/out-10M.txt" --force
cmp "$ten" "$work/out-10M.txt" && echo "    passed through unchanged; $(tr -d ' \n' <"$work/s.json" |
    grep -o '"skipped_by_reason":{[^}]*}')"

records=$work/records-10M.jsonl
if [ ! -s "$records" ]; then
    yes '{"id":1,"text":"Skip to main content\nThe body of the article stays as it was written.\n"}' |
        head -n 10000000 >"$records"
fi
measure "10M JSONL records ($(( $(stat -c %s "$records") / 1000000 )) MB, -j 2)" "$bin" clean \
    "$records" -q -j 2 --stats "$work/s.json" -o "$work/out-records.jsonl" --force
echo "    $(tr -d ' \n' <"$work/s.json" | grep -o '"documents":[0-9]*'), output $(wc -l <"$work/out-records.jsonl") lines"
