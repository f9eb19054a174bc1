"""Benchmark: Cleaner.clean_batch on 10,000 documents, 1 thread vs N threads.

The documents are the repository's seeds plus, when present, the eval-dev
pages (``../shared/eval-dev/*/*.input.txt`` next to the repository, read at
run time), repeated until there are ``--docs`` of them. Runs alternate
between thread counts; the median of ``--runs`` runs is reported with the
load average, since other processes on the machine skew the ratio.

Usage (after ``pip install ./python`` or ``maturin develop --release``)::

    python python/bench/clean_batch_bench.py            # 10,000 docs, 1 vs 2 threads, 5 runs
    python python/bench/clean_batch_bench.py --threads 4 --runs 7
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import time
from pathlib import Path

import declutter

ROOT = Path(__file__).resolve().parents[2]


def load_documents(eval_dev: Path, n: int) -> tuple[list[str], int]:
    """``n`` documents cycled from the seeds and eval-dev inputs, and how
    many distinct documents there were."""
    paths = sorted(p for p in (ROOT / "seeds").iterdir() if p.is_file())
    if eval_dev.is_dir():
        paths += sorted(eval_dev.glob("*/*.input.txt"))
    distinct = [p.read_bytes().decode("utf-8", errors="replace") for p in paths]
    return [distinct[i % len(distinct)] for i in range(n)], len(distinct)


def cpu_seconds() -> float:
    """CPU time of this process, all threads, user + system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu_pressure() -> str:
    """The kernel's CPU pressure line (share of time runnable tasks waited
    for a CPU), when available."""
    try:
        with open("/proc/pressure/cpu") as f:
            return f.readline().strip()
    except OSError:
        return "n/a"


def main() -> None:
    """Runs the benchmark and prints the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5, help="runs per thread count (median)")
    parser.add_argument("--threads", type=int, default=2, help="the parallel thread count")
    parser.add_argument(
        "--eval-dev", type=Path, default=ROOT.parent / "shared" / "eval-dev",
        help="folder of eval-dev pages (skipped when missing)",
    )
    args = parser.parse_args()
    if args.runs < 3:
        parser.error("--runs must be at least 3")

    docs, distinct = load_documents(args.eval_dev, args.docs)
    mb = sum(len(d.encode()) for d in docs) / 1e6
    print(f"declutter {declutter.__version__}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs")
    print(f"{len(docs)} documents ({distinct} distinct), {mb:.1f} MB")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"CPU pressure before: {cpu_pressure()}")

    cleaner = declutter.Cleaner()
    counts = [1, args.threads]
    want = cleaner.clean_batch(docs[:200], threads=1)
    for t in counts:  # warm-up: pools, caches, and the same output on every count
        assert cleaner.clean_batch(docs[:200], threads=t) == want
    times: dict[int, list[float]] = {t: [] for t in counts}
    cpu: dict[int, list[float]] = {t: [] for t in counts}
    for run in range(args.runs):
        for t in counts if run % 2 == 0 else reversed(counts):
            start, start_cpu = time.perf_counter(), cpu_seconds()
            cleaner.clean_batch(docs, threads=t)
            times[t].append(time.perf_counter() - start)
            cpu[t].append(cpu_seconds() - start_cpu)

    median = {t: statistics.median(ts) for t, ts in times.items()}
    for t in counts:
        runs = " ".join(f"{x:.2f}" for x in times[t])
        print(f"threads={t}: median {median[t]:.3f} s, {len(docs) / median[t]:,.0f} docs/s, "
              f"{mb / median[t]:.1f} MB/s, median CPU {statistics.median(cpu[t]):.2f} s "
              f"(runs: {runs})")
    print(f"speed-up {args.threads} threads vs 1: {median[1] / median[args.threads]:.2f}x")
    # The CPU time of the parallel runs over the serial ones: the work added
    # by running in parallel. On an idle machine the speed-up approaches
    # threads / this; on a busy one, the wall-clock speed-up falls short.
    overhead = statistics.median(cpu[args.threads]) / statistics.median(cpu[1])
    print(f"CPU time {args.threads} threads / 1 thread: {overhead:.2f}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"CPU pressure after: {cpu_pressure()}")


if __name__ == "__main__":
    main()
